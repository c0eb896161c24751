// Sweeps: run one scenario over a range of seeds on a pool of worker threads (piscina) and summarise.
// Seeds are independent jobs: a worker keeps its loaded code and runs a batch of seeds per task, and
// each seed runs exactly as `faultline run` would, so fingerprints do not depend on batching, workers
// or shards. Results are taken in seed order; `--shard i/n` splits a range across machines.

import { wilsonInterval, type RateWithInterval } from './stats.js';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { findScenario, scenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import { suggestionOrKnown } from '../sim/suggest.js';
import { NEMESIS_PROFILES } from '../sim/nemesis.js';
import { prepareRun, type Outcome, type PreparedRun } from '../sim/run.js';
import { SEED_MAX } from '../sim/rng.js';
import { readVersion } from './replay-file.js';
import type { BatchResult, BatchTask, FailedCheck, RunSummary, SweepHistory, SweepRunConfig } from './sweep-batch.js';
import { SweepOutput, type SweepWritten } from './sweep-out.js';
import { checkHistoryModel, historyModelOf, type HistoryFormat } from '../sim/check/history-out.js';
import { sweepWorkerFile } from './sweep-worker-file.js';
import { scenarioModuleArgOf, scenarioModuleOf } from './user-scenarios.js';

export type { FailedCheck, RunSummary, SweepRunConfig } from './sweep-batch.js';

export interface SeedRange {
  readonly from: number;
  readonly to: number;
}

/** Shard `index` of `count` (1-based): the seeds whose position in the range is ≡ index−1 (mod count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The largest batch of seeds sent to a worker in one task. */
export const BATCH_SEEDS_MAX = 16;
/**
 * A batch takes at most 1/(workers × this) of the seeds still to dispatch (guided scheduling): large
 * batches while much remains, single seeds at the end, so that no worker is left idle while another
 * finishes a long last batch.
 */
const REMAINING_SHARE_PER_WORKER = 4;
/** Tasks handed to the pool ahead of completion, per worker (the rest wait in seed order here). */
const TASKS_IN_FLIGHT_PER_WORKER = 2;

/** `A..B` (inclusive) or a single seed `N`. */
export function parseSeedRange(text: string): SeedRange {
  const match = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim());
  if (!match) throw new InputError(`--seeds ${text}: expected a range such as 1..1000 or a single seed`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  for (const seed of [from, to]) {
    if (seed > SEED_MAX) throw new InputError(`--seeds ${text}: seeds are integers from 0 to ${SEED_MAX}; got ${seed}`);
  }
  if (from > to) throw new InputError(`--seeds ${text}: the range is empty (${from} is after ${to})`);
  return { from, to };
}

/** `i/n` with 1 ≤ i ≤ n. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new InputError(`--shard ${text}: expected i/n such as 2/8 (shard i of n, 1-based)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new InputError(`--shard ${text}: the number of shards must be at least 1`);
  if (index < 1 || index > count) throw new InputError(`--shard ${text}: the shard number must be from 1 to ${count}`);
  return { index, count };
}

export function rangeSize(range: SeedRange): number {
  return range.to - range.from + 1;
}

/** How many seeds of the range a shard runs. */
export function shardSize(range: SeedRange, shard: Shard | undefined): number {
  const total = rangeSize(range);
  if (!shard) return total;
  const offset = shard.index - 1;
  return total <= offset ? 0 : Math.ceil((total - offset) / shard.count);
}

/** The k-th seed (0-based) a shard runs. */
export function shardSeed(range: SeedRange, shard: Shard | undefined, k: number): number {
  return shard ? range.from + shard.index - 1 + k * shard.count : range.from + k;
}

/** The seeds a shard runs, in order (for tests and small ranges; the engine never lists them all). */
export function shardSeeds(range: SeedRange, shard: Shard | undefined): number[] {
  return Array.from({ length: shardSize(range, shard) }, (_, k) => shardSeed(range, shard, k));
}

export interface SweepRequest {
  readonly config: SweepRunConfig;
  readonly seeds: SeedRange;
  readonly shard?: Shard;
  /** Worker threads (default: os.availableParallelism()). */
  readonly workers?: number;
  readonly stopOnFailure?: boolean;
  /** Output directory for runs.jsonl, failures/ and summary.json. */
  readonly out?: string;
  /** `--history edn|json`: also write each seed's client history into out/histories/. */
  readonly history?: HistoryFormat;
}

/** A validated sweep: every input has been checked, and the first seed prepared. */
export interface PreparedSweep {
  readonly config: SweepRunConfig;
  readonly seeds: SeedRange;
  readonly shard: Shard | undefined;
  readonly workers: number;
  readonly stopOnFailure: boolean;
  readonly out: string | undefined;
  /** The first seed of the shard (or of the range, if the shard is empty), prepared. */
  readonly sample: PreparedRun;
  readonly version: string;
  /** With `--history`: the format and the model of the histories written per seed. */
  readonly history?: SweepHistory;
}

/**
 * Bound: worker threads per core. Each worker loads the whole engine, and threads beyond the cores only
 * take turns (64 workers on 2 cores took 964 MB and ran 5× slower than 2), so more are refused.
 */
export const WORKERS_PER_CORE_MAX = 4;

/** The most worker threads a sweep accepts on this machine. */
export function workersMax(): number {
  return WORKERS_PER_CORE_MAX * availableParallelism();
}

/** Validates a sweep up front; throws InputError with a one-line reason. Writes nothing. */
export function prepareSweep(request: SweepRequest): PreparedSweep {
  const scenario = findScenario(request.config.scenario);
  if (!scenario) throw new InputError(`unknown scenario '${request.config.scenario}' (${suggestionOrKnown(request.config.scenario, scenarios.map((s) => s.name))})`);
  const { from, to } = request.seeds;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > SEED_MAX || from > to) {
    throw new InputError(`seeds ${from}..${to}: expected a non-empty range of integers from 0 to ${SEED_MAX}`);
  }
  const shard = request.shard;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 1 && shard.index <= shard.count)) {
    throw new InputError(`shard ${shard.index}/${shard.count}: expected i/n with 1 ≤ i ≤ n`);
  }
  const workers = request.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new InputError(`--workers ${workers}: expected an integer of at least 1`);
  if (workers > workersMax()) {
    const cores = availableParallelism();
    throw new InputError(`--workers ${workers}: at most ${workersMax()} (${WORKERS_PER_CORE_MAX} per core, and this machine has ${cores} core${cores === 1 ? '' : 's'}); more threads only cost memory and time`);
  }
  if (request.config.nemesis !== undefined && !NEMESIS_PROFILES.includes(request.config.nemesis)) {
    throw new InputError(`--nemesis ${request.config.nemesis}: unknown profile (known: ${NEMESIS_PROFILES.join(', ')})`);
  }
  const firstSeed = shardSize(request.seeds, shard) > 0 ? shardSeed(request.seeds, shard, 0) : from;
  // Workers find the scenario by name, so they load the module a user's scenario came from first.
  const scenariosModule = request.config.scenariosModule ?? scenarioModuleOf(scenario);
  const scenariosModuleArg = request.config.scenariosModuleArg ?? scenarioModuleArgOf(scenario);
  const config = scenariosModule === undefined ? request.config
    : { ...request.config, scenariosModule, ...(scenariosModuleArg !== undefined ? { scenariosModuleArg } : {}) };
  const sample = prepareRun({
    scenario, seed: firstSeed, nodeCount: config.nodeCount, durationMicros: config.durationMicros, nemesis: config.nemesis,
    set: config.set, bug: config.bug,
  });
  let history: SweepHistory | undefined;
  if (request.history !== undefined) {
    if (request.out === undefined) throw new InputError(`--history ${request.history}: a sweep writes one history per seed into its --out directory; add --out DIR`);
    const model = historyModelOf(sample.setup.checkers, scenario.name, '--history');
    checkHistoryModel(request.history, model, '--history');
    history = { format: request.history, model };
  }
  if (request.out !== undefined) SweepOutput.checkWritable(request.out);
  return {
    config, seeds: request.seeds, shard, workers, stopOnFailure: request.stopOnFailure ?? false, out: request.out, sample,
    version: readVersion(), ...(history ? { history } : {}),
  };
}

