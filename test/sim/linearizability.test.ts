// The linearizability checker against a naive twin (every permutation that respects real time), on
// generated-linearizable histories, on hand-made bad histories, and under a budget.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corruptOneRead, generateHistory } from '../../sim/check/generate-history.js';
import { checkLinearizability, type HistoryOp } from '../../sim/check/linearizability.js';
import { Rng } from '../../sim/rng.js';

/** The naive twin: try every order; an op may follow another only if it did not return first. */
function naiveLinearizable(ops: readonly HistoryOp[], initial: unknown = null): boolean {
  const n = ops.length;
  const used = new Array<boolean>(n).fill(false);
  const apply = (state: unknown, op: HistoryOp): { state: unknown } | undefined => {
    const eq = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    switch (op.input.op) {
      case 'get': return op.output === null || eq(op.output.value, state) ? { state } : undefined;
      case 'put': return { state: op.input.value };
      case 'append': return { state: state === null ? op.input.value : String(state) + String(op.input.value) };
      case 'cas': {
        const ok = eq(state, op.input.expected);
        if (op.output !== null && op.output.ok !== undefined && op.output.ok !== ok) return undefined;
        return { state: ok ? op.input.value : state };
      }
    }
  };
  const search = (state: unknown, done: number): boolean => {
    if (done === n) return true;
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      // i may go next only if no unused op returned strictly before i was called.
      if (ops.some((o, j) => !used[j] && j !== i && o.return !== null && o.return < ops[i]!.call)) continue;
      const next = apply(state, ops[i]!);
      if (!next) continue;
      used[i] = true;
      const ok = search(next.state, done + 1);
      used[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return search(initial, 0);
}

const smallOp = (id: number): fc.Arbitrary<HistoryOp> =>
  fc.record({
    client: fc.constantFrom('c1', 'c2', 'c3'),
    call: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 0, max: 10 }),
    open: fc.boolean(),
    kind: fc.constantFrom('get', 'put', 'cas'),
    a: fc.integer({ min: 0, max: 2 }),
    b: fc.integer({ min: 0, max: 2 }),
    ok: fc.boolean(),
  }).map(({ client, call, length, open, kind, a, b, ok }): HistoryOp => {
    const ret = open && kind !== 'get' ? null : call + length;
    if (kind === 'get') return { id, client, call, return: call + length, input: { op: 'get' }, output: { value: a === 0 ? null : a } };
    if (kind === 'put') return { id, client, call, return: ret, input: { op: 'put', value: a }, output: ret === null ? null : {} };
    return { id, client, call, return: ret, input: { op: 'cas', expected: a === 0 ? null : a, value: b }, output: ret === null ? null : { ok } };
  });

const smallHistory = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => smallOp(i))));

