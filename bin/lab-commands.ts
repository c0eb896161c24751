// The `replay` and `shrink` verbs: re-run a saved failure file exactly (exit code = its outcome, or 4
// if the same inputs gave another fingerprint; a hand-edited file is a new run, and its exit code is
// its outcome), and reduce a failing run to a minimal one that fails the same check.
// Both take --report to write the self-contained HTML report of the run they end with.

import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { compareInputs, describeEditedFields, loadReplayFileScenarios, readReplayFile, readVersion, serializeReplayFile, violatedChecks, type ReplayFile } from '../lab/replay-file.js';
import { describeFault, type FaultEntry } from '../sim/faults.js';
import { shrink, type ShrinkSize } from '../lab/shrink.js';
import { runToJson } from '../reports/json.js';
import { renderRun } from '../reports/terminal.js';
import { formatWallMillis, plural, terminalWidth, wrapHanging } from '../reports/text.js';
import { errorLine, InputError } from '../sim/errors.js';
import { EXIT_CODES, executeRun, prepareRun, type Outcome, type RunRequest } from '../sim/run.js';
import { formatMicros } from '../sim/time.js';
import { anyToStdout, checkDistinctOutputs, checkOutputFile, checkStdoutFree, writeOutputFile, type OutputTarget } from '../lab/output-path.js';
import { runWithReport } from './report-file.js';
import { checkHistoryFile, historyModelFor, writeHistoryFile } from './history-file.js';

export function registerLabCommands(program: Command): void {
  program
    .command('replay')
    .description('re-run a replay file (from sweep --out, shrink, or a test) and check it ends as recorded')
    .argument('<file>', 'replay file (JSON)')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--report <file>', 'write a self-contained HTML report of the run (- for stdout)')
    .option('--history <file>', 'write the client history for faultline check, Knossos or Porcupine: FILE.edn (Jepsen EDN) or FILE.json (faultline JSON)')
    .action(async (path: string, flags: { json?: boolean; report?: string; history?: string }) => {
      await loadReplayFileScenarios(path);
      process.exitCode = replayCommandAction(path, flags);
    });

  program
    .command('shrink')
    .description('shrink a failing replay file to a minimal run that fails the same check, and write it')
    .argument('<file>', 'replay file of a failing run (JSON)')
    .option('--max-attempts <n>', 'bound on the runs tried', '200')
    .option('--out <file>', 'where to write the minimal replay file (default: FILE with .min.json)')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--report <file>', 'write a self-contained HTML report of the minimal run (- for stdout)')
    .action(async (path: string, flags: { maxAttempts: string; out?: string; json?: boolean; report?: string }) => {
      await loadReplayFileScenarios(path);
      process.exitCode = shrinkCommandAction(path, flags);
    });
}

function replayCommandAction(path: string, flags: { json?: boolean; report?: string; history?: string }): number {
  const { file, request } = readReplayFile(path);
  const report = flags.report === undefined ? undefined : checkOutputFile('--report', flags.report, { allowStdout: true });
  const history = flags.history === undefined ? undefined : checkHistoryFile(flags.history);
  checkStdoutFree([report], flags.json);
  checkDistinctOutputs([report, history?.target]);
  const summaryStream = anyToStdout([report]) ? process.stderr : process.stdout;
  const prepared = prepareRun(request);
  const historyModel = history === undefined ? undefined : historyModelFor(history, prepared);
  const inputs = compareInputs(file, prepared);
  const started = performance.now();
  const result = runWithReport(prepared, report, (p, sink) => executeRun(p, sink));
  const wallMillis = performance.now() - started;
  if (history !== undefined) writeHistoryFile(history, historyModel!, result);
  const replay = `faultline replay ${path}`;
  const json = runToJson(prepared, result, wallMillis, replay);
  const sameFingerprint = result.fingerprint === file.expected.fingerprint;
  const reproduced = sameFingerprint && result.outcome === file.expected.outcome;
  if (flags.json) {
    process.stdout.write(JSON.stringify({ ...json, expected: file.expected, reproduced, edited: inputs.edited, editedFields: inputs.fields }) + '\n');
  } else {
    summaryStream.write(renderRun(json) + '\n');
  }
  if (inputs.edited) {
    // A hand edit (drop a fault, change a parameter) is a new run: its outcome is the answer.
    process.stderr.write(errorLine(
      `replay: the inputs of ${path} were edited since it was recorded (${describeEditedFields(inputs.fields)}); ` +
        `this is a new run: ${result.outcome} (recorded: ${file.expected.outcome})`,
    ));
    return EXIT_CODES[result.outcome];
  }
  if (!sameFingerprint) {
    const written = file.faultline !== undefined ? `written by faultline ${file.faultline}, this is ${readVersion()}` : 'no faultline version recorded';
    const why = inputs.edited === null
      ? `; ${written}; the file records no input digests, so an edit cannot be told from a change in the code`
      : `; the inputs are as recorded, so the code changed (${written}) or the run is nondeterministic`;
    process.stderr.write(errorLine(
      `replay of ${path} gave fingerprint ${result.fingerprint}, the file expects ${file.expected.fingerprint}` +
        ` (outcome ${result.outcome}, expected ${file.expected.outcome})${why}`,
    ));
    return EXIT_CODES.nondeterminism;
  }
  return EXIT_CODES[result.outcome];
}

