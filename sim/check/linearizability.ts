// A linearizability checker for register and key-value histories, not tied to any algorithm.
// It searches for an order of the operations that respects real time and the model's sequential
// semantics (Wing & Gong's search with Lowe's memoisation of (linearized set, model state) pairs), after
// splitting a kv history per key (P-compositionality). Operations with an unknown outcome (open) may have
// taken effect at any time after their call, or never. A step budget ends the search with `unknown`.
// The register, and every key of a kv store, starts with one initial value: null unless told otherwise.

import { assert } from '../assert.js';
import type { Micros } from '../time.js';

export type ModelName = 'register' | 'kv';

export type OpName = 'get' | 'put' | 'append' | 'cas';

/** One operation: what was asked, what came back (null: outcome unknown), and when. */
export interface HistoryOp {
  readonly id: number;
  readonly client: string;
  readonly call: Micros;
  /** null: the outcome is unknown (timeout, crashed client); the op may have happened. */
  readonly return: Micros | null;
  readonly input: { readonly op: OpName; readonly key?: string; readonly value?: unknown; readonly expected?: unknown };
  /** null: unknown. `value` for get, `ok` for cas. */
  readonly output: { readonly value?: unknown; readonly ok?: boolean } | null;
}

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface LinearizabilityFailure {
  /** The key whose sub-history cannot be linearized (`register` for a register history). */
  readonly key: string;
  /** That key's whole sub-history, in call order. */
  readonly operations: readonly HistoryOp[];
  /** The longest prefix of operations that could be ordered. */
  readonly orderedPrefix: readonly HistoryOp[];
  /** The operation that had to take effect next but could not. */
  readonly blocked: HistoryOp;
  /** A few sentences a student can follow. */
  readonly explanation: string;
}

export interface LinearizabilityResult {
  readonly verdict: Verdict;
  readonly operations: number;
  readonly keys: number;
  /** The smallest failing key's story, when the verdict is not-linearizable. */
  readonly failure?: LinearizabilityFailure;
  /** Search steps taken, summed over keys. */
  readonly steps: number;
}

export interface CheckOptions {
  readonly model: ModelName;
  /** Asked every few thousand steps; true ends the search with `unknown`. Wall-clock budgets go here. */
  readonly shouldStop?: () => boolean;
  /** Deterministic bound on search steps over all keys. */
  readonly stepsMax?: number;
  /**
   * The register's value before any operation, or every key's for `kv` (default null: a missing key
   * reads as nothing). Histories whose missing keys read as the empty string need `""` here.
   */
  readonly initial?: unknown;
}

const STEPS_MAX_DEFAULT = 50_000_000;
const STOP_CHECK_EVERY = 4_096;

// ---- the sequential model ---------------------------------------------------------------------

type Value = unknown;

/** Canonical text of a value, for equality and memoisation. */
function canonical(value: Value): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

function same(a: Value, b: Value): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

function describeValue(value: Value): string {
  return value === null || value === undefined ? 'nothing' : canonical(value);
}

/** Applies one operation to a register's value; undefined when the observed output is impossible. */
function step(state: Value, op: HistoryOp): { state: Value } | undefined {
  const { input, output } = op;
  switch (input.op) {
    case 'get':
      if (output === null || same(output.value, state)) return { state };
      return undefined;
    case 'put':
      return { state: input.value ?? null };
    case 'append': {
      const appended = appendValue(state, input.value);
      return appended === undefined ? undefined : { state: appended };
    }
    case 'cas': {
      const matches = same(state, input.expected);
      if (output !== null && output.ok !== undefined && output.ok !== matches) return undefined;
      return { state: matches ? (input.value ?? null) : state };
    }
  }
}

/** Strings concatenate; anything else appends to a list. */
function appendValue(state: Value, value: Value): Value | undefined {
  if (state === null || state === undefined) return typeof value === 'string' ? value : [value];
  if (typeof state === 'string' && typeof value === 'string') return state + value;
  if (Array.isArray(state)) return [...state, value];
  return undefined;
}

