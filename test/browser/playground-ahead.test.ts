// The playground simulates ahead of the moment shown in idle frame time: left alone after load, the page
// runs its session to the end without moving the moment shown or showing a violation early, ends with the
// fingerprint `faultline run` gives, and scrubbing anywhere afterwards re-simulates nothing (the frontier
// stays where it is). No wall-clock limits here: bench/playground.ts measures the times.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PlaygroundHandle } from '../../playground/client.js';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { browserSession, skipBrowser, warnIfSkipped } from './browser-session.js';

warnIfSkipped('test/browser/playground-ahead.test.ts');

const { work, faultline } = cliWorkspace('playground-ahead');
type Window = { faultlinePlayground: PlaygroundHandle };

describe.skipIf(skipBrowser)('the playground simulates ahead while idle', () => {
  const session = browserSession('faultline-playground-ahead-');

  it('raft-figure-8 with its bug: runs to the end at time 0, fingerprint as the terminal, then scrubs without simulating', async () => {
    const written = faultline('playground', 'raft-figure-8', '--seed', '1', '--bug', 'raft/commit-old-term', '--out', 'page');
    expect(written.status, written.stderr).toBe(0);
    const terminal = JSON.parse(faultline('run', 'raft-figure-8', '--seed', '1', '--bug', 'raft/commit-old-term', '--json').stdout) as { fingerprint: string; outcome: string };
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(join(work, 'page/index.html')).href);
    await page.waitForSelector('#nodes g.node');

    const state = () => page.evaluate(() => {
      const handle = (window as unknown as Window).faultlinePlayground;
      const s = handle.session();
      return { now: s.nowMicros, frontier: s.frontierMicros, fingerprint: s.result?.fingerprint ?? null, outcome: s.result?.outcome ?? null, last: s.lastMicros };
    });
    // Nobody touches the page: the frontier runs to the end on its own.
    await expect.poll(async () => (await state()).fingerprint, { timeout: 60_000, interval: 50 }).not.toBeNull();
    const ended = await state();
    expect(ended.now).toBe(0);
    expect(ended.fingerprint).toBe(terminal.fingerprint);
    expect(ended.outcome).toBe(terminal.outcome);
    expect(await page.getAttribute('#time-label', 'data-micros')).toBe('0');
    expect(await page.locator('#violation').isHidden()).toBe(true);

    // Scrubbing to the last moment and back re-reads the trace: the frontier does not move.
    for (const at of [ended.last, Math.floor(ended.last / 2), 0]) {
      await page.evaluate((t) => {
        const slider = document.getElementById('time-slider') as HTMLInputElement;
        slider.value = String(t);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }, at);
      const after = await state();
      expect(after.now).toBe(at);
      expect(after.frontier).toBe(ended.frontier);
    }
    // The violation shows once the moment shown is past it, not before.
    await page.evaluate((t) => {
      const slider = document.getElementById('time-slider') as HTMLInputElement;
      slider.value = String(t);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    }, ended.last);
    expect(await page.locator('#violation').isHidden()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
