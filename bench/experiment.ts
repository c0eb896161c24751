// `npm run bench:experiment [-- SEEDS [ROUNDS [WORKERS]]]`: the same runs as a sweep and as an experiment,
// in one process: raft-chaos (5 nodes, default duration) over seeds 1..SEEDS (default 300), as
// `faultline sweep raft-chaos --nodes 5` and as `faultline experiment raft-chaos --vary nodes=5` (one grid
// point), with WORKERS worker threads (default 2), ROUNDS times (default 3) in alternating order. Prints
// events/s of each and the experiment ÷ sweep ratio per round and its median (issue 12: within 10%).
// Both must simulate the same number of events (the same runs). A 20-seed warm-up of each is not timed.

import { plainTable } from '../reports/text.js';
import { prepareSweep, runSweep } from '../lab/sweep.js';
import { prepareExperiment, runExperiment } from '../lab/experiment.js';

const SCENARIO = 'raft-chaos';
const args = process.argv.slice(2);
const numberArg = (index: number, fallback: number, what: string): number => {
  const text = args[index];
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    process.stderr.write(`bench:experiment: expected a number of ${what}; got ${text}\n`);
    process.exit(2);
  }
  return Number(text);
};
const SEEDS = numberArg(0, 300, 'seeds');
const ROUNDS = numberArg(1, 3, 'rounds');
const WORKERS = numberArg(2, 2, 'workers');

interface Measured { readonly events: number; readonly wallMillis: number; readonly eventsPerSecond: number }

async function sweep(seeds: number): Promise<Measured> {
  const prepared = prepareSweep({ config: { scenario: SCENARIO, nodeCount: 5, set: [] }, seeds: { from: 1, to: seeds }, workers: WORKERS });
  const { summary } = await runSweep(prepared);
  return { events: summary.events, wallMillis: summary.wallMillis, eventsPerSecond: summary.events / (summary.wallMillis / 1_000) };
}

async function experiment(seeds: number): Promise<Measured> {
  const prepared = prepareExperiment(
    { name: 'bench', title: 'bench', scenario: SCENARIO, seeds: `1..${seeds}`, metrics: ['leaderElectionMicros', 'messagesPerCommit'], vary: ['nodes=5'] },
    {}, { workers: WORKERS },
  );
  const ran = await runExperiment(prepared);
  return { events: ran.events, wallMillis: ran.wallMillis, eventsPerSecond: ran.events / (ran.wallMillis / 1_000) };
}

process.stderr.write(`bench:experiment: warm-up (20 seeds each, not timed)…\n`);
await sweep(20);
await experiment(20);

const table = plainTable(['round', 'sweep events/s', 'experiment events/s', 'experiment ÷ sweep', 'sweep wall', 'experiment wall']);
const ratios: number[] = [];
let mismatch = false;
for (let round = 1; round <= ROUNDS; round++) {
  const order = round % 2 === 1 ? ['sweep', 'experiment'] : ['experiment', 'sweep'];
  const measured: Record<string, Measured> = {};
  for (const kind of order) {
    process.stderr.write(`bench:experiment: round ${round}/${ROUNDS}: ${kind} of ${SEEDS} seeds of ${SCENARIO}, ${WORKERS} workers…\n`);
    measured[kind] = kind === 'sweep' ? await sweep(SEEDS) : await experiment(SEEDS);
  }
  const s = measured.sweep!;
  const e = measured.experiment!;
  if (s.events !== e.events) mismatch = true;
  const ratio = e.eventsPerSecond / s.eventsPerSecond;
  ratios.push(ratio);
  table.push([round, Math.round(s.eventsPerSecond).toLocaleString('en-US'), Math.round(e.eventsPerSecond).toLocaleString('en-US'), ratio.toFixed(3),
    `${(s.wallMillis / 1_000).toFixed(2)} s`, `${(e.wallMillis / 1_000).toFixed(2)} s`]);
}
const sorted = [...ratios].sort((a, b) => a - b);
const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
process.stdout.write(`${SEEDS} seeds of ${SCENARIO} (5 nodes) as a sweep and as a one-point experiment, ${WORKERS} workers, ${ROUNDS} rounds\n`);
process.stdout.write(table.toString() + '\n');
process.stdout.write(`experiment ÷ sweep events/s: median ${median.toFixed(3)} (target ≥ 0.9)\n`);
if (mismatch) {
  process.stdout.write('ERROR: the sweep and the experiment simulated different numbers of events\n');
  process.exitCode = 1;
} else if (median < 0.9) process.exitCode = 1;
