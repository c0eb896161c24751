// Short faultline sweeps run only under mutation testing (`npm run mutate`, vitest.mutation.config.ts):
// each algorithm folder's scenarios on seeds 1..SEEDS, in process. A mutant that breaks a safety or
// liveness check on any seed, or throws in a handler, is killed. The normal suite skips this file.
import { describe, expect, it } from 'vitest';
import { executeRun, prepareRun } from '../../sim/run.js';
import { findScenario } from '../../scenarios/index.js';
import { SEEDS, SEEDS_BY_FOLDER, SWEPT_SCENARIOS, sweptFolders } from './swept.js';

/** The failing seeds of one scenario, each with its outcome and first failed check ([] when all pass). */
function failingSeeds(name: string, seeds: number): string[] {
  const scenario = findScenario(name);
  if (scenario === undefined) throw new Error(`no scenario ${name}`);
  const failures: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const result = executeRun(prepareRun({ scenario, seed }));
    if (result.outcome === 'pass') continue;
    const failed = result.checks.find((c) => !c.ok);
    failures.push(`seed ${seed}: ${result.outcome} (${failed?.name ?? '?'}${failed?.message !== undefined ? `: ${failed.message}` : ''})`);
  }
  return failures;
}

const folders = sweptFolders();
if (folders.length === 0) it.skip('no sweeps for the folders mutated', () => {});
for (const folder of folders) {
  const names = SWEPT_SCENARIOS[folder]!;
  const seeds = SEEDS_BY_FOLDER[folder] ?? SEEDS;
  describe(`mutation sweeps: algorithms/${folder}`, () => {
    for (const name of names) {
      it(`${name} passes seeds 1..${seeds}`, () => {
        expect(failingSeeds(name, seeds)).toEqual([]);
      });
    }
  });
}
