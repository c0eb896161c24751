// A linearizability checker for histories of any sequential model (sim/check/models.ts), not tied to any
// algorithm. It searches for an order of the operations that respects real time and the model's sequential
// semantics (Wing & Gong's search with Lowe's memoisation of (linearized set, model state) pairs, run in two
// candidate orders in turns; see searchPartition), after splitting the history into the model's independent
// sub-histories (kv: per key; P-compositionality).
// Operations with an unknown outcome (open) may have taken effect at any time after their call, or never.
// A step budget ends the search with `unknown`, naming the sub-histories left undecided. The model starts from one initial value (its default unless told).

import { assert } from '../assert.js';
import {
  canonical, describeOperation, refuteStaleRead, registerModel, resolveModel, type HistoryOp, type Model, type ModelName, type OpInput, type OpOutput, type StateKey,
} from './models.js';

export type { HistoryOp, ModelName, OpInput, OpName, OpOutput } from './models.js';

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface LinearizabilityFailure<Input = OpInput, Output = OpOutput> {
  /** The sub-history that cannot be linearized: its key for a partitioned model, else the model's name (`register`). */
  readonly key: string;
  /** That sub-history, in call order. */
  readonly operations: readonly HistoryOp<Input, Output>[];
  /** The longest prefix of operations that could be ordered. */
  readonly orderedPrefix: readonly HistoryOp<Input, Output>[];
  /** The operation that had to take effect next but could not. */
  readonly blocked: HistoryOp<Input, Output>;
  /** A few sentences a student can follow. */
  readonly explanation: string;
}

export interface LinearizabilityResult<Input = OpInput, Output = OpOutput> {
  readonly verdict: Verdict;
  readonly operations: number;
  /** Sub-histories (kv: keys; 1 for an unpartitioned model). */
  readonly keys: number;
  /** The smallest failing sub-history's story, when the verdict is not-linearizable. */
  readonly failure?: LinearizabilityFailure<Input, Output>;
  /** Search steps taken, summed over keys. */
  readonly steps: number;
  /**
   * When the verdict is unknown: the sub-histories left undecided (kv: keys; else the model's name), in the
   * order they were taken up: the one the budget ran out on, then those not searched. Every other one is linearizable.
   */
  readonly unknownKeys?: readonly string[];
}

export interface CheckOptions<State = unknown, Input = OpInput, Output = OpOutput> {
  /** A built-in model's name, or a model object (your own, or one of BUILT_IN_MODELS). */
  readonly model: Model<State, Input, Output> | ModelName;
  /** Asked every few thousand steps; true ends the search with `unknown`. Wall-clock budgets go here. */
  readonly shouldStop?: () => boolean;
  /** Deterministic bound on search steps over all keys. */
  readonly stepsMax?: number;
  /**
   * The value the model starts from (for kv, every key's): null or absent means the model's default (null
   * for registers and kv, so a missing key reads as nothing; 0 for counter; empty for set and fifo-queue;
   * free for mutex). Histories whose missing keys read as the empty string need `""` here.
   */
  readonly initial?: unknown;
  /**
   * The candidate orders the search runs: both in lockstep (the default), or one alone, which is as exact
   * and only slower on some histories (for tests and benchmarks).
   */
  readonly candidateOrder?: CandidateOrder;
}

/** `open-first`: open operations tried before completed ones at each node; `open-last`: after. */
export type CandidateOrder = 'both' | 'open-first' | 'open-last';

/** Steps of the search that tells a refuted stale read's story (beyond, the refutation tells it). */
const STALE_READ_SEARCH_STEPS = 20_000;
/** The open-last search's share of the turns: one in this many. */
const OPEN_LAST_TURN_EVERY = 4;
const COVERS = 1;
const COVERED = 2;
const STEPS_MAX_DEFAULT = 50_000_000;
const STOP_CHECK_EVERY = 4_096;
/** Cells of the dense step cache per sub-history (4 bytes each): states × operations, beyond which a Map takes over. */
const STEP_CACHE_CELLS_MAX = 4_000_000;

/** One operation in words, as the register and kv models describe it (`#3 c1: get x → 1 (called 4, returned 5)`). */
export function describeOp(op: HistoryOp): string {
  return describeOperation(registerModel, op);
}

