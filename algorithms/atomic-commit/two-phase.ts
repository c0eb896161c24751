// Two-phase commit with presumed abort (Gray 1978; Bernstein, Hadzilacos & Goodman 1987, ch. 7), with
// coordinator and participant recovery from their logs and the cooperative termination protocol.
// Assumes crash-recovery nodes with a disk whose synced writes survive, and a network that may lose,
// delay, duplicate and reorder messages (every message that matters is resent until answered).
//
// Phase 1 (voting). The coordinator sends PREPARE(work) to every participant. A participant locks what
// the work touches and checks it; it votes YES only after its prepare record is on disk (a yes vote is a
// promise to commit if told to, and must survive a crash), else NO and aborts at once. Until it votes yes
// it may abort on its own; from its yes vote until it hears the decision it is IN DOUBT: it holds its
// locks and may not decide alone.
// Phase 2 (decision). The coordinator commits only if every participant voted yes; it forces its COMMIT
// record to disk before telling anyone (the commit point), then sends COMMIT until every participant
// acks, and then forgets the transaction (an END record). Any NO, or a vote not in within the timeout,
// aborts: presumed abort writes no abort record and waits for no acks, since a transaction the
// coordinator has no record of is aborted. A participant commits (applies its work, forced) or aborts.
// Recovery. A restarted coordinator re-sends COMMIT for every commit record without an end record, and
// answers ABORT to a query about a transaction it has no record of. A restarted participant retakes the
// locks of every transaction prepared and undecided in its log and asks for the decision.
// Termination. An in-doubt participant asks the coordinator, and (cooperative termination) the other
// participants: one that knows the decision tells it; one that has not voted aborts and says abort.
// While the coordinator is down and every participant is in doubt, nobody can decide: 2PC blocks.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, NodeSpec, Process } from '../../sim/process.js';
import type { BankConfig, ShardWork } from './bank.js';
import type { CommitBugs } from './bugs.js';
import type { ParticipantView } from './checks.js';
import { parseTxId } from './client.js';
import type { BeginTx, CommitNodesBuilder, CommitTiming, TxResult } from './config.js';
import type { CommitFact, Decision } from './facts.js';
import { ResourceManager } from './resource-manager.js';

/** 2PC's messages between the coordinator and the participants (and among participants). */
export type TwoPhaseMessage =
  | { readonly type: 'prepare'; readonly tx: string; readonly work: ShardWork; readonly participants: readonly NodeId[] }
  | { readonly type: 'vote'; readonly tx: string; readonly vote: 'yes' | 'no'; readonly reads: Readonly<Record<string, number>> | null }
  | { readonly type: 'decision'; readonly tx: string; readonly decision: Decision }
  | { readonly type: 'ack'; readonly tx: string }
  /** An in-doubt participant asks what became of `tx` (the coordinator, or a peer). */
  | { readonly type: 'query'; readonly tx: string };

type Msg = TwoPhaseMessage | BeginTx | TxResult;
type Ctx = Context<Msg, CommitFact>;

/** The coordinator's forced commit record (`commit/TX`); `ended` once every participant acked. */
interface CommitRecord {
  readonly participants: readonly NodeId[];
  readonly client: NodeId;
  readonly reads: readonly (readonly [NodeId, Readonly<Record<string, number>>])[];
  readonly ended: boolean;
}

/** A transaction as the coordinator holds it in memory in this life. */
interface CoordinatorTx {
  readonly participants: readonly NodeId[];
  readonly work: ReadonlyMap<NodeId, ShardWork>;
  client: NodeId;
  readonly votes: Map<NodeId, 'yes' | 'no'>;
  readonly reads: Map<NodeId, Readonly<Record<string, number>>>;
  decision: Decision | null;
  readonly acks: Set<NodeId>;
}

export interface TwoPhaseConfig {
  readonly participants: readonly NodeId[];
  readonly bank: BankConfig;
  readonly timing: CommitTiming;
  readonly bugs: CommitBugs;
}

const commitKey = (tx: string) => `commit/${tx}`;
/** Disk keys of the transaction numbers reserved per client (see TwoPhaseCoordinator.reserve). */
const SEQ_PREFIX = 'seq/';
const SEQ_RESERVE = 8;

