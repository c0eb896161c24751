// The `faultline check --report` page in a real browser (Debian's chromium through playwright-core): a
// not-linearizable kv history and a Jepsen EDN one draw one bar per operation, the failing key first, the
// prefix numbered, the blocked operation marked; hovering explains states and why not; the axis zooms and
// pans; a linearizable history draws too; no console errors, no network. Screenshots go to test-output/browser/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSession, OUTPUT_DIR, pageProblems, skipBrowser, warnIfSkipped } from './browser-session.js';
import { axisForHistoryText, renderCheckReport } from '../../reports/check-html.js';
import type { CheckReportData } from '../../reports/check-html-model.js';
import { generateHistory } from '../../sim/check/generate-history.js';
import { parseHistoryText } from '../../sim/check/history-files.js';
import { checkLinearizability } from '../../sim/check/linearizability.js';
import { modelNamed, opsForModel } from '../../sim/check/models.js';
import { Rng } from '../../sim/rng.js';

warnIfSkipped('test/browser/check-report.test.ts');

// Key x: writes 1, 2, 3 in turn, then a read of 2 after 3 was written (stale); c2's read overlaps its own
// write (a reused process: a second lane); an open write of 9. Keys a and b are fine.
const KV_STALE = JSON.stringify({ model: 'kv', operations: [
  { client: 'c1', call: 0, return: 10, input: { op: 'put', key: 'x', value: 1 }, output: {} },
  { client: 'c2', call: 5, return: 30, input: { op: 'put', key: 'x', value: 2 }, output: {} },
  { client: 'c2', call: 8, return: 14, input: { op: 'get', key: 'x' }, output: { value: 1 } },
  { client: 'c3', call: 12, return: 18, input: { op: 'get', key: 'x' }, output: { value: 1 } },
  { client: 'c5', call: 20, return: null, input: { op: 'put', key: 'x', value: 9 }, output: null },
  { client: 'c1', call: 35, return: 45, input: { op: 'put', key: 'x', value: 3 }, output: {} },
  { client: 'c4', call: 50, return: 60, input: { op: 'get', key: 'x' }, output: { value: 2 } },
  { client: 'c1', call: 1, return: 3, input: { op: 'put', key: 'a', value: 5 }, output: {} },
  { client: 'c3', call: 4, return: 6, input: { op: 'get', key: 'a' }, output: { value: 5 } },
  { client: 'c4', call: 2, return: 9, input: { op: 'put', key: 'b', value: 1 }, output: {} },
  { client: 'c5', call: 0, return: 1, input: { op: 'get', key: 'b' }, output: { value: null } },
] });

// A Jepsen cas-register: a nemesis entry, a timed-out (:info) write, and a read of 1 after 2 was written.
const EDN_STALE = [
  '{:type :info, :f :start, :process :nemesis, :time 50000000}',
  '{:type :invoke, :f :write, :value 1, :process 0, :time 100000000}',
  '{:type :ok, :f :write, :value 1, :process 0, :time 180000000}',
  '{:type :invoke, :f :write, :value 4, :process 3, :time 190000000}',
  '{:type :invoke, :f :cas, :value [1 2], :process 1, :time 200000000}',
  '{:type :ok, :f :cas, :value [1 2], :process 1, :time 290000000}',
  '{:type :info, :f :write, :value 4, :process 3, :time 400000000}',
  '{:type :invoke, :f :read, :value nil, :process 2, :time 450000000}',
  '{:type :ok, :f :read, :value 1, :process 2, :time 520000000}',
].join('\n');

const KV_GOOD = JSON.stringify({ model: 'kv', operations: generateHistory({ model: 'kv', clients: 8, operations: 400, keys: 5, openRatio: 0.05 }, Rng.fromSeed(11)) });

