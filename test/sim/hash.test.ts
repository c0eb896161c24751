// Message sealing: content-sensitive hashes, deep freezing, and refusal of non-data values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fingerprint, sealAndHash } from '../../sim/hash.js';

describe('sealAndHash', () => {
  it('equal content gives equal hashes; JSON-different content gives different hashes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        const ha = sealAndHash(structuredClone(a));
        const hb = sealAndHash(structuredClone(b));
        if (same) expect(ha).toBe(hb);
        else expect(ha).not.toBe(hb);
      }),
      { numRuns: 500 },
    );
  });

  it('deep-freezes the message', () => {
    const msg = { a: { b: [1, { c: 2 }] } };
    sealAndHash(msg);
    expect(Object.isFrozen(msg.a.b[1])).toBe(true);
  });

  it('refuses values that are not plain data', () => {
    expect(() => sealAndHash({ m: new Map() })).toThrow(/plain data/);
    expect(() => sealAndHash({ f: () => 1 })).toThrow(/plain data/);
  });
});

describe('Fingerprint', () => {
  it('depends on every word and its order', () => {
    const digest = (words: number[]) => { const f = new Fingerprint(); words.forEach((w) => f.word(w)); return f.hex(); };
    expect(digest([1, 2, 3])).toBe(digest([1, 2, 3]));
    expect(digest([1, 2, 3])).not.toBe(digest([3, 2, 1]));
    expect(digest([1, 2, 3])).not.toBe(digest([1, 2, 3, 0]));
    expect(digest([])).toMatch(/^[0-9a-f]{16}$/);
  });
});
