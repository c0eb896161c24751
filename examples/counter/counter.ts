// A replicated grow-only counter (a G-counter CRDT), written only against faultline's public API.
//
// Each node owns one slot of a vector and only ever increments its own slot; the counter's value is the
// sum of the slots. Nodes gossip their whole vector to every peer on a timer, and a receiver merges it
// slot by slot with max(). Because max is idempotent, commutative and associative, lost, duplicated and
// reordered messages do no harm: once the network heals, every replica converges to the same vector.
//
// Fault model: crashes lose everything in memory and every disk write not yet synced. So a node keeps
// its own slot on disk and syncs it BEFORE it reports the increment (guard 1 below); the other slots are
// volatile and come back through gossip.

import type { Context, NodeId, Process } from 'faultline';
import type { CounterBugs } from './bugs.js';
import type { CounterFact } from './facts.js';

/** What nodes send each other: the sender's whole vector of slots. */
export interface CountsMessage {
  readonly type: 'counts';
  readonly counts: Readonly<Record<NodeId, number>>;
}

/** The facts a node reports (declared in facts.ts). */
export type { CounterFact } from './facts.js';

export interface CounterConfig {
  readonly incrementIntervalMicros: number;
  readonly gossipIntervalMicros: number;
  /** The node stops incrementing when its local clock reaches this (the end of the fault phase). */
  readonly stopAtMicros: number;
  /** The planted bugs switched on (counterBugs.active(name), in bugs.ts). */
  readonly bugs: CounterBugs;
}

const OWN_COUNT_KEY = 'own-count';

export class CounterNode implements Process<CountsMessage, CounterFact> {
  private readonly counts = new Map<NodeId, number>();
  private self: NodeId = '';
  private value = 0;

  constructor(private readonly config: CounterConfig) {}

  onStart(ctx: Context<CountsMessage, CounterFact>): void {
    this.self = ctx.self;
    this.counts.set(ctx.self, ctx.disk.read<number>(OWN_COUNT_KEY) ?? 0);
    this.report(ctx);
    ctx.setTimer('increment', this.config.incrementIntervalMicros);
    ctx.setTimer('gossip', this.config.gossipIntervalMicros);
  }

  onTimer(ctx: Context<CountsMessage, CounterFact>, name: string): void {
    if (name === 'increment') {
      if (ctx.now() >= this.config.stopAtMicros) return;
      const count = (this.counts.get(ctx.self) ?? 0) + 1;
      ctx.disk.write(OWN_COUNT_KEY, count);
      // Guard 1: the count is durable before anyone hears of it, so a restart never reuses a count.
      if (!this.config.bugs.unsyncedCount) ctx.disk.sync();
      this.counts.set(ctx.self, count);
      ctx.observe({ type: 'increment', count });
      this.report(ctx);
      ctx.setTimer('increment', this.config.incrementIntervalMicros);
    } else if (name === 'gossip') {
      const counts = Object.fromEntries(this.counts);
      for (const peer of ctx.peers) ctx.send(peer, { type: 'counts', counts });
      ctx.setTimer('gossip', this.config.gossipIntervalMicros);
    }
  }

  onMessage(ctx: Context<CountsMessage, CounterFact>, _from: NodeId, msg: CountsMessage): void {
    // Guard 2: merge by max, never by adding: a duplicate or an old message changes nothing.
    for (const [node, count] of Object.entries(msg.counts)) {
      if (count > (this.counts.get(node) ?? 0)) this.counts.set(node, count);
    }
    this.report(ctx);
  }

  inspect(): { readonly value: number; readonly counts: Readonly<Record<NodeId, number>> } {
    return { value: this.value, counts: Object.fromEntries(this.counts) };
  }

  /** Reports the value when it changed. */
  private report(ctx: Context<CountsMessage, CounterFact>): void {
    let value = 0;
    for (const count of this.counts.values()) value += count;
    if (value === this.value) return;
    this.value = value;
    ctx.observe({ type: 'value', value });
  }
}
