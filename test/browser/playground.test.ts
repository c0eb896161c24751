// The playground in a real browser (Debian's chromium through playwright-core): the page `faultline
// playground --out` writes opens from disk, shows five Raft nodes, plays until a leader exists, crashes it by
// click, plays on to another leader, scrubs back, steps by keyboard, and downloads a replay file that
// `faultline replay` reproduces to the page's fingerprint; with no console error and no network request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { browserSession, OUTPUT_DIR, pageProblems, skipBrowser, warnIfSkipped } from './browser-session.js';
import { nowOf, runToEnd } from './playground-page.js';

warnIfSkipped('test/browser/playground.test.ts');

const { work, faultline } = cliWorkspace('playground-browser');

const leaderOf = (page: Page) => page.evaluate(() => document.querySelector('#nodes g.node[data-role="leader"]')?.getAttribute('data-node') ?? null);

/**
 * Plays until a leader other than `not` is on the ring, and pauses in the same animation frame (checked and
 * paused inside the page, so a slow machine does not play on past the moment while the test looks).
 */
async function playUntilLeader(page: Page, not: string | null): Promise<void> {
  await page.click('#play');
  await page.waitForFunction((other) => {
    const leader = document.querySelector('#nodes g.node[data-role="leader"]')?.getAttribute('data-node') ?? null;
    if (leader === null || leader === other) return false;
    (document.getElementById('play') as HTMLButtonElement).click();
    return true;
  }, not, { timeout: 20_000, polling: 'raf' });
  expect(await page.textContent('#play')).toBe('Play');
}

describe.skipIf(skipBrowser)('the playground in headless Chromium', () => {
  const session = browserSession('faultline-playground-');

  it('raft-leader-crash: crash the leader by click, see another, scrub back, download a replay file that replays', async () => {
    const written = faultline('playground', 'raft-leader-crash', '--seed', '1', '--out', 'page');
    expect(written.status, written.stderr).toBe(0);
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(join(work, 'page/index.html')).href);

    // Five servers on the ring (the clients on an inner one), each labelled with its id and status.
    await page.waitForSelector('#nodes g.node');
    expect(await page.locator('#nodes g.node.server').count()).toBe(5);
    expect(await page.locator('#nodes g.node.server .id').allTextContents()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(await page.locator('#nodes g.node.server .state').allTextContents()).toEqual(['up', 'up', 'up', 'up', 'up']);
    expect(await page.inputValue('#scenario-select')).toBe('raft-leader-crash');
    expect(await page.locator('#scenario-select option').count()).toBeGreaterThan(40);

    // Play (at a quarter of real time) until a leader exists; the scenario's own script crashes it at 1 s.
    await page.selectOption('#speed', '0.25');
    await playUntilLeader(page, null);
    const first = (await leaderOf(page))!;
    const crashAt = await nowOf(page);
    expect(crashAt).toBeLessThan(1_000_000);
    expect(await page.getAttribute(`#nodes g.node[data-node="${first}"]`, 'data-status')).toBe('up');

    // Click the leader, crash it: recorded at the moment shown.
    await page.click(`#nodes g.node[data-node="${first}"]`);
    await page.click('#node-menu button[data-action="crash"]');
    expect(await page.getAttribute(`#nodes g.node[data-node="${first}"]`, 'data-status')).toBe('crashed');
    expect(await page.locator('#actions li').allTextContents()).toHaveLength(1);
    expect(await nowOf(page)).toBe(crashAt);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-crashed.png') });

    // Play on: another node leads.
    await playUntilLeader(page, first);
    const second = (await leaderOf(page))!;
    expect(second).not.toBe(first);
    expect(await page.locator('#legend li').count()).toBeGreaterThan(1);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-new-leader.png') });

    // Scrub back to before the crash: the first leader leads again.
    await page.$eval('#time-slider', (slider: HTMLInputElement, at: number) => {
      slider.value = String(at);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    }, crashAt - 1);
    expect(await nowOf(page)).toBe(crashAt - 1);
    expect(await leaderOf(page)).toBe(first);
    expect(await page.getAttribute(`#nodes g.node[data-node="${first}"]`, 'data-status')).toBe('up');

    // Keyboard: the right arrow steps to the next event, space plays and pauses.
    await page.locator('body').press('ArrowRight');
    expect(await nowOf(page)).toBeGreaterThanOrEqual(crashAt);
    await page.locator('body').press('ArrowRight');
    expect(await page.getAttribute(`#nodes g.node[data-node="${first}"]`, 'data-status')).toBe('crashed');
    // Messages fly: stepping from event to event soon shows one in flight, coloured and named by its type.
    let flying = 0;
    for (let i = 0; i < 200 && flying === 0; i++) {
      await page.locator('body').press('ArrowRight');
      flying = await page.locator('#messages circle.msg').count();
    }
    expect(flying).toBeGreaterThan(0);
    const type = (await page.getAttribute('#messages circle.msg', 'data-type'))!;
    expect(await page.locator(`#legend li[data-type="${type}"]`).count()).toBe(1);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-messages.png') });
    await page.locator('body').press(' ');
    expect(await page.textContent('#play')).toBe('Pause');
    await page.locator('body').press(' ');
    expect(await page.textContent('#play')).toBe('Play');

    // Download the replay file; faultline replay reproduces the page's run.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const file = join(session.workDir, 'playground-replay.json');
    await download.saveAs(file);
    const fingerprint = (await page.textContent('#fingerprint'))!;
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { faults: { kind: string; node: string }[]; expected: { fingerprint: string } };
    expect(recorded.expected.fingerprint).toBe(fingerprint);
    expect(recorded.faults).toContainEqual({ at: crashAt, kind: 'crash', node: first });
    const replayed = faultline('replay', file, '--json');
    const json = JSON.parse(replayed.stdout) as { fingerprint: string; reproduced: boolean; edited: boolean };
    expect(json.fingerprint).toBe(fingerprint);
    expect(json.reproduced).toBe(true);
    expect(json.edited).toBe(false);

    await page.screenshot({ path: join(OUTPUT_DIR, 'playground.png'), fullPage: true });

    // The downloaded file opens back in the page (the header's file input): the same run, to the same fingerprint.
    await page.setInputFiles('#open-file', { name: 'playground-replay.json', mimeType: 'application/json', buffer: readFileSync(file) });
    expect(await page.textContent('#open-status')).toMatch(new RegExp(`^opened playground-replay\\.json .*expected fingerprint ${fingerprint}`));
    expect(await page.locator('#actions li').count()).toBe(0);
    expect(await page.locator('#drawn li[data-kind="crash"]').count()).toBeGreaterThan(0);
    await runToEnd(page);
    await page.locator('body').press('ArrowRight');
    expect(await page.textContent('#fingerprint')).toBe(fingerprint);
    expect(await page.textContent('#open-status')).toMatch(/matches playground-replay\.json/);

    // Any registered scenario loads in the page: Multi-Paxos with a planted bug, from the start, no actions.
    await page.selectOption('#scenario-select', 'paxos-lossy');
    await page.selectOption('#bug-select', 'paxos/forget-promise');
    await page.fill('#seed-input', '2');
    await page.click('#load');
    expect(await page.title()).toBe('faultline playground: paxos-lossy seed 2');
    expect(await page.locator('#nodes g.node.server').count()).toBe(5);
    expect(await nowOf(page)).toBe(0);
    expect(await page.locator('#actions li').count()).toBe(0);
    expect(await page.textContent('#outcome')).toBe('running');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
