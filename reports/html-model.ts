// The data behind the HTML report: one run's trace folded into intervals (node status, roles, fault
// windows), message arrows, client operations, violations and metrics. Pure and deterministic: the same
// run gives the same object, key for key; it assumes the trace holds every event of the run, in order.

import type { CheckResult } from '../sim/check.js';
import { asRoleFact } from '../sim/facts.js';
import { describeFault, type FaultEntry, type LinkSelector } from '../sim/faults.js';
import type { Operation } from '../sim/history.js';
import type { LatencyModel } from '../sim/network.js';
import type { NodeId } from '../sim/process.js';
import { formatMicros, type Micros } from '../sim/time.js';
import type { TraceEvent } from '../sim/trace.js';

/** Bounds on what one report embeds, so a long run still gives a file a browser opens. */
export const ARROWS_EMBEDDED_MAX = 300_000;
export const OPERATIONS_EMBEDDED_MAX = 50_000;
/** A message's content is summarised (long arrays and strings cut) to at most this many characters. */
export const MESSAGE_TEXT_CHARS_MAX = 360;
export const FAULT_LANES_MAX = 8;
/** Above this many client operations the overview draws the clients' rows as density strips, not one bar per operation. */
export const OVERVIEW_OPERATIONS_MAX = 5_000;
/** Time buckets of a density strip. */
export const DENSITY_BUCKETS = 400;
/** The default message window grows until it holds about this many arrows (or the whole run). */
const DEFAULT_WINDOW_ARROWS = 110;
const DEFAULT_WINDOW_MICROS_MIN = 20_000;

/** `absent`: not in the cluster (a spare before it joins, a node after it left). */
export type NodeState = 'crashed' | 'paused' | 'absent';

/** Message arrow fates: delivered, delivered again (a duplicate), dropped, never arrived before the end. */
export const FATES = ['delivered', 'duplicate', 'dropped', 'in-flight'] as const;
export type Fate = (typeof FATES)[number];

export interface Interval {
  readonly node: number;
  readonly from: Micros;
  readonly to: Micros;
}

