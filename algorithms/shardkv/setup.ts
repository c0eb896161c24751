// The sharded store as a scenario builds it: a config group cfg1…cfg3 of Raft nodes (the existing
// algorithms/raft, unchanged) whose peers are each other only, the controller `ctl`, storage nodes
// s1…sN (spares after them, dormant until a `join` fault boots one) and clients c1…cM; the topology;
// the checkers and metrics. Every node of a run shares one set of owner tables (a memo of the placement).

import { minimalDisruption } from '../hashing/disruption.js';
import { assert } from '../../sim/assert.js';
import type { Checker } from '../../sim/check.js';
import type { MetricsObserver } from '../../sim/metrics.js';
import type { NodeId, NodeSpec } from '../../sim/process.js';
import type { Topology } from '../../sim/topology.js';
import type { Micros } from '../../sim/time.js';
import { raftBugs, RaftNode, type RaftConfig } from '../raft/raft.js';
import type { HashBugs } from '../hashing/bugs.js';
import { placementMetrics } from '../hashing/metrics.js';
import type { PlacementKind, PlacementOptions } from '../hashing/placement.js';
import { OwnerTables, type ShardConfig } from './config.js';
import { linearizable, membershipChangeCompleted, membershipSettled, noLostWrites, oneWriterPerEpoch, replicasAfterRecovery, servedInEpochOrder, shardMetrics } from './checks.js';
import { ShardClient, zipfKeys } from './client.js';
import { Controller } from './controller.js';
import type { ShardFact } from './facts.js';
import { StorageNode } from './storage.js';

/** The roles of the store's nodes. */
export const SHARD_ROLES = { config: 'config', controller: 'controller', storage: 'storage', client: 'client' } as const;

export interface ShardStoreOptions {
  /** Storage nodes in epoch 1 (s1 … sN). */
  readonly storage: number;
  /** Dormant spares after them (s(N+1) …), booted by `join` faults. */
  readonly spares: number;
  readonly clients: number;
  /** Preloaded keys k0 … k{keys−1}; the workload picks from them. */
  readonly keys: number;
  /** Owners per key (R) and owners holding a write before it is acknowledged (W ≤ R). */
  readonly replicas: number;
  readonly writeQuorum: number;
  readonly placement: PlacementKind;
  readonly placementOptions?: PlacementOptions;
  /** Zipf exponent of the key choice (0: uniform). */
  readonly zipfExponent: number;
  /** Share of puts among operations. */
  readonly putRatio: number;
  readonly clientThinkMicrosMin: Micros;
  readonly clientThinkMicrosMax: Micros;
  readonly clientTimeoutMicros: Micros;
  /** Clients start no operation after this (the fault phase's length). */
  readonly durationMicros: Micros;
  readonly bugs: HashBugs;
  /** Key copies per migration batch (default 512). */
  readonly batchKeysMax?: number;
  /** Retry period of storage nodes and of refused clients (default 50 ms). */
  readonly retryMicros?: Micros;
  /** Config group size (default 3). */
  readonly configNodes?: number;
  /** Raft's timing in the config group (defaults: Raft's scenarios'). */
  readonly raft?: Partial<Pick<RaftConfig, 'electionTimeoutMicrosMin' | 'electionTimeoutMicrosMax' | 'heartbeatMicros'>>;
}

export interface ShardStore {
  readonly nodes: readonly NodeSpec[];
  readonly topology: Topology;
  readonly checkers: readonly Checker<ShardFact>[];
  /** The store's metrics (shardMetrics) and the placement's (placementMetrics over the run's shared tables). */
  readonly observers: readonly MetricsObserver<ShardFact>[];
  /** Node ids by part. */
  readonly config: readonly NodeId[];
  readonly controller: NodeId;
  readonly storage: readonly NodeId[];
  readonly spares: readonly NodeId[];
  readonly clients: readonly NodeId[];
  /** What every node knows, and the run's owner tables (tests and metrics read them). */
  readonly shardConfig: ShardConfig;
  readonly tables: OwnerTables;
}

