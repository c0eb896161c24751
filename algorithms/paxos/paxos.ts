// Multi-Paxos, a replicated key-value store (Lamport, "Paxos Made Simple", 2001, §3; van Renesse &
// Altinbuken, "Paxos Made Moderately Complex", 2015). Read this first:
//
// The log is a sequence of slots, and each slot is an instance of single-decree Paxos that chooses one
// command. Every server plays three parts. As an ACCEPTOR it promises ballots and accepts proposals;
// as a PROPOSER it may try to lead; as a LEARNER it finds out which value each slot chose and applies
// the chosen commands to the key-value state machine in slot order.
//
// A ballot is (round, node id), totally ordered. A server that hears nothing from a leader for a
// randomised takeover timeout runs phase 1 once for every slot it has not learned: "prepare ballot b
// from slot s". An acceptor promises b unless it already promised a higher ballot, and reports what it
// accepted in those slots. With promises from a majority the proposer leads; for every slot some
// acceptor reported it re-proposes the value of the highest ballot reported there (that value may
// already be chosen), and fills the gaps between with no-ops. From then on it skips phase 1: each new
// client command takes the next slot and goes straight to phase 2, "accept (b, slot, value)". An
// acceptor accepts unless it promised a higher ballot; a value accepted by a majority in one ballot is
// chosen. The leader counts the acceptances (it is the distinguished learner), applies chosen commands
// and answers the client; its chosen prefix rides on every accept and heartbeat, so a follower learns a
// slot it accepted in the leader's ballot without being sent the value again, and is sent the values it
// could not infer.
//
// Two majorities always share an acceptor, so a later ballot's phase 1 sees every value an earlier
// ballot may have chosen: that is why at most one value is chosen per slot. A leader that meets a
// higher ballot (a refusal, or its own acceptor promising it) is preempted: it steps down and waits a
// randomised backoff before it tries again, so that two proposers do not preempt each other forever.
//
// The acceptor's promise and accepted values are synced to disk before every reply that depends on
// them. Reads go through the log like writes, so they are linearizable without leases. Client sessions
// make a retried command apply once.

import type { ClientReply, ClientRequest } from '../kv/client.js';
import { KvStateMachine, type SessionCommand } from '../kv/state-machine.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { Acceptor, type AcceptorGuards } from './acceptor.js';
import { compareBallots, sameBallot, ZERO_BALLOT, type AcceptedEntry, type Ballot, type PaxosMessage, type Value } from './messages.js';

export const PAXOS_BUGS = {
  acceptBelowPromise: 'paxos/accept-below-promise',
  ignoreAcceptedValue: 'paxos/ignore-accepted-value',
  forgetPromise: 'paxos/forget-promise',
  quorumOffByOne: 'paxos/quorum-off-by-one',
  noBackoff: 'paxos/no-backoff',
} as const;

export type PaxosBug = (typeof PAXOS_BUGS)[keyof typeof PAXOS_BUGS];

export interface PaxosConfig {
  readonly takeoverTimeoutMicrosMin: Micros;
  readonly takeoverTimeoutMicrosMax: Micros;
  readonly heartbeatMicros: Micros;
  /** Bound: chosen values per catch-up message. */
  readonly decidedPerMessageMax: number;
  readonly bug: PaxosBug | undefined;
}

/** The acceptor's guards, with the one a planted bug removes switched off. */
export function acceptorGuards(bug: PaxosBug | undefined): AcceptorGuards {
  return { persistPromise: bug !== PAXOS_BUGS.forgetPromise, acceptOnlyAtOrAbovePromise: bug !== PAXOS_BUGS.acceptBelowPromise };
}

/**
 * Acceptors needed for a promise or a choice among `servers`. Invariant (quorum intersection): any two
 * majorities share an acceptor. The planted bug paxos/quorum-off-by-one takes ⌊n/2⌋, a minority.
 */
export function quorumSize(servers: number, bug: PaxosBug | undefined): number {
  return bug === PAXOS_BUGS.quorumOffByOne ? Math.max(1, Math.floor(servers / 2)) : Math.floor(servers / 2) + 1;
}

/** Same value: a command is named by its session (a client never sends two commands under one seq). */
function sameValue(a: Value, b: Value): boolean {
  return a === b || (a !== null && b !== null && a.clientId === b.clientId && a.seq === b.seq);
}

type Role = 'follower' | 'candidate' | 'leader';
type Ctx = Context<PaxosMessage>;