export interface ReportData {
  readonly run: {
    readonly scenario: string;
    readonly seed: number;
    readonly bug: string | null;
    readonly nemesis: string;
    readonly outcome: string;
    readonly fingerprint: string;
    readonly durationMicros: Micros;
    readonly endMicros: Micros;
    readonly recoveryStartMicros: Micros;
    readonly recoveredAtMicros: Micros | null;
  };
  /** Each node's role; rows of role `client` are drawn as clients. */
  readonly nodes: readonly { readonly id: NodeId; readonly role: string }[];
  /** Intervals a node was down or paused (it is up otherwise, from its start). */
  readonly states: readonly (Interval & { readonly state: NodeState })[];
  /** Role over time, from `{ type: 'role', role }` observations; empty when the algorithm has none. */
  readonly roles: readonly (Interval & { readonly role: string; readonly term: number | null })[];
  readonly roleNames: readonly string[];
  /** A leader giving up leadership without crashing (it observed another role), with the term it led. */
  readonly stepDowns: readonly { readonly node: number; readonly at: Micros; readonly term: number | null; readonly role: string }[];
  /**
   * How the other members see each member, from membership facts (`{ type: 'member' }`, sim/facts.ts):
   * intervals of a member's row in which `suspect` of them hold it suspect and `dead` hold it dead (a
   * viewer's views end at its crash). Only intervals where some hold it suspect or dead; empty when the
   * algorithm reports no views.
   */
  readonly memberViews: readonly (Interval & { readonly suspect: number; readonly dead: number })[];
  /** How many nodes reported membership views (each member is seen by the others of them). */
  readonly memberViewers: number;
  /**
   * Membership over time, from the shared `{ type: 'epoch', epoch, members }` fact (a sharded store's
   * committed shard maps): when each epoch's member list took effect, with who joined and who left.
   */
  readonly epochs: readonly { readonly at: Micros; readonly epoch: number; readonly members: readonly string[]; readonly joined: readonly string[]; readonly left: readonly string[] }[];
  readonly faults: readonly {
    readonly from: Micros;
    readonly to: Micros;
    /** partition, clog, loss, duplicate, delay, clock-skew, clock-drift. */
    readonly kind: string;
    readonly label: string;
    readonly lane: number;
    /** True when the window was closed by the recovery phase (or ran to the end of the run). */
    readonly untilRecovery: boolean;
  }[];
  readonly faultLanes: number;
  /** Arrows in columns (one entry per delivery or drop), sorted by send time. */
  readonly messages: {
    readonly from: number[];
    readonly to: number[];
    readonly sent: Micros[];
    /** Delivery or drop time; for in-flight arrows the end of the run. */
    readonly end: Micros[];
    /** Index into FATES. */
    readonly fate: number[];
    /** Index into `kinds`: the message's `type` field. */
    readonly kind: number[];
    /** Index into `texts`: the summarised content. */
    readonly text: number[];
    /** Index into `reasons` for drops, -1 otherwise. */
    readonly reason: number[];
    readonly msgId: number[];
    readonly kinds: string[];
    readonly texts: string[];
    readonly reasons: string[];
    /** Arrows in the run, and how many are embedded (the first ARROWS_EMBEDDED_MAX by send time). */
    readonly total: number;
    readonly embedded: number;
    /** Longest flight among embedded arrows: the client looks this far back for arrows entering a window. */
    readonly flightMaxMicros: Micros;
    /** Median delivered flight time, for drawing drops at send time as short stubs. */
    readonly flightMedianMicros: Micros;
  };
  readonly operations: readonly {
    readonly id: number;
    readonly client: number;
    readonly call: Micros;
    readonly ret: Micros | null;
    readonly status: 'ok' | 'fail' | 'open';
    readonly input: string;
    readonly output: string;
    readonly lane: number;
    /** Node index of the server whose message completed the operation; -1 when open or not from a message. */
    readonly server: number;
  }[];
  readonly operationsTotal: number;
  /**
   * Operations started per time bucket and client, by status, when the run has more than
   * OVERVIEW_OPERATIONS_MAX (counting every operation, embedded or not); null otherwise.
   */
  readonly operationDensity: {
    readonly bucketMicros: Micros;
    readonly buckets: number;
    readonly rows: readonly { readonly node: number; readonly ok: number[]; readonly fail: number[]; readonly open: number[] }[];
    /** The largest count in one bucket of one row, for a shared vertical scale. */
    readonly max: number;
  } | null;
  /** Lanes per client node index, in node order (clients with operations only). */
  readonly operationLanes: readonly { readonly node: number; readonly lanes: number }[];
  readonly linearizability: { readonly name: string; readonly ok: boolean; readonly message: string | null } | null;
  readonly violations: readonly Violation[];
  /** The message window shown first: around the first violation, else the start. */
  readonly window: readonly [Micros, Micros];
}

export interface Violation {
  readonly check: string;
  readonly kind: string;
  readonly at: Micros;
  /** False when the check gave no time: `at` is then the last operation its message names, or the end of the run. */
  readonly exact: boolean;
  readonly message: string;
  /** Operation ids the message names (`#12`). */
  readonly operations: readonly number[];
}

export interface ModelInput {
  readonly scenario: string;
  readonly seed: number;
  readonly bug: string | null;
  readonly nemesis: string;
  readonly outcome: string;
  readonly fingerprint: string;
  readonly durationMicros: Micros;
  /** Each node's role; rows of role `client` are drawn as clients. */
  readonly nodes: readonly { readonly id: NodeId; readonly role: string }[];
  readonly baseLatency: LatencyModel;
  readonly endMicros: Micros;
  readonly recovery: { readonly startedAtMicros: Micros; readonly recoveredAtMicros: Micros | null };
  readonly checks: readonly CheckResult[];
  readonly operations: readonly Operation[];
  readonly trace: readonly TraceEvent[];
}

