// The picture of one `faultline check` as plain data, for reports/check-html.ts: per sub-history (kv: per
// key; else the model's), operations as bars in lanes per client, the longest linearizable prefix numbered
// with its linearization points and the model's state after each, the blocked operation with the state it
// met and why it could not take effect. Pure: it assumes a LinearizabilityResult of these very operations.

import { assert } from '../sim/assert.js';
import type { IgnoredEvents } from '../sim/check/jepsen-history.js';
import { describeIgnored } from '../sim/check/jepsen-history.js';
import type { HistoryOp, LinearizabilityResult, Verdict } from '../sim/check/linearizability.js';
import type { Model } from '../sim/check/models.js';
import type { AxisUnit } from './check-html-time.js';
import { group } from './html-parts.js';

/** Sub-histories drawn at most (the failing one first). */
export const KEYS_DRAWN_MAX = 40;
/** Operations drawn at most over the whole page. */
export const OPERATIONS_DRAWN_MAX = 6_000;
/** Operations of the failing sub-history drawn at most (its prefix's last operations, the blocked one and its neighbours first). */
export const FAILING_OPERATIONS_DRAWN_MAX = 4_000;
/** Operations drawn at most per other sub-history (the earliest called). */
export const KEY_OPERATIONS_DRAWN_MAX = 1_000;
/** Operations that could not go next either, marked at most. */
export const CANDIDATES_MARKED_MAX = 20;
/** A state or operation in words is cut to this many characters. */
export const TEXT_CHARS_MAX = 400;

/** One operation's bar. Times are in the axis's unit; `ret` null: open (drawn to the right edge). */
export interface BarView {
  readonly id: number;
  readonly client: string;
  /** Row within the sub-history's chart (lanes of one client are adjacent). */
  readonly lane: number;
  readonly call: number;
  readonly ret: number | null;
  /** The operation in the model's words (`get x → 1`). */
  readonly text: string;
  /** 1-based place in the longest linearizable prefix. */
  readonly order?: number;
  /** Where it took effect along that order (within [call, ret]; never before the previous one's). */
  readonly point?: number;
  /** The model's state after it, along that order. */
  readonly stateAfter?: string;
  /** The operation that had to take effect next and could not. */
  readonly blocked?: boolean;
  /** For the blocked operation and the other candidates: the state they met. */
  readonly stateMet?: string;
  /** For the blocked operation and the other candidates: why they could not take effect there. */
  readonly whyNot?: string;
  /** Another operation that could not go next either. */
  readonly candidate?: boolean;
}

export interface LaneView {
  readonly client: string;
  /** The client as the checker's explanations name it: `c1`, or `p3` for Jepsen's process 3. */
  readonly name: string;
  /** `c1`, or `c1 (2)` for a client's second lane (its operations overlap: an open one, a reused process). */
  readonly label: string;
}

export type SubHistoryStatus = 'failing' | 'linearizable' | 'undecided' | 'not-judged';

export interface SubHistoryView {
  /** Its key (kv), else the model's name. */
  readonly key: string;
  /** In prose: `key x`, `the register`. */
  readonly where: string;
  readonly status: SubHistoryStatus;
  readonly operationsTotal: number;
  /** The axis: from the first call to past the last time (room for open operations). */
  readonly start: number;
  readonly end: number;
  readonly lanes: readonly LaneView[];
  /** In call order. */
  readonly bars: readonly BarView[];
  /** The window the chart opens on: the failing sub-history's drawn order and blocked operation, else everything. */
  readonly window: readonly [number, number];
  /** The failing sub-history's prefix length (all of it, drawn or not); 0 elsewhere. */
  readonly prefixLength: number;
  /** Said on the page when not everything of it is drawn. */
  readonly note?: string;
}

export interface CheckReportData {
  readonly file: string;
  readonly model: { readonly name: string; readonly description: string };
  /** The initial value as given (JSON text), and the state it starts the model in. */
  readonly initial: { readonly json: string; readonly state: string; readonly isDefault: boolean };
  readonly verdict: Verdict;
  readonly operations: number;
  readonly keys: number;
  readonly wallMillis: number;
  readonly ignored: string | null;
  readonly unknownKeys: readonly string[] | null;
  readonly explanation: string | null;
  readonly unit: AxisUnit;
  readonly subHistories: readonly SubHistoryView[];
  /** Sub-histories and operations not drawn, in words (empty when everything is). */
  readonly notes: readonly string[];
  readonly operationsDrawn: number;
}