/** The sweep's outcome in the shape `--json` prints (and `merge` reproduces). */
export interface SweepSummary {
  scenario: string;
  seeds: SeedRange;
  shard: Shard | null;
  runs: number;
  passed: number;
  safetyFailures: number;
  livenessFailures: number;
  failures: { seed: number; outcome: Outcome; checks: FailedCheck[]; replay: string }[];
  /** Simulated events over all runs. */
  events: number;
  wallMillis: number;
  eventsPerSecond: number;
  /** `--stop-on-failure` ended the sweep before the end of its seeds. */
  stoppedEarly: boolean;
  /** Failed runs (safety or liveness) over runs, with the rate's 95% Wilson interval: a catch rate when a bug is planted. Absent with no runs. */
  failureRate?: RateWithInterval;
}

/** How a sweep is going (after each batch). */
export interface SweepProgress {
  readonly done: number;
  readonly total: number;
  readonly failures: number;
  readonly events: number;
  readonly elapsedMillis: number;
}

export interface SweepHooks {
  onProgress?(progress: SweepProgress): void;
  /** Every run, in seed order. */
  onRun?(run: RunSummary): void;
  /** Abort: stop dispatching, end the workers, discard partial output; runSweep rejects with signal.reason. */
  signal?: AbortSignal;
}

