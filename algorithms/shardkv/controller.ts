// The sharded store's controller: the one writer of the shard map, which lives in the config group's
// key-value store (a Raft group of the existing implementation) as key `config` (the current map as JSON
// text) and `config/EPOCH` (every epoch's, so a node that was down can fetch the ones it missed).
//
// It is a Raft client with its own session (ClientRequest/ClientReply of algorithms/kv/client.ts; its
// session counter is its only durable state). It changes the map only with `cas` whose expected value is
// the current JSON, one change at a time: epoch e+1 = e's members plus a joining node or minus a leaving
// one, proposed only after every member of e (and the node e removed) reported `migrated(e)`. Then it
// writes `config/e+1`, reports the `epoch` fact and pushes the map to every storage node and client.
// Everything else is volatile: after a restart it re-reads the map and re-learns what is pending from
// the nodes' retries (they re-send join, leave and migrated until acknowledged, and report migrated again
// when it pushes them the map). Beyond the design's words: the node an epoch removed is gone once its
// report is acknowledged, so that report is recorded first (`handoff/EPOCH`) for a restarted controller.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { KvCommand, KvResult } from '../kv/state-machine.js';
import type { ShardFact } from './facts.js';
import type { ShardMap, ShardMessage } from './messages.js';

type Ctx = Context<ShardMessage, ShardFact>;

export interface ControllerConfig {
  /** The storage nodes of epoch 1 (created when the config group holds no map). */
  readonly initialMembers: readonly NodeId[];
  /** Every storage node (spares too) and client: where new maps are pushed. */
  readonly storage: readonly NodeId[];
  readonly clients: readonly NodeId[];
  /** How long one request to the config group waits before it is sent again (to another node). */
  readonly raftTimeoutMicros: Micros;
  /** Period of re-pushing the current map to members that have not reported it migrated. */
  readonly pushMicros: Micros;
}

/** What `inspect()` shows. */
export interface ControllerView {
  readonly ready: boolean;
  readonly epoch: number;
  readonly members: readonly NodeId[];
  readonly migrated: readonly NodeId[];
  readonly pendingChanges: readonly string[];
}

interface RaftOp {
  readonly command: KvCommand;
  readonly done: (result: KvResult) => void;
}

interface Change {
  readonly kind: 'join' | 'leave';
  readonly node: NodeId;
  readonly instance: number;
}

const SEQ_KEY = 'raft-seq';
const CONFIG = 'config';
const configAt = (epoch: number) => `config/${epoch}`;
/** Records that the node epoch EPOCH removed finished its handoff (it is gone: no retry would tell a restarted controller). */
const handoffAt = (epoch: number) => `handoff/${epoch}`;

export class Controller implements Process<ShardMessage, ShardFact> {
  private current: ShardMap | undefined;
  private currentJson: string | null = null;
  private ready = false;
  private readonly maps = new Map<number, ShardMap>();
  private migrated = new Set<NodeId>();
  /** The node the current epoch removed: it must report its handoff too. */
  private leaver: NodeId | null = null;
  private changes: Change[] = [];
  private proposing: ShardMap | undefined;
  private settled = 0;
  /** The leaver's handoff is being recorded in the config group. */
  private recording = false;
  // The Raft client: one request at a time.
  private readonly ops: RaftOp[] = [];
  private inFlight: { seq: number; op: RaftOp } | undefined;
  private leaderHint: NodeId | null = null;
  private readonly mapWaiters = new Map<number, NodeId[]>();
  /** Nodes let go while not members, by instance (volatile: a join delayed across a controller restart is not caught). */
  private readonly departed = new Map<NodeId, number>();

  constructor(private readonly config: ControllerConfig) {
    assert(config.initialMembers.length > 0, 'the store needs at least one initial storage node');
  }

  onStart(ctx: Ctx): void {
    this.readConfig(ctx);
    ctx.setTimer('push', this.config.pushMicros);
  }

  inspect(): ControllerView {
    return {
      ready: this.ready, epoch: this.current?.epoch ?? 0, members: this.current?.members ?? [], migrated: [...this.migrated],
      pendingChanges: this.changes.map((c) => `${c.kind} ${c.node}`),
    };
  }

  // ---- reading and changing the map --------------------------------------------------------------

