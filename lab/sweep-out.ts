// A sweep's output directory (`--out DIR`) and `faultline merge`. DIR/runs.jsonl holds one JSON line
// per run in seed order, DIR/failures/<scenario>-<seed>.json a replay file per failure, and
// DIR/summary.json the sweep's summary and configuration; with `--history`, DIR/histories/<scenario>-<seed>.edn
// (or .json) each seed's client history. Every file is written to a temporary name
// and renamed when complete, and summary.json comes last: a directory without it is not a finished
// sweep. Merge reads shard directories back, checks they belong to one sweep, and says which seeds
// are missing or were run twice.

import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { findScenario } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import { allParams, formatParamValue } from '../sim/scenario.js';
import { formatMicros } from '../sim/time.js';
import { writeFileAtomically } from './atomic-file.js';
import { NdjsonFile } from './ndjson-file.js';
import { checkOutputDirectory, createOutputDirectory, type OutputDirectory } from './output-path.js';
import type { Outcome } from '../sim/run.js';
import type { HistoryFormat } from '../sim/check/history-out.js';
import type { FailedCheck, RunSummary } from './sweep-batch.js';
import { rangeSize, SweepTally, type PreparedSweep, type SeedRange, type Shard, type SweepSummary } from './sweep.js';

export const SWEEP_FORMAT = 'faultline-sweep/1';
export const RUNS_FILE = 'runs.jsonl';
export const SUMMARY_FILE = 'summary.json';
export const FAILURES_DIR = 'failures';
export const HISTORIES_DIR = 'histories';

/** Seeds named in a message about missing or duplicate seeds. */
const SEEDS_NAMED_MAX = 10;
/** Differences named when two directories hold different sweeps. */
const DIFFERENCES_NAMED_MAX = 4;

/** One line of runs.jsonl. */
export interface RunLine {
  scenario: string;
  seed: number;
  shard: Shard | null;
  bug: string | null;
  nemesis: string;
  outcome: Outcome;
  fingerprint: string;
  /** The checks that failed (empty for a pass). */
  checks: FailedCheck[];
  stats: RunSummary['stats'];
  metrics: RunSummary['metrics'];
  replay: string;
  /** The replay file, relative to DIR (failures only). */
  failureFile?: string;
  /** The run's client history, relative to DIR (with `--history`). */
  historyFile?: string;
}

/** What every run of the sweep shared: merge refuses directories that differ in any of it. */
export interface SweepConfigRecord {
  scenario: string;
  bug: string | null;
  nemesis: string;
  nodes: number;
  durationMicros: number;
  params: Record<string, number | string>;
}

/** DIR/summary.json. */
export interface SummaryFile extends SweepSummary {
  format: typeof SWEEP_FORMAT;
  faultline: string;
  config: SweepConfigRecord;
  workers: number;
}

export function failureFileName(scenario: string, seed: number): string {
  return `${FAILURES_DIR}/${scenario}-${seed}.json`;
}

/** `histories/<scenario>-<seed>.edn` (or `.json`), relative to the --out directory. */
export function historyFileName(scenario: string, seed: number, format: HistoryFormat): string {
  return `${HISTORIES_DIR}/${scenario}-${seed}.${format}`;
}

function configOf(sweep: PreparedSweep): SweepConfigRecord {
  const { sample } = sweep;
  return {
    scenario: sample.scenario.name, bug: sample.bug ?? null, nemesis: sample.nemesis, nodes: sample.nodeCount,
    durationMicros: sample.durationMicros, params: { ...sample.params },
  };
}

