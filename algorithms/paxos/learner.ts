// The Multi-Paxos learner: finds out which value each slot chose and applies chosen commands to the
// key-value state machine in slot order. Paxos Made Simple §2.3: a value is learned once a majority of
// acceptors accepted it in one ballot; here the leader (the distinguished learner) counts the
// acceptances and tells the others, as §3 does. Assumes the node's acceptor for the records it leans on.

import { assert } from '../../sim/assert.js';
import type { MultiPaxosFact } from './facts.js';
import type { Context, NodeId } from '../../sim/process.js';
import { KvStateMachine } from '../kv/state-machine.js';
import type { Acceptor } from './acceptor.js';
import { sameBallot, type Ballot, type PaxosMessage, type Value } from './messages.js';

type Ctx = Context<PaxosMessage, MultiPaxosFact>;

/** A slot's chosen value as this learner knows it, with the round of the ballot it learned it in. */
export interface Chosen {
  readonly value: Value;
  readonly round: number;
}

/** Same value: a command is named by its session (a client never sends two commands under one seq). */
export function sameValue(a: Value, b: Value): boolean {
  return a === b || (a !== null && b !== null && a.clientId === b.clientId && a.seq === b.seq);
}

/**
 * Extension beyond the paper (the learner log leans on acceptor records): the learner's log on disk
 * holds how far it has learned, and the value of a learned slot only where the acceptor's own record of
 * that slot does not already hold it (a slot learned from a catch-up message). A slot's accepted value
 * can change after it is chosen only to the same value, so the acceptor's record stays right. The
 * learned prefix is only a head start after a restart (what is chosen is safe with the acceptors), so
 * it is written every LEARNED_WRITE_EVERY slots, not at every slot.
 */
const LEARNED_KEY = 'learner/through';
const LEARNED_WRITE_EVERY = 32;
const chosenKey = (slot: number) => `learner/slot/${slot}`;

export class Learner {
  private readonly chosen = new Map<number, Chosen>();
  /** Every slot up to here is known chosen. */
  private learnedThroughSlot = 0;
  private lastAppliedSlot = 0;
  private readonly stateMachine = new KvStateMachine();
  /** Extension (client sessions): slot → the client waiting for that slot's result (the leader's only). */
  private readonly waiting = new Map<number, { client: NodeId; seq: number }>();

  /**
   * @param acceptor this node's acceptor, whose records of accepted values the learner reads.
   * @param assertAgreement whether assertion L1 is on (off under planted bugs that break Agreement on purpose).
   */
  constructor(
    private readonly acceptor: Acceptor<Value>,
    private readonly assertAgreement: boolean,
  ) {}

  get learnedThrough(): number {
    return this.learnedThroughSlot;
  }

  get lastApplied(): number {
    return this.lastAppliedSlot;
  }

  chosenAt(slot: number): Chosen | undefined {
    return this.chosen.get(slot);
  }

  /** The highest slot known chosen, or `floor` if none is higher. */
  highestChosen(floor: number): number {
    let top = floor;
    for (const slot of this.chosen.keys()) if (slot > top) top = slot;
    return top;
  }

  /** Reads the learned prefix back after a (re)start; the acceptor must be loaded first. */
  load(ctx: Ctx): void {
    const through = ctx.disk.read<number>(LEARNED_KEY) ?? 0;
    for (let slot = 1; slot <= through; slot++) {
      const own = this.acceptor.acceptedAt(slot);
      const saved = ctx.disk.read<Chosen>(chosenKey(slot)) ?? (own === undefined ? undefined : { value: own.value, round: own.ballot.round });
      if (saved === undefined) break;
      this.chosen.set(slot, saved);
      this.learnedThroughSlot = slot;
    }
  }

  // ---- learning ---------------------------------------------------------------------------------

