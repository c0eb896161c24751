// A storage node of the sharded store. Read this first:
//
// The shard map of epoch e names the storage members; a key's owners are the R members the placement
// function picks, the first its primary. The primary orders the key's writes: it gives each the version
// (e, counter), syncs it, copies it to the other owners and answers the client once W owners (itself
// included) hold it. Reads are served by the primary from its own copy. Every request and every message
// between storage nodes carries the epoch its sender acts under, and a node refuses any other epoch than
// its own (fencing): a client with an older map is told `wrong-epoch` and refreshes its map.
//
// When the controller publishes e+1, a node adopts it (durably, and only after e) and stops serving e.
// Then, for every key it was primary of in e, it sends (key, value, version) to the key's other owners
// in e+1, in numbered batches each acknowledged and re-sent on a timer until it is, and sends
// `done(e+1, batches)` to every member of e+1. A receiver keeps the higher version. The readiness rule
// (the safety core): an owner of k in e+1 serves k only once it holds done and every batch from k's
// primary in e, or it was that primary itself. The e-primary holds every write acknowledged in e and has
// stopped serving, so no two nodes serve a key at once. A node deletes the keys it no longer owns only
// after every batch it sent was acknowledged; then, with every member of e's transfer complete, it
// reports `migrated(e+1)` to the controller, which publishes the next change only after all have.
//
// Durable state (ctx.disk): the epoch, its map and the one before, each key's copy (`d/KEY`), per-client
// last put id (`s/CLIENT`), incoming transfer progress per sender (`in/SENDER`), the epoch whose
// migration finished, the leaving flag and a boot count (a restart re-sends its transfers as a new run).
// Writes are synced before anything that depends on them is sent; a batch costs one sync, not one per key.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import { compareVersions, INITIAL_VALUE, keyIndex, type OwnerTable, type OwnerTables, type ShardConfig } from './config.js';
import type { ShardFact } from './facts.js';
import type { RefusalReason, ShardMap, ShardMessage, TransferEntry } from './messages.js';

type Ctx = Context<ShardMessage, ShardFact>;
type Msg<T extends ShardMessage['type']> = Extract<ShardMessage, { type: T }>;

/** One key's copy: its value and version (epoch, counter). */
export interface KeyCopy {
  readonly value: string;
  readonly versionEpoch: number;
  readonly versionCounter: number;
}

/** What `inspect()` shows (checkers, reports, tests). */
export interface StorageView {
  readonly epoch: number;
  /** The epoch whose migration this node finished (its keys are all in place). */
  readonly migratedEpoch: number;
  readonly members: readonly NodeId[];
  readonly leaving: boolean;
  /** key → copy; a live read-only view (do not keep it across steps). */
  readonly data: ReadonlyMap<string, KeyCopy>;
  /** Writes still being copied to their other owners. */
  readonly pendingWrites: number;
  /** Transfers of the current migration not yet acknowledged (batches and dones). */
  readonly transfersUnacked: number;
}

/** A batch's or done's progress at the sender, per receiver. */
interface OutTarget {
  readonly batches: readonly (readonly string[])[];
  readonly acked: boolean[];
  doneAcked: boolean;
}

/** The migration into `epoch` this node sends, as run `run` (its boot count). */
interface Outgoing {
  readonly epoch: number;
  readonly run: number;
  readonly targets: Map<NodeId, OutTarget>;
  /** Batches and dones not yet acknowledged. */
  unacked: number;
}

/** A sender's transfer into the current epoch, as this node received it (mirrored on disk at `in/SENDER`). */
interface Incoming {
  epoch: number;
  run: number;
  /** How many batches the sender's done announced for `run` (-1: no done yet). */
  batches: number;
  got: number[];
  complete: boolean;
  keys: number;
}

/** A write the primary is copying to the key's other owners. */
interface PendingWrite {
  readonly entry: TransferEntry;
  /** The client to answer (null: a write re-sent after a restart, whose client no longer waits). */
  readonly client: NodeId | null;
  readonly requestId: number;
  readonly waiting: Set<NodeId>;
  readonly needed: number;
  acks: number;
  answered: boolean;
}

const BOOTS = 'boots';
const EPOCH = 'epoch';
const MIGRATED = 'migrated';
const LEAVING = 'leaving';
const INSTANCE = 'instance';
const mapKey = (epoch: number) => `map/${epoch}`;
const dataKey = (key: string) => `d/${key}`;
/** An initial member's preloaded keys are not written out (the epoch-1 table says which they are); one it drops leaves this tombstone. */
const PRELOADED = 'preloaded';
const droppedKey = (key: string) => `x/${key}`;
const sessionKey = (client: NodeId) => `s/${client}`;
const incomingKey = (sender: NodeId) => `in/${sender}`;
/** Distinct write ids across restarts: boot count × this + a counter. */
const WIDS_PER_BOOT = 1_000_000_000;

