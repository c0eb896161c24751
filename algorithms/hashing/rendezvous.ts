// Rendezvous, or highest random weight, hashing (Thaler & Ravishankar 1998): every node scores every key
// with a hash of the pair, and a key's owners are the R nodes with the highest scores. No state beyond the
// node list; a joining node takes exactly the keys it now outscores, a leaving node's keys each go to their
// next-highest node. Cost: n scores per lookup. Assumes distinct node names.

import { assert } from '../../sim/assert.js';
import { fmix32, hashString } from './hash.js';
import { checkNodes } from './checks.js';
import type { Placement } from './placement.js';

/**
 * The weight of node `seed` for key `hash`: MurmurHash3 (x86, 32-bit) of the key's hash as one 4-byte block,
 * seeded with the node's name hash. Beyond the paper (which leaves the weight function open): a fixed
 * 32-bit mix of two 32-bit numbers, so a score allocates nothing (the first version hashed the key's
 * decimal string per node, about ten times slower).
 */
export function rendezvousScore(seed: number, hash: number): number {
  let k = Math.imul(hash, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let h = seed ^ k;
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  return fmix32(h ^ 4);
}

/** Rendezvous hashing over `nodes`; a tie in score goes to the node listed first. */
export class Rendezvous implements Placement {
  readonly kind = 'rendezvous';
  /** Each node's name hashed once: the seed of its scores. */
  private readonly seeds: Uint32Array;
  /** The partial selection's buffers: the best `count` so far, best first. Reused by every call. */
  private readonly topIndex: Int32Array;
  private readonly topScore: Float64Array;
  constructor(readonly nodes: readonly string[]) {
    checkNodes(nodes);
    this.seeds = Uint32Array.from(nodes, (n) => hashString(n));
    this.topIndex = new Int32Array(nodes.length);
    this.topScore = new Float64Array(nodes.length);
  }

  owners(hash: number, replicas: number): readonly string[] {
    assert(Number.isInteger(replicas) && replicas >= 1, `rendezvous: replicas must be a positive integer, got ${replicas}`);
    const n = this.nodes.length;
    const count = Math.min(replicas, n);
    const { topIndex, topScore, seeds } = this;
    // Partial selection: keep the best `count` in order by (score desc, index asc) with an insertion step.
    // Nodes come in index order, so a node only displaces a strictly higher score's successor. O(n · R).
    let filled = 0;
    for (let i = 0; i < n; i++) {
      const s = rendezvousScore(seeds[i]!, hash);
      if (filled === count && s <= topScore[count - 1]!) continue;
      let at = filled === count ? count - 1 : filled++;
      while (at > 0 && topScore[at - 1]! < s) {
        topScore[at] = topScore[at - 1]!;
        topIndex[at] = topIndex[at - 1]!;
        at--;
      }
      topScore[at] = s;
      topIndex[at] = i;
    }
    const out: string[] = new Array<string>(count);
    for (let r = 0; r < count; r++) out[r] = this.nodes[topIndex[r]!]!;
    return out;
  }

  primary(hash: number): string {
    const { seeds } = this;
    let best = 0;
    let bestScore = rendezvousScore(seeds[0]!, hash);
    for (let i = 1; i < seeds.length; i++) {
      const s = rendezvousScore(seeds[i]!, hash);
      if (s > bestScore) {
        best = i;
        bestScore = s;
      }
    }
    return this.nodes[best]!;
  }
}