/** Folds a run into the report's data. */
export function buildReportData(input: ModelInput): ReportData {
  const nodeIndex = new Map(input.nodes.map((n, i) => [n.id, i]));
  const indexOf = (id: NodeId): number => nodeIndex.get(id) ?? -1;
  const end = input.endMicros;
  const { states, roles, roleNames, stepDowns } = nodeIntervals(input.trace, indexOf, end, input.nodes.length);
  const { memberViews, memberViewers } = memberViewIntervals(input.trace, indexOf, end);
  const epochs = epochMarks(input.trace);
  const { faults, lanes } = faultWindows(input.trace, input.nodes.map((n) => n.id), input.baseLatency, input.recovery.startedAtMicros, end);
  const messages = messageArrows(input.trace, indexOf, end);
  const { operations, operationLanes } = operationRows(input.operations, indexOf, answeringServers(input.trace, indexOf));
  const violations = violationsOf(input.checks, input.operations, end);
  const lin = input.checks.find((c) => c.name === 'linearizable-history');
  return {
    run: {
      scenario: input.scenario, seed: input.seed, bug: input.bug, nemesis: input.nemesis, outcome: input.outcome,
      fingerprint: input.fingerprint, durationMicros: input.durationMicros, endMicros: end,
      recoveryStartMicros: input.recovery.startedAtMicros, recoveredAtMicros: input.recovery.recoveredAtMicros,
    },
    nodes: input.nodes.map((n) => ({ id: n.id, role: n.role })),
    states, roles, roleNames, stepDowns, memberViews, memberViewers, epochs, faults, faultLanes: lanes, messages,
    operations, operationsTotal: input.operations.length, operationLanes,
    operationDensity: input.operations.length > OVERVIEW_OPERATIONS_MAX ? operationDensity(input.operations, indexOf, end) : null,
    linearizability: lin ? { name: lin.name, ok: lin.ok, message: lin.message ?? null } : null,
    violations,
    window: defaultWindow(messages, violations, end),
  };
}

// ---- nodes --------------------------------------------------------------------------------------

function nodeIntervals(trace: readonly TraceEvent[], indexOf: (id: NodeId) => number, end: Micros, nodeCount: number) {
  const states: (Interval & { state: NodeState })[] = [];
  const roles: (Interval & { role: string; term: number | null })[] = [];
  const openState = new Map<number, { from: Micros; state: NodeState }>();
  const openRole = new Map<number, { from: Micros; role: string; term: number | null }>();
  const roleNames: string[] = [];
  const stepDowns: { node: number; at: Micros; term: number | null; role: string }[] = [];
  const closeRole = (node: number, at: Micros) => {
    const open = openRole.get(node);
    if (open === undefined) return;
    openRole.delete(node);
    if (at > open.from) roles.push({ node, from: open.from, to: at, role: open.role, term: open.term });
  };
  const closeState = (node: number, at: Micros) => {
    const open = openState.get(node);
    if (open === undefined) return;
    openState.delete(node);
    states.push({ node, from: open.from, to: at, state: open.state });
  };
  /** Nodes that have started: one whose first start comes later than 0 was absent until then (a spare that joined). */
  const started = new Set<number>();
  for (const e of trace) {
    switch (e.type) {
      case 'crash':
      case 'pause':
      case 'leave': {
        const node = indexOf(e.node);
        closeState(node, e.at);
        if (e.type !== 'pause') closeRole(node, e.at);
        openState.set(node, { from: e.at, state: e.type === 'crash' ? 'crashed' : e.type === 'pause' ? 'paused' : 'absent' });
        break;
      }
      case 'start': {
        // A join: the node was absent since it left, or since the run began.
        const node = indexOf(e.node);
        if (!started.has(node) && e.at > 0) states.push({ node, from: 0, to: e.at, state: 'absent' });
        started.add(node);
        closeState(node, e.at);
        break;
      }
      case 'restart':
      case 'resume':
        closeState(indexOf(e.node), e.at);
        break;
      case 'observe': {
        // Role lanes come from the shared role fact (sim/facts.ts); other facts are the algorithm's own.
        const fact = asRoleFact(e.fact);
        if (fact === undefined) break;
        const node = indexOf(e.node);
        const was = openRole.get(node);
        if (was !== undefined && was.role === 'leader' && fact.role !== 'leader') stepDowns.push({ node, at: e.at, term: was.term, role: fact.role });
        closeRole(node, e.at);
        if (!roleNames.includes(fact.role)) roleNames.push(fact.role);
        openRole.set(node, { from: e.at, role: fact.role, term: fact.term });
        break;
      }
      default:
        break;
    }
  }
  for (const node of [...openState.keys()]) closeState(node, end);
  for (const node of [...openRole.keys()]) closeRole(node, end);
  // A spare that never joined was absent throughout (only in a trace that has starts: a partial trace says nothing).
  if (started.size > 0) for (let node = 0; node < nodeCount; node++) if (!started.has(node) && end > 0) states.push({ node, from: 0, to: end, state: 'absent' });
  const byTime = <T extends Interval>(a: T, b: T) => a.node - b.node || a.from - b.from;
  return { states: states.sort(byTime), roles: roles.sort(byTime), roleNames, stepDowns };
}

