// Histories out (sim/check/history-out.ts): a generated history written as Jepsen EDN and as faultline JSON
// reads back (parseHistoryText) to the same operations and the same verdict; the extension picks the format.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHistoryText } from '../../sim/check/history-files.js';
import { ednHistoryText, fromHistoryOps, fromOperations, historyFormatOf, historyModelOf, jsonHistoryText } from '../../sim/check/history-out.js';
import { checkLinearizability, type HistoryOp, type OpInput, type OpOutput } from '../../sim/check/linearizability.js';
import type { Operation } from '../../sim/history.js';

type Shape = 'kv' | 'register';
const VALUES = ['a', 'b', 'c'] as const;

/** One operation before ids: small times, so that ties (touching operations) are common. */
const opArb = (shape: Shape) => fc.record({
  client: fc.constantFrom('c1', 'c2', 'c3', 'n4'),
  call: fc.integer({ min: 0, max: 30 }),
  length: fc.integer({ min: 0, max: 12 }),
  open: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  key: fc.constantFrom('x', 'y'),
  kind: fc.constantFrom('get', 'put', 'append', 'cas'),
  value: fc.constantFrom(...VALUES),
  seen: fc.constantFrom<string | null>(null, ...VALUES, 'ab', 'ba'),
  expected: fc.constantFrom<string | null>(null, ...VALUES),
  ok: fc.boolean(),
}).map((r): Omit<HistoryOp, 'id'> => {
  const keyed = shape === 'kv' ? { key: r.key } : {};
  const op = shape === 'register' && r.kind === 'append' ? 'put' : r.kind;
  const input: OpInput = op === 'get' ? { op, ...keyed } : op === 'cas' ? { op, ...keyed, expected: r.expected, value: r.value } : { op, ...keyed, value: r.value };
  const output: OpOutput = op === 'get' ? { value: r.seen } : op === 'cas' ? { ok: r.ok } : {};
  return { client: r.client, call: r.call, return: r.open ? null : r.call + r.length, input, output: r.open ? null : output };
});

/** A history in call order with ids 0, 1, … (as faultline check numbers what it reads). */
const historyArb = (shape: Shape) => fc.array(opArb(shape), { minLength: 1, maxLength: 10 }).map((ops) =>
  [...ops].sort((a, b) => a.call - b.call).map((op, id): HistoryOp => ({ id, ...op })));

const precedes = (a: HistoryOp, b: HistoryOp) => a.return !== null && a.return < b.call;
const verdictOf = (ops: readonly HistoryOp[], model: Shape) => checkLinearizability(ops, { model, stepsMax: 200_000 }).verdict;
const strip = (op: HistoryOp) => ({ id: op.id, open: op.return === null, input: op.input, output: op.output });

/** Checks ids, order, inputs, outputs, open-ness and the real-time order of `back` against `want`. */
function expectSameOperations(back: readonly HistoryOp[], want: readonly HistoryOp[]): void {
  expect(back.map(strip)).toEqual(want.map(strip));
  for (let i = 0; i < want.length; i++) {
    for (let j = 0; j < want.length; j++) expect([i, j, precedes(back[i]!, back[j]!)]).toEqual([i, j, precedes(want[i]!, want[j]!)]);
  }
}

describe('histories out: the round trip through parseHistoryText', () => {
  for (const shape of ['kv', 'register'] as const) {
    it(`${shape}: JSON reads back to the same operations (times and clients too), the same model and initial, the same verdict`, () => {
      fc.assert(fc.property(historyArb(shape), (ops) => {
        const back = parseHistoryText(jsonHistoryText(fromHistoryOps(ops), shape, null), 'h.json');
        expect(back.model).toBe(shape);
        expect(back.initial).toBeNull();
        expectSameOperations(back.operations, ops);
        expect(back.operations.map((op) => [op.client, op.call, op.return])).toEqual(ops.map((op) => [op.client, op.call, op.return]));
        expect(verdictOf(back.operations, shape)).toBe(verdictOf(ops, shape));
      }), { numRuns: 300 });
    });

    it(`${shape}: EDN reads back to the same operations and verdict (a cas that returned false is :fail, which reads as "did not happen")`, () => {
      fc.assert(fc.property(historyArb(shape), (ops) => {
        const back = parseHistoryText(ednHistoryText(fromHistoryOps(ops), shape), 'h.edn');
        expect(back.model).toBe(shape);
        // What EDN carries: every operation but a failed cas, renumbered in call order.
        const carried = ops.filter((op) => !(op.input.op === 'cas' && op.output?.ok === false)).map((op, id) => ({ ...op, id }));
        expectSameOperations(back.operations, carried);
        // Clients: numbered in order of first invoke; a later process of the same client is its number + the client count.
        const order = [...new Set(ops.map((op) => op.client))];
        expect(back.operations.map((op) => order[Number(op.client) % order.length])).toEqual(carried.map((op) => op.client));
        expect(verdictOf(back.operations, shape)).toBe(verdictOf(carried, shape));
        if (carried.length === ops.length) expect(verdictOf(back.operations, shape)).toBe(verdictOf(ops, shape));
      }), { numRuns: 300 });
    });
  }

  it('the generator reaches both verdicts, open operations, touching operations and failed cas (the property is not vacuous)', () => {
    const seen = { linearizable: 0, 'not-linearizable': 0, open: 0, touching: 0, casFalse: 0 };
    fc.assert(fc.property(historyArb('kv'), (ops) => {
      const v = verdictOf(ops, 'kv');
      if (v !== 'unknown') seen[v]++;
      if (ops.some((op) => op.return === null)) seen.open++;
      if (ops.some((a) => ops.some((b) => a !== b && a.return === b.call))) seen.touching++;
      if (ops.some((op) => op.output?.ok === false)) seen.casFalse++;
    }), { numRuns: 300 });
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(10);
  });
});

