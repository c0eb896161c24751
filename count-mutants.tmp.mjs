import { Instrumenter } from '@stryker-mutator/instrumenter';
import fs from 'fs';
const noop = () => {};
const logger = new Proxy({}, { get: (_, k) => (String(k).startsWith('is') ? () => false : noop) });
const inst = new Instrumenter(logger);
const files = process.argv.slice(2).map((name) => ({ name, mutate: true, content: fs.readFileSync(name, 'utf8') }));
const res = await inst.instrument(files, { plugins: null, excludedMutations: [], ignorers: [] });
const byFile = {}, byMut = {};
for (const m of res.mutants) { byFile[m.fileName] = (byFile[m.fileName] ?? 0) + 1; byMut[m.mutatorName] = (byMut[m.mutatorName] ?? 0) + 1; }
console.log(res.mutants.length, byFile, byMut);
