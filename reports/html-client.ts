// The report page's script (bundled with d3 into the HTML file by reports/html.ts): draws the run
// overview with a brush, the zoomable message diagram and the operations from the embedded JSON.
// Assumes a browser; it draws only what is inside the chosen window, up to a fixed number of marks.

import { axisTop } from 'd3-axis';
import { brushX, type BrushBehavior, type D3BrushEvent } from 'd3-brush';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { pointer, select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { formatMicros } from '../sim/time.js';
import { FATES, labelLanes, type ReportData } from './html-model.js';
import { showTooltip } from './tooltip-client.js';

/** Marks drawn at most per redraw: more are thinned evenly and the window label says so. */
const ARROWS_DRAWN_MAX = 1_500;
const OPERATIONS_DRAWN_MAX = 1_500;
/** The narrowest window the zoom allows. */
const WINDOW_MICROS_MIN = 200;
const LEFT = 92;
const RIGHT = 18;
const HIT_PIXELS = 7;

const KIND_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#e15759', '#8cd17d', '#499894', '#86bcb6'];
const ROLE_COLOURS: Record<string, string> = { follower: '#c9d4e3', candidate: '#f5a524', leader: '#2563eb' };
const EXTRA_ROLE_COLOURS = ['#7c3aed', '#0d9488', '#db2777', '#65a30d'];
const FAULT_COLOURS: Record<string, string> = {
  partition: '#fdba74', clog: '#d8b4fe', loss: '#fca5a5', duplicate: '#67e8f9', delay: '#fde047', 'clock-skew': '#cbd5e1', 'clock-drift': '#d6d3d1', slow: '#bef264', 'fail-fast': '#f9a8d4',
};
const STATE_COLOURS = { crashed: '#ef4444', paused: '#f5b83d', absent: '#94a3b8' } as const;
/** Membership views of a member, drawn at the foot of its row. */
const VIEW_COLOURS = { suspect: '#f59e0b', dead: '#7f1d1d' } as const;
const UP_COLOUR = '#d9f2e3';

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
type G = Selection<SVGGElement, unknown, null, undefined>;
type Scale = ScaleLinear<number, number>;

const data: ReportData = JSON.parse(document.getElementById('run-data')!.textContent!);
const END = Math.max(1, data.run.endMicros);
const M = data.messages;
const FLIGHT_LONG = Math.max(50_000, M.flightMedianMicros * 20);
/** Arrows whose flight is long (held by a clog, heavy delay): checked for every window. */
const LONG_ARROWS: number[] = [];
for (let i = 0; i < M.embedded; i++) if (M.end[i]! - M.sent[i]! > FLIGHT_LONG) LONG_ARROWS.push(i);
const violatingOps = new Set(data.violations.flatMap((v) => v.operations));
const hiddenKinds = new Set<number>();
let windowMicros: [number, number] = [data.window[0], data.window[1]];
let pinned: { type: 'msg'; index: number } | { type: 'op'; id: number } | null = null;

const roleColour = (role: string): string => ROLE_COLOURS[role] ?? EXTRA_ROLE_COLOURS[data.roleNames.indexOf(role) % EXTRA_ROLE_COLOURS.length]!;
const kindColour = (kind: number): string => KIND_COLOURS[kind % KIND_COLOURS.length]!;
const tooltip = document.getElementById('tooltip')!;
const details = document.getElementById('message-details')!;

// ---- layout -------------------------------------------------------------------------------------

interface Charts {
  overviewX: Scale;
  baseX: Scale;
  brush: BrushBehavior<unknown>;
  brushG: G;
  zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  diagram: Svg;
  operations: Svg;
  /** Re-draws what depends on the window. */
  drawWindow: () => void;
}

let charts: Charts | null = null;
/** True while the brush is moving the window, so the zoom handler does not move the brush back. */
let brushing = false;
/** True while one zoomable chart copies the other's transform. */
let syncing = false;

function build(): void {
  const width = Math.max(640, document.getElementById('timeline')!.clientWidth);
  const overviewX = scaleLinear().domain([0, END]).range([LEFT, width - RIGHT]);
  const baseX = scaleLinear().domain([0, END]).range([LEFT, width - RIGHT]);
  const { brush, brushG } = buildOverview(width, overviewX);
  const diagram = buildDiagram(width);
  const operations = buildOperations(width);
  const zoomer = zoom<SVGSVGElement, unknown>()
    .scaleExtent([1, Math.max(1, END / WINDOW_MICROS_MIN)])
    .extent(function () { return [[LEFT, 0], [width - RIGHT, this.height.baseVal.value]]; })
    .translateExtent([[LEFT, -1e6], [width - RIGHT, 1e6]])
    .on('zoom', function (event: D3ZoomEvent<SVGSVGElement, unknown>) { zoomed(this, event); });
  diagram.call(zoomer).on('dblclick.zoom', null);
  operations.call(zoomer).on('dblclick.zoom', null);
  charts = { overviewX, baseX, brush, brushG, zoomer, diagram, operations, drawWindow: () => { drawDiagram(); drawOperations(); } };
  setWindow(windowMicros[0], windowMicros[1]);
}

function zoomed(element: SVGSVGElement, event: D3ZoomEvent<SVGSVGElement, unknown>): void {
  if (syncing || charts === null) return;
  const t = event.transform;
  const [from, to] = t.rescaleX(charts.baseX).domain() as [number, number];
  windowMicros = [Math.max(0, from), Math.min(END, to)];
  // The other zoomable chart takes the same transform (y is unused).
  syncing = true;
  for (const chart of [charts.diagram, charts.operations]) {
    if (chart.node() !== element) chart.call(charts.zoomer.transform, zoomIdentity.translate(t.x, 0).scale(t.k));
  }
  syncing = false;
  if (!brushing) charts.brushG.call(charts.brush.move, [charts.overviewX(windowMicros[0]), charts.overviewX(windowMicros[1])]);
  charts.drawWindow();
}

function transformFor(from: number, to: number, baseX: Scale): ZoomTransform {
  const k = END / Math.max(WINDOW_MICROS_MIN, to - from);
  return zoomIdentity.translate(LEFT - k * baseX(from), 0).scale(k);
}

/** Shows [from, to] in the diagram and the operations (clamped to the run). */
function setWindow(from: number, to: number): void {
  if (charts === null) return;
  let width = Math.min(END, Math.max(WINDOW_MICROS_MIN, to - from));
  let start = Math.min(Math.max(0, from), END - width);
  if (!Number.isFinite(start)) start = 0;
  if (!Number.isFinite(width)) width = END;
  charts.diagram.call(charts.zoomer.transform, transformFor(start, start + width, charts.baseX));
}

// ---- overview -----------------------------------------------------------------------------------

function buildOverview(width: number, x: Scale): { brush: BrushBehavior<unknown>; brushG: G } {
  const host = select(document.getElementById('timeline')!);
  host.selectAll('*').remove();
  const legend = host.append('div').attr('class', 'legend');
  const chip = (colour: string, label: string) => legend.append('span').attr('class', 'chip static').html(`<i style="background:${colour};height:10px"></i>${label}`);
  chip(UP_COLOUR, 'up');
  for (const role of data.roleNames) chip(roleColour(role), role);
  chip(STATE_COLOURS.crashed, 'crashed');
  chip(STATE_COLOURS.paused, 'paused');
  if (data.states.some((s) => s.state === 'absent')) chip(STATE_COLOURS.absent, 'absent (not joined yet, or left)');
  if (data.epochs.length > 0) chip('#7c3aed', 'shard map epochs (hover a mark for its members)');
  if (data.memberViews.length > 0) {
    chip(VIEW_COLOURS.suspect, 'seen suspect (height: share of the others)');
    chip(VIEW_COLOURS.dead, 'seen dead');
  }
  for (const kind of [...new Set(data.faults.map((f) => f.kind))]) chip(FAULT_COLOURS[kind] ?? '#ddd', kind);
  chip('#e0e7ff', 'recovery phase');
  const density = data.operationDensity;
  if (density !== null) chip('#86d3a5', `client operations: ${data.operationsTotal.toLocaleString('en-US')}, drawn as density (started per ${formatMicros(density.bucketMicros)})`).attr('id', 'density-chip');
  else if (data.operations.length > 0) chip('#86d3a5', 'client operations');

  const rowH = 16;
  const rowGap = 5;
  const top = 24;
  const nodesBottom = top + data.nodes.length * (rowH + rowGap);
  const laneH = 15;
  const lanesTop = nodesBottom + 10;
  const height = lanesTop + Math.max(1, data.faultLanes) * (laneH + 3) + 12;
  const svg = host.append('svg').attr('width', width).attr('height', height).attr('data-end', END);
  svg.append('rect').attr('class', 'recovery').attr('x', x(data.run.recoveryStartMicros)).attr('y', top - 4)
    .attr('width', Math.max(0, x(END) - x(data.run.recoveryStartMicros))).attr('height', height - top);
  if (x(END) - x(data.run.recoveryStartMicros) > 60) svg.append('text').attr('class', 'recovery-label').attr('x', x(data.run.recoveryStartMicros) + 4).attr('y', height - 3).text('recovery');
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${top - 6})`)
    .call(axisTop(x).ticks(Math.max(2, Math.floor(width / 110))).tickFormat((d) => formatMicros(Number(d))));

  const rowY = (node: number) => top + node * (rowH + rowGap);
  const rows = svg.append('g').attr('class', 'node-rows');
  data.nodes.forEach((n, i) => {
    rows.append('text').attr('class', `row-label ${n.role}`).attr('x', LEFT - 8).attr('y', rowY(i) + rowH - 3).attr('text-anchor', 'end').text(n.id);
    rows.append('rect').attr('class', 'node-up').attr('data-node', n.id).attr('x', x(0)).attr('y', rowY(i)).attr('width', x(END) - x(0)).attr('height', rowH)
      .attr('fill', n.role === 'client' ? '#eef1f5' : UP_COLOUR);
  });
  rows.selectAll('rect.role').data(data.roles).join('rect').attr('class', 'role')
    .attr('data-role', (d) => d.role).attr('data-term', (d) => d.term ?? '').attr('x', (d) => x(d.from)).attr('y', (d) => rowY(d.node) + 2)
    .attr('width', (d) => Math.max(0.6, x(d.to) - x(d.from))).attr('height', rowH - 4).attr('fill', (d) => roleColour(d.role));
  // Each leader and candidate bar says its term where it has room ("L t3"), or just the number.
  const termed = data.roles.filter((r) => r.term !== null && r.role !== 'follower')
    .map((r) => ({ r, text: termText(r.role, r.term!, x(r.to) - x(r.from) - 4) })).filter((t) => t.text !== '');
  rows.selectAll('text.role-term').data(termed).join('text').attr('class', (t) => `role-term role-term-${t.r.role}`)
    .attr('data-node', (t) => data.nodes[t.r.node]!.id).attr('data-term', (t) => t.r.term!)
    .attr('x', (t) => x(t.r.from) + 2).attr('y', (t) => rowY(t.r.node) + rowH - 4.5).text((t) => t.text);
  rows.selectAll('rect.state').data(data.states).join('rect').attr('class', (d) => `state state-${d.state}`)
    .attr('data-node', (d) => data.nodes[d.node]!.id).attr('x', (d) => x(d.from)).attr('y', (d) => rowY(d.node))
    .attr('width', (d) => Math.max(1.5, x(d.to) - x(d.from))).attr('height', rowH)
    .attr('fill', (d) => `url(#hatch-${d.state})`);
  // How the others see each member, over its status: at the foot of its row, dead (dark red) under suspect (amber), each as tall as its share.
  const others = Math.max(1, data.memberViewers - 1);
  const viewBars = data.memberViews.flatMap((v) => [
    { v, status: 'dead' as const, h: (Math.min(others, v.dead) / others) * (rowH - 2), below: 0 },
    { v, status: 'suspect' as const, h: (Math.min(others, v.suspect) / others) * (rowH - 2), below: (Math.min(others, v.dead) / others) * (rowH - 2) },
  ]).filter((b) => b.h > 0);
  rows.selectAll('rect.member-view').data(viewBars).join('rect').attr('class', (b) => `member-view member-view-${b.status}`)
    .attr('data-node', (b) => data.nodes[b.v.node]!.id).attr('x', (b) => x(b.v.from)).attr('y', (b) => rowY(b.v.node) + rowH - 1 - b.below - b.h)
    .attr('width', (b) => Math.max(0.6, x(b.v.to) - x(b.v.from))).attr('height', (b) => b.h).attr('fill', (b) => VIEW_COLOURS[b.status]);

  // Client operations on the rows of nodes that have no role bands (clients, or algorithms without roles).
  const withRoles = new Set(data.roles.map((r) => r.node));
  const ops = density === null ? data.operations.filter((o) => !withRoles.has(o.client)) : [];
  rows.selectAll('rect.overview-op').data(ops).join('rect')
    .attr('class', (o) => `overview-op op-${o.status}${violatingOps.has(o.id) ? ' violating' : ''}`).attr('data-op-id', (o) => o.id)
    .attr('x', (o) => x(o.call)).attr('y', (o) => rowY(o.client) + 3)
    .attr('width', (o) => Math.max(1, x(o.ret ?? END) - x(o.call) - 0.5)).attr('height', rowH - 6);
  // Too many operations for a bar each: per client row, how many started in each bucket, stacked by status.
  if (density !== null) {
    const bucketW = (x(density.bucketMicros) - x(0));
    for (const row of density.rows.filter((r) => !withRoles.has(r.node))) {
      const bottom = rowY(row.node) + rowH - 1;
      const paths: Record<'ok' | 'fail' | 'open', string> = { ok: '', fail: '', open: '' };
      for (let b = 0; b < density.buckets; b++) {
        let y = bottom;
        for (const status of ['ok', 'fail', 'open'] as const) {
          const n = row[status][b]!;
          if (n === 0) continue;
          const h = (n / density.max) * (rowH - 2);
          paths[status] += `M${x(b * density.bucketMicros).toFixed(1)},${(y - h).toFixed(2)}h${Math.max(0.8, bucketW - 0.3).toFixed(2)}v${h.toFixed(2)}h${(-Math.max(0.8, bucketW - 0.3)).toFixed(2)}Z`;
          y -= h;
        }
      }
      for (const status of ['ok', 'fail', 'open'] as const) {
        if (paths[status] !== '') rows.append('path').attr('class', `op-density op-density-${status}`).attr('data-node', data.nodes[row.node]!.id).attr('d', paths[status]);
      }
    }
  }
  // Shard maps (epochs): a tick on the axis and a faint line down the node rows where each took effect.
  const epochMarks = svg.append('g').attr('class', 'epochs').selectAll('g.epoch').data(data.epochs).join('g').attr('class', 'epoch').attr('data-epoch', (d) => d.epoch);
  epochMarks.append('line').attr('x1', (d) => x(d.at)).attr('x2', (d) => x(d.at)).attr('y1', top - 4).attr('y2', nodesBottom)
    .attr('stroke', '#7c3aed').attr('stroke-opacity', 0.35).attr('stroke-dasharray', '2,3');
  epochMarks.append('path').attr('d', (d) => `M${x(d.at) - 3},${top - 10}L${x(d.at) + 3},${top - 10}L${x(d.at)},${top - 4}Z`).attr('fill', '#7c3aed');
  // Step-downs: a leader giving up leadership while up (a crash shows as such).
  const stepDowns = rows.selectAll('g.step-down').data(data.stepDowns).join('g').attr('class', 'step-down')
    .attr('data-node', (d) => data.nodes[d.node]!.id).attr('data-term', (d) => d.term ?? '').attr('data-at', (d) => d.at);
  stepDowns.append('line').attr('x1', (d) => x(d.at)).attr('x2', (d) => x(d.at)).attr('y1', (d) => rowY(d.node) - 2).attr('y2', (d) => rowY(d.node) + rowH + 1);
  stepDowns.append('path').attr('d', (d) => `M${x(d.at) - 4},${rowY(d.node) - 3}L${x(d.at) + 4},${rowY(d.node) - 3}L${x(d.at)},${rowY(d.node) + 3}Z`);
  svg.append('text').attr('class', 'lane-label').attr('x', LEFT - 8).attr('y', lanesTop + laneH - 4).attr('text-anchor', 'end').text(data.faults.length ? 'faults' : 'no faults');
  const faults = svg.append('g').attr('id', 'fault-bands');
  const bands = faults.selectAll('g.fault-band').data(data.faults).join('g').attr('class', 'fault-band').attr('data-kind', (d) => d.kind);
  bands.append('rect').attr('class', 'fault').attr('x', (d) => x(d.from)).attr('y', (d) => lanesTop + d.lane * (laneH + 3))
    .attr('width', (d) => Math.max(2, x(d.to) - x(d.from))).attr('height', laneH).attr('rx', 3).attr('fill', (d) => FAULT_COLOURS[d.kind] ?? '#ddd');
  bands.append('text').attr('class', 'fault-label').attr('x', (d) => x(d.from) + 4).attr('y', (d) => lanesTop + d.lane * (laneH + 3) + laneH - 4)
    .text((d) => fitText(d.label, x(d.to) - x(d.from) - 6));

  markers(svg, x, top - 4, height - 2, 'overview');

  const brush = brushX<unknown>().extent([[LEFT, top - 4], [width - RIGHT, height - 2]])
    .on('brush end', (event: D3BrushEvent<unknown>) => brushed(event));
  const brushG = svg.append('g').attr('class', 'brush').attr('id', 'overview-brush').call(brush);
  // The brush covers the whole overview, so what is under the pointer is found from coordinates.
  overviewGeometry = { x, rowY, rowH, lanesTop, laneH: laneH + 3, ops, withRoles };
  svg.on('mousemove.tip', (event: MouseEvent) => {
    if (event.buttons !== 0) return hideTip();
    const hit = overviewHit(event);
    if (hit === null) hideTip();
    else showTip(event, hit.html);
  }).on('mouseleave.tip', hideTip);
  return { brush, brushG };
}

let overviewGeometry: {
  x: Scale; rowY: (node: number) => number; rowH: number; lanesTop: number; laneH: number; ops: readonly OpRow[]; withRoles: ReadonlySet<number>;
} | null = null;

/** A role bar's label: "L t3" with room for it, else "3", else nothing. */
function termText(role: string, term: number, pixels: number): string {
  const full = `${role.charAt(0).toUpperCase()} t${term}`;
  if (pixels >= full.length * 5.6) return full;
  return pixels >= String(term).length * 5.6 ? String(term) : '';
}

/** What lies under the pointer in the overview: a violation marker, an operation, a node state or role, a fault. */
function overviewHit(event: MouseEvent): { html: string; op?: OpRow } | null {
  const g = overviewGeometry;
  if (g === null || charts === null) return null;
  const [px, py] = pointer(event, charts.brushG.node());
  const t = g.x.invert(px);
  const slack = g.x.invert(px + 2) - t;
  const span = (from: number, to: number) => `${precise(from)} – ${precise(to)}`;
  const violation = data.violations.find((v) => Math.abs(g.x(v.at) - px) <= 3);
  const epoch = py < g.rowY(0) ? data.epochs.find((e) => Math.abs(g.x(e.at) - px) <= 4) : undefined;
  if (epoch) {
    const change = [...epoch.joined.map((m) => `+${m}`), ...epoch.left.map((m) => `−${m}`)].join(' ');
    return { html: `<b>epoch ${epoch.epoch}</b> from ${precise(epoch.at)}${change ? ` (${esc(change)})` : ''}<br>${epoch.members.length} members: ${esc(epoch.members.join(', '))}` };
  }
  if (violation) return { html: `<b>${esc(violation.check)}</b> failed${violation.exact ? ` at ${precise(violation.at)}` : ' (judged at the end)'}<br>${esc(violation.message.length > 400 ? violation.message.slice(0, 399) + '…' : violation.message)}` };
  const node = data.nodes.findIndex((_, i) => py >= g.rowY(i) && py <= g.rowY(i) + g.rowH);
  if (node >= 0) {
    const id = esc(data.nodes[node]!.id);
    const op = g.ops.find((o) => o.client === node && o.call - slack <= t && (o.ret ?? END) + slack >= t);
    if (op) return { html: `${opSummary(op)}<br><span style="color:#94a3b8">click to show it below</span>`, op };
    const stepDown = data.stepDowns.find((d) => d.node === node && Math.abs(g.x(d.at) - px) <= 4);
    if (stepDown) return { html: `<b>${id}</b> stepped down${stepDown.term !== null ? ` from leader of term ${stepDown.term}` : ' as leader'} at ${precise(stepDown.at)}, becoming ${esc(stepDown.role)}` };
    const density = data.operationDensity;
    const row = density?.rows.find((r) => r.node === node && !g.withRoles.has(node));
    if (density && row) {
      const b = Math.min(density.buckets - 1, Math.max(0, Math.floor(t / density.bucketMicros)));
      return { html: `<b>${id}</b>: operations started ${span(b * density.bucketMicros, (b + 1) * density.bucketMicros)}<br>${row.ok[b]} ok · ${row.fail[b]} failed · ${row.open[b]} open` };
    }
    const seen = data.memberViews.find((v) => v.node === node && v.from <= t && v.to >= t);
    const seenLine = seen ? `<br>seen suspect by ${seen.suspect}, dead by ${seen.dead} of ${Math.max(1, data.memberViewers - 1)} others, ${span(seen.from, seen.to)}` : '';
    const state = data.states.find((s) => s.node === node && s.from - slack <= t && s.to + slack >= t);
    if (state) return { html: `<b>${id}</b> ${state.state}<br>${span(state.from, state.to)}${seenLine}` };
    const role = data.roles.find((r) => r.node === node && r.from <= t && r.to >= t);
    if (role) return { html: `<b>${id}</b> ${esc(role.role)}${role.term !== null ? ` of term ${role.term}` : ''}<br>${span(role.from, role.to)}${seenLine}` };
    if (seen) return { html: `<b>${id}</b>${seenLine}` };
    return null;
  }
  const lane = Math.floor((py - g.lanesTop) / g.laneH);
  const fault = data.faults.find((f) => f.lane === lane && f.from - slack <= t && f.to + slack >= t);
  if (fault) return { html: `<b>${esc(fault.label)}</b><br>${span(fault.from, fault.to)}${fault.untilRecovery ? ' (until recovery)' : ''}` };
  return null;
}

function brushed(event: D3BrushEvent<unknown>): void {
  if (!event.sourceEvent || charts === null) return; // moved by the program, not the user
  const sel = event.selection as [number, number] | null;
  brushing = true;
  if (sel === null) {
    brushing = false;
    // A click on an operation shows it with some context either side, and keeps its details.
    const op = overviewHit(event.sourceEvent as MouseEvent)?.op;
    if (op) {
      const span = Math.max(20_000, (op.ret ?? END) - op.call);
      setWindow(op.call - span * 0.25, (op.ret ?? END) + span * 0.25);
      pin({ type: 'op', id: op.id });
      return;
    }
    // Elsewhere: centre the current window there.
    const [px] = pointer(event.sourceEvent, charts.brushG.node());
    const centre = charts.overviewX.invert(px);
    const width = windowMicros[1] - windowMicros[0];
    brushing = false;
    setWindow(centre - width / 2, centre + width / 2);
    return;
  }
  setWindow(charts.overviewX.invert(sel[0]), charts.overviewX.invert(sel[1]));
  brushing = false;
}

// ---- message diagram ----------------------------------------------------------------------------

const DIAGRAM_ROW = 40;
const DIAGRAM_TOP = 30;
let diagramLayer: { svg: Svg; arrows: G; strips: G; marks: G; axis: G; notice: Selection<SVGTextElement, unknown, null, undefined>; width: number } | null = null;
let drawn: { index: number; x1: number; y1: number; x2: number; y2: number; el: SVGPathElement }[] = [];
let hot: number | null = null;

function buildDiagram(width: number): Svg {
  const host = select(document.getElementById('message-diagram')!);
  host.selectAll('*').remove();
  const height = DIAGRAM_TOP + data.nodes.length * DIAGRAM_ROW + 8;
  const svg = host.append('svg').attr('width', width).attr('height', height);
  svg.append('rect').attr('class', 'zoom-surface').attr('x', LEFT).attr('y', 0).attr('width', width - LEFT - RIGHT).attr('height', height).attr('fill', 'transparent');
  const y = (node: number) => DIAGRAM_TOP + node * DIAGRAM_ROW + DIAGRAM_ROW / 2;
  const lines = svg.append('g').attr('class', 'node-lines');
  data.nodes.forEach((n, i) => {
    lines.append('text').attr('class', `row-label ${n.role}`).attr('x', LEFT - 10).attr('y', y(i) + 4).attr('text-anchor', 'end').text(n.id);
    lines.append('line').attr('x1', LEFT).attr('x2', width - RIGHT).attr('y1', y(i)).attr('y2', y(i)).attr('stroke', n.role === 'client' ? '#d5dbe4' : '#aab4c3').attr('stroke-width', 1);
  });
  const clip = svg.append('clipPath').attr('id', 'diagram-clip');
  clip.append('rect').attr('x', LEFT).attr('y', 0).attr('width', width - LEFT - RIGHT).attr('height', height);
  const strips = svg.append('g').attr('clip-path', 'url(#diagram-clip)');
  const arrows = svg.append('g').attr('class', 'arrows').attr('clip-path', 'url(#diagram-clip)');
  const marks = svg.append('g').attr('clip-path', 'url(#diagram-clip)');
  const axis = svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${DIAGRAM_TOP - 8})`);
  const notice = svg.append('text').attr('class', 'notice').attr('x', width - RIGHT).attr('y', height - 2).attr('text-anchor', 'end');
  diagramLayer = { svg, arrows, strips, marks, axis, notice, width };
  svg.on('mousemove', (event: MouseEvent) => hover(event)).on('mouseleave', () => { setHot(null); hideTip(); })
    .on('click', (event: MouseEvent) => {
      const found = nearest(event);
      if (found !== null) pin({ type: 'msg', index: found });
    });
  buildLegend();
  return svg;
}

function buildLegend(): void {
  const legend = select(document.getElementById('message-legend')!);
  legend.selectAll('*').remove();
  const counts = new Array<number>(M.kinds.length).fill(0);
  for (let i = 0; i < M.embedded; i++) counts[M.kind[i]!]!++;
  M.kinds.forEach((kind, k) => {
    legend.append('span').attr('class', `chip${hiddenKinds.has(k) ? ' off' : ''}`).attr('data-kind', kind).attr('title', 'show or hide this kind of message')
      .html(`<i style="background:${kindColour(k)}"></i>${esc(kind)} <span class="muted">${counts[k]}</span>`)
      .on('click', () => {
        if (hiddenKinds.has(k)) hiddenKinds.delete(k);
        else hiddenKinds.add(k);
        buildLegend();
        drawDiagram();
      });
  });
  legend.append('span').attr('class', 'chip static').html('<i style="background:repeating-linear-gradient(90deg,#888 0 3px,transparent 3px 5px)"></i>dropped ✕');
}

/** Indices of arrows overlapping the window, in send order. */
function arrowsIn(from: number, to: number): number[] {
  const out: number[] = [];
  const sent = M.sent;
  let lo = 0;
  let hi = M.embedded;
  const start = from - FLIGHT_LONG;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sent[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  const seen = new Set<number>();
  for (let i = lo; i < M.embedded && sent[i]! <= to; i++) {
    if (M.end[i]! >= from && !hiddenKinds.has(M.kind[i]!)) {
      out.push(i);
      seen.add(i);
    }
  }
  for (const i of LONG_ARROWS) {
    if (sent[i]! <= to && M.end[i]! >= from && !seen.has(i) && !hiddenKinds.has(M.kind[i]!)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}

function currentX(): Scale {
  return scaleLinear().domain(windowMicros).range([LEFT, (diagramLayer?.width ?? 800) - RIGHT]);
}

function drawDiagram(): void {
  if (diagramLayer === null) return;
  const { svg, arrows, strips, marks, axis, notice, width } = diagramLayer;
  const x = currentX();
  const [from, to] = windowMicros;
  axis.call(axisTop(x).ticks(Math.max(2, Math.floor(width / 120))).tickFormat((d) => formatMicros(Number(d))));
  const y = (node: number) => DIAGRAM_TOP + node * DIAGRAM_ROW + DIAGRAM_ROW / 2;

  // Status and role strips along each node's line.
  const roles = data.roles.filter((r) => r.to >= from && r.from <= to);
  strips.selectAll('rect.role').data(roles).join('rect').attr('class', 'role')
    .attr('x', (d) => x(Math.max(d.from, from))).attr('y', (d) => y(d.node) - 3)
    .attr('width', (d) => Math.max(0.5, x(Math.min(d.to, to)) - x(Math.max(d.from, from)))).attr('height', 6)
    .attr('fill', (d) => roleColour(d.role)).attr('opacity', 0.75);
  const termed = roles.filter((r) => r.term !== null && r.role !== 'follower')
    .map((r) => ({ r, left: x(Math.max(r.from, from)), text: termText(r.role, r.term!, x(Math.min(r.to, to)) - x(Math.max(r.from, from)) - 4) }))
    .filter((t) => t.text !== '');
  strips.selectAll('text.role-term').data(termed).join('text').attr('class', (t) => `role-term-above role-term-${t.r.role}`)
    .attr('x', (t) => t.left + 2).attr('y', (t) => y(t.r.node) - 6).text((t) => t.text);
  const downs = data.stepDowns.filter((d) => d.at >= from && d.at <= to);
  strips.selectAll('path.step-down-mark').data(downs).join('path').attr('class', 'step-down-mark')
    .attr('d', (d) => `M${x(d.at) - 4},${y(d.node) - 12}L${x(d.at) + 4},${y(d.node) - 12}L${x(d.at)},${y(d.node) - 5}Z`);
  const states = data.states.filter((s) => s.to >= from && s.from <= to);
  strips.selectAll('rect.state').data(states).join('rect').attr('class', (d) => `state state-${d.state}`)
    .attr('x', (d) => x(Math.max(d.from, from))).attr('y', (d) => y(d.node) - 9)
    .attr('width', (d) => Math.max(1, x(Math.min(d.to, to)) - x(Math.max(d.from, from)))).attr('height', 18)
    .attr('fill', (d) => `url(#hatch-${d.state})`);

  const all = arrowsIn(from, to);
  const step = Math.ceil(all.length / ARROWS_DRAWN_MAX);
  const shown = step > 1 ? all.filter((_, k) => k % step === 0) : all;
  const flightStub = Math.max(1, M.flightMedianMicros) * 0.6;
  const geometry = shown.map((i) => {
    const fate = FATES[M.fate[i]!]!;
    const x1 = x(M.sent[i]!);
    const y1 = y(M.from[i]!);
    const yTo = y(M.to[i]!);
    if (fate === 'delivered' || fate === 'duplicate') return { i, fate, x1, y1, x2: x(M.end[i]!), y2: yTo };
    const endAt = Math.max(M.end[i]!, M.sent[i]! + flightStub);
    return { i, fate, x1, y1, x2: Math.max(x(endAt), x1 + 14), y2: y1 + (yTo - y1) * 0.55 };
  });
  const paths = arrows.selectAll<SVGPathElement, (typeof geometry)[number]>('path.msg').data(geometry, (d) => d.i)
    .join('path')
    .attr('class', (d) => `msg msg-${d.fate}${pinned?.type === 'msg' && pinned.index === d.i ? ' pinned' : ''}`)
    .attr('data-index', (d) => d.i)
    .attr('stroke', (d) => kindColour(M.kind[d.i]!))
    .attr('d', (d) => {
      const line = `M${d.x1.toFixed(1)},${d.y1.toFixed(1)}L${d.x2.toFixed(1)},${d.y2.toFixed(1)}`;
      if (d.fate !== 'dropped') return line;
      const c = 4;
      return `${line}M${(d.x2 - c).toFixed(1)},${(d.y2 - c).toFixed(1)}l${2 * c},${2 * c}m0,${-2 * c}l${-2 * c},${2 * c}`;
    })
    .attr('marker-end', (d) => (d.fate === 'delivered' || d.fate === 'duplicate' ? `url(#arrow-${M.kind[d.i]! % KIND_COLOURS.length})` : null));
  drawn = geometry.map((g, k) => ({ index: g.i, x1: g.x1, y1: g.y1, x2: g.x2, y2: g.y2, el: paths.nodes()[k]! }));
  hot = null;

  markers(marks, x, DIAGRAM_TOP - 6, DIAGRAM_TOP + data.nodes.length * DIAGRAM_ROW, 'diagram');
  const node = svg.node()!;
  node.setAttribute('data-window-start', String(Math.round(from)));
  node.setAttribute('data-window-end', String(Math.round(to)));
  node.setAttribute('data-arrows-in-window', String(all.length));
  node.setAttribute('data-arrows-drawn', String(shown.length));
  const thinned = step > 1 ? ` · 1 in ${step} shown (zoom in for all)` : '';
  notice.text(step > 1 ? `showing ${shown.length} of ${all.length} arrows: zoom in for all` : '');
  document.getElementById('window-label')!.textContent = `${precise(from)} – ${precise(to)} (${formatMicros(Math.round(to - from))}) · ${all.length} arrows${thinned}`;
}

function nearest(event: MouseEvent): number | null {
  if (diagramLayer === null) return null;
  const [px, py] = pointer(event, diagramLayer.svg.node());
  let best: number | null = null;
  let bestDistance = HIT_PIXELS;
  for (const d of drawn) {
    const dist = segmentDistance(px, py, d.x1, d.y1, d.x2, d.y2);
    if (dist < bestDistance) {
      bestDistance = dist;
      best = d.index;
    }
  }
  return best;
}

function hover(event: MouseEvent): void {
  const found = nearest(event);
  setHot(found);
  if (found === null) hideTip();
  else showTip(event, messageSummary(found, true));
}

function setHot(index: number | null): void {
  if (index === hot) return;
  for (const d of drawn) {
    if (d.index === hot) d.el.classList.remove('hot');
    if (d.index === index) {
      d.el.classList.add('hot');
      d.el.parentNode!.appendChild(d.el);
    }
  }
  hot = index;
}

function messageSummary(i: number, short: boolean): string {
  const fate = FATES[M.fate[i]!]!;
  const from = data.nodes[M.from[i]!]!.id;
  const to = data.nodes[M.to[i]!]!.id;
  const sent = M.sent[i]!;
  const end = M.end[i]!;
  const how = fate === 'dropped' ? `dropped (${M.reasons[M.reason[i]!] ?? '?'}) at ${precise(end)}`
    : fate === 'in-flight' ? 'still in flight at the end'
    : `${fate === 'duplicate' ? 'delivered again' : 'delivered'} at ${precise(end)} after ${precise(end - sent)}`;
  const text = M.texts[M.text[i]!]!;
  const content = short ? esc(text.length > 300 ? text.slice(0, 299) + '…' : text) : esc(pretty(text));
  return `<b>${esc(from)} → ${esc(to)}</b> · ${esc(M.kinds[M.kind[i]!]!)} #${M.msgId[i]}<br>sent at ${precise(sent)}, ${esc(how)}<br>${short ? `<code>${content}</code>` : `<pre>${content}</pre>`}`;
}

// ---- operations ---------------------------------------------------------------------------------

const OP_LANE = 13;
const OP_TOP = 26;
let opsLayer: { svg: Svg; bars: G; marks: G; axis: G; width: number; laneY: Map<number, number>; height: number } | null = null;

function buildOperations(width: number): Svg {
  const host = select(document.getElementById('operations')!);
  host.selectAll('*').remove();
  const laneY = new Map<number, number>();
  let yNext = OP_TOP;
  const groups: { node: number; y: number; h: number }[] = [];
  for (const { node, lanes } of data.operationLanes) {
    laneY.set(node, yNext);
    groups.push({ node, y: yNext, h: lanes * OP_LANE });
    yNext += lanes * OP_LANE + 6;
  }
  const height = Math.max(yNext, OP_TOP + 20) + 6;
  const svg = host.append('svg').attr('width', width).attr('height', height);
  svg.append('rect').attr('class', 'zoom-surface').attr('x', LEFT).attr('y', 0).attr('width', width - LEFT - RIGHT).attr('height', height).attr('fill', 'transparent');
  const labels = svg.append('g');
  for (const g of groups) {
    labels.append('rect').attr('x', LEFT).attr('y', g.y - 1).attr('width', width - LEFT - RIGHT).attr('height', g.h + 2).attr('fill', '#f7f8fb');
    labels.append('text').attr('class', 'row-label').attr('x', LEFT - 10).attr('y', g.y + Math.min(g.h, OP_LANE) - 2).attr('text-anchor', 'end').text(data.nodes[g.node]!.id);
  }
  if (groups.length === 0) svg.append('text').attr('class', 'lane-label').attr('x', LEFT).attr('y', OP_TOP + 12).text('no client operations in this run');
  const clip = svg.append('clipPath').attr('id', 'ops-clip');
  clip.append('rect').attr('x', LEFT).attr('y', 0).attr('width', width - LEFT - RIGHT).attr('height', height);
  const bars = svg.append('g').attr('clip-path', 'url(#ops-clip)');
  const marks = svg.append('g').attr('clip-path', 'url(#ops-clip)');
  const axis = svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${OP_TOP - 6})`);
  opsLayer = { svg, bars, marks, axis, width, laneY, height };
  return svg;
}

function drawOperations(): void {
  if (opsLayer === null) return;
  const { svg, bars, marks, axis, width, laneY, height } = opsLayer;
  const x = scaleLinear().domain(windowMicros).range([LEFT, width - RIGHT]);
  const [from, to] = windowMicros;
  axis.call(axisTop(x).ticks(Math.max(2, Math.floor(width / 120))).tickFormat((d) => formatMicros(Number(d))));
  const inWindow = data.operations.filter((o) => o.call <= to && (o.ret ?? END) >= from);
  const step = Math.ceil(inWindow.length / OPERATIONS_DRAWN_MAX);
  const shown = step > 1 ? inWindow.filter((o, k) => k % step === 0 || violatingOps.has(o.id)) : inWindow;
  const groups = bars.selectAll<SVGGElement, (typeof shown)[number]>('g.op-g').data(shown, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'op-g');
      g.append('rect');
      g.append('text').attr('class', 'op-label');
      return g;
    });
  const barX = (o: (typeof shown)[number]) => x(o.call);
  const barW = (o: (typeof shown)[number]) => Math.max(1.5, x(o.ret ?? END) - x(o.call));
  const barY = (o: (typeof shown)[number]) => laneY.get(o.client)! + o.lane * OP_LANE;
  groups.select('rect')
    .attr('class', (o) => `op op-${o.status}${violatingOps.has(o.id) ? ' violating' : ''}${pinned?.type === 'op' && pinned.id === o.id ? ' pinned' : ''}`)
    .attr('data-op-id', (o) => o.id).attr('data-status', (o) => o.status)
    .attr('x', barX).attr('y', barY).attr('width', barW).attr('height', OP_LANE - 2).attr('rx', 2);
  groups.select('text').attr('x', (o) => Math.max(LEFT, barX(o)) + 3).attr('y', (o) => barY(o) + OP_LANE - 4)
    .text((o) => fitText(opLabel(o), barW(o) - 6));
  groups.on('mouseenter', (event: MouseEvent, o) => showTip(event, opSummary(o))).on('mouseleave', hideTip)
    .on('click', (_event: MouseEvent, o) => pin({ type: 'op', id: o.id }));
  markers(marks, x, OP_TOP - 6, height - 2, 'operations');
  const node = svg.node()!;
  node.setAttribute('data-ops-in-window', String(inWindow.length));
  node.setAttribute('data-ops-drawn', String(shown.length));
}

type OpRow = ReportData['operations'][number];

function opLabel(o: OpRow): string {
  const input = parseOr(o.input);
  const output = parseOr(o.output);
  let text = o.input;
  if (input !== null && typeof input === 'object' && 'op' in input) {
    const i = input as Record<string, unknown>;
    text = [i.op, i.key, i.value !== undefined ? `= ${JSON.stringify(i.value)}` : undefined].filter((p) => p !== undefined).join(' ');
    if (output !== null && typeof output === 'object' && output !== undefined && 'value' in (output as object)) text += ` → ${JSON.stringify((output as { value: unknown }).value)}`;
  }
  return `#${o.id} ${text}${o.server >= 0 ? ` ← ${data.nodes[o.server]!.id}` : ''}`;
}

