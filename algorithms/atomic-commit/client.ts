// The bank client every atomic-commitment protocol here serves: one transaction at a time, a transfer
// between two random accounts (possibly on two shards) or an audit that reads every account. Assumes the
// transaction manager answers a duplicate `begin` idempotently (the client resends it until answered).

import type { Context, NodeId, NodeSpec, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { accountName, type AuditResult, type BankConfig, type BankTx, type ShardWork } from './bank.js';
import type { BeginTx, TxResult } from './config.js';

/** What a bank client does and how patiently. */
export interface BankClientConfig {
  /** Where `begin` goes: the transaction manager. */
  readonly coordinator: NodeId;
  /** The resource managers (shards), each with `bank.accountsPerShard` accounts. */
  readonly participants: readonly NodeId[];
  readonly bank: BankConfig;
  /** Share of transactions that are audits (0 … 1); the rest are transfers. */
  readonly auditRatio: number;
  /** A transfer moves 1 … amountMax. */
  readonly amountMax: number;
  readonly thinkMicrosMin: Micros;
  readonly thinkMicrosMax: Micros;
  /** `begin` is sent again this often until a result comes. */
  readonly resendMicros: Micros;
  /** Unanswered this long, the transaction is left open and the client moves on. */
  readonly timeoutMicros: Micros;
  /** No new transaction starts after this local time. */
  readonly stopAtMicros: Micros;
}

/** A transaction's id: `CLIENT.SEQ`. The sequence number grows by one per transaction of that client. */
export function txId(client: NodeId, seq: number): string {
  return `${client}.${seq}`;
}

/** The client and sequence number of a {@link txId}; undefined for an id of another shape. */
export function parseTxId(tx: string): { readonly client: string; readonly seq: number } | undefined {
  const dot = tx.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const seq = Number(tx.slice(dot + 1));
  return Number.isSafeInteger(seq) && seq >= 0 ? { client: tx.slice(0, dot), seq } : undefined;
}

interface Pending {
  readonly tx: string;
  readonly opId: number;
  readonly input: BankTx;
  readonly begin: BeginTx;
  readonly startedAt: Micros;
}

const SEQ_KEY = 'bank-client-seq';

/** Role `client`: runs bank transactions one at a time and records them in the history. */
export class BankClient implements Process<BeginTx | TxResult> {
  private pending: Pending | null = null;
  private seq = 0;

  constructor(private readonly config: BankClientConfig) {}

  onStart(ctx: Context<BeginTx | TxResult>): void {
    // A restarted client never reuses a transaction id: the sequence number is durable.
    this.seq = ctx.disk.read<number>(SEQ_KEY) ?? 0;
    this.scheduleNext(ctx);
  }

  onTimer(ctx: Context<BeginTx | TxResult>, name: string): void {
    if (name === 'next') this.start(ctx);
    else if (name === 'resend') this.resend(ctx);
  }

  onMessage(ctx: Context<BeginTx | TxResult>, _from: NodeId, msg: BeginTx | TxResult): void {
    if (msg.type !== 'result' || this.pending === null || msg.tx !== this.pending.tx) return;
    const { opId, input } = this.pending;
    this.pending = null;
    ctx.cancelTimer('resend');
    if (msg.decision === 'commit') {
      if (input.op === 'audit') {
        const balances: Record<string, number> = {};
        for (const [, reads] of msg.reads) Object.assign(balances, reads);
        const output: AuditResult = { balances };
        ctx.history.ok(opId, output);
      } else ctx.history.ok(opId, {});
    } else ctx.history.fail(opId, { decision: 'abort' });
    this.scheduleNext(ctx);
  }

  inspect(): { readonly pending: string | null } {
    return { pending: this.pending?.tx ?? null };
  }

  private scheduleNext(ctx: Context<BeginTx | TxResult>): void {
    ctx.setTimer('next', ctx.rng.int(this.config.thinkMicrosMin, this.config.thinkMicrosMax));
  }

  private start(ctx: Context<BeginTx | TxResult>): void {
    if (this.pending !== null || ctx.now() >= this.config.stopAtMicros) return;
    this.seq++;
    ctx.disk.write(SEQ_KEY, this.seq);
    ctx.disk.sync();
    const tx = txId(ctx.self, this.seq);
    const { input, work } = this.pickTransaction(ctx, tx);
    const begin: BeginTx = { type: 'begin', tx, work };
    const opId = ctx.history.invoke(input);
    this.pending = { tx, opId, input, begin, startedAt: ctx.now() };
    ctx.send(this.config.coordinator, begin);
    ctx.setTimer('resend', this.config.resendMicros);
  }

  private resend(ctx: Context<BeginTx | TxResult>): void {
    if (this.pending === null) return;
    if (ctx.now() - this.pending.startedAt >= this.config.timeoutMicros) {
      // Given up: the transaction stays open in the history (it may still commit or abort).
      this.pending = null;
      this.scheduleNext(ctx);
      return;
    }
    ctx.send(this.config.coordinator, this.pending.begin);
    ctx.setTimer('resend', this.config.resendMicros);
  }

  /** A transfer between two distinct random accounts, or an audit of every account. */
  private pickTransaction(ctx: Context<BeginTx | TxResult>, tx: string): { input: BankTx; work: BeginTx['work'] } {
    const { participants, bank } = this.config;
    const accounts = participants.length * bank.accountsPerShard;
    if (accounts < 2 || ctx.rng.chance(this.config.auditRatio)) {
      return { input: { op: 'audit', tx }, work: participants.map((p) => [p, { deltas: [], readAll: true }] as const) };
    }
    const from = ctx.rng.int(0, accounts - 1);
    let to = ctx.rng.int(0, accounts - 2);
    if (to >= from) to++;
    const amount = ctx.rng.int(1, this.config.amountMax);
    const shardOf = (i: number) => participants[Math.floor(i / bank.accountsPerShard)]!;
    const nameOf = (i: number) => accountName(shardOf(i), i % bank.accountsPerShard);
    const byShard = new Map<NodeId, [string, number][]>();
    for (const [i, delta] of [[from, -amount], [to, amount]] as const) {
      const list = byShard.get(shardOf(i)) ?? [];
      list.push([nameOf(i), delta]);
      byShard.set(shardOf(i), list);
    }
    const work = [...byShard].map(([p, deltas]): readonly [NodeId, ShardWork] => [p, { deltas, readAll: false }]);
    return { input: { op: 'transfer', tx, from: nameOf(from), to: nameOf(to), amount }, work };
  }
}

/** Clients c1 … cCOUNT, each a {@link BankClient} with `config`. */
export function clientNodes(count: number, config: BankClientConfig): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ id: `c${i + 1}`, role: 'client', create: () => new BankClient(config) }));
}
