// Placement: which physical nodes own a key. Every function here is pure and deterministic: the same
// nodes (in the same order), options and key hash give the same owners on every node and in every run,
// so a client, a storage node and a checker that know the same configuration agree without talking.
// Assumes node names are distinct. Keys are hashed once with `keyHash` (hash.ts); functions take the hash.

import { unreachable } from '../../sim/assert.js';
import { Bounded } from './bounded.js';
import { Jump } from './jump.js';
import { Maglev } from './maglev.js';
import { Rendezvous } from './rendezvous.js';
import { Ring } from './ring.js';

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
  /**
   * Optional, for speed: writes the owners' indices in `nodes` (what `owners` returns, as positions) into
   * `out` from `offset`, and returns how many. Owner tables use it to build 100,000 rows without arrays.
   */
  ownerIndicesInto?(hash: number, replicas: number, out: Int32Array, offset: number): number;
  /** The primary owner: `owners(hash, 1)[0]`, without building an array. */
  primary(hash: number): string;
}

/** Builds a placement function of `kind` over `nodes`. */
export function createPlacement(kind: PlacementKind, nodes: readonly string[], options: PlacementOptions = {}): Placement {
  switch (kind) {
    case 'ring':
      return new Ring(nodes, options.virtualNodes, options.bugs);
    case 'jump':
      return new Jump(nodes);
    case 'rendezvous':
      return new Rendezvous(nodes);
    case 'maglev':
      return new Maglev(nodes, options.tableSize);
    case 'bounded':
      // The planted ring bugs belong to the ring kind only; bounded builds a correct ring underneath.
      return new Bounded(nodes, options.keys, options.epsilon, options.virtualNodes);
    default:
      return unreachable(kind, 'placement kind');
  }
}
