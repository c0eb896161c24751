// End-to-end tests of where faultline writes: every output is checked before the run (FIFOs, sockets,
// directories and missing directories are refused with one line, exit 2, nothing touched), symlinks are
// followed and kept, `-` is standard output for --report and --trace, sweep --out fails fast where a
// directory cannot be made, and each file written is announced on stderr. Temporary folders only.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliWorkspace, type Ran } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('paths');
const RUN = ['run', 'broadcast-chaos', '--seed', '5', '--duration', '1s'];
const FAILING_RUN = ['run', 'broadcast-lossy', '--seed', '1', '--duration', '2s', '--bug', 'broadcast/no-dedup'];

function mkfifo(name: string): string {
  const path = join(work, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/** One line on stderr, exit 2, no stack trace, nothing on stdout. */
function expectRefused(r: Ran, message: string | RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  if (typeof message === 'string') expect(r.stderr.trim()).toBe(`faultline: ${message}`);
  else expect(r.stderr).toMatch(message);
}

describe('targets that are not regular files are refused before the run', () => {
  let server: Server;
  const socketPath = join(work, 'listening.sock');
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('--save to a FIFO: refused, and the FIFO stays a FIFO', () => {
    const fifo = mkfifo('save.fifo');
    expectRefused(faultline(...RUN, '--save', 'save.fifo'), '--save save.fifo: is a FIFO, not a regular file; faultline writes only regular files');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('--trace to a directory: refused before the run (no stack trace), and --save beside it is not written', () => {
    mkdirSync(join(work, 'trace-dir'));
    expectRefused(faultline(...RUN, '--save', 'beside.json', '--trace', 'trace-dir'),
      '--trace trace-dir: is a directory, not a regular file; faultline writes only regular files');
    expect(readdirSync(join(work, 'trace-dir'))).toEqual([]);
    expect(existsSync(join(work, 'beside.json'))).toBe(false);
  });

  it('--report to a socket: refused, and the socket stays a socket', () => {
    expectRefused(faultline(...RUN, '--report', 'listening.sock'), /--report listening\.sock: is a socket, not a regular file/);
    expect(lstatSync(socketPath).isSocket()).toBe(true);
  });

  it('replay --report to a directory: refused before the replay runs', () => {
    expect(faultline(...RUN, '--save', 'for-replay.json').status).toBe(0);
    mkdirSync(join(work, 'replay-report-dir'));
    expectRefused(faultline('replay', 'for-replay.json', '--report', 'replay-report-dir'), /--report replay-report-dir: is a directory, not a regular file/);
  });

  it('shrink whose default output FILE.min.json is a FIFO: refused before shrinking', () => {
    expect(faultline(...FAILING_RUN, '--save', 'failing.json').status).toBe(1);
    mkfifo('failing.min.json');
    expectRefused(faultline('shrink', 'failing.json'), 'failing.min.json: is a FIFO, not a regular file; faultline writes only regular files');
    expectRefused(faultline('shrink', 'failing.json', '--out', 'failing.min.json'), /^faultline: --out failing\.min\.json: is a FIFO/);
  });
});

describe('missing directories and clashing outputs', () => {
  it('a --save in a missing directory is refused before the run; --trace beside it is not written', () => {
    expectRefused(faultline(...RUN, '--trace', 'ok.ndjson', '--save', 'no-such-dir/run.json'), '--save no-such-dir/run.json: directory no-such-dir does not exist');
    expect(existsSync(join(work, 'ok.ndjson'))).toBe(false);
  });

  it('a --report under a regular file is refused', () => {
    writeFileSync(join(work, 'plain.txt'), 'keep me');
    expectRefused(faultline(...RUN, '--report', 'plain.txt/r.html'), '--report plain.txt/r.html: plain.txt is not a directory');
    expect(readFileSync(join(work, 'plain.txt'), 'utf8')).toBe('keep me');
  });

  it('two outputs naming the same file (directly or through a symlink) are refused', () => {
    expectRefused(faultline(...RUN, '--save', 'same.json', '--report', 'same.json'), '--save same.json and --report same.json name the same file; choose two names');
    symlinkSync('same-target.json', join(work, 'same-link.json'));
    expectRefused(faultline(...RUN, '--save', 'same-target.json', '--trace', 'same-link.json'), /--save same-target\.json and --trace same-link\.json name the same file/);
  });
});

describe('symlinks are followed and kept', () => {
  it('--save through a symlink replaces the file it points to, in its own directory; the link stays a link', () => {
    mkdirSync(join(work, 'real'));
    writeFileSync(join(work, 'real/saved.json'), 'old');
    symlinkSync('real/saved.json', join(work, 'saved-link.json'));
    const r = faultline(...RUN, '--save', 'saved-link.json', '--json');
    expect(r.status).toBe(0);
    expect(lstatSync(join(work, 'saved-link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(work, 'saved-link.json'))).toBe('real/saved.json');
    expect(JSON.parse(readFileSync(join(work, 'real/saved.json'), 'utf8')).format).toBe('faultline-replay/1');
    expect(readdirSync(join(work, 'real'))).toEqual(['saved.json']);
    expect(r.stderr).toMatch(/^wrote saved-link\.json → .*real\/saved\.json \([\d.]+ k?B\)\n$/);
  });

  it('a dangling symlink is written through when its target directory exists, refused when it does not', () => {
    mkdirSync(join(work, 'later'));
    symlinkSync('later/trace.ndjson', join(work, 'dangling.ndjson'));
    expect(faultline(...RUN, '--trace', 'dangling.ndjson').status).toBe(0);
    expect(lstatSync(join(work, 'dangling.ndjson')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(work, 'later/trace.ndjson'), 'utf8').split('\n')[0]).toMatch(/^\{"type":"start"/);

    symlinkSync('nowhere/trace.ndjson', join(work, 'lost.ndjson'));
    expectRefused(faultline(...RUN, '--trace', 'lost.ndjson'), /--trace lost\.ndjson: a symlink to .*nowhere\/trace\.ndjson, but directory .*nowhere does not exist/);
  });
});

describe('- is standard output for --report and --trace', () => {
  it('--report - prints the HTML on stdout, and the summary on stderr', () => {
    const r = faultline(...RUN, '--report', '-');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout.trimEnd()).toMatch(/<\/html>$/);
    expect(r.stderr).toMatch(/replay: faultline run broadcast-chaos --seed 5/);
    expect(existsSync(join(work, '-'))).toBe(false);
  });

  it('--trace - prints pure NDJSON on stdout', () => {
    const r = faultline(...RUN, '--trace', '-');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(r.stderr).toMatch(/replay: faultline run broadcast-chaos --seed 5/);
    expect(existsSync(join(work, '-'))).toBe(false);
  });

  it('- with --json, two -, or - where a file is needed: one line, exit 2', () => {
    expectRefused(faultline(...RUN, '--report', '-', '--json'), '--report -: standard output is taken by --json; name a file');
    expectRefused(faultline(...RUN, '--report', '-', '--trace', '-'), '--report - and --trace -: only one output can go to standard output');
    expectRefused(faultline(...RUN, '--save', '-'), /^faultline: --save -: standard output is not supported for --save/);
    expect(existsSync(join(work, '-'))).toBe(false);
  });
});

describe('sweep --out', () => {
  it('under a regular file: one line, exit 2, nothing created', () => {
    writeFileSync(join(work, 'not-a-dir'), 'x');
    expectRefused(faultline('sweep', 'broadcast-chaos', '--seeds', '1..2', '--workers', '1', '--out', 'not-a-dir/sweep'), /--out not-a-dir\/sweep: .*not-a-dir is not a directory/);
    expectRefused(faultline('sweep', 'broadcast-chaos', '--seeds', '1..2', '--workers', '1', '--out', 'not-a-dir'), '--out not-a-dir: is a regular file, not a directory');
    mkfifo('sweep.fifo');
    expectRefused(faultline('sweep', 'broadcast-chaos', '--seeds', '1..2', '--workers', '1', '--out', 'sweep.fifo'), '--out sweep.fifo: is a FIFO, not a directory');
  });

  it.runIf(existsSync('/proc/self'))('under /proc: fails with exit 2 at once instead of hanging', () => {
    const r = spawnSync(process.execPath, [BIN, 'sweep', 'broadcast-chaos', '--seeds', '1..2', '--workers', '1', '--out', '/proc/nope/sweep'],
      { cwd: work, encoding: 'utf8', timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0' } });
    expect(r.signal).toBeNull();
    expectRefused({ status: r.status, stdout: r.stdout, stderr: r.stderr }, /--out \/proc\/nope\/sweep: cannot create (directory \/proc\/nope|it: \/proc is not writable)/);
  });

  it('creates missing levels and announces the directory once with what it holds', () => {
    const r = faultline('sweep', 'broadcast-lossy', '--bug', 'broadcast/no-dedup', '--seeds', '1..2', '--workers', '1', '--duration', '2s', '--out', 'deep/er/sweep', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).failures).toHaveLength(2);
    expect(r.stderr).toContain('wrote deep/er/sweep/ (runs.jsonl, 2 failure files, summary.json)\n');
    expect(readdirSync(join(work, 'deep/er/sweep')).sort()).toEqual(['failures', 'runs.jsonl', 'summary.json']);
  });
});

describe('each file written is announced on stderr', () => {
  it('run --save --report --trace: one `wrote PATH (SIZE)` line each, stdout stays pure JSON', () => {
    const r = faultline(...RUN, '--save', 'a.json', '--report', 'a.html', '--trace', 'a.ndjson', '--json');
    expect(r.status).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const name of ['a.json', 'a.html', 'a.ndjson']) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^wrote ${name.replace('.', '\\.')} \\(\\d+(\\.\\d)? (B|kB|MB)\\)$`)));
    const size = readFileSync(join(work, 'a.json')).length;
    const [, amount, unit] = lines.find((l) => l.startsWith('wrote a.json'))!.match(/\((\d+(?:\.\d)?) (B|kB)\)$/)!;
    // Three significant digits: within half a unit of the last digit shown.
    expect(Math.abs(Number(amount) * (unit === 'kB' ? 1000 : 1) - size)).toBeLessThanOrEqual(unit === 'kB' ? (amount!.includes('.') ? 50 : 500) : 0);
  });
});
