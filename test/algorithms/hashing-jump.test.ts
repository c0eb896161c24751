// Jump consistent hash: the 32-bit-halves arithmetic against a naive BigInt transcription of the paper's
// C++, its promise for buckets added or removed at the END, and the teaching point that a leave from the
// middle renumbers every later bucket and moves far more than K/n.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jumpConsistentHash, jumpKeyHigh } from '../../algorithms/hashing/jump.js';
import { createPlacement } from '../../algorithms/hashing/placement.js';
import { movementBetween } from '../../algorithms/hashing/spread.js';
import { excessMoves, keyHashes, names } from './hashing-fixtures.js';

/** Lamping & Veach's JumpConsistentHash, line by line, in BigInt (unsigned 64-bit by asUintN). */
function naiveJump(key: bigint, numBuckets: number): number {
  let b = -1n;
  let j = 0n;
  while (j < BigInt(numBuckets)) {
    b = j;
    key = BigInt.asUintN(64, key * 2862933555777941757n + 1n);
    j = BigInt(Math.floor(Number(b + 1n) * (Number(1n << 31n) / Number((key >> 33n) + 1n))));
  }
  return Number(b);
}

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe('jump consistent hash', () => {
  it('equals the BigInt transcription of the paper for any 64-bit key and bucket count', () => {
    fc.assert(fc.property(u64, fc.integer({ min: 1, max: 1 << 20 }), (key, n) => {
      const hi = Number(key >> 32n);
      const lo = Number(key & 0xffff_ffffn);
      expect(jumpConsistentHash(hi, lo, n)).toBe(naiveJump(key, n));
    }), { numRuns: 3000 });
  });

  it('equals the twin on 20,000 key hashes as the placement derives them, and at the edges', () => {
    const hashes = [...keyHashes(20_000), 0, 1, 0xffff_ffff];
    for (const n of [1, 2, 7, 32, 512]) {
      for (const h of hashes) {
        const key = (BigInt(jumpKeyHigh(h, 0)) << 32n) | BigInt(h);
        expect(jumpConsistentHash(jumpKeyHigh(h, 0), h, n)).toBe(naiveJump(key, n));
      }
    }
    // 0x666313ab · 0x87b0b0fd ≡ 2³² − 1 (mod 2³²): the + 1 carries into the high word on the first step.
    expect(Math.imul(0x666313ab, 0x87b0b0fd) >>> 0).toBe(0xffff_ffff);
    for (const lo of [0x666313ab, 0xffff_ffff, 0, 0x8000_0000]) {
      for (const hi of [0, 1, 0xffff_ffff]) expect(jumpConsistentHash(hi, lo, 1000)).toBe(naiveJump((BigInt(hi) << 32n) | BigInt(lo), 1000));
    }
  });

  it('is monotone in the bucket count: from n to n + 1 a key stays or moves to bucket n', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 1, max: 2000 }), (hi, lo, n) => {
      const was = jumpConsistentHash(hi, lo, n);
      const now = jumpConsistentHash(hi, lo, n + 1);
      expect(now === was || now === n).toBe(true);
    }), { numRuns: 2000 });
  });

  it('a join at the end moves about K/(n + 1) primaries, all to the newcomer', () => {
    const keys = keyHashes(50_000);
    const before = createPlacement('jump', names(16));
    const after = createPlacement('jump', names(17));
    expect(excessMoves(before, after, keys, 1)).toBe(0);
    const moved = movementBetween(before, after, keys);
    expect(Math.abs(moved.primariesMoved / moved.primariesMin - 1)).toBeLessThan(0.1);
  });

  it('replicas are near-minimal on a join at the end: a copy goes to an old node only when two draws of a key hit the newcomer', () => {
    // Measured (100,000 keys, R = 3): 2,057 such copies at 8 nodes, 234 at 32, 22 at 100 — about R²·K/n³.
    const keys = keyHashes(100_000);
    expect(excessMoves(createPlacement('jump', names(32)), createPlacement('jump', names(33)), keys, 3)).toBeLessThan(0.005 * keys.length);
    expect(excessMoves(createPlacement('jump', names(32)), createPlacement('jump', names(31)), keys, 3)).toBe(0);
  });

  it('TEACHING POINT: a leave from the middle renumbers the buckets after it and moves about half the keys', () => {
    const keys = keyHashes(20_000);
    const nodes = names(16);
    const before = createPlacement('jump', nodes);
    const after = createPlacement('jump', nodes.filter((n) => n !== 'n8'));
    expect(excessMoves(before, after, keys, 1)).toBeGreaterThan(0);
    const moved = movementBetween(before, after, keys);
    // Measured: 8.9 × the minimum K/n, 56% of the keys (from the middle of 32: 16 ×).
    expect(moved.primariesMoved / moved.primariesMin).toBeGreaterThan(4);
  });
});
