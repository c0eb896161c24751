// Paxos Commit (Gray & Lamport, "Consensus on Transaction Commit", 2006), to read beside the paper. One
// Paxos instance per resource manager (RM) chooses that RM's Prepared or Aborted; the transaction commits
// iff every instance chose Prepared. 2F + 1 acceptors keep the instances, so the decision survives F of
// them down and any leader crash. Assumes the shared ResourceManager (resource-manager.ts) for the RM's
// local half, and crash-recovery nodes whose synced disk survives.
//
// The paper's normal case (ballot 0, the fast path):
//   client ──BeginTx──▶ leader ──Prepare──▶ RMs ──phase 2a (ballot 0, own value)──▶ acceptors
//   acceptors ──phase 2b (one bundle per acceptor, every instance of the tx)──▶ leader ──Commit/Abort──▶ RMs
// Ballot 0 of instance "RM r" belongs to r alone, so no phase 1 is needed for it. Any other ballot belongs to a
// leader: ballots are taken from disjoint sets, `round × L + index + 1` for leader `index` of the L leaders
// (the initial leader is index 0, the backups follow). A leader that does not learn an outcome in time (or
// that an in-doubt RM asks) runs phase 1a/1b on the undecided instances with a fresh ballot, then phase 2a
// with the value phase 1 constrains it to (the highest-ballot accepted value among F + 1 answers), or
// Aborted for an instance with nothing accepted. We follow the paper's base variant: phase 2b goes to the
// leader only (5 message delays), not to the RMs too (the faster variant, 4 delays, more messages).
//
// With F = 0 there is one acceptor: it plays the 2PC coordinator's log, and the run is 2PC plus one hop
// (our acceptor is its own node; on the leader's node it would be exactly 2PC, the paper's observation).

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, NodeSpec, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { ShardWork } from './bank.js';
import type { BeginTx, CommitNodesBuilder, CommitNodesOptions, TxResult } from './config.js';
import type { CommitFact, Decision } from './facts.js';
import { ResourceManager } from './resource-manager.js';

/** An instance's value: the RM prepared (with the balances it read for an audit), or aborted. */
export type InstanceValue = 'prepared' | 'aborted';
type Reads = Readonly<Record<string, number>> | null;

/** What a transaction's messages carry so that any node can finish it: its RMs, its client. */
export interface TxInfo {
  readonly tx: string;
  readonly participants: readonly NodeId[];
  /** The client to answer (TxResult), or null. */
  readonly client: NodeId | null;
}

/** One instance's accepted state as an acceptor reports it (ballot −1: nothing accepted). */
export interface InstanceReport {
  readonly rm: NodeId;
  readonly ballot: number;
  readonly value: InstanceValue | null;
  readonly reads: Reads;
}

/** Every Paxos Commit message. */
export type PaxosCommitMessage =
  | BeginTx
  | TxResult
  /** Leader → RM: prepare `work` (the paper's Prepare). */
  | { readonly type: 'prepare'; readonly info: TxInfo; readonly work: ShardWork; readonly leader: NodeId }
  /** RM → acceptors: phase 2a of ballot 0 of the RM's own instance. */
  | { readonly type: 'rm-2a'; readonly info: TxInfo; readonly leader: NodeId; readonly value: InstanceValue; readonly reads: Reads }
  /** Leader → acceptors: phase 1a of `ballot` for these instances. */
  | { readonly type: '1a'; readonly tx: string; readonly ballot: number; readonly rms: readonly NodeId[] }
  /** Acceptor → leader: phase 1b, a promise for `ballot` and what was accepted. */
  | { readonly type: '1b'; readonly tx: string; readonly ballot: number; readonly reports: readonly InstanceReport[] }
  /** Leader → acceptors: phase 2a of `ballot`, one value per instance. */
  | { readonly type: '2a'; readonly tx: string; readonly ballot: number; readonly proposals: readonly InstanceReport[] }
  /** Acceptor → leader: phase 2b, the instances it accepted (bundled per transaction). */
  | { readonly type: '2b'; readonly tx: string; readonly reports: readonly InstanceReport[] }
  /** Acceptor → leader: refused `ballot`, having promised `promised`. */
  | { readonly type: 'nack'; readonly tx: string; readonly ballot: number; readonly promised: number }
  /** Leader → RMs: the outcome (the paper's Commit / Abort). */
  | { readonly type: 'decision'; readonly tx: string; readonly decision: Decision }
  /** In-doubt RM → a leader: finish this transaction (beyond the paper's text, which leaves how a new leader is woken open). */
  | { readonly type: 'help'; readonly info: TxInfo };

