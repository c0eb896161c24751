// Consistent hashing with bounded loads against a naive twin, and its promises: every ball placed, no node
// above ⌈(1 + ε) · m / n⌉, plain-ring owners for a hash that is not a ball.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bounded } from '../../algorithms/hashing/bounded.js';
import { hashString } from '../../algorithms/hashing/hash.js';
import { createPlacement } from '../../algorithms/hashing/placement.js';
import { spreadOf } from '../../algorithms/hashing/spread.js';
import { hash32, keyHashes, names, nodeSet } from './hashing-fixtures.js';

/** The paper's placement done the obvious way: points as objects, a linear scan, loads in a Map. */
function naivePrimaries(nodes: readonly string[], virtualNodes: number, keys: readonly number[], epsilon: number): Map<number, string> {
  const points = nodes.flatMap((name) => Array.from({ length: virtualNodes }, (_, i) => ({ position: hashString(`${name}#${i}`), name })));
  points.sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const balls = [...new Set(keys)];
  const capacity = Math.ceil(((1 + epsilon) * balls.length) / nodes.length);
  const load = new Map(nodes.map((n) => [n, 0]));
  const placed = new Map<number, string>();
  for (const h of balls) {
    let k = points.findIndex((p) => p.position >= h);
    if (k === -1) k = 0;
    while (load.get(points[k]!.name)! >= capacity) k = (k + 1) % points.length;
    load.set(points[k]!.name, load.get(points[k]!.name)! + 1);
    placed.set(h, points[k]!.name);
  }
  return placed;
}

describe('bounded loads', () => {
  it('places every ball where the naive twin does, and never above capacity', () => {
    fc.assert(fc.property(nodeSet(8), fc.array(hash32, { maxLength: 200 }), fc.constantFrom(0.1, 0.25, 0.5, 1), fc.integer({ min: 1, max: 10 }), (nodes, keys, epsilon, v) => {
      const p = new Bounded(nodes, keys, epsilon, v);
      const twin = naivePrimaries(nodes, v, keys, epsilon);
      for (const h of keys) {
        expect(p.isBall(h)).toBe(true);
        expect(p.primary(h)).toBe(twin.get(h));
      }
      const balls = new Set(keys).size;
      expect(p.capacity).toBe(Math.ceil(((1 + epsilon) * balls) / nodes.length));
      expect(p.loads.reduce((a, b) => a + b, 0)).toBe(balls);
      for (const load of p.loads) expect(load).toBeLessThanOrEqual(p.capacity);
    }), { numRuns: 150 });
  });

  it('keeps the peak within 1 + ε even where the plain ring is far above it (32 nodes, 10 virtual nodes, 100,000 keys)', () => {
    // Measured peak-to-mean: plain ring 1.66; bounded ε = 0.25: 1.25, ε = 0.5: 1.50, ε = 1: 1.66 (no node overflows).
    const keys = keyHashes(100_000);
    const ring = spreadOf(createPlacement('ring', names(32), { virtualNodes: 10 }), keys).peakToMean;
    expect(ring).toBeGreaterThan(1.5);
    for (const epsilon of [0.25, 0.5]) {
      const p = createPlacement('bounded', names(32), { virtualNodes: 10, keys, epsilon });
      // c = ⌈(1 + ε) · m / n⌉, so the peak over the mean is at most 1 + ε + n/m.
      expect(spreadOf(p, keys).peakToMean).toBeLessThanOrEqual(1 + epsilon + 32 / keys.length);
    }
  });

  it('gives a hash that is not a ball the plain ring\'s owners, and a ball replicas on distinct nodes with room first', () => {
    const keys = keyHashes(5_000);
    const nodes = names(10);
    const p = new Bounded(nodes, keys, 0.1, 5);
    const ring = createPlacement('ring', nodes, { virtualNodes: 5 });
    const strangers = keyHashes(2_000, 'stranger-').filter((h) => !p.isBall(h));
    for (const h of strangers) expect(p.owners(h, 3)).toEqual(ring.owners(h, 3));
    let overflowed = 0;
    for (const h of keys) {
      const owners = p.owners(h, 3);
      if (owners[0] !== ring.primary(h)) overflowed++;
      // Replicas prefer nodes below capacity: a full node is a replica only when too few others have room.
      const roomy = nodes.filter((n) => n !== owners[0] && p.loads[nodes.indexOf(n)]! < p.capacity).length;
      const full = owners.slice(1).filter((o) => p.loads[nodes.indexOf(o)]! >= p.capacity).length;
      expect(full).toBe(Math.max(0, owners.length - 1 - roomy));
    }
    expect(overflowed).toBeGreaterThan(0); // ε = 0.1 over 5 points per node forces overflow
  });

  it('builds 100,000 balls on 32 nodes with 100 virtual nodes', () => {
    const p = createPlacement('bounded', names(32), { keys: keyHashes(100_000) }) as Bounded;
    expect(p.capacity).toBe(Math.ceil((1.25 * 100_000) / 32));
    expect(p.loads.reduce((a, b) => a + b, 0)).toBe(100_000);
  });
});
