// Sequential models for the linearizability checker: what a single copy of an object does, one operation
// at a time. A model starts from an optional initial value, steps a state by one (input, output) pair (or
// says the output is impossible there), names states canonically for memoisation and explains itself.
// Values compare by their JSON text. The built-ins are listed in BUILT_IN_MODELS; users may write their own.
//
// Operation names in histories (faultline JSON `input.op`; aliases in brackets):
//   register      get [read], put [write]; also cas and append, which it has always accepted
//   cas-register  get [read], put [write], cas
//   kv            per key (input.key): get [read], put [write], append, cas
//   mutex         acquire [lock], release [unlock] (no owner is tracked, as in Knossos; an acquire with output.ok false is a
//                 try-lock that found the mutex held)
//   counter       add (input.value: a number, may be negative), read [get] (output.value: the count)
//   set           add (input.value), read [read-all, get] (output.value: every element, in any order)
//   fifo-queue    enqueue (input.value), dequeue (output.value: the front; absent or null: the queue was empty)

import { InputError } from '../errors.js';
import type { Micros } from '../time.js';

/** Every operation name the built-in models step on. */
export type OpName = 'get' | 'put' | 'append' | 'cas' | 'acquire' | 'release' | 'add' | 'read' | 'enqueue' | 'dequeue';

/** What an operation asked. `key` only for partitioned models such as kv; `expected` for cas. */
export interface OpInput {
  readonly op: OpName;
  readonly key?: string;
  readonly value?: unknown;
  readonly expected?: unknown;
}

/** What came back: `value` for reads and dequeues, `ok` for cas (and a try-lock acquire). */
export interface OpOutput {
  readonly value?: unknown;
  readonly ok?: boolean;
}

/** One operation: what was asked, what came back (null: outcome unknown), and when. */
export interface HistoryOp<Input = OpInput, Output = OpOutput> {
  readonly id: number;
  readonly client: string;
  readonly call: Micros;
  /** null: the outcome is unknown (timeout, crashed client); the op may have happened. */
  readonly return: Micros | null;
  readonly input: Input;
  /** null: unknown. */
  readonly output: Output | null;
}

/** A model state's name for memoisation: two states are equal exactly when their keys are identical (===). */
export type StateKey = string | number | boolean | null;

/**
 * A sequential object. `step` is the whole semantics; everything else serves memoisation, input checks and
 * explanations. Methods must be pure: the search calls them in any order, many times over.
 */
export interface Model<State = unknown, Input = OpInput, Output = OpOutput> {
  readonly name: string;
  /** One sentence for help texts and reports. */
  readonly description: string;
  /** Operation names a history may use, each mapped to the name `step` sees (aliases such as read → get). */
  readonly operations: Readonly<Record<string, string>>;
  /** The state before any operation; `initial` null or undefined means the model's own default. */
  init(initial: unknown): State;
  /** Why `initial` cannot start this model, or undefined when it can. */
  initialProblem?(initial: unknown): string | undefined;
  /** Why an operation's input cannot be checked (a missing field), or undefined when it is complete. */
  inputProblem?(input: Input): string | undefined;
  /** The state after the operation; undefined when `output` is impossible in `state`. `output` null: unknown. */
  step(state: State, input: Input, output: Output | null): State | undefined;
  /** The state's canonical key (see {@link StateKey}). */
  stateKey(state: State): StateKey;
  /** The state in words, such as `the value 3` or `the queue [1, 2] (front first)`. */
  describeState(state: State): string;
  /** The operation and what it returned, such as `cas x 1 → 2 (ok)`. */
  describeOp(input: Input, output: Output | null): string;
  /** Why the operation cannot take effect in `state`, for explanations (`step` returned undefined). */
  whyNot(state: State, input: Input, output: Output | null): string;
  /** Independent sub-histories (P-compositionality), named; absent: the whole history is one, named after the model. */
  partition?(ops: readonly HistoryOp<Input, Output>[]): Map<string, HistoryOp<Input, Output>[]>;
  /**
   * A cheap proof of non-linearizability of one sub-history, tried before the search (which would have to
   * rule out every order). `where` names the sub-history in prose (`key x`, `the register`).
   */
  refute?(ops: readonly HistoryOp<Input, Output>[], initial: State, where: string): { readonly blocked: HistoryOp<Input, Output>; readonly explanation: string } | undefined;
}