/** Builds one run's store: call it once per run (its owner tables and checkers are fresh). */
export function buildShardStore(options: ShardStoreOptions): ShardStore {
  assert(options.storage >= 1, 'the store needs a storage node');
  assert(options.replicas >= 1 && options.writeQuorum >= 1 && options.writeQuorum <= options.replicas, `W = ${options.writeQuorum} must be within 1 … R = ${options.replicas}`);
  const ids = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
  const config = ids('cfg', 1, options.configNodes ?? 3);
  const controller = 'ctl';
  const storage = ids('s', 1, options.storage);
  const spares = ids('s', options.storage + 1, options.spares);
  const clients = ids('c', 1, options.clients);
  const retryMicros = options.retryMicros ?? 50_000;
  const shardConfig: ShardConfig = {
    placement: options.placement, placementOptions: options.placementOptions ?? {}, replicas: options.replicas,
    writeQuorum: options.writeQuorum, keys: options.keys, initialMembers: storage, controller, clients,
    batchKeysMax: options.batchKeysMax ?? 512, retryMicros,
    bugs: { deleteBeforeAck: options.bugs.deleteBeforeAck, staleMapNoEpochCheck: options.bugs.staleMapNoEpochCheck },
  };
  const tables = new OwnerTables(shardConfig);
  const raftConfig: RaftConfig = {
    electionTimeoutMicrosMin: 150_000, electionTimeoutMicrosMax: 300_000, heartbeatMicros: 50_000, ...options.raft,
    entriesPerAppendMax: 64, bugs: raftBugs.none,
  };
  const controllerConfig = { initialMembers: storage, storage: [...storage, ...spares], clients, raftTimeoutMicros: 300_000, pushMicros: 4 * retryMicros };
  const chooseKey = zipfKeys(options.keys, options.zipfExponent);
  const clientConfig = {
    controller, initialMembers: storage, chooseKey, putRatio: options.putRatio,
    thinkMicrosMin: options.clientThinkMicrosMin, thinkMicrosMax: options.clientThinkMicrosMax, timeoutMicros: options.clientTimeoutMicros,
    retryMicros, attemptsMax: 100, stopAtMicros: options.durationMicros,
  };
  const nodes: NodeSpec[] = [
    ...config.map((id) => ({ id, role: SHARD_ROLES.config, create: () => new RaftNode(raftConfig) })),
    { id: controller, role: SHARD_ROLES.controller, create: () => new Controller(controllerConfig) },
    ...storage.map((id) => ({ id, role: SHARD_ROLES.storage, create: () => new StorageNode(shardConfig, tables) })),
    ...spares.map((id) => ({ id, role: SHARD_ROLES.storage, dormant: true, create: () => new StorageNode(shardConfig, tables) })),
    ...clients.map((id) => ({ id, role: SHARD_ROLES.client, create: () => new ShardClient(clientConfig, tables) })),
  ] as NodeSpec[];
  // The config group's peers are the config group only; the controller talks to it; the rest find each other through maps.
  const topology: Topology = { config: ['config'], controller: ['config'], storage: ['controller'], client: ['controller'] };
  // no-lost-writes searches the history with its final reads added; when that passes, linearizable need not search again.
  const lostWrites = noLostWrites({ tables, initialMembers: storage, keys: options.keys });
  const checkers: Checker<ShardFact>[] = [
    linearizable(undefined, lostWrites),
    oneWriterPerEpoch(),
    servedInEpochOrder(),
    replicasAfterRecovery({ tables, initialMembers: storage, keys: options.keys }),
    lostWrites,
    membershipSettled(controller),
    membershipChangeCompleted(),
    minimalDisruption(tables.placement),
  ];
  return { nodes, topology, checkers, observers: [shardMetrics(), placementMetrics(tables.placement)], config, controller, storage, spares, clients, shardConfig, tables };
}