/** Where a sub-history is, in prose: `key x` for a partitioned model, else `the register`, `the mutex`. */
export function describeWhere(model: { readonly name: string; readonly partition?: unknown }, key: string): string {
  return model.partition === undefined ? `the ${model.name}` : `key ${key}`;
}

// ---- the search ---------------------------------------------------------------------------------

/** A node of the doubly linked list of completed operations' call and return entries, in time order. */
interface Entry {
  readonly op: number;
  readonly isCall: boolean;
  /** For a call, its return entry. */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * The set of linearized operations: bits, plus a 53-bit Zobrist hash of its completed operations kept up to
 * date as bits flip, so that memoisation needs no string per step. Open operations are left out of the hash:
 * the memo compares sets that differ only in open operations (see Visited).
 */
class LinearizedSet {
  readonly words: Uint32Array;
  /** The bits of completed operations (those with a return). */
  readonly completedMask: Uint32Array;
  private readonly zobristLow: Int32Array;
  private readonly zobristHigh: Int32Array;
  hashLow = 0;
  hashHigh = 0;

  constructor(size: number, isOpen: (i: number) => boolean) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
    this.completedMask = new Uint32Array(this.words.length);
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
      const low = next();
      const high = next();
      if (isOpen(i)) continue;
      this.completedMask[i >> 5]! |= 1 << (i & 31);
      this.zobristLow[i] = low;
      this.zobristHigh[i] = high;
    }
  }

  has(i: number): boolean {
    return (this.words[i >> 5]! & (1 << (i & 31))) !== 0;
  }

  flip(i: number): void {
    this.words[i >> 5]! ^= 1 << (i & 31);
    this.hashLow ^= this.zobristLow[i]!;
    this.hashHigh ^= this.zobristHigh[i]!;
  }
}

/**
 * Visited (linearized set, state id) pairs: a hash table over typed arrays (no object per pair, so no
 * garbage), keyed by the hash of the set's completed operations and the state id; the records under one key
 * are chained. A new pair is covered by a visited one with the same state, the same completed operations and
 * a subset of its open operations: an open operation need never take effect and blocks no other, so whatever
 * completes the new pair completes the visited one, which was explored (or is being explored) already.
 */
class Visited {
  private readonly width: number;
  private readonly completedMask: Uint32Array;
  /** Without open operations, covering is equality. */
  private readonly anyOpen: boolean;
  private mask: number;
  private keys = 0;
  private count = 0;
  /** Per slot: the newest record under its key + 1 (0: empty). */
  private slots: Int32Array;
  private hashes: Int32Array;
  /** Per record: the state id, the record before it under the same key + 1 (0: none), and `width` words of the set. */
  private stateIds: Int32Array;
  private chain: Int32Array;
  private words: Uint32Array;

  constructor(width: number, completedMask: Uint32Array, anyOpen: boolean) {
    this.width = width;
    this.completedMask = completedMask;
    this.anyOpen = anyOpen;
    this.slots = new Int32Array(1 << 10);
    this.hashes = new Int32Array(1 << 10);
    this.mask = (1 << 10) - 1;
    this.stateIds = new Int32Array(1 << 9);
    this.chain = new Int32Array(1 << 9);
    this.words = new Uint32Array((1 << 9) * width);
  }

  private static mix(set: LinearizedSet, stateId: number): number {
    return (set.hashLow ^ Math.imul(stateId + 1, 0x9e3779b1) ^ (set.hashHigh >>> 7)) | 0;
  }

  /**
   * COVERS when record `record` has `stateId`, the same completed operations as `set` and a subset of its open
   * ones; COVERED when it has a superset of them instead (then `set` makes it redundant); else 0.
   */
  private compare(record: number, set: LinearizedSet, stateId: number): number {
    if (this.stateIds[record] !== stateId) return 0;
    const base = record * this.width;
    if (!this.anyOpen) {
      for (let i = 0; i < this.width; i++) if (this.words[base + i] !== set.words[i]) return 0;
      return COVERS;
    }
    let covers = true;
    let covered = true;
    for (let i = 0; i < this.width; i++) {
      const seen = this.words[base + i]!;
      const now = set.words[i]!;
      if (((seen ^ now) & this.completedMask[i]!) !== 0) return 0;
      if ((seen & ~now) !== 0) covers = false;
      if ((now & ~seen) !== 0) covered = false;
      if (!covers && !covered) return 0;
    }
    return covers ? COVERS : COVERED;
  }

