// The playground's timeline below the ring, drawn in plain SVG from a TimelineModel: a row per node (status,
// and role·term for servers), the fault bands, client operations in lanes, the moment shown as a cursor and
// the part not simulated yet greyed. Cheap per frame: only what changed is touched, stretches narrower than a
// pixel merge, and operations merge into fewer bars (at most OP_BARS_MAX). Assumes a browser; reads no clock.

import { formatMicros, type Micros } from '../sim/time.js';
import type { FaultBand, OpBar, RoleStretch, StatusStretch, TimelineModel } from './timeline-model.js';

/** At most this many operation bars are drawn: runs of operations narrower than a few pixels merge, and the page says so. */
export const OP_BARS_MAX = 600;
/** Lanes drawn per client: operations in further lanes (many open at once) are counted, not drawn. */
export const OP_LANES_DRAWN_MAX = 4;
/**
 * While only the frontier advances (simulating ahead, playing), the bars are drawn again every this many
 * calls of `draw`, not every call: about 15 times a second at 60 frames a second, so what drawing costs
 * (script, and the browser repainting the svg) is paid a quarter as often.
 */
export const FRONTIER_REDRAW_CALLS = 4;
/** Narrowest operation drawn on its own, in pixels (doubled until the bars fit OP_BARS_MAX). */
const OP_PIXELS_MIN = 2;
const OP_PIXELS_MAX = 256;

const SVG_NS = 'http://www.w3.org/2000/svg';
const LEFT_PIXELS = 64;
const RIGHT_PIXELS = 12;
const AXIS_HEIGHT_PIXELS = 18;
const STATUS_HEIGHT_PIXELS = 12;
const ROLE_HEIGHT_PIXELS = 15;
const ROW_GAP_PIXELS = 5;
const SECTION_GAP_PIXELS = 10;
const FAULT_HEIGHT_PIXELS = 14;
const OP_HEIGHT_PIXELS = 9;
const WIDTH_PIXELS_DEFAULT = 900;
const WIDTH_PIXELS_MIN = 320;
/** Rough width of one character of the 10px labels, to decide whether a label fits its bar. */
const CHAR_PIXELS = 6;

const ROLE_FILLS: Record<string, string> = { leader: '#1f4fa8', candidate: 'url(#tl-candidate)', follower: '#c9d4e3' };
const EXTRA_ROLE_FILLS = ['#6d3fc0', '#0d7f73', '#b3306f', '#56820f'];
const FAULT_FILLS: Record<string, string> = {
  partition: '#fdba74', clog: '#d8b4fe', loss: '#fca5a5', duplicate: '#67e8f9', delay: '#fde047', 'clock-skew': '#cbd5e1', 'clock-drift': '#d6d3d1', slow: '#bef264', 'fail-fast': '#f9a8d4',
};

/** The timeline's style sheet: the page appends it to its own. Patterns and text carry what colour does, for greyscale. */
export const TIMELINE_CSS = `
#timeline { grid-column: 1 / -1; margin-top: 8px; min-width: 0; }
#timeline svg.timeline { display: block; background: #fff; border: 1px solid #ccc; border-radius: 6px; cursor: crosshair; user-select: none; touch-action: none; }
#timeline svg.timeline:focus-visible { outline: 3px solid #1f4fa8; outline-offset: 2px; }
.tl-label { font-size: 11px; fill: #1b1b1b; text-anchor: end; }
.tl-section { font-size: 11px; fill: #555; font-style: italic; text-anchor: end; }
.tl-section.tl-none { text-anchor: start; }
.tl-axis text { font-size: 10px; fill: #444; text-anchor: middle; }
.tl-axis line { stroke: #ddd; }
.tl-text { font-size: 10px; fill: #1b1b1b; pointer-events: none; paint-order: stroke; stroke: #fff; stroke-width: 2.5px; stroke-linejoin: round; }
.tl-text.on-dark { fill: #fff; font-weight: 700; stroke: none; }
.tl-status-up { fill: #dff0e0; }
.tl-status-crashed { fill: url(#tl-hatch); stroke: #8a1f1f; stroke-width: 0.5; }
.tl-status-paused { fill: url(#tl-dots); stroke: #7a6414; stroke-width: 0.5; }
.tl-status-down, .tl-status-absent { fill: #fff; stroke: #888; stroke-width: 0.8; stroke-dasharray: 2 2; }
.tl-mixed { fill: url(#tl-mixed); }
.tl-fault { stroke: #333; stroke-width: 0.4; }
.tl-op-ok { fill: #3f8f55; }
.tl-op-fail { fill: #fff; stroke: #8a1f1f; stroke-width: 1.2; }
.tl-op-open { fill: url(#tl-open); stroke: #555; stroke-width: 0.6; }
.tl-op-merged.tl-op-ok { fill: #9fcfac; }
.tl-op-merged.tl-op-fail { fill: url(#tl-hatch); }
.tl-unsimulated { fill: url(#tl-unsim); }
.tl-recovery { fill: #e0e7ff; opacity: 0.55; }
.tl-wrap { position: relative; }
.tl-cursor { position: absolute; left: 0; width: 2px; background: #b00020; pointer-events: none; will-change: transform; }
.tl-cursor::before { content: ''; position: absolute; left: -4px; top: -2px; border: 5px solid transparent; border-top: 6px solid #b00020; }
.tl-note { font-size: 12px; color: #444; margin: 2px 0 0; }
.tl-legend { font-size: 12px; display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0 0 4px; padding: 0; list-style: none; }
.tl-legend i { display: inline-block; width: 18px; height: 10px; margin-right: 4px; vertical-align: -1px; border: 1px solid #666; }
`;