export interface CheckReportInput<S, I, O> {
  /** The history file as the user named it. */
  readonly file: string;
  readonly model: Model<S, I, O>;
  /** The initial value as given (null: the model's default). */
  readonly initial: unknown;
  /** Every operation checked. */
  readonly operations: readonly HistoryOp<I, O>[];
  readonly result: LinearizabilityResult<I, O>;
  readonly wallMillis: number;
  readonly ignored?: IgnoredEvents;
  /** The axis: its unit, and each operation time (call or return) on it. Must not decrease as times grow. Default: micros, as given. */
  readonly axis?: { readonly unit: AxisUnit; readonly at: (time: number) => number };
}

function cut(text: string): string {
  return text.length > TEXT_CHARS_MAX ? `${text.slice(0, TEXT_CHARS_MAX - 1)}…` : text;
}

/** Names in a natural order: numbers by value first (`2` before `10`), then the rest as strings. */
export function naturalCompare(a: string, b: string): number {
  const na = /^-?\d+$/.test(a) ? Number(a) : undefined;
  const nb = /^-?\d+$/.test(b) ? Number(b) : undefined;
  if (na !== undefined && nb !== undefined && na !== nb) return na - nb;
  if (na !== undefined && nb === undefined) return -1;
  if (na === undefined && nb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sub-histories as the checker splits them (kv: by key), each in call order. */
function subHistoriesOf<S, I, O>(model: Model<S, I, O>, ops: readonly HistoryOp<I, O>[]): Map<string, HistoryOp<I, O>[]> {
  const parts = model.partition ? model.partition(ops) : new Map([[model.name, [...ops]]]);
  for (const list of parts.values()) list.sort((a, b) => a.call - b.call || a.id - b.id);
  return parts;
}

/**
 * Lanes for one sub-history's drawn operations: one per client, more where a client's operations overlap
 * (an open one lasts to the right edge). Each operation takes its client's first lane free at its call.
 * Returns the lane of each operation (by index) and the lanes in order (clients naturally sorted).
 */
export function assignLanes(ops: readonly { readonly client: string; readonly call: number; readonly ret: number | null }[]): { lanes: LaneView[]; laneOf: number[] } {
  const perClient = new Map<string, number[]>(); // client → its lanes' end times
  const local = ops.map((op) => {
    let ends = perClient.get(op.client);
    if (ends === undefined) perClient.set(op.client, (ends = []));
    let lane = ends.findIndex((end) => end <= op.call);
    if (lane === -1) lane = ends.length;
    ends[lane] = op.ret ?? Number.POSITIVE_INFINITY;
    return lane;
  });
  const clients = [...perClient.keys()].sort(naturalCompare);
  const first = new Map<string, number>();
  const lanes: LaneView[] = [];
  for (const client of clients) {
    first.set(client, lanes.length);
    const count = perClient.get(client)!.length;
    // As describeOperation names clients: a bare number is a Jepsen process.
    const name = /^\d+$/.test(client) ? `p${client}` : client;
    for (let i = 0; i < count; i++) lanes.push({ client, name, label: i === 0 ? name : `${name} (${i + 1})` });
  }
  return { lanes, laneOf: ops.map((op, i) => first.get(op.client)! + local[i]!) };
}

/** What the failing key's search marks on a bar (BarView's optional fields). */
type Marks = Pick<BarView, 'order' | 'point' | 'stateAfter' | 'blocked' | 'stateMet' | 'whyNot' | 'candidate'>;

/** The failing sub-history's marks by operation id: the prefix along its order, the blocked operation, the other candidates. */
function failureMarks<S, I, O>(model: Model<S, I, O>, initial: unknown, ops: readonly HistoryOp<I, O>[], result: LinearizabilityResult<I, O>, at: (t: number) => number): Map<number, Marks> {
  const failure = result.failure!;
  const marks = new Map<number, Marks>();
  let state = model.init(initial);
  let point = Number.NEGATIVE_INFINITY;
  failure.orderedPrefix.forEach((op, i) => {
    const next = model.step(state, op.input, op.output);
    assert(next !== undefined, `the checker's ordered prefix does not step the ${model.name} model at #${op.id}`);
    state = next;
    // The earliest moment it can have taken effect along the order: not before its call, nor before the previous one's.
    point = Math.max(point, at(op.call));
    marks.set(op.id, { order: i + 1, point, stateAfter: cut(model.describeState(state)) });
  });
  const met = cut(model.describeState(state));
  const blocked = failure.blocked;
  marks.set(blocked.id, { blocked: true, stateMet: met, whyNot: cut(model.whyNot(state, blocked.input, blocked.output)) });
  // The others that were called before the blocked operation returned and cannot take effect in that state either.
  const inPrefix = new Set(failure.orderedPrefix.map((op) => op.id));
  const deadline = blocked.return ?? Number.POSITIVE_INFINITY;
  let candidates = 0;
  for (const op of ops) {
    if (candidates >= CANDIDATES_MARKED_MAX || op.call > deadline) break;
    if (inPrefix.has(op.id) || op.id === blocked.id) continue;
    if (model.step(state, op.input, op.output) !== undefined) continue;
    marks.set(op.id, { candidate: true, stateMet: met, whyNot: cut(model.whyNot(state, op.input, op.output)) });
    candidates++;
  }
  return marks;
}

/**
 * Which of the failing sub-history's operations are drawn when it has too many: the marked ones (the end of
 * the prefix, the blocked one, the candidates), then those called nearest the blocked operation.
 */
function failingSelection<I, O>(ops: readonly HistoryOp<I, O>[], marks: ReadonlyMap<number, Marks>, prefixLength: number, blocked: HistoryOp<I, O>, limit: number): HistoryOp<I, O>[] {
  if (ops.length <= limit) return [...ops];
  const keepFromOrder = prefixLength - Math.floor(limit / 2);
  const chosen = new Set<number>();
  for (const op of ops) {
    const m = marks.get(op.id);
    if (m === undefined) continue;
    if (m.order !== undefined && m.order <= keepFromOrder) continue;
    chosen.add(op.id);
  }
  const rest = ops.filter((op) => !chosen.has(op.id) && (marks.get(op.id)?.order ?? Number.POSITIVE_INFINITY) > keepFromOrder);
  rest.sort((a, b) => Math.abs(a.call - blocked.call) - Math.abs(b.call - blocked.call) || a.id - b.id);
  for (const op of rest) {
    if (chosen.size >= limit) break;
    chosen.add(op.id);
  }
  return ops.filter((op) => chosen.has(op.id));
}

function buildSubHistory<I, O>(
  key: string, where: string, status: SubHistoryStatus, all: readonly HistoryOp<I, O>[], drawn: readonly HistoryOp<I, O>[],
  describe: (op: HistoryOp<I, O>) => string, at: (t: number) => number, marks: ReadonlyMap<number, Marks>, prefixLength: number, note?: string,
): SubHistoryView {
  const timed = drawn.map((op) => ({ op, client: op.client, call: at(op.call), ret: op.return === null ? null : at(op.return) }));
  const { lanes, laneOf } = assignLanes(timed);
  let start = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const t of timed) {
    start = Math.min(start, t.call);
    last = Math.max(last, t.ret ?? t.call);
  }
  if (timed.length === 0) start = last = 0;
  // Room on the right for open operations (and for one that is a single point in time).
  const end = last + Math.max(1, Math.ceil((last - start) * 0.04));
  const bars = timed.map((t, i): BarView => ({
    id: t.op.id, client: t.client, lane: laneOf[i]!, call: t.call, ret: t.ret, text: cut(describe(t.op)), ...marks.get(t.op.id),
  }));
  return { key, where, status, operationsTotal: all.length, start, end, lanes, bars, window: storyWindow(bars, start, end), prefixLength, ...(note !== undefined ? { note } : {}) };
}

/**
 * Where the story of a failure is: from the first call of a marked bar (the order, the blocked one, the
 * candidates) to the blocked one's return, with a margin, within [start, end]; [start, end] when nothing is marked.
 */
export function storyWindow(bars: readonly BarView[], start: number, end: number): [number, number] {
  const marked = bars.filter((b) => b.order !== undefined || b.blocked || b.candidate);
  if (marked.length === 0) return [start, end];
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const b of marked) {
    from = Math.min(from, b.call);
    to = Math.max(to, b.blocked ? b.ret ?? end : b.point ?? b.call);
  }
  const margin = Math.max((to - from) * 0.05, (end - start) * 0.002);
  return [Math.max(start, from - margin), Math.min(end, to + margin)];
}

