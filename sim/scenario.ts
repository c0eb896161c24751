// Scenarios: named, runnable set-ups (cluster + network + workload + checkers) with typed, tunable
// parameters. Each parameter declares a unit; `--set NAME=VALUE` text is parsed by that unit, and a
// value of the wrong unit or an unknown name is an InputError naming it. The scenario-family helper
// lives here too: `defineParams` (typed declarations, checked once), `defineBugs` (an algorithm's
// planted bugs, read as booleans) and `defineScenarioFamily` (one scenario per variant of a family).

import type { Checker, RunView } from './check.js';
import type { Fact, Observation } from './facts.js';
import type { MetricsObserver } from './metrics.js';
import { InputError } from './errors.js';
import { suggestionOrKnown } from './suggest.js';
import type { NemesisProfile } from './nemesis.js';
import type { NetworkConfig } from './network.js';
import type { FaultEntry } from './faults.js';
import type { NodeId, NodeSpec } from './process.js';
import type { Rng } from './rng.js';
import type { RoleOracle } from './simulator.js';
import type { Topology } from './topology.js';
import type { SwarmRange, SwarmSpace } from './swarm.js';
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

/**
 * One run's set-up. `F` is the union of facts its algorithm reports (sim/facts.ts): checkers and metrics
 * observers are typed by it, so one that reads a fact the algorithm does not declare is a compile error.
 */
export interface ScenarioSetup<F extends Fact = Observation> {
  readonly nodes: readonly NodeSpec[];
  readonly network: NetworkConfig;
  readonly checkers: readonly Checker<F>[];
  /**
   * Metrics observers (fresh per run): they watch facts and compute the run's metrics, never judge it.
   * `leaderMetrics()` and `commitMetrics()` (sim/metrics.ts) serve algorithms that emit the shared facts.
   */
  readonly observers?: readonly MetricsObserver<F>[];
  /** Who talks to whom (each node's `ctx.peers`); by default every node's peers are the servers (see {@link Topology}). */
  readonly topology?: Topology;
  /**
   * Nodes the nemesis may fault: the nodes of some roles (`{ roles: ['server'] }`, in cluster order), or
   * a list of node ids. Each role must have a node.
   */
  readonly nemesisTargets: NemesisTargets;
  /** How long the recovery phase may take before `eventually` checks fail. */
  readonly recoveryMicrosMax: Micros;
  /** The algorithm's state-dependent roles (`@leader`, `@follower` …) for fault references (see `leaderRoles` in sim/fault-apply.ts). */
  readonly roles?: RoleOracle;
  /** The scenario's own fault script, used when the nemesis is `scenario`. */
  readonly script?: (context: ScriptContext) => FaultEntry[];
  /**
   * Count the bytes of every message sent (`RunView.bytesSent`, `EndedRun.bytesSent`, `stats.bytesSent`):
   * the length of its JSON text, a fair proxy for its size on the wire. Off by default (it costs a
   * serialisation per message); the fingerprint does not depend on it.
   */
  readonly measureBytes?: boolean;
  /**
   * The algorithm's abstract state of a moment of the run, as a short key (`faultline explore` keeps the
   * schedules that reach keys it has not seen). It forgets ids, exact terms and indices, and keeps what
   * makes moments different in kind (for Raft: the roles held, how far terms drift apart, who holds
   * entries of an older term beyond the commit point). Absent: explore uses node statuses and the fact
   * types reported lately. Reads the run only.
   */
  readonly abstractState?: (run: RunView) => string;
}

/** The nemesis's targets: nodes of these roles, or these node ids. */
export type NemesisTargets = { readonly roles: readonly string[] } | readonly NodeId[];

/** The node ids a setup's `nemesisTargets` names, in cluster order for roles (a role without nodes is a programmer error). */
export function nemesisTargetIds(setup: Pick<ScenarioSetup, 'nodes' | 'nemesisTargets'>): readonly NodeId[] {
  const targets = setup.nemesisTargets;
  if (isIdList(targets)) return targets;
  for (const role of targets.roles) assert(setup.nodes.some((n) => n.role === role), `nemesisTargets: no node has role ${role}`);
  return setup.nodes.filter((n) => targets.roles.includes(n.role)).map((n) => n.id);
}