/** A slot's chosen value as this learner knows it, with the round of the ballot it learned it in. */
interface Chosen {
  readonly value: Value;
  readonly round: number;
}

/** A proposal in flight in the leader's ballot: the acceptors that accepted it so far. */
interface Proposal {
  readonly value: Value;
  /** The acceptors that accepted it so far (ourselves first). */
  readonly acks: NodeId[];
  sentAt: Micros;
}

/**
 * The learner's log on disk: how far it has learned, and the value of a learned slot only where the
 * acceptor's own record of that slot does not already hold it (a slot learned from a catch-up message).
 * A slot's accepted value can change after it is chosen only to the same value, so the acceptor's record
 * stays right. The learned prefix is only a head start after a restart (what is chosen is safe with the
 * acceptors), so it is written every LEARNED_WRITE_EVERY slots, not at every slot.
 */
const LEARNED_KEY = 'learner/through';
const LEARNED_WRITE_EVERY = 32;
const chosenKey = (slot: number) => `learner/slot/${slot}`;

export class PaxosNode implements Process<PaxosMessage> {
  private readonly acceptor: Acceptor<Value>;

  // Learner.
  private readonly chosen = new Map<number, Chosen>();
  /** Every slot up to here is known chosen. */
  private learnedThrough = 0;
  private lastApplied = 0;
  private readonly stateMachine: KvStateMachine;

  // Proposer.
  private role: Role = 'follower';
  /** Our own ballot, while candidate or leader. */
  private ballot: Ballot = ZERO_BALLOT;
  private leaderId: NodeId | null = null;
  /** The ballot of the leader we follow. */
  private leaderBallot: Ballot = ZERO_BALLOT;
  private highestRoundSeen = 0;
  /** Phase 1: the acceptors that promised our ballot, and what each reported. */
  private promises = new Map<NodeId, readonly AcceptedEntry<Value>[]>();
  private prepareFrom = 1;

  // Leader only.
  private nextSlot = 1;
  private readonly proposals = new Map<number, Proposal>();
  /** Slot → the client waiting for that slot's result. */
  private readonly waiting = new Map<number, { client: NodeId; seq: number }>();
  /** Per client, the slot of its latest command proposed in our ballot (so a retry does not take another). */
  private readonly slotOfCommand = new Map<string, { seq: number; slot: number }>();
  private readonly lastAck = new Map<NodeId, Micros>();

  constructor(private readonly config: PaxosConfig) {
    this.acceptor = new Acceptor(acceptorGuards(config.bug));
    this.stateMachine = new KvStateMachine();
  }

  onStart(ctx: Ctx): void {
    this.acceptor.load(ctx.disk);
    this.highestRoundSeen = this.acceptor.promised.round;
    const through = ctx.disk.read<number>(LEARNED_KEY) ?? 0;
    for (let slot = 1; slot <= through; slot++) {
      const own = this.acceptor.acceptedAt(slot);
      const saved = ctx.disk.read<Chosen>(chosenKey(slot)) ?? (own === undefined ? undefined : { value: own.value, round: own.ballot.round });
      if (saved === undefined) break;
      this.chosen.set(slot, saved);
      this.learnedThrough = slot;
    }
    this.applyChosen(ctx);
    this.becomeFollower(ctx, null, ZERO_BALLOT);
  }

  inspect(): { role: Role; ballot: Ballot; leaderId: NodeId | null; leaderBallot: Ballot; promised: Ballot; learnedThrough: number; lastApplied: number } {
    return {
      role: this.role, ballot: this.ballot, leaderId: this.leaderId, leaderBallot: this.leaderBallot,
      promised: this.acceptor.promised, learnedThrough: this.learnedThrough, lastApplied: this.lastApplied,
    };
  }

  onTimer(ctx: Ctx, name: string): void {
    if (name === 'takeover' && this.role !== 'leader') this.startPhase1(ctx);
    else if (name === 'heartbeat' && this.role === 'leader') this.heartbeat(ctx);
    else if (name === 'check-quorum' && this.role === 'leader') this.checkQuorum(ctx);
  }