/** The report's data: pure, the same for the same input. */
export function buildCheckReportData<S, I, O>(input: CheckReportInput<S, I, O>): CheckReportData {
  const { model, result } = input;
  const at = input.axis?.at ?? ((t: number) => t);
  const unit = input.axis?.unit ?? 'micros';
  const parts = subHistoriesOf(model, input.operations);
  const failure = result.failure;
  const undecided = new Set(result.unknownKeys ?? []);
  const where = (key: string) => (model.partition === undefined ? `the ${model.name}` : `key ${key}`);
  const describe = (op: HistoryOp<I, O>) => model.describeOp(op.input, op.output);
  const statusOf = (key: string): SubHistoryStatus => {
    if (failure?.key === key) return 'failing';
    if (undecided.has(key)) return 'undecided';
    return result.verdict === 'not-linearizable' ? 'not-judged' : 'linearizable';
  };
  // The failing sub-history first, then undecided ones, then the rest, each group in natural order.
  const rank = (key: string) => ({ failing: 0, undecided: 1, 'not-judged': 2, linearizable: 2 })[statusOf(key)];
  const keys = [...parts.keys()].sort((a, b) => rank(a) - rank(b) || naturalCompare(a, b));
  const notes: string[] = [];
  const views: SubHistoryView[] = [];
  let budget = OPERATIONS_DRAWN_MAX;
  for (const key of keys) {
    if (views.length >= KEYS_DRAWN_MAX || budget <= 0) break;
    const ops = parts.get(key)!;
    if (failure !== undefined && failure.key === key) {
      const marks = failureMarks(model, input.initial, ops, result, at);
      const prefixLength = failure.orderedPrefix.length;
      const drawn = failingSelection(ops, marks, prefixLength, failure.blocked, Math.min(budget, FAILING_OPERATIONS_DRAWN_MAX));
      const firstOrder = Math.min(...drawn.map((op) => marks.get(op.id)?.order ?? Number.POSITIVE_INFINITY));
      const skippedPrefix = prefixLength > 0 && firstOrder > 1 ? ` The first ${group(firstOrder - 1)} operations of the order are not drawn.` : '';
      const note = drawn.length < ops.length ? `${group(drawn.length)} of ${group(ops.length)} operations are drawn: the end of the order, the blocked operation and those called nearest it.${skippedPrefix}` : undefined;
      views.push(buildSubHistory(key, where(key), 'failing', ops, drawn, describe, at, marks, prefixLength, note));
      budget -= drawn.length;
      continue;
    }
    const drawn = ops.slice(0, Math.min(budget, KEY_OPERATIONS_DRAWN_MAX));
    const note = drawn.length < ops.length ? `The ${group(drawn.length)} earliest called of ${group(ops.length)} operations are drawn.` : undefined;
    views.push(buildSubHistory(key, where(key), statusOf(key), ops, drawn, describe, at, new Map(), 0, note));
    budget -= drawn.length;
  }
  if (views.length < keys.length) {
    const what = model.partition === undefined ? 'sub-histories' : 'keys';
    notes.push(`${views.length} of ${group(keys.length)} ${what} are drawn (at most ${KEYS_DRAWN_MAX}, and ${group(OPERATIONS_DRAWN_MAX)} operations in all).`);
  }
  const initial = input.initial ?? null;
  return {
    file: input.file,
    model: { name: model.name, description: model.description },
    initial: { json: JSON.stringify(initial), state: cut(model.describeState(model.init(initial))), isDefault: initial === null },
    verdict: result.verdict,
    operations: result.operations,
    keys: result.keys,
    wallMillis: input.wallMillis,
    ignored: input.ignored && input.ignored.events > 0 ? describeIgnored(input.ignored) : null,
    unknownKeys: result.unknownKeys ? [...result.unknownKeys] : null,
    explanation: failure?.explanation ?? null,
    unit,
    subHistories: views,
    notes,
    operationsDrawn: views.reduce((n, v) => n + v.bars.length, 0),
  };
}
