// Consistent-hashing scenarios: the sharded, replicated store of algorithms/shardkv (storage nodes
// s1…sN — `--nodes` counts those in epoch 1 — then `spares` dormant ones, a controller over a Raft config
// group, clients) placing keys with any of the five placement functions, through joins and leaves, with
// crashes, partitions and loss on top. Checkers: per-key linearizability, one writer per key and epoch,
// R replicas after recovery, every change settled; metrics: keys moved against K/n, load spread.

import { hashBugs } from '../algorithms/hashing/bugs.js';
import { isPrime } from '../algorithms/hashing/checks.js';
import { PLACEMENT_KINDS } from '../algorithms/hashing/placement.js';
import type { ShardFact } from '../algorithms/shardkv/facts.js';
import { buildShardStore } from '../algorithms/shardkv/setup.js';
import { InputError } from '../sim/errors.js';
import type { FaultEntry } from '../sim/faults.js';
import type { NodeId } from '../sim/process.js';
import { defineParams, defineScenarioFamily, type FamilyBuildOptions, type Scenario, type ScenarioSetup, type ScenarioVariant, type ScriptContext } from '../sim/scenario.js';
import { seconds } from '../sim/time.js';
import { NETWORK_PARAMS, NETWORK_SWARM, networkFromParams, RECOVERY_PARAMS } from './common.js';

/** Every hashing scenario's parameters. */
export const HASH_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  spares: { unit: 'integer', default: 2, min: 0, max: 64, description: 'dormant storage nodes after the first --nodes, booted by join faults' },
  clients: { unit: 'integer', default: 4, min: 0, max: 100, description: 'clients, one operation at a time each' },
  keys: { unit: 'integer', default: 1_000, min: 1, max: 1_000_000, description: 'keys k0 … k(keys−1), preloaded with the value init; the workload picks from them' },
  replicas: { unit: 'integer', default: 3, min: 1, max: 16, description: 'R: owners per key (the first is the primary)' },
  writeQuorum: { unit: 'integer', default: 2, min: 1, max: 16, description: 'W: owners holding a put on disk before it is acknowledged (1 ≤ W ≤ R)' },
  placement: { unit: 'choice', default: 'ring', choices: [...PLACEMENT_KINDS], description: 'the placement function: ring with virtual nodes, jump, rendezvous, maglev, or the ring with bounded loads' },
  virtualNodes: { unit: 'integer', default: 100, min: 1, max: 10_000, description: 'ring and bounded: points on the circle per storage node' },
  tableSize: { unit: 'integer', default: 65_537, min: 3, max: 10_000_019, description: "maglev: the lookup table's size, a prime above the number of storage nodes" },
  epsilon: { unit: 'number', default: 0.25, min: 0.01, max: 10, description: 'bounded: a node holds at most ⌈(1 + ε) · keys / nodes⌉ keys as primary' },
  zipfExponent: { unit: 'number', default: 0, min: 0, max: 5, description: "the workload's key choice: Zipf with this exponent (0: uniform)" },
  putRatio: { unit: 'ratio', default: 0.5, description: 'share of puts among operations (the rest are gets)' },
  clientThinkMicrosMin: { unit: 'duration', default: 5_000, min: 0, maxParam: 'clientThinkMicrosMax', description: 'shortest pause of a client between operations' },
  clientThinkMicrosMax: { unit: 'duration', default: 30_000, min: 0, description: 'longest pause of a client between operations' },
  clientTimeoutMicros: { unit: 'duration', default: 300_000, min: 1_000, description: 'a client gives up an attempt unanswered this long (a put is then left open, never retried)' },
  batchKeysMax: { unit: 'integer', default: 512, min: 1, max: 100_000, description: 'key copies per migration batch' },
  changeGapMicrosMin: { unit: 'duration', default: 2_000_000, min: 10_000, maxParam: 'changeGapMicrosMax', description: 'scripted scenarios: shortest time between two membership changes' },
  changeGapMicrosMax: { unit: 'duration', default: 4_000_000, min: 10_000, description: 'scripted scenarios: longest time between two membership changes' },
  ...RECOVERY_PARAMS.decls,
});

type HashBuild = FamilyBuildOptions<typeof HASH_PARAMS.decls, keyof typeof hashBugs.names>;
type HashParams = HashBuild['params'];

/** What a fault script knows besides the engine's context: the storage nodes of epoch 1, the spares, R. */
interface HashScriptContext extends ScriptContext {
  readonly initial: readonly NodeId[];
  readonly spares: readonly NodeId[];
  readonly controller: NodeId;
  readonly params: HashParams;
}

