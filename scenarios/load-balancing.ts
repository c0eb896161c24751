// Load-balancing scenarios: clients c1…cK send requests through one central balancer (`lb`) or balance
// themselves (client-side, as a sidecar does) over backends b1…bN (`--nodes` counts the backends), each a
// queue in front of c workers. The offered load is a share of the fleet's capacity. Faults are scripted
// per scenario (crashes, slow and fail-fast backends, a balancer cut off from some backends, loss, an
// outage under load); the checkers judge conservation, routing and recovery; metrics measure latency.

import { Backend } from '../algorithms/load-balancing/backend.js';
import { Balancer } from '../algorithms/load-balancing/balancer.js';
import { lbBugs } from '../algorithms/load-balancing/bugs.js';
import { lbCheckers } from '../algorithms/load-balancing/checks.js';
import { Client } from '../algorithms/load-balancing/client.js';
import { POLICIES, type BackendConfig, type BalancerConfig, type ClientConfig, type ServiceTime } from '../algorithms/load-balancing/config.js';
import type { LbFact } from '../algorithms/load-balancing/facts.js';
import { healthCheckThresholds, retryWithinBudget, wrrKeepsWeights } from '../algorithms/load-balancing/rules.js';
import { lbMetrics } from '../algorithms/load-balancing/metrics.js';
import type { Checker } from '../sim/check.js';
import { InputError } from '../sim/errors.js';
import type { FaultEntry } from '../sim/faults.js';
import type { NodeId, NodeSpec } from '../sim/process.js';
import { defineParams, defineScenarioFamily, type FamilyBuildOptions, type Scenario, type ScenarioSetup, type ScenarioVariant, type ScriptContext } from '../sim/scenario.js';
import { formatMicros, seconds, type Micros } from '../sim/time.js';
import { NETWORK_PARAMS, NETWORK_SWARM, networkFromParams, RECOVERY_PARAMS } from './common.js';

