// Raft, a replicated key-value store (Ongaro & Ousterhout, "In Search of an Understandable Consensus
// Algorithm", extended version, 2014). Read this first:
//
// Servers are followers, candidates or leaders. Time is divided into terms; each term has at most one
// leader. A follower that hears nothing from a leader for a randomised election timeout first asks its
// peers whether they would vote for it (pre-vote), and only if a majority would, becomes a candidate:
// it increments its term, votes for itself and asks for votes. A server grants one vote per term, and
// only to a candidate whose log is at least as up to date as its own. A candidate with a majority
// becomes leader and appends a no-op entry.
//
// The leader appends client commands to its log and sends them with AppendEntries, which carries the
// index and term of the entry just before the new ones; a follower accepts only if its log has that
// entry (the consistency check), so logs that agree on an entry agree on everything before it. An entry
// is committed once a majority stores it — counted only for entries of the leader's current term
// (§5.4.2, Figure 8) — and committed entries are applied to the key-value state machine in log order.
// A leader that hears from no majority for the longest election timeout steps down (check-quorum). Pre-vote and
// check-quorum can be switched off (RaftConfig.preVote, .checkQuorum), which leaves Figure 2 Raft.
//
// Durable state (currentTerm, votedFor, the log) is written to disk and synced before any message that
// depends on it. Reads go through the log like writes, so they are linearizable without leases.
// Room is left for snapshots and membership changes: the log is indexed from 1 and nothing assumes
// a fixed configuration beyond `ctx.peers`.
//
// How the code is laid out (as etcd's raft is): `onMessage` applies the term rules once — a later term
// makes us its follower, an earlier term gets the refusal Figure 2 prescribes — and then hands the
// message to the step function of our role (`stepFollower`, `stepCandidate`, `stepLeader`). Each rule
// of Figure 2 is tagged where it is implemented (`// Fig. 2 AppendEntries receiver, rule 5`); whatever
// goes beyond Figure 2 is tagged `// Beyond Fig. 2: …`. Messages keep their short field names (they are
// part of every run's fingerprint); `prevIndex`, `prevTerm` and `commit` are the paper's prevLogIndex,
// prevLogTerm and leaderCommit. Invariants a node can check on its own are asserted (sim/assert.ts),
// in pairs: a broken one throws, and the engine crashes the node and fails `no-handler-exceptions`.

import type { ClientReply, ClientRequest } from '../kv/client.js';
import { KvStateMachine, type SessionCommand } from '../kv/state-machine.js';
import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { assertsLogSafety, type RaftBugs } from './bugs.js';
import type { RaftFact, RaftRole } from './facts.js';
import type { LogEntry, RaftMessage } from './messages.js';

export { raftBugs, type RaftBug, type RaftBugs } from './bugs.js';

export interface RaftConfig {
  readonly electionTimeoutMicrosMin: Micros;
  readonly electionTimeoutMicrosMax: Micros;
  readonly heartbeatMicros: Micros;
  /** Bound: entries per AppendEntries message. */
  readonly entriesPerAppendMax: number;
  /** The planted bugs switched on (raftBugs.active(name)); all off in a correct node. */
  readonly bugs: RaftBugs;
  /** Beyond Fig. 2: ask whether an election could be won before starting one (default on). */
  readonly preVote?: boolean;
  /** Beyond Fig. 2: a leader that hears from no majority for electionTimeoutMicrosMax steps down (default on). */
  readonly checkQuorum?: boolean;
}

type Role = RaftRole;
type Ctx = Context<RaftMessage, RaftFact>;
/** The messages of Figure 2 (each carries the sender's term). */
type Fig2Message = Extract<RaftMessage, { type: 'request-vote' | 'vote-reply' | 'append' | 'append-reply' }>;
/** What a server in a given role steps on, once the term rules and RequestVote are done. */
type RoleMessage = Exclude<Fig2Message, { type: 'request-vote' }>;

/** A read-only view of a Raft server (checkers, reports, protocol scripts). */
export interface RaftView {
  readonly role: Role;
  readonly term: number;
  readonly votedFor: NodeId | null;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly log: readonly LogEntry[];
}

const TERM_KEY = 'term';
const VOTE_KEY = 'voted-for';
const LAST_KEY = 'log-last';
const entryKey = (index: number) => `log/${index}`;

/**
 * The disk contents of a server holding this durable state (Figure 2's "persistent state on all
 * servers"): for tests that start a server part-way through a history. `log` excludes the sentinel.
 */