/** What an unfinished sweep may have left in `dir`: runs.jsonl, temporary files, replay files. */
function removeLeftovers(dir: string): void {
  const ours = (name: string) => name === RUNS_FILE || /\.tmp-\d+$/.test(name);
  for (const name of readdirSync(dir)) if (ours(name)) unlinkSync(join(dir, name));
  const failures = join(dir, FAILURES_DIR);
  for (const name of readdirSync(failures)) {
    if (/^[\w.-]+-\d+\.json(\.tmp-\d+)?$/.test(name)) unlinkSync(join(failures, name));
  }
  const histories = join(dir, HISTORIES_DIR);
  if (!existsSync(histories)) return;
  for (const name of readdirSync(histories)) {
    if (/^[\w.-]+-\d+\.(edn|json)(\.tmp-\d+)?$/.test(name)) unlinkSync(join(histories, name));
  }
}

/** What a finished sweep wrote into its directory, for the `wrote DIR/ (…)` line. */
export interface SweepWritten {
  readonly dir: string;
  readonly failureFiles: number;
  /** History files written (`--history`); absent when none were asked for. */
  readonly historyFiles?: number;
}

/** `wrote sweep/ (runs.jsonl, 3 failure files, summary.json)`. */
export function sweepWroteLine(written: SweepWritten): string {
  const dir = written.dir.endsWith('/') ? written.dir : `${written.dir}/`;
  const failures = `${written.failureFiles} failure file${written.failureFiles === 1 ? '' : 's'}`;
  const histories = written.historyFiles === undefined ? '' : `, ${written.historyFiles} history file${written.historyFiles === 1 ? '' : 's'} in ${HISTORIES_DIR}/`;
  return `wrote ${dir} (${RUNS_FILE}, ${failures}${histories}, ${SUMMARY_FILE})`;
}

export class SweepOutput {
  private failureFiles = 0;
  private historyFiles = 0;

  private constructor(
    private readonly dir: string,
    /** runs.jsonl, written beside its final name and moved into place by `commit`. */
    private readonly runs: NdjsonFile,
    /** Whether the sweep writes histories (histories/ exists). */
    private readonly histories: boolean,
  ) {}

  /**
   * Throws InputError unless `dir` can receive a sweep's output (creates nothing): it must not hold a
   * finished sweep (summary.json). An unfinished one's leftovers are removed by `open`, so that a
   * retried shard (a CI re-run, a Kubernetes pod restart) can write to the same place.
   */
  static checkWritable(dir: string): OutputDirectory {
    const checked = checkOutputDirectory('--out', dir);
    if (checked.missing.length === 0 && existsSync(join(dir, SUMMARY_FILE))) {
      throw new InputError(`--out ${dir}: already holds a finished sweep (${SUMMARY_FILE}); choose a new directory or remove it`);
    }
    return checked;
  }

