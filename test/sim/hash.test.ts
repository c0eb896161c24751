// Message sealing: content-sensitive hashes, deep freezing, and refusal of non-data values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyOnWire, Fingerprint, sealAndHash, sealForWire } from '../../sim/hash.js';

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

  it('hashes a plain object (the key-cached path) as the general walk does an object without a prototype, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.constantFrom('type', 'member', 'status', 'incarnation', 'a', ''), fc.jsonValue()), { minLength: 1, maxLength: 12 }), (records) => {
        const general = records.map((r) => sealAndHash(Object.assign(Object.create(null), structuredClone(r))));
        // Twice, forwards and backwards: each hash must not depend on what the cache held before it.
        for (const order of [records.map((_, i) => i), records.map((_, i) => records.length - 1 - i)]) {
          for (const i of order) expect(sealAndHash(structuredClone(records[i]!))).toBe(general[i]);
        }
      }),
      { numRuns: 300 },
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

describe('sealForWire', () => {
  const message = fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 6 }), fc.jsonValue());

  it('equal content gives equal hashes, JSON-different content different ones, whatever was sent before', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 2, maxLength: 8 }), (messages) => {
        const hashes = messages.map((m) => sealForWire(structuredClone(m)));
        // Hashed again in reverse order: the same values (the cache of recent keys is only a cache).
        [...messages].reverse().forEach((m, i) => expect(sealForWire(structuredClone(m))).toBe(hashes[messages.length - 1 - i]));
        for (let i = 0; i < messages.length; i++) {
          for (let j = i + 1; j < messages.length; j++) {
            if (JSON.stringify(messages[i]) === JSON.stringify(messages[j])) expect(hashes[i]).toBe(hashes[j]);
            else expect(hashes[i]).not.toBe(hashes[j]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('tells apart messages of one shape that differ in one key or one value', () => {
    const base = sealForWire({ type: 'append', term: 3, from: 'n1' });
    expect(sealForWire({ type: 'append', term: 3, from: 'n1' })).toBe(base);
    expect(sealForWire({ type: 'append', term: 4, from: 'n1' })).not.toBe(base);
    expect(sealForWire({ type: 'append', term: 3, from: 'n2' })).not.toBe(base);
    expect(sealForWire({ type: 'append', tern: 3, from: 'n1' })).not.toBe(base);
    expect(sealForWire({ term: 3, type: 'append', from: 'n1' })).not.toBe(base);
  });

  it('gives one message one hash however the recent keys and values cached before it ran', () => {
    const types = ['append', 'vote', 'reply', ''];
    const first = types.map((type) => sealForWire({ type, term: 1, '': type }));
    expect(new Set(first).size).toBe(types.length);
    for (let round = 0; round < 3; round++) {
      types.forEach((type, i) => expect(sealForWire({ type, term: 1, '': type })).toBe(first[i]));
      [...types].reverse().forEach((type, i) => expect(sealForWire({ type, term: 1, '': type })).toBe(first[types.length - 1 - i]));
    }
  });

  it('hashes a nested object the same whether it is sealed for the first time or re-sent (its hash cached)', () => {
    const nestedObject = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(nestedObject, { minLength: 1, maxLength: 5 }), fc.integer(), (entries, term) => {
        const shared = structuredClone(entries);
        const fresh = () => sealForWire({ type: 'append', term, entries: structuredClone(entries) });
        const resent = () => sealForWire({ type: 'append', term, entries: shared.slice() });
        const expected = fresh();
        // First sighting (not yet frozen), second (frozen, cached now), third and later (cache hits).
        for (let sighting = 0; sighting < 4; sighting++) expect(resent()).toBe(expected);
        expect(fresh()).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('a nested object frozen only at its top by the sender is sealed all the way down before its hash is kept', () => {
    const inner = { n: 1 };
    const entry = Object.freeze({ inner });
    const first = sealForWire({ entries: [entry] });
    expect(Object.isFrozen(inner)).toBe(true);
    expect(sealForWire({ entries: [entry] })).toBe(first);
    expect(sealForWire({ entries: [{ inner: { n: 2 } }] })).not.toBe(first);
  });

  it('the depth limit holds for an object whose hash was kept: no message is accepted only because of what was sent before', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 55; level++) deep = { next: deep };
    sealForWire({ entry: deep });
    sealForWire({ entry: deep }); // now kept
    let wrapped: Record<string, unknown> = { entry: deep };
    for (let level = 0; level < 20; level++) wrapped = { next: wrapped };
    expect(() => sealForWire(wrapped)).toThrow(/nests deeper than 64 levels/);
  });

  it('freezes what the message contains and leaves its top level to the copy', () => {
    const msg = { a: { b: [1, { c: 2 }] }, n: 1 };
    sealForWire(msg);
    expect(Object.isFrozen(msg)).toBe(false);
    expect(Object.isFrozen(msg.a.b[1])).toBe(true);
    const copy = copyOnWire(msg) as typeof msg;
    expect(copy).not.toBe(msg);
    expect(copy).toEqual(msg);
  });

  it('refuses values that are not plain data', () => {
    expect(() => sealForWire(new Map())).toThrow(/plain data/);
    expect(() => sealForWire({ nested: new Set() })).toThrow(/plain data/);
    class Point { x = 1; }
    expect(() => sealForWire(new Point())).toThrow(/plain data/);
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

  it('changes with any one field of an event', () => {
    const digest = (head: number, at: number, a: number, b: number) => { const f = new Fingerprint(); f.event(head, at, a, b); return f.hex(); };
    const base = digest(0x102, 1_000, 7, 0x1234_5678);
    expect(digest(0x102, 1_000, 7, 0x1234_5678)).toBe(base);
    expect(digest(0x103, 1_000, 7, 0x1234_5678)).not.toBe(base);
    expect(digest(0x102, 1_001, 7, 0x1234_5678)).not.toBe(base);
    expect(digest(0x102, 1_000 + 2 ** 32, 7, 0x1234_5678)).not.toBe(base);
    expect(digest(0x102, 1_000, 8, 0x1234_5678)).not.toBe(base);
    expect(digest(0x102, 1_000, 7, 0x1234_5679)).not.toBe(base);
  });
});