/** Every load-balancing scenario's parameters. */
export const LB_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  mode: { unit: 'choice', default: 'central', choices: ['central', 'client-side'], description: 'one central balancer (lb) between clients and backends, or every client balancing for itself (a sidecar or client library)' },
  policy: { unit: 'choice', default: 'p2c', choices: [...POLICIES], description: 'how a balancer picks a backend for each attempt' },
  clients: { unit: 'integer', default: 4, min: 1, max: 1_000, description: 'clients sending requests' },
  load: { unit: 'number', default: 0.7, min: 0.01, max: 3, description: "offered load as a share of the fleet's capacity (Σ workers × speed ÷ mean service time); open loop only" },
  workload: { unit: 'choice', default: 'open', choices: ['open', 'closed'], description: 'open loop (Poisson arrivals at the offered load, whatever the answers) or closed loop (each client keeps closedConcurrency requests in flight)' },
  closedConcurrency: { unit: 'integer', default: 8, min: 1, max: 10_000, description: 'closed loop: requests each client keeps in flight' },
  thinkMicros: { unit: 'duration', default: 0, min: 0, description: 'closed loop: pause after each answer before the next request' },
  requestsPerBackend: { unit: 'integer', default: 0, min: 0, max: 1_000_000, description: 'the clients stop after this many requests per backend in all, shared among them (0: no limit; 1 with a long service time is the balls-into-bins game)' },
  service: { unit: 'choice', default: 'exponential', choices: ['exponential', 'lognormal', 'pareto', 'constant'], description: 'service-time distribution on a backend of speed 1' },
  serviceMeanMicros: { unit: 'duration', default: 10_000, min: 1, description: 'mean service time on a backend of speed 1 (Pareto: before its cap at 100 × the mean)' },
  serviceSigma: { unit: 'number', default: 1, min: 0.01, max: 5, description: 'lognormal: σ of the underlying normal' },
  paretoShape: { unit: 'number', default: 1.5, min: 1.05, max: 10, description: 'pareto: the shape α (heavier tail as it nears 1)' },
  workers: { unit: 'integer', default: 4, min: 1, max: 1_000, description: 'c: requests each backend serves at once' },
  concurrencyMax: { unit: 'integer', default: 64, min: 0, max: 1_000_000, description: 'requests a backend holds at once (in service and waiting) before it rejects; 0: no limit' },
  fleet: { unit: 'choice', default: 'uniform', choices: ['uniform', 'mixed', 'auto'], description: 'every backend at speed 1, or a mixed fleet: speeds 1, 2 and 4 in turn (weighted round robin is given the speeds as weights); auto: mixed under weighted round robin, else uniform' },
  keys: { unit: 'integer', default: 1_000, min: 1, max: 10_000_000, description: 'request keys (uniform), what ring-hash balances on' },
  attemptTimeoutMicros: { unit: 'duration', default: 1_000_000, min: 1_000, description: 'a client abandons an attempt not answered within this long' },
  maxAttempts: { unit: 'integer', default: 2, min: 1, max: 10, description: 'attempts per request in all (1: no retries)' },
  retryBackoffMicros: { unit: 'duration', default: 10_000, min: 0, description: 'pause before a retry' },
  retryBudgetRatio: { unit: 'ratio', default: 0.2, description: 'retries may be at most this share of first attempts (over 10 s, plus 10 a second)' },
  healthChecks: { unit: 'choice', default: 'on', choices: ['on', 'off'], description: 'active health checks from every balancer to every backend' },
  healthIntervalMicros: { unit: 'duration', default: 500_000, min: 1_000, description: 'health checks: a probe this often' },
  healthTimeoutMicros: { unit: 'duration', default: 250_000, min: 1_000, description: 'health checks: a probe unanswered this long fails' },
  unhealthyThreshold: { unit: 'integer', default: 2, min: 1, max: 100, description: 'health checks: consecutive failed probes that mark a backend down' },
  healthyThreshold: { unit: 'integer', default: 3, min: 1, max: 100, description: 'health checks: consecutive passing probes that mark it up again' },
  healthDetector: { unit: 'choice', default: 'thresholds', choices: ['thresholds', 'phi'], description: 'health checks: judge a backend by runs of probe results (the two thresholds), or by the phi accrual detector over the arrivals of its probe answers (down when phi passes healthPhiThreshold, up on its next answer)' },
  healthPhiThreshold: { unit: 'number', default: 8, min: 0.1, max: 100, description: 'health checks with healthDetector=phi: phi above this marks a backend down (8: one chance in 10^8 the answer is only late)' },
  outlier: { unit: 'choice', default: 'on', choices: ['on', 'off'], description: 'passive outlier detection (ejection on consecutive errors and low success rate)' },
  consecutiveErrors: { unit: 'integer', default: 5, min: 1, max: 10_000, description: 'outliers: errors in a row that eject a backend' },
  outlierIntervalMicros: { unit: 'duration', default: 1_000_000, min: 1_000, description: 'outliers: how often success rates are compared and ejections reviewed' },
  baseEjectionMicros: { unit: 'duration', default: 3_000_000, min: 1_000, description: 'outliers: an ejection lasts this × the times the backend was ejected' },
  maxEjectionRatio: { unit: 'ratio', default: 0.5, description: 'outliers: at most this share of backends ejected at once' },
  successRateStdevFactor: { unit: 'number', default: 1.9, min: 0, max: 10, description: 'outliers: eject below mean − this × stdev of success rates (0: off)' },
  successRateMinRequests: { unit: 'integer', default: 50, min: 1, max: 1_000_000, description: 'outliers: answers a backend needs in an interval to be judged on its success rate' },
  panicThresholdRatio: { unit: 'ratio', default: 0.5, description: 'below this share of healthy backends, balance over all of them (0: never)' },
  ewmaDecayMicros: { unit: 'duration', default: 10_000_000, min: 1_000, description: 'p2c-peak-ewma: the latency average decays by e every this long' },
  ringPointsPerBackend: { unit: 'integer', default: 100, min: 1, max: 10_000, description: 'ring-hash: points per backend on the ring' },
  objectiveRatio: { unit: 'ratio', default: 0.99, description: 'after heal, the success ratio over the window must come back above this' },
  objectiveWindowMicros: { unit: 'duration', default: 2_000_000, min: 1_000, description: 'the window the success objective is judged over' },
  objectiveMinRequests: { unit: 'integer', default: 20, min: 1, max: 1_000_000, description: 'requests that must end in the window before the objective is judged' },
  sampleIntervalMicros: { unit: 'duration', default: 100_000, min: 1_000, description: 'how often each backend reports its queue (metrics and the report)' },
  ...RECOVERY_PARAMS.decls,
});

