// The EDN reader: every form a Jepsen history uses, keywords kept apart from strings, errors naming line
// and column, write-then-read round trips, and agreement with npm's edn-data on valid input.
import { parseEDNString } from 'edn-data';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdnChar, EdnList, EdnMap, EdnReader, EdnSet, EdnSymbol, EdnTagged, Keyword, fromPlain, readEdn, readEdnAll, toPlain, writeEdn, type EdnValue } from '../../sim/check/edn.js';
import { InputError } from '../../sim/errors.js';

/** A value's structure as plain data, tagging every EDN kind, so toEqual compares kinds too. */
function shape(v: EdnValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v;
  if (typeof v === 'bigint') return { bigint: String(v) };
  if (Array.isArray(v)) return { vector: v.map(shape) };
  if (v instanceof Keyword) return { keyword: v.name };
  if (v instanceof EdnSymbol) return { symbol: v.name };
  if (v instanceof EdnChar) return { char: v.char };
  if (v instanceof EdnList) return { list: v.items.map(shape) };
  if (v instanceof EdnSet) return { set: v.items.map(shape) };
  if (v instanceof EdnMap) return { map: v.keys.map((k, i) => [shape(k), shape(v.values[i]!)]) };
  return { tag: v.tag, value: shape(v.value) };
}

/** edn-data's default output (keywords as {key}, symbols as {sym} …) in the same shape. */
function shapeOfEdnData(v: unknown): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : v;
  if (typeof v === 'bigint') return { bigint: String(v) };
  if (Array.isArray(v)) return { vector: v.map(shapeOfEdnData) };
  const o = v as Record<string, unknown>;
  if ('key' in o) return { keyword: o.key };
  if ('sym' in o) return { symbol: o.sym };
  if ('char' in o) return { char: o.char };
  if ('list' in o) return { list: (o.list as unknown[]).map(shapeOfEdnData) };
  if ('set' in o) return { set: (o.set as unknown[]).map(shapeOfEdnData) };
  if ('map' in o) return { map: (o.map as [unknown, unknown][]).map(([k, x]) => [shapeOfEdnData(k), shapeOfEdnData(x)]) };
  return { tag: o.tag, value: shapeOfEdnData(o.val) };
}

const read = (text: string) => shape(readEdn(text, 'x.edn'));

