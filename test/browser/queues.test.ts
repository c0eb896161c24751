// The report's backend queue chart in a real browser (Debian's chromium through playwright-core): a toy
// serving run whose backends sample their queues draws one row per backend with its areas, hovering a row
// shows the sample there, and the page logs no error. A screenshot goes to test-output/browser/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserSession, OUTPUT_DIR, skipBrowser, warnIfSkipped } from './browser-session.js';
import { collectTrace, renderHtmlReport } from '../../reports/html.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { QUEUE_TOY_FAULTS, queueToyScenario } from '../reports/lb-queue-fixture.js';

warnIfSkipped('test/browser/queues.test.ts');

describe.skipIf(skipBrowser)('the backend queue chart in headless Chromium', () => {
  const session = browserSession('faultline-queues-');

  it('draws each backend\'s queue and shows the sample under the pointer, with no errors', async () => {
    const prepared = prepareRun({ scenario: queueToyScenario(), seed: 1, faults: QUEUE_TOY_FAULTS });
    const { sink, events } = collectTrace();
    const result = executeRun(prepared, sink);
    const file = join(session.workDir, 'lb-queue-toy.html');
    writeFileSync(file, renderHtmlReport({ prepared, result, trace: events, replay: 'toy' }));
    const page = await session.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#queues svg path.queue-total');

    const svg = page.locator('#queues svg');
    expect(await svg.getAttribute('data-backends')).toBe('3');
    expect(await svg.getAttribute('data-held-max')).toBe('8');
    for (const id of ['b1', 'b2', 'b3']) {
      expect((await page.locator(`#queues path.queue-total[data-node="${id}"]`).getAttribute('d'))!.length).toBeGreaterThan(100);
      expect((await page.locator(`#queues path.queue-service[data-node="${id}"]`).getAttribute('d'))!.length).toBeGreaterThan(100);
    }
    // The main report still draws.
    expect(await page.locator('#timeline svg rect.node-up').count()).toBe(4);

    // Hover b3's row (the third) a third of the way in: the tooltip names it and its sample.
    await svg.scrollIntoViewIfNeeded();
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + 92 + (box.width - 110) / 3, box.y + 24 + 2 * 26 + 11);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toMatch(/^b3 at \d+(\.\d+)?ms\d+ waiting · \d+ in service \(\d+ held\)sampled at/);
    expect(await page.locator('#queues line.queue-guide').getAttribute('visibility')).toBe('visible');
    await page.locator('#queues-section').screenshot({ path: join(OUTPUT_DIR, 'lb-queue-toy-queues.png') });
    await page.mouse.move(box.x + 5, box.y + 5);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(false);

    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
