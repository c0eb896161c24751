// Parameters and helpers shared by scenario families, declared once: the network every scenario
// exposes (latency model, loss and duplication during the fault phase, link capacity), the recovery
// bound, the key-value client workload of the replicated stores, and node naming.

import type { LatencyModel, NetworkConfig } from '../sim/network.js';
import { KvClient } from '../algorithms/kv/client.js';
import type { Checker, RunView } from '../sim/check.js';
import type { Fact } from '../sim/facts.js';
import type { MetricsObserver } from '../sim/metrics.js';
import type { FaultEntry } from '../sim/faults.js';
import type { NodeId, NodeSpec, Process } from '../sim/process.js';
import type { RoleOracle } from '../sim/simulator.js';
import type { SwarmRange } from '../sim/swarm.js';
import type { Micros } from '../sim/time.js';
import {
  defineParams, type ParamDecls, type ParamValuesOf, type ScenarioSetup, type ScenarioVariant, type ScriptContext,
} from '../sim/scenario.js';

/**
 * The network every scenario exposes as parameters. The defaults (1 ms + up to 4 ms, no loss or
 * duplication) suit the consensus families; a family or variant overrides them with its `defaults`.
 */
export const NETWORK_PARAMS = defineParams({
  latencyMicros: { unit: 'duration', default: 1_000, min: 0, description: 'base one-way network latency' },
  jitterMicros: { unit: 'duration', default: 4_000, min: 0, description: 'latency spread: uniform jitter, or the Pareto scale (reorders messages)' },
  latencyModel: { unit: 'choice', default: 'uniform', choices: ['uniform', 'pareto'], description: 'latency distribution: uniform, or heavy-tailed Pareto (shape 1.5, capped at 2s)' },
  lossRatio: { unit: 'ratio', default: 0, description: 'message loss during the fault phase (on top of nemesis faults)' },
  duplicateRatio: { unit: 'ratio', default: 0, description: 'message duplication during the fault phase' },
  linkCapacity: { unit: 'integer', default: 1_000, min: 1, max: 1_000_000, description: 'messages in flight per directed link before overflow drops' },
});

/**
 * Where `--nemesis swarm` may draw the network's knobs (sim/swarm.ts): latency from a tenth of a
 * millisecond to 5 ms, jitter up to 10 ms, either latency model, up to 10% loss and duplication.
 */
export const NETWORK_SWARM = {
  latencyMicros: { min: 100, max: 5_000, log: true },
  jitterMicros: { min: 0, max: 10_000 },
  latencyModel: { choices: ['uniform', 'pareto'] },
  lossRatio: { min: 0, max: 0.1 },
  duplicateRatio: { min: 0, max: 0.1 },
} as const satisfies Readonly<Record<string, SwarmRange>>;

/** Where swarm may draw the kv clients' knobs (Raft, Multi-Paxos): 1–8 clients on 1–10 keys, think and timeout times. */
export const KV_CLIENT_SWARM = {
  clients: { min: 1, max: 8 },
  keys: { min: 1, max: 10 },
  clientThinkMicrosMin: { min: 0, max: 10_000 },
  clientThinkMicrosMax: { min: 20_000, max: 100_000 },
  clientTimeoutMicros: { min: 100_000, max: 500_000, log: true },
} as const satisfies Readonly<Record<string, SwarmRange>>;

/** The values of {@link NETWORK_PARAMS}. */
export type NetworkParams = ParamValuesOf<typeof NETWORK_PARAMS.decls>;

/** The simulated network those parameters describe. */
export function networkFromParams(params: NetworkParams): NetworkConfig {
  const baseMicros = params.latencyMicros;
  const jitterMicros = params.jitterMicros;
  const latency: LatencyModel =
    params.latencyModel === 'pareto'
      ? { kind: 'pareto', baseMicros, scaleMicros: Math.max(1, jitterMicros), shape: 1.5, maxMicros: 2_000_000 }
      : { kind: 'uniform', baseMicros, jitterMicros };
  return { latency, lossRatio: params.lossRatio, duplicateRatio: params.duplicateRatio, linkCapacity: params.linkCapacity };
}

/** The bound on the recovery phase, for `eventually` checks (every built-in scenario has it). */
export const RECOVERY_PARAMS = defineParams({
  recoveryMicrosMax: { unit: 'duration', default: 10_000_000, min: 1_000, description: 'bound on the recovery phase for eventually-checks' },
});