/** The 2PC coordinator (transaction manager). */
export class TwoPhaseCoordinator implements Process<Msg, CommitFact> {
  private readonly txs = new Map<string, CoordinatorTx>();
  /** After a restart: the highest sequence number seen per client in this life (see `isPossiblyOld`). */
  /**
   * Per client, the highest transaction number this coordinator may have begun: reserved on disk ahead of
   * use, SEQ_RESERVE at a time (one forced write per SEQ_RESERVE transactions of a client), and read back
   * after a restart: any begin at or below it may be a retry of one begun in an earlier life.
   */
  private readonly reservedSeq = new Map<string, number>();
  /** After a restart, the reservations of the earlier life (what `isPossiblyOld` compares with). */
  private readonly earlierSeq = new Map<string, number>();

  constructor(private readonly config: TwoPhaseConfig) {}

  onStart(ctx: Ctx): void {
    for (const key of ctx.disk.keys()) {
      if (!key.startsWith(SEQ_PREFIX)) continue;
      const seq = ctx.disk.read<number>(key)!;
      this.earlierSeq.set(key.slice(SEQ_PREFIX.length), seq);
      this.reservedSeq.set(key.slice(SEQ_PREFIX.length), seq);
    }
    // Recovery: every commit record not ended is committed, and its participants are told again.
    for (const key of ctx.disk.keys()) {
      if (!key.startsWith('commit/')) continue;
      const record = ctx.disk.read<CommitRecord>(key)!;
      if (record.ended) continue;
      const tx = key.slice('commit/'.length);
      const state = this.newTx(record.participants, new Map(), record.client);
      state.decision = 'commit';
      for (const [p, reads] of record.reads) state.reads.set(p, reads);
      this.txs.set(tx, state);
      this.sendCommit(ctx, tx, state);
    }
  }

  onMessage(ctx: Ctx, from: NodeId, msg: Msg): void {
    switch (msg.type) {
      case 'begin': return this.onBegin(ctx, from, msg);
      case 'vote': return this.onVote(ctx, from, msg.tx, msg.vote, msg.reads);
      case 'ack': return this.onAck(ctx, from, msg.tx);
      case 'query': return this.onQuery(ctx, from, msg.tx);
      default: return;
    }
  }

  onTimer(ctx: Ctx, name: string): void {
    const colon = name.indexOf(':');
    const kind = name.slice(0, colon);
    const tx = name.slice(colon + 1);
    const state = this.txs.get(tx);
    if (state === undefined) return;
    if (kind === 'votes' && state.decision === null) this.decide(ctx, tx, state, 'abort');
    else if (kind === 'retry' && state.decision === 'commit') this.sendCommit(ctx, tx, state);
    else if (kind === 'log') this.logCommit(ctx, tx, state);
  }

  inspect(): { readonly undecided: number; readonly unacked: number } {
    let undecided = 0;
    let unacked = 0;
    for (const state of this.txs.values()) {
      if (state.decision === null) undecided++;
      else if (state.decision === 'commit' && state.acks.size < state.participants.length) unacked++;
    }
    return { undecided, unacked };
  }

  private newTx(participants: readonly NodeId[], work: ReadonlyMap<NodeId, ShardWork>, client: NodeId): CoordinatorTx {
    return { participants, work, client, votes: new Map(), reads: new Map(), decision: null, acks: new Set() };
  }

  private onBegin(ctx: Ctx, client: NodeId, msg: BeginTx): void {
    const known = this.txs.get(msg.tx);
    if (known !== undefined) {
      // A duplicate begin: answer it if decided, else the answer follows the decision.
      known.client = client;
      if (known.decision !== null) this.answer(ctx, msg.tx, known);
      return;
    }
    const record = ctx.disk.read<CommitRecord>(commitKey(msg.tx));
    if (record !== undefined) {
      ctx.send(client, { type: 'result', tx: msg.tx, decision: 'commit', reads: record.reads });
      return;
    }
    if (this.isPossiblyOld(msg.tx)) {
      // Presumed abort: no record of it, and it may be a retry of a transaction begun before the crash,
      // which a participant may already have been told is aborted. Starting it again could commit it.
      const state = this.newTx([], new Map(), client);
      this.txs.set(msg.tx, state);
      this.decide(ctx, msg.tx, state, 'abort');
      return;
    }
    const participants = msg.work.map(([p]) => p);
    assert(participants.length > 0 && new Set(participants).size === participants.length, `2PC coordinator: begin ${msg.tx} names participants ${participants.join(',')}`);
    this.reserve(ctx, msg.tx);
    const state = this.newTx(participants, new Map(msg.work), client);
    this.txs.set(msg.tx, state);
    // Presumed abort: nothing is logged at the start; a crash before the commit record aborts it.
    ctx.observe({ type: 'tx-begin', tx: msg.tx, participants });
    for (const [p, work] of msg.work) ctx.send(p, { type: 'prepare', tx: msg.tx, work, participants });
    ctx.setTimer(`votes:${msg.tx}`, this.config.timing.timeoutMicros);
  }

