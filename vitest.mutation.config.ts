// The tests Stryker runs against each mutant (`npm run mutate`, stryker.config.mjs): the algorithms'
// scripted rule tests and unit tests, then the short sweeps and planted-bug checks of test/mutation/.
// Files run cheapest first, so that with Stryker's bail the first failing test is usually a millisecond
// script, not a sweep. raft.test.ts and paxos.test.ts are left out: their long seed sweeps and planted-bug
// rates cost minutes under instrumentation, and test/mutation/ runs shorter forms of both.
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** Lower runs first: rule scripts, then the algorithms' other tests, then the mutation-only sweeps. */
function rankOf(moduleId: string): number {
  if (moduleId.includes('/test/mutation/')) return 2;
  if (/-(scripts|rules)\.test\.ts$/.test(moduleId)) return 0;
  return 1;
}

/** A fixed file order (rank, then path): vitest's default runs the slowest files first. */
class CheapestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rankOf(a.moduleId) - rankOf(b.moduleId) || (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0));
  }
}

export default defineConfig({
  test: {
    include: ['test/algorithms/**/*.test.ts', 'test/mutation/**/*.test.ts'],
    exclude: ['test/algorithms/raft.test.ts', 'test/algorithms/paxos.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    sequence: { sequencer: CheapestFirstSequencer },
    // One module graph for every file: each mutant run would otherwise load the whole simulator again.
    isolate: false,
  },
});
