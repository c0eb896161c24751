// Owner tables and placement metrics against the direct measures of spread.ts (their naive twins):
// the same owners, the same spread per map and the same keys moved per change, for every function.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placementMetrics } from '../../algorithms/hashing/metrics.js';
import { PLACEMENT_KINDS, createPlacement, type PlacementKind } from '../../algorithms/hashing/placement.js';
import { movementBetween, spreadOf } from '../../algorithms/hashing/spread.js';
import { OwnerTables } from '../../algorithms/hashing/tables.js';
import type { EndedRun } from '../../sim/metrics.js';

const KEYS = Array.from({ length: 2_000 }, (_, i) => `k${i}`);
const ENDED = {} as EndedRun;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** A sequence of member lists, each one join or one leave from the last (as the store changes them). */
const membershipArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }).chain((steps) => fc.constant(steps).map((s) => {
  const lists: string[][] = [['s1', 's2', 's3', 's4', 's5']];
  let next = 6;
  for (const join of s) {
    const last = lists.at(-1)!;
    lists.push(join || last.length <= 3 ? [...last, `s${next++}`] : last.filter((_, i) => i !== Math.floor(last.length / 2)));
  }
  return lists;
}));

describe('owner tables', () => {
  it.each(PLACEMENT_KINDS)('%s: the table holds the placement\'s owners, and one table per member list is built once', (kind) => {
    const tables = new OwnerTables(kind, { virtualNodes: 20, tableSize: 503 }, 3, KEYS);
    const members = ['a', 'b', 'c', 'd'];
    const table = tables.table(members);
    expect(tables.table([...members])).toBe(table);
    const placement = createPlacement(kind, members, kind === 'bounded' ? { virtualNodes: 20, keys: tables.hashes } : { virtualNodes: 20, tableSize: 503 });
    for (let k = 0; k < KEYS.length; k += 97) {
      const owners = [0, 1, 2].map((r) => members[table.owners[k * 3 + r]!]);
      expect(owners).toEqual(placement.owners(tables.hashes[k]!, 3));
    }
  });
});

describe('placement metrics', () => {
  it('equal spread.ts\'s direct measures for every function and any sequence of joins and leaves', () => {
    fc.assert(fc.property(fc.constantFrom<PlacementKind>(...PLACEMENT_KINDS), membershipArb, (kind, lists) => {
      const options = { virtualNodes: 20, tableSize: 503 };
      const tables = new OwnerTables(kind, options, 3, KEYS);
      const observer = placementMetrics(tables);
      // Facts arrive from several nodes, out of order and repeated: each epoch is measured once.
      const facts = lists.map((members, i) => ({ type: 'epoch' as const, epoch: i + 1, members }));
      for (const fact of [...facts].reverse()) observer.onFact!('ctl', fact, undefined as never);
      observer.onFact!('ctl', facts[0]!, undefined as never);
      const { samples } = observer.finish(ENDED);
      const place = (members: readonly string[]) => createPlacement(kind, members, kind === 'bounded' ? { ...options, keys: tables.hashes } : options);
      const placements = lists.map(place);
      expect(samples!.loadPeakToMean).toEqual(placements.map((p) => r4(spreadOf(p, tables.hashes).peakToMean)));
      expect(samples!.loadStdDevOverMean).toEqual(placements.map((p) => { const s = spreadOf(p, tables.hashes); return r4(s.standardDeviation / s.mean); }));
      const moves = placements.slice(1).map((p, i) => movementBetween(placements[i]!, p, tables.hashes, 3));
      expect(samples!.keysMovedPerChange).toEqual(moves.map((m) => m.copiesMoved));
      expect(samples!.keysMovedOverMinimum).toEqual(moves.map((m) => r4(m.copiesMoved / m.copiesMin)));
      expect(samples!.primariesMovedOverMinimum).toEqual(moves.map((m) => r4(m.primariesMoved / m.primariesMin)));
      expect(samples!.keysMovedOverMinimumJoin).toEqual(moves.filter((m) => m.joined.length > 0).map((m) => r4(m.copiesMoved / m.copiesMin)));
      expect(samples!.keysMovedOverMinimumLeave).toEqual(moves.filter((m) => m.left.length > 0).map((m) => r4(m.copiesMoved / m.copiesMin)));
    }), { numRuns: 25 });
  });

  it('a ring ordered by arrival moves far more primaries than the minimum on a leave from the middle; the honest ring about the minimum', () => {
    const lists = [['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'], ['s1', 's2', 's3', 's5', 's6', 's7', 's8']];
    const ratio = (bugs: { ringByArrival?: boolean }) => {
      const observer = placementMetrics(new OwnerTables('ring', { virtualNodes: 100, bugs }, 3, KEYS));
      lists.forEach((members, i) => observer.onFact!('ctl', { type: 'epoch', epoch: i + 1, members }, undefined as never));
      return observer.finish(ENDED).samples!.primariesMovedOverMinimum![0]!;
    };
    expect(ratio({})).toBeLessThan(1.3);
    expect(ratio({ ringByArrival: true })).toBeGreaterThan(2);
  });
});