export interface SweepResult {
  readonly summary: SweepSummary;
  /** The worker threads that ran batches (each ran many: the pool keeps them). */
  readonly threadIds: readonly number[];
  readonly batches: number;
  /** What went into the --out directory, if there was one. */
  readonly written?: SweepWritten;
}

/** Seeds in the next task, given how many remain to dispatch: few messages, and no idle worker at the end. */
export function batchSize(remaining: number, workers: number): number {
  return Math.max(1, Math.min(BATCH_SEEDS_MAX, Math.floor(remaining / (workers * REMAINING_SHARE_PER_WORKER))));
}

/**
 * Runs a prepared sweep. Batches are dispatched in seed order and their results taken in seed order.
 * With `stopOnFailure`, the sweep ends at its first failing seed in seed order: it keeps exactly the
 * runs up to and including that seed (so the result does not depend on the worker count); batches
 * already running beyond it are cancelled and their results discarded.
 */
export async function runSweep(sweep: PreparedSweep, hooks: SweepHooks = {}): Promise<SweepResult> {
  const started = performance.now();
  const total = shardSize(sweep.seeds, sweep.shard);
  /** Where each dispatched batch starts in the shard's seed order; batch b covers [starts[b], starts[b+1]). */
  const starts: number[] = [0];
  const output = sweep.out !== undefined ? SweepOutput.open(sweep.out, sweep.history !== undefined) : undefined;
  // No more threads than seeds: each thread costs a start-up (loader, modules, JIT warm-up).
  const threads = Math.max(1, Math.min(sweep.workers, total));
  const pool = new Piscina<BatchTask, BatchResult>({
    filename: sweepWorkerFile(),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
  // A worker that fails mid-batch rejects that batch's task, which fails the sweep below; the pool's own
  // 'error' event (a worker ending while its cancelled batch ran) must not crash the process as an
  // unhandled emitter error once the sweep has every run it needs.
  pool.on('error', ignorePoolError);
  const cancel = new AbortController();
  const threadIds = new Set<number>();
  const tally = new SweepTally();
  const finished = new Map<number, readonly RunSummary[]>();
  const inFlight = new Set<number>();
  let nextBatch = 0;
  let nextToTake = 0;
  /** The earliest batch known to hold a failure (with stopOnFailure: nothing after it is needed). */
  let stopBatch = Infinity;
  let done = 0;
  let failures = 0;
  let events = 0;
  let stoppedEarly = false;

  const seedsOf = (batch: number): number[] => {
    const first = starts[batch]!;
    const last = first + batchSize(total - first, threads);
    starts.push(last);
    return Array.from({ length: last - first }, (_, k) => shardSeed(sweep.seeds, sweep.shard, first + k));
  };
  const allDispatched = () => starts[starts.length - 1]! >= total;

  /** Takes finished batches in order; returns true when the sweep has all it needs. */
  const take = (): boolean => {
    while (finished.has(nextToTake)) {
      const batchRuns = finished.get(nextToTake)!;
      finished.delete(nextToTake);
      nextToTake++;
      for (const run of batchRuns) {
        tally.add(run);
        output?.writeRun(run, sweep);
        hooks.onRun?.(run);
        if (sweep.stopOnFailure && run.outcome !== 'pass') {
          stoppedEarly = tally.runs < total;
          return true;
        }
      }
    }
    return allDispatched() && nextToTake >= starts.length - 1;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const onAbort = () => fail(hooks.signal!.reason ?? new Error('sweep aborted'));
      if (hooks.signal?.aborted) return onAbort();
      hooks.signal?.addEventListener('abort', onAbort, { once: true });

      const dispatch = () => {
        while (!settled && !allDispatched() && nextBatch <= stopBatch && inFlight.size < threads * TASKS_IN_FLIGHT_PER_WORKER) {
          const batch = nextBatch++;
          inFlight.add(batch);
          const task: BatchTask = {
            config: sweep.config, seeds: seedsOf(batch), stopOnFailure: sweep.stopOnFailure, replayFiles: output !== undefined, version: sweep.version,
            ...(sweep.history ? { history: sweep.history } : {}),
          };
          pool.run(task, { signal: cancel.signal }).then((result) => settle(batch, result), (error) => {
            if (!settled) fail(error);
          });
        }
      };

      const settle = (batch: number, result: BatchResult) => {
        inFlight.delete(batch);
        if (settled) return;
        if (!result.ok) return fail(new InputError(`seed ${result.seed}: ${result.inputError}`));
        threadIds.add(result.threadId);
        finished.set(batch, result.runs);
        done += result.runs.length;
        const batchFailures = result.runs.filter((r) => r.outcome !== 'pass').length;
        failures += batchFailures;
        for (const run of result.runs) events += run.stats.events;
        if (sweep.stopOnFailure && batchFailures > 0) stopBatch = Math.min(stopBatch, batch);
        hooks.onProgress?.({ done, total, failures, events, elapsedMillis: performance.now() - started });
        if (take()) {
          settled = true;
          hooks.signal?.removeEventListener('abort', onAbort);
          return resolve();
        }
        dispatch();
      };

      if (total === 0) {
        settled = true;
        return resolve();
      }
      dispatch();
    });
  } catch (error) {
    cancel.abort();
    output?.abort();
    await pool.destroy();
    throw error;
  }
  // Batches beyond a stop are no longer needed: cancel them (a running one ends its worker). The sweep
  // has every run it needs, so a worker that fails while being ended changes nothing.
  if (inFlight.size > 0) cancel.abort();
  await pool.destroy().catch(ignorePoolError);

  const wallMillis = performance.now() - started;
  const summary = tally.summary({
    scenario: sweep.config.scenario, seeds: sweep.seeds, shard: sweep.shard ?? null, wallMillis, stoppedEarly,
  });
  const written = output?.commit(summary, sweep);
  return { summary, threadIds: [...threadIds].sort((a, b) => a - b), batches: nextToTake, ...(written !== undefined ? { written } : {}) };
}

