// Failure-detection scenarios: members n1…nN (role `member`, no clients) run one failure detector —
// SWIM, phi accrual or fixed-timeout heartbeats (`--set detector=…`) — while the nemesis crashes, cuts
// off, slows or skews them. The members' views (MembershipFact) are judged by the membership checkers:
// completeness within a bound derived from the detector's configuration, accuracy after heal, and the
// `always` rules; false suspicions and deaths during faults are measured (membershipMetrics), not judged
// as rates. Each detector's own rules are judged as they happen (SWIM: ping-reqs before an own suspicion,
// the n-scaled suspicion timeout; phi accrual: the deviation floor), from the scenario's parameters.

import { BUG_DETECTOR, fdBugs } from '../algorithms/failure-detection/bugs.js';
import type { HeartbeatConfig, PhiAccrualConfig, SwimConfig } from '../algorithms/failure-detection/config.js';
import type { FdFact } from '../algorithms/failure-detection/facts.js';
import { HeartbeatDetector } from '../algorithms/failure-detection/heartbeat.js';
import { membershipCheckers, MembershipViews } from '../algorithms/failure-detection/membership-checks.js';
import { membershipMetrics } from '../algorithms/failure-detection/membership-metrics.js';
import { PhiAccrualDetector } from '../algorithms/failure-detection/phi-accrual.js';
import { phi } from '../algorithms/failure-detection/phi.js';
import { phiMinStdDeviation } from '../algorithms/failure-detection/phi-checks.js';
import { SWIM_DEFAULTS, SwimMember } from '../algorithms/failure-detection/swim.js';
import { swimIndirectProbes, swimSuspicionTimeout } from '../algorithms/failure-detection/swim-checks.js';
import type { Checker } from '../sim/check.js';
import { InputError } from '../sim/errors.js';
import type { FaultEntry } from '../sim/faults.js';
import type { LatencyModel } from '../sim/network.js';
import type { NodeId, Process } from '../sim/process.js';
import { defineParams, defineScenarioFamily, type FamilyBuildOptions, type Scenario, type ScenarioSetup, type ScenarioVariant, type ScriptContext } from '../sim/scenario.js';
import { formatMicros, seconds, type Micros } from '../sim/time.js';
import { NETWORK_PARAMS, NETWORK_SWARM, networkFromParams, RECOVERY_PARAMS, serverIds } from './common.js';

/** The detectors a scenario can run. */
export const DETECTORS = ['swim', 'phi', 'heartbeat'] as const;
export type Detector = (typeof DETECTORS)[number];