export class StorageNode implements Process<ShardMessage, ShardFact> {
  private boots = 0;
  /** Drawn at first boot (a node that leaves and joins again starts from an empty disk: a new instance). */
  private instance = 0;
  private epoch = 0;
  private migratedEpoch = 0;
  private leaving = false;
  /** The current map's owner table, and the previous epoch's (who was primary before). */
  private current: OwnerTable | undefined;
  private previous: OwnerTable | undefined;
  private readonly data = new Map<string, KeyCopy>();
  /** Keys held that are not preloaded ones (k0 … k{keys−1}): the owner tables' key lists do not cover them. */
  private readonly extraKeys = new Set<string>();
  /** This node booted as an initial member: its preloaded keys are implied by the configuration, not on disk. */
  private preloaded = false;
  private readonly sessions = new Map<NodeId, number>();
  private readonly incoming = new Map<NodeId, Incoming>();
  private out: Outgoing | undefined;
  private keysSent = 0;
  private readonly pending = new Map<number, PendingWrite>();
  private nextWid = 0;
  /** The highest epoch the controller acknowledged our `migrated` report for (volatile). */
  private reportAcked = 0;
  /** The controller let a node that never was a member go (volatile). */
  private leaveOk = false;
  /** Maps received ahead of time (epoch → map), adopted in order. Bound: maps are few and small. */
  private readonly ahead = new Map<number, ShardMap>();
  /** The epoch of a map to ask the controller for (0: none). */
  private wantMap = 0;
  private tickArmed = false;

  constructor(private readonly config: ShardConfig, private readonly tables: OwnerTables) {
    assert(config.writeQuorum >= 1 && config.writeQuorum <= config.replicas, `W = ${config.writeQuorum} is not within 1 … R = ${config.replicas}`);
    assert(config.batchKeysMax >= 1, 'a batch carries at least one key');
  }

  // ---- start, and the view ------------------------------------------------------------------------

  onStart(ctx: Ctx): void {
    this.boots = (ctx.disk.read<number>(BOOTS) ?? 0) + 1;
    ctx.disk.write(BOOTS, this.boots);
    this.instance = ctx.disk.read<number>(INSTANCE) ?? ctx.rng.int(1, 2 ** 31);
    ctx.disk.write(INSTANCE, this.instance);
    this.nextWid = this.boots * WIDS_PER_BOOT;
    this.leaving = ctx.disk.read<boolean>(LEAVING) ?? false;
    this.epoch = ctx.disk.read<number>(EPOCH) ?? 0;
    if (this.epoch === 0) {
      // Beyond the design's words: a node tells its first boot from a later `join` (which also starts from
      // an empty disk) by its clock: the engine boots the initial cluster at time 0, and joins come later.
      if (this.config.initialMembers.includes(ctx.self) && ctx.now() === 0) this.preload(ctx);
      else ctx.disk.sync();
    } else {
      this.load(ctx);
      ctx.disk.sync();
      // A migration cut short by the crash starts again as a new run (receivers keep the higher version).
      if (this.migratedEpoch < this.epoch) this.startMigration(ctx);
      this.recopyWrites(ctx);
    }
    this.arm(ctx);
  }

  inspect(): StorageView {
    return {
      epoch: this.epoch, migratedEpoch: this.migratedEpoch, members: this.current?.map.members ?? [], leaving: this.leaving,
      data: this.data, pendingWrites: this.pending.size, transfersUnacked: this.out?.unacked ?? 0,
    };
  }

  /**
   * An initial member's first boot: epoch 1 (fixed by the configuration) and its share of the preloaded
   * keys, in one sync. The keys themselves are not written: the disk says `preloaded`, and a restart
   * rebuilds them from the epoch-1 table (the configuration is the disk image a real node would ship
   * with); a preloaded key it drops leaves a tombstone, and a later copy of it a `d/` entry as any key.
   */
  private preload(ctx: Ctx): void {
    const map: ShardMap = { epoch: 1, members: this.config.initialMembers };
    this.loadPreloaded(ctx, map);
    this.preloaded = true;
    ctx.disk.write(PRELOADED, true);
    this.epoch = 1;
    this.current = this.tables.of(map);
    this.migratedEpoch = 1;
    ctx.disk.write(EPOCH, 1);
    ctx.disk.write(mapKey(1), map);
    ctx.disk.write(MIGRATED, 1);
    ctx.disk.sync();
    ctx.observe({ type: 'epoch-adopted', epoch: 1 });
  }

