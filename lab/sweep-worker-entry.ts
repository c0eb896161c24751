// What a sweep's worker thread runs for one task: loads the user's scenario module first if the sweep
// names one (`--scenarios`, once per worker), then runs the batch (lab/sweep-batch.ts).
// Loaded compiled (dist/lab/sweep-worker-entry.js), bundled by esbuild, or through tsx: see sweep-worker-file.ts.

import { InputError } from '../sim/errors.js';
import { runBatch, type BatchResult, type BatchTask } from './sweep-batch.js';
import { loadScenarioModule } from './user-scenarios.js';

/** Runs one task; synchronous unless the sweep names a scenario module (loading one is asynchronous). */
export default function runTask(task: BatchTask): BatchResult | Promise<BatchResult> {
  const module = task.config.scenariosModule;
  if (module === undefined) return runBatch(task);
  return loadScenarioModule(module).then(
    () => runBatch(task),
    (error: unknown) => {
      if (error instanceof InputError) return { ok: false, seed: task.seeds[0] ?? 0, inputError: error.message };
      throw error;
    },
  );
}
