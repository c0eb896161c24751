// What the playground draws at a moment, read from a session's trace: each node's status and role (from the
// shared role fact, sim/facts.ts, as the HTML report reads it), the messages in flight or just dropped, the
// links cut (from the applied faults), and which nodes a failed check's message names.
// Node-free and incremental: `sync` reads only the events appended since the last call (a new trace array,
// after an action re-simulated the run, is read from the start).

import { asRoleFact } from '../sim/facts.js';
import { isNodeRef, type FaultEntry } from '../sim/faults.js';
import type { NodeId } from '../sim/process.js';
import type { Micros } from '../sim/time.js';
import type { TraceEvent } from '../sim/trace.js';
import { countAtOrBefore, countBefore } from './search.js';

/** `down`: not started yet; `absent`: a spare not yet joined, or a node that left. */
export type NodeDrawStatus = 'down' | 'up' | 'crashed' | 'paused' | 'absent';

export interface NodeState {
  readonly id: NodeId;
  readonly status: NodeDrawStatus;
  /** The role it last reported since it last started (null: none yet, or the algorithm reports none). */
  readonly role: string | null;
  readonly term: number | null;
}

export interface MessageFlight {
  readonly msgId: number;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The message's `type` field, or `message` when it has none. */
  readonly type: string;
  readonly sentAt: Micros;
  /** When it was delivered or dropped (null: not yet, as far as the trace goes). */
  readonly endAt: Micros | null;
  readonly dropped: boolean;
}

/** A directed link cut by a partition: nothing crosses from → to. */
export interface CutLink {
  readonly from: NodeId;
  readonly to: NodeId;
}

/**
 * The directed links an applied fault leaves cut, given those cut before it (the fault as resolved: no
 * role references left). A partition adds its cuts, a heal (from the schedule or the recovery phase)
 * restores every link, anything else changes no cut. Sorted by from, then to.
 */
export function cutsAfter(before: readonly CutLink[], fault: FaultEntry): CutLink[] {
  if (fault.kind === 'heal') return [];
  if (fault.kind !== 'partition') return [...before];
  const keys = new Set(before.map((l) => `${l.from}\u0000${l.to}`));
  const add = (from: NodeId, to: NodeId) => {
    if (from !== to && !isNodeRef(from) && !isNodeRef(to)) keys.add(`${from}\u0000${to}`);
  };
  if ('groups' in fault) {
    for (const [g, group] of fault.groups.entries()) {
      for (const [h, other] of fault.groups.entries()) if (g !== h) for (const a of group) for (const b of other) add(a, b);
    }
  } else {
    for (const a of fault.from) for (const b of fault.to) add(a, b);
  }
  return [...keys].sort().map((key) => {
    const [from, to] = key.split('\u0000') as [NodeId, NodeId];
    return { from, to };
  });
}

