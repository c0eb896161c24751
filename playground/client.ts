// The playground page script: the session (playground/session.ts) runs the real simulator in the page; this
// file draws it (nodes on a ring with their algorithm's view and timers running down, messages flying, cut
// links, failed checks and the messages behind them) and turns
// clicks, drags and keys into seeks, steps and actions (schedule entries). It may read wall time
// (requestAnimationFrame) only to decide how far to simulate.

import { findScenario } from '../scenarios/index.js';
import { describeFault, type FaultEntry } from '../sim/faults.js';
import { formatMicros, type Micros } from '../sim/time.js';
import { CONFIG_ELEMENT_ID, type PlaygroundConfig } from './config.js';
import { findLesson, LESSONS, type Lesson } from './lessons.js';
import { sessionReplayText } from './replay.js';
import { buildOpenControl, type OpenControl } from './open-control.js';
import { NODE_ACTIONS, PlaygroundSession, type ActionEntry, type LiveViolation, type NodeAction, type SessionConfig } from './session.js';
import type { PendingTimer } from './timers.js';
import { describeViolationEvent, nodesNamedIn, TraceIndex, violationEvents, type CutLink, type MessageFlight, type NodeState, type ViolationEvent } from './trace-index.js';
import { ViewIndex } from './view-index.js';
import { viewFor } from './node-views.js';
import type { NodeViewModel, ViewCell } from './node-view.js';
import { Timeline } from './timeline.js';
import { TimelineModel } from './timeline-model.js';

/** Simulated time per wall-clock second, as multiples of real time. */
export const SPEEDS = [0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10, 100] as const;
/** How long a dropped message stays on screen, fading, in simulated time. */
const DROP_LINGER_MICROS: Micros = 20_000;
/**
 * The page simulates this far past the moment shown, so that a message in flight is drawn knowing when it
 * arrives (one in flight longer is drawn as if arriving at the frontier). Simulating ahead changes nothing:
 * the run is deterministic, and an action re-simulates from time 0 anyway.
 */
const LOOKAHEAD_MICROS: Micros = 100_000;
/**
 * Every frame the page also simulates ahead of the frontier, so that it reaches the run's end soon after load
 * and scrubbing anywhere only re-reads the trace. How far is paced by requestAnimationFrame's timestamps alone
 * (no other clock): it grows by AHEAD_STEP_MICROS after each frame on time (the gap since the previous one at
 * most FRAME_ON_TIME_MILLIS) and halves after a late one, within AHEAD_MICROS_MIN..MAX; while playing, a
 * quarter of it. Like LOOKAHEAD_MICROS it changes nothing but when the work is done.
 */
const AHEAD_MICROS_MIN: Micros = 10_000;
const AHEAD_MICROS_MAX: Micros = 2_000_000;
const AHEAD_STEP_MICROS: Micros = 50_000;
const FRAME_ON_TIME_MILLIS = 20;
/** A frame never advances simulated time by more than this much (a tab that slept does not jump). */
const FRAME_WALL_MILLIS_MAX = 100;
/** Message colours, assigned to message types in the order they are first seen; a legend names each. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const SVG_NS = 'http://www.w3.org/2000/svg';
const RING_PIXELS = 560;
/** Room around the ring for each node's view under it (two lines and a row of cells) and its timer arcs. */
const RING_MARGIN_PIXELS = 24;
/** Cell fills for a view's cells (a term, a round, a member's status), told apart by lightness too; the cell's text says it in words. */
const CELL_FILLS = ['#f0f0f0', '#c6dbef', '#fdd0a2', '#c7e9c0', '#9ecae1', '#fcbba1', '#dadaeb', '#bdbdbd'];
/** Timer arcs: the first just outside the node, each next one this much further out. */
const TIMER_ARC_GAP_PIXELS = 4;
const NODE_RADIUS_PIXELS = 34;
const CLIENT_RADIUS_PIXELS = 16;
/** Slider ranges: latency and jitter in milliseconds, clock drift in parts per million. */
const LATENCY_MILLIS_MAX = 1_000;
const JITTER_MILLIS_MAX = 200;
const DRIFT_PPM_MAX = 200_000;

/** What the page exposes as `window.faultlinePlayground` (for a console user, and the browser test). */
export interface PlaygroundHandle {
  readonly session: () => PlaygroundSession;
  readonly nowMicros: () => Micros;
  /** How many animation frames the page has drawn since it loaded (bench/playground.ts counts frames per second with it). */
  readonly frames: () => number;
  /** Loads the open scenario, seed and bug again with a fault phase of `durationMicros` (the bench's 60 s run). */
  readonly reloadWithDuration: (durationMicros: Micros) => void;
  /** Switches simulating ahead in idle frame time on or off (on by default; the bench compares the two). */
  readonly simulateAhead: (on: boolean) => void;
  /** Opens a replay file's or run report's text as the "Open replay file or report" control does; false if refused. */
  readonly openText: (text: string, name: string) => boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/**
 * An SVG path for the arc of a circle of radius `r` about the origin, clockwise from the top, covering
 * `fraction` (0 … 1) of the circle (a whole circle is drawn as two halves: one arc cannot close on itself).
 */
function arcPath(r: number, fraction: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const point = (share: number) => `${(r * Math.sin(2 * Math.PI * share)).toFixed(2)} ${(-r * Math.cos(2 * Math.PI * share)).toFixed(2)}`;
  if (f >= 0.9999) return `M ${point(0)} A ${r} ${r} 0 1 1 ${point(0.5)} A ${r} ${r} 0 1 1 ${point(0)}`;
  return `M ${point(0)} A ${r} ${r} 0 ${f > 0.5 ? 1 : 0} 1 ${point(f)}`;
}

/** Sets an element's text only when it differs (most frames change little: no needless layout). */
function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** A table cell listing a node's timers, each its own span (updated in place as they run down). */
function timerCell(node: string, timers: readonly PendingTimer[]): HTMLElement {
  const cell = el('td', { class: 'timers' });
  for (const [i, t] of timers.entries()) {
    if (i > 0) cell.append(', ');
    const item = el('span', { 'data-timer-of': node, 'data-timer': t.name, 'data-left': String(t.leftMicros) });
    item.append(el('span', { class: 'timer-left' }, `${t.name} ${formatMicros(t.leftMicros)}`));
    cell.append(item);
  }
  return cell;
}

/** A node's place on the ring: its centre and radius, in the ring's pixels. */
interface Spot {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

/**
 * The segment from one node towards another: it starts `gapFromPixels` beyond the sender's rim and ends
 * `gapToPixels` before the receiver's, moved `sidePixels` to one side (so that arrows both ways, or a cut
 * and a message, do not overlap); `ux`, `uy` is its direction.
 */
function rimSegment(from: Spot, to: Spot, gapFromPixels: number, gapToPixels: number, sidePixels = 0): { x1: number; y1: number; x2: number; y2: number; ux: number; uy: number } {
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  const ux = (to.x - from.x) / length;
  const uy = (to.y - from.y) / length;
  return {
    x1: from.x + ux * (from.r + gapFromPixels) - uy * sidePixels, y1: from.y + uy * (from.r + gapFromPixels) + ux * sidePixels,
    x2: to.x - ux * (to.r + gapToPixels) - uy * sidePixels, y2: to.y - uy * (to.r + gapToPixels) + ux * sidePixels,
    ux, uy,
  };
}

class Playground {
  session!: PlaygroundSession;
  private index!: TraceIndex;
  /** The node timeline and client operations below the ring (playground/timeline.ts), and what it draws from. */
  private timeline!: Timeline;
  private timelineModel!: TimelineModel;
  private readonly timelineHost = el('section', { id: 'timeline', 'aria-label': 'timeline: node status and roles, faults, client operations' });
  private playing = false;
  private speed = 1;
  private lastFrameMillis: number | undefined;
  /** Animation frames drawn since the page loaded (the window handle reports it; nothing else reads it). */
  frameCount = 0;
  /** Whether idle frame time simulates ahead (always, but for the bench, which measures the page without it too). */
  aheadOn = true;
  /** How far the next frame simulates ahead of the frontier (paced as AHEAD_MICROS_MIN's comment says). */
  private aheadMicros: Micros = 100_000;
  private lastTickMillis: number | undefined;
  private selected: string | null = null;
  private readonly colours = new Map<string, string>();
  private positions = new Map<string, Spot>();
  /** The node a drag started from (a drag to another node cuts or heals the link). */
  private dragFrom: string | null = null;
  private cutTarget: string | null = null;

