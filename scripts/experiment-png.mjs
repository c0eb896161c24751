#!/usr/bin/env node
// Turns an experiment report (faultline experiment … --report FILE.html) into a PNG for a README: opens it
// in Debian's headless Chromium (/usr/bin/chromium, through playwright-core; nothing is downloaded) and
// screenshots one group's charts for one metric, or a single panel's CDF.
//
//   node scripts/experiment-png.mjs REPORT.html OUT.png [--group NAME] [--metric NAME] [--panel N] [--width PX]
//
// --group: the group's name (default: the first); --metric: the metric (default: the first); --panel N:
// only the N-th panel's CDF (1-based); --width: the page's width in pixels (default 1400).
// Bad arguments: one line on stderr, exit 2. No Chromium: one line, exit 1.

import { pathToFileURL } from 'node:url';
import { checkPaths, failer, shootWithChromium, splitArgs, UserError } from './png-shot.mjs';

const USAGE = 'usage: node scripts/experiment-png.mjs REPORT.html OUT.png [--group NAME] [--metric NAME] [--panel N] [--width PX]';
const fail = failer('experiment-png');

/** The command line, checked before Chromium starts. */
function parseArgs(argv) {
  const { positional, values } = splitArgs(argv, ['group', 'metric', 'panel', 'width'], USAGE, fail);
  const options = { group: null, metric: null, panel: null, width: 1400 };
  for (const { name, flag, value } of values) {
    if (name === 'panel' || name === 'width') {
      if (!/^[1-9]\d*$/.test(value)) fail(`${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
      const n = Number(value);
      if (name === 'width' && (n < 400 || n > 4000)) fail(`--width must be between 400 and 4000 pixels, got ${value}`);
      options[name] = n;
    } else {
      options[name] = value;
    }
  }
  const { input, out } = checkPaths(positional, 'report', 'REPORT.html and OUT.png', USAGE, fail);
  return { report: input, out, ...options };
}

const args = parseArgs(process.argv.slice(2));
await shootWithChromium('experiment-png', fail, async (browser) => {
  const page = await browser.newPage({ viewport: { width: args.width, height: 1000 }, deviceScaleFactor: 2 });
  await page.goto(pathToFileURL(args.report).href);
  const ready = await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 }).then(() => true, () => false);
  if (!ready) throw new UserError(`${args.report} is not a faultline experiment report (its charts never drew)`);
  // Find the element to shoot: the group's block for the metric, or one panel's CDF figure in it.
  const target = await page.evaluate(({ group, metric, panel }) => {
    const data = JSON.parse(document.getElementById('experiment-data').textContent);
    const gi = group === null ? 0 : data.groups.findIndex((g) => g.name === group);
    if (gi < 0) return { error: `no group ${JSON.stringify(group)} in the report (groups: ${data.groups.map((g) => g.name).join(', ')})` };
    const mi = metric === null ? 0 : data.metrics.findIndex((m) => m.name === metric);
    if (mi < 0) return { error: `no metric ${JSON.stringify(metric)} in the report (metrics: ${data.metrics.map((m) => m.name).join(', ')})` };
    const block = document.querySelectorAll(`#group-${gi} .metric-block`)[mi];
    if (!block) return { error: 'the report has no charts for that group and metric' };
    if (panel === null) {
      block.setAttribute('data-shoot', 'true');
      return { error: null };
    }
    const figures = block.querySelectorAll('figure.cdf-figure');
    if (panel > figures.length) return { error: `--panel ${panel}: the group has ${figures.length} panel${figures.length === 1 ? '' : 's'}` };
    figures[panel - 1].setAttribute('data-shoot', 'true');
    return { error: null };
  }, { group: args.group, metric: args.metric, panel: args.panel });
  if (target.error) throw new UserError(target.error);
  const element = page.locator('[data-shoot="true"]');
  await element.scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await element.screenshot({ path: args.out });
  process.stdout.write(`${args.out}\n`);
});