  /** Chosen: a majority accepted `value` in `slot` in the ballot of `round` (the leader counted them). */
  learnChosen(ctx: Ctx, slot: number, value: Value, round: number): void {
    const known = this.chosen.get(slot);
    if (known === undefined) this.chosen.set(slot, { value, round });
    else this.assertSame(known, value);
    this.advance(ctx);
  }

  /**
   * Extension (learning from the leader's chosen prefix, §3's distinguished learner): learns, from a
   * leader's `commit`, the slots we accepted in that leader's ballot.
   */
  learnFromCommit(ctx: Ctx, ballot: Ballot, commit: number): void {
    for (let slot = this.learnedThroughSlot + 1; slot <= commit; slot++) {
      const known = this.chosen.get(slot);
      const entry = this.acceptor.acceptedAt(slot);
      // Guard L2 (learning is sound): a leader proposes one value per slot in its ballot, and in a slot
      // that is chosen, that value is the chosen one (P2b); a proposal of any other ballot may not be.
      if (entry === undefined || !sameBallot(entry.ballot, ballot)) continue;
      if (known === undefined) this.chosen.set(slot, { value: entry.value, round: ballot.round });
      else this.assertSame(known, entry.value);
    }
    this.advance(ctx);
  }

  /** Extension (catch-up): chosen values for slots `from`, `from + 1`, … sent by a leader. */
  learnDecided(ctx: Ctx, ballot: Ballot, from: number, values: readonly Value[], commit: number): void {
    for (let i = 0; i < values.length; i++) {
      const slot = from + i;
      const known = this.chosen.get(slot);
      if (known === undefined) this.chosen.set(slot, { value: values[i]!, round: ballot.round });
      else this.assertSame(known, values[i]!);
    }
    this.learnFromCommit(ctx, ballot, commit);
  }

  /** L1 (Agreement, seen locally): a learner never learns two values for one slot. */
  private assertSame(known: Chosen, value: Value): void {
    assert(!this.assertAgreement || sameValue(known.value, value), 'L1: a learner learned two values for one slot');
  }

  private advance(ctx: Ctx): void {
    if (!this.chosen.has(this.learnedThroughSlot + 1)) return;
    let persist = false;
    while (this.chosen.has(this.learnedThroughSlot + 1)) {
      const slot = ++this.learnedThroughSlot;
      const chosen = this.chosen.get(slot)!;
      const own = this.acceptor.acceptedAt(slot);
      if (own === undefined || !sameValue(own.value, chosen.value)) {
        ctx.disk.write(chosenKey(slot), chosen);
        persist = true;
      }
      if (slot % LEARNED_WRITE_EVERY === 0) persist = true;
    }
    if (persist) ctx.disk.write(LEARNED_KEY, this.learnedThroughSlot);
    this.apply(ctx);
  }

  // ---- applying (beyond the paper: the replica of "Paxos Made Moderately Complex") ---------------

  /** The leader proposed `client`'s command `seq` at `slot`: answer it when the slot is applied. */
  awaitResult(slot: number, client: NodeId, seq: number): void {
    this.waiting.set(slot, { client, seq });
  }

  /** Leadership lost: nobody here answers the waiting clients any more (they retry elsewhere). */
  forgetWaiting(): void {
    this.waiting.clear();
  }

  /** Applies chosen commands in slot order; the leader answers the clients waiting on them. */
  apply(ctx: Ctx): void {
    while (this.lastAppliedSlot < this.learnedThroughSlot) {
      const slot = ++this.lastAppliedSlot;
      const { value, round } = this.chosen.get(slot)!;
      ctx.observe({ type: 'apply', index: slot, term: round, command: value });
      if (value === null) continue;
      const result = this.stateMachine.apply(value);
      const waiter = this.waiting.get(slot);
      if (waiter === undefined) continue;
      this.waiting.delete(slot);
      if (result !== undefined) ctx.send(waiter.client, { type: 'client-reply', seq: waiter.seq, ok: true, result });
    }
  }
}
