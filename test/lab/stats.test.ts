// lab/stats.ts against naive twins: nearest-rank quantiles by sorting and indexing, the mean, the CDF's
// shape, and the seeded bootstrap interval (within the data's range, fixed by its label, zero-width for
// constant data).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_RESAMPLES, bootstrapMeanInterval, CDF_POINTS_MAX, empiricalCdf, meanOf, formatRate, quantileSorted, summarize, wilsonInterval } from '../../lab/stats.js';

const samples = fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 200 });
/** The smallest value with at least a fraction p of the values at or below it, by counting. */
function naiveQuantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  for (const v of sorted) if (sorted.filter((w) => w <= v).length >= p * sorted.length) return v;
  return sorted[sorted.length - 1]!;
}

describe('lab/stats.ts', () => {
  it('quantiles are nearest-rank: the naive twin (a property)', () => {
    fc.assert(fc.property(samples, fc.constantFrom(0, 0.1, 0.25, 0.5, 0.9, 0.99, 1), (values, p) => {
      const sorted = [...values].sort((a, b) => a - b);
      const expected = p === 0 ? sorted[0]! : naiveQuantile(values, p);
      expect(quantileSorted(sorted, p)).toBe(expected);
      expect(sorted[Math.max(1, Math.ceil(p * sorted.length - 1e-9)) - 1]).toBe(expected);
    }));
  });

  it('summarize: count, min, max, quantiles and the mean match the naive twins (a property)', () => {
    fc.assert(fc.property(samples, (values) => {
      const s = summarize(values, 'label')!;
      const sorted = [...values].sort((a, b) => a - b);
      expect(s.count).toBe(values.length);
      expect(s.min).toBe(sorted[0]);
      expect(s.max).toBe(sorted[sorted.length - 1]);
      expect(s.median).toBe(naiveQuantile(values, 0.5));
      expect(s.p10).toBe(naiveQuantile(values, 0.1));
      expect(s.p90).toBe(naiveQuantile(values, 0.9));
      expect(s.p99).toBe(naiveQuantile(values, 0.99));
      expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
      expect(meanOf(values)).toBe(s.mean);
      expect(s.min <= s.p10 && s.p10 <= s.median && s.median <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max).toBe(true);
    }));
    expect(summarize([], 'x')).toBeNull();
  });

  it('the empirical CDF is non-decreasing, within the data, and ends at 1 (a property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 600 }), fc.integer({ min: 2, max: 50 }), (values, pointsMax) => {
      const cdf = empiricalCdf(values, pointsMax);
      expect(cdf.length).toBeGreaterThan(0);
      expect(cdf.length).toBeLessThanOrEqual(Math.max(pointsMax, 1));
      expect(cdf[cdf.length - 1]).toEqual([Math.max(...values), 1]);
      expect(cdf[0]![0]).toBe(Math.min(...values));
      for (let i = 1; i < cdf.length; i++) {
        expect(cdf[i]![0]).toBeGreaterThan(cdf[i - 1]![0]);
        expect(cdf[i]![1]).toBeGreaterThanOrEqual(cdf[i - 1]![1]);
      }
      for (const [value, fraction] of cdf) expect(fraction).toBe(values.filter((v) => v <= value).length / values.length);
    }));
    expect(empiricalCdf([])).toEqual([]);
  });

  it('the bootstrap interval lies within [min, max], around the mean, and is the same for the same label (a property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 60 }), fc.string(), (values, label) => {
      const ci = bootstrapMeanInterval(values, label, 200);
      expect(ci.low).toBeGreaterThanOrEqual(Math.min(...values));
      expect(ci.high).toBeLessThanOrEqual(Math.max(...values));
      expect(ci.low).toBeLessThanOrEqual(ci.high);
      expect(bootstrapMeanInterval(values, label, 200)).toEqual(ci);
    }), { numRuns: 50 });
  });

  it('the interval differs for different labels on spread data, and is zero-width for constant data', () => {
    const spread = Array.from({ length: 40 }, (_, i) => (i * 7919) % 1000);
    const a = summarize(spread, 'exp#0:m')!;
    const b = summarize(spread, 'exp#1:m')!;
    expect([a.meanCiLow, a.meanCiHigh]).not.toEqual([b.meanCiLow, b.meanCiHigh]);
    expect(a.meanCiLow).toBeLessThan(a.mean);
    expect(a.meanCiHigh).toBeGreaterThan(a.mean);
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 50 }), fc.string(), (value, n, label) => {
      const s = summarize(Array(n).fill(value), label)!;
      expect([s.meanCiLow, s.meanCiHigh]).toEqual([value, value]);
    }), { numRuns: 30 });
  });
});

