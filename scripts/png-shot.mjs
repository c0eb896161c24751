// What the scripts that shoot a faultline page as a PNG share (experiment-png.mjs, playground-png.mjs): the
// command line's shape (PAGE.html OUT.png and --name value options), its checks before Chromium starts,
// and a run in Debian's headless chromium (/usr/bin/chromium, through playwright-core; nothing downloaded).
// Bad arguments: one line on stderr, exit 2. No Chromium, or another failure: one line, exit 1.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** A problem with what the user asked for, found once the page is open: exit 2. */
export class UserError extends Error {}

/** `fail(message, code = 2)`: one line on stderr, prefixed with the script's name, then exit. */
export function failer(script) {
  return (message, code = 2) => {
    process.stderr.write(`${script}: ${message}\n`);
    process.exit(code);
  };
}

/**
 * Splits the command line into positional arguments and `--name value` (or `--name=value`) options, each
 * name one of `names`; an unknown option or one without a value fails.
 */
export function splitArgs(argv, names, usage, fail) {
  const positional = [];
  const values = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const name = flag.slice(2);
    if (!names.includes(name)) fail(`unknown option ${JSON.stringify(flag)} (${usage})`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') fail(`${flag} needs a value`);
    values.push({ name, flag, value });
  }
  return { positional, values };
}

/**
 * Checks the two positional arguments: an existing .html file (`what`: "report", "page") and a .png in an
 * existing folder. `expected` names them in the usage line (`REPORT.html and OUT.png`). Returns both resolved.
 */
export function checkPaths(positional, what, expected, usage, fail) {
  if (positional.length !== 2) fail(`expected ${expected}, got ${positional.length} argument${positional.length === 1 ? '' : 's'} (${usage})`);
  const [input, out] = positional;
  if (!existsSync(input) || !statSync(input).isFile()) fail(`no ${what} file ${JSON.stringify(input)}`);
  if (!/\.html?$/i.test(input)) fail(`the ${what} must be an .html file, got ${JSON.stringify(input)}`);
  if (!/\.png$/i.test(out)) fail(`the output must be a .png file, got ${JSON.stringify(out)}`);
  const outDir = resolve(out, '..');
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) fail(`no folder ${JSON.stringify(outDir)} for the output`);
  return { input: resolve(input), out: resolve(out) };
}

/**
 * Runs `shoot(browser)` in headless Chromium and exits: 0; 2 after a UserError; 1 after anything else. Any
 * failure is one line on stderr.
 */
export async function shootWithChromium(script, fail, shoot) {
  if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing (install it with: apt-get install -y chromium)`, 1);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  let code = 0;
  try {
    await shoot(browser);
  } catch (error) {
    process.stderr.write(`${script}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    code = error instanceof UserError ? 2 : 1;
  } finally {
    await browser.close();
  }
  process.exit(code);
}