/** Legend swatches as CSS (the SVG patterns cannot be reused in HTML). */
const LEGEND: readonly (readonly [string, string])[] = [
  ['background:#dff0e0', 'up'],
  ['background:repeating-linear-gradient(45deg,#8a1f1f 0 2px,#f4d7d7 2px 5px)', 'crashed'],
  ['background:radial-gradient(#7a6414 1px,#f3ecd0 1.5px) 0 0/4px 4px', 'paused'],
  ['background:#fff;border-style:dashed', 'down or absent'],
  ['background:#1f4fa8', 'leader'],
  ['background:repeating-linear-gradient(-45deg,#b26b00 0 2px,#f5c46a 2px 5px)', 'candidate'],
  ['background:#c9d4e3', 'follower'],
  ['background:#3f8f55', 'operation ok'],
  ['background:#fff;border-color:#8a1f1f', 'failed'],
  ['background:repeating-linear-gradient(90deg,#555 0 1px,#eee 1px 4px)', 'open'],
  ['background:repeating-linear-gradient(45deg,#bbb 0 3px,#eee 3px 6px)', 'not simulated yet'],
];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** One drawn bar (svg pixels): where, its classes (or a fill), its hover text, and its label if it fits. */
export interface Bar {
  x: number;
  w: number;
  cls: string;
  fill: string;
  /** Identifies what the bar shows, so that an unchanged bar is not touched. */
  key: string;
  title: () => string;
  label: string;
  /** A shorter label for when `label` does not fit ('' for none). */
  short: string;
  dark: boolean;
  data: Record<string, string>;
}

/**
 * Elements for a list of bars, reused by position: a bar whose key is unchanged is not touched, so a frame
 * where only the last bar grew updates one element.
 */
class BarPool {
  private readonly rects: { rect: SVGRectElement; title: SVGTitleElement; key: string; dataKeys: string[] }[] = [];
  private readonly texts: { text: SVGTextElement; key: string }[] = [];
  readonly group: SVGGElement;

  constructor(parent: SVGGElement, private y: number, private h: number, cls: string) {
    this.group = svg('g', { class: cls });
    parent.append(this.group);
  }

  update(bars: readonly Bar[]): void {
    for (let i = 0; i < bars.length; i++) {
      const bar = bars[i]!;
      let slot = this.rects[i];
      if (slot === undefined) {
        const rect = svg('rect', { y: this.y, height: this.h });
        const title = svg('title');
        rect.append(title);
        this.group.append(rect);
        slot = { rect, title, key: '', dataKeys: [] };
        this.rects.push(slot);
      }
      const key = `${bar.x.toFixed(1)}|${bar.w.toFixed(1)}|${bar.cls}|${bar.fill}|${bar.key}`;
      if (slot.key === key) continue;
      slot.key = key;
      const r = slot.rect;
      r.setAttribute('x', bar.x.toFixed(1));
      r.setAttribute('width', Math.max(0.8, bar.w).toFixed(1));
      r.setAttribute('class', bar.cls);
      if (bar.fill === '') r.removeAttribute('fill');
      else r.setAttribute('fill', bar.fill);
      for (const name of slot.dataKeys) if (!(name in bar.data)) r.removeAttribute(name);
      for (const [name, value] of Object.entries(bar.data)) r.setAttribute(name, value);
      slot.dataKeys = Object.keys(bar.data);
      slot.title.textContent = bar.title();
    }
    while (this.rects.length > bars.length) this.rects.pop()!.rect.remove();
    let t = 0;
    const fits = (text: string, w: number) => text !== '' && w >= text.length * CHAR_PIXELS + 4;
    for (const bar of bars) {
      const label = fits(bar.label, bar.w) ? bar.label : fits(bar.short, bar.w) ? bar.short : '';
      if (label === '') continue;
      let slot = this.texts[t];
      if (slot === undefined) {
        slot = { text: svg('text', { y: this.y + this.h - Math.max(2, (this.h - 9) / 2) }), key: '' };
        this.group.append(slot.text);
        this.texts.push(slot);
      }
      t++;
      const key = `${bar.x.toFixed(1)}|${label}|${bar.dark}`;
      if (slot.key === key) continue;
      slot.key = key;
      slot.text.setAttribute('x', (bar.x + 2).toFixed(1));
      slot.text.setAttribute('class', bar.dark ? 'tl-text on-dark' : 'tl-text');
      slot.text.textContent = label;
    }
    while (this.texts.length > t) this.texts.pop()!.text.remove();
  }
}

