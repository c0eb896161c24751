// Shared by the hashing tests: node-set and key-hash arbitraries, and helpers that compare two placements
// key by key. Node names are `n<id>`; key hashes are unsigned 32-bit.
import fc from 'fast-check';
import { keyHash } from '../../algorithms/hashing/hash.js';
import type { Placement } from '../../algorithms/hashing/placement.js';

/** Distinct node names, 1 to `max` of them. */
export const nodeSet = (max = 12, min = 1) =>
  fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { minLength: min, maxLength: max }).map((ids) => ids.map((i) => `n${i}`));

/** A key hash. */
export const hash32 = fc.integer({ min: 0, max: 0xffff_ffff });

/** `count` key hashes of the keys k0, k1, … */
export function keyHashes(count: number, prefix = 'k'): number[] {
  return Array.from({ length: count }, (_, i) => keyHash(`${prefix}${i}`));
}

/** `n` node names n1 … nn. */
export function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

/** A fresh name not in `nodes`. */
export function newcomer(nodes: readonly string[]): string {
  let i = 1000;
  while (nodes.includes(`n${i}`)) i++;
  return `n${i}`;
}

/**
 * Copies that moved other than as the minimum allows, from `before` to `after`, for `replicas` owners:
 * on a join, copies that went to an old node; on a leave, keys that changed owners though the leaver held none.
 */
export function excessMoves(before: Placement, after: Placement, hashes: readonly number[], replicas: number): number {
  const joined = after.nodes.filter((n) => !before.nodes.includes(n));
  const left = before.nodes.filter((n) => !after.nodes.includes(n));
  let excess = 0;
  for (const h of hashes) {
    const old = before.owners(h, replicas);
    const now = after.owners(h, replicas);
    if (joined.length > 0) {
      for (const o of now) if (!old.includes(o) && !joined.includes(o)) excess++;
    } else if (!old.some((o) => left.includes(o))) {
      for (const o of now) if (!old.includes(o)) excess++;
    }
  }
  return excess;
}
