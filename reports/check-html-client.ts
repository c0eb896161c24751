// The `faultline check --report` page's script (bundled with d3 into the HTML file by reports/check-html.ts):
// draws each sub-history's operations as bars in client lanes on a time axis that zooms (wheel, buttons)
// and pans (drag, buttons), numbers the linearizable prefix, marks the blocked operation, explains on hover.
// Assumes a browser and the embedded data of reports/check-html-model.ts.

import { axisTop } from 'd3-axis';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import type { BarView, CheckReportData, SubHistoryView } from './check-html-model.js';
import { formatAxisTime, formatTick } from './check-html-time.js';
import { showTooltip } from './tooltip-client.js';

const LEFT = 120;
const RIGHT = 20;
const TOP = 34;
const BOTTOM = 10;
const ROW = 24;
const BAR = 14;
/** The deepest zoom: the window is never narrower than the whole axis divided by this. */
const ZOOM_MAX = 1e6;
/** Bars narrower than this are drawn this wide, so that an instant stays visible. */
const BAR_PIXELS_MIN = 2;

type Scale = ScaleLinear<number, number>;
type Svg = Selection<SVGSVGElement, unknown, null, undefined>;

const data: CheckReportData = JSON.parse(document.getElementById('check-data')!.textContent!);
const tooltip = document.getElementById('tooltip')!;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const time = (value: number): string => formatAxisTime(value, data.unit);

/** A bar's details, in words. */
function describeBar(view: SubHistoryView, bar: BarView): string {
  const lines = [`<b>#${bar.id} ${escapeHtml(view.lanes[bar.lane]?.name ?? bar.client)}</b>: ${escapeHtml(bar.text)}`];
  lines.push(`called ${time(bar.call)}, ${bar.ret === null ? 'open: no answer (it may or may not have taken effect)' : `returned ${time(bar.ret)}`}`);
  if (bar.order !== undefined) {
    lines.push(`<b>${bar.order}.</b> in the longest linearizable order, taking effect at ${time(bar.point!)}`);
    lines.push(`after it: <span class="state">${escapeHtml(bar.stateAfter!)}</span>`);
  }
  if (bar.blocked) {
    lines.push(`<b>blocked</b>: it had to take effect next, in <span class="state">${escapeHtml(bar.stateMet!)}</span>`);
    lines.push(`why not: <span class="why">${escapeHtml(bar.whyNot!)}</span>`);
  }
  if (bar.candidate) lines.push(`could not go next either, in <span class="state">${escapeHtml(bar.stateMet!)}</span>: <span class="why">${escapeHtml(bar.whyNot!)}</span>`);
  return lines.join('<br>');
}

/** The hatch that open bars are filled with, defined once for the page. */
function addPatterns(): void {
  const svg = select(document.body).append('svg').attr('width', 0).attr('height', 0).style('position', 'absolute');
  const hatch = svg.append('defs').append('pattern').attr('id', 'open-hatch').attr('patternUnits', 'userSpaceOnUse')
    .attr('width', 7).attr('height', 7).attr('patternTransform', 'rotate(45)');
  hatch.append('rect').attr('width', 7).attr('height', 7).attr('fill', '#f2f4f7');
  hatch.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 7).attr('stroke', '#c3c9d3').attr('stroke-width', 3);
}

interface Chart {
  readonly svg: Svg;
  readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  readonly baseX: Scale;
  readonly view: SubHistoryView;
}

