// The experiment report in a real browser (Debian's chromium through playwright-core): a panel draws one
// CDF line per point, the metric-against-parameter chart its confidence band, published values as
// markers, the table; the x scale toggles between log and linear; hovering a line labels it; a line whose
// runs did not all give a sample levels off below 100% and says why, its point hollow on the
// metric-against-parameter chart; no console error, no network request; the result downloads. Also scripts/experiment-png.mjs, which shoots the charts.
// Screenshots go to test-output/browser/ for a human to look at.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSession, OUTPUT_DIR, skipBrowser, warnIfSkipped } from './browser-session.js';
import { formatValue } from '../../reports/experiment-format.js';
import { renderExperimentHtml } from '../../reports/experiment-html.js';
import { figure16Result } from '../reports/experiment-fixture.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PNG_SCRIPT = resolve(ROOT, 'scripts/experiment-png.mjs');
warnIfSkipped('test/browser/experiment-report.test.ts');


const result = figure16Result({ runs: 120, safetyViolations: 1 });

describe.skipIf(skipBrowser)('the experiment report in headless Chromium', () => {
  const session = browserSession('faultline-experiment-report-');
  let file = '';

  async function open(width = 1400): Promise<{ page: Page; errors: string[] }> {
    file = join(session.workDir, 'experiment.html');
    writeFileSync(file, renderExperimentHtml(result));
    const page = await session.browser.newPage({ viewport: { width, height: 1000 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) errors.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, errors };
  }

  it('draws a CDF line per point of a panel, the confidence band, references and the table; toggles log/linear; labels on hover', async () => {
    const { page, errors } = await open();
    const randomness = result.points.filter((p) => p.group === 'randomness');
    const firstPanel = randomness.filter((p) => p.panel === 'extensions off');
    const figure = page.locator('#group-0 figure.cdf-figure').first();

    // One line per value of the first axis, labelled as the axis labels them, and a legend chip for each.
    // (150–150 ms without the extensions gave no sample: no line, but a chip that says 0/120.)
    const drawn = firstPanel.filter((p) => p.metrics.leaderlessMicros!.stats !== null);
    expect(drawn).toHaveLength(firstPanel.length - 1);
    const labels = await figure.locator('path.cdf-line').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-label')));
    expect(labels).toEqual(drawn.map((p) => p.label));
    expect(await figure.locator('.legend .chip').count()).toBe(firstPanel.length);
    expect(await figure.locator('.legend .chip').first().textContent()).toBe('150–150 ms 0/120');
    expect(await figure.locator('.legend .chip').first().getAttribute('title')).toBe('none of 120 runs gave a sample');
    // The y axis says what the height is out of: runs here, samples for a metric with several per run.
    expect(await figure.locator('.axis-label').allTextContents()).toContain('fraction of runs at or below');
    const elections = page.locator('#group-0 figure.cdf-figure[data-metric-index="1"]').first();
    expect(await elections.locator('.axis-label').allTextContents()).toContain('fraction of samples at or below');
    expect(await elections.locator('.legend .chip').nth(1).textContent()).toMatch(/^150–151 ms \d{3,} \(120 runs\)$/);
    // Every chart is an SVG image with a title.
    const titles = await page.locator('figure svg').evaluateAll((svgs) => svgs.map((s) => [s.getAttribute('role'), s.querySelector(':scope > title')?.textContent ?? ''] as [string | null, string]));
    expect(titles.length).toBe(result.groups.length * result.metrics.length * 3);
    for (const [role, title] of titles) {
      expect(role).toBe('img');
      expect(title.length).toBeGreaterThan(10);
    }
    expect(await figure.locator('svg > title').textContent()).toContain('CDF of leaderlessMicros, extensions off');

    // The metric against the first axis: a band and a mean line per panel.
    const param = page.locator('#group-0 figure.param-figure').first();
    expect(await param.locator('path.ci-band').count()).toBe(2);
    expect(await param.locator('path.mean-line').count()).toBe(2);
    expect(await param.locator('path.p99-line').count()).toBe(2);
    expect(await param.locator('circle.mean-point').count()).toBe(randomness.length - 1);
    // The band has area: the interval is not zero-width everywhere.
    const band = (await param.locator('path.ci-band').first().boundingBox())!;
    expect(band.height).toBeGreaterThan(2);

    // Published values: the at-least bound and the median on the first panel's CDF, and beside the points.
    const markers = await figure.locator('g.ref-marker').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-stat')}:${g.getAttribute('data-bound')}`));
    expect(markers).toEqual(expect.arrayContaining(['p90:at-least', 'median:exact', 'max:at-most']));
    expect(await param.locator('g.ref-marker').count()).toBe(4);
    const scaleMarkers = await page.locator('#group-1 figure.cdf-figure').first().locator('g.ref-marker[data-stat="mean"]').count();
    expect(scaleMarkers).toBe(1);
    // The median marker sits at half height on the line's colour.
    const median = await figure.locator('g.ref-marker[data-stat="median"] path').evaluate((p) => p.getAttribute('fill'));
    const line = await figure.locator(`path.cdf-line[data-point="${result.references.find((r) => r.stat === 'median')!.points[0]}"]`).evaluate((p) => p.getAttribute('stroke'));
    expect(median).toBe(line);

    // The tables.
    expect(await page.locator('#stats-0 tbody tr').count()).toBe(randomness.length * result.metrics.length);
    expect(await page.locator('#references-0 tbody tr').count()).toBe(4);
    expect(await page.locator('#references-0').textContent()).toContain('≥ 10s');

    // Log by default (the spread is wide), linear on a click, and back.
    const svgScale = () => figure.locator('svg').getAttribute('data-scale');
    expect(await svgScale()).toBe('log');
    const logTicks = await figure.locator('.x-axis .tick text').allTextContents();
    await figure.locator('button[data-scale="linear"]').click();
    expect(await svgScale()).toBe('linear');
    expect(await figure.locator('button[data-scale="linear"]').getAttribute('aria-pressed')).toBe('true');
    expect(await figure.locator('.x-axis .tick text').allTextContents()).not.toEqual(logTicks);
    expect(await figure.locator('path.cdf-line').count()).toBe(drawn.length);
    await figure.locator('button[data-scale="log"]').click();
    expect(await svgScale()).toBe('log');

    // Hovering the plot names the nearest line, a value and the fraction at or below it.
    await figure.scrollIntoViewIfNeeded();
    const area = (await figure.locator('rect.hover-target').boundingBox())!;
    await page.mouse.move(area.x + area.width * 0.45, area.y + area.height * 0.5);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toMatch(/\d+(\.\d)?% of runs at or below \d.*120 of 120 runs gave a sample/);
    expect(await figure.locator('path.cdf-line.hot').count()).toBe(1);
    await figure.screenshot({ path: join(OUTPUT_DIR, 'experiment-cdf-hover.png') });
    // A legend chip hides its line.
    await figure.locator('.legend .chip').nth(1).click();
    expect(await figure.locator('path.cdf-line').count()).toBe(drawn.length - 1);

    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUTPUT_DIR, 'experiment-report.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('levels a line off below 100% where not every run gave a sample, says why, and hollows its point', async () => {
    const { page, errors } = await open();
    // 150–150 ms with the extensions: 48 of 120 runs resolved, so its line ends at 40%.
    const partial = result.points.find((p) => p.group === 'randomness' && p.coords[0] === 0 && p.coords[1] === 1)!;
    const full = result.points.find((p) => p.group === 'randomness' && p.coords[0] === 5 && p.coords[1] === 1)!;
    const figure = page.locator('#group-0 figure.cdf-figure[data-metric-index="0"][data-panel-index="1"]');
    await figure.scrollIntoViewIfNeeded();
    expect(await figure.locator('.legend .chip').first().textContent()).toBe('150–150 ms 48/120');
    expect(await figure.locator(`path.cdf-line[data-point="${partial.index}"] title`).textContent()).toBe('150–150 ms: 48 of 120 runs gave a sample');
    const plot = (await figure.locator('rect.hover-target').boundingBox())!;
    const top = async (index: number) => (await figure.locator(`path.cdf-line[data-point="${index}"]`).boundingBox())!.y;
    // The full line reaches the top of the plot; the partial one stops 60% of the height below it.
    expect(Math.abs(await top(full.index) - plot.y)).toBeLessThan(5);
    expect(Math.abs(await top(partial.index) - (plot.y + plot.height * 0.6))).toBeLessThan(5);
    // Hovering at the right end, level with the partial line, explains it.
    await page.mouse.move(plot.x + plot.width - 4, plot.y + plot.height * 0.6);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toContain('40% of runs at or below');
    expect(await page.locator('#tooltip').textContent()).toContain('48 of 120 runs gave a sample (the line ends at 40%)');
    await figure.screenshot({ path: join(OUTPUT_DIR, 'experiment-cdf-levels-off.png') });

    // The metric against the first axis: that point's mean is hollow and its tooltip says what it covers.
    const param = page.locator('#group-0 figure.param-figure[data-metric-index="0"]');
    await param.scrollIntoViewIfNeeded();
    const hollow = param.locator('circle.mean-point.partial');
    expect(await hollow.count()).toBe(1);
    expect(await hollow.getAttribute('data-point')).toBe(String(partial.index));
    expect(await hollow.getAttribute('fill')).toBe('#fff');
    expect(await param.locator('.legend .key').textContent()).toContain('○ not every run gave a sample · no run gave a sample at 150–150 ms · extensions off');
    const box = (await hollow.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.locator('#tooltip').textContent()).toContain('48 of 120 runs gave a sample: these statistics are of those');
    await param.screenshot({ path: join(OUTPUT_DIR, 'experiment-param-partial.png') });

    // A reference on both panels of the scale group: each marker gives ours at its own point.
    const twice = result.references.find((r) => r.points.length === 2)!;
    for (const [j, index] of twice.points.entries()) {
      const title = await page.locator(`#group-1 figure.param-figure[data-metric-index="0"] g.ref-marker[data-point="${index}"] title`).textContent();
      expect(title).toContain(`ours ${formatValue('duration', twice.oursByPoint[j]!)}`);
    }
    expect(await page.locator('#references-1 tbody tr').count()).toBe(3);
    // No run gave a sample: the table says so rather than judging the bound.
    const none = page.locator('#references-0 tbody tr[data-point="0"]');
    expect(await none.textContent()).toContain('no sample: none of 120 runs gave a sample');
    expect(await none.getAttribute('class')).toBeNull();
    await page.locator('#references-0').screenshot({ path: join(OUTPUT_DIR, 'experiment-references.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('downloads the result it embeds', async () => {
    const { page, errors } = await open();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-json').click()]);
    expect(download.suggestedFilename()).toBe('raft-election-timeouts.json');
    const saved = join(session.workDir, 'downloaded.json');
    await download.saveAs(saved);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a 1024 px window without a horizontal scroll bar', async () => {
    const { page, errors } = await open(1024);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await page.locator('#group-1 .metric-block').first().screenshot({ path: join(OUTPUT_DIR, 'experiment-scale-1024.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('scripts/experiment-png.mjs shoots a group\'s charts and one panel as PNG files', () => {
    const report = join(session.workDir, 'for-png.html');
    writeFileSync(report, renderExperimentHtml(result));
    const out = join(OUTPUT_DIR, 'experiment-png-randomness.png');
    rmSync(out, { force: true });
    const whole = spawnSync(process.execPath, [PNG_SCRIPT, report, out, '--group', 'randomness'], { encoding: 'utf8', timeout: 60_000 });
    expect(whole.status, whole.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const panel = join(OUTPUT_DIR, 'experiment-png-scale-panel-2.png');
    const one = spawnSync(process.execPath, [PNG_SCRIPT, report, panel, '--group', 'scale', '--panel', '2', '--width', '900'], { encoding: 'utf8', timeout: 60_000 });
    expect(one.status, one.stderr).toBe(0);
    expect(existsSync(panel)).toBe(true);
    // A panel the group does not have: one line, exit 2.
    const missing = spawnSync(process.execPath, [PNG_SCRIPT, report, join(session.workDir, 'x.png'), '--panel', '9'], { encoding: 'utf8', timeout: 60_000 });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('experiment-png: --panel 9: the group has 2 panels\n');
  });
});

describe('scripts/experiment-png.mjs arguments', () => {
  const cases: [string[], RegExp][] = [
    [[], /^experiment-png: expected REPORT\.html and OUT\.png, got 0 arguments/],
    [['missing.html', 'out.png'], /^experiment-png: no report file "missing\.html"\n$/],
    [[PNG_SCRIPT, 'out.png'], /^experiment-png: the report must be an \.html file/],
    [['--panel', '0'], /^experiment-png: --panel must be a positive whole number, got "0"\n$/],
    [['--colour', 'x'], /^experiment-png: unknown option "--colour"/],
    [['--width', '10'], /^experiment-png: --width must be between 400 and 4000 pixels, got 10\n$/],
  ];
  for (const [args, message] of cases) {
    it(`exits 2 with one line for ${JSON.stringify(args)}`, () => {
      const run = spawnSync(process.execPath, [PNG_SCRIPT, ...args], { encoding: 'utf8', timeout: 20_000 });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }
});
