// `npm run bench:fd`: how fast SWIM simulates at scale. SWIM with Lifeguard on and memberlist's LAN timing
// (1 s protocol period), 32, 128 and 512 members, 60 s simulated with 1% loss and two crashes, each size
// in a child process of its own so that its peak memory (maxRSS) is its own. Wall-clock figures belong
// here, never in tests. Builds its setup from the algorithm and the engine directly, not from scenarios/.
// `npm run bench:fd -- 512` runs one size; `--engine-only` leaves out the membership checkers and metrics;
// `--bytes` counts message bytes as a scenario that reports bytes per member per second does.

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fdBugs } from '../algorithms/failure-detection/bugs.js';
import { membershipCheckers, MembershipViews } from '../algorithms/failure-detection/membership-checks.js';
import { membershipMetrics } from '../algorithms/failure-detection/membership-metrics.js';
import { SWIM_LAN_CONFIG, SwimMember } from '../algorithms/failure-detection/swim.js';
import type { Checker } from '../sim/check.js';
import { executeRun, prepareRun } from '../sim/run.js';
import { defineParams, defineScenarioFamily } from '../sim/scenario.js';
import { plainTable } from '../reports/text.js';

const SIZES = [32, 128, 512];
/** `--engine-only`: without the membership checkers and metrics, to show what they cost. */
const ENGINE_ONLY = process.argv.includes('--engine-only');
/** `--bytes`: count message bytes (`measureBytes`, one JSON serialisation per message), as the bytes metric needs. */
const MEASURE_BYTES = process.argv.includes('--bytes');
const DURATION_MICROS = 60_000_000;
const LOSS_RATIO = 0.01;
/** The target at 512 members (issue 13, item 9). */
const REAL_TIME_FACTOR_MIN = 100;
const RSS_BYTES_MAX = 2 ** 30;

/** SWIM members n1…nN, Lifeguard on, LAN timing, 1% loss; n2 crashes at 10 s and the middle member at 30 s, both stay down. */
const swimBench = defineScenarioFamily({
  algorithm: 'swim-bench',
  params: defineParams({}),
  bugs: fdBugs,
  defaultNodes: 32,
  minNodes: 4,
  maxNodes: 1024,
  defaultDurationMicros: DURATION_MICROS,
  build({ nodeCount, bugs }) {
    const ids = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
    const config = { ...SWIM_LAN_CONFIG, lifeguard: true, bugs };
    const views = new MembershipViews();
    return {
      nodes: ids.map((id) => ({ id, role: 'member', create: () => new SwimMember(config) })),
      network: { latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 4_000 }, lossRatio: LOSS_RATIO, duplicateRatio: 0, linkCapacity: 10_000 },
      checkers: ENGINE_ONLY ? [] : membershipCheckers({ boundMicros: 120_000_000, deadIsFinal: true, views }) as Checker[],
      observers: ENGINE_ONLY ? [] : [membershipMetrics({ views })],
      nemesisTargets: { roles: ['member'] },
      recoveryMicrosMax: 30_000_000,
      measureBytes: MEASURE_BYTES,
      script: () => [
        { at: 10_000_000, kind: 'crash', node: 'n2' },
        { at: 30_000_000, kind: 'crash', node: ids[Math.floor(nodeCount / 2)]! },
      ],
    };
  },
})({ name: 'swim-bench', description: 'SWIM speed bench', nemesis: 'scenario' });

interface Row {
  members: number;
  events: number;
  simulatedMicros: number;
  wallMillis: number;
  /** Processor time (user + system, all threads: the garbage collector's helpers too). */
  cpuMillis: number;
  maxRssBytes: number;
  outcome: string;
  /** The run's fingerprint: a speed-up must leave it as it was. */
  fingerprint: string;
}

/** One size, in this process: prints its row as JSON. */
function child(members: number): void {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = executeRun(prepareRun({ scenario: swimBench, seed: 1, nodeCount: members }));
  const wallMillis = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  // resourceUsage().maxRSS is in kilobytes.
  const row: Row = {
    members, events: result.stats.events, simulatedMicros: result.stats.simulatedMicros, wallMillis, cpuMillis: (user + system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024, outcome: result.outcome, fingerprint: result.fingerprint,
  };
  console.log(JSON.stringify(row));
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(Number(args[1]));
  const listed = args.filter((a) => !a.startsWith('--'));
  const sizes = listed.length > 0 ? listed.flatMap((a) => a.split(',')).map(Number) : SIZES;
  const table = plainTable(['members', 'events', 'simulated', 'wall', 'cpu', 'events/s', 'real-time factor', 'peak RSS', 'outcome']);
  const rows: Row[] = [];
  for (const members of sizes) {
    const ran = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(members), ...(ENGINE_ONLY ? ['--engine-only'] : []), ...(MEASURE_BYTES ? ['--bytes'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (ran.status !== 0) throw new Error(`bench child for ${members} members exited with ${ran.status}`);
    const row = JSON.parse(ran.stdout.trim().split('\n').pop()!) as Row;
    rows.push(row);
    table.push([
      String(members),
      row.events.toLocaleString('en-US'),
      `${(row.simulatedMicros / 1e6).toFixed(1)} s`,
      `${(row.wallMillis / 1000).toFixed(2)} s`,
      `${(row.cpuMillis / 1000).toFixed(2)} s`,
      Math.round(row.events / (row.wallMillis / 1000)).toLocaleString('en-US'),
      `${Math.round(row.simulatedMicros / 1000 / row.wallMillis)}×`,
      `${Math.round(row.maxRssBytes / 2 ** 20)} MiB`,
      row.outcome,
    ]);
  }
  console.log(table.toString());
  console.log(`SWIM, Lifeguard on, memberlist LAN timing (1 s period), ${DURATION_MICROS / 1e6} s simulated (then recovery until every check holds), ${LOSS_RATIO * 100}% loss, two crashes; seed 1; ${ENGINE_ONLY ? 'no checkers or metrics (--engine-only)' : 'membership checkers and metrics on'}${MEASURE_BYTES ? ', message bytes counted (--bytes)' : ''}; one child process per size; node ${process.version}`);
  const large = rows.find((r) => r.members === 512);
  if (large) {
    const factor = large.simulatedMicros / 1000 / large.wallMillis;
    const ok = factor >= REAL_TIME_FACTOR_MIN && large.maxRssBytes < RSS_BYTES_MAX;
    console.log(`512 members: ${Math.round(factor)}× real time, peak RSS ${Math.round(large.maxRssBytes / 2 ** 20)} MiB (target ≥ ${REAL_TIME_FACTOR_MIN}× and < 1 GiB): ${ok ? 'met' : 'NOT met'}`);
  }
}

main();
