// Generates client histories for testing and benchmarking the linearizability checker. Clients issue
// overlapping operations against one true sequential object (a register or kv store, or a mutex, counter,
// set or FIFO queue); each takes effect at a drawn instant inside its [call, return] interval, so the
// history is linearizable by construction. Some outcomes are left unknown (open). Corrupting one observed
// value afterwards usually breaks linearizability.

import { canonical } from './models.js';
import type { Rng } from '../rng.js';
import type { HistoryOp } from './linearizability.js';

/** The operations this generator draws (register and kv histories). */
export type GeneratedOpName = 'get' | 'put' | 'append' | 'cas';

export interface GenerateOptions {
  readonly model: 'register' | 'kv';
  readonly clients: number;
  readonly operations: number;
  /** kv only: how many keys (k0 … kN-1). */
  readonly keys?: number;
  /** Fraction of operations whose outcome stays unknown. */
  readonly openRatio?: number;
  /** Longest operation, in micros (shorter ones overlap less). */
  readonly durationMicrosMax?: number;
  /** Longest pause between one client's operations (default: durationMicrosMax). */
  readonly gapMicrosMax?: number;
  /** Relative weights of get, put, append, cas. */
  readonly mix?: Readonly<Record<GeneratedOpName, number>>;
  /** The register's, or every key's, value before any operation (default null). */
  readonly initial?: unknown;
  /**
   * Long-tailed durations, as real clusters show: each operation lasts a Pareto draw of this scale and
   * tail index, capped at durationMicrosMax (absent: uniform in 1 … durationMicrosMax).
   */
  readonly durationTail?: { readonly scaleMicros: number; readonly shape: number };
  /** The chance that an open operation took effect at all (absent: 1, every open operation did). */
  readonly openEffectRatio?: number;
  /** Register values are drawn from 0 … valuesMax (default 4); kv values from valuesMax + 1 letters. */
  readonly valuesMax?: number;
}

/**
 * Shapes of realistic difficulty for benchmarks and tests, after the histories Porcupine is measured on:
 * `kv-porcupine` (50 clients, 10 keys, heavily overlapping appends, puts and gets, about 1,700 operations, none open),
 * `kv-open` (the same with 10% of operations open, half of them never taking effect: the hardest here),
 * `etcd-register` (one Jepsen etcd cas-register history: few clients, many cas, many timeouts left open).
 */
export function realisticShape(shape: 'kv-porcupine' | 'kv-open' | 'etcd-register', operations: number): GenerateOptions {
  if (shape === 'kv-porcupine' || shape === 'kv-open') {
    return {
      model: 'kv', clients: 50, operations, keys: 10, openRatio: shape === 'kv-open' ? 0.1 : 0, openEffectRatio: 0.5,
      durationMicrosMax: 400_000, gapMicrosMax: 2_000, durationTail: { scaleMicros: 5_000, shape: 1.3 },
      mix: { get: 4, put: 3, append: 3, cas: 0 },
    };
  }
  return {
    model: 'register', clients: 5, operations, openRatio: 0.15, openEffectRatio: 0.5,
    durationMicrosMax: 1_000_000, gapMicrosMax: 20_000, durationTail: { scaleMicros: 10_000, shape: 1.2 },
    mix: { get: 2, put: 1, append: 0, cas: 2 },
  };
}

