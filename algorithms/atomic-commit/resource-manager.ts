// A resource manager's local half of every atomic-commitment protocol here (2PC, 3PC, Paxos Commit): one
// shard of bank accounts under strict two-phase locking (no-wait: a transaction that finds a conflicting
// lock is voted no, so nothing ever waits and no deadlock forms) and a durable log of prepare, commit and
// abort records. Assumes one-shot transactions: all of a transaction's work at this shard arrives with
// prepare. Pure state over the node's disk; the protocols' participant processes drive it.

import { assert } from '../../sim/assert.js';
import type { Disk } from '../../sim/disk.js';
import { accountName, type BankConfig, type ShardWork } from './bank.js';

/** A transaction's state at this resource manager. */
export type RmState = 'unknown' | 'prepared' | 'committed' | 'aborted';

/** A log record: the transaction's state, its work here, and what the protocol keeps with it (its coordinator, a 3PC state …). */
export interface LogRecord {
  readonly state: Exclude<RmState, 'unknown'>;
  readonly work: ShardWork;
  /** The protocol's own durable data for this transaction (who coordinates it, the participants …). */
  readonly meta: unknown;
}

/** A transaction prepared here and not yet decided, as recovery finds it. */
export interface InDoubt {
  readonly tx: string;
  readonly work: ShardWork;
  readonly meta: unknown;
}

export type PrepareResult = { readonly vote: 'yes'; readonly reads: Readonly<Record<string, number>> | null } | { readonly vote: 'no'; readonly reason: string };

const logKey = (tx: string) => `log/${tx}`;
const balanceKey = (account: string) => `bal/${account}`;

interface Lock {
  mode: 'shared' | 'exclusive';
  readonly holders: Set<string>;
}

export interface ResourceManagerOptions {
  /**
   * Planted bug atomic-commit/prepare-not-synced: the prepare record is written but not synced before the
   * yes vote, so a crash right after voting forgets the vote.
   */
  readonly prepareNotSynced?: boolean;
}

export class ResourceManager {
  readonly accounts: readonly string[];
  private readonly balances = new Map<string, number>();
  private readonly locks = new Map<string, Lock>();
  /** Transactions with a record here: their state and work (a mirror of the log on disk). */
  private readonly records = new Map<string, LogRecord>();

  constructor(
    readonly self: string,
    private readonly bank: BankConfig,
    private readonly disk: Disk,
    private readonly options: ResourceManagerOptions = {},
  ) {
    this.accounts = Array.from({ length: bank.accountsPerShard }, (_, a) => accountName(self, a));
  }

  /**
   * Boot and restart: balances and the log from disk. Prepared transactions without a decision are in
   * doubt: their locks are taken again (strict 2PL: a prepared transaction keeps its locks until decided),
   * and they are returned, in log order, for the protocol to resolve.
   */
  recover(): InDoubt[] {
    for (const account of this.accounts) this.balances.set(account, this.disk.read<number>(balanceKey(account)) ?? this.bank.initialBalance);
    const inDoubt: InDoubt[] = [];
    for (const name of this.disk.keys()) {
      if (!name.startsWith('log/')) continue;
      const tx = name.slice(4);
      const record = this.disk.read<LogRecord>(name)!;
      this.records.set(tx, record);
      if (record.state === 'prepared') {
        assert(this.tryLock(tx, record.work), `${this.self}: recovered ${tx} finds its locks taken`);
        inDoubt.push({ tx, work: record.work, meta: record.meta });
      }
    }
    return inDoubt;
  }

  state(tx: string): RmState {
    return this.records.get(tx)?.state ?? 'unknown';
  }

  /** The protocol data logged with `tx`'s record (undefined: no record). */
  meta(tx: string): unknown {
    return this.records.get(tx)?.meta;
  }

  balance(account: string): number {
    return this.balances.get(account)!;
  }

