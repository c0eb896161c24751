// How experiment reports (terminal, HTML and the page's script) write a metric's values and name its
// statistics: durations as `formatMicros` writes them, counts and plain numbers to three significant
// figures, ratios as percentages; and how they say what a CDF's fractions are out of and how many runs
// gave a sample. Pure and small: the page's script bundles it too.

import type { MetricUnit } from '../sim/metrics.js';
import type { PointMetric, StatName } from '../lab/experiment-model.js';
import { formatMicros } from '../sim/time.js';

/** The cumulative fraction at which a statistic sits on a CDF (the mean has none). */
export const STAT_FRACTION: Readonly<Record<StatName, number | null>> = {
  min: 0, p10: 0.1, median: 0.5, mean: null, p90: 0.9, p99: 0.99, max: 1,
};

/**
 * One value of a metric in its unit, to three significant figures: `287ms`, `1.25s`, `3.5`, `12,345`,
 * `97.1%` (`exact` keeps every digit of a duration: `287.341ms`).
 */
export function formatValue(unit: MetricUnit, value: number, exact = false): string {
  if (!Number.isFinite(value)) return '—';
  switch (unit) {
    case 'duration': return formatMicros(exact ? Math.round(value) : significant(Math.round(value), 3));
    case 'ratio': return `${trimmed(value * 100, 1)}%`;
    default: return formatNumber(value);
  }
}

/** A difference between two values of a metric, signed: `+12ms`, `-3.5`. */
export function formatDifference(unit: MetricUnit, difference: number): string {
  const text = formatValue(unit, Math.abs(difference));
  return difference > 0 ? `+${text}` : difference < 0 ? `-${text}` : text;
}

/** Whole numbers with thousands separators, others to three significant figures (`0.0123`, `4.56`, `123`). */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return groupDigits(value);
  const abs = Math.abs(value);
  if (abs >= 100) return groupDigits(Math.round(value));
  const decimals = abs >= 10 ? 1 : abs >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(abs || 1)));
  return trimmed(value, decimals);
}

/** `published` with its bound: `≥ 10s`, `≤ 1s`, `287ms`. */
export function formatReference(unit: MetricUnit, value: number, bound?: 'at-least' | 'at-most'): string {
  const text = formatValue(unit, value);
  return bound === 'at-least' ? `≥ ${text}` : bound === 'at-most' ? `≤ ${text}` : text;
}

/** Whether our value agrees with a bound (null for a plain published value or no value of ours). */
export function meetsBound(ours: number | null, value: number, bound?: 'at-least' | 'at-most'): boolean | null {
  if (ours === null || bound === undefined) return null;
  return bound === 'at-least' ? ours >= value : ours <= value;
}

/** `n` rounded to `digits` significant figures (whole numbers below 10^digits unchanged). */
function significant(n: number, digits: number): number {
  const abs = Math.abs(n);
  if (abs < 10 ** digits) return n;
  const step = 10 ** (Math.floor(Math.log10(abs)) + 1 - digits);
  return Math.round(n / step) * step;
}

function trimmed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function groupDigits(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** What the CDFs of some points' metric count: `runs`, `samples`, or `runs or samples` when they differ. */
export function cdfOverText(metrics: readonly (Pick<PointMetric, 'cdfOver'> | undefined)[]): string {
  const overs = new Set(metrics.filter((m) => m !== undefined).map((m) => m!.cdfOver));
  return overs.size === 2 ? 'runs or samples' : overs.has('samples') ? 'samples' : 'runs';
}

/** How many samples of a point's metric there are per run, short: `402/1,000` (over runs), `16 (3 runs)` or `16 (2 of 3 runs)` (over samples). */
export function sampleCountText(metric: Pick<PointMetric, 'stats' | 'runsWithout' | 'cdfOver'> | undefined, runs: number): string {
  const count = metric?.stats?.count ?? 0;
  if (metric === undefined || metric.cdfOver === 'runs') return `${formatNumber(count)}/${formatNumber(runs)}`;
  const gave = runs - metric.runsWithout;
  return `${formatNumber(count)} (${gave === runs ? '' : `${formatNumber(gave)} of `}${formatNumber(runs)} run${runs === 1 ? '' : 's'})`;
}

/**
 * The same as a sentence: `402 of 1,000 runs gave a sample`, `16 samples from 3 runs`, `16 samples from 2
 * of 3 runs (1 gave none)`, `none of 1,000 runs gave a sample`.
 */
export function sampleSentence(metric: Pick<PointMetric, 'stats' | 'runsWithout' | 'cdfOver'> | undefined, runs: number): string {
  const count = metric?.stats?.count ?? 0;
  const runsText = `${formatNumber(runs)} run${runs === 1 ? '' : 's'}`;
  if (count === 0) return `none of ${runsText} gave a sample`;
  if (metric!.cdfOver === 'runs') return `${formatNumber(count)} of ${runsText} gave a sample`;
  const without = metric!.runsWithout;
  const samples = `${formatNumber(count)} sample${count === 1 ? '' : 's'}`;
  return without === 0 ? `${samples} from ${runsText}` : `${samples} from ${formatNumber(runs - without)} of ${runsText} (${formatNumber(without)} gave none)`;
}

/** A fraction of a CDF as a percentage to a tenth: `40%`, `97.5%`. */
export function formatFraction(fraction: number): string {
  return `${trimmed(fraction * 100, 1)}%`;
}
