// Single-decree Paxos (Lamport, "Paxos Made Simple", 2001, §2): several proposers, each with a value
// of its own, agree on one value. Read this first:
//
// Every node is an acceptor and a learner; some are also proposers. A proposer picks a ballot above any
// it has seen and runs two phases. Phase 1: it asks every acceptor to promise the ballot; an acceptor
// promises unless it already promised a higher one, and reports the highest-ballot proposal it has
// accepted, if any. Phase 2, once a majority promised: the proposer asks the acceptors to accept a
// value, which must be the value of the highest ballot reported in phase 1 (only if none was reported
// may it use its own). An acceptor accepts unless it promised a higher ballot, and tells every learner.
// A value accepted by a majority in one ballot is chosen; a learner that hears a majority accept the
// same ballot has learned it. A proposer that meets a higher ballot gives up the attempt and waits a
// randomised backoff before trying again with a higher ballot; one that times out retries too. Learners
// that missed the decision ask the others.
//
// Why at most one value is chosen: two majorities share an acceptor, so once a value v is chosen in
// ballot b, every later ballot's phase 1 hears of a proposal of ballot ≥ b, and (by induction) the
// highest of those carries v.
//
// Phase tags mark each step (Phase 1a prepare, 1b promise, 2a accept, 2b accepted, learner); guards that
// safety rests on are numbered; local assertions (A1–A3 in the acceptor, P1, L1 here) throw
// InvariantError, which the engine turns into a crashed node. Beyond the paper: randomised backoff and
// retry timers, and learners that ask each other for a decision they missed.

import { assert } from '../../sim/assert.js';
import type { SingleDecreeFact } from './facts.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { Acceptor } from './acceptor.js';
import { compareBallots, sameBallot, ZERO_BALLOT, type AcceptedEntry, type Ballot, type SingleDecreeMessage } from './messages.js';
import { acceptorGuards, learnerAssertsAgreement, quorumSize, type PaxosBugs } from './config.js';

export interface SingleDecreeConfig {
  /** Whether this node proposes (its value is `proposal:<node id>`). */
  readonly proposer: boolean;
  /** When a proposer first tries, drawn from this range. */
  readonly startMicrosMin: Micros;
  readonly startMicrosMax: Micros;
  /** Backoff after a refusal, and how long an attempt may take before it is retried. */
  readonly retryMicrosMin: Micros;
  readonly retryMicrosMax: Micros;
  /** The planted bugs switched on (paxosBugs.active(name)); all off in a correct node. */
  readonly bugs: PaxosBugs;
}

type Ctx = Context<SingleDecreeMessage, SingleDecreeFact>;
type Phase = 'idle' | 'prepare' | 'accept';

/** The one slot single-decree Paxos decides. */
const SLOT = 1;
const DECIDED_KEY = 'learner/decided';

export const proposalOf = (node: NodeId) => `proposal:${node}`;

export class SingleDecreeNode implements Process<SingleDecreeMessage, SingleDecreeFact> {
  private readonly acceptor: Acceptor<string>;

  // Proposer.
  private phase: Phase = 'idle';
  private ballot: Ballot = ZERO_BALLOT;
  private highestRoundSeen = 0;
  private promises = new Map<NodeId, AcceptedEntry<string> | null>();

  // Learner.
  private decided: string | null = null;
  /** Per ballot (`round/node`), the acceptors that accepted its proposal. */
  private readonly acceptances = new Map<string, Set<NodeId>>();
  /** Whether assertion L1 is on (off under planted bugs that break Agreement on purpose). */
  private readonly assertAgreement: boolean;

  constructor(private readonly config: SingleDecreeConfig) {
    this.acceptor = new Acceptor(acceptorGuards(config.bugs));
    this.assertAgreement = learnerAssertsAgreement(config.bugs);
  }

  onStart(ctx: Ctx): void {
    this.acceptor.load(ctx.disk);
    this.highestRoundSeen = this.acceptor.promised.round;
    this.decided = ctx.disk.read<string>(DECIDED_KEY) ?? null;
    if (this.decided !== null) return;
    if (this.config.proposer) {
      ctx.observe({ type: 'propose', value: proposalOf(ctx.self) });
      ctx.setTimer('propose', ctx.rng.int(this.config.startMicrosMin, this.config.startMicrosMax));
    }
    this.resetLearnTimer(ctx);
  }

