// Shared test helpers: scripted processes built from closures, a runner for a bare simulator with
// a trace recorder, and fast-check arbitraries for fault schedules over a small cluster.

import fc from 'fast-check';
import type { FaultEntry } from '../sim/faults.js';
import type { NetworkConfig } from '../sim/network.js';
import type { Context, Fact, NodeId, NodeSpec, Observation, Process } from '../sim/process.js';
import { SimDisk } from '../sim/disk.js';
import type { ClientHistory } from '../sim/history.js';
import { Rng } from '../sim/rng.js';
import { findScenario } from '../scenarios/index.js';
import { executeRun, prepareRun } from '../sim/run.js';
import { Simulator } from '../sim/simulator.js';
import type { TraceEvent } from '../sim/trace.js';

export type Handlers = {
  onStart?: (ctx: Context<unknown>) => void;
  onMessage?: (ctx: Context<unknown>, from: NodeId, msg: unknown) => void;
  onTimer?: (ctx: Context<unknown>, name: string) => void;
};

export function scripted(handlers: Handlers): Process<unknown> {
  return {
    onStart: (ctx) => handlers.onStart?.(ctx),
    onMessage: (ctx, from, msg) => handlers.onMessage?.(ctx, from, msg),
    onTimer: (ctx, name) => handlers.onTimer?.(ctx, name),
  };
}

/**
 * A context for driving one node by hand: it records what the node sends, observes and sets as timers
 * (local clock 0, random stream seeded 1, a fresh disk unless given). A node that calls ctx.leave() throws.
 */
export function recordingContext<M, F extends Fact = Observation>(self: string, options: { readonly peers?: readonly string[]; readonly disk?: SimDisk } = {}) {
  const disk = options.disk ?? new SimDisk();
  const sent: { to: string; msg: M }[] = [];
  const facts: F[] = [];
  const timers = new Map<string, number>();
  const ctx: Context<M, F> = {
    self, peers: options.peers ?? [], disk, rng: Rng.fromSeed(1), history: {} as ClientHistory,
    now: () => 0,
    send: (to, msg) => void sent.push({ to, msg }),
    setTimer: (name, after) => void timers.set(name, after),
    cancelTimer: (name) => void timers.delete(name),
    observe: (fact) => void facts.push(fact),
    failFastRatio: () => 0,
    leave: () => { throw new Error(`${self} does not leave in this test`); },
  };
  return { ctx, sent, facts, timers, disk };
}

export function servers(ids: readonly NodeId[], make: (id: NodeId) => Handlers): NodeSpec[] {
  return ids.map((id) => ({ id, role: 'server' as const, create: () => scripted(make(id)) }));
}

export const QUIET_NETWORK: NetworkConfig = {
  latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 0 },
  lossRatio: 0,
  duplicateRatio: 0,
  linkCapacity: 10_000,
};

export const JITTERY_NETWORK: NetworkConfig = {
  latency: { kind: 'uniform', baseMicros: 500, jitterMicros: 5_000 },
  lossRatio: 0.1,
  duplicateRatio: 0.1,
  linkCapacity: 10_000,
};

/** Chatter: every node pings a random peer on a timer and echoes every ping back as a pong. */
export function chatter(id: NodeId): Handlers {
  let count = 0;
  return {
    onStart: (ctx) => ctx.setTimer('tick', ctx.rng.int(1, 10_000)),
    onTimer: (ctx) => {
      ctx.send(ctx.rng.pick(ctx.peers), { kind: 'ping', from: id, n: count++, pad: ctx.rng.int(0, 1e6) });
      ctx.setTimer('tick', ctx.rng.int(1_000, 20_000));
    },
    onMessage: (ctx, from, msg) => {
      const m = msg as { kind: string; n: number };
      if (m.kind === 'ping') ctx.send(from, { kind: 'pong', n: m.n });
      ctx.observe({ type: 'got', kind: m.kind });
    },
  };
}

export interface TracedRun {
  sim: Simulator;
  trace: TraceEvent[];
  fingerprint: string;
}

