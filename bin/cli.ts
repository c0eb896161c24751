// The faultline command line: parses arguments (commander), calls sim/ and reports/, and maps outcomes
// to exit codes (0 pass, 1 safety, 2 usage or input error, 3 liveness, 4 nondeterminism). Bad input
// prints one line naming the problem, never a stack trace, and leaves no half-written file behind.

import { Command, CommanderError, Option } from 'commander';
import { randomInt } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { axisForHistoryText, renderCheckReport } from '../reports/check-html.js';
import { runToJson } from '../reports/json.js';
import { renderCheck, renderRun, renderScenarioDetail, renderScenarioList } from '../reports/terminal.js';
import { findScenario, scenarios } from '../scenarios/index.js';
import { checkInitialValue, parseHistoryText, parseInitialFlag } from '../sim/check/history-files.js';
import { describeIgnored } from '../sim/check/jepsen-history.js';
import { checkLinearizability, type ModelName } from '../sim/check/linearizability.js';
import { MODEL_NAMES, modelNamed, opsForModel } from '../sim/check/models.js';
import { errorLine, InputError } from '../sim/errors.js';
import { suggestionOrKnown } from '../sim/suggest.js';
import { NEMESIS_PROFILES, type NemesisProfile } from '../sim/nemesis.js';
import { EXIT_CODES, executeRun, prepareRun, rerunFingerprintMismatch, type PreparedRun } from '../sim/run.js';
import { allParams, formatParamValue, type Scenario } from '../sim/scenario.js';
import type { MetricDecl } from '../sim/metrics.js';
import { SEED_MAX } from '../sim/rng.js';
import { formatMicrosExact, parseDuration } from '../sim/time.js';
import { replayCommand } from '../reports/replay-command.js';
import { readVersion, replayFileOf, serializeReplayFile } from '../lab/replay-file.js';
import { readInputJson, readInputText } from '../lab/input-file.js';
import { announceWritten, anyToStdout, checkDistinctOutputs, checkOutputFile, checkStdoutFree, writeOutputFile } from '../lab/output-path.js';
import { registerExploreCommand } from './explore-command.js';
import { registerPlaygroundCommand } from './playground-command.js';
import { registerLabCommands } from './lab-commands.js';
import { registerSweepCommands } from './sweep-command.js';
import { listExperiments, registerExperimentCommand } from './experiment-command.js';
import { NdjsonFile } from '../lab/ndjson-file.js';
import { runWithReport } from './report-file.js';
import { DURATION_FLAG_HELP, parseCount, parseDurationFlag } from './flags.js';
import { loadScenarioModule } from '../lab/user-scenarios.js';
import { checkHistoryFile, historyModelFor, writeHistoryFile } from './history-file.js';

interface RunFlags {
  seed?: string;
  nemesis?: string;
  faults?: string;
  nodes?: string;
  duration?: string;
  set?: string[];
  bug?: string;
  json?: boolean;
  trace?: string;
  checkDeterminism?: boolean;
  report?: string;
  save?: string;
  history?: string;
}

/** The metrics a scenario's observers declare (`provides`), read from a set-up built for seed 0 (nothing runs). */
function ownMetricsOf(scenario: Scenario): MetricDecl[] {
  return (prepareRun({ scenario, seed: 0 }).setup.observers ?? []).flatMap((o) => o.provides ?? []);
}