type Ctx = Context<PaxosCommitMessage, CommitFact>;

/** Acceptors that make a majority of `acceptorCount` = 2F + 1: F + 1 (the planted bug: F, at least 1). */
export function quorumSize(acceptorCount: number, offByOne: boolean): number {
  const f = Math.floor((acceptorCount - 1) / 2);
  return offByOne ? Math.max(1, f) : f + 1;
}

// ---- acceptor ---------------------------------------------------------------------------------------

/** An acceptor's durable state for one instance: its promise (`promised`) and what it accepted. */
export interface AcceptorInstance {
  readonly promised: number;
  readonly ballot: number;
  readonly value: InstanceValue | null;
  readonly reads: Reads;
}

const NOTHING: AcceptorInstance = { promised: -1, ballot: -1, value: null, reads: null };
const instanceKey = (tx: string, rm: NodeId) => `inst/${tx}/${rm}`;

/**
 * The acceptor of every instance of every transaction. Each promise and acceptance is synced before the
 * answer leaves (the paper's acceptors write to stable storage before sending 1b or 2b).
 */
export class PaxosCommitAcceptor implements Process<PaxosCommitMessage, CommitFact> {
  /** Transactions whose ballot-0 bundle went to the leader (volatile: a restarted acceptor may send it again). */
  private readonly bundled = new Set<string>();
  private disk: Ctx['disk'] | null = null;

  onStart(ctx: Ctx): void {
    this.disk = ctx.disk;
  }

  instance(tx: string, rm: NodeId): AcceptorInstance {
    return this.disk!.read<AcceptorInstance>(instanceKey(tx, rm)) ?? NOTHING;
  }

  private store(tx: string, rm: NodeId, state: AcceptorInstance): void {
    this.disk!.write(instanceKey(tx, rm), state);
  }

  private report(tx: string, rm: NodeId): InstanceReport {
    const s = this.instance(tx, rm);
    return { rm, ballot: s.ballot, value: s.value, reads: s.reads };
  }

  onMessage(ctx: Ctx, from: NodeId, msg: PaxosCommitMessage): void {
    switch (msg.type) {
      case 'rm-2a': return this.onFastAccept(ctx, from, msg);
      case '1a': return this.onPrepare(ctx, from, msg.tx, msg.ballot, msg.rms);
      case '2a': return this.onAccept(ctx, from, msg.tx, msg.ballot, msg.proposals);
      default: return;
    }
  }

  /** Phase 2a of ballot 0 from the RM that owns it: accepted unless a leader's higher ballot was promised. */
  private onFastAccept(ctx: Ctx, rm: NodeId, msg: Extract<PaxosCommitMessage, { type: 'rm-2a' }>): void {
    const { tx } = msg.info;
    const s = this.instance(tx, rm);
    // A leader took the instance over: ballot 0 is below the promise. Dropped without a nack (the RM's
    // ballot 0 needs no answer; the leader's ballot decides the instance).
    if (s.promised > 0) return;
    if (s.ballot < 0) {
      this.store(tx, rm, { promised: 0, ballot: 0, value: msg.value, reads: msg.reads });
      ctx.disk.sync();
    } else {
      // Invariant: ballot 0 of an instance carries one value only (its RM's vote).
      assert(s.ballot > 0 || s.value === msg.value, `${ctx.self}: ballot 0 of ${tx}/${rm} with two values`);
    }
    // Phase 2b, bundled as the paper does: an Aborted at once (it decides), Prepared once every instance has a value here.
    if (msg.value === 'aborted') {
      ctx.send(msg.leader, { type: '2b', tx, reports: [this.report(tx, rm)] });
      return;
    }
    if (this.bundled.has(tx)) return;
    const reports = msg.info.participants.map((p) => this.report(tx, p));
    if (reports.some((r) => r.ballot < 0)) return;
    this.bundled.add(tx);
    ctx.send(msg.leader, { type: '2b', tx, reports });
  }