  /** This node's share of the preloaded keys under epoch 1's map, each at the initial value and version (0, 0). */
  private loadPreloaded(ctx: Ctx, map: ShardMap): void {
    const table = this.tables.of(map);
    const owned = table.indicesOf(table.memberIndex(ctx.self)).owned;
    for (let j = 0; j < owned.length; j++) {
      this.data.set(this.tables.keyNames[owned[j]!]!, { value: INITIAL_VALUE, versionEpoch: 0, versionCounter: 0 });
    }
  }

  private load(ctx: Ctx): void {
    const map = ctx.disk.read<ShardMap>(mapKey(this.epoch));
    assert(map !== undefined, `${ctx.self}: epoch ${this.epoch} adopted without its map on disk`);
    this.current = this.tables.of(map);
    const before = ctx.disk.read<ShardMap>(mapKey(this.epoch - 1));
    this.previous = before === undefined ? undefined : this.tables.of(before);
    this.migratedEpoch = ctx.disk.read<number>(MIGRATED) ?? 0;
    // The preloaded share first, less the keys dropped since; then every key written since (which wins).
    if (ctx.disk.read<boolean>(PRELOADED) === true) {
      this.preloaded = true;
      this.loadPreloaded(ctx, { epoch: 1, members: this.config.initialMembers });
      for (const name of ctx.disk.keys()) if (name.startsWith('x/')) this.data.delete(name.slice(2));
    }
    for (const name of ctx.disk.keys()) {
      if (name.startsWith('d/')) {
        const entry = ctx.disk.read<TransferEntry>(name)!;
        this.data.set(entry[0], { value: entry[1], versionEpoch: entry[2], versionCounter: entry[3] });
        if (keyIndex(entry[0], this.config.keys) < 0) this.extraKeys.add(entry[0]);
      } else if (name.startsWith('s/')) {
        this.sessions.set(name.slice(2), ctx.disk.read<number>(name)!);
      } else if (name.startsWith('in/')) {
        const record = ctx.disk.read<Incoming>(name)!;
        if (record.epoch === this.epoch) this.incoming.set(name.slice(3), { ...record, got: [...record.got] });
      }
    }
  }

  /**
   * After a restart: the writes this node ordered in its epoch may not have reached every owner (what was
   * being copied was volatile), so it copies them again; owners keep the higher version.
   */
  private recopyWrites(ctx: Ctx): void {
    const table = this.current!;
    for (const [key, copy] of this.data) {
      if (copy.versionEpoch !== this.epoch || table.primary(key) !== ctx.self) continue;
      const others = table.owners(key).filter((o) => o !== ctx.self);
      if (others.length === 0) continue;
      const entry: TransferEntry = [key, copy.value, copy.versionEpoch, copy.versionCounter];
      const wid = this.nextWid++;
      this.pending.set(wid, { entry, client: null, requestId: -1, waiting: new Set(others), needed: 0, acks: 0, answered: true });
      for (const other of others) ctx.send(other, { type: 'replicate', epoch: this.epoch, wid, entry });
    }
  }

  // ---- messages -----------------------------------------------------------------------------------

  onMessage(ctx: Ctx, from: NodeId, msg: ShardMessage): void {
    switch (msg.type) {
      case 'request': this.onRequest(ctx, from, msg); break;
      case 'replicate': this.onReplicate(ctx, from, msg); break;
      case 'replicate-ack': this.onReplicateAck(ctx, from, msg); break;
      case 'batch': this.onBatch(ctx, from, msg); break;
      case 'done': this.onDone(ctx, from, msg); break;
      case 'batch-ack': this.onBatchAck(ctx, from, msg); break;
      case 'done-ack': this.onDoneAck(ctx, from, msg); break;
      case 'map': this.onMap(ctx, msg.map); break;
      case 'migrated-ack':
        if (msg.epoch === this.epoch) this.reportAcked = msg.epoch;
        this.maybeLeave(ctx);
        break;
      case 'leave-ok':
        this.leaveOk = true;
        this.maybeLeave(ctx);
        break;
      default: break;
    }
    this.arm(ctx);
  }

  onLeave(ctx: Ctx): void {
    this.leaving = true;
    ctx.disk.write(LEAVING, true);
    ctx.disk.sync();
    ctx.send(this.config.controller, { type: 'leave', instance: this.instance });
    this.maybeLeave(ctx);
    this.arm(ctx);
  }

  // ---- client requests: fencing, readiness, the primary's write path ------------------------------

