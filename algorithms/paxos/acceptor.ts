// The Paxos acceptor, shared by single-decree Paxos (one slot) and Multi-Paxos (a slot per log
// position). It holds the two facts Paxos's safety rests on: the highest ballot it has promised, and
// per slot the highest-ballot proposal it has accepted. Both are written to disk and synced before the
// caller replies, because a promise or an acceptance that a crash can undo is no promise at all.
// Fault model: crashes lose unsynced writes; messages may be late, lost, duplicated or reordered.
// Local assertions (A1–A3 below) throw InvariantError, which the engine reports as a crashed node.

import { assert } from '../../sim/assert.js';
import type { Disk } from '../../sim/disk.js';
import type { AcceptorFact, PaxosValue } from './facts.js';
import { compareBallots, sameBallot, ZERO_BALLOT, type AcceptedEntry, type Ballot } from './messages.js';

/**
 * The two guards of the acceptor, on by default. Each planted acceptor bug switches one off:
 * `paxos/forget-promise` keeps the promise in memory only; `paxos/accept-below-promise` checks an
 * accept against the ballot accepted in that slot rather than against the promise. A guard switched off
 * takes its paired assertion with it (the bug is there for the checkers to catch, not the node itself).
 */
export interface AcceptorGuards {
  /** Off under paxos/forget-promise; also switches off assertion A3 (see `accept`). */
  readonly persistPromise: boolean;
  /** Off under paxos/accept-below-promise; also switches off assertion A2. */
  readonly acceptOnlyAtOrAbovePromise: boolean;
}

/** What the acceptor needs of a node's context: its disk, and a way to report facts. */
export interface AcceptorContext<V extends PaxosValue = PaxosValue> {
  readonly disk: Disk;
  observe(fact: AcceptorFact<V>): void;
}

export type PrepareResult<V> = { readonly ok: true; readonly accepted: AcceptedEntry<V>[] } | { readonly ok: false; readonly promised: Ballot };
export type AcceptResult = { readonly ok: true } | { readonly ok: false; readonly promised: Ballot };

/** The one success result (no allocation per accept). */
const ACCEPTED: AcceptResult = Object.freeze({ ok: true });

/** A slot's accepted proposal as it lies on disk (the slot is in the key; flat, so it is cheap to copy). */
interface SlotRecord<V> {
  readonly round: number;
  readonly node: string;
  readonly value: V;
}

const PROMISED_KEY = 'acceptor/promised';
const SLOT_PREFIX = 'acceptor/slot/';
const slotKey = (slot: number) => `${SLOT_PREFIX}${slot}`;

/**
 * The disk contents (key → value) of an acceptor that has promised `promised` and accepted `accepted`,
 * as `Acceptor.load` reads them back: for tests that boot a node in the middle of the protocol.
 */
export function acceptorDiskContents<V>(state: { readonly promised: Ballot; readonly accepted: readonly AcceptedEntry<V>[] }): [string, unknown][] {
  const out: [string, unknown][] = [[PROMISED_KEY, state.promised]];
  for (const { slot, ballot, value } of state.accepted) out.push([slotKey(slot), { round: ballot.round, node: ballot.node, value } satisfies SlotRecord<V>]);
  return out;
}

/** Default value equality: the same primitive or the same object. */
function identical<V>(a: V, b: V): boolean {
  return a === b;
}

/**
 * The acceptor role of "Paxos Made Simple" §2.2–2.3 for any number of slots. Its handlers take only
 * an `AcceptorContext`, so a test can drive it with a plain disk and a list of facts.
 */
export class Acceptor<V extends PaxosValue> {
  private promisedBallot: Ballot = ZERO_BALLOT;
  private readonly accepted = new Map<number, AcceptedEntry<V>>();
  /** The highest slot with an accepted proposal (slots below it may be empty). */
  private topSlot = 0;

  /**
   * @param sameValue value equality for assertion A3 (the values of two messages are distinct objects
   * even when they are the same command); strict equality by default.
   */
  constructor(
    private readonly guards: AcceptorGuards,
    private readonly sameValue: (a: V, b: V) => boolean = identical,
  ) {}

  /** Reads what survived on disk (boot and every restart). */
  load(disk: Disk): void {
    this.promisedBallot = this.guards.persistPromise ? (disk.read<Ballot>(PROMISED_KEY) ?? ZERO_BALLOT) : ZERO_BALLOT;
    for (const key of disk.keys()) {
      if (!key.startsWith(SLOT_PREFIX)) continue;
      const slot = Number(key.slice(SLOT_PREFIX.length));
      const record = disk.read<SlotRecord<V>>(key)!;
      this.accepted.set(slot, { slot, ballot: { round: record.round, node: record.node }, value: record.value });
      if (slot > this.topSlot) this.topSlot = slot;
    }
  }

