// A hand-driven cluster of the sharded store's storage nodes for rule tests: each node runs behind a fake
// Context with a real SimDisk; messages wait in one list until a test delivers them (in any order, or
// drops them); timers fire only when a test fires them. The controller is played by the test (maps and
// acks are delivered by hand), so each protocol rule can be driven step by step.

import { hashBugs } from '../../algorithms/hashing/bugs.js';
import { OwnerTables, type ShardConfig, type StoreBugs } from '../../algorithms/shardkv/config.js';
import type { ShardFact } from '../../algorithms/shardkv/facts.js';
import type { ShardMap, ShardMessage } from '../../algorithms/shardkv/messages.js';
import { StorageNode, type StorageView } from '../../algorithms/shardkv/storage.js';
import { SimDisk } from '../../sim/disk.js';
import type { ClientHistory } from '../../sim/history.js';
import type { Context, NodeId } from '../../sim/process.js';
import { Rng } from '../../sim/rng.js';

export interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msg: ShardMessage;
}

interface Member {
  node: StorageNode;
  readonly disk: SimDisk;
  readonly ctx: Context<ShardMessage, ShardFact>;
  left: boolean;
  up: boolean;
}

export const NO_BUGS: StoreBugs = { deleteBeforeAck: false, staleMapNoEpochCheck: false };

/** The store's bugs as hashBugs names them (to show which planted bug a test is about). */
export const BUG_NAMES = hashBugs.names;

export class StoreCluster {
  readonly tables: OwnerTables;
  readonly config: ShardConfig;
  /** Undelivered messages, in send order. */
  readonly inFlight: Envelope[] = [];
  readonly facts: { node: NodeId; fact: ShardFact }[] = [];
  private readonly members = new Map<NodeId, Member>();
  private clock = 0;

  constructor(options: { initial: readonly NodeId[]; replicas: number; writeQuorum: number; keys: number; bugs?: Partial<StoreBugs>; batchKeysMax?: number }) {
    this.config = {
      placement: 'rendezvous', placementOptions: {}, replicas: options.replicas, writeQuorum: options.writeQuorum, keys: options.keys,
      initialMembers: options.initial, controller: 'ctl', clients: ['c1'], batchKeysMax: options.batchKeysMax ?? 4, retryMicros: 50_000,
      bugs: { ...NO_BUGS, ...options.bugs },
    };
    this.tables = new OwnerTables(this.config);
  }

  /** Boots `id` (at time 0 an initial member preloads its keys; later, it starts as a fresh node). */
  start(id: NodeId): StorageNode {
    const old = this.members.get(id);
    const disk = old?.disk ?? new SimDisk();
    const ctx: Context<ShardMessage, ShardFact> = {
      self: id, peers: ['ctl'], disk, rng: Rng.fromSeed(7).fork(id), history: {} as ClientHistory,
      now: () => this.clock,
      send: (to, msg) => void this.inFlight.push({ from: id, to, msg: structuredClone(msg) }),
      setTimer: () => {},
      cancelTimer: () => {},
      observe: (fact) => void this.facts.push({ node: id, fact }),
      failFastRatio: () => 0,
      leave: () => void (this.members.get(id)!.left = true),
    };
    const node = new StorageNode(this.config, this.tables);
    const member: Member = { node, disk, ctx, left: false, up: true };
    this.members.set(id, member);
    node.onStart(ctx);
    return node;
  }

  /** Crash: unsynced writes are lost, undelivered messages to it are dropped. */
  crash(id: NodeId): void {
    const member = this.members.get(id)!;
    member.disk.loseUnsynced();
    member.up = false;
  }

  tick(micros: number): void {
    this.clock += micros;
  }

  view(id: NodeId): StorageView {
    return this.members.get(id)!.node.inspect();
  }

  hasLeft(id: NodeId): boolean {
    return this.members.get(id)!.left;
  }

  /** Hands `msg` to `to` as if `from` sent it (the test plays clients and the controller). */
  inject(from: NodeId, to: NodeId, msg: ShardMessage): void {
    const member = this.members.get(to)!;
    if (!member.up || member.left) return;
    member.node.onMessage(member.ctx, from, msg);
  }

  /** Delivers the in-flight messages that match, in order (and those they cause, up to `rounds` times). */
  deliver(match: (e: Envelope) => boolean = () => true, rounds = 100): number {
    let delivered = 0;
    for (let round = 0; round < rounds; round++) {
      const batch = this.take(match);
      if (batch.length === 0) break;
      for (const e of batch) {
        delivered++;
        if (this.members.has(e.to)) this.inject(e.from, e.to, e.msg);
      }
    }
    return delivered;
  }

  /** Removes and returns the in-flight messages that match. */
  take(match: (e: Envelope) => boolean): Envelope[] {
    const out: Envelope[] = [];
    for (let i = 0; i < this.inFlight.length; ) {
      if (match(this.inFlight[i]!)) out.push(...this.inFlight.splice(i, 1));
      else i++;
    }
    return out;
  }

  /** Fires a node's retry timer. */
  fire(id: NodeId): void {
    const member = this.members.get(id)!;
    if (member.up && !member.left) member.node.onTimer(member.ctx, 'tick');
  }

  leave(id: NodeId): void {
    const member = this.members.get(id)!;
    member.node.onLeave(member.ctx);
  }

  /** The controller publishes `map` to these nodes (delivered at once). */
  publish(map: ShardMap, to: readonly NodeId[]): void {
    for (const id of to) this.inject('ctl', id, { type: 'map', map });
  }

  /** A preloaded key whose primary in `before` is `oldPrimary` and, in `after`, `newOwnerRole` is satisfied. */
  findKey(predicate: (key: string) => boolean): string {
    for (let i = 0; i < this.config.keys; i++) if (predicate(`k${i}`)) return `k${i}`;
    throw new Error('no key fits');
  }
}
