// Reading histories: faultline JSON and Jepsen EDN, with one-line errors naming the problem.
import { describe, expect, it } from 'vitest';
import { checkInitialValue, parseHistoryText, parseInitialFlag } from '../../sim/check/history-files.js';
import { InputError } from '../../sim/errors.js';

describe('JSON histories', () => {
  it('reads operations, with null return or output meaning unknown', () => {
    const h = parseHistoryText(JSON.stringify({
      model: 'kv',
      operations: [
        { client: 'c1', call: 0, return: 5, input: { op: 'put', key: 'x', value: 1 }, output: {} },
        { client: 2, call: 1, return: null, input: { op: 'cas', key: 'x', expected: 1, value: 2 }, output: null },
        { client: 'c3', call: 2, return: 9, input: { op: 'read', key: 'x' }, output: { value: 2 } },
      ],
    }), 'h.json');
    expect(h.model).toBe('kv');
    expect(h.operations.map((o) => [o.client, o.input.op, o.return])).toEqual([['c1', 'put', 5], ['2', 'cas', null], ['c3', 'get', 9]]);
    expect(h.operations[1]!.output).toBeNull();
  });

  const bad: [string, unknown, RegExp][] = [
    ['no model', { operations: [] }, /"model" must be "kv" or "register"/],
    ['no operations', { model: 'kv' }, /expected an "operations" array/],
    ['unknown op', { model: 'register', operations: [{ client: 'a', call: 0, return: 1, input: { op: 'delete' }, output: {} }] }, /operation #1: input.op must be one of/],
    ['return before call', { model: 'register', operations: [{ client: 'a', call: 5, return: 1, input: { op: 'get' }, output: {} }] }, /"return" \(1\) is before "call" \(5\)/],
    ['kv without key', { model: 'kv', operations: [{ client: 'a', call: 0, return: 1, input: { op: 'get' }, output: {} }] }, /needs input.key/],
    ['cas without expected', { model: 'register', operations: [{ client: 'a', call: 0, return: 1, input: { op: 'cas', value: 1 }, output: {} }] }, /cas needs input.expected/],
  ];
  for (const [name, doc, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => parseHistoryText(JSON.stringify(doc), 'h.json')).toThrow(InputError);
      expect(() => parseHistoryText(JSON.stringify(doc), 'h.json')).toThrow(message);
    });
  }
});

describe('initial values', () => {
  const ops = [{ client: 'a', call: 0, return: 1, input: { op: 'get', key: 'k' }, output: { value: '' } }];

  it('reads a JSON history\'s top-level "initial"; absent stays absent, null is kept', () => {
    expect(parseHistoryText(JSON.stringify({ model: 'kv', initial: '', operations: ops }), 'h.json').initial).toBe('');
    expect(parseHistoryText(JSON.stringify({ model: 'register', initial: { a: [1] }, operations: [] }), 'h.json').initial).toEqual({ a: [1] });
    const explicitNull = parseHistoryText(JSON.stringify({ model: 'kv', initial: null, operations: ops }), 'h.json');
    expect('initial' in explicitNull && explicitNull.initial === null).toBe(true);
    expect('initial' in parseHistoryText(JSON.stringify({ model: 'kv', operations: ops }), 'h.json')).toBe(false);
  });

  it('refuses an object as a kv history\'s "initial" (not a per-key map), naming it', () => {
    const text = JSON.stringify({ model: 'kv', initial: { k: '' }, operations: ops });
    expect(() => parseHistoryText(text, 'h.json')).toThrow(InputError);
    expect(() => parseHistoryText(text, 'h.json')).toThrow(/^h.json: "initial" \{"k":""\}: for kv, the initial value is every key's starting value/);
    // --model register makes the same object a register's value.
    expect(parseHistoryText(text, 'h.json', 'register').initial).toEqual({ k: '' });
  });

  it('parses --initial as JSON', () => {
    expect(parseInitialFlag('""')).toBe('');
    expect(parseInitialFlag('0')).toBe(0);
    expect(parseInitialFlag('null')).toBeNull();
    expect(parseInitialFlag(' [1, 2] ')).toEqual([1, 2]);
    expect(() => checkInitialValue([], 'kv', '--initial')).not.toThrow();
    expect(() => checkInitialValue({ x: 1 }, 'register', '--initial')).not.toThrow();
    expect(() => checkInitialValue({ x: 1 }, 'kv', '--initial')).toThrow(/^--initial \{"x":1\}: for kv/);
  });

  for (const [text, message] of [
    ['abc', `--initial abc: not a JSON value (a string needs JSON quotes, e.g. --initial '"abc"')`],
    ['', `--initial '': not a JSON value (a string needs JSON quotes, e.g. --initial '""')`],
    ['{"a":\n', `--initial {"a": : not a JSON value (a string needs JSON quotes, e.g. --initial '""')`],
  ] as const) {
    it(`refuses --initial ${JSON.stringify(text)} in one line`, () => {
      expect(() => parseInitialFlag(text)).toThrow(InputError);
      expect(() => parseInitialFlag(text)).toThrow(message);
    });
  }
});

describe('EDN histories', () => {
  it('pairs invocations with completions per process; :fail drops, :info stays open', () => {
    const h = parseHistoryText([
      '{:process 0, :type :invoke, :f :write, :value 3}',
      '{:process 1, :type :invoke, :f :cas, :value [3 4]}',
      '{:process 0, :type :ok, :f :write, :value 3}',
      '{:process 1, :type :fail, :f :cas, :value [3 4]}',
      '{:process 2, :type :invoke, :f :read, :value nil}',
      '{:process 2, :type :info, :f :read, :value nil}',
      '{:process 0, :type :invoke, :f :read, :value nil}',
      '{:process 0, :type :ok, :f :read, :value 3}',
      '{:process 3, :type :invoke, :f :write, :value "never answered"}',
    ].join('\n'), 'h.edn');
    expect(h.model).toBe('register');
    expect(h.operations.map((o) => `${o.client}:${o.input.op}:${o.call}-${o.return}`)).toEqual(['0:put:0-2', '2:get:4-null', '0:get:6-7', '3:put:8-null']);
    expect(h.operations[2]!.output).toEqual({ value: 3 });
  });

  it('infers kv from :key and reads :get :put :append', () => {
    const h = parseHistoryText('{:process 0 :type :invoke :f :append :key "k" :value 5}\n{:process 0 :type :ok :f :append :key "k" :value 5}\n', 'h.edn');
    expect(h.model).toBe('kv');
    expect(h.operations[0]!.input).toEqual({ op: 'append', key: 'k', value: 5 });
  });

  const bad: [string, string, RegExp][] = [
    ['a broken map', '{:process 0, :type :invoke', /line 1: unexpected end of line/],
    ['a bad type', '{:process 0, :type :maybe, :f :read}', /line 1: :type must be/],
    ['an orphan completion', '{:process 0, :type :ok, :f :read, :value 1}', /no pending :invoke/],
    ['a double invoke', '{:process 0, :type :invoke, :f :read}\n{:process 0, :type :invoke, :f :read}', /line 2: process 0 invokes again/],
    ['an unknown function', '{:process 0, :type :invoke, :f :frob}\n{:process 0, :type :ok, :f :frob}', /:f :frob is not one of/],
    ['a bad cas value', '{:process 0, :type :invoke, :f :cas, :value 1}\n{:process 0, :type :ok, :f :cas, :value 1}', /must be \[from to\]/],
    ['nothing at all', '\n\n', /no operations found/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} with one line`, () => {
      let error: unknown;
      try { parseHistoryText(text, 'h.edn'); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }
});
