// Measures of a placement for metrics and experiments: how evenly it spreads keys over the nodes, and how
// many keys and copies a membership change moves against the least any balanced function must move.
// Pure functions of placements and key hashes; assumes every hash is a key (duplicates count twice).

import type { Placement } from './placement.js';

/** How a placement spreads a set of keys. */
export interface Spread {
  /** Copies (keys, when replicas = 1) per node, in the placement's node order. */
  readonly keysPerNode: readonly number[];
  /** Copies per node on average. */
  readonly mean: number;
  /** The population standard deviation of `keysPerNode`. */
  readonly standardDeviation: number;
  /** The busiest node's count over the mean (1 is perfect); 0 when there are no keys. */
  readonly peakToMean: number;
}

/** The copies each node of `placement` holds of `hashes`, each key held by its first `replicas` owners. */
export function spreadOf(placement: Placement, hashes: readonly number[], replicas = 1): Spread {
  const index = new Map(placement.nodes.map((name, i) => [name, i]));
  const counts = new Array<number>(placement.nodes.length).fill(0);
  for (const h of hashes) {
    if (replicas === 1) counts[index.get(placement.primary(h))!]!++;
    else for (const owner of placement.owners(h, replicas)) counts[index.get(owner)!]!++;
  }
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const variance = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / counts.length;
  return { keysPerNode: counts, mean, standardDeviation: Math.sqrt(variance), peakToMean: mean === 0 ? 0 : Math.max(...counts) / mean };
}

/** What a change from one placement to another moves. */
export interface Movement {
  /** Keys measured. */
  readonly keys: number;
  /** Nodes in the second placement only, and in the first only. */
  readonly joined: readonly string[];
  readonly left: readonly string[];
  /** Keys whose primary owner changed. */
  readonly primariesMoved: number;
  /** (key, node) copies the second placement has and the first had not: each is one transfer. */
  readonly copiesMoved: number;
  /**
   * The least a balanced placement must move: the joined nodes must receive their share and the left nodes'
   * share must go, max(|joined| · K / n_after, |left| · K / n_before) keys, so K / n of the larger cluster
   * for one join or one leave. For copies the same with K · min(R, n) copies in place of K keys.
   */
  readonly primariesMin: number;
  readonly copiesMin: number;
}

/** How many of `hashes` change owners from `before` to `after`, with `replicas` copies each. */
export function movementBetween(before: Placement, after: Placement, hashes: readonly number[], replicas = 1): Movement {
  const had = new Set(before.nodes);
  const has = new Set(after.nodes);
  const joined = after.nodes.filter((n) => !had.has(n));
  const left = before.nodes.filter((n) => !has.has(n));
  let primariesMoved = 0;
  let copiesMoved = 0;
  for (const h of hashes) {
    if (before.primary(h) !== after.primary(h)) primariesMoved++;
    if (replicas === 1) continue;
    const old = before.owners(h, replicas);
    for (const owner of after.owners(h, replicas)) if (!old.includes(owner)) copiesMoved++;
  }
  if (replicas === 1) copiesMoved = primariesMoved;
  const K = hashes.length;
  const nBefore = before.nodes.length;
  const nAfter = after.nodes.length;
  const least = (perKeyBefore: number, perKeyAfter: number) =>
    Math.max((joined.length * K * perKeyAfter) / nAfter, (left.length * K * perKeyBefore) / nBefore);
  return {
    keys: K, joined, left, primariesMoved, copiesMoved,
    primariesMin: least(1, 1),
    copiesMin: least(Math.min(replicas, nBefore), Math.min(replicas, nAfter)),
  };
}
