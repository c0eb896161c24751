// Owner tables: the owners of every key of a fixed key space under one member list, built once per run
// and shared by every node, client and metric that asks (a run-scoped memo of a pure function, made by
// the scenario per run: never module state). At 100,000 keys and 32 nodes a table is 300,000 owners.

import { assert } from '../../sim/assert.js';
import { keyHash } from './hash.js';
import { createPlacement, type Placement, type PlacementKind, type PlacementOptions } from './placement.js';

/** One member list's placement and the owners of every key under it. */
export interface OwnerTable {
  readonly members: readonly string[];
  readonly placement: Placement;
  /** `owners[k · R + r]`: the index in `members` of key k's r-th owner (r = 0 the primary); −1 past min(R, n). */
  readonly owners: Int32Array;
  /** Owners per key (R). */
  readonly replicas: number;
}

/** The key space's owner tables, one per member list asked for (cached by the list, in order). */
export class OwnerTables {
  /** Each key's hash, in key order. */
  readonly hashes: readonly number[];
  private readonly byMembers = new Map<string, OwnerTable>();

  /**
   * @param kind, options  the placement function (bounded loads places exactly these keys, in key order)
   * @param replicas       R, owners per key
   * @param keys           the key space, in a fixed order
   */
  constructor(
    readonly kind: PlacementKind,
    readonly options: PlacementOptions,
    readonly replicas: number,
    readonly keys: readonly string[],
  ) {
    assert(Number.isInteger(replicas) && replicas >= 1, `owner tables: replicas must be a positive integer, got ${replicas}`);
    this.hashes = keys.map(keyHash);
  }

  /** The table for `members` (built on first use). */
  table(members: readonly string[]): OwnerTable {
    const cacheKey = members.join('\u0000');
    let table = this.byMembers.get(cacheKey);
    if (table === undefined) {
      table = this.build(members);
      this.byMembers.set(cacheKey, table);
    }
    return table;
  }

  private build(members: readonly string[]): OwnerTable {
    const placement = createPlacement(this.kind, members, this.kind === 'bounded' ? { ...this.options, keys: this.hashes } : this.options);
    const R = this.replicas;
    const owners = new Int32Array(this.hashes.length * R).fill(-1);
    const hashes = this.hashes;
    if (placement.ownerIndicesInto !== undefined) {
      // Positions in `nodes`, which are `members` in order: no names, no look-ups.
      for (let k = 0; k < hashes.length; k++) placement.ownerIndicesInto(hashes[k]!, R, owners, k * R);
    } else {
      const index = new Map(members.map((m, i) => [m, i]));
      for (let k = 0; k < hashes.length; k++) {
        const list = placement.owners(hashes[k]!, R);
        for (let r = 0; r < list.length; r++) owners[k * R + r] = index.get(list[r]!)!;
      }
    }
    return { members, placement, owners, replicas: R };
  }
}
