// The playground's guided lessons in a real browser (Debian's chromium through playwright-core): open a
// lesson from the menu by keyboard, see its text, its prepared actions and its prompts beside the ring, and
// play it to its point (a new leader of a later term; a planted bug's violation stopping the clock; a check
// judged at the end shown at its moment).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findLesson, LESSONS } from '../../playground/lessons.js';
import { describeFault } from '../../sim/faults.js';
import { formatMicros } from '../../sim/time.js';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { browserSession, OUTPUT_DIR, pageProblems, skipBrowser, warnIfSkipped } from './browser-session.js';
import { nowOf, runToEnd } from './playground-page.js';

warnIfSkipped('test/browser/playground-lessons.test.ts');

const { work, faultline } = cliWorkspace('playground-lessons-browser');


/** Opens lesson `id` from the menu, by keyboard: the select, then Enter on the "Open lesson" button. */
async function openLesson(page: Page, id: string): Promise<void> {
  await page.selectOption('#lesson-select', id);
  await page.focus('#lesson-open');
  await page.keyboard.press('Enter');
  expect(await page.textContent('#lesson-title')).toBe(findLesson(id)!.title);
}

describe.skipIf(skipBrowser)('guided lessons in the playground, in headless Chromium', () => {
  const session = browserSession('faultline-playground-lessons-');

  it('opens lessons from the menu, shows their text, actions and prompts, and plays them to their point', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const written = faultline('playground', 'paxos-lossy', '--seed', '7', '--out', 'page');
    expect(written.status, written.stderr).toBe(0);
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(join(work, 'page', 'index.html')).href);
    await page.waitForSelector('#nodes g.node');

    // The menu lists every lesson; none is open yet.
    expect(await page.locator('#lesson-select option').count()).toBe(LESSONS.length);
    expect(await page.locator('#lesson').isHidden()).toBe(true);

    // Lesson 1: its session loads (scenario, seed and the prepared crash as the user's action), its text shows.
    const one = findLesson('leader-crash')!;
    await openLesson(page, one.id);
    expect(await page.inputValue('#scenario-select')).toBe(one.scenario);
    expect(await page.inputValue('#seed-input')).toBe(String(one.seed));
    expect(await page.inputValue('#bug-select')).toBe('');
    expect(await page.locator('#lesson .lesson-text').allTextContents()).toEqual(one.text);
    const listed = one.actions.map((f) => `${formatMicros(f.at)}: ${describeFault(f)}`);
    expect(await page.locator('#lesson-actions li').allTextContents()).toEqual(listed);
    expect(await page.locator('#actions li').allTextContents()).toEqual(listed);
    expect(await page.locator('#lesson-try li').allTextContents()).toEqual(one.tryThis);
    expect(await nowOf(page)).toBe(0);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-lesson.png') });

    // Play at 2×: n4 leads term 1; after the crashes, n2 leads term 3.
    await page.selectOption('#speed', '2');
    await page.click('#play');
    await expect.poll(async () => nowOf(page), { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(one.pointMicros);
    await page.click('#play');
    expect(await page.textContent('#play')).toBe('Play');
    const leader = page.locator('#nodes g.node[data-role="leader"]');
    expect(await leader.getAttribute('data-node')).toBe('n2');
    expect(await leader.getAttribute('data-term')).toBe('3');
    expect(await page.getAttribute('#nodes g.node[data-node="n3"]', 'data-status')).toBe('crashed');
    // Scrubbing back to before the first crash shows n4 leading term 1.
    await page.$eval('#time-slider', (slider: HTMLInputElement) => {
      slider.value = '900000';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(await page.getAttribute('#nodes g.node[data-role="leader"]', 'data-node')).toBe('n4');

    // Lesson 3: the planted bug is on; playing stops at the violation the text names, at its time.
    const three = findLesson('figure-8')!;
    await openLesson(page, three.id);
    expect(await page.inputValue('#bug-select')).toBe(three.bug!);
    expect(await page.locator('#lesson-actions li').allTextContents()).toEqual(["none: the scenario's own schedule does it"]);
    expect(await page.locator('#actions li').count()).toBe(0);
    await page.selectOption('#speed', '10');
    await page.click('#play');
    await expect.poll(async () => page.textContent('#play'), { timeout: 30_000, interval: 50 }).toBe('Play');
    expect(await nowOf(page)).toBe(three.pointMicros);
    const violation = (await page.locator('#violation .violation').allTextContents())[0]!;
    expect(violation).toMatch(/^commit-current-term \(always\) FAILED at 3\.546s: leader n4 of term 3/);
    expect(three.text.join(' ')).toContain('3.546s');

    // Lesson 2: linearizability is judged when the run ends; the moment button simulates to the end and
    // shows the violation at the time the text gives.
    const two = findLesson('minority-leader')!;
    await openLesson(page, two.id);
    expect(await page.locator('#violation').isHidden()).toBe(true);
    // Reached by Tab from the menu, pressed with Enter.
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'lesson-point');
    }
    expect(reached).toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    expect(await nowOf(page)).toBe(two.pointMicros);
    expect(await page.locator('#violation .violation').allTextContents()).toEqual([
      expect.stringMatching(new RegExp(`^linearizable-history \\(always\\) FAILED at ${formatMicros(two.pointMicros).replace('.', '\\.')}: `)),
    ]);
    expect(await page.textContent('#outcome')).toMatch(/safety-violation$/);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-lesson-violation.png') });

    // Every lesson opens without a problem and its moment button shows its moment.
    for (const lesson of LESSONS) {
      await openLesson(page, lesson.id);
      expect(await page.textContent('#problem')).toBe('');
      expect(await page.locator('#lesson .lesson-text').count()).toBe(lesson.text.length);
      expect(await page.locator('#lesson-try li').count()).toBe(lesson.tryThis.length);
      expect(await page.locator('#actions li').count()).toBe(lesson.actions.length);
      await page.click('#lesson-point');
      expect(await nowOf(page), lesson.id).toBe(lesson.pointMicros);
      expect(await page.getAttribute('#time-label', 'data-micros')).toBe(String(lesson.pointMicros));
    }

    // Greyscale: what colour says is also said by luminance, pattern or dash. On the Figure 8 lesson's
    // timeline, leader and follower bars differ in luminance and candidate bars are a pattern; on the ring, a
    // crashed and a paused node differ from an up one (and each other) by their outline's dashes.
    await openLesson(page, 'figure-8');
    await page.click('#lesson-point');
    const grey = await page.evaluate(() => {
      const luminance = (colour: string) => {
        const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map((c) => Number(c) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const fillOf = (role: string) => {
        const bar = document.querySelector(`#timeline [data-role="${role}"]`);
        const shape = bar?.tagName === 'rect' ? bar : bar?.querySelector('rect');
        return shape === null || shape === undefined ? null : getComputedStyle(shape).fill;
      };
      const [leader, follower, candidate] = ['leader', 'follower', 'candidate'].map(fillOf);
      const dashes = ['up', 'crashed', 'paused'].map((status) => {
        const probe = document.querySelector('#nodes g.node.server')!.cloneNode(true) as SVGGElement;
        probe.setAttribute('data-status', status);
        document.querySelector('#nodes')!.append(probe);
        const dash = getComputedStyle(probe.querySelector('circle')!).strokeDasharray;
        probe.remove();
        return dash;
      });
      return { leader, follower, candidate, contrast: leader !== null && follower !== null ? Math.abs(luminance(leader) - luminance(follower)) : -1, dashes };
    });
    expect(grey.contrast, JSON.stringify(grey)).toBeGreaterThan(0.3);
    expect(grey.candidate).toMatch(/^url\(/);
    expect(new Set(grey.dashes).size, JSON.stringify(grey.dashes)).toBe(3);

    // Loading another scenario from the picker closes the lesson.
    await page.selectOption('#scenario-select', 'raft-lossy');
    await page.click('#load');
    expect(await page.locator('#lesson').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a page written with --lesson opens that lesson, and one written with --replay opens that run', async () => {
    const lessonPage = faultline('playground', '--lesson', 'figure-8', '--out', 'lesson-page');
    expect(lessonPage.status, lessonPage.stderr).toBe(0);
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(join(work, 'lesson-page', 'index.html')).href);
    expect(await page.textContent('#lesson-title')).toBe(findLesson('figure-8')!.title);
    expect(await page.inputValue('#scenario-select')).toBe('raft-figure-8');

    const saved = faultline('run', 'raft-figure-8', '--seed', '1', '--bug', 'raft/commit-old-term', '--save', 'fig8.json');
    expect(saved.status).toBe(1);
    const fingerprint = (JSON.parse(readFileSync(join(work, 'fig8.json'), 'utf8')) as { expected: { fingerprint: string } }).expected.fingerprint;
    const replayPage = faultline('playground', '--replay', 'fig8.json', '--out', 'replay-page');
    expect(replayPage.status, replayPage.stderr).toBe(0);
    await page.goto(pathToFileURL(join(work, 'replay-page', 'index.html')).href);
    expect(await page.textContent('#open-status')).toMatch(new RegExp(`^opened fig8\\.json .*expected fingerprint ${fingerprint} \\(safety-violation\\)`));
    expect(await page.inputValue('#bug-select')).toBe('raft/commit-old-term');
    await runToEnd(page);
    await page.locator('body').press('ArrowRight');
    expect(await page.textContent('#fingerprint')).toBe(fingerprint);
    expect(await page.textContent('#open-status')).toMatch(/matches fig8\.json/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
