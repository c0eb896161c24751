// The terminal rendering of an experiment result: per group and panel, a fitted table per metric (samples
// per run, median, mean with its 95% interval, p99, max), a one-line text CDF per point on an x range
// shared by the group's panels (its height out of runs or of samples, as the result says, so a line whose
// runs did not all give a sample stays low), the outcome counts (a safety failure stands out) and
// published references beside ours at every point they match.

import { Chalk, type ChalkInstance } from 'chalk';
import { stripVTControlCharacters } from 'node:util';
import type { ExperimentResult, GroupInfo, MetricInfo, PointMetric, PointResult, ReferenceResult } from '../lab/experiment-model.js';
import type { MetricStats } from '../lab/stats.js';
import { paint } from './colour.js';
import { cdfOverText, formatDifference, formatReference, formatValue, meetsBound, sampleCountText, sampleSentence } from './experiment-format.js';
import { fittedTable, formatCount, plural, visibleWidth, wrapHanging, wrapParagraph } from './text.js';

/** How the terminal rendering is laid out. */
export interface ExperimentTerminalOptions {
  /** Colour (bold headings, red safety failures); none at all when false. */
  readonly color: boolean;
  /** Columns to fit (every line is at most this wide). */
  readonly width: number;
}

/** Eight heights of a sparkline cell, lowest first. */
const BLOCKS = '▁▂▃▄▅▆▇█';
/** A CDF line is at most this many cells long. */
const SPARK_CELLS_MAX = 60;
const SPARK_CELLS_MIN = 10;
/** A CDF's x axis is logarithmic when its largest value is this many times its smallest (positive) one. */
export const LOG_SPREAD_MIN = 20;

/** The result as text that fits `options.width` columns. */
export function renderExperimentTerminal(result: ExperimentResult, options: { color: boolean; width: number }): string {
  const width = Math.max(40, Math.floor(options.width));
  const c: ChalkInstance = new Chalk({ level: options.color ? Math.max(1, paint.level) as 1 | 2 | 3 : 0 });
  const lines: string[] = [];
  lines.push(wrapParagraph(c.bold(result.title), width));
  const seeds = result.seeds.from === result.seeds.to ? `seed ${result.seeds.from}` : `seeds ${result.seeds.from}..${result.seeds.to}`;
  lines.push(wrapParagraph(`${result.name} · faultline ${result.version} · ${seeds} · ${outcomeText(c, result.runs, result.outcomes)}`, width));
  if (result.set.length > 0) lines.push(wrapHanging('set: ', result.set.join(' '), width));
  for (const m of result.metrics) lines.push(wrapHanging(`${c.bold(m.name)} (${m.unit}): `, m.description, width));

  for (const group of result.groups) {
    lines.push('', wrapParagraph(c.bold.underline(`${group.name}${group.title && group.title !== group.name ? ` — ${group.title}` : ''}`), width));
    const first = group.axes[0];
    if (first) {
      const others = group.axes.slice(1).map((a) => a.params.join(','));
      lines.push(wrapParagraph(`rows: ${first.params.join(',')}${others.length > 0 ? `; panels: ${others.join(' × ')}` : ''}`, width));
    }
    const points = result.points.filter((p) => p.group === group.name);
    for (const panel of panelsOf(points)) {
      const inPanel = points.filter((p) => p.panel === panel);
      const runs = inPanel.reduce((n, p) => n + p.runs, 0);
      const outcomes = sumOutcomes(inPanel);
      lines.push('', wrapParagraph(`${c.bold(panel === '' ? group.name : panel)}: ${outcomeText(c, runs, outcomes)}`, width));
      for (const metric of result.metrics) {
        lines.push(metricTable(c, metric, inPanel, width));
        lines.push(...cdfLines(c, metric, inPanel, points, width));
      }
    }
    const refs = result.references.filter((r) => r.points.some((i) => result.points[i]?.group === group.name));
    if (refs.length > 0) lines.push('', ...referenceLines(c, result, group, refs, width));
  }
  const text = lines.join('\n');
  return options.color ? text : stripVTControlCharacters(text);
}