function isIdList(targets: NemesisTargets): targets is readonly NodeId[] {
  return Array.isArray(targets);
}

export interface ScriptContext {
  readonly durationMicros: Micros;
  /** The nemesis's targets (usually the servers). */
  readonly servers: readonly NodeId[];
  /** The nodes of role `client`. */
  readonly clients: readonly NodeId[];
  /** The nodes of one role, in cluster order (empty for a role no node has). */
  members(role: string): readonly NodeId[];
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
  /** The knobs `--nemesis swarm` may draw per seed, within ranges the author declares safe (none: swarm draws only faults). */
  readonly swarm?: SwarmSpace;
  build(options: ScenarioBuildOptions): ScenarioSetup;
}

// ---- typed parameter declarations ----------------------------------------------------------------

/**
 * One parameter as {@link defineParams} takes it: a {@link ParamSpec} without its name (the key names it).
 * A number-valued unit may declare bounds and, on the min of a min/max pair, `maxParam`: the key of its max.
 */
export type ParamDecl<K extends string = string> =
  | {
    readonly unit: Exclude<ParamUnit, 'choice'>;
    readonly default: number;
    readonly description: string;
    readonly min?: number;
    readonly max?: number;
    readonly maxParam?: K;
  }
  | { readonly unit: 'choice'; readonly default: string; readonly choices: readonly string[]; readonly description: string };

/** Parameter declarations by name, in the order `faultline list` shows them. */
export type ParamDecls = { readonly [name: string]: ParamDecl };

/**
 * The typed values of declared parameters: a number for every numeric unit (durations in microseconds,
 * ratios in 0…1), the union of its choices for a `choice`.
 */
export type ParamValuesOf<D extends ParamDecls> = {
  readonly [K in keyof D]: D[K] extends { readonly unit: 'choice'; readonly choices: readonly (infer C)[] } ? C : number;
};

/** Declarations whose `maxParam`s name parameters of the same declarations (a misspelt pair is a compile error). */
export type CheckedParamDecls<D extends ParamDecls> = D & { readonly [K in keyof D]: { readonly maxParam?: Extract<keyof D, string> } };

/** Declared parameters: the specs a {@link Scenario} lists, and a typed reader of resolved values. */
export interface ParamSet<D extends ParamDecls> {
  /** The declarations, to spread into a larger set (`defineParams({ ...NETWORK_PARAMS.decls, … })`). */
  readonly decls: D;
  /** The parameters as a scenario lists them, in declaration order. */
  readonly specs: readonly ParamSpec[];
  /** The specs with some defaults replaced (a variant's own defaults), each checked against its bounds and pairs. */
  withDefaults(defaults: Partial<ParamValuesOf<D>> | undefined): readonly ParamSpec[];
  /**
   * Resolved values (`resolveParams`, a replay file) as a typed object: `params.heartbeatMicros` is a
   * number, and a misspelt name is a compile error. A missing value or one of the wrong type is a
   * programmer error (asserted).
   */
  read(values: ParamValues): ParamValuesOf<D>;
}

/** Asserts a spec's default is a value `--set` would accept. Programmer errors: these are declarations. */
function checkDefault(spec: ParamSpec): void {
  if (spec.unit === 'choice') {
    assert(typeof spec.default === 'string' && spec.choices?.includes(spec.default) === true, `parameter ${spec.name}: default ${String(spec.default)} is not one of its choices`);
    return;
  }
  const value = spec.default;
  assert(typeof value === 'number' && !Number.isNaN(value), `parameter ${spec.name}: default must be a number`);
  assert(spec.min === undefined || value >= spec.min, `parameter ${spec.name}: default ${value} is below its min ${spec.min}`);
  assert(spec.max === undefined || value <= spec.max, `parameter ${spec.name}: default ${value} is above its max ${spec.max}`);
  assert(spec.unit !== 'ratio' || (value >= 0 && value <= 1), `parameter ${spec.name}: a ratio's default must be in 0…1`);
  assert((spec.unit !== 'integer' && spec.unit !== 'duration') || Number.isSafeInteger(value), `parameter ${spec.name}: default ${value} must be an integer`);
}

