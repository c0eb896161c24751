// One run of a scenario, in two phases. Fault phase: the schedule (explicit, or drawn by the nemesis
// from its own stream) is applied and `always` checkers judge every step. Recovery phase: every link
// heals, crashed nodes restart, paused ones resume, no new faults; `eventually` checkers must hold
// within the scenario's bound. The result is a pure function of (code, scenario, params, seed, schedule).

import type { CheckResult } from './check.js';
import { InputError } from './errors.js';
import { suggestionOrKnown } from './suggest.js';
import { parseFaultSchedule, type FaultEntry } from './faults.js';
import { computeMetrics, type RunMetrics } from './metrics.js';
import { generateSchedule, NEMESIS_PROFILES, type NemesisProfile } from './nemesis.js';
import { isValidSeed, Rng, SEED_MAX } from './rng.js';
import type { NodeId } from './process.js';
import { nemesisTargetIds, numberParam, resolveParams, type Scenario, type ScenarioSetup } from './scenario.js';
import { Simulator, type SimStats } from './simulator.js';
import { isClient, membersOf, serversOf } from './topology.js';
import { DURATION_MAX_TEXT, DURATION_MICROS_MAX, formatMicrosExact, type Micros } from './time.js';
import { drawSwarm, withMembership, withoutMembership, type SwarmDraw } from './swarm.js';
import type { TraceSink } from './trace.js';

export type Outcome = 'pass' | 'safety-violation' | 'liveness-violation';

/** Exit codes of DESIGN.md. */
export const EXIT_CODES = { pass: 0, 'safety-violation': 1, usage: 2, 'liveness-violation': 3, nondeterminism: 4 } as const;

/** How often the recovery phase asks whether every `eventually` checker holds yet. */
export const RECOVERY_PROBE_MICROS: Micros = 10_000;

export interface RunRequest {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly nodeCount?: number;
  readonly durationMicros?: Micros;
  readonly nemesis?: NemesisProfile;
  /** `--set NAME=VALUE` overrides. */
  readonly set?: readonly string[];
  readonly bug?: string;
  /**
   * Keep only these checkers (by name). A property that asks only for safety skips the costly ones and,
   * with no `eventually` check left, ends the recovery phase at once. The fingerprint changes with it.
   */
  readonly checks?: readonly string[];
  /** An explicit schedule as parsed JSON, and where it came from (for error messages). */
  readonly faults?: { readonly raw: unknown; readonly source: string };
}

/** A validated run, ready to execute: all user input has been checked. */
export interface PreparedRun {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly nodeCount: number;
  readonly durationMicros: Micros;
  readonly nemesis: NemesisProfile;
  readonly params: Readonly<Record<string, number | string>>;
  readonly bug: string | undefined;
  readonly setup: ScenarioSetup;
  readonly faults: readonly FaultEntry[];
  readonly faultsSource: string | undefined;
  /** The node ids the nemesis targets (the setup's `nemesisTargets` resolved). */
  readonly targets: readonly NodeId[];
  /** `--nemesis swarm`: what this seed drew (its knobs are in `params` and `nodeCount` too). */
  readonly swarm?: SwarmDraw;
}

export interface RunResult {
  readonly outcome: Outcome;
  readonly fingerprint: string;
  readonly stats: SimStats & { simulatedMicros: Micros };
  readonly checks: readonly CheckResult[];
  /** When the recovery phase began, and when every `eventually` check first held (null: never). */
  readonly recovery: { readonly startedAtMicros: Micros; readonly recoveredAtMicros: Micros | null; readonly boundMicros: Micros };
  readonly history: { readonly ok: number; readonly fail: number; readonly open: number };
  readonly metrics: RunMetrics;
  readonly simulator: Simulator;
}

