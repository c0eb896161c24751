// `npm run bench:sweep [-- SEEDS [ORDER]]`: a sweep of raft-chaos (5 nodes, default duration) over seeds 1..SEEDS
// (default 1,000) with one worker thread and with two: wall time, runs/s, events/s, CPU time of the
// whole process (all threads), and the speedup. Issue 4's targets: 1,000 seeds under 60 s on a 2-core
// machine, two workers at least 1.7× one worker's throughput. Both sweeps must give the same fingerprints.
// Other processes on the machine slow a sweep down, so beside the wall clock it prints the load average
// and the CPU time of the whole process (main thread and workers): CPU per run does not depend on what
// else runs, and from it follows what the sweep would take on an otherwise idle machine.

import Table from 'cli-table3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { prepareSweep, runSweep } from '../lab/sweep.js';

const SCENARIO = 'raft-chaos';
const seedsArg = process.argv[2] ?? '1000';
if (!/^\d+$/.test(seedsArg) || Number(seedsArg) < 1) {
  process.stderr.write(`bench:sweep: expected a number of seeds; got ${seedsArg}\n`);
  process.exit(2);
}
const SEEDS = Number(seedsArg);
/** `-- 1000 2,1` runs two workers first (the order matters when other processes come and go). */
const WORKER_COUNTS = (process.argv[3] ?? '1,2').split(',').map(Number);
if (WORKER_COUNTS.length !== 2 || !WORKER_COUNTS.includes(1) || !WORKER_COUNTS.includes(2)) {
  process.stderr.write(`bench:sweep: the order is 1,2 or 2,1; got ${process.argv[3]}\n`);
  process.exit(2);
}

/** Busy CPU time of the whole machine so far (Linux /proc/stat, in USER_HZ = 1/100 s), in seconds; undefined elsewhere. */
function machineBusySeconds(): number | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  // cpu  user nice system idle iowait irq softirq steal …
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (ticks[i] ?? 0), 0);
  return busy / 100;
}

interface Measured {
  workers: number;
  wallSeconds: number;
  runsPerSecond: number;
  eventsPerSecond: number;
  cpuSeconds: number;
  /** CPU time other processes used while this sweep ran (undefined off Linux). */
  othersSeconds: number | undefined;
  load: number;
  digest: string;
  failures: number;
}

async function measure(workers: number): Promise<Measured> {
  const sweep = prepareSweep({ config: { scenario: SCENARIO, nodeCount: 5, set: [] }, seeds: { from: 1, to: SEEDS }, workers });
  const digest = createHash('sha256');
  const load = loadavg()[0]!;
  const busyBefore = machineBusySeconds();
  const cpuBefore = process.cpuUsage();
  const { summary } = await runSweep(sweep, { onRun: (run) => digest.update(`${run.seed}:${run.fingerprint}\n`) });
  const cpu = process.cpuUsage(cpuBefore);
  const busyAfter = machineBusySeconds();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const wallSeconds = summary.wallMillis / 1_000;
  return {
    workers,
    wallSeconds,
    runsPerSecond: summary.runs / wallSeconds,
    eventsPerSecond: summary.eventsPerSecond,
    cpuSeconds,
    othersSeconds: busyBefore === undefined || busyAfter === undefined ? undefined : Math.max(0, busyAfter - busyBefore - cpuSeconds),
    load,
    digest: digest.digest('hex').slice(0, 16),
    failures: summary.safetyFailures + summary.livenessFailures,
  };
}

const results: Measured[] = [];
for (const workers of WORKER_COUNTS) {
  process.stderr.write(`bench:sweep: ${SEEDS} seeds of ${SCENARIO} with ${workers} worker${workers > 1 ? 's' : ''}…\n`);
  results.push(await measure(workers));
}

const cores = availableParallelism();
/** Wall time if the sweep had the machine to itself: its CPU time spread over min(workers, cores). */
const idleSeconds = (r: Measured) => r.cpuSeconds / Math.min(r.workers, cores);
const table = new Table({
  head: ['workers', 'wall', 'runs/s', 'events/s', 'CPU (all threads)', 'CPU ms/run', 'idle-machine wall', 'other processes\' CPU', 'load avg at start', 'failures', 'fingerprints digest'],
  style: { head: [], border: [] },
});
for (const r of results) {
  table.push([r.workers, `${r.wallSeconds.toFixed(1)} s`, r.runsPerSecond.toFixed(1), Math.round(r.eventsPerSecond).toLocaleString('en-US'),
    `${r.cpuSeconds.toFixed(1)} s`, (r.cpuSeconds * 1_000 / SEEDS).toFixed(1), `${idleSeconds(r).toFixed(1)} s`,
    r.othersSeconds === undefined ? '?' : `${r.othersSeconds.toFixed(1)} s`, r.load.toFixed(2), r.failures, r.digest]);
}
const one = results.find((r) => r.workers === 1)!;
const two = results.find((r) => r.workers === 2)!;
const speedup = two.runsPerSecond / one.runsPerSecond;
const idleSpeedup = idleSeconds(one) / idleSeconds(two);
process.stdout.write(`sweep of ${SEEDS.toLocaleString('en-US')} seeds of ${SCENARIO} (5 nodes, default duration), ${cores} cores\n`);
process.stdout.write(table.toString() + '\n');
process.stdout.write(`speedup with 2 workers: ${speedup.toFixed(2)}× (target ≥ 1.7×); fastest ${SEEDS} seeds: ${Math.min(one.wallSeconds, two.wallSeconds).toFixed(1)} s (target < 60 s for 1,000)\n`);
process.stdout.write(`on an idle machine (from CPU time): speedup ${idleSpeedup.toFixed(2)}×, ${idleSeconds(two).toFixed(1)} s with 2 workers\n`);
if (one.digest !== two.digest) {
  process.stdout.write('ERROR: the two sweeps gave different fingerprints\n');
  process.exitCode = 1;
}

