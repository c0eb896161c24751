// The `sweep` and `merge` verbs. sweep checks every input in the main thread before anything runs or
// is written (one-line message, exit 2), then runs the seeds on a worker pool (lab/sweep.ts) with
// progress on stderr, and exits 0 all passed, 1 any safety failure, else 3 any liveness failure.
// merge combines the --out directories of shards into one summary.

import { Command, Option } from 'commander';
import { basename, join } from 'node:path';
import { parseReplayFile, replayFileOf, serializeReplayFile } from '../lab/replay-file.js';
import { errorLine, InputError } from '../sim/errors.js';
import { executeRun, prepareRun, type RunRequest } from '../sim/run.js';
import { parseMaxAttempts, shrinkToFile } from './lab-commands.js';
import { NEMESIS_PROFILES, type NemesisProfile } from '../sim/nemesis.js';
import { DURATION_FLAG_HELP, parseCount, parseDurationFlag } from './flags.js';
import { coverageJson, progressView, renderSweepSummary } from '../lab/sweep-report.js';
import { coverageProblems, failureFileName, mergeExitCode, mergeSweepDirs, sweepWroteLine } from '../lab/sweep-out.js';
import { checkOutputDirectory, checkOutputFile } from '../lab/output-path.js';
import type { HistoryFormat } from '../sim/check/history-out.js';
import { parseSeedRange, parseShard, prepareSweep, runSweep, shardSize, sweepExitCode, WORKERS_PER_CORE_MAX, type PreparedSweep } from '../lab/sweep.js';

/** Exit code of a sweep interrupted by Ctrl-C (128 + SIGINT), as shells report it. */
const EXIT_INTERRUPTED = 130;

interface SweepFlags {
  seeds: string;
  workers?: string;
  shard?: string;
  bug?: string;
  nemesis?: string;
  set?: string[];
  nodes?: string;
  duration?: string;
  json?: boolean;
  out?: string;
  stopOnFailure?: boolean;
  shrink?: boolean;
  maxAttempts: string;
  history?: string;
}

export function registerSweepCommands(program: Command): void {
  program
    .command('sweep')
    .description('run a scenario over a range of seeds on worker threads; exit 1 if any seed broke safety, else 3 if any broke liveness')
    .argument('<scenario>', 'scenario name (see `faultline list`)')
    .option('--seeds <range>', 'seeds to run: A..B (inclusive) or a single seed', '1..1000')
    .option('--workers <n>', `worker threads (default: the number of cores; at most ${WORKERS_PER_CORE_MAX} per core; 1 still runs in one worker thread)`)
    .option('--shard <i/n>', 'run only shard i of n: every n-th seed of the range, starting with its i-th')
    .option('--bug <name>', 'switch on a planted bug')
    .addOption(new Option('--nemesis <profile>', 'fault profile drawing each schedule from its seed').choices([...NEMESIS_PROFILES]))
    .option('--set <name=value>', 'override a scenario parameter (repeatable)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--nodes <n>', 'number of server nodes')
    .option('--duration <time>', `length of each run's fault phase, ${DURATION_FLAG_HELP}`)
    .option('--json', 'print exactly one JSON object (the summary) on stdout')
    .option('--out <dir>', 'write DIR/runs.jsonl, DIR/failures/<scenario>-<seed>.json and DIR/summary.json')
    .option('--history <format>', 'with --out: write each seed\'s client history to DIR/histories/<scenario>-<seed>.edn (edn: Jepsen) or .json (json: faultline)')
    .option('--stop-on-failure', 'stop at the first failing seed (in seed order)')
    .option('--shrink', 'shrink the first failure (in seed order) and write its minimal replay file')
    .option('--max-attempts <n>', 'with --shrink: bound on the runs the shrink tries', '200')
    .action((scenario: string, flags: SweepFlags) => {
      const maxAttempts = parseMaxAttempts(flags.maxAttempts);
      // Validation is synchronous, so that bad input reaches cli.ts's one-line handler (exit 2).
      const sweep = prepareSweep({
        config: {
          scenario,
          nodeCount: flags.nodes === undefined ? undefined : parseCount('--nodes', flags.nodes),
          durationMicros: flags.duration === undefined ? undefined : parseDurationFlag(flags.duration),
          nemesis: flags.nemesis as NemesisProfile | undefined,
          set: flags.set ?? [],
          bug: flags.bug,
        },
        seeds: parseSeedRange(flags.seeds),
        shard: flags.shard === undefined ? undefined : parseShard(flags.shard),
        workers: flags.workers === undefined ? undefined : parseCount('--workers', flags.workers, 1),
        stopOnFailure: flags.stopOnFailure,
        out: flags.out,
        ...(flags.history !== undefined ? { history: parseHistoryFormat(flags.history) } : {}),
      });
      // Without --out, --shrink writes <scenario>-<seed>.min.json here: the folder must take it.
      if (flags.shrink && flags.out === undefined) checkOutputDirectory('--shrink', '.');
      sweepCommand(sweep, flags).then(
        (code) => { process.exitCode = code; },
        (error: unknown) => {
          if (error instanceof InputError) {
            process.stderr.write(errorLine(error.message));
            process.exitCode = 2;
            return;
          }
          process.stderr.write(errorLine(`sweep failed: ${(error as Error)?.stack ?? String(error)}`));
          process.exitCode = 1;
        },
      );
    });

  program
    .command('merge')
    .description('combine the --out directories of sweep shards into one summary (says which seeds are missing or repeated)')
    .argument('<dirs...>', 'directories written by `faultline sweep --out`')
    .option('--json', 'print exactly one JSON object (the summary, plus coverage) on stdout')
    .action((dirs: string[], flags: { json?: boolean }) => {
      const result = mergeSweepDirs(dirs);
      const problems = coverageProblems(result.coverage);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ...result.summary, coverage: coverageJson(result.coverage) }) + '\n');
        for (const problem of problems) process.stderr.write(errorLine(`merge: ${problem}`));
      } else {
        process.stdout.write(renderSweepSummary(result.summary, { coverageProblems: problems, coverage: result.coverage }) + '\n');
      }
      process.exitCode = mergeExitCode(result);
    });
}

