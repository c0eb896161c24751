// An EDN reader and writer for history files (the format of github.com/edn-format/edn, as Clojure's
// printer writes it): typed values that keep keywords, symbols and strings apart, then `toPlain` for
// checkers. Assumes text fits in memory; malformed input is an InputError naming the line and column.
// Written here rather than taken from npm's edn-data, which accepts broken input silently (see the tests).

import { InputError } from '../errors.js';

/** `:name` (with its namespace, `:ns/name`, in `name`). */
export class Keyword {
  constructor(readonly name: string) {}
}

/** A bare symbol such as `foo` or `java.net.SocketTimeoutException`. */
export class EdnSymbol {
  constructor(readonly name: string) {}
}

/** A character literal such as `\a` or `\newline`. */
export class EdnChar {
  constructor(readonly char: string) {}
}

/** `( … )`. Vectors `[ … ]` are plain arrays. */
export class EdnList {
  constructor(readonly items: readonly EdnValue[]) {}
}

/** `#{ … }`, elements in the order written (duplicates are refused when read). */
export class EdnSet {
  constructor(readonly items: readonly EdnValue[]) {}
}

/** `{ … }`, entries in the order written (duplicate keys are refused when read). */
export class EdnMap {
  constructor(readonly keys: readonly EdnValue[], readonly values: readonly EdnValue[]) {}

  /** The value under keyword `:name`, or undefined when the map has no such key. */
  get(name: string): EdnValue | undefined {
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      if (key instanceof Keyword && key.name === name) return this.values[i];
    }
    return undefined;
  }
}

/** `#tag value`, such as `#inst "…"` or a record `#jepsen.history.Op{…}`. */
export class EdnTagged {
  constructor(readonly tag: string, readonly value: EdnValue) {}
}

/** Integers within ±(2^53 − 1) are numbers; larger ones are bigints (exact, but not plain JSON). */
export type EdnValue = null | boolean | number | bigint | string | Keyword | EdnSymbol | EdnChar | EdnValue[] | EdnList | EdnSet | EdnMap | EdnTagged;

/** Nesting deeper than this is refused (a bound on recursion, far beyond any history). */
const DEPTH_MAX = 500;

