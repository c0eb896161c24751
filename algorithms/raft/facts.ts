// The facts a Raft server reports (ctx.observe), as one discriminated union: the checkers in
// invariants.ts, the metrics and the reports read exactly these, so renaming or misspelling one is a
// compile error. Raft opts in to the shared vocabulary (role, leader-established, apply) of sim/facts.ts.

import type { SharedFact } from '../../sim/facts.js';
import type { SessionCommand } from '../kv/state-machine.js';

/** A Raft server's role (Figure 2's "rules for servers"). */
export type RaftRole = 'follower' | 'candidate' | 'leader';

/**
 * What a Raft server reports:
 * - `role` (shared): it became follower, candidate or leader of `term`.
 * - `leader`: it won the election of `term` (election safety reads this).
 * - `leader-established` (shared): as leader of `term`, a majority has heard from it.
 * - `commit`: as leader of `term`, it advanced commitIndex over `from`…`to`.
 * - `step-down`: as leader of `term`, it lost touch with a majority (check-quorum).
 * - `apply` (shared): it applied log index `index` (entry term `term`; `command` null for a no-op).
 * - `truncate`: it removed `removed` entries from index `from` while in `role` (leader append-only reads this).
 * - `vote`: it granted its vote in `term` to `candidate` (a RequestVote, not a pre-vote; vote-once-per-term reads this).
 */
export type RaftFact =
  | SharedFact<RaftRole, SessionCommand | null>
  | { readonly type: 'leader'; readonly term: number }
  | { readonly type: 'commit'; readonly from: number; readonly to: number; readonly term: number }
  | { readonly type: 'step-down'; readonly term: number }
  | { readonly type: 'truncate'; readonly from: number; readonly removed: number; readonly role: RaftRole; readonly term: number }
  | { readonly type: 'vote'; readonly term: number; readonly candidate: string };