/** Every failure-detection scenario's parameters: the network, the detector and each detector's knobs, the recovery bound. */
export const FD_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  detector: { unit: 'choice', default: 'swim', choices: [...DETECTORS], description: 'the failure detector every member runs: SWIM, phi accrual, or fixed-timeout heartbeats' },
  heartbeatIntervalMicros: { unit: 'duration', default: 100_000, min: 1_000, description: 'heartbeat and phi: each member sends a heartbeat to every other this often' },
  heartbeatTimeoutMicros: { unit: 'duration', default: 500_000, min: 1_000, description: 'heartbeat: a member not heard from this long is declared dead (must be above the interval)' },
  phiThreshold: { unit: 'number', default: 8, min: 0.1, max: 100, description: 'phi: a member whose phi exceeds this is declared dead (phi 8: one chance in 10^8 the heartbeat is only late)' },
  phiWindowSize: { unit: 'integer', default: 200, min: 2, max: 10_000, description: 'phi: inter-arrival times kept per member (sliding window)' },
  minStdDeviationMicros: { unit: 'duration', default: 10_000, min: 0, description: 'phi: floor on the fitted standard deviation' },
  acceptablePauseMicros: { unit: 'duration', default: 0, min: 0, description: 'phi: added to the mean inter-arrival time (a pause this long raises no suspicion)' },
  firstHeartbeatEstimateMicros: { unit: 'duration', default: 100_000, min: 1_000, description: 'phi: the inter-arrival estimate before any is measured' },
  phiCheckIntervalMicros: { unit: 'duration', default: 10_000, min: 1_000, description: 'phi: how often each member evaluates phi for each other' },
  protocolPeriodMicros: { unit: 'duration', default: 200_000, min: 2_000, description: "SWIM: the protocol period T' (one probe per member per period)" },
  pingTimeoutMicros: { unit: 'duration', default: 100_000, min: 1_000, description: 'SWIM: wait this long for a direct ack before asking k others (must be below the period)' },
  indirectProbes: { unit: 'integer', default: 3, min: 0, max: 64, description: 'SWIM: k, members asked to ping on our behalf (ping-req) after a missed ack' },
  targetSelection: { unit: 'choice', default: 'round-robin', choices: ['round-robin', 'random'], description: 'SWIM: probe targets round-robin over a shuffled list (§4.3), or uniformly at random (§3)' },
  suspicionMultiplier: { unit: 'number', default: 4, min: 0.1, max: 100, description: "SWIM: suspicion timeout = this × max(1, log10 n) × T' (Lifeguard: up to 6 times that, shrinking as others confirm)" },
  retransmitMultiplier: { unit: 'integer', default: 4, min: 1, max: 100, description: 'SWIM: each update is piggybacked this × ⌈log10(n + 1)⌉ times at most' },
  piggybackMax: { unit: 'integer', default: 8, min: 1, max: 1_000, description: 'SWIM: updates piggybacked per message at most' },
  lifeguard: { unit: 'choice', default: 'on', choices: ['on', 'off'], description: 'SWIM: Lifeguard (local health, dynamic suspicion timeouts, buddy system)' },
  slowMembers: { unit: 'integer', default: 1, min: 1, max: 64, description: 'fd-slow-member: members slow at once (at most a minority)' },
  slowFactorMin: { unit: 'number', default: 10, min: 1, max: 1_000, maxParam: 'slowFactorMax', description: 'fd-slow-member: the least slow-down drawn for a slow member (a message reaches it factor × its latency after it was sent)' },
  slowFactorMax: { unit: 'number', default: 100, min: 1, max: 1_000, description: 'fd-slow-member: the most slow-down drawn for a slow member' },
  ...RECOVERY_PARAMS.decls,
});

type FdParams = FamilyBuildOptions<typeof FD_PARAMS.decls, keyof typeof fdBugs.names>['params'];

/**
 * What a scenario's faults may do to a viewer's timing, for the completeness bound: how much slower a
 * viewer may handle the messages that reach it (the `slow` fault's factor), how slow its clock may run
 * (drift, as a fraction), how far its clock may jump back, and how much later than the network's own
 * latency a message may arrive (the nemesis's delay windows).
 */
export interface TimingAllowance {
  readonly slowFactorMax: number;
  readonly clockSlowRatioMax: number;
  readonly clockJumpBackMicros: Micros;
  readonly extraLatencyMicros: Micros;
}

const NO_STRETCH: TimingAllowance = { slowFactorMax: 1, clockSlowRatioMax: 0, clockJumpBackMicros: 0, extraLatencyMicros: 0 };
/** The fd-lossy profile's worst: heavy delay capped at 1 s (it slows no member and leaves clocks alone). */
const FD_LOSSY_STRETCH: TimingAllowance = { slowFactorMax: 1, clockSlowRatioMax: 0, clockJumpBackMicros: 0, extraLatencyMicros: 1_000_000 };
/** The fd-chaos profile's worst: slow ×100, clock drift ±200 000 ppm, heavy delay capped at 1 s. */
const FD_NEMESIS_STRETCH: TimingAllowance = { slowFactorMax: 100, clockSlowRatioMax: 0.2, clockJumpBackMicros: 0, extraLatencyMicros: 1_000_000 };
/** The clocks profile: drift ±200 000 ppm and jumps of up to 2 s. */
const CLOCKS_STRETCH: TimingAllowance = { slowFactorMax: 1, clockSlowRatioMax: 0.2, clockJumpBackMicros: 2_000_000, extraLatencyMicros: 0 };

/** The longest one-way latency of a model (Pareto: its cap). */
function latencyMaxMicros(model: LatencyModel): Micros {
  return model.kind === 'pareto' ? model.maxMicros : model.baseMicros + model.jitterMicros;
}

