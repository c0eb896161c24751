// The experiment report's script (bundled with d3 into the HTML file by reports/experiment-html.ts):
// draws each panel's CDFs (height out of runs or of samples, as each point's `cdfOver` says; the legend
// and hover give samples and runs, so a line that levels off below 100% is explained) and each metric
// against the first axis (a hollow mean where not every run gave a sample), with reference markers at
// every point they match, log/linear toggles, legends and hover labels. Assumes a browser.

import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleLog } from 'd3-scale';
import { pointer, select, type Selection } from 'd3-selection';
import type { ExperimentResult, MetricInfo, PointResult, ReferenceResult } from '../lab/experiment-model.js';
import { cdfOverText, formatFraction, formatReference, formatValue, sampleCountText, sampleSentence, STAT_FRACTION } from './experiment-format.js';
import { formatMicros } from '../sim/time.js';

/** Lines of a CDF, by first-axis value (Tableau 10). */
const LINE_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
/** Series of a metric-against-parameter chart, by panel. */
const PANEL_COLOURS = ['#1d4ed8', '#c2410c', '#047857', '#7c3aed', '#be123c', '#0e7490', '#a16207', '#4d7c0f'];
/** A chart's x (or y) axis starts logarithmic when its largest value is this many times its smallest. */
const LOG_SPREAD_MIN = 20;
const HEIGHT = 300;
const MARGIN = { top: 12, right: 18, bottom: 40, left: 58 };
const NS = 'http://www.w3.org/2000/svg';

let chartCount = 0;

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
type Scale = (v: number) => number;
interface AxisScale { (v: number): number; ticks(n?: number): number[]; domain(): number[]; range(): number[]; invert(v: number): number }

const result: ExperimentResult = JSON.parse(document.getElementById('experiment-data')!.textContent!);
const tooltip = document.getElementById('tooltip')!;

function showTooltip(html: string, x: number, y: number): void {
  tooltip.innerHTML = html;
  tooltip.hidden = false;
  const box = tooltip.getBoundingClientRect();
  tooltip.style.left = `${Math.min(x + 14, window.innerWidth - box.width - 8)}px`;
  tooltip.style.top = `${y + 14 + box.height > window.innerHeight ? y - box.height - 10 : y + 14}px`;
}
function hideTooltip(): void { tooltip.hidden = true; }

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Values a chart must show, and whether log suits them. */
function extent(values: readonly number[]): { low: number; high: number; lowPositive: number; logSuits: boolean } {
  let low = Infinity;
  let high = -Infinity;
  let lowPositive = Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    low = Math.min(low, v);
    high = Math.max(high, v);
    if (v > 0) lowPositive = Math.min(lowPositive, v);
  }
  if (!Number.isFinite(low)) return { low: 0, high: 1, lowPositive: 1, logSuits: false };
  if (high === low) high = low + (low === 0 ? 1 : Math.abs(low) * 0.1);
  return { low, high, lowPositive, logSuits: lowPositive < Infinity && high / lowPositive >= LOG_SPREAD_MIN };
}

/** A numeric scale over `e`, linear or log, on pixels `range`. */
function valueScale(e: ReturnType<typeof extent>, log: boolean, range: [number, number]): AxisScale {
  if (log && e.lowPositive < Infinity) {
    const s = scaleLog().domain([e.lowPositive / 1.15, e.high * 1.15]).range(range).clamp(true);
    return s as unknown as AxisScale;
  }
  const s = scaleLinear().domain([Math.min(0, e.low), e.high]).range(range).nice();
  return s as unknown as AxisScale;
}

/** Tick values: for a log scale, 1-2-5 steps that stay legible. */
function tickValues(scale: AxisScale, log: boolean, room: number): number[] {
  const count = Math.max(2, Math.floor(room / 70));
  if (!log) return scale.ticks(count);
  const [a, b] = scale.domain() as [number, number];
  // Mantissas 1-2-5, else 1-3, else powers of ten only: as many as the room allows.
  let ticks: number[] = [];
  for (const mantissas of [[1, 2, 5], [1, 3], [1]]) {
    ticks = [];
    for (let e = Math.floor(Math.log10(a)); e <= Math.ceil(Math.log10(b)); e++) {
      for (const m of mantissas) {
        const v = m * 10 ** e;
        if (v >= a && v <= b) ticks.push(v);
      }
    }
    if (ticks.length <= count) break;
  }
  return ticks;
}

