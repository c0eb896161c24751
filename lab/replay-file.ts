// Replay files: one self-describing JSON file per run (usually a failure) — scenario, parameters, seed,
// bug, the explicit fault schedule, the violated checks, the expected fingerprint and the faultline
// version. Meant to be edited by hand and replayed; an invalid edit is an InputError naming the field.

import { readFileSync } from 'node:fs';
import { findScenario, scenarios } from '../scenarios/index.js';
import type { CheckResult } from '../sim/check.js';
import { InputError } from '../sim/errors.js';
import type { FaultEntry } from '../sim/faults.js';
import type { Outcome, PreparedRun, RunRequest, RunResult } from '../sim/run.js';
import { isValidSeed, SEED_MAX } from '../sim/rng.js';
import { allParams, formatParamValue, parseParamValue, resolveParams } from '../sim/scenario.js';
import { DURATION_MAX_TEXT, DURATION_MICROS_MAX, type Micros } from '../sim/time.js';

export const REPLAY_FORMAT = 'faultline-replay/1';

export interface ReplayFile {
  readonly format: typeof REPLAY_FORMAT;
  /** The faultline version that wrote the file. */
  readonly faultline: string;
  readonly scenario: string;
  readonly seed: number;
  readonly bug: string | null;
  readonly nodes: number;
  readonly durationMicros: Micros;
  /** Every parameter's value (defaults included), so the file says everything the run used. */
  readonly params: Readonly<Record<string, number | string>>;
  /** The profile that drew the schedule originally (informative: replay always uses `faults`). */
  readonly nemesis: string;
  readonly faults: readonly FaultEntry[];
  readonly expected: {
    readonly outcome: Outcome;
    readonly fingerprint: string;
    /** The checks that failed (empty for a passing run). */
    readonly violated: readonly { readonly name: string; readonly kind: string; readonly message?: string; readonly atMicros?: Micros }[];
  };
}

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The replay file of a run that has been executed. */
export function replayFileOf(prepared: PreparedRun, result: Pick<RunResult, 'outcome' | 'fingerprint' | 'checks'>, version = readVersion()): ReplayFile {
  return {
    format: REPLAY_FORMAT,
    faultline: version,
    scenario: prepared.scenario.name,
    seed: prepared.seed,
    bug: prepared.bug ?? null,
    nodes: prepared.nodeCount,
    durationMicros: prepared.durationMicros,
    params: { ...prepared.params },
    nemesis: prepared.faultsSource !== undefined ? 'explicit' : prepared.nemesis,
    faults: [...prepared.faults],
    expected: { outcome: result.outcome, fingerprint: result.fingerprint, violated: violatedChecks(result.checks) },
  };
}

export function violatedChecks(checks: readonly CheckResult[]): ReplayFile['expected']['violated'] {
  return checks.filter((c) => !c.ok).map((c) => ({
    name: c.name, kind: c.kind,
    ...(c.message !== undefined ? { message: c.message } : {}),
    ...(c.atMicros !== undefined ? { atMicros: c.atMicros } : {}),
  }));
}

export function serializeReplayFile(file: ReplayFile): string {
  return JSON.stringify(file, null, 2) + '\n';
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
  const scenario = findScenario(r.scenario as string) ?? fail('scenario', `unknown scenario '${r.scenario}' (known: ${scenarios.map((s) => s.name).join(', ')})`);
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

export function readReplayFile(path: string): { file: ReplayFile; request: RunRequest } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  return parseReplayFile(raw, path);
}
