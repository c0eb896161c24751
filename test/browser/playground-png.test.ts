// scripts/playground-png.mjs, which takes the README's picture of the playground: it opens a page written by
// `faultline playground --out`, a lesson at its moment (or a moment of the run), and writes a PNG; what it is
// asked wrongly (an unknown lesson, a page that is not the playground, bad options) is one line and exit 2.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../cli/cli-helpers.js';
import { OUTPUT_DIR, skipBrowser, warnIfSkipped } from './browser-session.js';

warnIfSkipped('test/browser/playground-png.test.ts');

const SCRIPT = resolve(import.meta.dirname, '../../scripts/playground-png.mjs');
const { work, faultline } = cliWorkspace('playground-png');
const png = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 90_000 });

describe.skipIf(skipBrowser)('scripts/playground-png.mjs', () => {
  it('shoots a lesson at its moment and a moment of a run; refuses what it cannot shoot in one line, exit 2', () => {
    const written = faultline('playground', 'raft-leader-crash', '--seed', '1', '--out', 'page');
    expect(written.status, written.stderr).toBe(0);
    const page = join(work, 'page', 'index.html');
    const lesson = join(OUTPUT_DIR, 'playground-png-figure-8.png');
    rmSync(lesson, { force: true });
    const shot = png(page, lesson, '--lesson', 'figure-8');
    expect(shot.status, shot.stderr).toBe(0);
    expect(readFileSync(lesson).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const moment = join(OUTPUT_DIR, 'playground-png-at.png');
    const at = png(page, moment, '--at', '2000', '--select', 'n2', '--width', '1200');
    expect(at.status, at.stderr).toBe(0);

    const refused = [
      [png(page, moment, '--lesson', 'no-such-lesson'), /^playground-png: no lesson "no-such-lesson" \(lessons: leader-crash, /],
      [png(page, moment, '--select', 'n99'), /^playground-png: no node "n99" on the ring/],
      [png(page, moment, '--lesson', 'figure-8', '--at', '5'), /^playground-png: give --lesson or --at, not both/],
      [png(page, moment, '--width', '12'), /^playground-png: --width must be between 800 and 4000 pixels, got 12/],
      [png(page, 'x.jpg'), /^playground-png: the output must be a \.png file/],
      [png(join(work, 'nothing.html'), moment), /^playground-png: no page file/],
    ] as const;
    for (const [result, line] of refused) {
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(line);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const other = join(work, 'other.html');
    writeFileSync(other, '<!doctype html><title>not the playground</title><p>hello</p>');
    const notPlayground = png(other, moment);
    expect(notPlayground.status).toBe(2);
    expect(notPlayground.stderr).toMatch(/is not a faultline playground page/);
  }, 180_000);
});