describe('reading each form', () => {
  it('nil, booleans, integers, floats, ratios and symbolic numbers', () => {
    expect(read('nil')).toBeNull();
    expect(read('true')).toBe(true);
    expect(read('false')).toBe(false);
    expect(read('[0 42 -7 +3 9007199254740991 1N -12N]')).toEqual({ vector: [0, 42, -7, 3, 9007199254740991, 1, -12] });
    expect(read('123456789012345678901234567890')).toEqual({ bigint: '123456789012345678901234567890' });
    expect(read('-9007199254740993N')).toEqual({ bigint: '-9007199254740993' });
    expect(read('[1.5 -0.25 1e3 2.5E-2 1.0 3.14M 0.5]')).toEqual({ vector: [1.5, -0.25, 1000, 0.025, 1, 3.14, 0.5] });
    expect(read('[1/4 -3/2]')).toEqual({ vector: [0.25, -1.5] });
    expect(read('[0x1f -0XFF 0x1fffffffffffffffN]')).toEqual({ vector: [31, -255, { bigint: String(0x1fffffffffffffffn) }] });
    expect(read('[##Inf ##-Inf ##NaN]')).toEqual({ vector: [Infinity, -Infinity, 'NaN'] });
  });

  it('keywords, symbols and strings stay apart', () => {
    expect(readEdn(':ok', 'x')).toBeInstanceOf(Keyword);
    expect(readEdn('"ok"', 'x')).toBe('ok');
    expect(readEdn('ok', 'x')).toBeInstanceOf(EdnSymbol);
    expect(read('[:a :jepsen.history/op :2pc "a" a java.net.SocketTimeoutException + - ->x]')).toEqual({ vector: [
      { keyword: 'a' }, { keyword: 'jepsen.history/op' }, { keyword: '2pc' }, 'a', { symbol: 'a' }, { symbol: 'java.net.SocketTimeoutException' }, { symbol: '+' }, { symbol: '-' }, { symbol: '->x' },
    ] });
    // The same name is the same keyword object within one read (interned).
    const [a, b] = readEdn('[:type :type]', 'x') as Keyword[];
    expect(a).toBe(b);
  });

  it('strings with every escape, and raw newlines inside', () => {
    expect(readEdn(String.raw`"tab\there \"quoted\" back\\slash\nnew\rret\bbs\fff \u00e9\u0041"`, 'x')).toBe('tab\there "quoted" back\\slash\nnew\rret\bbs\fff éA');
    expect(readEdn('"two\nlines"', 'x')).toBe('two\nlines');
    expect(readEdn('""', 'x')).toBe('');
  });

  it('characters', () => {
    expect(read(String.raw`[\a \newline \space \tab \return \formfeed \backspace \u0041 \( \,]`)).toEqual({ vector: ['a', '\n', ' ', '\t', '\r', '\f', '\b', 'A', '(', ','].map((c) => ({ char: c })) });
  });

  it('vectors, lists, sets, maps with keyword, string and other keys, nested', () => {
    expect(read('[1 (2 3) #{4 :x "y"} {:a 1, "b" [2], 3 nil, [4] #{}}]')).toEqual({ vector: [1, { list: [2, 3] }, { set: [4, { keyword: 'x' }, 'y'] }, {
      map: [[{ keyword: 'a' }, 1], ['b', { vector: [2] }], [3, null], [{ vector: [4] }, { set: [] }]],
    }] });
    expect(read('\uFEFF[1]')).toEqual({ vector: [1] });
    expect(read('[[] () {} #{}]')).toEqual({ vector: [{ vector: [] }, { list: [] }, { map: [] }, { set: [] }] });
  });

  it('tags, records, namespaced maps, discards, comments and commas', () => {
    expect(read('#jepsen.history.Op{:index 0, :type :ok}')).toEqual({ tag: 'jepsen.history.Op', value: { map: [[{ keyword: 'index' }, 0], [{ keyword: 'type' }, { keyword: 'ok' }]] } });
    expect(read('#inst "2024-01-02T03:04:05Z"')).toEqual({ tag: 'inst', value: '2024-01-02T03:04:05Z' });
    expect(read('#object[java.lang.Object 0x1f "x"]')).toEqual({ tag: 'object', value: { vector: [{ symbol: 'java.lang.Object' }, 31, 'x'] } });
    expect(read('#:jepsen{:a 1 :other/b 2}')).toEqual({ map: [[{ keyword: 'jepsen/a' }, 1], [{ keyword: 'other/b' }, 2]] });
    expect(read('[1 #_ 2 #_ #_ 3 4 5 ; a comment [6]\n,,, 7]')).toEqual({ vector: [1, 5, 7] });
  });

  it('reads many top-level forms, tracking lines', () => {
    const reader = new EdnReader('{:a 1}\n\n  {:b\n 2} ; c\n[3]', 'x');
    const lines: number[] = [];
    while (reader.more()) {
      lines.push(reader.line);
      reader.read();
    }
    expect(lines).toEqual([1, 3, 5]);
    expect(readEdnAll('  ; nothing\n', 'x')).toEqual([]);
  });
});

