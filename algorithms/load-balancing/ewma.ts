// Peak EWMA latency (Finagle's PeakEwma, which Linkerd's balancers also use): an exponentially weighted
// moving average of a backend's latency that decays with elapsed time (not with the number of samples)
// and jumps at once to any higher sample, so a backend that turns slow is avoided at once and is trusted
// again only slowly. Times are the balancer's local clock, in microseconds; it never runs backwards.

import { assert } from '../../sim/assert.js';
import type { Micros } from '../../sim/time.js';

/**
 * The cost of a backend whose latency was never measured while an attempt to it is in flight (Finagle's
 * `Penalty`, a number far above any real latency): a new backend gets one attempt, then waits for its
 * answer before it gets more. While nothing is in flight to it, an unmeasured backend costs 0, so it is
 * tried at once.
 */
export const UNMEASURED_PENALTY_MICROS = 1e12;

/** One peak-EWMA estimate per backend, kept in flat arrays (no object per backend or per sample). */
export class PeakEwma {
  /** The estimate as of `stampMicros` (before the decay since then). */
  private readonly costMicros: Float64Array;
  private readonly stampMicros: Float64Array;
  private readonly measured: Uint8Array;

  /** `decayMicros`: τ, the time over which a sample's weight falls by a factor e. */
  constructor(backendCount: number, private readonly decayMicros: Micros) {
    assert(decayMicros > 0, `peak EWMA decay must be positive, got ${decayMicros}`);
    this.costMicros = new Float64Array(backendCount);
    this.stampMicros = new Float64Array(backendCount);
    this.measured = new Uint8Array(backendCount);
  }

  /** Folds in a latency sample taken at `now` (Finagle's `observe(rtt)`). */
  observe(backend: number, latencyMicros: Micros, now: Micros): void {
    assert(latencyMicros >= 0, `a latency sample cannot be negative, got ${latencyMicros}`);
    const elapsedMicros = Math.max(now - this.stampMicros[backend]!, 0);
    const w = Math.exp(-elapsedMicros / this.decayMicros);
    const cost = this.costMicros[backend]!;
    // The peak: a sample above the estimate replaces it at once; one below it is averaged in.
    this.costMicros[backend] = latencyMicros > cost ? latencyMicros : cost * w + latencyMicros * (1 - w);
    this.stampMicros[backend] = now;
    this.measured[backend] = 1;
  }

  /**
   * The estimate at `now`: the last one decayed towards 0 over the time since. As Finagle's `get()` (which
   * observes a 0 sample), it stores what it read: the next sample meets the decayed estimate, weighted by
   * the time since this read.
   */
  latencyMicros(backend: number, now: Micros): number {
    const elapsedMicros = now - this.stampMicros[backend]!;
    if (elapsedMicros <= 0) return this.costMicros[backend]!;
    const decayed = this.costMicros[backend]! * Math.exp(-elapsedMicros / this.decayMicros);
    this.costMicros[backend] = decayed;
    this.stampMicros[backend] = now;
    return decayed;
  }

  /** Finagle's load: latency × (outstanding + 1), or the penalty for an unmeasured backend already busy. */
  cost(backend: number, outstanding: number, now: Micros): number {
    if (this.measured[backend] === 0) return outstanding === 0 ? 0 : UNMEASURED_PENALTY_MICROS + outstanding;
    return this.latencyMicros(backend, now) * (outstanding + 1);
  }

  /** Whether any sample of `backend` was taken. */
  isMeasured(backend: number): boolean {
    return this.measured[backend] === 1;
  }
}
