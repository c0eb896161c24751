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
// A leader that hears from no majority for an election timeout steps down (check-quorum).
//
// Durable state (currentTerm, votedFor, the log) is written to disk and synced before any message that
// depends on it. Reads go through the log like writes, so they are linearizable without leases.
// Room is left for snapshots and membership changes: the log is indexed from 1 and nothing assumes
// a fixed configuration beyond `ctx.peers`.

import type { ClientReply, ClientRequest } from '../kv/client.js';
import { KvStateMachine, type SessionCommand } from '../kv/state-machine.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { LogEntry, RaftMessage } from './messages.js';

export const RAFT_BUGS = {
  commitOldTerm: 'raft/commit-old-term',
  forgetVote: 'raft/forget-vote',
  voteWithoutLogCheck: 'raft/vote-without-log-check',
  truncateMatchingEntries: 'raft/truncate-matching-entries',
  staleRead: 'raft/stale-read',
  noDedup: 'raft/no-dedup',
} as const;

export type RaftBug = (typeof RAFT_BUGS)[keyof typeof RAFT_BUGS];

export interface RaftConfig {
  readonly electionTimeoutMicrosMin: Micros;
  readonly electionTimeoutMicrosMax: Micros;
  readonly heartbeatMicros: Micros;
  /** Bound: entries per AppendEntries message. */
  readonly entriesPerAppendMax: number;
  readonly bug: RaftBug | undefined;
}

type Role = 'follower' | 'candidate' | 'leader';
type Ctx = Context<RaftMessage>;

const TERM_KEY = 'term';
const VOTE_KEY = 'voted-for';
const LAST_KEY = 'log-last';
const entryKey = (index: number) => `log/${index}`;

export class RaftNode implements Process<RaftMessage> {
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
  private votes = new Set<NodeId>();
  private preVotes = new Set<NodeId>();
  private preVoteTerm = 0;

  // Leader only.
  private nextIndex = new Map<NodeId, number>();
  private matchIndex = new Map<NodeId, number>();
  private lastAck = new Map<NodeId, Micros>();
  /** Followers that accepted an AppendEntries of this term; a majority makes the leadership known. */
  private acknowledgedBy = new Set<NodeId>();
  /** Log index → the client waiting for that entry's result. */
  private waiting = new Map<number, { client: NodeId; seq: number }>();

  constructor(private readonly config: RaftConfig) {
    this.stateMachine = new KvStateMachine(config.bug !== RAFT_BUGS.noDedup);
  }

  onStart(ctx: Ctx): void {
    this.currentTerm = ctx.disk.read<number>(TERM_KEY) ?? 0;
    this.votedFor = this.config.bug === RAFT_BUGS.forgetVote ? null : (ctx.disk.read<NodeId | null>(VOTE_KEY) ?? null);
    const last = ctx.disk.read<number>(LAST_KEY) ?? 0;
    for (let i = 1; i <= last; i++) this.log.push(ctx.disk.read<LogEntry>(entryKey(i))!);
    this.becomeFollower(ctx, this.currentTerm, null);
  }

  inspect(): { role: Role; term: number; leaderId: NodeId | null; commitIndex: number; log: readonly LogEntry[] } {
    return { role: this.role, term: this.currentTerm, leaderId: this.leaderId, commitIndex: this.commitIndex, log: this.log };
  }

  onTimer(ctx: Ctx, name: string): void {
    if (name === 'election' && this.role !== 'leader') this.startPreVote(ctx);
    else if (name === 'heartbeat' && this.role === 'leader') this.heartbeat(ctx);
    else if (name === 'check-quorum' && this.role === 'leader') this.checkQuorum(ctx);
  }

  onMessage(ctx: Ctx, from: NodeId, msg: RaftMessage): void {
    if (msg.type === 'client-request') return this.onClientRequest(ctx, from, msg);
    if (msg.type === 'client-reply') return;
    if (msg.type === 'pre-vote') return this.onPreVote(ctx, from, msg);
    if (msg.type === 'pre-vote-reply') return this.onPreVoteReply(ctx, from, msg);
    // Any message from a later term: that term wins, and we follow (Figure 2, "All Servers").
    if (msg.term > this.currentTerm) this.becomeFollower(ctx, msg.term, msg.type === 'append' ? from : null);
    switch (msg.type) {
      case 'request-vote':
        return this.onRequestVote(ctx, from, msg);
      case 'vote-reply':
        return this.role === 'candidate' ? this.onVoteReply(ctx, from, msg) : undefined;
      case 'append':
        return this.onAppend(ctx, from, msg);
      case 'append-reply':
        return this.role === 'leader' ? this.onAppendReply(ctx, from, msg) : undefined;
    }
  }

