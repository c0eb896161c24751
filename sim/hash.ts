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

  /** Folds one 32-bit word into both lanes. */
  word(value: number): void {
    let k = Math.imul(value | 0, 0xcc9e2d51);
    k = Math.imul(rotl(k, 15), 0x1b873593);
    this.high = (Math.imul(rotl(this.high ^ k, 13), 5) + 0xe6546b64) | 0;
    let j = Math.imul(value | 0, 0x85ebca6b);
    j = Math.imul(rotl(j, 17), 0xc2b2ae35);
    this.low = (Math.imul(rotl(this.low ^ j, 11), 9) + 0x2c1b3c6d + this.high) | 0;
    this.words++;
  }

  /** Folds a non-negative integer up to 2^53 (a time in micros, a counter) as two words. */
  integer(value: number): void {
    this.word(value % 0x1_0000_0000);
    this.word(Math.floor(value / 0x1_0000_0000));
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

function mixInto(h: number, word: number): number {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = Math.imul(rotl(k, 15), 0x1b873593);
  return (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
}

/**
 * Deep-freezes `value` and returns a 32-bit hash of its content (keys in insertion order).
 * Throws on values that are not plain data (functions, Maps, class instances), which a
 * message on a real wire could not carry either.
 */
export function sealAndHash(value: unknown): number {
  return fmix(sealInto(0x2545f491, value, 0));
}

const MAX_DEPTH = 64;

function sealInto(h: number, value: unknown, depth: number): number {
  assert(depth <= MAX_DEPTH, `message nests deeper than ${MAX_DEPTH} levels`);
  switch (typeof value) {
    case 'number':
      if ((value | 0) === value) return mixInto(mixInto(h, 1), value);
      float64[0] = value;
      return mixInto(mixInto(mixInto(h, 2), float64Words[0]!), float64Words[1]!);
    case 'string':
      return mixInto(mixInto(h, 3), hashString(value));
    case 'boolean':
      return mixInto(h, value ? 4 : 5);
    case 'undefined':
      return mixInto(h, 6);
    case 'bigint':
      return mixInto(mixInto(h, 7), hashString(value.toString()));
    case 'object': {
      if (value === null) return mixInto(h, 8);
      if (Array.isArray(value)) {
        h = mixInto(mixInto(h, 9), value.length);
        for (let i = 0; i < value.length; i++) h = sealInto(h, value[i], depth + 1);
        Object.freeze(value);
        return h;
      }
      const proto = Object.getPrototypeOf(value);
      assert(proto === Object.prototype || proto === null, 'messages must be plain data (no Map, Set or class instances)');
      h = mixInto(h, 10);
      for (const key in value) {
        h = mixInto(h, hashString(key));
        h = sealInto(h, (value as Record<string, unknown>)[key], depth + 1);
      }
      Object.freeze(value);
      return h;
    }
    default:
      assert(false, `messages must be plain data, got a ${typeof value}`);
  }
}
