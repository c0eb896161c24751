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

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const USAGE = 'usage: node scripts/experiment-png.mjs REPORT.html OUT.png [--group NAME] [--metric NAME] [--panel N] [--width PX]';

/** A problem with what the user asked for, found once the report is open: exit 2. */
class UserError extends Error {}

function fail(message, code = 2) {
  process.stderr.write(`experiment-png: ${message}\n`);
  process.exit(code);
}

/** The command line, checked before Chromium starts. */
function parseArgs(argv) {
  const positional = [];
  const options = { group: null, metric: null, panel: null, width: 1400 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const name = flag.slice(2);
    if (!['group', 'metric', 'panel', 'width'].includes(name)) fail(`unknown option ${JSON.stringify(flag)} (${USAGE})`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') fail(`${flag} needs a value`);
    if (name === 'panel' || name === 'width') {
      if (!/^[1-9]\d*$/.test(value)) fail(`${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
      const n = Number(value);
      if (name === 'width' && (n < 400 || n > 4000)) fail(`--width must be between 400 and 4000 pixels, got ${value}`);
      options[name] = n;
    } else {
      options[name] = value;
    }
  }
  if (positional.length !== 2) fail(`expected REPORT.html and OUT.png, got ${positional.length} argument${positional.length === 1 ? '' : 's'} (${USAGE})`);
  const [report, out] = positional;
  if (!existsSync(report) || !statSync(report).isFile()) fail(`no report file ${JSON.stringify(report)}`);
  if (!/\.html?$/i.test(report)) fail(`the report must be an .html file, got ${JSON.stringify(report)}`);
  if (!/\.png$/i.test(out)) fail(`the output must be a .png file, got ${JSON.stringify(out)}`);
  const outDir = resolve(out, '..');
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) fail(`no folder ${JSON.stringify(outDir)} for the output`);
  return { report: resolve(report), out: resolve(out), ...options };
}

const args = parseArgs(process.argv.slice(2));
if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing (install it with: apt-get install -y chromium)`, 1);

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let code = 0;
try {
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
} catch (error) {
  if (error instanceof UserError) {
    process.stderr.write(`experiment-png: ${error.message}\n`);
    code = 2;
  } else {
    process.stderr.write(`experiment-png: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    code = 1;
  }
} finally {
  await browser.close();
}
process.exit(code);