describe('checkLinearizability', () => {
  it('agrees with the naive twin on small random register histories', () => {
    fc.assert(fc.property(smallHistory, (ops) => {
      const verdict = checkLinearizability(ops, { model: 'register' }).verdict;
      expect(verdict).toBe(naiveLinearizable(ops) ? 'linearizable' : 'not-linearizable');
    }), { numRuns: 2_000 });
  });

  it('agrees with the naive twin when the register starts with another value', () => {
    fc.assert(fc.property(smallHistory, fc.constantFrom(null, 0, 1, 2, ''), (ops, initial) => {
      const verdict = checkLinearizability(ops, { model: 'register', initial }).verdict;
      expect(verdict).toBe(naiveLinearizable(ops, initial) ? 'linearizable' : 'not-linearizable');
    }), { numRuns: 1_000 });
  });

  it('accepts a history generated from a store with a random initial value when told that value', () => {
    // kv appends concatenate strings, so a kv store starts with a string (or nothing); a register with anything.
    const initialFor = (model: 'register' | 'kv') =>
      model === 'kv' ? fc.oneof(fc.constant(''), fc.constant(null), fc.string({ maxLength: 3 }))
      : fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constantFrom('', null, 'a'), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }));
    const arbitrary = fc.constantFrom('register' as const, 'kv' as const).chain((model) => fc.tuple(fc.constant(model), initialFor(model), fc.integer({ min: 0, max: 0xffff_ffff })));
    fc.assert(fc.property(arbitrary, ([model, initial, seed]) => {
      const history = generateHistory({ model, clients: 6, operations: 120, keys: 4, openRatio: 0.1, initial }, Rng.fromSeed(seed));
      expect(checkLinearizability(history, { model, initial }).verdict).toBe('linearizable');
    }), { numRuns: 100 });
  });

  it('accepts every history generated from a real sequential store', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom('register' as const, 'kv' as const), (seed, model) => {
      const history = generateHistory({ model, clients: 6, operations: 120, keys: 4, openRatio: 0.1 }, Rng.fromSeed(seed));
      expect(checkLinearizability(history, { model }).verdict).toBe('linearizable');
    }), { numRuns: 100 });
  });

  it('usually rejects a generated history with one corrupted read, and names the failing key', () => {
    let rejected = 0;
    for (let seed = 0; seed < 40; seed++) {
      const history = generateHistory({ model: 'kv', clients: 5, operations: 200, keys: 5 }, Rng.fromSeed(seed));
      const bad = corruptOneRead(history, Rng.fromSeed(seed).fork('corrupt'))!;
      const result = checkLinearizability(bad, { model: 'kv' });
      // A corrupted read returns a value nobody wrote: never linearizable.
      expect(result.verdict).toBe('not-linearizable');
      expect(result.failure!.operations.every((op) => op.input.key === result.failure!.key)).toBe(true);
      rejected++;
    }
    expect(rejected).toBe(40);
  });

  it('explains a stale read in words', () => {
    const history: HistoryOp[] = [
      { id: 0, client: 'c1', call: 0, return: 10, input: { op: 'put', key: 'x', value: 1 }, output: {} },
      { id: 1, client: 'c1', call: 20, return: 30, input: { op: 'put', key: 'x', value: 2 }, output: {} },
      { id: 2, client: 'c2', call: 40, return: 50, input: { op: 'get', key: 'x' }, output: { value: 1 } },
      { id: 3, client: 'c3', call: 0, return: 100, input: { op: 'put', key: 'y', value: 9 }, output: {} },
    ];
    const result = checkLinearizability(history, { model: 'kv' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.keys).toBe(2);
    expect(result.failure!.key).toBe('x');
    expect(result.failure!.operations).toHaveLength(3);
    expect(result.failure!.blocked.id).toBe(2);
    expect(result.failure!.explanation).toContain('#2 c2: get x → 1');
    expect(result.failure!.explanation).toContain('it saw 1 while the value was 2');
  });

  it('does not give a reason against an operation the model would accept (an open read at the blocked point)', () => {
    const history: HistoryOp[] = [
      { id: 1, client: 'c1', call: 0, return: 10, input: { op: 'put', key: 'x', value: 1 }, output: {} },
      { id: 2, client: 'c2', call: 12, return: null, input: { op: 'get', key: 'x' }, output: null },
      { id: 3, client: 'c3', call: 15, return: 20, input: { op: 'put', key: 'x', value: 2 }, output: {} },
      { id: 4, client: 'c4', call: 25, return: 30, input: { op: 'get', key: 'x' }, output: { value: 1 } },
    ];
    const { failure } = checkLinearizability(history, { model: 'kv' });
    expect(failure!.blocked.id).toBe(4);
    // The open read can take effect in the value 2: "Nor can … go first: it saw nothing" would be false.
    expect(failure!.explanation).not.toContain('Nor can #2');
    expect(failure!.explanation).toContain('#2 c2: get x → ? (called 12, outcome unknown) could take effect there instead');
  });

  it('lets an open write take effect late, or never', () => {
    const late: HistoryOp[] = [
      { id: 0, client: 'c1', call: 0, return: null, input: { op: 'put', value: 5 }, output: null },
      { id: 1, client: 'c2', call: 10, return: 20, input: { op: 'get' }, output: { value: null } },
      { id: 2, client: 'c2', call: 30, return: 40, input: { op: 'get' }, output: { value: 5 } },
    ];
    expect(checkLinearizability(late, { model: 'register' }).verdict).toBe('linearizable');
    const never: HistoryOp[] = [late[0]!, { ...late[1]!, output: { value: null } }];
    expect(checkLinearizability(never, { model: 'register' }).verdict).toBe('linearizable');
    const flipFlop: HistoryOp[] = [...late, { id: 3, client: 'c2', call: 50, return: 60, input: { op: 'get' }, output: { value: null } }];
    expect(checkLinearizability(flipFlop, { model: 'register' }).verdict).toBe('not-linearizable');
  });

  it('checks cas and append semantics', () => {
    const ok: HistoryOp[] = [
      { id: 0, client: 'a', call: 0, return: 1, input: { op: 'append', key: 'k', value: 'x' }, output: {} },
      { id: 1, client: 'a', call: 2, return: 3, input: { op: 'append', key: 'k', value: 'y' }, output: {} },
      { id: 2, client: 'a', call: 4, return: 5, input: { op: 'cas', key: 'k', expected: 'xy', value: 'z' }, output: { ok: true } },
      { id: 3, client: 'a', call: 6, return: 7, input: { op: 'get', key: 'k' }, output: { value: 'z' } },
    ];
    expect(checkLinearizability(ok, { model: 'kv' }).verdict).toBe('linearizable');
    const badCas = ok.map((op) => (op.id === 2 ? { ...op, output: { ok: false } } : op));
    expect(checkLinearizability(badCas, { model: 'kv' }).verdict).toBe('not-linearizable');
  });

  describe('a history whose missing keys read as "" (the Porcupine and course-lab convention)', () => {
    // Key y is never written and reads as ""; a read of x overlapping the first put sees ""; z is
    // appended to from nothing while a concurrent read sees "". All fine if keys start as "".
    const lab: HistoryOp[] = [
      { id: 0, client: 'c0', call: 0, return: 5, input: { op: 'get', key: 'y' }, output: { value: '' } },
      { id: 1, client: 'c1', call: 1, return: 10, input: { op: 'put', key: 'x', value: 'a' }, output: {} },
      { id: 2, client: 'c2', call: 2, return: 8, input: { op: 'get', key: 'x' }, output: { value: '' } },
      { id: 3, client: 'c1', call: 11, return: 20, input: { op: 'append', key: 'x', value: 'b' }, output: {} },
      { id: 4, client: 'c0', call: 21, return: 30, input: { op: 'get', key: 'x' }, output: { value: 'ab' } },
      { id: 5, client: 'c3', call: 0, return: 12, input: { op: 'append', key: 'z', value: 'q' }, output: {} },
      { id: 6, client: 'c4', call: 3, return: 9, input: { op: 'get', key: 'z' }, output: { value: '' } },
      { id: 7, client: 'c4', call: 13, return: 14, input: { op: 'get', key: 'z' }, output: { value: 'q' } },
    ];

    it('is not linearizable when keys start as null (the default), and says which value it assumed', () => {
      // Under that assumption, a read of "" from a key nobody set to "" is impossible.
      const result = checkLinearizability(lab, { model: 'kv' });
      expect(result.verdict).toBe('not-linearizable');
      expect(result.failure!.key).toBe('y');
      expect(result.failure!.explanation).toContain('the initial value of key y was nothing');
    });

    it('is linearizable when every key starts as ""', () => {
      expect(checkLinearizability(lab, { model: 'kv', initial: '' })).toMatchObject({ verdict: 'linearizable', keys: 3 });
    });

    it('the search itself uses the initial value (a key with appends is not decided by the shortcut)', () => {
      const z = lab.filter((op) => op.input.key === 'z');
      expect(checkLinearizability(z, { model: 'kv' }).verdict).toBe('not-linearizable');
      expect(checkLinearizability(z, { model: 'kv', initial: '' }).verdict).toBe('linearizable');
    });

    it('still fails a read of "" after a put completed, with the initial value ""', () => {
      const stale: HistoryOp[] = [
        ...lab,
        { id: 8, client: 'c1', call: 40, return: 50, input: { op: 'put', key: 'w', value: 'v' }, output: {} },
        { id: 9, client: 'c2', call: 60, return: 70, input: { op: 'get', key: 'w' }, output: { value: '' } },
      ];
      const result = checkLinearizability(stale, { model: 'kv', initial: '' });
      expect(result.verdict).toBe('not-linearizable');
      expect(result.failure!.key).toBe('w');
      expect(result.failure!.explanation).toContain('it saw "" while the value was "v"');
    });

    it('a read of null is impossible when keys start as ""', () => {
      const sawNull = lab.map((op) => (op.id === 0 ? { ...op, output: { value: null } } : op));
      const result = checkLinearizability(sawNull, { model: 'kv', initial: '' });
      expect(result.verdict).toBe('not-linearizable');
      expect(result.failure!.explanation).toContain('the initial value of key y was ""');
    });
  });

  it('a register can start with a value', () => {
    const history: HistoryOp[] = [
      { id: 0, client: 'a', call: 0, return: 1, input: { op: 'get' }, output: { value: 0 } },
      { id: 1, client: 'a', call: 2, return: 3, input: { op: 'cas', expected: 0, value: 1 }, output: { ok: true } },
    ];
    expect(checkLinearizability(history, { model: 'register' }).verdict).toBe('not-linearizable');
    expect(checkLinearizability(history, { model: 'register', initial: 0 }).verdict).toBe('linearizable');
  });

  it('a budget that runs out gives unknown, never a wrong verdict', () => {
    const history = generateHistory({ model: 'register', clients: 8, operations: 200, durationMicrosMax: 200_000 }, Rng.fromSeed(3));
    const result = checkLinearizability(history, { model: 'register', stepsMax: 50 });
    expect(result.verdict).toBe('unknown');
    let asked = 0;
    expect(checkLinearizability(history, { model: 'register', shouldStop: () => ++asked > 0 }).verdict).toMatch(/unknown|linearizable/);
  });
});