  /**
   * Beyond the paper: clients resend `begin` until answered, and a restarted coordinator cannot tell a
   * retry from a new transaction — with presumed abort it logs nothing at the start. Each client numbers
   * its transactions upwards, so the coordinator reserves numbers on disk before it begins them; after a
   * restart, a begin at or below an earlier life's reservation may be one begun then (perhaps aborted,
   * with some participant told so) and is aborted, which is always safe. The price: up to SEQ_RESERVE
   * new transactions of a client aborted after each restart.
   */
  private isPossiblyOld(tx: string): boolean {
    const id = parseTxId(tx);
    if (id === undefined) return true;
    const earlier = this.earlierSeq.get(id.client);
    return earlier !== undefined && id.seq <= earlier;
  }

  /** Reserves `tx`'s number on disk (synced) before it begins, SEQ_RESERVE numbers at a time. */
  private reserve(ctx: Ctx, tx: string): void {
    const id = parseTxId(tx);
    if (id === undefined) return;
    if (id.seq <= (this.reservedSeq.get(id.client) ?? -1)) return;
    const limit = id.seq + SEQ_RESERVE - 1;
    this.reservedSeq.set(id.client, limit);
    ctx.disk.write(SEQ_PREFIX + id.client, limit);
    ctx.disk.sync();
  }

  private onVote(ctx: Ctx, from: NodeId, tx: string, vote: 'yes' | 'no', reads: Readonly<Record<string, number>> | null): void {
    const state = this.txs.get(tx);
    if (state === undefined) {
      // A vote for a transaction this life does not know: answered as a query (its commit record, or presumed abort).
      return this.onQuery(ctx, from, tx);
    }
    if (!state.participants.includes(from)) return;
    if (state.decision !== null) {
      // A late or duplicate vote: the voter is told the decision again (an aborted one, if it voted yes).
      if (vote === 'yes' && !state.acks.has(from)) ctx.send(from, { type: 'decision', tx, decision: state.decision });
      return;
    }
    state.votes.set(from, vote);
    if (reads !== null) state.reads.set(from, reads);
    if (vote === 'no') return this.decide(ctx, tx, state, 'abort');
    const yes = [...state.votes.values()].filter((v) => v === 'yes').length;
    // Commit validity: commit only once EVERY participant voted yes (planted bug commit/commit-on-majority: a majority).
    const enough = this.config.bugs.commitOnMajority ? yes * 2 > state.participants.length : yes === state.participants.length;
    if (enough) this.decide(ctx, tx, state, 'commit');
  }

  private decide(ctx: Ctx, tx: string, state: CoordinatorTx, decision: Decision): void {
    assert(state.decision === null, `2PC coordinator: ${tx} decided twice`);
    state.decision = decision;
    ctx.cancelTimer(`votes:${tx}`);
    ctx.observe({ type: 'decide', tx, decision });
    if (decision === 'commit') {
      if (this.config.bugs.decideBeforeLog) {
        // Planted bug commit/decide-before-log: COMMIT goes out first; the record is written a timeout later.
        this.sendCommit(ctx, tx, state);
        ctx.setTimer(`log:${tx}`, this.config.timing.timeoutMicros);
      } else {
        // The commit point: the record is on disk before any participant may hear COMMIT.
        this.logCommit(ctx, tx, state);
        this.sendCommit(ctx, tx, state);
      }
    } else {
      // Presumed abort: no record, no acks. Those that voted no aborted already; the others are told once
      // (a participant that misses it asks, and a transaction without a commit record is aborted).
      for (const p of state.participants) if (state.votes.get(p) !== 'no') ctx.send(p, { type: 'decision', tx, decision: 'abort' });
    }
    this.answer(ctx, tx, state);
  }