  /** Phase 1b: promise `ballot` for each instance not promised higher, and report what was accepted. */
  private onPrepare(ctx: Ctx, leader: NodeId, tx: string, ballot: number, rms: readonly NodeId[]): void {
    const reports: InstanceReport[] = [];
    let refused = -1;
    for (const rm of rms) {
      const s = this.instance(tx, rm);
      if (ballot < s.promised) {
        refused = Math.max(refused, s.promised);
        continue;
      }
      if (ballot > s.promised) this.store(tx, rm, { ...s, promised: ballot });
      reports.push({ rm, ballot: s.ballot, value: s.value, reads: s.reads });
    }
    ctx.disk.sync();
    if (reports.length > 0) ctx.send(leader, { type: '1b', tx, ballot, reports });
    if (refused >= 0) ctx.send(leader, { type: 'nack', tx, ballot, promised: refused });
  }

  /** Phase 2b: accept each proposal whose ballot is not below this acceptor's promise (never below it). */
  private onAccept(ctx: Ctx, leader: NodeId, tx: string, ballot: number, proposals: readonly InstanceReport[]): void {
    const accepted: InstanceReport[] = [];
    let refused = -1;
    for (const p of proposals) {
      const s = this.instance(tx, p.rm);
      if (ballot < s.promised) {
        refused = Math.max(refused, s.promised);
        continue;
      }
      // Invariant: one ballot, one value (a leader proposes once per ballot).
      assert(s.ballot !== ballot || s.value === p.value, `${ctx.self}: ballot ${ballot} of ${tx}/${p.rm} with two values`);
      assert(p.value !== null, `${ctx.self}: phase 2a without a value`);
      this.store(tx, p.rm, { promised: ballot, ballot, value: p.value, reads: p.reads });
      accepted.push({ rm: p.rm, ballot, value: p.value, reads: p.reads });
    }
    ctx.disk.sync();
    if (accepted.length > 0) ctx.send(leader, { type: '2b', tx, reports: accepted });
    if (refused >= 0) ctx.send(leader, { type: 'nack', tx, ballot, promised: refused });
  }

  onTimer(): void {}
}

// ---- leader -------------------------------------------------------------------------------------------

export interface LeaderConfig {
  /** Every leader, the initial one first: a leader's index in it gives its ballots. */
  readonly leaders: readonly NodeId[];
  readonly acceptors: readonly NodeId[];
  /** A transaction not decided this long after it began (or after this leader's last ballot for it) gets a new ballot. */
  readonly timeoutMicros: Micros;
  readonly quorumOffByOne: boolean;
}

interface InstanceView {
  /** Ballot → value and the acceptors that accepted it at that ballot. */
  readonly accepts: Map<number, { value: InstanceValue; reads: Reads; by: Set<NodeId> }>;
  chosen: { value: InstanceValue; reads: Reads } | null;
}

interface Recovery {
  readonly ballot: number;
  /** Per undecided instance: the acceptors' phase 1b answers. */
  readonly promises: Map<NodeId, Map<NodeId, InstanceReport>>;
  readonly proposed: Set<NodeId>;
}

interface LeaderTx {
  readonly info: TxInfo;
  readonly instances: Map<NodeId, InstanceView>;
  decision: Decision | null;
  recovery: Recovery | null;
}

const ROUND_KEY = 'leader/round';

/**
 * A Paxos Commit leader (the initial one, role `coordinator`, or a backup). Keeps no transaction on disk
 * (the acceptors hold everything); only its ballot round is durable, so it never reuses a ballot after a restart.
 */
export class PaxosCommitLeader implements Process<PaxosCommitMessage, CommitFact> {
  readonly txs = new Map<string, LeaderTx>();
  private readonly quorum: number;
  private readonly index: number;
  /** The highest ballot any acceptor told us it promised (a nack): our next ballot goes above it. */
  private highestSeen = 0;

  constructor(private readonly config: LeaderConfig, self: NodeId) {
    this.quorum = quorumSize(config.acceptors.length, config.quorumOffByOne);
    this.index = config.leaders.indexOf(self);
    assert(this.index >= 0, `${self} is not a Paxos Commit leader`);
  }

  onStart(): void {}

  onMessage(ctx: Ctx, from: NodeId, msg: PaxosCommitMessage): void {
    switch (msg.type) {
      case 'begin': return this.onBegin(ctx, from, msg);
      case 'help': return this.onHelp(ctx, from, msg.info);
      case '1b': return this.onPromise(ctx, from, msg.tx, msg.ballot, msg.reports);
      case '2b': return this.onAccepted(ctx, from, msg.tx, msg.reports);
      case 'nack': this.highestSeen = Math.max(this.highestSeen, msg.promised); return;
      default: return;
    }
  }