interface Lane {
  readonly kind: 'status' | 'role' | 'fault' | 'op';
  readonly node: string;
  /** The operation lane of the client (op lanes only). */
  readonly lane: number;
  readonly pool: BarPool;
}

/** A time axis step (1, 2 or 5 times a power of ten microseconds) that leaves at least `pixelsMin` between ticks. */
function tickStep(lastMicros: Micros, plotPixels: number, pixelsMin: number): Micros {
  const want = (lastMicros * pixelsMin) / Math.max(1, plotPixels);
  let step = 1;
  for (;;) {
    for (const m of [1, 2, 5]) if (step * m >= want) return step * m;
    step *= 10;
  }
}

function roleLabel(s: { role: string | null; term: number | null }): string {
  if (s.role === null) return '';
  return s.term === null ? s.role : `${s.role} · t${s.term}`;
}

export class Timeline {
  readonly element: SVGSVGElement;
  private readonly note: HTMLParagraphElement;
  private readonly content = svg('g', { class: 'tl-content' });
  private readonly frame = svg('g', { class: 'tl-frame' });
  private readonly recovery = svg('rect', { class: 'tl-recovery', y: AXIS_HEIGHT_PIXELS, height: 0, width: 0, x: 0 });
  private readonly unsimulated = svg('rect', { class: 'tl-unsimulated', y: AXIS_HEIGHT_PIXELS, height: 0, width: 0, x: 0 });
  private readonly unsimulatedTitle = svg('title');
  /**
   * The cursor is an HTML element over the svg, moved by a transform: moving it every frame while playing
   * repaints nothing (in Chromium, changing any part of the svg repaints all of it, about 2–3 ms a frame).
   */
  private readonly cursor = document.createElement('div');
  private readonly noFaults = Object.assign(svg('text', { class: 'tl-section tl-none' }), { textContent: 'none so far' });
  private lanes: Lane[] = [];
  private width: number;
  private height = 0;
  private layoutKey = '';
  private contentKey = '';
  private drawnVersion = -1;
  private drawnFrontier: Micros = -1;
  private callsSinceContent = 0;
  private cursorX = NaN;
  /** What the last draw showed: the keyboard moves from it, and a resize draws it again. */
  private last: { model: TimelineModel; now: Micros; frontier: Micros; lastMicros: Micros } | undefined;
  private dragging = false;
  private opsGeneration = -1;
  private opsByLane = new Map<string, number[]>();
  private opsIndexed = 0;
  private opsHidden = 0;

