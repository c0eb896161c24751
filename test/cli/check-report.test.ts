// `faultline check --report`: the HTML picture is written for every verdict with the verdict's exit code,
// `-` puts it alone on stdout (the summary on stderr), and a bad target is one line, exit 2, before any
// work, with an existing file left as it was.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace, expectOneLineExit2 } from './cli-helpers.js';
import { generateHistory } from '../../sim/check/generate-history.js';
import { Rng } from '../../sim/rng.js';

const { work, faultline } = cliWorkspace('check-report');
const check = (...args: string[]) => faultline('check', ...args);

const staleOps = [
  { client: 'c1', call: 0, return: 10, input: { op: 'put', key: 'x', value: 1 }, output: {} },
  { client: 'c2', call: 12, return: 20, input: { op: 'put', key: 'x', value: 2 }, output: {} },
  { client: 'c1', call: 25, return: 30, input: { op: 'get', key: 'x' }, output: { value: 1 } },
  { client: 'c3', call: 1, return: 5, input: { op: 'put', key: 'a', value: 7 }, output: {} },
];
writeFileSync(join(work, 'stale.json'), JSON.stringify({ model: 'kv', operations: staleOps }));
writeFileSync(join(work, 'good.json'), JSON.stringify({ model: 'kv', operations: generateHistory({ model: 'kv', clients: 5, operations: 60, keys: 3 }, Rng.fromSeed(4)) }));
writeFileSync(join(work, 'hard.json'), JSON.stringify({ model: 'register', operations: generateHistory({ model: 'register', clients: 10, operations: 6_000 }, Rng.fromSeed(3)) }));
writeFileSync(join(work, 'stale.edn'), [
  '{:process :nemesis, :type :info, :f :start, :time 100}',
  '{:process 0, :type :invoke, :f :write, :value 1, :time 1000}', '{:process 0, :type :ok, :f :write, :value 1, :time 2000}',
  '{:process 0, :type :invoke, :f :write, :value 2, :time 3000}', '{:process 0, :type :ok, :f :write, :value 2, :time 4000}',
  '{:process 1, :type :invoke, :f :read, :value nil, :time 5000}', '{:process 1, :type :ok, :f :read, :value 1, :time 6000}',
].join('\n'));

/** The report's embedded data. */
function dataOf(html: string): { verdict: string; unit: string; ignored: string | null; subHistories: { key: string; bars: { order?: number; blocked?: boolean }[] }[] } {
  const match = /<script type="application\/json" id="check-data">(.*?)<\/script>/s.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!);
}

describe('faultline check --report', () => {
  it('a not-linearizable history: exit 1, the summary on stdout, the page written and announced', () => {
    const r = check('stale.json', '--report', 'stale.html');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('NOT LINEARIZABLE');
    expect(r.stderr).toMatch(/^wrote stale\.html \(\d+(\.\d)? kB\)\n$/);
    const html = readFileSync(join(work, 'stale.html'), 'utf8');
    // Self-contained: no external script, style, link or image (the browser test watches for requests too).
    expect(html).not.toMatch(/<script[^>]+src=|<link |@import|url\(\s*['"]?https?:|<img /);
    const data = dataOf(html);
    expect(data.verdict).toBe('not-linearizable');
    expect(data.subHistories.map((s) => s.key)).toEqual(['x', 'a']);
    expect(data.subHistories[0]!.bars.filter((b) => b.order !== undefined)).toHaveLength(2);
    expect(data.subHistories[0]!.bars.filter((b) => b.blocked)).toHaveLength(1);
  });

  it('a linearizable history: exit 0; with --json the one object stays alone on stdout', () => {
    const r = check('good.json', '--report', 'good.html', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'linearizable', operations: 60 });
    expect(dataOf(readFileSync(join(work, 'good.html'), 'utf8')).verdict).toBe('linearizable');
  });

  it('a budget that runs out: exit 3, the page says unknown', () => {
    const r = check('hard.json', '--timeout', '1us', '--report', 'hard.html');
    expect(r.status).toBe(3);
    expect(dataOf(readFileSync(join(work, 'hard.html'), 'utf8')).verdict).toBe('unknown');
  });

  it('an EDN history: drawn in :time nanoseconds, the nemesis entry counted as ignored', () => {
    const r = check('stale.edn', '--report', 'stale-edn.html');
    expect(r.status).toBe(1);
    const data = dataOf(readFileSync(join(work, 'stale-edn.html'), 'utf8'));
    expect(data.unit).toBe('nanos');
    expect(data.ignored).toMatch(/ignored 1 event of non-client process \(:?nemesis\)/);
  });

  it('--report -: the page alone on stdout, the summary on stderr', () => {
    const r = check('stale.json', '--report', '-');
    expect(r.status).toBe(1);
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('</html>')).toBe(true);
    expect(r.stderr).toContain('NOT LINEARIZABLE');
    expect(r.stderr).not.toContain('wrote');
  });

  describe('bad targets: one line, exit 2, nothing written', () => {
    it('a missing folder', () => {
      expectOneLineExit2(check('stale.json', '--report', 'no-such-dir/r.html'), /^faultline: --report no-such-dir\/r\.html: directory no-such-dir does not exist$/m);
    });

    it('a directory', () => {
      mkdirSync(join(work, 'a-dir'), { recursive: true });
      expectOneLineExit2(check('stale.json', '--report', 'a-dir'), /--report a-dir: is a directory, not a regular file/);
      expect(statSync(join(work, 'a-dir')).isDirectory()).toBe(true);
    });

    it('the history file itself (also through another path): refused, the history left as it was', () => {
      const before = readFileSync(join(work, 'stale.json'), 'utf8');
      expectOneLineExit2(check('stale.json', '--report', 'stale.json'), /--report stale\.json: is the history file stale\.json itself; name another file/);
      expectOneLineExit2(check('stale.json', '--report', './a-dir/../stale.json'), /is the history file stale\.json itself/);
      expect(readFileSync(join(work, 'stale.json'), 'utf8')).toBe(before);
    });

    it('- together with --json', () => {
      expectOneLineExit2(check('stale.json', '--report', '-', '--json'), /--report -: standard output is taken by --json; name a file/);
    });

    it('checked before the history is read: a bad target wins over a missing history', () => {
      expectOneLineExit2(check('nope.json', '--report', 'no-such-dir/r.html'), /--report no-such-dir\/r\.html/);
    });

    it('an existing report is not damaged when the check fails on bad input', () => {
      writeFileSync(join(work, 'keep.html'), 'old page');
      writeFileSync(join(work, 'broken.json'), '{"model":"kv","operations":[{"client":"c1"}]}');
      expectOneLineExit2(check('broken.json', '--report', 'keep.html'), /broken\.json: operation #1/);
      expect(readFileSync(join(work, 'keep.html'), 'utf8')).toBe('old page');
    });
  });
});
