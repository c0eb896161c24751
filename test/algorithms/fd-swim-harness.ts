// A test-only SWIM scenario family (members n1…nN of role `member`, no clients) and a recorder of each
// member's membership facts with their times, for the end-to-end SWIM tests and measurements.
import { fdBugs } from '../../algorithms/failure-detection/bugs.js';
import type { FdFact } from '../../algorithms/failure-detection/facts.js';
import { SWIM_LAN_CONFIG, SwimMember, type SwimConfig, type SwimOptions } from '../../algorithms/failure-detection/swim.js';
import type { Checker } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { executeRun, prepareRun, type RunResult } from '../../sim/run.js';
import { defineParams, defineScenarioFamily, type ScenarioVariant } from '../../sim/scenario.js';
import type { Micros } from '../../sim/time.js';

/** One membership fact as a member reported it, with the true time. */
export interface SeenFact {
  readonly atMicros: Micros;
  readonly viewer: NodeId;
  readonly fact: FdFact;
}

const PARAMS = defineParams({
  lossRatio: { unit: 'ratio', default: 0, description: 'message loss during the fault phase' },
  lifeguard: { unit: 'choice', default: 'on', choices: ['on', 'off'], description: 'Lifeguard refinements' },
  targetSelection: { unit: 'choice', default: 'round-robin', choices: ['round-robin', 'random'], description: 'probe target choice' },
});

interface SwimTestVariant extends ScenarioVariant<typeof PARAMS.decls> {
  readonly faults: (members: readonly NodeId[]) => FaultEntry[];
  readonly options?: Partial<Omit<SwimConfig, 'bugs'>> & SwimOptions;
}

/** Every fact of the last run built from {@link swimTestScenario}. */
let recorded: SeenFact[] = [];

const family = defineScenarioFamily({
  algorithm: 'swim-test',
  params: PARAMS,
  bugs: fdBugs,
  defaultNodes: 8,
  minNodes: 2,
  maxNodes: 1024,
  defaultDurationMicros: 30_000_000,
  build({ nodeCount, params, bugs }, variant: SwimTestVariant) {
    const ids = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
    const config = { ...SWIM_LAN_CONFIG, lifeguard: params.lifeguard === 'on', targetSelection: params.targetSelection, bugs, ...variant.options };
    const facts: SeenFact[] = [];
    recorded = facts;
    const recorder: Checker<FdFact> = {
      name: 'record', kind: 'always', description: 'records facts (never fails)',
      onObservation(node, fact, run) {
        facts.push({ atMicros: run.now, viewer: node, fact });
      },
      verdict: () => ({ ok: true }),
    };
    return {
      nodes: ids.map((id) => ({ id, role: 'member', create: () => new SwimMember(config) })),
      network: { latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 4_000 }, lossRatio: params.lossRatio, duplicateRatio: 0, linkCapacity: 10_000 },
      checkers: [recorder as Checker],
      nemesisTargets: { roles: ['member'] },
      recoveryMicrosMax: 1_000,
      script: () => variant.faults(ids),
    };
  },
});

/** A test scenario: the variant's fault script (nemesis `scenario`). */
export function swimTestScenario(variant: Omit<SwimTestVariant, 'nemesis' | 'description'> & { readonly description?: string }) {
  return family({ description: 'SWIM test', ...variant, nemesis: 'scenario' });
}

/** Runs a test scenario and returns the result with every fact recorded during it. */
export function runSwim(scenario: ReturnType<typeof swimTestScenario>, options: { seed: number; nodeCount?: number; durationMicros?: Micros; set?: string[]; bug?: string }): { result: RunResult; facts: SeenFact[] } {
  const prepared = prepareRun({ scenario, ...options });
  const result = executeRun(prepared);
  return { result, facts: recorded };
}

/** Membership facts only, as `{ at, viewer, member, status, incarnation }`. */
export function membershipFacts(facts: readonly SeenFact[]) {
  const out: { atMicros: Micros; viewer: NodeId; member: NodeId; status: string; incarnation: number }[] = [];
  for (const { atMicros, viewer, fact } of facts) {
    if (fact.type === 'member') out.push({ atMicros, viewer, member: fact.member, status: fact.status, incarnation: fact.incarnation });
  }
  return out;
}
