// SWIM's wire messages (Das, Gupta & Motivala 2002, §3–4): ping, ack and ping-req of the failure
// detector, each carrying piggybacked membership updates (Alive / Suspect / Confirm). Plain data only;
// `seq` pairs an ack with the probe it answers. Assumes nothing about the transport beyond delivery.

import type { NodeId } from '../../sim/process.js';

/** A member's status in a membership update: the paper's Alive, Suspect and Confirm (`dead`), and a graceful `left`. */
export type SwimStatus = 'alive' | 'suspect' | 'dead' | 'left';

/**
 * One membership update, as piggybacked (§4.1): `{Alive Ml, incarnation}`, `{Suspect Ml, incarnation}`
 * or `{Confirm Ml, incarnation}` (here `dead`), or `left` (a graceful leave). `from`, on a suspicion
 * only, names the member that raised it (Lifeguard counts independent suspicions by it).
 */
export type SwimUpdate = {
  readonly member: NodeId;
  readonly status: SwimStatus;
  readonly incarnation: number;
  readonly from?: NodeId;
};

/** The protocol's messages; every one piggybacks `updates`. */
export type SwimMessage =
  /** Are you alive? Answered by an ack with the same `seq`. */
  | { readonly type: 'ping'; readonly seq: number; readonly updates: readonly SwimUpdate[] }
  /** The answer to a ping (direct, or relayed back by the member a ping-req asked). */
  | { readonly type: 'ack'; readonly seq: number; readonly updates: readonly SwimUpdate[] }
  /** Please ping `target` for me and relay its ack with my `seq` (§3: an indirect probe). */
  | { readonly type: 'ping-req'; readonly seq: number; readonly target: NodeId; readonly updates: readonly SwimUpdate[] }
  // Beyond the paper (Lifeguard §IV-A): a ping-req member that has not heard from the target in time
  // says so, so the asker can tell "the target is silent" from "I am not hearing anyone".
  /** The target did not answer the relayed ping in time. */
  | { readonly type: 'nack'; readonly seq: number; readonly updates: readonly SwimUpdate[] };
