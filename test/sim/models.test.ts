// Every built-in sequential model against a naive twin: a sequential object written here from scratch
// (kv as one map, not per key), checked by brute force over every order that respects real time (open
// operations may be left out), on small fast-check histories that are linearizable by construction or have
// one output changed. Then hand-made histories per model, a user's own model, and the JSON reader's ops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as faultline from '../../index.js';
import { InputError } from '../../sim/errors.js';
import { generateObjectHistory, type ObjectModelName } from '../../sim/check/generate-history.js';
import { parseHistoryText } from '../../sim/check/history-files.js';
import { checkLinearizability } from '../../sim/check/linearizability.js';
import { Rng } from '../../sim/rng.js';
import {
  BUILT_IN_MODELS, MODEL_NAMES, modelNamed, opsForModel, type HistoryOp, type Model, type ModelName, type OpInput, type OpOutput,
} from '../../sim/check/models.js';

// ---- the naive twin -------------------------------------------------------------------------------

const eq = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** A naive sequential object: runs an input, giving the next state and the output it returns; undefined: cannot happen. */
interface Naive {
  readonly start: (initial: unknown) => unknown;
  readonly run: (state: unknown, input: OpInput) => { state: unknown; output: OpOutput } | undefined;
  /** Whether an observed output is the one the object returned. */
  readonly fits: (input: OpInput, returned: OpOutput, observed: OpOutput) => boolean;
}

const registerRun = (state: unknown, input: OpInput): { state: unknown; output: OpOutput } | undefined => {
  if (input.op === 'get') return { state, output: { value: state } };
  if (input.op === 'put') return { state: input.value, output: {} };
  if (input.op === 'append') {
    if (state === null) return { state: input.value, output: {} };
    if (typeof state === 'string' && typeof input.value === 'string') return { state: state + input.value, output: {} };
    return undefined;
  }
  if (input.op === 'cas') return eq(state, input.expected) ? { state: input.value, output: { ok: true } } : { state, output: { ok: false } };
  return undefined;
};
const registerFits = (input: OpInput, returned: OpOutput, observed: OpOutput) =>
  input.op === 'get' ? eq(returned.value, observed.value) : input.op === 'cas' ? observed.ok === undefined || observed.ok === returned.ok : true;

const NAIVE: Record<ModelName, Naive> = {
  register: { start: (i) => i ?? null, run: registerRun, fits: registerFits },
  'cas-register': { start: (i) => i ?? null, run: registerRun, fits: registerFits },
  kv: {
    start: (i) => ({ map: {} as Record<string, unknown>, initial: i ?? null }),
    run: (state, input) => {
      const { map, initial } = state as { map: Record<string, unknown>; initial: unknown };
      const key = input.key!;
      const current = key in map ? map[key] : initial;
      const done = registerRun(current, input);
      return done && { state: { map: { ...map, [key]: done.state }, initial }, output: done.output };
    },
    fits: registerFits,
  },
  mutex: {
    start: (i) => i === true,
    run: (held, input) => {
      if (input.op === 'acquire') return held ? { state: true, output: { ok: false } } : { state: true, output: { ok: true } };
      return held ? { state: false, output: {} } : undefined;
    },
    fits: (input, returned, observed) => input.op === 'release' || (observed.ok ?? true) === returned.ok,
  },
  counter: {
    start: (i) => (i as number | null) ?? 0,
    run: (count, input) => (input.op === 'add' ? { state: (count as number) + (input.value as number), output: {} } : { state: count, output: { value: count } }),
    fits: (input, returned, observed) => input.op === 'add' || returned.value === observed.value,
  },
  set: {
    start: (i) => (i as unknown[] | null) ?? [],
    run: (elements, input) => {
      const list = elements as unknown[];
      if (input.op === 'add') return { state: list.some((e) => eq(e, input.value)) ? list : [...list, input.value], output: {} };
      return { state: list, output: { value: list } };
    },
    fits: (input, returned, observed) => {
      if (input.op === 'add') return true;
      const a = returned.value as unknown[];
      const b = observed.value;
      return Array.isArray(b) && a.every((x) => b.some((y) => eq(x, y))) && b.every((y) => a.some((x) => eq(x, y)));
    },
  },
  'fifo-queue': {
    start: (i) => (i as unknown[] | null) ?? [],
    run: (items, input) => {
      const list = items as unknown[];
      if (input.op === 'enqueue') return { state: [...list, input.value], output: {} };
      return list.length === 0 ? { state: list, output: {} } : { state: list.slice(1), output: { value: list[0] } };
    },
    fits: (input, returned, observed) => input.op === 'enqueue' || eq(returned.value, observed.value),
  },
};