  /** Adds the pair; false when a visited pair covers it. Visited pairs it covers leave their chain (they would never match again). */
  add(set: LinearizedSet, stateId: number): boolean {
    const hash = Visited.mix(set, stateId);
    let slot = hash & this.mask;
    let fresh = false;
    for (;;) {
      if (this.slots[slot] === 0) {
        fresh = true;
        break;
      }
      if (this.hashes[slot] === hash) {
        // Records leaving the chain may empty it for a moment: the new record goes in below.
        let before = -1;
        for (let record = this.slots[slot]! - 1; record >= 0; record = this.chain[record]! - 1) {
          const relation = this.compare(record, set, stateId);
          if (relation === COVERS) return false;
          if (relation === COVERED) {
            if (before < 0) this.slots[slot] = this.chain[record]!;
            else this.chain[before] = this.chain[record]!;
            continue;
          }
          before = record;
        }
        break;
      }
      slot = (slot + 1) & this.mask;
    }
    const record = this.count++;
    if (record >= this.stateIds.length) {
      const stateIds = new Int32Array(this.stateIds.length * 2);
      stateIds.set(this.stateIds);
      this.stateIds = stateIds;
      const chain = new Int32Array(this.chain.length * 2);
      chain.set(this.chain);
      this.chain = chain;
      const words = new Uint32Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
    }
    this.stateIds[record] = stateId;
    this.words.set(set.words, record * this.width);
    this.chain[record] = this.slots[slot]!;
    if (fresh) this.keys++;
    this.slots[slot] = record + 1;
    this.hashes[slot] = hash;
    if (this.keys * 2 > this.slots.length) this.grow();
    return true;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const hashes = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slots[i] === 0) continue;
      let slot = this.hashes[i]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = this.slots[i]!;
      hashes[slot] = this.hashes[i]!;
    }
    this.slots = slots;
    this.hashes = hashes;
    this.mask = mask;
  }
}

/**
 * Model states by small integer id (equal stateKeys, one id), and a cache of steps by (state id, operation):
 * the search meets the same state and operation again and again, and a step may be costly (JSON comparisons).
 * The model's step is pure, so a cached step is the step.
 */
class States<S, I, O> {
  private readonly ids = new Map<StateKey, number>();
  readonly states: S[] = [];
  /** Per state id (the first STEP_ROWS_MAX): per operation, next state id + 2, 1 when impossible, 0 not yet known. */
  private readonly rows: Int32Array[] = [];
  /** Beyond those rows: (state id × operations + operation) → next state id, or -1. */
  private readonly steps = new Map<number, number>();
  private readonly rowsMax: number;

  constructor(private readonly model: Model<S, I, O>, private readonly ops: readonly HistoryOp<I, O>[]) {
    this.rowsMax = Math.floor(STEP_CACHE_CELLS_MAX / Math.max(1, ops.length));
  }

  id(state: S): number {
    const key = this.model.stateKey(state);
    let id = this.ids.get(key);
    if (id === undefined) {
      this.ids.set(key, (id = this.states.length));
      this.states.push(state);
    }
    return id;
  }

  /** The id of the state after operation `op` from state `from`, or -1 when the operation cannot take effect there. */
  step(from: number, op: number): number {
    if (from < this.rowsMax) {
      let row = this.rows[from];
      if (row === undefined) this.rows[from] = row = new Int32Array(this.ops.length);
      const cached = row[op]!;
      if (cached !== 0) return cached - 2;
      const to = this.compute(from, op);
      row[op] = to + 2;
      return to;
    }
    const cacheKey = from * this.ops.length + op;
    const cached = this.steps.get(cacheKey);
    if (cached !== undefined) return cached;
    const to = this.compute(from, op);
    this.steps.set(cacheKey, to);
    return to;
  }

  private compute(from: number, op: number): number {
    const operation = this.ops[op]!;
    const next = this.model.step(this.states[from]!, operation.input, operation.output);
    return next === undefined ? -1 : this.id(next);
  }
}