function opSummary(o: OpRow): string {
  const client = data.nodes[o.client]!.id;
  const when = o.ret === null ? `called ${precise(o.call)}, no answer (open)` : `called ${precise(o.call)}, returned ${precise(o.ret)} (${formatMicros(o.ret - o.call)})`;
  const named = violatingOps.has(o.id) ? '<br><b style="color:#fca5a5">named by a failed check</b>' : '';
  const server = o.server >= 0 ? ` · answered by <b>${esc(data.nodes[o.server]!.id)}</b>` : o.status === 'open' ? ' · no server answered' : '';
  return `<b>#${o.id} ${esc(client)}</b> · ${o.status}${server}<br>${when}<br><code>${esc(o.input)}${o.output ? ` → ${esc(o.output)}` : ''}</code>${named}`;
}

// ---- shared marks -------------------------------------------------------------------------------

function markers(layer: Svg | G, x: Scale, top: number, bottom: number, where: string): void {
  const [from, to] = x.domain() as [number, number];
  const visible = data.violations.map((v, index) => ({ ...v, index })).filter((v) => v.at >= from && v.at <= to);
  const root = layer as unknown as G;
  const g = root.selectAll<SVGGElement, (typeof visible)[number]>('g.violation-marker').data(visible, (v) => v.index)
    .join((enter) => {
      const m = enter.append('g').attr('class', 'violation-marker');
      m.append('line');
      m.append('path');
      m.append('text');
      return m;
    })
    .attr('data-check', (v) => v.check).attr('data-at', (v) => v.at).attr('data-where', where);
  g.select('line').attr('x1', (v) => x(v.at)).attr('x2', (v) => x(v.at)).attr('y1', top).attr('y2', bottom);
  g.select('path').attr('d', (v) => `M${x(v.at) - 5},${top - 1}L${x(v.at) + 5},${top - 1}L${x(v.at)},${top + 7}Z`);
  g.select('text').attr('x', (v) => x(v.at) + 7).attr('y', top + 9).attr('text-anchor', (v) => (x(v.at) > x.range()[1]! - 160 ? 'end' : 'start'))
    .attr('dx', (v) => (x(v.at) > x.range()[1]! - 160 ? -14 : 0))
    .text((v) => (where === 'operations' ? '' : v.check));
  // Labels of violations close in time go to rows below one another, so none is drawn over another.
  const texts = g.select<SVGTextElement>('text').nodes();
  const extents = texts.map((t) => {
    const box = t.getBBox();
    return [box.x, box.x + box.width] as const;
  });
  const lanes = labelLanes(extents, 6);
  texts.forEach((t, k) => {
    t.setAttribute('y', String(top + 9 + lanes[k]! * VIOLATION_LABEL_ROW));
    t.setAttribute('data-lane', String(lanes[k]));
  });
  g.on('mouseenter', (event: MouseEvent, v) => showTip(event, `<b>${esc(v.check)}</b> failed${v.exact ? ` at ${formatMicros(v.at)}` : ' (judged at the end)'}<br>${esc(v.message.length > 400 ? v.message.slice(0, 399) + '…' : v.message)}`))
    .on('mouseleave', hideTip);
}