/** A linearizable history. */
export function generateHistory(options: GenerateOptions, rng: Rng): HistoryOp[] {
  const mix = options.mix ?? (options.model === 'kv' ? { get: 4, put: 3, append: 2, cas: 1 } : { get: 4, put: 4, append: 0, cas: 2 });
  const names = (Object.keys(mix) as GeneratedOpName[]).filter((n) => mix[n] > 0);
  const total = names.reduce((sum, n) => sum + mix[n], 0);
  const durationMax = options.durationMicrosMax ?? 10_000;
  const gapMax = options.gapMicrosMax ?? durationMax;
  const clientFree = new Array<number>(options.clients).fill(0);
  type Planned = { op: HistoryOp['input']; client: number; call: number; ret: number; point: number; open: boolean; lost: boolean };
  const planned: Planned[] = [];
  for (let i = 0; i < options.operations; i++) {
    const client = rng.int(0, options.clients - 1);
    const call = clientFree[client]! + rng.int(0, gapMax);
    const tail = options.durationTail;
    const ret = call + (tail ? Math.min(durationMax, Math.max(1, rng.paretoMicros(tail.scaleMicros, tail.shape))) : rng.int(1, durationMax));
    clientFree[client] = ret + 1;
    let roll = rng.int(0, total - 1);
    let name = names[0]!;
    for (const n of names) {
      if (roll < mix[n]) {
        name = n;
        break;
      }
      roll -= mix[n];
    }
    const key = options.model === 'kv' ? `k${rng.int(0, (options.keys ?? 1) - 1)}` : undefined;
    // kv values are short strings (append concatenates them); register values small integers.
    const valuesMax = options.valuesMax ?? 4;
    const draw = (): string | number => (options.model === 'kv' ? String.fromCharCode(97 + rng.int(0, valuesMax)) : rng.int(0, valuesMax));
    const value = draw();
    const input: HistoryOp['input'] =
      name === 'get' ? { op: name, ...(key ? { key } : {}) }
      : name === 'cas' ? { op: name, ...(key ? { key } : {}), expected: rng.chance(0.2) ? null : draw(), value }
      : { op: name, ...(key ? { key } : {}), value };
    const open = rng.chance(options.openRatio ?? 0);
    // A timed-out operation may have been lost before it took effect; a lost one never takes effect.
    const lost = open && options.openEffectRatio !== undefined && !rng.chance(options.openEffectRatio);
    planned.push({ op: input, client, call, ret, point: rng.int(call, ret), open, lost });
  }
  // Apply in the order of the instants at which the operations take effect.
  const state = new Map<string, unknown>();
  const byPoint = planned.map((p, i) => ({ p, i })).sort((a, b) => a.p.point - b.p.point || a.i - b.i);
  const outputs = new Array<HistoryOp['output']>(planned.length);
  for (const { p, i } of byPoint) {
    if (p.lost) continue;
    const key = p.op.key ?? 'register';
    const current = state.has(key) ? state.get(key) : (options.initial ?? null);
    switch (p.op.op) {
      case 'get':
        outputs[i] = { value: current };
        break;
      case 'put':
        state.set(key, p.op.value);
        outputs[i] = {};
        break;
      case 'append': {
        const next = current === null ? p.op.value : String(current) + String(p.op.value);
        state.set(key, next);
        outputs[i] = {};
        break;
      }
      case 'cas': {
        const ok = JSON.stringify(current) === JSON.stringify(p.op.expected ?? null);
        if (ok) state.set(key, p.op.value);
        outputs[i] = { ok };
        break;
      }
    }
  }
  return planned.map((p, i) => ({
    id: i,
    client: `c${p.client}`,
    call: p.call,
    return: p.open ? null : p.ret,
    input: p.op,
    output: p.open ? null : outputs[i]!,
  }));
}

/**
 * One wrong observation of a realistic kind, for the corrupted variant of a shape: a stale read when
 * there is one to make, else a read of a value nobody wrote.
 */
export function corruptRealistically(history: readonly HistoryOp[], rng: Rng): HistoryOp[] | undefined {
  return makeOneReadStale(history, rng) ?? corruptOneRead(history, rng);
}

/** Changes one completed read's observed value, which usually makes the history non-linearizable. */
export function corruptOneRead(history: readonly HistoryOp[], rng: Rng): HistoryOp[] | undefined {
  const reads = history.filter((op) => op.input.op === 'get' && op.output !== null);
  if (reads.length === 0) return undefined;
  const victim = rng.pick(reads);
  return history.map((op) => (op === victim ? { ...op, output: { value: 1_000 + rng.int(0, 9) } } : op));
}

/**
 * Makes one completed read return a value written earlier in the history instead of the value it saw:
 * the realistic bug (a stale read), and the hard case for a checker, which must rule out every order.
 */
export function makeOneReadStale(history: readonly HistoryOp[], rng: Rng): HistoryOp[] | undefined {
  const candidates = history.filter((op) => {
    if (op.input.op !== 'get' || op.output === null) return false;
    return history.some((w) => w.input.op === 'put' && w.input.key === op.input.key && w.return !== null && w.return < op.call && JSON.stringify(w.input.value) !== JSON.stringify(op.output!.value));
  });
  if (candidates.length === 0) return undefined;
  const victim = rng.pick(candidates);
  const writes = history.filter((w) => w.input.op === 'put' && w.input.key === victim.input.key && w.return !== null && w.return < victim.call && JSON.stringify(w.input.value) !== JSON.stringify(victim.output!.value));
  const stale = rng.pick(writes).input.value;
  return history.map((op) => (op === victim ? { ...op, output: { value: stale } } : op));
}