/** healthDetector=phi: answer intervals kept per backend. */
const PHI_WINDOW_SIZE = 100;

type LbParams = FamilyBuildOptions<typeof LB_PARAMS.decls, keyof typeof lbBugs.names>['params'];
type LbBuild = FamilyBuildOptions<typeof LB_PARAMS.decls, keyof typeof lbBugs.names>;

/** The speeds of a mixed fleet, in turn. */
const MIXED_SPEEDS = [1, 2, 4] as const;

/**
 * Whether the fleet is mixed. `auto` (lb-chaos's default): mixed exactly under weighted round robin, the one
 * policy that reads weights (on a uniform fleet it is plain round robin, and its weighted rule goes untested).
 */
export function mixedFleet(params: Pick<LbParams, 'fleet' | 'policy'>): boolean {
  return params.fleet === 'mixed' || (params.fleet === 'auto' && params.policy === 'weighted-round-robin');
}

/** Backend i's speed (0-based). */
export function backendSpeed(params: Pick<LbParams, 'fleet' | 'policy'>, i: number): number {
  return mixedFleet(params) ? MIXED_SPEEDS[i % MIXED_SPEEDS.length]! : 1;
}

/** The service-time model whose mean (before any cap) is serviceMeanMicros. */
export function serviceTime(params: LbParams): ServiceTime {
  const mean = params.serviceMeanMicros;
  switch (params.service) {
    case 'exponential': return { kind: 'exponential', meanMicros: mean };
    case 'lognormal': return { kind: 'lognormal', medianMicros: mean / Math.exp((params.serviceSigma * params.serviceSigma) / 2), sigma: params.serviceSigma };
    case 'pareto': return { kind: 'pareto', scaleMicros: (mean * (params.paretoShape - 1)) / params.paretoShape, shape: params.paretoShape, maxMicros: 100 * mean };
    case 'constant': return { kind: 'constant', micros: mean };
  }
}

/** The fleet's capacity in requests per second: Σ workers × speed ÷ mean service time. */
export function capacityPerSecond(params: LbParams, backends: number): number {
  let speeds = 0;
  for (let i = 0; i < backends; i++) speeds += backendSpeed(params, i);
  return (params.workers * speeds * 1_000_000) / params.serviceMeanMicros;
}

interface LbVariant extends ScenarioVariant<typeof LB_PARAMS.decls> {
  /** The scenario's fault script (nemesis `scenario`). */
  readonly script?: (context: LbScriptContext) => FaultEntry[];
}

/** What a fault script knows: the engine's context, the backends and the balancers (the central one, or the clients). */
interface LbScriptContext extends ScriptContext {
  readonly backends: readonly NodeId[];
  readonly balancers: readonly NodeId[];
}

