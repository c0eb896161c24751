// Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, SODA 2018): a ring with
// virtual nodes, and balls (key hashes) placed one by one; a node takes at most c = ⌈(1 + ε) · m / n⌉ of
// the m balls, and a ball whose first node clockwise is full moves on clockwise to the first node with
// room. Assumes the key set is known when the placement is built (`options.keys`) and distinct node names.

import { assert } from '../../sim/assert.js';
import { checkNodes } from './checks.js';
import { ringPoints, Stamps, successor, VIRTUAL_NODES_DEFAULT, type RingPoints } from './ring.js';
import type { Placement } from './placement.js';

/** The default ε: a node holds at most 25% above the average. */
export const EPSILON_DEFAULT = 0.25;

/**
 * An open-addressing map from a 32-bit hash to a point index (linear probing, at most half full), for
 * the 100,000 balls of a store: several times faster to build than a Map. Hashes are already mixed, so
 * the low bits pick the slot.
 */
class BallTable {
  private readonly mask: number;
  private readonly hashes: Uint32Array;
  /** value + 2 per slot; 0 marks an empty slot. */
  private readonly values: Int32Array;
  constructor(sizeMax: number) {
    let slots = 16;
    while (slots < 2 * sizeMax) slots *= 2;
    this.mask = slots - 1;
    this.hashes = new Uint32Array(slots);
    this.values = new Int32Array(slots);
  }
  get(hash: number): number | undefined {
    for (let s = hash & this.mask; ; s = (s + 1) & this.mask) {
      const v = this.values[s]!;
      if (v === 0) return undefined;
      if (this.hashes[s] === hash) return v - 2;
    }
  }
  /** Sets hash's value (≥ −1); the table never holds more than `sizeMax` hashes. */
  set(hash: number, value: number): void {
    for (let s = hash & this.mask; ; s = (s + 1) & this.mask) {
      const v = this.values[s]!;
      if (v === 0 || this.hashes[s] === hash) {
        this.hashes[s] = hash;
        this.values[s] = value + 2;
        return;
      }
    }
  }
}

/**
 * Bounded loads over `nodes`. The balls are the DISTINCT hashes of `keys`, in their first order (owners is a
 * function of the hash, so two keys with one hash are one ball). Beyond the paper:
 * - replicas: a ball's owners are the node it landed on, then the next distinct nodes clockwise from its
 *   landing point whose load (balls, after all were placed) is below c; if a lap finds too few, the walk
 *   goes round again taking any distinct node. Replicas do not count towards the load: c bounds primaries.
 * - a hash that is not a ball gets the plain ring's owners (first distinct nodes clockwise).
 */
export class Bounded implements Placement {
  readonly kind = 'bounded';
  /** c: the most balls a node takes. */
  readonly capacity: number;
  /** Balls per node (index in `nodes`), after all were placed. */
  readonly loads: Int32Array;
  private readonly points: RingPoints;
  /** Ball (hash) → the index of the point it landed on. */
  private readonly landed: BallTable;
  private readonly stamps: Stamps;
  constructor(readonly nodes: readonly string[], keys: readonly number[] = [], epsilon = EPSILON_DEFAULT, virtualNodes = VIRTUAL_NODES_DEFAULT) {
    checkNodes(nodes);
    assert(Number.isFinite(epsilon) && epsilon > 0, `bounded: epsilon must be a positive number, got ${epsilon}`);
    this.points = ringPoints(nodes, virtualNodes);
    this.stamps = new Stamps(nodes.length);
    const n = nodes.length;
    this.landed = new BallTable(keys.length);
    const balls: number[] = [];
    for (const h of keys) {
      if (this.landed.get(h) === undefined) {
        this.landed.set(h, -1);
        balls.push(h);
      }
    }
    const m = balls.length;
    this.capacity = Math.ceil(((1 + epsilon) * m) / n);
    this.loads = new Int32Array(n);
    const { position, node } = this.points;
    const total = position.length;
    // n · c ≥ (1 + ε) · m > m, so a node with room exists while balls remain: every walk ends within a lap.
    for (const h of balls) {
      let k = successor(position, h);
      let step = 0;
      while (this.loads[node[k]!]! >= this.capacity) {
        k = k + 1 === total ? 0 : k + 1;
        step++;
        assert(step < total, `bounded: no node below capacity ${this.capacity} for ball ${h}`);
      }
      this.loads[node[k]!]!++;
      this.landed.set(h, k);
    }
  }

  /** Whether `hash` is one of the balls (else owners falls back to the plain ring). */
  isBall(hash: number): boolean {
    return this.landed.get(hash) !== undefined;
  }

  owners(hash: number, replicas: number): readonly string[] {
    assert(Number.isInteger(replicas) && replicas >= 1, `bounded: replicas must be a positive integer, got ${replicas}`);
    const { position, node } = this.points;
    const total = position.length;
    const count = Math.min(replicas, this.nodes.length);
    const out: string[] = [];
    this.stamps.next();
    const start = this.landed.get(hash);
    if (start === undefined) {
      for (let k = successor(position, hash), step = 0; out.length < count && step < total; step++, k = k + 1 === total ? 0 : k + 1) {
        if (this.stamps.mark(node[k]!)) out.push(this.nodes[node[k]!]!);
      }
      return out;
    }
    this.stamps.mark(node[start]!);
    out.push(this.nodes[node[start]!]!);
    // Lap 1: distinct nodes with room; lap 2: any distinct node.
    for (let step = 1, k = start + 1 === total ? 0 : start + 1; out.length < count && step < 2 * total; step++, k = k + 1 === total ? 0 : k + 1) {
      const j = node[k]!;
      if ((step >= total || this.loads[j]! < this.capacity) && this.stamps.mark(j)) out.push(this.nodes[j]!);
    }
    assert(out.length === count, `bounded: found ${out.length} of ${count} nodes`);
    return out;
  }

  primary(hash: number): string {
    const { position, node } = this.points;
    const k = this.landed.get(hash);
    return this.nodes[node[k ?? successor(position, hash)]!]!;
  }
}
