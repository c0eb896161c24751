// The registry of runnable scenarios, in the order `faultline list` shows them.

import type { Scenario } from '../sim/scenario.js';
import { broadcastScenarios } from './broadcast.js';
import { paxosScenarios } from './paxos.js';
import { raftScenarios } from './raft.js';

export const scenarios: readonly Scenario[] = [...broadcastScenarios, ...raftScenarios, ...paxosScenarios];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}