  constructor(host: HTMLElement, private readonly onSeek: (micros: Micros) => void) {
    const legend = document.createElement('ul');
    legend.className = 'tl-legend';
    for (const [style, text] of LEGEND) {
      const item = document.createElement('li');
      const swatch = document.createElement('i');
      swatch.setAttribute('style', style);
      item.append(swatch, text);
      legend.append(item);
    }
    this.element = svg('svg', {
      id: 'timeline-chart', class: 'timeline', tabindex: 0, role: 'slider', 'aria-label': 'timeline: click, drag or use the arrow keys to show a moment', 'aria-valuemin': 0,
    });
    const defs = svg('defs');
    const pattern = (id: string, size: number, background: string, mark: SVGElement, rotate = 0) => {
      const p = svg('pattern', { id, width: size, height: size, patternUnits: 'userSpaceOnUse', ...(rotate !== 0 ? { patternTransform: `rotate(${rotate})` } : {}) });
      p.append(svg('rect', { width: size, height: size, fill: background }), mark);
      defs.append(p);
    };
    pattern('tl-hatch', 5, '#f4d7d7', svg('rect', { width: 2, height: 5, fill: '#8a1f1f' }), 45);
    // Square dots: a circle in the svg would read as a ring node to the page's keyboard test (nodes are circles).
    pattern('tl-dots', 4, '#f3ecd0', svg('rect', { x: 1, y: 1, width: 2, height: 2, fill: '#7a6414' }));
    pattern('tl-candidate', 5, '#f5c46a', svg('rect', { width: 2, height: 5, fill: '#b26b00' }), -45);
    pattern('tl-mixed', 3, '#eee', svg('rect', { width: 1, height: 3, fill: '#333' }));
    pattern('tl-open', 4, '#eee', svg('rect', { width: 1, height: 4, fill: '#555' }));
    pattern('tl-unsim', 6, '#eee', svg('rect', { width: 3, height: 6, fill: '#bbb' }), 45);
    this.unsimulated.append(this.unsimulatedTitle);
    this.element.append(defs, this.recovery, this.frame, this.content, this.unsimulated);
    this.cursor.className = 'tl-cursor';
    const wrap = document.createElement('div');
    wrap.className = 'tl-wrap';
    wrap.append(this.element, this.cursor);
    this.note = document.createElement('p');
    this.note.className = 'tl-note';
    host.append(legend, wrap, this.note);
    this.width = Math.max(WIDTH_PIXELS_MIN, host.clientWidth || WIDTH_PIXELS_DEFAULT);
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        const width = Math.max(WIDTH_PIXELS_MIN, host.clientWidth || WIDTH_PIXELS_DEFAULT);
        if (width === this.width) return;
        this.width = width;
        if (this.last !== undefined) this.draw(this.last.model, this.last.now, this.last.frontier, this.last.lastMicros);
      }).observe(host);
    }
    this.element.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      this.dragging = true;
      this.element.setPointerCapture?.(event.pointerId);
      this.element.focus();
      this.seekToPointer(event);
    });
    this.element.addEventListener('pointermove', (event) => {
      if (this.dragging) this.seekToPointer(event);
    });
    const stop = (event: PointerEvent) => {
      this.dragging = false;
      if (this.element.hasPointerCapture?.(event.pointerId)) this.element.releasePointerCapture(event.pointerId);
    };
    this.element.addEventListener('pointerup', stop);
    this.element.addEventListener('pointercancel', stop);
    this.element.addEventListener('keydown', (event) => this.onKey(event));
  }

  private get plotPixels(): number {
    return this.width - LEFT_PIXELS - RIGHT_PIXELS;
  }

  /** The time under a horizontal position (pixels from the svg's left edge), within [0, lastMicros]. */
  microsAt(xPixels: number): Micros {
    const lastMicros = this.last?.lastMicros ?? 0;
    const fraction = Math.min(1, Math.max(0, (xPixels - LEFT_PIXELS) / this.plotPixels));
    return Math.round(fraction * lastMicros);
  }

  private seekToPointer(event: PointerEvent): void {
    // Screen to svg coordinates (past its border, through any scaling).
    const matrix = this.element.getScreenCTM();
    if (matrix === null) return;
    this.onSeek(this.microsAt(new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse()).x));
  }

  /** Arrow keys move by 1% of the run (Shift: 5%), Page Up/Down by 10%, Home and End to either end. */
  private onKey(event: KeyboardEvent): void {
    if (this.last === undefined) return;
    const { now, lastMicros } = this.last;
    const step = Math.max(1, Math.round(lastMicros / (event.shiftKey ? 20 : 100)));
    const page = Math.max(1, Math.round(lastMicros / 10));
    const targets: Record<string, Micros> = {
      ArrowLeft: now - step, ArrowDown: now - step, ArrowRight: now + step, ArrowUp: now + step,
      PageDown: now - page, PageUp: now + page, Home: 0, End: lastMicros,
    };
    const target = targets[event.key];
    if (target === undefined) return;
    // The page's own keys (← → step between events) must not act as well.
    event.preventDefault();
    event.stopPropagation();
    this.onSeek(Math.min(lastMicros, Math.max(0, target)));
  }

  /**
   * Draws `model` with the cursor at `nowMicros`, everything after `frontierMicros` greyed as not simulated
   * yet, on a scale from 0 to `lastMicros` (the run's end, or its bound while unknown).
   */
  draw(model: TimelineModel, nowMicros: Micros, frontierMicros: Micros, lastMicros: Micros): void {
    const end = Math.max(1, lastMicros, model.frontierMicros);
    if (this.last?.model !== model) {
      // Another model (a session loaded anew): nothing cached from the last one holds.
      this.contentKey = '';
      this.opsGeneration = -1;
    }
    this.last = { model, now: nowMicros, frontier: frontierMicros, lastMicros: end };
    const x = (t: Micros) => LEFT_PIXELS + (Math.min(t, end) / end) * this.plotPixels;
    this.layout(model, end, x);
    const frontier = Math.max(frontierMicros, model.frontierMicros);
    // What is drawn changes when the model or the frontier does. Only the frontier's advance (with the
    // events it brings) waits: it is drawn every FRONTIER_REDRAW_CALLS calls, or at once when the run's end
    // is reached; everything past the drawn frontier stays greyed (while playing fast, the cursor may run
    // that many calls ahead of it).
    const layoutKey = `${this.layoutKey}|${model.generation}`;
    const changed = layoutKey !== this.contentKey || model.version !== this.drawnVersion || frontier !== this.drawnFrontier;
    this.callsSinceContent++;
    const due = layoutKey !== this.contentKey || this.callsSinceContent >= FRONTIER_REDRAW_CALLS || frontier >= end;
    if (changed && due) {
      this.contentKey = layoutKey;
      this.drawnVersion = model.version;
      this.drawnFrontier = frontier;
      this.callsSinceContent = 0;
      this.drawContent(model, frontier, x);
    }
    const cx = x(Math.max(0, nowMicros));
    if (cx !== this.cursorX) {
      this.cursorX = cx;
      // The svg's 1px border puts its x at cx + 1 in the wrapper: the 2px cursor's left edge at cx centres it there.
      this.cursor.style.transform = `translateX(${cx.toFixed(1)}px)`;
      this.cursor.setAttribute('data-x', cx.toFixed(1));
      this.element.setAttribute('aria-valuenow', String(nowMicros));
      this.element.setAttribute('aria-valuetext', `${formatMicros(nowMicros)} of ${formatMicros(end)}`);
    }
  }

  /** Rows, labels and the axis: built again only when the nodes, lanes, width or scale change. */
  private layout(model: TimelineModel, end: Micros, x: (t: Micros) => number): void {
    const servers = model.nodes.filter((id) => !model.isClient(id));
    const clients = model.nodes.filter((id) => model.opLanesOf(id) > 0);
    const opLanes = clients.map((id) => Math.min(OP_LANES_DRAWN_MAX, model.opLanesOf(id)));
    const faultLanes = Math.max(1, model.faultLanes);
    const key = `${this.width}|${end}|${model.nodes.join(',')}|${servers.join(',')}|${clients.join(',')}|${opLanes.join(',')}|${faultLanes}`;
    if (key === this.layoutKey) return;
    this.layoutKey = key;
    this.contentKey = '';
    this.frame.replaceChildren();
    this.content.replaceChildren();
    this.lanes = [];
    let y = AXIS_HEIGHT_PIXELS + 4;
    const label = (text: string, yMid: number, cls = 'tl-label') => {
      const t = svg('text', { class: cls, x: LEFT_PIXELS - 6, y: yMid + 4 });
      t.textContent = text;
      this.frame.append(t);
    };
    for (const id of model.nodes) {
      const hasRole = !model.isClient(id);
      const h = STATUS_HEIGHT_PIXELS + (hasRole ? ROLE_HEIGHT_PIXELS + 1 : 0);
      label(id, y + h / 2);
      this.lanes.push({ kind: 'status', node: id, lane: 0, pool: new BarPool(this.content, y, STATUS_HEIGHT_PIXELS, 'tl-lane') });
      if (hasRole) this.lanes.push({ kind: 'role', node: id, lane: 0, pool: new BarPool(this.content, y + STATUS_HEIGHT_PIXELS + 1, ROLE_HEIGHT_PIXELS, 'tl-lane') });
      y += h + ROW_GAP_PIXELS;
    }
    y += SECTION_GAP_PIXELS - ROW_GAP_PIXELS;
    label('faults', y + (faultLanes * (FAULT_HEIGHT_PIXELS + 2)) / 2, 'tl-section');
    this.noFaults.setAttribute('x', String(LEFT_PIXELS + 4));
    this.noFaults.setAttribute('y', String(y + FAULT_HEIGHT_PIXELS - 3));
    this.frame.append(this.noFaults);
    for (let lane = 0; lane < faultLanes; lane++) this.lanes.push({ kind: 'fault', node: '', lane, pool: new BarPool(this.content, y + lane * (FAULT_HEIGHT_PIXELS + 2), FAULT_HEIGHT_PIXELS, 'tl-lane tl-faults') });
    y += faultLanes * (FAULT_HEIGHT_PIXELS + 2) + SECTION_GAP_PIXELS;
    for (const [i, id] of clients.entries()) {
      const lanes = opLanes[i]!;
      label(`${id} ops`, y + (lanes * (OP_HEIGHT_PIXELS + 1)) / 2);
      for (let lane = 0; lane < lanes; lane++) this.lanes.push({ kind: 'op', node: id, lane, pool: new BarPool(this.content, y + lane * (OP_HEIGHT_PIXELS + 1), OP_HEIGHT_PIXELS, 'tl-lane tl-ops') });
      y += lanes * (OP_HEIGHT_PIXELS + 1) + ROW_GAP_PIXELS;
    }
    if (clients.length === 0) {
      label('no client operations yet', y + 6, 'tl-section');
      y += 14;
    }
    this.height = y + 2;
    this.element.setAttribute('width', String(this.width));
    this.element.setAttribute('height', String(this.height));
    this.element.setAttribute('viewBox', `0 0 ${this.width} ${this.height}`);
    this.element.setAttribute('aria-valuemax', String(end));
    const axis = svg('g', { class: 'tl-axis' });
    const step = tickStep(end, this.plotPixels, 90);
    for (let t = 0; t <= end; t += step) {
      const tx = x(t).toFixed(1);
      axis.append(svg('line', { x1: tx, x2: tx, y1: AXIS_HEIGHT_PIXELS - 2, y2: this.height }));
      const text = svg('text', { x: tx, y: AXIS_HEIGHT_PIXELS - 6 });
      text.textContent = t === 0 ? '0' : formatMicros(t);
      axis.append(text);
    }
    this.frame.prepend(axis);
    for (const r of [this.recovery, this.unsimulated]) r.setAttribute('height', String(this.height - AXIS_HEIGHT_PIXELS));
    this.cursor.style.top = `${AXIS_HEIGHT_PIXELS - 3}px`;
    this.cursor.style.height = `${this.height - AXIS_HEIGHT_PIXELS + 3}px`;
    this.cursorX = NaN;
  }

  private drawContent(model: TimelineModel, frontier: Micros, x: (t: Micros) => number): void {
    // Operations by lane, as indices into model.operations, kept across frames (an operation never changes lane).
    if (model.generation !== this.opsGeneration) {
      this.opsGeneration = model.generation;
      this.opsByLane = new Map();
      this.opsIndexed = 0;
      this.opsHidden = 0;
    }
    const ops = model.operations;
    for (; this.opsIndexed < ops.length; this.opsIndexed++) {
      const op = ops[this.opsIndexed]!;
      if (op.lane >= OP_LANES_DRAWN_MAX) {
        this.opsHidden++;
        continue;
      }
      const key = `${op.client}\u0000${op.lane}`;
      let list = this.opsByLane.get(key);
      if (list === undefined) this.opsByLane.set(key, (list = []));
      list.push(this.opsIndexed);
    }
    const hidden = this.opsHidden;
    // Operations: the narrowest drawn alone doubles until every lane's bars together fit OP_BARS_MAX.
    let minPixels = OP_PIXELS_MIN;
    let opBars = new Map<string, Bar[]>();
    for (;;) {
      opBars = new Map([...this.opsByLane].map(([key, indices]) => [key, operationBars(ops, indices, frontier, x, minPixels)]));
      const total = [...opBars.values()].reduce((sum, bars) => sum + bars.length, 0);
      if (total <= OP_BARS_MAX || minPixels >= OP_PIXELS_MAX) break;
      minPixels *= 2;
    }
    let drawnBars = 0;
    let droppedBars = 0;
    let mergedRuns = 0;
    for (const lane of this.lanes) {
      let bars: Bar[];
      if (lane.kind === 'status') bars = stretchBars(model.statusOf(lane.node), frontier, x, statusBar(lane.node));
      else if (lane.kind === 'role') bars = stretchBars(model.rolesOf(lane.node), frontier, x, roleBar(lane.node, model));
      else if (lane.kind === 'fault') bars = faultBars(model.faultBands.filter((b) => b.lane === lane.lane), frontier, x);
      else {
        const all = opBars.get(`${lane.node}\u0000${lane.lane}`) ?? [];
        bars = all.slice(0, OP_BARS_MAX - drawnBars);
        drawnBars += bars.length;
        droppedBars += all.length - bars.length;
        mergedRuns += bars.filter((b) => b.cls.includes('tl-op-merged')).length;
      }
      lane.pool.update(bars);
    }
    this.noFaults.setAttribute('visibility', model.faultBands.length === 0 ? 'visible' : 'hidden');
    const fx = x(frontier);
    const ex = LEFT_PIXELS + this.plotPixels;
    this.unsimulated.setAttribute('x', fx.toFixed(1));
    this.unsimulated.setAttribute('width', Math.max(0, ex - fx).toFixed(1));
    this.unsimulatedTitle.textContent = `not simulated yet: after ${formatMicros(frontier)}`;
    const recovery = model.recoveryStartMicros;
    this.recovery.setAttribute('x', recovery === null ? '0' : x(recovery).toFixed(1));
    this.recovery.setAttribute('width', recovery === null ? '0' : Math.max(0, fx - x(recovery)).toFixed(1));
    const total = model.operations.length;
    const parts = [`${total.toLocaleString('en-US')} client operation${total === 1 ? '' : 's'} in ${drawnBars.toLocaleString('en-US')} bar${drawnBars === 1 ? '' : 's'}`];
    if (mergedRuns > 0) parts.push(`operations narrower than ${minPixels} px and less than that apart are merged into one bar (hover it for the counts)`);
    if (droppedBars > 0) parts.push(`${droppedBars.toLocaleString('en-US')} more bars past the first ${OP_BARS_MAX.toLocaleString('en-US')} are not drawn`);
    if (hidden > 0) parts.push(`${hidden.toLocaleString('en-US')} in lanes past the ${OP_LANES_DRAWN_MAX}th (too many open at once) are not drawn`);
    if (recovery !== null) parts.push(`shaded from ${formatMicros(recovery)}: the recovery phase`);
    const text = `${parts.join('; ')}. Click or drag to show a moment; with the timeline focused, ← → move by 1%, Page Up/Down by 10%.`;
    if (this.note.textContent !== text) this.note.textContent = text;
    this.element.setAttribute('data-op-bars', String(drawnBars));
  }
}

