// How experiment reports (terminal, HTML and the page's script) write a metric's values and name its
// statistics: durations as `formatMicros` writes them, counts and plain numbers to three significant
// figures, ratios as percentages. Pure and small: the page's script bundles it too.

import type { MetricUnit } from '../sim/metrics.js';
import type { StatName } from '../lab/experiment-model.js';
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
