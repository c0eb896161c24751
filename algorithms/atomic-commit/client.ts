// The bank client every atomic-commitment protocol here serves: one transaction at a time, a transfer
// between two random accounts (possibly on two shards) or an audit that reads every account. Assumes the
// transaction manager answers a duplicate `begin` idempotently (the client resends it until answered).
// A schedule's `request` entry makes it run one transaction on demand (a given transfer or audit, or one
// drawn as the workload draws): at once when idle, else queued behind the pending one.

import type { Context, NodeId, NodeSpec, Process, RequestCheck } from '../../sim/process.js';
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

/** Bound: requests waiting behind the pending transaction; more are ignored. */
export const BANK_REQUESTS_QUEUED_MAX = 64;

/** A transaction a schedule asks for: a transfer between two accounts, or an audit (its id is the client's to give). */
export type BankRequest =
  | { readonly op: 'transfer'; readonly from: string; readonly to: string; readonly amount: number }
  | { readonly op: 'audit' };

/** Every account of the bank, in order: shard by shard, `accountsPerShard` each. */
function accountNames(config: BankClientConfig): string[] {
  return config.participants.flatMap((p) => Array.from({ length: config.bank.accountsPerShard }, (_, a) => accountName(p, a)));
}

/**
 * A transaction a schedule asks a bank client to run, in canonical form (`op`, then `from`, `to`,
 * `amount`), or what is wrong with it: a transfer moves 1 … amountMax between two different accounts.
 */
export function checkBankRequest(raw: unknown, config: BankClientConfig): RequestCheck {
  const shape = '{"op": "audit"} or {"op": "transfer", "from": ACCOUNT, "to": ACCOUNT, "amount": N}';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `must be ${shape}` };
  const { op, from, to, amount, ...extra } = raw as Record<string, unknown>;
  if (op !== 'audit' && op !== 'transfer') return { problem: `op must be transfer or audit; got ${JSON.stringify(op) ?? 'nothing'}` };
  const unknown = [...Object.keys(extra), ...(op === 'audit' ? Object.keys({ from, to, amount }).filter((name) => (raw as Record<string, unknown>)[name] !== undefined) : [])];
  if (unknown.length > 0) return { problem: `${op === 'audit' ? 'an audit takes op only' : 'a transfer takes op, from, to and amount'}; unknown field ${unknown.map((name) => `'${name}'`).join(', ')}` };
  if (op === 'audit') return { op: { op } };
  const accounts = accountNames(config);
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (typeof value !== 'string' || !accounts.includes(value)) return { problem: `${name} must be an account such as ${accounts[0]} (${accounts.length} accounts: a0 … a${config.bank.accountsPerShard - 1} of ${config.participants.join(', ')}); got ${JSON.stringify(value) ?? 'nothing'}` };
  }
  if (from === to) return { problem: `from and to must be different accounts; both are ${from as string}` };
  if (!Number.isSafeInteger(amount) || (amount as number) < 1 || (amount as number) > config.amountMax) return { problem: `amount must be an integer from 1 to ${config.amountMax}; got ${JSON.stringify(amount) ?? 'nothing'}` };
  return { op: { op, from, to, amount } };
}

/** Role `client`: runs bank transactions one at a time and records them in the history. */
export class BankClient implements Process<BeginTx | TxResult> {
  private pending: Pending | null = null;
  private seq = 0;
  /** Requests waiting for the pending transaction to end (undefined: draw one then), oldest first. Volatile. */
  private readonly queued: (BankRequest | undefined)[] = [];

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

  /**
   * A schedule's request: run `op` (checked by {@link checkBankRequest}), or one drawn as the workload
   * draws, now if idle; while a transaction is pending it waits, and starts when that one ends.
   */
  onRequestEntry(ctx: Context<BeginTx | TxResult>, op: unknown): void {
    const given = op as BankRequest | undefined;
    if (this.pending !== null) {
      if (this.queued.length < BANK_REQUESTS_QUEUED_MAX) this.queued.push(given);
      return;
    }
    ctx.cancelTimer('next');
    this.issue(ctx, given);
  }

  checkRequestOp(op: unknown): RequestCheck {
    return checkBankRequest(op, this.config);
  }

  /** The transaction ended: a queued request goes next, else the workload's think time. */
  private scheduleNext(ctx: Context<BeginTx | TxResult>): void {
    if (this.queued.length > 0) {
      this.issue(ctx, this.queued.shift());
      return;
    }
    ctx.setTimer('next', ctx.rng.int(this.config.thinkMicrosMin, this.config.thinkMicrosMax));
  }

  private start(ctx: Context<BeginTx | TxResult>): void {
    if (this.pending !== null || ctx.now() >= this.config.stopAtMicros) return;
    this.issue(ctx, undefined);
  }

  /** Records and begins one transaction: `given`, or one drawn from the workload. */
  private issue(ctx: Context<BeginTx | TxResult>, given: BankRequest | undefined): void {
    this.seq++;
    ctx.disk.write(SEQ_KEY, this.seq);
    ctx.disk.sync();
    const tx = txId(ctx.self, this.seq);
    const { input, work } = given === undefined ? this.pickTransaction(ctx, tx) : this.requested(given, tx);
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
    if (accounts < 2 || ctx.rng.chance(this.config.auditRatio)) return this.audit(tx);
    const from = ctx.rng.int(0, accounts - 1);
    let to = ctx.rng.int(0, accounts - 2);
    if (to >= from) to++;
    const amount = ctx.rng.int(1, this.config.amountMax);
    return this.transfer(tx, from, to, amount);
  }

  /** A requested transaction (checked): its accounts by their place in the bank. */
  private requested(given: BankRequest, tx: string): { input: BankTx; work: BeginTx['work'] } {
    if (given.op === 'audit') return this.audit(tx);
    const accounts = accountNames(this.config);
    return this.transfer(tx, accounts.indexOf(given.from), accounts.indexOf(given.to), given.amount);
  }

  private audit(tx: string): { input: BankTx; work: BeginTx['work'] } {
    return { input: { op: 'audit', tx }, work: this.config.participants.map((p) => [p, { deltas: [], readAll: true }] as const) };
  }

  /** A transfer of `amount` from account number `from` to account number `to` (numbered shard by shard). */
  private transfer(tx: string, from: number, to: number, amount: number): { input: BankTx; work: BeginTx['work'] } {
    const { participants, bank } = this.config;
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