function shrinkCommandAction(path: string, flags: { maxAttempts: string; out?: string; json?: boolean; report?: string }): number {
  const maxAttempts = parseMaxAttempts(flags.maxAttempts);
  const { file, request } = readReplayFile(path);
  const out = checkOutputFile(flags.out === undefined ? '' : '--out', flags.out ?? path.replace(/(\.json)?$/, '.min.json'));
  const report = flags.report === undefined ? undefined : checkOutputFile('--report', flags.report, { allowStdout: true });
  checkStdoutFree([report], flags.json);
  checkDistinctOutputs([out, report]);
  const shrunk = shrinkToFile(file, request, out, { maxAttempts, progress: !flags.json && process.stderr.isTTY, report });
  (anyToStdout([report]) ? process.stderr : process.stdout).write((flags.json ? JSON.stringify(shrunk.summary) : shrunk.lines.join('\n')) + '\n');
  return EXIT_CODES[shrunk.summary.outcome];
}

export function parseMaxAttempts(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InputError(`--max-attempts ${text}: expected a positive integer`);
  return Number(text);
}

export interface ShrinkSummary {
  readonly check: string;
  readonly attempts: number;
  readonly before: ShrinkSize;
  readonly after: ShrinkSize;
  readonly outcome: Outcome;
  readonly fingerprint: string;
  readonly violated: ReturnType<typeof violatedChecks>;
  readonly faults: readonly FaultEntry[];
  readonly file: string;
  readonly replay: string;
  readonly wallMillis: number;
}

/** Shrinks a failing run, writes the minimal replay file to `out` (checked), and describes what it did. */
export function shrinkToFile(
  file: ReplayFile, request: RunRequest, out: OutputTarget,
  options: { maxAttempts: number; progress?: boolean; report?: OutputTarget },
): { summary: ShrinkSummary; lines: string[] } {
  const started = performance.now();
  const shrunk = shrink(file, request, {
    maxAttempts: options.maxAttempts,
    onAttempt: options.progress
      ? (attempt, accepted, size) => process.stderr.write(`\rattempt ${attempt}: ${accepted ? 'still fails' : 'passes    '} · ${describeSize(size)}   `)
      : undefined,
  });
  if (options.progress) process.stderr.write('\n');
  const wallMillis = performance.now() - started;
  writeOutputFile(out, serializeReplayFile(shrunk.file), { announce: true });
  if (options.report !== undefined) runWithReport(shrunk.prepared, options.report, (p, sink) => executeRun(p, sink));
  const summary: ShrinkSummary = {
    check: shrunk.check,
    attempts: shrunk.attempts,
    before: shrunk.before,
    after: shrunk.after,
    outcome: shrunk.result.outcome,
    fingerprint: shrunk.result.fingerprint,
    violated: violatedChecks(shrunk.result.checks),
    faults: shrunk.file.faults,
    file: out.given,
    replay: `faultline replay ${out.given}`,
    wallMillis: Math.round(wallMillis),
  };
  const lines = [
    `shrunk ${file.scenario} seed ${file.seed}${file.bug ? ` (${file.bug})` : ''} while '${shrunk.check}' still fails, in ${plural(shrunk.attempts, 'attempt')} (${formatWallMillis(wallMillis)}):`,
    `  before: ${describeSize(shrunk.before)}`,
    `  after:  ${describeSize(shrunk.after)}`,
    `faults left:`,
    ...(summary.faults.length === 0 ? ['  (none: the bug needs no fault)'] : faultLines(summary.faults)),
    'violated:',
    ...summary.violated.map((c) => wrapHanging(`  ${c.name}${c.message ? ': ' : ''}`, c.message ?? '', terminalWidth())),
    `replay: faultline replay ${out.given}`,
  ];
  return { summary, lines };
}

function describeSize(size: ShrinkSize): string {
  return `${plural(size.faults, 'fault')}, ${plural(size.operations, 'operation')}, ${plural(size.nodes, 'node')}, ${formatMicros(size.simulatedMicros)} simulated`;
}

/** The faults left, in words, as `run` prints them: `  1.2s  crash n3`. */
function faultLines(faults: readonly FaultEntry[]): string[] {
  const atWidth = Math.max(...faults.map((f) => formatMicros(f.at).length));
  return faults.map((f) => `  ${formatMicros(f.at).padStart(atWidth)}  ${describeFault(f)}`);
}