/** See runSweep: pool-level errors after (or besides) the tasks' own rejections carry no news. */
function ignorePoolError(): void {}

/** Counts runs as they come (in seed order) without keeping them: a sweep may have millions. */
export class SweepTally {
  runs = 0;
  passed = 0;
  safetyFailures = 0;
  livenessFailures = 0;
  events = 0;
  readonly failures: SweepSummary['failures'] = [];

  add(run: Pick<RunSummary, 'seed' | 'outcome' | 'checks' | 'replay' | 'stats'>): void {
    this.runs++;
    this.events += run.stats.events;
    if (run.outcome === 'pass') {
      this.passed++;
      return;
    }
    if (run.outcome === 'safety-violation') this.safetyFailures++;
    else this.livenessFailures++;
    this.failures.push({ seed: run.seed, outcome: run.outcome, checks: [...run.checks], replay: run.replay });
  }

  /** The summary; `eventsPerSecond` is all events over `wallMillis` unless given. */
  summary(meta: { scenario: string; seeds: SeedRange; shard: Shard | null; wallMillis: number; stoppedEarly: boolean; eventsPerSecond?: number }): SweepSummary {
    const wallMillis = Math.round(meta.wallMillis * 10) / 10;
    return {
      scenario: meta.scenario,
      seeds: { from: meta.seeds.from, to: meta.seeds.to },
      shard: meta.shard ? { index: meta.shard.index, count: meta.shard.count } : null,
      runs: this.runs,
      passed: this.passed,
      safetyFailures: this.safetyFailures,
      livenessFailures: this.livenessFailures,
      failures: [...this.failures].sort((a, b) => a.seed - b.seed),
      events: this.events,
      wallMillis,
      eventsPerSecond: meta.eventsPerSecond ?? (wallMillis > 0 ? Math.round(this.events / (wallMillis / 1_000)) : 0),
      stoppedEarly: meta.stoppedEarly,
      ...(this.runs > 0 ? { failureRate: wilsonInterval(this.safetyFailures + this.livenessFailures, this.runs) } : {}),
    };
  }
}

/** Exit code of DESIGN.md: 1 if any safety failure, else 3 if any liveness failure, else 0. */
export function sweepExitCode(summary: Pick<SweepSummary, 'safetyFailures' | 'livenessFailures'>): number {
  return summary.safetyFailures > 0 ? 1 : summary.livenessFailures > 0 ? 3 : 0;
}
