// Each node's pending timers at any moment, for the playground to draw running down. The trace records a
// timer only when it fires, so the session wraps each node's process and context (outside sim/) and logs
// every setTimer, cancelTimer and firing here; a crash or leave (read from the trace) clears a node's timers.
// The wrapper only forwards: the run, its trace and its fingerprint are exactly those of an unwrapped run.
// A pending timer's due time is its set time plus its delay on the local clock (a drifting clock or a slow
// node's work timer fires a little off that); once it fires, the firing time replaces the estimate.

import type { Fact } from '../sim/facts.js';
import type { Context, NodeId, NodeSpec, Process, TimerOptions } from '../sim/process.js';
import type { Micros } from '../sim/time.js';
import { countAtOrBefore } from './search.js';

/** How a timer's span ended: it fired, was cancelled, was set again (replaced), or its node crashed or left. */
export type TimerEnd = 'fired' | 'cancelled' | 'replaced' | 'cleared';

/** One timer from the moment it was set until it ended (endAt null: pending as far as the run goes). */
export interface TimerSpan {
  readonly node: NodeId;
  readonly name: string;
  readonly setAt: Micros;
  /** The delay asked for, on the node's local clock. */
  readonly afterMicros: Micros;
  /** When it fires: the firing time once it fired, else setAt + afterMicros. */
  readonly dueAt: Micros;
  readonly endAt: Micros | null;
  readonly end: TimerEnd | null;
}

/** A timer pending at a moment, as the page draws it. */
export interface PendingTimer {
  readonly name: string;
  readonly setAt: Micros;
  readonly dueAt: Micros;
  /** Time left until dueAt (0 when overdue: a paused node fires it when it resumes). */
  readonly leftMicros: Micros;
  /** The share of its delay still to run, 1 … 0. */
  readonly leftFraction: number;
}

type MutableSpan = { -readonly [K in keyof TimerSpan]: TimerSpan[K] };

export class TimerLog {
  /** Per node, per timer name: its spans in the order set (they never overlap: one timer per name). */
  private readonly spans = new Map<NodeId, Map<string, MutableSpan[]>>();
  private readonly open = new Map<NodeId, Map<string, MutableSpan>>();

  /** `now`: the true time of the simulator the wrapped processes run in. */
  constructor(private readonly now: () => Micros) {}

  set(node: NodeId, name: string, afterMicros: Micros): void {
    const at = this.now();
    this.close(node, name, at, 'replaced');
    const span: MutableSpan = { node, name, setAt: at, afterMicros, dueAt: at + afterMicros, endAt: null, end: null };
    let byName = this.spans.get(node);
    if (byName === undefined) this.spans.set(node, byName = new Map());
    let list = byName.get(name);
    if (list === undefined) byName.set(name, list = []);
    list.push(span);
    let open = this.open.get(node);
    if (open === undefined) this.open.set(node, open = new Map());
    open.set(name, span);
  }

  cancel(node: NodeId, name: string): void {
    this.close(node, name, this.now(), 'cancelled');
  }

  fired(node: NodeId, name: string): void {
    const at = this.now();
    const span = this.open.get(node)?.get(name);
    if (span !== undefined) span.dueAt = at;
    this.close(node, name, at, 'fired');
  }

  /** The node crashed or left at `at`: every timer it had is gone. */
  clear(node: NodeId, at: Micros): void {
    const open = this.open.get(node);
    if (open === undefined) return;
    for (const name of [...open.keys()]) this.close(node, name, at, 'cleared');
  }

  private close(node: NodeId, name: string, at: Micros, end: TimerEnd): void {
    const open = this.open.get(node);
    const span = open?.get(name);
    if (span === undefined) return;
    span.endAt = at;
    span.end = end;
    open!.delete(name);
  }

  /** Every span of a node's timers, by name then time set (for tests and the detail panel). */
  spansOf(node: NodeId): readonly TimerSpan[] {
    return [...(this.spans.get(node)?.values() ?? [])].flat();
  }

  /** The timers pending on `node` at `t` (set at or before t, not ended by then), sorted by name. */
  pendingAt(node: NodeId, t: Micros): PendingTimer[] {
    const out: PendingTimer[] = [];
    for (const [name, list] of this.spans.get(node) ?? []) {
      const low = countAtOrBefore(list, t, (s) => s.setAt);
      // Several spans set at t (set, then set again in one handler): the last one set is the live one.
      const span = list[low - 1];
      if (span === undefined || (span.endAt !== null && span.endAt <= t)) continue;
      const total = span.dueAt - span.setAt;
      const leftMicros = Math.max(0, span.dueAt - t);
      out.push({ name, setAt: span.setAt, dueAt: span.dueAt, leftMicros, leftFraction: total <= 0 ? 0 : leftMicros / total });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A node spec whose processes report their timers here; everything else passes through unchanged. */
  wrap<M, F extends Fact>(spec: NodeSpec<M, F>): NodeSpec<M, F> {
    return { ...spec, create: () => this.wrapProcess(spec.id, spec.create()) };
  }

  private wrapProcess<M, F extends Fact>(node: NodeId, inner: Process<M, F>): Process<M, F> {
    let seen: Context<M, F> | undefined;
    let wrapped: Context<M, F> | undefined;
    // One wrapper per context (an incarnation has one), so a process that keeps its context sees one object.
    const wrap = (ctx: Context<M, F>): Context<M, F> => {
      if (ctx !== seen) {
        seen = ctx;
        wrapped = this.wrapContext(node, ctx);
      }
      return wrapped!;
    };
    // Every hook of Process (Required: a hook added to sim/process.ts does not compile here until it is forwarded).
    const forward: Required<Process<M, F>> = {
      onStart: (ctx) => inner.onStart(wrap(ctx)),
      onMessage: (ctx, from, msg) => inner.onMessage(wrap(ctx), from, msg),
      onTimer: (ctx, name) => {
        this.fired(node, name);
        inner.onTimer(wrap(ctx), name);
      },
      inspect: () => inner.inspect!(),
      onLeave: (ctx) => inner.onLeave!(wrap(ctx)),
      onRequestEntry: (ctx, op) => inner.onRequestEntry!(wrap(ctx), op),
      checkRequestOp: (op) => inner.checkRequestOp!(op),
    };
    // Only the optional hooks the process has: the engine treats a missing hook otherwise than one that does nothing.
    const process: Process<M, F> = { onStart: forward.onStart, onMessage: forward.onMessage, onTimer: forward.onTimer };
    for (const hook of ['inspect', 'onLeave', 'onRequestEntry', 'checkRequestOp'] as const) {
      if (inner[hook] !== undefined) (process as Record<typeof hook, unknown>)[hook] = forward[hook];
    }
    return process;
  }

  private wrapContext<M, F extends Fact>(node: NodeId, ctx: Context<M, F>): Context<M, F> {
    return {
      self: ctx.self, peers: ctx.peers, rng: ctx.rng, disk: ctx.disk, history: ctx.history,
      now: () => ctx.now(),
      send: (to: NodeId, msg: M) => ctx.send(to, msg),
      // The engine first (it refuses a call from a process no longer running), then the log.
      setTimer: (name: string, after: Micros, options?: TimerOptions) => {
        ctx.setTimer(name, after, options);
        this.set(node, name, after);
      },
      cancelTimer: (name: string) => {
        ctx.cancelTimer(name);
        this.cancel(node, name);
      },
      observe: (fact: F) => ctx.observe(fact),
      failFastRatio: () => ctx.failFastRatio(),
      leave: () => ctx.leave(),
    };
  }
}
