// phi accrual's pure math against naive twins: the incremental window (mean and variance kept as sums)
// against the same statistics recomputed from the last WS samples, and the log-space normal tail against
// a slow numerical integration of the normal density; phi is never negative and never falls as silence grows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalWindow, normalTailPhi, phi } from '../../algorithms/failure-detection/phi.js';

/** Naive twin: mean and population variance of the last `capacity` samples, recomputed. */
function naiveStats(all: readonly number[], capacity: number): { mean: number; variance: number; kept: number[] } {
  const kept = all.slice(Math.max(0, all.length - capacity));
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  const variance = kept.length < 2 ? 0 : kept.reduce((a, x) => a + (x - mean) ** 2, 0) / kept.length;
  return { mean, variance, kept };
}

/** Naive twin: −log10 P(Y > y) by Simpson's rule over the density from y to y + 40 (fine for y in −6…30). */
function naiveTailPhi(y: number): number {
  const density = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  // Below 0 integrate the lower half instead: P(Y > y) = 1 − P(Y ≤ y).
  const upper = (from: number) => {
    const steps = 20_000;
    const h = 40 / steps;
    let sum = density(from) + density(from + 40);
    for (let i = 1; i < steps; i++) sum += density(from + i * h) * (i % 2 === 1 ? 4 : 2);
    return (sum * h) / 3;
  };
  const p = y >= 0 ? upper(y) : 1 - upper(-y);
  return -Math.log10(p);
}

describe('phi accrual math', () => {
  it('the incremental window keeps the mean and variance of its last WS samples (naive twin)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 12 }),
      // Heartbeat intervals in microseconds, outages (up to an hour) included: their squares pass 2^53.
      fc.array(fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 3_600_000_000 })), { minLength: 1, maxLength: 80 }),
      (capacity, intervals) => {
        const window = new IntervalWindow(capacity);
        for (let i = 0; i < intervals.length; i++) {
          window.add(intervals[i]!);
          const twin = naiveStats(intervals.slice(0, i + 1), capacity);
          expect(window.size).toBe(twin.kept.length);
          expect(window.toArray()).toEqual(twin.kept);
          expect(window.mean).toBeCloseTo(twin.mean, 6);
          // Relative to the scale of the samples: E[x²] − mean² loses digits to cancellation, never more.
          const scale = Math.max(1, ...twin.kept) ** 2;
          expect(Math.abs(window.variance - twin.variance) / scale).toBeLessThan(1e-9);
          expect(window.variance).toBeGreaterThanOrEqual(0);
        }
      },
    ), { numRuns: 300 });
  });

  it('a steady stream fits a zero deviation exactly (what the minimum deviation is for)', () => {
    const window = new IntervalWindow(50);
    for (let i = 0; i < 500; i++) window.add(100_000);
    expect(window.mean).toBe(100_000);
    expect(window.stdDeviation).toBe(0);
  });

  it('the normal tail matches a numerical integration of the density (naive twin)', () => {
    for (let y = -6; y <= 30; y += 0.25) {
      const twin = naiveTailPhi(y);
      expect(Math.abs(normalTailPhi(y) - twin), `y = ${y}`).toBeLessThan(1e-6 * Math.max(1, twin));
    }
  });

  it('known values: phi = log10 2 at the mean; phi crosses 8 at y = 5.612; the tail stays finite far out', () => {
    expect(normalTailPhi(0)).toBeCloseTo(Math.log10(2), 6);
    expect(normalTailPhi(5.6)).toBeLessThan(8);
    expect(normalTailPhi(5.62)).toBeGreaterThan(8);
    // y = 40: P(Y > y) ≈ 3.7e-350, below the smallest double; −log10 of it is still exact (≈ 349.4).
    expect(normalTailPhi(40)).toBeCloseTo(349.43, 1);
    expect(Number.isFinite(normalTailPhi(1e6))).toBe(true);
  });

  it('phi is never negative and never falls as the silence grows (for any fitted mean and deviation)', () => {
    fc.assert(fc.property(
      fc.double({ min: 0, max: 10_000_000, noNaN: true }),
      fc.double({ min: 0, max: 2_000_000, noNaN: true }),
      fc.double({ min: -1_000_000, max: 100_000_000, noNaN: true }),
      fc.double({ min: 0, max: 10_000_000, noNaN: true }),
      (mean, std, elapsed, more) => {
        const now = phi(elapsed, mean, std);
        const later = phi(elapsed + more, mean, std);
        expect(now).toBeGreaterThanOrEqual(0);
        expect(later).toBeGreaterThanOrEqual(now);
      },
    ), { numRuns: 2_000 });
  });

  it('phi is monotone on a fine grid across the mean (where the two halves of the tail meet)', () => {
    const falls: number[] = [];
    let previous = -1;
    for (let i = -30_000; i <= 30_000; i++) {
      const y = i * 1e-4;
      const value = normalTailPhi(y);
      if (value < previous) falls.push(y);
      previous = value;
    }
    expect(falls).toEqual([]);
  });

  it('a zero deviation is a step at the mean (no floor: any lateness is infinitely suspicious)', () => {
    expect(phi(100_000, 100_000, 0)).toBe(0);
    expect(phi(100_001, 100_000, 0)).toBe(Infinity);
  });
});