  get promised(): Ballot {
    return this.promisedBallot;
  }

  get highestSlot(): number {
    return this.topSlot;
  }

  acceptedAt(slot: number): AcceptedEntry<V> | undefined {
    return this.accepted.get(slot);
  }

  /**
   * Phase 1b: promise. On a prepare of `ballot`, promise never again to accept a lower ballot and report
   * the highest-ballot proposal accepted in every slot ≥ `fromSlot`; or refuse.
   */
  prepare(ctx: AcceptorContext<V>, ballot: Ballot, fromSlot: number): PrepareResult<V> {
    // Guard 1 (§2.2 phase 1b, a promise is never broken): refuse a ballot below one already promised.
    // Promising it would let its proposer count us while we may accept higher ballots it cannot see.
    if (compareBallots(ballot, this.promisedBallot) < 0) return { ok: false, promised: this.promisedBallot };
    this.raisePromise(ctx, ballot);
    // Guard 2 (durability): the promise is on disk before the proposer can count it; a crash that undid
    // it would let this acceptor answer a lower ballot after all.
    ctx.disk.sync();
    ctx.observe({ type: 'promise', ballot });
    const accepted: AcceptedEntry<V>[] = [];
    for (let slot = Math.max(1, fromSlot); slot <= this.topSlot; slot++) {
      const entry = this.accepted.get(slot);
      if (entry !== undefined) accepted.push(entry);
    }
    return { ok: true, accepted };
  }

  /** Phase 2b: accepted. On an accept of (`ballot`, `slot`, `value`), accept it unless promised higher; or refuse. */
  accept(ctx: AcceptorContext<V>, ballot: Ballot, slot: number, value: V): AcceptResult {
    const previous = this.accepted.get(slot);
    if (this.guards.acceptOnlyAtOrAbovePromise) {
      // Guard 3 (P1a, promise respected): never accept below the ballot promised. This is what
      // makes a proposer's phase 1 see every value that might have been chosen before its ballot.
      if (compareBallots(ballot, this.promisedBallot) < 0) return { ok: false, promised: this.promisedBallot };
    } else if (previous !== undefined && compareBallots(ballot, previous.ballot) < 0) {
      // Planted bug (paxos/accept-below-promise): only the ballot accepted in this slot is checked.
      return { ok: false, promised: this.promisedBallot };
    }
    if (previous !== undefined && sameBallot(previous.ballot, ballot)) {
      // A3 (§2.2, "different proposals have different numbers"): a ballot names one proposal per slot,
      // so a repeat of an accepted (slot, ballot) carries the same value. Off under paxos/forget-promise, where a
      // restarted proposer forgets the rounds it used and may reuse a ballot for another value.
      assert(!this.guards.persistPromise || this.sameValue(previous.value, value), 'A3: an accepted (slot, ballot) came again with another value');
      // A duplicate of an accept already taken changes nothing.
      return ACCEPTED;
    }
    // Accepting a ballot is promising it too.
    if (compareBallots(ballot, this.promisedBallot) > 0) this.raisePromise(ctx, ballot);
    // A2 (P1a): what we accept is at or above our promise. Off under paxos/accept-below-promise, whose
    // point is to break it.
    assert(!this.guards.acceptOnlyAtOrAbovePromise || compareBallots(ballot, this.promisedBallot) >= 0, 'A2: accepting a ballot below the promise');
    const entry: AcceptedEntry<V> = { slot, ballot, value };
    this.accepted.set(slot, entry);
    ctx.disk.write(slotKey(slot), { round: ballot.round, node: ballot.node, value } satisfies SlotRecord<V>);
    if (slot > this.topSlot) this.topSlot = slot;
    // Guard 4 (durability): the acceptance is on disk before anyone can count it toward a choice.
    ctx.disk.sync();
    ctx.observe({ type: 'accepted', slot, ballot, value });
    return ACCEPTED;
  }

  private raisePromise(ctx: AcceptorContext<V>, ballot: Ballot): void {
    // A1 (§2.2 phase 1b): the promised ballot never decreases (within a run of the process; paxos/forget-promise
    // loses it at a restart, which a fresh process cannot see).
    assert(compareBallots(ballot, this.promisedBallot) >= 0, 'A1: the promised ballot would decrease');
    this.promisedBallot = ballot;
    // The planted bug paxos/forget-promise keeps the promise in memory only: a restart forgets it.
    if (this.guards.persistPromise) ctx.disk.write(PROMISED_KEY, ballot);
  }
}
