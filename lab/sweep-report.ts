// What a sweep shows a person: a progress bar on a terminal (cli-progress), plain periodic lines
// otherwise (CI logs), both on stderr so that `--json` keeps stdout to one object; and at the end a
// table of the summary with the first failing seeds and their replay commands.

import { formatRate as formatRateInterval } from './stats.js';
import { SingleBar } from 'cli-progress';
import { paint } from '../reports/colour.js';
import { fittedTable, formatCount, formatWallMillis, plural, terminalWidth, visibleWidth } from '../reports/text.js';
import type { Coverage } from './sweep-out.js';
import type { SweepProgress, SweepSummary } from './sweep.js';

/** Failing seeds listed at the end (the JSON and runs.jsonl have all of them). */
export const FAILURES_SHOWN_MAX = 5;
/** Plain progress: one line per this fraction of the seeds. */
const PLAIN_STEP = 0.1;
/** Plain progress: and at least one line this often on a long sweep. */
const PLAIN_INTERVAL_MILLIS = 30_000;

export interface ProgressView {
  update(progress: SweepProgress): void;
  stop(): void;
}

/** A bar when `stream` is a terminal, else a line per 10% (and at least every 30 s). */
export function progressView(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} runs | {failures} failed | {rate} events/s | eta {eta_formatted}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    });
    bar.start(total, 0, { failures: 0, rate: '-' });
    return {
      update: (p) => bar.update(p.done, { failures: p.failures, rate: formatRate(p.events, p.elapsedMillis) }),
      stop: () => bar.stop(),
    };
  }
  let nextStep = PLAIN_STEP;
  let lastMillis = 0;
  return {
    update: (p) => {
      const fraction = total === 0 ? 1 : p.done / total;
      if (fraction < nextStep && p.elapsedMillis - lastMillis < PLAIN_INTERVAL_MILLIS) return;
      while (nextStep <= fraction) nextStep += PLAIN_STEP;
      lastMillis = p.elapsedMillis;
      stream.write(`${label}: ${formatCount(p.done)}/${plural(total, 'run')}, ${formatCount(p.failures)} failed, ${formatWallMillis(p.elapsedMillis)}\n`);
    },
    stop: () => {},
  };
}

function formatRate(events: number, millis: number): string {
  return millis > 0 ? formatCount(Math.round(events / (millis / 1_000))) : '-';
}

export interface SummaryView {
  /** Where each failure's replay file went (`--out`), by seed. */
  failureFile?: (seed: number) => string | undefined;
  /** Merge only: what the shard directories missed or repeated. */
  coverageProblems?: readonly string[];
  /** Merge only: how the directories cover the range (the header says INCOMPLETE when seeds are missing). */
  coverage?: Coverage;
  /** Columns to fit (default: the terminal's, or 100 when stdout is not a terminal). */
  width?: number;
}

