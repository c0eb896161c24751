// Parameters and helpers shared by scenarios: the network every scenario exposes (latency model,
// loss and duplication during the fault phase, link capacity) and node naming.

import type { LatencyModel, NetworkConfig } from '../sim/network.js';
import { KvClient } from '../algorithms/kv/client.js';
import type { NodeId, NodeSpec, Process } from '../sim/process.js';
import type { Micros } from '../sim/time.js';
import { numberParam, type ParamSpec, type ParamValues } from '../sim/scenario.js';

export function networkParams(defaults: { latencyMicros: number; jitterMicros: number; lossRatio: number; duplicateRatio: number }): ParamSpec[] {
  return [
    { name: 'latencyMicros', unit: 'duration', default: defaults.latencyMicros, min: 0, description: 'base one-way network latency' },
    { name: 'jitterMicros', unit: 'duration', default: defaults.jitterMicros, min: 0, description: 'latency spread: uniform jitter, or the Pareto scale (reorders messages)' },
    { name: 'latencyModel', unit: 'choice', default: 'uniform', choices: ['uniform', 'pareto'], description: 'latency distribution: uniform, or heavy-tailed Pareto (shape 1.5, capped at 2s)' },
    { name: 'lossRatio', unit: 'ratio', default: defaults.lossRatio, description: 'message loss during the fault phase (on top of nemesis faults)' },
    { name: 'duplicateRatio', unit: 'ratio', default: defaults.duplicateRatio, description: 'message duplication during the fault phase' },
    { name: 'linkCapacity', unit: 'integer', default: 1_000, min: 1, max: 1_000_000, description: 'messages in flight per directed link before overflow drops' },
  ];
}

export function networkFromParams(params: ParamValues): NetworkConfig {
  const baseMicros = numberParam(params, 'latencyMicros');
  const jitterMicros = numberParam(params, 'jitterMicros');
  const latency: LatencyModel =
    params.latencyModel === 'pareto'
      ? { kind: 'pareto', baseMicros, scaleMicros: Math.max(1, jitterMicros), shape: 1.5, maxMicros: 2_000_000 }
      : { kind: 'uniform', baseMicros, jitterMicros };
  return {
    latency,
    lossRatio: numberParam(params, 'lossRatio'),
    duplicateRatio: numberParam(params, 'duplicateRatio'),
    linkCapacity: numberParam(params, 'linkCapacity'),
  };
}

/** n1 … nCOUNT. */
export function serverIds(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/** The key-value client workload's parameters, shared by the replicated kv stores (Raft, Multi-Paxos). */
export function kvClientParams(): ParamSpec[] {
  return [
    { name: 'clients', unit: 'integer', default: 5, min: 0, max: 100, description: 'simulated clients' },
    { name: 'keys', unit: 'integer', default: 5, min: 1, max: 1_000, description: 'keys the clients pick from' },
    { name: 'clientThinkMicrosMin', unit: 'duration', default: 10_000, min: 0, maxParam: 'clientThinkMicrosMax', description: "shortest pause between one client's operations" },
    { name: 'clientThinkMicrosMax', unit: 'duration', default: 50_000, min: 0, description: "longest pause between one client's operations" },
    { name: 'clientTimeoutMicros', unit: 'duration', default: 200_000, min: 1_000, description: 'a client retries an operation unanswered this long' },
  ];
}

/** Servers n1 … nCOUNT running `createServer()`, and the kv clients c1 … cK that `kvClientParams` configure. */
export function kvCluster(nodeCount: number, durationMicros: Micros, params: ParamValues, createServer: () => Process<never>): { servers: NodeId[]; nodes: NodeSpec[] } {
  const clientConfig = {
    keys: numberParam(params, 'keys'),
    thinkMicrosMin: numberParam(params, 'clientThinkMicrosMin'),
    thinkMicrosMax: numberParam(params, 'clientThinkMicrosMax'),
    timeoutMicros: numberParam(params, 'clientTimeoutMicros'),
    attemptsMax: 0,
    stopAtMicros: durationMicros,
  };
  const servers = serverIds(nodeCount);
  const clients = Array.from({ length: numberParam(params, 'clients') }, (_, i) => `c${i + 1}`);
  const nodes: NodeSpec[] = [
    ...servers.map((id) => ({ id, role: 'server' as const, create: createServer })),
    ...clients.map((id) => ({ id, role: 'client' as const, create: () => new KvClient(clientConfig) })),
  ];
  return { servers, nodes };
}
