// A small hand-built cluster for the heartbeat-based detectors (fixed timeout, phi accrual) on the real
// engine: N members of role `member`, a uniform-latency network, an optional fault schedule, and every
// membership fact recorded with its true time. Measures detection time and false deaths.

import { fdBugs } from '../../algorithms/failure-detection/bugs.js';
import type { HeartbeatConfig, PhiAccrualConfig } from '../../algorithms/failure-detection/config.js';
import type { MemberFact } from '../../algorithms/failure-detection/facts.js';
import { HeartbeatDetector } from '../../algorithms/failure-detection/heartbeat.js';
import { PhiAccrualDetector } from '../../algorithms/failure-detection/phi-accrual.js';
import type { Fact } from '../../sim/facts.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { LatencyModel } from '../../sim/network.js';
import type { NodeId, Process } from '../../sim/process.js';
import { Simulator } from '../../sim/simulator.js';
import { ms, seconds, type Micros } from '../../sim/time.js';

export type FdBugName = keyof typeof fdBugs.names;

/** The heartbeat detector's settings of the measurements: interval 100 ms, timeout 500 ms. */
export const heartbeatConfig = (bug?: FdBugName, overrides: Partial<HeartbeatConfig> = {}): HeartbeatConfig => ({
  intervalMicros: ms(100), timeoutMicros: ms(500), bugs: fdBugs.active(bug === undefined ? undefined : fdBugs.names[bug]), ...overrides,
});

/** The phi detector's settings of the measurements: interval 100 ms, threshold 8, window 200, min std 10 ms, no pause. */
export const phiConfig = (bug?: FdBugName, overrides: Partial<PhiAccrualConfig> = {}): PhiAccrualConfig => ({
  intervalMicros: ms(100), threshold: 8, windowSize: 200, minStdDeviationMicros: ms(10), acceptablePauseMicros: 0,
  firstHeartbeatEstimateMicros: ms(100), checkIntervalMicros: ms(10),
  bugs: fdBugs.active(bug === undefined ? undefined : fdBugs.names[bug]), ...overrides,
  });

export interface FdRun {
  readonly members: readonly NodeId[];
  /** Every membership fact, with the true time it was reported. */
  readonly facts: readonly { readonly atMicros: Micros; readonly node: NodeId; readonly fact: MemberFact }[];
  readonly durationMicros: Micros;
  readonly messagesSent: number;
}

export interface FdRunOptions {
  readonly seed: number;
  readonly members?: number;
  readonly durationMicros?: Micros;
  readonly latency?: LatencyModel;
  readonly faults?: readonly FaultEntry[];
}

/** Runs N members of one detector (`create` builds each member) and records every membership fact. */
export function runCluster(create: () => Process<unknown, Fact>, options: FdRunOptions): FdRun {
  const count = options.members ?? 8;
  const members = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const facts: { atMicros: Micros; node: NodeId; fact: MemberFact }[] = [];
  const sim = new Simulator({
    seed: options.seed,
    nodes: members.map((id) => ({ id, role: 'member', create })),
    network: { latency: options.latency ?? { kind: 'uniform', baseMicros: ms(1), jitterMicros: ms(4) }, lossRatio: 0, duplicateRatio: 0, linkCapacity: 10_000 },
    observers: [{
      name: 'membership-recorder',
      onFact(node, fact, run) {
        if (fact.type === 'member') facts.push({ atMicros: run.now, node, fact: fact as MemberFact });
      },
    }],
  });
  const durationMicros = options.durationMicros ?? seconds(60);
  sim.start();
  sim.scheduleFaults(options.faults ?? []);
  sim.runUntil(durationMicros);
  return { members, facts, durationMicros, messagesSent: sim.stats.messagesSent };
}

export const heartbeatMembers = (config: HeartbeatConfig) => () => new HeartbeatDetector(config) as Process<unknown, Fact>;
export const phiMembers = (config: PhiAccrualConfig) => () => new PhiAccrualDetector(config) as Process<unknown, Fact>;

/**
 * Dead declarations of a member that was up when declared: every `dead` fact about a member other than
 * `crashed` (or about `crashed` before `crashAtMicros`).
 */
export function falseDeaths(run: FdRun, crashed?: { readonly node: NodeId; readonly atMicros: Micros }): number {
  return run.facts.filter(({ atMicros, fact }) =>
    fact.status === 'dead' && !(crashed !== undefined && fact.member === crashed.node && atMicros >= crashed.atMicros)).length;
}

/**
 * For a member crashed at `atMicros` that stays down: each live member's time from the crash until its
 * view of it is `dead` (0 when it was already dead then; undefined for a member that never declared it).
 */
export function detectionTimes(run: FdRun, crashed: { readonly node: NodeId; readonly atMicros: Micros }): Map<NodeId, Micros | undefined> {
  const times = new Map<NodeId, Micros | undefined>();
  for (const viewer of run.members) {
    if (viewer === crashed.node) continue;
    const views = run.facts.filter(({ node, fact }) => node === viewer && fact.member === crashed.node);
    const before = views.filter(({ atMicros }) => atMicros < crashed.atMicros).at(-1);
    const first = views.find(({ atMicros, fact }) => fact.status === 'dead' && atMicros >= crashed.atMicros);
    times.set(viewer, before?.fact.status === 'dead' ? 0 : first === undefined ? undefined : first.atMicros - crashed.atMicros);
  }
  return times;
}

/** The networks of the measurements: 1 ms + up to 4 ms uniform jitter; and a heavy tail (1 ms + Pareto(1 ms, 1.5), capped at 50 ms). */
export const NETWORKS = {
  jitter: { kind: 'uniform', baseMicros: ms(1), jitterMicros: ms(4) },
  pareto: { kind: 'pareto', baseMicros: ms(1), scaleMicros: ms(1), shape: 1.5, maxMicros: ms(50) },
} as const satisfies Record<string, LatencyModel>;

/** The crash of the measurements: n3 at 30 s plus a per-seed offset within an interval (so crashes do not all fall just after a heartbeat). */
export const crashOf = (seed: number) => ({ node: 'n3', atMicros: seconds(30) + ms((seed * 37) % 100) });

/** Member-hours of watching: each member's time up (the crashed one's until its crash), in hours. */
export function memberHours(run: FdRun, crashed?: { readonly node: NodeId; readonly atMicros: Micros }): number {
  const micros = run.members.reduce((sum, id) => sum + (crashed !== undefined && id === crashed.node ? crashed.atMicros : run.durationMicros), 0);
  return micros / 3_600_000_000;
}
