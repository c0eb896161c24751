// Raft's planted bugs, declared once: each switches one rule off in raft.ts (the function it changes is
// named beside it), and lists the scenarios whose sweeps catch it, the best first. A node reads them as
// booleans (`this.config.bugs.commitOldTerm`), set once when its configuration is built.

import { defineBugs, type ActiveBugs } from '../../sim/scenario.js';

export const raftBugs = defineBugs('raft', {
  /** RaftNode.advanceCommit: counts replicas of old-term entries too (skips the §5.4.2 current-term check). */
  commitOldTerm: {
    name: 'raft/commit-old-term',
    description: "commits an old-term entry by counting its replicas (the paper's Figure 8)",
    exposedBy: ['raft-figure-8'],
  },
  /** RaftNode.onStart and RaftNode.persistTermAndVote: votedFor is kept in memory only, never read from or written to disk. */
  forgetVote: {
    name: 'raft/forget-vote',
    description: 'votedFor is not persisted: after a restart a server can vote twice in one term',
    exposedBy: ['raft-double-vote'],
  },
  /** RaftNode.candidateLogOk: grants (pre-)votes without the election restriction (§5.4.1). */
  voteWithoutLogCheck: {
    name: 'raft/vote-without-log-check',
    description: "grants votes without checking that the candidate's log is up to date",
    exposedBy: ['raft-flapping', 'raft-chaos', 'raft-partition-leader-minority'],
  },
  /** RaftNode.onAppendEntries (before Fig. 2 AppendEntries receiver, rule 3): drops everything after prevIndex, matching or not. */
  truncateMatchingEntries: {
    name: 'raft/truncate-matching-entries',
    description: 'truncates the log on any AppendEntries, even when the entries match',
    exposedBy: ['raft-election-storm', 'raft-majority-split', 'raft-chaos'],
  },
  /** RaftNode.onClientRequest: a leader answers a get from local state without going through the log. */
  staleRead: {
    name: 'raft/stale-read',
    description: 'a leader answers reads from local state, even after it was deposed',
    exposedBy: ['raft-partition-leader-minority', 'raft-election-storm'],
  },
  /** RaftNode's constructor: the key-value state machine has no client sessions (KvStateMachine(false)). */
  noDedup: {
    name: 'raft/no-dedup',
    description: 'no client sessions: a retried command is applied twice',
    exposedBy: ['raft-lossy', 'raft-chaos', 'raft-majority-split', 'raft-one-way-partition'],
  },
});

/** Which of Raft's planted bugs are on. */
export type RaftBugs = ActiveBugs<keyof typeof raftBugs.names>;

/** The `--bug` name of one of Raft's planted bugs. */
export type RaftBug = (typeof raftBugs.names)[keyof typeof raftBugs.names];

/**
 * Whether the node asserts its log-safety invariants. Planted bugs that break the cluster's log safety
 * on purpose (a committed entry is later removed, or a second leader of one term replicates to the same
 * followers) are meant to be caught by the Figure 3 checkers, as a real bug would be, not by a node
 * crashing on a local check; so the two assertions they trip — a follower never removes a committed
 * entry, a leader's matchIndex never passes its own log's end — are off under them. Every other
 * assertion stays on under every bug.
 */
export function assertsLogSafety(bugs: RaftBugs): boolean {
  return !(bugs.commitOldTerm || bugs.forgetVote || bugs.voteWithoutLogCheck || bugs.truncateMatchingEntries);
}
