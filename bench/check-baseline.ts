// The linearizability search as it was before issue 18's speed work (commit 390cdd4), frozen: the
// benchmark's `before` column and the property test's reference. Same API as sim/check/linearizability.ts,
// which is what faultline uses; do not use this one.

import { assert } from '../sim/assert.js';
import {
  describeWhere, explain, type CheckOptions, type LinearizabilityFailure, type LinearizabilityResult, type PartitionOutcome, type Verdict,
} from '../sim/check/linearizability.js';
import { resolveModel, type HistoryOp, type Model, type OpInput, type OpOutput, type StateKey } from '../sim/check/models.js';

const STEPS_MAX_DEFAULT = 50_000_000;
const STOP_CHECK_EVERY = 4_096;

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

/** Gives each distinct model state (by its canonical key) a small integer. */
class StateIds {
  private readonly ids = new Map<StateKey, number>();

  id(key: StateKey): number {
    let id = this.ids.get(key);
    if (id === undefined) this.ids.set(key, (id = this.ids.size));
    return id;
  }
}

type Budget = { steps: number; readonly max: number; readonly shouldStop?: () => boolean };

/** Searches one partition (a key's sub-history). */
function searchPartition<S, I, O>(model: Model<S, I, O>, ops: readonly HistoryOp<I, O>[], initial: S, budget: Budget): PartitionOutcome<S> {
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
  const stack: { call: Entry; state: S }[] = [];
  let state: S = initial;
  let entry = head.next;
  let deepest: Extract<PartitionOutcome<S>, { kind: 'fail' }> | undefined;
  const startSteps = budget.steps;

  while (head.next !== null) {
    budget.steps++;
    if (budget.steps > budget.max) return { kind: 'unknown', steps: budget.steps - startSteps };
    if (budget.steps % STOP_CHECK_EVERY === 0 && budget.shouldStop?.()) return { kind: 'unknown', steps: budget.steps - startSteps };
    assert(entry !== null, 'linearizability search ran off the end of its entry list');
    if (entry.isCall) {
      const op = ops[entry.op]!;
      const next = model.step(state, op.input, op.output);
      if (next !== undefined) {
        linearized.flip(entry.op);
        // Memoisation: the same set of operations done, leading to the same state, was explored before.
        if (visited.add(linearized, stateIds.id(model.stateKey(next)))) {
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.flip(entry.op);
      }
      entry = entry.next;
      continue;
    }
    // An open operation's return sorts after every completed one's: reaching it means every completed
    // operation has been placed, and open ones may never have taken effect (a blocked acquire, a lost dequeue).
    if (ops[entry.op]!.return === null) return { kind: 'ok', steps: budget.steps - startSteps };
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

export function checkLinearizability<S = unknown, I = OpInput, O = OpOutput>(history: readonly HistoryOp<I, O>[], options: CheckOptions<S, I, O>): LinearizabilityResult<I, O> {
  const model = resolveModel(options.model);
  const partitions = model.partition ? model.partition(history) : new Map([[model.name, [...history]]]);
  const budget: Budget = { steps: 0, max: options.stepsMax ?? STEPS_MAX_DEFAULT, shouldStop: options.shouldStop };
  const initial = model.init(options.initial ?? null);
  let unknown = false;
  let smallest: LinearizabilityFailure<I, O> | undefined;
  const inCallOrder = (ops: readonly HistoryOp<I, O>[]) => [...ops].sort((a, b) => a.call - b.call || a.id - b.id);
  // Smallest sub-histories first: the first failure found is then the smallest one.
  const keys = [...partitions.keys()].sort((a, b) => partitions.get(a)!.length - partitions.get(b)!.length || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const ops = partitions.get(key)!;
    const where = describeWhere(model, key);
    const refuted = model.refute?.(ops, initial, where);
    if (refuted) {
      smallest = { key, operations: inCallOrder(ops), orderedPrefix: [], blocked: refuted.blocked, explanation: refuted.explanation };
      break;
    }
    const outcome = searchPartition(model, ops, initial, budget);
    if (outcome.kind === 'unknown') {
      unknown = true;
      break;
    }
    if (outcome.kind === 'fail') {
      smallest = {
        key,
        operations: inCallOrder(ops),
        orderedPrefix: outcome.prefix.map((i) => ops[i]!),
        blocked: ops[outcome.blocked]!,
        explanation: explain(model, where, ops, outcome),
      };
      break;
    }
  }
  const verdict: Verdict = smallest ? 'not-linearizable' : unknown ? 'unknown' : 'linearizable';
  return { verdict, operations: history.length, keys: partitions.size, steps: budget.steps, ...(smallest ? { failure: smallest } : {}) };
}
