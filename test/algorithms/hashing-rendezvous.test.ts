// Rendezvous hashing against the naive twin that scores every node and sorts, ties included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString } from '../../algorithms/hashing/hash.js';
import { createPlacement } from '../../algorithms/hashing/placement.js';
import { rendezvousScore } from '../../algorithms/hashing/rendezvous.js';
import { hash32, nodeSet } from './hashing-fixtures.js';

/** Every node's score, sorted best first (ties: the node listed first). */
function naiveOwners(nodes: readonly string[], hash: number, replicas: number): string[] {
  return nodes
    .map((name, i) => ({ name, i, score: rendezvousScore(hashString(name), hash) }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, replicas)
    .map((x) => x.name);
}

describe('rendezvous', () => {
  it('equals the twin that scores and sorts every node', () => {
    fc.assert(fc.property(nodeSet(20), fc.array(hash32, { maxLength: 30 }), fc.integer({ min: 1, max: 25 }), (nodes, hashes, r) => {
      const p = createPlacement('rendezvous', nodes);
      for (const h of hashes) expect(p.owners(h, r)).toEqual(naiveOwners(nodes, h, r));
    }), { numRuns: 200 });
  });

  it('scores with MurmurHash3 (x86, 32-bit) of the key hash as 4 little-endian bytes, seeded by the node', () => {
    // Published test vectors of MurmurHash3_x86_32 for 4-byte inputs.
    expect(rendezvousScore(0, 0xffff_ffff)).toBe(0x76293b50);
    expect(rendezvousScore(0, 0x8765_4321)).toBe(0xf55b516b);
    expect(rendezvousScore(0x5082_edee, 0x8765_4321)).toBe(0x2362f9de);
  });
});
