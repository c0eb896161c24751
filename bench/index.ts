// `npm run bench`: events per second of (a) a bare binary-heap event loop, (b) the engine running a
// ping-pong between nodes, measured in the same process, and (c) whole broadcast-chaos runs (5 nodes).
// Wall-clock figures belong here, never in tests. Each figure is the median of several timed rounds.

import { performance } from 'node:perf_hooks';
import { findScenario } from '../scenarios/index.js';
import { generateHistory, makeOneReadStale } from '../sim/check/generate-history.js';
import { checkLinearizability } from '../sim/check/linearizability.js';
import { EventQueue } from '../sim/event-queue.js';
import type { NetworkConfig } from '../sim/network.js';
import type { NodeSpec, Process } from '../sim/process.js';
import { Rng } from '../sim/rng.js';
import { executeRun, prepareRun } from '../sim/run.js';
import { Simulator } from '../sim/simulator.js';
import { plainTable } from '../reports/text.js';

const ROUNDS = 7;
const EVENTS_PER_ROUND = 1_000_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function rate(round: () => number): number {
  const started = performance.now();
  const events = round();
  return events / ((performance.now() - started) / 1000);
}

function measure(label: string, round: () => number): { label: string; eventsPerSecond: number } {
  round(); // warm-up: let the JIT settle
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(rate(round));
  return { label, eventsPerSecond: median(rates) };
}

/**
 * Times the two loops in alternating rounds and takes the median of the per-round ratios, so that
 * a machine that speeds up or slows down during the run moves both sides alike.
 */
function compare(labelBare: string, bare: () => number, labelEngine: string, engine: () => number) {
  bare();
  engine();
  const bareRates: number[] = [];
  const engineRates: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const b = rate(bare);
    const e = rate(engine);
    bareRates.push(b);
    engineRates.push(e);
    ratios.push(e / b);
  }
  return {
    bare: { label: labelBare, eventsPerSecond: median(bareRates) },
    engine: { label: labelEngine, eventsPerSecond: median(engineRates) },
    ratio: median(ratios),
  };
}

/**
 * (a) The floor: pop the earliest event, push its successor a random latency later. `inFlight`
 * events stay queued, as in the engine ping-pong with the same number of balls per pair.
 */
function bareHeapLoop(ballsPerPair: number): number {
  interface Ev { at: number; seq: number; node: number }
  const queue = new EventQueue<Ev>();
  const rng = Rng.fromSeed(1);
  const pairs = 8;
  for (let n = 0; n < pairs * ballsPerPair; n++) queue.push({ at: n, seq: 0, node: n % (pairs * 2) });
  let processed = 0;
  while (processed < EVENTS_PER_ROUND) {
    const event = queue.pop()!;
    processed++;
    queue.push({ at: event.at + 1_000 + rng.int(0, 500), seq: 0, node: event.node ^ 1 });
  }
  return processed;
}

interface Ball { readonly type: 'ping' | 'pong'; readonly n: number }

/** (b) The engine: pairs of nodes bat messages back and forth over a jittery network. */
function enginePingPong(ballsPerPair: number): number {
  const pairs = 8;
  const nodes: NodeSpec<Ball>[] = [];
  for (let p = 0; p < pairs; p++) {
    const a = `a${p}`;
    const b = `b${p}`;
    const player = (partner: string, serves: boolean): Process<Ball> => ({
      onStart: (ctx) => { if (serves) for (let i = 0; i < ballsPerPair; i++) ctx.send(partner, { type: 'ping', n: 0 }); },
      onMessage: (ctx, from, msg) => ctx.send(from, { type: msg.type === 'ping' ? 'pong' : 'ping', n: msg.n + 1 }),
      onTimer: () => {},
    });
    nodes.push({ id: a, role: 'server', create: () => player(b, true) }, { id: b, role: 'server', create: () => player(a, false) });
  }
  const network: NetworkConfig = { latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 500 }, lossRatio: 0, duplicateRatio: 0, linkCapacity: 100_000 };
  const sim = new Simulator({ seed: 1, nodes: nodes as NodeSpec[], network });
  sim.start();
  // Each delivery is one event; run until the target count is reached.
  const microsPerEvent = 1_250 / (pairs * ballsPerPair);
  sim.runUntil(Math.ceil(EVENTS_PER_ROUND * microsPerEvent));
  return sim.stats.events;
}

