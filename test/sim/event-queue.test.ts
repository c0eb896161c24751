// The heap against its naive twin: a stable sort by (at, insertion order).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/event-queue.js';

describe('EventQueue', () => {
  it('pops in (at, insertion) order, like a stable sort, under interleaved pushes and pops', () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 20 }) }), fc.constant({ pop: true as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new EventQueue<{ at: number; seq: number; label: number }>();
        let naive: { at: number; label: number }[] = [];
        let label = 0;
        for (const o of ops) {
          if ('push' in o) {
            queue.push({ at: o.push, seq: -1, label });
            naive.push({ at: o.push, label: label++ });
          } else {
            naive = [...naive].sort((a, b) => a.at - b.at || a.label - b.label);
            const expected = naive.shift();
            const got = queue.pop();
            expect(got?.label).toBe(expected?.label);
          }
          expect(queue.size).toBe(naive.length);
        }
      }),
    );
  });

  it('returns undefined when empty', () => {
    const queue = new EventQueue<{ at: number; seq: number }>();
    expect(queue.pop()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });
});
