// The sharded store's speed run (issue 15, item 9), for the lead's benchmark to take over: 32 storage
// nodes, 100,000 preloaded keys, 10 membership changes (5 joins of spares, 5 leaves) spaced GAP apart,
// 8 clients, no other faults. Prints simulated time, wall time, the ratio, messages and heap.
//   npx tsx test/algorithms/shardkv-speed.ts [placement] [gap seconds] [keys]
// Not a vitest test: timing belongs to benchmarks, never to assertions.

import type { FaultEntry } from '../../sim/faults.js';
import type { ScriptContext } from '../../sim/scenario.js';
import { failedChecks, runShard, shardScenario } from './shardkv-harness.js';

const [placement = 'ring', gapSeconds = '16', keys = '100000'] = process.argv.slice(2);
const gapMicros = Number(gapSeconds) * 1_000_000;
const script = (context: ScriptContext): FaultEntry[] => {
  const storage = context.members('storage');
  return Array.from({ length: 10 }, (_, i): FaultEntry => {
    const at = 1_000_000 + i * gapMicros;
    return i % 2 === 0 ? { at, kind: 'join', node: storage[32 + i / 2]! } : { at, kind: 'leave', node: storage[i]! };
  });
};
const scenario = shardScenario({ name: 'shard-speed', description: 'speed run', nemesis: 'scenario', script });
const started = performance.now();
const result = runShard(scenario, 1, {
  nodes: 32, durationMicros: 1_000_000 + 10 * gapMicros,
  set: ['spares=5', `keys=${keys}`, 'clients=8', 'batchKeysMax=512', 'recoveryMicrosMax=30000000', `placement=${placement}`],
});
const wallMs = performance.now() - started;
const simulatedSeconds = result.stats.simulatedMicros / 1e6;
console.log(JSON.stringify({
  placement, keys: Number(keys), outcome: result.outcome, failed: failedChecks(result), simulatedSeconds, wallSeconds: +(wallMs / 1000).toFixed(2),
  timesRealTime: +((simulatedSeconds * 1000) / wallMs).toFixed(1), messages: result.stats.messagesSent, history: result.history,
  heapMB: Math.round(process.memoryUsage().heapUsed / 1e6), changesSettled: result.metrics.samples?.changesSettled?.[0],
  keyCopiesSentPerChange: result.metrics.samples?.keyCopiesSentPerChange, keysMovedOverMinimum: result.metrics.samples?.keysMovedOverMinimum,
}));