/** Brute force: every order that respects real time; every completed op must be placed, open ones may not be. */
function naiveLinearizable(naive: Naive, ops: readonly HistoryOp[], initial: unknown): boolean {
  const used = new Array<boolean>(ops.length).fill(false);
  const search = (state: unknown): boolean => {
    if (ops.every((op, i) => used[i] || op.return === null)) return true;
    for (let i = 0; i < ops.length; i++) {
      if (used[i]) continue;
      if (ops.some((o, j) => !used[j] && j !== i && o.return !== null && o.return < ops[i]!.call)) continue;
      const done = naive.run(state, ops[i]!.input);
      if (done === undefined) continue;
      const observed = ops[i]!.output;
      if (observed !== null && !naive.fits(ops[i]!.input, done.output, observed)) continue;
      used[i] = true;
      const ok = search(done.state);
      used[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return search(naive.start(initial));
}

// ---- generated histories --------------------------------------------------------------------------

/** Inputs drawn per model from small domains, so that values collide and orders matter. */
const INPUTS: Record<ModelName, fc.Arbitrary<OpInput>> = (() => {
  const small = fc.integer({ min: 0, max: 2 });
  const register = fc.oneof(
    fc.constant<OpInput>({ op: 'get' }),
    small.map((value): OpInput => ({ op: 'put', value })),
    fc.tuple(fc.option(small, { nil: null }), small).map(([expected, value]): OpInput => ({ op: 'cas', expected, value })),
  );
  const key = fc.constantFrom('x', 'y');
  const letter = fc.constantFrom('a', 'b');
  return {
    register,
    'cas-register': register,
    kv: fc.oneof(
      key.map((k): OpInput => ({ op: 'get', key: k })),
      fc.tuple(key, letter).map(([k, value]): OpInput => ({ op: 'put', key: k, value })),
      fc.tuple(key, letter).map(([k, value]): OpInput => ({ op: 'append', key: k, value })),
      fc.tuple(key, fc.option(letter, { nil: null }), letter).map(([k, expected, value]): OpInput => ({ op: 'cas', key: k, expected, value })),
    ),
    mutex: fc.constantFrom<OpInput>({ op: 'acquire' }, { op: 'release' }),
    counter: fc.oneof(fc.constant<OpInput>({ op: 'read' }), fc.constantFrom(-1, 1, 2).map((value): OpInput => ({ op: 'add', value }))),
    set: fc.oneof(fc.constant<OpInput>({ op: 'read' }), small.map((value): OpInput => ({ op: 'add', value }))),
    'fifo-queue': fc.oneof(fc.constant<OpInput>({ op: 'dequeue' }), small.map((value): OpInput => ({ op: 'enqueue', value }))),
  };
})();

/** A wrong output for an input (it may happen to be right: the twin decides). */
const WRONG_OUTPUT: Record<ModelName, (input: OpInput) => fc.Arbitrary<OpOutput>> = {
  register: (input) => (input.op === 'cas' ? fc.boolean().map((ok) => ({ ok })) : fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }).map((value) => ({ value }))),
  'cas-register': (input) => WRONG_OUTPUT.register(input),
  kv: (input) => (input.op === 'cas' ? fc.boolean().map((ok) => ({ ok })) : fc.constantFrom(null, 'a', 'b', 'ab', 'ba').map((value) => ({ value }))),
  mutex: () => fc.boolean().map((ok) => ({ ok })),
  counter: () => fc.integer({ min: -2, max: 4 }).map((value) => ({ value })),
  set: () => fc.subarray([0, 1, 2]).map((value) => ({ value })),
  'fifo-queue': () => fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }).map((value) => ({ value })),
};

