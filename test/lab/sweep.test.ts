// The sweep engine: seed ranges and shards, fingerprints from the worker pool equal to in-process runs,
// --stop-on-failure independent of the worker count, the --out layout with failure files that replay,
// and merge reproducing an unsharded sweep while naming missing and duplicate seeds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readReplayFile } from '../../lab/replay-file.js';
import { runBatch, type RunSummary } from '../../lab/sweep-batch.js';
import { buildSweepWorkerFile, sweepWorkerFile } from '../../lab/sweep-worker-file.js';
import { coverageProblems, mergeExitCode, mergeSweepDirs, sweepDifferences, type RunLine, type SummaryFile } from '../../lab/sweep-out.js';
import { sweepVerdict } from '../../lab/sweep-report.js';
import {
  batchSize, BATCH_SEEDS_MAX, parseSeedRange, parseShard, prepareSweep, runSweep, shardSeeds, shardSize, sweepExitCode,
  type SweepRequest, type SweepSummary,
} from '../../lab/sweep.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { executeRun, prepareRun } from '../../sim/run.js';

const work = mkdtempSync(join(tmpdir(), 'faultline-sweep-'));
/** A scenario whose planted bug fails some seeds (liveness) and not others: seeds 2, 5, 7 … of 1..12. */
const MIXED = { scenario: 'broadcast-lossy', bug: 'broadcast/no-retransmit', set: [] as string[] };

async function sweep(request: Omit<SweepRequest, 'workers'> & { workers?: number }) {
  const runs: RunSummary[] = [];
  const result = await runSweep(prepareSweep({ workers: 2, ...request }), { onRun: (run) => runs.push(run) });
  return { ...result, runs };
}

/** The summary without what depends on the wall clock or on sharding. */
function comparable(summary: SweepSummary) {
  const { wallMillis: _wall, eventsPerSecond: _rate, shard: _shard, ...rest } = summary;
  return rest;
}

describe('seed ranges and shards', () => {
  it('parses A..B and single seeds, and names the problem otherwise', () => {
    expect(parseSeedRange('1..1000')).toEqual({ from: 1, to: 1000 });
    expect(parseSeedRange('7')).toEqual({ from: 7, to: 7 });
    expect(parseSeedRange('0..4294967295')).toEqual({ from: 0, to: 4294967295 });
    expect(() => parseSeedRange('5..1')).toThrow(/range is empty/);
    expect(() => parseSeedRange('1..4294967296')).toThrow(InputError);
    expect(() => parseSeedRange('1-10')).toThrow(/expected a range such as 1..1000/);
    expect(() => parseSeedRange('-3')).toThrow(InputError);
  });

  it('parses i/n with 1 ≤ i ≤ n', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '3', 'a/b', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(InputError);
  });

  it('n shards partition the range exactly, each taking every n-th seed', () => {
    for (const [from, to] of [[1, 1], [1, 10], [0, 99], [5, 17], [4294967290, 4294967295]] as const) {
      const range = { from, to };
      const all = shardSeeds(range, undefined);
      expect(all).toEqual(Array.from({ length: to - from + 1 }, (_, k) => from + k));
      for (const count of [1, 2, 3, 7, 12]) {
        const shards = Array.from({ length: count }, (_, i) => shardSeeds(range, { index: i + 1, count }));
        shards.forEach((seeds, i) => {
          expect(seeds.length).toBe(shardSize(range, { index: i + 1, count }));
          for (const seed of seeds) expect((seed - from) % count).toBe(i);
        });
        expect(shards.flat().sort((a, b) => a - b)).toEqual(all);
      }
    }
  });

  it('batches shrink as the seeds run out, down to one seed, so every worker stays busy to the end', () => {
    expect(batchSize(1_000, 2)).toBe(BATCH_SEEDS_MAX);
    expect(batchSize(1_000_000, 64)).toBe(BATCH_SEEDS_MAX);
    expect(batchSize(100, 2)).toBe(12);
    expect(batchSize(9, 2)).toBe(1);
    expect(batchSize(1, 2)).toBe(1);
    let remaining = 1_000;
    const sizes: number[] = [];
    while (remaining > 0) {
      sizes.push(batchSize(remaining, 2));
      remaining -= sizes.at(-1)!;
    }
    expect(sizes.every((size, i) => i === 0 || size <= sizes[i - 1]!)).toBe(true);
    expect(sizes.slice(-8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(sizes.length).toBeLessThan(100);
  });
});

describe('prepareSweep', () => {
  it('rejects bad input before anything runs or is written', () => {
    const base = { config: { scenario: 'broadcast-chaos', set: [] }, seeds: { from: 1, to: 3 } };
    expect(() => prepareSweep({ ...base, config: { scenario: 'nope', set: [] } })).toThrow(/unknown scenario 'nope'/);
    expect(() => prepareSweep({ ...base, workers: 0 })).toThrow(/--workers 0/);
    expect(() => prepareSweep({ ...base, shard: { index: 3, count: 2 } })).toThrow(/shard 3\/2/);
    expect(() => prepareSweep({ ...base, config: { scenario: 'broadcast-chaos', set: ['nosuch=1'] } })).toThrow(InputError);
    expect(() => prepareSweep({ ...base, config: { scenario: 'broadcast-chaos', set: [], bug: 'raft/stale-read' } })).toThrow(/--bug raft\/stale-read/);
    expect(() => prepareSweep({ ...base, config: { scenario: 'broadcast-chaos', set: [], nodeCount: 1 } })).toThrow(/--nodes 1/);
    const taken = join(work, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'summary.json'), '{}');
    expect(() => prepareSweep({ ...base, out: taken })).toThrow(/already holds a finished sweep \(summary.json\)/);
    const fresh = join(work, 'never-created');
    prepareSweep({ ...base, out: fresh });
    expect(existsSync(fresh)).toBe(false);
  });
});

