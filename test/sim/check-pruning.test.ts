// The search's newer prunings (dominance after an open operation, a memo that covers supersets of open
// operations, open operations in group-head order, two candidate orders in lockstep) and the register models'
// stale-read refutation, each held to an answer computed another way: a naive register twin written here
// (brute force over every real-time order, open operations optional) on small fast-check histories, and the
// frozen search of bench/check-baseline.ts on generated ones with many open operations, corrupted or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability as checkBaseline } from '../../bench/check-baseline.js';
import { corruptRealistically, generateHistory, makeOneReadStale, realisticShape } from '../../sim/check/generate-history.js';
import { checkLinearizability, type CandidateOrder } from '../../sim/check/linearizability.js';
import { refuteStaleRead, type HistoryOp, type OpInput, type OpOutput } from '../../sim/check/models.js';
import { Rng } from '../../sim/rng.js';

const ORDERS: readonly CandidateOrder[] = ['both', 'open-first', 'open-last'];

// ---- the naive twin: one register per key, every real-time order -----------------------------------

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The register's next value and what it returns, or undefined when the observed output cannot come back. */
function naiveStep(value: unknown, input: OpInput, observed: OpOutput | null): { value: unknown } | undefined {
  if (input.op === 'get') return observed === null || same(observed.value, value) ? { value } : undefined;
  if (input.op === 'put') return { value: input.value };
  const ok = same(value, input.expected);
  if (observed !== null && observed.ok !== undefined && observed.ok !== ok) return undefined;
  return { value: ok ? input.value : value };
}