/** (c) A whole scenario, 5 nodes, default duration, several seeds per round. */
function wholeRuns(name: string, seeds: number): () => number {
  const scenario = findScenario(name)!;
  return () => {
    let events = 0;
    for (let seed = 1; seed <= seeds; seed++) events += executeRun(prepareRun({ scenario, seed, nodeCount: 5 })).stats.events;
    return events;
  };
}

/** Simulated seconds per wall second for one run of a scenario (seed 1), after the JIT has warmed up. */
function realTimeFactor(name: string): string {
  const scenario = findScenario(name)!;
  const started = performance.now();
  const result = executeRun(prepareRun({ scenario, seed: 1 }));
  const millis = performance.now() - started;
  return `${name} seed 1: ${result.stats.events} events, ${(result.stats.simulatedMicros / 1e6).toFixed(2)}s simulated in ${millis.toFixed(1)} ms wall (${Math.round(result.stats.simulatedMicros / 1000 / millis)}× real time)`;
}

/** (d) The linearizability checker on generated histories: wall time per history, median and max. */
function linearizability(): string[] {
  const timed = (label: string, histories: ReturnType<typeof generateHistory>[], model: 'kv' | 'register') => {
    const millis: number[] = [];
    const verdicts = new Map<string, number>();
    for (const history of histories) {
      const started = performance.now();
      const result = checkLinearizability(history, { model });
      millis.push(performance.now() - started);
      verdicts.set(result.verdict, (verdicts.get(result.verdict) ?? 0) + 1);
    }
    const summary = [...verdicts].map(([v, n]) => `${n} ${v}`).join(', ');
    return `${label}: median ${median(millis).toFixed(1)} ms, max ${Math.max(...millis).toFixed(1)} ms (${summary})`;
  };
  const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
  const kv = seeds.map((seed) => generateHistory({ model: 'kv', clients: 50, operations: 2_000, keys: 10, openRatio: 0.05 }, Rng.fromSeed(seed)));
  const register = (clients: number) => seeds.map((seed) => generateHistory(
    { model: 'register', clients, operations: 80, durationMicrosMax: 100_000, gapMicrosMax: 1_000, openRatio: 0.1, mix: { get: 3, put: 5, append: 0, cas: 2 } },
    Rng.fromSeed(seed),
  ));
  const stale = (clients: number) => register(clients).map((h, i) => makeOneReadStale(h, Rng.fromSeed(i)) ?? h);
  return [
    timed('kv, 50 clients, 2,000 ops, 10 keys', kv, 'kv'),
    timed('register, 80 ops, 5 clients, heavy overlap', register(5), 'register'),
    timed('register, 80 ops, 10 clients, heavy overlap', register(10), 'register'),
    timed('register, 80 ops, 5 clients, one stale read', stale(5), 'register'),
    timed('register, 80 ops, 10 clients, one stale read', stale(10), 'register'),
  ];
}

function main(): void {
  // Shallow: 8 events queued (one ball per pair). Deep: 1,024 queued, like a busy cluster.
  const shallow = compare('(a) bare binary-heap event loop, 8 queued', () => bareHeapLoop(1), '(b) engine ping-pong, 16 nodes, 8 messages in flight', () => enginePingPong(1));
  const deep = compare('(a) bare binary-heap event loop, 1,024 queued', () => bareHeapLoop(128), '(b) engine ping-pong, 16 nodes, 1,024 in flight', () => enginePingPong(128));
  const chaos = measure('(c) broadcast-chaos, 5 nodes, 20 seeds per round', wholeRuns('broadcast-chaos', 20));
  const raft = measure('(c) raft-chaos, 5 servers + 5 clients, 3 seeds per round', wholeRuns('raft-chaos', 3));

  const table = plainTable(['benchmark', 'events/s']);
  for (const row of [shallow.bare, shallow.engine, deep.bare, deep.engine, chaos, raft]) table.push([row.label, Math.round(row.eventsPerSecond).toLocaleString('en-US')]);
  console.log(table.toString());
  console.log(`engine / bare ratio (median of per-round ratios): ${shallow.ratio.toFixed(2)} with 8 queued, ${deep.ratio.toFixed(2)} with 1,024 queued (floor 0.33, aim 0.5)`);
  console.log(realTimeFactor('broadcast-chaos'));
  console.log(realTimeFactor('raft-chaos'));
  console.log('linearizability checker (10 generated histories each):');
  for (const line of linearizability()) console.log(`  ${line}`);
  console.log(`heap in use: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`);
  console.log(`median of ${ROUNDS} rounds after one warm-up round, (a) and (b) alternating; node ${process.version}`);
}

main();