  private logCommit(ctx: Ctx, tx: string, state: CoordinatorTx): void {
    if (ctx.disk.read(commitKey(tx)) !== undefined) return;
    const record: CommitRecord = { participants: state.participants, client: state.client, reads: [...state.reads], ended: false };
    ctx.disk.write(commitKey(tx), record);
    ctx.disk.sync();
  }

  private sendCommit(ctx: Ctx, tx: string, state: CoordinatorTx): void {
    for (const p of state.participants) if (!state.acks.has(p)) ctx.send(p, { type: 'decision', tx, decision: 'commit' });
    ctx.setTimer(`retry:${tx}`, this.config.timing.retryMicros);
  }

  private answer(ctx: Ctx, tx: string, state: CoordinatorTx): void {
    const reads = state.decision === 'commit' ? [...state.reads] : [];
    ctx.send(state.client, { type: 'result', tx, decision: state.decision!, reads });
  }

  private onAck(ctx: Ctx, from: NodeId, tx: string): void {
    const state = this.txs.get(tx);
    if (state === undefined || state.decision !== 'commit') return;
    state.acks.add(from);
    if (state.acks.size < state.participants.length) return;
    ctx.cancelTimer(`retry:${tx}`);
    // Forget: the end record (unforced; a crash before it only re-sends COMMIT, which is acked again).
    const record = ctx.disk.read<CommitRecord>(commitKey(tx));
    if (record !== undefined && !record.ended) ctx.disk.write(commitKey(tx), { ...record, ended: true });
  }

  private onQuery(ctx: Ctx, from: NodeId, tx: string): void {
    const state = this.txs.get(tx);
    if (state !== undefined) {
      if (state.decision !== null) ctx.send(from, { type: 'decision', tx, decision: state.decision });
      return;
    }
    if (ctx.disk.read(commitKey(tx)) !== undefined) {
      ctx.send(from, { type: 'decision', tx, decision: 'commit' });
      return;
    }
    // Presumed abort: no record of it in this life or on disk. The answer is remembered for this life.
    const aborted = this.newTx([], new Map(), '');
    aborted.decision = 'abort';
    this.txs.set(tx, aborted);
    ctx.observe({ type: 'decide', tx, decision: 'abort' });
    ctx.send(from, { type: 'decision', tx, decision: 'abort' });
  }
}

/** What a participant logs with its prepare record: who coordinates the transaction, and who takes part. */
interface ParticipantMeta {
  readonly coordinator: NodeId;
  readonly participants: readonly NodeId[];
}

/** A 2PC participant (resource manager). */
export class TwoPhaseParticipant implements Process<Msg, CommitFact> {
  private rm!: ResourceManager;
  private readonly inDoubt = new Map<string, ParticipantMeta>();
  /** Transactions whose outcome this life reported (each at most once per life). */
  private readonly reported = new Set<string>();

  constructor(private readonly config: TwoPhaseConfig) {}

  onStart(ctx: Ctx): void {
    this.rm = new ResourceManager(ctx.self, this.config.bank, ctx.disk, { prepareNotSynced: this.config.bugs.prepareNotSynced });
    // Recovery: every transaction prepared and undecided is in doubt again (its locks retaken); ask about it.
    for (const { tx, meta } of this.rm.recover()) {
      this.inDoubt.set(tx, meta as ParticipantMeta);
      ctx.setTimer(`doubt:${tx}`, this.config.timing.retryMicros);
    }
  }

  onMessage(ctx: Ctx, from: NodeId, msg: Msg): void {
    switch (msg.type) {
      case 'prepare': return this.onPrepare(ctx, from, msg.tx, msg.work, msg.participants);
      case 'decision': return this.onDecision(ctx, from, msg.tx, msg.decision);
      case 'query': return this.onPeerQuery(ctx, from, msg.tx);
      default: return;
    }
  }

  onTimer(ctx: Ctx, name: string): void {
    if (!name.startsWith('doubt:')) return;
    const tx = name.slice('doubt:'.length);
    const meta = this.inDoubt.get(tx);
    if (meta === undefined || this.rm.state(tx) !== 'prepared') return;
    if (this.config.bugs.abortAfterYes) {
      // Planted bug commit/abort-after-yes: an in-doubt participant gives up and aborts on its own.
      this.finish(ctx, tx, 'abort');
      return;
    }
    // Termination protocol: ask the coordinator, and (cooperative termination) the other participants.
    ctx.send(meta.coordinator, { type: 'query', tx });
    for (const p of meta.participants) if (p !== ctx.self) ctx.send(p, { type: 'query', tx });
    ctx.setTimer(`doubt:${tx}`, this.config.timing.retryMicros);
  }