  private onRequest(ctx: Ctx, from: NodeId, msg: Msg<'request'>): void {
    if (msg.epoch !== this.epoch) {
      if (msg.epoch < this.epoch && this.config.bugs.staleMapNoEpochCheck && this.epoch > 0) return this.serveUnfenced(ctx, from, msg);
      // Fencing: an older epoch is refused (the client refreshes its map); a newer one means we are behind.
      if (msg.epoch > this.epoch) this.want(msg.epoch);
      return this.refuse(ctx, from, msg.id, msg.epoch < this.epoch ? 'wrong-epoch' : 'not-ready');
    }
    const table = this.current!;
    if (table.primary(msg.key) !== ctx.self) return this.refuse(ctx, from, msg.id, 'not-owner');
    // The readiness rule: k's primary of the epoch before must have handed it over (or be us).
    if (!this.ready(ctx, msg.key)) return this.refuse(ctx, from, msg.id, 'not-ready');
    if (msg.op === 'get') {
      ctx.observe({ type: 'read-served', key: msg.key, epoch: this.epoch });
      ctx.send(from, { type: 'reply', id: msg.id, ok: true, value: this.data.get(msg.key)?.value ?? null });
      return;
    }
    // A put is executed once per (client, id): a duplicate the network delivers later is dropped.
    if ((this.sessions.get(from) ?? -1) >= msg.id) return;
    this.write(ctx, from, msg);
  }

  /** Whether this node, an owner of `key` in its epoch, holds the key's latest copy. */
  private ready(ctx: Ctx, key: string): boolean {
    if (this.migratedEpoch >= this.epoch || this.previous === undefined) return true;
    const before = this.previous.primary(key);
    return before === ctx.self || this.incoming.get(before)?.complete === true;
  }

  private write(ctx: Ctx, from: NodeId, msg: Msg<'request'>): void {
    assert(msg.value !== undefined, 'a put carries a value');
    const key = msg.key;
    const old = this.data.get(key);
    // Versions (epoch, counter): only this node orders writes of `key` in this epoch, so they increase.
    const counter = old !== undefined && old.versionEpoch === this.epoch ? old.versionCounter + 1 : 1;
    assert(old === undefined || compareVersions(this.epoch, counter, old.versionEpoch, old.versionCounter) > 0, `${key}: a new version must exceed the held one`);
    const entry: TransferEntry = [key, msg.value, this.epoch, counter];
    this.store(ctx, entry);
    this.sessions.set(from, msg.id);
    ctx.disk.write(sessionKey(from), msg.id);
    // Invariant: the primary counts itself toward W only for a write it has made durable.
    ctx.disk.sync();
    ctx.observe({ type: 'write-accepted', key, epoch: this.epoch });
    const others = this.current!.owners(key).filter((o) => o !== ctx.self);
    const needed = Math.min(this.config.writeQuorum - 1, others.length);
    const pending: PendingWrite = { entry, client: from, requestId: msg.id, waiting: new Set(others), needed, acks: 0, answered: false };
    if (needed === 0) this.answer(ctx, pending);
    if (others.length === 0) return;
    const wid = this.nextWid++;
    this.pending.set(wid, pending);
    for (const other of others) ctx.send(other, { type: 'replicate', epoch: this.epoch, wid, entry });
  }

  private answer(ctx: Ctx, pending: PendingWrite): void {
    pending.answered = true;
    if (pending.client !== null) ctx.send(pending.client, { type: 'reply', id: pending.requestId, ok: true });
  }

  /** Planted bug hash/stale-map-no-epoch-check: serve a request of an older epoch from the local copy. */
  private serveUnfenced(ctx: Ctx, from: NodeId, msg: Msg<'request'>): void {
    if (msg.op === 'get') {
      ctx.send(from, { type: 'reply', id: msg.id, ok: true, value: this.data.get(msg.key)?.value ?? null });
      return;
    }
    if ((this.sessions.get(from) ?? -1) >= msg.id) return;
    const old = this.data.get(msg.key);
    const counter = old !== undefined && old.versionEpoch === this.epoch ? old.versionCounter + 1 : 1;
    this.store(ctx, [msg.key, msg.value!, this.epoch, counter]);
    this.sessions.set(from, msg.id);
    ctx.disk.write(sessionKey(from), msg.id);
    ctx.disk.sync();
    ctx.observe({ type: 'write-accepted', key: msg.key, epoch: this.epoch });
    ctx.send(from, { type: 'reply', id: msg.id, ok: true });
  }

  private refuse(ctx: Ctx, to: NodeId, id: number, reason: RefusalReason): void {
    ctx.send(to, { type: 'reply', id, ok: false, reason, epoch: this.epoch });
  }

  // ---- replication within an epoch ----------------------------------------------------------------