/** The smallest standardised gap y with phi(y) > threshold (phi is non-decreasing in y): bisection. */
export function phiCrossingDeviations(threshold: number): number {
  let lo = 0;
  let hi = 1;
  while (phi(hi, 0, 1) <= threshold) hi *= 2; // bounded: phi grows like y²/4.6
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (phi(mid, 0, 1) > threshold) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The completeness bound: how long after a crash every member up throughout must hold the crashed one
 * dead. Derived from the detector's configuration, the cluster size and the latency cap L of a message
 * to a viewer: f × (model cap + the allowance's extra delay), f the allowance's slow factor (a slow
 * viewer handles a message f times its latency after it was sent; its timers are not late). Then
 * stretched by the allowance: ÷ (1 − clock slowness) (its timers run on a slow clock), + the clock's
 * backward jump. Per detector, before stretching:
 *
 * - heartbeat: L + timeout. The crashed member's last heartbeat arrives by crash + L; the viewer's
 *   timeout timer is set for exactly last-heard + timeout.
 * - phi: L + t* + check interval, where t* bounds the gap at which phi crosses the threshold: every
 *   sample in the window (the two seeded ones, first estimate E ∓ E/4, and inter-arrivals I ± S, S the
 *   latency spread: f × model cap − model base) lies in [lo, hi] = [min(3E/4, I − S), max(5E/4, I + S)], so the fitted mean is at
 *   most hi and the deviation at most (hi − lo)/2 (floored at the minimum); t* = hi + acceptable pause
 *   + y* × max((hi − lo)/2, min deviation), y* the standardised gap where phi passes the threshold.
 *   Assumes no message loss on the viewer's links in the window before the crash (a lost heartbeat is
 *   an inter-arrival of 2I; none of the scenarios with crashes loses messages except fd-chaos, whose
 *   crashes are shorter than the bound).
 * - swim: ((2(n − 1) + 1) × H + 1) × T' + S_max. Round-robin, a viewer probes every member within two
 *   traversals of its shuffled list plus the period it is in, 2(n − 1) + 1 periods; Lifeguard's local
 *   health stretches each period up to H = localHealthMax + 1 = 9 times (H = 1 without Lifeguard; random
 *   target selection has no such bound, so it uses the same one as a good-faith estimate); one period
 *   of slack for the ping; then its own suspicion runs at most S_max = suspicionMultiplier ×
 *   max(1, log10 n) × T' (× 6 with Lifeguard, memberlist's maximum). Gossip only makes it sooner.
 */
export function completenessBoundMicros(params: FdParams, nodeCount: number, allowance: TimingAllowance): Micros {
  const latency = networkFromParams(params).latency;
  const f = allowance.slowFactorMax;
  const L = f * (latencyMaxMicros(latency) + allowance.extraLatencyMicros);
  let base: number;
  switch (params.detector) {
    case 'heartbeat':
      base = L + params.heartbeatTimeoutMicros;
      break;
    case 'phi': {
      const I = params.heartbeatIntervalMicros;
      const E = params.firstHeartbeatEstimateMicros;
      const spread = f * latencyMaxMicros(latency) - latency.baseMicros;
      const hi = Math.max(E + E / 4, I + spread);
      const lo = Math.max(0, Math.min(E - E / 4, I - spread));
      const deviation = Math.max((hi - lo) / 2, params.minStdDeviationMicros);
      const crossing = hi + params.acceptablePauseMicros + phiCrossingDeviations(params.phiThreshold) * deviation;
      base = L + crossing + params.phiCheckIntervalMicros;
      break;
    }
    case 'swim': {
      const T = params.protocolPeriodMicros;
      const health = params.lifeguard === 'on' ? SWIM_DEFAULTS.localHealthMax + 1 : 1;
      const suspicionMin = params.suspicionMultiplier * Math.max(1, Math.log10(nodeCount)) * T;
      const suspicionMax = params.lifeguard === 'on' ? SWIM_DEFAULTS.suspicionMaxTimeoutMultiplier * suspicionMin : suspicionMin;
      base = ((2 * (nodeCount - 1) + 1) * health + 1) * T + suspicionMax + L;
      break;
    }
  }
  return Math.ceil(base / (1 - allowance.clockSlowRatioMax)) + allowance.clockJumpBackMicros;
}

