// Each node's view state at any moment, folded from a session's trace with the scenario's node view
// (playground/node-views.ts): the facts a node reported, its crashes (and leaving) and fresh starts, in trace order.
// Node-free and incremental like TraceIndex: `sync` reads only new events; a state is kept every
// VIEW_CHECKPOINT_EVERY entries, so a moment is at most that many folds from a checkpoint.

import type { NodeId } from '../sim/process.js';
import type { Micros } from '../sim/time.js';
import type { TraceEvent } from '../sim/trace.js';
import type { AnyNodeView, NodeViewModel } from './node-view.js';
import type { Fact } from '../sim/facts.js';
import { countAtOrBefore } from './search.js';

/** How many entries of a node apart its checkpoints are. */
export const VIEW_CHECKPOINT_EVERY = 32;

/** What changes a node's view: a fact it reported, its process thrown away (crash, leave), a fresh machine (start, join). */
export type ViewEntry =
  | { readonly at: Micros; readonly kind: 'fact'; readonly fact: Fact }
  | { readonly at: Micros; readonly kind: 'crash' | 'start' };

/** One entry applied to a view state: the one rule that both the index and its tests' naive twin use. */
export function applyEntry(view: AnyNodeView, state: unknown, entry: ViewEntry): unknown {
  if (entry.kind === 'fact') return view.fold(state, entry.fact, entry.at);
  return entry.kind === 'crash' ? view.crash(state, entry.at) : view.initial();
}

/** The view entry a trace event is for a node (undefined: it changes no view). */
export function viewEntryOf(e: TraceEvent): { node: NodeId; entry: ViewEntry } | undefined {
  switch (e.type) {
    case 'observe': return { node: e.node, entry: { at: e.at, kind: 'fact', fact: e.fact } };
    case 'crash': case 'leave': return { node: e.node, entry: { at: e.at, kind: 'crash' } };
    case 'start': return { node: e.node, entry: { at: e.at, kind: 'start' } };
    default: return undefined;
  }
}

interface NodeLog {
  readonly entries: ViewEntry[];
  /** checkpoints[k]: the state after the first k × VIEW_CHECKPOINT_EVERY entries. */
  readonly checkpoints: unknown[];
  last: unknown;
}

export class ViewIndex {
  private source: readonly TraceEvent[] | undefined;
  private consumed = 0;
  private logs = new Map<NodeId, NodeLog>();

  constructor(readonly nodes: readonly NodeId[], readonly view: AnyNodeView) {
    this.reset();
  }

  private reset(): void {
    this.consumed = 0;
    this.logs = new Map(this.nodes.map((id) => {
      const initial = this.view.initial();
      return [id, { entries: [], checkpoints: [initial], last: initial }];
    }));
  }

  /** Reads the events of `trace` not read yet (all of them, if it is another array than last time). */
  sync(trace: readonly TraceEvent[]): void {
    if (trace !== this.source) {
      this.source = trace;
      this.reset();
    }
    for (; this.consumed < trace.length; this.consumed++) {
      const found = viewEntryOf(trace[this.consumed]!);
      const log = found === undefined ? undefined : this.logs.get(found.node);
      if (log === undefined) continue;
      log.entries.push(found!.entry);
      log.last = applyEntry(this.view, log.last, found!.entry);
      if (log.entries.length % VIEW_CHECKPOINT_EVERY === 0) log.checkpoints.push(log.last);
    }
  }

  /** The node's view state once every event at or before `t` has happened (as far as the trace read goes). */
  stateAt(node: NodeId, t: Micros): unknown {
    const log = this.logs.get(node);
    if (log === undefined) return this.view.initial();
    const entries = log.entries;
    const low = countAtOrBefore(entries, t, (e) => e.at);
    if (low === entries.length) return log.last;
    const k = Math.floor(low / VIEW_CHECKPOINT_EVERY);
    let state: unknown = log.checkpoints[k];
    for (let i = k * VIEW_CHECKPOINT_EVERY; i < low; i++) state = applyEntry(this.view, state, entries[i]!);
    return state;
  }

  /** The view's model of the node at `t`: what the page draws. */
  modelAt(node: NodeId, t: Micros): NodeViewModel {
    return this.view.describe(this.stateAt(node, t));
  }
}
