// The `explore` verb: coverage-guided exploration of one scenario (lab/explore.ts) for a wall-time budget
// or a number of runs; prints coverage over time and every catch, and with --out writes a replay file per
// catch (DIR/catch-N.json). Exit 1 if a catch broke safety, else 3 if one broke liveness, else 0.

import type { Command } from 'commander';
import { join } from 'node:path';
import { writeFileAtomically } from '../lab/atomic-file.js';
import { explore, type ExploreResult } from '../lab/explore.js';
import { checkOutputDirectory, createOutputDirectory } from '../lab/output-path.js';
import { replayFileOf, serializeReplayFile } from '../lab/replay-file.js';
import { formatRate, wilsonInterval } from '../lab/stats.js';
import { formatWallMillis } from '../reports/text.js';
import { findScenario, scenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import { EXIT_CODES, prepareRun } from '../sim/run.js';
import { suggestionOrKnown } from '../sim/suggest.js';
import { DURATION_FLAG_HELP, parseCount, parseDurationFlag } from './flags.js';

interface ExploreFlags {
  budget?: string;
  runs?: string;
  seed: string;
  bug?: string;
  set?: string[];
  nodes?: string;
  duration?: string;
  stopOnCatch?: boolean;
  out?: string;
  json?: boolean;
}

/** The default budget when neither --budget nor --runs is given. */
const DEFAULT_BUDGET = '1m';

export function registerExploreCommand(program: Command): void {
  program
    .command('explore')
    .description('coverage-guided exploration: mutate fault schedules, keep those reaching new abstract states, report catches; exit 1/3 on a catch')
    .argument('<scenario>', 'scenario name (see `faultline list`)')
    .option('--budget <time>', `wall time to explore, such as 30s or 10m (default ${DEFAULT_BUDGET} unless --runs is given)`)
    .option('--runs <n>', 'stop after this many runs (an exploration that repeats exactly)')
    .option('--seed <n>', "the explorer's seed (the corpus and its mutations are drawn from it)", '1')
    .option('--bug <name>', 'switch on a planted bug')
    .option('--set <name=value>', 'override a scenario parameter (repeatable; never mutated)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--nodes <n>', 'number of server nodes (default: swarm draws it)')
    .option('--duration <time>', `length of each run's fault phase, ${DURATION_FLAG_HELP}`)
    .option('--stop-on-catch', 'stop at the first catch')
    .option('--out <dir>', 'write DIR/catch-N.json, a replay file per catch')
    .option('--json', 'print exactly one JSON object (the summary) on stdout')
    .action((name: string, flags: ExploreFlags) => {
      process.exitCode = exploreAction(name, flags);
    });
}

function exploreAction(name: string, flags: ExploreFlags): number {
  // Every input is checked before the first run.
  const scenario = findScenario(name);
  if (scenario === undefined) throw new InputError(`unknown scenario '${name}' (${suggestionOrKnown(name, scenarios.map((s) => s.name))})`);
  const budgetMillis = flags.budget !== undefined || flags.runs === undefined ? parseDurationFlag(flags.budget ?? DEFAULT_BUDGET, '--budget') / 1_000 : undefined;
  if (budgetMillis !== undefined && budgetMillis < 1) throw new InputError(`--budget ${flags.budget}: expected at least 1ms of wall time`);
  const runsMax = flags.runs === undefined ? undefined : parseCount('--runs', flags.runs, 1);
  const seed = parseCount('--seed', flags.seed, 0);
  const nodeCount = flags.nodes === undefined ? undefined : parseCount('--nodes', flags.nodes, 0);
  const durationMicros = flags.duration === undefined ? undefined : parseDurationFlag(flags.duration);
  const request = { scenario, seed, ...(flags.bug !== undefined ? { bug: flags.bug } : {}), set: flags.set ?? [], ...(nodeCount !== undefined ? { nodeCount } : {}), ...(durationMicros !== undefined ? { durationMicros } : {}) };
  // The scenario, bug, knobs and node count as the runs will take them (InputError names the problem).
  prepareRun({ ...request, nemesis: 'swarm', seed: 1 });
  const out = flags.out === undefined ? undefined : checkOutputDirectory('--out', flags.out);

  const result = explore({ ...request, ...(budgetMillis !== undefined ? { budgetMillis } : {}), ...(runsMax !== undefined ? { runsMax } : {}), stopOnCatch: flags.stopOnCatch === true });
  const files: string[] = [];
  if (out !== undefined && result.catches.length > 0) {
    createOutputDirectory(out, []);
    result.catches.forEach((c, i) => {
      const path = join(flags.out!, `catch-${i + 1}.json`);
      writeFileAtomically(path, serializeReplayFile(replayFileOf(c.prepared, c.result)));
      files.push(path);
    });
  }
  const summary = summaryOf(name, flags, result, files);
  if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(render(summary) + '\n');
  const safety = result.catches.some((c) => c.result.outcome === 'safety-violation');
  return safety ? EXIT_CODES['safety-violation'] : result.catches.length > 0 ? EXIT_CODES['liveness-violation'] : EXIT_CODES.pass;
}

function summaryOf(scenario: string, flags: ExploreFlags, result: ExploreResult, files: readonly string[]) {
  return {
    scenario,
    bug: flags.bug ?? null,
    seed: Number(flags.seed),
    runs: result.runs,
    wallMillis: result.millis,
    states: result.states,
    corpus: result.corpus,
    unconfirmed: result.unconfirmed,
    catchRate: result.runs > 0 ? wilsonInterval(result.catches.length, result.runs) : null,
    catches: result.catches.map((c, i) => ({
      run: c.run,
      millis: c.millis,
      seed: c.input.seed,
      outcome: c.result.outcome,
      checks: c.result.checks.filter((x) => !x.ok).map((x) => x.name),
      ...(files[i] !== undefined ? { replay: `faultline replay ${files[i]}` } : {}),
    })),
    timeline: result.timeline,
  };
}

function render(summary: ReturnType<typeof summaryOf>): string {
  const lines = [`explore ${summary.scenario}${summary.bug !== null ? ` · bug ${summary.bug}` : ''} · explorer seed ${summary.seed}`];
  lines.push(`${summary.runs} runs in ${formatWallMillis(summary.wallMillis)}: ${summary.states} abstract states, ${summary.corpus} schedules kept`);
  const marks = [0.25, 0.5, 0.75, 1].map((f) => summary.timeline[Math.min(summary.timeline.length - 1, Math.floor(f * summary.timeline.length) - 1)]).filter((t) => t !== undefined);
  if (marks.length > 0) lines.push(`coverage: ${marks.map((t) => `${t!.states} states by run ${t!.run} (${formatWallMillis(t!.millis)})`).join(' · ')}`);
  if (summary.unconfirmed > 0) lines.push(`${summary.unconfirmed} failing run${summary.unconfirmed === 1 ? '' : 's'} not counted: the same input failed without the bug too`);
  if (summary.catches.length === 0) lines.push('no catch');
  else {
    lines.push(`catches: ${formatRate(summary.catchRate!)} of runs; the first at run ${summary.catches[0]!.run} (${formatWallMillis(summary.catches[0]!.millis)})`);
    for (const c of summary.catches.slice(0, 5)) lines.push(`  run ${c.run}: ${c.outcome} (${c.checks.join(', ')})${c.replay !== undefined ? ` — ${c.replay}` : ''}`);
    if (summary.catches.length > 5) lines.push(`  … ${summary.catches.length - 5} more`);
    if (summary.catches[0]!.replay === undefined) lines.push('  (--out DIR writes a replay file per catch)');
  }
  return lines.join('\n');
}