/** Asserts every spec's default is valid and every declared min/max pair names a number and is in order. */
function checkSpecs(specs: readonly ParamSpec[]): void {
  const names = new Set<string>();
  for (const spec of specs) {
    assert(!names.has(spec.name), `parameter ${spec.name} is declared twice`);
    names.add(spec.name);
    checkDefault(spec);
  }
  const defaults: Record<string, number | string> = {};
  for (const spec of specs) defaults[spec.name] = spec.default;
  // paramPairProblem asserts each maxParam is known and numeric, and that defaults alone are in order.
  paramPairProblem(specs, defaults, new Set());
}

/**
 * Declares a scenario's parameters once, with units, bounds and min/max pairs, checked here (a default
 * outside its bounds, a pair the wrong way round or a `maxParam` naming nothing is a programmer error):
 *
 * ```ts
 * const RAFT_PARAMS = defineParams({
 *   ...NETWORK_PARAMS.decls,
 *   electionTimeoutMicrosMin: { unit: 'duration', default: 150_000, min: 1_000, maxParam: 'electionTimeoutMicrosMax', description: '…' },
 *   electionTimeoutMicrosMax: { unit: 'duration', default: 300_000, min: 1_000, description: '…' },
 * });
 * RAFT_PARAMS.read(values).electionTimeoutMicrosMin; // number
 * ```
 *
 * `--set`, sweeps, shrinks and replay files are checked against the same declarations by `resolveParams`.
 */
export function defineParams<const D extends ParamDecls>(decls: CheckedParamDecls<D>): ParamSet<D> {
  const specs: ParamSpec[] = Object.entries(decls).map(([name, decl]) => ({ name, ...decl }));
  checkSpecs(specs);
  return {
    decls,
    specs,
    withDefaults(defaults) {
      if (defaults === undefined) return specs;
      const known = new Set(specs.map((s) => s.name));
      for (const name of Object.keys(defaults)) assert(known.has(name), `default for unknown parameter ${name}`);
      const replaced = specs.map((spec) => {
        const value = (defaults as Record<string, number | string | undefined>)[spec.name];
        return value === undefined ? spec : { ...spec, default: value };
      });
      checkSpecs(replaced);
      return replaced;
    },
    read(values) {
      for (const spec of specs) {
        const value = values[spec.name];
        assert(spec.unit === 'choice' ? typeof value === 'string' : typeof value === 'number', `scenario parameter '${spec.name}' is missing or of the wrong type`);
      }
      return values as ParamValuesOf<D>;
    },
  };
}

// ---- planted bugs ----------------------------------------------------------------------------------

/** One planted bug as {@link defineBugs} takes it. */
export interface BugDecl {
  /** `ALGORITHM/what-it-does`, what `--bug` takes. */
  readonly name: string;
  readonly description: string;
  /** Scenarios whose sweeps catch the bug, the one that catches it most often first (README's tables). */
  readonly exposedBy?: readonly string[];
}

/**
 * Which planted bugs are on, as plain booleans: the code reads `if (this.bugs.commitOldTerm)`, a field
 * read, never a name compare. Every object of one set has the same keys in the same order.
 */
export type ActiveBugs<K extends string> = { readonly [P in K]: boolean };

