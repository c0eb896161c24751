// Reliable-broadcast scenarios: every node broadcasts values while the nemesis attacks the network;
// after recovery every value from a node that never crashed must be everywhere, exactly once.

import { BROADCAST_BUGS, BroadcastNode } from '../algorithms/broadcast/broadcast.js';
import { broadcastCheckers } from '../algorithms/broadcast/invariants.js';
import type { NemesisProfile } from '../sim/nemesis.js';
import { numberParam, type Scenario } from '../sim/scenario.js';
import { seconds } from '../sim/time.js';
import { networkFromParams, networkParams, serverIds } from './common.js';

interface Variant {
  readonly name: string;
  readonly description: string;
  readonly nemesis: NemesisProfile;
  readonly lossRatio: number;
  readonly duplicateRatio: number;
}

function broadcastScenario(variant: Variant): Scenario {
  return {
    name: variant.name,
    description: variant.description,
    algorithm: 'broadcast',
    defaultNemesis: variant.nemesis,
    defaultNodes: 5,
    minNodes: 2,
    maxNodes: 64,
    nodesReason: 'with one node no value can travel, and the checks need one to',
    defaultDurationMicros: seconds(10),
    params: [
      ...networkParams({ latencyMicros: 2_000, jitterMicros: 8_000, lossRatio: variant.lossRatio, duplicateRatio: variant.duplicateRatio }),
      { name: 'broadcastsPerNode', unit: 'integer', default: 10, min: 0, max: 10_000, description: 'values each node broadcasts' },
      { name: 'broadcastIntervalMicros', unit: 'duration', default: 500_000, min: 1, description: 'time between one node\'s broadcasts' },
      { name: 'retransmitMicros', unit: 'duration', default: 100_000, min: 1, description: 'resend unacknowledged values this often' },
      { name: 'retransmitBatchMax', unit: 'integer', default: 64, min: 1, max: 100_000, description: 'resends per retransmission tick at most' },
      { name: 'recoveryMicrosMax', unit: 'duration', default: 10_000_000, min: 1_000, description: 'bound on the recovery phase for eventually-checks' },
    ],
    bugs: [
      {
        name: BROADCAST_BUGS.noRetransmit, description: 'sends each value once and never resends: a lost message is lost for good',
        exposedBy: ['broadcast-partitions', 'broadcast-chaos', 'broadcast-lossy'],
      },
      {
        name: BROADCAST_BUGS.noDedup, description: 'delivers a value again whenever a copy arrives (retransmission, relay or duplicate)',
        exposedBy: ['broadcast-lossy', 'broadcast-partitions', 'broadcast-chaos'],
      },
    ],
    build({ nodeCount, params, bug }) {
      const config = {
        broadcastsPerNode: numberParam(params, 'broadcastsPerNode'),
        broadcastIntervalMicros: numberParam(params, 'broadcastIntervalMicros'),
        retransmitMicros: numberParam(params, 'retransmitMicros'),
        retransmitBatchMax: numberParam(params, 'retransmitBatchMax'),
        bugNoRetransmit: bug === BROADCAST_BUGS.noRetransmit,
        bugNoDedup: bug === BROADCAST_BUGS.noDedup,
      };
      const ids = serverIds(nodeCount);
      return {
        nodes: ids.map((id) => ({ id, role: 'server' as const, create: () => new BroadcastNode(config) })),
        network: networkFromParams(params),
        checkers: broadcastCheckers(),
        nemesisTargets: ids,
        recoveryMicrosMax: numberParam(params, 'recoveryMicrosMax'),
      };
    },
  };
}

export const broadcastScenarios: readonly Scenario[] = [
  broadcastScenario({
    name: 'broadcast-lossy',
    description: 'gossip broadcast over links that lose 20% and duplicate 5% of messages, plus loss/delay windows',
    nemesis: 'lossy',
    lossRatio: 0.2,
    duplicateRatio: 0.05,
  }),
  broadcastScenario({
    name: 'broadcast-partitions',
    description: 'gossip broadcast while the cluster is split, nodes isolated, one-way cuts and clogged links',
    nemesis: 'partitions',
    lossRatio: 0,
    duplicateRatio: 0,
  }),
  broadcastScenario({
    name: 'broadcast-chaos',
    description: 'gossip broadcast under every fault mixed: partitions, crashes, pauses, loss, duplication, delay, clocks',
    nemesis: 'chaos',
    lossRatio: 0.05,
    duplicateRatio: 0.02,
  }),
];