/** The first report of each epoch's member list (`{ type: 'epoch', epoch, members }`), in epoch order, with who joined and who left since the one before. */
function epochMarks(trace: readonly TraceEvent[]): ReportData['epochs'] {
  const first = new Map<number, { at: Micros; members: string[] }>();
  for (const e of trace) {
    if (e.type !== 'observe' || e.fact.type !== 'epoch') continue;
    const { epoch, members } = e.fact;
    if (typeof epoch !== 'number' || !Array.isArray(members) || first.has(epoch)) continue;
    first.set(epoch, { at: e.at, members: members.filter((m): m is string => typeof m === 'string') });
  }
  const out: ReportData['epochs'][number][] = [];
  let before: readonly string[] | undefined;
  for (const epoch of [...first.keys()].sort((a, b) => a - b)) {
    const { at, members } = first.get(epoch)!;
    out.push({ at, epoch, members, joined: before === undefined ? [] : members.filter((m) => !before!.includes(m)), left: before === undefined ? [] : before.filter((m) => !members.includes(m)) });
    before = members;
  }
  return out;
}

/** Membership views folded per member: how many others hold it suspect, and dead, over time. */
function memberViewIntervals(trace: readonly TraceEvent[], indexOf: (id: NodeId) => number, end: Micros) {
  const out: (Interval & { suspect: number; dead: number })[] = [];
  /** viewer → member → the status it holds (suspect or dead only). */
  const held = new Map<number, Map<number, 'suspect' | 'dead'>>();
  const counts = new Map<number, { from: Micros; suspect: number; dead: number }>();
  const viewers = new Set<number>();
  const change = (member: number, at: Micros, suspect: number, dead: number) => {
    const open = counts.get(member) ?? { from: at, suspect: 0, dead: 0 };
    if (open.suspect === suspect && open.dead === dead) return;
    if ((open.suspect > 0 || open.dead > 0) && at > open.from) out.push({ node: member, from: open.from, to: at, suspect: open.suspect, dead: open.dead });
    counts.set(member, { from: at, suspect, dead });
  };
  const set = (viewer: number, member: number, status: 'suspect' | 'dead' | undefined, at: Micros) => {
    let views = held.get(viewer);
    if (views === undefined) held.set(viewer, (views = new Map()));
    const was = views.get(member);
    if (was === status) return;
    if (status === undefined) views.delete(member);
    else views.set(member, status);
    const c = counts.get(member) ?? { from: at, suspect: 0, dead: 0 };
    const delta = (s: 'suspect' | 'dead') => (status === s ? 1 : 0) - (was === s ? 1 : 0);
    change(member, at, c.suspect + delta('suspect'), c.dead + delta('dead'));
  };
  for (const e of trace) {
    if (e.type === 'crash') {
      // A crashed viewer's process, and its views, are gone.
      const viewer = indexOf(e.node);
      for (const member of [...(held.get(viewer)?.keys() ?? [])]) set(viewer, member, undefined, e.at);
    } else if (e.type === 'observe' && e.fact.type === 'members-alive' && Array.isArray(e.fact.members)) {
      // Many members held alive at once (a start-up view): alive is drawn as no mark.
      const viewer = indexOf(e.node);
      if (viewer < 0) continue;
      viewers.add(viewer);
      for (const id of e.fact.members) {
        const member = typeof id === 'string' ? indexOf(id) : -1;
        if (member >= 0) set(viewer, member, undefined, e.at);
      }
    } else if (e.type === 'observe' && e.fact.type === 'member' && typeof e.fact.member === 'string') {
      const viewer = indexOf(e.node);
      const member = indexOf(e.fact.member);
      if (viewer < 0 || member < 0) continue;
      viewers.add(viewer);
      const status = e.fact.status === 'suspect' || e.fact.status === 'dead' ? e.fact.status : undefined;
      set(viewer, member, status, e.at);
    }
  }
  for (const member of [...counts.keys()]) change(member, end, 0, 0);
  return { memberViews: out.sort((a, b) => a.node - b.node || a.from - b.from), memberViewers: viewers.size };
}