/** sometimes: some member declared a crashed member dead while it was down (a crash was detected). */
export function someCrashDetected(): Checker<FdFact> {
  let detected = false;
  return {
    name: 'some-crash-detected',
    kind: 'sometimes',
    description: 'some member declared a crashed member dead while it was down',
    onObservation(_node, fact, run) {
      if (fact.type === 'member' && fact.status === 'dead' && run.status(fact.member) === 'crashed') detected = true;
    },
    verdict: () => (detected ? { ok: true } : { ok: false, message: 'no member ever declared a crashed member dead while it was down' }),
  };
}

/** sometimes: some member suspected or declared dead another that was cut off from it (a partition was noticed). */
export function somePartitionNoticed(): Checker<FdFact> {
  let noticed = false;
  return {
    name: 'some-partition-noticed',
    kind: 'sometimes',
    description: 'some member suspected or declared dead a member that was up and cut off from it',
    onObservation(node, fact, run) {
      if (fact.type === 'member' && (fact.status === 'suspect' || fact.status === 'dead') && run.status(fact.member) === 'up') noticed = true;
    },
    verdict: () => (noticed ? { ok: true } : { ok: false, message: 'no member ever suspected a member cut off from it' }),
  };
}

interface FdVariant extends ScenarioVariant<typeof FD_PARAMS.decls> {
  /** What the variant's faults may do to timing (the completeness bound's stretch), fixed or from the parameters. */
  readonly allowance: TimingAllowance | ((params: FdParams) => TimingAllowance);
  /** A fault script (nemesis `scenario`), given the completeness bound and the parameters. */
  readonly script?: (context: ScriptContext, boundMicros: Micros, params: FdParams) => FaultEntry[];
  /** Further checks (`sometimes`) the variant's faults make sure of. */
  readonly extraCheckers?: () => Checker<FdFact>[];
  /** The only detectors the variant runs (with the reason), if not all. */
  readonly detectors?: { readonly only: readonly Detector[]; readonly reason: string };
}

/** The detector's configuration from the parameters; an InputError for a timeout not above its interval. */
function createMember(params: FdParams, bugs: FamilyBuildOptions<typeof FD_PARAMS.decls, keyof typeof fdBugs.names>['bugs']): () => Process<never, FdFact> {
  switch (params.detector) {
    case 'heartbeat': {
      if (params.heartbeatTimeoutMicros <= params.heartbeatIntervalMicros) {
        throw new InputError(`--set heartbeatTimeoutMicros=${formatMicros(params.heartbeatTimeoutMicros)} must be above heartbeatIntervalMicros=${formatMicros(params.heartbeatIntervalMicros)} (a timeout within one interval declares every member dead between two heartbeats)`);
      }
      const config: HeartbeatConfig = { intervalMicros: params.heartbeatIntervalMicros, timeoutMicros: params.heartbeatTimeoutMicros, bugs };
      return () => new HeartbeatDetector(config) as Process<never, FdFact>;
    }
    case 'phi': {
      const config: PhiAccrualConfig = {
        intervalMicros: params.heartbeatIntervalMicros, threshold: params.phiThreshold, windowSize: params.phiWindowSize,
        minStdDeviationMicros: params.minStdDeviationMicros, acceptablePauseMicros: params.acceptablePauseMicros,
        firstHeartbeatEstimateMicros: params.firstHeartbeatEstimateMicros, checkIntervalMicros: params.phiCheckIntervalMicros, bugs,
      };
      return () => new PhiAccrualDetector(config) as Process<never, FdFact>;
    }
    case 'swim': {
      if (params.pingTimeoutMicros >= params.protocolPeriodMicros) {
        throw new InputError(`--set pingTimeoutMicros=${formatMicros(params.pingTimeoutMicros)} must be below protocolPeriodMicros=${formatMicros(params.protocolPeriodMicros)} (indirect probes need the rest of the period)`);
      }
      const config: SwimConfig = {
        protocolPeriodMicros: params.protocolPeriodMicros, pingTimeoutMicros: params.pingTimeoutMicros, indirectProbes: params.indirectProbes,
        targetSelection: params.targetSelection, suspicionMultiplier: params.suspicionMultiplier, retransmitMultiplier: params.retransmitMultiplier,
        piggybackMax: params.piggybackMax, lifeguard: params.lifeguard === 'on', bugs,
      };
      return () => new SwimMember(config) as Process<never, FdFact>;
    }
  }
}

