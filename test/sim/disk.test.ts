// The simulated disk against a naive twin: two maps, copy on sync, drop pending on crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimDisk } from '../../sim/disk.js';

type Op = { write: [string, number] } | { del: string } | { sync: true } | { crash: true };

describe('SimDisk', () => {
  it('matches a naive durable/pending model under any sequence of writes, deletes, syncs and crashes', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ write: fc.tuple(key, fc.integer()) }),
      fc.record({ del: key }),
      fc.constant({ sync: true as const }),
      fc.constant({ crash: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const disk = new SimDisk();
        let durable = new Map<string, number>();
        let current = new Map<string, number>();
        for (const o of ops) {
          if ('write' in o) { disk.write(o.write[0], o.write[1]); current.set(o.write[0], o.write[1]); }
          else if ('del' in o) { disk.delete(o.del); current.delete(o.del); }
          else if ('sync' in o) { disk.sync(); durable = new Map(current); }
          else { disk.loseUnsynced(); current = new Map(durable); }
          for (const k of ['a', 'b', 'c']) expect(disk.read(k)).toBe(current.get(k));
          expect([...disk.keys()].sort()).toEqual([...current.keys()].sort());
        }
      }),
    );
  });

  it('stores a frozen copy, so later changes to the written object do not reach the disk', () => {
    const disk = new SimDisk();
    const value = { list: [1, 2] };
    disk.write('k', value);
    value.list.push(3);
    const stored = disk.read<{ list: number[] }>('k')!;
    expect(stored.list).toEqual([1, 2]);
    expect(Object.isFrozen(stored.list)).toBe(true);
  });
});
