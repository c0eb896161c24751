// Hashing for the run fingerprint: a running 64-bit digest (two 32-bit lanes) over every trace
// event, and a content hash of messages that also deep-freezes them so sender and receiver never share
// mutable objects. Assumes messages are plain data: null, booleans, numbers, strings, arrays, plain objects
// with data properties (a getter is not plain data: once an object's hash is kept, it is not read again).

import { assert } from './assert.js';

const float64 = new Float64Array(1);
const float64Words = new Int32Array(float64.buffer);

// Hot-path constants are written as literals where they are used: V8 reads a module-level `const`
// from its context, with a not-yet-initialised check, each time.
const MAX_DEPTH = 64;
/** The content hash's initial state (FNV-1a's offset basis). */
const CONTENT_SEED = 0x811c9dc5 | 0;

/** Murmur3's finaliser: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A running 64-bit digest. Feed it 32-bit words (or whole events); order matters. */
export class Fingerprint {
  // Protected: the recorder folds its per-message events with `event` written out.
  protected high = 0x6a09e667 | 0;
  protected low = 0xbb67ae85 | 0;
  protected words = 0;

  /**
   * Folds one 32-bit word into both lanes: one multiply each (FNV-style), the second lane also
   * taking the first's state. Each step is a bijection of the state, so a word that differs leaves
   * a different state behind; the avalanche happens once, in `hex()`.
   */
  word(value: number): void {
    const high = Math.imul(this.high ^ value, 0x01000193);
    this.high = high;
    this.low = (Math.imul(this.low ^ value, 0x5bd1e995) + high) | 0;
    this.words++;
  }

  /**
   * Folds one trace event as a single word: `head` (event kind and nodes), its time and two more
   * values (a message id, a content hash …). Each value goes through its own odd multiplier, a
   * bijection, before they are combined, so changing any one of them always changes the word, and
   * the multiplies run side by side instead of one after another as four `word` calls would.
   */
  event(head: number, atMicros: number, a: number, b: number): void {
    let value = head ^ Math.imul(atMicros, 0x9e3779b1) ^ Math.imul(a, 0x85ebca77) ^ Math.imul(b, 0xc2b2ae3d);
    // Virtual times past 2^32 us (71 minutes) add their high word; earlier ones need not.
    if (atMicros > 0xffff_ffff) value ^= Math.imul((atMicros / 0x1_0000_0000) | 0, 0x27d4eb2f);
    const high = Math.imul(this.high ^ value, 0x01000193);
    this.high = high;
    this.low = (Math.imul(this.low ^ value, 0x5bd1e995) + high) | 0;
    this.words++;
  }