/** SWIM's own rules (algorithms/failure-detection/swim-checks.ts), from the scenario's n, T', k and multiplier. */
function swimRuleCheckers(params: FdParams, nodeCount: number): Checker<FdFact>[] {
  return [
    swimIndirectProbes({ indirectProbes: params.indirectProbes }),
    swimSuspicionTimeout({ nodeCount, protocolPeriodMicros: params.protocolPeriodMicros, suspicionMultiplier: params.suspicionMultiplier }),
  ];
}

/** phi accrual's deviation floor (algorithms/failure-detection/phi-checks.ts), from the scenario's phi parameters. */
function phiFloorChecker(params: FdParams): Checker<FdFact> {
  return phiMinStdDeviation({
    threshold: params.phiThreshold, windowSize: params.phiWindowSize, minStdDeviationMicros: params.minStdDeviationMicros,
    acceptablePauseMicros: params.acceptablePauseMicros, firstHeartbeatEstimateMicros: params.firstHeartbeatEstimateMicros,
  });
}

function buildFd(name: string) {
  return ({ nodeCount, durationMicros: _duration, params, bugs, bug }: FamilyBuildOptions<typeof FD_PARAMS.decls, keyof typeof fdBugs.names>, variant: FdVariant): ScenarioSetup<FdFact> => {
    if (variant.detectors !== undefined && !variant.detectors.only.includes(params.detector)) {
      throw new InputError(`--set detector=${params.detector}: ${name} runs ${variant.detectors.only.join(', ')} only (${variant.detectors.reason})`);
    }
    if (bug !== undefined) {
      const key = (Object.keys(fdBugs.names) as (keyof typeof fdBugs.names)[]).find((k) => fdBugs.names[k] === bug);
      const needs = key === undefined ? undefined : BUG_DETECTOR[key];
      if (needs !== undefined && needs !== params.detector) throw new InputError(`--bug ${bug} is a bug of the ${needs} detector: add --set detector=${needs} (this run's detector is ${params.detector})`);
    }
    const create = createMember(params, bugs);
    const allowance = typeof variant.allowance === 'function' ? variant.allowance(params) : variant.allowance;
    const boundMicros = completenessBoundMicros(params, nodeCount, allowance);
    const network = networkFromParams(params);
    const script = variant.script;
    // One view table for the run, shared by the membership checkers and metrics.
    const views = new MembershipViews();
    return {
      nodes: serverIds(nodeCount).map((id) => ({ id, role: 'member', create })),
      network,
      checkers: [
        ...(membershipCheckers({ boundMicros, deadIsFinal: params.detector === 'swim', views }) as Checker<FdFact>[]),
        ...(variant.extraCheckers?.() ?? []),
        ...(params.detector === 'swim' ? swimRuleCheckers(params, nodeCount) : []),
        ...(params.detector === 'phi' ? [phiFloorChecker(params)] : []),
      ],
      observers: [membershipMetrics({ views })],
      nemesisTargets: { roles: ['member'] },
      recoveryMicrosMax: params.recoveryMicrosMax,
      measureBytes: true,
      ...(script ? { script: (context: ScriptContext) => script(context, boundMicros, params) } : {}),
    };
  };
}

/**
 * The recovery bound is 60 s (not the consensus families' 10 s): after fd-chaos, a SWIM member whose
 * Lifeguard local health is high probes every 9 periods and keeps a suspicion up to 6 × its minimum, so
 * views can take half a minute to agree (the slowest of seeds 1..500: 32.6 s). A run that recovers
 * sooner stops then, so the longer bound costs nothing in passing runs.
 */
const FAMILY_COMMON = { algorithm: 'failure-detection', params: FD_PARAMS, bugs: fdBugs, defaults: { recoveryMicrosMax: 60_000_000 } } as const;

