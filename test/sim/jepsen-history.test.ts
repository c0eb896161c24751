// Jepsen histories as Jepsen writes them: hand-written samples of each form, one-line errors naming the
// line or vector item, and properties that a generated history written as EDN reads back the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdnMap, EdnTagged, Keyword, fromPlain, writeEdn, type EdnValue } from '../../sim/check/edn.js';
import { corruptOneRead, generateHistory } from '../../sim/check/generate-history.js';
import { parseHistoryText } from '../../sim/check/history-files.js';
import { describeIgnored, pairJepsenOperations, readJepsenHistory, refuseTransactional, type JepsenType } from '../../sim/check/jepsen-history.js';
import { checkLinearizability, type HistoryOp, type OpName } from '../../sim/check/linearizability.js';
import { InputError } from '../../sim/errors.js';
import { Rng } from '../../sim/rng.js';

/** The message of the InputError `run` throws (and that it is one line). */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

// A register test as Jepsen 0.3 writes history.edn: :index, :time in ns, nemesis :info events between
// client events (a partition's grudge as a string-keyed map of sets), :fail and :info completions.
const REGISTER_LINES = String.raw`{:index 0, :time 1000, :type :invoke, :process 0, :f :read, :value nil}
{:index 1, :time 1500, :type :invoke, :process 1, :f :write, :value 3}
{:index 2, :time 2000, :type :info, :process :nemesis, :f :start-partition, :value nil}
{:index 3, :time 2600, :type :info, :process :nemesis, :f :start-partition, :value {"n1" #{"n2" "n3"}, "n2" #{"n1"}}}
{:index 4, :time 3000, :type :ok, :process 0, :f :read, :value 3}
{:index 5, :time 3100, :type :fail, :process 1, :f :write, :value 3, :error :not-leader}

{:index 6, :time 4000, :type :invoke, :process 2, :f :cas, :value [3 4]}
{:index 7, :time 5000, :type :info, :process 2, :f :cas, :value [3 4], :error "indeterminate: \"timed out\"\n"}
; a comment line
{:index 8, :time 6000, :type :invoke, :process 3, :f :read, :value nil}
{:index 9, :time 6500, :type :info, :process :nemesis, :f :stop-partition, :value :network-healed}
`;

