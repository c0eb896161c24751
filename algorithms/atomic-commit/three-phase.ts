// Three-phase commit (Skeen 1981, "Nonblocking commit protocols"; Bernstein, Hadzilacos & Goodman 1987,
// ch. 7, "3PC"), central-site version, with its termination protocol. Read it beside the paper: the
// coordinator's states are q1 w1 p1 c1 a1, a participant's (a "slave" in Skeen) q w p c a. Phase 1:
// CanCommit? (BHG: VOTE-REQ), each participant votes (yes: ResourceManager.prepare, state w). Phase 2:
// all yes → PreCommit (BHG: PRE-COMMIT) to all, each enters p and acks. Phase 3: DoCommit after the acks.
// No state of the protocol is adjacent to both commit and abort, which is what makes it nonblocking —
// ASSUMING THE FAIL-STOP MODEL: failures are crashes, and a timeout means the silent site has crashed.
// Under a network partition that assumption is false, both sides run the termination protocol, and they
// can decide differently (commit on the side that saw a PreCommit, abort on the side that did not). This
// module implements the protocol as published and does not fix that: the `3pc-partition` scenario
// shows it.

import { assert } from '../../sim/assert.js';
import type { NodeId, NodeSpec, Context, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { ShardWork } from './bank.js';
import type { BeginTx, CommitNodesBuilder, CommitNodesOptions, TxResult } from './config.js';
import type { CommitFact, Decision } from './facts.js';
import { ResourceManager } from './resource-manager.js';

/** A 3PC site's state for one transaction (Skeen's q, w, p, c, a). */
export type ThreePcState = 'q' | 'w' | 'p' | 'c' | 'a';

/** What a participant keeps with its transaction's log record (`LogRecord.meta`): who runs it, and its 3PC state. */
export interface ThreePcMeta {
  readonly coordinator: NodeId;
  /** Every participant of the transaction (the termination protocol's electorate), sorted. */
  readonly participants: readonly NodeId[];
  /** w (voted yes, uncertain) or p (pre-committed); c and a are also the resource manager's record state. */
  readonly phase: ThreePcState;
}

/** The protocol's messages (the client's BeginTx/TxResult besides). */
export type ThreePcMessage =
  /** Phase 1, coordinator → participant (Skeen's "xact", BHG's VOTE-REQ). */
  | { readonly type: 'can-commit'; readonly tx: string; readonly work: ShardWork; readonly participants: readonly NodeId[] }
  | { readonly type: 'vote'; readonly tx: string; readonly vote: 'yes' | 'no'; readonly reads: Readonly<Record<string, number>> | null }
  /** Phase 2, from the coordinator or a backup coordinator; answered with `ack` to the sender. */
  | { readonly type: 'pre-commit'; readonly tx: string }
  | { readonly type: 'ack'; readonly tx: string }
  /** Phase 3 (or a backup coordinator's decision). */
  | { readonly type: 'do-commit'; readonly tx: string }
  | { readonly type: 'abort'; readonly tx: string }
  /** Termination protocol: a participant that timed out asks the one it elected (lowest id it has not found failed) to terminate `tx`. */
  | { readonly type: 'elect'; readonly tx: string }
  /** Termination protocol: the backup coordinator collects the states of the live participants. */
  | { readonly type: 'state-req'; readonly tx: string }
  | { readonly type: 'state-report'; readonly tx: string; readonly state: ThreePcState }
  /** Recovery: a site that failed while undecided asks the others for the decision. */
  | { readonly type: 'decision-req'; readonly tx: string }
  /**
   * Recovery, total failure (BHG 7.5): the answer to a decision-req from a site that is itself recovering
   * and undecided — it cannot help, but says in which state it waits.
   */
  | { readonly type: 'undecided'; readonly tx: string; readonly state: ThreePcState };

type Message = ThreePcMessage | BeginTx | TxResult;

/** The timing a 3PC node runs with (derived from {@link CommitNodesOptions.timing}). */
export interface ThreePcTiming {
  /** The coordinator's wait for votes (then abort) and for acks (then commit); a backup coordinator's wait for states and acks. */
  readonly coordinatorTimeoutMicros: Micros;
  /** A participant's wait in w or p before it starts the termination protocol, and its wait for the one it elected. */
  readonly participantTimeoutMicros: Micros;
  /** A recovering site asks for the decision this often. */
  readonly retryMicros: Micros;
}

/**
 * The timing from the shared options. Beyond the paper: the fail-stop model takes timeouts as perfect
 * failure detection; here a participant waits three coordinator timeouts, so a live coordinator has
 * always finished (votes, acks) before a participant suspects it on a loss-free network whose delays
 * stay well under the timeout (a heavy-tailed latency model can break that, as can any lost message).
 */
export function threePcTiming(options: CommitNodesOptions): ThreePcTiming {
  return {
    coordinatorTimeoutMicros: options.timing.timeoutMicros,
    participantTimeoutMicros: 3 * options.timing.timeoutMicros,
    retryMicros: options.timing.retryMicros,
  };
}

// ---- coordinator -------------------------------------------------------------------------------

/** The coordinator's durable record of a transaction (`tm/<tx>` on its disk). */
interface CoordinatorRecord {
  readonly phase: ThreePcState;
  readonly participants: readonly NodeId[];
  readonly client: NodeId;
  /** The audit reads the yes votes brought (kept with p, for the client's answer after a restart). */
  readonly reads: readonly (readonly [NodeId, Readonly<Record<string, number>>])[];
}

interface CoordinatorTx {
  phase: ThreePcState;
  readonly participants: readonly NodeId[];
  readonly client: NodeId;
  readonly votes: Map<NodeId, 'yes' | 'no'>;
  readonly reads: Map<NodeId, Readonly<Record<string, number>>>;
  readonly acks: Set<NodeId>;
  /** Restarted in p: waiting to learn the decision from the participants (it cannot decide alone). */
  recovering: boolean;
}

const tmKey = (tx: string) => `tm/${tx}`;

/** The transaction manager: runs 3PC's three phases for every BeginTx a client sends. */
export class ThreePcCoordinator implements Process<Message, CommitFact> {
  private readonly txs = new Map<string, CoordinatorTx>();

  constructor(private readonly timing: ThreePcTiming) {}

  onStart(ctx: Context<Message, CommitFact>): void {
    // Recovery (BHG 7.5): a coordinator that failed in w aborts (no participant can be in p, as p is
    // logged before any PreCommit leaves); one that failed in p must ask, since the participants'
    // termination protocol may have gone either way; c and a are known.
    for (const key of ctx.disk.keys()) {
      if (!key.startsWith('tm/')) continue;
      const tx = key.slice(3);
      const record = ctx.disk.read<CoordinatorRecord>(key)!;
      const state: CoordinatorTx = {
        phase: record.phase, participants: record.participants, client: record.client,
        votes: new Map(), reads: new Map(record.reads), acks: new Set(), recovering: false,
      };
      this.txs.set(tx, state);
      if (record.phase === 'w' || record.phase === 'q') this.decide(ctx, tx, state, 'abort');
      else if (record.phase === 'p') {
        state.recovering = true;
        this.askDecision(ctx, tx, state);
      }
    }
  }

  onMessage(ctx: Context<Message, CommitFact>, from: NodeId, msg: Message): void {
    switch (msg.type) {
      case 'begin': return this.begin(ctx, from, msg);
      case 'vote': return this.onVote(ctx, from, msg.tx, msg.vote, msg.reads);
      case 'ack': return this.onAck(ctx, from, msg.tx);
      case 'do-commit': case 'abort': return this.learn(ctx, msg.tx, msg.type === 'do-commit' ? 'commit' : 'abort');
      case 'decision-req': {
        const state = this.txs.get(msg.tx);
        // Presumed abort: a transaction this coordinator has no record of never reached p.
        const phase = state?.phase ?? 'a';
        if (phase === 'c') ctx.send(from, { type: 'do-commit', tx: msg.tx });
        else if (phase === 'a') ctx.send(from, { type: 'abort', tx: msg.tx });
        else if (state!.recovering) ctx.send(from, { type: 'undecided', tx: msg.tx, state: phase });
        return;
      }
      default: return;
    }
  }

  onTimer(ctx: Context<Message, CommitFact>, name: string): void {
    const tx = name.slice(name.indexOf(':') + 1);
    const state = this.txs.get(tx);
    if (state === undefined) return;
    if (name.startsWith('ask:')) {
      if (state.recovering) this.askDecision(ctx, tx, state);
      return;
    }
    if (state.recovering) return;
    // Skeen's timeout transitions at the coordinator: a vote missing in w1 → abort; an ack missing in p1
    // → commit (every participant voted yes; one that did not ack is taken as failed, and learns the
    // decision when it recovers).
    if (state.phase === 'w') this.decide(ctx, tx, state, 'abort');
    else if (state.phase === 'p') this.decide(ctx, tx, state, 'commit');
  }

  inspect(): unknown {
    return Object.fromEntries([...this.txs].map(([tx, s]) => [tx, s.phase]));
  }

  private begin(ctx: Context<Message, CommitFact>, client: NodeId, msg: BeginTx): void {
    const known = this.txs.get(msg.tx);
    if (known !== undefined) {
      // A client's retry: answer again once decided.
      if (known.phase === 'c' || known.phase === 'a') this.reply(ctx, msg.tx, known);
      return;
    }
    const participants = [...new Set(msg.work.map(([rm]) => rm))].sort();
    const state: CoordinatorTx = { phase: 'w', participants, client, votes: new Map(), reads: new Map(), acks: new Set(), recovering: false };
    this.txs.set(msg.tx, state);
    ctx.observe({ type: 'tx-begin', tx: msg.tx, participants });
    // Beyond the paper: w is logged and synced before the first CanCommit leaves, so a coordinator that
    // crashes and restarts knows the transaction (and aborts it, as Skeen's recovery from w does) instead
    // of taking the client's retried begin for a new one and starting it again while the participants
    // terminate the first attempt (found by 3pc-chaos: the two attempts decided differently).
    this.log(ctx, msg.tx, state, true);
    for (const [rm, work] of msg.work) ctx.send(rm, { type: 'can-commit', tx: msg.tx, work, participants });
    ctx.setTimer(`t:${msg.tx}`, this.timing.coordinatorTimeoutMicros);
  }

  private onVote(ctx: Context<Message, CommitFact>, from: NodeId, tx: string, vote: 'yes' | 'no', reads: Readonly<Record<string, number>> | null): void {
    const state = this.txs.get(tx);
    if (state === undefined || state.phase !== 'w' || !state.participants.includes(from)) return;
    state.votes.set(from, vote);
    if (reads !== null) state.reads.set(from, reads);
    if (vote === 'no') return this.decide(ctx, tx, state, 'abort');
    if (state.votes.size < state.participants.length) return;
    // Every vote is yes: phase 2. p is logged before the first PreCommit leaves.
    state.phase = 'p';
    this.log(ctx, tx, state, true);
    for (const rm of state.participants) ctx.send(rm, { type: 'pre-commit', tx });
    ctx.setTimer(`t:${tx}`, this.timing.coordinatorTimeoutMicros);
  }

  private onAck(ctx: Context<Message, CommitFact>, from: NodeId, tx: string): void {
    const state = this.txs.get(tx);
    if (state === undefined || state.phase !== 'p' || state.recovering || !state.participants.includes(from)) return;
    state.acks.add(from);
    if (state.acks.size === state.participants.length) this.decide(ctx, tx, state, 'commit');
  }

  /** The coordinator decides: logs the decision, then sends it (phase 3's DoCommit, or abort) and answers the client. */
  private decide(ctx: Context<Message, CommitFact>, tx: string, state: CoordinatorTx, decision: Decision): void {
    // Local invariant: 3PC's coordinator commits only from p (all voted yes), never from w.
    assert(decision === 'abort' || state.phase === 'p', `3pc coordinator: commit of ${tx} from ${state.phase}`);
    state.phase = decision === 'commit' ? 'c' : 'a';
    ctx.cancelTimer(`t:${tx}`);
    this.log(ctx, tx, state, decision === 'commit');
    ctx.observe({ type: 'decide', tx, decision });
    const targets = decision === 'commit' ? state.participants : state.participants.filter((rm) => state.votes.get(rm) !== 'no');
    for (const rm of targets) ctx.send(rm, { type: decision === 'commit' ? 'do-commit' : 'abort', tx });
    this.reply(ctx, tx, state);
  }

  /** A restarted coordinator learns the decision from a participant (it does not decide: it reports no `decide`). */
  private learn(ctx: Context<Message, CommitFact>, tx: string, decision: Decision): void {
    const state = this.txs.get(tx);
    if (state === undefined || !state.recovering) return;
    state.recovering = false;
    state.phase = decision === 'commit' ? 'c' : 'a';
    ctx.cancelTimer(`ask:${tx}`);
    this.log(ctx, tx, state, decision === 'commit');
    this.reply(ctx, tx, state);
  }

  private askDecision(ctx: Context<Message, CommitFact>, tx: string, state: CoordinatorTx): void {
    for (const rm of state.participants) ctx.send(rm, { type: 'decision-req', tx });
    ctx.setTimer(`ask:${tx}`, this.timing.retryMicros);
  }

  private reply(ctx: Context<Message, CommitFact>, tx: string, state: CoordinatorTx): void {
    const decision: Decision = state.phase === 'c' ? 'commit' : 'abort';
    ctx.send(state.client, { type: 'result', tx, decision, reads: decision === 'commit' ? [...state.reads].sort(([a], [b]) => (a < b ? -1 : 1)) : [] });
  }

  private log(ctx: Context<Message, CommitFact>, tx: string, state: CoordinatorTx, sync: boolean): void {
    const record: CoordinatorRecord = { phase: state.phase, participants: state.participants, client: state.client, reads: [...state.reads] };
    ctx.disk.write(tmKey(tx), record);
    if (sync) ctx.disk.sync();
  }
}

// ---- participant -------------------------------------------------------------------------------

/** A participant's volatile part in the termination protocol for one transaction. */
interface Termination {
  /** Participants found failed (silent past a timeout): fail-stop takes them as crashed. */
  readonly failed: Set<NodeId>;
  /** `follower`: waiting for `leader` (elected, or a backup that asked our state); `backup`: collecting states; `precommitting`: TR4's second round. */
  mode: 'follower' | 'backup' | 'precommitting';
  leader: NodeId;
  readonly reports: Map<NodeId, ThreePcState>;
  readonly acks: Set<NodeId>;
}

/** A resource manager running 3PC's participant side and, when its coordinator fails, the termination protocol. */
export class ThreePcParticipant implements Process<Message, CommitFact> {
  private rm!: ResourceManager;
  private readonly terminations = new Map<string, Termination>();
  /** Transactions found undecided at a restart: BHG 7.5, a recovered site asks for the decision and takes no part in termination. */
  private readonly recovering = new Set<string>();
  /** Per transaction being recovered: the sites that answered that they, too, are recovering and undecided, with their states. */
  private readonly undecidedPeers = new Map<string, Map<NodeId, ThreePcState>>();

  constructor(private readonly timing: ThreePcTiming, private readonly bank: CommitNodesOptions['bank'], private readonly prepareNotSynced: boolean) {}

  onStart(ctx: Context<Message, CommitFact>): void {
    this.rm = new ResourceManager(ctx.self, this.bank, ctx.disk, { prepareNotSynced: this.prepareNotSynced });
    for (const doubt of this.rm.recover()) {
      this.recovering.add(doubt.tx);
      this.askDecision(ctx, doubt.tx);
    }
  }

  onMessage(ctx: Context<Message, CommitFact>, from: NodeId, msg: Message): void {
    switch (msg.type) {
      case 'can-commit': return this.onCanCommit(ctx, from, msg);
      case 'pre-commit': return this.onPreCommit(ctx, from, msg.tx);
      case 'do-commit': return this.finish(ctx, msg.tx, 'commit');
      case 'abort': return this.finish(ctx, msg.tx, 'abort');
      case 'elect': return this.onElect(ctx, msg.tx);
      case 'state-req': return this.onStateReq(ctx, from, msg.tx);
      case 'state-report': return this.onStateReport(ctx, from, msg.tx, msg.state);
      case 'ack': return this.onBackupAck(ctx, from, msg.tx);
      case 'decision-req': {
        const state = this.state(msg.tx);
        if (state === 'c') ctx.send(from, { type: 'do-commit', tx: msg.tx });
        else if (state === 'a') ctx.send(from, { type: 'abort', tx: msg.tx });
        else if (this.recovering.has(msg.tx)) ctx.send(from, { type: 'undecided', tx: msg.tx, state });
        return;
      }
      case 'undecided': return this.onUndecided(ctx, from, msg.tx, msg.state);
      default: return;
    }
  }

  onTimer(ctx: Context<Message, CommitFact>, name: string): void {
    const colon = name.indexOf(':');
    const kind = name.slice(0, colon);
    const tx = name.slice(colon + 1);
    const state = this.state(tx);
    if (state === 'c' || state === 'a') return;
    if (kind === 'ask') {
      if (this.recovering.has(tx)) this.askDecision(ctx, tx);
      return;
    }
    if (this.recovering.has(tx)) return;
    if (kind === 't') return this.elect(ctx, tx, new Set());
    const term = this.terminations.get(tx);
    if (term === undefined) return;
    if (term.mode === 'follower') {
      // The one we waited for is silent: fail-stop takes it as crashed; elect the next.
      term.failed.add(term.leader);
      return this.elect(ctx, tx, term.failed);
    }
    if (term.mode === 'backup') {
      for (const rm of this.meta(tx).participants) if (rm !== ctx.self && !term.reports.has(rm)) term.failed.add(rm);
      return this.terminate(ctx, tx, term);
    }
    // TR4's acks are in, or the silent ones are taken as failed: commit.
    return this.backupDecide(ctx, tx, 'commit');
  }

  inspect(): unknown {
    // The checkers' ParticipantView (checks.ts): balances, and the transactions in doubt — prepared and
    // undecided, which are exactly those holding locks.
    return { balances: this.rm.allBalances(), inDoubt: this.rm.lockHolders(), lockHolders: this.rm.lockHolders() };
  }

  /** 3PC's state of `tx` here: q (no record), w, p (prepared, per meta), c, a. */
  private state(tx: string): ThreePcState {
    switch (this.rm.state(tx)) {
      case 'unknown': return 'q';
      case 'committed': return 'c';
      case 'aborted': return 'a';
      case 'prepared': return this.meta(tx).phase === 'p' ? 'p' : 'w';
    }
  }

  private meta(tx: string): ThreePcMeta {
    return this.rm.meta(tx) as ThreePcMeta;
  }

  // Phase 1: q → w (yes) or q → a (no, a unilateral abort).
  private onCanCommit(ctx: Context<Message, CommitFact>, from: NodeId, msg: Extract<ThreePcMessage, { type: 'can-commit' }>): void {
    const before = this.state(msg.tx);
    const meta: ThreePcMeta = { coordinator: from, participants: msg.participants, phase: 'w' };
    const result = this.rm.prepare(msg.tx, msg.work, meta);
    if (before !== 'q') {
      // A duplicate CanCommit: vote again, report nothing new.
      ctx.send(from, { type: 'vote', tx: msg.tx, vote: result.vote, reads: result.vote === 'yes' ? result.reads : null });
      return;
    }
    ctx.observe({ type: 'vote', tx: msg.tx, vote: result.vote });
    if (result.vote === 'no') {
      this.rm.abort(msg.tx, { ...meta, phase: 'a' });
      ctx.observe({ type: 'outcome', tx: msg.tx, decision: 'abort' });
      ctx.send(from, { type: 'vote', tx: msg.tx, vote: 'no', reads: null });
      return;
    }
    ctx.send(from, { type: 'vote', tx: msg.tx, vote: 'yes', reads: result.reads });
    ctx.setTimer(`t:${msg.tx}`, this.timing.participantTimeoutMicros);
  }

  // Phase 2: w → p, then ack (to the coordinator, or to the backup coordinator that sent it).
  private onPreCommit(ctx: Context<Message, CommitFact>, from: NodeId, tx: string): void {
    const state = this.state(tx);
    if (state === 'q' || state === 'a') return;
    if (state === 'w') this.enterP(ctx, tx);
    ctx.send(from, { type: 'ack', tx });
    if (state !== 'c' && !this.recovering.has(tx) && this.terminations.get(tx)?.mode !== 'precommitting') {
      ctx.setTimer(`t:${tx}`, this.timing.participantTimeoutMicros);
    }
  }

  private enterP(ctx: Context<Message, CommitFact>, tx: string): void {
    this.rm.updateMeta(tx, { ...this.meta(tx), phase: 'p' } satisfies ThreePcMeta);
    ctx.observe({ type: 'precommit', tx });
  }

  /** Applies a decision here (phase 3, a backup's decision, or one learned at recovery): once. */
  private finish(ctx: Context<Message, CommitFact>, tx: string, decision: Decision): void {
    const state = this.state(tx);
    if (state === 'c' || state === 'a') return;
    if (state === 'q') {
      if (decision === 'abort') this.rm.abort(tx, null);
      return;
    }
    if (decision === 'commit') this.rm.commit(tx);
    else this.rm.abort(tx, { ...this.meta(tx), phase: 'a' } satisfies ThreePcMeta);
    ctx.observe({ type: 'outcome', tx, decision });
    this.recovering.delete(tx);
    this.undecidedPeers.delete(tx);
    this.terminations.delete(tx);
    ctx.cancelTimer(`t:${tx}`);
    ctx.cancelTimer(`term:${tx}`);
    ctx.cancelTimer(`ask:${tx}`);
  }

  // ---- the termination protocol (Skeen 1981 §"termination"; BHG 7.5) ----

  /** Election: the lowest-id participant not found failed is the backup coordinator (deterministic). */
  private elect(ctx: Context<Message, CommitFact>, tx: string, failed: Set<NodeId>): void {
    const candidate = [...this.meta(tx).participants].sort().find((rm) => !failed.has(rm));
    assert(candidate !== undefined, `${ctx.self}: no candidate for ${tx}'s backup coordinator, though it is one`);
    if (candidate === ctx.self) return this.becomeBackup(ctx, tx, failed);
    this.terminations.set(tx, { failed, mode: 'follower', leader: candidate, reports: new Map(), acks: new Set() });
    ctx.send(candidate, { type: 'elect', tx });
    ctx.setTimer(`term:${tx}`, this.timing.participantTimeoutMicros);
  }

  private onElect(ctx: Context<Message, CommitFact>, tx: string): void {
    const state = this.state(tx);
    if (state === 'q' || state === 'c' || state === 'a' || this.recovering.has(tx)) return this.onElectDecided(ctx, tx, state);
    const term = this.terminations.get(tx);
    if (term !== undefined && term.mode !== 'follower') return;
    this.becomeBackup(ctx, tx, term?.failed ?? new Set());
  }

  /** Elected though decided: tell every participant the decision (as the backup that decided would). In q or recovering: stay silent. */
  private onElectDecided(ctx: Context<Message, CommitFact>, tx: string, state: ThreePcState): void {
    // A transaction aborted in q (never voted) has no participant list here: the elector, silent-timed, elects past us.
    const participants = (this.rm.meta(tx) as ThreePcMeta | null | undefined)?.participants ?? [];
    if (state === 'c' || state === 'a') {
      for (const rm of participants) if (rm !== ctx.self) ctx.send(rm, { type: state === 'c' ? 'do-commit' : 'abort', tx });
    }
  }

  /** Phase 1 of termination: the backup coordinator asks every other participant for its state. */
  private becomeBackup(ctx: Context<Message, CommitFact>, tx: string, failed: Set<NodeId>): void {
    const term: Termination = { failed, mode: 'backup', leader: ctx.self, reports: new Map([[ctx.self, this.state(tx)]]), acks: new Set() };
    this.terminations.set(tx, term);
    ctx.cancelTimer(`t:${tx}`);
    for (const rm of this.meta(tx).participants) if (rm !== ctx.self) ctx.send(rm, { type: 'state-req', tx });
    ctx.setTimer(`term:${tx}`, this.timing.coordinatorTimeoutMicros);
  }

  private onStateReq(ctx: Context<Message, CommitFact>, from: NodeId, tx: string): void {
    if (this.recovering.has(tx)) return;
    let state = this.state(tx);
    if (state === 'q') {
      // Skeen's timeout transition from q is to a: a site that never voted aborts on its own. The abort
      // is forced before it is reported: after a crash a duplicated CanCommit must not find it ready to vote yes.
      this.rm.abort(tx, null);
      ctx.disk.sync();
      state = 'a';
    }
    ctx.send(from, { type: 'state-report', tx, state });
    if (state === 'c' || state === 'a') return;
    // Wait for this backup's decision; if it goes silent, it has failed and we elect past it.
    const term = this.terminations.get(tx);
    if (term !== undefined && term.mode !== 'follower' && from > ctx.self) return;
    const failed = term?.failed ?? new Set<NodeId>();
    this.terminations.set(tx, { failed, mode: 'follower', leader: from, reports: new Map(), acks: new Set() });
    ctx.cancelTimer(`t:${tx}`);
    ctx.setTimer(`term:${tx}`, this.timing.participantTimeoutMicros);
  }

  private onStateReport(ctx: Context<Message, CommitFact>, from: NodeId, tx: string, state: ThreePcState): void {
    const term = this.terminations.get(tx);
    if (term === undefined || term.mode !== 'backup') return;
    term.reports.set(from, state);
    if (term.reports.size === this.meta(tx).participants.length) this.terminate(ctx, tx, term);
  }

  /**
   * The termination rule over the states collected (BHG's TR1–TR4): some aborted → abort; some committed →
   * commit; some pre-committed → PreCommit to the uncertain ones, await their acks, then commit; all
   * uncertain → abort. The participants that did not answer are taken as failed.
   */
  private terminate(ctx: Context<Message, CommitFact>, tx: string, term: Termination): void {
    // Its own state as it is now: a PreCommit may have moved it to p since it became the backup.
    term.reports.set(ctx.self, this.state(tx));
    const states = [...term.reports.values()];
    if (states.includes('a')) return this.backupDecide(ctx, tx, 'abort');
    if (states.includes('c')) return this.backupDecide(ctx, tx, 'commit');
    if (states.includes('p')) {
      if (this.state(tx) === 'w') this.enterP(ctx, tx);
      const uncertain = [...term.reports].filter(([rm, s]) => rm !== ctx.self && s === 'w').map(([rm]) => rm);
      if (uncertain.length === 0) return this.backupDecide(ctx, tx, 'commit');
      term.mode = 'precommitting';
      for (const rm of uncertain) ctx.send(rm, { type: 'pre-commit', tx });
      ctx.setTimer(`term:${tx}`, this.timing.coordinatorTimeoutMicros);
      return;
    }
    return this.backupDecide(ctx, tx, 'abort');
  }

  private onBackupAck(ctx: Context<Message, CommitFact>, from: NodeId, tx: string): void {
    const term = this.terminations.get(tx);
    if (term === undefined || term.mode !== 'precommitting') return;
    term.acks.add(from);
    const uncertain = [...term.reports].filter(([rm, s]) => rm !== ctx.self && s === 'w').map(([rm]) => rm);
    if (uncertain.every((rm) => term.acks.has(rm))) this.backupDecide(ctx, tx, 'commit');
  }

  /** The backup coordinator decides, applies the decision here, and tells every other participant. */
  private backupDecide(ctx: Context<Message, CommitFact>, tx: string, decision: Decision): void {
    // Local invariant: a backup commits only from p (it moved there itself under TR4), or when some
    // participant reported committed (TR2).
    const reports = this.terminations.get(tx)?.reports;
    assert(decision === 'abort' || this.state(tx) === 'p' || [...(reports?.values() ?? [])].includes('c'),
      `${ctx.self}: backup commit of ${tx} from ${this.state(tx)} with no participant committed`);
    const participants = this.meta(tx).participants;
    ctx.observe({ type: 'decide', tx, decision });
    this.finish(ctx, tx, decision);
    for (const rm of participants) if (rm !== ctx.self) ctx.send(rm, { type: decision === 'commit' ? 'do-commit' : 'abort', tx });
  }

  /**
   * Total failure (BHG 7.5): every site of the transaction — the coordinator and every participant — has
   * failed and come back undecided, so nobody is left to run the termination protocol and asking alone
   * would go on forever. Once the lowest participant, itself recovering, has heard from every other site
   * that it is recovering and undecided too, it applies the termination rule to all their states (no site
   * can have decided: a decision is logged before it is sent, and a site that logged one answers with it).
   * Only that one site decides, and the others keep asking until it tells them, so there is one decision.
   */
  private onUndecided(ctx: Context<Message, CommitFact>, from: NodeId, tx: string, state: ThreePcState): void {
    if (!this.recovering.has(tx)) return;
    const meta = this.meta(tx);
    const decider = [...meta.participants].sort()[0];
    if (decider !== ctx.self) return;
    let peers = this.undecidedPeers.get(tx);
    if (peers === undefined) this.undecidedPeers.set(tx, (peers = new Map()));
    peers.set(from, state);
    const sites = [meta.coordinator, ...meta.participants].filter((site) => site !== ctx.self);
    if (!sites.every((site) => peers.has(site))) return;
    const states = [this.state(tx), ...peers.values()];
    // TR1–TR4 over every site: nobody decided (no c or a); some pre-committed → commit (every participant
    // voted yes); all uncertain → abort.
    const decision: Decision = states.includes('a') || states.includes('q') ? 'abort' : states.includes('p') ? 'commit' : 'abort';
    assert(!states.includes('c'), `${ctx.self}: ${tx} reported committed and undecided at once`);
    ctx.observe({ type: 'decide', tx, decision });
    this.finish(ctx, tx, decision);
    for (const site of sites) ctx.send(site, { type: decision === 'commit' ? 'do-commit' : 'abort', tx });
  }

  private askDecision(ctx: Context<Message, CommitFact>, tx: string): void {
    const meta = this.meta(tx);
    ctx.send(meta.coordinator, { type: 'decision-req', tx });
    for (const rm of meta.participants) if (rm !== ctx.self) ctx.send(rm, { type: 'decision-req', tx });
    ctx.setTimer(`ask:${tx}`, this.timing.retryMicros);
  }
}

/**
 * 3PC's nodes: the coordinator (role `coordinator`, id `options.coordinator`) and one participant per
 * resource manager (role `participant`). No acceptors.
 */
export const threePhaseNodes: CommitNodesBuilder = (options) => {
  const timing = threePcTiming(options);
  const nodes: NodeSpec<Message, CommitFact>[] = [
    { id: options.coordinator, role: 'coordinator', create: () => new ThreePcCoordinator(timing) },
    ...options.participants.map((id) => ({
      id, role: 'participant',
      create: () => new ThreePcParticipant(timing, options.bank, options.bugs.prepareNotSynced),
    })),
  ];
  return nodes as NodeSpec<unknown, CommitFact>[];
};