/** The end-of-sweep table, the first failures and their replay commands. */
export function renderSweepSummary(summary: SweepSummary, view: SummaryView = {}): string {
  const width = view.width ?? terminalWidth();
  const lines: string[] = [];
  const shard = summary.shard ? ` · shard ${summary.shard.index}/${summary.shard.count}` : '';
  lines.push(`${paint.bold(summary.scenario)} · seeds ${summary.seeds.from}..${summary.seeds.to}${shard}`);
  const failed = summary.safetyFailures + summary.livenessFailures;
  const verdict = sweepVerdict(summary, view.coverage);
  lines.push(verdict + (summary.stoppedEarly ? paint.dim('  (stopped at the first failure)') : ''));
  const firstFailing = summary.failures.slice(0, FAILURES_SHOWN_MAX).map((f) => f.seed).join(', ');
  lines.push(fittedTable(['sweep', 'value'], [
    ['runs', formatCount(summary.runs)],
    ['passed', formatCount(summary.passed)],
    ['safety failures', colourCount(summary.safetyFailures, paint.red)],
    ['liveness failures', colourCount(summary.livenessFailures, paint.yellow)],
    ['first failing seeds', failed === 0 ? '-' : firstFailing + (failed > FAILURES_SHOWN_MAX ? ', …' : '')],
    ...(summary.failureRate !== undefined ? [['failure rate', formatRateInterval(summary.failureRate)]] : []),
    ['events/s', formatCount(summary.eventsPerSecond)],
    ['wall time', formatWallMillis(summary.wallMillis)],
  ], width));
  if (failed > 0) {
    const rows = summary.failures.slice(0, FAILURES_SHOWN_MAX).map((f) => [String(f.seed), f.outcome, f.checks.map((c) => c.name).join('\n')]);
    lines.push(fittedTable(['seed', 'outcome', 'failed checks'], rows, width));
    lines.push(paint.bold('replay') + (failed > FAILURES_SHOWN_MAX ? ` (first ${FAILURES_SHOWN_MAX} of ${formatCount(failed)})` : '') + ':');
    for (const f of summary.failures.slice(0, FAILURES_SHOWN_MAX)) {
      // Commands are never wrapped (they must paste as one line); the file form goes on a line of its own when both do not fit.
      const command = `  ${paint.cyan(f.replay)}`;
      const file = view.failureFile?.(f.seed);
      const alternative = file ? paint.dim(`# or: faultline replay ${file}`) : '';
      if (!alternative) lines.push(command);
      else if (visibleWidth(command) + 3 + visibleWidth(alternative) <= width) lines.push(`${command}   ${alternative}`);
      else lines.push(command, `  ${alternative}`);
    }
  }
  for (const problem of view.coverageProblems ?? []) lines.push(paint.yellow(`warning: ${problem}`));
  return lines.join('\n');
}

/**
 * The header's verdict. For a merge it also says what the directories lack: with seeds missing it is
 * INCOMPLETE (never ALL PASSED: the seeds not run might fail), with two fingerprints for one seed it
 * says so, and seeds run more than once are noted.
 */
export function sweepVerdict(summary: Pick<SweepSummary, 'safetyFailures' | 'livenessFailures' | 'seeds'>, coverage?: Coverage): string {
  const parts: string[] = [];
  if (summary.safetyFailures > 0) parts.push(paint.bold.red('SAFETY FAILURES'));
  else if (summary.livenessFailures > 0) parts.push(paint.bold.yellow('LIVENESS FAILURES'));
  if (coverage !== undefined && coverage.conflicts.length > 0) {
    const n = coverage.conflicts.length;
    parts.push(paint.bold.red(`NONDETERMINISM: ${plural(n, 'seed')} gave two fingerprints`));
  }
  if (coverage !== undefined && coverage.missingSeeds > 0) {
    const total = summary.seeds.to - summary.seeds.from + 1;
    const shards = coverage.missingShards.length > 0
      ? `; shard${coverage.missingShards.length === 1 ? '' : 's'} ${coverage.missingShards.join(', ')} of ${coverage.shards[0]?.count ?? 1} absent`
      : '';
    parts.push(paint.bold.yellow(`INCOMPLETE: ${formatCount(coverage.missingSeeds)} of ${plural(total, 'seed')} not run${shards}`));
  }
  if (parts.length === 0) parts.push(paint.bold.green('ALL PASSED'));
  if (coverage !== undefined && coverage.duplicateSeeds > 0) {
    parts.push(paint.yellow(`${plural(coverage.duplicateSeeds, 'seed')} run more than once`));
  }
  return parts.join(' · ');
}

function colourCount(n: number, colour: (s: string) => string): string {
  return n === 0 ? '0' : colour(formatCount(n));
}

/** Coverage in the JSON merge prints (beside the summary's usual fields). */
export function coverageJson(coverage: Coverage) {
  return {
    dirs: coverage.dirs,
    shards: coverage.shards,
    missingSeeds: coverage.missingSeeds,
    firstMissingSeeds: coverage.firstMissingSeeds,
    missingShards: coverage.missingShards,
    duplicateSeeds: coverage.duplicateSeeds,
    firstDuplicateSeeds: coverage.firstDuplicateSeeds,
    conflicts: coverage.conflicts,
  };
}
