// The sharded store's static configuration (the same in every node of a run) and its owner tables: for
// each shard map, who owns each key, computed once per run per map and shared by the run's nodes (a pure
// function of the map, so sharing it is a memo, not shared state). Keys are `k0 … k{keys−1}`; any other
// key is looked up in the placement directly. Assumes a run's maps have distinct epochs.

import { assert } from '../../sim/assert.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { keyHash } from '../hashing/hash.js';
import { createPlacement, type Placement, type PlacementKind, type PlacementOptions } from '../hashing/placement.js';
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

/** The owners of every key under one shard map: built lazily, key by key, and kept. */
export class OwnerTable {
  readonly placement: Placement;
  readonly memberSet: ReadonlySet<NodeId>;
  /** owners of preloaded key i: slots i·R … i·R+R−1 hold member index + 1 (0: not computed yet). */
  private readonly slots: Uint16Array;
  private readonly counts: Uint8Array;
  private byMember: { readonly owned: Int32Array; readonly primary: Int32Array }[] | undefined;
  private readonly positions: ReadonlyMap<NodeId, number>;

  constructor(
    readonly map: ShardMap,
    private readonly config: Pick<ShardConfig, 'placement' | 'placementOptions' | 'replicas' | 'keys'>,
    preloadedHashes: () => readonly number[],
    /** `k0` … `k{keys−1}`, made once per run (a string made once keeps its hash: map lookups stay cheap). */
    readonly keyNames: readonly string[],
  ) {
    assert(map.members.length > 0 && map.members.length < 65_535, `shard map ${map.epoch}: ${map.members.length} members`);
    const options = config.placement === 'bounded' && config.placementOptions.keys === undefined ? { ...config.placementOptions, keys: preloadedHashes() } : config.placementOptions;
    this.placement = createPlacement(config.placement, map.members, options);
    this.memberSet = new Set(map.members);
    this.positions = new Map(map.members.map((m, i) => [m, i]));
    this.slots = new Uint16Array(config.keys * config.replicas);
    this.counts = new Uint8Array(config.keys);
  }

  get epoch(): number {
    return this.map.epoch;
  }

  /** The owners of `key`, primary first (a fresh array). */
  owners(key: string): NodeId[] {
    const i = keyIndex(key, this.config.keys);
    if (i < 0) return [...this.placement.owners(keyHash(key), this.config.replicas)];
    const R = this.config.replicas;
    if (this.counts[i] === 0) this.fill(i, key);
    const out: NodeId[] = [];
    for (let j = 0; j < this.counts[i]!; j++) out.push(this.map.members[this.slots[i * R + j]! - 1]!);
    return out;
  }

  /** Calls `visit(key, owner)` for each owner of `key`, primary first, without building an array. */
  forEachOwner(key: string, visit: (key: string, owner: NodeId) => void): void {
    const i = keyIndex(key, this.config.keys);
    if (i < 0) {
      for (const owner of this.placement.owners(keyHash(key), this.config.replicas)) visit(key, owner);
      return;
    }
    if (this.counts[i] === 0) this.fill(i, key);
    const R = this.config.replicas;
    for (let j = 0; j < this.counts[i]!; j++) visit(key, this.map.members[this.slots[i * R + j]! - 1]!);
  }

  /** The primary of `key`. */
  primary(key: string): NodeId {
    const i = keyIndex(key, this.config.keys);
    if (i < 0) return this.placement.primary(keyHash(key));
    if (this.counts[i] === 0) this.fill(i, key);
    return this.map.members[this.slots[i * this.config.replicas]! - 1]!;
  }

  /** `node`'s position in the map's members (-1: not a member). */
  memberIndex(node: NodeId): number {
    return this.positions.get(node) ?? -1;
  }

  /** Whether the member at `member` (a {@link memberIndex}) owns `key`; the primary only when `primaryOnly`. Cheap: no array is built. */
  ownedBy(member: number, key: string, primaryOnly = false): boolean {
    if (member < 0) return false;
    const i = keyIndex(key, this.config.keys);
    if (i < 0) return primaryOnly ? this.placement.primary(keyHash(key)) === this.map.members[member] : this.owns(this.map.members[member]!, key);
    if (this.counts[i] === 0) this.fill(i, key);
    const R = this.config.replicas;
    const last = primaryOnly ? 1 : this.counts[i]!;
    for (let j = 0; j < last; j++) if (this.slots[i * R + j] === member + 1) return true;
    return false;
  }

  /**
   * The indices of the preloaded keys the member at `member` owns (any position), ascending, and of those
   * it is primary of: one pass over the keys per table, kept (what preloading and migration iterate).
   */
  indicesOf(member: number): { readonly owned: Int32Array; readonly primary: Int32Array } {
    if (this.byMember === undefined) {
      const R = this.config.replicas;
      const owned = this.map.members.map((): number[] => []);
      const primary = this.map.members.map((): number[] => []);
      for (let i = 0; i < this.config.keys; i++) {
        if (this.counts[i] === 0) this.fill(i, this.keyNames[i]!);
        primary[this.slots[i * R]! - 1]!.push(i);
        for (let j = 0; j < this.counts[i]!; j++) owned[this.slots[i * R + j]! - 1]!.push(i);
      }
      this.byMember = owned.map((list, m) => ({ owned: Int32Array.from(list), primary: Int32Array.from(primary[m]!) }));
    }
    return this.byMember[member] ?? { owned: new Int32Array(0), primary: new Int32Array(0) };
  }

  /** Whether `node` is among the owners of `key`. */
  owns(node: NodeId, key: string): boolean {
    const i = keyIndex(key, this.config.keys);
    if (i < 0) return this.placement.owners(keyHash(key), this.config.replicas).includes(node);
    if (this.counts[i] === 0) this.fill(i, key);
    const R = this.config.replicas;
    for (let j = 0; j < this.counts[i]!; j++) if (this.map.members[this.slots[i * R + j]! - 1] === node) return true;
    return false;
  }

  private fill(i: number, key: string): void {
    const owners = this.placement.owners(keyHash(key), this.config.replicas);
    assert(owners.length > 0 && owners.length <= this.config.replicas, `placement gave ${owners.length} owners for ${key}`);
    const R = this.config.replicas;
    for (let j = 0; j < owners.length; j++) {
      const index = this.positions.get(owners[j]!) ?? -1;
      assert(index >= 0, `placement named ${owners[j]}, not a member of epoch ${this.map.epoch}`);
      this.slots[i * R + j] = index + 1;
    }
    this.counts[i] = owners.length;
  }
}

/**
 * The owner tables of one run, by map (epoch and members): each built once and shared by the run's
 * nodes. Create one per run (the setup does), never a module-level one.
 */
export class OwnerTables {
  private readonly tables = new Map<string, OwnerTable>();
  private hashes: number[] | undefined;
  /** `k0` … `k{keys−1}`. */
  readonly keyNames: readonly string[];

  constructor(readonly config: Pick<ShardConfig, 'placement' | 'placementOptions' | 'replicas' | 'keys'>) {
    this.keyNames = Array.from({ length: config.keys }, (_, i) => `k${i}`);
  }

  /** The table of `map`. */
  of(map: ShardMap): OwnerTable {
    const id = `${map.epoch}:${map.members.join(',')}`;
    let table = this.tables.get(id);
    if (table === undefined) {
      table = new OwnerTable(map, this.config, () => this.preloadedHashes(), this.keyNames);
      this.tables.set(id, table);
    }
    return table;
  }

  private preloadedHashes(): readonly number[] {
    this.hashes ??= this.keyNames.map((key) => keyHash(key));
    return this.hashes;
  }
}