function drawChart(container: HTMLElement, view: SubHistoryView): Chart {
  const width = Math.max(640, container.clientWidth);
  const height = TOP + Math.max(1, view.lanes.length) * ROW + BOTTOM;
  const baseX = scaleLinear().domain([view.start, view.end]).range([LEFT, width - RIGHT]);
  const svg = select(container).append('svg').attr('width', width).attr('height', height).attr('data-bars', view.bars.length) as Svg;
  const clipId = `clip-${container.dataset.index}`;
  svg.append('clipPath').attr('id', clipId).append('rect').attr('x', LEFT).attr('y', 0).attr('width', width - LEFT - RIGHT).attr('height', height);
  const laneY = (lane: number) => TOP + lane * ROW;
  const labels = svg.append('g');
  view.lanes.forEach((lane, i) => {
    labels.append('text').attr('class', lane.label === lane.name ? 'lane-label' : 'lane-label extra').attr('x', LEFT - 8).attr('y', laneY(i) + ROW / 2 + 4)
      .attr('text-anchor', 'end').text(lane.label.length > 16 ? `${lane.label.slice(0, 15)}…` : lane.label);
  });
  const grid = svg.append('g').attr('class', 'grid');
  view.lanes.forEach((_, i) => grid.append('line').attr('x1', LEFT).attr('x2', width - RIGHT).attr('y1', laneY(i) + ROW).attr('y2', laneY(i) + ROW));
  const axisG = svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${TOP - 6})`);
  // A transparent surface under the bars takes drags and wheels between them.
  svg.append('rect').attr('x', LEFT).attr('y', TOP).attr('width', width - LEFT - RIGHT).attr('height', height - TOP).attr('fill', 'transparent');
  const plot = svg.append('g').attr('clip-path', `url(#${clipId})`);
  const ordered = view.bars.filter((b) => b.order !== undefined).sort((a, b) => a.order! - b.order!);
  const line = plot.append('path').attr('class', 'order-line');
  const bars = plot.selectAll<SVGRectElement, BarView>('rect.bar').data(view.bars).join('rect')
    .attr('class', (b) => ['bar', b.ret === null ? 'open' : '', b.order !== undefined ? 'prefix' : '', b.blocked ? 'blocked' : '', b.candidate ? 'candidate' : ''].filter(Boolean).join(' '))
    .attr('data-id', (b) => b.id).attr('data-lane', (b) => b.lane)
    .attr('data-order', (b) => (b.order === undefined ? null : b.order))
    .attr('y', (b) => laneY(b.lane) + (ROW - BAR) / 2).attr('height', BAR).attr('rx', 2)
    .on('mouseover', function (event: MouseEvent, b) { select(this).classed('hot', true); showTooltip(tooltip, event, describeBar(view, b)); })
    .on('mousemove', (event: MouseEvent, b) => showTooltip(tooltip, event, describeBar(view, b)))
    .on('mouseout', function () { select(this).classed('hot', false); tooltip.hidden = true; });
  const texts = plot.selectAll<SVGTextElement, BarView>('text.bar-label').data(view.bars).join('text').attr('class', 'bar-label')
    .attr('y', (b) => laneY(b.lane) + ROW / 2 + 3.5);
  const orders = plot.selectAll<SVGTextElement, BarView>('text.order').data(ordered).join('text').attr('class', 'order')
    .attr('data-order', (b) => b.order!).attr('y', (b) => laneY(b.lane) + ROW / 2 + 3.5).text((b) => String(b.order));
  // The linearization points sit on the bars' lower edges, clear of the numbers.
  const pointY = (b: BarView) => laneY(b.lane) + (ROW + BAR) / 2;
  const points = plot.selectAll<SVGCircleElement, BarView>('circle.point').data(ordered).join('circle').attr('class', 'point').attr('r', 2.6)
    .attr('cy', pointY);
  const blocked = view.bars.filter((b) => b.blocked);
  const blockedLabels = plot.selectAll<SVGTextElement, BarView>('text.blocked-label').data(blocked).join('text').attr('class', 'blocked-label')
    .attr('y', (b) => laneY(b.lane) + (ROW - BAR) / 2 - 1).text('blocked');
  const windowLabel = container.parentElement!.querySelector<HTMLElement>('.window-label')!;

  const redraw = (x: Scale) => {
    const [from, to] = x.domain() as [number, number];
    svg.attr('data-window-start', from).attr('data-window-end', to);
    windowLabel.textContent = `${time(from)} – ${time(to)}`;
    const axis = axisTop(x).ticks(Math.max(2, Math.floor((width - LEFT - RIGHT) / 110))).tickFormat((v) => formatTick(Number(v), data.unit));
    if (data.unit === 'events') axis.tickValues(x.ticks(Math.max(2, Math.floor((width - LEFT - RIGHT) / 110))).filter(Number.isInteger));
    axisG.call(axis);
    const right = x.range()[1]! + 1;
    const x0 = (b: BarView) => x(b.call);
    const x1 = (b: BarView) => (b.ret === null ? Math.max(right, x(view.end)) : Math.max(x(b.ret), x(b.call) + BAR_PIXELS_MIN));
    bars.attr('x', x0).attr('width', (b) => Math.max(BAR_PIXELS_MIN, x1(b) - x0(b)));
    texts.attr('x', (b) => Math.max(LEFT, x0(b)) + (b.order !== undefined ? 22 : 4)).text((b) => {
      const room = Math.min(x1(b), right) - Math.max(LEFT, x0(b)) - (b.order !== undefined ? 26 : 8);
      const words = b.ret === null ? `open · ${b.text}` : b.text;
      const chars = Math.floor(room / 6.2);
      if (chars < 4) return '';
      return words.length > chars ? `${words.slice(0, chars - 1)}…` : words;
    });
    // The number sits inside a bar wide enough for it (dark on an open bar's light hatch), else just right of the bar's start.
    orders.attr('x', (b) => Math.max(LEFT, x0(b)) + 3).classed('outside', (b) => b.ret === null || x1(b) - x0(b) < 18);
    points.attr('cx', (b) => x(b.point!));
    line.attr('d', ordered.length < 2 ? null : `M${ordered.map((b) => `${x(b.point!)},${pointY(b)}`).join('L')}`);
    blockedLabels.attr('x', (b) => Math.max(LEFT, x0(b)));
  };

  const zoomer = zoom<SVGSVGElement, unknown>()
    .scaleExtent([1, ZOOM_MAX])
    .extent([[LEFT, 0], [width - RIGHT, height]])
    .translateExtent([[LEFT, -1e6], [width - RIGHT, 1e6]])
    .on('zoom', (event: D3ZoomEvent<SVGSVGElement, unknown>) => redraw(event.transform.rescaleX(baseX)));
  svg.call(zoomer).on('dblclick.zoom', null);
  redraw(baseX);
  const chart = { svg, zoomer, baseX, view };
  // A failure opens on its story (the order and the blocked operation); anything else on everything.
  if (view.window[0] > view.start || view.window[1] < view.end) showWindow(chart, view.window[0], view.window[1]);
  return chart;
}