  inspect(): { decided: string | null; phase: Phase; ballot: Ballot; promised: Ballot } {
    return { decided: this.decided, phase: this.phase, ballot: this.ballot, promised: this.acceptor.promised };
  }

  onTimer(ctx: Ctx, name: string): void {
    if (this.decided !== null) return;
    if (name === 'propose') this.startAttempt(ctx);
    else if (name === 'learn') {
      for (const peer of ctx.peers) ctx.send(peer, { type: 'learn-request' });
      this.resetLearnTimer(ctx);
    }
  }

  onMessage(ctx: Ctx, from: NodeId, msg: SingleDecreeMessage): void {
    switch (msg.type) {
      case 'prepare':
        return this.onPrepare(ctx, from, msg);
      case 'promise':
        return this.onPromise(ctx, from, msg);
      case 'accept':
        return this.onAccept(ctx, from, msg);
      case 'accepted':
        return this.learn(ctx, from, msg.ballot, msg.value);
      case 'nack':
        return this.onNack(ctx, msg);
      case 'learn-request':
        if (this.decided !== null) ctx.send(from, { type: 'decided', value: this.decided });
        return;
      case 'decided':
        return this.onDecided(ctx, msg.value);
    }
  }

  // ---- proposer: Phase 1a (prepare) -------------------------------------------------------------

  private startAttempt(ctx: Ctx): void {
    const ballot: Ballot = { round: Math.max(this.highestRoundSeen, this.acceptor.promised.round) + 1, node: ctx.self };
    // P1 (ballots are unique and rising): a proposer's ballot only increases, so it never reuses one.
    assert(compareBallots(ballot, this.ballot) > 0, 'P1: a proposer\'s ballot would not increase');
    this.ballot = ballot;
    this.highestRoundSeen = this.ballot.round;
    this.phase = 'prepare';
    this.promises = new Map();
    const own = this.acceptor.prepare(ctx, this.ballot, SLOT);
    if (own.ok) this.promises.set(ctx.self, own.accepted[0] ?? null);
    // Extension (retry): an attempt that has not decided by then is retried with a higher ballot.
    ctx.setTimer('propose', ctx.rng.int(this.config.retryMicrosMin, this.config.retryMicrosMax));
    for (const peer of ctx.peers) ctx.send(peer, { type: 'prepare', ballot: this.ballot });
    if (this.isQuorum(this.promises.size, ctx)) this.startPhase2(ctx);
  }

  /** Phase 1b arrives at the proposer. */
  private onPromise(ctx: Ctx, from: NodeId, msg: Extract<SingleDecreeMessage, { type: 'promise' }>): void {
    // Guard P2 (a promise counts only for the ballot it promised, and only while we gather promises).
    if (this.phase !== 'prepare' || !sameBallot(msg.ballot, this.ballot)) return;
    this.promises.set(from, msg.accepted);
    // Guard P3 (quorum intersection): phase 2 only with promises from a majority.
    if (this.isQuorum(this.promises.size, ctx)) this.startPhase2(ctx);
  }

  // ---- proposer: Phase 2a (accept) --------------------------------------------------------------

  private startPhase2(ctx: Ctx): void {
    this.phase = 'accept';
    let highest: AcceptedEntry<string> | null = null;
    for (const accepted of this.promises.values()) {
      if (accepted !== null && (highest === null || compareBallots(accepted.ballot, highest.ballot) > 0)) highest = accepted;
    }
    // Guard P4 (P2c, Agreement): a value reported by the majority may already be chosen, so the proposer
    // must carry the highest-ballot one forward; only if none was reported is it free to choose.
    // The planted bug paxos/ignore-accepted-value proposes its own value regardless.
    const useReported = highest !== null && !this.config.bugs.ignoreAcceptedValue;
    const value = useReported ? highest!.value : proposalOf(ctx.self);
    const own = this.acceptor.accept(ctx, this.ballot, SLOT, value);
    if (own.ok) this.announceAcceptance(ctx, this.ballot, value);
    for (const peer of ctx.peers) ctx.send(peer, { type: 'accept', ballot: this.ballot, value });
  }

  /** A refusal: some acceptor promised a ballot above ours. */
  private onNack(ctx: Ctx, msg: Extract<SingleDecreeMessage, { type: 'nack' }>): void {
    this.noteRound(msg.promised.round);
    if (this.phase !== 'idle' && sameBallot(msg.ballot, this.ballot) && compareBallots(msg.promised, this.ballot) > 0) this.preempted(ctx);
  }

