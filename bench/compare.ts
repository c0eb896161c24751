// `npm run compare [-- --seeds N] [--workers N]`: Raft beside Multi-Paxos on equivalent scenarios, as the
// experiment experiments/raft-vs-paxos.json (seeds 1…N, default 30) run on the worker pool, printed as a
// markdown table: availability (mean over seeds), time to a new leader after each leader loss (median and
// max over every loss in every seed), messages per committed command (mean and median over seeds),
// events per second (a scenario's events ÷ the wall time its runs took, each run timed alone in its
// worker) and how much faster than real time its runs go. Wall-clock figures belong here, never in tests;
// `faultline experiment raft-vs-paxos` gives the same numbers without them, with a report.

import { availableParallelism } from 'node:os';
import { prepareExperiment, runExperiment } from '../lab/experiment.js';
import { readExperimentFile, shippedExperimentPath } from '../lab/experiment-file.js';
import type { PointResult } from '../lab/experiment-model.js';
import { formatMicros } from '../sim/time.js';

const METRICS = ['availability', 'leaderElectionMicros', 'leaderLossesUnresolved', 'messagesPerCommit'];

function numberFlag(argv: readonly string[], flag: string, fallback: number, max: number): number {
  const at = argv.indexOf(flag);
  if (at < 0) return fallback;
  const text = argv[at + 1] ?? '';
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) {
    console.error(`compare: ${flag} expects a whole number from 1 to ${max}; got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

function row(point: PointResult, cost: { events: number; simulatedMicros: number; wallMillis: number }, groupTitle: string): string {
  const stats = (metric: string) => point.metrics[metric]!.stats;
  const availability = stats('availability');
  const elections = stats('leaderElectionMicros');
  const unresolved = stats('leaderLossesUnresolved');
  const unresolvedCount = unresolved === null ? 0 : Math.round(unresolved.mean * unresolved.count);
  const perCommit = stats('messagesPerCommit');
  const leader = elections === null
    ? '— (no leader loss)'
    : `${formatMicros(elections.median)} · ${formatMicros(elections.max)} (${elections.count} losses${unresolvedCount ? `, ${unresolvedCount} unresolved` : ''})`;
  const failed = point.outcomes.safetyViolation + point.outcomes.livenessViolation;
  const cells = [
    `${groupTitle}: \`${point.scenario}\`${failed > 0 ? ` (${failed} runs failed!)` : ''}`,
    point.label,
    availability === null ? '—' : `${(availability.mean * 100).toFixed(2)}%`,
    leader,
    perCommit === null ? '—' : `${perCommit.mean.toFixed(1)} · ${perCommit.median.toFixed(1)}`,
    Math.round(cost.events / (cost.wallMillis / 1_000)).toLocaleString('en-US'),
    `${Math.round(cost.simulatedMicros / 1_000 / cost.wallMillis)}×`,
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seeds = numberFlag(argv, '--seeds', 30, 100_000);
  const workers = numberFlag(argv, '--workers', Math.min(2, availableParallelism()), 4 * availableParallelism());
  const file = readExperimentFile(shippedExperimentPath('raft-vs-paxos')!);
  const experiment = prepareExperiment({ ...file, seeds: `1..${seeds}`, metrics: METRICS }, {}, { workers });
  const { result, pointCosts } = await runExperiment(experiment);
  const titles = new Map(result.groups.map((g) => [g.name, g.title]));
  const lines = [
    '| scenario | algorithm | availability | time to a new leader: median · max | messages per commit: mean · median | events/s | real time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.points.map((point, i) => row(point, pointCosts[i]!, titles.get(point.group) ?? point.group)),
  ];
  console.log(lines.join('\n'));
  console.log(`\nseeds 1–${seeds} of each scenario (experiments/raft-vs-paxos.json), 5 servers and 5 clients, 10 s of faults; ${workers} worker threads; node ${process.version}`);
}

await main();