/** `--history edn|json` (a leading dot, as in `.edn`, is accepted); anything else is one line, exit 2. */
function parseHistoryFormat(text: string): HistoryFormat {
  const format = text.replace(/^\./, '').toLowerCase();
  if (format === 'edn' || format === 'json') return format;
  throw new InputError(`--history ${text}: expected edn (Jepsen) or json (faultline); each seed's history goes to DIR/histories/<scenario>-<seed>.<format>`);
}

async function sweepCommand(sweep: PreparedSweep, flags: SweepFlags): Promise<number> {
  const total = shardSize(sweep.seeds, sweep.shard);
  const shard = sweep.shard ? ` ${sweep.shard.index}/${sweep.shard.count}` : '';
  const progress = progressView(`sweep ${sweep.config.scenario}${shard}`, total);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await runSweep(sweep, { onProgress: (p) => progress.update(p), signal: interrupt.signal });
  } catch (error) {
    progress.stop();
    if (interrupt.signal.aborted) {
      process.stderr.write(errorLine(`sweep interrupted${sweep.out !== undefined ? `; ${sweep.out} holds no runs.jsonl or summary.json` : ''}`));
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  progress.stop();
  if (result.written !== undefined) process.stderr.write(sweepWroteLine(result.written) + '\n');
  const { summary } = result;
  const shrunk = flags.shrink && summary.failures.length > 0 ? shrinkFirstFailure(sweep, summary.failures[0]!.seed, Number(flags.maxAttempts), !flags.json) : undefined;
  if (flags.json) process.stdout.write(JSON.stringify(shrunk ? { ...summary, shrunk: shrunk.summary } : summary) + '\n');
  else {
    const out = sweep.out;
    const failureFile = out === undefined ? undefined : (seed: number) => join(out, failureFileName(summary.scenario, seed));
    process.stdout.write(renderSweepSummary(summary, { failureFile }) + '\n');
    if (shrunk) process.stdout.write(shrunk.lines.join('\n') + '\n');
  }
  return sweepExitCode(summary);
}

/** `--shrink`: runs the first failing seed again in this thread, shrinks it, writes `<scenario>-<seed>.min.json`. */
function shrinkFirstFailure(sweep: PreparedSweep, seed: number, maxAttempts: number, progress: boolean) {
  const { config } = sweep;
  const request: RunRequest = {
    scenario: sweep.sample.scenario, seed, set: config.set,
    ...(config.nodeCount !== undefined ? { nodeCount: config.nodeCount } : {}),
    ...(config.durationMicros !== undefined ? { durationMicros: config.durationMicros } : {}),
    ...(config.nemesis !== undefined ? { nemesis: config.nemesis } : {}),
    ...(config.bug !== undefined ? { bug: config.bug } : {}),
  };
  const prepared = prepareRun(request);
  const file = replayFileOf(prepared, executeRun(prepared), sweep.version);
  const minimal = failureFileName(config.scenario, seed).replace(/\.json$/, '.min.json');
  const out = checkOutputFile('--shrink', sweep.out !== undefined ? join(sweep.out, minimal) : basename(minimal));
  const explicit = parseReplayFile(JSON.parse(serializeReplayFile(file)), out.given).request;
  return shrinkToFile(file, explicit, out, { maxAttempts, progress: progress && process.stderr.isTTY });
}
