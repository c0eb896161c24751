// The sharded store's messages. Every message between clients and storage nodes, and between storage
// nodes, carries the epoch of the shard map its sender acts under (fencing); the controller speaks to
// the config group with the kv client's ClientRequest/ClientReply (algorithms/kv/client.ts).

import type { ClientReply, ClientRequest } from '../kv/client.js';
import type { NodeId } from '../../sim/process.js';

/** The shard map: an epoch and its storage members in join order (placement, R and W are static per run). */
export interface ShardMap {
  readonly epoch: number;
  readonly members: readonly NodeId[];
}

/** A key's copy in transfer: key, value, version epoch, version counter (flat, to keep batches small). */
export type TransferEntry = readonly [key: string, value: string, versionEpoch: number, versionCounter: number];

/** Why a storage node refused a client request without doing anything. */
export type RefusalReason = 'wrong-epoch' | 'not-ready' | 'not-owner';

export type ShardMessage =
  // client → storage (the primary of `key` in the client's map `epoch`)
  | { readonly type: 'request'; readonly id: number; readonly epoch: number; readonly op: 'get' | 'put'; readonly key: string; readonly value?: string }
  // storage → client: done, or refused (nothing was done; `epoch` is the node's own)
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value?: string | null }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly reason: RefusalReason; readonly epoch: number }
  // primary → backup, and back
  | { readonly type: 'replicate'; readonly epoch: number; readonly wid: number; readonly entry: TransferEntry }
  | { readonly type: 'replicate-ack'; readonly epoch: number; readonly wid: number }
  // migration into `epoch`: batches numbered 0…n−1 per (sender, receiver, run), then done with n
  | { readonly type: 'batch'; readonly epoch: number; readonly run: number; readonly index: number; readonly entries: readonly TransferEntry[] }
  | { readonly type: 'batch-ack'; readonly epoch: number; readonly run: number; readonly index: number }
  /**
   * `sessions`: the sender's client sessions (client → the id of its last put applied here), so the new
   * primary drops a retry of a put the old one already applied (a client retries a refused put with its id).
   */
  | { readonly type: 'done'; readonly epoch: number; readonly run: number; readonly batches: number; readonly sessions: readonly (readonly [string, number])[] }
  | { readonly type: 'done-ack'; readonly epoch: number; readonly run: number }
  // storage/client ↔ controller
  /** `instance`: drawn at the node's first boot, so a join delayed past its own leave is not taken for a later one. */
  | { readonly type: 'join'; readonly instance: number }
  | { readonly type: 'leave'; readonly instance: number }
  | { readonly type: 'leave-ok' }
  | { readonly type: 'migrated'; readonly epoch: number }
  | { readonly type: 'migrated-ack'; readonly epoch: number }
  /** Ask for map `epoch` (null: the current one). */
  | { readonly type: 'map-request'; readonly epoch: number | null }
  | { readonly type: 'map'; readonly map: ShardMap }
  // controller ↔ config group
  | ClientRequest
  | ClientReply;
