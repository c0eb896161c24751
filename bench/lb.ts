// `npm run bench:lb`: how fast the load-balancing topology simulates at scale. Scenario lb-large (100
// backends of one 7 ms worker, 10,000 requests a second at 70% load, one or two backends crashing at a
// time, 60 s simulated), client-side (20 clients balancing for themselves) and through one central
// balancer, each in a child process of its own so its peak memory (maxRSS) is its own. Wall-clock figures
// belong here, never in tests. `npm run bench:lb -- central` runs one mode; `-- --engine-only` leaves out the
// checkers and metrics, to show what they cost.

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { findScenario } from '../scenarios/index.js';
import { executeRun, prepareRun } from '../sim/run.js';
import { plainTable } from '../reports/text.js';

const MODES = ['client-side', 'central'] as const;
/** `--engine-only`: without the load-balancing checkers and metrics. */
const ENGINE_ONLY = process.argv.includes('--engine-only');
/** The target (issue 14, item 10). */
const REAL_TIME_FACTOR_MIN = 20;

interface Row {
  mode: string;
  events: number;
  requests: number;
  simulatedMicros: number;
  wallMillis: number;
  cpuMillis: number;
  maxRssBytes: number;
  outcome: string;
  fingerprint: string;
}

/** One mode, in this process: prints its row as JSON. */
function child(mode: string): void {
  const full = prepareRun({ scenario: findScenario('lb-large')!, seed: 1, set: [`mode=${mode}`] });
  const prepared = ENGINE_ONLY ? { ...full, setup: { ...full.setup, checkers: [], observers: [] } } : full;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = executeRun(prepared);
  const wallMillis = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const row: Row = {
    mode, events: result.stats.events, requests: ENGINE_ONLY ? 0 : Math.round((result.metrics.samples?.requestsPerSecond?.[0] ?? 0) * (prepared.durationMicros / 1e6)),
    simulatedMicros: result.stats.simulatedMicros, wallMillis, cpuMillis: (user + system) / 1000,
    // resourceUsage().maxRSS is in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024, outcome: result.outcome, fingerprint: result.fingerprint,
  };
  console.log(JSON.stringify(row));
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!);
  const listed = args.filter((a) => !a.startsWith('--'));
  const modes = listed.length > 0 ? listed : [...MODES];
  const table = plainTable(['mode', 'requests', 'events', 'simulated', 'wall', 'cpu', 'events/s', 'real-time factor', 'peak RSS', 'outcome']);
  for (const mode of modes) {
    const ran = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode, ...(ENGINE_ONLY ? ['--engine-only'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (ran.status !== 0) throw new Error(`bench child for ${mode} exited with ${ran.status}`);
    const row = JSON.parse(ran.stdout.trim().split('\n').pop()!) as Row;
    const factor = row.simulatedMicros / 1000 / row.wallMillis;
    table.push([
      mode,
      row.requests.toLocaleString('en-US'),
      row.events.toLocaleString('en-US'),
      `${(row.simulatedMicros / 1e6).toFixed(1)} s`,
      `${(row.wallMillis / 1000).toFixed(2)} s`,
      `${(row.cpuMillis / 1000).toFixed(2)} s`,
      Math.round(row.events / (row.wallMillis / 1000)).toLocaleString('en-US'),
      `${factor.toFixed(1)}× ${factor >= REAL_TIME_FACTOR_MIN ? '(≥ 20×: met)' : '(< 20×: NOT met)'}`,
      `${Math.round(row.maxRssBytes / 2 ** 20)} MiB`,
      row.outcome,
    ]);
  }
  console.log(table.toString());
  console.log(`lb-large: 100 backends, 10,000 requests/s, 60 s simulated (then recovery until every check holds), crashes; seed 1; ${ENGINE_ONLY ? 'no checkers or metrics (--engine-only)' : 'checkers and metrics on'}; one child process per mode; node ${process.version}`);
}

main();
