// The registry of runnable scenarios, in the order `faultline list` shows them: the built-in ones, then
// any a user's module added in this process (`--scenarios FILE`, loaded by lab/user-scenarios.ts).
// Adding scenarios changes no run: a run depends only on the scenario object it is given.

import { InputError } from '../sim/errors.js';
import type { Scenario } from '../sim/scenario.js';
import { atomicCommitScenarios } from './atomic-commit.js';
import { broadcastScenarios } from './broadcast.js';
import { failureDetectionScenarios, swimLargeScenarios } from './failure-detection.js';
import { hashingScenarios } from './hashing.js';
import { lbLargeScenarios, loadBalancingScenarios } from './load-balancing.js';
import { paxosScenarios } from './paxos.js';
import { raftScenarios } from './raft.js';

const registry: Scenario[] = [...broadcastScenarios, ...raftScenarios, ...paxosScenarios, ...failureDetectionScenarios, ...swimLargeScenarios, ...loadBalancingScenarios, ...lbLargeScenarios, ...hashingScenarios, ...atomicCommitScenarios];

/** Every scenario known to this process: the built-in ones, then those added with {@link addScenarios}. */
export const scenarios: readonly Scenario[] = registry;

/** The scenarios that ship with faultline. */
export const builtInScenarios: readonly Scenario[] = [...registry];

export function findScenario(name: string): Scenario | undefined {
  return registry.find((s) => s.name === name);
}

/**
 * Adds a user's scenarios to the registry (`source` names where they came from, for messages). A name
 * that is already taken is an InputError; adding the very same scenario object again does nothing.
 */
export function addScenarios(added: readonly Scenario[], source: string): void {
  const names = new Set<string>();
  for (const scenario of added) {
    if (names.has(scenario.name)) throw new InputError(`${source}: scenario name '${scenario.name}' appears twice`);
    const existing = findScenario(scenario.name);
    if (existing !== undefined && existing !== scenario) {
      const owner = builtInScenarios.includes(existing) ? 'a built-in scenario' : 'a scenario loaded before';
      throw new InputError(`${source}: scenario name '${scenario.name}' is already taken by ${owner}`);
    }
    names.add(scenario.name);
  }
  for (const scenario of added) if (!registry.includes(scenario)) registry.push(scenario);
}
