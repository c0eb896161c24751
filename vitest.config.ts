// Test configuration: tests live in test/, mirror the source tree, and run in forked workers.
// test/mutation/ holds the sweeps that only mutation testing runs (vitest.mutation.config.ts).
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/mutation/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
