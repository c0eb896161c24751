// Scenarios: named, runnable set-ups (cluster + network + workload + checkers) with typed, tunable
// parameters. Each parameter declares a unit; `--set NAME=VALUE` text is parsed by that unit, and a
// value of the wrong unit or an unknown name is an InputError naming it.

import type { Checker } from './check.js';
import { InputError } from './errors.js';
import { suggestionOrKnown } from './suggest.js';
import type { NemesisProfile } from './nemesis.js';
import type { NetworkConfig } from './network.js';
import type { FaultEntry } from './faults.js';
import type { NodeId, NodeSpec } from './process.js';
import type { Rng } from './rng.js';
import type { RoleOracle } from './simulator.js';
import { assert } from './assert.js';
import { DURATION_MAX_TEXT, DURATION_MICROS_MAX, formatMicros, formatMicrosExact, parseDuration, type Micros } from './time.js';

export type ParamUnit = 'duration' | 'ratio' | 'integer' | 'number' | 'choice';

export interface ParamSpec {
  readonly name: string;
  readonly unit: ParamUnit;
  /** Durations in microseconds, ratios in 0…1. */
  readonly default: number | string;
  readonly description: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /**
   * The other half of a min/max pair: this parameter (the min) must not exceed the named one (the max).
   * Declared on the min only; `resolveParams` refuses a pair the wrong way round, whoever set it.
   */
  readonly maxParam?: string;
}

export type ParamValues = Readonly<Record<string, number | string>>;

export interface BugSpec {
  readonly name: string;
  readonly description: string;
  /** Scenarios whose sweeps catch the bug, the one that catches it most often first (README's tables). */
  readonly exposedBy?: readonly string[];
}

export interface ScenarioBuildOptions {
  readonly nodeCount: number;
  /** Length of the fault phase: workloads stop starting new operations when it ends. */
  readonly durationMicros: Micros;
  readonly params: ParamValues;
  /** The planted bug to switch on, if any (one of the scenario's `bugs`). */
  readonly bug: string | undefined;
}

export interface ScenarioSetup {
  readonly nodes: readonly NodeSpec[];
  readonly network: NetworkConfig;
  readonly checkers: readonly Checker[];
  /** Nodes the nemesis may fault (usually the servers). */
  readonly nemesisTargets: readonly NodeId[];
  /** How long the recovery phase may take before `eventually` checks fail. */
  readonly recoveryMicrosMax: Micros;
  /** Who leads now, for faults that name `@leader` or `@follower` (algorithms with a leader). */
  readonly roles?: RoleOracle;
  /** The scenario's own fault script, used when the nemesis is `scenario`. */
  readonly script?: (context: ScriptContext) => FaultEntry[];
}

export interface ScriptContext {
  readonly durationMicros: Micros;
  readonly servers: readonly NodeId[];
  readonly clients: readonly NodeId[];
  readonly rng: Rng;
}

export interface Scenario {
  readonly name: string;
  /** One line for `faultline list`. */
  readonly description: string;
  readonly algorithm: string;
  readonly defaultNemesis: NemesisProfile;
  readonly defaultNodes: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** Why the node range is what it is, when the scenario narrows its algorithm's (said when --nodes is outside it). */
  readonly nodesReason?: string;
  readonly defaultDurationMicros: Micros;
  readonly params: readonly ParamSpec[];
  readonly bugs: readonly BugSpec[];
  build(options: ScenarioBuildOptions): ScenarioSetup;
}

/** Parameters every scenario has: how the nemesis paces its faults. */
export const NEMESIS_PARAMS: readonly ParamSpec[] = [
  { name: 'nemesisGapMicros', unit: 'duration', default: 1_000_000, min: 1_000, description: 'mean time between faults at intensity 1' },
  { name: 'nemesisWindowMicrosMin', unit: 'duration', default: 200_000, min: 1, maxParam: 'nemesisWindowMicrosMax', description: 'shortest fault window (crash to restart, partition to heal)' },
  { name: 'nemesisWindowMicrosMax', unit: 'duration', default: 3_000_000, min: 1, description: 'longest fault window at intensity 1' },
  { name: 'nemesisIntensityStart', unit: 'number', default: 1, min: 0.01, max: 100, description: 'fault rate multiplier at the start of the fault phase' },
  { name: 'nemesisIntensityEnd', unit: 'number', default: 1, min: 0.01, max: 100, description: 'fault rate multiplier at the end (ramps linearly from the start value)' },
];

/** All parameters of a scenario: its own, then the nemesis ones. */
export function allParams(scenario: Scenario): readonly ParamSpec[] {
  return [...scenario.params, ...NEMESIS_PARAMS];
}

