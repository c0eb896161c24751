// spread.ts against hand-computed cases, on stub placements whose owners are a fixed table.
import { describe, expect, it } from 'vitest';
import type { Placement } from '../../algorithms/hashing/placement.js';
import { movementBetween, spreadOf } from '../../algorithms/hashing/spread.js';

/** A placement that looks owners up in `table` (hash → owners, primary first). */
function stub(nodes: string[], table: Record<number, string[]>): Placement {
  return {
    kind: 'ring', nodes,
    owners: (h, r) => table[h]!.slice(0, r),
    primary: (h) => table[h]![0]!,
  };
}

describe('spreadOf', () => {
  it('counts primaries per node in node order, with the standard deviation and peak-to-mean', () => {
    // a: 3 keys, b: 1, c: 0 → mean 4/3; variance ((5/3)² + (1/3)² + (4/3)²)/3 = 42/27; peak 3/(4/3) = 2.25.
    const p = stub(['a', 'b', 'c'], { 1: ['a', 'b'], 2: ['a', 'c'], 3: ['b', 'a'], 4: ['a', 'b'] });
    const s = spreadOf(p, [1, 2, 3, 4]);
    expect(s.keysPerNode).toEqual([3, 1, 0]);
    expect(s.mean).toBeCloseTo(4 / 3, 12);
    expect(s.standardDeviation).toBeCloseTo(Math.sqrt(42 / 27), 12);
    expect(s.peakToMean).toBeCloseTo(2.25, 12);
  });

  it('counts every copy with replicas > 1', () => {
    const p = stub(['a', 'b', 'c'], { 1: ['a', 'b'], 2: ['a', 'c'], 3: ['b', 'a'], 4: ['a', 'b'] });
    const s = spreadOf(p, [1, 2, 3, 4], 2);
    expect(s.keysPerNode).toEqual([4, 3, 1]); // mean 8/3, peak 4 → 1.5
    expect(s.peakToMean).toBeCloseTo(1.5, 12);
  });

  it('gives a perfectly even spread zero deviation, and no keys peak-to-mean 0', () => {
    const p = stub(['a', 'b'], { 1: ['a'], 2: ['b'] });
    expect(spreadOf(p, [1, 2])).toEqual({ keysPerNode: [1, 1], mean: 1, standardDeviation: 0, peakToMean: 1 });
    expect(spreadOf(p, []).peakToMean).toBe(0);
  });
});

describe('movementBetween', () => {
  it('counts a join: primaries changed, copies gained, and the minimum K/n of the larger cluster', () => {
    const before = stub(['a', 'b'], { 1: ['a', 'b'], 2: ['b', 'a'], 3: ['a', 'b'], 4: ['b', 'a'] });
    // c joins: key 1 moves its primary to c (copy c gained, b dropped); key 2 gains c as a replica.
    const after = stub(['a', 'b', 'c'], { 1: ['c', 'a'], 2: ['b', 'c'], 3: ['a', 'b'], 4: ['b', 'a'] });
    const m = movementBetween(before, after, [1, 2, 3, 4], 2);
    expect(m.joined).toEqual(['c']);
    expect(m.left).toEqual([]);
    expect(m.primariesMoved).toBe(1);
    expect(m.copiesMoved).toBe(2);
    expect(m.primariesMin).toBeCloseTo(4 / 3, 12); // K / n_after
    expect(m.copiesMin).toBeCloseTo((4 * 2) / 3, 12); // K · R / n_after
  });

  it('counts a leave against K/n of the cluster before, and R ≥ n as every copy', () => {
    const before = stub(['a', 'b', 'c', 'd'], { 1: ['a', 'b'], 2: ['d', 'c'], 3: ['c', 'd'], 4: ['b', 'd'] });
    const after = stub(['a', 'b', 'c'], { 1: ['a', 'b'], 2: ['c', 'a'], 3: ['c', 'b'], 4: ['b', 'a'] });
    const m = movementBetween(before, after, [1, 2, 3, 4], 2);
    expect(m.left).toEqual(['d']);
    expect(m.primariesMoved).toBe(1); // key 2
    expect(m.copiesMoved).toBe(3); // 2 → a, 3 → b, 4 → a
    expect(m.primariesMin).toBe(1); // K / n_before = 4 / 4
    expect(m.copiesMin).toBe(2); // K · 2 / 4
    const one = movementBetween(stub(['a', 'b'], { 1: ['a', 'b'] }), stub(['a'], { 1: ['a'] }), [1], 5);
    expect(one.copiesMin).toBe(1); // min(R, n) = 2 copies per key before, the leaver's share is one
  });

  it('with one replica, copies moved are primaries moved', () => {
    const before = stub(['a', 'b'], { 1: ['a'], 2: ['b'] });
    const after = stub(['a', 'b', 'c'], { 1: ['c'], 2: ['b'] });
    expect(movementBetween(before, after, [1, 2])).toMatchObject({ primariesMoved: 1, copiesMoved: 1, primariesMin: 2 / 3, copiesMin: 2 / 3 });
  });
});
