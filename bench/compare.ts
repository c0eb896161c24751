// `npm run compare [-- --seeds N]`: Raft beside Multi-Paxos on equivalent scenarios. Runs seeds 1…N of
// each pair in this process and prints a markdown table: availability (operations ok ÷ invoked, mean
// over seeds), time to a new leader after each leader loss (median and max over every loss in every
// seed), messages per committed command (mean and median over seeds), events per second (all events ÷ all wall
// time) and how much faster than real time the runs go (simulated ÷ wall time). Wall-clock figures
// belong here, never in tests.

import { performance } from 'node:perf_hooks';
import { findScenario } from '../scenarios/index.js';
import { medianOf } from '../sim/metrics.js';
import { executeRun, prepareRun } from '../sim/run.js';
import { formatMicros } from '../sim/time.js';

const PAIRS: readonly { readonly label: string; readonly raft: string; readonly paxos: string }[] = [
  { label: 'leader crash', raft: 'raft-leader-crash', paxos: 'paxos-leader-crash' },
  { label: 'partition (leader in the minority)', raft: 'raft-partition-leader-minority', paxos: 'paxos-partition' },
  { label: 'lossy links', raft: 'raft-lossy', paxos: 'paxos-lossy' },
  { label: 'clock skew', raft: 'raft-clock-skew', paxos: 'paxos-clock-skew' },
  { label: 'chaos', raft: 'raft-chaos', paxos: 'paxos-chaos' },
];

interface Totals {
  availability: number[];
  elections: number[];
  unresolved: number;
  messagesPerCommit: number[];
  events: number;
  simulatedMicros: number;
  wallMillis: number;
  failures: number;
}

function parseSeeds(argv: readonly string[]): number {
  const at = argv.indexOf('--seeds');
  if (at < 0) return 30;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    console.error(`compare: --seeds expects a whole number from 1 to 100000; got ${JSON.stringify(argv[at + 1] ?? '')}`);
    process.exit(2);
  }
  return n;
}

function runOne(name: string, seed: number, totals: Totals): void {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`compare: no scenario ${name}`);
  const started = performance.now();
  const result = executeRun(prepareRun({ scenario, seed }));
  totals.wallMillis += performance.now() - started;
  totals.events += result.stats.events;
  totals.simulatedMicros += result.stats.simulatedMicros;
  if (result.outcome !== 'pass') totals.failures++;
  const m = result.metrics;
  if (m.availability !== null) totals.availability.push(m.availability);
  totals.elections.push(...m.leaderElectionMicros);
  totals.unresolved += m.leaderLossesUnresolved;
  if (m.messagesPerCommit !== null) totals.messagesPerCommit.push(m.messagesPerCommit);
}

const mean = (values: readonly number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

function row(label: string, algorithm: string, t: Totals): string {
  const availability = mean(t.availability);
  const median = medianOf(t.elections);
  const leader = median === null ? '— (no leader loss)' : `${formatMicros(median)} · ${formatMicros(Math.max(...t.elections))} (${t.elections.length} losses${t.unresolved ? `, ${t.unresolved} unresolved` : ''})`;
  const perCommit = mean(t.messagesPerCommit);
  const cells = [
    label,
    algorithm,
    availability === null ? '—' : `${(availability * 100).toFixed(2)}%`,
    leader,
    perCommit === null ? '—' : `${perCommit.toFixed(1)} · ${medianOf(t.messagesPerCommit)!.toFixed(1)}`,
    Math.round(t.events / (t.wallMillis / 1000)).toLocaleString('en-US'),
    `${Math.round(t.simulatedMicros / 1000 / t.wallMillis)}×`,
  ];
  if (t.failures > 0) cells[0] += ` (${t.failures} runs failed!)`;
  return `| ${cells.join(' | ')} |`;
}

function main(): void {
  const seeds = parseSeeds(process.argv.slice(2));
  // Warm-up: one run of each scenario, so the JIT has settled before anything is timed.
  const scratch: Totals = { availability: [], elections: [], unresolved: 0, messagesPerCommit: [], events: 0, simulatedMicros: 0, wallMillis: 0, failures: 0 };
  for (const pair of PAIRS) {
    runOne(pair.raft, seeds + 1, scratch);
    runOne(pair.paxos, seeds + 1, scratch);
  }
  const lines = [
    '| scenario | algorithm | availability | time to a new leader: median · max | messages per commit: mean · median | events/s | real time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const pair of PAIRS) {
    const raft: Totals = { availability: [], elections: [], unresolved: 0, messagesPerCommit: [], events: 0, simulatedMicros: 0, wallMillis: 0, failures: 0 };
    const paxos: Totals = { availability: [], elections: [], unresolved: 0, messagesPerCommit: [], events: 0, simulatedMicros: 0, wallMillis: 0, failures: 0 };
    // Alternate the two, seed by seed, so a machine that changes speed moves both alike.
    for (let seed = 1; seed <= seeds; seed++) {
      runOne(pair.raft, seed, raft);
      runOne(pair.paxos, seed, paxos);
    }
    lines.push(row(`${pair.label}: \`${pair.raft}\``, 'Raft', raft), row(`${pair.label}: \`${pair.paxos}\``, 'Multi-Paxos', paxos));
  }
  console.log(lines.join('\n'));
  console.log(`\nseeds 1–${seeds} of each scenario, 5 servers and 5 clients, 10 s of faults; node ${process.version}`);
}

main();
