// `npm run mutate [-- PATH …] [--incremental] [--concurrency=N]`: mutation testing of algorithms/ with
// StrykerJS (stryker.config.mjs), then the mutation score of each algorithm folder from Stryker's JSON
// report, the survivors (reports-mutation/<folders>/survivors.txt) and the wall time. A PATH is a folder
// or .ts file under algorithms/, optionally with a line range (raft.ts:341-425); each is checked before
// any work (one line, exit 2). Not part of CI: a benchmark-like job of an hour or more per folder.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Options passed on to Stryker: reuse the last results for unchanged code and tests; test runners (default 2). */
const OPTIONS = ['--incremental', '--concurrency=N'];

/** One line on stderr, exit 2: the CLI's rule for bad input. */
function fail(problem) {
  process.stderr.write(`faultline: mutate: ${problem}\n`);
  process.exit(2);
}

/** The arguments, checked: repo-relative paths under algorithms/ (default: all of it) and the options. */
function parseArgs(args) {
  const paths = [];
  const options = [];
  for (const arg of args) {
    if (arg.startsWith('-')) {
      const concurrency = /^--concurrency=(.*)$/.exec(arg);
      if (concurrency !== null) {
        if (!/^[1-9][0-9]?$/.test(concurrency[1])) fail(`--concurrency must be a whole number from 1 to 99; got '${concurrency[1]}'`);
        options.push('--concurrency', concurrency[1]);
      } else if (arg === '--incremental') {
        options.push(arg);
      } else {
        fail(`unknown option ${arg} (known: ${OPTIONS.join(', ')})`);
      }
      continue;
    }
    // A file may name a range of lines, as Stryker does: algorithms/raft/raft.ts:341-425.
    const ranged = /^(.*\.ts):(\d+)-(\d+)$/.exec(arg);
    const path = ranged === null ? arg : ranged[1];
    const full = resolve(process.cwd(), path);
    const rel = relative(root, full).split(sep).join('/');
    if (!existsSync(full)) fail(`${path} does not exist`);
    if (isAbsolute(rel) || !(rel === 'algorithms' || rel.startsWith('algorithms/'))) fail(`${path} is not under algorithms/`);
    if (!statSync(full).isDirectory() && !rel.endsWith('.ts')) fail(`${path} is neither a folder nor a TypeScript file`);
    if (ranged !== null && !(Number(ranged[2]) >= 1 && Number(ranged[2]) <= Number(ranged[3]))) fail(`${arg}: the line range must run from a first line ≥ 1 to a last line ≥ it`);
    paths.push(ranged === null ? rel : `${rel}:${ranged[2]}-${ranged[3]}`);
  }
  return { paths: paths.length > 0 ? paths : ['algorithms'], options };
}

/** Stryker's `--mutate` patterns for the paths. */
function mutatePatterns(paths) {
  return paths.map((p) => (/\.ts(:\d+-\d+)?$/.test(p) ? p : `${p}/**/*.ts`));
}

/** The algorithm folders the paths touch (`raft`), or [] for all of algorithms/. */
function foldersOf(paths) {
  if (paths.includes('algorithms')) return [];
  return [...new Set(paths.map((p) => p.split('/')[1]))];
}

/** Counts of Stryker's statuses per algorithm folder, and the survivors, from the JSON report. */
function summarize(report) {
  const byFolder = new Map();
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const rel = relative(root, resolve(root, file)).split(sep).join('/');
    const folder = rel.split('/').slice(0, 2).join('/');
    const counts = byFolder.get(folder) ?? {};
    for (const m of mutants) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const at = `${rel}:${m.location.start.line}:${m.location.start.column}`;
        survivors.push(`${at}\t${m.status}\t${m.mutatorName}\t${JSON.stringify(m.replacement ?? '')}`);
      }
    }
    byFolder.set(folder, counts);
  }
  return { byFolder, survivors };
}

/** Stryker's mutation score: detected (killed or timed out) over detected + undetected, in percent. */
function score(c) {
  const detected = (c.Killed ?? 0) + (c.Timeout ?? 0);
  const undetected = (c.Survived ?? 0) + (c.NoCoverage ?? 0);
  return detected + undetected === 0 ? 'n/a' : `${((100 * detected) / (detected + undetected)).toFixed(1)}%`;
}

function formatWall(seconds) {
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m ${Math.round(seconds - 60 * m)}s` : `${seconds.toFixed(1)}s`;
}

const { paths, options } = parseArgs(process.argv.slice(2));
const stryker = join(dirname(createRequire(join(root, 'package.json')).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const folders = foldersOf(paths);
// The report folder: reports-mutation/raft, reports-mutation/paxos+raft, reports-mutation/all …
const label = folders.length === 0 ? 'all' : folders.join('+');
const reportDir = join(root, 'reports-mutation', label);
const jsonReport = join(reportDir, 'mutation.json');
const survivorsFile = join(reportDir, 'survivors.txt');
mkdirSync(reportDir, { recursive: true });
rmSync(jsonReport, { force: true });

const started = process.hrtime.bigint();
const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', '--mutate', mutatePatterns(paths).join(','), ...options], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FAULTLINE_MUTATE_FOLDERS: folders.join(','), FAULTLINE_MUTATE_LABEL: label },
});
const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
if (run.status !== 0 || !existsSync(jsonReport)) {
  process.stderr.write(`faultline: mutate: Stryker failed (exit ${run.status ?? run.signal}) after ${formatWall(wallSeconds)}\n`);
  process.exit(run.status === 0 || run.status === null ? 1 : run.status);
}

const { byFolder, survivors } = summarize(JSON.parse(readFileSync(jsonReport, 'utf8')));
writeFileSync(survivorsFile, survivors.length > 0 ? `${survivors.join('\n')}\n` : '');
const columns = ['folder', 'mutants', 'killed', 'timeout', 'survived', 'no cover', 'ignored', 'errors', 'score'];
const rows = [...byFolder].sort(([a], [b]) => (a < b ? -1 : 1)).map(([folder, c]) => [
  folder,
  Object.values(c).reduce((a, b) => a + b, 0),
  c.Killed ?? 0, c.Timeout ?? 0, c.Survived ?? 0, c.NoCoverage ?? 0, c.Ignored ?? 0, (c.CompileError ?? 0) + (c.RuntimeError ?? 0),
  score(c),
].map(String));
const widths = columns.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
console.log(`\nmutation score per algorithm folder (${relative(root, jsonReport)}):`);
console.log(line(columns));
for (const row of rows) console.log(line(row));
console.log(`survivors (${survivors.length}): ${relative(root, survivorsFile)}; triage: docs/mutation-triage.md`);
console.log(`wall time ${formatWall(wallSeconds)} for ${paths.join(' ')}`);
