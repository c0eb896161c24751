// Raft's messages (extended paper, Figure 2), plus pre-vote (thesis §9.6) and the shared client messages.

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
  | { readonly type: 'request-vote'; readonly term: number; readonly lastLogIndex: number; readonly lastLogTerm: number }
  | { readonly type: 'vote-reply'; readonly term: number; readonly granted: boolean }
  | {
      readonly type: 'append';
      readonly term: number;
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly LogEntry[];
      readonly commit: number;
    }
  /** On failure, `conflictTerm`/`conflictIndex` let the leader skip a whole term at once. */
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