/** Panels in grid order. */
function panelsOf(points: readonly PointResult[]): string[] {
  const seen: string[] = [];
  for (const p of points) if (!seen.includes(p.panel)) seen.push(p.panel);
  return seen;
}

function sumOutcomes(points: readonly PointResult[]): PointResult['outcomes'] {
  let pass = 0;
  let safetyViolation = 0;
  let livenessViolation = 0;
  for (const p of points) {
    pass += p.outcomes.pass;
    safetyViolation += p.outcomes.safetyViolation;
    livenessViolation += p.outcomes.livenessViolation;
  }
  return { pass, safetyViolation, livenessViolation };
}

function outcomeText(c: ChalkInstance, runs: number, o: PointResult['outcomes']): string {
  const parts = [`${formatCount(o.pass)} pass`];
  if (o.safetyViolation > 0) parts.push(c.bold.red(`${formatCount(o.safetyViolation)} SAFETY VIOLATION${o.safetyViolation === 1 ? '' : 'S'}`));
  if (o.livenessViolation > 0) parts.push(c.yellow(`${formatCount(o.livenessViolation)} liveness`));
  return `${plural(runs, 'run')}: ${parts.join(' · ')}`;
}

function failText(c: ChalkInstance, p: PointResult): string {
  const parts: string[] = [];
  if (p.outcomes.safetyViolation > 0) parts.push(c.bold.red(`${p.outcomes.safetyViolation} SAFETY`));
  if (p.outcomes.livenessViolation > 0) parts.push(c.yellow(`${p.outcomes.livenessViolation} liveness`));
  return parts.length === 0 ? '—' : parts.join(' ');
}

/** No-break space: keeps an interval on one line when a narrow column wraps the mean above it. */
const NBSP = '\u00a0';

/** `189ms [145ms, 265ms]`: the mean and its 95% interval, which need not be symmetric about it. */
export function meanText(unit: MetricInfo['unit'], s: MetricStats): string {
  return `${formatValue(unit, s.mean)} [${formatValue(unit, s.meanCiLow)},${NBSP}${formatValue(unit, s.meanCiHigh)}]`;
}

function metricTable(c: ChalkInstance, metric: MetricInfo, points: readonly PointResult[], width: number): string {
  const failing = points.some((p) => p.outcomes.safetyViolation + p.outcomes.livenessViolation > 0);
  // Over runs, `402/1,000` is samples of runs; over samples, several come from one run: `16 (3 runs)`.
  const perRun = points.some((p) => p.metrics[metric.name]?.cdfOver === 'samples');
  const head = ['point', perRun ? 'samples (runs)' : 'samples/runs', ...(failing ? ['failed'] : []), 'median', 'mean [95% CI]', 'p99', 'max'];
  const rows = points.map((p) => {
    const m = p.metrics[metric.name];
    const s = m?.stats ?? null;
    const f = (v: number) => formatValue(metric.unit, v);
    return [
      p.label, sampleCountText(m, p.runs), ...(failing ? [failText(c, p)] : []),
      s ? f(s.median) : '—', s ? meanText(metric.unit, s) : '—', s ? f(s.p99) : '—', s ? f(s.max) : '—',
    ];
  });
  // Columns that cannot fit without breaking words are left out, least telling first.
  const dropped: string[] = [];
  for (const name of DROP_ORDER) {
    if (tableWidthMin(head, rows) <= width) break;
    const column = head.indexOf(name);
    head.splice(column, 1);
    for (const row of rows) row.splice(column, 1);
    dropped.push(name);
  }
  const note = dropped.length > 0 ? ` · ${dropped.join(', ')} left out to fit ${width} columns` : '';
  return `${wrapParagraph(c.dim(`${metric.name} (${metric.unit})${note}`), width)}\n${fittedTable(head, rows, width)}`;
}

