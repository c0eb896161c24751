// The fallback worker-thread entry of the sweep pool (piscina), used when the bundle of
// lab/sweep-worker-file.ts cannot be built. Worker threads do not inherit the TypeScript
// loader the main thread registered (bin/faultline.js, or vitest's), so each worker registers tsx once,
// loads the engine once, and then runs many batches with the same loaded code.
import { register } from 'tsx/esm/api';

register();
const { default: runTask } = await import('./sweep-worker-entry.ts');

export default runTask;