/**
 * Bars for a list of stretches that tile [0, frontier]: one per stretch at least a pixel wide; a run of
 * narrower ones becomes one patterned bar ("n changes"). Stretches `make` returns null for are not drawn.
 */
export function stretchBars<S extends { from: Micros; to: Micros | null }>(list: readonly S[], frontier: Micros, x: (t: Micros) => number, make: (s: S, to: Micros) => Omit<Bar, 'x' | 'w'> | null): Bar[] {
  const out: Bar[] = [];
  let run: { x0: number; x1: number; from: Micros; to: Micros; count: number; first: S } | undefined;
  const flush = () => {
    if (run === undefined) return;
    if (run.count === 1) {
      const bar = make(run.first, run.to);
      if (bar !== null) out.push({ ...bar, x: run.x0, w: Math.max(1, run.x1 - run.x0) });
    } else {
      const { from, to, count } = run;
      out.push({ x: run.x0, w: Math.max(1, run.x1 - run.x0), cls: 'tl-mixed', fill: '', key: `mixed|${from}|${to}|${count}`, title: () => `${count} changes between ${formatMicros(from)} and ${formatMicros(to)}`, label: '', short: '', dark: false, data: { 'data-changes': String(count) } });
    }
    run = undefined;
  };
  for (const s of list) {
    const to = s.to ?? frontier;
    const x0 = x(s.from);
    const x1 = x(Math.max(s.from, to));
    if (x1 - x0 >= 1) {
      flush();
      const bar = make(s, to);
      if (bar !== null) out.push({ ...bar, x: x0, w: x1 - x0 });
    } else if (run !== undefined) {
      run.x1 = x1;
      run.to = to;
      run.count++;
    } else {
      run = { x0, x1, from: s.from, to, count: 1, first: s };
    }
  }
  flush();
  return out;
}