/** Brute force: every completed operation placed, open ones placed or not, each only after all that returned before its call. */
function naiveLinearizable(ops: readonly HistoryOp[], initial: unknown): boolean {
  const used = new Array<boolean>(ops.length).fill(false);
  const search = (values: ReadonlyMap<string, unknown>): boolean => {
    if (ops.every((op, i) => used[i] || op.return === null)) return true;
    for (let i = 0; i < ops.length; i++) {
      if (used[i]) continue;
      const op = ops[i]!;
      if (ops.some((other, j) => !used[j] && other.return !== null && other.return < op.call)) continue;
      const key = op.input.key ?? '';
      const done = naiveStep(values.has(key) ? values.get(key) : initial, op.input, op.output);
      if (done === undefined) continue;
      used[i] = true;
      const found = search(new Map(values).set(key, done.value));
      used[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search(new Map());
}

// ---- small histories --------------------------------------------------------------------------------

const value = fc.constantFrom(0, 1, 2);
/** With one key, operations carry none (a register). */
const inputs = (keys: readonly string[]) => {
  const key = keys.length === 1 ? fc.constant(undefined) : fc.constantFrom(...keys);
  const at = (k: string | undefined) => (k === undefined ? {} : { key: k });
  return fc.oneof(
    key.map((k): OpInput => ({ op: 'get', ...at(k) })),
    fc.tuple(key, value).map(([k, v]): OpInput => ({ op: 'put', ...at(k), value: v })),
    fc.tuple(key, fc.option(value, { nil: null }), value).map(([k, e, v]): OpInput => ({ op: 'cas', ...at(k), expected: e, value: v })),
  );
};

interface Plan { call: number; length: number; at: number; open: boolean; lost: boolean; input: OpInput }

const plan = (keys: readonly string[]) => fc.record({
  call: fc.integer({ min: 0, max: 20 }),
  length: fc.integer({ min: 0, max: 12 }),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  open: fc.integer({ min: 0, max: 2 }).map((n) => n === 0),
  lost: fc.boolean(),
  input: inputs(keys),
});

/** Linearizable by construction: each operation takes effect at its drawn point; a lost open one never does. */
function build(plans: readonly Plan[], initial: unknown): HistoryOp[] {
  const values = new Map<string, unknown>();
  const outputs: (OpOutput | null)[] = plans.map(() => null);
  const order = plans.map((p, i) => ({ point: p.call + p.at * p.length, i })).sort((a, b) => a.point - b.point || a.i - b.i);
  for (const { i } of order) {
    const p = plans[i]!;
    if (p.open && p.lost) continue;
    const key = p.input.key ?? '';
    const current = values.has(key) ? values.get(key) : initial;
    if (p.input.op === 'get') outputs[i] = { value: current };
    else if (p.input.op === 'put') {
      values.set(key, p.input.value);
      outputs[i] = {};
    } else {
      const ok = same(current, p.input.expected);
      if (ok) values.set(key, p.input.value);
      outputs[i] = { ok };
    }
  }
  return plans.map((p, i) => ({
    id: i, client: `c${i}`, call: p.call, return: p.open ? null : p.call + p.length, input: p.input, output: p.open ? null : outputs[i]!,
  }));
}

/** (history, initial, model): linearizable by construction, or with one completed output replaced by a stale or wrong one. */
const small = fc.tuple(fc.constantFrom<'register' | 'cas-register' | 'kv'>('register', 'cas-register', 'kv'), fc.constantFrom(null, 0, 1), fc.boolean(), fc.nat(), value)
  .chain(([model, initial, corrupt, pick, wrong]) => {
    const keys = model === 'kv' ? ['x', 'y'] : ['r'];
    return fc.array(plan(keys), { minLength: 1, maxLength: 7 }).map((plans) => {
      const clean = build(plans, initial);
      const completed = clean.filter((op) => op.output !== null);
      if (!corrupt || completed.length === 0) return { model, initial, history: clean };
      const victim = completed[pick % completed.length]!;
      const output: OpOutput = victim.input.op === 'cas' ? { ok: !victim.output!.ok } : victim.input.op === 'get' ? { value: wrong } : {};
      return { model, initial, history: clean.map((op) => (op === victim ? { ...op, output } : op)) };
    });
  });

describe('each candidate order, with every pruning, against the naive twin', () => {
  for (const order of ORDERS) {
    it(`${order}: the same verdict as brute force over real-time orders (≤ 7 operations, a third open)`, () => {
      const seen = { linearizable: 0, 'not-linearizable': 0 };
      fc.assert(fc.property(small, ({ model, initial, history }) => {
        const expected = naiveLinearizable(history, initial) ? 'linearizable' : 'not-linearizable';
        const result = checkLinearizability(history, { model, initial, candidateOrder: order });
        expect(result.verdict).toBe(expected);
        seen[expected]++;
      }), { numRuns: 1_500 });
      expect(seen.linearizable).toBeGreaterThan(300);
      expect(seen['not-linearizable']).toBeGreaterThan(150);
    });
  }

  it('on histories made mostly of open operations (where dominance, the covering memo and group heads act)', () => {
    const mostlyOpen = fc.tuple(fc.constantFrom(null, 0), fc.array(plan(['r']).map((p) => ({ ...p, open: p.input.op !== 'get' || p.lost, lost: p.at < 0.3 })), { minLength: 2, maxLength: 8 }), fc.nat(), value)
      .map(([initial, plans, pick, wrong]) => {
        const history = build(plans, initial);
        const reads = history.filter((op) => op.output !== null && op.input.op === 'get');
        if (reads.length === 0 || pick % 2 === 0) return { initial, history };
        const victim = reads[pick % reads.length]!;
        return { initial, history: history.map((op) => (op === victim ? { ...op, output: { value: wrong } } : op)) };
      });
    let notLinearizable = 0;
    fc.assert(fc.property(mostlyOpen, ({ initial, history }) => {
      const expected = naiveLinearizable(history, initial);
      for (const order of ORDERS) expect(checkLinearizability(history, { model: 'register', initial, candidateOrder: order }).verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
      if (!expected) notLinearizable++;
    }), { numRuns: 1_000 });
    expect(notLinearizable).toBeGreaterThan(50);
  });
});

describe('the stale-read refutation', () => {
  it('only refutes what brute force finds not linearizable, and refutes often enough to matter', () => {
    let refuted = 0;
    fc.assert(fc.property(small, ({ model, initial, history }) => {
      const parts = model === 'kv' ? ['x', 'y'].map((k) => history.filter((op) => op.input.key === k)) : [history];
      for (const ops of parts) {
        if (refuteStaleRead(ops, initial, 'the register') === undefined) continue;
        refuted++;
        expect(naiveLinearizable(ops, initial)).toBe(false);
      }
    }), { numRuns: 3_000 });
    expect(refuted).toBeGreaterThan(40);
  });

  it('on generated register and kv histories with many open operations and one stale read: refuted only when the frozen search says not linearizable', () => {
    let refuted = 0;
    let decided = 0;
    fc.assert(fc.property(fc.constantFrom<'register' | 'kv'>('register', 'kv'), fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 0.6, noNaN: true }), (model, seed, openRatio) => {
      const rng = Rng.fromSeed(seed);
      const history = generateHistory({ ...realisticShape(model === 'kv' ? 'kv-open' : 'etcd-register', 40), clients: 5, keys: 2, openRatio, durationMicrosMax: 200, gapMicrosMax: 20, durationTail: { scaleMicros: 5, shape: 1.2 }, mix: { get: 3, put: 2, append: 0, cas: 2 } }, rng);
      const stale = makeOneReadStale(history, rng) ?? history;
      const parts = model === 'kv' ? [...new Set(stale.map((op) => op.input.key))].map((k) => stale.filter((op) => op.input.key === k)) : [stale];
      for (const ops of parts) {
        const refutation = refuteStaleRead(ops, null, 'the register');
        const before = checkBaseline(ops, { model, stepsMax: 2_000_000 });
        if (before.verdict === 'unknown') continue;
        decided++;
        if (refutation === undefined) continue;
        refuted++;
        expect(before.verdict).toBe('not-linearizable');
        expect(checkLinearizability(ops, { model }).verdict).toBe('not-linearizable');
      }
    }), { numRuns: 200 });
    expect(decided).toBeGreaterThan(150);
    expect(refuted).toBeGreaterThan(20);
  });

  it('decides a stale read when the search budget is too small to; a short search still tells the story of a small one', () => {
    const history: HistoryOp[] = [
      { id: 0, client: 'c1', call: 0, return: 10, input: { op: 'put', value: 1 }, output: {} },
      { id: 1, client: 'c1', call: 20, return: 30, input: { op: 'put', value: 2 }, output: {} },
      { id: 2, client: 'c2', call: 40, return: 50, input: { op: 'get' }, output: { value: 1 } },
      { id: 3, client: 'c3', call: 0, return: null, input: { op: 'put', value: 1 }, output: null },
    ];
    // The open write of 1 may come after the write of 2: linearizable.
    expect(checkLinearizability(history, { model: 'register' }).verdict).toBe('linearizable');
    const called = history.map((op) => (op.id === 3 ? { ...op, call: 51 } : op));
    // Called after the read returned, it cannot help: a stale read, with the search's story.
    const small = checkLinearizability(called, { model: 'register' });
    expect(small.verdict).toBe('not-linearizable');
    expect(small.failure!.explanation).toContain('it saw 1 while the value was 2');
    const starved = checkLinearizability(called, { model: 'register', stepsMax: 1 });
    expect(starved.verdict).toBe('not-linearizable');
    expect(starved.failure!.blocked.id).toBe(2);
    expect(starved.failure!.orderedPrefix).toEqual([]);
    expect(starved.failure!.explanation).toContain('#1 c1: write 2 (called 20, returned 30) returned before it was called');
  });

  it('a long etcd-like history with one stale read: the refutation tells the story once the short search gives up', () => {
    const rng = Rng.fromSeed(1_023);
    const history = corruptRealistically(generateHistory(realisticShape('etcd-register', rng.int(100, 1_000)), rng), rng)!;
    expect(refuteStaleRead(history, null, 'the register')).toBeDefined();
    const result = checkLinearizability(history, { model: 'register' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.steps).toBeLessThanOrEqual(20_001);
    expect(result.failure!.orderedPrefix).toEqual([]);
    // (The frozen search runs out of its 50,000,000 steps on this one: its soundness is the properties' above.)
  });
});

describe('generated histories with many open operations, corrupted or not, against the frozen search', () => {
  it('every candidate order agrees with the frozen search wherever both decide', () => {
    let decided = 0;
    fc.assert(fc.property(fc.constantFrom<'register' | 'kv'>('register', 'kv'), fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0.1, max: 0.7, noNaN: true }), fc.boolean(), (model, seed, openRatio, corrupt) => {
      const rng = Rng.fromSeed(seed);
      const base = generateHistory({ ...realisticShape(model === 'kv' ? 'kv-open' : 'etcd-register', 50), clients: 6, keys: 2, openRatio, durationMicrosMax: 300, gapMicrosMax: 30, durationTail: { scaleMicros: 5, shape: 1.2 } }, rng);
      const history = corrupt ? (corruptRealistically(base, rng) ?? base) : base;
      const before = checkBaseline(history, { model, stepsMax: 1_000_000 });
      if (before.verdict === 'unknown') return;
      decided++;
      for (const order of ORDERS) {
        const now = checkLinearizability(history, { model, stepsMax: 1_000_000, candidateOrder: order });
        if (now.verdict !== 'unknown') expect(now.verdict).toBe(before.verdict);
      }
      if (!corrupt) expect(before.verdict).toBe('linearizable');
    }), { numRuns: 150 });
    expect(decided).toBeGreaterThan(120);
  });

  it('the etcd-like benchmark set (102 histories, every sixth corrupted) is decided in full within 10,000,000 steps each', () => {
    const verdicts = { linearizable: 0, 'not-linearizable': 0, unknown: 0 };
    for (let i = 0; i < 102; i++) {
      const rng = Rng.fromSeed(1_000 + i);
      const history = generateHistory(realisticShape('etcd-register', rng.int(100, 1_000)), rng);
      const checked = i % 6 === 5 ? (corruptRealistically(history, rng) ?? history) : history;
      verdicts[checkLinearizability(checked, { model: 'register', stepsMax: 10_000_000 }).verdict]++;
    }
    expect(verdicts.unknown).toBe(0);
    expect(verdicts['not-linearizable']).toBeGreaterThan(0);
  });
});
