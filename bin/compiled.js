// Whether the compiled JavaScript in dist/ may run: it exists and, in a source tree, no source is newer
// than its build (dist/BUILT, written last by scripts/build.mjs). An installed package ships no sources.
// Plain JavaScript with no dependencies, so that asking costs a few milliseconds of start-up.
import { readdirSync, statSync } from 'node:fs';

const SOURCE_DIRS = ['bin', 'lab', 'sim', 'algorithms', 'scenarios', 'reports', 'playground'];
const SOURCE_FILES = ['index.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** `root`: the package's root folder as a file URL ending in '/'. */
export function compiledIsCurrent(root) {
  const builtMillis = mtimeMillis(new URL('dist/BUILT', root));
  if (builtMillis === undefined) return false;
  if (mtimeMillis(new URL('bin/cli.ts', root)) === undefined) return true;
  for (const file of SOURCE_FILES) {
    if ((mtimeMillis(new URL(file, root)) ?? 0) > builtMillis) return false;
  }
  return SOURCE_DIRS.every((dir) => newestSourceMillis(new URL(`${dir}/`, root)) <= builtMillis);
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