interface Planned { client: string; call: number; ret: number; point: number; open: boolean; input: OpInput }

const planned = (name: ModelName): fc.Arbitrary<Planned> =>
  fc.record({
    client: fc.constantFrom('c1', 'c2', 'c3'),
    call: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 0, max: 10 }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    openRoll: fc.integer({ min: 0, max: 4 }),
    input: INPUTS[name],
  }).map(({ client, call, length, at, openRoll, input }) => ({ client, call, ret: call + length, point: call + at * length, open: openRoll === 0, input }));

/**
 * A history linearizable by construction: each op takes effect at its drawn point in [call, return], on the
 * naive object; an op that cannot happen there (a release of a free mutex) becomes open and never happens.
 */
function linearizableHistory(name: ModelName, plans: readonly Planned[], initial: unknown): HistoryOp[] {
  const naive = NAIVE[name];
  const outputs = new Array<OpOutput | null>(plans.length).fill(null);
  const never = new Set<number>();
  let state = naive.start(initial);
  const byPoint = plans.map((p, i) => ({ p, i })).sort((a, b) => a.p.point - b.p.point || a.i - b.i);
  for (const { p, i } of byPoint) {
    const done = naive.run(state, p.input);
    if (done === undefined) {
      never.add(i);
      continue;
    }
    state = done.state;
    outputs[i] = done.output;
  }
  return plans.map((p, i) => {
    const open = p.open || never.has(i);
    return { id: i, client: p.client, call: p.call, return: open ? null : p.ret, input: p.input, output: open ? null : outputs[i]! };
  });
}

const INITIALS: Record<ModelName, fc.Arbitrary<unknown>> = {
  register: fc.constantFrom(null, 0, 1),
  'cas-register': fc.constantFrom(null, 0, 1),
  kv: fc.constantFrom(null, '', 'a'),
  mutex: fc.constantFrom(null, false, true),
  counter: fc.constantFrom(null, 0, 3),
  set: fc.constantFrom(null, [], [1]),
  'fifo-queue': fc.constantFrom(null, [], [2, 0]),
};

/** (history, initial): up to 7 ops, linearizable by construction, or with one completed op's output replaced. */
const historyFor = (name: ModelName) =>
  fc.tuple(fc.array(planned(name), { minLength: 1, maxLength: 7 }), INITIALS[name], fc.boolean(), fc.nat())
    .chain(([plans, initial, corrupt, pick]) => {
      const history = linearizableHistory(name, plans, initial);
      const completed = history.filter((op) => op.output !== null);
      if (!corrupt || completed.length === 0) return fc.constant({ history, initial, corrupted: false });
      const victim = completed[pick % completed.length]!;
      return WRONG_OUTPUT[name](victim.input).map((output) => ({
        history: history.map((op) => (op === victim ? { ...op, output } : op)),
        initial,
        corrupted: true,
      }));
    });

describe('every built-in model against its naive twin', () => {
  for (const name of MODEL_NAMES) {
    it(`${name}: the search agrees with brute force over real-time orders (≤ 7 ops, open ops included)`, () => {
      const verdicts = { linearizable: 0, 'not-linearizable': 0 };
      fc.assert(fc.property(historyFor(name), ({ history, initial, corrupted }) => {
        const expected = naiveLinearizable(NAIVE[name], history, initial) ? 'linearizable' : 'not-linearizable';
        const result = checkLinearizability(history, { model: name, initial });
        expect(result.verdict).toBe(expected);
        if (!corrupted) expect(result.verdict).toBe('linearizable');
        if (result.failure) {
          expect(result.failure.operations).toContain(result.failure.blocked);
          expect(result.failure.explanation).toMatch(/not linearizable/);
        }
        verdicts[expected]++;
      }), { numRuns: 600 });
      // Both verdicts occur, so neither side can pass by always answering the same.
      expect(verdicts.linearizable).toBeGreaterThan(50);
      expect(verdicts['not-linearizable']).toBeGreaterThan(20);
    });
  }

  it('the object and its name give the same verdicts', () => {
    fc.assert(fc.property(fc.constantFrom(...MODEL_NAMES).chain((name) => fc.tuple(fc.constant(name), historyFor(name))), ([name, { history, initial }]) => {
      expect(checkLinearizability(history, { model: BUILT_IN_MODELS[name] as Model, initial }).verdict)
        .toBe(checkLinearizability(history, { model: name, initial }).verdict);
    }), { numRuns: 200 });
  });
});

