// `npm run bench:shardkv`: how fast the sharded store simulates at the size issue 15 names — 32 storage
// nodes, 100,000 keys, 10 membership changes — through the `hash-join-leave` scenario itself (every
// checker and metric on, 2% loss): a spare joins or a member leaves every GAP, for 10 gaps. One child
// process per run, so its peak memory (maxRSS) is its own. Wall-clock figures belong here, never in tests.
// `npm run bench:shardkv -- ring,maglev 8,16` picks placements and gaps in seconds (default ring, 8 and 16).

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { findScenario } from '../scenarios/index.js';
import { executeRun, prepareRun } from '../sim/run.js';
import { plainTable } from '../reports/text.js';

const NODES = 32;
const KEYS = 100_000;
const CHANGES = 10;
/** The target (issue 15, item 9). */
const REAL_TIME_FACTOR_MIN = 50;

interface Row {
  placement: string;
  gapSeconds: number;
  events: number;
  simulatedMicros: number;
  wallMillis: number;
  maxRssBytes: number;
  outcome: string;
  changes: number;
  failed: string[];
}

function child(placement: string, gapSeconds: number): void {
  const gap = gapSeconds * 1_000_000;
  const prepared = prepareRun({
    scenario: findScenario('hash-join-leave')!, seed: 1, nodeCount: NODES,
    // The script's first change comes half a gap in; ten gaps then hold ten changes.
    durationMicros: CHANGES * gap,
    set: [`keys=${KEYS}`, 'spares=5', 'clients=8', `placement=${placement}`, `changeGapMicrosMin=${gap}`, `changeGapMicrosMax=${gap}`],
  });
  const started = performance.now();
  const result = executeRun(prepared);
  const wallMillis = performance.now() - started;
  const row: Row = {
    placement, gapSeconds, events: result.stats.events, simulatedMicros: result.stats.simulatedMicros, wallMillis,
    maxRssBytes: process.resourceUsage().maxRSS * 1024, outcome: result.outcome,
    changes: result.metrics.samples?.changesSettled?.[0] ?? 0, failed: result.checks.filter((c) => !c.ok).map((c) => c.name),
  };
  console.log(JSON.stringify(row));
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, Number(args[2]));
  const placements = (args[0] ?? 'ring').split(',');
  const gaps = (args[1] ?? '8,16').split(',').map(Number);
  const table = plainTable(['placement', 'gap', 'events', 'simulated', 'wall', 'events/s', 'real-time factor', 'peak RSS', 'changes settled', 'outcome']);
  for (const placement of placements) {
    for (const gap of gaps) {
      const ran = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', placement, String(gap)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (ran.status !== 0) throw new Error(`bench child for ${placement} at ${gap} s exited with ${ran.status}`);
      const row = JSON.parse(ran.stdout.trim().split('\n').pop()!) as Row;
      const factor = row.simulatedMicros / 1000 / row.wallMillis;
      table.push([
        placement, `${gap} s`, row.events.toLocaleString('en-US'), `${(row.simulatedMicros / 1e6).toFixed(1)} s`, `${(row.wallMillis / 1000).toFixed(2)} s`,
        Math.round(row.events / (row.wallMillis / 1000)).toLocaleString('en-US'), `${Math.round(factor)}×${factor >= REAL_TIME_FACTOR_MIN ? '' : ' (below 50×)'}`,
        `${Math.round(row.maxRssBytes / 2 ** 20)} MiB`, String(row.changes), row.outcome + (row.failed.length ? ` (${row.failed.join(', ')})` : ''),
      ]);
    }
  }
  console.log(table.toString());
  console.log(`hash-join-leave, ${NODES} storage nodes + 5 spares, ${KEYS.toLocaleString('en-US')} keys, R = 3, W = 2, 8 clients, 2% loss, ${CHANGES} membership changes one gap apart, seed 1, every checker and metric on (the recovery phase and the final checks included in the wall time); one child process per run; node ${process.version}`);
}

main();
