// One batch of a sweep: the seeds a worker thread runs for one task. Each seed is prepared and
// executed exactly as `faultline run` would (prepareRun + executeRun, nothing shared between seeds but
// loaded code), so a seed's fingerprint does not depend on its batch, its worker or the worker count.
// Only a small summary per run crosses the thread boundary; a failure also carries its replay file, and
// with `--history` every run its client history's text.

import { threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { replayCommand } from '../reports/replay-command.js';
import { findScenario } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import type { RunMetrics } from '../sim/metrics.js';
import type { NemesisProfile } from '../sim/nemesis.js';
import { executeRun, prepareRun, type Outcome } from '../sim/run.js';
import type { Micros } from '../sim/time.js';
import { replayFileOf, violatedChecks, type ReplayFile } from './replay-file.js';
import { fromOperations, historyText, type HistoryFormat } from '../sim/check/history-out.js';
import type { ModelName } from '../sim/check/models.js';

/** What every run of a sweep shares: plain data, so that it can be posted to a worker. */
export interface SweepRunConfig {
  readonly scenario: string;
  readonly nodeCount?: number;
  readonly durationMicros?: Micros;
  readonly nemesis?: NemesisProfile;
  readonly set: readonly string[];
  readonly bug?: string;
  /** The file URL of a user's scenario module (`--scenarios`) that workers load before running. */
  readonly scenariosModule?: string;
  /** That module's path as the user gave it, which replay commands repeat (`--scenarios PATH`). */
  readonly scenariosModuleArg?: string;
}

export interface BatchTask {
  readonly config: SweepRunConfig;
  readonly seeds: readonly number[];
  /** Stop the batch after its first failing seed (the sweep will stop there anyway). */
  readonly stopOnFailure: boolean;
  /** Build a replay file for each failure (only when the sweep writes them: they are the big part). */
  readonly replayFiles: boolean;
  /** The faultline version to stamp on replay files (read once by the main thread). */
  readonly version: string;
  /** `sweep --history`: each run's client history, as text in this format for this model. */
  readonly history?: SweepHistory;
}

/** What `sweep --history` writes per seed: the format, and the model the scenario's checker uses. */
export interface SweepHistory {
  readonly format: HistoryFormat;
  readonly model: ModelName;
}

/** A failed check, as runs.jsonl, the summary and replay files name it. */
export interface FailedCheck {
  readonly name: string;
  readonly kind: string;
  readonly message?: string;
  readonly atMicros?: Micros;
}

/** The summary of one run that a worker sends back. */
export interface RunSummary {
  readonly seed: number;
  readonly outcome: Outcome;
  readonly fingerprint: string;
  /** The checks that failed (empty for a pass). */
  readonly checks: readonly FailedCheck[];
  readonly stats: { readonly events: number; readonly messagesSent: number; readonly simulatedMicros: Micros; readonly wallMillis: number };
  readonly metrics: RunMetrics;
  readonly replay: string;
  /** The self-describing replay file, for failures when the task asked for replay files. */
  readonly replayFile?: ReplayFile;
  /** The run's client history as text, when the task asked for histories. */
  readonly historyText?: string;
}

export type BatchResult =
  | { readonly ok: true; readonly runs: readonly RunSummary[]; readonly threadId: number }
  | { readonly ok: false; readonly seed: number; readonly inputError: string };

/** Runs the seeds of one batch in order. Pure in everything but the wall-clock `wallMillis`. */
export function runBatch(task: BatchTask): BatchResult {
  const scenario = findScenario(task.config.scenario);
  if (!scenario) return { ok: false, seed: task.seeds[0] ?? 0, inputError: `unknown scenario '${task.config.scenario}'` };
  const runs: RunSummary[] = [];
  for (const seed of task.seeds) {
    let summary: RunSummary;
    try {
      summary = runOne(task, scenario, seed);
    } catch (error) {
      // The main thread validated the first seed; a seed-specific input problem is still the user's.
      if (error instanceof InputError) return { ok: false, seed, inputError: error.message };
      throw error;
    }
    runs.push(summary);
    if (task.stopOnFailure && summary.outcome !== 'pass') break;
  }
  return { ok: true, runs, threadId };
}

function runOne(task: BatchTask, scenario: NonNullable<ReturnType<typeof findScenario>>, seed: number): RunSummary {
  const { config } = task;
  const started = performance.now();
  const prepared = prepareRun({
    scenario, seed, nodeCount: config.nodeCount, durationMicros: config.durationMicros, nemesis: config.nemesis,
    set: config.set, bug: config.bug,
  });
  const result = executeRun(prepared);
  const wallMillis = Math.round((performance.now() - started) * 10) / 10;
  return {
    seed,
    outcome: result.outcome,
    fingerprint: result.fingerprint,
    checks: violatedChecks(result.checks),
    stats: { events: result.stats.events, messagesSent: result.stats.messagesSent, simulatedMicros: result.stats.simulatedMicros, wallMillis },
    metrics: result.metrics,
    replay: replayCommand(prepared, config.scenariosModuleArg),
    ...(result.outcome !== 'pass' && task.replayFiles ? { replayFile: replayFileOf(prepared, result, task.version) } : {}),
    ...(task.history ? { historyText: historyText(task.history.format, fromOperations(result.simulator.history.operations), task.history.model, null) } : {}),
  };
}