  private onReplicate(ctx: Ctx, from: NodeId, msg: Msg<'replicate'>): void {
    if (msg.epoch > this.epoch) return this.want(msg.epoch);
    // Fencing: a copy of an older epoch is refused (its primary has been superseded).
    if (msg.epoch < this.epoch) return;
    if (this.merge(ctx, msg.entry)) ctx.disk.sync();
    ctx.send(from, { type: 'replicate-ack', epoch: msg.epoch, wid: msg.wid });
  }

  private onReplicateAck(ctx: Ctx, from: NodeId, msg: Msg<'replicate-ack'>): void {
    const pending = this.pending.get(msg.wid);
    if (pending === undefined || msg.epoch !== this.epoch || !pending.waiting.delete(from)) return;
    pending.acks++;
    // W owners (us included) hold the write: answer the client.
    if (!pending.answered && pending.acks >= pending.needed) this.answer(ctx, pending);
    if (pending.waiting.size === 0) this.pending.delete(msg.wid);
  }

  /** Keeps the higher version; true if the copy changed (written, not yet synced). */
  private merge(ctx: Ctx, entry: TransferEntry): boolean {
    const [key, , versionEpoch, versionCounter] = entry;
    const old = this.data.get(key);
    if (old !== undefined && compareVersions(versionEpoch, versionCounter, old.versionEpoch, old.versionCounter) <= 0) return false;
    this.store(ctx, entry);
    return true;
  }

  private store(ctx: Ctx, entry: TransferEntry): void {
    const [key, value, versionEpoch, versionCounter] = entry;
    if (!this.data.has(key) && keyIndex(key, this.config.keys) < 0) this.extraKeys.add(key);
    this.data.set(key, { value, versionEpoch, versionCounter });
    ctx.disk.write(dataKey(key), entry);
  }

  // ---- maps and epochs ----------------------------------------------------------------------------

  private onMap(ctx: Ctx, map: ShardMap): void {
    // The controller pushes its map to nodes it has no report from: after its restart it has forgotten
    // the reports it acknowledged, so the report goes again.
    if (map.epoch === this.epoch && this.reportAcked >= this.epoch) this.reportAcked = this.epoch - 1;
    if (map.epoch <= this.epoch) return;
    if (this.epoch === 0 && map.members.includes(ctx.self) && map.epoch > 1) {
      // A fresh node named in a map must first know the map before it (who hands it what).
      this.ahead.set(map.epoch, map);
      this.want(map.epoch - 1);
      return;
    }
    if (this.epoch > 0 && map.epoch > this.epoch + 1) {
      // Epochs are adopted in order: fetch the ones missed.
      this.ahead.set(map.epoch, map);
      this.want(this.epoch + 1);
      return;
    }
    this.adopt(ctx, map);
    for (let next = this.ahead.get(this.epoch + 1); next !== undefined; next = this.ahead.get(this.epoch + 1)) {
      // A member finishes its migration into e before e+1 exists, so only a non-member can run ahead here.
      if (this.migratedEpoch < this.epoch) break;
      this.ahead.delete(next.epoch);
      this.adopt(ctx, next);
    }
    for (const epoch of [...this.ahead.keys()]) if (epoch <= this.epoch) this.ahead.delete(epoch);
    if (this.wantMap <= this.epoch) this.wantMap = 0;
    if (this.ahead.size > 0) this.want(this.epoch + 1);
  }

  /** Asks (on the next tick) for the map this node needs next: the one after its own, or a fresh node's first. */
  private want(epoch: number): void {
    this.wantMap = this.epoch > 0 ? this.epoch + 1 : this.wantMap === 0 ? epoch : Math.min(this.wantMap, epoch);
  }

  /** Adopts `map` (epoch + 1, or a fresh node's first): durably first, then stops serving the old epoch and migrates. */
  private adopt(ctx: Ctx, map: ShardMap): void {
    assert(this.epoch === 0 || map.epoch === this.epoch + 1, `${ctx.self}: adopting epoch ${map.epoch} from ${this.epoch}`);
    ctx.disk.write(EPOCH, map.epoch);
    ctx.disk.write(mapKey(map.epoch), map);
    if (this.epoch > 1) ctx.disk.delete(mapKey(this.epoch - 1));
    for (const sender of this.incoming.keys()) ctx.disk.delete(incomingKey(sender));
    ctx.disk.sync();
    this.previous = this.epoch === 0 ? undefined : this.current;
    this.current = this.tables.of(map);
    this.epoch = map.epoch;
    this.incoming.clear();
    // Writes of the old epoch still being copied are dropped (their clients' puts stay open); the
    // migration sends those keys to every new owner, even one that was already an owner.
    const unsure = new Map<string, ReadonlySet<NodeId>>();
    for (const pending of this.pending.values()) unsure.set(pending.entry[0], pending.waiting);
    this.pending.clear();
    this.out = undefined;
    ctx.observe({ type: 'epoch-adopted', epoch: map.epoch });
    this.startMigration(ctx, unsure);
  }

