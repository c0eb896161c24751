// The facts Paxos nodes report (ctx.observe), as discriminated unions: the acceptor's (shared by both
// variants), single-decree Paxos's and Multi-Paxos's. The checkers in invariants.ts read `PaxosFact`,
// so renaming or misspelling a fact is a compile error. Multi-Paxos opts in to the shared vocabulary
// (role, leader-established, apply) of sim/facts.ts; single-decree Paxos has no leader and does not.

import type { SharedFact } from '../../sim/facts.js';
import type { SessionCommand } from '../kv/state-machine.js';
import type { Ballot, Value } from './messages.js';

/** A Multi-Paxos proposer's role; `term` in its role facts is its ballot's round. */
export type PaxosRole = 'follower' | 'candidate' | 'leader';

/** A value any Paxos variant chooses: a client command, a no-op (null), or a single-decree proposal (a string). */
export type PaxosValue = SessionCommand | string | null;

/**
 * What an acceptor reports (after the write is durable): `promise` (it promised `ballot`), `accepted`
 * (it accepted `value` in `slot` at `ballot`). `V`: the values of its variant.
 */
export type AcceptorFact<V extends PaxosValue = PaxosValue> =
  | { readonly type: 'promise'; readonly ballot: Ballot }
  | { readonly type: 'accepted'; readonly slot: number; readonly ballot: Ballot; readonly value: V };

/** Single-decree Paxos: a proposer `propose`s its own value; a learner `decide`s the value of the slot. */
export type SingleDecreeFact =
  | AcceptorFact<string>
  | { readonly type: 'propose'; readonly value: string }
  | { readonly type: 'decide'; readonly slot: number; readonly value: string };

/**
 * Multi-Paxos: the acceptor's facts, the shared `role` (term = ballot round), `leader-established` and
 * `apply` (index = slot, term = the round it was chosen in, command null for a no-op); `leader` (phase 1
 * succeeded with `ballot`) and `step-down` (the leader of round `term` lost its majority).
 */
export type MultiPaxosFact =
  | AcceptorFact<Value>
  | SharedFact<PaxosRole, Value>
  | { readonly type: 'leader'; readonly term: number; readonly ballot: Ballot }
  | { readonly type: 'step-down'; readonly term: number };

/** Every Paxos fact: what the checkers of invariants.ts read (shared by both variants). */
export type PaxosFact = SingleDecreeFact | MultiPaxosFact | AcceptorFact;
