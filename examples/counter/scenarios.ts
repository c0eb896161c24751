// The counter's scenarios, for `faultline run --scenarios ./scenarios.js counter-crashes` and for tests:
// a cluster of counter nodes under crashes, and under loss, duplication and partitions. One family,
// declared once; each scenario is a variant that names its nemesis and its network's loss.

import {
  defineParams, defineScenarioFamily, NETWORK_PARAMS, networkFromParams, RECOVERY_PARAMS, seconds, serverIds,
  type Scenario, type ScenarioSetup, type ScenarioVariant,
} from 'faultline';
import { counterBugs } from './bugs.js';
import { counterCheckers } from './checks.js';
import { CounterNode } from './counter.js';
import type { CounterFact } from './facts.js';

const COUNTER_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  incrementIntervalMicros: { unit: 'duration', default: 100_000, min: 1_000, description: 'time between one node\'s increments' },
  gossipIntervalMicros: { unit: 'duration', default: 200_000, min: 1_000, description: 'time between one node\'s gossip rounds' },
  ...RECOVERY_PARAMS.decls,
});

const counterScenario = defineScenarioFamily({
  algorithm: 'g-counter',
  params: COUNTER_PARAMS,
  defaults: { latencyMicros: 2_000, jitterMicros: 5_000, recoveryMicrosMax: 5_000_000 },
  bugs: counterBugs,
  defaultNodes: 3,
  minNodes: 1,
  maxNodes: 32,
  defaultDurationMicros: seconds(5),
  build({ nodeCount, durationMicros, params, bugs }, _variant: ScenarioVariant<typeof COUNTER_PARAMS.decls>): ScenarioSetup<CounterFact> {
    const config = {
      incrementIntervalMicros: params.incrementIntervalMicros,
      gossipIntervalMicros: params.gossipIntervalMicros,
      stopAtMicros: durationMicros,
      bugs,
    };
    const ids = serverIds(nodeCount);
    return {
      nodes: ids.map((id) => ({ id, role: 'server' as const, create: () => new CounterNode(config) })),
      network: networkFromParams(params),
      checkers: counterCheckers(),
      nemesisTargets: ids,
      recoveryMicrosMax: params.recoveryMicrosMax,
    };
  },
});

export const scenarios: readonly Scenario[] = [
  counterScenario({ name: 'counter-crashes', description: 'a replicated grow-only counter while nodes crash and restart', nemesis: 'crashes' }),
  counterScenario({
    name: 'counter-chaos', description: 'a replicated grow-only counter under loss, duplication, partitions and crashes', nemesis: 'chaos',
    defaults: { lossRatio: 0.05, duplicateRatio: 0.05 },
  }),
];
