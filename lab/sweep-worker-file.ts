// The code a sweep's worker threads load: lab/sweep-batch.ts and everything it imports, bundled by
// esbuild into one ES module, so that a worker starts in about 40 ms instead of registering the
// TypeScript loader and transforming module after module (about 250 ms per worker, paid by every sweep).
// The file is named by a hash of its content and kept in the OS temporary folder, as tsx keeps its own
// cache; if it cannot be built or written, workers load lab/sweep-worker.js (the TypeScript loader).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

const LAB_DIR = dirname(fileURLToPath(import.meta.url));
/** The fallback entry: registers tsx in the worker, then imports sweep-batch.ts. */
const LOADER_WORKER = new URL('./sweep-worker.js', import.meta.url).href;

/** Built once per process: the bundle's URL, or the fallback's. */
let workerFileUrl: string | undefined;

/** The URL of the module a sweep's worker threads load (its default export runs one batch). */
export function sweepWorkerFile(): string {
  workerFileUrl ??= bundleWorker() ?? LOADER_WORKER;
  return workerFileUrl;
}

/** Builds and stores the bundle; undefined if that fails (no esbuild, no writable temporary folder). */
function bundleWorker(): string | undefined {
  try {
    const built = buildSync({
      stdin: { contents: "export { runBatch as default } from './sweep-batch.ts';", resolveDir: LAB_DIR, loader: 'ts', sourcefile: 'sweep-worker-entry.ts' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // The same function names as under tsx, which keeps them too.
      keepNames: true,
      // Bundled CommonJS packages (seedrandom) may `require` Node's own modules.
      banner: { js: "import { createRequire as faultlineCreateRequire } from 'node:module'; const require = faultlineCreateRequire(import.meta.url);" },
      write: false,
      logLevel: 'silent',
    });
    const code = built.outputFiles[0]!.text;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const folder = join(tmpdir(), `faultline-${process.getuid?.() ?? 'user'}`);
    const file = join(folder, `sweep-worker-${hash}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(folder, { recursive: true });
      // Written under a private name and renamed: a sweep starting beside this one never loads half a file.
      const partial = `${file}.tmp-${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    return pathToFileURL(file).href;
  } catch {
    return undefined;
  }
}
