// The engine's only source of randomness: seeded generators built on seedrandom (alea).
// A run has one 32-bit seed; labelled child streams (`fork('node:n3')`) are derived from the
// parent's seed and the label alone, so adding a node or a fault never reshuffles anyone else's draws.

import seedrandom from 'seedrandom';
import { assert } from './assert.js';

export const SEED_MAX = 0xffff_ffff;

/** True for an integer seed in 0 … 2^32−1. */
export function isValidSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= SEED_MAX;
}

/** A deterministic random stream. Every draw depends only on the seed path and the draws before it. */
export class Rng {
  /** The raw generator: a float in [0, 1). Hot paths may hold and call it directly. */
  readonly draw: () => number;

  /** Creates the root stream of a run, or (through `fork`) a labelled child stream. */
  constructor(readonly seedPath: string) {
    this.draw = seedrandom.alea(seedPath);
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
    return (suffix) => new Rng(path + suffix);
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
