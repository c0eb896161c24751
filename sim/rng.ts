// The engine's only source of randomness: seeded generators, Baagøe's Alea (the draws of seedrandom's
// `alea`, checked against it in test/sim/rng.test.ts). A run has one 32-bit seed; labelled child streams
// (`fork('node:n3')`) are derived from the parent's seed and the label alone, so adding a node or a fault
// never reshuffles anyone else's draws.

import { assert } from './assert.js';

export const SEED_MAX = 0xffff_ffff;

/** True for an integer seed in 0 … 2^32−1. */
export function isValidSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= SEED_MAX;
}

// Alea's seeding, written out here rather than taken from seedrandom: a large cluster creates a stream per
// link it uses (tens of thousands at 512 members), and seedrandom's `alea` builds five closures and an
// object for each; this builds one closure. The draws are seedrandom's, bit for bit.

/** Baagøe's Mash: folds `text` into the hash state `n` (a float below 2^33) and returns the new state. */
function mash(n: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    n += text.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * 0x100000000; // 2^32
  }
  return n;
}

/** What Mash returns to Alea's seeding after folding a text into state `n`: a float in [0, 1). */
function mashFraction(n: number): number {
  return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
}

// Alea's seeding begins with three Mash calls on ' ': their results and the state after them are the
// same for every seed.
const MASH_START = 0xefc8249d;
const SPACE_1 = mash(MASH_START, ' ');
const SPACE_2 = mash(SPACE_1, ' ');
const SPACE_3 = mash(SPACE_2, ' ');

/**
 * Alea's generator: three lagged states and a carry, in a typed array (a double held in a closure's
 * variable or an object's field is boxed, so every draw would allocate numbers for the collector). A
 * class with a method, not a closure per stream: a call site sees one function and can inline it.
 */
class AleaGenerator {
  private readonly state = new Float64Array(4);

  constructor(s0: number, s1: number, s2: number) {
    this.state[0] = s0;
    this.state[1] = s1;
    this.state[2] = s2;
    this.state[3] = 1; // the carry c
  }

  /** A float in [0, 1). */
  next(): number {
    const state = this.state;
    const t = 2091639 * state[0]! + state[3]! * 2.3283064365386963e-10; // 2^-32
    state[0] = state[1]!;
    state[1] = state[2]!;
    const c = t | 0;
    state[3] = c;
    return (state[2] = t - c);
  }
}

/**
 * Alea seeded with the text `head + tail` (never built: Mash reads one character after another, so it
 * folds the two in turn). `headPass`, when given, is `mash(SPACE_3, head)`.
 */
function alea(head: string, tail: string, headPass = mash(SPACE_3, head)): AleaGenerator {
  const n1 = mash(headPass, tail);
  const n2 = mash(mash(n1, head), tail);
  const n3 = mash(mash(n2, head), tail);
  let s0 = mashFraction(SPACE_1) - mashFraction(n1);
  if (s0 < 0) s0 += 1;
  let s1 = mashFraction(SPACE_2) - mashFraction(n2);
  if (s1 < 0) s1 += 1;
  let s2 = mashFraction(SPACE_3) - mashFraction(n3);
  if (s2 < 0) s2 += 1;
  return new AleaGenerator(s0, s1, s2);
}

/** A deterministic random stream. Every draw depends only on the seed path and the draws before it. */
export class Rng {
  private readonly gen: AleaGenerator;
  private drawFn: (() => number) | undefined;

  /**
   * Creates the root stream of a run, or (through `fork`) a labelled child stream. The seed path is
   * `seedPath + tail`; `gen` is for `siblings` only: the generator, already seeded with it.
   */
  constructor(
    private readonly head: string,
    private readonly tail = '',
    gen?: AleaGenerator,
  ) {
    this.gen = gen ?? alea(head, tail);
  }

  /** The raw generator as a function (a float in [0, 1)), for code that takes one; `next()` is the faster call. */
  get draw(): () => number {
    return (this.drawFn ??= () => this.gen.next());
  }

  /** The text the stream is seeded with (a stream made by `siblings` keeps its two parts, not their join). */
  get seedPath(): string {
    return this.head + this.tail;
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
   * Child streams whose labels share `prefix`: `siblings(prefix)(suffix)` is `fork(prefix + suffix)`
   * (the engine's link streams of one sender, created as its messages first cross each link).
   */
  siblings(prefix: string): (suffix: string) => Rng {
    const path = `${this.seedPath}/${prefix}`;
    // The first of seeding's three passes over the path folds the shared prefix first: done once here.
    const firstPass = mash(SPACE_3, path);
    return (suffix) => new Rng(path, suffix, alea(path, suffix, firstPass));
  }

  /** A float in [0, 1). */
  next(): number {
    return this.gen.next();
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    // Checked without building the message first: this is on the engine's hot path.
    if (!(min <= max)) assert(false, `bad int range [${min}, ${max}]`);
    return min + Math.floor(this.gen.next() * (max - min + 1));
  }

  /** True with probability `p` (0 never draws true, 1 always does). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.gen.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick from an empty array');
    return items[Math.floor(this.gen.next() * items.length)]!;
  }

  /** A uniformly shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.gen.next() * (i + 1));
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }

  /** An exponentially distributed integer with the given mean (≥ 0). */
  exponentialMicros(meanMicros: number): number {
    return Math.floor(-Math.log(1 - this.gen.next()) * meanMicros);
  }

  /** A Pareto-distributed integer ≥ `scaleMicros` with tail index `shape` (heavy-tailed for small shapes). */
  paretoMicros(scaleMicros: number, shape: number): number {
    return Math.floor(scaleMicros / Math.pow(1 - this.gen.next(), 1 / shape));
  }
}
