// SWIM's infection-style dissemination (Das, Gupta & Motivala 2002, §4.1–4.2): which membership update
// wins over which (the override rules, by incarnation number), and the queue of updates a member
// piggybacks on its messages, each retransmitted a bounded number of times. Pure and deterministic.

import { assert } from '../../sim/assert.js';
import type { NodeId } from '../../sim/process.js';
import type { SwimStatus, SwimUpdate } from './swim-messages.js';

/** What a member holds about another: its status and incarnation number. */
export interface MemberView {
  readonly status: SwimStatus;
  readonly incarnation: number;
}

/**
 * Whether `update` overrides the view `current` of the same member (§4.2). The paper's rules:
 * - {Alive Ml, i} overrides {Suspect Ml, j} and {Alive Ml, j} iff i > j;
 * - {Suspect Ml, i} overrides {Suspect Ml, j} iff i > j, and {Alive Ml, j} iff i ≥ j;
 * - {Confirm Ml, i} overrides {Alive Ml, j} and {Suspect Ml, j}.
 * Nothing known yet: any update is news.
 */
export function overrides(update: MemberView, current: MemberView | undefined): boolean {
  if (current === undefined) return true;
  const i = update.incarnation;
  const j = current.incarnation;
  switch (update.status) {
    case 'alive':
      // Beyond the paper (memberlist): a member declared dead or left rejoins with a higher incarnation
      // (the paper makes a failed member rejoin under a new identity instead).
      return i > j;
    case 'suspect':
      if (current.status === 'alive') return i >= j;
      if (current.status === 'suspect') return i > j;
      return false; // a suspicion never revives a dead or departed member
    case 'dead':
    case 'left':
      // Beyond the paper (memberlist): Confirm overrides only at an incarnation at least the one we hold,
      // so a stale death cannot kill a member that has restarted since (the paper: any incarnation).
      if (current.status === 'alive' || current.status === 'suspect') return i >= j;
      // A leave is more precise news than a death of the same incarnation; the rest is old news.
      return update.status === 'left' && current.status === 'dead' && i >= j;
  }
}

/** What a message carries when there is nothing to piggyback: one shared, frozen empty list. */
const NO_UPDATES: readonly SwimUpdate[] = Object.freeze([]);

interface Queued {
  readonly update: SwimUpdate;
  transmits: number;
  /** Enqueue order: among equally transmitted updates, the newest goes first. */
  readonly order: number;
}

/**
 * Updates waiting to be piggybacked (§4.1), at most one per member (a newer update about a member
 * replaces the older one). Each message takes the least transmitted updates first, up to a maximum; an
 * update is dropped once sent `limit` times, memberlist's retransmitMultiplier × ⌈log10(n + 1)⌉.
 */
export class DisseminationQueue {
  private readonly queued = new Map<NodeId, Queued>();
  private enqueued = 0;

  /** Queues `update` (replacing any queued update about the same member) with no transmissions yet. */
  enqueue(update: SwimUpdate): void {
    this.queued.set(update.member, { update, transmits: 0, order: this.enqueued++ });
  }

  /** The queued update about `member`, if any. */
  get(member: NodeId): SwimUpdate | undefined {
    return this.queued.get(member)?.update;
  }

  get size(): number {
    return this.queued.size;
  }

  /**
   * Up to `max` updates for one message, fewest transmissions first (newest first among equals); each
   * taken counts one transmission and leaves the queue at its `limit`-th.
   */
  take(max: number, limit: number): readonly SwimUpdate[] {
    if (!(limit >= 1)) assert(false, `retransmit limit must be at least 1, got ${limit}`);
    if (max <= 0 || this.queued.size === 0) return NO_UPDATES;
    const queued = [...this.queued.values()].sort(byTransmitsThenNewest);
    const count = Math.min(max, queued.length);
    const taken: SwimUpdate[] = new Array<SwimUpdate>(count);
    for (let i = 0; i < count; i++) {
      const entry = queued[i]!;
      entry.transmits++;
      if (entry.transmits >= limit) this.queued.delete(entry.update.member);
      taken[i] = entry.update;
    }
    return taken;
  }

  /** How often each queued update has been sent (for tests and inspection), by member. */
  transmits(): Record<NodeId, number> {
    const out: Record<NodeId, number> = {};
    for (const [member, entry] of this.queued) out[member] = entry.transmits;
    return out;
  }
}

/** The order {@link DisseminationQueue.take} picks updates in: fewest transmissions first, newest first among equals. */
function byTransmitsThenNewest(a: Queued, b: Queued): number {
  return a.transmits - b.transmits || b.order - a.order;
}

/** memberlist's retransmit bound: retransmitMultiplier × ⌈log10(n + 1)⌉ transmissions of each update. */
export function retransmitLimit(retransmitMultiplier: number, clusterSize: number): number {
  return Math.max(1, retransmitMultiplier * Math.ceil(Math.log10(clusterSize + 1)));
}