  // Elements.
  private readonly scenarioSelect = el('select', { id: 'scenario-select', 'aria-label': 'scenario' });
  private readonly seedInput = el('input', { id: 'seed-input', type: 'number', min: '0', step: '1', 'aria-label': 'seed', style: 'width: 7em' });
  private readonly bugSelect = el('select', { id: 'bug-select', 'aria-label': 'planted bug' });
  private readonly loadButton = el('button', { id: 'load', type: 'button' }, 'Load');
  private readonly lessonSelect = el('select', { id: 'lesson-select', 'aria-label': 'guided lesson' });
  private readonly lessonButton = el('button', { id: 'lesson-open', type: 'button' }, 'Open lesson');
  /** The open lesson's text, prepared actions and prompts, beside the ring (empty when none is open). */
  private readonly lessonPanel = el('section', { id: 'lesson', 'aria-label': 'guided lesson' });
  private lesson: Lesson | null = null;
  openControl!: OpenControl;
  private readonly playButton = el('button', { id: 'play', type: 'button', 'aria-keyshortcuts': 'Space' }, 'Play');
  private readonly stepButton = el('button', { id: 'step', type: 'button', 'aria-keyshortcuts': 'ArrowRight', title: 'step to the next event (→; ← steps back)' }, 'Step ▸');
  private readonly speedSelect = el('select', { id: 'speed', 'aria-label': 'speed (simulated time per second)' });
  private readonly slider = el('input', { id: 'time-slider', type: 'range', min: '0', step: '1', 'aria-label': 'simulated time' });
  private readonly timeLabel = el('span', { id: 'time-label', role: 'status' });
  private readonly ring = svg('svg', { id: 'ring', viewBox: `${-RING_MARGIN_PIXELS} 0 ${RING_PIXELS + 2 * RING_MARGIN_PIXELS} ${RING_PIXELS + 2 * RING_MARGIN_PIXELS}`, role: 'img', 'aria-label': 'the cluster: nodes on a ring, messages in flight' });
  private readonly linkLayer = svg('g', { id: 'links' });
  private readonly dragLine = svg('line', { id: 'drag-line', class: 'drag', visibility: 'hidden' });
  private readonly messageLayer = svg('g', { id: 'messages' });
  /** The messages behind a failed check, drawn highlighted with a text label. */
  private readonly violationLayer = svg('g', { id: 'violation-messages' });
  private readonly nodeLayer = svg('g', { id: 'nodes' });
  private readonly menu = el('div', { id: 'node-menu', hidden: '' });
  private readonly legend = el('ul', { id: 'legend' });
  private readonly actionsList = el('ol', { id: 'actions' });
  private readonly drawnList = el('ol', { id: 'drawn' });
  private readonly violationBox = el('div', { id: 'violation', role: 'alert', hidden: '' });
  /** The full form of the node views: the selected node's, or every server's as a table. */
  private readonly detail = el('section', { id: 'node-detail', 'aria-label': 'node state' });
  /** Each server's view state, folded from the trace with the scenario's algorithm's view. */
  private views!: ViewIndex;
  /** The events behind each failed check, by check and moment, for the trace they were read from. */
  private violationCache: { trace: readonly unknown[]; events: Map<string, ViolationEvent[]> } = { trace: [], events: new Map() };
  private readonly bothWays = el('input', { id: 'both-ways', type: 'checkbox' });
  private readonly healButton = el('button', { id: 'heal-all', type: 'button' }, 'Heal all links');
  private readonly netTarget = el('select', { id: 'net-target' });
  private readonly lossInput = el('input', { id: 'loss-input', type: 'range', min: '0', max: '100', step: '1', value: '0' });
  private readonly latencyInput = el('input', { id: 'latency-input', type: 'range', min: '0', max: String(LATENCY_MILLIS_MAX), step: '1', value: '10' });
  private readonly jitterInput = el('input', { id: 'jitter-input', type: 'range', min: '0', max: String(JITTER_MILLIS_MAX), step: '1', value: '0' });
  private readonly driftNode = el('select', { id: 'drift-node' });
  private readonly driftInput = el('input', { id: 'drift-input', type: 'range', min: String(-DRIFT_PPM_MAX), max: String(DRIFT_PPM_MAX), step: '1000', value: '0' });
  private readonly lossButton = el('button', { id: 'loss-apply', type: 'button' }, 'Set loss');
  private readonly latencyButton = el('button', { id: 'latency-apply', type: 'button' }, 'Set latency');
  private readonly driftButton = el('button', { id: 'drift-apply', type: 'button' }, 'Set drift');
  private readonly requestNode = el('select', { id: 'request-node' });
  private readonly requestOp = el('input', { id: 'request-op', type: 'text', placeholder: 'drawn by the client, or JSON such as {"op":"put","key":"k1","value":"5"}', style: 'width: 30em' });
  private readonly requestButton = el('button', { id: 'request-send', type: 'button' }, 'Send request');
  private readonly plantSelect = el('select', { id: 'plant-select' });
  private readonly plantButton = el('button', { id: 'plant', type: 'button' }, 'Plant bug');
  private readonly status = el('div', { id: 'status' });
  private readonly checksList = el('ul', { id: 'checks' });
  private readonly downloadButton = el('button', { id: 'download', type: 'button' }, 'Download replay file');
  private readonly problemLine = el('div', { id: 'problem', class: 'problem', role: 'alert' });

  constructor(private readonly config: PlaygroundConfig) {}

