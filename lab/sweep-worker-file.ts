// The code a sweep's worker threads load. Compiled (dist/, as installed): the compiled
// lab/sweep-worker-entry.js itself. From the TypeScript sources: lab/sweep-worker-entry.ts and everything
// it imports, bundled by esbuild into one ES module, so that a worker starts in about 40 ms instead of registering the
// TypeScript loader and transforming module after module (about 250 ms per worker, paid by every sweep).
// The file is kept in the project's own node_modules/.cache/faultline (not a shared temporary folder
// another user could write to), named by a hash of its content, and compared byte for byte with a
// fresh build before use; if it cannot be built or written, workers load lab/sweep-worker.js (tsx).

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const LAB_DIR = dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = join(LAB_DIR, '..', 'node_modules', '.cache', 'faultline');
/** Bundles of older code are removed once they are this old (a sweep started before may still load one). */
const STALE_BUNDLE_MILLIS = 60 * 60 * 1000;
/** The fallback entry: registers tsx in the worker, then imports sweep-worker-entry.ts. */
const LOADER_WORKER = new URL('./sweep-worker.js', import.meta.url).href;

/** Built once per process: the bundle's URL, or the fallback's. */
let workerFileUrl: string | undefined;

/** The URL of the module a sweep's worker threads load (its default export runs one batch). */
export function sweepWorkerFile(): string {
  // Compiled JavaScript needs no bundle: workers load the compiled entry beside this module.
  if (import.meta.url.endsWith('.js')) return new URL('./sweep-worker-entry.js', import.meta.url).href;
  workerFileUrl ??= buildSweepWorkerFile() ?? LOADER_WORKER;
  return workerFileUrl;
}

/** Builds and stores the bundle, and returns its URL; undefined if that fails (no esbuild, a read-only install). */
export function buildSweepWorkerFile(): string | undefined {
  try {
    // Loaded on first need: importing esbuild costs a CLI start-up about 0.3 s.
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const built = buildSync({
      stdin: { contents: "export { default } from './sweep-worker-entry.ts';", resolveDir: LAB_DIR, loader: 'ts', sourcefile: 'sweep-worker-bundle.ts' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // The same function names as under tsx, which keeps them too.
      keepNames: true,
      // Bundled CommonJS packages may `require` Node's own modules.
      banner: { js: "import { createRequire as faultlineCreateRequire } from 'node:module'; const require = faultlineCreateRequire(import.meta.url);" },
      write: false,
      logLevel: 'silent',
    });
    const code = built.outputFiles[0]!.text;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const file = join(CACHE_DIR, `sweep-worker-${hash}.mjs`);
    // A file left by an earlier build is used only if it is exactly this build (not truncated, not edited).
    if (readIfPresent(file) === code) {
      // Fresh again, so that a sweep of other code does not remove it as stale while this one starts.
      const now = new Date();
      utimesSync(file, now, now);
    } else {
      mkdirSync(CACHE_DIR, { recursive: true });
      // Written under a private name and renamed: a sweep starting beside this one never loads half a file.
      const partial = `${file}.tmp-${process.pid}-${threadId}`;
      writeFileSync(partial, code);
      renameSync(partial, file);
      removeStaleBundles(file);
    }
    return pathToFileURL(file).href;
  } catch {
    return undefined;
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Removes bundles of other code that have not been written for an hour. */
function removeStaleBundles(keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, name);
    if (path === keep || !/^sweep-worker-[0-9a-f]{16}\.mjs(\.tmp-.*)?$/.test(name)) continue;
    try {
      if (now - statSync(path).mtimeMs > STALE_BUNDLE_MILLIS) unlinkSync(path);
    } catch {
      // Another sweep removed it first.
    }
  }
}
