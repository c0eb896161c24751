// The bank workload every atomic-commitment scenario runs: accounts spread over the resource managers'
// shards, each starting with the same balance. A transaction is a transfer (debit one account, credit
// another, possibly on two shards) or an audit (read every account of every shard). Serializability on
// it: the total is conserved, and every committed audit sees exactly that total.

/** The accounts and their starting balance. */
export interface BankConfig {
  /** Accounts per resource manager (shard). */
  readonly accountsPerShard: number;
  readonly initialBalance: number;
}

/** Account `a` of shard `shard` (0-based), e.g. `rm2/a3`. */
export function accountName(rm: string, a: number): string {
  return `${rm}/a${a}`;
}

/** The work one transaction asks of one resource manager, sent with prepare: balance changes and whether to read every account. */
export interface ShardWork {
  /** Account → change of balance (negative: a debit). A debit that would take a balance below 0 makes the shard vote no. */
  readonly deltas: readonly (readonly [string, number])[];
  /** Read every account of the shard (an audit); the balances come back with the yes vote. */
  readonly readAll: boolean;
}

/** A client's transaction, as recorded in the history (`ctx.history.invoke(input)`). */
export type BankTx =
  | { readonly op: 'transfer'; readonly tx: string; readonly from: string; readonly to: string; readonly amount: number }
  | { readonly op: 'audit'; readonly tx: string };

/** What a committed audit returns (the history's output): every account's balance. Transfers return `{}`. */
export interface AuditResult {
  readonly balances: Readonly<Record<string, number>>;
}
