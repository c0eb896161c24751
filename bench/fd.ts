// `npm run bench:fd`: how fast SWIM simulates at scale: the `swim-large` scenario itself (Lifeguard on,
// memberlist's LAN timing, three crashes, every membership checker and metric, message bytes counted) at
// 32, 128 and 512 members, each size in a child process of its own so that its peak memory (maxRSS) is
// its own. Seed 1 runs first in a fresh process (cold: the JIT compiles as it goes); seeds 2–4 then run
// in the same process, as a sweep worker runs seed after seed (warm). Wall-clock figures belong here,
// never in tests. `npm run bench:fd -- 512` runs one size; `--engine-only` leaves out the checkers and
// metrics (then the run ends with its fault phase); `--no-bytes` does not count message bytes.

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { findScenario } from '../scenarios/index.js';
import { executeRun, prepareRun, type PreparedRun } from '../sim/run.js';
import { plainTable } from '../reports/text.js';

const SIZES = [32, 128, 512];
/** `--engine-only`: without the membership checkers and metrics, to show what they cost. */
const ENGINE_ONLY = process.argv.includes('--engine-only');
/** `--no-bytes`: without counting message bytes (one JSON serialisation per message, which the scenario's bytes metric needs). */
const NO_BYTES = process.argv.includes('--no-bytes');
const WARM_SEEDS = [2, 3, 4];
/** The target at 512 members (issue 13, item 9). */
const REAL_TIME_FACTOR_MIN = 100;
const RSS_BYTES_MAX = 2 ** 30;

/** swim-large at `members`, seed `seed`, with the flags' changes. */
function prepare(members: number, seed: number): PreparedRun {
  const prepared = prepareRun({ scenario: findScenario('swim-large')!, seed, nodeCount: members });
  if (!ENGINE_ONLY && !NO_BYTES) return prepared;
  const setup = { ...prepared.setup };
  if (ENGINE_ONLY) Object.assign(setup, { checkers: [], observers: [] });
  if (NO_BYTES) Object.assign(setup, { measureBytes: false });
  return { ...prepared, setup };
}

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
  /** Seeds 2–4 in the same process after seed 1: their simulated time and wall time, summed. */
  warmSimulatedMicros: number;
  warmWallMillis: number;
}

/** One size, in this process: seed 1 cold, then the warm seeds; prints its row as JSON. */
function child(members: number): void {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = executeRun(prepare(members, 1));
  const wallMillis = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  // resourceUsage().maxRSS is in kilobytes; taken before the warm runs, so it is seed 1's.
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  let warmSimulatedMicros = 0;
  let warmWallMillis = 0;
  for (const seed of WARM_SEEDS) {
    const prepared = prepare(members, seed);
    const warmStarted = performance.now();
    const warm = executeRun(prepared);
    warmWallMillis += performance.now() - warmStarted;
    warmSimulatedMicros += warm.stats.simulatedMicros;
  }
  const row: Row = {
    members, events: result.stats.events, simulatedMicros: result.stats.simulatedMicros, wallMillis, cpuMillis: (user + system) / 1000,
    maxRssBytes, outcome: result.outcome, fingerprint: result.fingerprint, warmSimulatedMicros, warmWallMillis,
  };
  console.log(JSON.stringify(row));
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(Number(args[1]));
  const listed = args.filter((a) => !a.startsWith('--'));
  const sizes = listed.length > 0 ? listed.flatMap((a) => a.split(',')).map(Number) : SIZES;
  const table = plainTable(['members', 'events', 'simulated', 'wall', 'cpu', 'events/s', 'real-time factor', 'warm factor', 'peak RSS', 'outcome']);
  const rows: Row[] = [];
  const flags = [...(ENGINE_ONLY ? ['--engine-only'] : []), ...(NO_BYTES ? ['--no-bytes'] : [])];
  for (const members of sizes) {
    const ran = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(members), ...flags], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
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
      `${Math.round(row.warmSimulatedMicros / 1000 / row.warmWallMillis)}×`,
      `${Math.round(row.maxRssBytes / 2 ** 20)} MiB`,
      row.outcome,
    ]);
  }
  console.log(table.toString());
  console.log(`swim-large (SWIM, Lifeguard on, memberlist LAN timing: 1 s period; three crashes; then recovery until every check holds); real-time factor: seed 1 in a fresh process; warm: seeds ${WARM_SEEDS.join(', ')} after it in the same process; ${ENGINE_ONLY ? 'no checkers or metrics (--engine-only)' : 'membership checkers and metrics on'}; ${NO_BYTES ? 'message bytes not counted (--no-bytes)' : 'message bytes counted'}; one child process per size; node ${process.version}`);
  const large = rows.find((r) => r.members === 512);
  if (large) {
    const cold = large.simulatedMicros / 1000 / large.wallMillis;
    const warm = large.warmSimulatedMicros / 1000 / large.warmWallMillis;
    const ok = Math.min(cold, warm) >= REAL_TIME_FACTOR_MIN && large.maxRssBytes < RSS_BYTES_MAX;
    console.log(`512 members: ${Math.round(cold)}× real time cold, ${Math.round(warm)}× warm, peak RSS ${Math.round(large.maxRssBytes / 2 ** 20)} MiB (target ≥ ${REAL_TIME_FACTOR_MIN}× both and < 1 GiB): ${ok ? 'met' : 'NOT met'}`);
  }
}

main();
