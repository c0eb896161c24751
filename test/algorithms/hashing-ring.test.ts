// The ring with virtual nodes against a naive twin that scans every point, its spread by virtual-node
// count, and the two planted ring bugs, each caught by the property it breaks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString } from '../../algorithms/hashing/hash.js';
import { createPlacement } from '../../algorithms/hashing/placement.js';
import { ringPoints } from '../../algorithms/hashing/ring.js';
import { movementBetween, spreadOf } from '../../algorithms/hashing/spread.js';
import { excessMoves, hash32, keyHashes, names, nodeSet } from './hashing-fixtures.js';

/** The obvious ring: every point as an object, sorted by (position, name); a lookup scans them all. */
function naiveOwners(nodes: readonly string[], virtualNodes: number, hash: number, replicas: number): string[] {
  const points = nodes.flatMap((name) => Array.from({ length: virtualNodes }, (_, i) => ({ position: hashString(`${name}#${i}`), name })));
  points.sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let start = points.findIndex((p) => p.position >= hash);
  if (start === -1) start = 0;
  const owners: string[] = [];
  for (let step = 0; step < points.length && owners.length < Math.min(replicas, nodes.length); step++) {
    const { name } = points[(start + step) % points.length]!;
    if (!owners.includes(name)) owners.push(name);
  }
  return owners;
}

describe('ring', () => {
  it('equals the naive twin that scans every point', () => {
    fc.assert(fc.property(nodeSet(8), fc.integer({ min: 1, max: 12 }), fc.array(hash32, { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (nodes, v, hashes, r) => {
      const ring = createPlacement('ring', nodes, { virtualNodes: v });
      // Hashes at and beside the points themselves exercise the ≥ boundary and the wrap past the last point.
      const edges = ringPoints(nodes, v).position;
      const probes = [...hashes, 0, 0xffff_ffff, edges[0]!, edges[edges.length - 1]!, (edges[0]! + 1) >>> 0, edges[edges.length - 1]! + 1];
      for (const h of probes) expect(ring.owners(h, r)).toEqual(naiveOwners(nodes, v, h, r));
    }), { numRuns: 150 });
  });

  it('orders points by position, ties by node name, whatever the list order', () => {
    const a = ringPoints(['x', 'y', 'z'], 50);
    const b = ringPoints(['z', 'x', 'y'], 50);
    expect(Array.from(a.position)).toEqual(Array.from(b.position));
    const name = (p: typeof a, nodes: string[]) => Array.from(p.node, (j) => nodes[j]);
    expect(name(a, ['x', 'y', 'z'])).toEqual(name(b, ['z', 'x', 'y']));
    for (let k = 1; k < a.position.length; k++) expect(a.position[k]!).toBeGreaterThanOrEqual(a.position[k - 1]!);
  });

  it('spreads keys more evenly with more virtual nodes (32 nodes, 100,000 keys)', () => {
    // Measured peak-to-mean: V = 1: 3.15, V = 10: 1.66, V = 100: 1.15, V = 1,000: 1.08 (standard deviation
    // over the mean 0.91, 0.27, 0.093, 0.038: roughly 1/√V). The bounds leave room for other name sets.
    const keys = keyHashes(100_000);
    const peak = (v: number) => spreadOf(createPlacement('ring', names(32), { virtualNodes: v }), keys).peakToMean;
    const [p1, p10, p100, p1000] = [peak(1), peak(10), peak(100), peak(1000)];
    expect(p1).toBeGreaterThan(2);
    expect(p10).toBeLessThan(p1);
    expect(p100).toBeLessThan(p10);
    expect(p1000).toBeLessThan(p100);
    expect(p100).toBeLessThan(1.3);
    expect(p1000).toBeLessThan(1.1);
  });
});

describe('planted bug hash/vnodes-count-as-replicas', () => {
  const distinct = (bug: boolean) => fc.check(fc.property(nodeSet(6, 2), fc.array(hash32, { minLength: 20, maxLength: 40 }), (nodes, hashes) => {
    const ring = createPlacement('ring', nodes, { virtualNodes: 50, bugs: { vnodesCountAsReplicas: bug } });
    return hashes.every((h) => new Set(ring.owners(h, 3)).size === Math.min(3, nodes.length));
  }), { seed: 15, numRuns: 200 });

  it('is caught: with the bug a key gets a repeated physical node, without it never', () => {
    expect(distinct(false).failed).toBe(false);
    const caught = distinct(true);
    expect(caught.failed).toBe(true);
  });

  it('repeats a node for a measurable share of keys (4 nodes, R = 3, 100 points each)', () => {
    const ring = createPlacement('ring', names(4), { bugs: { vnodesCountAsReplicas: true } });
    const keys = keyHashes(10_000);
    const short = keys.filter((h) => new Set(ring.owners(h, 3)).size < 3).length;
    // Measured ≈ 60%: the next point clockwise belongs to the same node with probability 1/4, twice over.
    expect(short / keys.length).toBeGreaterThan(0.3);
  });
});

describe('planted bug hash/ring-by-arrival', () => {
  const keys = keyHashes(20_000);
  it('is caught: a leave from the middle of the list moves keys the leaver never held', () => {
    const nodes = names(8);
    const middle = nodes.filter((n) => n !== 'n4');
    const honest = (list: string[]) => createPlacement('ring', list);
    const buggy = (list: string[]) => createPlacement('ring', list, { bugs: { ringByArrival: true } });
    expect(excessMoves(honest(nodes), honest(middle), keys, 1)).toBe(0);
    expect(excessMoves(buggy(nodes), buggy(middle), keys, 1)).toBeGreaterThan(keys.length / 8);
    // Against the minimum K/n: the honest ring moves about its share, the buggy one more than twice it.
    const moved = movementBetween(buggy(nodes), buggy(middle), keys);
    expect(moved.primariesMoved / moved.primariesMin).toBeGreaterThan(2); // measured 2.56
    const fair = movementBetween(honest(nodes), honest(middle), keys);
    expect(fair.primariesMoved / fair.primariesMin).toBeLessThan(1.5);
  });

  it('is caught by the join property too: a newcomer at the end pulls keys between old nodes', () => {
    const nodes = names(8);
    const buggy = (list: string[]) => createPlacement('ring', list, { bugs: { ringByArrival: true } });
    expect(excessMoves(buggy(nodes), buggy([...nodes, 'n9']), keys, 1)).toBeGreaterThan(0);
  });
});
