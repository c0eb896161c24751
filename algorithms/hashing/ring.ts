// The consistent-hashing ring (Karger et al. 1997) with virtual nodes, and Dynamo's preference list
// (DeCandia et al. 2007, §4.2–4.3): every physical node owns `virtualNodes` points on a 32-bit circle,
// a key belongs to the first point clockwise from its hash, and its R replicas are the first R DISTINCT
// physical nodes met walking on clockwise. Assumes distinct node names; the points depend only on names.

import { assert } from '../../sim/assert.js';
import { hashString } from './hash.js';
import { checkNodes } from './checks.js';
import type { Placement, PlacementBugs } from './placement.js';

/** The default number of points per physical node. */
export const VIRTUAL_NODES_DEFAULT = 100;
/** 2³²: the circle's circumference. */
const CIRCLE = 0x1_0000_0000;
/** Node ranks are packed under the position in one float64 sort key (2³² · 2²⁰ < 2⁵³). */
const RANK_LIMIT = 1 << 20;

/** The circle: `position[k]` ascending, `node[k]` the index (in the given list) of the node owning point k. */
export interface RingPoints {
  readonly position: Uint32Array;
  readonly node: Uint32Array;
}

/**
 * The points of `nodes` on the circle, sorted clockwise. Point i of node `name` sits at
 * `hashString(`${name}#${i}`)`; two points at one position are ordered by node name, so the order never
 * depends on where a node is in the list. Under the planted bug `ringByArrival` the points are instead
 * spaced evenly by list index: point i of the node at index j sits at ⌊(i·n + j) · 2³² / (n · V)⌋, so a
 * node joining or leaving anywhere shifts every other node's points.
 */
export function ringPoints(nodes: readonly string[], virtualNodes: number, byArrival = false): RingPoints {
  checkNodes(nodes);
  assert(Number.isInteger(virtualNodes) && virtualNodes >= 1, `ring: virtualNodes must be a positive integer, got ${virtualNodes}`);
  const n = nodes.length;
  assert(n < RANK_LIMIT, `ring: at most ${RANK_LIMIT - 1} nodes, got ${n}`);
  // rank[j]: node j's place in name order, the tie-break between two points at one position.
  const byName = nodes.map((_, j) => j).sort((a, b) => (nodes[a]! < nodes[b]! ? -1 : nodes[a]! > nodes[b]! ? 1 : 0));
  const rank = new Uint32Array(n);
  byName.forEach((j, r) => (rank[j] = r));
  const count = n * virtualNodes;
  const sortKey = new Float64Array(count);
  let k = 0;
  for (let j = 0; j < n; j++) {
    const name = nodes[j]!;
    for (let i = 0; i < virtualNodes; i++) {
      const position = byArrival ? Math.floor(((i * n + j) * CIRCLE) / count) : hashString(`${name}#${i}`);
      sortKey[k++] = position * RANK_LIMIT + rank[j]!;
    }
  }
  sortKey.sort();
  const position = new Uint32Array(count);
  const node = new Uint32Array(count);
  for (let p = 0; p < count; p++) {
    const key = sortKey[p]!;
    const r = key % RANK_LIMIT;
    position[p] = (key - r) / RANK_LIMIT;
    node[p] = byName[r]!;
  }
  return { position, node };
}

/** The index of the first point clockwise from `hash`: the first position ≥ hash, wrapping to 0 past the last. */
export function successor(position: Uint32Array, hash: number): number {
  let lo = 0;
  let hi = position.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (position[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo === position.length ? 0 : lo;
}

/**
 * Marks of the nodes already chosen in one walk, without a Set per call: node j is chosen in walk g when
 * `stamp[j] === g`. Walks number from 1, so a fresh array marks nothing.
 */
export class Stamps {
  private readonly stamp: Uint32Array;
  private walk = 0;
  constructor(n: number) {
    this.stamp = new Uint32Array(n);
  }
  /** Starts a new walk: nothing is marked. */
  next(): void {
    this.walk++;
    if (this.walk === 0xffff_ffff) {
      this.stamp.fill(0);
      this.walk = 1;
    }
  }
  /** Marks j; false if it was already marked in this walk. */
  mark(j: number): boolean {
    if (this.stamp[j] === this.walk) return false;
    this.stamp[j] = this.walk;
    return true;
  }
}

/** The ring over `nodes`; see the module comment. */
export class Ring implements Placement {
  readonly kind = 'ring';
  private readonly points: RingPoints;
  private readonly stamps: Stamps;
  private readonly vnodesCountAsReplicas: boolean;
  constructor(readonly nodes: readonly string[], virtualNodes = VIRTUAL_NODES_DEFAULT, bugs: PlacementBugs = {}) {
    this.points = ringPoints(nodes, virtualNodes, bugs.ringByArrival === true);
    this.stamps = new Stamps(nodes.length);
    this.vnodesCountAsReplicas = bugs.vnodesCountAsReplicas === true;
  }

  owners(hash: number, replicas: number): readonly string[] {
    const indices = new Int32Array(replicas);
    const count = this.ownerIndicesInto(hash, replicas, indices, 0);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.nodes[indices[i]!]!);
    return out;
  }

  ownerIndicesInto(hash: number, replicas: number, out: Int32Array, offset: number): number {
    assert(Number.isInteger(replicas) && replicas >= 1, `ring: replicas must be a positive integer, got ${replicas}`);
    const { position, node } = this.points;
    const total = position.length;
    if (this.vnodesCountAsReplicas) {
      // Planted bug hash/vnodes-count-as-replicas: the next R points, whoever owns them.
      const count = Math.min(replicas, total);
      for (let k = successor(position, hash), step = 0; step < count; step++, k = k + 1 === total ? 0 : k + 1) out[offset + step] = node[k]!;
      return count;
    }
    // Dynamo's preference list: walk clockwise, skipping points of nodes already taken. One lap at most.
    const count = Math.min(replicas, this.nodes.length);
    let found = 0;
    this.stamps.next();
    for (let k = successor(position, hash), step = 0; found < count && step < total; step++, k = k + 1 === total ? 0 : k + 1) {
      const j = node[k]!;
      if (this.stamps.mark(j)) out[offset + found++] = j;
    }
    assert(found === count, `ring: a lap of ${total} points found ${found} of ${count} nodes`);
    return found;
  }

  primary(hash: number): string {
    return this.nodes[this.points.node[successor(this.points.position, hash)]!]!;
  }
}
