// Planted bugs must stay catchable, run only under mutation testing (vitest.mutation.config.ts): for each
// planted bug of a swept folder's scenarios, the first scenario that exposes it is swept from seed 1 until
// a run fails. A mutant that disarms the bug, or blinds the checker that catches it, is killed here, and
// so is one that leaves a bug with no swept scenario to expose it (an empty or wrong `exposedBy`).
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { SWEPT_SCENARIOS, sweptFolders } from './swept.js';

/** Seeds tried per bug before the test gives up (each planted bug is caught within its first few seeds today). */
const BUG_SEEDS_MAX = 40;

/**
 * Each planted bug of these scenarios, once per algorithm (single-decree and Multi-Paxos share bug names
 * but not code), with the first of the algorithm's scenarios that exposes it, or undefined when its
 * `exposedBy` names none of them.
 */
function bugsOf(names: readonly string[]): { bug: string; scenario: string | undefined }[] {
  const found = new Map<string, { bug: string; scenario: string | undefined }>();
  for (const name of names) {
    const scenario = findScenario(name)!;
    const sameAlgorithm = names.filter((n) => findScenario(n)?.algorithm === scenario.algorithm);
    for (const bug of scenario.bugs) {
      const key = `${scenario.algorithm}:${bug.name}`;
      if (found.has(key)) continue;
      const exposer = bug.exposedBy === undefined ? name : bug.exposedBy.find((s) => sameAlgorithm.includes(s));
      found.set(key, { bug: bug.name, scenario: exposer });
    }
  }
  return [...found.values()];
}

/** The first seed on which the bug makes the scenario fail, or null when none of 1..BUG_SEEDS_MAX does. */
function firstCatchingSeed(bug: string, name: string): number | null {
  const scenario = findScenario(name)!;
  for (let seed = 1; seed <= BUG_SEEDS_MAX; seed++) {
    if (executeRun(prepareRun({ scenario, seed, bug })).outcome !== 'pass') return seed;
  }
  return null;
}

const folders = sweptFolders();
if (folders.length === 0) it.skip('no planted bugs for the folders mutated', () => {});
for (const folder of folders) {
  describe(`mutation planted bugs: algorithms/${folder}`, () => {
    const bugs = bugsOf(SWEPT_SCENARIOS[folder]!);
    // A bug shared by two algorithms (paxos/no-backoff: Multi-Paxos and single-decree) may be exposed by
    // the scenarios of one of them only; a bug exposed by none of the swept scenarios is a failure.
    it('every planted bug names a swept scenario that exposes it', () => {
      const swept = new Set(bugs.filter((b) => b.scenario !== undefined).map((b) => b.bug));
      expect([...new Set(bugs.map((b) => b.bug))].filter((bug) => !swept.has(bug))).toEqual([]);
    });
    for (const { bug, scenario } of bugs) {
      if (scenario === undefined) continue;
      it(`${bug} is caught by ${scenario} within seeds 1..${BUG_SEEDS_MAX}`, () => {
        expect(firstCatchingSeed(bug, scenario)).not.toBeNull();
      });
    }
  });
}