  inspect(): ParticipantView {
    return { balances: this.rm.allBalances(), inDoubt: [...this.inDoubt.keys()].sort() };
  }

  private onPrepare(ctx: Ctx, coordinator: NodeId, tx: string, work: ShardWork, participants: readonly NodeId[]): void {
    const before = this.rm.state(tx);
    const meta: ParticipantMeta = { coordinator, participants };
    const result = this.rm.prepare(tx, work, meta);
    if (result.vote === 'no') {
      // Before voting yes a participant may abort on its own: a no vote is an abort here.
      if (before === 'unknown') {
        this.rm.abort(tx, meta);
        ctx.observe({ type: 'vote', tx, vote: 'no' });
        this.reportOutcome(ctx, tx, 'abort');
      }
      ctx.send(coordinator, { type: 'vote', tx, vote: 'no', reads: null });
      return;
    }
    if (before === 'unknown') {
      // The prepare record is on disk (ResourceManager.prepare synced it): from here on, in doubt.
      ctx.observe({ type: 'vote', tx, vote: 'yes' });
      this.inDoubt.set(tx, meta);
      ctx.setTimer(`doubt:${tx}`, this.config.timing.timeoutMicros);
    }
    ctx.send(coordinator, { type: 'vote', tx, vote: 'yes', reads: result.reads });
  }

  private onDecision(ctx: Ctx, from: NodeId, tx: string, decision: Decision): void {
    const state = this.rm.state(tx);
    if (state === 'prepared') this.finish(ctx, tx, decision);
    else if (state === 'unknown') {
      // No record here: never prepared (the decision outran the prepare), or the prepare record was lost
      // (only under commit/prepare-not-synced). Either way there is nothing to commit: it aborts here.
      this.rm.abort(tx, null);
      if (decision === 'commit') this.reportOutcome(ctx, tx, 'abort');
    }
    // Committed or aborted already: a duplicate. Decisions are final here (ResourceManager asserts it).
    if (decision === 'commit') ctx.send(from, { type: 'ack', tx });
  }

  private onPeerQuery(ctx: Ctx, from: NodeId, tx: string): void {
    const state = this.rm.state(tx);
    if (state === 'committed' || state === 'aborted') {
      // An abort from a no vote is not forced (presumed abort); once told to a peer it must survive a crash.
      if (state === 'aborted') ctx.disk.sync();
      ctx.send(from, { type: 'decision', tx, decision: state === 'committed' ? 'commit' : 'abort' });
    } else if (state === 'unknown') {
      // Cooperative termination: not voted yet, so it may still abort on its own, and says so. The abort
      // record is forced: a late prepare after a crash must not find this participant ready to vote yes.
      this.rm.abort(tx, null);
      ctx.disk.sync();
      ctx.send(from, { type: 'decision', tx, decision: 'abort' });
    }
    // Prepared: in doubt itself, it cannot help.
  }

  private finish(ctx: Ctx, tx: string, decision: Decision): void {
    if (decision === 'commit') this.rm.commit(tx);
    else this.rm.abort(tx);
    this.inDoubt.delete(tx);
    ctx.cancelTimer(`doubt:${tx}`);
    this.reportOutcome(ctx, tx, decision);
  }

  private reportOutcome(ctx: Ctx, tx: string, decision: Decision): void {
    if (this.reported.has(tx)) return;
    this.reported.add(tx);
    ctx.observe({ type: 'outcome', tx, decision });
  }
}

/** 2PC's nodes: the coordinator (role `coordinator`) and the participants (role `participant`). */
export const twoPhaseNodes: CommitNodesBuilder = (options) => {
  const config: TwoPhaseConfig = { participants: options.participants, bank: options.bank, timing: options.timing, bugs: options.bugs };
  const nodes: NodeSpec<Msg, CommitFact>[] = [
    { id: options.coordinator, role: 'coordinator', create: () => new TwoPhaseCoordinator(config) },
    ...options.participants.map((id) => ({ id, role: 'participant', create: () => new TwoPhaseParticipant(config) })),
  ];
  return nodes as NodeSpec<unknown, CommitFact>[];
};