function buildLb({ nodeCount, params, bugs }: LbBuild, variant: LbVariant): ScenarioSetup<LbFact> {
  if (params.healthTimeoutMicros >= params.healthIntervalMicros) {
    throw new InputError(`--set healthTimeoutMicros=${formatMicros(params.healthTimeoutMicros)} must be below healthIntervalMicros=${formatMicros(params.healthIntervalMicros)} (a probe must end before the next one starts)`);
  }
  if (params.healthDetector === 'phi' && params.healthChecks === 'off') {
    throw new InputError('--set healthDetector=phi needs healthChecks=on (phi is computed from the arrivals of probe answers)');
  }
  const backends = Array.from({ length: nodeCount }, (_, i) => `b${i + 1}`);
  const clients = Array.from({ length: params.clients }, (_, i) => `c${i + 1}`);
  const network = networkFromParams(params);
  const latencyMicrosMax = network.latency.kind === 'pareto' ? network.latency.maxMicros : network.latency.baseMicros + network.latency.jitterMicros;
  const balancer: BalancerConfig = {
    backends: backends.map((id, i) => ({ id, weight: backendSpeed(params, i) })),
    policy: params.policy,
    healthCheck: params.healthChecks === 'on'
      ? { intervalMicros: params.healthIntervalMicros, timeoutMicros: params.healthTimeoutMicros, unhealthyThreshold: params.unhealthyThreshold, healthyThreshold: params.healthyThreshold }
      : null,
    // The phi detector's window and deviation floor are fixed: 100 answers (50 s at the default interval), and
    // a tenth of the probe interval (Akka's defaults: 100 ms at 1 s heartbeats; the fd scenarios: 10 ms at 100 ms).
    ...(params.healthDetector === 'phi'
      ? { healthDetector: { kind: 'phi', threshold: params.healthPhiThreshold, windowSize: PHI_WINDOW_SIZE, minStdDeviationMicros: Math.round(params.healthIntervalMicros / 10) } as const }
      : {}),
    outlier: params.outlier === 'on'
      ? {
          consecutiveErrors: params.consecutiveErrors, intervalMicros: params.outlierIntervalMicros, successRateMinRequests: params.successRateMinRequests,
          successRateStdevFactor: params.successRateStdevFactor, baseEjectionMicros: params.baseEjectionMicros, maxEjectionRatio: params.maxEjectionRatio,
        }
      : null,
    panicThresholdRatio: params.panicThresholdRatio,
    ewmaDecayMicros: params.ewmaDecayMicros,
    ringPointsPerBackend: params.ringPointsPerBackend,
    // The central balancer answers `timeout` before the client's own timer runs out (four one-way trips early).
    upstreamTimeoutMicros: Math.max(Math.floor(params.attemptTimeoutMicros / 2), params.attemptTimeoutMicros - 4 * latencyMicrosMax),
    bugs,
  };
  const capacity = capacityPerSecond(params, nodeCount);
  const client: ClientConfig = {
    workload: params.workload === 'open'
      ? { kind: 'open', ratePerSecond: (params.load * capacity) / params.clients }
      : { kind: 'closed', concurrency: params.closedConcurrency, thinkMicros: params.thinkMicros },
    keys: params.keys,
    attemptTimeoutMicros: params.attemptTimeoutMicros,
    retry: { maxAttempts: params.maxAttempts, backoffMicros: params.retryBackoffMicros, budgetRatio: params.retryBudgetRatio, budgetWindowMicros: 10_000_000, budgetMinPerSecond: 10 },
    route: params.mode === 'central' ? { kind: 'central', balancer: 'lb' } : { kind: 'client-side', balancer },
    bugs,
  };
  // requestsPerBackend × backends requests in all, shared among the clients (the first ones take the remainder).
  const total = params.requestsPerBackend * nodeCount;
  const clientConfig = (i: number): ClientConfig =>
    total === 0 ? client : { ...client, requestsMax: Math.floor(total / params.clients) + (i < total % params.clients ? 1 : 0) };
  const backendConfig = (i: number): BackendConfig => ({
    workers: params.workers,
    concurrencyMax: params.concurrencyMax === 0 ? Infinity : params.concurrencyMax,
    service: serviceTime(params),
    speed: backendSpeed(params, i),
    sampleIntervalMicros: params.sampleIntervalMicros,
    bugs,
  });
  const nodes: NodeSpec[] = [
    ...clients.map((id, i) => {
      const config = clientConfig(i);
      return { id, role: 'client', create: () => new Client(config) };
    }),
    ...(params.mode === 'central' ? [{ id: 'lb', role: 'balancer', create: () => new Balancer(balancer) }] : []),
    ...backends.map((id, i) => ({ id, role: 'backend', create: () => new Backend(backendConfig(i)) })),
  ];
  const balancers = params.mode === 'central' ? ['lb'] : clients;
  // The longest a request may stay open: every attempt times out after its backoff, plus the trips.
  const requestMicrosMax = params.maxAttempts * (params.attemptTimeoutMicros + params.retryBackoffMicros) + 4 * latencyMicrosMax + 1_000;
  const script = variant.script;
  return {
    nodes,
    network,
    topology: (node) => (node.role === 'client' ? (params.mode === 'central' ? ['lb'] : backends) : node.role === 'balancer' ? backends : []),
    checkers: [
      ...lbCheckers({
        requestMicrosMax, panicThresholdRatio: params.panicThresholdRatio, backendCount: backends.length,
        objectiveRatio: params.objectiveRatio, windowMicros: params.objectiveWindowMicros, minRequests: params.objectiveMinRequests,
      }),
      // The rule checkers (rules.ts): each protocol rule recomputed from the facts, sound under any fault.
      healthCheckThresholds(balancer.healthCheck === null ? { detector: 'off' } : balancer.healthDetector !== undefined ? { detector: 'phi' } : { detector: 'thresholds', check: balancer.healthCheck }),
      retryWithinBudget(client.retry),
      ...(params.policy === 'weighted-round-robin' ? [wrrKeepsWeights({ backends: balancer.backends })] : []),
    ] as Checker<LbFact>[],
    observers: [lbMetrics({ workers: params.workers })],
    nemesisTargets: { roles: ['backend'] },
    recoveryMicrosMax: params.recoveryMicrosMax,
    ...(script ? { script: (context: ScriptContext) => script({ ...context, backends, balancers }) } : {}),
  };
}