/** Parses one `--set` value by the parameter's unit. */
export function parseParamValue(spec: ParamSpec, text: string): number | string {
  const fail = (expected: string): never => {
    throw new InputError(`--set ${spec.name}=${text}: expected ${expected}`);
  };
  let value: number | string;
  switch (spec.unit) {
    case 'duration': {
      const micros = /^\d+$/.test(text) ? Number(text) : parseDuration(text);
      if (micros === undefined || !Number.isSafeInteger(micros)) return fail('a duration such as 150ms, 2s or 500us (or an integer of microseconds)');
      if (spec.max === undefined && micros > DURATION_MICROS_MAX) return fail(`at most ${DURATION_MAX_TEXT}, the longest simulated span faultline runs`);
      value = micros;
      break;
    }
    case 'ratio': {
      const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
      const ratio = percent ? Number(percent[1]) / 100 : /^\d*\.?\d+$/.test(text) ? Number(text) : NaN;
      if (!(ratio >= 0 && ratio <= 1)) return fail('a ratio from 0 to 1, such as 0.1 or 10%');
      value = ratio;
      break;
    }
    case 'integer': {
      if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) return fail('an integer');
      value = Number(text);
      break;
    }
    case 'number': {
      if (!/^-?\d*\.?\d+$/.test(text)) return fail('a number');
      value = Number(text);
      break;
    }
    case 'choice': {
      if (!spec.choices?.includes(text)) return fail(`one of ${spec.choices?.join(', ')}`);
      value = text;
      break;
    }
  }
  if (typeof value === 'number') {
    const show = (n: number) => (spec.unit === 'duration' ? formatMicros(n) : String(n));
    if (spec.min !== undefined && value < spec.min) return fail(`at least ${show(spec.min)}`);
    if (spec.max !== undefined && value > spec.max) return fail(`at most ${show(spec.max)}`);
  }
  return value;
}

/**
 * Applies `NAME=VALUE` overrides to a scenario's defaults, then checks every min/max pair (`maxParam`):
 * a min above its max is an InputError naming both values and which of them is a default.
 */
export function resolveParams(scenario: Scenario, overrides: readonly string[]): Record<string, number | string> {
  const specs = allParams(scenario);
  const values: Record<string, number | string> = {};
  const set = new Set<string>();
  for (const spec of specs) values[spec.name] = spec.default;
  for (const assignment of overrides) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new InputError(`--set ${assignment}: expected NAME=VALUE`);
    const name = assignment.slice(0, eq);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new InputError(`--set ${assignment}: unknown parameter '${name}' for scenario ${scenario.name} (${suggestionOrKnown(name, specs.map((s) => s.name))})`);
    values[name] = parseParamValue(spec, assignment.slice(eq + 1));
    set.add(name);
  }
  const problem = paramPairProblem(specs, values, set);
  if (problem !== undefined) throw new InputError(`--set ${problem}`);
  return values;
}

/**
 * The first min/max pair whose min is above its max, worded from the side the user set
 * (`electionTimeoutMicrosMin=500ms is greater than electionTimeoutMicrosMax=300ms (its default)`),
 * or undefined when every pair is in order. Defaults alone never break a pair (a programmer error).
 */
export function paramPairProblem(specs: readonly ParamSpec[], values: ParamValues, set: ReadonlySet<string>): string | undefined {
  for (const minSpec of specs) {
    if (minSpec.maxParam === undefined) continue;
    const maxSpec = specs.find((s) => s.name === minSpec.maxParam);
    assert(maxSpec !== undefined, `parameter ${minSpec.name} names an unknown maxParam ${minSpec.maxParam}`);
    const min = values[minSpec.name];
    const max = values[maxSpec.name];
    assert(typeof min === 'number' && typeof max === 'number', `min/max pair ${minSpec.name}/${maxSpec.name} must be numbers`);
    if (min <= max) continue;
    assert(set.has(minSpec.name) || set.has(maxSpec.name), `the defaults of ${minSpec.name} and ${maxSpec.name} are the wrong way round`);
    const show = (spec: ParamSpec, value: number) => `${spec.name}=${formatParamValue(spec, value)}${set.has(spec.name) ? '' : ' (its default)'}`;
    return set.has(minSpec.name)
      ? `${show(minSpec, min)} is greater than ${show(maxSpec, max)}`
      : `${show(maxSpec, max)} is less than ${show(minSpec, min)}`;
  }
  return undefined;
}

/** Formats a parameter value the way `--set` accepts it. */
export function formatParamValue(spec: ParamSpec, value: number | string): string {
  if (spec.unit === 'duration' && typeof value === 'number') return formatMicrosExact(value);
  return String(value);
}

/** Reads a numeric parameter inside a scenario's build (a programmer error if missing). */
export function numberParam(params: ParamValues, name: string): number {
  const value = params[name];
  assert(typeof value === 'number', `scenario parameter '${name}' is missing or not a number`);
  return value;
}
