// Replay files: one self-describing JSON file per run (usually a failure) — scenario, parameters, seed,
// bug, the explicit fault schedule, the violated checks, the expected fingerprint and the faultline
// version. Meant to be edited by hand and replayed; an invalid edit is an InputError naming the field.
// The file also records a digest of each input that determines the run, so that replay can tell a hand
// edit (a new run) from the same inputs giving another fingerprint (a code change, or nondeterminism).
// The pure part (format, digests, building and writing a file) is lab/replay-file-data.ts, which the playground page uses too.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputJson } from './input-file.js';
import { findScenario } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import type { PreparedRun, RunRequest, RunResult } from '../sim/run.js';
import { loadScenarioModule, scenarioModuleOf } from './user-scenarios.js';
import { buildReplayFile, parseReplayFile, type ReplayFile } from './replay-file-data.js';

export { REPLAY_FORMAT, compareInputs, describeEditedFields, inputDigestsOf, parseReplayFile, serializeReplayFile, violatedChecks } from './replay-file-data.js';
export type { InputDigests, InputsComparison, ReplayFile } from './replay-file-data.js';

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The replay file of a run that has been executed. */
export function replayFileOf(prepared: PreparedRun, result: Pick<RunResult, 'outcome' | 'fingerprint' | 'checks'>, version = readVersion()): ReplayFile {
  const module = scenarioModuleOf(prepared.scenario);
  return buildReplayFile(prepared, result, version, module !== undefined ? fileURLToPath(module) : undefined);
}

/**
 * Loads the user's scenario module a replay file names (its `scenarios` field), unless its scenario is
 * already known (a built-in, or loaded by `--scenarios`). A file that cannot be read or parsed is left
 * to {@link readReplayFile}, which names the problem; a module that cannot be loaded is an InputError.
 */
export async function loadReplayFileScenarios(path: string): Promise<void> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return;
  }
  if (raw === null || typeof raw !== 'object') return;
  const { scenario, scenarios: module } = raw as Record<string, unknown>;
  if (typeof scenario !== 'string' || findScenario(scenario) !== undefined) return;
  if (module === undefined) return;
  if (typeof module !== 'string' || module === '') {
    throw new InputError(`${path}: scenarios: expected the path of the module that exports scenario ${scenario}; got ${JSON.stringify(module)}`);
  }
  try {
    await loadScenarioModule(resolve(dirname(path), module), `${path}: scenarios`);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(`${error.message}; give --scenarios MODULE to load scenario ${scenario} from elsewhere`);
  }
}

export function readReplayFile(path: string): { file: ReplayFile; request: RunRequest } {
  return parseReplayFile(readInputJson(path), path);
}
