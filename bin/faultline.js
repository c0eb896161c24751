#!/usr/bin/env node
// The faultline command. An installed package runs the compiled JavaScript in dist/ (built by
// `npm run build`, which `prepare` runs on `npm ci`, `npm install` and `npm pack`). In a source tree it
// runs dist/ only while dist/ is at least as new as every source; otherwise (no build yet, or a source
// edited since) it registers the TypeScript loader (tsx) and runs bin/cli.ts, so an edit is never ignored.
import { readdirSync, statSync } from 'node:fs';

const compiled = new URL('../dist/bin/cli.js', import.meta.url);

if (compiledIsCurrent()) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}

/** Whether dist/ exists and, in a source tree, no source is newer than its build. */
function compiledIsCurrent() {
  const builtMillis = mtimeMillis(new URL('../dist/BUILT', import.meta.url));
  if (builtMillis === undefined) return false;
  // An installed package ships no sources: nothing to compare.
  if (mtimeMillis(new URL('./cli.ts', import.meta.url)) === undefined) return true;
  const root = new URL('../', import.meta.url);
  for (const file of ['index.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    if ((mtimeMillis(new URL(file, root)) ?? 0) > builtMillis) return false;
  }
  for (const dir of ['bin', 'lab', 'sim', 'algorithms', 'scenarios', 'reports']) {
    if (newestSourceMillis(new URL(`${dir}/`, root)) > builtMillis) return false;
  }
  return true;
}

function newestSourceMillis(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMillis(new URL(`${entry.name}/`, dir)));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, mtimeMillis(new URL(entry.name, dir)) ?? 0);
  }
  return newest;
}

function mtimeMillis(url) {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
}