export function raftDiskContents(state: { currentTerm: number; votedFor: NodeId | null; log: readonly LogEntry[] }): [string, unknown][] {
  const out: [string, unknown][] = [[TERM_KEY, state.currentTerm], [VOTE_KEY, state.votedFor]];
  state.log.forEach((entry, i) => out.push([entryKey(i + 1), entry]));
  out.push([LAST_KEY, state.log.length]);
  return out;
}

export class RaftNode implements Process<RaftMessage, RaftFact> {
  // Durable (mirrored on disk).
  private currentTerm = 0;
  private votedFor: NodeId | null = null;
  /** log[0] is a sentinel (term 0); entries start at index 1. */
  private log: LogEntry[] = [{ term: 0, command: null }];

  // Volatile.
  private role: Role = 'follower';
  private leaderId: NodeId | null = null;
  private commitIndex = 0;
  private lastApplied = 0;
  private readonly stateMachine: KvStateMachine;
  private lastLeaderContact: Micros = Number.NEGATIVE_INFINITY;
  private votesGranted = new Set<NodeId>();
  private preVotesGranted = new Set<NodeId>();
  private preVoteTerm = 0;
  /** False under the planted bugs that remove committed entries on purpose (see assertsLogSafety in bugs.ts). */
  private readonly assertLogSafety: boolean;

  // Leader only (reinitialised after election).
  private nextIndex = new Map<NodeId, number>();
  private matchIndex = new Map<NodeId, number>();
  private lastAck = new Map<NodeId, Micros>();
  /** Followers that accepted an AppendEntries of this term; a majority makes the leadership known. */
  private acknowledgedBy = new Set<NodeId>();
  /** Log index → the client waiting for that entry's result. */
  private waiting = new Map<number, { client: NodeId; seq: number }>();

  constructor(private readonly config: RaftConfig) {
    // Beyond Fig. 2: client sessions (§6.3): a retried command is applied once (the planted bug skips this).
    this.stateMachine = new KvStateMachine(!config.bugs.noDedup);
    this.assertLogSafety = assertsLogSafety(config.bugs);
  }

  onStart(ctx: Ctx): void {
    this.currentTerm = ctx.disk.read<number>(TERM_KEY) ?? 0;
    this.votedFor = this.config.bugs.forgetVote ? null : (ctx.disk.read<NodeId | null>(VOTE_KEY) ?? null);
    const last = ctx.disk.read<number>(LAST_KEY) ?? 0;
    for (let i = 1; i <= last; i++) this.log.push(ctx.disk.read<LogEntry>(entryKey(i))!);
    this.becomeFollower(ctx, this.currentTerm, null);
  }

  inspect(): RaftView {
    return {
      role: this.role, term: this.currentTerm, votedFor: this.votedFor, leaderId: this.leaderId,
      commitIndex: this.commitIndex, lastApplied: this.lastApplied, log: this.log,
    };
  }

  onTimer(ctx: Ctx, name: string): void {
    // Fig. 2 Rules for Servers, Followers, rule 2 and Candidates, rule 4: an election timeout starts an
    // election. Beyond Fig. 2: pre-vote (§9.6 of Ongaro's thesis) asks first whether it could win.
    // With pre-vote off (Figure 2 Raft) the timeout starts the election itself.
    if (name === 'election' && this.role !== 'leader') {
      if (this.config.preVote === false) this.becomeCandidate(ctx);
      else this.startPreVote(ctx);
    }
    // Fig. 2 Rules for Servers, Leaders, rule 1: heartbeats during idle periods.
    else if (name === 'heartbeat' && this.role === 'leader') this.heartbeat(ctx);
    // Beyond Fig. 2: check-quorum (§6.2 of Ongaro's thesis).
    else if (name === 'check-quorum' && this.role === 'leader') this.checkQuorum(ctx);
  }

