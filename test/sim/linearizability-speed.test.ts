// The faster linearizability search (typed-array memo, cached steps, open no-ops skipped, identical open
// operations taken in call order) against the search as it was (bench/check-baseline.ts) on generated
// histories full of open operations and long tails; `unknown` per key; the realistic generated shapes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability as checkBaseline } from '../../bench/check-baseline.js';
import { corruptRealistically, generateHistory, realisticShape, type GenerateOptions } from '../../sim/check/generate-history.js';
import { checkLinearizability, type HistoryOp } from '../../sim/check/linearizability.js';
import { Rng } from '../../sim/rng.js';

const STEPS_MAX = 200_000;

const options = fc.record({
  model: fc.constantFrom<'register' | 'kv'>('register', 'kv'),
  clients: fc.integer({ min: 2, max: 12 }),
  operations: fc.integer({ min: 2, max: 60 }),
  keys: fc.integer({ min: 1, max: 3 }),
  openRatio: fc.double({ min: 0, max: 0.5, noNaN: true }),
  openEffectRatio: fc.double({ min: 0, max: 1, noNaN: true }),
  durationMicrosMax: fc.integer({ min: 1, max: 400 }),
  gapMicrosMax: fc.integer({ min: 0, max: 50 }),
  valuesMax: fc.integer({ min: 0, max: 3 }),
  tail: fc.boolean(),
  mix: fc.record({ get: fc.integer({ min: 0, max: 3 }), put: fc.integer({ min: 0, max: 3 }), append: fc.integer({ min: 0, max: 2 }), cas: fc.integer({ min: 1, max: 3 }) }),
});

type Drawn = typeof options extends fc.Arbitrary<infer T> ? T : never;

function generated(o: Drawn, seed: number, corrupt: boolean): HistoryOp[] {
  const generateOptions: GenerateOptions = {
    ...o, ...(o.tail ? { durationTail: { scaleMicros: 5, shape: 1.2 } } : {}),
    // Appends are for kv's string values: the generator's register values are numbers.
    mix: { ...o.mix, append: o.model === 'kv' ? o.mix.append : 0 },
  };
  const history = generateHistory(generateOptions, Rng.fromSeed(seed));
  return corrupt ? (corruptRealistically(history, Rng.fromSeed(seed + 1)) ?? history) : history;
}

describe('the faster search gives the old search\'s verdicts', () => {
  it('on generated register and kv histories, open operations (some never taking effect), long tails, one corrupted read or not', () => {
    let decided = 0;
    fc.assert(fc.property(options, fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), (o, seed, corrupt) => {
      const history = generated(o, seed, corrupt);
      const now = checkLinearizability(history, { model: o.model, stepsMax: STEPS_MAX });
      const before = checkBaseline(history, { model: o.model, stepsMax: STEPS_MAX });
      if (now.verdict === 'unknown' || before.verdict === 'unknown') return;
      decided++;
      expect(now.verdict).toBe(before.verdict);
      if (!corrupt) expect(now.verdict).toBe('linearizable');
      if (now.failure) expect(now.failure.key).toBe(before.failure!.key);
    }), { numRuns: 300 });
    expect(decided).toBeGreaterThan(250);
  });

  it('on tiny histories made of identical open operations (the twins the search takes in call order)', () => {
    const op = fc.record({
      input: fc.constantFrom(
        { op: 'put', value: 1 }, { op: 'put', value: 2 }, { op: 'cas', expected: 1, value: 2 }, { op: 'cas', expected: 2, value: 1 }, { op: 'append', value: 'a' },
      ),
      call: fc.integer({ min: 0, max: 10 }),
      length: fc.integer({ min: 0, max: 10 }),
      open: fc.boolean(),
      seen: fc.constantFrom<unknown>(null, 1, 2, 'a', 'aa'),
    });
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 9 }), (drawn) => {
      const history: HistoryOp[] = drawn.map((d, id) => {
        const read = !d.open && id % 3 === 2;
        return {
          id, client: `c${id}`, call: d.call, return: d.open ? null : d.call + d.length,
          input: (read ? { op: 'get' } : d.input) as HistoryOp['input'],
          output: d.open ? null : read ? { value: d.seen } : d.input.op === 'cas' ? { ok: d.seen === 1 } : {},
        };
      });
      expect(checkLinearizability(history, { model: 'register' }).verdict).toBe(checkBaseline(history, { model: 'register' }).verdict);
    }), { numRuns: 1_000 });
  });
});