  // ---- roles ------------------------------------------------------------------------------------

  private becomeFollower(ctx: Ctx, term: number, leader: NodeId | null): void {
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

  private startPreVote(ctx: Ctx): void {
    this.preVoteTerm = this.currentTerm + 1;
    this.preVotes = new Set([ctx.self]);
    this.resetElectionTimer(ctx);
    if (this.isMajority(this.preVotes.size, ctx)) return this.becomeCandidate(ctx);
    for (const peer of ctx.peers) {
      ctx.send(peer, { type: 'pre-vote', term: this.preVoteTerm, lastLogIndex: this.lastIndex(), lastLogTerm: this.lastTerm() });
    }
  }

  private becomeCandidate(ctx: Ctx): void {
    this.role = 'candidate';
    this.currentTerm++;
    this.votedFor = ctx.self;
    this.leaderId = null;
    // Invariant (one vote per term): our own vote is durable before anyone hears of the candidacy.
    this.persistTermAndVote(ctx);
    ctx.disk.sync();
    this.votes = new Set([ctx.self]);
    ctx.observe({ type: 'role', role: 'candidate', term: this.currentTerm });
    this.resetElectionTimer(ctx);
    if (this.isMajority(this.votes.size, ctx)) return this.becomeLeader(ctx);
    for (const peer of ctx.peers) {
      ctx.send(peer, { type: 'request-vote', term: this.currentTerm, lastLogIndex: this.lastIndex(), lastLogTerm: this.lastTerm() });
    }
  }

  private becomeLeader(ctx: Ctx): void {
    this.role = 'leader';
    this.leaderId = ctx.self;
    ctx.cancelTimer('election');
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
    // A no-op of our own term lets earlier entries commit (§5.4.2) and reads go through promptly.
    this.appendToLog(ctx, [{ term: this.currentTerm, command: null }]);
    ctx.disk.sync();
    this.commitAlone(ctx);
    this.heartbeat(ctx);
    ctx.setTimer('check-quorum', this.config.electionTimeoutMicrosMin);
  }

  // ---- elections --------------------------------------------------------------------------------

  private onPreVote(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'pre-vote' }>): void {
    // Grant only if the asker's term would be new to us, its log is up to date, and we have not heard
    // from a live leader within the minimum election timeout (so a rejoining node cannot disrupt it).
    // A leader is itself a live leader, so it never grants one.
    const leaderRecentlyHeard = this.role === 'leader' || ctx.now() - this.lastLeaderContact < this.config.electionTimeoutMicrosMin;
    const granted = msg.term > this.currentTerm && !leaderRecentlyHeard && this.candidateLogOk(msg.lastLogIndex, msg.lastLogTerm);
    ctx.send(from, { type: 'pre-vote-reply', term: msg.term, granted, voterTerm: this.currentTerm });
  }