/** An algorithm's planted bugs, declared once (see {@link defineBugs}). */
export interface BugSet<K extends string> {
  /** The prefix of every bug name (`raft` for `raft/commit-old-term`). */
  readonly algorithm: string;
  /** The bugs as scenarios list them (`Scenario.bugs`), in declaration order. */
  readonly specs: readonly BugSpec[];
  /** Each bug's `--bug` name by key. */
  readonly names: { readonly [P in K]: string };
  /** Every bug off. */
  readonly none: ActiveBugs<K>;
  /**
   * The bugs switched on by a run's `--bug NAME` (every bug off for undefined). Run once per node
   * configuration, never per message. A name not in the set is a programmer error: runs check
   * `--bug` against the scenario's bugs first.
   */
  active(name: string | undefined): ActiveBugs<K>;
}

/**
 * Declares an algorithm's planted bugs in one place (its `bugs.ts`, each beside a note on the function
 * it changes), and gives the code a typed object of booleans to test:
 *
 * ```ts
 * export const raftBugs = defineBugs('raft', {
 *   commitOldTerm: { name: 'raft/commit-old-term', description: '…', exposedBy: ['raft-figure-8'] },
 * });
 * new RaftNode({ …, bugs: raftBugs.active(bug) });   // in the node: if (this.config.bugs.commitOldTerm) …
 * ```
 *
 * Every name must start with `ALGORITHM/` and be unique.
 */
export function defineBugs<const D extends { readonly [key: string]: BugDecl }>(algorithm: string, decls: D): BugSet<Extract<keyof D, string>> & { readonly names: { readonly [P in keyof D]: D[P]['name'] } } {
  type K = Extract<keyof D, string>;
  const keys = Object.keys(decls) as K[];
  const names = {} as Record<K, string>;
  const none = {} as Record<K, boolean>;
  const byName = new Map<string, K>();
  for (const key of keys) {
    const name = decls[key]!.name;
    assert(name.startsWith(`${algorithm}/`), `planted bug ${name} must be named ${algorithm}/…`);
    assert(!byName.has(name), `planted bug ${name} is declared twice`);
    byName.set(name, key);
    names[key] = name;
    none[key] = false;
  }
  const specs: BugSpec[] = keys.map((key) => {
    const { name, description, exposedBy } = decls[key]!;
    return exposedBy === undefined ? { name, description } : { name, description, exposedBy };
  });
  return {
    algorithm,
    specs,
    names: names as { readonly [P in keyof D]: D[P]['name'] },
    none,
    active(name) {
      if (name === undefined) return none;
      const key = byName.get(name);
      assert(key !== undefined, `${name} is not a planted bug of ${algorithm}`);
      return { ...none, [key]: true };
    },
  };
}

// ---- scenario families -------------------------------------------------------------------------

/** One scenario of a family: what differs from its siblings. */
export interface ScenarioVariant<D extends ParamDecls> {
  readonly name: string;
  /** One line for `faultline list`. */
  readonly description: string;
  readonly nemesis: NemesisProfile;
  /** Parameter defaults that differ from the family's (checked against the declared bounds and pairs). */
  readonly defaults?: Partial<ParamValuesOf<D>>;
  /** A narrower node range than the family's, and why (said when --nodes is outside it). */
  readonly nodes?: { readonly min: number; readonly max: number; readonly reason: string };
}

/** What a family's `build` receives: resolved parameters as a typed object, and the planted bugs as booleans. */
export interface FamilyBuildOptions<D extends ParamDecls, K extends string> {
  readonly nodeCount: number;
  /** Length of the fault phase: workloads stop starting new operations when it ends. */
  readonly durationMicros: Micros;
  readonly params: ParamValuesOf<D>;
  readonly bugs: ActiveBugs<K>;
  /** The planted bug's name, if one is on. */
  readonly bug: string | undefined;
}