describe.skipIf(skipBrowser)('the check report in headless Chromium', () => {
  const session = browserSession('faultline-check-report-');

  /** Writes the report of a history text as `faultline check --report` does, and opens it. */
  async function open(name: string, text: string, modelName?: 'cas-register'): Promise<{ page: Page; errors: string[]; data: CheckReportData; operations: number }> {
    const history = parseHistoryText(text, name, modelName);
    const model = modelNamed(history.model);
    const operations = opsForModel(model, history.operations, name);
    const result = checkLinearizability(operations, { model: history.model, initial: null });
    const html = renderCheckReport({ file: name, model, initial: null, operations, result, wallMillis: 1, axis: axisForHistoryText(text, name), ...(history.ignored ? { ignored: history.ignored } : {}) });
    const file = join(session.workDir, `${name}.html`);
    writeFileSync(file, html);
    const data = JSON.parse(/<script type="application\/json" id="check-data">(.*?)<\/script>/s.exec(html)![1]!) as CheckReportData;
    const page = await session.browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors = pageProblems(page);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('section.sub-history svg rect.bar');
    return { page, errors, data, operations: operations.length };
  }

  /** Moves the pointer onto the visible middle of a bar (the first that matches) and returns the tooltip's text. */
  async function hover(page: Page, selector: string): Promise<string> {
    const bar = page.locator(selector).first();
    await bar.scrollIntoViewIfNeeded();
    const point = await bar.evaluate((rect) => {
      const box = rect.getBoundingClientRect();
      const svg = (rect as SVGRectElement).ownerSVGElement!.getBoundingClientRect();
      const left = Math.max(box.left, svg.left + 120);
      const right = Math.min(box.right, svg.right - 20);
      return { x: (left + right) / 2, y: box.top + box.height / 2 };
    });
    await page.mouse.move(point.x, point.y);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    return (await page.locator('#tooltip').textContent()) ?? '';
  }

  const windowOf = (page: Page, section: string) => page.$eval(`${section} svg`, (svg) => [Number(svg.getAttribute('data-window-start')), Number(svg.getAttribute('data-window-end'))]);

  it('a stale read on key x: x first, bars = operations, prefix numbered, blocked marked, hover explains, zoom works', async () => {
    const { page, errors, data, operations } = await open('kv-stale.json', KV_STALE);
    expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe('not-linearizable');
    expect(await page.locator('#explanation').textContent()).toMatch(/not linearizable/);
    // One bar per operation; the failing key first, then the others in natural order.
    expect(await page.locator('rect.bar').count()).toBe(operations);
    expect(await page.locator('section.sub-history').evaluateAll((s) => s.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-status')]))).toEqual([['x', 'failing'], ['a', 'not-judged'], ['b', 'not-judged']]);
    const x = '#sub-history-0';
    expect(await page.locator(`${x} rect.bar`).count()).toBe(7);
    // c2's read overlaps its own write: a second lane for c2.
    expect(await page.locator(`${x} text.lane-label`).allTextContents()).toEqual(['c1', 'c2', 'c2 (2)', 'c3', 'c4', 'c5']);
    // The open write runs to the right edge, dashed.
    expect(await page.locator(`${x} rect.bar.open`).count()).toBe(1);
    // The prefix numbered 1..n, the line through its points, the blocked read marked and labelled.
    const n = data.subHistories[0]!.prefixLength;
    expect(n).toBeGreaterThanOrEqual(4);
    expect(await page.locator(`${x} text.order`).allTextContents()).toEqual(Array.from({ length: n }, (_, i) => String(i + 1)));
    expect(await page.locator(`${x} rect.bar.prefix`).count()).toBe(n);
    expect(await page.locator(`${x} path.order-line`).getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){3,}$/);
    expect(await page.locator(`${x} rect.bar.blocked`).count()).toBe(1);
    expect(await page.locator(`${x} rect.bar.blocked`).getAttribute('data-id')).toBe('6');
    expect(await page.locator(`${x} text.blocked-label`).textContent()).toBe('blocked');
    await page.screenshot({ path: join(OUTPUT_DIR, 'check-report-kv.png'), fullPage: true });

    // Hover: a prefix bar shows the state after it along the order; the blocked one the state it met and why not.
    for (const bar of data.subHistories[0]!.bars.filter((b) => b.order !== undefined)) {
      const text = await hover(page, `${x} rect.bar[data-order="${bar.order}"]`);
      expect(text).toContain(`${bar.order}. in the longest linearizable order`);
      expect(text).toContain(`after it: ${bar.stateAfter}`);
    }
    const put3 = data.subHistories[0]!.bars.find((b) => b.id === 5)!;
    expect(put3.stateAfter).toMatch(/^the value (3|9)$/);
    const blocked = await hover(page, `${x} rect.bar.blocked`);
    expect(blocked).toContain('#6 c4: get x → 2');
    expect(blocked).toMatch(/blocked: it had to take effect next, in the value (3|9)/);
    expect(blocked).toMatch(/why not: it saw 2 while the value was (3|9)/);
    // Any bar: the operation in words with its times.
    expect(await hover(page, '#sub-history-1 rect.bar[data-id="8"]')).toMatch(/#8 c3: get a → 5.*called 4µs, returned 6µs/s);

    // The chart opens on the story (from the order's first call to the blocked read's return), not on everything.
    const view = data.subHistories[0]!;
    const [from, to] = await windowOf(page, x);
    expect(from).toBeCloseTo(view.window[0], 6);
    expect(to).toBeCloseTo(view.window[1], 6);
    expect(from).toBeLessThanOrEqual(0);
    expect(to).toBeGreaterThanOrEqual(60);
    // Zoom: the wheel narrows the window around the pointer; the buttons zoom and pan; "everything" shows it all.

    const svg = page.locator(`${x} svg`);
    await svg.scrollIntoViewIfNeeded();
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => { const [a, b] = await windowOf(page, x); return b - a; }).toBeLessThan(to - from);
    const [zoomFrom, zoomTo] = await windowOf(page, x);
    expect(zoomFrom).toBeGreaterThanOrEqual(from);
    expect(zoomTo).toBeLessThanOrEqual(to);
    // Dragging pans: same width, earlier start.
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height - 4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height - 4, { steps: 5 });
    await page.mouse.up();
    const [panFrom, panTo] = await windowOf(page, x);
    expect(panFrom).toBeLessThan(zoomFrom);
    expect(Math.abs((panTo - panFrom) - (zoomTo - zoomFrom))).toBeLessThan(1e-6 * (to - from) + 1e-9);
    await page.locator(`${x} button[data-action="all"]`).click();
    expect(await windowOf(page, x)).toEqual([view.start, view.end]);
    await page.locator(`${x} button[data-action="zoom-in"]`).click();
    const [inFrom, inTo] = await windowOf(page, x);
    expect(inTo - inFrom).toBeCloseTo((view.end - view.start) / 2, 6);
    await page.locator(`${x} button[data-action="later"]`).click();
    expect((await windowOf(page, x))[0]).toBeGreaterThan(inFrom);
    await page.locator(`${x} button[data-action="blocked"]`).click();
    const [bFrom, bTo] = await windowOf(page, x);
    expect(bFrom).toBeLessThanOrEqual(50);
    expect(bTo).toBeGreaterThanOrEqual(60);
    // Zoomed in, the bars follow the axis: the blocked bar is now wider than before.
    expect((await page.locator(`${x} rect.bar.blocked`).boundingBox())!.width).toBeGreaterThan(40);
    await page.screenshot({ path: join(OUTPUT_DIR, 'check-report-kv-zoomed.png'), fullPage: false });

    expect(errors).toEqual([]);
    await page.close();
  });

  it('a Jepsen EDN history: drawn on :time, the nemesis entry counted, the open write dashed, the stale read blocked', async () => {
    const { page, errors, data, operations } = await open('etcd.edn', EDN_STALE, 'cas-register');
    expect(data.unit).toBe('nanos');
    expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe('not-linearizable');
    expect(await page.locator('[data-fact="ignored"]').textContent()).toMatch(/ignored 1 event of non-client process/);
    expect(await page.locator('rect.bar').count()).toBe(operations);
    expect(await page.locator('rect.bar.open').count()).toBe(1);
    expect(await page.locator('text.lane-label').allTextContents()).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(await page.locator('rect.bar.blocked').count()).toBe(1);
    expect(await page.locator('text.order').count()).toBe(data.subHistories[0]!.prefixLength);
    // Ticks in people's units of the nanoseconds.
    expect((await page.locator('.axis .tick text').allTextContents()).some((t) => /\d+ms$/.test(t))).toBe(true);
    const text = await hover(page, 'rect.bar.blocked');
    expect(text).toMatch(/#3 p2: read → 1.*called 450ms, returned 520ms/s);
    expect(text).toMatch(/why not: it saw 1 while the value was (2|4)/);
    await page.screenshot({ path: join(OUTPUT_DIR, 'check-report-edn.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a linearizable history: every key drawn, nothing numbered or blocked', async () => {
    const { page, errors, operations } = await open('kv-good.json', KV_GOOD);
    expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe('linearizable');
    expect(await page.locator('section.sub-history').count()).toBe(5);
    expect(await page.locator('section.sub-history[data-status="linearizable"]').count()).toBe(5);
    expect(await page.locator('rect.bar').count()).toBe(operations);
    expect(await page.locator('text.order').count()).toBe(0);
    expect(await page.locator('rect.bar.blocked').count()).toBe(0);
    expect(await hover(page, '#sub-history-0 rect.bar:not(.open)')).toMatch(/called .*, returned /);
    await page.screenshot({ path: join(OUTPUT_DIR, 'check-report-good.png'), fullPage: false });
    expect(errors).toEqual([]);
    await page.close();
  });
});