export function statusBar(node: string) {
  return (s: StatusStretch, to: Micros): Omit<Bar, 'x' | 'w'> => ({
    cls: `tl-status tl-status-${s.status}`, fill: '', key: `${s.status}|${s.from}|${to}`,
    title: () => `${node} ${s.status} from ${formatMicros(s.from)} to ${formatMicros(to)}${s.to === null ? ' (so far)' : ''}`,
    label: s.status === 'up' ? '' : s.status, short: '', dark: false, data: { 'data-node': node, 'data-status': s.status, 'data-from': String(s.from) },
  });
}

function roleBar(node: string, model: TimelineModel) {
  return (s: RoleStretch, to: Micros): Omit<Bar, 'x' | 'w'> | null => {
    if (s.role === null) return null;
    const fill = ROLE_FILLS[s.role] ?? EXTRA_ROLE_FILLS[model.roleIndex(s.role) % EXTRA_ROLE_FILLS.length]!;
    return {
      cls: 'tl-role', fill, key: `${s.role}|${s.term}|${s.from}|${to}`,
      title: () => `${node} ${roleLabel(s)} from ${formatMicros(s.from)} to ${formatMicros(to)}${s.to === null ? ' (so far)' : ''}`,
      label: roleLabel(s), short: s.term === null ? '' : `${s.role.charAt(0).toUpperCase()} t${s.term}`, dark: s.role === 'leader' || (ROLE_FILLS[s.role] === undefined),
      data: { 'data-node': node, 'data-role': s.role, 'data-term': s.term === null ? '' : String(s.term), 'data-from': String(s.from) },
    };
  };
}