/** Columns of a metric's table dropped, in this order, when it cannot fit whole words. */
const DROP_ORDER = ['p99', 'median', 'max'];

/** The narrowest a table can be without breaking a word (cells wrap at spaces, not at no-break spaces). */
function tableWidthMin(head: readonly string[], rows: readonly (readonly string[])[]): number {
  let total = head.length + 1;
  for (const [c, h] of head.entries()) {
    const cells = [h, ...rows.map((r) => r[c] ?? '')];
    total += 2 + Math.max(1, ...cells.flatMap((cell) => stripVTControlCharacters(cell).split(/[ \t\n]+/).map(visibleWidth)));
  }
  return total;
}

/** The x range of a metric's CDFs over a group's points, and whether it is drawn on a log scale. */
export function cdfRange(points: readonly PointResult[], metric: string): { low: number; high: number; log: boolean } | null {
  let low = Infinity;
  let high = -Infinity;
  let lowPositive = Infinity;
  for (const p of points) {
    for (const [v] of p.metrics[metric]?.cdf ?? []) {
      low = Math.min(low, v);
      high = Math.max(high, v);
      if (v > 0) lowPositive = Math.min(lowPositive, v);
    }
  }
  if (!Number.isFinite(low)) return null;
  const log = lowPositive < Infinity && high / lowPositive >= LOG_SPREAD_MIN;
  return { low: log ? lowPositive : low, high, log };
}

/** The fraction (of runs or of samples, as the CDF is) at or below `x` on a step CDF: never rescaled, so a CDF that ends below 1 stays there. */
export function cdfAt(cdf: readonly (readonly [number, number])[], x: number): number {
  let fraction = 0;
  for (const [v, f] of cdf) {
    if (v > x) break;
    fraction = f;
  }
  return fraction;
}

/**
 * One text CDF per point: a cell per slice of the shared x range, as high as the fraction done by its end
 * (out of runs or of samples, as the result's `cdfOver` says), then the point's samples and runs.
 */
function cdfLines(c: ChalkInstance, metric: MetricInfo, points: readonly PointResult[], groupPoints: readonly PointResult[], width: number): string[] {
  const range = cdfRange(groupPoints, metric.name);
  if (range === null) return [];
  const labelWidth = Math.min(24, Math.max(...points.map((p) => visibleWidth(p.label))));
  const counts = points.map((p) => sampleCountText(p.metrics[metric.name], p.runs));
  const countWidth = Math.max(...counts.map(visibleWidth));
  const cells = Math.min(SPARK_CELLS_MAX, width - labelWidth - 5 - countWidth);
  if (cells < SPARK_CELLS_MIN) return [];
  const metrics: (PointMetric | undefined)[] = points.map((p) => p.metrics[metric.name]);
  const over = cdfOverText(metrics);
  const levels = over !== 'samples' && metrics.some((m) => m?.cdfOver === 'runs' && m.runsWithout > 0)
    ? ' (a line stays below the top when not every run gave a sample)' : '';
  const xAt = (i: number) => {
    const t = (i + 1) / cells;
    return range.log ? range.low * Math.pow(range.high / range.low, t) : range.low + (range.high - range.low) * t;
  };
  const lines = [c.dim(`CDF of ${metric.name}: x from ${formatValue(metric.unit, range.low)} to ${formatValue(metric.unit, range.high)}${range.log ? ' (log scale)' : ''}, height = fraction of ${over} at or below${levels}; then ${over === 'runs' ? 'samples/runs' : 'samples (runs)'}`)].map((l) => wrapParagraph(l, width));
  for (const [pi, p] of points.entries()) {
    const cdf = p.metrics[metric.name]?.cdf ?? [];
    let spark = '';
    for (let i = 0; i < cells; i++) {
      const f = cdfAt(cdf, xAt(i));
      spark += f <= 0 ? '·' : BLOCKS[Math.min(BLOCKS.length - 1, Math.max(0, Math.ceil(f * BLOCKS.length) - 1))];
    }
    const label = fitLabel(p.label, labelWidth);
    lines.push(`  ${label} ${cdf.length === 0 ? c.dim(sampleSentence(p.metrics[metric.name], p.runs)) : `${c.cyan(spark)} ${c.dim(counts[pi]!)}`}`);
  }
  // Ends of the x range under the sparklines.
  const lowText = formatValue(metric.unit, range.low);
  const highText = formatValue(metric.unit, range.high);
  const gap = Math.max(1, cells - lowText.length - highText.length);
  lines.push(c.dim(`  ${' '.repeat(labelWidth)} ${lowText}${' '.repeat(gap)}${highText}`));
  return lines;
}

