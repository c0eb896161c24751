// The playground's binary searches against a naive twin (a linear count) on sorted lists with repeats.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countAtOrBefore, countBefore } from '../../playground/search.js';

describe('countAtOrBefore and countBefore', () => {
  it('count what a linear scan counts, with repeated keys, empty lists and times outside the list', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }), fc.integer({ min: -2, max: 22 }), (keys, t) => {
      const list = [...keys].sort((a, b) => a - b).map((at, i) => ({ at, i }));
      expect(countAtOrBefore(list, t, (x) => x.at)).toBe(list.filter((x) => x.at <= t).length);
      expect(countBefore(list, t, (x) => x.at)).toBe(list.filter((x) => x.at < t).length);
    }), { numRuns: 1_000 });
  });
});