  onMessage(ctx: Ctx, from: NodeId, msg: RaftMessage): void {
    switch (msg.type) {
      // Fig. 2 Rules for Servers, Leaders, rule 2 (a follower or candidate redirects the client, §8).
      case 'client-request':
        return this.onClientRequest(ctx, from, msg);
      case 'client-reply':
        return;
      // Beyond Fig. 2: pre-vote (§9.6 of Ongaro's thesis). Its messages change nobody's term, so they skip
      // the term rules below.
      case 'pre-vote':
        return this.onPreVote(ctx, from, msg);
      case 'pre-vote-reply':
        return this.onPreVoteReply(ctx, from, msg);
    }
    // The term rules, once for every message of Figure 2.
    if (msg.term > this.currentTerm) {
      // Fig. 2 Rules for Servers, All Servers, rule 2: a later term wins, and we follow.
      this.becomeFollower(ctx, msg.term, msg.type === 'append' ? from : null);
    } else if (msg.term < this.currentTerm) {
      return this.stepStaleTerm(ctx, from, msg);
    }
    // Fig. 2 Rules for Servers, Followers, rule 1: respond to RPCs from candidates and leaders. Every role
    // answers a RequestVote: a candidate or leader has voted for itself, so it refuses.
    if (msg.type === 'request-vote') return this.onRequestVote(ctx, from, msg);
    switch (this.role) {
      case 'follower':
        return this.stepFollower(ctx, from, msg);
      case 'candidate':
        return this.stepCandidate(ctx, from, msg);
      case 'leader':
        return this.stepLeader(ctx, from, msg);
    }
  }

  // ---- step functions: a message of our own term, by role ----------------------------------------

  /** A message from an earlier term: refuse a request, drop a reply. */
  private stepStaleTerm(ctx: Ctx, from: NodeId, msg: Fig2Message): void {
    switch (msg.type) {
      case 'request-vote':
        // Fig. 2 RequestVote receiver, rule 1: reply false if term < currentTerm. (The sync keeps the
        // reply's term durable first, as for every reply.)
        ctx.disk.sync();
        ctx.send(from, { type: 'vote-reply', term: this.currentTerm, granted: false });
        return;
      case 'append':
        // Fig. 2 AppendEntries receiver, rule 1: reply false if term < currentTerm.
        return this.replyToAppend(ctx, from, false, 0);
      default:
        // A reply from an earlier term answers a request we no longer care about.
        return;
    }
  }

  private stepFollower(ctx: Ctx, from: NodeId, msg: RoleMessage): void {
    // A follower only takes AppendEntries; replies are left over from a candidacy or leadership we lost.
    if (msg.type === 'append') this.onAppendEntries(ctx, from, msg);
  }

  private stepCandidate(ctx: Ctx, from: NodeId, msg: RoleMessage): void {
    if (msg.type === 'vote-reply') return this.onVoteReply(ctx, from, msg);
    if (msg.type === 'append') {
      // Fig. 2 Rules for Servers, Candidates, rule 3: an AppendEntries from the new leader (of our own
      // term: a later one was handled by the term rules) makes us its follower.
      this.becomeFollower(ctx, msg.term, from);
      return this.onAppendEntries(ctx, from, msg);
    }
  }

  private stepLeader(ctx: Ctx, from: NodeId, msg: RoleMessage): void {
    if (msg.type === 'append-reply') return this.onAppendReply(ctx, from, msg);
    if (msg.type === 'append') {
      // Another leader of our own term: impossible while Election Safety holds (a planted bug can break
      // it). Give way, as a candidate would; the election-safety checker reports the two leaders.
      this.becomeFollower(ctx, msg.term, from);
      return this.onAppendEntries(ctx, from, msg);
    }
  }

  // ---- roles ------------------------------------------------------------------------------------

