// Reliable broadcast by gossip with acknowledgements.
//
// How it works: a node that broadcasts a value first persists it, then sends it to every peer. A node
// that receives a value it has not seen persists it (synced), delivers it once, acknowledges it to the
// sender, and relays it to everyone else. Every node resends each value to each peer that has not
// acknowledged it yet, on a retransmission timer, so loss, partitions and crashes only delay delivery.
// Delivered values live on disk, so a restarted node neither forgets nor re-delivers them.
//
// Assumes: fair-lossy links (a message resent forever is eventually delivered once faults heal).

import type { Context, NodeId, Process } from '../../sim/process.js';
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
    if (this.nextSeq(ctx) < this.config.broadcastsPerNode) {
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

  inspect(): { delivered: string[]; unacked: number } {
    return { delivered: [...this.delivered.keys()], unacked: this.unacked.size };
  }

  private nextSeq(ctx: Context<BroadcastMessage, BroadcastFact>): number {
    return ctx.disk.read<number>(SEQ_KEY) ?? 0;
  }

  private broadcast(ctx: Context<BroadcastMessage, BroadcastFact>): void {
    const seq = this.nextSeq(ctx);
    // Invariant (unique ids across restarts): the sequence number is persisted before the id is used;
    // deliver() syncs it together with the value.
    ctx.disk.write(SEQ_KEY, seq + 1);
    const id = `${ctx.self}/${seq}`;
    const value = ctx.rng.int(0, 999_999);
    this.openOps.set(id, ctx.history.invoke({ op: 'broadcast', id, value }));
    ctx.observe({ type: 'broadcast', id, origin: ctx.self });
    this.deliver(ctx, id, ctx.self, value, undefined);
    if (seq + 1 < this.config.broadcastsPerNode) ctx.setTimer('broadcast', this.config.broadcastIntervalMicros);
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
