// The playground's timeline in a real browser (Debian's chromium through playwright-core), mounted alone in
// a minimal page bundled here with esbuild: a real session's trace (raft-leader-crash, seed 1) drawn as rows,
// bars and a cursor; clicking, dragging and keys seek to the right moment; no console error. It also prints
// what model sync and draw cost per step while a 60 s run is simulated (figures, not assertions).
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSession, OUTPUT_DIR, pageProblems, skipBrowser, warnIfSkipped } from './browser-session.js';

warnIfSkipped('test/browser/playground-timeline.test.ts');

const ROOT = resolve(import.meta.dirname, '../..');

/** The page script: a session, its timeline model and the Timeline, driven from the test through `window.tl`. */
const ENTRY = `
import { PlaygroundSession } from './playground/session.js';
import { TimelineModel } from './playground/timeline-model.js';
import { Timeline, TIMELINE_CSS } from './playground/timeline.js';
import { findScenario } from './scenarios/index.js';

const style = document.createElement('style');
style.textContent = TIMELINE_CSS;
document.head.append(style);
const host = document.createElement('section');
host.id = 'timeline';
host.style.width = '1000px';
document.body.append(host);
const seeks = [];
const keysSeenByPage = [];
document.addEventListener('keydown', (e) => keysSeenByPage.push(e.key));
const state = { session: null, model: null };
const timeline = new Timeline(host, (micros) => {
  seeks.push(micros);
  state.session.seek(micros);
  redraw();
});
function modelFor(session) {
  return new TimelineModel(session.nodes.map((n) => n.id), {
    baseLatency: session.prepared.setup.network.latency,
    clients: session.nodes.filter((n) => n.role === 'client').map((n) => n.id),
  });
}
function redraw() {
  const s = state.session;
  s.advanceTo(s.nowMicros + 100000);
  state.model.sync(s.trace, s.frontierMicros);
  timeline.draw(state.model, s.nowMicros, s.frontierMicros, s.lastMicros);
}
function take(entry) {
  state.session.take(entry);
  redraw();
}
function load(durationMicros, name = 'raft-leader-crash') {
  state.session = new PlaygroundSession({ scenario: findScenario(name), seed: 1, ...(durationMicros ? { durationMicros } : {}) });
  state.model = modelFor(state.session);
}
/** Plays a run like the page does, step by step, timing sync and draw of each step. */
function bench(durationMicros, stepMicros) {
  load(durationMicros);
  const times = [];
  const syncs = [];
  let steps = 0;
  while (state.session.result === undefined && steps < 100000) {
    state.session.seek(state.session.nowMicros + stepMicros);
    state.session.advanceTo(state.session.nowMicros + 100000);
    const t0 = performance.now();
    state.model.sync(state.session.trace, state.session.frontierMicros);
    const t1 = performance.now();
    timeline.draw(state.model, state.session.nowMicros, state.session.frontierMicros, state.session.lastMicros);
    times.push(performance.now() - t0);
    syncs.push(t1 - t0);
    steps++;
  }
  times.sort((a, b) => a - b);
  syncs.sort((a, b) => a - b);
  const fresh = modelFor(state.session);
  const t1 = performance.now();
  fresh.sync(state.session.trace, state.session.frontierMicros);
  const oneSync = performance.now() - t1;
  return {
    steps, events: state.session.trace.length, invokes: state.session.trace.filter((e) => e.type === 'invoke').length, syncMedian: syncs[syncs.length >> 1], syncP99: syncs[Math.floor(syncs.length * 0.99)], median: times[times.length >> 1], p99: times[Math.floor(times.length * 0.99)], max: times[times.length - 1],
    oneSync, elements: document.querySelectorAll('#timeline svg *').length, opBars: Number(timeline.element.getAttribute('data-op-bars')),
  };
}
/** Plays \`frames\` animation frames at 1× over the simulated run, drawing the timeline each frame or not. */
function frames(count, drawIt) {
  return new Promise((done) => {
    let i = 0;
    const step = () => {
      if (drawIt) timeline.draw(state.model, Math.min(state.session.lastMicros, 1000000 + i * 16667), state.session.frontierMicros, state.session.lastMicros);
      if (++i < count) requestAnimationFrame(step);
      else done(i);
    };
    requestAnimationFrame(step);
  });
}
window.tl = { state, timeline, seeks, keysSeenByPage, redraw, load, take, bench, frames };
`;