/** Up to 128 members: all-to-all heartbeats grow with n² (128 members send 160 000 a second); swim-large goes further. */
const fdScenario = defineScenarioFamily({
  ...FAMILY_COMMON, defaultNodes: 8, minNodes: 2, maxNodes: 128, defaultDurationMicros: seconds(60), build: buildFd('this scenario'),
  // Swarm leaves the detectors' own settings alone (they are what is under test, and their accuracy
  // checks assume the defaults' margins): it draws the network and the cluster size. Up to 32 members:
  // SWIM's suspicion timeout scales by max(1, log10 n), so below 11 members a timeout that ignores n is
  // the same number (fd/swim-unscaled-suspicion is then no bug at all); 32 gives it a margin of 1.5×,
  // at about 2.5 times the cost of a 16-member run for the all-to-all heartbeat detectors.
  swarm: {
    params: { latencyMicros: NETWORK_SWARM.latencyMicros, jitterMicros: NETWORK_SWARM.jitterMicros },
    nodes: [4, 32],
    triggers: { facts: [{ fact: 'member', where: { status: 'suspect' } }, { fact: 'refute' }], messages: [{ type: 'ping' }, { type: 'ack' }, { type: 'ping-req' }] },
  },
});

/** Members drawn from the seed, `count` of them, distinct. */
function pickMembers(context: ScriptContext, count: number): NodeId[] {
  return context.rng.shuffle(context.servers).slice(0, Math.min(count, Math.floor((context.servers.length - 1) / 2) || 1));
}

/**
 * Crash episodes: one or two members crash (a second one up to 2 s after the first) and stay down the
 * completeness bound plus 1–3 s, then restart; the next episode starts 2–4 s after the last restart.
 */
function crashScript(context: ScriptContext, boundMicros: Micros): FaultEntry[] {
  const countMax = 2;
  const out: FaultEntry[] = [];
  let at = context.rng.int(1_000_000, 3_000_000);
  while (at < context.durationMicros - 1) {
    const victims = pickMembers(context, context.rng.int(1, countMax));
    let last = at;
    victims.forEach((node, i) => {
      const crashAt = at + (i === 0 ? 0 : context.rng.int(0, 2_000_000));
      const restartAt = crashAt + boundMicros + context.rng.int(1_000_000, 3_000_000);
      out.push({ at: crashAt, kind: 'crash', node }, { at: restartAt, kind: 'restart', node });
      last = Math.max(last, restartAt);
    });
    at = last + context.rng.int(2_000_000, 4_000_000);
  }
  return out.filter((f) => f.at < context.durationMicros).sort((a, b) => a.at - b.at);
}

/**
 * Partition episodes: one member or a minority is cut off (both ways, or one way: it cannot hear the
 * rest, or cannot reach it) for 2–10 s, then healed; 3–8 s until the next.
 */
function partitionScript(context: ScriptContext): FaultEntry[] {
  const out: FaultEntry[] = [];
  let at = context.rng.int(1_000_000, 3_000_000);
  const n = context.servers.length;
  while (at < context.durationMicros - 1) {
    const minority = context.rng.shuffle(context.servers).slice(0, context.rng.int(1, Math.max(1, Math.floor((n - 1) / 2))));
    const rest = context.servers.filter((id) => !minority.includes(id));
    const shape = context.rng.int(0, 2);
    if (shape === 0) out.push({ at, kind: 'partition', groups: [minority, rest] });
    else if (shape === 1) out.push({ at, kind: 'partition', from: rest, to: minority });
    else out.push({ at, kind: 'partition', from: minority, to: rest });
    const healAt = at + context.rng.int(2_000_000, 10_000_000);
    out.push({ at: healAt, kind: 'heal' });
    at = healAt + context.rng.int(3_000_000, 8_000_000);
  }
  return out.filter((f) => f.at < context.durationMicros);
}

/**
 * Slow episodes: `slowMembers` members (at most a minority) run slowFactorMin–slowFactorMax times slower
 * (each its own factor, a whole number when both ends are) for 15–30 s, then all normally for 2–5 s.
 */
function slowMemberScript(context: ScriptContext, _boundMicros: Micros, params: FdParams): FaultEntry[] {
  const out: FaultEntry[] = [];
  const count = Math.max(1, Math.min(params.slowMembers, Math.floor((context.servers.length - 1) / 2)));
  const lo = params.slowFactorMin;
  const hi = params.slowFactorMax;
  const whole = Number.isInteger(lo) && Number.isInteger(hi);
  let at = context.rng.int(1_000_000, 3_000_000);
  while (at < context.durationMicros - 1) {
    const end = at + context.rng.int(15_000_000, 30_000_000);
    for (const node of context.rng.shuffle(context.servers).slice(0, count)) {
      const factor = whole ? context.rng.int(lo, hi) : Math.round((lo + context.rng.next() * (hi - lo)) * 1000) / 1000;
      out.push({ at, kind: 'slow', node, factor }, { at: end, kind: 'slow', node, factor: 1 });
    }
    at = end + context.rng.int(2_000_000, 5_000_000);
  }
  return out.filter((f) => f.at < context.durationMicros).sort((a, b) => a.at - b.at);
}