/** The ids a check's message names as whole words (`n4`, not the `n4` in `n42`): the nodes it implicates. */
export function nodesNamedIn(text: string, ids: readonly string[]): string[] {
  return ids.filter((id) => new RegExp(`(^|[^\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(text));
}

/** How far back a query looks for messages still in flight (a longer flight, such as a clogged link's, is not drawn). */
export const FLIGHT_LOOKBACK_MICROS: Micros = 2_000_000;

interface Change {
  readonly at: Micros;
  readonly status: NodeDrawStatus | null;
  readonly role: string | null;
  readonly term: number | null;
  /** True for a role fact; false for a status change. */
  readonly isRole: boolean;
  /** A start, restart, crash or leave: a new process (or none), so the role reported before is gone; a pause or resume keeps it. */
  readonly clearsRole: boolean;
}

/** Index of the first element whose `at` is greater than `t` in a list sorted by `at`. */
function upperBound(list: readonly { readonly at: Micros }[], t: Micros): number {
  return countAtOrBefore(list, t, (item) => item.at);
}

export class TraceIndex {
  private source: readonly TraceEvent[] | undefined;
  private consumed = 0;
  private changes = new Map<NodeId, Change[]>();
  private messages: (MessageFlight & { at: Micros; endAt: Micros | null; dropped: boolean })[] = [];
  private byId = new Map<number, number>();
  /** The cut links after each partition or heal, in time order. */
  private cuts: { at: Micros; links: CutLink[] }[] = [];

  constructor(readonly nodes: readonly NodeId[], private readonly initial: ReadonlyMap<NodeId, NodeDrawStatus> = new Map()) {
    this.reset();
  }

  private reset(): void {
    this.consumed = 0;
    this.changes = new Map(this.nodes.map((id) => [id, []]));
    this.messages = [];
    this.byId = new Map();
    this.cuts = [];
  }

  /** Reads the events of `trace` not read yet (all of them, if it is another array than last time). */
  sync(trace: readonly TraceEvent[]): void {
    if (trace !== this.source) {
      this.source = trace;
      this.reset();
    }
    for (; this.consumed < trace.length; this.consumed++) this.read(trace[this.consumed]!);
  }

  private read(e: TraceEvent): void {
    switch (e.type) {
      case 'start': case 'restart': case 'resume': case 'crash': case 'pause': case 'leave': {
        const status: NodeDrawStatus = e.type === 'crash' ? 'crashed' : e.type === 'pause' ? 'paused' : e.type === 'leave' ? 'absent' : 'up';
        this.changes.get(e.node)?.push({ at: e.at, status, role: null, term: null, isRole: false, clearsRole: e.type !== 'pause' && e.type !== 'resume' });
        return;
      }
      case 'observe': {
        const fact = asRoleFact(e.fact);
        if (fact !== undefined) this.changes.get(e.node)?.push({ at: e.at, status: null, role: fact.role, term: fact.term, isRole: true, clearsRole: false });
        return;
      }
      case 'fault': {
        const fault = e.resolved === undefined ? e.fault : e.resolved;
        if (fault === null || (fault.kind !== 'partition' && fault.kind !== 'heal')) return;
        this.cuts.push({ at: e.at, links: cutsAfter(this.cuts[this.cuts.length - 1]?.links ?? [], fault) });
        return;
      }
      case 'send': {
        const msg = e.msg as { type?: unknown } | null;
        const type = msg !== null && typeof msg === 'object' && typeof msg.type === 'string' ? msg.type : 'message';
        this.byId.set(e.msgId, this.messages.length);
        this.messages.push({ msgId: e.msgId, from: e.from, to: e.to, type, at: e.at, sentAt: e.at, endAt: null, dropped: false });
        return;
      }
      case 'deliver': case 'drop': {
        const index = this.byId.get(e.msgId);
        if (index === undefined) return;
        const m = this.messages[index]!;
        // A duplicated message is delivered more than once: its flight ends at the first arrival.
        if (m.endAt === null) {
          m.endAt = e.at;
          m.dropped = e.type === 'drop';
        }
        return;
      }
      default:
        return;
    }
  }

  /** Each node's state once every event at or before `t` has happened. */
  nodesAt(t: Micros): NodeState[] {
    return this.nodes.map((id) => {
      const list = this.changes.get(id)!;
      const end = upperBound(list, t);
      let status: NodeDrawStatus | undefined;
      let role: string | null = null;
      let term: number | null = null;
      let roleKnown = false;
      // Walk back: the last status change, and the last role fact unless a start, restart, crash or leave came after it.
      for (let i = end - 1; i >= 0 && (status === undefined || !roleKnown); i--) {
        const c = list[i]!;
        if (c.isRole) {
          if (!roleKnown) {
            role = c.role;
            term = c.term;
            roleKnown = true;
          }
          continue;
        }
        if (status === undefined) status = c.status!;
        if (c.clearsRole) roleKnown = true;
      }
      return { id, status: status ?? this.initial.get(id) ?? 'down', role, term };
    });
  }

  /**
   * The messages sent at or before `t` that are in flight at `t` (not delivered or dropped yet, or never as
   * far as the trace goes), and those dropped less than `lingerMicros` before `t` (drawn fading).
   */
  messagesAt(t: Micros, lingerMicros: Micros): MessageFlight[] {
    const out: MessageFlight[] = [];
    const end = upperBound(this.messages, t);
    for (let i = end - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.sentAt < t - FLIGHT_LOOKBACK_MICROS) break;
      if (m.endAt === null || m.endAt > t || (m.dropped && m.endAt + lingerMicros > t)) out.push(m);
    }
    return out.reverse();
  }

  /** The links cut once every event at or before `t` has happened. */
  cutLinksAt(t: Micros): readonly CutLink[] {
    const end = upperBound(this.cuts, t);
    return end === 0 ? [] : this.cuts[end - 1]!.links;
  }

  /** How many messages the trace read so far holds. */
  get messageCount(): number {
    return this.messages.length;
  }
}

/** A trace event at the moment a safety check failed, on a node its message names: what broke it, and what carried it on. */
export type ViolationEvent =
  | { readonly kind: 'delivered' | 'sent'; readonly at: Micros; readonly msgId: number; readonly from: NodeId; readonly to: NodeId; readonly type: string }
  | { readonly kind: 'timer'; readonly at: Micros; readonly node: NodeId; readonly name: string }
  | { readonly kind: 'started'; readonly at: Micros; readonly node: NodeId }
  /** Handlers that no message or timer starts: a `request` entry's (a client's onRequestEntry), a `leave` entry's (onLeave), a resume's (what waited while paused). */
  | { readonly kind: 'request' | 'leave' | 'resumed'; readonly at: Micros; readonly node: NodeId };

function messageType(msg: unknown): string {
  const m = msg as { type?: unknown } | null;
  return m !== null && typeof m === 'object' && typeof m.type === 'string' ? m.type : 'message';
}

/**
 * The events behind a check that failed at `atMicros`, read from the trace: the handler whose run reported
 * a fact at that moment — the delivery, timer or start it ran on, which broke the invariant — and the
 * messages that handler sent (they carry the result on). Handlers on an implicated node (one the check's
 * message names) come first: one of them that reported a fact, else any of them (a check judged at the
 * step, not on a fact); when none ran on an implicated node (a check that names proposers, not the
 * acceptor that broke it), the handlers of any node that reported a fact then. In trace order; empty
 * when no handler ran at that moment.
 */
export function violationEvents(trace: readonly TraceEvent[], atMicros: Micros, implicated: readonly NodeId[]): ViolationEvent[] {
  const named = new Set(implicated);
  const low = countBefore(trace, atMicros, (e) => e.at);
  type Handler = { event: ViolationEvent; onNamed: boolean; reported: boolean; sent: ViolationEvent[] };
  const handlers: Handler[] = [];
  let current: Handler | undefined;
  for (let i = low; i < trace.length && trace[i]!.at === atMicros; i++) {
    const e = trace[i]!;
    let started: ViolationEvent | undefined;
    let handlerNode: NodeId | undefined;
    if (e.type === 'deliver') {
      handlerNode = e.to;
      started = { kind: 'delivered', at: e.at, msgId: e.msgId, from: e.from, to: e.to, type: messageType(e.msg) };
    } else if (e.type === 'timer') {
      handlerNode = e.node;
      started = { kind: 'timer', at: e.at, node: e.node, name: e.name };
    } else if (e.type === 'start' || e.type === 'restart') {
      handlerNode = e.node;
      started = { kind: 'started', at: e.at, node: e.node };
    } else if (e.type === 'resume') {
      handlerNode = e.node;
      started = { kind: 'resumed', at: e.at, node: e.node };
    } else if (e.type === 'fault') {
      // A request or leave entry runs the node's own handler (onRequestEntry, onLeave) when it applies.
      const fault = e.resolved === undefined ? e.fault : e.resolved;
      if (fault !== null && (fault.kind === 'request' || fault.kind === 'leave')) {
        handlerNode = fault.node;
        started = { kind: fault.kind, at: e.at, node: fault.node };
      }
    }
    if (handlerNode !== undefined) {
      // A new handler begins: the facts and sends that follow are its own, until the next one.
      current = { event: started!, onNamed: named.has(handlerNode), reported: false, sent: [] };
      handlers.push(current);
    } else if (e.type === 'observe' && current !== undefined) {
      current.reported = true;
    } else if (e.type === 'send' && current !== undefined) {
      current.sent.push({ kind: 'sent', at: e.at, msgId: e.msgId, from: e.from, to: e.to, type: messageType(e.msg) });
    }
  }
  const onNamed = handlers.filter((h) => h.onNamed);
  const reportingOnNamed = onNamed.filter((h) => h.reported);
  const chosen = reportingOnNamed.length > 0 ? reportingOnNamed : onNamed.length > 0 ? onNamed : handlers.filter((h) => h.reported);
  return [...chosen.map((h) => h.event), ...chosen.flatMap((h) => h.sent)];
}

/** A violation event in words, as the violation box lists it: `delivered append-reply n3 → n4 at 3.546s`. */
export function describeViolationEvent(e: ViolationEvent, formatTime: (at: Micros) => string): string {
  switch (e.kind) {
    case 'delivered': return `delivered ${e.type} ${e.from} → ${e.to} at ${formatTime(e.at)}`;
    case 'sent': return `sent ${e.type} ${e.from} → ${e.to} at ${formatTime(e.at)}`;
    case 'timer': return `timer ${e.name} fired on ${e.node} at ${formatTime(e.at)}`;
    case 'started': return `${e.node} started at ${formatTime(e.at)}`;
    case 'request': return `${e.node} took a request at ${formatTime(e.at)}`;
    case 'leave': return `${e.node} was asked to leave at ${formatTime(e.at)}`;
    case 'resumed': return `${e.node} resumed at ${formatTime(e.at)}`;
  }
}
