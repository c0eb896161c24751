// Reliable broadcast by gossip with acknowledgements.
//
// How it works: a node that broadcasts a value first persists it, then sends it to every peer. A node
// that receives a value it has not seen persists it (synced), delivers it once, acknowledges it to the
// sender, and relays it to everyone else. Every node resends each value to each peer that has not
// acknowledged it yet, on a retransmission timer, so loss, partitions and crashes only delay delivery.
// Delivered values live on disk, so a restarted node neither forgets nor re-delivers them.
//
// A schedule's `request` entry makes a node broadcast one more value on demand (given, or drawn as its
// own broadcasts draw theirs), beside the `broadcastsPerNode` of its workload.
//
// Assumes: fair-lossy links (a message resent forever is eventually delivered once faults heal).

import type { Context, NodeId, Process, RequestCheck } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { BroadcastBugs } from './bugs.js';
import type { BroadcastFact } from './facts.js';

export { broadcastBugs, type BroadcastBugs } from './bugs.js';

export type BroadcastMessage =
  | { readonly type: 'gossip'; readonly id: string; readonly origin: NodeId; readonly value: number }
  | { readonly type: 'ack'; readonly id: string };

export interface BroadcastConfig {
  readonly broadcastsPerNode: number;
  readonly broadcastIntervalMicros: Micros;
  readonly retransmitMicros: Micros;
  /** Bound: at most this many resends per retransmission tick. */
  readonly retransmitBatchMax: number;
  /** The planted bugs switched on (broadcastBugs.active(name)); all off in a correct node. */
  readonly bugs: BroadcastBugs;
}

interface Stored {
  readonly origin: NodeId;
  readonly value: number;
}

const DELIVERED_PREFIX = 'delivered/';
const SEQ_KEY = 'seq';
/** How many of the node's broadcasts were requests (the rest were its workload's). */
const REQUESTED_KEY = 'requested';

/** A value a node broadcasts: what its workload draws (and a request without a value). */
const VALUE_MAX = 999_999;

/** A broadcast a schedule asks for, in canonical form `{op: 'broadcast', value}`, or what is wrong with it. */
export function checkBroadcastOp(raw: unknown): RequestCheck {
  const shape = '{"op": "broadcast", "value": N} with N an integer from 0 to ' + VALUE_MAX;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `must be ${shape}` };
  const { op, value, ...extra } = raw as Record<string, unknown>;
  if (Object.keys(extra).length > 0) return { problem: `unknown field ${Object.keys(extra).map((name) => `'${name}'`).join(', ')} (a broadcast takes op and value)` };
  if (op !== 'broadcast') return { problem: `op must be "broadcast"; got ${JSON.stringify(op) ?? 'nothing'}` };
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > VALUE_MAX) return { problem: `value must be an integer from 0 to ${VALUE_MAX}; got ${JSON.stringify(value) ?? 'nothing'}` };
  return { op: { op: 'broadcast', value } };
}

export class BroadcastNode implements Process<BroadcastMessage, BroadcastFact> {
  /** Every value this node has delivered (mirrors the disk). */
  private readonly delivered = new Map<string, Stored>();
  /** For each value: the peers that have not acknowledged it yet. Insertion-ordered. */
  private readonly unacked = new Map<string, Set<NodeId>>();
  /** Own broadcasts of this incarnation awaiting every peer's ack → history operation id. */
  private readonly openOps = new Map<string, number>();

  constructor(private readonly config: BroadcastConfig) {}

  onStart(ctx: Context<BroadcastMessage, BroadcastFact>): void {
    for (const key of ctx.disk.keys()) {
      if (!key.startsWith(DELIVERED_PREFIX)) continue;
      const id = key.slice(DELIVERED_PREFIX.length);
      this.delivered.set(id, ctx.disk.read<Stored>(key)!);
      // After a restart we no longer know who has what: offer everything again; acks prune it.
      if (!this.config.bugs.noRetransmit) this.unacked.set(id, new Set(ctx.peers));
    }
    if (this.workloadDone(ctx) < this.config.broadcastsPerNode) {
      ctx.setTimer('broadcast', ctx.rng.int(1, this.config.broadcastIntervalMicros));
    }
    if (!this.config.bugs.noRetransmit) ctx.setTimer('retransmit', this.config.retransmitMicros);
  }

  onTimer(ctx: Context<BroadcastMessage, BroadcastFact>, name: string): void {
    if (name === 'broadcast') this.broadcast(ctx);
    else if (name === 'retransmit') this.retransmit(ctx);
  }

