// The HTML report in a real browser (Debian's chromium through playwright-core): the report of a failing
// planted-bug run draws its timeline, message arrows, operations and violation marker, zooms and pans,
// shows a message on hover, and logs no error. Screenshots go to test-output/browser/ for a human to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectTrace, renderHtmlReport } from '../../reports/html.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-quic', '--disable-sync',
];
const OUTPUT_DIR = resolve(import.meta.dirname, '../../test-output/browser');
const inCi = process.env.CI === 'true';
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && !inCi) {
  console.warn(`test/browser/report.test.ts: skipped: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);
}

const RUNS = [
  { name: 'broadcast-lossy', bug: 'broadcast/no-dedup', check: 'no-duplicate-delivery', clients: false },
  { name: 'raft-lossy', bug: 'raft/no-dedup', check: 'linearizable-history', clients: true },
] as const;

describe.skipIf(!haveChromium && !inCi)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let workDir: string;

  beforeAll(async () => {
    // In CI a missing browser is a failure, not a skip: .ci/run installs it.
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: .ci/run should have installed Debian's chromium`).toBe(true);
    workDir = mkdtempSync(join(tmpdir(), 'faultline-report-'));
    mkdirSync(OUTPUT_DIR, { recursive: true });
    // launch() gives the browser a fresh temporary profile of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  async function open(run: (typeof RUNS)[number]): Promise<{ page: Page; errors: string[] }> {
    const prepared = prepareRun({ scenario: findScenario(run.name)!, seed: 1, bug: run.bug });
    const { sink, events } = collectTrace();
    const result = executeRun(prepared, sink);
    expect(result.outcome).toBe('safety-violation');
    const file = join(workDir, `${run.name}.html`);
    writeFileSync(file, renderHtmlReport({ prepared, result, trace: events, replay: `faultline run ${run.name} --seed 1 --bug ${run.bug}` }));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#message-diagram svg path.msg');
    return { page, errors };
  }

  const windowOf = (page: Page) => page.$eval('#message-diagram svg', (svg) => [Number(svg.getAttribute('data-window-start')), Number(svg.getAttribute('data-window-end'))]);

  for (const run of RUNS) {
    it(`${run.name} --bug ${run.bug}: draws, zooms, pans, explains, with no errors`, async () => {
      const { page, errors } = await open(run);

      // Timeline: one row per node, fault bands, a violation marker.
      expect(await page.locator('#timeline svg rect.node-up').count()).toBe(run.clients ? 10 : 5);
      expect(await page.locator('#timeline .fault-band').count()).toBeGreaterThan(0);
      expect(await page.locator(`#timeline .violation-marker[data-check="${run.check}"]`).count()).toBe(1);
      if (run.clients) expect(await page.locator('#timeline rect.role[data-role="leader"]').count()).toBeGreaterThan(0);

      // Message diagram: arrows in the default window, which holds the first violation.
      const drawn = await page.locator('#message-diagram path.msg').count();
      expect(drawn).toBeGreaterThan(20);
      expect(await page.locator(`#message-diagram .violation-marker[data-check="${run.check}"]`).count()).toBe(1);
      const [from, to] = await windowOf(page);
      expect(to).toBeGreaterThan(from);

      // Operations, and for Raft the linearizability verdict with the named operations outlined.
      expect(await page.locator('#operations rect.op').count()).toBeGreaterThan(0);
      if (run.clients) {
        expect(await page.locator('#linearizability').getAttribute('data-ok')).toBe('false');
        expect(await page.locator('#operations rect.op.violating').count()).toBeGreaterThan(0);
      }
      await page.screenshot({ path: join(OUTPUT_DIR, `${run.name}.png`), fullPage: true });

      // Wheel over the diagram zooms in around the pointer.
      await page.locator('#message-diagram svg').scrollIntoViewIfNeeded();
      const box = (await page.locator('#message-diagram svg').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      await page.mouse.wheel(0, -400);
      await expect.poll(async () => { const [a, b] = await windowOf(page); return b - a; }).toBeLessThan(to - from);
      const [zoomFrom, zoomTo] = await windowOf(page);
      expect(zoomFrom).toBeGreaterThanOrEqual(from);
      expect(zoomTo).toBeLessThanOrEqual(to);

      // Dragging the diagram pans: same width, later start.
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      const [panFrom, panTo] = await windowOf(page);
      expect(panFrom).toBeGreaterThan(zoomFrom);
      expect(Math.abs((panTo - panFrom) - (zoomTo - zoomFrom))).toBeLessThan(2);

      // Brushing the overview chooses the window.
      await page.locator('#timeline svg').scrollIntoViewIfNeeded();
      const overview = (await page.locator('#timeline svg').boundingBox())!;
      const y = overview.y + overview.height - 20;
      await page.mouse.move(overview.x + overview.width * 0.30, y);
      await page.mouse.down();
      await page.mouse.move(overview.x + overview.width * 0.45, y, { steps: 5 });
      await page.mouse.up();
      const [brushFrom, brushTo] = await windowOf(page);
      const end = Number(await page.locator('#timeline svg').getAttribute('data-end'));
      expect(brushFrom).toBeGreaterThan(end * 0.2);
      expect(brushTo).toBeLessThan(end * 0.5);
      expect(brushTo - brushFrom).toBeGreaterThan(end * 0.1);

      // The whole run is drawn thinned, never more than the cap of arrows.
      await page.getByRole('button', { name: 'whole run' }).click();
      expect(await windowOf(page)).toEqual([0, end]);
      const counts = await page.$eval('#message-diagram svg', (svg) => [Number(svg.getAttribute('data-arrows-in-window')), Number(svg.getAttribute('data-arrows-drawn'))]);
      expect(counts[1]).toBeLessThanOrEqual(1_500);
      expect(counts[1]).toBeLessThanOrEqual(counts[0]!);

      // Back to the violation; hovering an arrow shows its content, clicking keeps it.
      await page.getByRole('button', { name: 'first violation' }).click();
      await page.locator('#message-diagram svg').scrollIntoViewIfNeeded();
      // The middle of an arrow that lies wholly inside the diagram.
      const point = await page.$$eval('#message-diagram path.msg', (paths) => {
        const svg = (paths[0] as SVGPathElement).ownerSVGElement!.getBoundingClientRect();
        for (const path of paths as SVGPathElement[]) {
          const m = path.getScreenCTM()!;
          const at = (f: number) => {
            const p = path.getPointAtLength(path.getTotalLength() * f);
            return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
          };
          const inside = (p: { x: number; y: number }) => p.x > svg.left + 100 && p.x < svg.right - 20 && p.y > svg.top && p.y < svg.bottom;
          if (inside(at(0)) && inside(at(0.5))) return at(0.5);
        }
        return null;
      });
      expect(point).not.toBeNull();
      await page.mouse.move(point!.x, point!.y);
      await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
      expect(await page.locator('#tooltip').textContent()).toMatch(/→.*sent at/s);
      await page.mouse.click(point!.x, point!.y);
      expect(await page.locator('#message-details').textContent()).toMatch(/sent at/);

      // In the overview, hovering a fault band explains it; clicking an operation shows it below.
      await page.locator('#timeline svg').scrollIntoViewIfNeeded();
      const band = (await page.locator('#timeline .fault-band rect').first().boundingBox())!;
      await page.mouse.move(band.x + Math.min(band.width / 2, 20), band.y + band.height / 2);
      await expect.poll(() => page.locator('#tooltip').textContent()).toMatch(/los(e|ing)|duplicat|delay|cut off|split into|cannot send|hold messages|clock/);
      const op = await page.$$eval('#timeline rect.overview-op', (rects) => {
        const selection = document.querySelector('#overview-brush .selection')!.getBoundingClientRect();
        for (const rect of rects) {
          const b = rect.getBoundingClientRect();
          const x = b.left + b.width / 2;
          if (b.width >= 4 && (x < selection.left - 10 || x > selection.right + 10)) return { x, y: b.top + b.height / 2, id: rect.getAttribute('data-op-id') };
        }
        return null;
      });
      expect(op).not.toBeNull();
      await page.mouse.click(op!.x, op!.y);
      await expect.poll(() => page.locator('#message-details').textContent()).toContain(`#${op!.id} `);
      expect(await page.locator(`#operations rect.op.pinned[data-op-id="${op!.id}"]`).count()).toBe(1);

      await page.screenshot({ path: join(OUTPUT_DIR, `${run.name}-after.png`), fullPage: false });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