/** Checks every input and builds the scenario; throws InputError with a one-line reason. */
export function prepareRun(request: RunRequest): PreparedRun {
  const { scenario } = request;
  if (!isValidSeed(request.seed)) throw new InputError(`seed must be an integer from 0 to ${SEED_MAX}; got ${request.seed}`);
  const nemesis = request.nemesis ?? scenario.defaultNemesis;
  if (!NEMESIS_PROFILES.includes(nemesis)) throw new InputError(`--nemesis ${nemesis}: unknown profile (known: ${NEMESIS_PROFILES.join(', ')})`);
  // Swarm draws this seed's knobs first, from a stream of its own: what the user set is never drawn.
  const swarm = nemesis === 'swarm' ? drawSwarm(scenario.swarm, Rng.fromSeed(request.seed).fork('swarm'), {
    params: new Set((request.set ?? []).map((assignment) => assignment.slice(0, Math.max(0, assignment.indexOf('='))))),
    nodes: request.nodeCount !== undefined,
    nodeRange: [scenario.minNodes, scenario.maxNodes],
    durationMicros: request.durationMicros ?? scenario.defaultDurationMicros,
  }) : undefined;
  const nodeCount = request.nodeCount ?? swarm?.nodes ?? scenario.defaultNodes;
  if (!Number.isInteger(nodeCount) || nodeCount < scenario.minNodes || nodeCount > scenario.maxNodes) {
    const range = scenario.minNodes === scenario.maxNodes ? `exactly ${scenario.minNodes}` : `${scenario.minNodes} to ${scenario.maxNodes}`;
    throw new InputError(`--nodes ${nodeCount}: scenario ${scenario.name} runs with ${range} nodes${scenario.nodesReason !== undefined ? ` (${scenario.nodesReason})` : ''}`);
  }
  const durationMicros = request.durationMicros ?? scenario.defaultDurationMicros;
  if (!Number.isSafeInteger(durationMicros) || durationMicros < 1_000) throw new InputError(`--duration must be at least 1ms; got ${durationMicros}us`);
  if (durationMicros > DURATION_MICROS_MAX) throw new InputError(`--duration ${formatMicrosExact(durationMicros)}: at most ${DURATION_MAX_TEXT} of simulated time`);
  if (request.bug !== undefined && !scenario.bugs.some((b) => b.name === request.bug)) {
    const known = scenario.bugs.map((b) => b.name);
    throw new InputError(`--bug ${request.bug}: scenario ${scenario.name} has no such planted bug (${known.length ? suggestionOrKnown(request.bug, known) : 'it has none'})`);
  }
  const drawnSet = swarm === undefined ? [] : Object.entries(swarm.params).map(([name, value]) => `${name}=${value}`);
  const params = resolveParams(scenario, [...drawnSet, ...(request.set ?? [])]);
  const built = scenario.build({ nodeCount, durationMicros, params, bug: request.bug });
  const wanted = request.checks;
  if (wanted !== undefined) {
    const unknown = wanted.filter((name) => !built.checkers.some((c) => c.name === name));
    if (unknown.length > 0) throw new InputError(`checks: scenario ${scenario.name} has no check ${unknown.join(', ')} (known: ${built.checkers.map((c) => c.name).join(', ')})`);
  }
  const setup = wanted === undefined ? built : { ...built, checkers: built.checkers.filter((c) => wanted.includes(c.name)) };
  const cluster = { nodes: setup.nodes, stateRoles: setup.roles?.names ?? [] };
  const targets = nemesisTargetIds(setup);
  const nemesisRng = Rng.fromSeed(request.seed).fork('nemesis');
  const spares = setup.nodes.filter((n) => n.dormant === true && targets.includes(n.id)).map((n) => n.id);
  // Swarm's membership moves only where there are spares (elsewhere a leave would take a node away for
  // good), and always there.
  const swarmFaults = swarm === undefined ? undefined : spares.length > 0 ? withMembership(swarm.faults) : withoutMembership(swarm.faults);
  if (!request.faults && nemesis === 'scenario' && !setup.script) {
    throw new InputError(`--nemesis scenario: scenario ${scenario.name} has no fault script of its own (use ${NEMESIS_PROFILES.filter((p) => p !== 'scenario').join(', ')})`);
  }
  const faults = request.faults
    ? parseFaultSchedule(request.faults.raw, cluster, durationMicros, request.faults.source)
    : nemesis === 'scenario'
    ? // A script is code; its schedule is normalised like a file so that it replays identically.
      parseFaultSchedule(
        JSON.parse(JSON.stringify(setup.script!({
          durationMicros,
          servers: targets,
          clients: setup.nodes.filter(isClient).map((n) => n.id),
          members: (role) => membersOf(setup.nodes, role),
          rng: nemesisRng,
        }))),
        cluster, durationMicros, `${scenario.name} fault script`,
      )
    : generateSchedule(
        {
          profile: nemesis,
          targets,
          faultPhaseMicros: durationMicros,
          meanGapMicros: numberParam(params, 'nemesisGapMicros'),
          intensityStart: numberParam(params, 'nemesisIntensityStart'),
          intensityEnd: numberParam(params, 'nemesisIntensityEnd'),
          windowMicrosMin: numberParam(params, 'nemesisWindowMicrosMin'),
          windowMicrosMax: numberParam(params, 'nemesisWindowMicrosMax'),
          baseLatency: setup.network.latency,
          spares,
          ...(swarmFaults === undefined ? {} : { swarm: swarmFaults, targetLinksOnly: scenario.defaultNemesis.startsWith('fd-') }),
        },
        nemesisRng,
      );
  // Swarm's triggers join the drawn schedule, in the canonical form a file would give them.
  const scheduled = swarm === undefined || swarm.triggers.length === 0 || request.faults !== undefined || nemesis === 'scenario'
    ? faults
    : faults.concat(parseFaultSchedule(JSON.parse(JSON.stringify(swarm.triggers)), cluster, durationMicros, `${scenario.name} swarm triggers`))
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index)
      .map(({ entry }) => entry);
  return {
    scenario, seed: request.seed, nodeCount, durationMicros, nemesis, params, bug: request.bug, setup, faults: scheduled,
    faultsSource: request.faults?.source, targets, ...(swarm === undefined ? {} : { swarm: { ...swarm, faults: swarmFaults! } }),
  };
}