const program = new Command();
program
  .name('faultline')
  .description('A deterministic cluster simulator and chaos lab: one process, one virtual clock, one seed.')
  .version(readVersion())
  .exitOverride()
  .showSuggestionAfterError(true)
  // Usage errors are one line: "faultline: unknown option '--sed' (Did you mean --seed?)".
  .configureOutput({ outputError: (text, write) => write(errorLine(text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ').replace('(Did you mean', '(did you mean'))) });

program
  .command('list')
  .description('list scenarios with their planted bugs and parameters (or explain one scenario)')
  .argument('[scenario]', 'a scenario to explain in full')
  .option('--json', 'print the catalogue as JSON')
  .option('--experiments', 'list the experiments shipped with faultline (experiments/*.json) instead')
  .action((name: string | undefined, flags: { json?: boolean; experiments?: boolean }) => {
    if (flags.experiments) return listExperiments(flags.json);
    const chosen = name === undefined ? scenarios : [requireScenario(name)];
    if (flags.json) {
      const catalogue = chosen.map((s) => ({
        name: s.name,
        description: s.description,
        algorithm: s.algorithm,
        defaultNemesis: s.defaultNemesis,
        nodes: { default: s.defaultNodes, min: s.minNodes, max: s.maxNodes },
        durationMicros: s.defaultDurationMicros,
        bugs: s.bugs,
        params: allParams(s),
      }));
      process.stdout.write(JSON.stringify({ scenarios: catalogue, nemesisProfiles: NEMESIS_PROFILES }, null, 2) + '\n');
      return;
    }
    process.stdout.write((name === undefined ? renderScenarioList(scenarios) : renderScenarioDetail(chosen[0]!, {}, ownMetricsOf(chosen[0]!))) + '\n');
  });

program
  .command('run')
  .description('run one scenario and judge it; the exit code is the outcome')
  .argument('<scenario>', 'scenario name (see `faultline list`)')
  .option('--seed <n>', `seed, an integer from 0 to ${SEED_MAX} (default: a random one, printed)`)
  .addOption(new Option('--nemesis <profile>', 'fault profile drawing the schedule from the seed').choices([...NEMESIS_PROFILES]))
  .option('--faults <file>', 'run an explicit fault schedule (JSON array, or a run\'s --json output) instead of the nemesis')
  .option('--nodes <n>', 'number of server nodes')
  .option('--duration <time>', `length of the fault phase, ${DURATION_FLAG_HELP}`)
  .option('--set <name=value>', 'override a scenario parameter (repeatable)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
  .option('--bug <name>', 'switch on a planted bug')
  .option('--json', 'print exactly one JSON object on stdout')
  .option('--trace <file>', 'stream every trace event to this NDJSON file (- for stdout; the summary then goes to stderr)')
  .option('--check-determinism', 'run twice and exit 4 if the fingerprints differ')
  .option('--report <file>', 'write a self-contained HTML report of the run (timelines, message diagram, operations; - for stdout)')
  .option('--save <file>', 'write the run as a replay file (for faultline replay and shrink)')
  .option('--history <file>', 'write the client history for faultline check, Knossos or Porcupine: FILE.edn (Jepsen EDN) or FILE.json (faultline JSON)')
  .action((scenarioName: string, flags: RunFlags) => {
    process.exitCode = runCommand(scenarioName, flags);
  });

registerLabCommands(program);
registerSweepCommands(program);
registerExploreCommand(program);
registerExperimentCommand(program);
registerPlaygroundCommand(program);
addScenariosFlag(['list', 'run', 'sweep', 'replay', 'shrink', 'experiment']);

program
  .command('check')
  .description('check a client history for linearizability (faultline JSON or Jepsen EDN)')
  .argument('<file>', 'history file: JSON {"model", "operations": [...]}, or EDN maps one per line')
  .addOption(new Option('--model <model>', 'sequential model (default: the file\'s, or kv when EDN ops have :key): register (get/put, also cas), cas-register (get/put/cas), kv (per key: get/put/append/cas), mutex (acquire/release), counter (add/read), set (add/read), fifo-queue (enqueue/dequeue)').choices(MODEL_NAMES))
  .option('--timeout <time>', 'give up with verdict "unknown" after this long', '10s')
  .option('--initial <json>', 'the model\'s value before any operation, as JSON: the register\'s, every kv key\'s, the count, the set\'s or queue\'s list, the mutex held (true) or not (default: the file\'s "initial", else the model\'s own: null, 0, [], free); --initial \'""\' when a missing key reads as ""')
  .option('--json', 'print exactly one JSON object on stdout')
  .option('--report <file>', 'write a self-contained HTML picture of the check (operations per client on a time axis, the longest linearizable prefix, the blocked operation; - for stdout)')
  .action((file: string, flags: CheckFlags) => {
    process.exitCode = checkCommand(file, flags);
  });

interface CheckFlags { model?: ModelName; timeout: string; initial?: string; json?: boolean; report?: string }

const CHECK_EXIT_CODES = { linearizable: 0, 'not-linearizable': 1, unknown: 3 } as const;

function checkCommand(file: string, flags: CheckFlags): number {
  const timeoutMicros = parseDuration(flags.timeout);
  if (timeoutMicros === undefined) throw new InputError(`--timeout ${flags.timeout}: expected a duration such as 10s or 500ms`);
  const initialFlag = flags.initial === undefined ? undefined : { value: parseInitialFlag(flags.initial) };
  // The report's target is checked before anything is read or searched: a bad one costs nothing and damages nothing.
  const report = flags.report === undefined ? undefined : checkOutputFile('--report', flags.report, { allowStdout: true });
  checkStdoutFree([report], flags.json);
  if (report !== undefined && !report.toStdout && sameFile(file, report.path)) throw new InputError(`--report ${report.given}: is the history file ${file} itself; name another file`);
  // With `--report -`, stdout carries the page alone; the summary goes to stderr.
  const out = report?.toStdout ? process.stderr : process.stdout;
  const text = readInputText(file);
  const history = parseHistoryText(text, file, flags.model);
  // The flag overrides the file's "initial", as --model overrides its "model".
  if (initialFlag) checkInitialValue(initialFlag.value, history.model, '--initial');
  const initial = initialFlag ? initialFlag.value : (history.initial ?? null);
  const operations = opsForModel(modelNamed(history.model), history.operations, file);
  const started = performance.now();
  const deadline = started + timeoutMicros / 1_000;
  const result = checkLinearizability(operations, { model: history.model, initial, shouldStop: () => performance.now() > deadline });
  const wallMillis = Math.round((performance.now() - started) * 10) / 10;
  if (report !== undefined) {
    const html = renderCheckReport({
      file, model: modelNamed(history.model), initial, operations, result, wallMillis,
      ...(history.ignored ? { ignored: history.ignored } : {}), axis: axisForHistoryText(text, file),
    });
    writeOutputFile(report, html, { announce: true });
  }
  if (flags.json) {
    const failure = result.failure
      ? { key: result.failure.key, blocked: result.failure.blocked.id, operations: result.failure.operations, explanation: result.failure.explanation }
      : undefined;
    process.stdout.write(JSON.stringify({ verdict: result.verdict, model: history.model, initial, operations: result.operations, keys: result.keys, wallMillis, ...(result.unknownKeys ? { unknownKeys: result.unknownKeys } : {}), ...(history.ignored ? { ignored: history.ignored } : {}), ...(failure ? { failure } : {}) }) + '\n');
  } else {
    out.write(renderCheck(result, history.model, wallMillis, { initial }) + '\n');
    if (history.ignored) out.write(`${describeIgnored(history.ignored)}\n`);
    const readEmpty = result.failure?.operations.some((op) => op.input.op === 'get' && op.output?.value === '');
    if (readEmpty && !initialFlag && history.initial === undefined) {
      const [what, convention] = history.model === 'kv'
        ? ['every key starts', 'a missing key reads as "" in this history (Porcupine, course labs)']
        : ['the register starts', 'the register starts as "" in this history'];
      out.write(`\nhint: a read saw "", but ${what} as null (nothing) unless told otherwise.\nIf ${convention}, check it with --initial '""'.\n`);
    }
  }
  return CHECK_EXIT_CODES[result.verdict];
}

/** Whether the input file `given` (if it exists) is the file at real path `outputPath`. */
function sameFile(given: string, outputPath: string): boolean {
  try {
    return realpathSync(given) === outputPath;
  } catch {
    return false; // a missing input is reported when it is read
  }
}

function runCommand(scenarioName: string, flags: RunFlags): number {
  const scenario = requireScenario(scenarioName);
  const seed = flags.seed === undefined ? randomInt(0, SEED_MAX + 1) : parseSeed(flags.seed);
  const durationMicros = flags.duration === undefined ? undefined : parseDurationFlag(flags.duration);
  const nodeCount = flags.nodes === undefined ? undefined : parseCount('--nodes', flags.nodes);
  const faults = flags.faults === undefined ? undefined : { raw: readInputJson(flags.faults, `--faults ${flags.faults}`), source: flags.faults };
  // Every output is checked before the run: a bad target costs nothing and damages nothing.
  const save = flags.save === undefined ? undefined : checkOutputFile('--save', flags.save);
  const report = flags.report === undefined ? undefined : checkOutputFile('--report', flags.report, { allowStdout: true });
  const traceTarget = flags.trace === undefined ? undefined : checkOutputFile('--trace', flags.trace, { allowStdout: true });
  const history = flags.history === undefined ? undefined : checkHistoryFile(flags.history);
  const outputs = [save, report, traceTarget, history?.target];
  checkStdoutFree(outputs, flags.json);
  checkDistinctOutputs(outputs);
  // With `--report -` or `--trace -`, stdout carries that output alone; the summary goes to stderr.
  const summaryStream = anyToStdout(outputs) ? process.stderr : process.stdout;
  const prepared = prepareRun({
    scenario, seed, nodeCount, durationMicros, faults, set: flags.set, bug: flags.bug,
    nemesis: flags.nemesis as NemesisProfile | undefined,
  });
  const replay = replayCommand(prepared);
  const historyModel = history === undefined ? undefined : historyModelFor(history, prepared);

  const trace = traceTarget === undefined ? undefined : NdjsonFile.open(traceTarget);
  let result;
  const started = performance.now();
  try {
    result = runWithReport(prepared, report, (p, sink) => executeRun(p, sink), trace ? (event) => trace.write(event) : undefined, replay);
    if (trace !== undefined) announceWritten(trace.target, trace.commit());
  } catch (error) {
    trace?.abort();
    throw error;
  }
  const wallMillis = performance.now() - started;

  if (flags.checkDeterminism) {
    const other = rerunFingerprintMismatch(prepared, result);
    if (other !== undefined) {
      process.stderr.write(errorLine(`nondeterminism: the same inputs gave fingerprints ${result.fingerprint} and ${other} (${replay})`));
      return EXIT_CODES.nondeterminism;
    }
  }

  if (save !== undefined) writeOutputFile(save, serializeReplayFile(replayFileOf(prepared, result)), { announce: true });
  if (history !== undefined) writeHistoryFile(history, historyModel!, result);
  const json = runToJson(prepared, result, wallMillis, replay);
  if (flags.json) process.stdout.write(JSON.stringify(json) + '\n');
  else {
    summaryStream.write(renderRun(json) + '\n');
    if (flags.checkDeterminism) summaryStream.write(`determinism: a second run gave the same fingerprint ${result.fingerprint}\n`);
  }
  return EXIT_CODES[result.outcome];
}

function requireScenario(name: string) {
  const scenario = findScenario(name);
  if (!scenario) throw new InputError(`unknown scenario '${name}' (${suggestionOrKnown(name, scenarios.map((s) => s.name))})`);
  return scenario;
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > SEED_MAX) throw new InputError(`--seed ${text}: expected an integer from 0 to ${SEED_MAX}`);
  return Number(text);
}


/**
 * A reader that goes away early (`faultline sweep … --json | head -c 100`) is not an error of ours:
 * later output is dropped and the exit code stays the run's own, with no stack trace. (With stderr
 * closed, an error message is dropped too; the exit code still says what happened.)
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}

/**
 * `--scenarios FILE` on the verbs that take a scenario: the user's module is loaded, and its scenarios
 * added to the registry, before the verb's action runs (sweep workers load it too: lab/sweep.ts).
 */
function addScenariosFlag(verbs: readonly string[]): void {
  for (const command of program.commands) {
    if (!verbs.includes(command.name())) continue;
    command.option('--scenarios <module>', 'also load the scenarios this JavaScript or TypeScript module exports (`export const scenarios = [...]`)');
  }
  program.hook('preAction', (_program, action) => {
    const module = (action.opts() as { scenarios?: string }).scenarios;
    return module === undefined ? undefined : loadScenarioModule(module).then(() => undefined);
  });
}

async function main(argv: string[]): Promise<void> {
  ignoreClosedPipes();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help text).
      const benign = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
      process.exitCode = benign ? 0 : EXIT_CODES.usage;
      return;
    }
    if (error instanceof InputError) {
      process.stderr.write(errorLine(error.message));
      process.exitCode = EXIT_CODES.usage;
      return;
    }
    throw error;
  }
}

await main(process.argv);
