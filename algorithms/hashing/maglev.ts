// Maglev hashing (Eisenbud et al., NSDI 2016, §3.4): a lookup table of prime size M. Each node has a
// permutation of the table's slots, permutation[i][j] = (offset + j · skip) mod M, from two hashes of its
// name; the nodes take turns claiming their next preferred free slot until the table is full (the paper's
// Pseudocode 1). A key's node is entry[hash mod M]. Assumes distinct node names and M prime, M > n.

import { assert } from '../../sim/assert.js';
import { hashString } from './hash.js';
import { checkNodes, isPrime } from './checks.js';
import type { Placement } from './placement.js';

/** The paper's table size for small clusters (it recommends M ≫ N; 65,537 is prime). */
export const TABLE_SIZE_DEFAULT = 65_537;
/** Seeds of the paper's two name hashes h1 (offset) and h2 (skip). */
const OFFSET_SEED = 0x6d61676c;
const SKIP_SEED = 0x65763031;

/** Node `name`'s permutation of an M-slot table: its preferred slot and its stride. */
export function maglevOffsetSkip(name: string, tableSize: number): { offset: number; skip: number } {
  return { offset: hashString(name, OFFSET_SEED) % tableSize, skip: (hashString(name, SKIP_SEED) % (tableSize - 1)) + 1 };
}

/**
 * The paper's Pseudocode 1 (POPULATE): entry[slot] = index of the owning node. `next[i]` is how far node i
 * has read down its permutation; here each node keeps its current slot `(offset + next[i] · skip) mod M`
 * and adds `skip` to step, which is the same permutation without the multiplication.
 */
export function maglevPopulate(nodes: readonly string[], tableSize: number): Int32Array {
  const n = nodes.length;
  const M = tableSize;
  const slot = new Float64Array(n);
  const skip = new Float64Array(n);
  nodes.forEach((name, i) => {
    const p = maglevOffsetSkip(name, M);
    slot[i] = p.offset;
    skip[i] = p.skip;
  });
  const entry = new Int32Array(M).fill(-1);
  let filled = 0;
  // Every round each node claims one slot, so the loop ends after ⌈M / n⌉ rounds; a permutation of a prime
  // M visits every slot, so each inner walk ends at a free slot within M steps.
  for (;;) {
    for (let i = 0; i < n; i++) {
      let c = slot[i]!;
      while (entry[c]! >= 0) {
        c += skip[i]!;
        if (c >= M) c -= M;
      }
      entry[c] = i;
      c += skip[i]!;
      slot[i] = c >= M ? c - M : c;
      filled++;
      if (filled === M) return entry;
    }
  }
}

/**
 * Maglev over `nodes` with an M-slot table. Replicas, beyond the paper (a load balancer needs one backend):
 * walk the table from the key's slot to higher slots, wrapping, and collect distinct nodes. Every node
 * holds ⌊M/n⌋ or ⌈M/n⌉ slots, so the walk finds R nodes within a few slots.
 */
export class Maglev implements Placement {
  readonly kind = 'maglev';
  readonly tableSize: number;
  /** entry[slot] = index in `nodes` of the slot's node. */
  private readonly entry: Int32Array;
  private readonly chosen: Uint8Array;
  constructor(readonly nodes: readonly string[], tableSize = TABLE_SIZE_DEFAULT) {
    checkNodes(nodes);
    assert(isPrime(tableSize), `maglev: the table size must be a prime, got ${tableSize}`);
    assert(tableSize > nodes.length, `maglev: the table size ${tableSize} must exceed the node count ${nodes.length}`);
    this.tableSize = tableSize;
    this.entry = maglevPopulate(nodes, tableSize);
    this.chosen = new Uint8Array(nodes.length);
  }

  /** A copy of the lookup table (node indices), for tests and metrics. */
  table(): Int32Array {
    return this.entry.slice();
  }

  owners(hash: number, replicas: number): readonly string[] {
    assert(Number.isInteger(replicas) && replicas >= 1, `maglev: replicas must be a positive integer, got ${replicas}`);
    const count = Math.min(replicas, this.nodes.length);
    const M = this.tableSize;
    const picked: number[] = [];
    for (let s = hash % M, step = 0; picked.length < count && step < M; step++, s = s + 1 === M ? 0 : s + 1) {
      const i = this.entry[s]!;
      if (this.chosen[i] === 0) {
        this.chosen[i] = 1;
        picked.push(i);
      }
    }
    for (const i of picked) this.chosen[i] = 0;
    assert(picked.length === count, `maglev: the table holds ${picked.length} of ${count} nodes`);
    return picked.map((i) => this.nodes[i]!);
  }

  primary(hash: number): string {
    return this.nodes[this.entry[hash % this.tableSize]!]!;
  }
}