  onMessage(ctx: Ctx, from: NodeId, msg: PaxosMessage): void {
    switch (msg.type) {
      case 'client-request':
        return this.onClientRequest(ctx, from, msg);
      case 'client-reply':
        return;
      case 'prepare':
        return this.onPrepare(ctx, from, msg);
      case 'promise':
        return this.onPromise(ctx, from, msg);
      case 'nack':
        return this.onNack(ctx, msg);
      case 'accept':
        return this.onAccept(ctx, from, msg);
      case 'accepted':
        return this.onAccepted(ctx, from, msg);
      case 'heartbeat':
        return this.onHeartbeat(ctx, from, msg);
      case 'heartbeat-reply':
        return this.onHeartbeatReply(ctx, from, msg);
      case 'decided':
        return this.onDecided(ctx, from, msg);
    }
  }

  // ---- roles ------------------------------------------------------------------------------------

  private becomeFollower(ctx: Ctx, leader: NodeId | null, leaderBallot: Ballot): void {
    if (this.role === 'leader') {
      ctx.cancelTimer('heartbeat');
      ctx.cancelTimer('check-quorum');
    }
    this.role = 'follower';
    this.leaderId = leader;
    this.leaderBallot = leaderBallot;
    this.forgetLeadership();
    ctx.observe({ type: 'role', role: 'follower', term: this.acceptor.promised.round });
    this.resetTakeoverTimer(ctx);
  }

  /** Phase 1 for every slot we have not learned, under a ballot above any we have seen. */
  private startPhase1(ctx: Ctx): void {
    if (this.role === 'leader') {
      ctx.cancelTimer('heartbeat');
      ctx.cancelTimer('check-quorum');
    }
    this.role = 'candidate';
    this.ballot = { round: Math.max(this.highestRoundSeen, this.acceptor.promised.round) + 1, node: ctx.self };
    this.highestRoundSeen = this.ballot.round;
    this.leaderId = null;
    this.forgetLeadership();
    ctx.observe({ type: 'role', role: 'candidate', term: this.ballot.round });
    this.prepareFrom = this.learnedThrough + 1;
    // Our own acceptor promises first (durably), like any other.
    const own = this.acceptor.prepare(ctx, this.ballot, this.prepareFrom);
    if (own.ok) this.promises.set(ctx.self, own.accepted);
    // If no majority answers in time, the timer fires again and we retry with a higher ballot.
    this.resetTakeoverTimer(ctx);
    if (this.isQuorum(this.promises.size, ctx)) return this.becomeLeader(ctx);
    for (const peer of ctx.peers) ctx.send(peer, { type: 'prepare', ballot: this.ballot, from: this.prepareFrom });
  }

  private becomeLeader(ctx: Ctx): void {
    this.role = 'leader';
    this.leaderId = ctx.self;
    this.leaderBallot = this.ballot;
    ctx.cancelTimer('takeover');
    for (const peer of ctx.peers) this.lastAck.set(peer, ctx.now());
    ctx.observe({ type: 'role', role: 'leader', term: this.ballot.round });
    ctx.observe({ type: 'leader', term: this.ballot.round, ballot: this.ballot });
    // A majority promised: the leadership is established (phase 1 is its acceptance).
    ctx.observe({ type: 'leader-established', term: this.ballot.round });

    // Recover every slot a majority's reports mention: the highest-ballot value of each, or a no-op.
    const highest = new Map<number, AcceptedEntry<Value>>();
    let top = this.prepareFrom - 1;
    for (const entries of this.promises.values()) {
      for (const entry of entries) {
        const best = highest.get(entry.slot);
        if (best === undefined || compareBallots(entry.ballot, best.ballot) > 0) highest.set(entry.slot, entry);
        if (entry.slot > top) top = entry.slot;
      }
    }
    for (const slot of this.chosen.keys()) if (slot > top) top = slot;
    this.promises.clear();
    this.nextSlot = top + 1;
    const recovered: Value[] = [];
    for (let slot = this.prepareFrom; slot <= top; slot++) {
      const known = this.chosen.get(slot);
      if (known !== undefined) recovered.push(known.value);
      // Planted bug (paxos/ignore-accepted-value): propose our own value (a no-op) whatever was reported.
      else if (this.config.bug === PAXOS_BUGS.ignoreAcceptedValue) recovered.push(null);
      // Invariant (Agreement): a value some majority may have chosen in a lower ballot is the value of the
      // highest ballot reported for this slot, so proposing exactly that keeps any choice intact.
      else recovered.push(highest.get(slot)?.value ?? null);
    }
    if (recovered.length > 0 && !this.propose(ctx, this.prepareFrom, recovered)) return;
    this.heartbeat(ctx);
    ctx.setTimer('check-quorum', this.config.takeoverTimeoutMicrosMin);
  }