describe('a budget that runs out: unknown, per key', () => {
  const history = generateHistory(realisticShape('kv-open', 1_712), Rng.fromSeed(1));

  it('names the undecided keys: the one the budget ran out on and those not searched; the others are linearizable', () => {
    const full = checkLinearizability(history, { model: 'kv' });
    const result = checkLinearizability(history, { model: 'kv', stepsMax: Math.floor(full.steps / 2) });
    expect(result.verdict).toBe('unknown');
    const unknownKeys = result.unknownKeys!;
    expect(unknownKeys.length).toBeGreaterThan(0);
    expect(unknownKeys.length).toBeLessThan(result.keys);
    const decided = [...new Set(history.map((op) => op.input.key!))].filter((key) => !unknownKeys.includes(key));
    for (const key of decided) expect(checkLinearizability(history.filter((op) => op.input.key === key), { model: 'kv' }).verdict).toBe('linearizable');
    expect(full.verdict).toBe('linearizable');
    expect(full.unknownKeys).toBeUndefined();
  });

  it('an unpartitioned model names itself; a key refuted at a glance still decides the verdict after the budget is spent', () => {
    const register = generateHistory(realisticShape('etcd-register', 500), Rng.fromSeed(2));
    expect(checkLinearizability(register, { model: 'register', stepsMax: 10 }).unknownKeys).toEqual(['register']);
    // A read of a value nobody wrote, on the largest key (searched last); no appends, so it is refuted at a glance.
    const history = generateHistory({ ...realisticShape('kv-open', 1_712), mix: { get: 4, put: 3, append: 0, cas: 1 } }, Rng.fromSeed(3));
    const sizes = new Map<string, number>();
    for (const op of history) sizes.set(op.input.key!, (sizes.get(op.input.key!) ?? 0) + 1);
    const largest = [...sizes].sort((a, b) => b[1] - a[1])[0]![0];
    const read = history.find((op) => op.input.key === largest && op.input.op === 'get' && op.output !== null)!;
    const broken = history.map((op) => (op === read ? { ...op, output: { value: 'never written' } } : op));
    const result = checkLinearizability(broken, { model: 'kv', stepsMax: 10 });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.failure!.key).toBe(largest);
  });
});

describe('realistic generated shapes', () => {
  it('are linearizable by construction, with the open share and long tails asked for; a realistic corruption is caught', () => {
    for (const [shape, model, openLow, openHigh] of [['kv-porcupine', 'kv', 0, 0], ['kv-open', 'kv', 0.07, 0.13], ['etcd-register', 'register', 0.1, 0.2]] as const) {
      const history = generateHistory(realisticShape(shape, 1_000), Rng.fromSeed(5));
      expect(checkLinearizability(history, { model }).verdict).toBe('linearizable');
      const open = history.filter((op) => op.return === null).length / history.length;
      expect(open).toBeGreaterThanOrEqual(openLow);
      expect(open).toBeLessThanOrEqual(openHigh);
      const durations = history.filter((op) => op.return !== null).map((op) => op.return! - op.call).sort((a, b) => a - b);
      expect(durations.at(-1)!).toBeGreaterThan(10 * durations[Math.floor(durations.length / 2)]!);
    }
    const kv = generateHistory(realisticShape('kv-porcupine', 1_712), Rng.fromSeed(1));
    expect(checkLinearizability(corruptRealistically(kv, Rng.fromSeed(2))!, { model: 'kv' }).verdict).toBe('not-linearizable');
  });

  it('kv-porcupine: 50 clients, 10 keys, operations overlapping tens of others', () => {
    const history = generateHistory(realisticShape('kv-porcupine', 1_712), Rng.fromSeed(1));
    expect(new Set(history.map((op) => op.client)).size).toBe(50);
    expect(new Set(history.map((op) => op.input.key)).size).toBe(10);
    const overlapping = history.map((a) => history.filter((b) => b !== a && b.call <= a.return! && a.call <= b.return!).length).sort((x, y) => x - y);
    expect(overlapping[Math.floor(overlapping.length / 2)]!).toBeGreaterThanOrEqual(20);
  });
});