/** What scenarios of one family share: the algorithm, parameters, planted bugs, node range and the set-up. */
export interface ScenarioFamily<D extends ParamDecls, K extends string, V extends ScenarioVariant<D>, F extends Fact = Observation> {
  readonly algorithm: string;
  readonly params: ParamSet<D>;
  /** Defaults the family sets on shared parameters (for example a slower network); variants override them. */
  readonly defaults?: Partial<ParamValuesOf<D>>;
  readonly bugs: BugSet<K>;
  readonly defaultNodes: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** Why the node range is what it is, when it is narrower than the algorithm's. */
  readonly nodesReason?: string;
  readonly defaultDurationMicros: Micros;
  /** The knobs `--nemesis swarm` may draw, by parameter, and the cluster sizes (see {@link SwarmSpace}). */
  readonly swarm?: { readonly params?: { readonly [P in keyof D]?: SwarmRange }; readonly nodes?: readonly [number, number]; readonly triggers?: SwarmSpace['triggers'] };
  /** The cluster, network, checkers and metrics observers of one run of `variant`, typed by the algorithm's facts `F`. */
  build(options: FamilyBuildOptions<D, K>, variant: V): ScenarioSetup<F>;
}

/**
 * A family of scenarios that differ only in a few ways (name, nemesis, some defaults, a fault script):
 * declared once, each variant a line. Returns the function that makes one {@link Scenario} per variant.
 *
 * ```ts
 * const raftScenario = defineScenarioFamily({ algorithm: 'raft', params: RAFT_PARAMS, bugs: raftBugs, …,
 *   build({ params, bugs }, variant: RaftVariant) { … } });
 * export const raftScenarios = [raftScenario({ name: 'raft-chaos', description: '…', nemesis: 'chaos' }), …];
 * ```
 */
export function defineScenarioFamily<D extends ParamDecls, K extends string, V extends ScenarioVariant<D>, F extends Fact = Observation>(family: ScenarioFamily<D, K, V, F>): (variant: V) => Scenario {
  const familySpecs = family.params.withDefaults(family.defaults);
  return (variant) => {
    const params = familySpecs === family.params.specs && variant.defaults === undefined
      ? familySpecs
      : family.params.withDefaults({ ...family.defaults, ...variant.defaults } as Partial<ParamValuesOf<D>>);
    const nodesReason = variant.nodes?.reason ?? family.nodesReason;
    return {
      name: variant.name,
      description: variant.description,
      algorithm: family.algorithm,
      defaultNemesis: variant.nemesis,
      defaultNodes: family.defaultNodes,
      minNodes: variant.nodes?.min ?? family.minNodes,
      maxNodes: variant.nodes?.max ?? family.maxNodes,
      ...(nodesReason === undefined ? {} : { nodesReason }),
      defaultDurationMicros: family.defaultDurationMicros,
      params,
      bugs: family.bugs.specs,
      ...(family.swarm === undefined ? {} : { swarm: family.swarm as SwarmSpace }),
      build({ nodeCount, durationMicros, params: values, bug }) {
        return family.build({ nodeCount, durationMicros, params: family.params.read(values), bugs: family.bugs.active(bug), bug }, variant);
      },
    };
  };
}

/** Parameters every scenario has: how the nemesis paces its faults. */
export const NEMESIS_PARAM_SET = defineParams({
  nemesisGapMicros: { unit: 'duration', default: 1_000_000, min: 1_000, description: 'mean time between faults at intensity 1' },
  nemesisWindowMicrosMin: { unit: 'duration', default: 200_000, min: 1, maxParam: 'nemesisWindowMicrosMax', description: 'shortest fault window (crash to restart, partition to heal)' },
  nemesisWindowMicrosMax: { unit: 'duration', default: 3_000_000, min: 1, description: 'longest fault window at intensity 1' },
  nemesisIntensityStart: { unit: 'number', default: 1, min: 0.01, max: 100, description: 'fault rate multiplier at the start of the fault phase' },
  nemesisIntensityEnd: { unit: 'number', default: 1, min: 0.01, max: 100, description: 'fault rate multiplier at the end (ramps linearly from the start value)' },
});

/** Parameters every scenario has (the specs of {@link NEMESIS_PARAM_SET}). */
export const NEMESIS_PARAMS: readonly ParamSpec[] = NEMESIS_PARAM_SET.specs;

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
