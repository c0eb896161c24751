// Summary statistics of an experiment's samples: order statistics (nearest rank), the mean with a 95%
// confidence interval from a seeded percentile bootstrap, and a bounded empirical CDF for plots.
// Pure and deterministic: the same samples in the same order and the same bootstrap label give the
// same numbers, bit for bit (sums run in sample order; the bootstrap draws from its own seeded stream).

import { Rng } from '../sim/rng.js';
import { assert } from '../sim/assert.js';

/** The summary of one metric's samples at one grid point. */
export interface MetricStats {
  readonly count: number;
  readonly min: number;
  readonly p10: number;
  readonly median: number;
  readonly mean: number;
  /** The 95% confidence interval of the mean (percentile bootstrap): low and high ends. */
  readonly meanCiLow: number;
  readonly meanCiHigh: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Bootstrap resamples per interval: enough for a stable 2.5th/97.5th percentile of the means. */
export const BOOTSTRAP_RESAMPLES = 1_000;
/** Points an empirical CDF keeps at most (the extremes always among them). */
export const CDF_POINTS_MAX = 201;

/**
 * The `p`-quantile of sorted values by nearest rank: the smallest value with at least a fraction `p`
 * of the values at or below it (`p` = 0 gives the minimum). Every quantile is a sample that occurred.
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  assert(sorted.length > 0, 'quantile of no values');
  assert(p >= 0 && p <= 1, `quantile ${p} outside 0…1`);
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** The mean, summing in the order given (so it is reproducible bit for bit). */
export function meanOf(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The 95% percentile-bootstrap interval of the mean: `BOOTSTRAP_RESAMPLES` resamples with replacement,
 * drawn from a stream seeded by `label` alone, so the interval does not depend on anything but the
 * samples and the label. A single sample (or all equal) gives a zero-width interval.
 */
export function bootstrapMeanInterval(values: readonly number[], label: string, resamples = BOOTSTRAP_RESAMPLES, groups?: readonly number[]): { low: number; high: number } {
  assert(values.length > 0, 'bootstrap of no values');
  const n = values.length;
  const draw = new Rng(`faultline-bootstrap:${label}`).draw;
  const means = new Float64Array(resamples);
  if (groups !== undefined && groups.some((size) => size > 1)) {
    // Samples come in groups (the runs that gave them): resample whole groups, since samples of one run
    // are not independent; the mean of a resample is its samples' sum over their count.
    const starts: number[] = [];
    const sizes: number[] = [];
    let at = 0;
    for (const size of groups) {
      if (size > 0) {
        starts.push(at);
        sizes.push(size);
      }
      at += size;
    }
    assert(at === n, `groups hold ${at} samples, not ${n}`);
    const g = starts.length;
    for (let r = 0; r < resamples; r++) {
      let sum = 0;
      let count = 0;
      for (let i = 0; i < g; i++) {
        const k = Math.floor(draw() * g);
        for (let j = starts[k]!, end = j + sizes[k]!; j < end; j++) sum += values[j]!;
        count += sizes[k]!;
      }
      means[r] = sum / count;
    }
  } else {
    for (let r = 0; r < resamples; r++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += values[Math.floor(draw() * n)]!;
      means[r] = sum / n;
    }
  }
  means.sort();
  const sorted = Array.from(means);
  return { low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975) };
}

/**
 * The summary of `values` (in the order they were taken); null for none. `label` seeds the bootstrap;
 * `groups`, when given, are the sizes of consecutive runs of samples that came from one run (the
 * bootstrap then resamples runs, not samples).
 */
export function summarize(values: readonly number[], label: string, groups?: readonly number[]): MetricStats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const ci = bootstrapMeanInterval(values, label, BOOTSTRAP_RESAMPLES, groups);
  return {
    count: values.length,
    min: sorted[0]!,
    p10: quantileSorted(sorted, 0.1),
    median: quantileSorted(sorted, 0.5),
    mean: meanOf(values),
    meanCiLow: ci.low,
    meanCiHigh: ci.high,
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}

/**
 * The empirical CDF as `[value, fraction at or below it]` steps, at most `pointsMax` of them: every
 * distinct value when there are few, else the nearest-rank quantiles at evenly spaced fractions (the
 * minimum and maximum always included). Fractions are exact ratios of counts, out of `total` (by default
 * the number of values; the runs of a grid point, when some gave no value, so the CDF ends below 1).
 */
export function empiricalCdf(values: readonly number[], pointsMax = CDF_POINTS_MAX, total = values.length): [number, number][] {
  if (values.length === 0) return [];
  assert(pointsMax >= 2, 'a CDF needs at least two points');
  assert(total >= values.length, `a CDF out of ${total} cannot hold ${values.length} values`);
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const steps: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
    steps.push([sorted[i]!, (i + 1) / total]);
  }
  if (steps.length <= pointsMax) return steps;
  const out: [number, number][] = [];
  for (let k = 0; k < pointsMax; k++) {
    const index = Math.round((k * (steps.length - 1)) / (pointsMax - 1));
    const step = steps[index]!;
    if (out.length === 0 || out[out.length - 1]![0] !== step[0]) out.push(step);
  }
  return out;
}

/** A count out of a number of trials, with its rate and the rate's 95% confidence interval. */
export interface RateWithInterval {
  readonly count: number;
  readonly trials: number;
  readonly rate: number;
  /** The 95% Wilson score interval of the rate: low and high ends (0 and 1 included). */
  readonly low: number;
  readonly high: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/**
 * A catch rate with its 95% Wilson score interval (Wilson 1927): unlike the normal approximation it stays
 * inside [0, 1] and is honest at 0 of n and n of n, which is where catch claims live (0 of 500 caught
 * still allows a true rate up to 0.76%).
 */
export function wilsonInterval(count: number, trials: number): RateWithInterval {
  assert(Number.isInteger(count) && Number.isInteger(trials) && count >= 0 && count <= trials && trials > 0, `wilsonInterval: ${count} of ${trials}`);
  const p = count / trials;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { count, trials, rate: p, low: count === 0 ? 0 : Math.max(0, centre - half), high: count === trials ? 1 : Math.min(1, centre + half) };
}

/** `20/30 = 66.7% (95% CI 48.8–80.8%)`. */
export function formatRate(r: RateWithInterval): string {
  const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
  return `${r.count}/${r.trials} = ${pct(r.rate)} (95% CI ${pct(r.low)}–${pct(r.high)})`;
}