  private becomeFollower(ctx: Ctx, term: number, leader: NodeId | null): void {
    // Invariant: currentTerm never decreases (paired with the check against the disk in persistTermAndVote).
    assert(term >= this.currentTerm, 'raft: currentTerm never decreases (becomeFollower)');
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
      this.persistTermAndVote(ctx);
    }
    const wasLeader = this.role === 'leader';
    this.role = 'follower';
    this.leaderId = leader;
    this.waiting.clear();
    if (wasLeader) ctx.cancelTimer('heartbeat');
    ctx.cancelTimer('check-quorum');
    ctx.observe({ type: 'role', role: 'follower', term: this.currentTerm });
    this.resetElectionTimer(ctx);
  }

  /** Beyond Fig. 2: pre-vote (§9.6 of Ongaro's thesis): ask before disrupting anyone's term. */
  private startPreVote(ctx: Ctx): void {
    this.preVoteTerm = this.currentTerm + 1;
    this.preVotesGranted = new Set([ctx.self]);
    this.resetElectionTimer(ctx);
    if (this.isMajority(this.preVotesGranted.size, ctx)) return this.becomeCandidate(ctx);
    for (const peer of ctx.peers) {
      ctx.send(peer, { type: 'pre-vote', term: this.preVoteTerm, lastLogIndex: this.lastIndex(), lastLogTerm: this.lastTerm() });
    }
  }

  /** Fig. 2 Rules for Servers, Candidates, rule 1: on conversion to candidate, start an election. */
  private becomeCandidate(ctx: Ctx): void {
    this.role = 'candidate';
    // Increment currentTerm, vote for self.
    this.currentTerm++;
    this.votedFor = ctx.self;
    this.leaderId = null;
    // Invariant (one vote per term): our own vote is durable before anyone hears of the candidacy.
    this.persistTermAndVote(ctx);
    ctx.disk.sync();
    this.votesGranted = new Set([ctx.self]);
    ctx.observe({ type: 'role', role: 'candidate', term: this.currentTerm });
    // Reset the election timer.
    this.resetElectionTimer(ctx);
    // Fig. 2 Rules for Servers, Candidates, rule 2, for a one-server cluster: our own vote is a majority.
    if (this.isMajority(this.votesGranted.size, ctx)) return this.becomeLeader(ctx);
    // Send RequestVote RPCs to all other servers.
    for (const peer of ctx.peers) {
      ctx.send(peer, { type: 'request-vote', term: this.currentTerm, lastLogIndex: this.lastIndex(), lastLogTerm: this.lastTerm() });
    }
  }

  private becomeLeader(ctx: Ctx): void {
    this.role = 'leader';
    this.leaderId = ctx.self;
    ctx.cancelTimer('election');
    // Fig. 2 State, volatile state on leaders: nextIndex = leader's last index + 1, matchIndex = 0.
    for (const peer of ctx.peers) {
      this.nextIndex.set(peer, this.lastIndex() + 1);
      this.matchIndex.set(peer, 0);
      this.lastAck.set(peer, ctx.now());
    }
    this.acknowledgedBy = new Set();
    ctx.observe({ type: 'role', role: 'leader', term: this.currentTerm });
    ctx.observe({ type: 'leader', term: this.currentTerm });
    // A server that is a majority on its own (a one-server cluster) is known to one at once.
    if (this.isMajority(1, ctx)) ctx.observe({ type: 'leader-established', term: this.currentTerm });
    // Beyond Fig. 2: a no-op of our own term (§8) lets earlier entries commit (§5.4.2) and reads go
    // through promptly.
    this.appendToLog(ctx, [{ term: this.currentTerm, command: null }]);
    ctx.disk.sync();
    this.commitAlone(ctx);
    // Fig. 2 Rules for Servers, Leaders, rule 1: upon election, send AppendEntries to each server (ours
    // carries the no-op).
    this.heartbeat(ctx);
    if (this.config.checkQuorum !== false) ctx.setTimer('check-quorum', this.config.electionTimeoutMicrosMax);
  }

  // ---- elections --------------------------------------------------------------------------------

  /** Beyond Fig. 2: pre-vote (§9.6 of Ongaro's thesis), the voter's side. */
  private onPreVote(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'pre-vote' }>): void {
    // Grant only if the asker's term would be new to us, its log is up to date, and we have not heard
    // from a live leader within the minimum election timeout (so a rejoining node cannot disrupt it).
    // A leader is itself a live leader, so it never grants one.
    const leaderRecentlyHeard = this.role === 'leader' || ctx.now() - this.lastLeaderContact < this.config.electionTimeoutMicrosMin;
    const granted = msg.term > this.currentTerm && !leaderRecentlyHeard && this.candidateLogOk(msg.lastLogIndex, msg.lastLogTerm);
    ctx.send(from, { type: 'pre-vote-reply', term: msg.term, granted, voterTerm: this.currentTerm });
  }

  /** Beyond Fig. 2: pre-vote (§9.6 of Ongaro's thesis), the asker's side. */
  private onPreVoteReply(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'pre-vote-reply' }>): void {
    // The voter's own term is a term like any other: a later one wins (Fig. 2 All Servers, rule 2).
    if (msg.voterTerm > this.currentTerm) return this.becomeFollower(ctx, msg.voterTerm, null);
    // A pre-vote counts only for the term right after ours: if our term moved on meanwhile (we voted for
    // someone), the round is stale, and campaigning on it would disrupt the election we just joined.
    if (this.role === 'leader' || msg.term !== this.preVoteTerm || msg.term !== this.currentTerm + 1 || !msg.granted) return;
    this.preVotesGranted.add(from);
    if (this.isMajority(this.preVotesGranted.size, ctx)) {
      this.preVoteTerm = 0;
      this.becomeCandidate(ctx);
    }
  }

  /** A RequestVote of our own term (an earlier term was refused in stepStaleTerm, a later one adopted). */
  private onRequestVote(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'request-vote' }>): void {
    // Fig. 2 RequestVote receiver, rule 2: if votedFor is null or candidateId, and the candidate's log is
    // at least as up to date as ours, grant the vote. This is Election Safety (one vote per term) and,
    // through the log check, Leader Completeness (§5.4.1).
    const granted = (this.votedFor === null || this.votedFor === from) && this.candidateLogOk(msg.lastLogIndex, msg.lastLogTerm);
    if (granted) {
      this.votedFor = from;
      this.persistTermAndVote(ctx);
      ctx.observe({ type: 'vote', term: this.currentTerm, candidate: from });
      // Fig. 2 Rules for Servers, Followers, rule 2: granting a vote resets the election timeout.
      this.resetElectionTimer(ctx);
    }
    // Invariant: the vote is durable before the candidate can count it.
    ctx.disk.sync();
    ctx.send(from, { type: 'vote-reply', term: this.currentTerm, granted });
  }

  private onVoteReply(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'vote-reply' }>): void {
    if (!msg.granted) return;
    this.votesGranted.add(from);
    // Fig. 2 Rules for Servers, Candidates, rule 2: votes from a majority of servers: become leader.
    if (this.isMajority(this.votesGranted.size, ctx)) this.becomeLeader(ctx);
  }

  // ---- replication: follower side ---------------------------------------------------------------

  /** Answers an AppendEntries. (A method, not a closure per call: appends are the commonest message.) */
  private replyToAppend(ctx: Ctx, to: NodeId, success: boolean, matchIndex: number, conflictIndex = 0, conflictTerm = 0): void {
    // Invariant: whatever we acknowledge is durable first.
    ctx.disk.sync();
    ctx.send(to, { type: 'append-reply', term: this.currentTerm, success, matchIndex, conflictIndex, conflictTerm });
  }

  /** An AppendEntries of our own term, received as a follower (rule 1, an earlier term, is in stepStaleTerm). */
  private onAppendEntries(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'append' }>): void {
    this.leaderId = from;
    this.lastLeaderContact = ctx.now();
    // Fig. 2 Rules for Servers, Followers, rule 2: hearing from the current leader resets the election timeout.
    this.resetElectionTimer(ctx);

    // Fig. 2 AppendEntries receiver, rule 2: reply false if the log has no entry at prevLogIndex whose term
    // matches prevLogTerm (the consistency check behind Log Matching). Beyond Fig. 2: fast backtracking
    // (§5.3): the reply names the first index of the conflicting term, or the end of our log.
    if (msg.prevIndex > this.lastIndex()) return this.replyToAppend(ctx, from, false, 0, this.lastIndex() + 1, 0);
    const ourPrevTerm = this.log[msg.prevIndex]!.term;
    if (ourPrevTerm !== msg.prevTerm) {
      let first = msg.prevIndex;
      while (first > 1 && this.log[first - 1]!.term === ourPrevTerm) first--;
      return this.replyToAppend(ctx, from, false, 0, first, ourPrevTerm);
    }

    let index = msg.prevIndex;
    if (this.config.bugs.truncateMatchingEntries && msg.prevIndex < this.lastIndex()) {
      // Planted bug: drop everything after prevIndex, even entries that match (and may be committed).
      this.truncateFrom(ctx, msg.prevIndex + 1);
    }
    for (let k = 0; k < msg.entries.length; k++) {
      index = msg.prevIndex + 1 + k;
      const entry = msg.entries[k]!;
      if (index <= this.lastIndex()) {
        if (this.log[index]!.term === entry.term) continue;
        // Fig. 2 AppendEntries receiver, rule 3: an existing entry conflicts with a new one (same index,
        // different terms): delete it and all that follow it. Only then (Log Matching).
        this.truncateFrom(ctx, index);
      }
      // Fig. 2 AppendEntries receiver, rule 4: append any new entries not already in the log.
      this.appendToLog(ctx, msg.entries.slice(k));
      break;
    }
    // Fig. 2 AppendEntries receiver, rule 5: if leaderCommit > commitIndex, set commitIndex =
    // min(leaderCommit, index of last new entry). Not the log's last index: entries past the last new one
    // may be left from an older leader and are not known to match the current leader's log. And never
    // backwards: Figure 2 has commitIndex "increase monotonically", and a delayed AppendEntries of this
    // term may carry fewer entries than we already hold committed.
    const lastNew = msg.prevIndex + msg.entries.length;
    if (msg.commit > this.commitIndex && lastNew > this.commitIndex) {
      this.commitIndex = Math.min(msg.commit, lastNew);
      this.assertCommitIndex();
      this.applyCommitted(ctx);
    }
    this.replyToAppend(ctx, from, true, lastNew);
  }

  // ---- replication: leader side -----------------------------------------------------------------

  /** Fig. 2 Rules for Servers, Leaders, rule 2: a client command is appended, and answered once applied. */
  private onClientRequest(ctx: Ctx, from: NodeId, msg: ClientRequest): void {
    if (this.role !== 'leader') {
      // §8: a server that is not the leader redirects the client to the leader it knows.
      ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: false, leaderHint: this.leaderId } satisfies ClientReply);
      return;
    }
    if (this.config.bugs.staleRead && msg.command.op === 'get') {
      // Planted bug: answer reads from local state, without confirming we are still the leader.
      ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: true, result: { value: this.stateMachine.read(msg.command.key) } });
      return;
    }
    const command: SessionCommand = { clientId: msg.clientId, seq: msg.seq, command: msg.command };
    this.appendToLog(ctx, [{ term: this.currentTerm, command }]);
    // Invariant: the leader counts itself toward a majority only for entries it has made durable.
    ctx.disk.sync();
    this.waiting.set(this.lastIndex(), { client: from, seq: msg.seq });
    // Fig. 2 Rules for Servers, Leaders, rule 3: send AppendEntries with the entries from nextIndex.
    for (const peer of ctx.peers) this.sendAppend(ctx, peer);
    this.commitAlone(ctx);
  }

  private heartbeat(ctx: Ctx): void {
    for (const peer of ctx.peers) this.sendAppend(ctx, peer);
    ctx.setTimer('heartbeat', this.config.heartbeatMicros);
  }

  private sendAppend(ctx: Ctx, peer: NodeId): void {
    const next = this.nextIndex.get(peer)!;
    const prevLogIndex = next - 1;
    const entries = this.log.slice(next, next + this.config.entriesPerAppendMax);
    ctx.send(peer, { type: 'append', term: this.currentTerm, prevIndex: prevLogIndex, prevTerm: this.log[prevLogIndex]!.term, entries, commit: this.commitIndex });
  }

  /** An AppendEntries reply of our own term, received as leader. */
  private onAppendReply(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'append-reply' }>): void {
    this.lastAck.set(from, ctx.now());
    if (!this.acknowledgedBy.has(from)) {
      this.acknowledgedBy.add(from);
      // A majority has now heard from us in this term: the leadership is known (for metrics and reports).
      if (this.acknowledgedBy.size + 1 === Math.floor((ctx.peers.length + 1) / 2) + 1) ctx.observe({ type: 'leader-established', term: this.currentTerm });
    }
    if (msg.success) {
      // Invariant (a leader's log only grows, paired with truncateFrom): a follower acknowledges only
      // entries we sent in this term, so it cannot hold more of our log than we do.
      if (this.assertLogSafety && msg.matchIndex > this.lastIndex()) assert(false, `raft: leader's matchIndex ≤ lastIndex (${from} acknowledged ${msg.matchIndex}, log ends at ${this.lastIndex()})`);
      // Fig. 2 Rules for Servers, Leaders, rule 3.1: if successful, update nextIndex and matchIndex.
      if (msg.matchIndex > this.matchIndex.get(from)!) this.matchIndex.set(from, msg.matchIndex);
      this.nextIndex.set(from, Math.max(this.nextIndex.get(from)!, msg.matchIndex + 1));
      this.advanceCommit(ctx);
      if (this.nextIndex.get(from)! <= this.lastIndex()) this.sendAppend(ctx, from);
      return;
    }
    // Fig. 2 Rules for Servers, Leaders, rule 3.2: if it fails because of log inconsistency, move nextIndex
    // back and retry. Beyond Fig. 2: fast backtracking (§5.3): skip the follower's whole conflicting term,
    // or jump to the end of its log, instead of one entry per round trip.
    let next = msg.conflictIndex;
    if (msg.conflictTerm > 0) {
      for (let i = this.lastIndex(); i >= 1; i--) {
        if (this.log[i]!.term === msg.conflictTerm) {
          next = i + 1;
          break;
        }
      }
    }
    this.nextIndex.set(from, Math.max(1, Math.min(next, this.lastIndex() + 1)));
    this.sendAppend(ctx, from);
  }

  /**
   * Fig. 2 Rules for Servers, Leaders, rule 4 (the leader commit rule): if there is an N > commitIndex
   * that a majority's matchIndex reaches and log[N].term == currentTerm, set commitIndex = N.
   */
  private advanceCommit(ctx: Ctx): void {
    for (let n = this.lastIndex(); n > this.commitIndex; n--) {
      // Invariant (§5.4.2, Figure 8): only an entry of the current term is committed by counting replicas;
      // earlier entries commit with it. The planted bug counts replicas of old-term entries too.
      if (this.log[n]!.term !== this.currentTerm && !this.config.bugs.commitOldTerm) break;
      let replicas = 1;
      for (const match of this.matchIndex.values()) if (match >= n) replicas++;
      if (this.isMajority(replicas, ctx)) {
        ctx.observe({ type: 'commit', from: this.commitIndex + 1, to: n, term: this.currentTerm });
        this.commitIndex = n;
        this.assertCommitIndex();
        this.applyCommitted(ctx);
        return;
      }
    }
  }

  /**
   * Beyond Fig. 2: the one-server commit. A leader whose own durable copy is already a majority (a
   * one-server cluster) commits without waiting for replies, since none will come. Larger clusters
   * commit only from append replies.
   */
  private commitAlone(ctx: Ctx): void {
    if (this.isMajority(1, ctx)) this.advanceCommit(ctx);
  }

  /**
   * Beyond Fig. 2: check-quorum (§6.2 of Ongaro's thesis): "if an election timeout elapses without a
   * successful round of heartbeats to a majority of its cluster", the leader steps down. Any reply to an
   * AppendEntries of this term counts as contact. The election timeout here is the longest one,
   * electionTimeoutMicrosMax, the window a follower may wait before it is sure to campaign:
   * - A leader cut off from a majority steps down exactly that long after it last heard from one: by then
   *   every server of that majority has timed out (none waits longer than the maximum), so a rival can be
   *   elected, and clients stop waiting on a leader that can no longer commit.
   * - A healthy leader is never deposed: a follower's replies reach it at least every heartbeat plus the
   *   spread of a round trip, and its first ones one round trip after the election; Raft's timing
   *   requirement (broadcast time ≪ election timeout, §5.6) keeps both far below the maximum. The minimum
   *   is not: with 12–24 ms timeouts and a 6 ms heartbeat on a network whose round trip is 10–20 ms, the
   *   gaps between one follower's replies reach 16 ms and the first replies come after 20, beyond 12.
   * The check runs when the window of the majority's oldest needed contact would end (not on a fixed
   * period), so the step-down comes on time and a healthy leader checks about once per window.
   */
  private checkQuorum(ctx: Ctx): void {
    const windowMicros = this.config.electionTimeoutMicrosMax;
    // The latest moment since which a majority (us included) has been heard from: the (majority − 1)-th
    // most recent reply among the followers. (becomeLeader counts its election as contact with everyone.)
    const others = Math.floor((ctx.peers.length + 1) / 2);
    if (others === 0) return;
    const acks = [...this.lastAck.values()].sort((a, b) => b - a);
    const quorumSince = acks[others - 1]!;
    if (ctx.now() - quorumSince >= windowMicros) {
      // A leader cut off from a majority steps down, so clients stop waiting on it.
      ctx.observe({ type: 'step-down', term: this.currentTerm });
      return this.becomeFollower(ctx, this.currentTerm, null);
    }
    ctx.setTimer('check-quorum', quorumSince + windowMicros - ctx.now());
  }

  // ---- state machine ----------------------------------------------------------------------------

  /** Fig. 2 Rules for Servers, All Servers, rule 1: if commitIndex > lastApplied, apply in log order. */
  private applyCommitted(ctx: Ctx): void {
    while (this.lastApplied < this.commitIndex) {
      this.lastApplied++;
      const entry = this.log[this.lastApplied]!;
      ctx.observe({ type: 'apply', index: this.lastApplied, term: entry.term, command: entry.command });
      if (entry.command === null) continue;
      const result = this.stateMachine.apply(entry.command);
      const waiter = this.waiting.get(this.lastApplied);
      if (waiter === undefined) continue;
      this.waiting.delete(this.lastApplied);
      if (result !== undefined) ctx.send(waiter.client, { type: 'client-reply', seq: waiter.seq, ok: true, result });
    }
  }

  // ---- log and disk -----------------------------------------------------------------------------

  private appendToLog(ctx: Ctx, entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      this.log.push(entry);
      ctx.disk.write(entryKey(this.lastIndex()), entry);
    }
    ctx.disk.write(LAST_KEY, this.lastIndex());
  }

  private truncateFrom(ctx: Ctx, index: number): void {
    const role = this.role;
    // Invariant: a leader's log only grows (Figure 3's Leader Append-Only; paired with the matchIndex
    // check in onAppendReply): only a follower removes entries.
    assert(role !== 'leader', 'raft: a leader never removes entries from its log');
    // Invariant: a committed entry is never removed (paired with commitIndex ≤ lastIndex where it moves).
    if (this.assertLogSafety && index <= this.commitIndex) assert(false, `raft: a committed entry is never removed (truncating from ${index}, commitIndex ${this.commitIndex})`);
    ctx.observe({ type: 'truncate', from: index, removed: this.lastIndex() - index + 1, role, term: this.currentTerm });
    for (let i = index; i <= this.lastIndex(); i++) ctx.disk.delete(entryKey(i));
    this.log.length = index;
    ctx.disk.write(LAST_KEY, this.lastIndex());
    for (const waitingIndex of [...this.waiting.keys()]) if (waitingIndex >= index) this.waiting.delete(waitingIndex);
  }

  private persistTermAndVote(ctx: Ctx): void {
    const termOnDisk = ctx.disk.read<number>(TERM_KEY) ?? 0;
    // Invariant: currentTerm never decreases, across restarts too (paired with the check in becomeFollower).
    if (this.currentTerm < termOnDisk) assert(false, `raft: currentTerm never decreases (${termOnDisk} on disk, writing ${this.currentTerm})`);
    // Invariant: votedFor is set at most once per term. onRequestVote's rule 2 keeps it in memory; this
    // checks it against the disk, which outlives a restart.
    if (this.currentTerm === termOnDisk) {
      const voteOnDisk = ctx.disk.read<NodeId | null>(VOTE_KEY) ?? null;
      if (voteOnDisk !== null && voteOnDisk !== this.votedFor) assert(false, `raft: votedFor is set at most once per term (term ${termOnDisk}: ${voteOnDisk}, now ${this.votedFor})`);
    }
    ctx.disk.write(TERM_KEY, this.currentTerm);
    // The planted bug keeps votedFor in memory only: a restart forgets whom it voted for.
    if (!this.config.bugs.forgetVote) ctx.disk.write(VOTE_KEY, this.votedFor);
  }

  /**
   * Invariant: lastApplied ≤ commitIndex ≤ lastIndex, checked wherever commitIndex moves (paired with
   * truncateFrom, which never removes a committed entry). The first half also says commitIndex never
   * moves back past what was applied.
   */
  private assertCommitIndex(): void {
    if (this.lastApplied > this.commitIndex) assert(false, `raft: lastApplied ≤ commitIndex (${this.lastApplied} > ${this.commitIndex})`);
    if (this.commitIndex > this.lastIndex()) assert(false, `raft: commitIndex ≤ lastIndex (${this.commitIndex} > ${this.lastIndex()})`);
  }

  private resetElectionTimer(ctx: Ctx): void {
    ctx.setTimer('election', ctx.rng.int(this.config.electionTimeoutMicrosMin, this.config.electionTimeoutMicrosMax));
  }

  /** The election restriction (§5.4.1), shared by pre-vote and vote; the planted bug skips it in both. */
  private candidateLogOk(lastLogIndex: number, lastLogTerm: number): boolean {
    return this.config.bugs.voteWithoutLogCheck || this.logIsUpToDate(lastLogIndex, lastLogTerm);
  }

  /** §5.4.1: the later last term wins; with equal last terms, the longer log. */
  private logIsUpToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    return lastLogTerm > this.lastTerm() || (lastLogTerm === this.lastTerm() && lastLogIndex >= this.lastIndex());
  }

  private isMajority(count: number, ctx: Ctx): boolean {
    return count * 2 > ctx.peers.length + 1;
  }

  private lastIndex(): number {
    return this.log.length - 1;
  }

  private lastTerm(): number {
    return this.log[this.log.length - 1]!.term;
  }
}
