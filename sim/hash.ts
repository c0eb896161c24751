// Hashing for the run fingerprint: a running 64-bit digest (two 32-bit lanes) over every trace
// event, and a content hash of messages that also deep-freezes them so sender and receiver never share
// mutable objects. Assumes messages are plain data: null, booleans, numbers, strings, arrays, plain objects.

import { assert } from './assert.js';

const float64 = new Float64Array(1);
const float64Words = new Int32Array(float64.buffer);

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A running 64-bit digest. Feed it 32-bit words; order matters. */
export class Fingerprint {
  private high = 0x6a09e667 | 0;
  private low = 0xbb67ae85 | 0;
  private words = 0;

  /**
   * Folds one 32-bit word into both lanes: one multiply each (FNV-style), the second lane also
   * taking the first's state. The avalanche happens once, in `hex()`; this runs for every event.
   */
  word(value: number): void {
    const high = Math.imul(this.high ^ value, 0x01000193);
    this.high = high;
    this.low = (Math.imul(this.low ^ value, 0x5bd1e995) + high) | 0;
    this.words++;
  }

  /** Folds a non-negative integer up to 2^53 (a time in micros, a counter) as two words. */
  integer(value: number): void {
    this.word(value >>> 0);
    // Virtual times past 2^32 us (71 minutes) add their high word; earlier ones need not.
    if (value > 0xffff_ffff) this.word((value / 0x1_0000_0000) | 0);
  }

  /** Folds a string. */
  string(text: string): void {
    this.word(hashString(text));
  }

  /** The digest so far as 16 lowercase hex characters. */
  hex(): string {
    const high = fmix(this.high ^ this.words);
    const low = fmix(this.low ^ high);
    return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
  }
}

/** A 32-bit hash of a string (murmur3-style mixing over UTF-16 code units). */
export function hashString(text: string): number {
  let h = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = Math.imul(rotl(k, 15), 0x1b873593);
    h = (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
  }
  return fmix(h);
}

/**
 * Deep-freezes `value` and returns a 32-bit hash of its content (keys in insertion order).
 * Throws on values that are not plain data (functions, Maps, class instances), which a
 * message on a real wire could not carry either.
 */
export function sealAndHash(value: unknown): number {
  return fmix(sealInto(0x811c9dc5, value, 0));
}

/**
 * Prepares a message for the wire: returns what the receiver will get and sets `wireHash` to its
 * content hash. The top level is copied (V8 clones a plain object far faster than it freezes one),
 * everything nested is deep-frozen in place, so sender and receiver never share a mutable object.
 */
export function toWire(msg: unknown): unknown {
  if (msg !== null && typeof msg === 'object') {
    // A broadcast sends one object to every peer: hash and freeze its nested parts once.
    if (msg !== lastWireSource) {
      wireHash = fmix(sealTopLevel(msg));
      lastWireSource = msg;
      lastWireHash = wireHash;
    } else {
      wireHash = lastWireHash;
    }
    return Array.isArray(msg) ? msg.slice() : { ...(msg as object) };
  }
  wireHash = fmix(sealInto(0x811c9dc5, msg, 0));
  return msg;
}

/** The content hash of the message `toWire` prepared last. */
export let wireHash = 0;
let lastWireSource: unknown = undefined;
let lastWireHash = 0;

/** A copy for a second delivery (duplication): the receiver may have changed the first one. */
export function copyOnWire(msg: unknown): unknown {
  if (msg === null || typeof msg !== 'object') return msg;
  return Array.isArray(msg) ? msg.slice() : { ...(msg as object) };
}

const MAX_DEPTH = 64;
const FNV_PRIME = 0x01000193;

// The content hash streams every tag, number and character into one FNV-1a state (one multiply per
// unit) and mixes it once at the end: on the send path this is several times cheaper than hashing
// each string separately. Strings are length-prefixed so that "ab","c" and "a","bc" differ.

function streamString(h: number, text: string): number {
  h = Math.imul(h ^ (text.length | 0x3000_0000), FNV_PRIME);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Hashes a top-level message object or array and freezes what it contains, not itself. */
function sealTopLevel(msg: object): number {
  return sealInto(0x811c9dc5, msg, 0, false);
}

function sealInto(h: number, value: unknown, depth: number, freeze = true): number {
  switch (typeof value) {
    case 'number':
      if ((value | 0) === value) return Math.imul(Math.imul(h ^ 1, FNV_PRIME) ^ value, FNV_PRIME);
      float64[0] = value;
      h = Math.imul(Math.imul(h ^ 2, FNV_PRIME) ^ float64Words[0]!, FNV_PRIME);
      return Math.imul(h ^ float64Words[1]!, FNV_PRIME);
    case 'string':
      return streamString(Math.imul(h ^ 3, FNV_PRIME), value);
    case 'boolean':
      return Math.imul(h ^ (value ? 4 : 5), FNV_PRIME);
    case 'undefined':
      return Math.imul(h ^ 6, FNV_PRIME);
    case 'bigint':
      return streamString(Math.imul(h ^ 7, FNV_PRIME), value.toString());
    case 'object': {
      if (value === null) return Math.imul(h ^ 8, FNV_PRIME);
      if (depth >= MAX_DEPTH) assert(false, `message nests deeper than ${MAX_DEPTH} levels`);
      if (Array.isArray(value)) {
        h = Math.imul(Math.imul(h ^ 9, FNV_PRIME) ^ value.length, FNV_PRIME);
        for (let i = 0; i < value.length; i++) h = sealInto(h, value[i], depth + 1);
        if (freeze) Object.freeze(value);
        return h;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) assert(false, 'messages must be plain data (no Map, Set or class instances)');
      h = Math.imul(h ^ 10, FNV_PRIME);
      const record = value as Record<string, unknown>;
      for (const key in record) {
        h = streamString(h, key);
        const field = record[key];
        // Small integers, the commonest field, are mixed here without a call.
        if (typeof field === 'number' && (field | 0) === field) h = Math.imul(Math.imul(h ^ 1, FNV_PRIME) ^ field, FNV_PRIME);
        else if (typeof field === 'string') h = streamString(Math.imul(h ^ 3, FNV_PRIME), field);
        else h = sealInto(h, field, depth + 1);
      }
      // End marker: {a:{}} and {a:{},b:1} differ from flattened look-alikes.
      h = Math.imul(h ^ 11, FNV_PRIME);
      if (freeze) Object.freeze(value);
      return h;
    }
    default:
      assert(false, `messages must be plain data, got a ${typeof value}`);
  }
}
