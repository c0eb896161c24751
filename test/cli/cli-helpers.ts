// Running the faultline command in a child process for end-to-end tests: plain text (no colour), in a
// temporary working folder of the test file's own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/faultline.js');

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh working folder and a function that runs `faultline ARGS…` in it. */
export function cliWorkspace(prefix: string): { work: string; faultline: (...args: string[]) => Ran } {
  const work = mkdtempSync(join(tmpdir(), `faultline-${prefix}-`));
  const faultline = (...args: string[]): Ran => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { work, faultline };
}

/** The bad-input contract: exit 2, nothing on stdout, one line on stderr matching `message`. */
export function expectOneLineExit2(r: Ran, message: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}