  mount(): void {
    const header = el('header');
    header.append(el('h1', {}, 'faultline playground'));
    for (const s of this.config.scenarios) this.scenarioSelect.append(el('option', { value: s.name }, s.name));
    const scenarioLabel = el('label', {}, 'Scenario ');
    scenarioLabel.append(this.scenarioSelect);
    const seedLabel = el('label', {}, 'Seed ');
    seedLabel.append(this.seedInput);
    const bugLabel = el('label', {}, 'Bug ');
    bugLabel.append(this.bugSelect);
    header.append(scenarioLabel, seedLabel, bugLabel, this.loadButton);
    this.lessonSelect.append(...LESSONS.map((l, i) => el('option', { value: l.id }, `${i + 1}. ${l.title}`)));
    const lessonLabel = el('label', {}, 'Lesson ');
    lessonLabel.append(this.lessonSelect);
    header.append(lessonLabel, this.lessonButton);
    this.openControl = buildOpenControl({
      version: this.config.version,
      dropTarget: document.body,
      onOpen: (config) => {
        if (!this.loadConfig(config)) return false;
        // The header names the session only once it runs (a refused file leaves both as they were).
        this.scenarioSelect.value = config.scenario.name;
        this.seedInput.value = String(config.seed);
        this.fillBugs(config.bug ?? null);
        this.showLesson(null);
        return true;
      },
      onProblem: (problem) => this.showProblem(problem),
    });
    header.append(this.openControl.element);

    for (const speed of SPEEDS) this.speedSelect.append(el('option', { value: String(speed) }, `${speed}×`));
    this.speedSelect.value = '1';
    const controls = el('div', { id: 'controls' });
    const speedLabel = el('label', {}, 'Speed ');
    speedLabel.append(this.speedSelect);
    controls.append(this.playButton, this.stepButton, speedLabel, this.slider, this.timeLabel, this.downloadButton);

    const defs = svg('defs');
    const marker = svg('marker', { id: 'cut-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'cut-head' }));
    defs.append(marker);
    const violationMarker = svg('marker', { id: 'violation-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
    violationMarker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'violation-head' }));
    defs.append(violationMarker);
    this.ring.append(defs, this.linkLayer, this.messageLayer, this.nodeLayer, this.violationLayer, this.dragLine);
    // The first screen holds the ring and, beside it, the lesson, every node's view and the run's outcome; the
    // timeline comes right under them, across the page; the controls for faults and the schedules below it.
    const left = el('section', { id: 'watch' });
    left.append(this.violationBox, this.ring, this.menu, this.problemLine);
    const aside = el('aside', { id: 'state' });
    this.lessonPanel.hidden = true;
    aside.append(this.lessonPanel, this.detail, el('h2', {}, 'The whole run'), el('p', { class: 'hint' }, 'Simulated ahead of the moment shown: how the run ends and every check that fails in it, not only those failed by now (the box above the ring).'), this.status, this.openControl.status, this.checksList, el('h2', {}, 'Message types'), this.legend);
    const act = el('section', { id: 'act-column' });
    act.append(this.actPanel());
    const schedules = el('aside', { id: 'schedules' });
    schedules.append(el('h2', {}, 'Your actions'), this.actionsList,
      el('h2', {}, "The scenario's schedule"), this.drawnList,
      el('p', { class: 'hint' }, 'Click a node (or focus it and press Enter) to crash, restart, pause or resume it at the moment shown. '
        + 'Drag from one node to another to cut that link one way (hold Shift, or tick "both ways", to cut both); drag along a cut link to heal it. '
        + "The simulator's heal restores every cut link at once, so healing one link is recorded as a heal and the other cuts again. "
        + 'Space plays and pauses; the arrow keys step. '
        + 'Acting in the past forks the timeline: your later actions are dropped.'));
    const main = el('main');
    main.append(controls, left, aside, this.timelineHost, act, schedules);
    document.body.append(header, main);
    // A click, drag or key on the timeline shows that moment, as the slider does.
    this.timeline = new Timeline(this.timelineHost, (micros) => {
      this.setPlaying(false);
      this.session.seek(micros);
      this.draw();
    });

    this.scenarioSelect.addEventListener('change', () => this.fillBugs(null));
    this.loadButton.addEventListener('click', () => this.loadFromControls());
    this.lessonButton.addEventListener('click', () => this.openLesson(this.lessonSelect.value));
    this.playButton.addEventListener('click', () => this.setPlaying(!this.playing));
    this.stepButton.addEventListener('click', () => this.step(1));
    this.speedSelect.addEventListener('change', () => { this.speed = Number(this.speedSelect.value); });
    this.slider.addEventListener('input', () => {
      this.setPlaying(false);
      this.session.seek(Number(this.slider.value));
      this.draw();
    });
    this.downloadButton.addEventListener('click', () => this.download());
    document.addEventListener('keydown', (event) => this.onKey(event));
    this.healButton.addEventListener('click', () => this.take({ kind: 'heal' }));
    this.lossButton.addEventListener('click', () => this.take({ kind: 'loss', ratio: Number(this.lossInput.value) / 100, ...this.linkTarget() }));
    this.latencyButton.addEventListener('click', () => this.take({
      kind: 'delay', latency: { kind: 'uniform', baseMicros: Number(this.latencyInput.value) * 1_000, jitterMicros: Number(this.jitterInput.value) * 1_000 }, ...this.linkTarget(),
    }));
    this.driftButton.addEventListener('click', () => this.take({ kind: 'clock-drift', node: this.driftNode.value, ppm: Number(this.driftInput.value) }));
    this.plantButton.addEventListener('click', () => this.plant(this.plantSelect.value === '' ? null : this.plantSelect.value));
    this.requestButton.addEventListener('click', () => this.request());
    for (const input of [this.lossInput, this.latencyInput, this.jitterInput, this.driftInput]) input.addEventListener('input', () => this.showSliderValues());
    document.addEventListener('pointermove', (event) => this.onDragMove(event));
    document.addEventListener('pointerup', (event) => this.onDragEnd(event));

    this.scenarioSelect.value = this.config.scenario;
    this.seedInput.value = String(this.config.seed);
    this.fillBugs(this.config.bug);
    const opened = this.config.opened !== undefined && this.openControl.open(this.config.opened);
    if (!opened && this.config.lesson !== undefined && findLesson(this.config.lesson) !== undefined) {
      this.lessonSelect.value = this.config.lesson;
      this.openLesson(this.config.lesson);
    } else if (!opened) {
      this.load(this.config.scenario, this.config.seed, this.config.bug);
    }
    requestAnimationFrame((t) => this.frame(t));
  }

  /** The controls for links, loss, latency, clock drift and planting a bug, each with its text label. */
  private actPanel(): HTMLElement {
    const panel = el('section', { id: 'act', 'aria-label': 'faults to inject' });
    const labelled = (text: string, control: HTMLElement, output?: string) => {
      const label = el('label', {}, `${text} `);
      label.append(control);
      if (output !== undefined) label.append(' ', el('output', { id: output, for: control.id }));
      return label;
    };
    const row = (...children: HTMLElement[]) => {
      const div = el('div', { class: 'act-row' });
      div.append(...children);
      return div;
    };
    panel.append(
      el('h2', {}, 'Links'),
      row(labelled('Cut both ways', this.bothWays), this.healButton),
      el('h2', {}, 'Network and clocks'),
      row(labelled('On', this.netTarget)),
      row(labelled('Loss', this.lossInput, 'loss-value'), this.lossButton),
      row(labelled('Latency', this.latencyInput, 'latency-value'), labelled('jitter', this.jitterInput, 'jitter-value'), this.latencyButton),
      row(labelled('Clock drift of', this.driftNode), labelled('by', this.driftInput, 'drift-value'), this.driftButton),
      el('h2', {}, 'Client request'),
      row(labelled('From', this.requestNode), labelled('operation', this.requestOp), this.requestButton),
      el('p', { class: 'hint' }, "A request entry at the moment shown: the client issues one operation now (the one you give, or one it draws as its workload would), recorded in the history that the checkers judge. A client busy with an operation starts it when that one ends."),
      el('h2', {}, 'Plant a bug'),
      row(labelled('Bug', this.plantSelect), this.plantButton),
      el('p', { class: 'hint' }, 'A planted bug is part of the code from time 0, not an event: planting one runs the session again from the start with the bug on and the same schedule, and shows the same moment.'),
    );
    return panel;
  }

  private showSliderValues(): void {
    const set = (id: string, text: string) => { document.getElementById(id)!.textContent = text; };
    set('loss-value', `${this.lossInput.value}%`);
    set('latency-value', `${this.latencyInput.value} ms`);
    set('jitter-value', `+ up to ${this.jitterInput.value} ms`);
    const ppm = Number(this.driftInput.value);
    set('drift-value', `${ppm > 0 ? '+' : ''}${ppm.toLocaleString('en-US')} ppm`);
  }

  /** The links the loss and latency controls act on: every link, or those from or to one node (`from:n1`, `to:n1`). */
  private linkTarget(): { from?: string[]; to?: string[] } {
    const [side, node] = this.netTarget.value.split(':');
    if (node === undefined) return {};
    return side === 'to' ? { to: [node] } : { from: [node] };
  }

  /** Fills the per-session controls: node choices, the scenario's latency, its bugs. */
  private fillSessionControls(): void {
    const ids = this.session.nodes.map((n) => n.id);
    this.netTarget.replaceChildren(el('option', { value: '' }, 'all links'),
      ...ids.map((id) => el('option', { value: `from:${id}` }, `links from ${id}`)), ...ids.map((id) => el('option', { value: `to:${id}` }, `links to ${id}`)));
    this.driftNode.replaceChildren(...ids.map((id) => el('option', { value: id }, id)));
    // The nodes whose process takes requests (clients; every node of a broadcast); none: the control is off.
    const takers = this.session.requestTakers;
    this.requestNode.replaceChildren(...(takers.length > 0 ? takers.map((id) => el('option', { value: id }, id)) : [el('option', { value: '' }, 'no node takes requests')]));
    for (const control of [this.requestNode, this.requestOp, this.requestButton]) control.disabled = takers.length === 0;
    const latency = this.session.prepared.setup.network.latency;
    this.latencyInput.value = String(Math.min(LATENCY_MILLIS_MAX, Math.round(latency.baseMicros / 1_000)));
    this.jitterInput.value = latency.kind === 'uniform' ? String(Math.min(JITTER_MILLIS_MAX, Math.round(latency.jitterMicros / 1_000))) : '0';
    const bugs = this.config.scenarios.find((s) => s.name === this.session.config.scenario.name)?.bugs ?? [];
    this.plantSelect.replaceChildren(el('option', { value: '' }, 'none'), ...bugs.map((b) => el('option', { value: b }, b)));
    this.plantSelect.value = this.session.config.bug ?? '';
    this.showSliderValues();
  }

  private fillBugs(chosen: string | null): void {
    const scenario = this.config.scenarios.find((s) => s.name === this.scenarioSelect.value);
    this.bugSelect.replaceChildren(el('option', { value: '' }, 'none'), ...(scenario?.bugs ?? []).map((b) => el('option', { value: b }, b)));
    this.bugSelect.value = chosen ?? '';
  }

  private loadFromControls(): void {
    const seed = Number(this.seedInput.value);
    if (this.seedInput.value === '' || !Number.isSafeInteger(seed) || seed < 0) {
      this.showProblem(`seed: expected a whole number; got ${JSON.stringify(this.seedInput.value)}`);
      return;
    }
    this.showLesson(null);
    this.load(this.scenarioSelect.value, seed, this.bugSelect.value === '' ? null : this.bugSelect.value);
  }

  /**
   * Opens a guided lesson: its session loads as the scenario picker loads one (the header shows its
   * scenario, seed and bug), with its prepared actions as the user's, and its text shows beside the ring.
   */
  private openLesson(id: string): void {
    const lesson = findLesson(id);
    if (lesson === undefined) {
      this.showProblem(`unknown lesson ${JSON.stringify(id)}`);
      return;
    }
    this.scenarioSelect.value = lesson.scenario;
    this.seedInput.value = String(lesson.seed);
    this.fillBugs(lesson.bug ?? null);
    if (this.load(lesson.scenario, lesson.seed, lesson.bug ?? null, lesson.actions)) this.showLesson(lesson);
  }

  /** Fills the lesson panel (null: empties and hides it). */
  private showLesson(lesson: Lesson | null): void {
    this.lesson = lesson;
    this.lessonPanel.hidden = lesson === null;
    if (lesson === null) {
      this.lessonPanel.replaceChildren();
      return;
    }
    const point = el('button', { id: 'lesson-point', type: 'button', 'data-micros': String(lesson.pointMicros) }, `Show the moment (${formatMicros(lesson.pointMicros)})`);
    point.addEventListener('click', () => this.showLessonPoint());
    const actions = el('ol', { id: 'lesson-actions' });
    actions.append(...(lesson.actions.length === 0
      ? [el('li', { class: 'none' }, "none: the scenario's own schedule does it")]
      : lesson.actions.map((f) => el('li', { 'data-kind': f.kind, 'data-at': String(f.at) }, `${formatMicros(f.at)}: ${describeFault(f)}`))));
    const tryThis = el('ul', { id: 'lesson-try' });
    tryThis.append(...lesson.tryThis.map((t) => el('li', {}, t)));
    this.lessonPanel.replaceChildren(
      el('h2', { id: 'lesson-title' }, lesson.title),
      el('div', { class: 'lesson-session' }, `${lesson.scenario} · seed ${lesson.seed} · ${lesson.bug === undefined ? 'no planted bug' : `bug ${lesson.bug}`}`),
      ...lesson.text.map((p) => el('p', { class: 'lesson-text' }, p)),
      el('h3', {}, 'Prepared actions'), actions,
      point,
      el('h3', {}, 'Try this'), tryThis,
    );
  }

  /**
   * Shows the moment the open lesson is about. The run is simulated to its end first, so that a check judged
   * only then (linearizability) is known at that moment too.
   */
  private showLessonPoint(): void {
    if (this.lesson === null) return;
    this.setPlaying(false);
    const at = this.lesson.pointMicros;
    this.guard(() => {
      this.session.runToEnd();
      this.session.seek(Math.min(at, this.session.lastMicros));
    });
    this.draw();
  }

  /** Runs `work`, showing an input error (a refused action, a bad seed) as one line instead of throwing. */
  private guard(work: () => void): boolean {
    try {
      work();
      this.showProblem('');
      return true;
    } catch (error) {
      this.showProblem((error as Error).message);
      return false;
    }
  }

  private showProblem(text: string): void {
    this.problemLine.textContent = text;
  }

  /** Loads a new session (`actions`: the user's actions to start with, as a lesson prepares them); false if refused. */
  load(name: string, seed: number, bug: string | null, actions: readonly FaultEntry[] = [], durationMicros?: Micros): boolean {
    const scenario = findScenario(name);
    if (scenario === undefined) {
      this.showProblem(`unknown scenario ${name}`);
      return false;
    }
    return this.loadConfig({ scenario, seed, ...(bug !== null ? { bug } : {}), ...(durationMicros !== undefined ? { durationMicros } : {}) }, actions);
  }

  /** Loads a session of `config` (an opened file's carries its parameters, size and schedule); false if refused. */
  loadConfig(config: SessionConfig, actions: readonly FaultEntry[] = []): boolean {
    const loaded = this.guard(() => {
      this.session = new PlaygroundSession(config, actions);
      // A dormant spare is absent until a join boots it.
      const spares = this.session.prepared.setup.nodes.filter((n) => n.dormant === true).map((n) => [n.id, 'absent'] as const);
      this.index = new TraceIndex(this.session.nodes.map((n) => n.id), new Map(spares));
      this.views = new ViewIndex(this.session.nodes.filter((n) => n.role !== 'client').map((n) => n.id), viewFor(config.scenario.algorithm));
      this.timelineModel = new TimelineModel(this.session.nodes.map((n) => n.id), {
        baseLatency: this.session.prepared.setup.network.latency, initial: new Map(spares),
        clients: this.session.nodes.filter((n) => n.role === 'client').map((n) => n.id),
      });
      this.selected = null;
      this.colours.clear();
      // The legend names the new session's message types only (it listed every session's before).
      this.legend.replaceChildren();
      this.layoutNodes();
      this.fillSessionControls();
      this.setPlaying(false);
      document.title = `faultline playground: ${config.scenario.name} seed ${config.seed}`;
    });
    this.draw();
    return loaded;
  }

  /** Servers on the outer ring, clients (smaller) on an inner one. */
  private layoutNodes(): void {
    const nodes = this.session.nodes;
    const centre = RING_PIXELS / 2;
    const rings = [nodes.filter((n) => n.role !== 'client'), nodes.filter((n) => n.role === 'client')];
    const radii = [RING_PIXELS / 2 - NODE_RADIUS_PIXELS - 30, RING_PIXELS / 4 - CLIENT_RADIUS_PIXELS];
    this.positions = new Map(rings.flatMap((ring, r) => ring.map((n, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * (i + r / 2)) / ring.length;
      return [n.id, { x: centre + radii[r]! * Math.cos(angle), y: centre + radii[r]! * Math.sin(angle), r: r === 0 ? NODE_RADIUS_PIXELS : CLIENT_RADIUS_PIXELS }] as const;
    })));
    this.nodeLayer.replaceChildren(...nodes.map((n) => {
      const { x, y } = this.positions.get(n.id)!;
      const client = n.role === 'client';
      const group = svg('g', {
        class: `node ${client ? 'client' : 'server'}`, 'data-node': n.id, transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`, tabindex: 0, role: 'button', 'aria-label': `node ${n.id}`,
      });
      const radius = client ? CLIENT_RADIUS_PIXELS : NODE_RADIUS_PIXELS;
      group.append(
        svg('g', { class: 'timers', 'data-radius': radius }),
        svg('circle', { r: radius }),
        Object.assign(svg('text', { class: 'id', y: client ? 4 : -6 }), { textContent: n.id }),
        svg('text', { class: 'state', y: client ? CLIENT_RADIUS_PIXELS + 12 : 10 }),
        svg('text', { class: 'role view-line', y: NODE_RADIUS_PIXELS + 20 }),
        svg('text', { class: 'view-line second', y: NODE_RADIUS_PIXELS + 33 }),
        svg('g', { class: 'cells', transform: `translate(0 ${NODE_RADIUS_PIXELS + 38})` }),
      );
      group.addEventListener('click', () => this.select(n.id));
      group.addEventListener('pointerdown', (event) => {
        if (event.button !== 0) return;
        this.dragFrom = n.id;
        event.preventDefault();
      });
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') this.select(n.id);
      });
      return group;
    }));
  }

  private select(id: string | null): void {
    this.selected = this.selected === id ? null : id;
    this.setPlaying(false);
    this.draw();
  }

  private setPlaying(playing: boolean): void {
    this.playing = playing && this.session !== undefined;
    if (this.playing && this.session.result !== undefined && this.session.nowMicros >= this.session.result.endedAtMicros) this.playing = false;
    this.playButton.textContent = this.playing ? 'Pause' : 'Play';
    this.playButton.setAttribute('aria-pressed', String(this.playing));
    this.lastFrameMillis = undefined;
  }

  private step(direction: 1 | -1): void {
    this.setPlaying(false);
    if (direction === 1) this.session.stepToNextEvent();
    else {
      const now = this.session.nowMicros;
      const trace = this.session.trace;
      let previous = 0;
      for (let i = trace.length - 1; i >= 0; i--) if (trace[i]!.at < now) { previous = trace[i]!.at; break; }
      this.session.seek(previous);
    }
    this.draw();
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (target !== null && (target.tagName === 'INPUT' || target.tagName === 'SELECT') && target !== this.slider) return;
    // A focused button (or node) acts on space and Enter itself.
    if (target !== null && (target.tagName === 'BUTTON' || target.closest?.('g.node') != null) && (event.key === ' ' || event.key === 'Enter')) return;
    if (event.key === ' ') {
      event.preventDefault();
      this.setPlaying(!this.playing);
    } else if (event.key === 'ArrowRight') {
      event.preventDefault();
      this.step(1);
    } else if (event.key === 'ArrowLeft') {
      event.preventDefault();
      this.step(-1);
    }
  }

  private act(kind: NodeAction, node: string): void {
    this.guard(() => this.session.act(kind, node));
    this.draw();
  }

  private take(action: ActionEntry): void {
    this.takeAll([action]);
  }

  private takeAll(actions: readonly ActionEntry[]): void {
    this.setPlaying(false);
    this.guard(() => this.session.takeAll(actions));
    this.draw();
  }

  /** A client request at the moment shown: the operation typed (JSON), or none (the client draws one). */
  private request(): void {
    const text = this.requestOp.value.trim();
    let op: unknown;
    if (text !== '') {
      try {
        op = JSON.parse(text);
      } catch {
        this.showProblem(`request: the operation must be JSON, such as {"op":"get","key":"k1"}; got ${JSON.stringify(text)}`);
        return;
      }
    }
    this.take({ kind: 'request', node: this.requestNode.value, ...(op !== undefined ? { op } : {}) } as ActionEntry);
  }

  /** Plants `bug` (null: removes the planted one): the session runs again from time 0 with the same schedule. */
  private plant(bug: string | null): void {
    this.setPlaying(false);
    this.guard(() => {
      this.session = this.session.withBug(bug);
      this.fillBugs(bug);
    });
    this.draw();
  }

  private isCut(from: string, to: string): boolean {
    return this.index.cutLinksAt(this.session.nowMicros).some((l) => l.from === from && l.to === to);
  }

  /**
   * A drag from one node to another: cuts from → to (both ways with Shift or the toggle), or heals that link
   * if it is cut. The simulator's heal restores every cut link, so healing one link is a heal followed by
   * the other cuts again, one-way, at the same moment (all in the schedule, in that order).
   */
  private linkGesture(from: string, to: string, both: boolean): void {
    if (this.isCut(from, to) || (both && this.isCut(to, from))) {
      const healed = (l: CutLink) => (l.from === from && l.to === to) || (both && l.from === to && l.to === from);
      const others = this.index.cutLinksAt(this.session.nowMicros).filter((l) => !healed(l));
      this.takeAll([{ kind: 'heal' }, ...others.map((l): ActionEntry => ({ kind: 'partition', from: [l.from], to: [l.to] }))]);
    } else if (both) this.take({ kind: 'partition', groups: [[from], [to]] });
    else this.take({ kind: 'partition', from: [from], to: [to] });
  }

  private svgPoint(event: PointerEvent): { x: number; y: number } {
    const matrix = this.ring.getScreenCTM();
    if (matrix === null) return { x: 0, y: 0 };
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  private onDragMove(event: PointerEvent): void {
    if (this.dragFrom === null) return;
    const from = this.positions.get(this.dragFrom)!;
    const to = this.svgPoint(event);
    if (Math.hypot(to.x - from.x, to.y - from.y) < from.r) return;
    for (const [name, value] of Object.entries({ x1: from.x, y1: from.y, x2: to.x, y2: to.y })) this.dragLine.setAttribute(name, value.toFixed(1));
    this.dragLine.setAttribute('visibility', 'visible');
  }

  private onDragEnd(event: PointerEvent): void {
    const from = this.dragFrom;
    this.dragFrom = null;
    this.dragLine.setAttribute('visibility', 'hidden');
    if (from === null) return;
    const target = (event.target as Element | null)?.closest?.('g.node');
    const to = target?.getAttribute('data-node') ?? null;
    if (to !== null && to !== from) this.linkGesture(from, to, event.shiftKey || this.bothWays.checked);
  }

  private download(): void {
    this.setPlaying(false);
    let text = '';
    if (!this.guard(() => { text = sessionReplayText(this.session, this.config.version); })) return;
    const { scenario, seed } = this.session.config;
    const link = el('a', { href: `data:application/json;charset=utf-8,${encodeURIComponent(text)}`, download: `playground-${scenario.name}-seed${seed}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    this.draw();
  }

  private frame(wallMillis: number): void {
    const gapMillis = this.lastTickMillis === undefined ? undefined : wallMillis - this.lastTickMillis;
    this.lastTickMillis = wallMillis;
    this.frameCount++;
    if (this.playing) {
      const elapsed = this.lastFrameMillis === undefined ? 0 : Math.min(FRAME_WALL_MILLIS_MAX, wallMillis - this.lastFrameMillis);
      this.lastFrameMillis = wallMillis;
      const advance = Math.round(elapsed * 1_000 * this.speed);
      if (advance > 0) {
        const before = this.session.nowMicros;
        const target = before + advance;
        this.session.seek(target);
        // A safety check that failed in this frame's stretch stops the clock at the event that broke it.
        const broken = this.session.violations.find((v) => v.atMicros > before && v.atMicros <= target);
        if (broken !== undefined) {
          this.session.seek(broken.atMicros);
          this.setPlaying(false);
        }
        const ended = this.session.result;
        if (ended !== undefined && this.session.nowMicros >= ended.endedAtMicros) this.setPlaying(false);
        this.draw();
      }
    }
    this.simulateAhead(gapMillis);
    requestAnimationFrame((t) => this.frame(t));
  }

  /** Simulates ahead of the frontier, as far as the pace of the last frames allows (`gapMillis`: since the previous frame). */
  private simulateAhead(gapMillis: number | undefined): void {
    const session = this.session;
    if (session === undefined || !this.aheadOn || session.result !== undefined) return;
    if (gapMillis !== undefined) {
      this.aheadMicros = gapMillis <= FRAME_ON_TIME_MILLIS
        ? Math.min(AHEAD_MICROS_MAX, this.aheadMicros + AHEAD_STEP_MICROS)
        : Math.max(AHEAD_MICROS_MIN, Math.round(this.aheadMicros / 2));
    }
    session.advanceTo(session.frontierMicros + (this.playing ? Math.round(this.aheadMicros / 4) : this.aheadMicros));
    // Read the new events into the drawing indexes now, not all at once in a later draw.
    this.index.sync(session.trace);
    this.views.sync(session.trace);
    this.timelineModel.sync(session.trace, session.frontierMicros);
    // The timeline greys what is not simulated yet: while paused, its edge moves as simulating ahead goes
    // (while playing, draw() draws it every frame).
    if (!this.playing) this.timeline.draw(this.timelineModel, session.nowMicros, session.frontierMicros, session.lastMicros);
  }

  private colourOf(type: string): string {
    let colour = this.colours.get(type);
    if (colour === undefined) {
      colour = PALETTE[this.colours.size % PALETTE.length]!;
      this.colours.set(type, colour);
      const item = el('li', { 'data-type': type });
      item.append(el('span', { class: 'swatch', style: `background:${colour}` }), document.createTextNode(type));
      this.legend.append(item);
    }
    return colour;
  }

  private draw(): void {
    const session = this.session;
    if (session === undefined) return;
    const now = session.nowMicros;
    session.advanceTo(now + LOOKAHEAD_MICROS);
    this.index.sync(session.trace);
    this.views.sync(session.trace);
    this.slider.max = String(session.lastMicros);
    this.slider.value = String(now);
    const phase = now < session.faultPhaseMicros ? 'fault phase' : 'recovery phase';
    this.timeLabel.textContent = `${formatMicros(now)} · ${phase}`;
    this.timeLabel.setAttribute('data-micros', String(now));

    const failed = session.violations.filter((v) => v.atMicros <= now);
    const implicated = new Set(failed.flatMap((v) => nodesNamedIn(v.message, session.nodes.map((n) => n.id))));
    const behind = failed.map((v) => this.eventsBehind(v));
    this.drawViolations(failed, behind);
    this.drawLinks(this.index.cutLinksAt(now));
    const states = this.index.nodesAt(now);
    const models = new Map(this.views.nodes.map((id) => [id, this.views.modelAt(id, now)]));
    const timers = new Map(states.map((st) => [st.id, session.timers.pendingAt(st.id, now)]));
    for (const state of states) this.drawNode(state, implicated.has(state.id), models.get(state.id), timers.get(state.id)!);
    this.drawMessages(this.index.messagesAt(now, DROP_LINGER_MICROS), now, session.frontierMicros);
    this.drawViolationMessages(behind.flat());
    this.drawMenu(states);
    this.drawDetail(states, models, timers);
    this.timelineModel.sync(session.trace, session.frontierMicros);
    this.timeline.draw(this.timelineModel, now, session.frontierMicros, session.lastMicros);

    const result = session.result;
    this.status.replaceChildren(
      el('div', {}, `${session.config.scenario.name} · seed ${session.config.seed}${session.config.bug !== undefined ? ` · bug ${session.config.bug}` : ''}`),
      el('div', { id: 'outcome' }, result === undefined ? 'running' : `ended at ${formatMicros(result.endedAtMicros)}: ${result.outcome}`),
      ...(result === undefined ? [] : [el('div', {}, 'fingerprint '), el('span', { id: 'fingerprint' }, result.fingerprint)]),
    );
    this.checksList.replaceChildren(...(result?.checks ?? []).filter((c) => !c.ok).map((c) => el('li', { 'data-check': c.name }, `${c.name} (${c.kind}) failed${c.message !== undefined ? `: ${c.message}` : ''}`)));
    const entry = (f: FaultEntry) => el('li', { 'data-kind': f.kind, 'data-at': String(f.at), ...(f.at > now ? { class: 'later' } : {}) }, `${formatMicros(f.at)}: ${describeFault(f)}`);
    this.actionsList.replaceChildren(...session.actions.map(entry));
    this.drawnList.replaceChildren(...(session.drawn.length === 0 ? [el('li', { class: 'none' }, 'none')] : session.drawn.map(entry)));
    this.openControl.update(session);
  }

  /** The trace events behind a failed check (the handler that broke it, and what it sent), read once per trace. */
  private eventsBehind(v: LiveViolation): ViolationEvent[] {
    // A sampled check found the break at its next look: what ran then did not break it.
    if (v.sampled === true) return [];
    const trace = this.session.trace;
    if (this.violationCache.trace !== trace) this.violationCache = { trace, events: new Map() };
    const key = `${v.name}@${v.atMicros}`;
    let events = this.violationCache.events.get(key);
    // Read only once the frontier is past the moment, so that every event at it is in the trace.
    if (events === undefined && this.session.frontierMicros > v.atMicros) {
      events = violationEvents(trace, v.atMicros, nodesNamedIn(v.message, this.session.nodes.map((n) => n.id)));
      this.violationCache.events.set(key, events);
    }
    return events ?? [];
  }

  /** The safety checks failed by the moment shown, in the terminal's words (`at T: message`), each with the messages behind it. */
  private drawViolations(failed: readonly LiveViolation[], behind: readonly (readonly ViolationEvent[])[]): void {
    this.violationBox.hidden = failed.length === 0;
    this.violationBox.replaceChildren(
      el('strong', {}, failed.length === 1 ? 'A safety check failed' : `${failed.length} safety checks failed`),
      ...failed.flatMap((v, i) => {
        const line = el('div', { class: 'violation', 'data-check': v.name, 'data-at': String(v.atMicros) }, `${v.name} (always) FAILED at ${formatMicros(v.atMicros)}: ${v.message}`);
        if (v.sampled === true) {
          return [line, el('div', { class: 'violation-sampled' }, `found at ${formatMicros(v.atMicros)} by a check that looks every few steps: the rule may have broken earlier, and what ran then is not named as the cause`)];
        }
        const events = behind[i] ?? [];
        if (events.length === 0) return [line];
        const list = el('ul', { class: 'violation-events', 'aria-label': `what happened at ${formatMicros(v.atMicros)}` });
        list.append(...events.map((e) => el('li', { 'data-kind': e.kind, ...('msgId' in e ? { 'data-msg': String(e.msgId) } : {}) }, describeViolationEvent(e, formatMicros))));
        return [line, list];
      }),
    );
  }

  /**
   * The messages behind the failed checks, on the ring: the one whose delivery broke a check as a heavy arrow
   * from sender to receiver with a text label (`⚠ append-reply n3 → n4`), what that handler sent as dashed
   * arrows; a timer or start that broke one as a label beside its node.
   */
  private drawViolationMessages(events: readonly ViolationEvent[]): void {
    const drawn: SVGElement[] = [];
    for (const e of events) {
      if (!('from' in e)) {
        const at = this.positions.get(e.node);
        if (at === undefined) continue;
        const label = svg('text', { class: 'violation-label', x: at.x.toFixed(1), y: (at.y - at.r - 10).toFixed(1), 'data-kind': e.kind, 'data-node': e.node });
        label.textContent = e.kind === 'timer' ? `⚠ timer ${e.name}` : e.kind === 'started' ? '⚠ start' : e.kind === 'resumed' ? '⚠ resume' : `⚠ ${e.kind}`;
        drawn.push(label);
        continue;
      }
      const from = this.positions.get(e.from);
      const to = this.positions.get(e.to);
      if (from === undefined || to === undefined) continue;
      // Offset to the other side than a cut link's, so that both show.
      const { x1, y1, x2, y2, ux, uy } = rimSegment(from, to, 4, 6, -7);
      const group = svg('g', { class: `violation-msg ${e.kind}`, 'data-kind': e.kind, 'data-from': e.from, 'data-to': e.to, 'data-type': e.type, 'data-msg': e.msgId });
      group.append(svg('line', { x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1), 'marker-end': 'url(#violation-arrow)' }));
      const title = svg('title');
      title.textContent = describeViolationEvent(e, formatMicros);
      group.append(title);
      if (e.kind === 'delivered') {
        // Beside the arrow, on its side (away from a cut link's), not over it.
        const label = svg('text', { class: 'violation-label', x: ((from.x + to.x) / 2 + uy * 20).toFixed(1), y: ((from.y + to.y) / 2 - ux * 20 + 4).toFixed(1) });
        label.textContent = `⚠ ${e.type} ${e.from} → ${e.to}`;
        group.append(label);
      }
      drawn.push(group);
    }
    this.violationLayer.replaceChildren(...drawn);
  }

  /** Each cut link as a dashed red arrow, offset to one side so that a link cut both ways shows two. */
  private drawLinks(cuts: readonly CutLink[]): void {
    const lines: SVGElement[] = [];
    for (const cut of cuts) {
      const from = this.positions.get(cut.from);
      const to = this.positions.get(cut.to);
      if (from === undefined || to === undefined) continue;
      const { x1, y1, x2, y2 } = rimSegment(from, to, 0, 4, 5);
      const line = svg('line', {
        class: 'cut', 'data-from': cut.from, 'data-to': cut.to, 'marker-end': 'url(#cut-arrow)',
        x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1),
      });
      const title = svg('title');
      title.textContent = `link ${cut.from} → ${cut.to} cut`;
      line.append(title);
      lines.push(line);
    }
    this.linkLayer.replaceChildren(...lines);
    this.ring.setAttribute('aria-label', `the cluster: nodes on a ring, messages in flight${cuts.length > 0 ? `; cut links: ${cuts.map((c) => `${c.from} to ${c.to}`).join(', ')}` : ''}`);
  }

  private drawNode(state: NodeState, implicated: boolean, model: NodeViewModel | undefined, timers: readonly PendingTimer[]): void {
    const group = this.nodeLayer.querySelector<SVGGElement>(`g[data-node="${CSS.escape(state.id)}"]`);
    if (group === null) return;
    group.setAttribute('data-status', state.status);
    group.setAttribute('data-role', state.role ?? '');
    group.setAttribute('data-term', state.term === null ? '' : String(state.term));
    group.classList.toggle('selected', this.selected === state.id);
    group.classList.toggle('implicated', implicated);
    group.querySelector('.state')!.textContent = implicated ? `${state.status} ⚠` : state.status;
    const lines = group.querySelectorAll('.view-line');
    setText(lines[0]!, model?.compact[0] ?? '');
    setText(lines[1]!, model?.compact[1] ?? '');
    this.drawCells(group.querySelector('.cells')!, model?.cells?.items ?? []);
    this.drawTimerArcs(group.querySelector('.timers')!, timers);
    const words = model === undefined ? '' : model.compact.filter((c) => c !== '').map((c) => `, ${c}`).join('');
    const timerWords = timers.length === 0 ? '' : `, timers: ${timers.map((t) => `${t.name} in ${formatMicros(t.leftMicros)}`).join(', ')}`;
    group.setAttribute('aria-label', `node ${state.id}: ${state.status}${words}${timerWords}${implicated ? ', named by a failed check' : ''}`);
  }

  /** A view's cells in a row under the node: small boxes with their text inside (the term, a member's mark). */
  private drawCells(layer: SVGGElement, items: readonly ViewCell[]): void {
    // Most frames change no cell: rebuild only when they differ from what is drawn.
    const key = items.map((c) => `${c.text}\u0000${c.shade}\u0000${c.title}`).join('\u0001');
    if (layer.getAttribute('data-key') === key) return;
    layer.setAttribute('data-key', key);
    const widths = items.map((c) => Math.max(14, c.text.length * 5.5 + 4));
    const gap = 1;
    const total = widths.reduce((a, b) => a + b + gap, 0) - gap;
    let x = -total / 2;
    const drawn: SVGElement[] = [];
    for (const [i, cell] of items.entries()) {
      const w = widths[i]!;
      const box = svg('g', { class: 'cell', 'data-shade': cell.shade });
      box.append(
        svg('rect', { x: x.toFixed(1), y: 0, width: w.toFixed(1), height: 12, fill: CELL_FILLS[((cell.shade % CELL_FILLS.length) + CELL_FILLS.length) % CELL_FILLS.length]! }),
        Object.assign(svg('text', { x: (x + w / 2).toFixed(1), y: 9.5 }), { textContent: cell.text }),
      );
      const title = svg('title');
      title.textContent = cell.title;
      box.append(title);
      drawn.push(box);
      x += w + gap;
    }
    layer.replaceChildren(...drawn);
  }

  /** Each pending timer as an arc around the node that shrinks as the timer runs down (its name in the arc's title and the detail panel). */
  private drawTimerArcs(layer: SVGGElement, timers: readonly PendingTimer[]): void {
    const radius = Number(layer.getAttribute('data-radius'));
    // The same timers as drawn (most frames): move their arcs; else draw them afresh.
    const names = timers.map((t) => t.name).join('\u0000');
    if (layer.getAttribute('data-names') !== names) {
      layer.setAttribute('data-names', names);
      layer.replaceChildren(...timers.map(() => {
        const arc = svg('path', { class: 'timer-arc' });
        arc.append(svg('title'));
        return arc;
      }));
    }
    const arcs = layer.children;
    for (const [i, t] of timers.entries()) {
      const arc = arcs[i]!;
      arc.setAttribute('d', arcPath(radius + 4 + i * TIMER_ARC_GAP_PIXELS, t.leftFraction));
      arc.setAttribute('data-timer', t.name);
      arc.setAttribute('data-left', String(t.leftMicros));
      arc.setAttribute('data-set', String(t.setAt));
      arc.setAttribute('data-fraction', t.leftFraction.toFixed(4));
      arc.firstElementChild!.textContent = `timer ${t.name}: ${formatMicros(t.leftMicros)} left`;
    }
  }

  /**
   * The full form of the views: the selected node's rows, cells and timers; with no node selected, every
   * server as a row of a table (its view's rows as columns, and its timers).
   */
  private drawDetail(states: readonly NodeState[], models: ReadonlyMap<string, NodeViewModel>, timers: ReadonlyMap<string, readonly PendingTimer[]>): void {
    // Most frames change only how long the timers have left: then only those words and bars are updated.
    const key = JSON.stringify([this.selected, states, [...models], [...timers].map(([id, list]) => [id, list.map((t) => [t.name, t.setAt, t.dueAt])])]);
    if (this.detail.getAttribute('data-key') === key) {
      for (const [id, list] of timers) {
        for (const t of list) {
          const item = this.detail.querySelector<HTMLElement>(`[data-timer-of="${CSS.escape(id)}"][data-timer="${CSS.escape(t.name)}"]`);
          if (item === null) continue;
          item.setAttribute('data-left', String(t.leftMicros));
          const bar = item.querySelector<HTMLElement>('.timer-bar span');
          if (bar !== null) bar.style.width = `${(t.leftFraction * 100).toFixed(1)}%`;
          setText(item.querySelector('.timer-left')!, item.tagName === 'LI' ? ` ${formatMicros(t.leftMicros)} left of ${formatMicros(t.dueAt - t.setAt)}` : `${t.name} ${formatMicros(t.leftMicros)}`);
        }
      }
      return;
    }
    this.detail.setAttribute('data-key', key);
    const title = this.views.view.title;
    const selected = states.find((s) => s.id === this.selected);
    if (selected !== undefined) {
      const model = models.get(selected.id);
      const table = el('table', { class: 'view-rows' });
      for (const row of model?.rows ?? []) {
        const tr = el('tr');
        tr.append(el('th', { scope: 'row' }, row.label), el('td', {}, row.text));
        table.append(tr);
      }
      const parts: HTMLElement[] = [el('h2', {}, `Node ${selected.id}${model !== undefined ? ` · ${title}` : ''}`), el('div', { class: 'detail-status' }, `status: ${selected.status}`)];
      if (model !== undefined) parts.push(table);
      if (model?.cells !== undefined) {
        const cells = el('div', { class: 'view-cells', 'aria-label': model.cells.label });
        cells.append(...model.cells.items.map((c) => {
          const cell = el('span', { class: 'view-cell', title: c.title, style: `background:${CELL_FILLS[((c.shade % CELL_FILLS.length) + CELL_FILLS.length) % CELL_FILLS.length]}` });
          if (c.caption !== undefined) cell.append(el('small', {}, c.caption));
          cell.append(el('span', {}, c.text));
          return cell;
        }));
        parts.push(el('h3', {}, model.cells.label), model.cells.items.length === 0 ? el('div', { class: 'hint' }, 'none yet') : cells);
      }
      const list = el('ul', { class: 'timer-list' });
      const pending = timers.get(selected.id) ?? [];
      list.append(...(pending.length === 0 ? [el('li', { class: 'none' }, 'none pending')] : pending.map((t) => {
        const item = el('li', { 'data-timer': t.name, 'data-timer-of': selected.id, 'data-left': String(t.leftMicros) });
        const bar = el('span', { class: 'timer-bar', 'aria-hidden': 'true' });
        bar.append(el('span', { style: `width:${(t.leftFraction * 100).toFixed(1)}%` }));
        item.append(el('span', { class: 'timer-name' }, t.name), bar, el('span', { class: 'timer-left' }, ` ${formatMicros(t.leftMicros)} left of ${formatMicros(t.dueAt - t.setAt)}`));
        return item;
      })));
      parts.push(el('h3', {}, 'Timers'), list);
      this.detail.replaceChildren(...parts);
      return;
    }
    const servers = states.filter((s) => models.has(s.id));
    const labels: string[] = [];
    for (const s of servers) for (const row of models.get(s.id)!.rows) if (!labels.includes(row.label)) labels.push(row.label);
    const table = el('table', { class: 'view-table' });
    const head = el('tr');
    head.append(...['node', 'status', ...labels, 'timers'].map((l) => el('th', { scope: 'col' }, l)));
    table.append(head);
    for (const s of servers) {
      const rows = new Map(models.get(s.id)!.rows.map((r) => [r.label, r.text]));
      const tr = el('tr', { 'data-node': s.id });
      tr.append(el('th', { scope: 'row' }, s.id), el('td', {}, s.status), ...labels.map((l) => el('td', {}, rows.get(l) ?? '')),
        timerCell(s.id, timers.get(s.id) ?? []));
      table.append(tr);
    }
    this.detail.replaceChildren(el('h2', {}, `Nodes · ${title}`), el('div', { class: 'hint' }, 'Select a node for its full view, its log cells and its timers.'), table);
  }

  private drawMessages(flights: readonly MessageFlight[], now: Micros, frontier: Micros): void {
    const dots: SVGElement[] = [];
    for (const m of flights) {
      const from = this.positions.get(m.from);
      const to = this.positions.get(m.to);
      if (from === undefined || to === undefined) continue;
      // A message whose arrival lies beyond what has been simulated is drawn as if it arrived at the frontier.
      const end = m.endAt ?? Math.max(frontier, now + 1);
      // A message lost as it was sent fades half-way; one dropped on arrival (a crashed receiver), at the receiver.
      const fraction = end > m.sentAt ? Math.min(1, (Math.min(now, end) - m.sentAt) / (end - m.sentAt)) : m.dropped ? 0.5 : 1;
      // From the sender's rim to the receiver's, so that a message just sent or about to arrive is not under a node.
      const { x1, y1, x2, y2 } = rimSegment(from, to, 6, 6);
      const x = x1 + (x2 - x1) * fraction;
      const y = y1 + (y2 - y1) * fraction;
      const fading = m.dropped && m.endAt !== null && now >= m.endAt;
      const opacity = fading ? Math.max(0.1, 1 - (now - m.endAt!) / DROP_LINGER_MICROS) : 1;
      const dot = svg('circle', {
        class: fading ? 'msg dropped' : 'msg', cx: x.toFixed(1), cy: y.toFixed(1), r: 5, fill: this.colourOf(m.type), opacity: opacity.toFixed(2),
        'data-type': m.type, 'data-from': m.from, 'data-to': m.to,
      });
      const title = svg('title');
      title.textContent = `${m.type} ${m.from} → ${m.to}${fading ? ' (dropped)' : ''}`;
      dot.append(title);
      dots.push(dot);
    }
    this.messageLayer.replaceChildren(...dots);
  }

  private drawMenu(states: readonly NodeState[]): void {
    const state = states.find((s) => s.id === this.selected);
    if (state === undefined) {
      this.menu.hidden = true;
      return;
    }
    this.menu.hidden = false;
    const problem = this.session.actionProblem();
    const allowed: Record<NodeAction, boolean> = {
      crash: state.status === 'up' || state.status === 'paused',
      restart: state.status === 'crashed',
      pause: state.status === 'up',
      resume: state.status === 'paused',
    };
    const buttons = NODE_ACTIONS.map((kind) => {
      const button = el('button', { type: 'button', 'data-action': kind }, `${kind} ${state.id}`);
      button.disabled = problem !== undefined || !allowed[kind];
      button.addEventListener('click', () => this.act(kind, state.id));
      return button;
    });
    if (this.session.requestTakers.includes(state.id)) {
      const request = el('button', { type: 'button', 'data-action': 'request' }, `request from ${state.id}`);
      request.disabled = problem !== undefined || state.status === 'crashed' || state.status === 'absent';
      request.addEventListener('click', () => this.take({ kind: 'request', node: state.id }));
      buttons.push(request);
    }
    // Cutting and healing from the keyboard: the same as a drag from this node.
    const others = this.session.nodes.map((n) => n.id).filter((id) => id !== state.id);
    if (this.cutTarget === null || !others.includes(this.cutTarget)) this.cutTarget = others[0] ?? null;
    const targetSelect = el('select', { id: 'cut-target' });
    targetSelect.append(...others.map((id) => el('option', { value: id }, id)));
    if (this.cutTarget !== null) targetSelect.value = this.cutTarget;
    targetSelect.addEventListener('change', () => { this.cutTarget = targetSelect.value; });
    const targetLabel = el('label', {}, 'link to ');
    targetLabel.append(targetSelect);
    const linkButton = (label: string, action: string, both: boolean) => {
      const button = el('button', { type: 'button', 'data-action': action }, label);
      button.disabled = problem !== undefined || this.cutTarget === null;
      button.addEventListener('click', () => this.linkGesture(state.id, targetSelect.value, both));
      return button;
    };
    const links = el('div', { class: 'act-row' });
    links.append(targetLabel, linkButton(`cut or heal one way from ${state.id}`, 'cut', false), linkButton('both ways', 'cut-both', true));
    this.menu.replaceChildren(el('div', {}, `Node ${state.id} at ${formatMicros(this.session.nowMicros)} (${state.status})${problem !== undefined ? `: ${problem}` : ''}`), ...buttons, links);
  }
}

const configText = document.getElementById(CONFIG_ELEMENT_ID)?.textContent ?? '';
const playground = new Playground(JSON.parse(configText) as PlaygroundConfig);
playground.mount();
(window as unknown as { faultlinePlayground: PlaygroundHandle }).faultlinePlayground = {
  session: () => playground.session,
  nowMicros: () => playground.session.nowMicros,
  frames: () => playground.frameCount,
  simulateAhead: (on) => { playground.aheadOn = on; },
  openText: (text, name) => playground.openControl.openText(text, name),
  reloadWithDuration: (durationMicros) => {
    const { scenario, seed, bug } = playground.session.config;
    playground.load(scenario.name, seed, bug ?? null, [], durationMicros);
  },
};