  /** (Re-)reads the map: creates epoch 1 if there is none, makes sure `config/EPOCH` holds it, then serves. */
  private readConfig(ctx: Ctx): void {
    this.ready = false;
    this.run(ctx, { op: 'get', key: CONFIG }, (result) => {
      const text = (result.value ?? null) as string | null;
      if (text === null) {
        const first: ShardMap = { epoch: 1, members: this.config.initialMembers };
        const json = JSON.stringify(first);
        this.run(ctx, { op: 'cas', key: CONFIG, expected: null, value: json }, (cas) => {
          if (cas.ok !== true) return this.readConfig(ctx);
          this.committed(ctx, first, json, null);
          this.ready = true;
          this.advance(ctx);
        });
        return;
      }
      const map = JSON.parse(text) as ShardMap;
      this.current = map;
      this.currentJson = text;
      this.maps.set(map.epoch, map);
      this.migrated = new Set(map.epoch === 1 ? map.members : []);
      // A controller before a crash may have committed this map without reporting or pushing it: do both
      // (an epoch reported twice is the same fact; checkers and metrics keep the first).
      ctx.observe({ type: 'epoch', epoch: map.epoch, members: map.members });
      for (const node of [...this.config.storage, ...this.config.clients]) ctx.send(node, { type: 'map', map });
      // The write of config/EPOCH may not have happened before a crash: do it (again) before any change.
      this.run(ctx, { op: 'put', key: configAt(map.epoch), value: text }, () => {
        if (map.epoch === 1) {
          this.ready = true;
          this.advance(ctx);
          return;
        }
        this.fetchMap(ctx, map.epoch - 1, (before) => {
          this.leaver = before.members.find((m) => !map.members.includes(m)) ?? null;
          this.run(ctx, { op: 'get', key: handoffAt(map.epoch) }, (handoff) => {
            if (this.leaver !== null && handoff.value === this.leaver) this.migrated.add(this.leaver);
            this.ready = true;
            this.advance(ctx);
          });
        });
      });
    });
  }

  /** A map is committed: adopt it, record it at config/EPOCH, report it and push it. */
  private committed(ctx: Ctx, map: ShardMap, json: string, leaver: NodeId | null): void {
    this.current = map;
    this.currentJson = json;
    this.maps.set(map.epoch, map);
    // Nothing migrates into epoch 1: its members hold their preloaded keys from the start.
    this.migrated = new Set(map.epoch === 1 ? map.members : []);
    this.leaver = leaver;
    this.proposing = undefined;
    ctx.observe({ type: 'epoch', epoch: map.epoch, members: map.members });
    this.run(ctx, { op: 'put', key: configAt(map.epoch), value: json }, () => {});
    for (const node of [...this.config.storage, ...this.config.clients]) ctx.send(node, { type: 'map', map });
  }

  /** Proposes the next change once every member of the current epoch (and its leaver) has migrated. */
  private advance(ctx: Ctx): void {
    const current = this.current;
    if (!this.ready || current === undefined || this.proposing !== undefined) return;
    for (const member of current.members) if (!this.migrated.has(member)) return;
    if (this.leaver !== null && !this.migrated.has(this.leaver)) return;
    if (current.epoch >= 2 && this.settled < current.epoch) {
      this.settled = current.epoch;
      ctx.observe({ type: 'epoch-settled', epoch: current.epoch });
    }
    // Drop changes that are already true.
    this.changes = this.changes.filter((c) => {
      const member = current.members.includes(c.node);
      if (c.kind === 'leave' && !member) ctx.send(c.node, { type: 'leave-ok' });
      return c.kind === 'join' ? !member : member;
    });
    // The last member cannot leave: its leave waits.
    const change = this.changes.find((c) => c.kind === 'join' || current.members.length > 1);
    if (change === undefined) return;
    this.changes = this.changes.filter((c) => c !== change);
    const next: ShardMap = {
      epoch: current.epoch + 1,
      members: change.kind === 'join' ? [...current.members, change.node] : current.members.filter((m) => m !== change.node),
    };
    const json = JSON.stringify(next);
    this.proposing = next;
    this.run(ctx, { op: 'cas', key: CONFIG, expected: this.currentJson, value: json }, (result) => {
      if (result.ok === true) {
        if (change.kind === 'leave') this.departed.set(change.node, change.instance);
        this.committed(ctx, next, json, change.kind === 'leave' ? change.node : null);
        return;
      }
      // Someone changed the map under us (a controller before a restart): start again from what is there.
      this.proposing = undefined;
      this.changes.unshift(change);
      this.readConfig(ctx);
    });
  }

  /** Map `epoch`, from memory or from the config group. */
  private fetchMap(ctx: Ctx, epoch: number, then: (map: ShardMap) => void): void {
    const known = this.maps.get(epoch);
    if (known !== undefined) return then(known);
    this.run(ctx, { op: 'get', key: configAt(epoch) }, (result) => {
      const text = (result.value ?? null) as string | null;
      assert(text !== null, `config/${epoch} is missing from the config group`);
      const map = JSON.parse(text) as ShardMap;
      this.maps.set(epoch, map);
      then(map);
    });
  }

  // ---- storage nodes and clients -----------------------------------------------------------------

  onMessage(ctx: Ctx, from: NodeId, msg: ShardMessage): void {
    switch (msg.type) {
      case 'client-reply': return this.onRaftReply(ctx, from, msg);
      case 'join': return this.onChange(ctx, from, 'join', msg.instance);
      case 'leave': return this.onChange(ctx, from, 'leave', msg.instance);
      case 'migrated': return this.onMigrated(ctx, from, msg.epoch);
      case 'map-request': return this.onMapRequest(ctx, from, msg.epoch);
      default: return;
    }
  }

