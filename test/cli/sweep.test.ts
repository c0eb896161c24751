// End-to-end tests of `faultline sweep` and `faultline merge`: exit codes, the --json contract, the
// table with replay commands, progress on stderr only, sharded --out directories merged back into the
// unsharded summary, and one-line errors (exit 2, nothing written) for every kind of bad input.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace, ROOT, type Ran } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('sweep-cli');



function json(r: Ran) {
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

/** The summary without what depends on the wall clock or on sharding. */
function comparable(summary: Record<string, unknown>) {
  const { wallMillis: _wall, eventsPerSecond: _rate, shard: _shard, coverage: _coverage, ...rest } = summary;
  return rest;
}

describe('faultline sweep', () => {
  it('catches a planted bug: exit 1, a table of the failures and their replay commands', () => {
    const r = faultline('sweep', 'broadcast-lossy', '--bug', 'broadcast/no-dedup', '--seeds', '1..6', '--workers', '2');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('SAFETY FAILURES');
    expect(r.stdout).toMatch(/safety failures\s*│\s*6/);
    expect(r.stdout).toMatch(/first failing seeds\s*│\s*1, 2, 3, 4, 5, …/);
    expect(r.stdout).toContain('no-duplicate-delivery');
    expect(r.stdout).toContain('faultline run broadcast-lossy --seed 1 --bug broadcast/no-dedup');
    expect(r.stdout).toMatch(/events\/s/);
    expect(r.stdout).toMatch(/wall time\s*│\s*[\d.]+(ms|s) /);
    // Not a terminal: plain progress lines on stderr, ending with all runs done.
    expect(r.stderr).toMatch(/sweep broadcast-lossy: 6\/6 runs, 6 failed/);
  });

  it('--json prints exactly one object of the documented shape', () => {
    const r = faultline('sweep', 'broadcast-lossy', '--bug', 'broadcast/no-dedup', '--seeds', '1..6', '--workers', '2', '--json');
    expect(r.status).toBe(1);
    const s = json(r);
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['scenario', 'seeds', 'shard', 'runs', 'passed', 'safetyFailures', 'livenessFailures', 'failures', 'wallMillis', 'eventsPerSecond']));
    expect(s).toMatchObject({ scenario: 'broadcast-lossy', seeds: { from: 1, to: 6 }, shard: null, runs: 6, passed: 0, safetyFailures: 6, livenessFailures: 0 });
    expect(s.failures).toHaveLength(6);
    expect(s.failures[0]).toMatchObject({ seed: 1, outcome: 'safety-violation', replay: 'faultline run broadcast-lossy --seed 1 --bug broadcast/no-dedup' });
    expect(s.failures[0].checks[0]).toMatchObject({ name: 'no-duplicate-delivery', kind: 'always' });
    expect(s.eventsPerSecond).toBeGreaterThan(0);
  });

  it('exits 0 when every seed passes and 3 when only liveness failed', () => {
    const pass = faultline('sweep', 'broadcast-chaos', '--seeds', '1..3', '--workers', '2', '--json');
    expect(pass.status).toBe(0);
    expect(json(pass)).toMatchObject({ runs: 3, passed: 3, failures: [] });
    const liveness = faultline('sweep', 'broadcast-lossy', '--bug', 'broadcast/no-retransmit', '--seeds', '1..4', '--workers', '2', '--json');
    expect(liveness.status).toBe(3);
    expect(json(liveness)).toMatchObject({ safetyFailures: 0, livenessFailures: 1, failures: [{ seed: 2, outcome: 'liveness-violation' }] });
  });

  it('--stop-on-failure ends at the first failing seed', () => {
    const r = faultline('sweep', 'broadcast-lossy', '--bug', 'broadcast/no-retransmit', '--seeds', '1..30', '--workers', '2', '--stop-on-failure', '--json');
    expect(r.status, r.stderr).toBe(3);
    expect(json(r)).toMatchObject({ runs: 2, passed: 1, livenessFailures: 1, stoppedEarly: true });
  });

  it("README's --stop-on-failure example stops early (on a sweep that fails)", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = readme.split('\n').find((line) => /^npx faultline sweep .*--stop-on-failure/.test(line));
    expect(example, 'README has a `faultline sweep … --stop-on-failure` example').toBeDefined();
    const args = example!.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
    // At most 50 seeds, so a README example that never fails costs seconds, not minutes.
    const at = args.indexOf('--seeds');
    const [from, to] = args[at + 1]!.split('..').map(Number) as [number, number];
    const last = Math.min(to, from + 49);
    args[at + 1] = `${from}..${last}`;
    const r = faultline(...args, '--workers', '2', '--json');
    const summary = json(r);
    expect(summary.stoppedEarly, example).toBe(true);
    expect(summary.runs).toBeLessThan(last - from + 1);
    expect(r.status).toBe(summary.safetyFailures > 0 ? 1 : 3);
  });

  it('shards written with --out merge into the unsharded summary; a missing shard is named (INCOMPLETE, exit 2); different sweeps name the field', () => {
    const args = ['broadcast-lossy', '--bug', 'broadcast/no-retransmit', '--seeds', '1..8', '--set', 'lossRatio=10%'];
    const whole = json(faultline('sweep', ...args, '--workers', '2', '--json'));
    const dirs = ['s1', 's2'].map((d) => join(work, d));
    for (const [i, dir] of dirs.entries()) {
      const r = faultline('sweep', ...args, '--workers', '1', '--shard', `${i + 1}/2`, '--out', dir, '--json');
      expect(json(r).shard).toEqual({ index: i + 1, count: 2 });
      expect(readdirSync(dir).sort()).toEqual(['failures', 'runs.jsonl', 'summary.json']);
    }
    const merged = faultline('merge', ...dirs, '--json');
    expect(merged.stderr).toBe('');
    const m = json(merged);
    expect(comparable(m)).toEqual(comparable(whole));
    expect(m.shard).toBeNull();
    expect(m.coverage).toMatchObject({ missingSeeds: 0, duplicateSeeds: 0, conflicts: [] });
    expect(merged.status).toBe(whole.livenessFailures > 0 ? 3 : 0);

    const table = faultline('merge', ...dirs);
    expect(table.stdout).toMatch(/runs\s*│\s*8/);

    // Only shard 1 of a passing sweep: not a whole sweep.
    const ok = join(work, 'ok1');
    faultline('sweep', 'broadcast-chaos', '--seeds', '1..4', '--shard', '1/2', '--workers', '1', '--out', ok);
    const partial = faultline('merge', ok);
    expect(partial.status).toBe(2);
    expect(partial.stdout).toContain('warning: 2 seeds of the range not run (shard 2 of 2 absent): 2, 4');
    expect(partial.stdout.split('\n')[1]).toBe('INCOMPLETE: 2 of 4 seeds not run; shard 2 of 2 absent');
    expect(partial.stdout).not.toContain('ALL PASSED');

    // Shards of two different sweeps: one line naming the field that differs, no dump.
    const shorter = join(work, 'ok2');
    faultline('sweep', 'broadcast-chaos', '--seeds', '1..2', '--shard', '2/2', '--workers', '1', '--out', shorter);
    const different = faultline('merge', ok, shorter);
    expect(different.status).toBe(2);
    expect(different.stderr).toBe(`faultline: merge: ${ok} and ${shorter} are different sweeps: seeds 1..4 vs 1..2\n`);
  });

  describe('bad input: one line on stderr, exit 2, nothing written', () => {
    const cases: [string, string[], RegExp][] = [
      ['unknown scenario', ['sweep', 'nope'], /unknown scenario 'nope'/],
      ['reversed range', ['sweep', 'broadcast-chaos', '--seeds', '9..3'], /--seeds 9..3: the range is empty/],
      ['malformed range', ['sweep', 'broadcast-chaos', '--seeds', '1-5'], /--seeds 1-5: expected a range/],
      ['seed too large', ['sweep', 'broadcast-chaos', '--seeds', '1..4294967296'], /seeds are integers from 0 to 4294967295/],
      ['shard 0', ['sweep', 'broadcast-chaos', '--shard', '0/3'], /--shard 0\/3: the shard number must be from 1 to 3/],
      ['shard past n', ['sweep', 'broadcast-chaos', '--shard', '4/3'], /--shard 4\/3/],
      ['malformed shard', ['sweep', 'broadcast-chaos', '--shard', 'two'], /--shard two: expected i\/n/],
      ['zero workers', ['sweep', 'broadcast-chaos', '--workers', '0'], /--workers 0: expected a positive integer/],
      ['unknown parameter', ['sweep', 'broadcast-chaos', '--set', 'nosuch=1'], /nosuch/],
      ['unknown bug', ['sweep', 'broadcast-chaos', '--bug', 'raft/stale-read'], /--bug raft\/stale-read/],
      ['unknown nemesis', ['sweep', 'broadcast-chaos', '--nemesis', 'gremlins'], /gremlins/],
      ['bad duration', ['sweep', 'broadcast-chaos', '--duration', 'soon'], /--duration soon/],
      ['merge of nothing finished', ['merge', 'no-such-dir'], /no-such-dir\/summary.json: cannot read the sweep summary/],
    ];
    for (const [name, args, message] of cases) {
      it(name, () => {
        const out = join(work, `bad-${name.replace(/\W+/g, '-')}`);
        const r = faultline(...args, ...(args[0] === 'sweep' ? ['--out', out] : []));
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
        expect(existsSync(out)).toBe(false);
      });
    }

    it('an --out directory that already holds a sweep', () => {
      const taken = join(work, 'taken');
      mkdirSync(taken);
      writeFileSync(join(taken, 'summary.json'), '{}');
      const r = faultline('sweep', 'broadcast-chaos', '--seeds', '1..2', '--out', taken);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`faultline: --out ${taken}: already holds a finished sweep (summary.json); choose a new directory or remove it`);
      expect(readdirSync(taken)).toEqual(['summary.json']);
    });
  });

  it('sweep and merge have --help', () => {
    for (const verb of ['sweep', 'merge']) {
      const r = faultline(verb, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Usage: faultline ${verb}`);
    }
    expect(faultline('sweep', '--help').stdout).toMatch(/--shard <i\/n>/);
  });
});