describe('reading Jepsen histories', () => {
  it('one map per line: client events in order, :index and :time as written, the nemesis counted', () => {
    const h = readJepsenHistory(REGISTER_LINES, 'h.edn');
    expect(h.form).toBe('lines');
    expect(h.events.map((e) => [e.index, e.position, e.time, e.process, e.type, e.f, e.value, e.where])).toEqual([
      [0, 0, 1000, 0, 'invoke', 'read', null, 'line 1'],
      [1, 1, 1500, 1, 'invoke', 'write', 3, 'line 2'],
      [4, 4, 3000, 0, 'ok', 'read', 3, 'line 5'],
      [5, 5, 3100, 1, 'fail', 'write', 3, 'line 6'],
      [6, 6, 4000, 2, 'invoke', 'cas', [3, 4], 'line 8'],
      [7, 7, 5000, 2, 'info', 'cas', [3, 4], 'line 9'],
      [8, 8, 6000, 3, 'invoke', 'read', null, 'line 11'],
    ]);
    expect(h.ignored).toEqual({ events: 3, processes: [':nemesis'] });
    expect(describeIgnored(h.ignored)).toBe('ignored 3 events of non-client process (:nemesis)');
    expect(h.events[5]!.raw.get('error')).toBe('indeterminate: "timed out"\n');
  });

  it('pairs each :invoke with its process\'s next event: ok, fail (did not happen), info and open (unknown)', () => {
    const ops = pairJepsenOperations(readJepsenHistory(REGISTER_LINES, 'h.edn'), 'h.edn');
    expect(ops.map((o) => [o.process, o.f, o.outcome, o.invoke.index, o.completion?.index ?? null])).toEqual([
      [0, 'read', 'ok', 0, 4], [1, 'write', 'fail', 1, 5], [2, 'cas', 'info', 6, 7], [3, 'read', 'open', 8, null],
    ]);
  });

  it('a single vector of maps (Knossos\'s files), across lines, errors naming the vector item', () => {
    const text = '[{:process 0, :type :invoke, :f :write, :value 1}\n {:process 0, :type :ok, :f :write, :value 1}\n {:process :nemesis, :type :info, :f :kill, :value nil}\n {:process 1, :type :invoke, :f :read, :value nil}\n {:process 1, :type :ok, :f :read, :value 1}]\n';
    const h = readJepsenHistory(text, 'k.edn');
    expect(h.form).toBe('vector');
    expect(h.events.map((e) => e.where)).toEqual(['line 1 (vector item 0)', 'line 2 (vector item 1)', 'line 4 (vector item 3)', 'line 5 (vector item 4)']);
    expect(h.ignored.events).toBe(1);
    expect(pairJepsenOperations(h, 'k.edn').map((o) => o.outcome)).toEqual(['ok', 'ok']);
    expect(errorOf(() => readJepsenHistory('[{:process 0, :type :invoke, :f :read}\n {:process 0, :type :done, :f :read}]', 'k.edn'))).toBe('k.edn: line 2 (vector item 1): :type must be :invoke, :ok, :fail or :info; got :done');
    expect(errorOf(() => readJepsenHistory('[{:process 0, :type :invoke, :f :read}\n', 'k.edn'))).toBe('k.edn: line 1: unexpected end of input: the vector of operations that opens here is not closed (column 1)');
    expect(errorOf(() => readJepsenHistory('[] {:process 0}', 'k.edn'))).toBe('k.edn: line 1: expected nothing after the vector of operations (column 4)');
    // A list works as the vector does.
    expect(readJepsenHistory('({:process 0, :type :invoke, :f :read})', 'k.edn').events).toHaveLength(1);
  });

  it('tagged records (#jepsen.history.Op{…}), bare maps beside them', () => {
    const text = '#jepsen.history.Op{:index 0, :time 5, :type :invoke, :process 0, :f :add, :value 1}\n{:index 1, :time 9, :type :ok, :process 0, :f :add, :value 1}\n';
    expect(readJepsenHistory(text, 'h.edn').events.map((e) => [e.index, e.type, e.f, e.value])).toEqual([[0, 'invoke', 'add', 1], [1, 'ok', 'add', 1]]);
  });

  it('values of every kind as plain JS: sets sorted, keywords as names, nil as null, string-keyed maps', () => {
    const text = String.raw`{:process 0, :type :invoke, :f :read, :value nil}
{:process 0, :type :ok, :f :read, :value {:set #{3 1 2}, :list (1 :b), "k" [-7 2.5 1e3], :s "tab\tq\"uote\u00e9", :kw :x/y, :nil nil}}`;
    expect(readJepsenHistory(text, 'h.edn').events[1]!.value).toEqual({ set: [1, 2, 3], list: [1, 'b'], k: [-7, 2.5, 1000], s: 'tab\tq"uoteé', kw: 'x/y', nil: null });
  });

  it('counts every kind of non-client process, and names them', () => {
    const text = '{:process :nemesis, :type :info, :f :start}\n{:process "monitor", :type :info, :f :x}\n{:process nil, :type :info}\n{:process 1.5, :type :info}\n{:process :nemesis, :type :info, :f :stop}\n';
    const h = readJepsenHistory(text, 'h.edn');
    expect(h.events).toEqual([]);
    expect(h.ignored).toEqual({ events: 5, processes: [':nemesis', '"monitor"', 'nil', '1.5'] });
    expect(describeIgnored(h.ignored)).toBe('ignored 5 events of non-client processes (:nemesis, "monitor", nil and 1 more)');
    expect(describeIgnored({ events: 0, processes: [] })).toBe('');
  });

  const bad: [string, string, string][] = [
    ['not a map', '{:process 0, :type :invoke, :f :read}\n[1 2]', 'h.edn: line 2: expected an op map like {:process 0, :type :invoke, :f :read, :value nil}; got [1 2]'],
    ['no :process', '{:type :invoke, :f :read}', 'h.edn: line 1: the op has no :process'],
    ['a string :type', '{:process 0, :type "invoke", :f :read}', 'h.edn: line 1: :type must be :invoke, :ok, :fail or :info; got "invoke"'],
    ['a string :f', '{:process 0, :type :invoke, :f "read"}', 'h.edn: line 1: :f must be a keyword such as :read; got "read"'],
    ['no :f', '{:process 0, :type :invoke}', 'h.edn: line 1: :f must be a keyword such as :read; got nil'],
    ['a float :time', '{:process 0, :type :invoke, :f :read, :time 1.5}', 'h.edn: line 1: :time must be an integer (nanoseconds); got 1.5'],
    ['a string :index', '{:process 0, :type :invoke, :f :read, :index "0"}', 'h.edn: line 1: :index must be an integer; got "0"'],
    ['a huge integer value', '{:process 0, :type :invoke, :f :write, :value 123456789012345678901}', 'h.edn: line 1: :value: the integer 123456789012345678901 is beyond ±(2^53 − 1), where numbers stay exact'],
    ['clashing map keys', '{:process 0, :type :invoke, :f :write, :value {:a 1 "a" 2}}', 'h.edn: line 1: :value: the map\'s keys :a and "a" both read as "a"'],
    ['a syntax error', '{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok :f :read :value #{1 1}}', 'h.edn: line 2: the set opened at column 40 has 1 twice (column 40)'],
  ];
  for (const [name, text, message] of bad) {
    it(`refuses ${name} in one line`, () => expect(errorOf(() => readJepsenHistory(text, 'h.edn'))).toBe(message));
  }

  const badPairs: [string, string, string][] = [
    ['a completion with no :invoke', '{:process 0, :type :ok, :f :read, :value 1}', 'h.edn: line 1: :ok for process 0, which has no pending :invoke'],
    ['a second :invoke', '{:process 0, :type :invoke, :f :read}\n{:process 1, :type :invoke, :f :read}\n{:process 0, :type :invoke, :f :read}', 'h.edn: line 3: process 0 invokes again before its line 1 completed'],
    ['a completion of another :f', '{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :write}', 'h.edn: line 2: :ok :f :write does not match its :invoke\'s :f :read (line 1)'],
    ['a completion before its :invoke', '{:process 0, :type :invoke, :f :read, :time 50}\n{:process 0, :type :info, :f :read, :time 40}', 'h.edn: line 2: :time 40 is before its :invoke\'s :time 50 (line 1)'],
  ];
  for (const [name, text, message] of badPairs) {
    it(`refuses ${name} in one line`, () => expect(errorOf(() => pairJepsenOperations(readJepsenHistory(text, 'h.edn'), 'h.edn'))).toBe(message));
  }

  it('refuses a transactional history, naming Elle', () => {
    const append = '{:process 0, :type :invoke, :f :txn, :value [[:append 1 2] [:r 1 nil]]}';
    expect(errorOf(() => refuseTransactional(readJepsenHistory(append, 'a.edn'), 'a.edn'))).toBe('a.edn: line 1: :f :txn: a transactional history (list-append); faultline check tests single-object linearizability, so check it with Elle (list-append or rw-register)');
    const wr = '{:process :nemesis, :type :info, :f :start}\n{:process 3, :type :invoke, :f :multi, :value [[:w 1 2] [:r 2 nil]]}';
    expect(errorOf(() => refuseTransactional(readJepsenHistory(wr, 'w.edn'), 'w.edn'))).toMatch(/^w.edn: line 2: :f :multi: a transactional history \(rw-register\);.* Elle/);
    expect(errorOf(() => refuseTransactional(readJepsenHistory('{:process 0, :type :invoke, :f :txn, :value nil}', 't.edn'), 't.edn'))).toMatch(/^t.edn: line 1: :f :txn: a transactional history; /);
    expect(() => refuseTransactional(readJepsenHistory(REGISTER_LINES, 'h.edn'), 'h.edn')).not.toThrow();
  });
});

