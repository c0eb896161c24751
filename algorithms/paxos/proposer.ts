// The Multi-Paxos proposer, with the leader built on it (Paxos Made Simple §3; the leader of "Paxos
// Made Moderately Complex"). A proposer runs phase 1 once for every slot it has not learned; with a
// majority of promises it leads, and proposes each new command straight into phase 2. Assumes it shares
// the node with an acceptor (whose promise it must also win) and a learner (which it feeds).

import { assert } from '../../sim/assert.js';
import type { MultiPaxosFact } from './facts.js';
import type { Context, NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { ClientReply, ClientRequest } from '../kv/client.js';
import type { SessionCommand } from '../kv/state-machine.js';
import type { Acceptor } from './acceptor.js';
import type { Learner } from './learner.js';
import { compareBallots, sameBallot, ZERO_BALLOT, type AcceptedEntry, type Ballot, type PaxosMessage, type Value } from './messages.js';
import { quorumSize, type PaxosConfig } from './config.js';

type Ctx = Context<PaxosMessage, MultiPaxosFact>;

/** Extension (leader election): a follower follows a leader; a candidate runs phase 1; a leader runs phase 2. */
export type Role = 'follower' | 'candidate' | 'leader';

/** A proposal in flight in the leader's ballot: the acceptors that accepted it so far. */
interface Proposal {
  readonly value: Value;
  /** The acceptors that accepted it so far (ourselves first). */
  readonly acks: NodeId[];
  sentAt: Micros;
}

export class Proposer {
  role: Role = 'follower';
  /** Our own ballot, while candidate or leader (and the last one we used, after). */
  ballot: Ballot = ZERO_BALLOT;
  leaderId: NodeId | null = null;
  /** The ballot of the leader we follow. */
  leaderBallot: Ballot = ZERO_BALLOT;
  private highestRoundSeen = 0;
  /** Phase 1: the acceptors that promised our ballot, and what each reported. */
  private readonly promises = new Map<NodeId, readonly AcceptedEntry<Value>[]>();
  private prepareFrom = 1;

  // Leader only.
  private nextSlot = 1;
  private readonly proposals = new Map<number, Proposal>();
  /** Extension (client sessions): per client, the slot of its latest command proposed in our ballot (so a retry does not take another). */
  private readonly slotOfCommand = new Map<string, { seq: number; slot: number }>();
  private readonly lastAck = new Map<NodeId, Micros>();

  constructor(
    private readonly config: PaxosConfig,
    private readonly acceptor: Acceptor<Value>,
    private readonly learner: Learner,
  ) {}

  /** After a (re)start: rounds below our acceptor's promise are spent. */
  load(): void {
    this.highestRoundSeen = this.acceptor.promised.round;
  }

  // ---- Phase 1a: prepare ------------------------------------------------------------------------

  /** Phase 1a for every slot we have not learned, under a ballot above any we have seen. */
  startPhase1(ctx: Ctx): void {
    if (this.role === 'leader') {
      ctx.cancelTimer('heartbeat');
      ctx.cancelTimer('check-quorum');
    }
    this.role = 'candidate';
    const ballot: Ballot = { round: Math.max(this.highestRoundSeen, this.acceptor.promised.round) + 1, node: ctx.self };
    // P1 (ballots are unique and rising): a proposer's ballot only increases, so it never reuses one.
    assert(compareBallots(ballot, this.ballot) > 0, 'P1: a proposer\'s ballot would not increase');
    this.ballot = ballot;
    this.highestRoundSeen = ballot.round;
    this.leaderId = null;
    this.forgetLeadership();
    ctx.observe({ type: 'role', role: 'candidate', term: ballot.round });
    this.prepareFrom = this.learner.learnedThrough + 1;
    // Our own acceptor promises first (durably), like any other.
    const own = this.acceptor.prepare(ctx, ballot, this.prepareFrom);
    if (own.ok) this.promises.set(ctx.self, own.accepted);
    // Extension (retry): if no majority answers in time, the timer fires again and we retry with a higher ballot.
    this.resetTakeoverTimer(ctx);
    if (this.isQuorum(this.promises.size, ctx)) return this.becomeLeader(ctx);
    for (const peer of ctx.peers) ctx.send(peer, { type: 'prepare', ballot, from: this.prepareFrom });
  }

  /** Phase 1b arrives: count the promise of our current ballot. */
  onPromise(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'promise' }>): void {
    // Guard P2 (a promise counts only for the ballot it promised): a late promise of an older ballot of ours
    // says nothing about what the acceptors may accept now.
    if (this.role !== 'candidate' || !sameBallot(msg.ballot, this.ballot)) return;
    this.promises.set(from, msg.accepted);
    // Guard P3 (quorum intersection): lead only with promises from a majority.
    if (this.isQuorum(this.promises.size, ctx)) this.becomeLeader(ctx);
  }

  // ---- Phase 2a: accept -------------------------------------------------------------------------

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
    top = this.learner.highestChosen(top);
    this.promises.clear();
    this.nextSlot = top + 1;
    const recovered: Value[] = [];
    for (let slot = this.prepareFrom; slot <= top; slot++) {
      const known = this.learner.chosenAt(slot);
      if (known !== undefined) recovered.push(known.value);
      // Planted bug (paxos/ignore-accepted-value): propose our own value (a no-op) whatever was reported.
      else if (this.config.bugs.ignoreAcceptedValue) recovered.push(null);
      // Guard P4 (P2c, Agreement): a value some majority may have chosen in a lower ballot is the value of
      // the highest ballot reported for this slot, so proposing exactly that keeps any choice intact;
      // a slot nobody reported is free, and gets a no-op (extension: gaps filled with no-ops).
      else recovered.push(highest.get(slot)?.value ?? null);
    }
    if (recovered.length > 0 && !this.propose(ctx, this.prepareFrom, recovered)) return;
    this.heartbeat(ctx);
    ctx.setTimer('check-quorum', this.config.takeoverTimeoutMicrosMin);
  }

  /** A client's command: a distinguished leader skips phase 1 and proposes it in the next slot. */
  onClientRequest(ctx: Ctx, from: NodeId, msg: ClientRequest): void {
    if (this.role !== 'leader') {
      const leaderHint = this.leaderId === ctx.self ? null : this.leaderId;
      ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: false, leaderHint } satisfies ClientReply);
      return;
    }
    // Extension (client sessions): a retry of a command already in the log and not yet applied waits for that slot.
    const pending = this.slotOfCommand.get(msg.clientId);
    if (pending !== undefined && pending.seq === msg.seq && pending.slot > this.learner.lastApplied) {
      this.learner.awaitResult(pending.slot, from, msg.seq);
      return;
    }
    // A distinguished leader skips phase 1: its ballot already holds every slot from here on.
    const slot = this.nextSlot++;
    this.learner.awaitResult(slot, from, msg.seq);
    const command: SessionCommand = { clientId: msg.clientId, seq: msg.seq, command: msg.command };
    this.propose(ctx, slot, [command]);
  }

  /**
   * Phase 2a for the consecutive slots from `first` (extension: a run of slots in one message). Returns
   * false if we turned out to be preempted.
   */
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
    for (const peer of ctx.peers) ctx.send(peer, { type: 'accept', ballot: this.ballot, slot: first, values, commit: this.learner.learnedThrough });
    if (this.isQuorum(1, ctx)) for (let i = 0; i < values.length; i++) this.choose(ctx, first + i, values[i]!);
    return true;
  }

  // ---- Phase 2b arrives: the leader as distinguished learner -------------------------------------

  onAccepted(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'accepted' }>): void {
    // Guard P5: acceptances count only toward a proposal of our current ballot.
    if (this.role !== 'leader' || !sameBallot(msg.ballot, this.ballot)) return;
    this.lastAck.set(from, ctx.now());
    for (let slot = msg.slot; slot < msg.slot + msg.count; slot++) {
      const proposal = this.proposals.get(slot);
      if (proposal === undefined) continue;
      if (proposal.acks.includes(from)) continue;
      proposal.acks.push(from);
      // Guard P6 (Agreement; learner, §2.3): chosen only when a majority accepted this value in this one ballot.
      if (this.isQuorum(proposal.acks.length, ctx)) this.choose(ctx, slot, proposal.value);
    }
  }

  private choose(ctx: Ctx, slot: number, value: Value): void {
    this.proposals.delete(slot);
    this.learner.learnChosen(ctx, slot, value, this.ballot.round);
  }

  // ---- Extension: heartbeats, resends, catch-up and check-quorum (the leader's upkeep) ------------

  heartbeat(ctx: Ctx): void {
    for (const peer of ctx.peers) ctx.send(peer, { type: 'heartbeat', ballot: this.ballot, commit: this.learner.learnedThrough });
    // Proposals still short of a majority after a heartbeat interval are sent again to the acceptors that
    // have not accepted them (a lost accept or reply must not stall the log), as runs of consecutive slots.
    if (this.proposals.size > 0) this.resendProposals(ctx);
    ctx.setTimer('heartbeat', this.config.heartbeatMicros);
  }

  private resendProposals(ctx: Ctx): void {
    const now = ctx.now();
    const commit = this.learner.learnedThrough;
    for (const peer of ctx.peers) {
      let first = 0;
      let values: Value[] = [];
      for (const [slot, proposal] of this.proposals) {
        if (now - proposal.sentAt < this.config.heartbeatMicros || proposal.acks.includes(peer)) continue;
        if (values.length > 0 && slot !== first + values.length) {
          ctx.send(peer, { type: 'accept', ballot: this.ballot, slot: first, values, commit });
          values = [];
        }
        if (values.length === 0) first = slot;
        values.push(proposal.value);
      }
      if (values.length > 0) ctx.send(peer, { type: 'accept', ballot: this.ballot, slot: first, values, commit });
    }
    for (const proposal of this.proposals.values()) if (now - proposal.sentAt >= this.config.heartbeatMicros) proposal.sentAt = now;
  }

  onHeartbeatReply(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'heartbeat-reply' }>): void {
    if (this.role !== 'leader' || !sameBallot(msg.ballot, this.ballot)) return;
    this.lastAck.set(from, ctx.now());
    if (msg.learned >= msg.commit) return;
    // The follower could not infer some slots we had told it were chosen: send their values.
    const learnedThrough = this.learner.learnedThrough;
    const values: Value[] = [];
    for (let slot = msg.learned + 1; slot <= learnedThrough && values.length < this.config.decidedPerMessageMax; slot++) {
      values.push(this.learner.chosenAt(slot)!.value);
    }
    if (values.length > 0) ctx.send(from, { type: 'decided', ballot: this.ballot, from: msg.learned + 1, values, commit: learnedThrough });
  }

  checkQuorum(ctx: Ctx): void {
    let heard = 1;
    for (const at of this.lastAck.values()) if (ctx.now() - at < this.config.takeoverTimeoutMicrosMin) heard++;
    // A leader cut off from a majority steps down, so clients stop waiting on it.
    if (!this.isQuorum(heard, ctx)) {
      ctx.observe({ type: 'step-down', term: this.ballot.round });
      return this.becomeFollower(ctx, null, ZERO_BALLOT);
    }
    ctx.setTimer('check-quorum', this.config.takeoverTimeoutMicrosMin);
  }

  // ---- Extension: leader election and backoff ----------------------------------------------------

  becomeFollower(ctx: Ctx, leader: NodeId | null, leaderBallot: Ballot): void {
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

  /** A refusal: some acceptor promised a ballot above ours. */
  onNack(ctx: Ctx, msg: Extract<PaxosMessage, { type: 'nack' }>): void {
    this.noteRound(msg.promised.round);
    if (this.role === 'follower' || !sameBallot(msg.ballot, this.ballot)) return;
    if (compareBallots(msg.promised, this.ballot) > 0) this.preempted(ctx, msg.promised);
  }

  /** A higher ballot has overtaken ours. */
  preempted(ctx: Ctx, by: Ballot): void {
    // Planted bug (paxos/no-backoff): retry at once with a higher ballot. Two proposers that both do
    // this preempt each other forever (the dueling proposers), and no leader ever holds its ballot.
    if (this.config.bugs.noBackoff) return this.startPhase1(ctx);
    // Extension (backoff): follow whoever preempted us and wait a randomised takeover timeout before
    // trying again. By then the winner's heartbeats have reset the timer, unless it failed too.
    this.becomeFollower(ctx, by.node, by);
  }

  /** A leader at or above our acceptor's promise spoke: follow it (stepping down if we were trying to lead) and learn. */
  followLeader(ctx: Ctx, from: NodeId, ballot: Ballot, commit: number): void {
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
    this.learner.learnFromCommit(ctx, ballot, commit);
  }

  private forgetLeadership(): void {
    this.promises.clear();
    this.proposals.clear();
    this.learner.forgetWaiting();
    this.slotOfCommand.clear();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Rounds seen in any message: our next ballot goes above them all. */
  noteRound(round: number): void {
    if (round > this.highestRoundSeen) this.highestRoundSeen = round;
  }

  resetTakeoverTimer(ctx: Ctx): void {
    ctx.setTimer('takeover', ctx.rng.int(this.config.takeoverTimeoutMicrosMin, this.config.takeoverTimeoutMicrosMax));
  }

  isQuorum(count: number, ctx: Ctx): boolean {
    return count >= quorumSize(ctx.peers.length + 1, this.config.bugs);
  }
}
