// Placement: which physical nodes own a key. Every function here is pure and deterministic: the same
// nodes (in the same order), options and key hash give the same owners on every node and in every run,
// so a client, a storage node and a checker that know the same configuration agree without talking.
// Assumes node names are distinct. Keys are hashed once with `keyHash` (hash.ts); functions take the hash.

import { assert } from '../../sim/assert.js';
import { hashString } from './hash.js';

/** The placement functions. */
export const PLACEMENT_KINDS = ['ring', 'jump', 'rendezvous', 'maglev', 'bounded'] as const;
export type PlacementKind = (typeof PLACEMENT_KINDS)[number];

/** Planted bugs of placement (see bugs.ts for their names). */
export interface PlacementBugs {
  /** The ring's walk takes every virtual node it meets as a replica, even a second point of a physical node already taken. */
  readonly vnodesCountAsReplicas?: boolean;
  /** The ring spaces nodes evenly in the order they are listed (their arrival) instead of placing them by hash. */
  readonly ringByArrival?: boolean;
}

export interface PlacementOptions {
  /** ring and bounded: points on the circle per physical node (default 100). */
  readonly virtualNodes?: number;
  /** maglev: the lookup table's size M, a prime well above the node count (default 65,537). */
  readonly tableSize?: number;
  /** bounded: ε; a node holds at most ⌈(1 + ε) · keys / nodes⌉ of `keys` (default 0.25). */
  readonly epsilon?: number;
  /** bounded: the key hashes to place, one after another in this order (the balls of Mirrokni et al.). */
  readonly keys?: readonly number[];
  readonly bugs?: PlacementBugs;
}

/** A placement function over one set of nodes. */
export interface Placement {
  readonly kind: PlacementKind;
  /** The physical nodes, in the order given (jump hash numbers its buckets in this order). */
  readonly nodes: readonly string[];
  /**
   * The owners of the key whose hash is `hash`: min(`replicas`, nodes) distinct physical nodes, the
   * primary first. (Under the planted bug vnodesCountAsReplicas, the ring may repeat a node.)
   */
  owners(hash: number, replicas: number): readonly string[];
  /** The primary owner: `owners(hash, 1)[0]`, without building an array. */
  primary(hash: number): string;
}

/** Checks the nodes and options a placement is built from (a bad one is a programmer's error here; scenarios check user input first). */
function checkNodes(nodes: readonly string[]): void {
  assert(nodes.length > 0, 'a placement needs at least one node');
  assert(new Set(nodes).size === nodes.length, `placement: node names must be distinct, got ${nodes.join(', ')}`);
}

/**
 * Rendezvous, or highest random weight, hashing (Thaler & Ravishankar 1998): a key's owners are the
 * `replicas` nodes with the highest scores hash(node, key). A node that joins takes exactly the keys it
 * now outscores; one that leaves gives each of its keys to that key's next-highest node.
 */
class Rendezvous implements Placement {
  readonly kind = 'rendezvous';
  /** Each node's name hashed once: the score of (node, key) mixes it with the key's hash. */
  private readonly seeds: Uint32Array;
  constructor(readonly nodes: readonly string[]) {
    checkNodes(nodes);
    this.seeds = Uint32Array.from(nodes, (n) => hashString(n));
  }
  private score(i: number, hash: number): number {
    return hashString(String(hash), this.seeds[i]!);
  }
  owners(hash: number, replicas: number): readonly string[] {
    const count = Math.min(replicas, this.nodes.length);
    // Top `count` by (score desc, index asc): a selection over n, fine for the tens of nodes a store has.
    const scores = this.nodes.map((_, i) => this.score(i, hash));
    const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
    return order.slice(0, count).map((i) => this.nodes[i]!);
  }
  primary(hash: number): string {
    let best = 0;
    let bestScore = this.score(0, hash);
    for (let i = 1; i < this.nodes.length; i++) {
      const s = this.score(i, hash);
      if (s > bestScore) {
        best = i;
        bestScore = s;
      }
    }
    return this.nodes[best]!;
  }
}

/** Builds a placement function of `kind` over `nodes`. */
export function createPlacement(kind: PlacementKind, nodes: readonly string[], options: PlacementOptions = {}): Placement {
  switch (kind) {
    case 'rendezvous':
      return new Rendezvous(nodes);
    default:
      // The contract: ring, jump, maglev and bounded are written against this interface (issue 15).
      assert(false, `placement ${kind}: not built yet (options ${JSON.stringify(options)})`);
  }
}
