// Unit tests of lab/output-path.ts: which targets are accepted, where symlinks lead, atomic writes that
// keep links and modes, the same-file and stdout checks, sizes in words, and bounded directory creation.
import { execFileSync } from 'node:child_process';
import {
  chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkDistinctOutputs, checkOutputDirectory, checkOutputFile, checkStdoutFree, createOutputDirectory, formatBytes, writeOutputFile, wroteLine,
} from '../../lab/output-path.js';
import { NdjsonFile } from '../../lab/ndjson-file.js';
import { InputError } from '../../sim/errors.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'faultline-output-path-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => join(dir, name);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('checkOutputFile', () => {
  it('accepts a new file and an existing regular file in a writable directory', () => {
    expect(checkOutputFile('--save', at('new.json'))).toEqual({ flag: '--save', given: at('new.json'), toStdout: false, path: at('new.json'), linked: false });
    writeFileSync(at('old.json'), 'x');
    expect(checkOutputFile('--save', at('old.json')).path).toBe(at('old.json'));
  });

  it('refuses a FIFO, a directory and a missing or non-directory parent, naming the flag and path', () => {
    execFileSync('mkfifo', [at('pipe')]);
    mkdirSync(at('sub'));
    writeFileSync(at('file'), 'x');
    expect(refusal(() => checkOutputFile('--save', at('pipe')))).toBe(`--save ${at('pipe')}: is a FIFO, not a regular file; faultline writes only regular files`);
    expect(refusal(() => checkOutputFile('--trace', at('sub')))).toBe(`--trace ${at('sub')}: is a directory, not a regular file; faultline writes only regular files`);
    expect(refusal(() => checkOutputFile('--save', at('none/x.json')))).toBe(`--save ${at('none/x.json')}: directory ${at('none')} does not exist`);
    expect(refusal(() => checkOutputFile('--save', at('file/x.json')))).toBe(`--save ${at('file/x.json')}: ${at('file')} is not a directory`);
    expect(refusal(() => checkOutputFile('--save', at('sub/')))).toMatch(/ends with \//);
    expect(refusal(() => checkOutputFile('--save', ''))).toBe("--save '': expected a file name");
  });

  it('follows symlinks (chains, relative, dangling) to the real file and refuses loops', () => {
    mkdirSync(at('real'));
    writeFileSync(at('real/target.json'), 'x');
    symlinkSync('real/target.json', at('one'));
    symlinkSync('one', at('two'));
    expect(checkOutputFile('--save', at('two'))).toMatchObject({ path: at('real/target.json'), linked: true });
    symlinkSync('real/later.json', at('dangling'));
    expect(checkOutputFile('--save', at('dangling'))).toMatchObject({ path: at('real/later.json'), linked: true });
    symlinkSync('gone/x.json', at('lost'));
    expect(refusal(() => checkOutputFile('--save', at('lost')))).toMatch(/a symlink to .*gone\/x\.json, but directory .*gone does not exist/);
    symlinkSync('loop-b', at('loop-a'));
    symlinkSync('loop-a', at('loop-b'));
    expect(refusal(() => checkOutputFile('--save', at('loop-a')))).toMatch(/symlink loop/);
    execFileSync('mkfifo', [at('pipe')]);
    symlinkSync('pipe', at('to-pipe'));
    expect(refusal(() => checkOutputFile('--save', at('to-pipe')))).toBe(`--save ${at('to-pipe')}: links to ${at('pipe')}, which is a FIFO, not a regular file; faultline writes only regular files`);
  });

  it('takes - as standard output only where allowed', () => {
    expect(checkOutputFile('--report', '-', { allowStdout: true })).toMatchObject({ toStdout: true });
    expect(refusal(() => checkOutputFile('--save', '-'))).toMatch(/^--save -: standard output is not supported for --save/);
  });
});

describe('checkDistinctOutputs and checkStdoutFree', () => {
  it('refuses two outputs that are one file, also through a symlink, and two -', () => {
    symlinkSync('a.json', at('link.json'));
    const a = checkOutputFile('--save', at('a.json'));
    const link = checkOutputFile('--report', at('link.json'));
    expect(refusal(() => checkDistinctOutputs([a, undefined, link]))).toBe(`--save ${at('a.json')} and --report ${at('link.json')} name the same file; choose two names`);
    const out1 = checkOutputFile('--report', '-', { allowStdout: true });
    const out2 = checkOutputFile('--trace', '-', { allowStdout: true });
    expect(refusal(() => checkDistinctOutputs([out1, out2]))).toBe('--report - and --trace -: only one output can go to standard output');
    expect(() => checkDistinctOutputs([a, out1, checkOutputFile('--trace', at('b.ndjson'))])).not.toThrow();
    expect(refusal(() => checkStdoutFree([a, out2], true))).toBe('--trace -: standard output is taken by --json; name a file');
    expect(() => checkStdoutFree([a, out2], false)).not.toThrow();
  });
});

describe('writeOutputFile', () => {
  it('replaces the file a symlink leads to, keeps the link and the old mode, and leaves no temporary file', () => {
    mkdirSync(at('real'));
    writeFileSync(at('real/t.json'), 'old');
    chmodSync(at('real/t.json'), 0o640);
    symlinkSync('real/t.json', at('link.json'));
    const target = checkOutputFile('--save', at('link.json'));
    expect(writeOutputFile(target, 'new é')).toBe(6);
    expect(lstatSync(at('link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(at('real/t.json'), 'utf8')).toBe('new é');
    expect(statSync(at('real/t.json')).mode & 0o777).toBe(0o640);
    expect(readdirSync(at('real'))).toEqual(['t.json']);
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real']);
  });

  it('checks again at write time: a FIFO that appeared since the check is not replaced', () => {
    const target = checkOutputFile('--save', at('late'));
    execFileSync('mkfifo', [at('late')]);
    expect(refusal(() => writeOutputFile(target, 'x'))).toMatch(/is a FIFO, not a regular file/);
    expect(lstatSync(at('late')).isFIFO()).toBe(true);
  });

  it('announces `wrote PATH (SIZE)`, naming a symlink\'s target', () => {
    symlinkSync('t.json', at('l.json'));
    expect(wroteLine(checkOutputFile('--save', at('n.json')), 845)).toBe(`wrote ${at('n.json')} (845 B)`);
    expect(wroteLine(checkOutputFile('--save', at('l.json')), 2_100_000)).toBe(`wrote ${at('l.json')} → ${at('t.json')} (2.1 MB)`);
  });
});

describe('NdjsonFile', () => {
  it('streams through a symlink into the real file and keeps the link; abort leaves the old file', () => {
    writeFileSync(at('real.ndjson'), 'old\n');
    symlinkSync('real.ndjson', at('trace.ndjson'));
    const aborted = NdjsonFile.open(at('trace.ndjson'));
    aborted.write({ a: 1 });
    aborted.abort();
    expect(readFileSync(at('real.ndjson'), 'utf8')).toBe('old\n');
    const file = NdjsonFile.open(at('trace.ndjson'));
    file.write({ a: 1 });
    file.write({ b: 2 });
    expect(file.commit()).toBe(16);
    expect(lstatSync(at('trace.ndjson')).isSymbolicLink()).toBe(true);
    expect(readFileSync(at('real.ndjson'), 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    expect(readdirSync(dir).sort()).toEqual(['real.ndjson', 'trace.ndjson']);
  });
});

describe('formatBytes', () => {
  it('gives decimal units with at most one decimal', () => {
    expect(formatBytes(845)).toBe('845 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(2_100_000)).toBe('2.1 MB');
    expect(formatBytes(1_000)).toBe('1 kB');
  });
});

describe('checkOutputDirectory and createOutputDirectory', () => {
  it('lists the missing levels outermost first and creates them one at a time', () => {
    const checked = checkOutputDirectory('--out', at('a/b/c'));
    expect(checked.missing).toEqual([at('a'), at('a/b'), at('a/b/c')]);
    createOutputDirectory(checked, ['failures']);
    expect(statSync(at('a/b/c/failures')).isDirectory()).toBe(true);
    expect(checkOutputDirectory('--out', at('a/b/c')).missing).toEqual([]);
  });

  it('refuses a directory under a regular file, a FIFO, a dangling symlink and too deep a chain of missing levels', () => {
    writeFileSync(at('file'), 'x');
    execFileSync('mkfifo', [at('pipe')]);
    symlinkSync('nowhere', at('dangling'));
    expect(refusal(() => checkOutputDirectory('--out', at('file/sweep')))).toBe(`--out ${at('file/sweep')}: ${at('file')} is not a directory`);
    expect(refusal(() => checkOutputDirectory('--out', at('file')))).toBe(`--out ${at('file')}: is a regular file, not a directory`);
    expect(refusal(() => checkOutputDirectory('--out', at('pipe')))).toBe(`--out ${at('pipe')}: is a FIFO, not a directory`);
    expect(refusal(() => checkOutputDirectory('--out', at('dangling')))).toMatch(/dangling symlink/);
    expect(refusal(() => checkOutputDirectory('--out', at(Array.from({ length: 40 }, (_, i) => `d${i}`).join('/'))))).toMatch(/more than 32 directory levels/);
    expect(existsSync(at('d0'))).toBe(false);
  });

  it.runIf(existsSync('/proc/self'))('fails at once where mkdir cannot create (under /proc), instead of looping', () => {
    // As root the check passes and mkdir fails; as another user /proc is not writable and the check refuses.
    const message = refusal(() => createOutputDirectory(checkOutputDirectory('--out', '/proc/nope/sweep')));
    expect(message).toMatch(/^--out \/proc\/nope\/sweep: cannot create (directory \/proc\/nope \(ENOENT\)|it: \/proc is not writable)$/);
  });
});