const VIOLATION_LABEL_ROW = 13;

/** Arrowheads and hatch patterns, once per page, shared by every chart. */
function defs(): void {
  const svg = select(document.body).append('svg').attr('id', 'report-defs').attr('width', 0).attr('height', 0).attr('aria-hidden', 'true')
    .style('position', 'absolute');
  const d = svg.append('defs');
  KIND_COLOURS.forEach((colour, k) => {
    d.append('marker').attr('id', `arrow-${k}`).attr('viewBox', '0 0 10 10').attr('refX', 9).attr('refY', 5)
      .attr('markerWidth', 7).attr('markerHeight', 7).attr('markerUnits', 'userSpaceOnUse').attr('orient', 'auto')
      .append('path').attr('d', 'M0,0L10,5L0,10z').attr('fill', colour);
  });
  for (const [state, colour] of Object.entries(STATE_COLOURS)) {
    const p = d.append('pattern').attr('id', `hatch-${state}`).attr('patternUnits', 'userSpaceOnUse').attr('width', 6).attr('height', 6).attr('patternTransform', 'rotate(45)');
    p.append('rect').attr('width', 6).attr('height', 6).attr('fill', colour).attr('opacity', 0.55);
    p.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', colour).attr('stroke-width', 3);
  }
  const open = d.append('pattern').attr('id', 'open-hatch').attr('patternUnits', 'userSpaceOnUse').attr('width', 6).attr('height', 6).attr('patternTransform', 'rotate(45)');
  open.append('rect').attr('width', 6).attr('height', 6).attr('fill', '#e4e7ec');
  open.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', '#98a2b3').attr('stroke-width', 2);
}

