// The hashing family's planted bugs, declared once: two in the placement functions (placement.ts reads
// them through PlacementBugs) and two in the sharded store (algorithms/shardkv/). Each switches one rule off.

import { defineBugs, type ActiveBugs } from '../../sim/scenario.js';

export const hashBugs = defineBugs('hash', {
  /** Store: a node that hands a key to its new owners deletes its own copy as it sends, before they acknowledged it. */
  deleteBeforeAck: {
    name: 'hash/migrate-delete-before-ack',
    description: 'migration deletes the source copy of a key as soon as it is sent, before the new owner acknowledged it: a lost or delayed transfer loses acknowledged writes',
    exposedBy: ['hash-join-leave', 'hash-crash-during-migration'],
  },
  /** Store: a storage node serves a request whatever epoch it carries (no fencing), so a client with a stale map writes to a node that no longer owns the key. */
  staleMapNoEpochCheck: {
    name: 'hash/stale-map-no-epoch-check',
    description: 'storage nodes do not check the epoch a request carries, so a router with a stale shard map writes to a former owner and the write is lost when the key moves on',
    exposedBy: ['hash-join-leave', 'hash-partition'],
  },
  /** Placement: the ring takes a second virtual node of a physical node already chosen as another replica. */
  vnodesCountAsReplicas: {
    name: 'hash/vnodes-count-as-replicas',
    description: 'the ring counts two virtual nodes of one physical node as two replicas, so some keys have fewer than R distinct physical copies',
    exposedBy: ['hash-join-leave'],
  },
  /** Placement: the ring spaces nodes evenly in the order they joined instead of placing them by hash. */
  ringByArrival: {
    name: 'hash/ring-by-arrival',
    description: 'the ring orders nodes by arrival instead of by hash, so a join or leave in the middle of the order shifts every later node and moves far more keys than K/n',
    exposedBy: ['hash-join-leave'],
  },
});

/** Which of the hashing family's planted bugs are on. */
export type HashBugs = ActiveBugs<keyof typeof hashBugs.names>;