// ---- mutex, counter, set, FIFO queue ----------------------------------------------------------------

export type ObjectModelName = 'mutex' | 'counter' | 'set' | 'fifo-queue';

export interface GenerateObjectOptions {
  readonly model: ObjectModelName;
  readonly clients: number;
  readonly operations: number;
  /** Fraction of operations whose outcome stays unknown. */
  readonly openRatio?: number;
  /** Longest operation, in micros. */
  readonly durationMicrosMax?: number;
  /** Longest pause between one client's operations (default: durationMicrosMax). */
  readonly gapMicrosMax?: number;
  /**
   * Fraction of reads (counter, set) or dequeues (queue), or of acquires (mutex); default 0.5, and 0.6 for a
   * queue, which keeps it short: a long queue of concurrent enqueues makes the search exponential.
   */
  readonly readRatio?: number;
  /** Values are drawn from 0 … valuesMax (set elements, queued values, counter increments 1 … valuesMax). */
  readonly valuesMax?: number;
}

/**
 * A linearizable history of a mutex (a blocking acquire that meets a held mutex is reported as a failed
 * try-lock, ok false; a release of a free mutex did not happen and is left out), a counter, a set or a FIFO queue.
 */
export function generateObjectHistory(options: GenerateObjectOptions, rng: Rng): HistoryOp[] {
  const durationMax = options.durationMicrosMax ?? 10_000;
  const gapMax = options.gapMicrosMax ?? durationMax;
  const readRatio = options.readRatio ?? (options.model === 'fifo-queue' ? 0.6 : 0.5);
  const valuesMax = options.valuesMax ?? 4;
  const clientFree = new Array<number>(options.clients).fill(0);
  type Planned = { input: HistoryOp['input']; client: number; call: number; ret: number; point: number; open: boolean };
  const planned: Planned[] = [];
  const reading = options.model === 'fifo-queue' ? 'dequeue' : options.model === 'mutex' ? 'acquire' : 'read';
  const writing = options.model === 'fifo-queue' ? 'enqueue' : options.model === 'mutex' ? 'release' : 'add';
  for (let i = 0; i < options.operations; i++) {
    const client = rng.int(0, options.clients - 1);
    const call = clientFree[client]! + rng.int(0, gapMax);
    const ret = call + rng.int(1, durationMax);
    clientFree[client] = ret + 1;
    const read = rng.chance(readRatio);
    const value = options.model === 'counter' ? rng.int(1, Math.max(1, valuesMax)) : rng.int(0, valuesMax);
    const input: HistoryOp['input'] = read || options.model === 'mutex' ? { op: read ? reading : writing } : { op: writing, value };
    planned.push({ input, client, call, ret, point: rng.int(call, ret), open: rng.chance(options.openRatio ?? 0) });
  }
  let held = false;
  let count = 0;
  const elements = new Map<string, unknown>();
  const queue: unknown[] = [];
  const outputs = new Array<HistoryOp['output'] | undefined>(planned.length);
  const byPoint = planned.map((p, i) => ({ p, i })).sort((a, b) => a.p.point - b.p.point || a.i - b.i);
  for (const { p, i } of byPoint) {
    const { op, value } = p.input;
    if (op === 'acquire') {
      outputs[i] = { ok: !held };
      held = true;
    } else if (op === 'release') {
      if (held) outputs[i] = {};
      held = false;
    } else if (op === 'add' && options.model === 'counter') {
      count += value as number;
      outputs[i] = {};
    } else if (op === 'add') {
      elements.set(canonical(value), value);
      outputs[i] = {};
    } else if (op === 'read') {
      outputs[i] = { value: options.model === 'counter' ? count : rng.shuffle([...elements.values()]) };
    } else if (op === 'enqueue') {
      queue.push(value);
      outputs[i] = {};
    } else {
      outputs[i] = queue.length === 0 ? {} : { value: queue.shift() };
    }
  }
  const out: HistoryOp[] = [];
  planned.forEach((p, i) => {
    const output = outputs[i];
    if (output === undefined) return; // it could not happen (a release of a free mutex)
    out.push({ id: out.length, client: `c${p.client}`, call: p.call, return: p.open ? null : p.ret, input: p.input, output: p.open ? null : output });
  });
  return out;
}
