// What the atomic-commitment protocols report (ctx.observe), shared by 2PC, 3PC and Paxos Commit: the
// checkers (checks.ts) and metrics read exactly these. A transaction is named by its id everywhere.

/** A transaction's outcome. */
export type Decision = 'commit' | 'abort';

/**
 * - `tx-begin` (the transaction manager: 2PC/3PC coordinator, Paxos Commit leader): it started `tx` over
 *   these `participants` (resource managers).
 * - `vote` (a resource manager): it voted on `tx` — yes (prepared: locks held, the prepare record on disk)
 *   or no (it will abort).
 * - `decide` (whoever decides: the coordinator, a 3PC termination leader, a Paxos Commit leader, or a
 *   participant in cooperative termination): `tx`'s outcome was decided as `decision`.
 * - `outcome` (a resource manager): it applied `decision` to `tx` (committed its writes, or discarded
 *   them) and released its locks. A participant reports each transaction's outcome at most once per life
 *   (a restarted one may report it again: the same decision).
 * - `precommit` (3PC only, a resource manager): it entered the pre-committed state for `tx`.
 */
export type CommitFact =
  | { readonly type: 'tx-begin'; readonly tx: string; readonly participants: readonly string[] }
  | { readonly type: 'vote'; readonly tx: string; readonly vote: 'yes' | 'no' }
  | { readonly type: 'decide'; readonly tx: string; readonly decision: Decision }
  | { readonly type: 'outcome'; readonly tx: string; readonly decision: Decision }
  | { readonly type: 'precommit'; readonly tx: string };