/** Runs a bare simulator until `endMicros` with a trace recorder. */
export function runTraced(options: {
  seed: number;
  nodes: NodeSpec[];
  network?: NetworkConfig;
  faults?: readonly FaultEntry[];
  endMicros: number;
  record?: boolean;
}): TracedRun {
  const trace: TraceEvent[] = [];
  const sim = new Simulator({
    seed: options.seed,
    nodes: options.nodes,
    network: options.network ?? QUIET_NETWORK,
    traceSink: options.record === false ? undefined : (event) => trace.push(event),
  });
  sim.start();
  sim.scheduleFaults(options.faults ?? []);
  sim.runUntil(options.endMicros);
  return { sim, trace, fingerprint: sim.fingerprintHex() };
}

export const NODES5 = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;

const nodeArb = fc.constantFrom(...NODES5);
const nodeSubset = fc.subarray([...NODES5], { minLength: 1, maxLength: 4 });

/**
 * A random fault entry over n1…n5, at a time in [0, horizon): any kind, or (`membership` false) any but
 * join and leave, which take a node out for good where no process hands its work over (an algorithm's
 * liveness cannot survive them; the engine's properties take them).
 */
export function faultEntryArb(horizonMicros: number, membership = true): fc.Arbitrary<FaultEntry> {
  const at = fc.integer({ min: 0, max: horizonMicros - 1 });
  const membershipEntries = membership ? [fc.record({ at, kind: fc.constantFrom('join' as const, 'leave' as const), node: nodeArb })] : [];
  return fc.oneof(
    fc.record({ at, kind: fc.constant('partition' as const), groups: fc.shuffledSubarray([...NODES5], { minLength: 2 }).chain((nodes) =>
      fc.integer({ min: 1, max: nodes.length - 1 }).map((cut) => [nodes.slice(0, cut), nodes.slice(cut)])) }),
    fc.record({ at, kind: fc.constant('partition' as const), from: nodeSubset, to: nodeSubset }),
    fc.record({ at, kind: fc.constant('heal' as const) }),
    fc.record({ at, kind: fc.constantFrom('crash' as const, 'restart' as const, 'pause' as const, 'resume' as const), node: nodeArb }),
    ...membershipEntries,
    fc.record({ at, kind: fc.constantFrom('clog' as const, 'unclog' as const), from: nodeSubset, to: nodeSubset }),
    fc.record({ at, kind: fc.constantFrom('loss' as const, 'duplicate' as const), ratio: fc.integer({ min: 0, max: 100 }).map((p) => p / 100) }),
    fc.record({ at, kind: fc.constant('delay' as const), latency: fc.record({ kind: fc.constant('uniform' as const), baseMicros: fc.integer({ min: 0, max: 50_000 }), jitterMicros: fc.integer({ min: 0, max: 50_000 }) }) }),
    fc.record({ at, kind: fc.constant('clock-skew' as const), node: nodeArb, offsetMicros: fc.integer({ min: -1_000_000, max: 1_000_000 }) }),
    fc.record({ at, kind: fc.constant('clock-drift' as const), node: nodeArb, ppm: fc.integer({ min: -100_000, max: 100_000 }) }),
    fc.record({ at, kind: fc.constant('slow' as const), node: nodeArb, factor: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 20 }), fc.double({ min: 1, max: 50, noNaN: true })) }),
  );
}

/** A schedule sorted by time. */
export function scheduleArb(horizonMicros: number, maxLength = 12, membership = true): fc.Arbitrary<FaultEntry[]> {
  return fc.array(faultEntryArb(horizonMicros, membership), { maxLength }).map((entries) => [...entries].sort((a, b) => a.at - b.at));
}

/**
 * The first seed of `from..to` on which `scenario` with `bug` fails: a fixture (a run to replay, shrink
 * or report) found by search rather than a seed hard-coded because it happens to catch.
 */
export function firstFailingSeed(scenario: string, bug: string, from = 1, to = 30): number {
  for (let seed = from; seed <= to; seed++) {
    if (executeRun(prepareRun({ scenario: findScenario(scenario)!, seed, bug })).outcome !== 'pass') return seed;
  }
  throw new Error(`${scenario} with ${bug} passes every seed of ${from}..${to}`);
}