const lbScenario = defineScenarioFamily({
  algorithm: 'load-balancing',
  params: LB_PARAMS,
  bugs: lbBugs,
  // A data-centre network: 100 µs + up to 200 µs one way; faults heal within the 20 s recovery bound.
  defaults: { latencyMicros: 100, jitterMicros: 200, recoveryMicrosMax: 20_000_000 },
  defaultNodes: 8,
  minNodes: 1,
  maxNodes: 1_000,
  defaultDurationMicros: seconds(30),
  swarm: {
    params: {
      latencyMicros: { min: 50, max: 2_000, log: true },
      jitterMicros: { min: 0, max: 2_000 },
      clients: { min: 1, max: 8 },
      // Joint limits the ranges must respect one by one (a draw is one point of their product): a closed loop
      // of 8 clients × 8 requests fits in one backend (≥ 64), and with retries (a 20% budget) and a
      // heavy-tailed service time the load stays well under capacity. Wider draws (load to 0.9, limits from
      // 8) failed success-after-heal on correct code on 6 of seeds 1–200: rejections for good, and overload
      // that outlier ejection keeps going; load to 0.75 still on 1 (seed 186: Pareto service, 3 workers,
      // 0.66 load, timeouts of 379 ms; it passes at 0.55).
      load: { min: 0.3, max: 0.6 },
      workload: { choices: ['open', 'closed'] },
      fleet: { choices: ['uniform', 'mixed'] },
      service: { choices: ['exponential', 'lognormal', 'pareto', 'constant'] },
      workers: { min: 2, max: 8 },
      maxAttempts: { min: 1, max: 3 },
      attemptTimeoutMicros: { min: 200_000, max: 1_000_000, log: true },
      concurrencyMax: { min: 64, max: 256, log: true, integer: true },
      outlier: { choices: ['on', 'off'] },
      healthIntervalMicros: { min: 300_000, max: 1_000_000, log: true }, // above healthTimeoutMicros (250 ms)
      consecutiveErrors: { min: 2, max: 10 },
    },
    nodes: [3, 12],
  },
  build: buildLb,
});

/** At most a minority of the backends, drawn from the seed. */
function someBackends(context: LbScriptContext, countMax: number): NodeId[] {
  const most = Math.max(1, Math.floor((context.backends.length - 1) / 2));
  return context.rng.shuffle(context.backends).slice(0, Math.min(most, context.rng.int(1, countMax)));
}

/** Episodes: `open` faults some backends at `at`, `close` ends them `length` later; then a gap. */
function episodes(context: LbScriptContext, lengthMicros: [number, number], gapMicros: [number, number], each: (at: Micros, end: Micros) => FaultEntry[]): FaultEntry[] {
  const out: FaultEntry[] = [];
  let at = context.rng.int(2_000_000, 4_000_000);
  while (at < context.durationMicros - 1) {
    const end = Math.min(context.durationMicros - 1, at + context.rng.int(lengthMicros[0], lengthMicros[1]));
    out.push(...each(at, end));
    at = end + context.rng.int(gapMicros[0], gapMicros[1]);
  }
  return out.filter((f) => f.at < context.durationMicros).sort((a, b) => a.at - b.at);
}

