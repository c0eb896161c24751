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
import { findScenario, scenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import { suggestionOrKnown } from '../sim/suggest.js';
import type { PreparedRun, RunRequest, RunResult } from '../sim/run.js';
import { isValidSeed, SEED_MAX } from '../sim/rng.js';
import { allParams, formatParamValue, parseParamValue, resolveParams } from '../sim/scenario.js';
import { DURATION_MAX_TEXT, DURATION_MICROS_MAX } from '../sim/time.js';
import { loadScenarioModule, scenarioModuleOf } from './user-scenarios.js';
import { buildReplayFile, REPLAY_FORMAT, type ReplayFile } from './replay-file-data.js';

export { REPLAY_FORMAT, compareInputs, describeEditedFields, inputDigestsOf, serializeReplayFile, violatedChecks } from './replay-file-data.js';
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
 * Validates a parsed replay file (from `source`, for messages) and turns it into a run request.
 * Every problem is an InputError that names the field.
 */
export function parseReplayFile(raw: unknown, source: string): { file: ReplayFile; request: RunRequest } {
  const fail = (field: string, problem: string): never => {
    throw new InputError(`${source}: ${field}: ${problem}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('file', 'expected a JSON object written by faultline (sweep --out, shrink, or a test helper)');
  const r = raw as Record<string, unknown>;
  if (r.format !== REPLAY_FORMAT) fail('format', `expected "${REPLAY_FORMAT}"; got ${JSON.stringify(r.format)}`);
  if (typeof r.scenario !== 'string') fail('scenario', 'expected a scenario name');
  const scenario = findScenario(r.scenario as string) ?? fail('scenario', `unknown scenario '${r.scenario}' (${suggestionOrKnown(String(r.scenario), scenarios.map((s) => s.name))})`);
  if (typeof r.seed !== 'number' || !isValidSeed(r.seed)) fail('seed', `expected an integer from 0 to ${SEED_MAX}; got ${JSON.stringify(r.seed)}`);
  if (r.bug !== null && r.bug !== undefined && typeof r.bug !== 'string') fail('bug', 'expected a planted bug name or null');
  if (typeof r.bug === 'string' && !scenario.bugs.some((b) => b.name === r.bug)) {
    fail('bug', `scenario ${scenario.name} has no planted bug '${r.bug}' (known: ${scenario.bugs.map((b) => b.name).join(', ') || 'none'})`);
  }
  if (typeof r.nodes !== 'number' || !Number.isInteger(r.nodes)) fail('nodes', `expected an integer from ${scenario.minNodes} to ${scenario.maxNodes}`);
  if (typeof r.durationMicros !== 'number' || !Number.isSafeInteger(r.durationMicros)) fail('durationMicros', 'expected an integer number of microseconds');
  if ((r.durationMicros as number) > DURATION_MICROS_MAX) fail('durationMicros', `at most ${DURATION_MICROS_MAX} (${DURATION_MAX_TEXT} of simulated time); got ${r.durationMicros}`);
  const params = r.params ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) fail('params', 'expected an object of parameter values');
  const specs = allParams(scenario);
  const set: string[] = [];
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    const spec = specs.find((s) => s.name === name) ?? fail(`params.${name}`, `unknown parameter for scenario ${scenario.name}`);
    if (typeof value !== 'number' && typeof value !== 'string') fail(`params.${name}`, 'expected a number or a string');
    if (value === spec.default) continue;
    const text = typeof value === 'number' ? formatParamValue(spec, value) : String(value);
    try {
      parseParamValue(spec, text);
    } catch (error) {
      fail(`params.${name}`, (error as Error).message.replace(/^--set [^:]*: /, '') + `; got ${JSON.stringify(value)}`);
    }
    set.push(`${name}=${text}`);
  }
  try {
    resolveParams(scenario, set);
  } catch (error) {
    // Each value is valid alone (checked above); what is left is a min/max pair the wrong way round.
    fail('params', (error as Error).message.replace(/^--set /, ''));
  }
  if (!Array.isArray(r.faults)) fail('faults', 'expected a list of fault entries');
  const expected = r.expected as Record<string, unknown> | undefined;
  if (expected === undefined || expected === null || typeof expected !== 'object') fail('expected', 'expected an object { outcome, fingerprint, violated }');
  if (!['pass', 'safety-violation', 'liveness-violation'].includes(expected!.outcome as string)) fail('expected.outcome', 'expected pass, safety-violation or liveness-violation');
  if (typeof expected!.fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(expected!.fingerprint)) fail('expected.fingerprint', 'expected 16 hex digits');
  const inputs = expected!.inputs;
  if (inputs !== undefined) {
    if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) fail('expected.inputs', 'expected the object of input digests faultline wrote (or remove it)');
    for (const [field, digest] of Object.entries(inputs as Record<string, unknown>)) {
      if (typeof digest !== 'string' || !/^[0-9a-f]{16}$/.test(digest)) fail(`expected.inputs.${field}`, `expected 16 hex digits; got ${JSON.stringify(digest)}`);
    }
  }
  const request: RunRequest = {
    scenario,
    seed: r.seed as number,
    nodeCount: r.nodes as number,
    durationMicros: r.durationMicros as number,
    set,
    ...(typeof r.bug === 'string' ? { bug: r.bug } : {}),
    faults: { raw: r.faults, source: source },
  };
  return { file: raw as ReplayFile, request };
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