// ---- faults -------------------------------------------------------------------------------------

interface OpenWindow {
  readonly from: Micros;
  readonly kind: string;
  readonly label: string;
  /** Directed links still affected ("a>b"), or the node for clock faults. */
  readonly links: Set<string>;
}

/**
 * Fault windows from the trace's applied faults: each from when it was applied until healed or undone (a
 * window still open at `end` ends there, marked as closed by recovery), in greedy lanes (at most
 * FAULT_LANES_MAX; the last takes the overflow). Reads only `fault` events, in order.
 */
export function faultWindows(trace: readonly TraceEvent[], nodes: readonly NodeId[], baseLatency: LatencyModel, recoveryAt: Micros, end: Micros) {
  const closed: { from: Micros; to: Micros; kind: string; label: string; untilRecovery: boolean }[] = [];
  const open: OpenWindow[] = [];
  const pairs = (s: LinkSelector): Set<string> => {
    const out = new Set<string>();
    for (const a of s.from ?? nodes) for (const b of s.to ?? nodes) if (a !== b) out.add(`${a}>${b}`);
    return out;
  };
  /** Removes `links` from every open window of `kind`; windows left with none close at `at`. */
  const release = (kinds: readonly string[], links: Set<string> | 'all', at: Micros) => {
    for (let i = 0; i < open.length; i++) {
      const w = open[i]!;
      if (!kinds.includes(w.kind)) continue;
      if (links === 'all') w.links.clear();
      else for (const l of links) w.links.delete(l);
      if (w.links.size === 0) {
        closed.push({ from: w.from, to: at, kind: w.kind, label: w.label, untilRecovery: at >= recoveryAt });
        open.splice(i--, 1);
      }
    }
  };
  const isBaseLatency = (m: LatencyModel) => JSON.stringify(m) === JSON.stringify(baseLatency);
  for (const e of trace) {
    if (e.type !== 'fault') continue;
    const f: FaultEntry | null = e.resolved === undefined ? e.fault : e.resolved;
    if (f === null) continue;
    const at = e.at;
    switch (f.kind) {
      case 'partition': {
        const links = new Set<string>();
        if ('groups' in f) {
          f.groups.forEach((g, i) => f.groups.forEach((h, j) => {
            if (i !== j) for (const a of g) for (const b of h) links.add(`${a}>${b}`);
          }));
        } else {
          for (const l of pairs(f)) links.add(l);
        }
        if (links.size > 0) open.push({ from: at, kind: 'partition', label: faultLabel(f), links });
        break;
      }
      case 'heal':
        release(['partition'], 'all', at);
        break;
      case 'clog':
        open.push({ from: at, kind: 'clog', label: faultLabel(f), links: pairs(f) });
        break;
      case 'unclog':
        release(['clog'], pairs(f), at);
        break;
      case 'loss':
      case 'duplicate': {
        const links = pairs(f);
        release([f.kind], links, at);
        if (f.ratio > 0) open.push({ from: at, kind: f.kind, label: faultLabel(f), links });
        break;
      }
      case 'delay': {
        const links = pairs(f);
        release(['delay'], links, at);
        if (!isBaseLatency(f.latency)) open.push({ from: at, kind: 'delay', label: faultLabel(f), links });
        break;
      }
      case 'clock-skew':
      case 'clock-drift': {
        const key = new Set([f.node]);
        release([f.kind], key, at);
        const zero = f.kind === 'clock-skew' ? f.offsetMicros === 0 : f.ppm === 0;
        if (!zero) open.push({ from: at, kind: f.kind, label: faultLabel(f), links: key });
        break;
      }
      case 'slow': {
        const key = new Set([f.node]);
        release(['slow'], key, at);
        if (f.factor !== 1) open.push({ from: at, kind: 'slow', label: faultLabel(f), links: key });
        break;
      }
      case 'fail-fast': {
        const key = new Set([f.node]);
        release(['fail-fast'], key, at);
        if (f.ratio !== 0) open.push({ from: at, kind: 'fail-fast', label: faultLabel(f), links: key });
        break;
      }
      default:
        break; // crash, restart, pause, resume: shown on the node rows
    }
  }
  for (const w of open) closed.push({ from: w.from, to: end, kind: w.kind, label: w.label, untilRecovery: true });
  closed.sort((a, b) => a.from - b.from || a.to - b.to);
  // Greedy lanes: each window goes to the first lane free at its start; the last lane takes the overflow.
  const laneEnds: Micros[] = [];
  const faults = closed.map((w) => {
    let lane = laneEnds.findIndex((endAt) => endAt <= w.from);
    if (lane === -1) lane = laneEnds.length < FAULT_LANES_MAX ? laneEnds.length : FAULT_LANES_MAX - 1;
    laneEnds[lane] = Math.max(laneEnds[lane] ?? 0, w.to);
    return { ...w, lane };
  });
  return { faults, lanes: laneEnds.length };
}