  onMessage(ctx: Context<BroadcastMessage, BroadcastFact>, from: NodeId, msg: BroadcastMessage): void {
    if (msg.type === 'ack') return this.acknowledged(ctx, from, msg.id);
    // The sender has the value, so it needs no copy from us.
    this.unacked.get(msg.id)?.delete(from);
    if (this.delivered.has(msg.id)) {
      // Invariant (no duplicate delivery): a value seen before is only acknowledged again.
      if (this.config.bugs.noDedup) ctx.observe({ type: 'deliver', id: msg.id, origin: msg.origin });
      ctx.send(from, { type: 'ack', id: msg.id });
      return;
    }
    this.deliver(ctx, msg.id, msg.origin, msg.value, from);
    ctx.send(from, { type: 'ack', id: msg.id });
  }

  /** A schedule's request: broadcast `op.value` (checked by {@link checkBroadcastOp}), or a value drawn as the workload draws, now. */
  onRequestEntry(ctx: Context<BroadcastMessage, BroadcastFact>, op: unknown): void {
    // Written before the broadcast's deliver() syncs the disk: the workload's count stays right after a restart.
    ctx.disk.write(REQUESTED_KEY, (ctx.disk.read<number>(REQUESTED_KEY) ?? 0) + 1);
    this.send(ctx, op === undefined ? undefined : (op as { value: number }).value);
  }

  checkRequestOp(op: unknown): RequestCheck {
    return checkBroadcastOp(op);
  }

  inspect(): { delivered: string[]; unacked: number } {
    return { delivered: [...this.delivered.keys()], unacked: this.unacked.size };
  }

  private nextSeq(ctx: Context<BroadcastMessage, BroadcastFact>): number {
    return ctx.disk.read<number>(SEQ_KEY) ?? 0;
  }

  /** The workload's broadcasts so far (every broadcast but the requested ones). */
  private workloadDone(ctx: Context<BroadcastMessage, BroadcastFact>): number {
    return this.nextSeq(ctx) - (ctx.disk.read<number>(REQUESTED_KEY) ?? 0);
  }

  /** The workload's timer: one broadcast, and the next one's timer while the workload has more. */
  private broadcast(ctx: Context<BroadcastMessage, BroadcastFact>): void {
    const done = this.workloadDone(ctx);
    this.send(ctx, undefined);
    if (done + 1 < this.config.broadcastsPerNode) ctx.setTimer('broadcast', this.config.broadcastIntervalMicros);
  }

  /** Broadcasts `given`, or a value drawn from the node's stream: recorded, reported, delivered here and relayed. */
  private send(ctx: Context<BroadcastMessage, BroadcastFact>, given: number | undefined): void {
    const seq = this.nextSeq(ctx);
    // Invariant (unique ids across restarts): the sequence number is persisted before the id is used;
    // deliver() syncs it together with the value.
    ctx.disk.write(SEQ_KEY, seq + 1);
    const id = `${ctx.self}/${seq}`;
    const value = given ?? ctx.rng.int(0, VALUE_MAX);
    this.openOps.set(id, ctx.history.invoke({ op: 'broadcast', id, value }));
    ctx.observe({ type: 'broadcast', id, origin: ctx.self });
    this.deliver(ctx, id, ctx.self, value, undefined);
  }

  /** Persist, deliver once, then relay to every peer but the one it came from. */
  private deliver(ctx: Context<BroadcastMessage, BroadcastFact>, id: string, origin: NodeId, value: number, from: NodeId | undefined): void {
    // Invariant (no duplicate delivery across crashes): the value is durable before it is delivered.
    ctx.disk.write(DELIVERED_PREFIX + id, { origin, value });
    ctx.disk.sync();
    this.delivered.set(id, { origin, value });
    ctx.observe({ type: 'deliver', id, origin });
    const targets = ctx.peers.filter((peer) => peer !== from && peer !== origin);
    if (targets.length === 0) return this.complete(ctx, id);
    this.unacked.set(id, new Set(targets));
    for (const peer of targets) ctx.send(peer, { type: 'gossip', id, origin, value });
  }

  private acknowledged(ctx: Context<BroadcastMessage, BroadcastFact>, from: NodeId, id: string): void {
    const waiting = this.unacked.get(id);
    if (!waiting) return;
    waiting.delete(from);
    if (waiting.size === 0) {
      this.unacked.delete(id);
      this.complete(ctx, id);
    }
  }

  private complete(ctx: Context<BroadcastMessage, BroadcastFact>, id: string): void {
    const opId = this.openOps.get(id);
    if (opId === undefined) return;
    this.openOps.delete(id);
    ctx.history.ok(opId);
  }

  private retransmit(ctx: Context<BroadcastMessage, BroadcastFact>): void {
    let budget = this.config.retransmitBatchMax;
    for (const [id, waiting] of this.unacked) {
      const stored = this.delivered.get(id)!;
      for (const peer of waiting) {
        if (budget-- <= 0) break;
        ctx.send(peer, { type: 'gossip', id, origin: stored.origin, value: stored.value });
      }
      if (budget <= 0) break;
    }
    ctx.setTimer('retransmit', this.config.retransmitMicros);
  }
}
