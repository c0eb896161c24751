// The per-algorithm node view: how the playground draws one node's state, as a pure fold over the facts the
// node reported (its algorithm's typed fact union) and its crashes, never read from the live process: the
// page shows moments long before the simulator's frontier, so a view is rebuilt from the trace up to then.
// Node-free and DOM-free: a view returns plain data (labelled rows of words, optional small cells).

import { asRoleFact, type Fact } from '../sim/facts.js';
import type { Micros } from '../sim/time.js';

/** One labelled line of a node's full view: `{ label: 'term', text: '3' }`. */
export interface ViewRow {
  readonly label: string;
  readonly text: string;
}

/**
 * A small cell drawn in a row of cells (a log entry, a chosen slot): `text` is written inside it (so that
 * colour is never the only carrier), `title` says it in full, `shade` picks its fill (the page maps it to
 * one of a few fills that differ in lightness too; e.g. the entry's term).
 */
export interface ViewCell {
  readonly text: string;
  /** A word above the cell in the detail panel (a log index). */
  readonly caption?: string;
  readonly title: string;
  readonly shade: number;
}

/** What a view says of a node at one moment: plain data the page draws. */
export interface NodeViewModel {
  /** At most two short lines for the ring, under the node (`leader · t3`, `applied 12`). */
  readonly compact: readonly string[];
  /** The full form, for the node detail panel: every row labelled in words. */
  readonly rows: readonly ViewRow[];
  /** Optional cells (the last log entries): drawn small on the ring and in full in the detail panel. */
  readonly cells?: { readonly label: string; readonly items: readonly ViewCell[] };
}

/**
 * How to draw a node of one algorithm, from the facts `F` its nodes report. The page folds, for each node,
 * every fact it reported (in trace order) into `initial()`; a crash (or leaving the cluster) calls `crash`,
 * which keeps what the algorithm keeps on disk and forgets the rest (its next process reports afresh);
 * a start of a fresh machine (boot, or a join after leaving) begins again from `initial()`. Pause and
 * resume change nothing. `fold` and `crash` must not change the state they are given (the page keeps
 * earlier states as checkpoints to show any moment): return a new one.
 */
export interface NodeView<F extends Fact, S> {
  /** What the view draws, for the detail panel's heading (`Raft server`). */
  readonly title: string;
  initial(): S;
  /** The state after the node reported `fact` at `atMicros`. A fact of a type the view does not draw returns `state`. */
  fold(state: S, fact: F, atMicros: Micros): S;
  /** The state once the node's process is thrown away by a crash: what survives on its disk. */
  crash(state: S, atMicros: Micros): S;
  describe(state: S): NodeViewModel;
}

/** A view whose fact and state types are erased: what the registry hands the page (facts come from the trace, untyped). */
export type AnyNodeView = NodeView<Fact, unknown>;

/** Erases a view's types for the registry: its fold is given only the facts its algorithm reports (and ignores any other type). */
export function anyView<F extends Fact, S>(view: NodeView<F, S>): AnyNodeView {
  return view as unknown as AnyNodeView;
}

/** The generic view's state: the role and term of the shared role fact (sim/facts.ts). */
export interface RoleViewState {
  readonly role: string | null;
  readonly term: number | null;
}

/**
 * The default view, for every algorithm without one of its own: the role and term from the shared role
 * fact, as the ring always showed them (nothing for an algorithm that reports no roles).
 */
export const roleView: NodeView<Fact, RoleViewState> = {
  title: 'role and term',
  initial: () => ({ role: null, term: null }),
  fold(state, fact) {
    const role = asRoleFact(fact);
    return role === undefined ? state : { role: role.role, term: role.term };
  },
  crash: () => ({ role: null, term: null }),
  describe(state) {
    if (state.role === null) return { compact: [], rows: [{ label: 'role', text: 'none reported' }] };
    return {
      compact: [`${state.role}${state.term !== null ? ` · t${state.term}` : ''}`],
      rows: [{ label: 'role', text: state.role }, ...(state.term !== null ? [{ label: 'term', text: String(state.term) }] : [])],
    };
  },
};

/** The last `max` items of `list` with `item` appended (a new array; `list` is left as it was). */
export function appendBounded<T>(list: readonly T[], item: T, max: number): readonly T[] {
  const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice();
  next.push(item);
  return next;
}

/** A short text for a client command or no-op (`put x=3`, `no-op`), at most `maxChars` long. */
export function commandText(command: unknown, maxChars = 24): string {
  if (command === null || command === undefined) return 'no-op';
  const inner = typeof command === 'object' && command !== null && 'command' in command ? (command as { command: unknown }).command : command;
  let text: string;
  if (typeof inner === 'string') text = inner;
  else if (typeof inner === 'object' && inner !== null && typeof (inner as { op?: unknown }).op === 'string') {
    const c = inner as { op: string; key?: unknown; value?: unknown };
    text = `${c.op}${c.key !== undefined ? ` ${String(c.key)}` : ''}${c.value !== undefined ? `=${String(c.value)}` : ''}`;
  } else text = JSON.stringify(inner) ?? String(inner);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
