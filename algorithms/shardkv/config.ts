// The sharded store's static configuration (the same in every node of a run) and its owner tables: for
// each shard map, who owns each key, computed once per run per member list and shared by the run's nodes
// and metrics (algorithms/hashing/tables.ts: a pure function of the map, so sharing it is a memo, not
// shared state). Keys are `k0 … k{keys−1}`; any other key is looked up in the placement directly.

import { assert } from '../../sim/assert.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { keyHash } from '../hashing/hash.js';
import type { Placement, PlacementKind, PlacementOptions } from '../hashing/placement.js';
import { OwnerTables as PlacementTables, type OwnerTable as PlacementTable } from '../hashing/tables.js';
import type { ShardMap } from './messages.js';

/** The store's planted bugs (hashBugs in algorithms/hashing/bugs.ts, read as booleans). */
export interface StoreBugs {
  readonly deleteBeforeAck: boolean;
  readonly staleMapNoEpochCheck: boolean;
}

/** Everything every node of one run knows. */
export interface ShardConfig {
  readonly placement: PlacementKind;
  readonly placementOptions: PlacementOptions;
  /** Owners per key (the first is the primary). */
  readonly replicas: number;
  /** Owners (the primary included) that hold a write before the client is answered; 1 ≤ W ≤ R. */
  readonly writeQuorum: number;
  /** Preloaded keys k0 … k{keys−1}. */
  readonly keys: number;
  /** The storage nodes of epoch 1 (the non-dormant ones), in order. */
  readonly initialMembers: readonly NodeId[];
  readonly controller: NodeId;
  /** Every client (the controller pushes new maps to them). */
  readonly clients: readonly NodeId[];
  /** Key copies per migration batch at most. */
  readonly batchKeysMax: number;
  /** Period of a storage node's retries (batches, dones, replication, reports, join/leave). */
  readonly retryMicros: Micros;
  readonly bugs: StoreBugs;
}

/** The value every preloaded key starts with (the history checker is told so). */
export const INITIAL_VALUE = 'init';

/** A key's version: (epoch, counter), compared lexicographically. */
export function compareVersions(ae: number, ac: number, be: number, bc: number): number {
  return ae !== be ? ae - be : ac - bc;
}

/** The index of a preloaded key (`k17` → 17), or -1 for any other key. */
export function keyIndex(key: string, keys: number): number {
  if (key.length < 2 || key.charCodeAt(0) !== 107 /* k */) return -1;
  let n = 0;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && i === 1 && key.length > 2)) return -1;
    n = n * 10 + d;
  }
  return n < keys ? n : -1;
}

/**
 * The owners of every key under one shard map, read from the run's shared placement table for its
 * member list (algorithms/hashing/tables.ts): lookups by member index, no arrays built per key.
 */
export class OwnerTable {
  readonly placement: Placement;
  readonly memberSet: ReadonlySet<NodeId>;
  private readonly positions: ReadonlyMap<NodeId, number>;
  /** `owners[i · R + r]`: member index of preloaded key i's r-th owner; −1 past min(R, n). */
  private readonly slots: Int32Array;
  private readonly R: number;
  private byMember: { readonly owned: Int32Array; readonly primary: Int32Array }[] | undefined;

  constructor(readonly map: ShardMap, table: PlacementTable, private readonly keys: number, readonly keyNames: readonly string[]) {
    assert(map.members.length > 0, `shard map ${map.epoch} has no members`);
    assert(table.members.join('\u0000') === map.members.join('\u0000'), `shard map ${map.epoch}: table of another member list`);
    this.placement = table.placement;
    this.slots = table.owners;
    this.R = table.replicas;
    this.memberSet = new Set(map.members);
    this.positions = new Map(map.members.map((m, i) => [m, i]));
  }

  get epoch(): number {
    return this.map.epoch;
  }

  /** `node`'s position in the map's members (-1: not a member). */
  memberIndex(node: NodeId): number {
    return this.positions.get(node) ?? -1;
  }

  /** The owners of `key`, primary first (a fresh array). */
  owners(key: string): NodeId[] {
    const out: NodeId[] = [];
    this.forEachOwner(key, (_, owner) => void out.push(owner));
    return out;
  }

