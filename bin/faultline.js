#!/usr/bin/env node
// The faultline command. An installed package runs the compiled JavaScript in dist/ (built by
// `npm run build`, which `prepare` runs on `npm ci`, `npm install` and `npm pack`). In a source tree it
// runs dist/ only while dist/ is at least as new as every source; otherwise (no build yet, or a source
// edited since) it registers the TypeScript loader (tsx) and runs bin/cli.ts, so an edit is never ignored.
import { compiledIsCurrent } from './compiled.js';

if (compiledIsCurrent(new URL('../', import.meta.url))) {
  await import(new URL('../dist/bin/cli.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