/** Shows [from, to] of the chart's axis (clamped to it). */
function showWindow(chart: Chart, from: number, to: number): void {
  const [start, end] = chart.baseX.domain() as [number, number];
  const span = end - start;
  const width = Math.min(span, Math.max(span / ZOOM_MAX, to - from));
  const left = Math.min(Math.max(start, from), end - width);
  const k = span / width;
  chart.svg.call(chart.zoomer.transform, zoomIdentity.translate(LEFT - k * chart.baseX(left), 0).scale(k));
}

function currentWindow(chart: Chart): [number, number] {
  return [Number(chart.svg.attr('data-window-start')), Number(chart.svg.attr('data-window-end'))];
}

function wireToolbar(section: HTMLElement, chart: Chart): void {
  section.querySelector('.toolbar')!.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest('button');
    if (button === null) return;
    const [from, to] = currentWindow(chart);
    const width = to - from;
    const centre = (from + to) / 2;
    switch (button.dataset.action) {
      case 'zoom-in': return showWindow(chart, centre - width / 4, centre + width / 4);
      case 'zoom-out': return showWindow(chart, centre - width, centre + width);
      case 'earlier': return showWindow(chart, from - width / 2, to - width / 2);
      case 'later': return showWindow(chart, from + width / 2, to + width / 2);
      case 'all': return chart.svg.call(chart.zoomer.transform, zoomIdentity);
      case 'blocked': {
        const bar = chart.view.bars.find((b) => b.blocked);
        if (bar === undefined) return;
        const end = bar.ret ?? chart.view.end;
        const pad = Math.max(end - bar.call, (chart.view.end - chart.view.start) / 50);
        return showWindow(chart, bar.call - pad * 2, end + pad * 2);
      }
    }
  });
}

addPatterns();
for (const section of document.querySelectorAll<HTMLElement>('section.sub-history')) {
  const container = section.querySelector<HTMLElement>('.chart')!;
  const view = data.subHistories[Number(container.dataset.index)]!;
  wireToolbar(section, drawChart(container, view));
}
