// The counter's scenarios, for `faultline run --scenarios ./scenarios.js counter-crashes` and for tests:
// a cluster of counter nodes under crashes, and under loss, duplication and partitions.

import { networkFromParams, networkParams, numberParam, seconds, serverIds, type NemesisProfile, type Scenario } from 'faultline';
import { counterCheckers } from './checks.js';
import { COUNTER_BUGS, CounterNode } from './counter.js';

function counterScenario(name: string, description: string, nemesis: NemesisProfile, lossRatio: number, duplicateRatio: number): Scenario {
  return {
    name,
    description,
    algorithm: 'g-counter',
    defaultNemesis: nemesis,
    defaultNodes: 3,
    minNodes: 1,
    maxNodes: 32,
    defaultDurationMicros: seconds(5),
    params: [
      ...networkParams({ latencyMicros: 2_000, jitterMicros: 5_000, lossRatio, duplicateRatio }),
      { name: 'incrementIntervalMicros', unit: 'duration', default: 100_000, min: 1_000, description: 'time between one node\'s increments' },
      { name: 'gossipIntervalMicros', unit: 'duration', default: 200_000, min: 1_000, description: 'time between one node\'s gossip rounds' },
      { name: 'recoveryMicrosMax', unit: 'duration', default: 5_000_000, min: 1_000, description: 'bound on the recovery phase for eventually-checks' },
    ],
    bugs: [{ name: COUNTER_BUGS.unsyncedCount, description: 'writes its own count to disk but never syncs it: a crash rolls it back', exposedBy: ['counter-crashes'] }],
    build({ nodeCount, durationMicros, params, bug }) {
      const config = {
        incrementIntervalMicros: numberParam(params, 'incrementIntervalMicros'),
        gossipIntervalMicros: numberParam(params, 'gossipIntervalMicros'),
        stopAtMicros: durationMicros,
        bugUnsyncedCount: bug === COUNTER_BUGS.unsyncedCount,
      };
      const ids = serverIds(nodeCount);
      return {
        nodes: ids.map((id) => ({ id, role: 'server' as const, create: () => new CounterNode(config) })),
        network: networkFromParams(params),
        checkers: counterCheckers(),
        nemesisTargets: ids,
        recoveryMicrosMax: numberParam(params, 'recoveryMicrosMax'),
      };
    },
  };
}

export const scenarios: readonly Scenario[] = [
  counterScenario('counter-crashes', 'a replicated grow-only counter while nodes crash and restart', 'crashes', 0, 0),
  counterScenario('counter-chaos', 'a replicated grow-only counter under loss, duplication, partitions and crashes', 'chaos', 0.05, 0.05),
];