describe('histories out: EDN as Jepsen writes it', () => {
  const operation = (id: number, client: string, call: number, ret: number | null, input: OpInput, output: unknown, status: Operation['status']): Operation =>
    ({ id, client, call, return: ret, input, output, status });

  it('one op map per line with :index, :time in ns, :process per client, :key; an unknown outcome is :info at the end and its client a new process', () => {
    const ops = [
      operation(0, 'c1', 10, 20, { op: 'put', key: 'k', value: 'v' }, {}, 'ok'),
      operation(1, 'c2', 15, null, { op: 'get', key: 'k' }, null, 'open'),
      operation(2, 'c2', 30, 40, { op: 'get', key: 'k' }, { value: 'v' }, 'ok'),
      operation(3, 'c1', 25, 35, { op: 'cas', key: 'k', expected: 'w', value: 'z' }, { ok: false }, 'ok'),
    ].sort((a, b) => a.call - b.call);
    expect(ednHistoryText(fromOperations(ops), 'kv').trimEnd().split('\n')).toEqual([
      '{:index 0, :time 10000, :type :invoke, :process 0, :f :write, :key "k", :value "v"}',
      '{:index 1, :time 15000, :type :invoke, :process 1, :f :read, :key "k", :value nil}',
      '{:index 2, :time 20000, :type :ok, :process 0, :f :write, :key "k", :value "v"}',
      '{:index 3, :time 25000, :type :invoke, :process 0, :f :cas, :key "k", :value ["w" "z"]}',
      '{:index 4, :time 30000, :type :invoke, :process 3, :f :read, :key "k", :value nil}',
      '{:index 5, :time 35000, :type :fail, :process 0, :f :cas, :key "k", :value ["w" "z"]}',
      '{:index 6, :time 40000, :type :ok, :process 3, :f :read, :key "k", :value "v"}',
      '{:index 7, :time 40000, :type :info, :process 1, :f :read, :key "k", :value nil}',
    ]);
  });

  it('a failed operation is :fail in EDN and left out of JSON; an open one has a null return and output in JSON', () => {
    const ops = [
      operation(0, 'c1', 1, 2, { op: 'put', key: 'k', value: 'v' }, { reason: 'no' }, 'fail'),
      operation(1, 'c1', 3, null, { op: 'put', key: 'k', value: 'w' }, null, 'open'),
    ];
    expect(ednHistoryText(fromOperations(ops), 'kv')).toContain(':type :fail');
    const json = JSON.parse(jsonHistoryText(fromOperations(ops), 'kv')) as { model: string; initial: unknown; operations: unknown[] };
    expect(json).toEqual({ model: 'kv', initial: null, operations: [{ client: 'c1', call: 3, return: null, input: { op: 'put', key: 'k', value: 'w' }, output: null }] });
  });

  it('the extension picks the format; anything else is one line naming the flag and the file', () => {
    expect(historyFormatOf('--history', 'out/h.edn')).toBe('edn');
    expect(historyFormatOf('--history', 'H.JSON')).toBe('json');
    expect(() => historyFormatOf('--history', 'h.txt')).toThrow(/^--history h\.txt: the extension picks the format: \.edn \(Jepsen\) or \.json \(faultline\); got \.txt$/);
    expect(() => historyFormatOf('--history', 'h')).toThrow(/got no extension$/);
    expect(() => historyFormatOf('--history', 'dir.edn/h')).toThrow(/got no extension$/);
  });

  it('the model comes from the linearizable-history check; a scenario without one is refused', () => {
    expect(historyModelOf([{ name: 'linearizable-history', description: 'the client history is linearizable (kv model)' }], 's', '--history')).toBe('kv');
    expect(() => historyModelOf([{ name: 'agreement', description: 'x' }], 'broadcast-lossy', '--history')).toThrow(/^--history: scenario broadcast-lossy records no client history/);
  });
});
