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

import { pathToFileURL } from 'node:url';
import { checkPaths, failer, shootWithChromium, splitArgs, UserError } from './png-shot.mjs';

const USAGE = 'usage: node scripts/playground-png.mjs DIR/index.html OUT.png [--lesson ID] [--at MILLIS] [--select NODE] [--width PX] [--height PX]';
const fail = failer('playground-png');

/** The command line, checked before Chromium starts. */
function parseArgs(argv) {
  const { positional, values } = splitArgs(argv, ['lesson', 'at', 'select', 'width', 'height'], USAGE, fail);
  const options = { lesson: null, at: null, select: null, width: 1440, height: 900 };
  for (const { name, flag, value } of values) {
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
  const { input, out } = checkPaths(positional, 'page', 'DIR/index.html and OUT.png', USAGE, fail);
  if (options.lesson !== null && options.at !== null) fail('give --lesson or --at, not both');
  return { page: input, out, ...options };
}

const args = parseArgs(process.argv.slice(2));
await shootWithChromium('playground-png', fail, async (browser) => {
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
});
