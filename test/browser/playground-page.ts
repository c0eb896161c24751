// What the playground's browser tests share: the moment the page shows, and moving it with the slider's
// own input handler (as a user drags it).
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { PlaygroundHandle } from '../../playground/client.js';

/** The moment the page shows, in microseconds. */
export const nowOf = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { faultlinePlayground: PlaygroundHandle }).faultlinePlayground.nowMicros());

/** Moves the slider to `at` (its input event: seek and draw) and checks the page shows that moment. */
export async function seek(page: Page, at: number): Promise<void> {
  await page.$eval('#time-slider', (slider: HTMLInputElement, micros: number) => {
    slider.value = String(micros);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  }, at);
  expect(await nowOf(page)).toBe(at);
}

/** Simulates the page's session to the end of its run (the outcome and fingerprint are then known). */
export async function runToEnd(page: Page): Promise<void> {
  await page.evaluate(() => void (window as unknown as { faultlinePlayground: PlaygroundHandle }).faultlinePlayground.session().runToEnd());
}