/** A fault in words, durations in readable units (`delay messages from n2 to n3 by 400ms`): `describeFault`'s. */
export function faultLabel(f: FaultEntry): string {
  return describeFault(f);
}

// ---- messages -----------------------------------------------------------------------------------

function messageArrows(trace: readonly TraceEvent[], indexOf: (id: NodeId) => number, end: Micros): ReportData['messages'] {
  interface Sent { from: number; to: number; at: Micros; kind: number; text: number; arrows: number }
  interface Arrow { msgId: number; from: number; to: number; sent: Micros; end: Micros; fate: number; kind: number; text: number; reason: number }
  const sends = new Map<number, Sent>();
  const arrows: Arrow[] = [];
  const kinds: string[] = [];
  const kindIndex = new Map<string, number>();
  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const reasons: string[] = [];
  const intern = (list: string[], index: Map<string, number>, value: string): number => {
    let i = index.get(value);
    if (i === undefined) {
      i = list.length;
      list.push(value);
      index.set(value, i);
    }
    return i;
  };
  const reasonIndex = new Map<string, number>();
  const arrow = (msgId: number, at: Micros, fate: Fate, reason: number) => {
    const s = sends.get(msgId);
    if (s === undefined) return;
    const f = fate === 'delivered' && s.arrows > 0 ? 'duplicate' : fate;
    s.arrows++;
    arrows.push({ msgId, from: s.from, to: s.to, sent: s.at, end: at, fate: FATES.indexOf(f), kind: s.kind, text: s.text, reason });
  };
  for (const e of trace) {
    if (e.type === 'send') {
      sends.set(e.msgId, {
        from: indexOf(e.from), to: indexOf(e.to), at: e.at,
        kind: intern(kinds, kindIndex, messageKind(e.msg)),
        text: intern(texts, textIndex, summarise(e.msg, MESSAGE_TEXT_CHARS_MAX)),
        arrows: 0,
      });
    } else if (e.type === 'deliver') {
      arrow(e.msgId, e.at, 'delivered', -1);
    } else if (e.type === 'drop') {
      arrow(e.msgId, e.at, 'dropped', intern(reasons, reasonIndex, e.reason));
    }
  }
  for (const [msgId, s] of sends) if (s.arrows === 0) arrow(msgId, end, 'in-flight', -1);
  // Stable: arrows of one send keep their trace order.
  arrows.sort((a, b) => a.sent - b.sent || a.msgId - b.msgId);
  const kept = arrows.slice(0, ARROWS_EMBEDDED_MAX);
  const flights = kept.filter((a) => a.fate === 0).map((a) => a.end - a.sent).sort((a, b) => a - b);
  return {
    from: kept.map((a) => a.from),
    to: kept.map((a) => a.to),
    sent: kept.map((a) => a.sent),
    end: kept.map((a) => a.end),
    fate: kept.map((a) => a.fate),
    kind: kept.map((a) => a.kind),
    text: kept.map((a) => a.text),
    reason: kept.map((a) => a.reason),
    msgId: kept.map((a) => a.msgId),
    kinds, texts, reasons,
    total: arrows.length,
    embedded: kept.length,
    flightMaxMicros: kept.reduce((max, a) => Math.max(max, a.end - a.sent), 0),
    flightMedianMicros: flights.length === 0 ? 1_000 : flights[flights.length >> 1]!,
  };
}

