// The playground's "Open replay file or report" control (playground/open-control.ts) alone in a real browser
// (Debian's chromium through playwright-core), mounted on a blank page with the session code: a replay file
// picked with the file input and a run report dropped on the page open to sessions whose fingerprint, run in
// the browser, is the file's; bad files and drops are one line; the status follows the session shown.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readVersion, replayFileOf, serializeReplayFile } from '../../lab/replay-file.js';
import { collectTrace, renderHtmlReport } from '../../reports/html.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { ms } from '../../sim/time.js';
import { browserSession, pageProblems, skipBrowser, warnIfSkipped } from './browser-session.js';

warnIfSkipped('test/browser/playground-open.test.ts');

const ROOT = resolve(import.meta.dirname, '../..');

/** The control and the session, bundled for the browser as the page bundles them (a node import would fail here). */
function harnessScript(): string {
  const built = buildSync({
    stdin: {
      contents: "import { buildOpenControl } from './playground/open-control.ts';\nimport { PlaygroundSession } from './playground/session.ts';\n(window as any).harness = { buildOpenControl, PlaygroundSession };\n",
      resolveDir: ROOT, loader: 'ts', sourcefile: 'open-harness.ts',
    },
    bundle: true, format: 'iife', platform: 'browser', target: 'es2020', write: false, logLevel: 'silent',
  });
  return built.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script');
}

/** The page's state, as the harness keeps it. */
interface Harness {
  opened: { scenario: string; seed: number; bug: string | null; name: string }[];
  problems: string[];
  fingerprint: () => string;
  act: () => void;
  loadFresh: () => void;
  update: () => void;
}

/** Mounts the control on a blank page: onOpen starts a session from the config (as the playground would load it). */
async function mount(page: Page, version: string): Promise<void> {
  await page.evaluate((pageVersion) => {
    type Session = { config: unknown; actions: unknown[]; result: unknown; runToEnd(): { fingerprint: string }; seek(t: number): void; act(kind: string, node: string): void };
    const w = window as unknown as { harness: { buildOpenControl: (o: unknown) => { element: HTMLElement; status: HTMLElement; update(s: Session): void }; PlaygroundSession: new (c: unknown) => Session }; state: Harness };
    const { buildOpenControl, PlaygroundSession } = w.harness;
    let session: Session | null = null;
    const state: Harness = {
      opened: [], problems: [],
      fingerprint: () => session!.runToEnd().fingerprint,
      act: () => { session!.seek(100_000); session!.act('crash', 'n1'); },
      loadFresh: () => { session = new PlaygroundSession({ scenario: (session!.config as { scenario: unknown }).scenario, seed: 5 }); },
      update: () => control.update(session!),
    };
    const control = buildOpenControl({
      version: pageVersion,
      dropTarget: document.body,
      onOpen: (config: { scenario: { name: string }; seed: number; bug?: string }, opened: { name: string }) => {
        session = new PlaygroundSession(config);
        state.opened.push({ scenario: config.scenario.name, seed: config.seed, bug: config.bug ?? null, name: opened.name });
      },
      onProblem: (problem: string) => { state.problems.push(problem); },
    });
    const header = document.createElement('header');
    header.append(control.element);
    document.body.append(header, control.status);
    w.state = state;
  }, version);
}

/** Drops files on the page's body, as a drag from the desktop does. */
async function drop(page: Page, files: { name: string; text: string; type: string }[]): Promise<void> {
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([f.text], f.name, { type: f.type }));
    const over = new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true });
    document.body.dispatchEvent(over);
    if (!over.defaultPrevented) throw new Error('the page did not accept the dragged files');
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
}

const stateOf = (page: Page) => page.evaluate(() => {
  const s = (window as unknown as { state: Harness }).state;
  return { opened: s.opened, problems: s.problems };
});