  /** Every account's balance (inspect, checkers). */
  allBalances(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.accounts.map((a) => [a, this.balances.get(a)!]));
  }

  /** Transactions holding locks here now (prepared, undecided). */
  lockHolders(): string[] {
    const out = new Set<string>();
    for (const lock of this.locks.values()) for (const tx of lock.holders) out.add(tx);
    return [...out].sort();
  }

  /**
   * Phase one at this shard: lock what the work touches (no-wait: a conflict is a no), check no balance
   * would go below 0, and on yes log the prepare record durably (the vote is a promise that must survive a
   * crash) before returning the vote. A transaction already prepared here votes yes again (a duplicate
   * prepare); one already decided returns its decision's vote.
   */
  prepare(tx: string, work: ShardWork, meta: unknown): PrepareResult {
    const known = this.records.get(tx);
    if (known !== undefined) {
      if (known.state === 'aborted') return { vote: 'no', reason: 'aborted already' };
      return { vote: 'yes', reads: work.readAll ? this.allBalances() : null };
    }
    for (const [account, delta] of work.deltas) {
      if (!this.accounts.includes(account)) return { vote: 'no', reason: `no account ${account} here` };
      if (this.balances.get(account)! + delta < 0) return { vote: 'no', reason: `${account} would go below 0` };
    }
    if (!this.tryLock(tx, work)) return { vote: 'no', reason: 'a lock is held by another transaction' };
    this.log(tx, { state: 'prepared', work, meta }, this.options.prepareNotSynced !== true);
    return { vote: 'yes', reads: work.readAll ? this.allBalances() : null };
  }

  /** Applies `tx`'s work durably with its commit record, then releases its locks. Idempotent. */
  commit(tx: string): void {
    const record = this.records.get(tx);
    if (record?.state === 'committed') return;
    // Invariant (atomicity at this shard): only a prepared transaction commits, never an aborted one.
    assert(record !== undefined && record.state === 'prepared', `${this.self}: commit of ${tx} in state ${record?.state ?? 'unknown'}`);
    for (const [account, delta] of record.work.deltas) {
      const balance = this.balances.get(account)! + delta;
      this.balances.set(account, balance);
      this.disk.write(balanceKey(account), balance);
    }
    this.log(tx, { ...record, state: 'committed' }, true);
    this.unlock(tx, record.work);
  }

  /**
   * Discards `tx`'s work and releases its locks. Presumed abort: the abort record need not be synced (a
   * transaction with no record is taken as aborted). Idempotent; a committed transaction cannot abort.
   */
  abort(tx: string, meta: unknown = this.records.get(tx)?.meta ?? null): void {
    const record = this.records.get(tx);
    if (record?.state === 'aborted') return;
    // Invariant (atomicity at this shard): a committed transaction never aborts.
    assert(record?.state !== 'committed', `${this.self}: abort of committed ${tx}`);
    if (record !== undefined) this.unlock(tx, record.work);
    this.log(tx, { state: 'aborted', work: record?.work ?? { deltas: [], readAll: false }, meta }, false);
  }

  /** Rewrites `tx`'s record with new protocol data (3PC's pre-commit …), synced. */
  updateMeta(tx: string, meta: unknown): void {
    const record = this.records.get(tx);
    assert(record !== undefined, `${this.self}: no record of ${tx} to update`);
    this.log(tx, { ...record, meta }, true);
  }

  private log(tx: string, record: LogRecord, sync: boolean): void {
    this.records.set(tx, record);
    this.disk.write(logKey(tx), record);
    if (sync) this.disk.sync();
  }

  private tryLock(tx: string, work: ShardWork): boolean {
    const exclusive = new Set(work.deltas.map(([account]) => account));
    const wanted: [string, 'shared' | 'exclusive'][] = [...exclusive].map((a) => [a, 'exclusive']);
    if (work.readAll) for (const account of this.accounts) if (!exclusive.has(account)) wanted.push([account, 'shared']);
    for (const [account, mode] of wanted) {
      const lock = this.locks.get(account);
      if (lock === undefined || (lock.holders.size === 1 && lock.holders.has(tx))) continue;
      if (mode === 'shared' && lock.mode === 'shared') continue;
      return false;
    }
    for (const [account, mode] of wanted) {
      const lock = this.locks.get(account);
      if (lock === undefined) this.locks.set(account, { mode, holders: new Set([tx]) });
      else {
        lock.holders.add(tx);
        if (mode === 'exclusive') lock.mode = 'exclusive';
      }
    }
    return true;
  }

  private unlock(tx: string, work: ShardWork): void {
    const touched = new Set(work.deltas.map(([account]) => account));
    if (work.readAll) for (const account of this.accounts) touched.add(account);
    for (const account of touched) {
      const lock = this.locks.get(account);
      if (lock === undefined) continue;
      lock.holders.delete(tx);
      if (lock.holders.size === 0) this.locks.delete(account);
    }
  }
}