/** A message's `type` (or `kind`) field, else its JavaScript type. */
export function messageKind(msg: unknown): string {
  if (msg !== null && typeof msg === 'object') {
    const m = msg as Record<string, unknown>;
    if (typeof m.type === 'string') return m.type;
    if (typeof m.kind === 'string') return m.kind;
    return Array.isArray(msg) ? 'array' : 'object';
  }
  return typeof msg;
}

/**
 * JSON of a value with long arrays and strings cut, so that it stays valid JSON within `charsMax`:
 * tries ever tighter limits, and as a last resort cuts the text (then it no longer parses).
 */
export function summarise(value: unknown, charsMax: number): string {
  const limits = [
    { items: 6, chars: 80, depth: 6 },
    { items: 3, chars: 40, depth: 4 },
    { items: 2, chars: 20, depth: 2 },
    { items: 1, chars: 12, depth: 1 },
  ];
  let text = '';
  for (const limit of limits) {
    text = JSON.stringify(cut(value, limit.items, limit.chars, limit.depth)) ?? String(value);
    if (text.length <= charsMax) return text;
  }
  return text.slice(0, charsMax - 1) + '…';
}

function cut(value: unknown, items: number, chars: number, depth: number): unknown {
  if (typeof value === 'string') return value.length > chars ? value.slice(0, chars) + '…' : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth === 0) return Array.isArray(value) ? `[${value.length} items]` : '{…}';
  if (Array.isArray(value)) {
    const head = value.slice(0, items).map((v) => cut(v, items, chars, depth - 1));
    return value.length > items ? [...head, `… ${value.length - items} more`] : head;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = cut(v, items, chars, depth - 1);
  return out;
}

// ---- operations ---------------------------------------------------------------------------------

/**
 * Which server answered each completed operation: a completion happens inside a handler, and the
 * handler's trigger is the last delivery, timer or start the trace shows on that client before it. When
 * that is a delivery, its sender answered. Returns node indices by operation id.
 */
