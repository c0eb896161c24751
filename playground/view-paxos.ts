// The playground's view of a Paxos node, single-decree or Multi-Paxos, folded from the facts it reports
// (algorithms/paxos/facts.ts): the ballot it promised, what it accepted last (and in which slot), what it
// proposed and decided (single-decree), and for Multi-Paxos its role, ballot round and the slots it applied
// as cells shaded by round. Assumes the acceptor's promise and accepts and a decision survive a crash (on
// disk); a proposer's role and the applied slots are volatile.

import type { MultiPaxosFact, PaxosFact, PaxosRole, SingleDecreeFact } from '../algorithms/paxos/facts.js';
import type { Ballot } from '../algorithms/paxos/messages.js';
import { appendBounded, commandText, type NodeView, type NodeViewModel } from './node-view.js';

/** How many of the last chosen slots the view keeps as cells. */
export const PAXOS_CELLS_MAX = 8;

export interface PaxosViewState {
  readonly role: PaxosRole | null;
  /** The round of its latest role fact (Multi-Paxos). */
  readonly round: number | null;
  /** The ballot it leads with, since phase 1 succeeded (Multi-Paxos; null: not leading). */
  readonly leaderBallot: Ballot | null;
  /** The ballot of its latest promise. */
  readonly promised: Ballot | null;
  /** Its latest accept, and how many accepts it reported in all. */
  readonly accepted: { readonly slot: number; readonly ballot: Ballot; readonly value: string } | null;
  readonly acceptCount: number;
  /** Single-decree: the value it proposed, and the value it decided. */
  readonly proposed: string | null;
  readonly decided: { readonly slot: number; readonly value: string } | null;
  /** Multi-Paxos: the highest slot it applied since it started, and the last ones as cells. */
  readonly appliedSlot: number;
  readonly applied: readonly { readonly slot: number; readonly round: number; readonly command: string }[];
  readonly stepDowns: number;
}

/** A ballot in words: `3.n2` (round 3 of proposer n2). */
export function ballotText(ballot: Ballot | null): string {
  return ballot === null ? 'none' : `${ballot.round}.${ballot.node}`;
}

function initial(): PaxosViewState {
  return {
    role: null, round: null, leaderBallot: null, promised: null, accepted: null, acceptCount: 0, proposed: null, decided: null, appliedSlot: 0, applied: [], stepDowns: 0,
  };
}

function fold(state: PaxosViewState, fact: PaxosFact): PaxosViewState {
  switch (fact.type) {
    case 'promise':
      return { ...state, promised: fact.ballot };
    case 'accepted':
      return { ...state, accepted: { slot: fact.slot, ballot: fact.ballot, value: commandText(fact.value) }, acceptCount: state.acceptCount + 1 };
    case 'propose':
      return { ...state, proposed: fact.value };
    case 'decide':
      return { ...state, decided: { slot: fact.slot, value: fact.value } };
    case 'role':
      return { ...state, role: fact.role, round: fact.term, leaderBallot: fact.role === 'leader' && state.leaderBallot?.round === fact.term ? state.leaderBallot : null };
    case 'leader':
      return { ...state, round: fact.term, leaderBallot: fact.ballot };
    case 'step-down':
      return { ...state, leaderBallot: null, stepDowns: state.stepDowns + 1 };
    case 'apply':
      return {
        ...state, appliedSlot: Math.max(state.appliedSlot, fact.index),
        applied: appendBounded(state.applied, { slot: fact.index, round: fact.term, command: commandText(fact.command) }, PAXOS_CELLS_MAX),
      };
    default:
      return state;
  }
}

// The acceptor's promise and accepts and a decision are durable; the proposer's role and the applied slots are not.
function crash(state: PaxosViewState): PaxosViewState {
  return { ...initial(), promised: state.promised, accepted: state.accepted, acceptCount: state.acceptCount, proposed: state.proposed, decided: state.decided, stepDowns: state.stepDowns };
}

function describe(state: PaxosViewState, multi: boolean): NodeViewModel {
  const a = state.accepted;
  const acceptedText = a === null ? 'nothing' : `${multi ? `slot ${a.slot}: ` : ''}${a.value} at ballot ${ballotText(a.ballot)}`;
  const compact: string[] = [];
  if (state.role !== null) compact.push(`${state.role} · r${state.round ?? '?'}`);
  compact.push(`promised ${ballotText(state.promised)}`);
  if (state.decided !== null) compact.push(`decided ${state.decided.value}`);
  else if (multi) compact[1] = `${compact[1]} · chosen ${state.appliedSlot}`;
  else if (a !== null) compact.push(`accepted ${a.value}`);
  const rows = [
    ...(multi ? [
      { label: 'role', text: state.role === null ? 'none (not running)' : `${state.role}${state.leaderBallot !== null ? ` with ballot ${ballotText(state.leaderBallot)}` : ''}` },
      { label: 'round', text: state.round === null ? 'none reported' : String(state.round) },
    ] : []),
    { label: 'promised ballot', text: ballotText(state.promised) },
    { label: 'accepted', text: acceptedText + (state.acceptCount > 1 ? ` (${state.acceptCount} accepts in all)` : '') },
    ...(multi ? [{ label: 'chosen and applied', text: state.appliedSlot === 0 ? 'no slot yet' : `slots up to ${state.appliedSlot}` }] : [
      { label: 'proposed', text: state.proposed ?? 'nothing' },
      { label: 'decided', text: state.decided === null ? 'not yet' : state.decided.value },
    ]),
    ...(state.stepDowns > 0 ? [{ label: 'stepped down', text: `${state.stepDowns}×` }] : []),
  ];
  return {
    compact: compact.slice(0, 2),
    rows,
    ...(multi ? {
      cells: {
        label: 'last chosen slots (slot, round)',
        items: state.applied.map((e) => ({ text: `r${e.round}`, caption: String(e.slot), title: `slot ${e.slot}, chosen in round ${e.round}: ${e.command}`, shade: e.round })),
      },
    } : {}),
  };
}

/** Single-decree Paxos (scenario algorithm `paxos`): promise, accept, proposal and decision. */
export const paxosView: NodeView<SingleDecreeFact, PaxosViewState> = { title: 'Paxos node (single-decree)', initial, fold, crash, describe: (state) => describe(state, false) };

/** Multi-Paxos (scenario algorithm `multi-paxos`): role and round, promise, the latest accept, the slots chosen. */
export const multiPaxosView: NodeView<MultiPaxosFact, PaxosViewState> = { title: 'Multi-Paxos server', initial, fold, crash, describe: (state) => describe(state, true) };
