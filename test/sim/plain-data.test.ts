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

  it('copies a value that is frozen only at its top', () => {
    const inner = { n: 1 };
    const outer = Object.freeze({ inner });
    const copy = frozenCopy(outer);
    expect(copy).not.toBe(outer);
    inner.n = 2;
    expect(copy.inner.n).toBe(1);
  });
});
