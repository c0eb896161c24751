// Three-phase commit on the engine: fault-free it commits; under crashes only (the fail-stop model it
// was built for) it never lets participants disagree; under a partition that lands while its PreCommits
// are in flight, each side runs the termination protocol and they decide differently — Skeen's protocol
// as published, and the lesson of the `3pc-partition` scenario.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommitFact } from '../../algorithms/atomic-commit/facts.js';
import { executeRun, prepareRun, type RunResult } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario.js';
import { crashScenario, oneWayStreamScenario, partitionScenario, symmetricStreamScenario } from './commit-3pc-harness.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** Runs `scenario` on `seed`, keeping every participant's outcome facts. */
function runWithOutcomes(scenario: Scenario, seed: number, nemesis?: 'none') {
  const prepared = prepareRun({ scenario, seed, ...(nemesis === undefined ? {} : { nemesis }) });
  const outcomes: { node: string; fact: Extract<CommitFact, { type: 'outcome' }> }[] = [];
  /** Decisions a backup coordinator (a participant) made: the termination protocol ran. */
  const backupDecisions: string[] = [];
  const setup = { ...prepared.setup, checkers: [...prepared.setup.checkers, {
    name: 'record-outcomes', kind: 'always' as const, description: 'records outcomes (test only)',
    onObservation(node: string, fact: CommitFact) {
      if (fact.type === 'outcome') outcomes.push({ node, fact });
      if (fact.type === 'decide' && node !== 'tm') backupDecisions.push(`${node} ${fact.tx} ${fact.decision}`);
    },
    verdict: () => ({ ok: true }),
  }] };
  const result: RunResult = executeRun({ ...prepared, setup: setup as typeof prepared.setup });
  return { result, outcomes, backupDecisions };
}

const failed = (result: RunResult) => result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message ?? ''}`);

describe('3PC on the engine', () => {
  it('fault-free: the transaction commits at every participant', () => {
    const { result, outcomes } = runWithOutcomes(partitionScenario, 1, 'none');
    expect(failed(result)).toEqual([]);
    expect(outcomes.map((o) => `${o.node} ${o.fact.decision}`).sort()).toEqual(['rm1 commit', 'rm2 commit', 'rm3 commit']);
  });

  it('crashes only (fail-stop): participants never disagree over seeds 1..20, and most transactions commit', () => {
    let committed = 0;
    let terminations = 0;
    for (const seed of SEEDS) {
      const { result, outcomes, backupDecisions } = runWithOutcomes(crashScenario, seed);
      expect(failed(result), `seed ${seed}`).toEqual([]);
      committed += new Set(outcomes.filter((o) => o.fact.decision === 'commit').map((o) => o.fact.tx)).size;
      terminations += backupDecisions.length;
    }
    expect(committed).toBeGreaterThan(SEEDS.length * 10);
    // The crashes did make the termination protocol decide, and it stayed safe.
    expect(terminations).toBeGreaterThan(0);
  });

  it('crashes only, on random seeds (fast-check): atomicity holds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (seed) => {
      expect(failed(runWithOutcomes(crashScenario, seed).result), `seed ${seed}`).toEqual([]);
    }), { numRuns: 40 });
  });

  it('a partition right after the PreCommit reached the coordinator\'s side: one side commits, the other aborts, on every seed 1..20', () => {
    const disagreed: number[] = [];
    for (const seed of SEEDS) {
      const { result, outcomes } = runWithOutcomes(partitionScenario, seed);
      expect(result.checks.find((c) => c.name === 'no-handler-exceptions')?.ok, `seed ${seed}`).toBe(true);
      const byNode = Object.fromEntries(outcomes.map((o) => [o.node, o.fact.decision]));
      if (result.checks.find((c) => c.name === 'atomicity')?.ok === false) {
        disagreed.push(seed);
        // The coordinator's side (tm, rm1: pre-committed) commits; the far side (rm2, rm3: uncertain) aborts.
        expect(byNode, `seed ${seed}`).toEqual({ rm1: 'commit', rm2: 'abort', rm3: 'abort' });
        expect(result.outcome).toBe('safety-violation');
      }
    }
    expect(disagreed.length, `disagreed on seeds ${disagreed.join(', ')}`).toBeGreaterThanOrEqual(SEEDS.length / 2);
    expect(disagreed).toEqual(SEEDS);
  });

  it('a stream of transactions under repeated partitions: one-way cuts from the coordinator\'s side split it on every seed 1..20, symmetric ones on at least half', () => {
    const disagreeing = (scenario: Scenario) => SEEDS.filter((seed) => {
      const { result } = runWithOutcomes(scenario, seed);
      expect(result.checks.find((c) => c.name === 'no-handler-exceptions')?.ok, `seed ${seed}`).toBe(true);
      return result.checks.find((c) => c.name === 'atomicity')?.ok === false;
    });
    expect(disagreeing(oneWayStreamScenario)).toEqual(SEEDS);
    expect(disagreeing(symmetricStreamScenario).length).toBeGreaterThanOrEqual(SEEDS.length / 2);
  });
});