  private onChange(ctx: Ctx, from: NodeId, kind: Change['kind'], instance: number): void {
    const current = this.current;
    if (current === undefined) return;
    // A join that the network delayed past its node's own leave (same instance) is not a new join.
    if (kind === 'join' && this.departed.get(from) === instance) return;
    if (kind === 'leave' && !current.members.includes(from) && this.proposing?.members.includes(from) !== true) {
      // Not a member, and not about to be one: drop its join and let it go.
      this.changes = this.changes.filter((c) => c.node !== from);
      this.departed.set(from, instance);
      ctx.send(from, { type: 'leave-ok' });
      return;
    }
    if (kind === 'leave') this.changes = this.changes.filter((c) => !(c.node === from && c.kind === 'join'));
    if (!this.changes.some((c) => c.node === from && c.kind === kind)) this.changes.push({ kind, node: from, instance });
    ctx.send(from, { type: 'map', map: current });
    this.advance(ctx);
  }

  private onMigrated(ctx: Ctx, from: NodeId, epoch: number): void {
    const current = this.current;
    // Not before the map (and who it removed) is known: an early ack would let the leaver go unrecorded.
    if (current === undefined || !this.ready || epoch > current.epoch) return;
    if (epoch === current.epoch && from === this.leaver && !this.migrated.has(from)) {
      // The leaver goes once acknowledged: record its handoff first, so a restarted controller knows it.
      if (this.recording) return;
      this.recording = true;
      this.run(ctx, { op: 'put', key: handoffAt(epoch), value: from }, () => {
        this.recording = false;
        if (this.current?.epoch !== epoch) return;
        this.migrated.add(from);
        ctx.send(from, { type: 'migrated-ack', epoch });
        this.advance(ctx);
      });
      return;
    }
    ctx.send(from, { type: 'migrated-ack', epoch });
    if (epoch < current.epoch) {
      ctx.send(from, { type: 'map', map: current });
      return;
    }
    this.migrated.add(from);
    this.advance(ctx);
  }

  private onMapRequest(ctx: Ctx, from: NodeId, epoch: number | null): void {
    const current = this.current;
    if (current === undefined) return;
    if (epoch === null || epoch >= current.epoch) {
      ctx.send(from, { type: 'map', map: current });
      return;
    }
    const waiters = this.mapWaiters.get(epoch);
    if (waiters !== undefined) {
      if (!waiters.includes(from)) waiters.push(from);
      return;
    }
    this.mapWaiters.set(epoch, [from]);
    this.fetchMap(ctx, epoch, (map) => {
      for (const node of this.mapWaiters.get(epoch) ?? []) ctx.send(node, { type: 'map', map });
      this.mapWaiters.delete(epoch);
    });
  }

  onTimer(ctx: Ctx, name: string): void {
    if (name === 'raft') {
      // No answer: the node we asked may be down or deposed; ask another (same seq: applied once).
      this.leaderHint = null;
      this.sendRaft(ctx);
      return;
    }
    if (name !== 'push') return;
    const current = this.current;
    if (this.ready && current !== undefined) {
      const waiting = [...current.members, ...(this.leaver !== null ? [this.leaver] : [])].filter((n) => !this.migrated.has(n));
      for (const node of waiting) ctx.send(node, { type: 'map', map: current });
    }
    ctx.setTimer('push', this.config.pushMicros);
  }

  // ---- the Raft client ---------------------------------------------------------------------------

  private run(ctx: Ctx, command: KvCommand, done: (result: KvResult) => void): void {
    this.ops.push({ command, done });
    this.next(ctx);
  }

  private next(ctx: Ctx): void {
    if (this.inFlight !== undefined || this.ops.length === 0) return;
    // Invariant (one apply per session seq): a seq is never reused, even across a restart.
    const seq = (ctx.disk.read<number>(SEQ_KEY) ?? 0) + 1;
    ctx.disk.write(SEQ_KEY, seq);
    ctx.disk.sync();
    this.inFlight = { seq, op: this.ops[0]! };
    this.sendRaft(ctx);
  }

  private sendRaft(ctx: Ctx): void {
    const inFlight = this.inFlight;
    if (inFlight === undefined) return;
    const target = this.leaderHint ?? ctx.rng.pick(ctx.peers);
    ctx.send(target, { type: 'client-request', clientId: ctx.self, seq: inFlight.seq, command: inFlight.op.command });
    ctx.setTimer('raft', this.config.raftTimeoutMicros);
  }

  private onRaftReply(ctx: Ctx, from: NodeId, msg: Extract<ShardMessage, { type: 'client-reply' }>): void {
    const inFlight = this.inFlight;
    if (inFlight === undefined || msg.seq !== inFlight.seq) return;
    if (!msg.ok) {
      this.leaderHint = msg.leaderHint !== from ? msg.leaderHint : null;
      if (this.leaderHint !== null) this.sendRaft(ctx);
      else ctx.setTimer('raft', Math.min(this.config.raftTimeoutMicros, 20_000));
      return;
    }
    this.leaderHint = from;
    ctx.cancelTimer('raft');
    this.ops.shift();
    this.inFlight = undefined;
    inFlight.op.done(msg.result);
    this.next(ctx);
  }
}