  onTimer(ctx: Ctx, name: string): void {
    const t = this.txs.get(name.slice('tx:'.length));
    if (t === undefined || t.decision !== null) return;
    this.startBallot(ctx, t);
  }

  private track(info: TxInfo): LeaderTx {
    let t = this.txs.get(info.tx);
    if (t === undefined) {
      t = { info, instances: new Map(info.participants.map((rm) => [rm, { accepts: new Map(), chosen: null }])), decision: null, recovery: null };
      this.txs.set(info.tx, t);
    }
    return t;
  }

  /** The client's BeginTx: the paper's BeginCommit. Sends Prepare to every RM the transaction touches. */
  private onBegin(ctx: Ctx, client: NodeId, msg: BeginTx): void {
    const known = this.txs.get(msg.tx);
    if (known !== undefined) {
      if (known.decision !== null) this.answerClient(ctx, known);
      return;
    }
    const info: TxInfo = { tx: msg.tx, participants: msg.work.map(([rm]) => rm), client };
    // Local check: one work item per RM (an RM named twice would prepare only its first item).
    assert(new Set(info.participants).size === info.participants.length, `paxos commit leader: ${msg.tx} names an RM twice`);
    const t = this.track(info);
    ctx.observe({ type: 'tx-begin', tx: msg.tx, participants: info.participants });
    for (const [rm, work] of msg.work) ctx.send(rm, { type: 'prepare', info, work, leader: ctx.self });
    ctx.setTimer(`tx:${msg.tx}`, this.config.timeoutMicros);
    if (t.info.participants.length === 0) this.decide(ctx, t, 'commit');
  }

  /** An in-doubt RM asks: answer a known outcome, else take the transaction over with a new ballot. */
  private onHelp(ctx: Ctx, rm: NodeId, info: TxInfo): void {
    const t = this.track(info);
    if (t.decision !== null) {
      ctx.send(rm, { type: 'decision', tx: info.tx, decision: t.decision });
      return;
    }
    if (t.recovery === null) this.startBallot(ctx, t);
  }

  /** Phase 1a for every undecided instance, with this leader's next ballot (durable round first). */
  startBallot(ctx: Ctx, t: LeaderTx): void {
    const leaders = this.config.leaders.length;
    const stored = ctx.disk.read<number>(ROUND_KEY) ?? 0;
    const round = Math.max(stored + 1, Math.ceil((this.highestSeen + 1) / leaders));
    ctx.disk.write(ROUND_KEY, round);
    ctx.disk.sync();
    const ballot = round * leaders + this.index + 1;
    const rms = [...t.instances].filter(([, v]) => v.chosen === null).map(([rm]) => rm);
    t.recovery = { ballot, promises: new Map(rms.map((rm) => [rm, new Map()])), proposed: new Set() };
    for (const a of this.config.acceptors) ctx.send(a, { type: '1a', tx: t.info.tx, ballot, rms });
    // Retry with a higher ballot if this one does not finish (a duel, lost messages, acceptors down).
    ctx.setTimer(`tx:${t.info.tx}`, this.config.timeoutMicros + ctx.rng.int(0, this.config.timeoutMicros));
  }

  /** Phase 1b answers: once F + 1 acceptors promised an instance, propose the value phase 1 allows. */
  private onPromise(ctx: Ctx, acceptor: NodeId, tx: string, ballot: number, reports: readonly InstanceReport[]): void {
    const t = this.txs.get(tx);
    const r = t?.recovery;
    if (t === undefined || r === null || r === undefined || r.ballot !== ballot || t.decision !== null) return;
    this.onAccepted(ctx, acceptor, tx, reports.filter((rep) => rep.ballot >= 0)); // what was accepted is also a 2b
    const ready: InstanceReport[] = [];
    for (const rep of reports) {
      const answers = r.promises.get(rep.rm);
      if (answers === undefined || r.proposed.has(rep.rm)) continue;
      answers.set(acceptor, rep);
      if (answers.size < this.quorum) continue;
      // The paper's rule: the value of the highest ballot accepted in the quorum, else (free) Aborted.
      let best: InstanceReport | null = null;
      for (const a of answers.values()) if (a.ballot >= 0 && (best === null || a.ballot > best.ballot)) best = a;
      r.proposed.add(rep.rm);
      ready.push({ rm: rep.rm, ballot, value: best?.value ?? 'aborted', reads: best?.reads ?? null });
    }
    if (ready.length > 0 && t.decision === null) {
      for (const a of this.config.acceptors) ctx.send(a, { type: '2a', tx, ballot, proposals: ready });
    }
  }