  private onPreVoteReply(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'pre-vote-reply' }>): void {
    if (msg.voterTerm > this.currentTerm) return this.becomeFollower(ctx, msg.voterTerm, null);
    // A pre-vote counts only for the term right after ours: if our term moved on meanwhile (we voted for
    // someone), the round is stale, and campaigning on it would disrupt the election we just joined.
    if (this.role === 'leader' || msg.term !== this.preVoteTerm || msg.term !== this.currentTerm + 1 || !msg.granted) return;
    this.preVotes.add(from);
    if (this.isMajority(this.preVotes.size, ctx)) {
      this.preVoteTerm = 0;
      this.becomeCandidate(ctx);
    }
  }

  private onRequestVote(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'request-vote' }>): void {
    // Invariant (Election Safety): at most one vote per term, and only for an up-to-date log
    // (which gives Leader Completeness, §5.4.1).
    const granted = msg.term === this.currentTerm && (this.votedFor === null || this.votedFor === from) && this.candidateLogOk(msg.lastLogIndex, msg.lastLogTerm);
    if (granted) {
      this.votedFor = from;
      this.persistTermAndVote(ctx);
      this.resetElectionTimer(ctx);
    }
    // Invariant: the vote is durable before the candidate can count it.
    ctx.disk.sync();
    ctx.send(from, { type: 'vote-reply', term: this.currentTerm, granted });
  }

  private onVoteReply(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'vote-reply' }>): void {
    if (msg.term !== this.currentTerm || !msg.granted) return;
    this.votes.add(from);
    if (this.isMajority(this.votes.size, ctx)) this.becomeLeader(ctx);
  }

  // ---- replication: follower side ---------------------------------------------------------------

  /** Answers an AppendEntries. (A method, not a closure per call: appends are the commonest message.) */
  private replyToAppend(ctx: Ctx, to: NodeId, success: boolean, matchIndex: number, conflictIndex = 0, conflictTerm = 0): void {
    // Invariant: whatever we acknowledge is durable first.
    ctx.disk.sync();
    ctx.send(to, { type: 'append-reply', term: this.currentTerm, success, matchIndex, conflictIndex, conflictTerm });
  }

  private onAppend(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'append' }>): void {
    if (msg.term < this.currentTerm) return this.replyToAppend(ctx, from, false, 0);
    // A current-term AppendEntries comes from the one leader of this term: a candidate gives way.
    if (this.role !== 'follower') this.becomeFollower(ctx, msg.term, from);
    this.leaderId = from;
    this.lastLeaderContact = ctx.now();
    this.resetElectionTimer(ctx);

    // Consistency check (Log Matching): we must hold the entry just before the new ones.
    if (msg.prevIndex > this.lastIndex()) return this.replyToAppend(ctx, from, false, 0, this.lastIndex() + 1, 0);
    const ourPrevTerm = this.log[msg.prevIndex]!.term;
    if (ourPrevTerm !== msg.prevTerm) {
      let first = msg.prevIndex;
      while (first > 1 && this.log[first - 1]!.term === ourPrevTerm) first--;
      return this.replyToAppend(ctx, from, false, 0, first, ourPrevTerm);
    }

    let index = msg.prevIndex;
    if (this.config.bug === RAFT_BUGS.truncateMatchingEntries && msg.prevIndex < this.lastIndex()) {
      // Planted bug: drop everything after prevIndex, even entries that match (and may be committed).
      this.truncateFrom(ctx, msg.prevIndex + 1);
    }
    for (let k = 0; k < msg.entries.length; k++) {
      index = msg.prevIndex + 1 + k;
      const entry = msg.entries[k]!;
      if (index <= this.lastIndex()) {
        // Invariant (Log Matching): only a conflicting entry, and all that follow it, is removed.
        if (this.log[index]!.term === entry.term) continue;
        this.truncateFrom(ctx, index);
      }
      this.appendToLog(ctx, msg.entries.slice(k));
      break;
    }
    const lastNew = msg.prevIndex + msg.entries.length;
    if (msg.commit > this.commitIndex) {
      this.commitIndex = Math.min(msg.commit, lastNew);
      this.applyCommitted(ctx);
    }
    this.replyToAppend(ctx, from, true, lastNew);
  }

  // ---- replication: leader side -----------------------------------------------------------------

  private onClientRequest(ctx: Ctx, from: NodeId, msg: ClientRequest): void {
    if (this.role !== 'leader') {
      ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: false, leaderHint: this.leaderId } satisfies ClientReply);
      return;
    }
    if (this.config.bug === RAFT_BUGS.staleRead && msg.command.op === 'get') {
      // Planted bug: answer reads from local state, without confirming we are still the leader.
      ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: true, result: { value: this.stateMachine.read(msg.command.key) } });
      return;
    }
    const command: SessionCommand = { clientId: msg.clientId, seq: msg.seq, command: msg.command };
    this.appendToLog(ctx, [{ term: this.currentTerm, command }]);
    // Invariant: the leader counts itself toward a majority only for entries it has made durable.
    ctx.disk.sync();
    this.waiting.set(this.lastIndex(), { client: from, seq: msg.seq });
    for (const peer of ctx.peers) this.sendAppend(ctx, peer);
    this.commitAlone(ctx);
  }

  private heartbeat(ctx: Ctx): void {
    for (const peer of ctx.peers) this.sendAppend(ctx, peer);
    ctx.setTimer('heartbeat', this.config.heartbeatMicros);
  }

  private sendAppend(ctx: Ctx, peer: NodeId): void {
    const next = this.nextIndex.get(peer)!;
    const prevIndex = next - 1;
    const entries = this.log.slice(next, next + this.config.entriesPerAppendMax);
    ctx.send(peer, { type: 'append', term: this.currentTerm, prevIndex, prevTerm: this.log[prevIndex]!.term, entries, commit: this.commitIndex });
  }

  private onAppendReply(ctx: Ctx, from: NodeId, msg: Extract<RaftMessage, { type: 'append-reply' }>): void {
    if (msg.term !== this.currentTerm) return;
    this.lastAck.set(from, ctx.now());
    if (!this.acknowledgedBy.has(from)) {
      this.acknowledgedBy.add(from);
      // A majority has now heard from us in this term: the leadership is known (for metrics and reports).
      if (this.acknowledgedBy.size + 1 === Math.floor((ctx.peers.length + 1) / 2) + 1) ctx.observe({ type: 'leader-established', term: this.currentTerm });
    }
    if (msg.success) {
      if (msg.matchIndex > this.matchIndex.get(from)!) this.matchIndex.set(from, msg.matchIndex);
      this.nextIndex.set(from, Math.max(this.nextIndex.get(from)!, msg.matchIndex + 1));
      this.advanceCommit(ctx);
      if (this.nextIndex.get(from)! <= this.lastIndex()) this.sendAppend(ctx, from);
      return;
    }
    // Fast backtracking: skip the follower's whole conflicting term, or jump to the end of its log.
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

  private advanceCommit(ctx: Ctx): void {
    for (let n = this.lastIndex(); n > this.commitIndex; n--) {
      // Invariant (§5.4.2, Figure 8): only an entry of the current term is committed by counting replicas;
      // earlier entries commit with it. The planted bug counts replicas of old-term entries too.
      if (this.log[n]!.term !== this.currentTerm && this.config.bug !== RAFT_BUGS.commitOldTerm) break;
      let replicas = 1;
      for (const match of this.matchIndex.values()) if (match >= n) replicas++;
      if (this.isMajority(replicas, ctx)) {
        ctx.observe({ type: 'commit', from: this.commitIndex + 1, to: n, term: this.currentTerm });
        this.commitIndex = n;
        this.applyCommitted(ctx);
        return;
      }
    }
  }

  /**
   * A leader whose own durable copy is already a majority (a one-server cluster) commits without
   * waiting for replies, since none will come. Larger clusters commit only from append replies.
   */
  private commitAlone(ctx: Ctx): void {
    if (this.isMajority(1, ctx)) this.advanceCommit(ctx);
  }

  private checkQuorum(ctx: Ctx): void {
    let heard = 1;
    for (const at of this.lastAck.values()) if (ctx.now() - at < this.config.electionTimeoutMicrosMin) heard++;
    // A leader cut off from a majority steps down, so clients stop waiting on it.
    if (!this.isMajority(heard, ctx)) {
      ctx.observe({ type: 'step-down', term: this.currentTerm });
      return this.becomeFollower(ctx, this.currentTerm, null);
    }
    ctx.setTimer('check-quorum', this.config.electionTimeoutMicrosMin);
  }

  // ---- state machine ----------------------------------------------------------------------------

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
    ctx.observe({ type: 'truncate', from: index, removed: this.lastIndex() - index + 1, role, term: this.currentTerm });
    for (let i = index; i <= this.lastIndex(); i++) ctx.disk.delete(entryKey(i));
    this.log.length = index;
    ctx.disk.write(LAST_KEY, this.lastIndex());
    for (const waitingIndex of [...this.waiting.keys()]) if (waitingIndex >= index) this.waiting.delete(waitingIndex);
  }

  private persistTermAndVote(ctx: Ctx): void {
    ctx.disk.write(TERM_KEY, this.currentTerm);
    // The planted bug keeps votedFor in memory only: a restart forgets whom it voted for.
    if (this.config.bug !== RAFT_BUGS.forgetVote) ctx.disk.write(VOTE_KEY, this.votedFor);
  }

  private resetElectionTimer(ctx: Ctx): void {
    ctx.setTimer('election', ctx.rng.int(this.config.electionTimeoutMicrosMin, this.config.electionTimeoutMicrosMax));
  }

  /** The election restriction (§5.4.1), shared by pre-vote and vote; the planted bug skips it in both. */
  private candidateLogOk(lastLogIndex: number, lastLogTerm: number): boolean {
    return this.config.bug === RAFT_BUGS.voteWithoutLogCheck || this.logIsUpToDate(lastLogIndex, lastLogTerm);
  }

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