/** n1 … nCOUNT. */
export function serverIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/** The key-value client workload's parameters, shared by the replicated kv stores (Raft, Multi-Paxos). */
export const KV_CLIENT_PARAMS = defineParams({
  clients: { unit: 'integer', default: 5, min: 0, max: 100, description: 'simulated clients' },
  keys: { unit: 'integer', default: 5, min: 1, max: 1_000, description: 'keys the clients pick from' },
  clientThinkMicrosMin: { unit: 'duration', default: 10_000, min: 0, maxParam: 'clientThinkMicrosMax', description: "shortest pause between one client's operations" },
  clientThinkMicrosMax: { unit: 'duration', default: 50_000, min: 0, description: "longest pause between one client's operations" },
  clientTimeoutMicros: { unit: 'duration', default: 200_000, min: 1_000, description: 'a client retries an operation unanswered this long' },
});

/** The values of {@link KV_CLIENT_PARAMS}. */
export type KvClientParams = ParamValuesOf<typeof KV_CLIENT_PARAMS.decls>;

/** Servers n1 … nCOUNT running `createServer()`, and the kv clients c1 … cK that {@link KV_CLIENT_PARAMS} configure. */
export function kvCluster(nodeCount: number, durationMicros: Micros, params: KvClientParams, createServer: () => Process<never>): { servers: NodeId[]; nodes: NodeSpec[] } {
  const clientConfig = {
    keys: params.keys,
    thinkMicrosMin: params.clientThinkMicrosMin,
    thinkMicrosMax: params.clientThinkMicrosMax,
    timeoutMicros: params.clientTimeoutMicros,
    attemptsMax: 0,
    stopAtMicros: durationMicros,
  };
  const servers = serverIds(nodeCount);
  const clients = Array.from({ length: params.clients }, (_, i) => `c${i + 1}`);
  const nodes: NodeSpec[] = [
    ...servers.map((id) => ({ id, role: 'server' as const, create: createServer })),
    ...clients.map((id) => ({ id, role: 'client' as const, create: () => new KvClient(clientConfig) })),
  ];
  return { servers, nodes };
}

/** The values of {@link RECOVERY_PARAMS}. */
export type RecoveryParams = ParamValuesOf<typeof RECOVERY_PARAMS.decls>;

/** A scenario of a family whose variants may bring a targeted fault script (the default nemesis `scenario`). */
export interface ScriptedVariant<D extends ParamDecls> extends ScenarioVariant<D> {
  /** A targeted fault script, for `--nemesis scenario`; it may restore the base latency after slowing links. */
  readonly script?: (context: ScriptContext, baseLatency: LatencyModel) => FaultEntry[];
}

/**
 * The set-up of a replicated key-value store (Raft, Multi-Paxos): servers running `createServer()` and
 * the kv clients, the network, the servers as the nemesis's targets, the recovery bound, who leads, and
 * the variant's script. `checkers(clients)` is told whether there are clients (none: an elections-only run).
 * Checkers and metrics `observers` are typed by the algorithm's facts `F`.
 */
export function kvStoreSetup<F extends Fact>(
  options: { readonly nodeCount: number; readonly durationMicros: Micros; readonly params: NetworkParams & KvClientParams & RecoveryParams },
  variant: ScriptedVariant<ParamDecls>,
  parts: {
    readonly createServer: () => Process<never, F>;
    readonly checkers: (clients: boolean) => Checker<F>[];
    readonly observers: () => MetricsObserver<F>[];
    readonly roles: RoleOracle;
    readonly abstractState?: (run: RunView) => string;
  },
): ScenarioSetup<F> {
  const { params } = options;
  const { nodes } = kvCluster(options.nodeCount, options.durationMicros, params, parts.createServer);
  const network = networkFromParams(params);
  const script = variant.script;
  return {
    nodes,
    network,
    checkers: parts.checkers(params.clients > 0),
    observers: parts.observers(),
    nemesisTargets: { roles: ['server'] },
    recoveryMicrosMax: params.recoveryMicrosMax,
    roles: parts.roles,
    ...(script ? { script: (context: ScriptContext) => script(context, network.latency) } : {}),
    ...(parts.abstractState ? { abstractState: parts.abstractState } : {}),
  };
}
