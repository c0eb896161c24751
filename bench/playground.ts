// `npm run bench:playground`: how fast the playground page is in a real browser (Debian's chromium through
// playwright-core, the browser tests' flags). It writes `faultline playground raft-leader-crash --seed 1
// --out DIR`, opens the page from disk and measures (a) frames per second while playing the 5-node Raft
// cluster at 1× for 5 s of wall time, and a 60 s run at 10× (frames the page counts, and the longest gap);
// (b) scrubbing with the slider (its own input handler: seek, then draw) to random moments of a 60 s run
// (`reloadWithDuration`): first visits and revisits, right after load and after 5 s idle, and how soon the
// frontier reaches the run's end; (c) an action at 30 s (a crash: re-simulates from time 0). Every measure
// runs twice in one browser, with the page's simulating ahead off (as it was before), then on. Wall-clock
// figures belong here, never in tests; the machine's load shows in them.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { plainTable } from '../reports/text.js';
import type { PlaygroundHandle } from '../playground/client.js';

const CHROMIUM = '/usr/bin/chromium';
/** The flags test/browser/browser-session.ts launches chromium with. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-quic', '--disable-sync',
];
const BIN = resolve(import.meta.dirname, '../bin/faultline.js');
const PLAY_WALL_MILLIS = 5_000;
const RUN_MICROS = 60_000_000;
const SCRUB_MOMENTS = 8;
const IDLE_WALL_MILLIS = 5_000;
const END_WAIT_WALL_MILLIS = 15_000;
const ACTION_AT_MICROS = 30_000_000;

/** Moments in [0, RUN_MICROS) from a fixed linear congruential sequence, so every run of the bench scrubs to the same ones. */
function moments(count: number, seed: number): number[] {
  let state = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    out.push(Math.floor((state / 2 ** 32) * RUN_MICROS));
  }
  return out;
}

type Window = { faultlinePlayground: PlaygroundHandle };

