// The report page's queue chart (bundled with d3 into the HTML file by reports/html.ts, only for a run
// whose backends sampled their queues): one row per backend, its waiting and in-service requests over the
// whole run as step areas on one shared scale, with the sample under the pointer in the tooltip.
// Assumes a browser, the page's embedded run data (`#run-data`) and its `#tooltip` element.

import { axisTop } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { pointer, select } from 'd3-selection';
import { formatMicros } from '../sim/time.js';
import type { BackendQueue, QueueReportData } from './html-queues-model.js';
import { showTooltip } from './tooltip-client.js';

const LEFT = 92;
const RIGHT = 18;
const TOP = 24;
const ROW_HEIGHT = 22;
const ROW_GAP = 4;
const COLOURS = { waiting: '#c7d2fe', service: '#6366f1', row: '#f5f7fb', guide: '#111827' } as const;

const data: QueueReportData = JSON.parse(document.getElementById('run-data')!.textContent!);
const queues: readonly BackendQueue[] = data.backendQueues ?? [];
const END = Math.max(1, data.run.endMicros);
const tooltip = document.getElementById('tooltip')!;
/** The most requests a backend held in one of its samples. */
function heldMax(q: BackendQueue): number {
  let most = 0;
  for (let i = 0; i < q.at.length; i++) most = Math.max(most, q.queued[i]! + q.inService[i]!);
  return most;
}
/** The most requests any backend held in one sample: the height of a full row. */
const HELD_MAX = Math.max(1, ...queues.map(heldMax));

/** How long each of a backend's samples holds: until the next, but at most twice its median interval (a crash leaves a gap). */
function holdMicros(q: BackendQueue): number {
  const gaps: number[] = [];
  for (let i = 1; i < q.at.length; i++) gaps.push(q.at[i]! - q.at[i - 1]!);
  gaps.sort((a, b) => a - b);
  return gaps.length === 0 ? END : 2 * gaps[Math.floor(gaps.length / 2)]!;
}

/** The index of the last sample at or before `t`, or -1. */
function sampleAt(q: BackendQueue, t: number): number {
  let lo = 0;
  let hi = q.at.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (q.at[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function draw(): void {
  const host = select(document.getElementById('queues')!);
  host.selectAll('*').remove();
  const width = Math.max(640, (host.node() as HTMLElement).clientWidth);
  const x = scaleLinear().domain([0, END]).range([LEFT, width - RIGHT]);
  const height = TOP + queues.length * (ROW_HEIGHT + ROW_GAP) + 4;
  const rowY = (row: number) => TOP + row * (ROW_HEIGHT + ROW_GAP);
  const y = (value: number) => (value / HELD_MAX) * (ROW_HEIGHT - 2);
  const svg = host.append('svg').attr('width', width).attr('height', height).attr('data-backends', queues.length).attr('data-held-max', HELD_MAX);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${TOP - 6})`)
    .call(axisTop(x).ticks(Math.max(2, Math.floor(width / 110))).tickFormat((d) => formatMicros(Number(d))));
  const holds = queues.map(holdMicros);
  queues.forEach((q, row) => {
    const id = data.nodes[q.node]?.id ?? String(q.node);
    const bottom = rowY(row) + ROW_HEIGHT - 1;
    svg.append('text').attr('class', 'row-label').attr('x', LEFT - 8).attr('y', rowY(row) + ROW_HEIGHT - 6).attr('text-anchor', 'end').text(id);
    svg.append('rect').attr('x', x(0)).attr('y', rowY(row)).attr('width', x(END) - x(0)).attr('height', ROW_HEIGHT).attr('fill', COLOURS.row);
    // Step areas: each sample holds until the next (or its hold runs out); in service at the bottom, waiting above it.
    let total = '';
    let service = '';
    for (let i = 0; i < q.at.length; i++) {
      const from = x(q.at[i]!);
      const to = x(Math.min(END, i + 1 < q.at.length ? Math.min(q.at[i + 1]!, q.at[i]! + holds[row]!) : q.at[i]! + holds[row]!));
      const w = Math.max(0.5, to - from).toFixed(2);
      const held = q.queued[i]! + q.inService[i]!;
      if (held > 0) total += `M${from.toFixed(2)},${(bottom - y(held)).toFixed(2)}h${w}V${bottom}h-${w}Z`;
      if (q.inService[i]! > 0) service += `M${from.toFixed(2)},${(bottom - y(q.inService[i]!)).toFixed(2)}h${w}V${bottom}h-${w}Z`;
    }
    svg.append('path').attr('class', 'queue-total').attr('data-node', id).attr('d', total).attr('fill', COLOURS.waiting);
    svg.append('path').attr('class', 'queue-service').attr('data-node', id).attr('d', service).attr('fill', COLOURS.service);
    const most = heldMax(q);
    svg.append('text').attr('x', width - RIGHT - 2).attr('y', rowY(row) + 10).attr('text-anchor', 'end').attr('font-size', 10).attr('fill', '#667085').text(`max ${most}`);
  });
  // The recovery phase, shaded over the rows as on the timeline.
  const recoveryFrom = x(data.run.recoveryStartMicros);
  svg.append('rect').attr('class', 'queue-recovery').attr('x', recoveryFrom).attr('y', TOP - 4).attr('width', Math.max(0, x(END) - recoveryFrom))
    .attr('height', height - TOP).attr('fill', '#4f46e5').attr('fill-opacity', 0.07).attr('pointer-events', 'none');
  const guide = svg.append('line').attr('class', 'queue-guide').attr('y1', TOP - 4).attr('y2', height).attr('stroke', COLOURS.guide)
    .attr('stroke-width', 1).attr('stroke-dasharray', '3 2').attr('visibility', 'hidden');
  svg.on('mousemove', (event: MouseEvent) => {
    const [px, py] = pointer(event, svg.node());
    const row = Math.floor((py - TOP) / (ROW_HEIGHT + ROW_GAP));
    const q = queues[row];
    const t = x.invert(px);
    if (q === undefined || px < LEFT || t > END) return hide(guide);
    const i = sampleAt(q, t);
    guide.attr('x1', px).attr('x2', px).attr('visibility', 'visible');
    const id = esc(data.nodes[q.node]?.id ?? String(q.node));
    const html = i < 0
      ? `<b>${id}</b> at ${formatMicros(Math.round(t))}: no sample yet`
      : `<b>${id}</b> at ${formatMicros(Math.round(t))}<br>${q.queued[i]} waiting · ${q.inService[i]} in service (${q.queued[i]! + q.inService[i]!} held)<br><span style="color:#94a3b8">sampled at ${formatMicros(q.at[i]!)}</span>`;
    show(event, html);
  }).on('mouseleave', () => hide(guide));
}

function show(event: MouseEvent, html: string): void {
  showTooltip(tooltip, event, html);
}

function hide(guide: { attr(name: string, value: string): unknown }): void {
  tooltip.hidden = true;
  guide.attr('visibility', 'hidden');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

draw();
let resizeFrame = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(draw);
});