export const failureDetectionScenarios: readonly Scenario[] = [
  fdScenario({
    name: 'fd-crash', nemesis: 'scenario', script: crashScript, allowance: NO_STRETCH, extraCheckers: () => [someCrashDetected()],
    description: 'one or two members crash and stay down past the completeness bound, then restart: every live member must declare them dead in time, and see them alive again',
  }),
  fdScenario({
    name: 'fd-partition', nemesis: 'scenario', script: partitionScript, allowance: NO_STRETCH, extraCheckers: () => [somePartitionNoticed()],
    description: 'a member or a minority is cut off for 2–10 s (both ways, or one way), then healed: false suspicions are measured, and all must be alive again after the heal',
  }),
  fdScenario({
    name: 'fd-lossy', nemesis: 'fd-lossy', allowance: FD_LOSSY_STRETCH,
    description: "windows of loss (everyone's links, or one member's incoming or outgoing), duplication and heavy delay: false suspicions and deaths per member-hour are measured",
  }),
  fdScenario({
    name: 'fd-slow-member', nemesis: 'scenario', script: slowMemberScript, allowance: (params) => ({ ...NO_STRETCH, slowFactorMax: params.slowFactorMax }),
    description: 'members run 10–100 times slower for 15–30 s (one at a time by default; an overloaded machine handles what the network brings it late): does it get declared dead, and does it wrongly declare others (Lifeguard)?',
  }),
  fdScenario({
    name: 'fd-clock-drift', nemesis: 'clocks', allowance: CLOCKS_STRETCH,
    description: "members' clocks jump by up to 2 s and drift by up to 20%: timeouts measured on a local clock stretch and shrink",
  }),
  fdScenario({
    name: 'fd-chaos', nemesis: 'fd-chaos', allowance: FD_NEMESIS_STRETCH,
    description: 'crashes, pauses, slow members, partitions (one-way too), loss and clock drift, mixed',
  }),
];

/**
 * swim-large: 512 members; a SWIM-only family (its own default size and duration). It runs memberlist's
 * LAN timing (1 s protocol period, 500 ms ping timeout), as Consul and Serf run SWIM in one data centre:
 * the small scenarios' 200 ms period is a stress setting. `--set protocolPeriodMicros=200ms
 * pingTimeoutMicros=100ms` runs it at that pace (5× the messages, and 5× the wall time).
 */
const swimLargeScenario = defineScenarioFamily({
  ...FAMILY_COMMON,
  defaults: { ...FAMILY_COMMON.defaults, protocolPeriodMicros: 1_000_000, pingTimeoutMicros: 500_000 },
  defaultNodes: 512, minNodes: 3, maxNodes: 512, defaultDurationMicros: seconds(60), build: buildFd('swim-large'),
});

/** A few crashes in a large cluster: three members (at most a minority) crash 2–8 s in and stay down to the end of the fault phase. */
function largeCrashScript(context: ScriptContext): FaultEntry[] {
  return context.rng.shuffle(context.servers).slice(0, Math.min(3, Math.floor((context.servers.length - 1) / 2))).map((node) => ({ at: context.rng.int(2_000_000, 8_000_000), kind: 'crash' as const, node })).sort((a, b) => a.at - b.at);
}

export const swimLargeScenarios: readonly Scenario[] = [
  swimLargeScenario({
    name: 'swim-large', nemesis: 'scenario', script: largeCrashScript, allowance: NO_STRETCH, extraCheckers: () => [someCrashDetected()],
    detectors: { only: ['swim'], reason: 'all-to-all heartbeats among 512 members would send 2.6 million messages a second' },
    description: "SWIM with 512 members, memberlist's LAN timing (1 s period): three crash 2–8 s in and stay down; detection and dissemination at scale, restarted members rejoin in recovery",
  }),
];
