// The pure part of replay files (lab/replay-file.ts): the format, the input digests, building and writing
// a file from a run, and parsing one back into a run request. Node-free, so the playground page writes and
// opens the very files `faultline replay` reads; SHA-256 comes from @noble/hashes, which gives the digests
// node:crypto gave, bit for bit.

import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { findScenario, scenarios } from '../scenarios/index.js';
import type { CheckResult } from '../sim/check.js';
import { InputError } from '../sim/errors.js';
import type { FaultEntry } from '../sim/faults.js';
import { isValidSeed, SEED_MAX } from '../sim/rng.js';
import type { Outcome, PreparedRun, RunRequest, RunResult } from '../sim/run.js';
import { allParams, formatParamValue, parseParamValue, resolveParams } from '../sim/scenario.js';
import { suggestionOrKnown } from '../sim/suggest.js';
import { DURATION_MAX_TEXT, DURATION_MICROS_MAX, type Micros } from '../sim/time.js';

export const REPLAY_FORMAT = 'faultline-replay/1';

export interface ReplayFile {
  readonly format: typeof REPLAY_FORMAT;
  /** The faultline version that wrote the file. */
  readonly faultline: string;
  readonly scenario: string;
  /**
   * The file path of the user's module the scenario came from (`--scenarios`), absent for a built-in
   * scenario; replay and shrink load it when the scenario is not known otherwise. A relative path is
   * taken from the replay file's directory.
   */
  readonly scenarios?: string;
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
    /** Digests of the inputs the run used, by field (absent from files written by older faultline builds). */
    readonly inputs?: InputDigests;
  };
}

/**
 * A digest (16 hex digits of the SHA-256 of the RFC 8785 canonical JSON) of each input that determines a
 * run, by field: `scenario`, `seed`, `bug`, `nodes`, `durationMicros`, `params.NAME` for every parameter,
 * and `faults` (as parsed: times in microseconds, fields in a fixed order). The nemesis is left out
 * (replay always uses the explicit faults) and so is the faultline version: the same inputs under
 * another version should give the same fingerprint, and when they do not that is what replay reports.
 */
export type InputDigests = Readonly<Record<string, string>>;

/** Fields named in a message about edited inputs. */
const EDITED_FIELDS_NAMED_MAX = 6;

/** 16 hex digits of the SHA-256 of the value's RFC 8785 canonical JSON. */
export function digestOf(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalize(value) ?? 'undefined'))).slice(0, 16);
}

/** The digest of each input of a prepared run (see {@link InputDigests}). */
export function inputDigestsOf(prepared: PreparedRun): InputDigests {
  const digests: Record<string, string> = {
    scenario: digestOf(prepared.scenario.name),
    seed: digestOf(prepared.seed),
    bug: digestOf(prepared.bug ?? null),
    nodes: digestOf(prepared.nodeCount),
    durationMicros: digestOf(prepared.durationMicros),
  };
  for (const name of Object.keys(prepared.params).sort()) digests[`params.${name}`] = digestOf(prepared.params[name]);
  digests.faults = digestOf(prepared.faults);
  return digests;
}

/** Whether a replay file's inputs were edited since it was recorded, and which fields. */
export interface InputsComparison {
  /** null: the file records no digests (written by an older faultline), so an edit cannot be told. */
  readonly edited: boolean | null;
  /** The fields whose value differs from the recorded one (`faults`, `params.clients` …). */
  readonly fields: readonly string[];
}

/**
 * Compares the inputs a replay file now describes (`prepared`, from the file as parsed) with the digests
 * it recorded. A parameter the recorded digests do not know is an edit only if the file sets it (else it
 * is one that a newer faultline added, at its default).
 */
export function compareInputs(file: ReplayFile, prepared: PreparedRun): InputsComparison {
  const recorded = file.expected.inputs;
  if (recorded === undefined) return { edited: null, fields: [] };
  const current = inputDigestsOf(prepared);
  const fields: string[] = [];
  for (const [field, digest] of Object.entries(current)) {
    const before = recorded[field];
    if (before === undefined && field.startsWith('params.') && !Object.hasOwn(file.params ?? {}, field.slice('params.'.length))) continue;
    if (before !== digest) fields.push(field);
  }
  return { edited: fields.length > 0, fields };
}

/** `faults, params.clients` (at most a few, then how many more). */
export function describeEditedFields(fields: readonly string[]): string {
  const named = fields.slice(0, EDITED_FIELDS_NAMED_MAX).join(', ');
  return fields.length > EDITED_FIELDS_NAMED_MAX ? `${named} and ${fields.length - EDITED_FIELDS_NAMED_MAX} more` : named;
}

/**
 * The replay file of a run that has been executed, written by faultline `version`; `scenarios` is the file
 * path of the user's module its scenario came from (absent for a built-in scenario).
 */
export function buildReplayFile(prepared: PreparedRun, result: Pick<RunResult, 'outcome' | 'fingerprint' | 'checks'>, version: string, scenarios?: string): ReplayFile {
  return {
    format: REPLAY_FORMAT,
    faultline: version,
    scenario: prepared.scenario.name,
    ...(scenarios !== undefined ? { scenarios } : {}),
    seed: prepared.seed,
    bug: prepared.bug ?? null,
    nodes: prepared.nodeCount,
    durationMicros: prepared.durationMicros,
    params: { ...prepared.params },
    nemesis: prepared.faultsSource !== undefined ? 'explicit' : prepared.nemesis,
    faults: [...prepared.faults],
    expected: { outcome: result.outcome, fingerprint: result.fingerprint, violated: violatedChecks(result.checks), inputs: inputDigestsOf(prepared) },
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