/** One or two backends crash for 2–6 s, then restart. */
function crashScript(context: LbScriptContext): FaultEntry[] {
  return episodes(context, [2_000_000, 6_000_000], [2_000_000, 5_000_000], (at, end) =>
    someBackends(context, 2).flatMap((node): FaultEntry[] => [{ at, kind: 'crash', node }, { at: end, kind: 'restart', node }]));
}

/** One backend at a time runs 5–20 times slower (its work takes that much longer) for 5–15 s. */
function slowScript(context: LbScriptContext): FaultEntry[] {
  return episodes(context, [5_000_000, 15_000_000], [2_000_000, 5_000_000], (at, end) => {
    const node = context.rng.pick(context.backends);
    return [{ at, kind: 'slow', node, factor: context.rng.int(5, 20) }, { at: end, kind: 'slow', node, factor: 1 }];
  });
}

/** One backend at a time fails every request at once (it passes its health checks) for 3–10 s. */
function failFastScript(context: LbScriptContext): FaultEntry[] {
  return episodes(context, [3_000_000, 10_000_000], [3_000_000, 6_000_000], (at, end) => {
    const node = context.rng.pick(context.backends);
    return [{ at, kind: 'fail-fast', node, ratio: 1 }, { at: end, kind: 'fail-fast', node, ratio: 0 }];
  });
}

/** One backend at a time flaps: its links lose half their messages for 5–10 s, so its probes pass and fail by turns. */
function flakyScript(context: LbScriptContext): FaultEntry[] {
  return episodes(context, [5_000_000, 10_000_000], [2_000_000, 4_000_000], (at, end) => {
    const node = context.rng.pick(context.backends);
    const others = [...context.clients, ...context.members('balancer'), ...context.backends].filter((id) => id !== node);
    return [
      { at, kind: 'loss', ratio: 0.5, from: others, to: [node] }, { at, kind: 'loss', ratio: 0.5, from: [node], to: others },
      { at: end, kind: 'loss', ratio: 0, from: others, to: [node] }, { at: end, kind: 'loss', ratio: 0, from: [node], to: others },
    ];
  });
}

/** One balancer (the central one, or a client) is cut off from a minority of the backends for 3–8 s. */
function partitionScript(context: LbScriptContext): FaultEntry[] {
  return episodes(context, [3_000_000, 8_000_000], [2_000_000, 5_000_000], (at, end) => [
    { at, kind: 'partition', groups: [[context.rng.pick(context.balancers)], someBackends(context, 3)] },
    { at: end, kind: 'heal' },
  ]);
}

/** Windows of 5–30% loss on every link for 2–6 s. */
function lossyScript(context: LbScriptContext): FaultEntry[] {
  return episodes(context, [2_000_000, 6_000_000], [2_000_000, 5_000_000], (at, end) => {
    const ratio = context.rng.int(5, 30) / 100;
    return [{ at, kind: 'loss', ratio }, { at: end, kind: 'loss', ratio: 0 }];
  });
}

/** An outage under load: half the backends crash for 3–5 s, once, then all restart. */
function outageScript(context: LbScriptContext): FaultEntry[] {
  const at = context.rng.int(5_000_000, 10_000_000);
  const end = at + context.rng.int(3_000_000, 5_000_000);
  const down = context.rng.shuffle(context.backends).slice(0, Math.max(1, Math.floor(context.backends.length / 2)));
  return down.flatMap((node): FaultEntry[] => [{ at, kind: 'crash', node }, { at: end, kind: 'restart', node }]).filter((f) => f.at < context.durationMicros).sort((a, b) => a.at - b.at);
}

