// `--history FILE.edn|.json` on run, replay and sweep: `faultline check` reads each file back with no
// flags and agrees with the run's own linearizability checker, on a passing run and on a planted bug;
// a bad extension, or a scenario with no client history, is one line, exit 2, and no file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('history-out');
const SCENARIO = 'raft-partition-leader-minority';
const BUG = 'raft/stale-read';

/** The run's own verdict on its history, in faultline check's words. */
function ownVerdict(seed: number, bug?: string): string {
  const result = executeRun(prepareRun({ scenario: findScenario(SCENARIO)!, seed, bug }));
  return result.checks.find((c) => c.name === 'linearizable-history')!.ok ? 'linearizable' : 'not-linearizable';
}

/** The first seed on which the planted bug breaks linearizability (found, not hard-coded). */
function firstNonLinearizableSeed(): number {
  for (let seed = 1; seed <= 40; seed++) if (ownVerdict(seed, BUG) === 'not-linearizable') return seed;
  throw new Error(`${BUG} never broke linearizability on ${SCENARIO} seeds 1..40`);
}

function checkVerdict(file: string): { verdict: string; model: string; status: number | null } {
  const r = faultline('check', file, '--json');
  expect(r.stderr).toBe('');
  const json = JSON.parse(r.stdout) as { verdict: string; model: string };
  return { verdict: json.verdict, model: json.model, status: r.status };
}

describe('faultline run --history', () => {
  it('a kv run: check reads h.edn and h.json with no flags and gives the run\'s own verdict', () => {
    for (const file of ['h.edn', 'h.json']) {
      const r = faultline('run', SCENARIO, '--seed', '2', '--history', file);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`wrote ${file.replace('.', '\\.')} \\(`));
      expect(checkVerdict(file)).toEqual({ verdict: ownVerdict(2), model: 'kv', status: 0 });
    }
    const edn = readFileSync(join(work, 'h.edn'), 'utf8').split('\n');
    expect(edn[0]).toMatch(/^\{:index 0, :time \d+000, :type :invoke, :process \d+, :f :(read|write|cas|append), :key "k\d+", :value .*\}$/);
    expect(JSON.parse(readFileSync(join(work, 'h.json'), 'utf8'))).toMatchObject({ model: 'kv', initial: null });
  }, 60_000);

  it('a planted bug (raft/stale-read) that fails linearizability in the run is not-linearizable from check too, in both formats', () => {
    const seed = String(firstNonLinearizableSeed());
    for (const file of ['bug.edn', 'bug.json']) {
      const r = faultline('run', SCENARIO, '--seed', seed, '--bug', BUG, '--history', file);
      expect(r.status).toBe(1);
      expect(checkVerdict(file)).toEqual({ verdict: 'not-linearizable', model: 'kv', status: 1 });
    }
  }, 120_000);

  it('a bad extension is one line, exit 2, before the run: no file is written', () => {
    for (const file of ['h.txt', 'history']) {
      const r = faultline('run', SCENARIO, '--seed', '1', '--history', file);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`--history ${file}: the extension picks the format: .edn (Jepsen) or .json (faultline)`);
      expect(r.stdout).toBe('');
      expect(existsSync(join(work, file))).toBe(false);
    }
  });

  it('a scenario with no client history is refused before the run', () => {
    const r = faultline('run', 'broadcast-lossy', '--seed', '1', '--history', 'b.edn');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^faultline: --history: scenario broadcast-lossy records no client history that faultline check reads/);
    expect(existsSync(join(work, 'b.edn'))).toBe(false);
  });
});

describe('faultline replay --history and sweep --history', () => {
  it('replay writes the same history as the run it replays', () => {
    expect(faultline('run', SCENARIO, '--seed', '3', '--save', 'r3.json', '--history', 'run3.edn').status).toBe(0);
    const r = faultline('replay', 'r3.json', '--history', 'replay3.edn');
    expect(r.status).toBe(0);
    expect(readFileSync(join(work, 'replay3.edn'), 'utf8')).toBe(readFileSync(join(work, 'run3.edn'), 'utf8'));
    expect(faultline('replay', 'r3.json', '--history', 'replay3.xml').status).toBe(2);
    expect(existsSync(join(work, 'replay3.xml'))).toBe(false);
  }, 60_000);

  it('sweep --out DIR --history json: one history per seed, named like the failure files, each checked as the run checked it', () => {
    const r = faultline('sweep', SCENARIO, '--seeds', '4..6', '--workers', '1', '--out', 'sw', '--history', 'json', '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('3 history files in histories/');
    expect(readdirSync(join(work, 'sw', 'histories')).sort()).toEqual([4, 5, 6].map((s) => `${SCENARIO}-${s}.json`));
    for (const seed of [4, 5, 6]) expect(checkVerdict(`sw/histories/${SCENARIO}-${seed}.json`).verdict).toBe(ownVerdict(seed));
    const lines = readFileSync(join(work, 'sw', 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { historyFile: string });
    expect(lines.map((l) => l.historyFile)).toEqual([4, 5, 6].map((s) => `histories/${SCENARIO}-${s}.json`));
  }, 60_000);

  it('sweep --history without --out, or with a format other than edn or json, is one line, exit 2, and writes nothing', () => {
    const noOut = faultline('sweep', SCENARIO, '--seeds', '1..2', '--history', 'edn');
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toMatch(/^faultline: --history edn: a sweep writes one history per seed into its --out directory; add --out DIR\n$/);
    const bad = faultline('sweep', SCENARIO, '--seeds', '1..2', '--out', 'sw-bad', '--history', 'xml');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^faultline: --history xml: expected edn \(Jepsen\) or json \(faultline\)/);
    expect(existsSync(join(work, 'sw-bad'))).toBe(false);
  });
});