/** Runs both phases and judges the run. */
export function executeRun(prepared: PreparedRun, traceSink?: TraceSink): RunResult {
  const { setup } = prepared;
  const observers = setup.observers ?? [];
  const sim = new Simulator({ seed: prepared.seed, nodes: setup.nodes, network: setup.network, checkers: setup.checkers, observers, traceSink, roles: setup.roles, topology: setup.topology, measureBytes: setup.measureBytes });
  sim.start();
  sim.scheduleFaults(prepared.faults);
  sim.runUntil(prepared.durationMicros);

  sim.beginRecovery();
  const startedAtMicros = sim.now;
  const deadline = startedAtMicros + setup.recoveryMicrosMax;
  const eventually = setup.checkers.filter((c) => c.kind === 'eventually');
  let recoveredAtMicros: Micros | null = null;
  while (sim.now < deadline) {
    sim.runUntil(Math.min(deadline, sim.now + RECOVERY_PROBE_MICROS));
    if (eventually.every((c) => c.verdict(sim.view).ok)) {
      recoveredAtMicros = sim.now;
      break;
    }
  }
  sim.end();

  const checks: CheckResult[] = sim.verdicts();
  checks.push(
    sim.handlerErrors.length === 0
      ? { name: 'no-handler-exceptions', kind: 'always', ok: true }
      : { name: 'no-handler-exceptions', kind: 'always', ok: false, message: sim.handlerErrors[0]!.message, atMicros: sim.handlerErrors[0]!.atMicros },
  );
  const safetyFailed = checks.some((c) => c.kind === 'always' && !c.ok);
  const livenessFailed = checks.some((c) => c.kind !== 'always' && !c.ok);
  const outcome: Outcome = safetyFailed ? 'safety-violation' : livenessFailed ? 'liveness-violation' : 'pass';
  const recovery = { startedAtMicros, recoveredAtMicros, boundMicros: setup.recoveryMicrosMax };
  const history = sim.history.counts();
  return {
    outcome,
    fingerprint: sim.fingerprintHex(),
    stats: { ...sim.stats, dropsByReason: { ...sim.stats.dropsByReason }, simulatedMicros: sim.now },
    checks,
    recovery,
    history,
    metrics: computeMetrics(observers, {
      servers: serversOf(setup.nodes), history, messagesSent: sim.stats.messagesSent, recovery, endedAtMicros: sim.now,
      ...(sim.stats.bytesSent !== undefined ? { bytesSent: sim.stats.bytesSent } : {}),
    }),
    simulator: sim,
  };
}

/**
 * Runs a prepared run again and compares fingerprints. Returns the second fingerprint when it
 * differs (hidden state in the code under test: a global, an unordered iteration), else undefined.
 */
export function rerunFingerprintMismatch(prepared: PreparedRun, first: RunResult): string | undefined {
  const again = executeRun(prepared);
  return again.fingerprint === first.fingerprint ? undefined : again.fingerprint;
}
