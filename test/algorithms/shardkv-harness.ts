// A scenario family for the sharded store's tests (the lead's scenarios/hashing.ts is the public one):
// the store of algorithms/shardkv/setup.ts, with its parameters, the hashing family's planted bugs and a
// fault script of crashes, loss and (once the engine has them) joins and leaves.

import { hashBugs } from '../../algorithms/hashing/bugs.js';
import { buildShardStore } from '../../algorithms/shardkv/setup.js';
import type { ShardFact } from '../../algorithms/shardkv/facts.js';
import { networkFromParams } from '../../scenarios/common.js';
import { HASH_PARAMS } from '../../scenarios/hashing.js';
import type { FaultEntry } from '../../sim/faults.js';
import { executeRun, prepareRun, type RunResult } from '../../sim/run.js';
import { defineScenarioFamily, type ScenarioVariant, type ScriptContext } from '../../sim/scenario.js';

export interface ShardTestVariant extends ScenarioVariant<typeof HASH_PARAMS.decls> {
  readonly script?: (context: ScriptContext) => FaultEntry[];
}

const family = defineScenarioFamily<typeof HASH_PARAMS.decls, keyof typeof hashBugs.names, ShardTestVariant, ShardFact>({
  algorithm: 'shardkv',
  params: HASH_PARAMS,
  bugs: hashBugs,
  // The public scenarios' parameters, with the small store these tests drive: 20 keys, rendezvous, batches of 8.
  defaults: { keys: 20, placement: 'rendezvous', batchKeysMax: 8 },
  defaultNodes: 5,
  minNodes: 1,
  maxNodes: 64,
  defaultDurationMicros: 4_000_000,
  build({ nodeCount, durationMicros, params, bugs }, variant) {
    const store = buildShardStore({
      storage: nodeCount, spares: params.spares, clients: params.clients, keys: params.keys, replicas: params.replicas,
      writeQuorum: params.writeQuorum, placement: params.placement, zipfExponent: params.zipfExponent, putRatio: params.putRatio,
      clientThinkMicrosMin: params.clientThinkMicrosMin, clientThinkMicrosMax: params.clientThinkMicrosMax,
      clientTimeoutMicros: params.clientTimeoutMicros, durationMicros, bugs, batchKeysMax: params.batchKeysMax,
    });
    return {
      nodes: store.nodes, topology: store.topology, checkers: store.checkers, observers: store.observers,
      network: networkFromParams(params), nemesisTargets: { roles: ['storage'] }, recoveryMicrosMax: params.recoveryMicrosMax,
      ...(variant.script ? { script: variant.script } : {}),
    };
  },
});

/** A test scenario of the store. */
export const shardScenario = (variant: ShardTestVariant) => family(variant);

/** Runs `scenario` on `seed`. */
export function runShard(scenario: ReturnType<typeof shardScenario>, seed: number, options: { bug?: string; set?: string[]; nodes?: number; durationMicros?: number } = {}): RunResult {
  return executeRun(prepareRun({ scenario, seed, bug: options.bug, set: options.set, nodeCount: options.nodes, durationMicros: options.durationMicros }));
}

/** Names of the checks that failed. */
export function failedChecks(result: RunResult): string[] {
  return result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message ?? ''}`);
}

/**
 * Membership changes with crashes in the middle of their migrations: every 0.6–1.0 s a spare joins or a
 * member leaves (alternately, never below three members), and 20–80 ms later a random member crashes for
 * 0.2–0.6 s. Spares are the storage nodes after the first `initial`. With `controlPlane`, the controller
 * and config nodes also crash every 0.5–1.2 s, for 50–400 ms.
 */
export function crashDuringMigrationScript(initial: number, controlPlane = false) {
  return (context: ScriptContext): FaultEntry[] => {
    const storage = context.members('storage');
    const members = storage.slice(0, initial);
    const spares = storage.slice(initial);
    const out: FaultEntry[] = [];
    let at = 600_000;
    for (let i = 0; at < context.durationMicros - 1_000_000; i++) {
      if (i % 2 === 0 && spares.length > 0) {
        const node = spares.shift()!;
        out.push({ at, kind: 'join', node });
        members.push(node);
      } else if (members.length > 3) {
        const node = context.rng.pick(members);
        out.push({ at, kind: 'leave', node });
        members.splice(members.indexOf(node), 1);
      }
      const victim = context.rng.pick(members);
      const crashAt = at + context.rng.int(20_000, 80_000);
      out.push({ at: crashAt, kind: 'crash', node: victim }, { at: crashAt + context.rng.int(200_000, 600_000), kind: 'restart', node: victim });
      at += context.rng.int(600_000, 1_000_000);
    }
    const control = ['ctl', ...context.members('config')];
    for (let t = 700_000; controlPlane && t < context.durationMicros - 500_000; t += context.rng.int(500_000, 1_200_000)) {
      const node = context.rng.pick(control);
      out.push({ at: t, kind: 'crash', node }, { at: t + context.rng.int(50_000, 400_000), kind: 'restart', node });
    }
    return out.sort((a, b) => a.at - b.at);
  };
}
