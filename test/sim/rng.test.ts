// Seeded streams: reproducible, independent per label, and within their stated ranges.
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { isValidSeed, Rng } from '../../sim/rng.js';

const draws = (rng: Rng, n = 20) => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('draws what seedrandom\'s alea draws for the same seed path (every fingerprint and replay file depends on it)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 0xffff_ffff }).map((s) => `faultline:${s}/link:n1->n2`)), (path) => {
        const reference = seedrandom.alea(path);
        const draw = new Rng(path).draw;
        for (let i = 0; i < 50; i++) expect(draw()).toBe(reference());
      }),
      { numRuns: 300 },
    );
  });

  it('same seed, same stream; different seeds, different streams', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), (a, b) => {
        expect(draws(Rng.fromSeed(a))).toEqual(draws(Rng.fromSeed(a)));
        if (a !== b) expect(draws(Rng.fromSeed(a))).not.toEqual(draws(Rng.fromSeed(b)));
      }),
    );
  });

  it('siblings(prefix)(suffix) is fork(prefix + suffix)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.string(), fc.string(), (seed, prefix, suffix) => {
        const sibling = Rng.fromSeed(seed).siblings(prefix)(suffix);
        const forked = Rng.fromSeed(seed).fork(prefix + suffix);
        expect(sibling.seedPath).toBe(forked.seedPath);
        expect(draws(sibling)).toEqual(draws(forked));
      }),
    );
  });

  it('a forked stream does not depend on how much the parent or a sibling has drawn', () => {
    const quiet = Rng.fromSeed(7);
    const busy = Rng.fromSeed(7);
    draws(busy, 1000);
    draws(busy.fork('node:n1'), 1000);
    expect(draws(busy.fork('node:n3'))).toEqual(draws(quiet.fork('node:n3')));
    expect(draws(quiet.fork('node:n3'))).not.toEqual(draws(quiet.fork('node:n4')));
  });

  it('int stays in [min, max] and reaches both ends', () => {
    const rng = Rng.fromSeed(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.int(3, 9);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(9);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('chance(0) is never and chance(1) is always; shuffle is a permutation', () => {
    const rng = Rng.fromSeed(2);
    for (let i = 0; i < 100; i++) {
      expect(rng.chance(0)).toBe(false);
      expect(rng.chance(1)).toBe(true);
    }
    expect(rng.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('accepts exactly the integer seeds 0 … 2^32−1', () => {
    expect(isValidSeed(0)).toBe(true);
    expect(isValidSeed(0xffff_ffff)).toBe(true);
    expect(isValidSeed(-1)).toBe(false);
    expect(isValidSeed(2 ** 32)).toBe(false);
    expect(isValidSeed(1.5)).toBe(false);
  });
});
