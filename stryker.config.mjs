// StrykerJS configuration for mutation testing of algorithms/ (`npm run mutate`; scripts/mutate.mjs passes
// `--mutate` for the folders asked for). Each mutant runs only the tests that cover it (perTest coverage),
// cheapest test files first (vitest.mutation.config.ts), and stops at the first failure. Reports go to
// reports-mutation/ (gitignored); the triage of survivors is docs/mutation-triage.md.

/** Each run's own report folder (scripts/mutate.mjs names it after the folders mutated), so runs can overlap. */
const reports = `reports-mutation/${process.env.FAULTLINE_MUTATE_LABEL ?? 'all'}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  // Static mutants (module-level code, run once when a file loads: the planted-bug registries, constant
  // tables) are reported as Ignored, not run. Each would need every test of the suite (a full sweep of the
  // folder, minutes) to survive, and with one module graph for all files (isolate: false) a module loaded
  // before the mutant is switched on keeps the original anyway. test/algorithms/bug-registries.test.ts
  // checks the registries' data on fresh imports instead.
  ignoreStatic: true,
  // Message text (assertion messages, checker verdicts' `message`) is not mutated: see the plugin.
  appendPlugins: ['./scripts/stryker-message-ignorer.mjs'],
  ignorers: ['messages'],
  mutate: ['algorithms/**/*.ts'],
  // Two test runners: the machine has two cores, and other work shares it.
  concurrency: 2,
  // A mutant that runs past 1.5 × its tests' dry-run time + 5 s is a timeout (counted as detected). The
  // dry run is timed with coverage counting on, so it is already slower than a mutant's run. Each timeout
  // costs a test runner restart, so the bound is Stryker's default and not more.
  timeoutMS: 5_000,
  timeoutFactor: 1.5,
  // The first run counts coverage per test, which slows the sweeps many times over (raft: > 5 minutes).
  dryRunTimeoutMinutes: 30,
  reporters: ['json', 'html', 'progress'],
  jsonReporter: { fileName: `${reports}/mutation.json` },
  htmlReporter: { fileName: `${reports}/mutation.html` },
  tempDirName: `${reports}/.stryker-tmp`,
  cleanTempDir: 'always',
  ignorePatterns: ['/dist', '/dist.tmp-*', '/out', '/test-output', '/scratch', '/reports-mutation', '/test/browser'],
  // Stryker rewrites the sandbox's tsconfig through TypeScript's JS API, which TypeScript 7 (the Go port)
  // no longer has; the tests run through vitest's own transform and need no tsconfig paths rewritten.
  tsconfigFile: 'no-tsconfig-for-stryker.json',
  incrementalFile: `${reports}/incremental.json`,
};