/** Why `op` cannot take effect when the value is `state`, in words. */
function whyNot(state: Value, op: HistoryOp): string {
  const { input, output } = op;
  if (input.op === 'get') return `it saw ${describeValue(output?.value)} while the value was ${describeValue(state)}`;
  if (input.op === 'cas') {
    const matches = same(state, input.expected);
    return matches
      ? `it reported failure, but the value was ${describeValue(state)}, which equals the expected ${describeValue(input.expected)}`
      : `it reported success, but the value was ${describeValue(state)}, not the expected ${describeValue(input.expected)}`;
  }
  if (input.op === 'append') return `${describeValue(input.value)} cannot be appended to ${describeValue(state)}`;
  return 'it cannot';
}

export function describeOp(op: HistoryOp): string {
  const onKey = op.input.key !== undefined;
  const key = onKey ? ` ${op.input.key}` : '';
  const when = `called ${formatTime(op.call)}, ${op.return === null ? 'outcome unknown' : `returned ${formatTime(op.return)}`}`;
  let what: string;
  switch (op.input.op) {
    case 'get':
      what = `${onKey ? 'get' : 'read'}${key} → ${op.output === null ? '?' : describeValue(op.output.value)}`;
      break;
    case 'put':
      what = onKey ? `put${key} = ${describeValue(op.input.value)}` : `write ${describeValue(op.input.value)}`;
      break;
    case 'append':
      what = `append${key} ${describeValue(op.input.value)}`;
      break;
    case 'cas':
      what = `cas${key} ${describeValue(op.input.expected)} → ${describeValue(op.input.value)}${op.output === null || op.output.ok === undefined ? '' : op.output.ok ? ' (ok)' : ' (failed)'}`;
      break;
  }
  const client = /^\d+$/.test(op.client) ? `p${op.client}` : op.client;
  return `#${op.id} ${client}: ${what} (${when})`;
}

function formatTime(micros: Micros): string {
  return Number.isInteger(micros) && micros >= 1_000 ? `${micros / 1_000_000}s` : String(micros);
}

// ---- the search ---------------------------------------------------------------------------------

/** A node of the doubly linked list of call and return entries, in time order. */
interface Entry {
  readonly op: number;
  readonly isCall: boolean;
  /** For a call, its return entry. */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * The set of linearized operations: bits, plus a 53-bit Zobrist hash kept up to date as bits flip,
 * so that memoisation needs no string per step. A hash hit is always confirmed against the bits.
 */
class LinearizedSet {
  readonly words: Uint32Array;
  private readonly zobristLow: Int32Array;
  private readonly zobristHigh: Int32Array;
  hashLow = 0;
  hashHigh = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
    this.zobristLow = new Int32Array(size);
    this.zobristHigh = new Int32Array(size);
    // A fixed xorshift stream: the same operation index always gets the same code.
    let x = 0x9e3779b9;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x | 0;
    };
    for (let i = 0; i < size; i++) {
      this.zobristLow[i] = next();
      this.zobristHigh[i] = next();
    }
  }

  flip(i: number): void {
    this.words[i >> 5]! ^= 1 << (i & 31);
    this.hashLow ^= this.zobristLow[i]!;
    this.hashHigh ^= this.zobristHigh[i]!;
  }

  /** A 53-bit number naming (this set, the model state id), for a Map key. */
  key(stateId: number): number {
    const low = (this.hashLow ^ Math.imul(stateId, 0x9e3779b1)) >>> 0;
    const high = (this.hashHigh ^ Math.imul(stateId, 0x85ebca6b)) >>> 11;
    return high * 0x1_0000_0000 + low;
  }

  equals(words: Uint32Array): boolean {
    for (let i = 0; i < words.length; i++) if (words[i] !== this.words[i]) return false;
    return true;
  }
}

/** Visited (linearized set, state) pairs, keyed by hash and confirmed exactly. */
class Visited {
  private readonly buckets = new Map<number, { words: Uint32Array; stateId: number }[]>();

  /** Adds the pair; false when it was already there. */
  add(set: LinearizedSet, stateId: number): boolean {
    const key = set.key(stateId);
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.buckets.set(key, [{ words: set.words.slice(), stateId }]);
      return true;
    }
    for (const seen of bucket) if (seen.stateId === stateId && set.equals(seen.words)) return false;
    bucket.push({ words: set.words.slice(), stateId });
    return true;
  }
}

