// The playground's actions in a real browser (Debian's chromium through playwright-core): cut a link by
// dragging between nodes (one way, then both ways with Shift), see it drawn, heal it, set loss, latency and
// clock drift; plant a bug and see its first violation stop the clock with the terminal's words; download
// the replay file and check that `faultline replay` gives the page's fingerprint. Every control is reached
// by Tab and has a text label.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PlaygroundHandle } from '../../playground/client.js';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { browserSession, OUTPUT_DIR, pageProblems, skipBrowser, warnIfSkipped } from './browser-session.js';
import { nowOf, runToEnd, seek } from './playground-page.js';

warnIfSkipped('test/browser/playground-act.test.ts');

const { work, faultline } = cliWorkspace('playground-act-browser');

const cuts = (page: Page) => page.$$eval('#links line.cut', (lines) => lines.map((l) => `${l.getAttribute('data-from')}>${l.getAttribute('data-to')}`).sort());

async function open(page: Page, name: string, seed: number): Promise<string[]> {
  const dir = `page-${name}`;
  const written = faultline('playground', name, '--seed', String(seed), '--out', dir);
  expect(written.status, written.stderr).toBe(0);
  const errors = pageProblems(page);
  await page.goto(pathToFileURL(join(work, dir, 'index.html')).href);
  await page.waitForSelector('#nodes g.node');
  return errors;
}