  private preempted(ctx: Ctx): void {
    // Planted bug (paxos/no-backoff): retry at once with a higher ballot.
    if (this.config.bugs.noBackoff) return this.startAttempt(ctx);
    // Extension (backoff): back off for a random while, so that a rival can finish both phases before we try again.
    this.phase = 'idle';
    ctx.setTimer('propose', ctx.rng.int(this.config.retryMicrosMin, this.config.retryMicrosMax));
  }

  // ---- acceptor: Phase 1b (promise) and Phase 2b (accepted) ---------------------------------------

  /** Phase 1b: promise (or refuse) a prepare. */
  private onPrepare(ctx: Ctx, from: NodeId, msg: Extract<SingleDecreeMessage, { type: 'prepare' }>): void {
    this.noteRound(msg.ballot.round);
    const result = this.acceptor.prepare(ctx, msg.ballot, SLOT);
    if (!result.ok) {
      ctx.send(from, { type: 'nack', ballot: msg.ballot, promised: result.promised });
      return;
    }
    ctx.send(from, { type: 'promise', ballot: msg.ballot, accepted: result.accepted[0] ?? null });
    if (this.phase !== 'idle' && compareBallots(msg.ballot, this.ballot) > 0) this.preempted(ctx);
  }

  /** Phase 2b: accept (or refuse) a proposal, and tell every learner. */
  private onAccept(ctx: Ctx, from: NodeId, msg: Extract<SingleDecreeMessage, { type: 'accept' }>): void {
    this.noteRound(msg.ballot.round);
    const result = this.acceptor.accept(ctx, msg.ballot, SLOT, msg.value);
    if (!result.ok) {
      ctx.send(from, { type: 'nack', ballot: msg.ballot, promised: result.promised });
      return;
    }
    this.announceAcceptance(ctx, msg.ballot, msg.value);
    if (this.phase !== 'idle' && compareBallots(msg.ballot, this.ballot) > 0) this.preempted(ctx);
  }

  /** Phase 2b goes to every learner, this node's own included. */
  private announceAcceptance(ctx: Ctx, ballot: Ballot, value: string): void {
    for (const peer of ctx.peers) ctx.send(peer, { type: 'accepted', ballot, value });
    this.learn(ctx, ctx.self, ballot, value);
  }

  // ---- learner: chosen when a majority accepted ----------------------------------------------------

  /** Phase 2b arrives at a learner: `acceptor` accepted `value` in `ballot`. */
  private learn(ctx: Ctx, acceptor: NodeId, ballot: Ballot, value: string): void {
    this.noteRound(ballot.round);
    // Once decided, acceptances are still counted only to check L1; nothing else is done with them.
    if (this.decided !== null && !this.assertAgreement) return;
    const key = `${ballot.round}/${ballot.node}`;
    let acceptors = this.acceptances.get(key);
    if (acceptors === undefined) this.acceptances.set(key, (acceptors = new Set()));
    acceptors.add(acceptor);
    // Guard L2 (Agreement, §2.3): learned only when a majority accepted the same ballot (hence the same value).
    if (!this.isQuorum(acceptors.size, ctx)) return;
    if (this.decided === null) this.decide(ctx, value);
    else this.assertLearnedOnce(value);
  }

  /** Extension (learners ask each other): a learner that knew the decision told us. */
  private onDecided(ctx: Ctx, value: string): void {
    if (this.decided === null) this.decide(ctx, value);
    else this.assertLearnedOnce(value);
  }

  /** L1 (Agreement, seen locally): a learner never learns two values. */
  private assertLearnedOnce(value: string): void {
    assert(!this.assertAgreement || value === this.decided, 'L1: a learner learned two values');
  }

  private decide(ctx: Ctx, value: string): void {
    this.decided = value;
    this.phase = 'idle';
    ctx.disk.write(DECIDED_KEY, value);
    ctx.disk.sync();
    ctx.observe({ type: 'decide', slot: SLOT, value });
    ctx.cancelTimer('propose');
    ctx.cancelTimer('learn');
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private resetLearnTimer(ctx: Ctx): void {
    ctx.setTimer('learn', ctx.rng.int(this.config.retryMicrosMin, this.config.retryMicrosMax));
  }

  private noteRound(round: number): void {
    if (round > this.highestRoundSeen) this.highestRoundSeen = round;
  }

  private isQuorum(count: number, ctx: Ctx): boolean {
    return count >= quorumSize(ctx.peers.length + 1, this.config.bugs);
  }
}
