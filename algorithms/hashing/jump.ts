// Jump consistent hash (Lamping & Veach 2014): a 64-bit key and a bucket count n give a bucket in [0, n)
// with no table at all; growing n to n + 1 moves a key only into the new bucket n, and only 1/(n + 1) of
// them. Buckets are the indices of `nodes` in order, so the promise holds only for joins and leaves at the
// END of the list: a node leaving from the middle renumbers every node after it (a teaching point, tested).

import { assert } from '../../sim/assert.js';
import { fmix32 } from './hash.js';
import { checkNodes } from './checks.js';
import type { Placement } from './placement.js';

/** The paper's 64-bit linear congruential multiplier 2862933555777941757, as two 32-bit halves. */
const LCG_HI = 0x27bb2ee6;
const LCG_LO = 0x87b0b0fd;
/** 2³¹ as a double: the numerator of the paper's floating division. */
const TWO_31 = 2147483648;
/** The high word of replica r's 64-bit key is fmix32(hash ^ KEY_SALT(r)); see `jumpKeyHigh`. */
const SALT_STEP = 0x9e3779b9;

/**
 * The high 32 bits of the unsigned product a · b (a, b unsigned 32-bit), by 16-bit halves so that no
 * partial product leaves the doubles' exact range.
 */
function mulHigh32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16)) >>> 0;
}

/**
 * The paper's JumpConsistentHash(key, num_buckets) for the 64-bit key `keyHigh · 2³² + keyLow`, exactly
 * as the C++ computes it: key = key · 2862933555777941757 + 1 (mod 2⁶⁴), then
 * j = ⌊(b + 1) · (2³¹ / ((key >> 33) + 1))⌋ in double precision. Returns the bucket, in [0, buckets).
 */
export function jumpConsistentHash(keyHigh: number, keyLow: number, buckets: number): number {
  let hi = keyHigh >>> 0;
  let lo = keyLow >>> 0;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // key · M mod 2⁶⁴ = lo·Mlo + 2³²·(hi·Mlo + lo·Mhi) mod 2⁶⁴; then + 1, carrying into the high word.
    const low = Math.imul(lo, LCG_LO) >>> 0;
    let high = (mulHigh32(lo, LCG_LO) + Math.imul(hi, LCG_LO) + Math.imul(lo, LCG_HI)) >>> 0;
    lo = (low + 1) >>> 0;
    if (lo === 0) high = (high + 1) >>> 0;
    hi = high;
    // (key >> 33) is the high word shifted right by one: 31 bits.
    j = Math.floor((b + 1) * (TWO_31 / ((hi >>> 1) + 1)));
  }
  return b;
}

/**
 * The high word of the 64-bit jump key of replica draw `r` of a key whose 32-bit hash is `hash`; the low
 * word is the hash itself. Draw 0 is the key's primary. Beyond the paper: the paper takes a 64-bit key; our
 * keys are 32-bit hashes, so the high half is a re-mix of the hash salted by the draw number.
 */
export function jumpKeyHigh(hash: number, r: number): number {
  return fmix32((hash ^ Math.imul(r + 1, SALT_STEP)) >>> 0);
}

/**
 * Jump hash over `nodes` (bucket j is nodes[j]). Replicas, beyond the paper (which places one copy): the
 * owners are the distinct buckets of successive draws r = 0, 1, 2, … each a jump of the key re-salted by r
 * (`jumpKeyHigh`). Each draw moves only to a new last bucket when n grows, so the primary moves exactly
 * as the paper promises; a replica set can, rarely (two draws of one key both landing on the new bucket,
 * probability about R²/n²), pull in one more old node. After 2n + 32 draws without enough distinct
 * buckets (only when R is close to n) the rest are filled by the buckets after the last one drawn, in
 * order; the limit does not depend on R, so owners(h, R) is always a prefix of owners(h, R + 1).
 */
export class Jump implements Placement {
  readonly kind = 'jump';
  private readonly chosen: Uint8Array;
  constructor(readonly nodes: readonly string[]) {
    checkNodes(nodes);
    this.chosen = new Uint8Array(nodes.length);
  }

  owners(hash: number, replicas: number): readonly string[] {
    assert(Number.isInteger(replicas) && replicas >= 1, `jump: replicas must be a positive integer, got ${replicas}`);
    const n = this.nodes.length;
    const count = Math.min(replicas, n);
    const picked: number[] = [];
    const drawsMax = 2 * n + 32;
    let last = 0;
    for (let r = 0; picked.length < count && r < drawsMax; r++) {
      const b = jumpConsistentHash(jumpKeyHigh(hash, r), hash, n);
      last = b;
      if (this.chosen[b] === 0) {
        this.chosen[b] = 1;
        picked.push(b);
      }
    }
    // Beyond the paper: a bounded number of draws, then the next free buckets in order.
    for (let b = (last + 1) % n; picked.length < count; b = (b + 1) % n) {
      if (this.chosen[b] === 0) {
        this.chosen[b] = 1;
        picked.push(b);
      }
    }
    for (const b of picked) this.chosen[b] = 0;
    return picked.map((b) => this.nodes[b]!);
  }

  primary(hash: number): string {
    return this.nodes[jumpConsistentHash(jumpKeyHigh(hash, 0), hash, this.nodes.length)]!;
  }
}