/**
 * Open operations grouped by input, each group in call order. Open operations with the same input are
 * interchangeable (null output, no return): the search takes those of a group in call order only, which cuts
 * the subsets of them it would otherwise try one by one. So the placed ones of a group are always its first
 * few, and a group offers one candidate at a time..
 */
function openGroups<I, O>(ops: readonly HistoryOp<I, O>[]): number[][] {
  const byInput = new Map<string, number[]>();
  const open = ops.map((op, i) => ({ op, i })).filter(({ op }) => op.return === null);
  open.sort((a, b) => a.op.call - b.op.call || a.i - b.i);
  for (const { op, i } of open) {
    const text = canonical(op.input);
    let group = byInput.get(text);
    if (group === undefined) byInput.set(text, (group = []));
    group.push(i);
  }
  return [...byInput.values()];
}

export type PartitionOutcome<S> =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'unknown'; readonly steps: number }
  | { readonly kind: 'fail'; readonly steps: number; readonly prefix: number[]; readonly state: S; readonly blocked: number; readonly candidates: number[] };

type Budget = { steps: number; readonly max: number; readonly shouldStop?: () => boolean };

type Failure<S> = Extract<PartitionOutcome<S>, { kind: 'fail' }>;

/**
 * Searches one partition (a key's sub-history) by running two exact searches that differ only in the order in
 * which they try candidates, in turns of STOP_CHECK_EVERY steps, and taking the verdict of whichever ends
 * first. Trying open operations first (eagerly, the classic order) finds quickly where an open operation had
 * to take effect early (an append that later reads show); trying completed operations first (open ones as
 * late as possible) finds quickly where an open write had to take effect late (just before a read of an old
 * value). Neither order is better on every history. The eager one gets three turns in four: where it is the
 * quick one, the pair costs at most 4/3 of it in steps; where only the other is, at most 4 times that one.
 */
function searchPartition<S, I, O>(model: Model<S, I, O>, ops: readonly HistoryOp<I, O>[], initial: S, budget: Budget, candidateOrder: CandidateOrder = 'both'): PartitionOutcome<S> {
  const states = new States(model, ops);
  const startSteps = budget.steps;
  // Without open operations the two orders are the same search: one is enough.
  const orders = !ops.some((op) => op.return === null) ? [false] : candidateOrder === 'both' ? [false, true] : [candidateOrder === 'open-last'];
  const searches = orders.map((openLast) => search(ops, states, states.id(initial), budget, openLast));
  for (let turn = 0; ; turn++) {
    const next = searches[searches.length === 1 || turn % OPEN_LAST_TURN_EVERY !== 0 ? 0 : 1]!.next();
    if (!next.done) continue;
    const outcome = next.value;
    const steps = budget.steps - startSteps;
    if (outcome.kind !== 'fail') return { kind: outcome.kind, steps };
    return { ...outcome, state: states.states[outcome.stateId]!, steps };
  }
}

type SearchEnd = { readonly kind: 'ok' | 'unknown' } | (Omit<Failure<never>, 'state' | 'steps'> & { readonly stateId: number });

/** An open operation in the list of candidates-to-be: the earliest-called unplaced one of each group, in call order. */
interface OpenNode {
  readonly op: number;
  readonly call: number;
  prev: OpenNode | null;
  next: OpenNode | null;
}

/**
 * One exact search (Wing & Gong with Lowe's memo), yielding every STOP_CHECK_EVERY steps. The entry list
 * holds completed operations only; open ones wait in a list of their own, one per group (openGroups) at a
 * time, and are candidates once called no later than the first return still in the entry list. Each node
 * tries candidates in two passes: with `openLast`, completed ones and then open ones; otherwise open ones
 * first. The order changes how fast a verdict comes, never the verdict: every candidate is tried either way.
 */