describe('malformed EDN: one line naming the place and the problem', () => {
  const bad: [string, string][] = [
    ['{:process 0, :type :invoke', 'x.edn: line 1: unexpected end of line: the map that opens at column 1 is not closed'],
    ['[1 2\n\n', 'x.edn: line 1: unexpected end of line: the vector that opens at column 1 is not closed'],
    ['{:a 1}\n  {:a 1\n{:b 2}', 'x.edn: line 2: the map that opens at column 3 is not closed by the end of the input (line 3)'],
    ['{:a 1 :b}', 'x.edn: line 1: the map opened at column 1 has a key with no value: :b (column 1)'],
    ['{:a 1 :a 2}', 'x.edn: line 1: the map has the key :a twice (column 7)'],
    ['{:a 1 #:a{:b 1 :a/b 2}}', 'x.edn: line 1: the map has the key :a/b twice (column 16)'],
    ['{"a" 1 "a" 2}', 'x.edn: line 1: the map has the key "a" twice (column 8)'],
    ['#{1 [2] [2]}', 'x.edn: line 1: the set opened at column 1 has [2] twice (column 1)'],
    ['\n  ]', 'x.edn: line 2: unexpected \']\' (nothing is open) (column 3)'],
    ['{:a [1}', 'x.edn: line 1: unexpected \'}\': the open collection ends with \']\' (column 7)'],
    ['[1.2.3]', 'x.edn: line 1: cannot read \'1.2.3\' as a number (column 2)'],
    ['007', 'x.edn: line 1: cannot read \'007\' as a number (a number may not start with 0) (column 1)'],
    ['1/0', 'x.edn: line 1: \'1/0\' divides by zero (column 1)'],
    ['"abc', 'x.edn: line 1: the string opened at line 1, column 1 is not closed (column 1)'],
    ['"a\\qb"', 'x.edn: line 1: \'\\q\' is not an escape in a string (\\n \\t \\r \\b \\f \\" \\\\ \\uXXXX are) (column 3)'],
    ['"\\u12"', 'x.edn: line 1: \'\\u12"\' is not a unicode escape (\\u then four hex digits) (column 2)'],
    ['::a', 'x.edn: line 1: \'::a\' is not a keyword (column 1)'],
    ['\\bell', 'x.edn: line 1: \'\\bell\' is not a character (\\a, \\newline, \\space, \\tab, \\uXXXX …) (column 1)'],
    ['#_', 'x.edn: line 1: #_ discards nothing: the input ends (column 3)'],
    ['#1x 2', 'x.edn: line 1: \'#1x\' is not a tag (a tag is # then a symbol, such as #inst) (column 1)'],
    ['#foo', 'x.edn: line 1: the tag #foo has no value: the input ends (column 1)'],
    ['##Foo', 'x.edn: line 1: cannot read \'##Foo\' (##Inf, ##-Inf and ##NaN are the symbolic numbers) (column 1)'],
    ['1 2', 'x.edn: line 1: expected one value, found more after it (column 3)'],
    ['', 'x.edn: line 1: expected a value, found nothing (column 1)'],
    [`${'['.repeat(600)}${']'.repeat(600)}`, 'x.edn: line 1: nested deeper than 500 levels (column 502)'],
  ];
  for (const [text, message] of bad) {
    it(`${JSON.stringify(text.slice(0, 30))}`, () => {
      let error: unknown;
      try { (text === '1 2' || text === '' ? readEdn : readEdnAll)(text, 'x.edn'); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(message);
    });
  }

  it('why not edn-data: it accepts these silently (or crashes without a place), the reader here refuses each', () => {
    for (const text of ['{:a 1 :b}', '[1 2}', '{:a 1]', '{:a 1}}', '{:process 0, :type :invoke', '"abc']) {
      expect(() => parseEDNString(text)).not.toThrow();
      expect(() => readEdn(text, 'x')).toThrow(InputError);
    }
    expect(() => parseEDNString(']')).toThrow(TypeError);
  });
});

describe('plain JS values', () => {
  const plain = (text: string) => toPlain(readEdn(text, 'x'));

  it('keywords and symbols as names, sets sorted, lists as arrays, tags unwrapped, maps as objects', () => {
    expect(plain('{:type :ok, :value #{3 1 "b" :a nil 2.5 [1]}, "k" (1 :x), 7 #inst "2024"}')).toEqual({
      type: 'ok', value: [null, 1, 2.5, 3, 'a', 'b', [1]], k: [1, 'x'], 7: '2024',
    });
    expect(plain('[\\a sym nil true]')).toEqual(['a', 'sym', null, true]);
    expect(plain('#jepsen.history.Op{:f :read}')).toEqual({ f: 'read' });
  });

  it('a __proto__ key stays an own property', () => {
    const o = plain('{"__proto__" 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });

  it('refuses what has no exact plain form', () => {
    expect(() => plain('{:a 1 "a" 2}')).toThrow('the map\'s keys :a and "a" both read as "a"');
    expect(() => plain('[99999999999999999999]')).toThrow('the integer 99999999999999999999 is beyond ±(2^53 − 1)');
  });
});

// ---- properties -----------------------------------------------------------------------------------

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
const qualified = fc.tuple(fc.option(name, { nil: undefined }), name).map(([ns, n]) => (ns === undefined ? n : `${ns}/${n}`));
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

/**
 * EDN values (no NaN or infinities, no tag #inst: edn-data turns it into a Date). `chars` draws the
 * character literals: edn-data misreads some (\" opens a string), so its twin gets letters only.
 */
const ednValues = (chars: fc.Arbitrary<string>) => fc.letrec<{ value: EdnValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1e12, max: 1e12 }),
    finite,
    fc.bigInt({ min: 2n ** 60n, max: 2n ** 80n }).chain((b) => fc.constantFrom(b, -b)),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    qualified.map((n) => new Keyword(n)),
    qualified.filter((n) => !['nil', 'true', 'false'].includes(n)).map((n) => new EdnSymbol(n)),
    chars.map((c) => new EdnChar(c)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => new EdnList(items)),
    fc.uniqueArray(tie('value'), { maxLength: 4, selector: writeEdn }).map((items) => new EdnSet(items)),
    fc.uniqueArray(fc.tuple(tie('value'), tie('value')), { maxLength: 4, selector: ([k]) => writeEdn(k) }).map((es) => new EdnMap(es.map(([k]) => k), es.map(([, v]) => v))),
    fc.tuple(qualified.filter((t) => t !== 'inst'), tie('value')).map(([tag, v]) => new EdnTagged(tag, v)),
  ),
})).value;
const ednValue = ednValues(fc.constantFrom('a', 'Z', '(', '"', '\\', '\n', ' ', '\t', '\r', '\f', '\b', 'é', '\u0001'));
const ednValueForEdnData = ednValues(fc.constantFrom('a', 'Z', 'q'));

describe('properties', () => {
  it('writeEdn then readEdn gives the same value back', () => {
    fc.assert(fc.property(ednValue, (v) => {
      expect(shape(readEdn(writeEdn(v), 'x'))).toEqual(shape(v));
    }), { numRuns: 400 });
  });

  it('agrees with edn-data on valid input (a twin written by others)', () => {
    fc.assert(fc.property(ednValueForEdnData, (v) => {
      const text = writeEdn(v);
      expect(shape(readEdn(text, 'x'))).toEqual(shapeOfEdnData(parseEDNString(text)));
    }), { numRuns: 400 });
    // ... including a whole Jepsen line.
    const line = '#jepsen.history.Op{:index 3, :time 1234567, :type :ok, :process 2, :f :read, :value #{1 "a" :b}, :error nil}';
    expect(shape(readEdn(line, 'x'))).toEqual(shapeOfEdnData(parseEDNString(line)));
  });

  it('fromPlain then toPlain gives plain JSON data back', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const back = toPlain(readEdn(writeEdn(fromPlain(v)), 'x'));
      expect(back).toEqual(v);
    }), { numRuns: 300 });
  });
});