/** Frames drawn and the longest gap between two while playing at `speed` for `wallMillis`. */
async function playFor(page: Page, speed: string, wallMillis: number): Promise<{ fps: number; gapMaxMillis: number; simulatedMicros: number }> {
  await page.selectOption('#speed', speed);
  return page.evaluate(async (wall) => {
    const handle = (window as unknown as Window).faultlinePlayground;
    const gaps: number[] = [];
    let last: number | undefined;
    let watching = true;
    const watch = (t: number) => {
      if (last !== undefined) gaps.push(t - last);
      last = t;
      if (watching) requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
    const startFrames = handle.frames();
    const startNow = handle.nowMicros();
    const start = performance.now();
    (document.getElementById('play') as HTMLButtonElement).click();
    await new Promise((done) => setTimeout(done, wall));
    const frames = handle.frames() - startFrames;
    const elapsed = performance.now() - start;
    (document.getElementById('play') as HTMLButtonElement).click();
    watching = false;
    return { fps: (frames * 1_000) / elapsed, gapMaxMillis: Math.max(...gaps), simulatedMicros: handle.nowMicros() - startNow };
  }, wallMillis);
}

/** Scrubs with the slider to each moment in turn (the page's input handler, timed in the page), in milliseconds. */
async function scrub(page: Page, at: readonly number[]): Promise<{ millis: number[]; frontierMicros: number }> {
  return page.evaluate((targets) => {
    const slider = document.getElementById('time-slider') as HTMLInputElement;
    const frontierMicros = (window as unknown as Window).faultlinePlayground.session().frontierMicros;
    const millis = targets.map((t) => {
      const start = performance.now();
      slider.value = String(t);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      return performance.now() - start;
    });
    return { millis, frontierMicros };
  }, at as number[]);
}

async function reload60(page: Page): Promise<number> {
  return page.evaluate((micros) => {
    const start = performance.now();
    (window as unknown as Window).faultlinePlayground.reloadWithDuration(micros);
    return performance.now() - start;
  }, RUN_MICROS);
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const stats = (xs: readonly number[]) => `median ${ms([...xs].sort((a, b) => a - b)[xs.length >> 1]!)}, max ${ms(Math.max(...xs))}`;

/** Every measure, on the page as it is (reloaded, simulating ahead on or off): `put(measure, figure)` records each. */
async function measure(page: Page, put: (measure: string, figure: string) => void): Promise<void> {
  // (a) Playing the 5-node cluster at 1× (the scenario's own run), then a 60 s run at 10×.
  const played = (speed: string, result: Awaited<ReturnType<typeof playFor>>) => put(
    `play at ${speed}× for ${PLAY_WALL_MILLIS / 1_000} s`,
    `${result.fps.toFixed(1)} frames/s, longest frame gap ${ms(result.gapMaxMillis)}, ${(result.simulatedMicros / 1e6).toFixed(2)} s simulated`,
  );
  played('1', await playFor(page, '1', PLAY_WALL_MILLIS));
  put('load a 60 s run', ms(await reload60(page)));
  played('10', await playFor(page, '10', PLAY_WALL_MILLIS));

  // (b) Scrubbing a 60 s run: straight after load, then after sitting idle.
  const targets = moments(SCRUB_MOMENTS, 19);
  await reload60(page);
  const first = await scrub(page, targets);
  put(`scrub right after load, first visits (${SCRUB_MOMENTS} random moments)`, `${stats(first.millis)} (frontier ${(first.frontierMicros / 1e6).toFixed(2)} s)`);
  const again = await scrub(page, targets);
  put('scrub, revisits (same moments)', stats(again.millis));
  await reload60(page);
  const end = await scrub(page, [RUN_MICROS - 1]);
  put('scrub right after load to 60 s', `${ms(end.millis[0]!)} (frontier ${(end.frontierMicros / 1e6).toFixed(2)} s)`);
  await reload60(page);
  const ended = await page.evaluate(async (wall) => {
    const session = (window as unknown as Window).faultlinePlayground.session;
    const start = performance.now();
    while (session().result === undefined && performance.now() - start < wall) await new Promise((done) => setTimeout(done, 10));
    return session().result === undefined ? null : performance.now() - start;
  }, END_WAIT_WALL_MILLIS);
  put(`frontier reaches the run's end after load (idle)`, ended === null ? `not within ${END_WAIT_WALL_MILLIS / 1_000} s` : ms(ended));
  await reload60(page);
  await page.waitForTimeout(IDLE_WALL_MILLIS);
  const idle = await scrub(page, targets);
  put(`scrub after ${IDLE_WALL_MILLIS / 1_000} s idle, first visits`, `${stats(idle.millis)} (frontier ${(idle.frontierMicros / 1e6).toFixed(2)} s)`);

  // (c) An action at 30 s: a crash re-simulates the run from time 0.
  await scrub(page, [ACTION_AT_MICROS]);
  const acted = await page.evaluate(() => {
    const session = (window as unknown as Window).faultlinePlayground.session();
    const start = performance.now();
    session.act('crash', session.nodes[0]!.id);
    return performance.now() - start;
  });
  put('crash at 30 s (re-simulate from 0)', ms(acted));
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-playground-'));
  try {
    const written = spawnSync(process.execPath, [BIN, 'playground', 'raft-leader-crash', '--seed', '1', '--out', dir], { encoding: 'utf8' });
    if (written.status !== 0) throw new Error(`faultline playground --out failed: ${written.stderr}`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      // tsx (esbuild with keepNames) wraps named functions in the evaluated code in `__name(...)`; the page needs it defined.
      await page.addInitScript('window.__name = (f) => f;');
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      await page.waitForSelector('#nodes g.node');
      const rows = new Map<string, string[]>();
      const put = (measure: string, figure: string) => rows.set(measure, [...(rows.get(measure) ?? []), figure]);
      for (const ahead of [false, true]) {
        await page.reload();
        await page.waitForSelector('#nodes g.node');
        await page.evaluate((on) => (window as unknown as Window).faultlinePlayground.simulateAhead(on), ahead);
        await measure(page, put);
      }
      const table = plainTable(['measure', 'without simulating ahead (before)', 'simulating ahead every frame (after)']);
      for (const [measure, figures] of rows) table.push([measure, ...figures]);
      console.log(table.toString());
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