// ---- values ---------------------------------------------------------------------------------------

/** Canonical text of a value, for equality and memoisation. */
export function canonical(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

/** A value in prose: null and absent read as `nothing`. */
export function describeValue(value: unknown): string {
  return value === null || value === undefined ? 'nothing' : canonical(value);
}

/** Keys of strings that could be mistaken for a structured value's key start with this character, escaped. */
const STRUCTURED_MARK = '\u0001';

/** Primitives are their own key; structured values their JSON text, marked so no string can collide with it. */
function valueKey(value: unknown): StateKey {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.charCodeAt(0) === 1 ? `${STRUCTURED_MARK}s${value}` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return `${STRUCTURED_MARK}j${canonical(value)}`;
}

// ---- registers and kv -----------------------------------------------------------------------------

type RegisterOp = 'get' | 'put' | 'append' | 'cas';

/** Strings concatenate; anything else appends to a list. */
function appendValue(state: unknown, value: unknown): unknown {
  if (state === null || state === undefined) return typeof value === 'string' ? value : [value];
  if (typeof state === 'string' && typeof value === 'string') return state + value;
  if (Array.isArray(state)) return [...state, value];
  return undefined;
}

function registerStep(state: unknown, input: OpInput, output: OpOutput | null): unknown {
  switch (input.op as RegisterOp) {
    case 'get':
      return output === null || sameValue(output.value, state) ? state : undefined;
    case 'put':
      return input.value ?? null;
    case 'append':
      return appendValue(state, input.value);
    case 'cas': {
      const matches = sameValue(state, input.expected);
      if (output !== null && output.ok !== undefined && output.ok !== matches) return undefined;
      return matches ? (input.value ?? null) : state;
    }
  }
  return undefined;
}

function registerWhyNot(state: unknown, input: OpInput, output: OpOutput | null): string {
  if (input.op === 'get') return `it saw ${describeValue(output?.value)} while the value was ${describeValue(state)}`;
  if (input.op === 'cas') {
    return sameValue(state, input.expected)
      ? `it reported failure, but the value was ${describeValue(state)}, which equals the expected ${describeValue(input.expected)}`
      : `it reported success, but the value was ${describeValue(state)}, not the expected ${describeValue(input.expected)}`;
  }
  if (input.op === 'append') return `${describeValue(input.value)} cannot be appended to ${describeValue(state)}`;
  return 'it cannot';
}

function registerDescribeOp(input: OpInput, output: OpOutput | null): string {
  const onKey = input.key !== undefined;
  const key = onKey ? ` ${input.key}` : '';
  switch (input.op as RegisterOp) {
    case 'get':
      return `${onKey ? 'get' : 'read'}${key} → ${output === null ? '?' : describeValue(output.value)}`;
    case 'put':
      return onKey ? `put${key} = ${describeValue(input.value)}` : `write ${describeValue(input.value)}`;
    case 'append':
      return `append${key} ${describeValue(input.value)}`;
    case 'cas':
      return `cas${key} ${describeValue(input.expected)} → ${describeValue(input.value)}${output === null || output.ok === undefined ? '' : output.ok ? ' (ok)' : ' (failed)'}`;
  }
  return input.op;
}

function registerInputProblem(input: OpInput): string | undefined {
  if ((input.op === 'put' || input.op === 'append' || input.op === 'cas') && input.value === undefined) return `${input.op} needs input.value`;
  if (input.op === 'cas' && !('expected' in input)) return 'cas needs input.expected';
  return undefined;
}

/**
 * Without appends, a read can only see the initial value or a value some operation wrote. A read of
 * anything else is decided at once.
 */
function refuteUnwrittenRead(ops: readonly HistoryOp[], initial: unknown, where: string): { blocked: HistoryOp; explanation: string } | undefined {
  if (ops.some((op) => op.input.op === 'append')) return undefined;
  const written = new Set<string>([canonical(initial ?? null)]);
  for (const op of ops) if (op.input.op === 'put' || op.input.op === 'cas') written.add(canonical(op.input.value ?? null));
  const blocked = ops.find((op) => op.input.op === 'get' && op.output !== null && !written.has(canonical(op.output.value ?? null)));
  if (blocked === undefined) return undefined;
  return {
    blocked,
    explanation: `${describeOperation(registerModel, blocked)} saw ${describeValue(blocked.output!.value)}, but no operation on ${where} ever wrote that value and the initial value of ${where} was ${describeValue(initial)}, so no order of the operations can explain it: the history is not linearizable.`,
  };
}

/** A completed read of the register: a get, or a cas that succeeded (it found its expected value). */
function readValue(op: HistoryOp): string | undefined {
  if (op.output === null || op.return === null) return undefined;
  if (op.input.op === 'get') return canonical(op.output.value ?? null);
  if (op.input.op === 'cas' && op.output.ok === true) return canonical(op.input.expected ?? null);
  return undefined;
}

/** How many elements of a list sorted by `key` have key < bound (or ≤ bound when `inclusive`). */
function countBelow(list: readonly number[], key: (i: number) => number, bound: number, inclusive: boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const k = key(list[mid]!);
    if (k < bound || (inclusive && k === bound)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * A stale read, found without a search. Without appends, the value a read r sees is the one written by the
 * last write placed before it (put, or a cas that changed the register), or the initial value when there is
 * none. Let w be, of the completed writes that certainly changed the register (puts, cas that reported
 * success) and returned before r was called, the one called last: w is placed before r. Any operation W that
 * could have written r's value (put, or cas not reported failed, open ones included; r itself excluded; the
 * initial value as a write that returned before time began) and returned before w was called is placed
 * before w, so it is not the last write before r. If every such W either returned before w was called or was
 * called after r returned (so is placed after r), nothing can explain r: the history is not linearizable.
 * Reads are gets and cas that reported success (they found their expected value). Times compare strictly,
 * as in the search: operations that touch in time are concurrent. Not the models' `refute` (tried first,
 * its story replacing the search's): the checker runs it for the register models (those whose `refute` is
 * the register one) and prefers the search's story when a short search finds it.
 */
export function refuteStaleRead(ops: readonly HistoryOp[], initial: unknown, where: string): { blocked: HistoryOp; explanation: string } | undefined {
  if (ops.some((op) => op.input.op === 'append')) return undefined;
  // Writes that certainly changed the register, by return time, with the latest call among the first k.
  const sure = ops.map((_, i) => i).filter((i) => {
    const op = ops[i]!;
    return op.return !== null && op.output !== null && (op.input.op === 'put' || (op.input.op === 'cas' && op.output.ok === true));
  });
  sure.sort((a, b) => ops[a]!.return! - ops[b]!.return!);
  const latestCall: number[] = [];
  sure.forEach((i, k) => latestCall.push(k === 0 || ops[i]!.call > ops[latestCall[k - 1]!]!.call ? i : latestCall[k - 1]!));
  // Possible writers of each value, by call time, with the latest return among the first k (open: +∞).
  const writers = new Map<string, number[]>();
  ops.forEach((op, i) => {
    const writes = op.input.op === 'put' || (op.input.op === 'cas' && op.output?.ok !== false);
    if (!writes) return;
    const value = canonical(op.input.value ?? null);
    let list = writers.get(value);
    if (list === undefined) writers.set(value, (list = []));
    list.push(i);
  });
  const returned = (i: number) => ops[i]!.return ?? Number.POSITIVE_INFINITY;
  const latestReturn = new Map<string, number[]>();
  for (const [value, list] of writers) {
    list.sort((a, b) => ops[a]!.call - ops[b]!.call);
    const prefix: number[] = [];
    list.forEach((i, k) => prefix.push(k === 0 ? returned(i) : Math.max(prefix[k - 1]!, returned(i))));
    latestReturn.set(value, prefix);
  }
  const initialValue = canonical(initial ?? null);
  const inCallOrder = ops.map((_, i) => i).sort((a, b) => ops[a]!.call - ops[b]!.call || a - b);
  for (const i of inCallOrder) {
    const read = ops[i]!;
    const value = readValue(read);
    if (value === undefined) continue;
    const k = countBelow(sure, (j) => ops[j]!.return!, read.call, false) - 1;
    if (k < 0) continue;
    const overwriting = ops[latestCall[k]!]!;
    // Could some writer of the value be placed after `overwriting` and before `read`? Writers called no later
    // than the read returned are the first few by call time; one of them (not the read itself) must return no
    // earlier than `overwriting` was called.
    const list = writers.get(value) ?? [];
    const prefix = latestReturn.get(value) ?? [];
    const called = countBelow(list, (j) => ops[j]!.call, read.return!, true);
    let possible = called > 0 && prefix[called - 1]! >= overwriting.call;
    if (possible && list.includes(i)) {
      // The read is a cas writing its own expected value: look again without it.
      possible = list.some((j, n) => n < called && j !== i && returned(j) >= overwriting.call);
    }
    if (possible) continue;
    const seen = describeValue(read.input.op === 'get' ? read.output!.value : read.input.expected);
    const orInitial = value === initialValue ? ' (the initial value included)' : '';
    return {
      blocked: read,
      explanation: `${describeOperation(registerModel, read)} found ${seen}, but ${describeOperation(registerModel, overwriting)} returned before it was called, so ${where} held ${describeValue(overwriting.input.value)} by then, and no write of ${seen}${orInitial} can come between them: each returned before that write was called or was called after the read returned. No order of the operations can explain it: the history is not linearizable.`,
    };
  }
  return undefined;
}

function registerLike(name: string, description: string, operations: Readonly<Record<string, string>>): Model<unknown> {
  return {
    name,
    description,
    operations,
    init: (initial) => initial ?? null,
    inputProblem: registerInputProblem,
    step: registerStep,
    stateKey: valueKey,
    describeState: (state) => `the value ${describeValue(state)}`,
    describeOp: registerDescribeOp,
    whyNot: registerWhyNot,
    refute: refuteUnwrittenRead,
  };
}

/** A read/write register. It also takes cas and append, as faultline's register always has. */
export const registerModel: Model<unknown> = registerLike(
  'register',
  'one register: get (read) sees the last put (write); cas and append are accepted too',
  { get: 'get', put: 'put', append: 'append', cas: 'cas', read: 'get', write: 'put' },
);

/** A register with compare-and-set (Knossos's cas-register). */
export const casRegisterModel: Model<unknown> = registerLike(
  'cas-register',
  'one register with compare-and-set: get (read), put (write), cas [expected, new] that succeeds only on the expected value',
  { get: 'get', put: 'put', cas: 'cas', read: 'get', write: 'put' },
);

/** A key-value store: one independent register per key (input.key), each with get, put, append and cas. */
export const kvModel: Model<unknown> = {
  ...registerLike(
    'kv',
    'a key-value store, checked per key: get, put, append (strings concatenate, anything else makes a list), cas',
    { get: 'get', put: 'put', append: 'append', cas: 'cas', read: 'get', write: 'put' },
  ),
  initialProblem(initial) {
    if (initial !== null && typeof initial === 'object' && !Array.isArray(initial)) {
      return 'for kv, the initial value is every key\'s starting value (such as "", 0 or null); an object (per-key values) is not supported';
    }
    return undefined;
  },
  inputProblem(input) {
    if (typeof input.key !== 'string') return 'a kv operation needs input.key';
    return registerInputProblem(input);
  },
  partition(ops) {
    const parts = new Map<string, HistoryOp[]>();
    for (const op of ops) {
      const key = op.input.key ?? '';
      let list = parts.get(key);
      if (!list) parts.set(key, (list = []));
      list.push(op);
    }
    return parts;
  },
};

// ---- mutex ----------------------------------------------------------------------------------------

/** A lock: acquire when free, release when held. The state is whether it is held. */
export const mutexModel: Model<boolean> = {
  name: 'mutex',
  description: 'a lock: acquire succeeds only when it is free, release only when it is held (owners are not tracked)',
  operations: { acquire: 'acquire', release: 'release', lock: 'acquire', unlock: 'release' },
  init: (initial) => initial === true,
  initialProblem: (initial) => (initial === null || typeof initial === 'boolean' ? undefined : 'for mutex, the initial value is true (held) or false (free)'),
  step(held, input, output) {
    if (input.op === 'acquire') {
      if (output !== null && output.ok === false) return held ? held : undefined;
      return held ? undefined : true;
    }
    if (input.op === 'release') return held ? false : undefined;
    return undefined;
  },
  stateKey: (held) => held,
  describeState: (held) => (held ? 'the mutex held' : 'the mutex free'),
  describeOp: (input, output) => `${input.op}${output !== null && output.ok === false ? ' (failed)' : ''}`,
  whyNot(held, input, output) {
    if (input.op === 'acquire') return output !== null && output.ok === false ? 'it failed, but the mutex was free' : 'the mutex was already held';
    return 'the mutex was not held';
  },
};

// ---- counter --------------------------------------------------------------------------------------

/** A counter: `add` a number, `read` the count. */
export const counterModel: Model<number> = {
  name: 'counter',
  description: 'a counter: add a number (input.value, may be negative), read the count',
  operations: { add: 'add', read: 'read', get: 'read' },
  init: (initial) => (typeof initial === 'number' ? initial : 0),
  initialProblem: (initial) => (initial === null || (typeof initial === 'number' && Number.isFinite(initial)) ? undefined : 'for counter, the initial value is a number'),
  inputProblem: (input) => (input.op === 'add' && (typeof input.value !== 'number' || !Number.isFinite(input.value)) ? 'add needs a number in input.value' : undefined),
  step(count, input, output) {
    if (input.op === 'add') return count + (input.value as number);
    if (input.op === 'read') return output === null || output.value === count ? count : undefined;
    return undefined;
  },
  stateKey: (count) => count,
  describeState: (count) => `the count ${count}`,
  describeOp: (input, output) => (input.op === 'add' ? `add ${describeValue(input.value)}` : `read → ${output === null ? '?' : describeValue(output.value)}`),
  whyNot: (count, _input, output) => `it saw ${describeValue(output?.value)} while the count was ${count}`,
  refute(ops, initial, where) {
    // Every count lies between the initial count plus all negative adds and plus all positive ones.
    let low = initial;
    let high = initial;
    for (const op of ops) if (op.input.op === 'add') (op.input.value as number) < 0 ? (low += op.input.value as number) : (high += op.input.value as number);
    const blocked = ops.find((op) => op.input.op === 'read' && op.output !== null && (typeof op.output.value !== 'number' || op.output.value < low || op.output.value > high));
    if (blocked === undefined) return undefined;
    return {
      blocked,
      explanation: `${describeOperation(counterModel, blocked)} saw ${describeValue(blocked.output!.value)}, but starting from ${initial} the adds on ${where} can only reach counts from ${low} to ${high}, so no order of the operations can explain it: the history is not linearizable.`,
    };
  },
};

// ---- set ------------------------------------------------------------------------------------------

/** Elements as sorted canonical texts: two sets are equal exactly when these arrays are. */
type SetState = readonly string[];

function setText(elements: readonly string[]): string {
  return `{${elements.join(', ')}}`;
}

/** The elements a read returned, canonical and sorted, or undefined when it is not a list. */
function readElements(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return [...new Set(value.map(canonical))].sort();
}

/** A grow-only set: `add` an element, `read` them all (any order, duplicates ignored). */
export const setModel: Model<SetState> = {
  name: 'set',
  description: 'a grow-only set: add an element (input.value), read all elements (output.value, any order)',
  operations: { add: 'add', read: 'read', 'read-all': 'read', get: 'read' },
  init: (initial) => (Array.isArray(initial) ? readElements(initial)! : []),
  initialProblem: (initial) => (initial === null || Array.isArray(initial) ? undefined : 'for set, the initial value is a list of elements'),
  inputProblem: (input) => (input.op === 'add' && input.value === undefined ? 'add needs input.value' : undefined),
  step(elements, input, output) {
    if (input.op === 'add') {
      const text = canonical(input.value);
      if (elements.includes(text)) return elements;
      return [...elements, text].sort();
    }
    if (input.op !== 'read') return undefined;
    if (output === null) return elements;
    const seen = readElements(output.value);
    if (seen === undefined || seen.length !== elements.length) return undefined;
    return seen.every((text, i) => text === elements[i]) ? elements : undefined;
  },
  stateKey: (elements) => elements.join('\u0000'),
  describeState: (elements) => `the set ${setText(elements)}`,
  describeOp: (input, output) => {
    if (input.op === 'add') return `add ${describeValue(input.value)}`;
    const seen = output === null ? undefined : readElements(output.value);
    return `read → ${output === null ? '?' : seen === undefined ? describeValue(output.value) : setText(seen)}`;
  },
  whyNot(elements, _input, output) {
    const seen = readElements(output?.value);
    return `it saw ${seen === undefined ? describeValue(output?.value) : setText(seen)} while the set was ${setText(elements)}`;
  },
  refute(ops, initial, where) {
    const added = new Set(initial);
    for (const op of ops) if (op.input.op === 'add') added.add(canonical(op.input.value));
    for (const op of ops) {
      if (op.input.op !== 'read' || op.output === null) continue;
      const seen = readElements(op.output.value);
      const stranger = seen === undefined ? undefined : seen.find((text) => !added.has(text));
      if (stranger === undefined) continue;
      return {
        blocked: op,
        explanation: `${describeOperation(setModel, op)} saw ${stranger}, but no operation on ${where} ever added it and it was not there at the start, so no order of the operations can explain it: the history is not linearizable.`,
      };
    }
    return undefined;
  },
};

// ---- FIFO queue -----------------------------------------------------------------------------------

/** The queued values' canonical texts, front first. */
type QueueState = readonly string[];

function queueText(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** True when a dequeue's output says the queue was empty. */
function dequeuedNothing(output: OpOutput): boolean {
  return output.value === undefined || output.value === null;
}

/** A FIFO queue: `enqueue` a value, `dequeue` the front (nothing when empty). */
export const fifoQueueModel: Model<QueueState> = {
  name: 'fifo-queue',
  description: 'a FIFO queue: enqueue a value, dequeue the front (nothing when the queue is empty)',
  operations: { enqueue: 'enqueue', dequeue: 'dequeue' },
  init: (initial) => (Array.isArray(initial) ? initial.map(canonical) : []),
  initialProblem: (initial) => (initial === null || Array.isArray(initial) ? undefined : 'for fifo-queue, the initial value is a list, front first'),
  inputProblem: (input) => (input.op === 'enqueue' && input.value === undefined ? 'enqueue needs input.value' : undefined),
  step(items, input, output) {
    if (input.op === 'enqueue') return [...items, canonical(input.value)];
    if (input.op !== 'dequeue') return undefined;
    if (output === null) return items.length === 0 ? items : items.slice(1);
    if (dequeuedNothing(output)) return items.length === 0 ? items : undefined;
    return items.length > 0 && items[0] === canonical(output.value) ? items.slice(1) : undefined;
  },
  stateKey: (items) => queueText(items),
  describeState: (items) => `the queue ${queueText(items)} (front first)`,
  describeOp: (input, output) => (input.op === 'enqueue' ? `enqueue ${describeValue(input.value)}` : `dequeue → ${output === null ? '?' : describeValue(output.value)}`),
  whyNot(items, _input, output) {
    const front = items.length === 0 ? 'the queue was empty' : `the front was ${items[0]}`;
    return `it got ${describeValue(output?.value)}, but ${front}`;
  },
  refute(ops, initial, where) {
    const enqueued = new Set(initial);
    for (const op of ops) if (op.input.op === 'enqueue') enqueued.add(canonical(op.input.value));
    const blocked = ops.find((op) => op.input.op === 'dequeue' && op.output !== null && !dequeuedNothing(op.output) && !enqueued.has(canonical(op.output.value)));
    if (blocked === undefined) return undefined;
    return {
      blocked,
      explanation: `${describeOperation(fifoQueueModel, blocked)} got ${describeValue(blocked.output!.value)}, but no operation on ${where} ever enqueued that value and it was not there at the start, so no order of the operations can explain it: the history is not linearizable.`,
    };
  },
};

// ---- lookup ---------------------------------------------------------------------------------------

/** The built-in models, by name. */
export const BUILT_IN_MODELS = {
  register: registerModel,
  'cas-register': casRegisterModel,
  kv: kvModel,
  mutex: mutexModel,
  counter: counterModel,
  set: setModel,
  'fifo-queue': fifoQueueModel,
} as const;

export type ModelName = keyof typeof BUILT_IN_MODELS;

export const MODEL_NAMES = Object.keys(BUILT_IN_MODELS) as ModelName[];

export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && Object.hasOwn(BUILT_IN_MODELS, name);
}

/** The built-in model of that name; anything else is an InputError listing the names. */
export function modelNamed(name: string): Model {
  if (!isModelName(name)) throw new InputError(`model ${JSON.stringify(name)}: not a built-in model (one of ${MODEL_NAMES.join(', ')})`);
  return BUILT_IN_MODELS[name] as Model;
}

/** The model itself, or the built-in one a name names. */
export function resolveModel<S, I, O>(model: Model<S, I, O> | ModelName): Model<S, I, O> {
  return typeof model === 'string' ? (modelNamed(model) as unknown as Model<S, I, O>) : model;
}

/** The operation names a model accepts in words: canonical names, then aliases in brackets. */
export function describeOperationNames(model: { readonly operations: Readonly<Record<string, string>> }): string {
  const entries = Object.entries(model.operations);
  const canonicalNames = entries.filter(([name, to]) => name === to).map(([name]) => name);
  const aliases = entries.filter(([name, to]) => name !== to).map(([name]) => name);
  return `${canonicalNames.join(', ')}${aliases.length > 0 ? ` (or ${aliases.join(', ')})` : ''}`;
}

/** One line per operation: `#3 c1: get x → 1 (called 4, returned 5)`. */
export function describeOperation<S, I, O>(model: Model<S, I, O>, op: HistoryOp<I, O>): string {
  const when = `called ${formatTime(op.call)}, ${op.return === null ? 'outcome unknown' : `returned ${formatTime(op.return)}`}`;
  const client = /^\d+$/.test(op.client) ? `p${op.client}` : op.client;
  return `#${op.id} ${client}: ${model.describeOp(op.input, op.output)} (${when})`;
}

function formatTime(micros: Micros): string {
  return Number.isInteger(micros) && micros >= 1_000 ? `${micros / 1_000_000}s` : String(micros);
}

/**
 * The operations with each op name mapped to the one the model steps on (read → get for registers, get →
 * read for a counter), after checking every operation is one the model has and is complete. An operation it
 * does not know is an InputError naming it, `where` naming the history.
 */
export function opsForModel<S>(model: Model<S>, ops: readonly HistoryOp[], where: string): HistoryOp[] {
  return ops.map((op) => {
    const name = Object.hasOwn(model.operations, op.input.op) ? (model.operations[op.input.op] as OpName) : undefined;
    if (name === undefined) throw new InputError(`${where}: operation #${op.id + 1} (${op.input.op}) is not a ${model.name} operation; ${model.name} has ${describeOperationNames(model)}`);
    const input = name === op.input.op ? op.input : { ...op.input, op: name };
    const problem = model.inputProblem?.(input);
    if (problem !== undefined) throw new InputError(`${where}: operation #${op.id + 1}: ${problem}`);
    return input === op.input ? op : { ...op, input };
  });
}
