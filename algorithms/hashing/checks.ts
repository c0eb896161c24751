// Checks shared by the placement functions: the node list every function is built from, and the primality
// Maglev's table size needs. A bad argument here is a programmer's error (scenarios check user input first).

import { assert } from '../../sim/assert.js';

/** Asserts `nodes` is non-empty with distinct names. */
export function checkNodes(nodes: readonly string[]): void {
  assert(nodes.length > 0, 'a placement needs at least one node');
  assert(new Set(nodes).size === nodes.length, `placement: node names must be distinct, got ${nodes.join(', ')}`);
}

/** Whether `m` is a prime, by trial division (m is a table size: at most a few million, so √m is small). */
export function isPrime(m: number): boolean {
  if (!Number.isSafeInteger(m) || m < 2) return false;
  if (m % 2 === 0) return m === 2;
  for (let d = 3; d * d <= m; d += 2) if (m % d === 0) return false;
  return true;
}
