// Raft's messages (extended paper, Figure 2), plus pre-vote (thesis §9.6) and the shared client messages.
// Field names are short on the wire (they are hashed into every run's fingerprint); the paper's names
// are given beside each. The sender (candidateId, leaderId) is the envelope's `from`.

import type { ClientReply, ClientRequest } from '../kv/client.js';
import type { SessionCommand } from '../kv/state-machine.js';

/** A log entry: the term it was created in, and a client command (null for a leader's no-op). */
export interface LogEntry {
  readonly term: number;
  readonly command: SessionCommand | null;
}

export type RaftMessage =
  /** "Would you vote for me in `term` if I asked?" Changes nobody's term. */
  | { readonly type: 'pre-vote'; readonly term: number; readonly lastLogIndex: number; readonly lastLogTerm: number }
  | { readonly type: 'pre-vote-reply'; readonly term: number; readonly granted: boolean; readonly voterTerm: number }
  /** RequestVote RPC. */
  | { readonly type: 'request-vote'; readonly term: number; readonly lastLogIndex: number; readonly lastLogTerm: number }
  /** RequestVote results: `granted` is voteGranted. */
  | { readonly type: 'vote-reply'; readonly term: number; readonly granted: boolean }
  /** AppendEntries RPC. */
  | {
      readonly type: 'append';
      readonly term: number;
      /** prevLogIndex */
      readonly prevIndex: number;
      /** prevLogTerm */
      readonly prevTerm: number;
      readonly entries: readonly LogEntry[];
      /** leaderCommit */
      readonly commit: number;
    }
  /**
   * AppendEntries results. Beyond Fig. 2: `matchIndex` (the index of the last new entry) and, on failure,
   * `conflictTerm`/`conflictIndex` that let the leader skip a whole term at once (fast backtracking, §5.3).
   */
  | {
      readonly type: 'append-reply';
      readonly term: number;
      readonly success: boolean;
      readonly matchIndex: number;
      readonly conflictIndex: number;
      readonly conflictTerm: number;
    }
  | ClientRequest
  | ClientReply;