// ---- details, tooltip, controls -----------------------------------------------------------------

function pin(what: NonNullable<typeof pinned>): void {
  pinned = what;
  if (what.type === 'msg') {
    details.innerHTML = messageSummary(what.index, false);
  } else {
    const o = data.operations.find((op) => op.id === what.id)!;
    details.innerHTML = `${opSummary(o)}<pre>${esc(JSON.stringify({ input: parseOr(o.input), output: parseOr(o.output) }, null, 2))}</pre>`;
  }
  drawDiagram();
  drawOperations();
}

function showTip(event: MouseEvent, html: string): void {
  showTooltip(tooltip, event, html);
}

function hideTip(): void {
  tooltip.hidden = true;
}

/** Saves the embedded replay file as `<scenario>-<seed>.json`. */
function downloadReplay(button: HTMLButtonElement): void {
  const text = JSON.parse(document.getElementById('replay-file')!.textContent!) as string;
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = button.dataset.filename ?? 'replay.json';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function controls(): void {
  const download = document.getElementById('download-replay') as HTMLButtonElement | null;
  download?.addEventListener('click', () => downloadReplay(download));
  document.querySelectorAll<HTMLButtonElement>('.toolbar button').forEach((button) => {
    button.addEventListener('click', () => {
      const [from, to] = windowMicros;
      const width = to - from;
      const centre = (from + to) / 2;
      switch (button.dataset.action) {
        case 'earlier': return setWindow(from - width * 0.5, to - width * 0.5);
        case 'later': return setWindow(from + width * 0.5, to + width * 0.5);
        case 'zoom-in': return setWindow(centre - width / 4, centre + width / 4);
        case 'zoom-out': return setWindow(centre - width, centre + width);
        case 'all': return setWindow(0, END);
        case 'violation': return focusOn(data.violations[0]?.at ?? 0);
      }
    });
  });
  document.querySelectorAll<HTMLButtonElement>('button.jump').forEach((button) => {
    button.addEventListener('click', () => {
      focusOn(Number(button.dataset.at));
      document.getElementById('timeline-section')!.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
  });
}

/** Centres the default window's width around a moment. */
function focusOn(at: number): void {
  const width = data.window[1] - data.window[0];
  setWindow(at - width * 0.7, at + width * 0.3);
}

// ---- small helpers ------------------------------------------------------------------------------

/** A moment to the microsecond: `1.670412s`, `68.523ms`. */
function precise(micros: number): string {
  const abs = Math.abs(Math.round(micros));
  if (abs < 1_000_000) return formatMicros(Math.round(micros));
  return `${micros < 0 ? '-' : ''}${(abs / 1_000_000).toFixed(6).replace(/\.?0+$/, '')}s`;
}

function segmentDistance(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / length2));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

function fitText(text: string, pixels: number): string {
  const chars = Math.floor(pixels / 6.2);
  if (chars < 3) return '';
  return text.length <= chars ? text : text.slice(0, chars - 1) + '…';
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function pretty(text: string): string {
  const value = parseOr(text);
  return typeof value === 'string' && value === text ? text : JSON.stringify(value, null, 2);
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

defs();
build();
controls();
let resizeFrame = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(() => build());
});