describe.skipIf(skipBrowser)('opening a replay file or a run report in the playground, in headless Chromium', () => {
  const browser = browserSession('faultline-playground-open-');

  it('opens a picked replay file and a dropped run report to the runs they hold, fingerprints and all', async () => {
    const version = readVersion();
    // Two runs: a replay file (Raft with the Figure 8 bug and its staged partitions) and a report (lossy broadcast).
    // Their seeds are fixtures, files to open, not catch claims: any seed would do, and the test checks that the
    // page opens each to the run it holds (the bug's catch rate over seeds is the planted-bug table's business).
    const fig8 = prepareRun({ scenario: findScenario('raft-figure-8')!, seed: 1, bug: 'raft/commit-old-term' });
    const fig8Result = executeRun(fig8);
    const replayText = serializeReplayFile(replayFileOf(fig8, fig8Result));
    const lossy = prepareRun({ scenario: findScenario('broadcast-lossy')!, seed: 4, durationMicros: ms(1_000) });
    const { sink, events } = collectTrace();
    const lossyResult = executeRun(lossy, sink);
    const reportHtml = renderHtmlReport({ prepared: lossy, result: lossyResult, trace: events });

    const pagePath = join(browser.workDir, 'open.html');
    writeFileSync(pagePath, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>open control</title></head><body><script>${harnessScript()}</script></body></html>`);
    const page = await browser.browser.newPage();
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(pagePath).href);
    await mount(page, version);

    // The control is a labelled file input, reached by keyboard.
    const input = page.getByLabel('Open replay file or report');
    expect(await input.getAttribute('type')).toBe('file');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('open-file');
    expect(await page.locator('#open-status').isHidden()).toBe(true);

    // A replay file, picked.
    await input.setInputFiles({ name: 'fig8.json', mimeType: 'application/json', buffer: Buffer.from(replayText) });
    await expect.poll(async () => (await stateOf(page)).opened.length).toBe(1);
    expect((await stateOf(page)).opened[0]).toEqual({ scenario: 'raft-figure-8', seed: 1, bug: 'raft/commit-old-term', name: 'fig8.json' });
    const opened = `opened fig8.json (a replay file written by faultline ${version}): expected fingerprint ${fig8Result.fingerprint} (${fig8Result.outcome})`;
    expect(await page.textContent('#open-status')).toBe(opened);
    expect(await page.locator('#open-status').isVisible()).toBe(true);
    // Simulated to the end in the browser: the file's fingerprint, and the status says so.
    expect(await page.evaluate(() => (window as unknown as { state: Harness }).state.fingerprint())).toBe(fig8Result.fingerprint);
    await page.evaluate(() => (window as unknown as { state: Harness }).state.update());
    expect(await page.textContent('#open-status')).toBe(`${opened}. fingerprint ${fig8Result.fingerprint} (${fig8Result.outcome}) matches fig8.json: the page ran it exactly as faultline replay does`);
    // An action of the user's makes it a new run; loading another session forgets the file.
    await page.evaluate(() => { const s = (window as unknown as { state: Harness }).state; s.act(); s.update(); });
    expect(await page.textContent('#open-status')).toBe(`${opened}; this run differs from the file (1 action of yours), so its fingerprint is a new run's`);
    await page.evaluate(() => { const s = (window as unknown as { state: Harness }).state; s.loadFresh(); s.update(); });
    expect(await page.locator('#open-status').isHidden()).toBe(true);

    // A run report, dropped on the page.
    await drop(page, [{ name: 'lossy.html', text: reportHtml, type: 'text/html' }]);
    await expect.poll(async () => (await stateOf(page)).opened.length).toBe(2);
    expect((await stateOf(page)).opened[1]).toEqual({ scenario: 'broadcast-lossy', seed: 4, bug: null, name: 'lossy.html' });
    expect(await page.textContent('#open-status')).toMatch(/^opened lossy\.html \(a run report written by faultline /);
    expect(await page.evaluate(() => (window as unknown as { state: Harness }).state.fingerprint())).toBe(lossyResult.fingerprint);

    // Bad files: one line each, and the session shown stays.
    await input.setInputFiles({ name: 'list.json', mimeType: 'application/json', buffer: Buffer.from('[]') });
    await expect.poll(async () => (await stateOf(page)).problems.length).toBe(1);
    await drop(page, [{ name: 'a.json', text: '{}', type: 'application/json' }, { name: 'b.json', text: '{}', type: 'application/json' }]);
    await drop(page, [{ name: 'x.html', text: '<!DOCTYPE html><p>an experiment report</p>', type: 'text/html' }]);
    await expect.poll(async () => (await stateOf(page)).problems.length).toBe(3);
    const { problems, opened: all } = await stateOf(page);
    expect(problems[0]).toMatch(/^list\.json: a JSON list \(a fault schedule\?\), not a replay file/);
    expect(problems[1]).toBe('drop one file (a replay file or an HTML run report); got 2');
    expect(problems[2]).toMatch(/^x\.html: an HTML page without a run's replay file/);
    for (const p of problems) expect(p).not.toContain('\n');
    expect(all).toHaveLength(2);
    expect(await page.textContent('#open-status')).toMatch(/^opened lossy\.html/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
