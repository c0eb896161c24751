// The pure part of replay files (lab/replay-file.ts): the format, the input digests and building and
// writing a file from a run. Node-free, so the playground page writes the very file `faultline replay`
// reads; SHA-256 comes from @noble/hashes, which gives the digests node:crypto gave, bit for bit.

import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { CheckResult } from '../sim/check.js';
import type { FaultEntry } from '../sim/faults.js';
import type { Outcome, PreparedRun, RunResult } from '../sim/run.js';
import type { Micros } from '../sim/time.js';

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