function fitLabel(label: string, room: number): string {
  const w = visibleWidth(label);
  if (w <= room) return label + ' '.repeat(room - w);
  return [...label].slice(0, room - 1).join('') + '…';
}

/** Our value of a reference's statistic at its `j`-th matched point (null: no sample there). */
function oursAt(r: ReferenceResult, j: number): number | null {
  return (r.oursByPoint as readonly (number | null)[] | undefined)?.[j] ?? (j === 0 ? r.ours : null);
}

/**
 * Per metric, a table of published values beside ours: a row per point a reference matches (the first
 * row of each reference carries its source, statistic and value). Where no run of a point gave a sample,
 * it says so instead of a difference or a verdict on a bound; where only some did, it says how many.
 */
function referenceLines(c: ChalkInstance, result: ExperimentResult, group: GroupInfo, refs: readonly ReferenceResult[], width: number): string[] {
  const unitOf = (name: string) => result.metrics.find((m) => m.name === name)?.unit ?? 'number';
  const sources: string[] = [];
  const lines: string[] = [];
  const metrics = result.metrics.map((m) => m.name).filter((name) => refs.some((r) => r.metric === name));
  for (const name of [...metrics, ...new Set(refs.map((r) => r.metric).filter((n) => !metrics.includes(n)))]) {
    const unit = unitOf(name);
    const rows: string[][] = [];
    for (const r of refs.filter((ref) => ref.metric === name)) {
      let source = sources.indexOf(r.source);
      if (source < 0) source = sources.push(r.source) - 1;
      let first = true;
      for (const [j, i] of r.points.entries()) {
        const point = result.points[i];
        if (point?.group !== group.name) continue;
        const where = point.panel ? `${point.label} · ${point.panel}` : point.label;
        const ours = oursAt(r, j);
        const pm = point.metrics[name];
        const meets = meetsBound(ours, r.value, r.bound);
        let diff = ours === null ? sampleSentence(pm, point.runs)
          : meets === null ? `${formatDifference(unit, ours - r.value)}${r.value !== 0 ? ` (${percent((ours - r.value) / r.value)})` : ''}`
          : meets ? c.green('meets bound') : c.red('outside bound');
        if (ours !== null && pm !== undefined && pm.runsWithout > 0) diff += `; ${sampleSentence(pm, point.runs)}`;
        rows.push([first ? `[${source + 1}]` : '', where, first ? r.stat : '', first ? formatReference(unit, r.value, r.bound) : '', ours === null ? '—' : formatValue(unit, ours), diff]);
        first = false;
      }
    }
    if (rows.length === 0) continue;
    lines.push(c.bold(`${group.name}: published values of ${name} beside ours`));
    lines.push(fittedTable(['src', 'point', 'stat', 'published', 'ours', 'difference'], rows, width));
  }
  for (const [i, s] of sources.entries()) lines.push(wrapHanging(`[${i + 1}] `, s, width));
  for (const r of refs) if (r.note) lines.push(wrapHanging('note: ', r.note, width));
  return lines;
}

function percent(fraction: number): string {
  const p = Math.round(fraction * 100);
  return `${p > 0 ? '+' : ''}${p}%`;
}
