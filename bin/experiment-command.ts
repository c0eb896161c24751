// The `experiment` verb and `list --experiments`. An experiment is a scenario with `--vary` axes, an
// experiment file (FILE.json) or a shipped one by name (experiments/NAME.json beside the package). Every
// input is checked before any run (one line, exit 2); the runs go to the sweep's worker pool with a
// progress bar on a terminal; the exit code is 0 once it ran, whatever the runs' outcomes (it measures).
// The engine and the renderers are imported in the action, so they cost the CLI's start-up nothing.

import { Command, Option } from 'commander';
import { errorLine } from '../sim/errors.js';
import { NEMESIS_PROFILES } from '../sim/nemesis.js';
import { DURATION_FLAG_HELP, parseCount } from './flags.js';

/** Exit code of an experiment interrupted by Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

interface ExperimentFlags {
  vary?: string[];
  seeds?: string;
  metric?: string[];
  set?: string[];
  nodes?: string;
  duration?: string;
  nemesis?: string;
  bug?: string;
  json?: boolean;
  csv?: string;
  report?: string;
  workers?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerExperimentCommand(program: Command): void {
  program
    .command('experiment')
    .description('run a grid of settings × a range of seeds and summarise each metric per grid point (quantiles, mean with a 95% CI); exit 0 once it ran, 2 on bad input')
    .argument('<experiment>', 'a scenario (with --vary), an experiment file FILE.json, or a shipped experiment\'s NAME (see `faultline list --experiments`)')
    .option('--vary <axis>', 'an axis of the grid (repeatable; the grid is their cross product): NAME=v1,v2 · NAME=a..b/step · A,B=a1:b1,a2:b2 (move together); NAME is a scenario parameter or scenario, bug, nodes, duration, nemesis', collect)
    .option('--seeds <range>', 'seeds run at every grid point: A..B (inclusive) or a single seed (required with a scenario)')
    .option('--metric <name>', 'a metric to summarise (repeatable, or comma-separated; see the README\'s list)', collect)
    .option('--set <name=value>', 'a scenario parameter at every grid point (repeatable)', collect)
    .option('--nodes <n>', 'number of server nodes')
    .option('--duration <time>', `length of each run's fault phase, ${DURATION_FLAG_HELP}`)
    .addOption(new Option('--nemesis <profile>', 'fault profile drawing each schedule from its seed').choices([...NEMESIS_PROFILES]))
    .option('--bug <name>', 'switch on a planted bug at every grid point')
    .option('--json', 'print the result as one JSON object on stdout (deterministic: no wall-clock figures)')
    .option('--csv <file>', 'write one row per grid point × metric (- for stdout)')
    .option('--report <file>', 'write a self-contained HTML report (- for stdout)')
    .option('--workers <n>', 'worker threads (default: the number of cores)')
    .action(async (target: string, flags: ExperimentFlags) => {
      process.exitCode = await experimentCommand(target, flags);
    });
}

async function experimentCommand(target: string, flags: ExperimentFlags): Promise<number> {
  const [{ prepareExperiment, runExperiment }, { experimentCsv, experimentJson }, files, output, { findScenario, scenarios }, { suggestionOrKnown }, { InputError }] = await Promise.all([
    import('../lab/experiment.js'), import('../lab/experiment-out.js'), import('../lab/experiment-file.js'), import('../lab/output-path.js'),
    import('../scenarios/index.js'), import('../sim/suggest.js'), import('../sim/errors.js'),
  ]);
  const workers = flags.workers === undefined ? undefined : parseCount('--workers', flags.workers, 1);
  const metrics = flags.metric?.flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m !== '');
  let path: string | undefined;
  if (files.isExperimentFileName(target)) path = target;
  else if (findScenario(target) === undefined) {
    path = files.shippedExperimentPath(target);
    if (path === undefined) {
      const onDisk = files.notAnExperimentFile(target);
      if (onDisk !== undefined) throw new InputError(onDisk);
      const known = [...scenarios.map((s) => s.name), ...files.shippedExperimentNames()];
      throw new InputError(`unknown scenario or experiment '${target}' (${suggestionOrKnown(target, known)})`);
    }
  }
  let file;
  if (path !== undefined) {
    if (flags.vary !== undefined) throw new InputError(`--vary ${flags.vary[0]}: not with an experiment file (${target}); edit its vary, or run a scenario with --vary`);
    file = files.readExperimentFile(path);
  } else {
    if (flags.seeds === undefined) throw new InputError(`experiment ${target}: --seeds is required (such as --seeds 1..100)`);
    const vary = flags.vary ?? [];
    file = { name: target, title: vary.length === 0 ? target : `${target} over ${vary.join(' × ')}`, scenario: target, seeds: flags.seeds, metrics: [], vary };
  }
  // The command line's settings go to prepareExperiment apart from the file's: they override it, and
  // it refuses any that names a parameter an axis varies.
  const overrides = {
    ...(workers !== undefined ? { workers } : {}),
    ...(flags.seeds !== undefined ? { seeds: flags.seeds } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...(flags.set !== undefined ? { set: flags.set } : {}),
    ...(flags.nodes !== undefined ? { nodes: parseCount('--nodes', flags.nodes) } : {}),
    ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
    ...(flags.nemesis !== undefined ? { nemesis: flags.nemesis } : {}),
    ...(flags.bug !== undefined ? { bug: flags.bug } : {}),
  };
  if (metrics !== undefined && metrics.length === 0) throw new InputError('--metric: expected a metric name');
  const csv = flags.csv === undefined ? undefined : output.checkOutputFile('--csv', flags.csv, { allowStdout: true });
  const report = flags.report === undefined ? undefined : output.checkOutputFile('--report', flags.report, { allowStdout: true });
  output.checkStdoutFree([csv, report], flags.json);
  output.checkDistinctOutputs([csv, report]);
  const experiment = prepareExperiment(file, path === undefined ? {} : { path }, overrides);

  const { progressView } = await import('../lab/sweep-report.js');
  const progress = process.stderr.isTTY ? progressView(`experiment ${experiment.name}`, experiment.runs) : undefined;
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  let ran;
  try {
    ran = await runExperiment(experiment, { onProgress: (p) => progress?.update(p), signal: interrupt.signal });
  } catch (error) {
    progress?.stop();
    if (interrupt.signal.aborted) {
      process.stderr.write(errorLine('experiment interrupted; nothing written'));
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  progress?.stop();
  const { result } = ran;
  if (csv !== undefined) output.writeOutputFile(csv, experimentCsv(result), { announce: true });
  if (report !== undefined) {
    const { renderExperimentHtml } = await import('../reports/experiment-html.js');
    output.writeOutputFile(report, renderExperimentHtml(result), { announce: true });
  }
  if (flags.json) process.stdout.write(experimentJson(result));
  else {
    const [{ renderExperimentTerminal }, { terminalWidth }, { colourLevel }] = await Promise.all([
      import('../reports/experiment-terminal.js'), import('../reports/text.js'), import('../reports/colour.js'),
    ]);
    const stream = output.anyToStdout([csv, report]) ? process.stderr : process.stdout;
    stream.write(renderExperimentTerminal(result, { color: colourLevel(stream) > 0, width: terminalWidth(stream) }) + '\n');
  }
  const { formatCount, formatWallMillis, plural } = await import('../reports/text.js');
  const rate = ran.wallMillis > 0 ? Math.round(ran.events / (ran.wallMillis / 1_000)) : 0;
  const unsafe = result.outcomes.safetyViolation > 0 ? `, ${plural(result.outcomes.safetyViolation, 'run')} broke safety` : '';
  process.stderr.write(`experiment ${experiment.name}: ${plural(result.runs, 'run')}${unsafe}, ${plural(ran.events, 'event')} in ${formatWallMillis(ran.wallMillis)} (${formatCount(rate)} events/s, ${plural(experiment.workers, 'worker')})\n`);
  return 0;
}

/** `faultline list --experiments [--json]`: the shipped experiment files. */
export async function listExperiments(json: boolean | undefined): Promise<void> {
  const [files, out] = await Promise.all([import('../lab/experiment-file.js'), import('../lab/experiment-out.js')]);
  const listings = files.shippedExperimentNames().map((name) => out.experimentListing(files.readExperimentFile(files.shippedExperimentPath(name)!)));
  if (json) process.stdout.write(JSON.stringify({ experiments: listings }, null, 2) + '\n');
  else process.stdout.write(out.renderExperimentList(listings) + '\n');
}