interface HashVariant extends ScenarioVariant<typeof HASH_PARAMS.decls> {
  readonly script?: (context: HashScriptContext) => FaultEntry[];
}

function buildHash({ nodeCount, durationMicros, params, bugs, bug }: HashBuild, variant: HashVariant): ScenarioSetup<ShardFact> {
  if (params.writeQuorum > params.replicas) {
    throw new InputError(`--set writeQuorum=${params.writeQuorum} must be at most replicas=${params.replicas} (a put is acknowledged once W of its R owners hold it)`);
  }
  const storageMax = nodeCount + params.spares;
  if (params.placement === 'maglev' && (!isPrime(params.tableSize) || params.tableSize <= storageMax)) {
    throw new InputError(`--set tableSize=${params.tableSize}: maglev's table size must be a prime above the ${storageMax} storage nodes (65537 is one)`);
  }
  // A scripted scenario changes membership: a spare to join, or more members than a leave may go below.
  const floor = Math.max(3, params.replicas);
  if (variant.script !== undefined && params.spares === 0 && nodeCount <= floor) {
    throw new InputError(`--nodes ${nodeCount} with spares=0: no membership change can happen (a leave keeps at least max(3, R) = ${floor} members, and there is no spare to join); add --set spares=1 or more nodes`);
  }
  if ((bugs.vnodesCountAsReplicas || bugs.ringByArrival) && params.placement !== 'ring') {
    throw new InputError(`--bug ${bug}: a bug of the ring placement; add --set placement=ring (this run's placement is ${params.placement})`);
  }
  const store = buildShardStore({
    storage: nodeCount, spares: params.spares, clients: params.clients, keys: params.keys,
    replicas: params.replicas, writeQuorum: params.writeQuorum, placement: params.placement,
    placementOptions: {
      virtualNodes: params.virtualNodes, tableSize: params.tableSize, epsilon: params.epsilon,
      bugs: { vnodesCountAsReplicas: bugs.vnodesCountAsReplicas, ringByArrival: bugs.ringByArrival },
    },
    zipfExponent: params.zipfExponent, putRatio: params.putRatio,
    clientThinkMicrosMin: params.clientThinkMicrosMin, clientThinkMicrosMax: params.clientThinkMicrosMax,
    clientTimeoutMicros: params.clientTimeoutMicros, durationMicros, bugs, batchKeysMax: params.batchKeysMax,
  });
  const script = variant.script;
  return {
    nodes: store.nodes,
    topology: store.topology,
    network: networkFromParams(params),
    checkers: store.checkers,
    observers: store.observers,
    nemesisTargets: { roles: ['storage'] },
    recoveryMicrosMax: params.recoveryMicrosMax,
    ...(script ? { script: (context: ScriptContext) => script({ ...context, initial: store.storage, spares: store.spares, controller: store.controller, params }) } : {}),
  };
}

const hashScenario = defineScenarioFamily({
  algorithm: 'hashing',
  params: HASH_PARAMS,
  bugs: hashBugs,
  // 2% loss everywhere: migration batches, replication and handoffs must survive it. A store waits out a
  // crashed primary, so the recovery bound is generous.
  defaults: { lossRatio: 0.02, recoveryMicrosMax: 30_000_000 },
  defaultNodes: 5,
  minNodes: 1,
  maxNodes: 64,
  defaultDurationMicros: seconds(20),
  swarm: {
    params: {
      latencyMicros: NETWORK_SWARM.latencyMicros,
      jitterMicros: NETWORK_SWARM.jitterMicros,
      lossRatio: { min: 0, max: 0.05 },
      clients: { min: 1, max: 8 },
      keys: { min: 50, max: 2_000, log: true },
      zipfExponent: { min: 0, max: 1.5 },
      putRatio: { min: 0.2, max: 0.8 },
      batchKeysMax: { min: 4, max: 512, log: true, integer: true },
    },
    nodes: [3, 8],
    triggers: {
      facts: [{ fact: 'epoch' }, { fact: 'epoch-adopted' }, { fact: 'migrated' }, { fact: 'write-accepted' }],
      messages: [{ type: 'batch' }, { type: 'batch-ack' }, { type: 'replicate' }, { type: 'replicate-ack' }, { type: 'map' }, { type: 'done' }],
    },
  },
  build: buildHash,
});

/**
 * Membership changes every changeGapMicrosMin…Max: a spare joins and a member leaves by turns (a join
 * when there is no spare left, a leave when members are down to max(3, R)). `each(at, node, members)` may add faults
 * around each change (crashes, partitions). A node that left becomes a spare again after two gaps (it
 * rejoins as a fresh machine).
 */
