// fast-check arbitraries for fault schedules, one per nemesis profile. A schedule is drawn as a list of
// fault windows (an opening entry and the entry that undoes it), so fast-check's own shrinking removes
// whole windows, moves them earlier and makes them shorter. Output is a plain, time-ordered schedule.

import fc from 'fast-check';
import type { FaultEntry } from '../sim/faults.js';
import type { LatencyModel } from '../sim/network.js';
import type { NodeId } from '../sim/process.js';
import type { Micros } from '../sim/time.js';

export type ScheduleProfile = 'partitions' | 'crashes' | 'lossy' | 'clocks' | 'slow' | 'chaos';

/** `chaos` mixes the first four; `slow` (overloaded members, for failure detectors) stays out of it, so chaos schedules drawn before it existed are drawn the same. */
export const SCHEDULE_PROFILES: readonly ScheduleProfile[] = ['partitions', 'crashes', 'lossy', 'clocks', 'slow', 'chaos'];

export interface ScheduleOptions {
  readonly profile: ScheduleProfile;
  /** Nodes faults may target (usually the servers). */
  readonly targets: readonly NodeId[];
  /** Length of the fault phase: every entry falls inside it. */
  readonly durationMicros: Micros;
  /** Latency that closes a `delay` window (the scenario's normal latency). */
  readonly baseLatency: LatencyModel;
  /** Bound on fault windows per schedule. */
  readonly windowsMax?: number;
  /** Bound on one window's length. */
  readonly windowMicrosMax?: Micros;
}

type Window = { readonly at: Micros; readonly length: Micros; readonly open: (at: Micros) => FaultEntry[]; readonly close: (at: Micros) => FaultEntry[] };

/** An arbitrary fault schedule for the profile: shrinks to fewer, earlier, shorter windows. */
export function faultScheduleArbitrary(options: ScheduleOptions): fc.Arbitrary<FaultEntry[]> {
  if (options.targets.length === 0) throw new Error('faultScheduleArbitrary: targets must name at least one node');
  if (!Number.isSafeInteger(options.durationMicros) || options.durationMicros < 10_000) throw new Error(`faultScheduleArbitrary: durationMicros must be at least 10ms; got ${options.durationMicros}`);
  const last = options.durationMicros - 1;
  const windowMax = Math.max(1_000, Math.min(options.windowMicrosMax ?? 2_000_000, last));
  // Whole milliseconds: shrinking bisects fewer steps, and a schedule reads better.
  const at = fc.integer({ min: 0, max: Math.floor(last / 1_000) }).map((millis) => millis * 1_000);
  const length = fc.integer({ min: 1, max: Math.floor(windowMax / 1_000) }).map((millis) => millis * 1_000);
  const node = fc.constantFrom(...options.targets);
  const kinds = windowKinds(options, node);
  const window: fc.Arbitrary<Window> = fc.record({ at, length, kind: fc.oneof(...kinds) }).map(({ at, length, kind }) => ({ at, length, ...kind }));
  return fc.array(window, { maxLength: options.windowsMax ?? 8 }).map((windows) => {
    const entries: { entry: FaultEntry; order: number }[] = [];
    let order = 0;
    for (const w of windows) {
      for (const entry of w.open(w.at)) entries.push({ entry, order: order++ });
      for (const entry of w.close(Math.min(last, w.at + w.length))) entries.push({ entry, order: order++ });
    }
    return entries.sort((a, b) => a.entry.at - b.entry.at || a.order - b.order).map((e) => e.entry);
  });
}

type Kind = { readonly open: (at: Micros) => FaultEntry[]; readonly close: (at: Micros) => FaultEntry[] };

function windowKinds(options: ScheduleOptions, node: fc.Arbitrary<NodeId>): fc.Arbitrary<Kind>[] {
  const targets = options.targets;
  const partitions: fc.Arbitrary<Kind>[] = targets.length < 2 ? [] : [
    // A symmetric split: a non-empty proper subset against the rest.
    fc.shuffledSubarray([...targets], { minLength: 1, maxLength: targets.length - 1 }).map((side) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'partition', groups: [side, targets.filter((t) => !side.includes(t))] }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'heal' }],
    })),
    // One way: from → to only.
    fc.tuple(node, node).filter(([a, b]) => a !== b).map(([a, b]) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'partition', from: [a], to: [b] }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'heal' }],
    })),
    // A clogged link: held, then released in order.
    fc.tuple(node, node).filter(([a, b]) => a !== b).map(([a, b]) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'clog', from: [a], to: [b] }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'unclog', from: [a], to: [b] }],
    })),
  ];
  const crashes: fc.Arbitrary<Kind>[] = [
    node.map((n) => ({ open: (at: Micros): FaultEntry[] => [{ at, kind: 'crash', node: n }], close: (at: Micros): FaultEntry[] => [{ at, kind: 'restart', node: n }] })),
    node.map((n) => ({ open: (at: Micros): FaultEntry[] => [{ at, kind: 'pause', node: n }], close: (at: Micros): FaultEntry[] => [{ at, kind: 'resume', node: n }] })),
  ];
  const lossy: fc.Arbitrary<Kind>[] = [
    fc.integer({ min: 1, max: 100 }).map((percent) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'loss', ratio: percent / 100 }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'loss', ratio: 0 }],
    })),
    fc.integer({ min: 1, max: 100 }).map((percent) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'duplicate', ratio: percent / 100 }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'duplicate', ratio: 0 }],
    })),
    fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 200 })).map(([baseMillis, jitterMillis]) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'delay', latency: { kind: 'uniform', baseMicros: baseMillis * 1_000, jitterMicros: jitterMillis * 1_000 } }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'delay', latency: options.baseLatency }],
    })),
  ];
  const clocks: fc.Arbitrary<Kind>[] = [
    fc.tuple(node, fc.integer({ min: -2_000_000, max: 2_000_000 })).map(([n, offsetMicros]) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'clock-skew', node: n, offsetMicros }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'clock-skew', node: n, offsetMicros: 0 }],
    })),
    fc.tuple(node, fc.integer({ min: -200_000, max: 200_000 })).map(([n, ppm]) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'clock-drift', node: n, ppm }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'clock-drift', node: n, ppm: 0 }],
    })),
  ];
  const slow: fc.Arbitrary<Kind>[] = [
    fc.tuple(node, fc.integer({ min: 2, max: 20 })).map(([n, factor]) => ({
      open: (at: Micros): FaultEntry[] => [{ at, kind: 'slow', node: n, factor }],
      close: (at: Micros): FaultEntry[] => [{ at, kind: 'slow', node: n, factor: 1 }],
    })),
  ];
  switch (options.profile) {
    case 'partitions': return partitions.length > 0 ? partitions : crashes;
    case 'crashes': return crashes;
    case 'lossy': return lossy;
    case 'clocks': return clocks;
    case 'slow': return slow;
    case 'chaos': return [...partitions, ...crashes, ...lossy, ...clocks];
  }
}