describe('generated histories of the new models', () => {
  const names: ObjectModelName[] = ['mutex', 'counter', 'set', 'fifo-queue'];
  /** An observation nobody could make: a count, element or dequeued value no operation produced. */
  const impossible = (name: ObjectModelName, op: HistoryOp): HistoryOp | undefined => {
    if (op.output === null) return undefined;
    if (name === 'counter' && op.input.op === 'read') return { ...op, output: { value: 1_000_000 } };
    if (name === 'set' && op.input.op === 'read') return { ...op, output: { value: [...(op.output.value as unknown[]), 99] } };
    if (name === 'fifo-queue' && op.input.op === 'dequeue') return { ...op, output: { value: 99 } };
    return undefined;
  };

  // Queues are the hard case (every order of concurrent enqueues still queued is a distinct state), so
  // their histories are smaller.
  it('are linearizable (150 ops, 8 clients, 10% open; queues 40, 6, 5%); one impossible observation is not', () => {
    fc.assert(fc.property(fc.constantFrom(...names), fc.integer({ min: 0, max: 0xffff_ffff }), (name, seed) => {
      const shape = name === 'fifo-queue' ? { clients: 6, operations: 40, openRatio: 0.05 } : { clients: 8, operations: 150, openRatio: 0.1 };
      const history = generateObjectHistory({ model: name, ...shape }, Rng.fromSeed(seed));
      expect(history.length).toBeGreaterThan(name === 'mutex' ? 40 : shape.operations - 1);
      expect(checkLinearizability(history, { model: name, stepsMax: 2_000_000 }).verdict).toBe('linearizable');
      const victims = history.filter((op) => impossible(name, op) !== undefined);
      if (victims.length === 0) return;
      const victim = victims[seed % victims.length]!;
      const bad = history.map((op) => (op === victim ? impossible(name, op)! : op));
      const result = checkLinearizability(bad, { model: name, stepsMax: 2_000_000 });
      expect(result.verdict).toBe('not-linearizable');
    }), { numRuns: 60 });
  });

  it('a mutex history has failed try-locks and no release of a free mutex', () => {
    const history = generateObjectHistory({ model: 'mutex', clients: 4, operations: 200 }, Rng.fromSeed(7));
    expect(history.some((op) => op.input.op === 'acquire' && op.output?.ok === false)).toBe(true);
    expect(history.some((op) => op.input.op === 'release')).toBe(true);
  });
});

// ---- hand-made histories --------------------------------------------------------------------------

/** One operation; `history` numbers them in order. */
function op(client: string, call: number, ret: number | null, input: OpInput, output: OpOutput | null = {}): HistoryOp {
  return { id: 0, client, call, return: ret, input, output: ret === null ? null : output };
}
function history(...ops: HistoryOp[]): HistoryOp[] {
  return ops.map((o, id) => ({ ...o, id }));
}