describe('empirical CDF over runs, and the bootstrap over runs', () => {
  it('a CDF out of more runs than samples ends at samples ÷ runs', () => {
    const cdf = empiricalCdf([3, 1, 2], CDF_POINTS_MAX, 6);
    expect(cdf).toEqual([[1, 1 / 6], [2, 2 / 6], [3, 3 / 6]]);
    expect(() => empiricalCdf([1, 2], CDF_POINTS_MAX, 1)).toThrow();
  });

  it('resampling whole runs is deterministic, stays within [min, max], and is wider than resampling samples when runs differ', () => {
    // Ten runs, each giving five equal samples: the samples are not independent, and a bootstrap over
    // samples would believe it has 50 of them.
    const values: number[] = [];
    for (let run = 0; run < 10; run++) for (let k = 0; k < 5; k++) values.push(run * 10);
    const groups = Array.from({ length: 10 }, () => 5);
    const byRun = bootstrapMeanInterval(values, 'label', BOOTSTRAP_RESAMPLES, groups);
    expect(bootstrapMeanInterval(values, 'label', BOOTSTRAP_RESAMPLES, groups)).toEqual(byRun);
    const bySample = bootstrapMeanInterval(values, 'label');
    expect(byRun.low).toBeGreaterThanOrEqual(0);
    expect(byRun.high).toBeLessThanOrEqual(90);
    expect(byRun.high - byRun.low).toBeGreaterThan((bySample.high - bySample.low) * 1.5);
    // Groups of one are plain samples.
    expect(bootstrapMeanInterval([1, 5, 9], 'x', BOOTSTRAP_RESAMPLES, [1, 0, 1, 1])).toEqual(bootstrapMeanInterval([1, 5, 9], 'x'));
  });
});

describe('wilsonInterval: a catch rate with its 95% interval', () => {
  it('matches published values: 5 of 10 → 23.7%–76.3%; 0 of 500 → 0–0.76%; 500 of 500 → 99.2%–100%', () => {
    const half = wilsonInterval(5, 10);
    expect(half.rate).toBe(0.5);
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
    expect(wilsonInterval(0, 500)).toMatchObject({ low: 0, rate: 0 });
    expect(wilsonInterval(0, 500).high).toBeCloseTo(0.007624, 5);
    expect(wilsonInterval(500, 500).low).toBeCloseTo(0.992376, 5);
    expect(formatRate(wilsonInterval(20, 30))).toBe('20/30 = 66.7% (95% CI 48.8%–80.8%)');
  });

  it('each end is a root of Wilson\'s equation (p̂ − p)² = z²·p(1 − p)/n, and the interval holds the rate', () => {
    const z = 1.959963984540054;
    fc.assert(fc.property(fc.integer({ min: 1, max: 5_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))), ([k, n]) => {
      const r = wilsonInterval(k, n);
      expect(r.low).toBeLessThanOrEqual(r.rate);
      expect(r.high).toBeGreaterThanOrEqual(r.rate);
      for (const end of [r.low, r.high]) {
        if (end === 0 || end === 1) continue;
        expect((r.rate - end) ** 2).toBeCloseTo((z * z * end * (1 - end)) / n, 9);
      }
    }), { numRuns: 300 });
  });
});