  /** Phase 2b answers: an instance's value is chosen once F + 1 acceptors accepted it in one ballot. */
  private onAccepted(ctx: Ctx, acceptor: NodeId, tx: string, reports: readonly InstanceReport[]): void {
    const t = this.txs.get(tx);
    if (t === undefined) return;
    for (const rep of reports) {
      const view = t.instances.get(rep.rm);
      if (view === undefined || rep.value === null) continue;
      let entry = view.accepts.get(rep.ballot);
      if (entry === undefined) view.accepts.set(rep.ballot, (entry = { value: rep.value, reads: rep.reads, by: new Set() }));
      entry.by.add(acceptor);
      if (entry.by.size < this.quorum) continue;
      // Invariant (Paxos consistency): an instance never has two chosen values. Off under the planted bug,
      // which breaks it on purpose: the checkers must catch what follows.
      assert(this.config.quorumOffByOne || view.chosen === null || view.chosen.value === entry.value, `${ctx.self}: ${tx}/${rep.rm} chosen ${view.chosen?.value} and ${entry.value}`);
      if (view.chosen === null) view.chosen = { value: entry.value, reads: entry.reads };
    }
    if (t.decision !== null) return;
    const views = [...t.instances.values()];
    if (views.some((v) => v.chosen?.value === 'aborted')) this.decide(ctx, t, 'abort');
    else if (views.every((v) => v.chosen?.value === 'prepared')) this.decide(ctx, t, 'commit');
  }

  private decide(ctx: Ctx, t: LeaderTx, decision: Decision): void {
    t.decision = decision;
    t.recovery = null;
    ctx.cancelTimer(`tx:${t.info.tx}`);
    ctx.observe({ type: 'decide', tx: t.info.tx, decision });
    for (const rm of t.info.participants) ctx.send(rm, { type: 'decision', tx: t.info.tx, decision });
    this.answerClient(ctx, t);
  }

  /** Beyond the paper (it has no client): whichever leader decides answers the client the transaction carries. */
  private answerClient(ctx: Ctx, t: LeaderTx): void {
    if (t.info.client === null || t.decision === null) return;
    const reads: [NodeId, Readonly<Record<string, number>>][] = [];
    if (t.decision === 'commit') for (const [rm, v] of t.instances) if (v.chosen?.reads) reads.push([rm, v.chosen.reads]);
    ctx.send(t.info.client, { type: 'result', tx: t.info.tx, decision: t.decision, reads });
  }

  inspect(): unknown {
    return { decided: [...this.txs].filter(([, t]) => t.decision !== null).map(([tx, t]) => [tx, t.decision]) };
  }
}

// ---- resource manager ---------------------------------------------------------------------------------

/** What an RM keeps with its prepare record: enough to ask any leader to finish the transaction. */
interface RmMeta {
  readonly info: TxInfo;
}

export interface RmConfig {
  readonly leaders: readonly NodeId[];
  readonly acceptors: readonly NodeId[];
  readonly timeoutMicros: Micros;
  readonly retryMicros: Micros;
  readonly prepareNotSynced: boolean;
}

/** A resource manager: votes by running ballot 0 of its own instance, applies the leader's decision. */
export class PaxosCommitRm implements Process<PaxosCommitMessage, CommitFact> {
  rm: ResourceManager | null = null;
  /** Outcomes reported in this life (each at most once). */
  private readonly reported = new Set<string>();
  /** How many times each in-doubt transaction asked for help (rotates through the leaders). */
  private readonly asked = new Map<string, number>();
  private readonly infos = new Map<string, TxInfo>();

  constructor(private readonly config: RmConfig, private readonly bank: CommitNodesOptions['bank']) {}

  onStart(ctx: Ctx): void {
    this.rm = new ResourceManager(ctx.self, this.bank, ctx.disk, { prepareNotSynced: this.config.prepareNotSynced });
    for (const d of this.rm.recover()) {
      this.infos.set(d.tx, (d.meta as RmMeta).info);
      ctx.setTimer(`help:${d.tx}`, this.config.timeoutMicros);
    }
  }