  // ---- migration ----------------------------------------------------------------------------------

  /**
   * Sends the keys this node was primary of in the epoch before to their other owners now. An owner that
   * already owned the key then holds our version (it acknowledged every write we ordered: invariant of
   * `pending`), so it is sent only the keys in `unsure` it had not acknowledged yet. Without `unsure`
   * (a migration resumed after a restart, when `pending` was lost) every owner is sent every key.
   */
  private startMigration(ctx: Ctx, unsure?: ReadonlyMap<string, ReadonlySet<NodeId>>): void {
    const before = this.previous;
    const now = this.current!;
    this.keysSent = 0;
    if (before === undefined || (!before.memberSet.has(ctx.self) && !now.memberSet.has(ctx.self))) {
      this.finishMigration(ctx);
      return;
    }
    const targets = new Map<NodeId, OutTarget>();
    if (before.memberSet.has(ctx.self)) {
      const lists = new Map<NodeId, string[]>();
      for (const member of now.map.members) if (member !== ctx.self) lists.set(member, []);
      const addressee = (key: string, owner: NodeId): void => {
        if (owner === ctx.self) return;
        // Beyond the design's words: an owner of e and e+1 that acknowledged our latest version needs no copy.
        if (unsure !== undefined && before.ownedBy(before.memberIndex(owner), key) && unsure.get(key)?.has(owner) !== true) return;
        lists.get(owner)!.push(key);
        this.keysSent++;
      };
      // The keys we were primary of and hold, by index (no key parsed, no owner looked up by name), each
      // owner in table order; then keys outside the preloaded space, through the placement itself.
      const selfBefore = before.memberIndex(ctx.self);
      const primary = before.indicesOf(selfBefore).primary;
      const names = this.tables.keyNames;
      const R = this.config.replicas;
      const nowToBefore = Int32Array.from(now.map.members, (m) => before.memberIndex(m));
      const listOf = now.map.members.map((m) => lists.get(m));
      for (let p = 0; p < primary.length; p++) {
        const i = primary[p]!;
        const key = names[i]!;
        if (!this.data.has(key)) continue;
        for (let r = 0; r < R; r++) {
          const m = now.ownerIndexAt(i, r);
          if (m < 0) break;
          const list = listOf[m];
          if (list === undefined) continue; // ourselves
          if (unsure !== undefined) {
            // Beyond the design's words: an owner of e and e+1 that acknowledged our latest version needs no copy.
            const b = nowToBefore[m]!;
            let owned = false;
            for (let q = 0; q < R && !owned; q++) owned = b >= 0 && before.ownerIndexAt(i, q) === b;
            if (owned && unsure.get(key)?.has(now.map.members[m]!) !== true) continue;
          }
          list.push(key);
          this.keysSent++;
        }
      }
      for (const key of this.extraKeys) if (before.ownedBy(selfBefore, key, true)) now.forEachOwner(key, addressee);
      for (const [member, keys] of lists) {
        const batches: string[][] = [];
        for (let i = 0; i < keys.length; i += this.config.batchKeysMax) batches.push(keys.slice(i, i + this.config.batchKeysMax));
        targets.set(member, { batches, acked: batches.map(() => false), doneAcked: false });
      }
      let unacked = 0;
      for (const target of targets.values()) unacked += target.batches.length + 1;
      this.out = { epoch: this.epoch, run: this.boots, targets, unacked };
      this.sendTransfers(ctx);
      if (this.config.bugs.deleteBeforeAck) {
        // Planted bug hash/migrate-delete-before-ack: the copies just sent are dropped before any receiver acknowledged them.
        for (const key of [...this.data.keys()]) if (!now.owns(ctx.self, key) && before.primary(key) === ctx.self) this.drop(ctx, key);
        ctx.disk.sync();
      }
    }
    this.checkMigration(ctx);
  }

  /** Sends every batch and done not yet acknowledged; a batch's entries are read from the data now. */
  private sendTransfers(ctx: Ctx): void {
    const out = this.out;
    if (out === undefined) return;
    for (const [member, target] of out.targets) {
      target.batches.forEach((keys, index) => {
        if (target.acked[index]) return;
        const entries: TransferEntry[] = [];
        for (const key of keys) {
          const copy = this.data.get(key);
          if (copy !== undefined) entries.push([key, copy.value, copy.versionEpoch, copy.versionCounter]);
        }
        ctx.send(member, { type: 'batch', epoch: out.epoch, run: out.run, index, entries });
      });
      if (!target.doneAcked) ctx.send(member, { type: 'done', epoch: out.epoch, run: out.run, batches: target.batches.length, sessions: [...this.sessions] });
    }
  }

