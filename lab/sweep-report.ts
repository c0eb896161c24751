// What a sweep shows a person: a progress bar on a terminal (cli-progress), plain periodic lines
// otherwise (CI logs), both on stderr so that `--json` keeps stdout to one object; and at the end a
// table of the summary with the first failing seeds and their replay commands.

import chalk from 'chalk';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
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
      stream.write(`${label}: ${p.done}/${total} runs, ${p.failures} failed, ${formatSeconds(p.elapsedMillis)}\n`);
    },
    stop: () => {},
  };
}

function formatRate(events: number, millis: number): string {
  return millis > 0 ? Math.round(events / (millis / 1_000)).toLocaleString('en-US') : '-';
}

function formatSeconds(millis: number): string {
  return `${(millis / 1_000).toFixed(1)} s`;
}

export interface SummaryView {
  /** Where each failure's replay file went (`--out`), by seed. */
  failureFile?: (seed: number) => string | undefined;
  /** Merge only: what the shard directories missed or repeated. */
  coverageProblems?: readonly string[];
  /** Merge only: how the directories cover the range (the header says INCOMPLETE when seeds are missing). */
  coverage?: Coverage;
}

/** The end-of-sweep table, the first failures and their replay commands. */
export function renderSweepSummary(summary: SweepSummary, view: SummaryView = {}): string {
  const lines: string[] = [];
  const shard = summary.shard ? ` · shard ${summary.shard.index}/${summary.shard.count}` : '';
  lines.push(`${chalk.bold(summary.scenario)} · seeds ${summary.seeds.from}..${summary.seeds.to}${shard}`);
  const failed = summary.safetyFailures + summary.livenessFailures;
  const verdict = sweepVerdict(summary, view.coverage);
  lines.push(verdict + (summary.stoppedEarly ? chalk.dim('  (stopped at the first failure)') : ''));
  const table = new Table({ head: [chalk.bold('sweep'), chalk.bold('value')], style: { head: [], border: [] } });
  const firstFailing = summary.failures.slice(0, FAILURES_SHOWN_MAX).map((f) => f.seed).join(', ');
  table.push(
    ['runs', summary.runs.toLocaleString('en-US')],
    ['passed', summary.passed.toLocaleString('en-US')],
    ['safety failures', colourCount(summary.safetyFailures, chalk.red)],
    ['liveness failures', colourCount(summary.livenessFailures, chalk.yellow)],
    ['first failing seeds', failed === 0 ? '-' : firstFailing + (failed > FAILURES_SHOWN_MAX ? ', …' : '')],
    ['events/s', summary.eventsPerSecond.toLocaleString('en-US')],
    ['wall time', formatSeconds(summary.wallMillis)],
  );
  lines.push(table.toString());
  if (failed > 0) {
    const failures = new Table({ head: ['seed', 'outcome', 'failed checks'].map((h) => chalk.bold(h)), style: { head: [], border: [] } });
    for (const f of summary.failures.slice(0, FAILURES_SHOWN_MAX)) {
      failures.push([String(f.seed), f.outcome, f.checks.map((c) => c.name).join('\n')]);
    }
    lines.push(failures.toString());
    lines.push(chalk.bold('replay') + (failed > FAILURES_SHOWN_MAX ? ` (first ${FAILURES_SHOWN_MAX} of ${failed})` : '') + ':');
    for (const f of summary.failures.slice(0, FAILURES_SHOWN_MAX)) {
      const file = view.failureFile?.(f.seed);
      lines.push(`  ${chalk.cyan(f.replay)}` + (file ? chalk.dim(`   # or: faultline replay ${file}`) : ''));
    }
  }
  for (const problem of view.coverageProblems ?? []) lines.push(chalk.yellow(`warning: ${problem}`));
  return lines.join('\n');
}

/**
 * The header's verdict. For a merge it also says what the directories lack: with seeds missing it is
 * INCOMPLETE (never ALL PASSED: the seeds not run might fail), with two fingerprints for one seed it
 * says so, and seeds run more than once are noted.
 */
export function sweepVerdict(summary: Pick<SweepSummary, 'safetyFailures' | 'livenessFailures' | 'seeds'>, coverage?: Coverage): string {
  const parts: string[] = [];
  if (summary.safetyFailures > 0) parts.push(chalk.bold.red('SAFETY FAILURES'));
  else if (summary.livenessFailures > 0) parts.push(chalk.bold.yellow('LIVENESS FAILURES'));
  if (coverage !== undefined && coverage.conflicts.length > 0) {
    const n = coverage.conflicts.length;
    parts.push(chalk.bold.red(`NONDETERMINISM: ${n} seed${n === 1 ? '' : 's'} gave two fingerprints`));
  }
  if (coverage !== undefined && coverage.missingSeeds > 0) {
    const total = summary.seeds.to - summary.seeds.from + 1;
    const shards = coverage.missingShards.length > 0
      ? `; shard${coverage.missingShards.length === 1 ? '' : 's'} ${coverage.missingShards.join(', ')} of ${coverage.shards[0]?.count ?? 1} absent`
      : '';
    parts.push(chalk.bold.yellow(`INCOMPLETE: ${coverage.missingSeeds} of ${total} seed${total === 1 ? '' : 's'} not run${shards}`));
  }
  if (parts.length === 0) parts.push(chalk.bold.green('ALL PASSED'));
  if (coverage !== undefined && coverage.duplicateSeeds > 0) {
    parts.push(chalk.yellow(`${coverage.duplicateSeeds} seed${coverage.duplicateSeeds === 1 ? '' : 's'} run more than once`));
  }
  return parts.join(' · ');
}

function colourCount(n: number, colour: (s: string) => string): string {
  return n === 0 ? '0' : colour(n.toLocaleString('en-US'));
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
