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
//
// The roles live in their own files: acceptor.ts (phase 1b promise, phase 2b accepted; shared with
// single-decree Paxos), proposer.ts (phase 1a prepare, phase 2a accept, and the leader counting phase 2b
// as the distinguished learner), learner.ts (what is chosen, applied in slot order). This file is the
// node: it routes each message to its role and answers as an acceptor. Beyond the papers, and marked so
// where they live: leader election with heartbeats and check-quorum, randomised backoff, runs of slots
// in one accept, client sessions, catch-up of chosen values, and a learner log that leans on the
// acceptor's records. Guards that safety rests on are numbered (Guard 1–4 in the acceptor, Guard 5 here, P2–P6 in the
// proposer, L2 in the learner); local assertions (A1–A3, P1, L1) throw InvariantError, which the engine
// turns into a crashed node and a failed no-handler-exceptions check.

import type { MultiPaxosFact } from './facts.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import { Acceptor } from './acceptor.js';
import { acceptorGuards, learnerAssertsAgreement, type PaxosConfig } from './config.js';
import { Learner, sameValue } from './learner.js';
import { compareBallots, ZERO_BALLOT, type Ballot, type PaxosMessage, type Value } from './messages.js';
import { Proposer, type Role } from './proposer.js';

export { acceptorGuards, paxosBugs, quorumSize, type PaxosBug, type PaxosBugs, type PaxosConfig } from './config.js';

type Ctx = Context<PaxosMessage, MultiPaxosFact>;

/** A Multi-Paxos server: acceptor, proposer and learner in one process. */
export class PaxosNode implements Process<PaxosMessage, MultiPaxosFact> {
  private readonly acceptor: Acceptor<Value>;
  private readonly learner: Learner;
  private readonly proposer: Proposer;

  constructor(config: PaxosConfig) {
    this.acceptor = new Acceptor<Value>(acceptorGuards(config.bugs), sameValue);
    this.learner = new Learner(this.acceptor, learnerAssertsAgreement(config.bugs));
    this.proposer = new Proposer(config, this.acceptor, this.learner);
  }

  onStart(ctx: Ctx): void {
    this.acceptor.load(ctx.disk);
    this.proposer.load();
    this.learner.load(ctx);
    this.learner.apply(ctx);
    this.proposer.becomeFollower(ctx, null, ZERO_BALLOT);
  }

  inspect(): { role: Role; ballot: Ballot; leaderId: NodeId | null; leaderBallot: Ballot; promised: Ballot; learnedThrough: number; lastApplied: number } {
    const p = this.proposer;
    return {
      role: p.role, ballot: p.ballot, leaderId: p.leaderId, leaderBallot: p.leaderBallot,
      promised: this.acceptor.promised, learnedThrough: this.learner.learnedThrough, lastApplied: this.learner.lastApplied,
    };
  }

  onTimer(ctx: Ctx, name: string): void {
    const role = this.proposer.role;
    if (name === 'takeover' && role !== 'leader') this.proposer.startPhase1(ctx);
    else if (name === 'heartbeat' && role === 'leader') this.proposer.heartbeat(ctx);
    else if (name === 'check-quorum' && role === 'leader') this.proposer.checkQuorum(ctx);
  }

  onMessage(ctx: Ctx, from: NodeId, msg: PaxosMessage): void {
    switch (msg.type) {
      // To the acceptor (this file).
      case 'prepare':
        return this.onPrepare(ctx, from, msg);
      case 'accept':
        return this.onAccept(ctx, from, msg);
      case 'heartbeat':
        return this.onHeartbeat(ctx, from, msg);
      // To the proposer.
      case 'promise':
        return this.proposer.onPromise(ctx, from, msg);
      case 'nack':
        return this.proposer.onNack(ctx, msg);
      case 'accepted':
        return this.proposer.onAccepted(ctx, from, msg);
      case 'heartbeat-reply':
        return this.proposer.onHeartbeatReply(ctx, from, msg);
      case 'client-request':
        return this.proposer.onClientRequest(ctx, from, msg);
      case 'client-reply':
        return;
      // To the learner.
      case 'decided':
        return this.onDecided(ctx, from, msg);
    }
  }

  // ---- acceptor: Phase 1b (promise) and Phase 2b (accepted) ---------------------------------------

  /** Phase 1b: promise (or refuse) a prepare. */
  private onPrepare(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'prepare' }>): void {
    this.proposer.noteRound(msg.ballot.round);
    const result = this.acceptor.prepare(ctx, msg.ballot, msg.from);
    if (!result.ok) {
      ctx.send(from, { type: 'nack', ballot: msg.ballot, promised: result.promised });
      return;
    }
    ctx.send(from, { type: 'promise', ballot: msg.ballot, accepted: result.accepted });
    const proposer = this.proposer;
    // Guard 5 (one node, one promise): our own acceptor promised a higher ballot than ours, so as a
    // proposer we are preempted: our ballot can no longer win this acceptor.
    if (proposer.role !== 'follower' && compareBallots(msg.ballot, proposer.ballot) > 0) return proposer.preempted(ctx, msg.ballot);
    // Extension (backoff): give the candidate time to finish before we try ourselves.
    if (proposer.role === 'follower') proposer.resetTakeoverTimer(ctx);
  }

  /** Phase 2b: accept (or refuse) each slot of an accept's run, and answer with runs of accepted slots. */
  private onAccept(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'accept' }>): void {
    this.proposer.noteRound(msg.ballot.round);
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
    this.proposer.followLeader(ctx, from, msg.ballot, msg.commit);
  }

  /** Phase 2b for the slots from `first` up to (not including) `end`, if any (to the leader, the distinguished learner). */
  private replyAccepted(ctx: Ctx, to: NodeId, ballot: Ballot, first: number, end: number): void {
    if (end > first) ctx.send(to, { type: 'accepted', ballot, slot: first, count: end - first });
  }

  /** Extension (leader heartbeats): the leader's pulse, answered like an accept without a value. */
  private onHeartbeat(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'heartbeat' }>): void {
    this.proposer.noteRound(msg.ballot.round);
    const promised = this.acceptor.promised;
    // A leader below our promise has been superseded: say so, and it steps down.
    if (compareBallots(msg.ballot, promised) < 0) {
      ctx.send(from, { type: 'nack', ballot: msg.ballot, promised });
      return;
    }
    this.proposer.followLeader(ctx, from, msg.ballot, msg.commit);
    if (this.proposer.role !== 'follower') return;
    ctx.send(from, { type: 'heartbeat-reply', ballot: msg.ballot, learned: this.learner.learnedThrough, commit: msg.commit });
  }

  // ---- learner: extension (catch-up) --------------------------------------------------------------

  private onDecided(ctx: Ctx, from: NodeId, msg: Extract<PaxosMessage, { type: 'decided' }>): void {
    this.proposer.noteRound(msg.ballot.round);
    this.learner.learnDecided(ctx, msg.ballot, msg.from, msg.values, msg.commit);
    // Still behind: the reply asks for the next batch.
    if (this.proposer.role === 'follower' && this.learner.learnedThrough < msg.commit) {
      ctx.send(from, { type: 'heartbeat-reply', ballot: msg.ballot, learned: this.learner.learnedThrough, commit: msg.commit });
    }
  }
}
