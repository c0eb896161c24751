// A node's local clock replayed by a checker from the run's fault entries (clock-skew, clock-drift), with
// the engine's own arithmetic (sim/clock.ts), so a checker can read what a member read on its clock at any
// moment and bound how much its timers counted over a span. Assumes it hears every fault entry, in order.

import { LocalClock } from '../../sim/clock.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';

/** A node's clock as the faults set it (the engine's own LocalClock), replayed from the fault entries, with its history. */
export class ClockReplay {
  private readonly clock = new LocalClock();
  /** Drift changes, in order: [true time, ppm from then on]. */
  readonly drifts: [Micros, number][] = [[0, 0]];
  /** Forward jumps of the local reading, in order: [true time, size]. */
  readonly jumps: [Micros, Micros][] = [];

  read(trueMicros: Micros): Micros {
    return this.clock.read(trueMicros);
  }

  skew(trueMicros: Micros, offsetMicros: Micros): void {
    const jump = trueMicros + offsetMicros - this.clock.read(trueMicros);
    if (jump > 0) this.jumps.push([trueMicros, jump]);
    this.clock.setOffset(trueMicros, offsetMicros);
  }

  drift(trueMicros: Micros, ppm: number): void {
    this.clock.setDriftPpm(trueMicros, ppm);
    this.drifts.push([trueMicros, ppm]);
  }

  /**
   * The fastest drift in force at any moment of [from, to], a drift that ends at `from` included (a change
   * at the very microsecond a span starts may come after the reading that started it: counting both is the
   * lenient side).
   */
  fastestPpm(from: Micros, to: Micros): number {
    let fastest = -Infinity;
    for (let i = 0; i < this.drifts.length; i++) {
      const [at, ppm] = this.drifts[i]!;
      const until = i + 1 < this.drifts.length ? this.drifts[i + 1]![0] : Infinity;
      if (until >= from && at <= to) fastest = Math.max(fastest, ppm);
    }
    return fastest;
  }

  /**
   * The forward jumps of the local reading in [from, to]: a jump at the very microsecond a span starts may
   * come after the reading that started it (a trigger reacting to that reading's fact), so it counts (the
   * lenient side).
   */
  jumpedMicros(from: Micros, to: Micros): Micros {
    let sum = 0;
    for (const [at, jump] of this.jumps) if (at >= from && at <= to) sum += jump;
    return sum;
  }
}

/** Every node's replayed clock, fed by a checker's `onFault`. */
export class ClockReplays {
  private readonly clocks = new Map<NodeId, ClockReplay>();

  of(node: NodeId): ClockReplay {
    let c = this.clocks.get(node);
    if (c === undefined) this.clocks.set(node, (c = new ClockReplay()));
    return c;
  }

  /** Applies a fault entry as the engine did at true time `nowMicros` (entries other than clock faults change nothing). */
  apply(fault: FaultEntry | null, nowMicros: Micros): void {
    if (fault === null) return;
    if (fault.kind === 'clock-skew') this.of(fault.node).skew(nowMicros, fault.offsetMicros);
    else if (fault.kind === 'clock-drift') this.of(fault.node).drift(nowMicros, fault.ppm);
  }
}