function newSvg(container: HTMLElement, width: number, title: string, description: string): Svg {
  container.textContent = '';
  const svg = select(container).append('svg').attr('xmlns', NS).attr('width', width).attr('height', HEIGHT).attr('role', 'img');
  const id = `chart-${++chartCount}`;
  svg.attr('aria-labelledby', `${id}-title ${id}-desc`);
  svg.append('title').attr('id', `${id}-title`).text(title);
  svg.append('desc').attr('id', `${id}-desc`).text(description);
  return svg;
}

function drawAxes(svg: Svg, x: AxisScale, y: AxisScale, xLog: boolean, yLog: boolean, width: number, xFormat: (v: number) => string, yFormat: (v: number) => string, xLabel: string, yLabel: string): void {
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xTicks = tickValues(x, xLog, innerWidth);
  const yTicks = tickValues(y, yLog, innerHeight * 1.6);
  const grid = svg.append('g').attr('class', 'grid');
  for (const t of yTicks) grid.append('line').attr('x1', MARGIN.left).attr('x2', width - MARGIN.right).attr('y1', y(t)).attr('y2', y(t));
  for (const t of xTicks) grid.append('line').attr('x1', x(t)).attr('x2', x(t)).attr('y1', MARGIN.top).attr('y2', HEIGHT - MARGIN.bottom);
  svg.append('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
    .call(axisBottom(x as never).tickValues(xTicks).tickFormat((v) => xFormat(Number(v))) as never);
  svg.append('g').attr('class', 'axis y-axis').attr('transform', `translate(${MARGIN.left},0)`)
    .call(axisLeft(y as never).tickValues(yTicks).tickFormat((v) => yFormat(Number(v))) as never);
  svg.append('text').attr('class', 'axis-label').attr('x', MARGIN.left + innerWidth / 2).attr('y', HEIGHT - 6).attr('text-anchor', 'middle').text(xLabel);
  svg.append('text').attr('class', 'axis-label').attr('transform', `translate(13,${MARGIN.top + innerHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(yLabel);
}

/** A marker's outline at (x, y): a diamond for a published value, a triangle pointing the way a bound allows. */
function markerPath(x: number, y: number, bound: ReferenceResult['bound'], direction: 'x' | 'y'): string {
  const r = 6;
  if (bound === undefined) return `M${x},${y - r}L${x + r},${y}L${x},${y + r}L${x - r},${y}Z`;
  const sign = bound === 'at-least' ? 1 : -1;
  if (direction === 'x') {
    // ▷ (at least: ours should lie to the right) with an arrow shaft.
    return `M${x - sign * r},${y - r}L${x + sign * r},${y}L${x - sign * r},${y + r}Z M${x + sign * r},${y}H${x + sign * (r + 10)}`;
  }
  // On a y axis, up means larger.
  return `M${x - r},${y + sign * r}L${x},${y - sign * r}L${x + r},${y + sign * r}Z M${x},${y - sign * r}V${y - sign * (r + 10)}`;
}

/** Our value of a reference's statistic at point `index` (null: no sample there). */
function oursAt(ref: ReferenceResult, index: number): number | null {
  const j = ref.points.indexOf(index);
  return (ref.oursByPoint as readonly (number | null)[] | undefined)?.[j] ?? (j === 0 ? ref.ours : null);
}

/** Ours at a point as text: the value, or why there is none. */
function oursText(ref: ReferenceResult, metric: MetricInfo, p: PointResult): string {
  const ours = oursAt(ref, p.index);
  const pm = p.metrics[metric.name];
  if (ours === null) return `— (no sample: ${sampleSentence(pm, p.runs)})`;
  return `${formatValue(metric.unit, ours)}${pm !== undefined && pm.runsWithout > 0 ? ` (${sampleSentence(pm, p.runs)})` : ''}`;
}

function referenceText(ref: ReferenceResult, metric: MetricInfo, p: PointResult): string {
  return `<b>published ${esc(ref.stat)}: ${esc(formatReference(metric.unit, ref.value, ref.bound))}</b> · ours ${esc(oursText(ref, metric, p))}<br>${esc(ref.source)}${ref.note ? `<br>${esc(ref.note)}` : ''}`;
}

function setPressed(figure: HTMLElement, log: boolean): void {
  for (const b of figure.querySelectorAll<HTMLButtonElement>('.toolbar button')) b.setAttribute('aria-pressed', String((b.dataset.scale === 'log') === log));
}

// ---- CDF per panel ------------------------------------------------------------------------------

function cdfFigure(figure: HTMLElement): void {
  const group = result.groups[Number(figure.dataset.groupIndex)]!;
  const metric = result.metrics[Number(figure.dataset.metricIndex)]!;
  const points = figure.dataset.points!.split(',').filter((s) => s !== '').map((i) => result.points[Number(i)]!);
  const groupPoints = result.points.filter((p) => p.group === group.name);
  const groupIndexes = new Set(groupPoints.map((p) => p.index));
  const refs = result.references.filter((r) => r.metric === metric.name && r.points.some((i) => groupIndexes.has(i)));
  // One x range for all panels of the group, so they compare at a glance.
  const values: number[] = [];
  for (const p of groupPoints) for (const [v] of p.metrics[metric.name]?.cdf ?? []) values.push(v);
  for (const r of refs) values.push(r.value);
  const e = extent(values);
  let log = figure.dataset.log !== undefined ? figure.dataset.log === 'true' : e.logSuits;
  const hidden = new Set<number>();
  const colour = (p: PointResult) => LINE_COLOURS[(p.coords[0] ?? 0) % LINE_COLOURS.length]!;
  const chart = figure.querySelector<HTMLElement>('.cdf-chart')!;
  const legend = figure.querySelector<HTMLElement>('.legend')!;
  const unitLabel = metric.unit === 'duration' ? `${metric.name} (time)` : metric.name;
  // What the heights are out of: runs (at most one sample each), samples (several per run), or both.
  const over = cdfOverText(points.map((p) => p.metrics[metric.name]));

  legend.textContent = '';
  for (const p of points) {
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.dataset.point = String(p.index);
    const pm = p.metrics[metric.name];
    chip.title = sampleSentence(pm, p.runs);
    chip.innerHTML = `<i style="background:${colour(p)}"></i>${esc(p.label)} <span class="n">${esc(sampleCountText(pm, p.runs))}</span>`;
    chip.addEventListener('click', () => {
      if (hidden.has(p.index)) hidden.delete(p.index); else hidden.add(p.index);
      chip.classList.toggle('off', hidden.has(p.index));
      draw();
    });
    legend.appendChild(chip);
  }
  if (refs.some((r) => r.points.some((i) => points.some((p) => p.index === i)))) {
    const key = document.createElement('span');
    key.className = 'key';
    key.textContent = '◆ published · ▷ at least · ◁ at most · | published mean';
    legend.appendChild(key);
  }

  function draw(): void {
    figure.dataset.log = String(log);
    setPressed(figure, log);
    const width = Math.max(360, chart.clientWidth);
    const title = `CDF of ${metric.name}${points[0]?.panel ? `, ${points[0].panel}` : ''}: one line per ${group.axes[0]?.params.join(', ') ?? 'point'} (${points.map((p) => p.label).join(', ')})`;
    const svg = newSvg(chart, width, title, `x: ${metric.name} (${log ? 'log' : 'linear'} scale); y: fraction of ${over} at or below x${over === 'samples' ? '' : ' (a line whose runs did not all give a sample levels off below 100%)'}. Reference markers show published values.`);
    svg.attr('data-scale', log ? 'log' : 'linear');
    const x = valueScale(e, log, [MARGIN.left, width - MARGIN.right]);
    const y = scaleLinear().domain([0, 1]).range([HEIGHT - MARGIN.bottom, MARGIN.top]) as unknown as AxisScale;
    drawAxes(svg, x, y, log, false, width, (v) => formatValue(metric.unit, v), (v) => `${Math.round(v * 100)}%`, unitLabel, `fraction of ${over} at or below`);
    const [x0, x1] = x.range() as [number, number];
    const lines = svg.append('g').attr('class', 'lines');
    const shown = points.filter((p) => !hidden.has(p.index) && (p.metrics[metric.name]?.cdf.length ?? 0) > 0);
    for (const p of shown) {
      const cdf = p.metrics[metric.name]!.cdf;
      let d = `M${x0},${y(0)}H${x(cdf[0]![0])}`;
      for (const [v, f] of cdf) d += `H${x(v)}V${y(f)}`;
      d += `H${x1}`;
      lines.append('path').attr('class', 'cdf-line').attr('data-point', p.index).attr('data-label', p.label).attr('stroke', colour(p)).attr('d', d)
        .append('title').text(`${p.label}: ${sampleSentence(p.metrics[metric.name], p.runs)}`);
    }
    // Published values, in the colour of the line they belong to.
    const marks = svg.append('g').attr('class', 'references');
    for (const r of refs) {
      for (const i of r.points) {
        const p = points.find((q) => q.index === i);
        if (!p || hidden.has(p.index)) continue;
        const fraction = STAT_FRACTION[r.stat];
        const px = x(r.value);
        const g = marks.append('g').attr('class', 'ref-marker').attr('data-stat', r.stat).attr('data-point', p.index).attr('data-bound', r.bound ?? 'exact');
        if (fraction === null) {
          const base = y(0);
          // A published mean: an upright tick on the x axis; a bound adds an arrow the way it allows.
          const sign = r.bound === 'at-least' ? 1 : -1;
          const arrow = r.bound ? `M${px},${base - 18}h${sign * 10}m${-sign * 4},-4l${sign * 4},4l${-sign * 4},4` : '';
          g.append('path').attr('d', `M${px},${base}V${base - 18}${arrow}`).attr('stroke', colour(p)).attr('stroke-width', 3).attr('fill', 'none');
        } else {
          g.append('path').attr('d', markerPath(px, y(fraction), r.bound, 'x')).attr('stroke', colour(p)).attr('fill', r.bound ? '#fff' : colour(p));
        }
        g.append('title').text(`published ${r.stat} ${formatReference(metric.unit, r.value, r.bound)} (${r.source}); ours ${oursText(r, metric, p)}`);
        g.on('mousemove', (event: MouseEvent) => showTooltip(`${esc(p.label)}${p.panel ? ` · ${esc(p.panel)}` : ''}<br>${referenceText(r, metric, p)}`, event.clientX, event.clientY)).on('mouseleave', hideTooltip);
      }
    }
    // Hover: the line nearest the pointer, with its value and fraction there.
    const focus = svg.append('g').attr('class', 'focus').style('display', 'none');
    const guide = focus.append('line');
    const dot = focus.append('circle').attr('r', 4.5);
    svg.append('rect').attr('class', 'hover-target').attr('x', x0).attr('y', MARGIN.top).attr('width', x1 - x0).attr('height', HEIGHT - MARGIN.top - MARGIN.bottom)
      .attr('fill', 'transparent')
      .lower()
      .on('mousemove', (event: MouseEvent) => {
        const [mx, my] = pointer(event);
        const value = x.invert(mx);
        let best: { p: PointResult; f: number; at: number } | null = null;
        for (const p of shown) {
          const cdf = p.metrics[metric.name]!.cdf;
          let f = 0;
          let at = cdf[0]![0];
          for (const [v, fr] of cdf) { if (v > value) break; f = fr; at = v; }
          if (best === null || Math.abs(y(f) - my) < Math.abs(y(best.f) - my)) best = { p, f, at };
        }
        if (best === null) return;
        focus.style('display', null);
        guide.attr('x1', mx).attr('x2', mx).attr('y1', MARGIN.top).attr('y2', HEIGHT - MARGIN.bottom);
        dot.attr('cx', mx).attr('cy', y(best.f)).attr('stroke', colour(best.p));
        lines.selectAll<SVGPathElement, unknown>('path.cdf-line').classed('hot', function () { return this.getAttribute('data-point') === String(best!.p.index); });
        const pm = best.p.metrics[metric.name]!;
        const end = pm.cdf[pm.cdf.length - 1]![1];
        const levels = pm.cdfOver === 'runs' && end < 1 ? ` (the line ends at ${formatFraction(end)})` : '';
        showTooltip(`<b>${esc(best.p.label)}</b>${best.p.panel ? ` · ${esc(best.p.panel)}` : ''}<br>${formatFraction(best.f)} of ${pm.cdfOver} at or below ${esc(formatValue(metric.unit, value))}<br><span>last sample there: ${esc(formatValue(metric.unit, best.at, true))}</span><br><span>${esc(sampleSentence(pm, best.p.runs))}${levels}</span>`, event.clientX, event.clientY);
      })
      .on('mouseleave', () => {
        focus.style('display', 'none');
        lines.selectAll('path.cdf-line').classed('hot', false);
        hideTooltip();
      });
    // Keep the hover target under the markers (so they keep their own tooltips) but over the grid.
    svg.select('rect.hover-target').raise();
    marks.raise();
  }

  for (const b of figure.querySelectorAll<HTMLButtonElement>('.toolbar button')) {
    b.addEventListener('click', () => { log = b.dataset.scale === 'log'; draw(); });
  }
  draw();
  redraws.push(draw);
}

// ---- a metric against the first axis --------------------------------------------------------------

/** Whether an axis's text values are durations (`150ms`), so numeric positions are microseconds. */
function durationAxis(values: readonly (readonly string[])[]): boolean {
  return values.length > 0 && values.every((v) => v.length === 1 && /^\d+(\.\d+)?(us|ms|s|m|h)$/.test(v[0]!));
}

function paramFigure(figure: HTMLElement): void {
  const group = result.groups[Number(figure.dataset.groupIndex)]!;
  const metric = result.metrics[Number(figure.dataset.metricIndex)]!;
  const axis = group.axes[0]!;
  const points = result.points.filter((p) => p.group === group.name);
  const panels: string[] = [];
  for (const p of points) if (!panels.includes(p.panel)) panels.push(p.panel);
  const indexes = new Set(points.map((p) => p.index));
  const refs = result.references.filter((r) => r.metric === metric.name && r.points.some((i) => indexes.has(i)));
  const values: number[] = [];
  for (const p of points) {
    const s = p.metrics[metric.name]?.stats;
    if (s) values.push(s.meanCiLow, s.meanCiHigh, s.median, s.p99, s.mean);
  }
  for (const r of refs) values.push(r.value);
  const e = extent(values);
  let log = figure.dataset.log !== undefined ? figure.dataset.log === 'true' : e.logSuits;
  const numeric = axis.numeric && axis.numeric.length === axis.labels.length ? axis.numeric : null;
  const asDuration = numeric !== null && durationAxis(axis.values);
  const chart = figure.querySelector<HTMLElement>('.param-chart')!;
  const legend = figure.querySelector<HTMLElement>('.legend')!;
  const hidden = new Set<string>();
  const panelColour = (panel: string) => PANEL_COLOURS[panels.indexOf(panel) % PANEL_COLOURS.length]!;

  legend.textContent = '';
  for (const panel of panels) {
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.innerHTML = `<i style="background:${panelColour(panel)}"></i>${esc(panel || group.name)}`;
    chip.addEventListener('click', () => {
      if (hidden.has(panel)) hidden.delete(panel); else hidden.add(panel);
      chip.classList.toggle('off', hidden.has(panel));
      draw();
    });
    legend.appendChild(chip);
  }
  const key = document.createElement('span');
  key.className = 'key';
  const partial = points.some((p) => (p.metrics[metric.name]?.runsWithout ?? 0) > 0 && p.metrics[metric.name]?.stats);
  const empty = points.filter((p) => !p.metrics[metric.name]?.stats).map((p) => (p.panel ? `${p.label} · ${p.panel}` : p.label));
  key.textContent = `● mean with 95% CI band · ■ median (dotted) · p99 (dashed) · ◆ published${partial ? ' · ○ not every run gave a sample' : ''}${empty.length > 0 ? ` · no run gave a sample at ${empty.join(', ')}` : ''}`;
  legend.appendChild(key);

  function draw(): void {
    figure.dataset.log = String(log);
    setPressed(figure, log);
    const width = Math.max(360, chart.clientWidth);
    const svg = newSvg(chart, width, `${metric.name} against ${axis.params.join(', ')}: mean with its 95% confidence band, median and p99, one series per panel (${panels.map((p) => p || group.name).join(', ')})`,
      `x: ${axis.params.join(', ')}${numeric ? '' : ' (in axis order)'}; y: ${metric.name} (${log ? 'log' : 'linear'} scale).`);
    svg.attr('data-scale', log ? 'log' : 'linear');
    let xOf: (p: PointResult) => number;
    let xScale: AxisScale;
    let xFormat: (v: number) => string;
    if (numeric) {
      const ne = extent(numeric);
      xScale = scaleLinear().domain([ne.low, ne.high]).range([MARGIN.left + 10, width - MARGIN.right - 10]).nice() as unknown as AxisScale;
      xOf = (p) => xScale(numeric[p.coords[0] ?? 0]!);
      xFormat = (v) => (asDuration ? formatMicros(Math.round(v)) : formatValue('number', v));
    } else {
      // Categories in axis order, evenly spaced: index i sits at the middle of the i-th slot.
      const count = axis.labels.length;
      const slots = scaleLinear().domain([-0.5, count - 0.5]).range([MARGIN.left, width - MARGIN.right]);
      xScale = Object.assign(slots.copy(), { ticks: () => axis.labels.map((_, i) => i) }) as unknown as AxisScale;
      xOf = (p) => slots(p.coords[0] ?? 0);
      xFormat = (v) => axis.labels[Math.round(v)] ?? '';
    }
    const y = valueScale(e, log, [HEIGHT - MARGIN.bottom, MARGIN.top]);
    drawAxes(svg, xScale, y, false, log, width, xFormat, (v) => formatValue(metric.unit, v), axis.params.join(', '), metric.name);
    // Category labels that would collide are slanted.
    if (!numeric) {
      const slot = (width - MARGIN.left - MARGIN.right) / Math.max(1, axis.labels.length);
      if (Math.max(...axis.labels.map((l) => l.length)) * 6.2 > slot - 4) {
        svg.selectAll('.x-axis .tick text').attr('text-anchor', 'end').attr('dx', '-0.4em').attr('dy', '0.5em').attr('transform', 'rotate(-25)');
        svg.select('.axis-label').attr('display', 'none');
      }
    }
    for (const panel of panels) {
      if (hidden.has(panel)) continue;
      const series = points.filter((p) => p.panel === panel && p.metrics[metric.name]?.stats).sort((a, b) => xOf(a) - xOf(b));
      const colour = panelColour(panel);
      const g = svg.append('g').attr('class', 'series').attr('data-panel', panel);
      if (series.length === 0) continue;
      const s = (p: PointResult) => p.metrics[metric.name]!.stats!;
      const upper = series.map((p) => `${xOf(p)},${y(s(p).meanCiHigh)}`);
      const lower = series.map((p) => `${xOf(p)},${y(s(p).meanCiLow)}`).reverse();
      const bandPath = series.length === 1
        ? `M${xOf(series[0]!) - 5},${y(s(series[0]!).meanCiHigh)}H${xOf(series[0]!) + 5}V${y(s(series[0]!).meanCiLow)}H${xOf(series[0]!) - 5}Z`
        : `M${upper.join('L')}L${lower.join('L')}Z`;
      g.append('path').attr('class', 'ci-band').attr('fill', colour).attr('d', bandPath).append('title').text(`${panel || group.name}: 95% confidence interval of the mean`);
      const line = (stat: 'mean' | 'median' | 'p99') => `M${series.map((p) => `${xOf(p)},${y(s(p)[stat])}`).join('L')}`;
      g.append('path').attr('class', 'p99-line').attr('stroke', colour).attr('d', line('p99'));
      g.append('path').attr('class', 'median-line').attr('stroke', colour).attr('d', line('median'));
      g.append('path').attr('class', 'mean-line').attr('stroke', colour).attr('d', line('mean'));
      for (const p of series) {
        const st = s(p);
        const f = (v: number) => formatValue(metric.unit, v);
        const pm = p.metrics[metric.name]!;
        // Statistics are of the runs that gave a sample: a hollow mark says not every run did.
        const partialPoint = pm.runsWithout > 0;
        const counted = partialPoint ? `<br><b>${esc(sampleSentence(pm, p.runs))}</b>: these statistics are of those` : `<br>${esc(sampleSentence(pm, p.runs))}`;
        const text = `<b>${esc(p.label)}</b>${p.panel ? ` · ${esc(p.panel)}` : ''}<br>mean ${esc(f(st.mean))} (95% CI ${esc(f(st.meanCiLow))} – ${esc(f(st.meanCiHigh))})<br>median ${esc(f(st.median))} · p99 ${esc(f(st.p99))}${counted}`;
        g.append('rect').attr('class', 'median-point').attr('x', xOf(p) - 3).attr('y', y(st.median) - 3).attr('width', 6).attr('height', 6).attr('fill', partialPoint ? '#fff' : colour).attr('stroke', colour);
        g.append('circle').attr('class', `mean-point${partialPoint ? ' partial' : ''}`).attr('data-point', p.index).attr('data-samples', sampleCountText(pm, p.runs)).attr('cx', xOf(p)).attr('cy', y(st.mean)).attr('r', 4.5)
          .attr('fill', partialPoint ? '#fff' : colour).attr('stroke', partialPoint ? colour : '#fff').attr('stroke-width', partialPoint ? 2 : 1)
          .on('mousemove', (event: MouseEvent) => showTooltip(text, event.clientX, event.clientY)).on('mouseleave', hideTooltip)
          .append('title').text(text.replace(/<br>/g, '; ').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"'));
      }
    }
    const marks = svg.append('g').attr('class', 'references');
    for (const r of refs) {
      for (const i of r.points) {
        const p = result.points[i]!;
        if (p.group !== group.name || hidden.has(p.panel)) continue;
        const colour = panelColour(p.panel);
        const g = marks.append('g').attr('class', 'ref-marker').attr('data-stat', r.stat).attr('data-point', p.index).attr('data-bound', r.bound ?? 'exact');
        // Beside the point, so it does not hide our own marks.
        g.append('path').attr('d', markerPath(xOf(p) + 9, y(r.value), r.bound, 'y')).attr('stroke', colour).attr('fill', r.bound ? '#fff' : colour);
        g.append('title').text(`published ${r.stat} ${formatReference(metric.unit, r.value, r.bound)} (${r.source}); ours ${oursText(r, metric, p)}`);
        g.on('mousemove', (event: MouseEvent) => showTooltip(`${esc(p.label)}${p.panel ? ` · ${esc(p.panel)}` : ''}<br>${referenceText(r, metric, p)}`, event.clientX, event.clientY)).on('mouseleave', hideTooltip);
      }
    }
  }

  for (const b of figure.querySelectorAll<HTMLButtonElement>('.toolbar button')) {
    b.addEventListener('click', () => { log = b.dataset.scale === 'log'; draw(); });
  }
  draw();
  redraws.push(draw);
}

// ---- start --------------------------------------------------------------------------------------

const redraws: (() => void)[] = [];
for (const figure of document.querySelectorAll<HTMLElement>('figure.cdf-figure')) cdfFigure(figure);
for (const figure of document.querySelectorAll<HTMLElement>('figure.param-figure')) paramFigure(figure);

let resizeTimer = 0;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => { for (const r of redraws) r(); }, 150);
});

document.getElementById('download-json')?.addEventListener('click', (event) => {
  const button = event.currentTarget as HTMLButtonElement;
  const blob = new Blob([`${JSON.stringify(result, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = button.dataset.filename ?? 'experiment.json';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
});
document.body.dataset.ready = 'true';