function faultBars(bands: readonly FaultBand[], frontier: Micros, x: (t: Micros) => number): Bar[] {
  return bands.map((b) => {
    const to = b.to ?? frontier;
    const x0 = x(b.from);
    return {
      x: x0, w: Math.max(1.5, x(to) - x0), cls: 'tl-fault', fill: FAULT_FILLS[b.kind] ?? '#ddd', key: `${b.label}|${b.from}|${to}`,
      title: () => `${b.label}: from ${formatMicros(b.from)} ${b.to === null ? 'until now' : `to ${formatMicros(b.to)}`}`,
      label: b.label, short: b.kind, dark: false, data: { 'data-kind': b.kind, 'data-from': String(b.from) },
    };
  });
}

/**
 * Bars for one lane's operations (`indices` into `ops`, in call order, never overlapping): one per operation
 * at least `minPixels` wide; consecutive narrower ones less than `minPixels` apart (at least a pixel) merge
 * into one bar that counts them. So a lane has at most about one bar per `minPixels` of its width.
 */
export function operationBars(ops: readonly OpBar[], indices: readonly number[], frontier: Micros, x: (t: Micros) => number, minPixels: number): Bar[] {
  const out: Bar[] = [];
  let run: { x0: number; x1: number; first: number; last: number; count: number; ok: number; fail: number; open: number } | undefined;
  const single = (op: OpBar, x0: number, x1: number): Bar => {
    const end = op.ret ?? frontier;
    return {
      x: x0, w: Math.max(1, x1 - x0), cls: `tl-op tl-op-${op.status}`, fill: '', key: `${op.opId}|${op.status}|${end}`,
      title: () => `${op.client} #${op.opId} ${op.input}\n${op.status === 'open' ? 'open: no answer yet' : `${op.status}: ${op.output}`}\ncalled ${formatMicros(op.call)}${op.ret === null ? '' : `, returned ${formatMicros(op.ret)} (after ${formatMicros(op.ret - op.call)})`}`,
      label: '', short: '', dark: false, data: { 'data-op': String(op.opId), 'data-client': op.client, 'data-status': op.status },
    };
  };
  const flush = () => {
    if (run === undefined) return;
    if (run.count === 1) out.push(single(ops[run.first]!, run.x0, run.x1));
    else {
      const { count, ok, fail, open } = run;
      const worst = fail > 0 ? 'fail' : open > 0 ? 'open' : 'ok';
      const first = ops[run.first]!;
      const lastOp = ops[run.last]!;
      const end = lastOp.ret ?? frontier;
      out.push({
        x: run.x0, w: Math.max(1, run.x1 - run.x0), cls: `tl-op tl-op-merged tl-op-${worst}`, fill: '', key: `m|${first.opId}|${count}|${ok}|${fail}|${end}`,
        title: () => `${count} operations of ${first.client} (#${first.opId}–#${lastOp.opId}) from ${formatMicros(first.call)} to ${formatMicros(end)}: ${ok} ok, ${fail} failed, ${open} open`,
        label: '', short: '', dark: false, data: { 'data-ops': String(count), 'data-client': first.client, 'data-status': worst },
      });
    }
    run = undefined;
  };
  for (const i of indices) {
    const op = ops[i]!;
    const x0 = x(op.call);
    const x1 = x(op.ret ?? frontier);
    if (x1 - x0 >= minPixels) {
      flush();
      out.push(single(op, x0, x1));
      continue;
    }
    if (run === undefined || x0 > run.x1 + Math.max(1, minPixels - 1)) {
      flush();
      run = { x0, x1, first: i, last: i, count: 0, ok: 0, fail: 0, open: 0 };
    }
    run.x1 = Math.max(run.x1, x1);
    run.last = i;
    run.count++;
    run[op.status]++;
  }
  flush();
  return out;
}
