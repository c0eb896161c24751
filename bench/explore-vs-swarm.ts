// `npm run bench:explore [-- --budget 2m --bugs raft/forget-vote,…]`: coverage-guided exploration against
// plain swarm, per CPU-minute: for each bug, one thread runs `explore` for the budget, then the same thread
// runs swarm seeds 1, 2, … for the same budget; catches per minute of each, with the 95% interval of the
// catch rate per run. Wall time on a thread is CPU time; run it with the machine to itself.

import { explore } from '../lab/explore.js';
import { formatRate, wilsonInterval } from '../lab/stats.js';
import { findScenario } from '../scenarios/index.js';
import { parseDuration } from '../sim/time.js';
import { executeRun, prepareRun } from '../sim/run.js';

const DEFAULTS: readonly { bug: string; scenario: string }[] = [
  { bug: 'raft/forget-vote', scenario: 'raft-chaos' },
  { bug: 'raft/stale-read', scenario: 'raft-chaos' },
  { bug: 'raft/commit-old-term', scenario: 'raft-chaos' },
  { bug: 'raft/truncate-matching-entries', scenario: 'raft-chaos' },
  { bug: 'paxos/forget-promise', scenario: 'paxos-chaos' },
];

function fail(problem: string): never {
  process.stderr.write(`bench:explore: ${problem}\n`);
  process.exit(2);
}
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1] ?? fail(`--${name} needs a value`);
}
const budgetText = flag('budget') ?? '2m';
const budgetMicros = parseDuration(budgetText);
if (budgetMicros === undefined || budgetMicros < 1_000_000) fail(`--budget ${budgetText}: expected a duration of at least 1s`);
const budgetMillis = budgetMicros / 1_000;
const chosen = flag('bugs')?.split(',');
const targets = chosen === undefined ? DEFAULTS : chosen.map((bug) => DEFAULTS.find((d) => d.bug === bug) ?? fail(`--bugs ${bug}: not one of ${DEFAULTS.map((d) => d.bug).join(', ')}`));

const minutes = budgetMillis / 60_000;
const rows: string[] = [];
for (const { bug, scenario: name } of targets) {
  const scenario = findScenario(name)!;
  const explored = explore({ scenario, bug, seed: 1, budgetMillis });
  const exploreRate = wilsonInterval(explored.catches.length, Math.max(1, explored.runs));
  const started = performance.now();
  let runs = 0;
  let caught = 0;
  let first: number | null = null;
  while (performance.now() - started < budgetMillis) {
    runs++;
    const result = executeRun(prepareRun({ scenario, seed: runs, nemesis: 'swarm', bug }));
    if (result.checks.some((c) => !c.ok && (c.kind === 'always' || c.kind === 'eventually'))) {
      caught++;
      first ??= runs;
    }
  }
  const swarmRate = wilsonInterval(caught, Math.max(1, runs));
  const line = `| ${bug} | ${name} | ${(explored.catches.length / minutes).toFixed(1)} (${formatRate(exploreRate)}; first at run ${explored.catches[0]?.run ?? '-'}) | ${(caught / minutes).toFixed(1)} (${formatRate(swarmRate)}; first at seed ${first ?? '-'}) |`;
  rows.push(line);
  process.stderr.write(line + '\n');
}
process.stdout.write(`| planted bug | scenario | explore: catches per CPU-minute | swarm: catches per CPU-minute |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`);
process.stderr.write(`bench:explore: ${budgetText} per method per bug\n`);