  private onBatch(ctx: Ctx, from: NodeId, msg: Msg<'batch'>): void {
    if (msg.epoch > this.epoch) return this.want(msg.epoch);
    if (msg.epoch === this.epoch) {
      const record = this.incomingOf(from, msg.run);
      let changed = false;
      for (const entry of msg.entries) changed = this.merge(ctx, entry) || changed;
      if (msg.run === record.run && !record.got.includes(msg.index)) {
        record.got.push(msg.index);
        record.keys += msg.entries.length;
        ctx.disk.write(incomingKey(from), record);
        changed = true;
      }
      // One sync per batch: its copies and the progress record are durable before the ack.
      if (changed) ctx.disk.sync();
      this.checkComplete(ctx, from, record);
    }
    // A batch of an older epoch is acknowledged but not applied (its sender's migration is long settled).
    ctx.send(from, { type: 'batch-ack', epoch: msg.epoch, run: msg.run, index: msg.index });
  }

  private onDone(ctx: Ctx, from: NodeId, msg: Msg<'done'>): void {
    if (msg.epoch > this.epoch) return this.want(msg.epoch);
    if (msg.epoch === this.epoch) {
      // Beyond the design's words: the old primary's sessions come with its handover, so a put it applied
      // and a client retries here (with the same id, after a refusal the network duplicated) applies once.
      let merged = false;
      for (const [client, id] of msg.sessions) {
        if ((this.sessions.get(client) ?? -1) >= id) continue;
        this.sessions.set(client, id);
        ctx.disk.write(sessionKey(client), id);
        merged = true;
      }
      if (merged) ctx.disk.sync();
      const record = this.incomingOf(from, msg.run);
      if (msg.run === record.run && record.batches < 0) {
        record.batches = msg.batches;
        ctx.disk.write(incomingKey(from), record);
        ctx.disk.sync();
      }
      this.checkComplete(ctx, from, record);
    }
    ctx.send(from, { type: 'done-ack', epoch: msg.epoch, run: msg.run });
  }

  /** The progress record of `sender`'s transfer; a higher run (the sender restarted) starts the count again. */
  private incomingOf(sender: NodeId, run: number): Incoming {
    let record = this.incoming.get(sender);
    if (record === undefined || (run > record.run && !record.complete)) {
      record = { epoch: this.epoch, run, batches: -1, got: [], complete: false, keys: record?.keys ?? 0 };
      this.incoming.set(sender, record);
    }
    return record;
  }

  private checkComplete(ctx: Ctx, sender: NodeId, record: Incoming): void {
    if (record.complete || record.batches < 0 || record.got.length < record.batches) return;
    record.complete = true;
    ctx.disk.write(incomingKey(sender), record);
    ctx.disk.sync();
    this.checkMigration(ctx);
  }

  private onBatchAck(ctx: Ctx, from: NodeId, msg: Msg<'batch-ack'>): void {
    const target = this.outTarget(from, msg.epoch, msg.run);
    if (target === undefined || target.acked[msg.index] !== false) return;
    target.acked[msg.index] = true;
    this.out!.unacked--;
    this.checkMigration(ctx);
  }

  private onDoneAck(ctx: Ctx, from: NodeId, msg: Msg<'done-ack'>): void {
    const target = this.outTarget(from, msg.epoch, msg.run);
    if (target === undefined || target.doneAcked) return;
    target.doneAcked = true;
    this.out!.unacked--;
    this.checkMigration(ctx);
  }

  private outTarget(from: NodeId, epoch: number, run: number): OutTarget | undefined {
    const out = this.out;
    return out !== undefined && out.epoch === epoch && out.run === run ? out.targets.get(from) : undefined;
  }

  /** Finishes the migration once every transfer we sent is acknowledged and every one we need is complete. */
  private checkMigration(ctx: Ctx): void {
    if (this.migratedEpoch >= this.epoch) return;
    if (this.out !== undefined && this.out.unacked > 0) return;
    const before = this.previous;
    if (before !== undefined && this.current!.memberSet.has(ctx.self)) {
      for (const member of before.map.members) {
        if (member !== ctx.self && this.incoming.get(member)?.complete !== true) return;
      }
    }
    this.finishMigration(ctx);
  }

