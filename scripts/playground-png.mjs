#!/usr/bin/env node
// Takes a picture of the playground for a README: opens a page written by `faultline playground … --out DIR`
// in Debian's headless Chromium (/usr/bin/chromium, through playwright-core; nothing is downloaded),
// optionally opens a guided lesson and shows its moment, or shows a moment of the run, and screenshots it.
//
//   node scripts/playground-png.mjs DIR/index.html OUT.png [--lesson ID] [--at MILLIS] [--select NODE] [--width PX] [--height PX]
//
// --lesson: open that lesson and show its moment; --at: simulate the run to its end, then show that moment
// (milliseconds of simulated time); --select: open that node's menu; --width and --height: the picture's size in pixels
// (default 1440 × 900).
// Bad arguments: one line on stderr, exit 2. No Chromium: one line, exit 1.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const USAGE = 'usage: node scripts/playground-png.mjs DIR/index.html OUT.png [--lesson ID] [--at MILLIS] [--select NODE] [--width PX] [--height PX]';

/** A problem with what the user asked for, found once the page is open: exit 2. */
class UserError extends Error {}

function fail(message, code = 2) {
  process.stderr.write(`playground-png: ${message}\n`);
  process.exit(code);
}

/** The command line, checked before Chromium starts. */
function parseArgs(argv) {
  const positional = [];
  const options = { lesson: null, at: null, select: null, width: 1440, height: 900 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const name = flag.slice(2);
    if (!['lesson', 'at', 'select', 'width', 'height'].includes(name)) fail(`unknown option ${JSON.stringify(flag)} (${USAGE})`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') fail(`${flag} needs a value`);
    if (name === 'at' || name === 'width' || name === 'height') {
      if (!/^\d+$/.test(value)) fail(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
      const n = Number(value);
      if (name === 'width' && (n < 800 || n > 4000)) fail(`--width must be between 800 and 4000 pixels, got ${value}`);
      if (name === 'height' && (n < 400 || n > 4000)) fail(`--height must be between 400 and 4000 pixels, got ${value}`);
      options[name] = n;
    } else {
      options[name] = value;
    }
  }
  if (positional.length !== 2) fail(`expected DIR/index.html and OUT.png, got ${positional.length} argument${positional.length === 1 ? '' : 's'} (${USAGE})`);
  const [pageFile, out] = positional;
  if (!existsSync(pageFile) || !statSync(pageFile).isFile()) fail(`no page file ${JSON.stringify(pageFile)}`);
  if (!/\.html?$/i.test(pageFile)) fail(`the page must be an .html file, got ${JSON.stringify(pageFile)}`);
  if (!/\.png$/i.test(out)) fail(`the output must be a .png file, got ${JSON.stringify(out)}`);
  const outDir = resolve(out, '..');
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) fail(`no folder ${JSON.stringify(outDir)} for the output`);
  if (options.lesson !== null && options.at !== null) fail('give --lesson or --at, not both');
  return { page: resolve(pageFile), out: resolve(out), ...options };
}

const args = parseArgs(process.argv.slice(2));
if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing (install it with: apt-get install -y chromium)`, 1);

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let code = 0;
try {
  const page = await browser.newPage({ viewport: { width: args.width, height: args.height }, deviceScaleFactor: 1 });
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(pathToFileURL(args.page).href);
  const ready = await page.waitForFunction(() => window.faultlinePlayground !== undefined, undefined, { timeout: 15_000 }).then(() => true, () => false);
  if (!ready) throw new UserError(`${args.page} is not a faultline playground page (it never started)`);
  if (args.lesson !== null) {
    const known = await page.$$eval('#lesson-select option', (options) => options.map((o) => o.value));
    if (!known.includes(args.lesson)) throw new UserError(`no lesson ${JSON.stringify(args.lesson)} (lessons: ${known.join(', ')})`);
    await page.selectOption('#lesson-select', args.lesson);
    await page.click('#lesson-open');
    await page.click('#lesson-point');
  } else if (args.at !== null) {
    await page.evaluate((micros) => {
      // The whole run first, so that the outcome, the fingerprint and the timeline are complete.
      window.faultlinePlayground.session().runToEnd();
      const slider = document.getElementById('time-slider');
      slider.value = String(micros);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    }, args.at * 1_000);
  }
  if (args.select !== null) {
    const node = await page.$(`g.node[data-node="${args.select}"]`);
    if (node === null) throw new UserError(`no node ${JSON.stringify(args.select)} on the ring`);
    await node.click();
  }
  // Let a frame or two draw.
  await page.waitForTimeout(300);
  if (problems.length > 0) throw new Error(`the page reported errors: ${problems.join('; ')}`);
  await page.screenshot({ path: args.out, fullPage: false });
  process.stdout.write(`wrote ${args.out}\n`);
} catch (error) {
  process.stderr.write(`playground-png: ${error.message}\n`);
  code = error instanceof UserError ? 2 : 1;
} finally {
  await browser.close();
}
process.exit(code);