  onMessage(ctx: Ctx, _from: NodeId, msg: PaxosCommitMessage): void {
    if (msg.type === 'prepare') this.onPrepare(ctx, msg);
    else if (msg.type === 'decision') this.apply(ctx, msg.tx, msg.decision);
  }

  /** The paper's Prepare: vote by sending phase 2a of ballot 0 of this RM's instance to every acceptor. */
  private onPrepare(ctx: Ctx, msg: Extract<PaxosCommitMessage, { type: 'prepare' }>): void {
    const rm = this.rm!;
    const { tx } = msg.info;
    const before = rm.state(tx);
    // Invariant (one value per ballot): ballot 0 of this RM's instance carries one value, ever. A decided
    // transaction sends nothing more (a prepare the network duplicated would otherwise turn an earlier
    // Prepared into an Aborted at ballot 0); a prepared one repeats Prepared.
    if (before === 'committed' || before === 'aborted') return;
    this.infos.set(tx, msg.info);
    const result = rm.prepare(tx, msg.work, { info: msg.info } satisfies RmMeta);
    const value: InstanceValue = result.vote === 'yes' ? 'prepared' : 'aborted';
    if (before === 'unknown') ctx.observe({ type: 'vote', tx, vote: result.vote });
    const reads = result.vote === 'yes' ? result.reads : null;
    for (const a of this.config.acceptors) ctx.send(a, { type: 'rm-2a', info: msg.info, leader: msg.leader, value, reads });
    if (result.vote === 'no') {
      // Aborting on its own is allowed before a yes vote; its instance can only choose Aborted. The abort
      // record is synced (beyond presumed abort): it is this RM's ballot-0 value, which a restart must not change.
      this.apply(ctx, tx, 'abort');
      ctx.disk.sync();
    } else {
      ctx.setTimer(`help:${tx}`, this.config.timeoutMicros);
    }
  }

  onTimer(ctx: Ctx, name: string): void {
    const tx = name.slice('help:'.length);
    if (this.rm!.state(tx) !== 'prepared') return;
    const info = this.infos.get(tx);
    if (info === undefined) return;
    // In doubt: ask the leaders in turn to finish the transaction (beyond the paper: how a backup learns it must act).
    const n = this.asked.get(tx) ?? 0;
    this.asked.set(tx, n + 1);
    ctx.send(this.config.leaders[n % this.config.leaders.length]!, { type: 'help', info });
    ctx.setTimer(name, this.config.retryMicros);
  }

  private apply(ctx: Ctx, tx: string, decision: Decision): void {
    const rm = this.rm!;
    if (decision === 'commit' && rm.state(tx) === 'unknown') {
      // No record here: the prepare record was lost (only under commit/prepare-not-synced). Nothing to
      // commit: it aborts here and says so, as 2PC's participant does (atomicity then sees the split).
      decision = 'abort';
    }
    if (decision === 'commit') rm.commit(tx);
    else rm.abort(tx);
    ctx.cancelTimer(`help:${tx}`);
    if (this.reported.has(tx)) return;
    this.reported.add(tx);
    ctx.observe({ type: 'outcome', tx, decision });
  }

  inspect(): unknown {
    // The checkers' ParticipantView (checks.ts): balances, and the transactions in doubt (those holding locks).
    return { balances: this.rm?.allBalances(), inDoubt: this.rm?.lockHolders(), lockHolders: this.rm?.lockHolders() };
  }
}

// ---- the builder --------------------------------------------------------------------------------------

const LEADER_MESSAGES: ReadonlySet<PaxosCommitMessage['type']> = new Set(['begin', 'help', '1b', '2b', 'nack']);
const ACCEPTOR_MESSAGES: ReadonlySet<PaxosCommitMessage['type']> = new Set(['rm-2a', '1a', '2a']);

/**
 * One node playing several roles (a backup leader on a participant's node, as the paper allows): each
 * message goes to the part it is for, each timer to the part that set it (`tx:` leader, `help:` RM).
 */
export class PaxosCommitNode implements Process<PaxosCommitMessage, CommitFact> {
  constructor(
    readonly leader: PaxosCommitLeader | null,
    readonly acceptor: PaxosCommitAcceptor | null,
    readonly rm: PaxosCommitRm | null,
  ) {}