async function setRange(page: Page, selector: string, value: number): Promise<void> {
  await page.$eval(selector, (input: HTMLInputElement, v: number) => {
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Drags with the mouse from the centre of node `from` to the centre of node `to`. */
async function drag(page: Page, from: string, to: string, shift = false): Promise<void> {
  const a = (await page.locator(`#nodes g.node[data-node="${from}"] circle`).boundingBox())!;
  const b = (await page.locator(`#nodes g.node[data-node="${to}"] circle`).boundingBox())!;
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

/** Downloads the replay file and replays it with the CLI; returns the page's fingerprint and the file. */
async function downloadAndReplay(page: Page, dir: string, name: string): Promise<{ fingerprint: string; file: { faults: Record<string, unknown>[] }; exit: number | null }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const path = join(dir, name);
  await download.saveAs(path);
  const fingerprint = (await page.textContent('#fingerprint'))!;
  expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
  const replayed = faultline('replay', path, '--json');
  const json = JSON.parse(replayed.stdout) as { fingerprint: string; reproduced: boolean };
  expect(json.fingerprint).toBe(fingerprint);
  expect(json.reproduced).toBe(true);
  return { fingerprint, file: JSON.parse(readFileSync(path, 'utf8')) as { faults: Record<string, unknown>[] }, exit: replayed.status };
}

describe.skipIf(skipBrowser)('acting in the playground, in headless Chromium', () => {
  const session = browserSession('faultline-playground-act-');

  it('cuts links by drag (one way, both ways), draws and heals them, sets loss, latency and drift, and the replay file replays', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 1000 }, acceptDownloads: true });
    const errors = await open(page, 'raft-leader-crash', 1);

    // Drag n1 → n2 at 200 ms: that link, one way, is cut and drawn; clicking is still a click.
    await seek(page, 200_000);
    await drag(page, 'n1', 'n2');
    expect(await cuts(page)).toEqual(['n1>n2']);
    expect(await page.locator('#actions li').allTextContents()).toEqual(['200ms: n1 cannot send to n2']);
    expect(await page.locator('#node-menu').isHidden()).toBe(true);
    // Shift-drag n3 → n4 at 250 ms: both ways.
    await seek(page, 250_000);
    await drag(page, 'n3', 'n4', true);
    expect(await cuts(page)).toEqual(['n1>n2', 'n3>n4', 'n4>n3']);
    expect(await page.locator('#actions li').last().textContent()).toBe('250ms: n3 cut off from n4');
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-cut-links.png') });

    // The other way along a link cut one way cuts that way too; dragging along a cut link heals it: the
    // simulator's heal is global, so the schedule gets a heal and the other cuts again.
    await seek(page, 300_000);
    await drag(page, 'n2', 'n1');
    expect(await cuts(page)).toEqual(['n1>n2', 'n2>n1', 'n3>n4', 'n4>n3']);
    expect(await page.locator('#actions li').count()).toBe(3);
    expect(await page.locator('#actions li').last().textContent()).toBe('300ms: n2 cannot send to n1');
    await seek(page, 350_000);
    await drag(page, 'n1', 'n2');
    expect(await cuts(page)).toEqual(['n2>n1', 'n3>n4', 'n4>n3']);
    expect((await page.locator('#actions li').allTextContents()).slice(3)).toEqual([
      '350ms: heal every partition', '350ms: n2 cannot send to n1', '350ms: n3 cannot send to n4', '350ms: n4 cannot send to n3',
    ]);
    // Heal all links, by its button.
    await seek(page, 355_000);
    await page.click('#heal-all');
    expect(await cuts(page)).toEqual([]);
    expect(await page.locator('#actions li').last().textContent()).toBe('355ms: heal every partition');
    // Scrubbing back shows the cuts as they were.
    await seek(page, 260_000);
    expect(await cuts(page)).toEqual(['n1>n2', 'n3>n4', 'n4>n3']);
    await seek(page, 360_000);

    // Loss on the links from n5, latency on every link, clock drift on n2, by slider and button.
    await page.selectOption('#net-target', 'from:n5');
    await setRange(page, '#loss-input', 30);
    expect(await page.textContent('#loss-value')).toBe('30%');
    await page.click('#loss-apply');
    expect(await page.locator('#actions li').last().textContent()).toBe('360ms: lose 30% of messages from n5');
    await page.selectOption('#net-target', 'to:n1');
    await setRange(page, '#loss-input', 10);
    await page.click('#loss-apply');
    expect(await page.locator('#actions li').last().textContent()).toBe('360ms: lose 10% of messages to n1');
    await page.selectOption('#net-target', '');
    await setRange(page, '#latency-input', 40);
    await setRange(page, '#jitter-input', 5);
    await page.click('#latency-apply');
    expect(await page.locator('#actions li').last().textContent()).toBe('360ms: delay messages on every link by 40ms + up to 5ms');
    await page.selectOption('#drift-node', 'n2');
    await setRange(page, '#drift-input', 50_000);
    // From the keyboard: focus the button and press Enter.
    await page.focus('#drift-apply');
    await page.keyboard.press('Enter');
    expect(await page.locator('#actions li').last().textContent()).toBe("360ms: n2's clock drifts +50,000ppm");
    expect(await nowOf(page)).toBe(360_000);

    // The node menu cuts by keyboard too: n4 → n5 one way.
    await page.focus('#nodes g.node[data-node="n4"]');
    await page.keyboard.press('Enter');
    await page.selectOption('#cut-target', 'n5');
    await page.click('#node-menu button[data-action="cut"]');
    expect(await cuts(page)).toEqual(['n4>n5']);

    // Every control is reached by Tab, shows a focus ring, and has a text label.
    const controls = await page.$$eval('button:not([disabled]), input, select, [tabindex="0"]', (list) => list.map((c) => ({
      id: c.id || c.getAttribute('data-node') || c.getAttribute('data-action') || c.textContent,
      named: ((c as HTMLInputElement).labels?.length ?? 0) > 0 || (c.getAttribute('aria-label') ?? '') !== '' || (c.textContent ?? '').trim() !== '',
    })));
    expect(controls.filter((c) => !c.named)).toEqual([]);
    const reached = new Set<string>();
    await page.focus('#scenario-select');
    for (let i = 0; i < 120; i++) {
      const focused = await page.evaluate(() => {
        const a = document.activeElement!;
        if (a === document.body) return { id: '', outline: '', circle: null };
        return { id: a.id || a.getAttribute('data-node') || a.getAttribute('data-action') || a.textContent, outline: getComputedStyle(a).outlineStyle, circle: a.querySelector('circle') !== null ? getComputedStyle(a.querySelector('circle')!).strokeWidth : null };
      });
      await page.keyboard.press('Tab');
      if (focused.id === '' || focused.id === null) continue;
      reached.add(focused.id);
      if (focused.circle === null) expect(focused.outline, `focus ring on ${focused.id}`).not.toBe('none');
      else expect(focused.circle, `focus ring on node ${focused.id}`).toBe('6px');
    }
    expect(controls.map((c) => c.id).filter((id) => !reached.has(id!))).toEqual([]);

    const { file } = await downloadAndReplay(page, session.workDir, 'act-replay.json');
    expect(file.faults).toEqual(expect.arrayContaining([
      { at: 200_000, kind: 'partition', from: ['n1'], to: ['n2'] },
      { at: 250_000, kind: 'partition', groups: [['n3'], ['n4']] },
      { at: 350_000, kind: 'heal' },
      { at: 350_000, kind: 'partition', from: ['n4'], to: ['n3'] },
      { at: 355_000, kind: 'heal' },
      { at: 360_000, kind: 'loss', ratio: 0.3, from: ['n5'] },
      { at: 360_000, kind: 'loss', ratio: 0.1, to: ['n1'] },
      { at: 360_000, kind: 'delay', latency: { kind: 'uniform', baseMicros: 40_000, jitterMicros: 5_000 } },
      { at: 360_000, kind: 'clock-drift', node: 'n2', ppm: 50_000 },
    ]));
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-act.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('plants a bug: its first violation stops the clock and reads as in the terminal, naming its nodes', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 1000 }, acceptDownloads: true });
    const errors = await open(page, 'raft-figure-8', 1);
    const terminal = JSON.parse(faultline('run', 'raft-figure-8', '--seed', '1', '--bug', 'raft/commit-old-term', '--json').stdout) as {
      fingerprint: string; checks: { name: string; ok: boolean; message?: string; atMicros?: number }[];
    };
    const first = terminal.checks.filter((c) => !c.ok).sort((a, b) => a.atMicros! - b.atMicros!)[0]!;
    expect(first.name).toBe('commit-current-term');

    // Plant it at 1 s: the page runs again from time 0 with the bug, at the same moment.
    await seek(page, 1_000_000);
    expect(await page.locator('#violation').isHidden()).toBe(true);
    await page.selectOption('#plant-select', 'raft/commit-old-term');
    await page.click('#plant');
    expect(await nowOf(page)).toBe(1_000_000);
    expect(await page.inputValue('#bug-select')).toBe('raft/commit-old-term');
    expect(await page.locator('#violation').isHidden()).toBe(true);

    // Play fast: the clock stops at the event that broke the check.
    await page.selectOption('#speed', '10');
    await page.click('#play');
    await expect.poll(async () => page.textContent('#play'), { timeout: 30_000, interval: 50 }).toBe('Play');
    expect(await nowOf(page)).toBe(first.atMicros);
    expect(await page.locator('#violation').isVisible()).toBe(true);
    expect(await page.locator('#violation .violation').allTextContents()).toEqual([`commit-current-term (always) FAILED at 3.546s: ${first.message}`]);
    // The message names n4: it is highlighted (a double-weight ring and a mark beside its status).
    expect(await page.getAttribute('#nodes g.node[data-node="n4"]', 'class')).toContain('implicated');
    expect(await page.locator('#nodes g.node.implicated').count()).toBe(1);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-violation.png') });

    // The replay file replays to the terminal's fingerprint, bug and all.
    const { fingerprint } = await downloadAndReplay(page, session.workDir, 'bug-replay.json');
    expect(fingerprint).toBe(terminal.fingerprint);
    expect(await page.locator('#checks li').count()).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('sends a client request on demand (typed or drawn), recorded as a request entry; the history has it and the replay file replays it', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 1000 }, acceptDownloads: true });
    const errors = await open(page, 'raft-leader-crash', 1);
    const invokesBy = (client: string) => page.evaluate((c) => (window as unknown as { faultlinePlayground: PlaygroundHandle }).faultlinePlayground.session().trace
      .filter((e) => e.type === 'invoke' && e.node === c).map((e) => ({ at: e.at, input: (e as { input: unknown }).input })), client);

    // A typed operation from c2 at 700 ms: the entry is listed, and c2's history has that put at 700 ms.
    await seek(page, 700_000);
    await page.selectOption('#request-node', 'c2');
    await page.fill('#request-op', '{"op":"put","key":"k9","value":"clicked"}');
    await page.click('#request-send');
    expect(await page.textContent('#problem')).toBe('');
    expect(await page.locator('#actions li[data-kind="request"]').allTextContents()).toEqual(['700ms: c2 issues put k9=clicked']);
    await runToEnd(page);
    const puts = (await invokesBy('c2')).filter((i) => JSON.stringify(i.input).includes('clicked'));
    expect(puts).toHaveLength(1);
    expect(puts[0]!.at).toBeGreaterThanOrEqual(700_000);

    // Bad JSON, and an operation the client refuses: one line each, nothing taken.
    await seek(page, 800_000);
    await page.fill('#request-op', '{"op":');
    await page.click('#request-send');
    expect(await page.textContent('#problem')).toMatch(/^request: the operation must be JSON/);
    await page.fill('#request-op', '{"op":"get"}');
    await page.click('#request-send');
    expect(await page.textContent('#problem')).toMatch(/key must be a non-empty string/);
    expect(await page.locator('#actions li').count()).toBe(1);

    // From the node menu: a request c1 draws itself.
    await page.fill('#request-op', '');
    await page.click('#nodes g.node[data-node="c1"]');
    await page.click('#node-menu button[data-action="request"]');
    expect(await page.locator('#actions li[data-kind="request"]').allTextContents()).toEqual(['700ms: c2 issues put k9=clicked', '800ms: c1 issues a request']);

    const { file } = await downloadAndReplay(page, session.workDir, 'request-replay.json');
    expect(file.faults.filter((f) => f.kind === 'request')).toEqual([
      { at: 700_000, kind: 'request', node: 'c2', op: { op: 'put', key: 'k9', value: 'clicked' } },
      { at: 800_000, kind: 'request', node: 'c1' },
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