describe('faultline check\'s EDN path (history-files)', () => {
  it('a register history with the nemesis: operations by position in the file, the nemesis counted', () => {
    const h = parseHistoryText(REGISTER_LINES, 'h.edn');
    expect(h.model).toBe('register');
    expect(h.ignored).toEqual({ events: 3, processes: [':nemesis'] });
    expect(h.operations.map((o) => [o.client, o.input, o.call, o.return, o.output])).toEqual([
      ['0', { op: 'get' }, 0, 4, { value: 3 }],
      ['2', { op: 'cas', expected: 3, value: 4 }, 6, null, null],
      ['3', { op: 'get' }, 8, null, null],
    ]);
    // The write failed (did not happen), so reading 3 cannot be explained.
    expect(checkLinearizability(h.operations, { model: h.model }).verdict).toBe('not-linearizable');
  });

  it('Jepsen\'s independent keys (:value [k v]) as kv', () => {
    const text = [
      '{:process 0, :type :invoke, :f :write, :value [:x 1]}', '{:process 0, :type :ok, :f :write, :value [:x 1]}',
      '{:process 1, :type :invoke, :f :read, :value [:x nil]}', '{:process 2, :type :invoke, :f :cas, :value ["y" [nil 5]]}',
      '{:process 1, :type :ok, :f :read, :value [:x 1]}', '{:process 2, :type :ok, :f :cas, :value ["y" [nil 5]]}',
      '{:process 3, :type :invoke, :f :read, :value [7 nil]}', '{:process 3, :type :ok, :f :read, :value [7 nil]}',
    ].join('\n');
    const h = parseHistoryText(text, 'i.edn');
    expect(h.model).toBe('kv');
    expect(h.ignored).toBeUndefined();
    expect(h.operations.map((o) => [o.input, o.output])).toEqual([
      [{ op: 'put', key: 'x', value: 1 }, {}], [{ op: 'get', key: 'x' }, { value: 1 }], [{ op: 'cas', key: 'y', expected: null, value: 5 }, { ok: true }], [{ op: 'get', key: '7' }, { value: null }],
    ]);
    expect(checkLinearizability(h.operations, { model: 'kv' }).verdict).toBe('linearizable');
    // --model register reads the same pairs as register values.
    expect(parseHistoryText(text, 'i.edn', 'register').operations[0]!.input).toEqual({ op: 'put', value: ['x', 1] });
    expect(errorOf(() => parseHistoryText('{:process 0, :type :invoke, :f :write, :value 1}', 'i.edn', 'kv'))).toBe('i.edn: line 1: with independent keys, :value must be [key value]; got 1');
    expect(errorOf(() => parseHistoryText('{:process 0, :type :invoke, :f :read, :value [:x nil]}\n{:process 0, :type :ok, :f :read, :value [:z 1]}', 'i.edn'))).toBe('i.edn: line 2: key "z" differs from its :invoke\'s key "x"');
  });

  it('a vector of tagged records, and :txn refused', () => {
    const text = '[#jepsen.history.Op{:index 0, :type :invoke, :process 0, :f :write, :value 2}\n #jepsen.history.Op{:index 1, :type :ok, :process 0, :f :write, :value 2}]';
    expect(parseHistoryText(text, 'v.edn').operations.map((o) => o.input)).toEqual([{ op: 'put', value: 2 }]);
    expect(errorOf(() => parseHistoryText('{:process 0, :type :invoke, :f :txn, :value [[:r 1 nil]]}', 't.edn'))).toMatch(/Elle \(list-append or rw-register\)$/);
  });

  it('a history of only the nemesis says so', () => {
    expect(errorOf(() => parseHistoryText('{:process :nemesis, :type :info, :f :start}', 'n.edn'))).toBe('n.edn: no operations found (expected JSON with "operations", or EDN op maps, one per line or in one vector); ignored 1 event of non-client process (:nemesis) and found no client process (an integer :process)');
  });
});

