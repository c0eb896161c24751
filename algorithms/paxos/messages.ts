// Paxos's vocabulary: ballots, the values Multi-Paxos chooses, and the messages of single-decree Paxos
// and of the Multi-Paxos key-value store (phase 1 prepare/promise, phase 2 accept/accepted, learning),
// plus the shared client messages.

import type { ClientReply, ClientRequest } from '../kv/client.js';
import type { SessionCommand } from '../kv/state-machine.js';
import type { NodeId } from '../../sim/process.js';

/**
 * A ballot (proposal number): a round, and the node that owns it. Ballots are totally ordered by
 * (round, node id), so two proposers never use the same ballot: each picks a round above every round
 * it has seen and breaks ties with its own id.
 */
export interface Ballot {
  readonly round: number;
  readonly node: NodeId;
}

/** Below every real ballot: what an acceptor has promised before it has promised anything. */
export const ZERO_BALLOT: Ballot = Object.freeze({ round: 0, node: '' });

/** Orders ballots by round, then by node id: negative, zero or positive. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.round !== b.round) return a.round - b.round;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

export function sameBallot(a: Ballot, b: Ballot): boolean {
  return a.round === b.round && a.node === b.node;
}

export function formatBallot(b: Ballot): string {
  return `(${b.round},${b.node})`;
}

/** What an acceptor reports of a slot in a promise: the highest ballot it accepted there, and the value. */
export interface AcceptedEntry<V> {
  readonly slot: number;
  readonly ballot: Ballot;
  readonly value: V;
}

/** A Multi-Paxos slot's value: a client command, or a no-op (null) that fills a gap. */
export type Value = SessionCommand | null;

/** Multi-Paxos. Every server is proposer, acceptor and learner; one distinguished proposer leads. */
export type PaxosMessage =
  /** Phase 1a: "promise to ignore ballots below `ballot`, and tell me what you accepted in slots ≥ `from`." */
  | { readonly type: 'prepare'; readonly ballot: Ballot; readonly from: number }
  /** Phase 1b. */
  | { readonly type: 'promise'; readonly ballot: Ballot; readonly accepted: readonly AcceptedEntry<Value>[] }
  /**
   * Phase 2a for the consecutive slots `slot`, `slot + 1`, … (one for a new command, a run when a new
   * leader recovers slots); `commit` says every slot up to it is chosen (and known to the leader).
   */
  | { readonly type: 'accept'; readonly ballot: Ballot; readonly slot: number; readonly values: readonly Value[]; readonly commit: number }
  /** Phase 2b, to the leader (the distinguished learner): slots `slot` … `slot + count - 1` accepted. */
  | { readonly type: 'accepted'; readonly ballot: Ballot; readonly slot: number; readonly count: number }
  /** A prepare or accept refused: the acceptor has promised `promised`, higher than `ballot`. */
  | { readonly type: 'nack'; readonly ballot: Ballot; readonly promised: Ballot }
  /** The leader's pulse, and its chosen prefix for followers to learn from. */
  | { readonly type: 'heartbeat'; readonly ballot: Ballot; readonly commit: number }
  /** `learned`: the follower's chosen prefix after reading `commit`; less means it needs values sent. */
  | { readonly type: 'heartbeat-reply'; readonly ballot: Ballot; readonly learned: number; readonly commit: number }
  /** Catch-up: chosen values for slots `from`, `from + 1`, … sent to a follower that could not infer them. */
  | { readonly type: 'decided'; readonly ballot: Ballot; readonly from: number; readonly values: readonly Value[]; readonly commit: number }
  | ClientRequest
  | ClientReply;

/** Single-decree Paxos: one value, proposed by several proposers, learned by every node. */
export type SingleDecreeMessage =
  | { readonly type: 'prepare'; readonly ballot: Ballot }
  | { readonly type: 'promise'; readonly ballot: Ballot; readonly accepted: AcceptedEntry<string> | null }
  | { readonly type: 'accept'; readonly ballot: Ballot; readonly value: string }
  /** Phase 2b, sent by the acceptor to every learner (every node). */
  | { readonly type: 'accepted'; readonly ballot: Ballot; readonly value: string }
  | { readonly type: 'nack'; readonly ballot: Ballot; readonly promised: Ballot }
  /** A learner that has not heard a decision asks; one that knows answers with `decided`. */
  | { readonly type: 'learn-request' }
  | { readonly type: 'decided'; readonly value: string };