  onStart(ctx: Ctx): void {
    const local = this.local(ctx);
    this.leader?.onStart();
    this.acceptor?.onStart(local);
    this.rm?.onStart(local);
  }

  onMessage(ctx: Ctx, from: NodeId, msg: PaxosCommitMessage): void {
    const local = this.local(ctx);
    this.dispatch(local, from, msg);
    this.drain(local, ctx.self);
  }

  onTimer(ctx: Ctx, name: string): void {
    const local = this.local(ctx);
    if (name.startsWith('tx:')) this.leader?.onTimer(local, name);
    else this.rm?.onTimer(local, name);
    this.drain(local, ctx.self);
  }

  private dispatch(ctx: Ctx, from: NodeId, msg: PaxosCommitMessage): void {
    if (LEADER_MESSAGES.has(msg.type)) this.leader?.onMessage(ctx, from, msg);
    else if (ACCEPTOR_MESSAGES.has(msg.type)) this.acceptor?.onMessage(ctx, from, msg);
    else this.rm?.onMessage(ctx, from, msg);
  }

  /** Messages between two roles of this node: handed over in the node, in order, no network hop (the paper's co-location). */
  private readonly inbox: PaxosCommitMessage[] = [];

  private drain(ctx: Ctx, self: NodeId): void {
    for (let i = 0; i < this.inbox.length; i++) this.dispatch(ctx, self, this.inbox[i]!);
    this.inbox.length = 0;
  }

  /** `ctx` with sends to this node itself kept in the node (the engine refuses a message to oneself). */
  private local(ctx: Ctx): Ctx {
    return {
      self: ctx.self, peers: ctx.peers, rng: ctx.rng, disk: ctx.disk, history: ctx.history,
      now: () => ctx.now(),
      send: (to, msg) => (to === ctx.self ? void this.inbox.push(msg) : ctx.send(to, msg)),
      setTimer: (name, after, options) => ctx.setTimer(name, after, options),
      cancelTimer: (name) => ctx.cancelTimer(name),
      observe: (fact) => ctx.observe(fact),
      failFastRatio: () => ctx.failFastRatio(),
      leave: () => ctx.leave(),
    };
  }

  inspect(): unknown {
    // A participant's node shows its ParticipantView at the top (checks.ts), whatever else it hosts.
    return { ...((this.rm?.inspect() as object | undefined) ?? {}), leader: this.leader?.inspect() };
  }
}

/**
 * Paxos Commit's nodes: the initial leader (role `coordinator`), backup leaders (role `leader`, or on a
 * participant's node), 2F + 1 acceptors (role `acceptor`), the resource managers (role `participant`).
 */
export const paxosCommitNodes: CommitNodesBuilder = (options) => {
  const leaders = [options.coordinator, ...options.leaders.filter((l) => l !== options.coordinator)];
  assert(options.acceptors.length % 2 === 1, `Paxos Commit needs 2F + 1 acceptors; got ${options.acceptors.length}`);
  const leaderConfig: LeaderConfig = {
    leaders, acceptors: options.acceptors, timeoutMicros: options.timing.timeoutMicros, quorumOffByOne: options.bugs.quorumOffByOne,
  };
  const rmConfig: RmConfig = {
    leaders, acceptors: options.acceptors, timeoutMicros: options.timing.timeoutMicros, retryMicros: options.timing.retryMicros,
    prepareNotSynced: options.bugs.prepareNotSynced,
  };
  const ids = [...new Set([...leaders, ...options.acceptors, ...options.participants])];
  return ids.map((id): NodeSpec<unknown, CommitFact> => {
    const isLeader = leaders.includes(id);
    const isAcceptor = options.acceptors.includes(id);
    const isRm = options.participants.includes(id);
    const role = id === options.coordinator ? 'coordinator' : isRm ? 'participant' : isAcceptor ? 'acceptor' : 'leader';
    const create = (): Process<PaxosCommitMessage, CommitFact> => new PaxosCommitNode(
      isLeader ? new PaxosCommitLeader(leaderConfig, id) : null,
      isAcceptor ? new PaxosCommitAcceptor() : null,
      isRm ? new PaxosCommitRm(rmConfig, options.bank) : null,
    );
    return { id, role, create: create as () => Process<unknown, CommitFact> };
  });
};
