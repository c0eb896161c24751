// The engine's only source of randomness: seeded generators, Johannes Baagøe's Alea (the generator and
// seeding that seedrandom's `alea` implements, draw for draw; test/sim/rng.test.ts checks it against
// seedrandom). A run has one 32-bit seed; labelled child streams (`fork('node:n3')`) are derived from the
// parent's seed and the label alone, so adding a node or a fault never reshuffles anyone else's draws.

import { assert } from './assert.js';

export const SEED_MAX = 0xffff_ffff;

/** True for an integer seed in 0 … 2^32−1. */
export function isValidSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= SEED_MAX;
}

/** 2^-32. */
const TWO_TO_MINUS_32 = 2.3283064365386963e-10;

/**
 * Alea's string hash (Mash), one pass over `text` from hash state `n`; returns the new state. Its value
 * as a fraction is `(n >>> 0) * 2^-32`. Hashing a string in two parts, one after the other, is hashing it whole.
 */
function mash(n: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    n += text.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * 0x100000000;
  }
  return n;
}

/**
 * Alea's seeding starts from the three hashes of a space, the same for every seed: computed once here
 * (the hash state after them, and the three fractions). Each stream then pays for three passes over its
 * seed path only; a cluster of 512 nodes creates up to 262,144 link streams.
 */
const MASH_START = 0xefc8249d;
const SPACE_1 = mash(MASH_START, ' ');
const SPACE_2 = mash(SPACE_1, ' ');
const SPACE_3 = mash(SPACE_2, ' ');

/** A seed path's prefix and the hash state after Alea's first pass over it (see `Rng.siblings`). */
interface HashedPrefix {
  readonly path: string;
  readonly state: number;
}

/** A deterministic random stream. Every draw depends only on the seed path and the draws before it. */
export class Rng {
  /** The raw generator: a float in [0, 1). Hot paths may hold and call it directly. */
  declare readonly draw: () => number;
  // Alea's state: three fractions and a carry. Declared only, first set in the constructor: a class
  // field would first hold undefined, and a number field that once held undefined boxes every number
  // stored in it (an allocation per draw).
  private declare s0: number;
  private declare s1: number;
  private declare s2: number;
  private declare c: number;

  /**
   * Creates the root stream of a run, or (through `fork` or `siblings`) a labelled child stream.
   * `prefix` and `suffix` (from `siblings`): the seed path is `prefix.path + suffix`, and the first
   * hash pass over `prefix.path` is done already. The path is then hashed in its two parts, so the
   * joined string is never flattened (it stays two pointers to strings shared with others).
   */
  constructor(readonly seedPath: string, prefix?: HashedPrefix, suffix?: string) {
    // Alea's seeding: each fraction is a space's hash less the seed path's (wrapped into [0, 1)), the
    // hash state running on through all six passes.
    let n1: number;
    let n2: number;
    let n3: number;
    if (prefix === undefined || suffix === undefined) {
      n1 = mash(SPACE_3, seedPath);
      n2 = mash(n1, seedPath);
      n3 = mash(n2, seedPath);
    } else {
      n1 = mash(prefix.state, suffix);
      n2 = mash(mash(n1, prefix.path), suffix);
      n3 = mash(mash(n2, prefix.path), suffix);
    }
    this.s0 = fraction((SPACE_1 >>> 0) * TWO_TO_MINUS_32 - (n1 >>> 0) * TWO_TO_MINUS_32);
    this.s1 = fraction((SPACE_2 >>> 0) * TWO_TO_MINUS_32 - (n2 >>> 0) * TWO_TO_MINUS_32);
    this.s2 = fraction((SPACE_3 >>> 0) * TWO_TO_MINUS_32 - (n3 >>> 0) * TWO_TO_MINUS_32);
    this.c = 1;
    // Alea's step: a multiply-with-carry over the last three fractions.
    this.draw = () => {
      const t = 2091639 * this.s0 + this.c * TWO_TO_MINUS_32;
      const c = t | 0;
      this.s0 = this.s1;
      this.s1 = this.s2;
      this.c = c;
      return (this.s2 = t - c);
    };
  }

  static fromSeed(seed: number): Rng {
    assert(isValidSeed(seed), `seed must be an integer in 0…${SEED_MAX}, got ${seed}`);
    return new Rng(`faultline:${seed}`);
  }

  /** A child stream named by `label`; independent of how much the parent has drawn. */
  fork(label: string): Rng {
    return new Rng(`${this.seedPath}/${label}`);
  }

  /**
   * Child streams whose labels share `prefix`: `siblings(prefix)(suffix)` draws exactly as
   * `fork(prefix + suffix)`, but the prefix is hashed once for all of them (the engine's link streams,
   * `link:n1->` then each destination).
   */
  siblings(prefix: string): (suffix: string) => Rng {
    const path = `${this.seedPath}/${prefix}`;
    const hashed: HashedPrefix = { path, state: mash(SPACE_3, path) };
    return (suffix) => new Rng(path + suffix, hashed, suffix);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    // Checked without building the message first: this is on the engine's hot path.
    if (!(min <= max)) assert(false, `bad int range [${min}, ${max}]`);
    return min + Math.floor(this.draw() * (max - min + 1));
  }

  /** True with probability `p` (0 never draws true, 1 always does). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.draw() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick from an empty array');
    return items[Math.floor(this.draw() * items.length)]!;
  }

  /** A uniformly shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.draw() * (i + 1));
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }

  /** An exponentially distributed integer with the given mean (≥ 0). */
  exponentialMicros(meanMicros: number): number {
    return Math.floor(-Math.log(1 - this.draw()) * meanMicros);
  }

  /** A Pareto-distributed integer ≥ `scaleMicros` with tail index `shape` (heavy-tailed for small shapes). */
  paretoMicros(scaleMicros: number, shape: number): number {
    return Math.floor(scaleMicros / Math.pow(1 - this.draw(), 1 / shape));
  }
}

/** A difference of two fractions in [0, 1), wrapped back into [0, 1). */
function fraction(x: number): number {
  return x < 0 ? x + 1 : x;
}