/** Everything above, mixed: each episode one of crash, pause, slow, fail-fast, a cut-off balancer, loss. */
function chaosScript(context: LbScriptContext): FaultEntry[] {
  return episodes(context, [2_000_000, 8_000_000], [1_000_000, 4_000_000], (at, end) => {
    const node = context.rng.pick(context.backends);
    switch (context.rng.int(0, 5)) {
      case 0: return [{ at, kind: 'crash', node }, { at: end, kind: 'restart', node }];
      case 1: return [{ at, kind: 'pause', node }, { at: end, kind: 'resume', node }];
      case 2: return [{ at, kind: 'slow', node, factor: context.rng.int(5, 20) }, { at: end, kind: 'slow', node, factor: 1 }];
      case 3: return [{ at, kind: 'fail-fast', node, ratio: context.rng.int(50, 100) / 100 }, { at: end, kind: 'fail-fast', node, ratio: 0 }];
      case 4: return [{ at, kind: 'partition', groups: [[context.rng.pick(context.balancers)], someBackends(context, 3)] }, { at: end, kind: 'heal' }];
      default: {
        const ratio = context.rng.int(5, 30) / 100;
        return [{ at, kind: 'loss', ratio }, { at: end, kind: 'loss', ratio: 0 }];
      }
    }
  });
}

export const loadBalancingScenarios: readonly Scenario[] = [
  lbScenario({ name: 'lb-steady', nemesis: 'none', description: 'no faults: the offered load on a healthy fleet (capacity planning, policies side by side)' }),
  lbScenario({ name: 'lb-backend-crash', nemesis: 'scenario', script: crashScript, description: 'one or two backends crash for 2–6 s and restart: health checks take them out and back' }),
  lbScenario({ name: 'lb-slow-backend', nemesis: 'scenario', script: slowScript, description: 'one backend at a time serves 5–20 times slower for 5–15 s: who keeps sending it work?' }),
  lbScenario({ name: 'lb-fail-fast', nemesis: 'scenario', script: failFastScript, description: 'one backend at a time fails every request at once for 3–10 s, passing its health checks: least-loaded policies love it, outlier ejection does not' }),
  lbScenario({ name: 'lb-flaky-backend', nemesis: 'scenario', script: flakyScript, description: "one backend at a time loses half its messages for 5–10 s: its probes pass and fail by turns (the healthy threshold's job)" }),
  lbScenario({ name: 'lb-partition', nemesis: 'scenario', script: partitionScript, description: 'one balancer is cut off from a minority of the backends for 3–8 s' }),
  lbScenario({ name: 'lb-lossy', nemesis: 'scenario', script: lossyScript, description: 'windows of 5–30% message loss on every link' }),
  lbScenario({
    name: 'lb-overload', nemesis: 'scenario', script: outageScript, defaults: { load: 0.75, maxAttempts: 3, retryBudgetRatio: 0.1, concurrencyMax: 0, outlier: 'off', attemptTimeoutMicros: 500_000 },
    description: 'at 75% load, half the backends crash for 3–5 s once; clients retry up to 3 attempts within a 10% budget (or, planted bug, without one: a retry storm that outlasts the outage)',
  }),
  // The generic scenario: under weighted round robin its fleet is mixed (fleet=auto), so that weights matter.
  lbScenario({ name: 'lb-chaos', nemesis: 'scenario', script: chaosScript, defaults: { fleet: 'auto' }, description: 'crashes, pauses, slow and fail-fast backends, cut-off balancers and loss, mixed (under weighted round robin, on a mixed fleet)' }),
];

/** lb-large: 100 backends by default (the speed benchmark's size); its own default size. */
const lbLargeScenario = defineScenarioFamily({
  algorithm: 'load-balancing',
  params: LB_PARAMS,
  bugs: lbBugs,
  // One worker of 7 ms per backend: 100 backends serve 14,286 requests a second; 70% load is 10,000 a second.
  // Health checks every 2 s (20 clients probing 100 backends twice a second would be 8,000 messages a second).
  defaults: { latencyMicros: 100, jitterMicros: 200, recoveryMicrosMax: 20_000_000, workers: 1, serviceMeanMicros: 7_000, clients: 20, mode: 'client-side', healthIntervalMicros: 2_000_000, healthTimeoutMicros: 500_000 },
  defaultNodes: 100,
  minNodes: 1,
  maxNodes: 1_000,
  defaultDurationMicros: seconds(60),
  build: buildLb,
});

export const lbLargeScenarios: readonly Scenario[] = [
  lbLargeScenario({
    name: 'lb-large', nemesis: 'scenario', script: crashScript,
    description: '100 backends at 10,000 requests a second (20 clients balancing for themselves), one or two crashing at a time: the speed benchmark',
  }),
];
