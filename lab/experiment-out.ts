// What an experiment writes besides its terminal rendering: `--json` (the result, keys in a fixed
// order), `--csv` (one row per grid point × metric) and the `faultline list --experiments` catalogue.
// Every figure comes from the ExperimentResult, which holds no wall-clock time, so these are deterministic.

import { formatMicros } from '../sim/time.js';
import type { ExperimentFile, ExperimentResult } from './experiment-model.js';
import { gridSize, parseAxis } from './experiment-grid.js';
import { metricUnitLabel } from './experiment.js';
import { formatCount, plural } from '../reports/text.js';

/** `--json`: the result as one line. Its key order is the order the result was built in (fixed). */
export function experimentJson(result: ExperimentResult): string {
  return JSON.stringify(result) + '\n';
}

/** The CSV columns before the varied parameters' and after them. */
const CSV_HEAD = ['group', 'scenario', 'point'];
const CSV_TAIL = ['runs', 'pass', 'safety', 'liveness', 'metric', 'unit', 'count', 'min', 'p10', 'median', 'mean', 'ci low', 'ci high', 'p90', 'p99', 'max', 'runs without'];

/**
 * `--csv`: a header, then one row per point × metric: group, scenario, the point's label, each varied
 * parameter but scenario (a column per name, in first-seen order; empty where a group does not vary it), the outcome
 * counts, the metric and its unit (`us` for durations), its statistics (empty when it had no sample)
 * and the runs that gave no sample. RFC 4180 quoting.
 */
export function experimentCsv(result: ExperimentResult): string {
  const params: string[] = [];
  // A scenario axis is the scenario column already, so it has no column of its own.
  for (const group of result.groups) for (const axis of group.axes) for (const p of axis.params) if (p !== 'scenario' && !params.includes(p)) params.push(p);
  const rows: string[][] = [[...CSV_HEAD, ...params, ...CSV_TAIL]];
  for (const point of result.points) {
    for (const metric of result.metrics) {
      const m = point.metrics[metric.name]!;
      const s = m.stats;
      const stats = s === null ? Array(10).fill('') : [s.count, s.min, s.p10, s.median, s.mean, s.meanCiLow, s.meanCiHigh, s.p90, s.p99, s.max].map(String);
      rows.push([
        point.group, point.scenario, point.panel === '' ? point.label : `${point.label} · ${point.panel}`,
        ...params.map((p) => point.params[p] ?? ''),
        String(point.runs), String(point.outcomes.pass), String(point.outcomes.safetyViolation), String(point.outcomes.livenessViolation),
        metric.name, metricUnitLabel(metric.unit), ...stats, String(m.runsWithout),
      ]);
    }
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One shipped experiment as `list --experiments` shows it. */
export interface ExperimentListing {
  readonly name: string;
  readonly title: string;
  readonly scenarios: readonly string[];
  /** Grid points over all groups. */
  readonly points: number;
  readonly seeds: string;
  readonly runs: number;
  readonly metrics: readonly string[];
}

/** The listing of a shape-checked file (grid sizes from its axes; scenarios from the file and any scenario axis). */
export function experimentListing(file: ExperimentFile): ExperimentListing {
  const groups = file.groups ?? [{ name: file.name, vary: file.vary ?? [] }];
  const scenarios: string[] = [];
  const add = (name: string | undefined) => {
    if (name !== undefined && !scenarios.includes(name)) scenarios.push(name);
  };
  let points = 0n;
  for (const group of groups) {
    const axes = group.vary.map((a) => parseAxis(typeof a === 'string' ? a : a.vary, `${file.name}: vary`));
    const scenarioAxis = axes.find((a) => a.params[0] === 'scenario');
    if (scenarioAxis) for (const v of scenarioAxis.values) add(v[0]);
    else add(group.scenario ?? file.scenario);
    points += gridSize(axes.map((a) => a.values.length));
  }
  const [from, to] = file.seeds.split('..').map(Number);
  const seedCount = to === undefined ? 1 : to! - from! + 1;
  return { name: file.name, title: file.title, scenarios, points: Number(points), seeds: file.seeds, runs: Number(points) * seedCount, metrics: file.metrics };
}

/** `list --experiments` as text: a line per experiment and how to run one. */
export function renderExperimentList(listings: readonly ExperimentListing[]): string {
  if (listings.length === 0) return 'no experiments are shipped with this faultline';
  const lines = ['experiments (faultline experiment NAME):', ''];
  for (const l of listings) {
    lines.push(`  ${l.name}`);
    lines.push(`    ${l.title}`);
    lines.push(`    ${l.scenarios.join(', ')} · ${plural(l.points, 'grid point')} × seeds ${l.seeds} = ${plural(l.runs, 'run')} · metrics: ${l.metrics.join(', ')}`);
  }
  return lines.join('\n');
}

/** A value of a metric as people read it (durations as `12.5ms`). */
export function formatMetricValue(value: number, unit: string): string {
  if (unit === 'duration') return formatMicros(Math.round(value));
  if (unit === 'ratio') return value.toFixed(3);
  if (unit === 'count' && Number.isInteger(value)) return formatCount(value);
  return String(Math.round(value * 100) / 100);
}