function writePage(dir: string): string {
  const built = buildSync({
    stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'ts', sourcefile: 'timeline-test-entry.ts' },
    bundle: true, format: 'iife', target: 'es2020', write: false, platform: 'browser', logLevel: 'silent',
  });
  const script = built.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script');
  const path = join(dir, 'timeline.html');
  writeFileSync(path, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>timeline</title></head><body><script>${script}</script></body></html>`);
  return path;
}

type Tl = { state: { session: { nowMicros: number; frontierMicros: number; lastMicros: number; seek(t: number): void } }; seeks: number[]; keysSeenByPage: string[]; redraw(): void; load(d?: number, name?: string): void; take(entry: unknown): void; bench(d: number, s: number): Record<string, number> };
const tl = <T>(page: Page, f: (tl: Tl) => T) => page.evaluate(`(${f.toString()})(window.tl)`) as Promise<T>;

/** The x (svg pixels) of a moment, from the svg's own geometry: LEFT 64, RIGHT 12. */
function xOf(width: number, last: number, t: number): number {
  return 64 + (t / last) * (width - 64 - 12);
}

describe.skipIf(skipBrowser)('the playground timeline in headless Chromium', () => {
  const session = browserSession('faultline-timeline-');

  it('raft-leader-crash seed 1: rows, bars and cursor from a real trace; click, drag and keys seek; no console error', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(writePage(session.workDir)).href);
    await tl(page, (t) => {
      t.load();
      t.state.session.seek(3_000_000);
      t.redraw();
    });
    const svg = page.locator('#timeline svg.timeline');
    const width = Number(await svg.getAttribute('width'));
    expect(width).toBe(1000);
    const { now, frontier, last } = await tl(page, (t) => ({ now: t.state.session.nowMicros, frontier: t.state.session.frontierMicros, last: t.state.session.lastMicros }));
    expect(now).toBe(3_000_000);

    // A status row per node, role lanes for the five servers, with a leader among them.
    const labels = await page.locator('#timeline text.tl-label').allTextContents();
    expect(labels.slice(0, 10)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(labels.slice(10)).toEqual(['c1 ops', 'c2 ops', 'c3 ops', 'c4 ops', 'c5 ops']);
    for (const id of ['n1', 'n2', 'n3', 'n4', 'n5', 'c1']) expect(await page.locator(`rect.tl-status[data-node="${id}"]`).count(), id).toBeGreaterThan(0);
    const leaderBars = page.locator('rect.tl-role[data-role="leader"]');
    expect(await leaderBars.count()).toBeGreaterThan(0);
    expect(await page.locator('rect.tl-role[data-node^="c"]').count()).toBe(0);
    // The scenario crashes the leader at 1 s: n4 in this run (the model test reads it from the trace); its row shows it.
    const crash = page.locator('rect.tl-status[data-node="n4"][data-status="crashed"][data-from="1000000"]');
    expect(await crash.count()).toBe(1);
    expect(Number(await crash.getAttribute('x'))).toBeCloseTo(xOf(width, last, 1_000_000), 0);
    expect(await crash.locator('title').textContent()).toMatch(/^n4 crashed from 1s to /);
    // Role bars wide enough say their role and term in words ("leader · t2", or "L t2" when narrower).
    const texts = await page.locator('#timeline text.tl-text').allTextContents();
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).toMatch(/^((leader|follower|candidate) · t\d+|[LFC] t\d+|crashed|paused|absent|down)$/);
    expect(await page.locator('rect.tl-role[data-node="n4"][data-role="leader"]').count()).toBeGreaterThan(0);

    // Operations: bars, each with its input, output and times on hover; the count is said in words.
    const opBars = Number(await svg.getAttribute('data-op-bars'));
    expect(opBars).toBeGreaterThan(0);
    expect(opBars).toBeLessThanOrEqual(600);
    expect(await page.locator('rect.tl-op').count()).toBe(opBars);
    const single = page.locator('rect.tl-op[data-op]').first();
    expect(await single.locator('title').textContent()).toMatch(/^c\d #\d+ \{"op":.*\n(ok|fail): .*\ncalled /);
    expect(await page.textContent('.tl-note')).toMatch(/^[\d,]+ client operations in [\d,]+ bars/);

    // The cursor at the moment shown, and the part not simulated yet greyed from the frontier on.
    expect(Number(await page.getAttribute('#timeline .tl-cursor', 'data-x'))).toBeCloseTo(xOf(width, last, now), 0);
    // Drawn where it says: its left edge a pixel before that x, past the svg's 1px border.
    const cursorBox = (await page.locator('#timeline .tl-cursor').boundingBox())!;
    const svgBox = (await svg.boundingBox())!;
    expect(cursorBox.x + 1 - (svgBox.x + 1)).toBeCloseTo(xOf(width, last, now), 0);
    expect(Number(await page.getAttribute('rect.tl-unsimulated', 'x'))).toBeCloseTo(xOf(width, last, frontier), 0);
    expect(await svg.getAttribute('aria-valuenow')).toBe(String(now));
    // While only the frontier advances, the bars follow it every 4th draw (FRONTIER_REDRAW_CALLS), the cursor every draw.
    const edges = await page.evaluate(`(() => {
      const { state, timeline } = window.tl;
      const s = state.session;
      const out = [];
      for (let i = 1; i <= 4; i++) {
        s.advanceTo(s.frontierMicros + 200000);
        state.model.sync(s.trace, s.frontierMicros);
        timeline.draw(state.model, s.nowMicros + i, s.frontierMicros, s.lastMicros);
        out.push([Number(document.querySelector('rect.tl-unsimulated').getAttribute('x')), s.frontierMicros, Number(timeline.element.getAttribute('aria-valuenow'))]);
      }
      return out;
    })()`) as [number, number, number][];
    expect(edges.slice(0, 3).map((e) => e[0])).toEqual([0, 0, 0].map(() => Number(xOf(width, last, frontier).toFixed(1))));
    expect(edges[3]![0]).toBeCloseTo(xOf(width, last, edges[3]![1]), 0);
    expect(edges.map((e) => e[2])).toEqual([now + 1, now + 2, now + 3, now + 4]);
    await tl(page, (t) => t.redraw());
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-timeline.png') });

    // A click seeks to the moment under it (within a pixel's worth of time).
    // The svg's box starts at its 1px border; its drawing a pixel in.
    const box = (await svg.boundingBox())!;
    box.x += 1;
    const microsPerPixel = last / (width - 64 - 12);
    await page.mouse.click(box.x + xOf(width, last, 2_000_000), box.y + 30);
    let seeks = await tl(page, (t) => t.seeks);
    expect(seeks).toHaveLength(1);
    expect(Math.abs(seeks[0]! - 2_000_000)).toBeLessThanOrEqual(microsPerPixel / 2);
    expect(await tl(page, (t) => t.state.session.nowMicros)).toBe(seeks[0]);
    expect(Number(await page.getAttribute('#timeline .tl-cursor', 'data-x'))).toBeCloseTo(xOf(width, last, seeks[0]!), 0);
    // A drag seeks as it goes; a click left of the rows is time 0.
    await page.mouse.move(box.x + xOf(width, last, 4_000_000), box.y + 30);
    await page.mouse.down();
    await page.mouse.move(box.x + xOf(width, last, 5_000_000), box.y + 30, { steps: 4 });
    await page.mouse.up();
    seeks = await tl(page, (t) => t.seeks);
    expect(seeks.length).toBeGreaterThanOrEqual(5);
    expect(Math.abs(seeks[seeks.length - 1]! - 5_000_000)).toBeLessThanOrEqual(microsPerPixel / 2);
    await page.mouse.click(box.x + 10, box.y + 30);
    expect((await tl(page, (t) => t.seeks)).at(-1)).toBe(0);

    // Keys on the focused timeline: → moves by 1% of the run, End to its end, Home to 0; the page's own key handler sees none of them.
    await svg.focus();
    await page.keyboard.press('ArrowRight');
    expect((await tl(page, (t) => t.seeks)).at(-1)).toBe(Math.round(last / 100));
    await page.keyboard.press('End');
    const lastNow = await tl(page, (t) => t.state.session.lastMicros);
    expect((await tl(page, (t) => t.seeks)).at(-1)).toBeGreaterThanOrEqual(last - 1);
    expect(await tl(page, (t) => t.state.session.nowMicros)).toBeLessThanOrEqual(lastNow);
    await page.keyboard.press('Home');
    expect((await tl(page, (t) => t.seeks)).at(-1)).toBe(0);
    expect(await tl(page, (t) => t.keysSeenByPage)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('actions re-simulate: a pause and a cut drawn from their moment, an open cut band to the frontier; another scenario lays out anew', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(writePage(session.workDir)).href);
    await tl(page, (t) => {
      t.load();
      t.state.session.seek(1_500_000);
      t.take({ kind: 'pause', node: 'n1' });
      t.state.session.seek(2_000_000);
      t.take({ kind: 'partition', groups: [['n2'], ['n3', 'n4', 'n5']] });
    });
    const width = Number(await page.getAttribute('#timeline svg.timeline', 'width'));
    const { frontier, last } = await tl(page, (t) => ({ frontier: t.state.session.frontierMicros, last: t.state.session.lastMicros }));
    expect(await page.locator('rect.tl-status[data-node="n1"][data-status="paused"][data-from="1500000"]').count()).toBe(1);
    const band = page.locator('rect.tl-fault[data-kind="partition"][data-from="2000000"]');
    expect(await band.count()).toBe(1);
    expect(await band.locator('title').textContent()).toBe('n2 cut off from n3, n4, n5: from 2s until now');
    const [bx, bw] = [Number(await band.getAttribute('x')), Number(await band.getAttribute('width'))];
    expect(bx).toBeCloseTo(xOf(width, last, 2_000_000), 0);
    expect(bx + bw).toBeCloseTo(xOf(width, last, frontier), 0);
    await page.addStyleTag({ content: 'html { filter: grayscale(1); }' });
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-timeline-grey.png') });

    // Another scenario: rows for its nodes, its own drawn faults (loss, duplication, delay) in the band rows.
    await tl(page, (t) => {
      t.load(undefined, 'raft-lossy');
      t.state.session.seek(4_000_000);
      t.redraw();
    });
    expect(await page.locator('rect.tl-status[data-node="n1"][data-status="paused"]').count()).toBe(0);
    const kinds = await page.locator('rect.tl-fault').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-kind')));
    expect(kinds).toContain('loss');
    expect(await page.locator('rect.tl-fault[data-kind="loss"] title').first().textContent()).toMatch(/^lose 12% of messages on every link: from /);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('prints model sync and draw per step of a 60 s run played in 50 ms steps (figures for the report, not assertions)', { timeout: 120_000 }, async () => {
    const page = await session.browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(writePage(session.workDir)).href);
    const figures = await tl(page, (t) => t.bench(60_000_000, 50_000));
    console.log(`timeline, raft-leader-crash seed 1, 60 s, ${figures.events} trace events, ${figures.steps} steps of 50 ms: sync + draw per step median ${figures.median!.toFixed(2)} ms (sync alone ${figures.syncMedian!.toFixed(2)} ms, p99 ${figures.syncP99!.toFixed(2)} ms), p99 ${figures.p99!.toFixed(2)} ms, max ${figures.max!.toFixed(2)} ms; one sync of the whole trace ${figures.oneSync!.toFixed(1)} ms; ${figures.elements} svg elements, ${figures.opBars} operation bars`);
    expect(figures.opBars).toBeGreaterThan(0);
    expect(figures.opBars).toBeLessThanOrEqual(600);
    // Under the cap by merging, not by dropping: every client's row has bars, and every operation is counted.
    for (const client of ['c1', 'c2', 'c3', 'c4', 'c5']) expect(await page.locator(`rect.tl-op[data-client="${client}"]`).count(), client).toBeGreaterThan(10);
    const counted = await page.locator('rect.tl-op').evaluateAll((rects) => rects.reduce((sum, r) => sum + Number(r.getAttribute('data-ops') ?? 1), 0));
    expect(figures.invokes).toBeGreaterThan(1_000);
    expect(counted).toBe(figures.invokes);
    expect(await page.textContent('.tl-note')).toMatch(new RegExp(`^${figures.invokes!.toLocaleString('en-US')} client operations in \\d+ bars; operations narrower than \\d+ px and less than that apart are merged`));
    expect(await page.textContent('.tl-note')).not.toMatch(/not drawn/);
    await page.screenshot({ path: join(OUTPUT_DIR, 'playground-timeline-60s.png') });
    // Main-thread time per animation frame (Chromium's own counters: script, style, layout, paint), with the
    // cursor moving over the whole simulated run and without the timeline drawn at all.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
    const perFrame: Record<string, number> = {};
    for (const drawIt of [false, true, false, true]) {
      const before = await taskSeconds();
      await page.evaluate(`window.tl.frames(300, ${drawIt})`);
      perFrame[String(drawIt)] = Math.min(perFrame[String(drawIt)] ?? Infinity, ((await taskSeconds()) - before) * 1_000 / 300);
    }
    console.log(`timeline, playing at 1x over the simulated 60 s run: main-thread time per frame ${perFrame.true!.toFixed(2)} ms drawing the timeline, ${perFrame.false!.toFixed(2)} ms not drawing it (best of two 300-frame runs)`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
