// The plain-data copy against its naive twin, structuredClone; and the frozen copy that disks keep.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clonePlain, freezeDeep, frozenCopy } from '../../sim/plain-data.js';

const anyValue = fc.anything({
  withNullPrototype: true, withMap: true, withSet: true, withDate: true, withSparseArray: true, withBigInt: true,
  withTypedArray: true, maxDepth: 4,
});

describe('clonePlain', () => {
  it('gives what structuredClone gives, for any value', () => {
    fc.assert(fc.property(anyValue, (value) => {
      expect(clonePlain(value)).toStrictEqual(structuredClone(value));
    }), { numRuns: 500 });
  });

  it('shares nothing mutable with the original', () => {
    const original = { list: [1, { deep: 'x' }], nested: { a: null } };
    const copy = clonePlain(original);
    expect(copy).not.toBe(original);
    expect(copy.list).not.toBe(original.list);
    expect(copy.list[1]).not.toBe(original.list[1]);
    expect(copy.nested).not.toBe(original.nested);
  });

  it('copies named properties on arrays, and values whose parts are shared many times over, as structuredClone does', () => {
    const named = Object.assign([1, 2], { extra: 'x' });
    expect(Object.keys(clonePlain({ named }).named)).toEqual(['0', '1', 'extra']);
    // Twenty-four levels of [d, d]: 2^24 paths, handed to structuredClone (which keeps the sharing) instead of walked.
    let shared: unknown[] = [];
    for (let level = 0; level < 24; level++) shared = [shared, shared];
    const copy = clonePlain(shared);
    expect(copy === shared).toBe(false);
    expect(copy[0]).toBe(copy[1]);
  });

  it('copies an own __proto__ key, cycles and Maps as structuredClone does', () => {
    const withProtoKey = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    expect(Object.keys(clonePlain(withProtoKey))).toEqual(['__proto__', 'y']);
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const copy = clonePlain(cyclic);
    expect(copy.self).toBe(copy);
    expect(clonePlain({ m: new Map([[1, 2]]) }).m.get(1)).toBe(2);
  });
});

describe('frozenCopy', () => {
  it('returns frozen plain data itself, and a frozen equal copy of anything else', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (value, frozen) => {
      if (frozen) freezeDeep(value);
      const copy = frozenCopy(value);
      expect(copy).toStrictEqual(value);
      const isObject = value !== null && typeof value === 'object';
      if (frozen || !isObject) expect(copy).toBe(value);
      else expect(copy).not.toBe(value);
      if (isObject) expect(Object.isFrozen(copy)).toBe(true);
    }));
  });

  it('copies frozen values that could still change or are not plain data: getters, hidden or symbol-keyed children, named array properties', () => {
    const state = { x: 1 };
    const getter = Object.freeze({ get x() { return state.x; } });
    const hidden = Object.freeze(Object.defineProperty({}, 'child', { value: { n: 1 }, enumerable: false }));
    const symbolKeyed = Object.freeze({ [Symbol('s')]: { n: 1 } });
    const namedArray = Object.freeze(Object.assign([1], { extra: { n: 1 } }));
    for (const value of [getter, hidden, symbolKeyed, namedArray]) expect(frozenCopy(value)).not.toBe(value);
    const stored = frozenCopy(getter);
    state.x = 99;
    expect(stored.x).toBe(1);
  });

  it('copies a value that is frozen only at its top', () => {
    const inner = { n: 1 };
    const outer = Object.freeze({ inner });
    const copy = frozenCopy(outer);
    expect(copy).not.toBe(outer);
    inner.n = 2;
    expect(copy.inner.n).toBe(1);
  });
});
