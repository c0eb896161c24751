// `npm run build` (and `prepare`, so `npm ci` and `npm pack` run it): compiles the TypeScript sources to
// dist/ (JavaScript + .d.ts) with the project's tsc, so the installed CLI and `import … from 'faultline'`
// never transform TypeScript at start-up. Silent on success; a type error fails the build.
// It builds into a private folder and swaps it in whole, so a faultline starting meanwhile never sees half a dist/.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const partial = join(root, `dist.tmp-${process.pid}`);

let tsc;
try {
  tsc = join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin/tsc');
  if (!existsSync(tsc)) throw new Error('no bin/tsc');
} catch {
  // An install without devDependencies: the CLI then runs the TypeScript sources through tsx.
  console.error('faultline build: typescript is not installed; skipping dist/ (the CLI will run the sources with tsx)');
  process.exit(0);
}

rmSync(partial, { recursive: true, force: true });
const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', partial], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  rmSync(partial, { recursive: true, force: true });
  console.error(`faultline build: tsc failed (exit ${built.status ?? built.signal})`);
  process.exit(1);
}
// The HTML reports bundle their browser code with esbuild from these sources at run time (reports/html.ts,
// reports/experiment-html.ts).
for (const client of ['reports/html-client.ts', 'reports/html-queues-client.ts', 'reports/experiment-html-client.ts', 'reports/check-html-client.ts', 'reports/tooltip-client.ts']) copyFileSync(join(root, client), join(partial, client));
// The playground page bundles playground/client.ts the same way (playground/page.ts); the page's modules that
// no compiled module imports travel as TypeScript beside it (esbuild reads either).
mkdirSync(join(partial, 'playground'), { recursive: true });
for (const name of readdirSync(join(root, 'playground'))) {
  if (name.endsWith('.ts') && !existsSync(join(partial, 'playground', name.replace(/\.ts$/, '.js')))) copyFileSync(join(root, 'playground', name), join(partial, 'playground', name));
}
// Modules read the version from '../package.json' relative to themselves, which inside dist/ is this file.
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(partial, 'package.json'), JSON.stringify({ type: 'module', version, private: true }, null, 2) + '\n');
// Written last: bin/faultline.js in a source tree uses dist/ only if no source is newer than this.
writeFileSync(join(partial, 'BUILT'), `faultline ${version}\n`);
if (existsSync(dist)) rmSync(dist, { recursive: true, force: true });
renameSync(partial, dist);
