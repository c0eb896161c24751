// The playground's view of a failure-detector member (heartbeat, phi accrual, SWIM), folded from the facts
// it reports (algorithms/failure-detection/facts.ts): how it sees each other member (alive, suspect, dead,
// left, at which incarnation), and for SWIM its own incarnation as its refutations raise it and Lifeguard's
// local health. Assumes a member's views are volatile (a restart starts afresh) and SWIM's incarnation durable.

import type { FdFact, MemberStatus } from '../algorithms/failure-detection/facts.js';
import type { NodeView } from './node-view.js';

export interface FdViewState {
  /** Each member it reported a view of, in the order it first did. */
  readonly members: Readonly<Record<string, { readonly status: MemberStatus; readonly incarnation: number }>>;
  /** SWIM: the incarnation its latest refutation raised it to (null: none reported). */
  readonly incarnation: number | null;
  readonly refutes: number;
  /** Lifeguard: its local health score (0: healthy; null: none reported since it started). */
  readonly localHealth: number | null;
}

const STATUSES: readonly MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];
const MARK: Record<MemberStatus, string> = { alive: '✓', suspect: '?', dead: '✗', left: '–' };

/** The members in a state, sorted by id (n2 before n10). */
export function membersIn(state: FdViewState, status: MemberStatus): string[] {
  return Object.keys(state.members).filter((m) => state.members[m]!.status === status).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export const fdView: NodeView<FdFact, FdViewState> = {
  title: 'failure-detector member',
  initial: () => ({ members: {}, incarnation: null, refutes: 0, localHealth: null }),
  fold(state, fact) {
    switch (fact.type) {
      case 'member':
        return { ...state, members: { ...state.members, [fact.member]: { status: fact.status, incarnation: fact.incarnation } } };
      case 'members-alive': {
        const members = { ...state.members };
        for (const m of fact.members) members[m] = { status: 'alive', incarnation: fact.incarnation };
        return { ...state, members };
      }
      case 'refute':
        return { ...state, incarnation: fact.incarnation, refutes: state.refutes + 1 };
      case 'local-health':
        return { ...state, localHealth: fact.score };
      default:
        return state;
    }
  },
  // Its incarnation is on disk (SWIM); its views of the others and its local health start afresh.
  crash: (state) => ({ members: {}, incarnation: state.incarnation, refutes: state.refutes, localHealth: null }),
  describe(state) {
    const by = Object.fromEntries(STATUSES.map((s) => [s, membersIn(state, s)])) as Record<MemberStatus, string[]>;
    const counts = STATUSES.filter((s) => s === 'alive' || by[s].length > 0).map((s) => `${by[s].length} ${s}`);
    const noticed = by.suspect.length > 0 ? `suspects ${by.suspect.join(' ')}` : by.dead.length > 0 ? `dead: ${by.dead.join(' ')}` : '';
    const health = state.localHealth !== null && state.localHealth > 0 ? ` · health ${state.localHealth}` : '';
    const ids = Object.keys(state.members).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return {
      compact: [counts.join(' · '), `${noticed}${health}`.replace(/^ · /, '')],
      rows: [
        ...STATUSES.filter((s) => s === 'alive' || by[s].length > 0).map((s) => ({ label: s, text: by[s].length === 0 ? 'none' : `${by[s].length}: ${by[s].join(', ')}` })),
        { label: 'own incarnation', text: state.incarnation === null ? 'none reported (no refutation)' : `${state.incarnation} (refuted ${state.refutes}×)` },
        ...(state.localHealth !== null ? [{ label: 'local health', text: state.localHealth === 0 ? '0 (healthy)' : `${state.localHealth} (its timeouts stretched)` }] : []),
      ],
      cells: {
        label: 'its view of each member (incarnation)',
        items: ids.map((m) => {
          const v = state.members[m]!;
          return { text: `${m}${MARK[v.status]}`, caption: `#${v.incarnation}`, title: `${m}: ${v.status} at incarnation ${v.incarnation}`, shade: STATUSES.indexOf(v.status) };
        }),
      },
    };
  },
};