  /** Calls `visit(key, owner)` for each owner of `key`, primary first, without building an array. */
  forEachOwner(key: string, visit: (key: string, owner: NodeId) => void): void {
    const i = keyIndex(key, this.keys);
    if (i < 0) {
      for (const owner of this.placement.owners(keyHash(key), this.R)) visit(key, owner);
      return;
    }
    for (let j = 0; j < this.R; j++) {
      const m = this.slots[i * this.R + j]!;
      if (m < 0) break;
      visit(key, this.map.members[m]!);
    }
  }

  /** The member index of preloaded key `i`'s `j`-th owner (0: the primary), or −1 past its owners. */
  ownerIndexAt(i: number, j: number): number {
    return j < this.R ? this.slots[i * this.R + j]! : -1;
  }

  /** The primary of `key`. */
  primary(key: string): NodeId {
    const i = keyIndex(key, this.keys);
    if (i < 0) return this.placement.primary(keyHash(key));
    return this.map.members[this.slots[i * this.R]!]!;
  }

  /** Whether `node` is among the owners of `key`. */
  owns(node: NodeId, key: string): boolean {
    return this.ownedBy(this.memberIndex(node), key);
  }

  /** Whether the member at `member` (a {@link memberIndex}) owns `key`; the primary only when `primaryOnly`. */
  ownedBy(member: number, key: string, primaryOnly = false): boolean {
    if (member < 0) return false;
    const i = keyIndex(key, this.keys);
    if (i < 0) {
      const owners = this.placement.owners(keyHash(key), primaryOnly ? 1 : this.R);
      return owners.includes(this.map.members[member]!);
    }
    const last = primaryOnly ? 1 : this.R;
    for (let j = 0; j < last; j++) if (this.slots[i * this.R + j] === member) return true;
    return false;
  }

  /**
   * The indices of the preloaded keys the member at `member` owns (any position), ascending, and of those
   * it is primary of: one pass over the table, kept (what preloading and migration iterate).
   */
  indicesOf(member: number): { readonly owned: Int32Array; readonly primary: Int32Array } {
    if (this.byMember === undefined) {
      const owned = this.map.members.map((): number[] => []);
      const primary = this.map.members.map((): number[] => []);
      for (let i = 0; i < this.keys; i++) {
        primary[this.slots[i * this.R]!]!.push(i);
        for (let j = 0; j < this.R; j++) {
          const m = this.slots[i * this.R + j]!;
          if (m < 0) break;
          owned[m]!.push(i);
        }
      }
      this.byMember = owned.map((list, m) => ({ owned: Int32Array.from(list), primary: Int32Array.from(primary[m]!) }));
    }
    return this.byMember[member] ?? { owned: new Int32Array(0), primary: new Int32Array(0) };
  }
}

/**
 * The owner tables of one run, by shard map: each wraps the run's shared placement table of its member
 * list (give the builder's, so placement metrics and the store compute each table once). Create one per
 * run (the setup does), never a module-level one.
 */
export class OwnerTables {
  /** The placement tables over the preloaded keys, shared with placement metrics. */
  readonly placement: PlacementTables;
  /** `k0` … `k{keys−1}` (made once: a string made once keeps its hash, so map lookups stay cheap). */
  readonly keyNames: readonly string[];
  private readonly tables = new Map<string, OwnerTable>();

  constructor(readonly config: Pick<ShardConfig, 'placement' | 'placementOptions' | 'replicas' | 'keys'>, placement?: PlacementTables) {
    this.keyNames = placement?.keys ?? Array.from({ length: config.keys }, (_, i) => `k${i}`);
    assert(this.keyNames.length === config.keys && this.keyNames.every((k, i) => k === `k${i}`), 'owner tables: the key space must be k0 … k{keys−1}');
    this.placement = placement ?? new PlacementTables(config.placement, config.placementOptions, config.replicas, this.keyNames);
    assert(this.placement.replicas === config.replicas && this.placement.kind === config.placement, 'owner tables: placement tables of another R or function');
  }

  /** The table of `map`. */
  of(map: ShardMap): OwnerTable {
    const id = `${map.epoch}:${map.members.join(',')}`;
    let table = this.tables.get(id);
    if (table === undefined) {
      table = new OwnerTable(map, this.placement.table(map.members), this.config.keys, this.keyNames);
      this.tables.set(id, table);
    }
    return table;
  }
}
