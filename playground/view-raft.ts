// The playground's view of a Raft server, folded from the facts it reports (algorithms/raft/facts.ts): role
// and term, whom it voted for this term, the commit index a leader reports and the index it applied, its
// last applied entries as cells shaded by term, and the uncommitted entries it truncated. Assumes Raft's
// disk rules: term and vote survive a crash; role, commit and applied index are volatile (re-applied).

import type { RaftFact, RaftRole } from '../algorithms/raft/facts.js';
import type { Micros } from '../sim/time.js';
import { appendBounded, commandText, type NodeView } from './node-view.js';

/** How many of the last applied entries the view keeps as cells. */
export const RAFT_CELLS_MAX = 8;

export interface RaftTruncation {
  readonly from: number;
  readonly removed: number;
  readonly role: RaftRole;
  readonly term: number;
  readonly atMicros: Micros;
}

export interface RaftViewState {
  readonly role: RaftRole | null;
  /** The current term as the node's latest fact that carries it says (role, vote, leader, commit, step-down, truncate). */
  readonly term: number | null;
  /** The last vote it granted (durable: survives a crash). Drawn only while its term is the current one. */
  readonly vote: { readonly term: number; readonly candidate: string } | null;
  /** Won the election of this term (null: not leading). */
  readonly leaderOf: number | null;
  /** As leader, a majority has heard from it this term. */
  readonly established: boolean;
  /** The highest commit index it reported as leader since it started (0: none). */
  readonly commitIndex: number;
  /** The highest log index it applied since it started (0: none). */
  readonly appliedIndex: number;
  readonly applied: readonly { readonly index: number; readonly term: number; readonly command: string }[];
  readonly truncations: number;
  readonly lastTruncation: RaftTruncation | null;
}

export const raftView: NodeView<RaftFact, RaftViewState> = {
  title: 'Raft server',
  initial: () => ({
    role: null, term: null, vote: null, leaderOf: null, established: false, commitIndex: 0, appliedIndex: 0, applied: [], truncations: 0, lastTruncation: null,
  }),
  fold(state, fact, atMicros) {
    switch (fact.type) {
      case 'role':
        {
        const still = fact.role === 'leader' && state.leaderOf === fact.term;
        // A candidate votes for itself in its term (it reports votes it grants others with `vote`).
        const vote = fact.role === 'candidate' ? { term: fact.term, candidate: 'itself' } : state.vote;
        return { ...state, role: fact.role, term: fact.term, vote, leaderOf: still ? state.leaderOf : null, established: still && state.established };
      }
      case 'vote':
        return { ...state, term: fact.term, vote: { term: fact.term, candidate: fact.candidate } };
      case 'leader':
        return { ...state, term: fact.term, leaderOf: fact.term, established: false };
      case 'leader-established':
        return { ...state, term: fact.term, established: state.established || state.leaderOf === fact.term };
      case 'commit':
        return { ...state, term: fact.term, commitIndex: Math.max(state.commitIndex, fact.to) };
      case 'step-down':
        return { ...state, term: fact.term, leaderOf: null, established: false };
      case 'apply':
        return {
          ...state, appliedIndex: Math.max(state.appliedIndex, fact.index),
          applied: appendBounded(state.applied, { index: fact.index, term: fact.term, command: commandText(fact.command) }, RAFT_CELLS_MAX),
        };
      case 'truncate':
        return { ...state, term: fact.term, truncations: state.truncations + 1, lastTruncation: { from: fact.from, removed: fact.removed, role: fact.role, term: fact.term, atMicros } };
      default:
        return state;
    }
  },
  // currentTerm and votedFor are on disk; the rest is rebuilt by the next process (it re-applies from index 1).
  crash: (state) => ({ ...raftView.initial(), term: state.term, vote: state.vote, truncations: state.truncations, lastTruncation: state.lastTruncation }),
  describe(state) {
    const voted = state.vote !== null && state.vote.term === state.term ? state.vote.candidate : null;
    const leading = state.role === 'leader';
    const commit = leading && state.commitIndex > 0 ? String(state.commitIndex) : state.appliedIndex > 0 ? `at least ${state.appliedIndex} (applied)` : 'none known';
    const t = state.lastTruncation;
    return {
      compact: [
        state.role === null ? (state.term === null ? '' : `t${state.term}`) : `${state.role}${state.term !== null ? ` · t${state.term}` : ''}`,
        `applied ${state.appliedIndex}${leading && state.commitIndex > 0 ? ` · commit ${state.commitIndex}` : ''}${state.truncations > 0 ? ` · ✂${state.truncations}` : ''}`,
      ],
      rows: [
        { label: 'role', text: state.role === null ? 'none (not running)' : `${state.role}${leading && state.established ? ' (established)' : ''}` },
        { label: 'term', text: state.term === null ? 'none reported' : String(state.term) },
        { label: 'voted for', text: voted ?? 'nobody this term' },
        { label: 'commit index', text: commit },
        { label: 'applied index', text: String(state.appliedIndex) },
        { label: 'truncated', text: t === null ? 'nothing' : `${state.truncations}× (last: ${t.removed} entr${t.removed === 1 ? 'y' : 'ies'} from index ${t.from} as ${t.role} of term ${t.term})` },
      ],
      cells: {
        label: 'last applied entries (index, term)',
        items: state.applied.map((e) => ({ text: `t${e.term}`, caption: String(e.index), title: `index ${e.index}, term ${e.term}: ${e.command}`, shade: e.term })),
      },
    };
  },
};