describe('hand-made histories', () => {
  it('mutex: two clients holding it at once is not linearizable; a hand-over is', () => {
    const both = history(op('c1', 0, 10, { op: 'acquire' }), op('c2', 20, 30, { op: 'acquire' }), op('c1', 40, 50, { op: 'release' }));
    const result = checkLinearizability(both, { model: 'mutex' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.failure!.key).toBe('mutex');
    expect(result.failure!.blocked.id).toBe(1);
    expect(result.failure!.explanation).toContain('#1 c2: acquire (called 20, returned 30) must take effect before it returned, yet the mutex was already held');
    expect(result.failure!.explanation).toContain('That leaves the mutex held.');
    const handOver = history(op('c1', 0, 10, { op: 'acquire' }), op('c2', 5, 30, { op: 'acquire' }), op('c1', 12, 20, { op: 'release' }));
    expect(checkLinearizability(handOver, { model: 'mutex' }).verdict).toBe('linearizable');
    // A crashed holder whose release is open may have released it.
    const crashed = history(op('c1', 0, 10, { op: 'acquire' }), op('c1', 12, null, { op: 'release' }), op('c2', 20, 30, { op: 'acquire' }));
    expect(checkLinearizability(crashed, { model: 'mutex' }).verdict).toBe('linearizable');
    expect(checkLinearizability(history(op('c1', 0, 10, { op: 'release' })), { model: 'mutex' }).verdict).toBe('not-linearizable');
    expect(checkLinearizability(history(op('c1', 0, 10, { op: 'release' })), { model: 'mutex', initial: true }).verdict).toBe('linearizable');
    const tryLock = history(op('c1', 0, 10, { op: 'acquire' }), op('c2', 20, 30, { op: 'acquire' }, { ok: false }));
    expect(checkLinearizability(tryLock, { model: 'mutex' }).verdict).toBe('linearizable');
    expect(checkLinearizability(history(op('c2', 0, 10, { op: 'acquire' }, { ok: false })), { model: 'mutex' }).failure!.explanation).toContain('it failed, but the mutex was free');
  });

  it('counter: a read below a completed add is not linearizable; reads during an add see either count', () => {
    const below = history(op('c1', 0, 10, { op: 'add', value: 2 }), op('c2', 20, 30, { op: 'read' }, { value: 0 }));
    const result = checkLinearizability(below, { model: 'counter' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.failure!.explanation).toContain('it saw 0 while the count was 2');
    const during = history(op('c1', 0, 30, { op: 'add', value: 2 }), op('c2', 5, 10, { op: 'read' }, { value: 0 }), op('c3', 15, 20, { op: 'read' }, { value: 2 }));
    expect(checkLinearizability(during, { model: 'counter' }).verdict).toBe('linearizable');
    const backwards = history(...during.slice(0, 1), op('c3', 5, 10, { op: 'read' }, { value: 2 }), op('c2', 15, 20, { op: 'read' }, { value: 0 }));
    expect(checkLinearizability(backwards, { model: 'counter' }).verdict).toBe('not-linearizable');
    expect(checkLinearizability(history(op('c1', 0, 1, { op: 'read' }, { value: 5 })), { model: 'counter', initial: 5 }).verdict).toBe('linearizable');
  });

  it('set: a read missing a completed add is not linearizable; order inside a read does not matter', () => {
    const missing = history(op('c1', 0, 10, { op: 'add', value: 'a' }), op('c1', 11, 20, { op: 'add', value: 'b' }), op('c2', 30, 40, { op: 'read' }, { value: ['b'] }));
    const result = checkLinearizability(missing, { model: 'set' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.failure!.explanation).toContain('it saw {"b"} while the set was {"a", "b"}');
    const any = history(...missing.slice(0, 2), op('c2', 30, 40, { op: 'read' }, { value: ['b', 'a'] }));
    expect(checkLinearizability(any, { model: 'set' }).verdict).toBe('linearizable');
  });

  it('fifo-queue: dequeuing out of order is not linearizable; an empty dequeue returns nothing', () => {
    const outOfOrder = history(
      op('c1', 0, 10, { op: 'enqueue', value: 1 }), op('c1', 11, 20, { op: 'enqueue', value: 2 }),
      op('c2', 30, 40, { op: 'dequeue' }, { value: 2 }), op('c2', 41, 50, { op: 'dequeue' }, { value: 1 }),
    );
    const result = checkLinearizability(outOfOrder, { model: 'fifo-queue' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.failure!.explanation).toContain('it got 2, but the front was 1');
    const inOrder = history(...outOfOrder.slice(0, 2), op('c2', 30, 40, { op: 'dequeue' }, { value: 1 }), op('c2', 41, 50, { op: 'dequeue' }, { value: 2 }), op('c2', 51, 60, { op: 'dequeue' }, {}));
    expect(checkLinearizability(inOrder, { model: 'fifo-queue' }).verdict).toBe('linearizable');
    const emptyTooSoon = history(op('c1', 0, 10, { op: 'enqueue', value: 1 }), op('c2', 20, 30, { op: 'dequeue' }, { value: null }));
    expect(checkLinearizability(emptyTooSoon, { model: 'fifo-queue' }).failure!.explanation).toContain('it got nothing, but the front was 1');
    // Concurrent enqueues may be dequeued in either order.
    const concurrent = history(op('c1', 0, 10, { op: 'enqueue', value: 1 }), op('c3', 0, 10, { op: 'enqueue', value: 2 }), op('c2', 30, 40, { op: 'dequeue' }, { value: 2 }));
    expect(checkLinearizability(concurrent, { model: 'fifo-queue' }).verdict).toBe('linearizable');
  });

  it('cas-register: a cas that succeeded on a value no longer there is not linearizable', () => {
    const stale = history(op('c1', 0, 10, { op: 'put', value: 1 }), op('c1', 11, 20, { op: 'put', value: 2 }), op('c2', 30, 40, { op: 'cas', expected: 1, value: 3 }, { ok: true }));
    const result = checkLinearizability(stale, { model: 'cas-register' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.failure!.key).toBe('cas-register');
    expect(result.failure!.explanation).toContain('it reported success, but the value was 2, not the expected 1');
    expect(checkLinearizability(history(stale[0]!, { ...stale[2]!, call: 5 }), { model: 'cas-register' }).verdict).toBe('linearizable');
  });

  it('kv: keys are checked apart, and the failing key is named', () => {
    const h = history(
      op('c1', 0, 10, { op: 'put', key: 'x', value: 'a' }), op('c2', 20, 30, { op: 'get', key: 'y' }, { value: 'a' }),
      op('c2', 40, 50, { op: 'get', key: 'x' }, { value: 'a' }),
    );
    const result = checkLinearizability(h, { model: 'kv' });
    expect(result).toMatchObject({ verdict: 'not-linearizable', keys: 2 });
    expect(result.failure!.key).toBe('y');
  });
});

// ---- a user's own model ---------------------------------------------------------------------------

describe('a model of your own through the public API', () => {
  /** A register that only grows: `raise` to at least n, `peek` the maximum. */
  interface MaxInput { readonly kind: 'raise' | 'peek'; readonly n?: number }
  const maxRegister: faultline.Model<number, MaxInput, { readonly seen: number }> = {
    name: 'max-register',
    description: 'a register holding the largest number raised so far',
    operations: { raise: 'raise', peek: 'peek' },
    init: (initial) => (typeof initial === 'number' ? initial : 0),
    step: (max, input, output) => (input.kind === 'raise' ? Math.max(max, input.n!) : output === null || output.seen === max ? max : undefined),
    stateKey: (max) => max,
    describeState: (max) => `the maximum ${max}`,
    describeOp: (input, output) => (input.kind === 'raise' ? `raise ${input.n}` : `peek → ${output?.seen ?? '?'}`),
    whyNot: (max, _input, output) => `it saw ${output?.seen} while the maximum was ${max}`,
  };
  const h = (seen: number): faultline.HistoryOp<MaxInput, { readonly seen: number }>[] => [
    { id: 0, client: 'a', call: 0, return: 10, input: { kind: 'raise', n: 5 }, output: { seen: 0 } },
    { id: 1, client: 'b', call: 11, return: 20, input: { kind: 'raise', n: 3 }, output: { seen: 0 } },
    { id: 2, client: 'a', call: 21, return: 30, input: { kind: 'peek' }, output: { seen } },
  ];

  it('checks with the same search, and explains in its words', () => {
    expect(faultline.checkLinearizability(h(5), { model: maxRegister }).verdict).toBe('linearizable');
    const result = faultline.checkLinearizability(h(3), { model: maxRegister });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.failure!.key).toBe('max-register');
    expect(result.failure!.explanation).toContain('#2 a: peek → 3 (called 21, returned 30) must take effect before it returned, yet it saw 3 while the maximum was 5');
    expect(result.failure!.explanation).toContain('That leaves the maximum 5.');
  });

  it('the public API names every built-in', () => {
    for (const name of MODEL_NAMES) expect(faultline.modelNamed(name).name).toBe(name);
    expect(() => faultline.modelNamed('graph')).toThrow(InputError);
    expect(() => faultline.modelNamed('graph')).toThrow(/model "graph": not a built-in model \(one of register, cas-register, kv, mutex, counter, set, fifo-queue\)/);
  });
});

// ---- reading the new models' histories ------------------------------------------------------------

describe('JSON histories of every model', () => {
  const doc = (model: string, operations: unknown[], extra: object = {}) => JSON.stringify({ model, ...extra, operations });
  const one = (input: object, output: object | null = {}) => ({ client: 'c1', call: 0, return: output === null ? null : 1, input, output });

  it('reads each model\'s op names and aliases', () => {
    const cases: [ModelName, object, string][] = [
      ['mutex', { op: 'lock' }, 'acquire'], ['mutex', { op: 'release' }, 'release'],
      ['counter', { op: 'add', value: -2 }, 'add'], ['counter', { op: 'get' }, 'read'],
      ['set', { op: 'read-all' }, 'read'], ['set', { op: 'add', value: [1] }, 'add'],
      ['fifo-queue', { op: 'enqueue', value: 'x' }, 'enqueue'], ['fifo-queue', { op: 'dequeue' }, 'dequeue'],
      ['cas-register', { op: 'read' }, 'get'], ['cas-register', { op: 'cas', expected: null, value: 1 }, 'cas'],
    ];
    for (const [model, input, canonicalName] of cases) {
      const parsed = parseHistoryText(doc(model, [one(input)]), 'h.json');
      expect(parsed.model).toBe(model);
      expect(parsed.operations[0]!.input.op).toBe(canonicalName);
    }
  });

  const bad: [string, string, RegExp][] = [
    ['an op of another model', doc('mutex', [one({ op: 'get' })]), /^h.json: operation #1: input.op must be one of acquire, release \(or lock, unlock\) \(mutex\); got "get"$/],
    ['append on a cas-register', doc('cas-register', [one({ op: 'append', value: 1 })]), /input.op must be one of get, put, cas \(or read, write\) \(cas-register\); got "append"/],
    ['a counter add of a string', doc('counter', [one({ op: 'add', value: '1' })]), /^h.json: operation #1: add needs a number in input.value$/],
    ['an enqueue without a value', doc('fifo-queue', [one({ op: 'enqueue' })]), /enqueue needs input.value/],
    ['a counter starting at a string', doc('counter', [], { initial: 'zero' }), /^h.json: "initial" "zero": for counter, the initial value is a number$/],
    ['a set starting at a number', doc('set', [], { initial: 3 }), /for set, the initial value is a list of elements/],
    ['an unknown model', doc('graph', []), /"model" must be "kv" or "register" or another built-in model \("cas-register", "mutex", "counter", "set", "fifo-queue"\), or pass --model; got "graph"/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} in one line`, () => {
      expect(() => parseHistoryText(text, 'h.json')).toThrow(InputError);
      expect(() => parseHistoryText(text, 'h.json')).toThrow(message);
    });
  }

  it('maps another reader\'s op names onto the model\'s, and refuses ops the model does not have', () => {
    const ops: HistoryOp[] = [{ id: 0, client: 'c', call: 0, return: 1, input: { op: 'get' }, output: { value: 0 } }];
    expect(opsForModel(modelNamed('counter'), ops, 'h.edn')[0]!.input.op).toBe('read');
    expect(opsForModel(modelNamed('register'), ops, 'h.edn')[0]).toBe(ops[0]);
    expect(() => opsForModel(modelNamed('fifo-queue'), ops, 'h.edn')).toThrow(/^h.edn: operation #1 \(get\) is not a fifo-queue operation; fifo-queue has enqueue, dequeue$/);
  });
});
