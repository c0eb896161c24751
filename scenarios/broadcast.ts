// Reliable-broadcast scenarios: every node broadcasts values while the nemesis attacks the network;
// after recovery every value from a node that never crashed must be everywhere, exactly once.

import { broadcastBugs, BroadcastNode } from '../algorithms/broadcast/broadcast.js';
import type { BroadcastFact } from '../algorithms/broadcast/facts.js';
import { broadcastCheckers } from '../algorithms/broadcast/invariants.js';
import { defineParams, defineScenarioFamily, type Scenario, type ScenarioSetup, type ScenarioVariant } from '../sim/scenario.js';
import { seconds } from '../sim/time.js';
import { NETWORK_PARAMS, NETWORK_SWARM, networkFromParams, RECOVERY_PARAMS, serverIds } from './common.js';

/** Every broadcast scenario's parameters: the network, the broadcasts and their retransmission, the recovery bound. */
const BROADCAST_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  broadcastsPerNode: { unit: 'integer', default: 10, min: 0, max: 10_000, description: 'values each node broadcasts' },
  broadcastIntervalMicros: { unit: 'duration', default: 500_000, min: 1, description: 'time between one node\'s broadcasts' },
  retransmitMicros: { unit: 'duration', default: 100_000, min: 1, description: 'resend unacknowledged values this often' },
  retransmitBatchMax: { unit: 'integer', default: 64, min: 1, max: 100_000, description: 'resends per retransmission tick at most' },
  ...RECOVERY_PARAMS.decls,
});

const broadcastScenario = defineScenarioFamily({
  algorithm: 'broadcast',
  params: BROADCAST_PARAMS,
  // Gossip runs over a slower network than the consensus families.
  defaults: { latencyMicros: 2_000, jitterMicros: 8_000 },
  bugs: broadcastBugs,
  defaultNodes: 5,
  minNodes: 2,
  maxNodes: 64,
  nodesReason: 'with one node no value can travel, and the checks need one to',
  defaultDurationMicros: seconds(10),
  swarm: {
    params: {
      ...NETWORK_SWARM,
      broadcastsPerNode: { min: 1, max: 20 },
      broadcastIntervalMicros: { min: 50_000, max: 1_000_000, log: true },
      retransmitMicros: { min: 20_000, max: 300_000, log: true },
      retransmitBatchMax: { min: 8, max: 64, log: true, integer: true },
    },
    nodes: [2, 9],
    triggers: { facts: [{ fact: 'broadcast' }, { fact: 'deliver' }], messages: [{ type: 'gossip' }, { type: 'ack' }] },
  },
  build({ nodeCount, params, bugs }, _variant: ScenarioVariant<typeof BROADCAST_PARAMS.decls>): ScenarioSetup<BroadcastFact> {
    const config = {
      broadcastsPerNode: params.broadcastsPerNode,
      broadcastIntervalMicros: params.broadcastIntervalMicros,
      retransmitMicros: params.retransmitMicros,
      retransmitBatchMax: params.retransmitBatchMax,
      bugs,
    };
    const ids = serverIds(nodeCount);
    return {
      nodes: ids.map((id) => ({ id, role: 'server' as const, create: () => new BroadcastNode(config) })),
      network: networkFromParams(params),
      checkers: broadcastCheckers(),
      nemesisTargets: { roles: ['server'] },
      recoveryMicrosMax: params.recoveryMicrosMax,
    };
  },
});

export const broadcastScenarios: readonly Scenario[] = [
  broadcastScenario({
    name: 'broadcast-lossy',
    description: 'gossip broadcast over links that lose 20% and duplicate 5% of messages, plus loss/delay windows',
    nemesis: 'lossy',
    defaults: { lossRatio: 0.2, duplicateRatio: 0.05 },
  }),
  broadcastScenario({
    name: 'broadcast-partitions',
    description: 'gossip broadcast while the cluster is split, nodes isolated, one-way cuts and clogged links',
    nemesis: 'partitions',
  }),
  broadcastScenario({
    name: 'broadcast-chaos',
    description: 'gossip broadcast under every fault mixed: partitions, crashes, pauses, loss, duplication, delay, clocks',
    nemesis: 'chaos',
    defaults: { lossRatio: 0.05, duplicateRatio: 0.02 },
  }),
];
