// fast-check for test authors: "this scenario keeps these checks under any fault schedule of a profile"
// as one call. fast-check draws (seed, schedule) pairs and shrinks a failing schedule; the failure
// message names a replay file written for the shrunk counterexample, so `faultline replay FILE` reruns it.

import fc from 'fast-check';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-file.js';
import { findScenario } from '../scenarios/index.js';
import type { FaultEntry } from '../sim/faults.js';
import type { Scenario } from '../sim/scenario.js';
import { executeRun, prepareRun, type PreparedRun, type RunResult } from '../sim/run.js';
import { SEED_MAX } from '../sim/rng.js';
import type { Micros } from '../sim/time.js';
import { faultScheduleArbitrary, type ScheduleProfile } from './arbitraries.js';
import { replayFileOf, serializeReplayFile } from './replay-file.js';

export { faultScheduleArbitrary, SCHEDULE_PROFILES, type ScheduleOptions, type ScheduleProfile } from './arbitraries.js';

export interface ScenarioPropertyOptions {
  /** A scenario, or the name of a registered one. */
  readonly scenario: string | Scenario;
  /** The fault profile schedules are drawn from. */
  readonly profile: ScheduleProfile;
  /** Checks that must hold; by default every `always` (safety) check of the scenario. */
  readonly checks?: readonly string[];
  readonly bug?: string;
  readonly nodes?: number;
  /** Fault phase length (shorter runs shrink faster); default: the scenario's. */
  readonly durationMicros?: Micros;
  readonly set?: readonly string[];
  readonly windowsMax?: number;
  /** fast-check's settings: runs, and its seed for a reproducible search. */
  readonly numRuns?: number;
  readonly fcSeed?: number;
  /** Where replay files of counterexamples go (default: the OS temp folder). */
  readonly replayDir?: string;
}

export interface ScenarioPropertyFailure {
  readonly seed: number;
  /** The schedule as first found failing, and after fast-check's shrinking. */
  readonly originalFaults: readonly FaultEntry[];
  readonly faults: readonly FaultEntry[];
  readonly failedChecks: readonly { readonly name: string; readonly message?: string }[];
  readonly replayFile: string;
  readonly replay: string;
  readonly numShrinks: number;
  /** fast-check's own replay settings: `{ seed, path }`. */
  readonly fastCheck: { readonly seed: number; readonly path: string | undefined };
  readonly message: string;
}

/** Runs the property; returns the shrunk failure (and writes its replay file), or undefined if it held. */
export function checkScenarioProperty(options: ScenarioPropertyOptions): ScenarioPropertyFailure | undefined {
  const scenario = typeof options.scenario === 'string' ? findScenario(options.scenario) : options.scenario;
  if (!scenario) throw new Error(`checkScenarioProperty: unknown scenario '${String(options.scenario)}'`);
  const probe = prepareRun({ scenario, seed: 0, nodeCount: options.nodes, durationMicros: options.durationMicros, set: options.set, bug: options.bug, nemesis: 'none' });
  const watched = options.checks ?? probe.setup.checkers.filter((c) => c.kind === 'always').map((c) => c.name);
  const schedules = faultScheduleArbitrary({
    profile: options.profile,
    targets: probe.targets,
    durationMicros: probe.durationMicros,
    baseLatency: probe.setup.network.latency,
    ...(options.windowsMax !== undefined ? { windowsMax: options.windowsMax } : {}),
  });
  // Searching and shrinking run only the watched checks (no costly ones, no waiting for recovery); the
  // counterexample is then run in full for its replay file.
  const runOne = (seed: number, faults: FaultEntry[], full = false): { prepared: PreparedRun; result: RunResult } => {
    const prepared = prepareRun({
      scenario, seed, nodeCount: probe.nodeCount, durationMicros: probe.durationMicros, set: options.set, bug: options.bug,
      faults: { raw: faults, source: 'fast-check schedule' }, ...(full ? {} : { checks: watched }),
    });
    return { prepared, result: executeRun(prepared) };
  };
  const failing = (result: RunResult) => result.checks.filter((c) => watched.includes(c.name) && !c.ok);

  let original: FaultEntry[] | undefined;
  const details = fc.check(
    // A seed is not "smaller" for being a smaller number: only the schedule shrinks.
    fc.property(fc.noShrink(fc.integer({ min: 0, max: SEED_MAX })), schedules, (seed, faults) => {
      const ok = failing(runOne(seed, faults).result).length === 0;
      if (!ok && original === undefined) original = faults;
      return ok;
    }),
    { numRuns: options.numRuns ?? 50, ...(options.fcSeed !== undefined ? { seed: options.fcSeed } : {}) },
  );
  if (!details.failed || details.counterexample === null) return undefined;

  const [seed, faults] = details.counterexample;
  const { prepared, result } = runOne(seed, faults, true);
  const dir = options.replayDir ?? join(tmpdir(), 'faultline-counterexamples');
  mkdirSync(dir, { recursive: true });
  const replayFile = join(dir, `${scenario.name}-${seed}-${faults.length}faults.json`);
  writeFileAtomically(replayFile, serializeReplayFile(replayFileOf(prepared, result)));
  const failedChecks = failing(result).map((c) => ({ name: c.name, ...(c.message !== undefined ? { message: c.message } : {}) }));
  const replay = `faultline replay ${replayFile}`;
  const message = [
    `${scenario.name}${options.bug ? ` (${options.bug})` : ''} under ${options.profile} schedules: ${failedChecks.map((c) => c.name).join(', ')} failed`,
    `  shrunk to seed ${seed} with ${faults.length} fault entries (first found with ${original?.length ?? '?'}) after ${details.numShrinks} shrinks`,
    ...failedChecks.map((c) => `  ${c.name}: ${c.message ?? ''}`),
    `  replay: ${replay}`,
    `  fast-check: { seed: ${details.seed}, path: "${details.counterexamplePath ?? ''}" }`,
  ].join('\n');
  return {
    seed, faults, originalFaults: original ?? faults, failedChecks, replayFile, replay, numShrinks: details.numShrinks,
    fastCheck: { seed: details.seed, path: details.counterexamplePath ?? undefined }, message,
  };
}

/** For vitest (or any runner): throws an Error whose message names the shrunk schedule's replay file. */
export function assertScenarioProperty(options: ScenarioPropertyOptions): void {
  const failure = checkScenarioProperty(options);
  if (failure !== undefined) throw new Error(failure.message);
}