/** Gives each distinct model state a small integer. */
class StateIds {
  private readonly primitive = new Map<unknown, number>();
  private readonly structured = new Map<string, number>();

  id(state: Value): number {
    if (state === null || typeof state !== 'object') {
      let id = this.primitive.get(state ?? null);
      if (id === undefined) this.primitive.set(state ?? null, (id = this.primitive.size + this.structured.size));
      return id;
    }
    const text = canonical(state);
    let id = this.structured.get(text);
    if (id === undefined) this.structured.set(text, (id = this.primitive.size + this.structured.size));
    return id;
  }
}

type PartitionOutcome =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'unknown'; readonly steps: number }
  | { readonly kind: 'fail'; readonly steps: number; readonly prefix: number[]; readonly state: Value; readonly blocked: number; readonly candidates: number[] };

/** Searches one partition (a key's sub-history). */
function searchPartition(ops: readonly HistoryOp[], initial: Value, budget: { steps: number; readonly max: number; readonly shouldStop?: () => boolean }): PartitionOutcome {
  const entries: Entry[] = [];
  const times: number[] = [];
  ops.forEach((op, index) => {
    const call: Entry = { op: index, isCall: true, match: null, prev: null, next: null };
    const ret: Entry = { op: index, isCall: false, match: null, prev: null, next: null };
    call.match = ret;
    entries.push(call, ret);
    times.push(op.call, op.return ?? Number.POSITIVE_INFINITY);
  });
  const order = entries.map((_, i) => i);
  // Time order; on a tie, calls first (operations that touch in time count as concurrent).
  order.sort((a, b) => times[a]! - times[b]! || Number(!entries[a]!.isCall) - Number(!entries[b]!.isCall) || entries[a]!.op - entries[b]!.op);
  const head: Entry = { op: -1, isCall: false, match: null, prev: null, next: null };
  let last = head;
  for (const i of order) {
    const entry = entries[i]!;
    entry.prev = last;
    last.next = entry;
    last = entry;
  }

  const lift = (call: Entry) => {
    call.prev!.next = call.next;
    if (call.next) call.next.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Entry) => {
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    if (call.next) call.next.prev = call;
  };

  const linearized = new LinearizedSet(ops.length);
  const visited = new Visited();
  const stateIds = new StateIds();
  const stack: { call: Entry; state: Value }[] = [];
  let state: Value = initial;
  let entry = head.next;
  let deepest: Extract<PartitionOutcome, { kind: 'fail' }> | undefined;
  const startSteps = budget.steps;

  while (head.next !== null) {
    budget.steps++;
    if (budget.steps > budget.max) return { kind: 'unknown', steps: budget.steps - startSteps };
    if (budget.steps % STOP_CHECK_EVERY === 0 && budget.shouldStop?.()) return { kind: 'unknown', steps: budget.steps - startSteps };
    assert(entry !== null, 'linearizability search ran off the end of its entry list');
    if (entry.isCall) {
      const next = step(state, ops[entry.op]!);
      if (next !== undefined) {
        linearized.flip(entry.op);
        // Memoisation: the same set of operations done, leading to the same value, was explored before.
        if (visited.add(linearized, stateIds.id(next.state))) {
          stack.push({ call: entry, state });
          state = next.state;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.flip(entry.op);
      }
      entry = entry.next;
      continue;
    }
    // A return: its operation had to take effect before now, and no candidate could. Backtrack.
    if (deepest === undefined || stack.length > deepest.prefix.length) {
      const candidates: number[] = [];
      for (let e: Entry | null = head.next; e !== null && e !== entry; e = e.next) if (e.isCall) candidates.push(e.op);
      deepest = { kind: 'fail', steps: 0, prefix: stack.map((s) => s.call.op), state, blocked: entry.op, candidates };
    }
    const top = stack.pop();
    if (top === undefined) return { ...deepest, steps: budget.steps - startSteps };
    state = top.state;
    linearized.flip(top.call.op);
    unlift(top.call);
    entry = top.call.next;
  }
  return { kind: 'ok', steps: budget.steps - startSteps };
}

function explain(key: string, ops: readonly HistoryOp[], failure: Extract<PartitionOutcome, { kind: 'fail' }>): string {
  const blocked = ops[failure.blocked]!;
  const lines: string[] = [];
  const where = key === 'register' ? 'the register' : `key ${key}`;
  if (failure.prefix.length === 0) {
    lines.push(`No operation on ${where} can come first.`);
  } else {
    const shown = failure.prefix.slice(-3).map((i) => describeOp(ops[i]!));
    const more = failure.prefix.length > 3 ? `${failure.prefix.length - 3} earlier operations, then ` : '';
    lines.push(`On ${where}, at most ${failure.prefix.length} operations can be put in an order that respects real time: ${more}${shown.join('; ')}.`);
    lines.push(`That leaves the value ${describeValue(failure.state)}.`);
  }
  lines.push(`Next, ${describeOp(blocked)} must take effect before it returned, yet ${whyNot(failure.state, blocked)}.`);
  const others = failure.candidates.filter((i) => i !== failure.blocked).slice(0, 3);
  for (const i of others) lines.push(`Nor can ${describeOp(ops[i]!)} go first: ${whyNot(failure.state, ops[i]!)}.`);
  lines.push('No other order of the overlapping operations works either, so the history is not linearizable.');
  return lines.join(' ');
}

/**
 * Without appends, a read can only see the initial value or a value some operation wrote. A read of
 * anything else is decided at once, without a search (the search would have to rule out every order).
 */
function readOfUnwrittenValue(ops: readonly HistoryOp[], initial: Value): HistoryOp | undefined {
  if (ops.some((op) => op.input.op === 'append')) return undefined;
  const written = new Set<string>([canonical(initial ?? null)]);
  for (const op of ops) if (op.input.op === 'put' || op.input.op === 'cas') written.add(canonical(op.input.value ?? null));
  return ops.find((op) => op.input.op === 'get' && op.output !== null && !written.has(canonical(op.output.value ?? null)));
}

/** Checks a history. Same history and options ⇒ same verdict; a budget that runs out gives `unknown`. */
export function checkLinearizability(history: readonly HistoryOp[], options: CheckOptions): LinearizabilityResult {
  const partitions = new Map<string, HistoryOp[]>();
  for (const op of history) {
    const key = options.model === 'register' ? 'register' : (op.input.key ?? '');
    let list = partitions.get(key);
    if (!list) partitions.set(key, (list = []));
    list.push(op);
  }
  const budget = { steps: 0, max: options.stepsMax ?? STEPS_MAX_DEFAULT, shouldStop: options.shouldStop };
  const initial = options.initial ?? null;
  let unknown = false;
  let smallest: LinearizabilityFailure | undefined;
  // Smallest sub-histories first: the first failure found is then the smallest one.
  const keys = [...partitions.keys()].sort((a, b) => partitions.get(a)!.length - partitions.get(b)!.length || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const ops = partitions.get(key)!;
    const impossible = readOfUnwrittenValue(ops, initial);
    if (impossible) {
      const where = key === 'register' ? 'the register' : `key ${key}`;
      smallest = {
        key,
        operations: [...ops].sort((a, b) => a.call - b.call || a.id - b.id),
        orderedPrefix: [],
        blocked: impossible,
        explanation: `${describeOp(impossible)} saw ${describeValue(impossible.output!.value)}, but no operation on ${where} ever wrote that value and the initial value of ${where} was ${describeValue(initial)}, so no order of the operations can explain it: the history is not linearizable.`,
      };
      break;
    }
    const outcome = searchPartition(ops, initial, budget);
    if (outcome.kind === 'unknown') {
      unknown = true;
      break;
    }
    if (outcome.kind === 'fail') {
      smallest = {
        key,
        operations: [...ops].sort((a, b) => a.call - b.call || a.id - b.id),
        orderedPrefix: outcome.prefix.map((i) => ops[i]!),
        blocked: ops[outcome.blocked]!,
        explanation: explain(key, ops, outcome),
      };
      break;
    }
  }
  const verdict: Verdict = smallest ? 'not-linearizable' : unknown ? 'unknown' : 'linearizable';
  return { verdict, operations: history.length, keys: partitions.size, steps: budget.steps, ...(smallest ? { failure: smallest } : {}) };
}