  /** Creates the directory (missing levels one at a time, bounded), histories/ too if asked, and starts runs.jsonl. */
  static open(dir: string, histories = false): SweepOutput {
    createOutputDirectory(SweepOutput.checkWritable(dir), histories ? [FAILURES_DIR, HISTORIES_DIR] : [FAILURES_DIR]);
    try {
      removeLeftovers(dir);
      return new SweepOutput(dir, NdjsonFile.open(join(dir, RUNS_FILE), '--out'), histories);
    } catch (error) {
      throw new InputError(`--out ${dir}: cannot write there (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  /** Appends a run's line (in seed order) and, for a failure, writes its replay file. */
  writeRun(run: RunSummary, sweep: PreparedSweep): void {
    const line: RunLine = {
      scenario: sweep.sample.scenario.name,
      seed: run.seed,
      shard: sweep.shard ? { index: sweep.shard.index, count: sweep.shard.count } : null,
      bug: sweep.sample.bug ?? null,
      nemesis: sweep.sample.nemesis,
      outcome: run.outcome,
      fingerprint: run.fingerprint,
      checks: [...run.checks],
      stats: run.stats,
      metrics: run.metrics,
      replay: run.replay,
    };
    if (run.replayFile) {
      line.failureFile = failureFileName(line.scenario, run.seed);
      writeFileAtomically(join(this.dir, line.failureFile), JSON.stringify(run.replayFile, null, 2) + '\n', '--out');
      this.failureFiles++;
    }
    if (run.historyText !== undefined && sweep.history !== undefined) {
      line.historyFile = historyFileName(line.scenario, run.seed, sweep.history.format);
      writeFileAtomically(join(this.dir, line.historyFile), run.historyText, '--out');
      this.historyFiles++;
    }
    this.runs.write(line);
  }

  /** Moves runs.jsonl into place, then writes summary.json: the directory is now a finished sweep. */
  commit(summary: SweepSummary, sweep: PreparedSweep): SweepWritten {
    this.runs.commit();
    const file: SummaryFile = { format: SWEEP_FORMAT, faultline: sweep.version, config: configOf(sweep), workers: sweep.workers, ...summary };
    writeFileAtomically(join(this.dir, SUMMARY_FILE), JSON.stringify(file, null, 2) + '\n', '--out');
    return { dir: this.dir, failureFiles: this.failureFiles, ...(this.histories ? { historyFiles: this.historyFiles } : {}) };
  }

  /** Discards runs.jsonl (replay files already written are complete and stay). */
  abort(): void {
    this.runs.abort();
  }
}

/** Where the merged directories fall short of covering the range exactly once. */
export interface Coverage {
  dirs: string[];
  shards: (Shard | null)[];
  /** Seeds of the range that no directory ran. */
  missingSeeds: number;
  firstMissingSeeds: number[];
  /** Shards i/n absent when every directory is a shard of the same n. */
  missingShards: number[];
  /** Seeds that more than one directory (or one twice) ran; counted once in the summary. */
  duplicateSeeds: number;
  firstDuplicateSeeds: number[];
  /** Seeds run twice with different fingerprints: different code, or nondeterminism. */
  conflicts: { seed: number; fingerprints: string[]; dirs: string[] }[];
}

export interface MergeResult {
  summary: SweepSummary;
  coverage: Coverage;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? 'error'}); is this a finished \`sweep --out\` directory?`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

function readSummaryFile(dir: string): SummaryFile {
  const path = join(dir, SUMMARY_FILE);
  const raw = readJson(path, 'the sweep summary') as Partial<SummaryFile> | null;
  if (raw === null || typeof raw !== 'object' || raw.format !== SWEEP_FORMAT) throw new InputError(`${path}: format: expected "${SWEEP_FORMAT}"`);
  if (raw.config === undefined || raw.seeds === undefined || typeof raw.wallMillis !== 'number') throw new InputError(`${path}: expected config, seeds and wallMillis`);
  return raw as SummaryFile;
}

function readRunLines(dir: string, onLine: (line: RunLine, where: string) => void): void {
  const path = join(dir, RUNS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the runs (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const where = `${path}:${i + 1}`;
    let line: RunLine;
    try {
      line = JSON.parse(lines[i]!) as RunLine;
    } catch {
      throw new InputError(`${where}: not a JSON line`);
    }
    if (typeof line.seed !== 'number' || typeof line.fingerprint !== 'string' || !['pass', 'safety-violation', 'liveness-violation'].includes(line.outcome)
      || typeof line.stats?.events !== 'number' || !Array.isArray(line.checks) || typeof line.replay !== 'string') {
      throw new InputError(`${where}: expected a run line with seed, outcome, fingerprint, checks, stats.events and replay`);
    }
    onLine(line, where);
  }
}

/**
 * The fields in which two sweeps differ, each as `seeds 1..100 vs 1..40` or
 * `params.electionTimeoutMicrosMin 150ms vs 300ms` (a's value first); empty when they are one sweep.
 * Parameters are compared only between sweeps of the same scenario.
 */
export function sweepDifferences(a: Pick<SummaryFile, 'config' | 'seeds'>, b: Pick<SummaryFile, 'config' | 'seeds'>): string[] {
  const differences: string[] = [];
  const compare = (field: string, x: string, y: string) => {
    if (x !== y) differences.push(`${field} ${x} vs ${y}`);
  };
  const text = (value: unknown) => (value === undefined ? 'unset' : typeof value === 'string' ? value : JSON.stringify(value));
  const duration = (value: unknown) => (typeof value === 'number' ? formatMicros(value) : text(value));
  compare('scenario', text(a.config.scenario), text(b.config.scenario));
  compare('seeds', `${a.seeds.from}..${a.seeds.to}`, `${b.seeds.from}..${b.seeds.to}`);
  compare('bug', a.config.bug ?? 'none', b.config.bug ?? 'none');
  compare('nemesis', text(a.config.nemesis), text(b.config.nemesis));
  compare('nodes', text(a.config.nodes), text(b.config.nodes));
  compare('duration', duration(a.config.durationMicros), duration(b.config.durationMicros));
  if (a.config.scenario === b.config.scenario) {
    const scenario = findScenario(a.config.scenario);
    const specs = scenario ? allParams(scenario) : [];
    const param = (name: string, value: number | string | undefined) => {
      if (value === undefined) return 'unset';
      const spec = specs.find((s) => s.name === name);
      return spec ? formatParamValue(spec, value) : String(value);
    };
    const paramsA = a.config.params ?? {};
    const paramsB = b.config.params ?? {};
    for (const name of [...new Set([...Object.keys(paramsA), ...Object.keys(paramsB)])].sort()) {
      compare(`params.${name}`, param(name, paramsA[name]), param(name, paramsB[name]));
    }
  }
  return differences;
}

/**
 * Combines shard directories into one summary: the same shape as an unsharded sweep's (`shard` null;
 * `wallMillis` the longest shard's; `eventsPerSecond` the shards' rates added, as if they ran side by
 * side), plus what is missing or duplicated. Throws InputError for a directory that is not a finished
 * sweep, or that swept something else than the first.
 */
export function mergeSweepDirs(dirs: readonly string[]): MergeResult {
  if (dirs.length === 0) throw new InputError('merge: name at least one sweep --out directory');
  const summaries = dirs.map(readSummaryFile);
  const first = summaries[0]!;
  summaries.forEach((s, i) => {
    const differences = sweepDifferences(first, s);
    if (differences.length === 0) return;
    const named = differences.slice(0, DIFFERENCES_NAMED_MAX).join('; ');
    const more = differences.length > DIFFERENCES_NAMED_MAX ? ` (and ${differences.length - DIFFERENCES_NAMED_MAX} more)` : '';
    throw new InputError(`merge: ${dirs[0]} and ${dirs[i]} are different sweeps: ${named}${more}`);
  });

  const tally = new SweepTally();
  const seen = new Map<number, { fingerprint: string; dir: string }>();
  const duplicates: number[] = [];
  const conflicts = new Map<number, { seed: number; fingerprints: string[]; dirs: string[] }>();
  const { from, to } = first.seeds;
  dirs.forEach((dir) => readRunLines(dir, (line, where) => {
    if (line.seed < from || line.seed > to) throw new InputError(`${where}: seed ${line.seed} is outside the sweep's range ${from}..${to}`);
    const before = seen.get(line.seed);
    if (before === undefined) {
      seen.set(line.seed, { fingerprint: line.fingerprint, dir });
      tally.add(line);
      return;
    }
    duplicates.push(line.seed);
    if (before.fingerprint !== line.fingerprint) {
      const conflict = conflicts.get(line.seed) ?? { seed: line.seed, fingerprints: [before.fingerprint], dirs: [before.dir] };
      conflict.fingerprints.push(line.fingerprint);
      conflict.dirs.push(dir);
      conflicts.set(line.seed, conflict);
    }
  }));

  const sortedSeen = [...seen.keys()].sort((a, b) => a - b);
  const firstMissingSeeds: number[] = [];
  let expected = from;
  for (const seed of [...sortedSeen, to + 1]) {
    for (let s = expected; s < seed && firstMissingSeeds.length < SEEDS_NAMED_MAX; s++) firstMissingSeeds.push(s);
    if (firstMissingSeeds.length >= SEEDS_NAMED_MAX) break;
    expected = seed + 1;
  }
  const shards = summaries.map((s) => s.shard);
  const counts = new Set(shards.map((s) => s?.count ?? 1));
  const missingShards: number[] = [];
  if (counts.size === 1) {
    const n = [...counts][0]!;
    const present = new Set(shards.map((s) => s?.index ?? 1));
    for (let i = 1; i <= n; i++) if (!present.has(i)) missingShards.push(i);
  }
  const duplicateSeedsSorted = [...new Set(duplicates)].sort((a, b) => a - b);
  const summary = tally.summary({
    scenario: first.scenario,
    seeds: first.seeds,
    shard: null,
    wallMillis: Math.max(...summaries.map((s) => s.wallMillis)),
    stoppedEarly: summaries.some((s) => s.stoppedEarly),
    eventsPerSecond: summaries.reduce((sum, s) => sum + s.eventsPerSecond, 0),
  });
  return {
    summary,
    coverage: {
      dirs: [...dirs],
      shards,
      missingSeeds: rangeSize(first.seeds) - seen.size,
      firstMissingSeeds,
      missingShards,
      duplicateSeeds: duplicateSeedsSorted.length,
      firstDuplicateSeeds: duplicateSeedsSorted.slice(0, SEEDS_NAMED_MAX),
      conflicts: [...conflicts.values()].sort((a, b) => a.seed - b.seed),
    },
  };
}

/** One line per coverage problem (empty when the directories cover the range exactly once). */
export function coverageProblems(coverage: Coverage): string[] {
  const problems: string[] = [];
  const named = (seeds: number[], count: number) => seeds.join(', ') + (count > seeds.length ? ', …' : '');
  if (coverage.missingSeeds > 0) {
    const shards = coverage.missingShards.length > 0 ? ` (shard${coverage.missingShards.length > 1 ? 's' : ''} ${coverage.missingShards.join(', ')} of ${coverage.shards[0]?.count ?? 1} absent)` : '';
    problems.push(`${coverage.missingSeeds} seed${coverage.missingSeeds === 1 ? '' : 's'} of the range not run${shards}: ${named(coverage.firstMissingSeeds, coverage.missingSeeds)}`);
  }
  if (coverage.duplicateSeeds > 0) {
    problems.push(`${coverage.duplicateSeeds} seed${coverage.duplicateSeeds === 1 ? '' : 's'} run more than once (counted once): ${named(coverage.firstDuplicateSeeds, coverage.duplicateSeeds)}`);
  }
  for (const c of coverage.conflicts) {
    problems.push(`seed ${c.seed} gave different fingerprints (${c.fingerprints.map((f, i) => `${f} in ${c.dirs[i]}`).join(', ')}): different code, or nondeterminism`);
  }
  return problems;
}

/**
 * Exit code of a merge: 4 if a seed gave two fingerprints; else the sweep's code when it found
 * failures (1 safety, 3 liveness: they are real whatever is missing); else 2 if seeds are missing or
 * duplicated: the directories handed to merge are not one whole sweep, which is a problem with its
 * input (a shard not downloaded, one passed twice), and no verdict can be given on seeds that no
 * directory ran, so never 0 (the header says INCOMPLETE); else 0.
 */
export function mergeExitCode(result: MergeResult): number {
  if (result.coverage.conflicts.length > 0) return 4;
  if (result.summary.safetyFailures > 0) return 1;
  if (result.summary.livenessFailures > 0) return 3;
  if (result.coverage.missingSeeds > 0 || result.coverage.duplicateSeeds > 0) return 2;
  return 0;
}