describe('runSweep', () => {
  it('gives each seed the fingerprint of running it alone in-process, on workers that each run many seeds', async () => {
    const config = { scenario: 'raft-chaos', durationMicros: 1_000_000, set: [] };
    const { runs, summary, threadIds, batches } = await sweep({ config, seeds: { from: 1, to: 6 } });
    const scenario = findScenario('raft-chaos')!;
    expect(runs.map((r) => r.seed)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const run of runs) {
      const alone = executeRun(prepareRun({ scenario, seed: run.seed, durationMicros: 1_000_000 }));
      expect(run.fingerprint, `seed ${run.seed}`).toBe(alone.fingerprint);
      expect(run.outcome).toBe(alone.outcome);
      expect(run.stats.events).toBe(alone.stats.events);
    }
    expect(summary).toMatchObject({ scenario: 'raft-chaos', seeds: { from: 1, to: 6 }, shard: null, runs: 6 });
    expect(summary.events).toBe(runs.reduce((sum, r) => sum + r.stats.events, 0));
    expect(threadIds.length).toBeGreaterThanOrEqual(1);
    expect(threadIds.length).toBeLessThanOrEqual(2);
    expect(batches).toBeGreaterThan(threadIds.length);
  });

  it('workers load one bundled module named by its content hash, and its batches equal in-process runs', async () => {
    const url = sweepWorkerFile();
    expect(url).toMatch(/\/sweep-worker-[0-9a-f]{16}\.mjs$/);
    const path = fileURLToPath(url);
    expect(existsSync(path)).toBe(true);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)).toBe(/sweep-worker-([0-9a-f]{16})/.exec(url)![1]);
    expect(path).toContain(join('node_modules', '.cache', 'faultline'));
    // A damaged file (a crash mid-write elsewhere, an edit) is never loaded: the next build rewrites it.
    writeFileSync(path, 'export default () => { throw new Error("damaged"); };');
    expect(buildSweepWorkerFile()).toBe(url);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)).toBe(/sweep-worker-([0-9a-f]{16})/.exec(url)![1]);
    const { default: runBundledBatch } = (await import(url)) as { default: typeof runBatch };
    const task = { config: MIXED, seeds: [1, 2, 3], stopOnFailure: false, replayFiles: true, version: 'test' };
    const strip = (result: ReturnType<typeof runBatch>) =>
      result.ok ? result.runs.map(({ stats: { wallMillis: _wall, ...stats }, ...run }) => ({ ...run, stats })) : result;
    expect(strip(runBundledBatch(task))).toEqual(strip(runBatch(task)));
  });

  it('counts safety and liveness failures, lists them in seed order, and picks the exit code', async () => {
    const { summary, runs } = await sweep({ config: MIXED, seeds: { from: 1, to: 12 } });
    expect(summary.runs).toBe(12);
    expect(summary.passed + summary.safetyFailures + summary.livenessFailures).toBe(12);
    expect(summary.livenessFailures).toBeGreaterThan(0);
    expect(summary.failures.map((f) => f.seed)).toEqual(runs.filter((r) => r.outcome !== 'pass').map((r) => r.seed));
    expect(summary.failures[0]).toMatchObject({ seed: 2, outcome: 'liveness-violation', replay: 'faultline run broadcast-lossy --seed 2 --bug broadcast/no-retransmit' });
    expect(summary.failures[0]!.checks[0]).toMatchObject({ name: 'all-delivered', kind: 'eventually' });
    expect(sweepExitCode(summary)).toBe(3);
    // Without --out, workers send back summaries only: no replay files cross the thread boundary.
    expect(runs.every((r) => r.replayFile === undefined)).toBe(true);
    expect(sweepExitCode({ safetyFailures: 1, livenessFailures: 4 })).toBe(1);
    expect(sweepExitCode({ safetyFailures: 0, livenessFailures: 0 })).toBe(0);
  });

  it('--stop-on-failure keeps exactly the seeds up to the first failure, whatever the worker count', async () => {
    for (const workers of [1, 2]) {
      const { summary, runs } = await sweep({ config: MIXED, seeds: { from: 1, to: 40 }, workers, stopOnFailure: true });
      expect(runs.map((r) => r.seed), `${workers} workers`).toEqual([1, 2]);
      expect(summary).toMatchObject({ runs: 2, passed: 1, livenessFailures: 1, stoppedEarly: true });
    }
  });

  it('--out writes runs.jsonl in seed order, a replay file per failure that replays to its fingerprint, and summary.json last', async () => {
    const out = join(work, 'out');
    const { summary } = await sweep({ config: MIXED, seeds: { from: 1, to: 8 }, out });
    expect(readdirSync(out).sort()).toEqual(['failures', 'runs.jsonl', 'summary.json']);
    const lines = readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunLine);
    expect(lines.map((l) => l.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['scenario', 'seed', 'shard', 'outcome', 'fingerprint', 'checks', 'stats', 'metrics', 'replay']));
      expect(typeof line.stats.events).toBe('number');
      expect(line.checks.length > 0).toBe(line.outcome !== 'pass');
    }
    const failing = lines.filter((l) => l.outcome !== 'pass');
    expect(readdirSync(join(out, 'failures')).sort()).toEqual(failing.map((l) => `broadcast-lossy-${l.seed}.json`).sort());
    for (const line of failing) {
      expect(line.failureFile).toBe(`failures/broadcast-lossy-${line.seed}.json`);
      const { file, request } = readReplayFile(join(out, line.failureFile!));
      expect(file.expected.fingerprint).toBe(line.fingerprint);
      const again = executeRun(prepareRun(request));
      expect(again.fingerprint).toBe(line.fingerprint);
      expect(again.outcome).toBe(line.outcome);
    }
    const written = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SummaryFile;
    expect(written).toMatchObject({ format: 'faultline-sweep/1', config: { scenario: 'broadcast-lossy', bug: 'broadcast/no-retransmit' }, ...comparable(summary) });
    expect(readdirSync(out).some((name) => name.includes('.tmp'))).toBe(false);
  });

  it('--out takes over an unfinished sweep\'s directory (a retried shard), removing its leftovers', async () => {
    const out = join(work, 'retried');
    mkdirSync(join(out, 'failures'), { recursive: true });
    writeFileSync(join(out, 'runs.jsonl'), '{"half":');
    writeFileSync(join(out, 'runs.jsonl.tmp-99'), '{"half":');
    writeFileSync(join(out, 'failures', 'broadcast-lossy-99.json'), '{}');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await sweep({ config: MIXED, seeds: { from: 1, to: 2 }, out, workers: 1 });
    expect(readdirSync(out).sort()).toEqual(['failures', 'notes.txt', 'runs.jsonl', 'summary.json']);
    expect(readdirSync(join(out, 'failures'))).toEqual(['broadcast-lossy-2.json']);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('merge', () => {
  it('shard directories merge into the unsharded summary; a missing or repeated shard is named', async () => {
    const seeds = { from: 1, to: 12 };
    const whole = await sweep({ config: MIXED, seeds });
    const dirs = [1, 2, 3].map((index) => join(work, `shard-${index}`));
    for (const [i, dir] of dirs.entries()) await sweep({ config: MIXED, seeds, shard: { index: i + 1, count: 3 }, out: dir, workers: 1 });

    const merged = mergeSweepDirs(dirs);
    expect(comparable(merged.summary)).toEqual(comparable(whole.summary));
    expect(merged.summary.shard).toBeNull();
    expect(coverageProblems(merged.coverage)).toEqual([]);
    expect(mergeExitCode(merged)).toBe(3);

    const partial = mergeSweepDirs([dirs[0]!, dirs[2]!]);
    expect(partial.coverage).toMatchObject({ missingSeeds: 4, firstMissingSeeds: [2, 5, 8, 11], missingShards: [2] });
    expect(coverageProblems(partial.coverage)[0]).toBe('4 seeds of the range not run (shard 2 of 3 absent): 2, 5, 8, 11');
    // The header never says ALL PASSED for an incomplete merge, with or without failures.
    const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain(sweepVerdict(merged.summary, merged.coverage))).toBe('LIVENESS FAILURES');
    expect(plain(sweepVerdict(partial.summary, partial.coverage))).toBe('LIVENESS FAILURES · INCOMPLETE: 4 of 12 seeds not run; shard 2 of 3 absent');
    const passing = { ...partial.summary, livenessFailures: 0 };
    expect(plain(sweepVerdict(passing, partial.coverage))).toBe('INCOMPLETE: 4 of 12 seeds not run; shard 2 of 3 absent');
    expect(plain(sweepVerdict(passing, merged.coverage))).toBe('ALL PASSED');
    expect(mergeExitCode({ ...partial, summary: passing })).toBe(2);

    const twice = mergeSweepDirs([...dirs, dirs[1]!]);
    expect(twice.summary.runs).toBe(12);
    expect(twice.coverage).toMatchObject({ duplicateSeeds: 4, firstDuplicateSeeds: [2, 5, 8, 11], conflicts: [] });
    expect(mergeExitCode({ ...twice, summary: { ...twice.summary, livenessFailures: 0 } })).toBe(2);
    expect(plain(sweepVerdict({ ...twice.summary, livenessFailures: 0 }, twice.coverage))).toBe('ALL PASSED · 4 seeds run more than once');
  });

  it('refuses a directory that is not a finished sweep, or that swept something else', async () => {
    expect(() => mergeSweepDirs([join(work, 'nowhere')])).toThrow(/summary.json: cannot read the sweep summary/);
    const other = join(work, 'other');
    await sweep({ config: { scenario: 'broadcast-lossy', set: [] }, seeds: { from: 1, to: 2 }, out: other, workers: 1 });
    const mine = join(work, 'mine');
    await sweep({ config: MIXED, seeds: { from: 1, to: 2 }, out: mine, workers: 1 });
    expect(() => mergeSweepDirs([mine, other])).toThrow(`merge: ${mine} and ${other} are different sweeps: bug broadcast/no-retransmit vs none`);
    const longer = join(work, 'longer');
    await sweep({ config: { ...MIXED, set: ['lossRatio=10%'] }, seeds: { from: 1, to: 4 }, out: longer, workers: 1 });
    expect(() => mergeSweepDirs([mine, longer])).toThrow(`merge: ${mine} and ${longer} are different sweeps: seeds 1..2 vs 1..4; params.lossRatio 0.2 vs 0.1`);
  });

  it('names each field in which two sweeps differ, a duration as a duration', () => {
    const config = { scenario: 'raft-chaos', bug: null, nemesis: 'chaos', nodes: 5, durationMicros: 10_000_000, params: { electionTimeoutMicrosMin: 150_000, clients: 3 } };
    const a = { config, seeds: { from: 1, to: 100 } };
    expect(sweepDifferences(a, a)).toEqual([]);
    expect(sweepDifferences(a, { config, seeds: { from: 1, to: 40 } })).toEqual(['seeds 1..100 vs 1..40']);
    const b = { config: { ...config, nodes: 3, durationMicros: 2_500_000, params: { electionTimeoutMicrosMin: 300_000, clients: 3 } }, seeds: a.seeds };
    expect(sweepDifferences(a, b)).toEqual(['nodes 5 vs 3', 'duration 10s vs 2.5s', 'params.electionTimeoutMicrosMin 150ms vs 300ms']);
    expect(sweepDifferences(a, { config: { ...config, scenario: 'broadcast-lossy', params: {} }, seeds: a.seeds })).toEqual(['scenario raft-chaos vs broadcast-lossy']);
  });
});
