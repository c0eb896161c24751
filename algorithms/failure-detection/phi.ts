// The pure mathematics of the phi accrual failure detector (Hayashibara, Défago, Yared & Katayama 2004):
// a sliding window of heartbeat inter-arrival times with its mean and variance kept incrementally, and
// phi(t) = −log10(P_later(t)), the normal distribution's upper tail. No I/O, no clock: numbers in, numbers out.
//
// The tail is the exact normal one, computed in log space from a Chebyshev fit of erfc whose fractional
// error is below 1.2e-7 everywhere (Press et al., Numerical Recipes, §6.2 "erfcc"): its form is
// t·exp(−z² + poly(t)), so ln erfc(z) needs no exp and never underflows, and phi stays finite and exact
// far beyond where 1 − CDF(t) rounds to 0 (Akka's logistic approximation would be the other choice; we
// keep the paper's normal distribution).

import { assert } from '../../sim/assert.js';

/**
 * A sliding window of the last `capacity` inter-arrival times, with their mean and (population) variance
 * in O(1) per sample: running sums of the samples and of their squares, updated on each add and eviction.
 */
export class IntervalWindow {
  private readonly samples: number[] = [];
  /** Index of the oldest sample once the window is full. */
  private oldest = 0;
  private sum = 0;
  private sumOfSquares = 0;
  /** Whether both sums are exact integers (always, for integer samples whose squares sum below 2^53). */
  private exact = true;

  constructor(readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity >= 1, `interval window: capacity must be a positive integer, got ${capacity}`);
  }

  /** Adds one inter-arrival time (microseconds, ≥ 0), evicting the oldest when the window is full. */
  add(intervalMicros: number): void {
    assert(Number.isFinite(intervalMicros) && intervalMicros >= 0, `interval window: an interval must be finite and ≥ 0, got ${intervalMicros}`);
    if (this.samples.length < this.capacity) {
      this.samples.push(intervalMicros);
      this.sum += intervalMicros;
      this.sumOfSquares += intervalMicros * intervalMicros;
    } else {
      const evicted = this.samples[this.oldest]!;
      this.samples[this.oldest] = intervalMicros;
      this.oldest = (this.oldest + 1) % this.capacity;
      if (this.exact) {
        this.sum += intervalMicros - evicted;
        this.sumOfSquares += intervalMicros * intervalMicros - evicted * evicted;
      } else {
        // Beyond the paper: once a long outage's interval has pushed the sum of squares past 2^53, the
        // sums are rounded, and subtracting that interval again would leave the rounding behind as a
        // false variance; recompute them from the samples until they are exact again (O(WS) each time,
        // only while such an interval is in the window).
        this.resum();
      }
    }
    this.exact = Number.isSafeInteger(this.sum) && Number.isSafeInteger(this.sumOfSquares);
  }

  private resum(): void {
    let sum = 0;
    let sumOfSquares = 0;
    for (const x of this.samples) {
      sum += x;
      sumOfSquares += x * x;
    }
    this.sum = sum;
    this.sumOfSquares = sumOfSquares;
  }

  /** Samples held (at most `capacity`). */
  get size(): number {
    return this.samples.length;
  }

  /** The mean inter-arrival time; 0 for an empty window. */
  get mean(): number {
    return this.samples.length === 0 ? 0 : this.sum / this.samples.length;
  }

  /** The population variance (as the paper and Akka fit it); 0 for fewer than two samples. */
  get variance(): number {
    const n = this.samples.length;
    if (n < 2) return 0;
    const mean = this.sum / n;
    // Never negative: E[x²] − mean² can round just below 0 for a constant stream.
    return Math.max(0, this.sumOfSquares / n - mean * mean);
  }

  /** The standard deviation, √variance. */
  get stdDeviation(): number {
    return Math.sqrt(this.variance);
  }

  /** The samples, oldest first (for tests and `inspect`). */
  toArray(): number[] {
    return [...this.samples.slice(this.oldest), ...this.samples.slice(0, this.oldest)];
  }
}

/**
 * A window of `capacity` seeded for before any interval is measured. Beyond the paper (which leaves it
 * open), as Akka does: two samples, estimate ∓ estimate/4, so the fitted mean is the estimate and the
 * deviation a quarter of it; real intervals push them out once the window fills.
 */
export function seededIntervalWindow(capacity: number, estimateMicros: number): IntervalWindow {
  const window = new IntervalWindow(capacity);
  const spread = Math.round(estimateMicros / 4);
  window.add(estimateMicros - spread);
  window.add(estimateMicros + spread);
  return window;
}

/** Coefficients of the Chebyshev fit of ln(erfc(z)·e^{z²}/t) in t = 1/(1 + z/2), constant term first. */
const ERFC_FIT = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
  0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
] as const;

/** ln(erfc(z)) for z ≥ 0, fractional error of erfc below 1.2e-7; never underflows. */
function logErfc(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  let poly = 0;
  for (let i = ERFC_FIT.length - 1; i >= 0; i--) poly = poly * t + ERFC_FIT[i]!;
  return Math.log(t) - z * z + poly;
}

/**
 * −log10 of the standard normal's upper tail, P(Y > y): 0 at y = −∞, log10(2) at y = 0, about y²/(2·ln 10)
 * for large y. Non-decreasing in y and never negative; +∞ only for y = +∞.
 */
export function normalTailPhi(y: number): number {
  assert(!Number.isNaN(y), 'normalTailPhi: y is NaN');
  if (y === Infinity) return Infinity;
  if (y === -Infinity) return 0;
  const z = Math.abs(y) / Math.SQRT2;
  // The upper tail of |y|, at most ½ (the fit reads 1 + 3e-8 at 0: clamped so that the two halves meet monotonically).
  const logTail = Math.min(Math.log(0.5) + logErfc(z), Math.log(0.5));
  // y ≥ 0: P_later = tail. y < 0: P_later = 1 − tail(|y|), computed with log1p for accuracy near 0.
  const logPLater = y >= 0 ? logTail : Math.log1p(-Math.exp(logTail));
  return Math.max(0, -logPLater / Math.LN10);
}

/**
 * phi(elapsed) = −log10(P_later(elapsed)) under a normal distribution of inter-arrival times with this
 * mean and standard deviation (Hayashibara et al. 2004, §3). A zero deviation is a step: 0 up to the
 * mean, +∞ past it (what a detector without a deviation floor computes for a perfectly steady stream).
 */
export function phi(elapsedMicros: number, meanMicros: number, stdDeviationMicros: number): number {
  assert(stdDeviationMicros >= 0, `phi: a standard deviation is ≥ 0, got ${stdDeviationMicros}`);
  if (stdDeviationMicros === 0) return elapsedMicros > meanMicros ? Infinity : 0;
  return normalTailPhi((elapsedMicros - meanMicros) / stdDeviationMicros);
}