  /** The digest so far as 16 lowercase hex characters. */
  hex(): string {
    const high = fmix(this.high ^ this.words);
    const low = fmix(this.low ^ high);
    return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * Deep-freezes `value` and returns a 32-bit hash of its content (keys in insertion order).
 * Throws on values that are not plain data (functions, Maps, class instances), which a
 * message on a real wire could not carry either.
 */
export function sealAndHash(value: unknown): number {
  // The usual value, a plain object (a fact, a fault entry), takes the path with the key cache.
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return fmix(sealRecord(value as Record<string, unknown>));
  return fmix(sealInto(CONTENT_SEED, value, 0));
}

/**
 * Seals a message for the wire and returns its content hash. Everything nested in the message is
 * deep-frozen in place and its top level is copied for each delivery (`copyOnWire`): V8 clones a
 * plain object far faster than it freezes one, and so sender and receiver never share a mutable
 * object. The hash is left unmixed (`Fingerprint.event` multiplies it, `hex()` avalanches) and, like
 * every hash here, is a signed 32-bit integer: V8 boxes a number of 2^31 or more that leaves a call.
 */
export function sealForWire(msg: unknown): number {
  if (msg !== null && typeof msg === 'object') return sealTopLevel(msg);
  return sealInto(CONTENT_SEED, msg, 0) | 0;
}

/** What a receiver gets: a copy of the top level (nested parts were frozen by `sealForWire`). */
export function copyOnWire(msg: unknown): unknown {
  if (msg === null || typeof msg !== 'object') return msg;
  return Array.isArray(msg) ? msg.slice() : { ...(msg as object) };
}

// The content hash folds one 32-bit word per token into a running state: a multiply, then a rotate
// (the multiply carries a word's bits upwards, the rotate brings the high bits back down). Tokens:
// a tag (4/5 booleans, 6 undefined, 7 bigint, 8 null, 9 array and its length, 10 object, 11 end of
// object); an integer that fits 32 bits, through an odd multiplier (a bijection); another number as
// tag 2 and its two 32-bit halves; a string as its own 32-bit hash. A string's hash is computed in a
// chain of its own, seeded by its length and taking two UTF-16 units per step, so the chains of a
// message's strings do not wait for one another. Keys are strings in key position.
// An object nested in a message (not the top level, which is fresh per send) is one token: its own
// content hash, computed once and kept for objects that are re-sent (log entries in AppendEntries).

function step(h: number, word: number): number {
  h = Math.imul(h ^ word, 0x01000193); // FNV-1a's 32-bit prime
  return (h << 13) | (h >>> 19);
}

/** A string's own 32-bit hash. */
function stringWord(text: string): number {
  const length = text.length;
  let x = Math.imul(length ^ 0x3000_0000, 0x01000193);
  let i = 0;
  for (; i + 1 < length; i += 2) x = step(x, text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  if (i < length) x = step(x, text.charCodeAt(i));
  return x;
}

/** The token of an integer that fits 32 bits: never equal for two different integers. */
function integerWord(value: number): number {
  return Math.imul(value, 0x9e3779b1);
}

/**
 * The strings last seen at the first positions of top-level messages, and their hashes: the key at
 * each position, and the last two string values there (a field that alternates between two values,
 * a request's type and its reply's, stays cached). Messages of one kind repeat their keys in order and
 * their type tags often. A cache only: a hit gives exactly what `stringWord` would, so a hash never
 * depends on what was sent before. Comparing two property names (interned strings) is one pointer
 * comparison, far cheaper than hashing either.
 */
const RECENT_POSITIONS = 8;
const recentKeys: string[] = new Array<string>(RECENT_POSITIONS).fill('');
const recentKeyWords = new Int32Array(RECENT_POSITIONS).fill(stringWord(''));
const recentValues: string[] = new Array<string>(2 * RECENT_POSITIONS).fill('');
const recentValueWords = new Int32Array(2 * RECENT_POSITIONS).fill(stringWord(''));

/** `stringWord(key)` for the key at `position` (below `RECENT_POSITIONS`) of a top-level message. */
function recentKeyWord(position: number, key: string): number {
  if (recentKeys[position] === key) return recentKeyWords[position]!;
  const word = stringWord(key);
  recentKeys[position] = key;
  recentKeyWords[position] = word;
  return word;
}

/** `stringWord(text)` for a string value at `position` (below `RECENT_POSITIONS`) of a top-level message. */
function recentValueWord(position: number, text: string): number {
  const first = 2 * position;
  if (recentValues[first] === text) return recentValueWords[first]!;
  const second = first + 1;
  if (recentValues[second] === text) return recentValueWords[second]!;
  const word = stringWord(text);
  recentValues[second] = recentValues[first]!;
  recentValueWords[second] = recentValueWords[first]!;
  recentValues[first] = text;
  recentValueWords[first] = word;
  return word;
}

/**
 * The keys last seen at the first positions of top-level plain objects `sealAndHash` was given (facts
 * repeat theirs: `type`, `member`, `status`, `incarnation`), their hashes, and the last string value at
 * each of those positions. A cache only, as for messages above (a hit gives exactly `stringWord`'s word);
 * kept apart from the messages' so that facts and messages, which alternate, do not evict each other.
 */
const recordKeys: string[] = new Array<string>(RECENT_POSITIONS).fill('');
const recordKeyWords = new Int32Array(RECENT_POSITIONS).fill(stringWord(''));
const recordValues: string[] = new Array<string>(RECENT_POSITIONS).fill('');
const recordValueWords = new Int32Array(RECENT_POSITIONS).fill(stringWord(''));

/**
 * `objectInto(CONTENT_SEED, record, 0, true)` (what `sealInto` does with a top-level plain object), with
 * the words of the keys and string values at the first positions taken from the cache when they repeat.
 */
function sealRecord(record: Record<string, unknown>): number {
  let h = step(CONTENT_SEED, 10);
  let position = 0;
  for (const key in record) {
    const field = record[key];
    if (position < RECENT_POSITIONS) {
      let keyWord: number;
      if (recordKeys[position] === key) keyWord = recordKeyWords[position]!;
      else {
        keyWord = stringWord(key);
        recordKeys[position] = key;
        recordKeyWords[position] = keyWord;
      }
      h = step(h, keyWord);
      if (typeof field === 'string') {
        let valueWord: number;
        if (recordValues[position] === field) valueWord = recordValueWords[position]!;
        else {
          valueWord = stringWord(field);
          recordValues[position] = field;
          recordValueWords[position] = valueWord;
        }
        h = step(h, valueWord);
        position++;
        continue;
      }
    } else h = step(h, stringWord(key));
    if (typeof field === 'number' && (field | 0) === field) h = step(h, integerWord(field));
    else if (typeof field === 'string') h = step(h, stringWord(field));
    else h = sealInto(h, field, 1, true) | 0;
    position++;
  }
  h = step(h, 11);
  Object.freeze(record);
  return h;
}

/**
 * Hashes a top-level message object or array and freezes what it contains, not itself. The common
 * case (a plain object whose fields are small integers and strings) is handled here without a call.
 */
function sealTopLevel(msg: object): number {
  const record = msg as Record<string, unknown>;
  // The usual message, an object literal, passes the first test on its hidden class alone (which the
  // optimiser then knows, for the loop below); anything else takes the exact test.
  if (record.constructor !== Object || Object.getPrototypeOf(msg) !== Object.prototype) {
    if (Array.isArray(msg)) return sealInto(CONTENT_SEED, msg, 0, false);
    const proto = Object.getPrototypeOf(msg);
    if (proto !== Object.prototype && proto !== null) assert(false, 'messages must be plain data (no Map, Set or class instances)');
  }
  let h = 0x8d9ba1e1 | 0; // step(CONTENT_SEED, 10): the opening tag of an object
  let position = 0;
  for (const key in record) {
    const recent = position < RECENT_POSITIONS;
    h = step(h, recent ? recentKeyWord(position, key) : stringWord(key));
    const field = record[key];
    if (typeof field === 'number' && (field | 0) === field) h = step(h, integerWord(field));
    else if (typeof field === 'string') h = step(h, recent ? recentValueWord(position, field) : stringWord(field));
    else h = sealInto(h, field, 1) | 0; // `| 0` keeps h a 32-bit integer for the optimiser
    position++;
  }
  // No end marker: nothing follows the top level.
  return h;
}

function sealInto(h: number, value: unknown, depth: number, freeze = true): number {
  switch (typeof value) {
    case 'number':
      if ((value | 0) === value) return step(h, integerWord(value));
      float64[0] = value;
      return step(step(step(h, 2), float64Words[0]!), float64Words[1]!);
    case 'string':
      return step(h, stringWord(value));
    case 'boolean':
      return step(h, value ? 4 : 5);
    case 'undefined':
      return step(h, 6);
    case 'bigint':
      return step(step(h, 7), stringWord(value.toString()));
    case 'object': {
      if (value === null) return step(h, 8);
      if (depth >= MAX_DEPTH) assert(false, `message nests deeper than ${MAX_DEPTH} levels`);
      if (depth > deepestLevel) deepestLevel = depth;
      if (Array.isArray(value)) {
        h = step(step(h, 9), value.length);
        for (let i = 0; i < value.length; i++) h = sealInto(h, value[i], depth + 1) | 0;
        if (freeze) Object.freeze(value);
        return h;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) assert(false, 'messages must be plain data (no Map, Set or class instances)');
      if (depth === 0) return objectInto(h, value as Record<string, unknown>, depth, freeze);
      // An object nested in a message is folded as one word, its own hash: a log entry re-sent in many
      // messages is hashed once. Only a cache: the word is the same whether or not it was cached.
      const wasFrozen = Object.isFrozen(value);
      if (wasFrozen && depth <= KEPT_HASH_DEPTH_MAX) {
        const kept = sealedObjectHashes.get(value);
        if (kept !== undefined) return step(h, kept);
      }
      const outerLevel = deepestLevel;
      deepestLevel = depth;
      const own = fmix(objectInto(CONTENT_SEED, value as Record<string, unknown>, depth, true));
      const levelsBelow = deepestLevel - depth;
      if (outerLevel > deepestLevel) deepestLevel = outerLevel;
      // Kept from its second sighting on (most objects are sent once, and a cache entry costs more than
      // a hash). It was deep-frozen by its first sealing, so its content can no longer change; and it
      // nests shallow enough that no use of the kept hash skips a walk the depth limit would stop.
      if (wasFrozen && depth <= KEPT_HASH_DEPTH_MAX && levelsBelow < MAX_DEPTH - KEPT_HASH_DEPTH_MAX) sealedObjectHashes.set(value, own);
      return step(h, own);
    }
    default:
      assert(false, `messages must be plain data, got a ${typeof value}`);
  }
}

/**
 * The own hashes of objects nested in messages that arrived frozen (sent before, or frozen by their
 * sender), for objects at most `KEPT_HASH_DEPTH_MAX` deep in a message.
 */
const sealedObjectHashes = new WeakMap<object, number>();
const KEPT_HASH_DEPTH_MAX = 8;
/** The deepest object level the walk in progress has reached (how deep a kept object nests). */
let deepestLevel = 0;

/** Hashes a plain object's fields into `h` (tag, keys and values, end marker), freezing it if asked. */
function objectInto(h: number, record: Record<string, unknown>, depth: number, freeze: boolean): number {
  h = step(h, 10);
  for (const key in record) {
    h = step(h, stringWord(key));
    const field = record[key];
    // Small integers and strings, the commonest fields, are mixed here without a call.
    if (typeof field === 'number' && (field | 0) === field) h = step(h, integerWord(field));
    else if (typeof field === 'string') h = step(h, stringWord(field));
    else h = sealInto(h, field, depth + 1, freeze) | 0;
  }
  // End marker: {a:{}} and {a:{},b:1} differ from flattened look-alikes.
  h = step(h, 11);
  if (freeze) Object.freeze(record);
  return h;
}
