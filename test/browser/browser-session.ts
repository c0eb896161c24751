// What the browser tests share: Debian's chromium through playwright-core, with the flags this machine
// needs, skipped with a warning outside CI when it is missing (in CI a missing browser fails: .ci/run
// installs it), one browser and scratch folder per describe block, and where screenshots go.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-quic', '--disable-sync',
];
/** Screenshots for a human to look at. */
export const OUTPUT_DIR = resolve(import.meta.dirname, '../../test-output/browser');
const inCi = process.env.CI === 'true';
const haveChromium = existsSync(CHROMIUM);
/** Whether a test file's browser tests are skipped (no chromium, outside CI). */
export const skipBrowser = !haveChromium && !inCi;

/** Warns, once per test file, that its browser tests are skipped. */
export function warnIfSkipped(file: string): void {
  if (skipBrowser) console.warn(`${file}: skipped: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);
}

/** One browser and a scratch folder for a describe block, launched before its tests and closed after. */
export function browserSession(prefix: string): { readonly browser: Browser; readonly workDir: string } {
  const session = { browser: undefined as unknown as Browser, workDir: '' };
  beforeAll(async () => {
    // In CI a missing browser is a failure, not a skip: .ci/run installs it.
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: .ci/run should have installed Debian's chromium`).toBe(true);
    session.workDir = mkdtempSync(join(tmpdir(), prefix));
    mkdirSync(OUTPUT_DIR, { recursive: true });
    // launch() gives the browser a fresh temporary profile of its own.
    session.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await session.browser?.close();
    if (session.workDir) rmSync(session.workDir, { recursive: true, force: true });
  });
  return session;
}

/**
 * What a page must not do, collected as it happens: console errors and warnings, uncaught errors, failed
 * requests, and any request beyond file: and data: (the pages load nothing from the network).
 */
export function pageProblems(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`); });
  return errors;
}