  /** A higher ballot has overtaken ours. */
  private preempted(ctx: Ctx, by: Ballot): void {
    // Planted bug (paxos/no-backoff): retry at once with a higher ballot. Two proposers that both do
    // this preempt each other forever (the dueling proposers), and no leader ever holds its ballot.
    if (this.config.bug === PAXOS_BUGS.noBackoff) return this.startPhase1(ctx);
    // Back off: follow whoever preempted us and wait a randomised takeover timeout before trying
    // again. By then the winner's heartbeats have reset the timer, unless it failed too.
    this.becomeFollower(ctx, by.node, by);
  }

  private forgetLeadership(): void {
    this.promises.clear();
    this.proposals.clear();
    this.waiting.clear();
    this.slotOfCommand.clear();
  }

  // ---- acceptor side ----------------------------------------------------------------------------

  private onPrepare(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'prepare' }>): void {
    this.noteRound(msg.ballot.round);
    const result = this.acceptor.prepare(ctx, msg.ballot, msg.from);
    if (!result.ok) {
      ctx.send(from, { type: 'nack', ballot: msg.ballot, promised: result.promised });
      return;
    }
    ctx.send(from, { type: 'promise', ballot: msg.ballot, accepted: result.accepted });
    // Our own acceptor promised a higher ballot than ours: as a proposer we are preempted.
    if (this.role !== 'follower' && compareBallots(msg.ballot, this.ballot) > 0) return this.preempted(ctx, msg.ballot);
    // Give the candidate time to finish before we try ourselves.
    if (this.role === 'follower') this.resetTakeoverTimer(ctx);
  }

  private onAccept(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'accept' }>): void {
    this.noteRound(msg.ballot.round);
    let runStart = msg.slot;
    let refused: Ballot | undefined;
    for (let i = 0; i < msg.values.length; i++) {
      const slot = msg.slot + i;
      const result = this.acceptor.accept(ctx, msg.ballot, slot, msg.values[i]!);
      if (result.ok) continue;
      this.replyAccepted(ctx, from, msg.ballot, runStart, slot);
      runStart = slot + 1;
      refused = result.promised;
    }
    this.replyAccepted(ctx, from, msg.ballot, runStart, msg.slot + msg.values.length);
    if (refused !== undefined) {
      ctx.send(from, { type: 'nack', ballot: msg.ballot, promised: refused });
      return;
    }
    this.heardFromLeader(ctx, from, msg.ballot, msg.commit);
  }

  /** Phase 2b for the slots from `first` up to (not including) `end`, if any. */
  private replyAccepted(ctx: Ctx, to: NodeId, ballot: Ballot, first: number, end: number): void {
    if (end > first) ctx.send(to, { type: 'accepted', ballot, slot: first, count: end - first });
  }

  private onHeartbeat(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'heartbeat' }>): void {
    this.noteRound(msg.ballot.round);
    // A leader below our promise has been superseded: say so, and it steps down.
    if (compareBallots(msg.ballot, this.acceptor.promised) < 0) {
      ctx.send(from, { type: 'nack', ballot: msg.ballot, promised: this.acceptor.promised });
      return;
    }
    this.heardFromLeader(ctx, from, msg.ballot, msg.commit);
    if (this.role !== 'follower') return;
    ctx.send(from, { type: 'heartbeat-reply', ballot: msg.ballot, learned: this.learnedThrough, commit: msg.commit });
  }

  /** A leader at or above our promise spoke: follow it (stepping down if we were trying to lead) and learn. */
  private heardFromLeader(ctx: Ctx, from: NodeId, ballot: Ballot, commit: number): void {
    if (this.role !== 'follower') {
      if (compareBallots(ballot, this.ballot) <= 0) return;
      this.preempted(ctx, ballot);
      // With paxos/no-backoff we went straight back to phase 1.
      if ((this.role as Role) !== 'follower') return;
    }
    if (compareBallots(ballot, this.leaderBallot) >= 0) {
      this.leaderId = from;
      this.leaderBallot = ballot;
      this.resetTakeoverTimer(ctx);
    }
    this.learnFromCommit(ctx, ballot, commit);
  }

  // ---- proposer side ----------------------------------------------------------------------------

  private onPromise(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'promise' }>): void {
    if (this.role !== 'candidate' || !sameBallot(msg.ballot, this.ballot)) return;
    this.promises.set(from, msg.accepted);
    if (this.isQuorum(this.promises.size, ctx)) this.becomeLeader(ctx);
  }

  private onNack(ctx: Ctx, msg: Extract<PaxosMessage, { type: 'nack' }>): void {
    this.noteRound(msg.promised.round);
    if (this.role === 'follower' || !sameBallot(msg.ballot, this.ballot)) return;
    if (compareBallots(msg.promised, this.ballot) > 0) this.preempted(ctx, msg.promised);
  }

  private onClientRequest(ctx: Ctx, from: NodeId, msg: ClientRequest): void {
    if (this.role !== 'leader') {
      const leaderHint = this.leaderId === ctx.self ? null : this.leaderId;
      ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: false, leaderHint } satisfies ClientReply);
      return;
    }
    // A retry of a command already in the log and not yet applied waits for that slot.
    const pending = this.slotOfCommand.get(msg.clientId);
    if (pending !== undefined && pending.seq === msg.seq && pending.slot > this.lastApplied) {
      this.waiting.set(pending.slot, { client: from, seq: msg.seq });
      return;
    }
    // A distinguished leader skips phase 1: its ballot already holds every slot from here on.
    const slot = this.nextSlot++;
    this.waiting.set(slot, { client: from, seq: msg.seq });
    const command: SessionCommand = { clientId: msg.clientId, seq: msg.seq, command: msg.command };
    this.propose(ctx, slot, [command]);
  }

  /** Phase 2 for the consecutive slots from `first`. Returns false if we turned out to be preempted. */
  private propose(ctx: Ctx, first: number, values: readonly Value[]): boolean {
    const now = ctx.now();
    for (let i = 0; i < values.length; i++) {
      const slot = first + i;
      const value = values[i]!;
      // Our own acceptance is durable before we count it.
      const own = this.acceptor.accept(ctx, this.ballot, slot, value);
      if (!own.ok) {
        this.preempted(ctx, own.promised);
        return false;
      }
      this.proposals.set(slot, { value, acks: [ctx.self], sentAt: now });
      if (value !== null) this.slotOfCommand.set(value.clientId, { seq: value.seq, slot });
    }
    for (const peer of ctx.peers) ctx.send(peer, { type: 'accept', ballot: this.ballot, slot: first, values, commit: this.learnedThrough });
    if (this.isQuorum(1, ctx)) for (let i = 0; i < values.length; i++) this.choose(ctx, first + i, values[i]!);
    return true;
  }

  private onAccepted(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'accepted' }>): void {
    if (this.role !== 'leader' || !sameBallot(msg.ballot, this.ballot)) return;
    this.lastAck.set(from, ctx.now());
    for (let slot = msg.slot; slot < msg.slot + msg.count; slot++) {
      const proposal = this.proposals.get(slot);
      if (proposal === undefined) continue;
      if (proposal.acks.includes(from)) continue;
      proposal.acks.push(from);
      // Invariant (Agreement): chosen only when a majority accepted this value in this one ballot.
      if (this.isQuorum(proposal.acks.length, ctx)) this.choose(ctx, slot, proposal.value);
    }
  }

  private heartbeat(ctx: Ctx): void {
    for (const peer of ctx.peers) ctx.send(peer, { type: 'heartbeat', ballot: this.ballot, commit: this.learnedThrough });
    // Proposals still short of a majority after a heartbeat interval are sent again to the acceptors that
    // have not accepted them (a lost accept or reply must not stall the log), as runs of consecutive slots.
    if (this.proposals.size > 0) this.resendProposals(ctx);
    ctx.setTimer('heartbeat', this.config.heartbeatMicros);
  }

  private resendProposals(ctx: Ctx): void {
    const now = ctx.now();
    for (const peer of ctx.peers) {
      let first = 0;
      let values: Value[] = [];
      for (const [slot, proposal] of this.proposals) {
        if (now - proposal.sentAt < this.config.heartbeatMicros || proposal.acks.includes(peer)) continue;
        if (values.length > 0 && slot !== first + values.length) {
          ctx.send(peer, { type: 'accept', ballot: this.ballot, slot: first, values, commit: this.learnedThrough });
          values = [];
        }
        if (values.length === 0) first = slot;
        values.push(proposal.value);
      }
      if (values.length > 0) ctx.send(peer, { type: 'accept', ballot: this.ballot, slot: first, values, commit: this.learnedThrough });
    }
    for (const proposal of this.proposals.values()) if (now - proposal.sentAt >= this.config.heartbeatMicros) proposal.sentAt = now;
  }

  private onHeartbeatReply(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'heartbeat-reply' }>): void {
    if (this.role !== 'leader' || !sameBallot(msg.ballot, this.ballot)) return;
    this.lastAck.set(from, ctx.now());
    if (msg.learned >= msg.commit) return;
    // The follower could not infer some slots we had told it were chosen: send their values.
    const values: Value[] = [];
    for (let slot = msg.learned + 1; slot <= this.learnedThrough && values.length < this.config.decidedPerMessageMax; slot++) {
      values.push(this.chosen.get(slot)!.value);
    }
    if (values.length > 0) ctx.send(from, { type: 'decided', ballot: this.ballot, from: msg.learned + 1, values, commit: this.learnedThrough });
  }

  private checkQuorum(ctx: Ctx): void {
    let heard = 1;
    for (const at of this.lastAck.values()) if (ctx.now() - at < this.config.takeoverTimeoutMicrosMin) heard++;
    // A leader cut off from a majority steps down, so clients stop waiting on it.
    if (!this.isQuorum(heard, ctx)) {
      ctx.observe({ type: 'step-down', term: this.ballot.round });
      return this.becomeFollower(ctx, null, ZERO_BALLOT);
    }
    ctx.setTimer('check-quorum', this.config.takeoverTimeoutMicrosMin);
  }

  // ---- learner ----------------------------------------------------------------------------------

  private choose(ctx: Ctx, slot: number, value: Value): void {
    this.proposals.delete(slot);
    if (!this.chosen.has(slot)) this.chosen.set(slot, { value, round: this.ballot.round });
    this.advanceLearned(ctx);
  }

  /** Learns, from a leader's chosen prefix, the slots we accepted in that leader's ballot. */
  private learnFromCommit(ctx: Ctx, ballot: Ballot, commit: number): void {
    for (let slot = this.learnedThrough + 1; slot <= commit; slot++) {
      if (this.chosen.has(slot)) continue;
      const entry = this.acceptor.acceptedAt(slot);
      // Invariant (learning is sound): a leader proposes one value per slot in its ballot, and in a slot
      // that is chosen, that value is the chosen one; a proposal of any other ballot may not be.
      if (entry !== undefined && sameBallot(entry.ballot, ballot)) this.chosen.set(slot, { value: entry.value, round: ballot.round });
    }
    this.advanceLearned(ctx);
  }

  private onDecided(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'decided' }>): void {
    this.noteRound(msg.ballot.round);
    for (let i = 0; i < msg.values.length; i++) {
      const slot = msg.from + i;
      if (!this.chosen.has(slot)) this.chosen.set(slot, { value: msg.values[i]!, round: msg.ballot.round });
    }
    this.learnFromCommit(ctx, msg.ballot, msg.commit);
    // Still behind: the reply asks for the next batch.
    if (this.role === 'follower' && this.learnedThrough < msg.commit) {
      ctx.send(from, { type: 'heartbeat-reply', ballot: msg.ballot, learned: this.learnedThrough, commit: msg.commit });
    }
  }

  private advanceLearned(ctx: Ctx): void {
    if (!this.chosen.has(this.learnedThrough + 1)) return;
    let persist = false;
    while (this.chosen.has(this.learnedThrough + 1)) {
      const slot = ++this.learnedThrough;
      const chosen = this.chosen.get(slot)!;
      const own = this.acceptor.acceptedAt(slot);
      if (own === undefined || !sameValue(own.value, chosen.value)) {
        ctx.disk.write(chosenKey(slot), chosen);
        persist = true;
      }
      if (slot % LEARNED_WRITE_EVERY === 0) persist = true;
    }
    if (persist) ctx.disk.write(LEARNED_KEY, this.learnedThrough);
    this.applyChosen(ctx);
  }

  /** Applies chosen commands in slot order; the leader answers the clients waiting on them. */
  private applyChosen(ctx: Ctx): void {
    while (this.lastApplied < this.learnedThrough) {
      const slot = ++this.lastApplied;
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

  // ---- helpers ----------------------------------------------------------------------------------

  private noteRound(round: number): void {
    if (round > this.highestRoundSeen) this.highestRoundSeen = round;
  }

  private resetTakeoverTimer(ctx: Ctx): void {
    ctx.setTimer('takeover', ctx.rng.int(this.config.takeoverTimeoutMicrosMin, this.config.takeoverTimeoutMicrosMax));
  }

  private isQuorum(count: number, ctx: Ctx): boolean {
    return count >= quorumSize(ctx.peers.length + 1, this.config.bug);
  }
}