  private finishMigration(ctx: Ctx): void {
    const now = this.current!;
    // Every new owner acknowledged every key we sent: the copies we no longer own can go.
    for (const key of this.keysNotOwned(now, ctx.self)) this.drop(ctx, key);
    this.migratedEpoch = this.epoch;
    ctx.disk.write(MIGRATED, this.epoch);
    ctx.disk.sync();
    const member = now.memberSet.has(ctx.self) || this.previous?.memberSet.has(ctx.self) === true;
    if (this.previous !== undefined && member) {
      let keysReceived = 0;
      for (const record of this.incoming.values()) keysReceived += record.keys;
      ctx.observe({ type: 'migrated', epoch: this.epoch, keysSent: this.keysSent, keysReceived });
    }
    this.out = undefined;
    if (this.mustReport(ctx)) ctx.send(this.config.controller, { type: 'migrated', epoch: this.epoch });
    this.maybeLeave(ctx);
  }

  /** The keys we hold and were primary of under `table`: the table's list of preloaded keys, then any others. */
  /**
   * The keys we hold that `table` does not give us. We hold only keys we owned in the epoch before or own
   * now (finishMigration dropped the rest), so for preloaded keys this is the old list minus the new one.
   */
  private keysNotOwned(table: OwnerTable, self: NodeId): string[] {
    const now = table.indicesOf(table.memberIndex(self)).owned;
    const before = this.previous?.indicesOf(this.previous.memberIndex(self)).owned;
    const out: string[] = [];
    if (before === undefined) {
      for (const key of this.data.keys()) if (!table.ownedBy(table.memberIndex(self), key)) out.push(key);
      return out;
    }
    let j = 0;
    for (let b = 0; b < before.length; b++) {
      const i = before[b]!;
      while (j < now.length && now[j]! < i) j++;
      if (j < now.length && now[j] === i) continue;
      const key = this.tables.keyNames[i]!;
      if (this.data.has(key)) out.push(key);
    }
    for (const key of this.extraKeys) if (!table.ownedBy(table.memberIndex(self), key)) out.push(key);
    return out;
  }

  private drop(ctx: Ctx, key: string): void {
    if (!this.data.delete(key)) return;
    this.extraKeys.delete(key);
    ctx.disk.delete(dataKey(key));
    // A preloaded key has no `d/` entry to delete until it is written: a tombstone keeps a restart from rebuilding it.
    if (this.preloaded) ctx.disk.write(droppedKey(key), true);
  }

  /** A member of this epoch, or the one before, reports its finished migration until the controller acknowledges it. */
  private mustReport(ctx: Ctx): boolean {
    if (this.epoch === 0 || this.migratedEpoch < this.epoch || this.reportAcked >= this.epoch) return false;
    return this.current!.memberSet.has(ctx.self) || this.previous?.memberSet.has(ctx.self) === true;
  }

  // ---- joining and leaving ------------------------------------------------------------------------

  private isMember(ctx: Ctx): boolean {
    return this.current?.memberSet.has(ctx.self) === true;
  }

  /** A leaving node goes once it is out of the map, its handoff is acknowledged and its report too. */
  private maybeLeave(ctx: Ctx): void {
    if (!this.leaving || this.isMember(ctx) || this.migratedEpoch < this.epoch || this.mustReport(ctx)) return;
    const handedOver = this.previous?.memberSet.has(ctx.self) === true && this.reportAcked >= this.epoch;
    if (handedOver || this.leaveOk) ctx.leave();
  }

  // ---- the retry timer ----------------------------------------------------------------------------

  onTimer(ctx: Ctx, name: string): void {
    if (name !== 'tick') return;
    this.tickArmed = false;
    this.sendTransfers(ctx);
    for (const [wid, pending] of this.pending) {
      for (const other of pending.waiting) ctx.send(other, { type: 'replicate', epoch: this.epoch, wid, entry: pending.entry });
    }
    if (this.mustReport(ctx)) ctx.send(this.config.controller, { type: 'migrated', epoch: this.epoch });
    if (this.wantMap > this.epoch) ctx.send(this.config.controller, { type: 'map-request', epoch: this.wantMap });
    if (this.leaving) ctx.send(this.config.controller, { type: 'leave', instance: this.instance });
    else if (!this.isMember(ctx)) ctx.send(this.config.controller, { type: 'join', instance: this.instance });
    this.arm(ctx);
  }

  /** Sets the retry timer when something waits for an answer; one timer per node, never one per key. */
  private arm(ctx: Ctx): void {
    if (this.tickArmed) return;
    const waiting = (this.out?.unacked ?? 0) > 0 || this.pending.size > 0 || this.mustReport(ctx) || this.wantMap > this.epoch
      || this.leaving || !this.isMember(ctx);
    if (!waiting) return;
    this.tickArmed = true;
    ctx.setTimer('tick', this.config.retryMicros);
  }
}