// ---- properties -----------------------------------------------------------------------------------

const k = (name: string) => new Keyword(name);
const opMap = (fields: [string, EdnValue][], tagged: boolean): EdnValue => {
  const map = new EdnMap(fields.map(([f]) => k(f)), fields.map(([, v]) => v));
  return tagged ? new EdnTagged('jepsen.history.Op', map) : map;
};
const layout = (forms: EdnValue[], vector: boolean) => (vector ? `[${forms.map(writeEdn).join('\n ')}]\n` : forms.map(writeEdn).join('\n') + '\n');

interface PlannedOp { process: number; f: string; value: unknown; result: unknown; outcome: 'ok' | 'fail' | 'info' | 'open' }

describe('properties', () => {
  it('a generated Jepsen history written as EDN reads back the same, in any form', () => {
    const op = fc.record({
      process: fc.integer({ min: 0, max: 4 }),
      f: fc.constantFrom('read', 'write', 'cas', 'add', 'enqueue'),
      value: fc.jsonValue({ maxDepth: 2 }),
      result: fc.jsonValue({ maxDepth: 2 }),
      outcome: fc.constantFrom('ok', 'fail', 'info', 'open'),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 25 }), fc.array(fc.nat()), fc.array(fc.boolean()), fc.boolean(), fc.boolean(), fc.boolean(), (planned, picks, nemesisAt, vector, tagged, timed) => {
      // Per process, its events in order; an open operation ends its process (Jepsen would not reuse it).
      const queues = new Map<number, { op: PlannedOp; n: number; type: JepsenType }[]>();
      const closed = new Set<number>();
      planned.forEach((p, n) => {
        if (closed.has(p.process)) return;
        const q = queues.get(p.process) ?? [];
        q.push({ op: p, n, type: 'invoke' });
        if (p.outcome === 'open') closed.add(p.process);
        else q.push({ op: p, n, type: p.outcome });
        queues.set(p.process, q);
      });
      const events: { op: PlannedOp; n: number; type: JepsenType }[] = [];
      const forms: EdnValue[] = [];
      let nemesis = 0;
      for (let step = 0; queues.size > 0; step++) {
        if (nemesisAt[step]) {
          forms.push(opMap([['type', k('info')], ['process', k('nemesis')], ['f', k('start')], ['value', fromPlain({ n1: ['n2'] })]], tagged));
          nemesis++;
        }
        const processes = [...queues.keys()];
        const process = processes[(picks[step] ?? 0) % processes.length]!;
        const q = queues.get(process)!;
        const e = q.shift()!;
        if (q.length === 0) queues.delete(process);
        const value = e.type === 'ok' ? e.op.result : e.op.value;
        const index = forms.length;
        forms.push(opMap([
          ...(timed ? [['index', index], ['time', index * 1_000_000 + 7]] as [string, EdnValue][] : []),
          ['type', k(e.type)], ['process', e.op.process], ['f', k(e.op.f)], ['value', fromPlain(value)],
        ], tagged));
        events.push(e);
      }
      const h = readJepsenHistory(layout(forms, vector), 'p.edn');
      expect(h.form).toBe(vector ? 'vector' : 'lines');
      expect(h.ignored.events).toBe(nemesis);
      expect(h.events.map((e) => [e.process, e.type, e.f, e.value])).toEqual(events.map((e) => [e.op.process, e.type, e.op.f, e.type === 'ok' ? e.op.result : e.op.value]));
      if (timed) expect(h.events.every((e) => e.index === e.position && e.time === e.position * 1_000_000 + 7)).toBe(true);
      const pairs = pairJepsenOperations(h, 'p.edn');
      const invoked = events.filter((e) => e.type === 'invoke');
      expect(pairs.map((p) => [p.process, p.f, p.outcome])).toEqual(invoked.map((e) => [e.op.process, e.op.f, e.op.outcome]));
    }), { numRuns: 300 });
  });

  // faultline's own histories written as Jepsen would (a failed cas as :fail, an open operation as
  // :info), read back through `faultline check`'s path: the same operations, the same real-time order,
  // the same verdict.
  // Jepsen never reuses a process after :info (its client's fate is unknown): the operations after a
  // client's open one go out under a fresh process number.
  function processes(ops: readonly HistoryOp[]): Map<HistoryOp, number> {
    const out = new Map<HistoryOp, number>();
    const crashed = new Map<string, number>();
    for (const op of [...ops].sort((a, b) => a.call - b.call)) {
      const generation = crashed.get(op.client) ?? 0;
      out.set(op, Number(op.client.slice(1)) + 100 * generation);
      if (op.return === null) crashed.set(op.client, generation + 1);
    }
    return out;
  }

  function asJepsen(ops: readonly HistoryOp[], model: 'register' | 'kv', keyed: boolean): string {
    const process = processes(ops);
    const events: { time: number; isCall: boolean; op: HistoryOp }[] = [];
    for (const op of ops) events.push({ time: op.call, isCall: true, op }, { time: op.return ?? Number.MAX_SAFE_INTEGER, isCall: false, op });
    // Time order; calls first on a tie (operations that touch count as concurrent), then by id.
    events.sort((a, b) => a.time - b.time || Number(!a.isCall) - Number(!b.isCall) || a.op.id - b.op.id);
    const f: Partial<Record<OpName, string>> = { get: 'read', put: 'write', cas: 'cas', append: 'append' };
    return events.map(({ isCall, op }) => {
      const type = isCall ? 'invoke' : op.output === null ? 'info' : op.output.ok === false ? 'fail' : 'ok';
      let value: unknown = op.input.op === 'cas' ? [op.input.expected ?? null, op.input.value] : op.input.op === 'get' ? (type === 'ok' ? op.output!.value : null) : op.input.value;
      const fields: [string, EdnValue][] = [['type', k(type)], ['process', process.get(op)!], ['f', k(f[op.input.op]!)]];
      if (model === 'kv' && keyed) fields.push(['key', op.input.key!]);
      if (model === 'kv' && !keyed) value = [op.input.key, value ?? null];
      fields.push(['value', fromPlain(value ?? null)]);
      return writeEdn(opMap(fields, false));
    }).join('\n');
  }

  it('a generated faultline history written as Jepsen EDN checks the same', () => {
    const verdicts = new Set<string>();
    fc.assert(fc.property(fc.nat(), fc.constantFrom('register', 'kv'), fc.boolean(), fc.boolean(), (seed, model, keyed, corrupt) => {
      const rng = Rng.fromSeed(seed);
      let ops = generateHistory({ model, clients: 4, operations: 14, keys: 2, openRatio: 0.15, durationMicrosMax: 30, gapMicrosMax: 10 }, rng);
      if (corrupt) ops = corruptOneRead(ops, rng) ?? ops;
      const parsed = parseHistoryText(asJepsen(ops, model, keyed), 'g.edn', model);
      // A failed cas did not happen: Jepsen writes it as :fail, which drops it.
      const kept = ops.filter((o) => o.output?.ok !== false).sort((a, b) => a.call - b.call || a.id - b.id);
      const process = processes(ops);
      expect(parsed.operations.map((o) => [o.client, o.input, o.output])).toEqual(kept.map((o) => [String(process.get(o)), o.input, o.output === null ? null : o.input.op === 'cas' ? { ok: true } : o.output]));
      const before = (a: HistoryOp, b: HistoryOp) => a.return !== null && a.return < b.call;
      for (const [i, a] of kept.entries()) {
        for (const [j, b] of kept.entries()) expect(before(parsed.operations[i]!, parsed.operations[j]!)).toBe(before(a, b));
      }
      const verdict = checkLinearizability(kept, { model }).verdict;
      expect(checkLinearizability(parsed.operations, { model }).verdict).toBe(verdict);
      verdicts.add(verdict);
    }), { numRuns: 200 });
    // Both verdicts came up, so the property could tell them apart.
    expect([...verdicts].sort()).toEqual(['linearizable', 'not-linearizable']);
  });
});