function answeringServers(trace: readonly TraceEvent[], indexOf: (id: NodeId) => number): Map<number, number> {
  const trigger = new Map<NodeId, { from: NodeId; at: Micros } | null>();
  const out = new Map<number, number>();
  for (const e of trace) {
    switch (e.type) {
      case 'deliver':
        trigger.set(e.to, { from: e.from, at: e.at });
        break;
      case 'timer':
      case 'start':
      case 'restart':
      case 'crash':
        trigger.set(e.node, null);
        break;
      case 'complete': {
        const t = trigger.get(e.node);
        if (t != null && t.at === e.at) out.set(e.opId, indexOf(t.from));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function operationRows(ops: readonly Operation[], indexOf: (id: NodeId) => number, answeredBy: ReadonlyMap<number, number>) {
  const laneEnds = new Map<number, Micros[]>();
  const rows = ops.slice(0, OPERATIONS_EMBEDDED_MAX).map((op) => {
    const client = indexOf(op.client);
    const ends = laneEnds.get(client) ?? [];
    laneEnds.set(client, ends);
    const ret = op.status === 'open' ? null : op.return;
    // An open operation occupies its lane to the end of the run.
    let lane = ends.findIndex((endAt) => endAt < op.call);
    if (lane === -1) lane = ends.length;
    ends[lane] = ret ?? Number.MAX_SAFE_INTEGER;
    return {
      id: op.id, client, call: op.call, ret, status: op.status,
      input: summarise(op.input, 200),
      output: op.status === 'open' ? '' : summarise(op.output, 200),
      lane,
      server: ret === null ? -1 : answeredBy.get(op.id) ?? -1,
    };
  });
  const operationLanes = [...laneEnds.entries()].sort((a, b) => a[0] - b[0]).map(([node, ends]) => ({ node, lanes: ends.length }));
  return { operations: rows, operationLanes };
}

/** Operations started per bucket of the run, by client and status. */
function operationDensity(ops: readonly Operation[], indexOf: (id: NodeId) => number, end: Micros): NonNullable<ReportData['operationDensity']> {
  const buckets = DENSITY_BUCKETS;
  const bucketMicros = Math.max(1, Math.ceil(end / buckets));
  const rows = new Map<number, { node: number; ok: number[]; fail: number[]; open: number[] }>();
  let max = 0;
  for (const op of ops) {
    const node = indexOf(op.client);
    let row = rows.get(node);
    if (row === undefined) {
      row = { node, ok: new Array<number>(buckets).fill(0), fail: new Array<number>(buckets).fill(0), open: new Array<number>(buckets).fill(0) };
      rows.set(node, row);
    }
    const b = Math.min(buckets - 1, Math.floor(op.call / bucketMicros));
    row[op.status][b]!++;
    max = Math.max(max, row.ok[b]! + row.fail[b]! + row.open[b]!);
  }
  return { bucketMicros, buckets, rows: [...rows.values()].sort((a, b) => a.node - b.node), max };
}

// ---- violations ---------------------------------------------------------------------------------

function violationsOf(checks: readonly CheckResult[], ops: readonly Operation[], end: Micros): Violation[] {
  const out: Violation[] = [];
  for (const c of checks) {
    if (c.ok) continue;
    const message = c.message ?? '';
    const named = [...new Set([...message.matchAll(/#(\d+)\b/g)].map((m) => Number(m[1])))].filter((id) => ops[id] !== undefined);
    let at = end;
    let exact = false;
    if (c.atMicros !== undefined) {
      at = c.atMicros;
      exact = true;
    } else if (named.length > 0) {
      // A check that names operations but gives no time (the history checker gives one): its last named operation, marked as judged at the end.
      const last = ops[named[named.length - 1]!]!;
      at = last.status === 'open' || last.return === null ? last.call : last.return;
    }
    out.push({ check: c.name, kind: c.kind, at, exact, message, operations: named });
  }
  return out.sort((a, b) => a.at - b.at);
}

function defaultWindow(messages: ReportData['messages'], violations: readonly Violation[], end: Micros): [Micros, Micros] {
  if (end <= DEFAULT_WINDOW_MICROS_MIN) return [0, Math.max(end, 1)];
  const focus = violations.length > 0 ? violations[0]!.at : 0;
  const around = (width: Micros): [Micros, Micros] => {
    let from = Math.max(0, Math.round(focus - width * 0.7));
    let to = Math.min(end, from + width);
    from = Math.max(0, to - width);
    return [from, to];
  };
  let width = DEFAULT_WINDOW_MICROS_MIN;
  for (;;) {
    const [from, to] = around(width);
    if (width >= end || countArrows(messages, from, to) >= DEFAULT_WINDOW_ARROWS) return [from, to];
    width = Math.min(end, Math.ceil(width * 1.5));
  }
}

/** Arrows that overlap [from, to]. */
export function countArrows(m: ReportData['messages'], from: Micros, to: Micros): number {
  let count = 0;
  for (let i = 0; i < m.embedded; i++) {
    if (m.sent[i]! > to) break;
    if (m.end[i]! >= from) count++;
  }
  return count;
}

/**
 * Rows for labels laid out along one axis so that none overlap: each [start, end] extent (pixels) goes,
 * in order of its start, to the first row whose last label ended at least `gap` before it. Returns the
 * row of each extent, in the order given.
 */
export function labelLanes(extents: readonly (readonly [number, number])[], gap = 4): number[] {
  const order = extents.map((_, i) => i).sort((a, b) => extents[a]![0] - extents[b]![0] || a - b);
  const rowEnds: number[] = [];
  const lanes = new Array<number>(extents.length).fill(0);
  for (const i of order) {
    const [start, end] = extents[i]!;
    let lane = rowEnds.findIndex((rowEnd) => rowEnd + gap <= start);
    if (lane === -1) lane = rowEnds.length;
    rowEnds[lane] = end;
    lanes[i] = lane;
  }
  return lanes;
}