function* search<S, I, O>(ops: readonly HistoryOp<I, O>[], states: States<S, I, O>, initialId: number, budget: Budget, openLast: boolean): Generator<void, SearchEnd> {
  const head: Entry = { op: -1, isCall: false, match: null, prev: null, next: null };
  /** Per completed operation, its call entry. */
  const callEntries: Entry[] = [];
  {
    const entries: Entry[] = [];
    const times: number[] = [];
    ops.forEach((op, index) => {
      if (op.return === null) return;
      const call: Entry = { op: index, isCall: true, match: null, prev: null, next: null };
      const ret: Entry = { op: index, isCall: false, match: null, prev: null, next: null };
      call.match = ret;
      callEntries[index] = call;
      entries.push(call, ret);
      times.push(op.call, op.return);
    });
    const order = entries.map((_, i) => i);
    // Time order; on a tie, calls first (operations that touch in time count as concurrent).
    order.sort((a, b) => times[a]! - times[b]! || Number(!entries[a]!.isCall) - Number(!entries[b]!.isCall) || entries[a]!.op - entries[b]!.op);
    let last = head;
    for (const i of order) {
      const entry = entries[i]!;
      entry.prev = last;
      last.next = entry;
      last = entry;
    }
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
  /** The first return entry in the list (every entry before it is a candidate's call), or null when none is left. */
  const findFirstReturn = (): Entry | null => {
    let e = head.next;
    while (e !== null && e.isCall) e = e.next;
    return e;
  };

  // The open list: each group's first member, in call order; placing one puts the next of its group in its place.
  const openHead: OpenNode = { op: -1, call: Number.NEGATIVE_INFINITY, prev: null, next: null };
  const openNodes: OpenNode[] = [];
  const nextInGroup = new Int32Array(ops.length).fill(-1);
  const byCall = (a: number, b: number) => ops[a]!.call - ops[b]!.call || a - b;
  const groups = openGroups(ops);
  for (const members of groups) {
    members.forEach((op, i) => {
      openNodes[op] = { op, call: ops[op]!.call, prev: null, next: null };
      if (i + 1 < members.length) nextInGroup[op] = members[i + 1]!;
    });
  }
  {
    let last = openHead;
    for (const op of groups.map((members) => members[0]!).sort(byCall)) {
      const node = openNodes[op]!;
      node.prev = last;
      last.next = node;
      last = node;
    }
  }
  const unlink = (node: OpenNode) => {
    node.prev!.next = node.next;
    if (node.next) node.next.prev = node.prev;
  };
  const relink = (node: OpenNode) => {
    node.prev!.next = node;
    if (node.next) node.next.prev = node;
  };
  /** Takes an open operation's node out of the list and puts the next of its group in, in call order; returns that one. */
  const placeOpen = (node: OpenNode): OpenNode | null => {
    unlink(node);
    const op = nextInGroup[node.op]!;
    if (op < 0) return null;
    const successor = openNodes[op]!;
    let after = node.prev!;
    while (after.next !== null && byCall(after.next.op, op) < 0) after = after.next;
    successor.prev = after;
    successor.next = after.next;
    relink(successor);
    return successor;
  };
  const openFlags = new Uint8Array(ops.length);
  ops.forEach((op, i) => {
    if (op.return === null) openFlags[i] = 1;
  });
  const isOpen = (i: number) => openFlags[i] === 1;
  const linearized = new LinearizedSet(ops.length, isOpen);
  const visited = new Visited(linearized.words.length, linearized.completedMask, openFlags.includes(1));
  // The placed operations, a stack of frames in typed arrays: the operation, the state before it, an open
  // one's successor in the open list (-1: none), and the node's first return (its operation) and pass.
  let depth = 0;
  const frameOp = new Int32Array(ops.length);
  const frameState = new Int32Array(ops.length);
  const frameSuccessor = new Int32Array(ops.length);
  const frameFirstReturn = new Int32Array(ops.length);
  const framePass = new Uint8Array(ops.length);
  let stateId = initialId;
  let firstReturn = findFirstReturn();
  if (firstReturn === null) return { kind: 'ok' };
  let returnTime = ops[firstReturn.op]!.return!;
  // The node's candidate pass (0, then 1), and where it is in each: a call entry, an open node.
  let pass = 0;
  let entry = head.next!;
  let openAt = openHead.next;
  let deepest: (SearchEnd & { kind: 'fail' }) | undefined;
  // Dominance: when the last operation placed is an open o, a candidate p that would reach the same state
  // from the state before o is tried from there instead (by o's parent, which tries every candidate). Sound
  // because o is open: it blocks no other operation and need never take effect, so a completion after
  // "o, p" is one after "p" alone, from a smaller linearized set. (Why the pruning rules together lose
  // nothing: if a linearization existed and the search missed it, take, among the nodes it pushed that can
  // still be completed, one with the shortest completion and then the fewest operations placed. Its
  // completion's first operation, taken as the earliest-called of its open twins, is pruned by no rule
  // without there being a pushed node lower in that order that can be completed: a contradiction.)
  const dominated = (index: number, next: number): boolean => {
    if (depth === 0 || !isOpen(frameOp[depth - 1]!)) return false;
    return states.step(frameState[depth - 1]!, index) === next;
  };
  for (;;) {
    const openPass = (pass === 0) !== openLast;
    let index = -1;
    if (openPass) {
      // Called no later than the first return: a call and a return at the same time count as concurrent.
      if (openAt !== null && openAt.call <= returnTime) index = openAt.op;
    } else if (entry !== firstReturn) {
      index = entry.op;
    }
    if (index < 0) {
      if (pass === 0) {
        pass = 1;
        entry = head.next!;
        openAt = openHead.next;
        continue;
      }
      // Every candidate tried, and the operation of the first return had to take effect before then. Backtrack.
      if (deepest === undefined || depth > deepest.prefix.length) {
        const candidates: number[] = [];
        for (let e = head.next!; e !== firstReturn; e = e.next!) candidates.push(e.op);
        for (let o = openHead.next; o !== null && o.call <= returnTime; o = o.next) candidates.push(o.op);
        deepest = { kind: 'fail', prefix: [...frameOp.subarray(0, depth)], stateId, blocked: firstReturn.op, candidates };
      }
      if (depth === 0) return deepest;
      depth--;
      const op = frameOp[depth]!;
      stateId = frameState[depth]!;
      linearized.flip(op);
      firstReturn = callEntries[frameFirstReturn[depth]!]!.match!;
      returnTime = ops[firstReturn.op]!.return!;
      pass = framePass[depth]!;
      if (isOpen(op)) {
        const successor = frameSuccessor[depth]!;
        if (successor >= 0) unlink(openNodes[successor]!);
        relink(openNodes[op]!);
        openAt = openNodes[op]!.next;
      } else {
        unlift(callEntries[op]!);
        entry = callEntries[op]!.next!;
      }
      continue;
    }
    budget.steps++;
    if (budget.steps > budget.max) return { kind: 'unknown' };
    if (budget.steps % STOP_CHECK_EVERY === 0) {
      if (budget.shouldStop?.()) return { kind: 'unknown' };
      yield;
    }
    const next = states.step(stateId, index);
    // An open operation that leaves the state as it is changes nothing by taking effect: leaving it out loses no order.
    if (next >= 0 && !(openPass && next === stateId) && !dominated(index, next)) {
      linearized.flip(index);
      // Memoisation: the same set of operations done (or, see Visited, one with fewer open ones), leading
      // to the same state, was explored before.
      if (visited.add(linearized, next)) {
        frameOp[depth] = index;
        frameState[depth] = stateId;
        frameSuccessor[depth] = openPass ? (placeOpen(openAt!)?.op ?? -1) : -1;
        frameFirstReturn[depth] = firstReturn.op;
        framePass[depth] = pass;
        depth++;
        stateId = next;
        if (!openPass) {
          lift(entry);
          if (entry.match === firstReturn) {
            firstReturn = findFirstReturn();
            // Every completed operation is placed; open ones may never have taken effect (a blocked acquire, a lost dequeue).
            if (firstReturn === null) return { kind: 'ok' };
            returnTime = ops[firstReturn.op]!.return!;
          }
        }
        pass = 0;
        entry = head.next!;
        openAt = openHead.next;
        continue;
      }
      linearized.flip(index);
    }
    if (openPass) openAt = openAt!.next;
    else entry = entry.next!;
  }
}

/** A failure's story in words (also used by bench/check-baseline.ts, the search as it was). */
export function explain<S, I, O>(model: Model<S, I, O>, where: string, ops: readonly HistoryOp<I, O>[], failure: Extract<PartitionOutcome<S>, { kind: 'fail' }>): string {
  const blocked = ops[failure.blocked]!;
  const lines: string[] = [];
  if (failure.prefix.length === 0) {
    lines.push(`No operation on ${where} can come first.`);
  } else {
    const shown = failure.prefix.slice(-3).map((i) => describeOperation(model, ops[i]!));
    const more = failure.prefix.length > 3 ? `${failure.prefix.length - 3} earlier operations, then ` : '';
    lines.push(`On ${where}, at most ${failure.prefix.length} operations can be put in an order that respects real time: ${more}${shown.join('; ')}.`);
    lines.push(`That leaves ${model.describeState(failure.state)}.`);
  }
  const why = (op: HistoryOp<I, O>) => model.whyNot(failure.state, op.input, op.output);
  lines.push(`Next, ${describeOperation(model, blocked)} must take effect before it returned, yet ${why(blocked)}.`);
  // The other candidates: those the model refuses in this state get their reason; those it accepts (an open
  // operation, or one whose every continuation fails further on) are named as leading nowhere longer.
  const others = failure.candidates.filter((i) => i !== failure.blocked);
  const refused = others.filter((i) => model.step(failure.state, ops[i]!.input, ops[i]!.output) === undefined);
  for (const i of refused.slice(0, 3)) lines.push(`Nor can ${describeOperation(model, ops[i]!)} go first: ${why(ops[i]!)}.`);
  const accepted = others.filter((i) => !refused.includes(i));
  if (accepted.length > 0) {
    const named = accepted.slice(0, 2).map((i) => describeOperation(model, ops[i]!)).join('; ');
    const more = accepted.length > 2 ? ` and ${accepted.length - 2} more` : '';
    lines.push(`${named}${more} could take effect there instead, but no order that starts so reaches further.`);
  }
  lines.push('No other order of the overlapping operations works either, so the history is not linearizable.');
  return lines.join(' ');
}

/**
 * Checks a history against a model (a built-in's name or a model object). Same history and options ⇒ same
 * verdict; a budget that runs out gives `unknown`.
 */
export function checkLinearizability<S = unknown, I = OpInput, O = OpOutput>(history: readonly HistoryOp<I, O>[], options: CheckOptions<S, I, O>): LinearizabilityResult<I, O> {
  const model = resolveModel(options.model);
  const partitions = model.partition ? model.partition(history) : new Map([[model.name, [...history]]]);
  const budget: Budget = { steps: 0, max: options.stepsMax ?? STEPS_MAX_DEFAULT, shouldStop: options.shouldStop };
  const initial = model.init(options.initial ?? null);
  const unknownKeys: string[] = [];
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
    // A register's stale read (models.ts refuteStaleRead) decides the verdict without a search; a short
    // search still tells the story when it can, with the longest order it found.
    const stale = model.refute === registerModel.refute ? refuteStaleRead(ops as readonly HistoryOp[], initial, where) : undefined;
    if (stale !== undefined) {
      const remaining = unknownKeys.length > 0 ? 0 : Math.min(budget.max - budget.steps, STALE_READ_SEARCH_STEPS);
      const short: Budget = { steps: 0, max: remaining, shouldStop: budget.shouldStop };
      const outcome = remaining > 0 ? searchPartition(model, ops, initial, short, options.candidateOrder) : undefined;
      budget.steps += short.steps;
      assert(outcome?.kind !== 'ok', `the search linearized ${where}, which refuteStaleRead refuted`);
      smallest = outcome?.kind === 'fail'
        ? { key, operations: inCallOrder(ops), orderedPrefix: outcome.prefix.map((i) => ops[i]!), blocked: ops[outcome.blocked]!, explanation: explain(model, where, ops, outcome) }
        : { key, operations: inCallOrder(ops), orderedPrefix: [], blocked: stale.blocked as HistoryOp<I, O>, explanation: stale.explanation };
      break;
    }
    // Once the budget is spent, the remaining sub-histories get only the cheap refutations above.
    if (unknownKeys.length > 0) {
      unknownKeys.push(key);
      continue;
    }
    const outcome = searchPartition(model, ops, initial, budget, options.candidateOrder);
    if (outcome.kind === 'unknown') {
      unknownKeys.push(key);
      continue;
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
  const unknown = unknownKeys.length > 0;
  const verdict: Verdict = smallest ? 'not-linearizable' : unknown ? 'unknown' : 'linearizable';
  return {
    verdict, operations: history.length, keys: partitions.size, steps: budget.steps,
    ...(smallest ? { failure: smallest } : {}), ...(verdict === 'unknown' ? { unknownKeys } : {}),
  };
}