describe('Jepsen histories of a mutex, counter, set and FIFO queue (--model names the model)', () => {
  const verdict = (text: string, model: 'mutex' | 'counter' | 'set' | 'fifo-queue') => {
    const history = parseHistoryText(text, 'h.edn', model);
    return checkLinearizability(history.operations, { model: history.model }).verdict;
  };

  it('a counter: adds and reads by their own :f names; a read beyond every add is refuted', () => {
    const h = (seen: number) => `{:type :invoke :process 0 :f :add :value 2}\n{:type :invoke :process 1 :f :read :value nil}\n{:type :ok :process 0 :f :add :value 2}\n{:type :info :process :nemesis :f :start :value nil}\n{:type :ok :process 1 :f :read :value ${seen}}\n`;
    expect(verdict(h(2), 'counter')).toBe('linearizable');
    expect(verdict(h(0), 'counter')).toBe('linearizable');
    expect(verdict(h(3), 'counter')).toBe('not-linearizable');
  });

  it('a FIFO queue in one vector: a dequeue must see the front', () => {
    const h = (seen: number) => `[{:type :invoke :process 0 :f :enqueue :value 1} {:type :ok :process 0 :f :enqueue :value 1}\n {:type :invoke :process 0 :f :enqueue :value 2} {:type :ok :process 0 :f :enqueue :value 2}\n {:type :invoke :process 1 :f :dequeue :value nil} {:type :ok :process 1 :f :dequeue :value ${seen}}]`;
    expect(verdict(h(1), 'fifo-queue')).toBe('linearizable');
    expect(verdict(h(2), 'fifo-queue')).toBe('not-linearizable');
  });

  it('a mutex: two holders at once are not linearizable; a :fail acquire did not happen; an :info one may not have', () => {
    const second = (type: string) => `{:type :invoke :process 0 :f :acquire}\n{:type :ok :process 0 :f :acquire}\n{:type :invoke :process 1 :f :acquire}\n{:type :${type} :process 1 :f :acquire}\n`;
    expect(verdict(second('ok'), 'mutex')).toBe('not-linearizable');
    expect(verdict(second('fail'), 'mutex')).toBe('linearizable');
    expect(verdict(second('info'), 'mutex')).toBe('linearizable');
    expect(verdict(second('ok') + '{:type :invoke :process 0 :f :release}\n', 'mutex')).toBe('not-linearizable');
  });

  it('a set: a read-all #{…} is compared as its elements, in any order', () => {
    const h = (seen: string) => `{:type :invoke :process 0 :f :add :value 2}\n{:type :ok :process 0 :f :add :value 2}\n{:type :invoke :process 0 :f :add :value 1}\n{:type :ok :process 0 :f :add :value 1}\n{:type :invoke :process 1 :f :read}\n{:type :ok :process 1 :f :read :value ${seen}}\n`;
    expect(verdict(h('#{2 1}'), 'set')).toBe('linearizable');
    expect(verdict(h('#{2}'), 'set')).toBe('not-linearizable');
  });

  it("an :f the model does not have is one line naming the model's operations", () => {
    expect(() => parseHistoryText('{:type :invoke :process 0 :f :write :value 1}\n{:type :ok :process 0 :f :write :value 1}\n', 'h.edn', 'counter')).toThrow(/h\.edn: .*:f :write is not a counter operation \(add, read \(or get\)\)/);
  });
});