const NAMED_CHARS: Readonly<Record<string, string>> = { newline: '\n', space: ' ', tab: '\t', return: '\r', formfeed: '\f', backspace: '\b' };
const STRING_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' };
const INTEGER = /^[-+]?(0|[1-9]\d*)N?$/;
const FLOAT = /^[-+]?(0|[1-9]\d*)(\.\d*)?([eE][-+]?\d+)?M?$/;
const HEX = /^[-+]?0[xX][0-9a-fA-F]+N?$/;
const RATIO = /^[-+]?\d+\/\d+$/;
// Looser than the EDN grammar (Clojure prints keywords such as :2pc and non-ASCII names): any token that
// is not a number, with no character a printer would never put there.
const NAME = /^[^\s,()[\]{}"';@^`~\\]+$/;

/** A plain decimal integer of at most 15 digits without a leading zero, read without a regex; else undefined. */
function smallInteger(text: string): number | undefined {
  const negative = text.charCodeAt(0) === 45;
  const from = negative || text.charCodeAt(0) === 43 ? 1 : 0;
  if (text.length - from > 15 || text.length === from || (text.charCodeAt(from) === 48 && text.length - from > 1)) return undefined;
  let n = 0;
  for (let i = from; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return negative && n !== 0 ? -n : n;
}

/** One character code, for the scanner. */
const enum C { Tab = 9, Newline = 10, FormFeed = 12, Return = 13, Space = 32, Quote = 34, Hash = 35, LParen = 40, RParen = 41, Comma = 44, Colon = 58, Semicolon = 59, LBracket = 91, Backslash = 92, RBracket = 93, Underscore = 95, LBrace = 123, RBrace = 125 }

/** Whitespace, the comma, and a byte-order mark (some editors start a file with one). */
function isSpace(c: number): boolean {
  return c === C.Space || c === C.Comma || c === C.Newline || c === C.Tab || c === C.Return || c === C.FormFeed || c === 0xfeff;
}

/** Ends a token (number, symbol, keyword): whitespace or a delimiter. */
function endsToken(c: number): boolean {
  return isSpace(c) || c === C.LParen || c === C.RParen || c === C.LBracket || c === C.RBracket || c === C.LBrace || c === C.RBrace || c === C.Quote || c === C.Semicolon;
}

/**
 * Reads EDN forms one after another from `text`. Positions are tracked as it goes, so callers can say
 * where each form began (`line`, `column` before `read`). Errors are InputErrors: `WHERE: line L: … (column C)`.
 */
export class EdnReader {
  private at = 0;
  private lineNumber = 1;
  private lineStart = 0;
  /** Keywords read so far, one object per name (histories repeat a few keywords millions of times). */
  private readonly keywords = new Map<string, Keyword>();

  constructor(private readonly text: string, private readonly where: string) {}

  /** 1-based line of the next character. */
  get line(): number {
    return this.lineNumber;
  }

  /** 1-based column of the next character. */
  get column(): number {
    return this.at - this.lineStart + 1;
  }

  /** Skips whitespace, commas and comments; true when a form (or a closing delimiter) follows. */
  more(): boolean {
    this.skip();
    return this.at < this.text.length;
  }

  /** The next character after whitespace ('' at the end), without consuming it. */
  peek(): string {
    this.skip();
    return this.text.charAt(this.at);
  }

  /** Consumes one character (after `peek` showed it). */
  take(): void {
    this.at++;
  }

  /** Reads one form; the end of the text or a stray closing delimiter is an error. */
  read(): EdnValue {
    const value = this.form(0, undefined);
    if (value === NOTHING) this.fail('expected a value, found the end of the input');
    return value as EdnValue;
  }

  /** Throws an InputError at the current position. */
  fail(why: string, line = this.lineNumber, column: number | null = this.column): never {
    throw new InputError(`${this.where}: line ${line}: ${why}${column === null ? '' : ` (column ${column})`}`);
  }

  // A form, NOTHING at the end of input, or CLOSED when `close` (the enclosing collection's closer) comes.
  private form(depth: number, close: number | undefined): EdnValue | typeof NOTHING | typeof CLOSED {
    for (;;) {
      this.skip();
      if (this.at >= this.text.length) return NOTHING;
      const c = this.text.charCodeAt(this.at);
      if (c === close) {
        this.at++;
        return CLOSED;
      }
      if (c === C.RParen || c === C.RBracket || c === C.RBrace) this.fail(`unexpected '${this.text[this.at]}'${close === undefined ? ' (nothing is open)' : `: the open collection ends with '${String.fromCharCode(close)}'`}`);
      if (depth > DEPTH_MAX) this.fail(`nested deeper than ${DEPTH_MAX} levels`);
      if (c === C.LBrace) return this.map(depth, undefined);
      if (c === C.LBracket) return this.sequence(depth, C.RBracket);
      if (c === C.LParen) return new EdnList(this.sequence(depth, C.RParen));
      if (c === C.Quote) return this.string();
      if (c === C.Backslash) return this.char();
      if (c !== C.Hash) return this.token();
      const next = this.text.charCodeAt(this.at + 1);
      if (next === C.LBrace) {
        this.at++;
        return this.set(depth);
      }
      if (next === C.Underscore) {
        this.at += 2;
        const line = this.lineNumber;
    const column = this.column;
        if (this.form(depth + 1, undefined) === NOTHING) this.fail('#_ discards nothing: the input ends', line, column);
        continue;
      }
      if (next === C.Hash) return this.symbolicNumber();
      if (next === C.Colon) return this.namespacedMap(depth);
      return this.tagged(depth);
    }
  }

  private sequence(depth: number, close: number): EdnValue[] {
    const line = this.lineNumber;
    const column = this.column;
    this.at++;
    const items: EdnValue[] = [];
    for (;;) {
      const item = this.form(depth + 1, close);
      if (item === CLOSED) return items;
      if (item === NOTHING) this.unclosed(close === C.RBracket ? 'vector' : 'list', line, column);
      items.push(item);
    }
  }

  private set(depth: number): EdnSet {
    const line = this.lineNumber;
    const column = this.column - 1;
    const items = this.sequence(depth, C.RBrace);
    const seen = new Set<string>();
    for (const item of items) {
      const text = writeEdn(item);
      if (seen.has(text)) this.fail(`the set opened at column ${column} has ${text} twice`, line, column);
      seen.add(text);
    }
    return new EdnSet(items);
  }

  private map(depth: number, namespace: string | undefined): EdnMap {
    const line = this.lineNumber;
    const column = this.column;
    this.at++;
    const keys: EdnValue[] = [];
    const values: EdnValue[] = [];
    const seen = new KeySet();
    for (;;) {
      this.skip();
      const keyLine = this.lineNumber;
      const keyColumn = this.column;
      let key = this.form(depth + 1, C.RBrace);
      if (key === CLOSED) return new EdnMap(keys, values);
      if (key === NOTHING) this.unclosed('map', line, column);
      if (namespace !== undefined && key instanceof Keyword && !key.name.includes('/')) key = this.keyword(`${namespace}/${key.name}`);
      const value = this.form(depth + 1, C.RBrace);
      if (value === CLOSED) this.fail(`the map opened at column ${column} has a key with no value: ${writeEdn(key as EdnValue)}`, line, column);
      if (value === NOTHING) this.unclosed('map', line, column);
      if (!seen.add(key as EdnValue, keys)) this.fail(`the map has the key ${writeEdn(key as EdnValue)} twice`, keyLine, keyColumn);
      keys.push(key as EdnValue);
      values.push(value as EdnValue);
    }
  }

  private keyword(name: string): Keyword {
    let keyword = this.keywords.get(name);
    if (keyword === undefined) this.keywords.set(name, (keyword = new Keyword(name)));
    return keyword;
  }

  private namespacedMap(depth: number): EdnMap {
    const line = this.lineNumber;
    const column = this.column;
    this.at += 2;
    const start = this.at;
    while (this.at < this.text.length && !endsToken(this.text.charCodeAt(this.at))) this.at++;
    const namespace = this.text.slice(start, this.at);
    if (namespace === '' || this.text.charCodeAt(this.at) !== C.LBrace) this.fail(`#:${namespace} must be followed directly by a map`, line, column);
    return this.map(depth, namespace);
  }

  private tagged(depth: number): EdnTagged {
    const line = this.lineNumber;
    const column = this.column;
    this.at++;
    const start = this.at;
    while (this.at < this.text.length && !endsToken(this.text.charCodeAt(this.at))) this.at++;
    const tag = this.text.slice(start, this.at);
    if (!/^[a-zA-Z][\w.*+!?$%&=<>/-]*$/.test(tag)) this.fail(`'#${tag}' is not a tag (a tag is # then a symbol, such as #inst)`, line, column);
    const value = this.form(depth + 1, undefined);
    if (value === NOTHING) this.fail(`the tag #${tag} has no value: the input ends`, line, column);
    return new EdnTagged(tag, value as EdnValue);
  }

  private symbolicNumber(): number {
    const line = this.lineNumber;
    const column = this.column;
    const text = this.tokenText();
    if (text === '##Inf') return Infinity;
    if (text === '##-Inf') return -Infinity;
    if (text === '##NaN') return NaN;
    return this.fail(`cannot read '${text}' (##Inf, ##-Inf and ##NaN are the symbolic numbers)`, line, column);
  }

  private string(): string {
    const line = this.lineNumber;
    const column = this.column;
    const text = this.text;
    let from = ++this.at;
    let out = '';
    for (;;) {
      if (this.at >= text.length) this.fail(`the string opened at line ${line}, column ${column} is not closed`, line, column);
      const c = text.charCodeAt(this.at);
      if (c === C.Quote) {
        out += text.slice(from, this.at++);
        return out;
      }
      if (c === C.Newline) this.newline(this.at + 1);
      if (c !== C.Backslash) {
        this.at++;
        continue;
      }
      out += text.slice(from, this.at);
      const e = text.charAt(this.at + 1);
      if (e === 'u') {
        const hex = text.slice(this.at + 2, this.at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`'\\u${hex}' is not a unicode escape (\\u then four hex digits)`);
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += 6;
      } else {
        const escaped = STRING_ESCAPES[e];
        if (escaped === undefined) this.fail(e === '' ? `the string opened at line ${line}, column ${column} is not closed` : `'\\${e}' is not an escape in a string (\\n \\t \\r \\b \\f \\" \\\\ \\uXXXX are)`);
        out += escaped;
        this.at += 2;
      }
      from = this.at;
    }
  }

  private char(): EdnChar {
    const line = this.lineNumber;
    const column = this.column;
    this.at++;
    if (this.at >= this.text.length) this.fail('a backslash (a character literal) with no character', line, column);
    const start = this.at++;
    while (this.at < this.text.length && !endsToken(this.text.charCodeAt(this.at))) this.at++;
    const name = this.text.slice(start, this.at);
    if (name.length === 1) return new EdnChar(name);
    const named = NAMED_CHARS[name];
    if (named !== undefined) return new EdnChar(named);
    if (/^u[0-9a-fA-F]{4}$/.test(name)) return new EdnChar(String.fromCharCode(parseInt(name.slice(1), 16)));
    return this.fail(`'\\${name}' is not a character (\\a, \\newline, \\space, \\tab, \\uXXXX …)`, line, column);
  }

  private tokenText(): string {
    const start = this.at;
    while (this.at < this.text.length && !endsToken(this.text.charCodeAt(this.at))) this.at++;
    return this.text.slice(start, this.at);
  }

  private token(): EdnValue {
    const column = this.column;
    const text = this.tokenText();
    const first = text.charCodeAt(0);
    if (first === C.Colon) {
      const known = this.keywords.get(text.slice(1));
      if (known !== undefined) return known;
      if (text.length === 1 || text.charCodeAt(1) === C.Colon || !NAME.test(text.slice(1))) this.fail(`'${text}' is not a keyword`, this.lineNumber, column);
      return this.keyword(text.slice(1));
    }
    const digitAt = first === 43 || first === 45 ? 1 : 0; // '+' or '-' may precede a number
    const d = text.charCodeAt(digitAt);
    if (d >= 48 && d <= 57) return this.number(text, column);
    if (text === 'nil') return null;
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (!NAME.test(text)) this.fail(`cannot read '${text}'`, this.lineNumber, column);
    return new EdnSymbol(text);
  }

  private number(text: string, column: number): number | bigint {
    const small = smallInteger(text);
    if (small !== undefined) return small;
    if (INTEGER.test(text)) {
      const digits = text.endsWith('N') ? text.slice(0, -1) : text;
      const n = Number(digits);
      return Number.isSafeInteger(n) ? n : BigInt(digits);
    }
    if (FLOAT.test(text)) return Number(text.endsWith('M') ? text.slice(0, -1) : text);
    if (HEX.test(text)) {
      const negative = text.startsWith('-');
      const digits = text.replace(/^[-+]?0[xX]/, '').replace(/N$/, '');
      const n = BigInt(`0x${digits}`) * (negative ? -1n : 1n);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    if (RATIO.test(text)) {
      const [p, q] = text.split('/').map(Number) as [number, number];
      if (q === 0) this.fail(`'${text}' divides by zero`, this.lineNumber, column);
      return p / q;
    }
    const hint = /^[-+]?0\d/.test(text) ? ' (a number may not start with 0)' : '';
    return this.fail(`cannot read '${text}' as a number${hint}`, this.lineNumber, column);
  }

  // The input ended inside a collection opened at (line, column). When nothing but space follows that
  // line, the collection's own line is what broke; otherwise it swallowed the lines after it.
  private unclosed(what: string, line: number, column: number): never {
    const lineEnd = this.text.indexOf('\n', this.offsetOf(line));
    if (lineEnd < 0 || !/\S/.test(this.text.slice(lineEnd))) this.fail(`unexpected end of line: the ${what} that opens at column ${column} is not closed`, line, null);
    return this.fail(`the ${what} that opens at column ${column} is not closed by the end of the input (line ${this.lineNumber})`, line, null);
  }

  // Offset of the start of 1-based `line` (only on the error path: it scans).
  private offsetOf(line: number): number {
    let offset = 0;
    for (let n = 1; n < line; n++) offset = this.text.indexOf('\n', offset) + 1;
    return offset;
  }

  private newline(nextLineStart: number): void {
    this.lineNumber++;
    this.lineStart = nextLineStart;
  }

  private skip(): void {
    const text = this.text;
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at);
      if (c === C.Newline) {
        this.newline(++this.at);
      } else if (isSpace(c)) {
        this.at++;
      } else if (c === C.Semicolon) {
        const end = text.indexOf('\n', this.at);
        this.at = end < 0 ? text.length : end;
      } else {
        return;
      }
    }
  }
}

/**
 * The keys of one map so far, to refuse a duplicate. Keywords are interned (one object per name), so
 * they compare by identity: a scan for small maps, a Set past a few keys. Other keys compare by EDN text.
 */
class KeySet {
  private keywords: Set<EdnValue> | undefined;
  private texts: Set<string> | undefined;

  /** False when `key` is already in `keys` (the map's keys so far, kept by the caller). */
  add(key: EdnValue, keys: readonly EdnValue[]): boolean {
    if (!(key instanceof Keyword)) {
      this.texts ??= new Set();
      const text = writeEdn(key);
      if (this.texts.has(text)) return false;
      this.texts.add(text);
      return true;
    }
    if (keys.length < 16) return !keys.includes(key);
    this.keywords ??= new Set(keys.filter((k) => k instanceof Keyword));
    if (this.keywords.has(key)) return false;
    this.keywords.add(key);
    return true;
  }
}

const NOTHING = Symbol('end of input');
const CLOSED = Symbol('collection closed');

/** Reads every top-level form of `text`; `where` names the text in errors. */
export function readEdnAll(text: string, where: string): EdnValue[] {
  const reader = new EdnReader(text, where);
  const out: EdnValue[] = [];
  while (reader.more()) out.push(reader.read());
  return out;
}

/** Reads exactly one form from `text`. */
export function readEdn(text: string, where: string): EdnValue {
  const reader = new EdnReader(text, where);
  if (!reader.more()) reader.fail('expected a value, found nothing');
  const value = reader.read();
  if (reader.more()) reader.fail('expected one value, found more after it');
  return value;
}

// ---- writing --------------------------------------------------------------------------------------

function writeString(text: string): string {
  return `"${text.replace(/[\\"\n\t\r\b\f]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f' })[c]!)}"`;
}

function writeNumber(n: number): string {
  if (Number.isNaN(n)) return '##NaN';
  if (n === Infinity) return '##Inf';
  if (n === -Infinity) return '##-Inf';
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return `${BigInt(n)}.0`;
  return Object.is(n, -0) ? '-0.0' : String(n);
}

/** Writes a value as EDN text that `readEdn` reads back to the same value (whole numbers as integers). */
export function writeEdn(value: EdnValue): string {
  if (value === null) return 'nil';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return writeNumber(value);
  if (typeof value === 'bigint') return `${value}N`;
  if (typeof value === 'string') return writeString(value);
  if (Array.isArray(value)) return `[${value.map(writeEdn).join(' ')}]`;
  if (value instanceof Keyword) return `:${value.name}`;
  if (value instanceof EdnSymbol) return value.name;
  if (value instanceof EdnChar) return writeChar(value.char);
  if (value instanceof EdnList) return `(${value.items.map(writeEdn).join(' ')})`;
  if (value instanceof EdnSet) return `#{${value.items.map(writeEdn).join(' ')}}`;
  if (value instanceof EdnMap) return `{${value.keys.map((k, i) => `${writeEdn(k)} ${writeEdn(value.values[i]!)}`).join(', ')}}`;
  return `#${value.tag} ${writeEdn(value.value)}`;
}

function writeChar(c: string): string {
  const name = Object.keys(NAMED_CHARS).find((n) => NAMED_CHARS[n] === c);
  if (name !== undefined) return `\\${name}`;
  const code = c.charCodeAt(0);
  return code < 33 || code > 126 ? `\\u${code.toString(16).padStart(4, '0')}` : `\\${c}`;
}

// ---- plain JS values ------------------------------------------------------------------------------

/** Why a value has no plain form (the caller adds where it is). */
export class NotPlainError extends Error {}

/** Plain JS values order: null, booleans, numbers, strings, then arrays and objects by their JSON text. */
function comparePlain(a: unknown, b: unknown): number {
  const rank = (v: unknown): number => (v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : 4);
  const [ra, rb] = [rank(a), rank(b)];
  if (ra !== rb) return ra - rb;
  if (ra === 1 || ra === 2) return Number(a) - Number(b);
  const [ta, tb] = ra === 3 ? [a as string, b as string] : [JSON.stringify(a), JSON.stringify(b)];
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

function plainKey(key: EdnValue): string {
  if (typeof key === 'string') return key;
  if (key instanceof Keyword || key instanceof EdnSymbol) return key.name;
  if (key === null || typeof key === 'boolean' || typeof key === 'number') return writeEdn(key);
  return writeEdn(key);
}

/**
 * The value as plain JS: keywords and symbols as their names, characters as one-character strings, nil as
 * null, vectors and lists as arrays, sets as sorted arrays, maps as objects (keyword, string or number
 * keys by their text, other keys by their EDN text), tagged values as their value. An integer beyond
 * ±(2^53 − 1), or a map with two keys of the same text (`:a` and `"a"`), is a NotPlainError.
 */
export function toPlain(value: EdnValue): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') throw new NotPlainError(`the integer ${value} is beyond ±(2^53 − 1), where numbers stay exact`);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Keyword || value instanceof EdnSymbol) return value.name;
  if (value instanceof EdnChar) return value.char;
  if (value instanceof EdnList) return value.items.map(toPlain);
  if (value instanceof EdnSet) return value.items.map(toPlain).sort(comparePlain);
  if (value instanceof EdnTagged) return toPlain(value.value);
  const entries: [string, unknown][] = [];
  const seen = new Map<string, EdnValue>();
  value.keys.forEach((key, i) => {
    const name = plainKey(key);
    const before = seen.get(name);
    if (before !== undefined) throw new NotPlainError(`the map's keys ${writeEdn(before)} and ${writeEdn(key)} both read as "${name}"`);
    seen.set(name, key);
    entries.push([name, toPlain(value.values[i]!)]);
  });
  return Object.fromEntries(entries);
}

/**
 * The EDN form of a plain JS value, as `toPlain` would read it back: strings stay strings, arrays become
 * vectors, objects string-keyed maps. `undefined` and functions are refused (a programmer's error).
 */
export function fromPlain(value: unknown): EdnValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(fromPlain);
  if (typeof value === 'object') {
    const entries = Object.entries(value as object);
    return new EdnMap(entries.map(([k]) => k), entries.map(([, v]) => fromPlain(v)));
  }
  throw new TypeError(`fromPlain: ${typeof value} has no EDN form`);
}