function changesScript(context: HashScriptContext, each?: (at: number, changed: NodeId, members: readonly NodeId[]) => FaultEntry[]): FaultEntry[] {
  const members = [...context.initial];
  const spares = [...context.spares];
  const resting: { node: NodeId; until: number }[] = [];
  const floor = Math.max(3, context.params.replicas);
  const out: FaultEntry[] = [];
  let at = Math.floor(context.rng.int(context.params.changeGapMicrosMin, context.params.changeGapMicrosMax) / 2);
  for (let i = 0; at < context.durationMicros - 1; i++) {
    while (resting.length > 0 && resting[0]!.until <= at) spares.push(resting.shift()!.node);
    const join = spares.length > 0 && (i % 2 === 0 || members.length <= floor);
    let changed: NodeId | undefined;
    if (join) {
      changed = spares.shift()!;
      out.push({ at, kind: 'join', node: changed });
      members.push(changed);
    } else if (members.length > floor) {
      changed = context.rng.pick(members);
      out.push({ at, kind: 'leave', node: changed });
      members.splice(members.indexOf(changed), 1);
      resting.push({ node: changed, until: at + 2 * context.params.changeGapMicrosMax });
    }
    if (changed !== undefined && each !== undefined) out.push(...each(at, changed, members));
    at += context.rng.int(context.params.changeGapMicrosMin, context.params.changeGapMicrosMax);
  }
  return out.filter((f) => f.at < context.durationMicros).sort((a, b) => a.at - b.at);
}

/** 20–300 ms after each change, one member (not the one leaving) crashes for 0.5–2 s: a crash in the middle of a migration. */
function crashDuringMigrationScript(context: HashScriptContext): FaultEntry[] {
  return changesScript(context, (at, changed, members) => {
    const candidates = members.filter((m) => m !== changed);
    if (candidates.length === 0) return [];
    const node = context.rng.pick(candidates);
    const crashAt = at + context.rng.int(20_000, 300_000);
    return [{ at: crashAt, kind: 'crash', node }, { at: crashAt + context.rng.int(500_000, 2_000_000), kind: 'restart', node }];
  });
}

/** 50–300 ms after each change, one member or the controller is cut off from everyone for 0.5–2 s. */
function partitionScript(context: HashScriptContext): FaultEntry[] {
  return changesScript(context, (at, _changed, members) => {
    const node = context.rng.chance(0.25) ? context.controller : context.rng.pick(members);
    const cutAt = at + context.rng.int(50_000, 300_000);
    return [{ at: cutAt, kind: 'partition', groups: [[node], ['@rest']] }, { at: cutAt + context.rng.int(500_000, 2_000_000), kind: 'heal' }];
  });
}

/** Two changes, a third and two thirds into the run: a spare joins, then a member leaves (so the hot-key load is measured under three maps). */
function twoChangesScript(context: HashScriptContext): FaultEntry[] {
  const out: FaultEntry[] = [];
  const join = context.spares[0];
  if (join !== undefined) out.push({ at: Math.floor(context.durationMicros / 3), kind: 'join', node: join });
  const leave = context.rng.pick(context.initial);
  if (context.initial.length > Math.max(3, context.params.replicas)) out.push({ at: Math.floor((2 * context.durationMicros) / 3), kind: 'leave', node: leave });
  return out;
}

export const hashingScenarios: readonly Scenario[] = [
  hashScenario({
    name: 'hash-join-leave', nemesis: 'scenario', script: (c) => changesScript(c),
    description: 'spares join and members leave by turns every 2–4 s while clients read and write; 2% loss',
  }),
  hashScenario({
    name: 'hash-crash-during-migration', nemesis: 'scenario', script: crashDuringMigrationScript,
    description: 'joins and leaves, each followed 20–300 ms later by a crash of another member for 0.5–2 s, in the middle of its migration',
  }),
  hashScenario({
    name: 'hash-partition', nemesis: 'scenario', script: partitionScript,
    description: 'joins and leaves, each followed by a member or the controller cut off from everyone for 0.5–2 s during the migration',
  }),
  hashScenario({
    name: 'hash-chaos', nemesis: 'membership',
    description: 'nemesis membership: joins, graceful leaves, crashes and isolated members drawn from the seed; 2% loss',
  }),
  hashScenario({
    name: 'hash-hot-keys', nemesis: 'scenario', script: twoChangesScript, defaults: { zipfExponent: 1.1, clients: 8 },
    description: 'a Zipf(1.1) workload: a few keys take most requests; one join and one leave; requestsPeakToMean shows what placement can and cannot spread',
  }),
];
