// The sharded store's checkers and metrics. `linearizable` (always): the client history, per key, from the
// preloaded initial value. `replicas-after-recovery` (eventually): every preloaded or written key is held,
// at one version, by all R owners of the final map, all up and settled. `one-writer-per-epoch` (always):
// no two nodes accept writes for one key in one epoch. `membership-settled` (eventually): every join and
// leave asked for is published and migrated. `membership-change-completed` (sometimes): some
// change was published and every node involved finished migrating into it.

import type { Checker, CheckVerdict, RunView } from '../../sim/check.js';
import { toHistoryOps } from '../../sim/check/history-checker.js';
import { checkLinearizability, type HistoryOp } from '../../sim/check/linearizability.js';
import type { Operation } from '../../sim/history.js';
import type { MetricsObserver } from '../../sim/metrics.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros } from '../../sim/time.js';
import { INITIAL_VALUE, keyIndex, type OwnerTables } from './config.js';
import type { ShardFact } from './facts.js';
import type { ControllerView } from './controller.js';
import type { ShardMap } from './messages.js';
import type { KeyCopy, StorageView } from './storage.js';

/**
 * always: the history is linearizable per key (kv model), every key starting at {@link INITIAL_VALUE}.
 * `finalReads`: when the history with no-lost-writes' final reads added is linearizable, so is the
 * history itself, and no second search is needed.
 */
export function linearizable(stepsMax = 20_000_000, finalReads?: FinalReads): Checker<ShardFact> {
  let cached: { length: number; verdict: CheckVerdict } | undefined;
  return {
    name: 'linearizable',
    kind: 'always',
    description: `every key's gets and puts are linearizable, from the preloaded value ${JSON.stringify(INITIAL_VALUE)}`,
    verdict(run) {
      if (cached !== undefined && cached.length === run.history.length && run.phase === 'recovery') return cached.verdict;
      if (finalReads?.combinedLinearizable(run) === true) return { ok: true };
      const result = checkLinearizability(toHistoryOps(run.history), { model: 'kv', initial: INITIAL_VALUE, stepsMax });
      const verdict: CheckVerdict =
        result.verdict === 'linearizable' ? { ok: true }
        : result.verdict === 'unknown' ? { ok: true, message: `undecided: the search budget of ${stepsMax} steps ran out` }
        : { ok: false, message: result.failure!.explanation, atMicros: result.failure!.blocked.return ?? result.failure!.blocked.call };
      cached = { length: run.history.length, verdict };
      return verdict;
    },
  };
}

/** The shard map a fact reports, if it is later than `final`; else `final` (the checkers judge the last committed map). */
function laterMap(final: ShardMap, fact: ShardFact): ShardMap {
  return fact.type === 'epoch' && fact.epoch > final.epoch ? { epoch: fact.epoch, members: fact.members } : final;
}

/** What {@link noLostWrites} also answers for {@link linearizable}, so a passing run searches its history once. */
export interface FinalReads {
  /** Whether the whole history with the final reads added is linearizable: undefined when not judged (the run has not settled, or the search ran out of budget). */
  combinedLinearizable(run: Pick<RunView, 'now' | 'history' | 'status' | 'inspect'>): boolean | undefined;
}

/**
 * always, judged at the end of the run: no acknowledged put is lost. Once the final map's members are
 * all up and settled, every key a put touched is read once more — the value its final primary holds, read
 * after every other operation — and the key's history with that read must still be linearizable. A put
 * that was acknowledged and then lost (every copy gone or overwritten by an older one) leaves a final
 * value its history does not allow, even when no client read the key again. A run that never settles is
 * not judged here (replicas-after-recovery fails it); nor is a key whose history is not linearizable
 * without the final read (that is `linearizable`'s failure).
 */
export function noLostWrites(options: ReplicaCheckOptions, stepsMax = 20_000_000): Checker<ShardFact> & FinalReads {
  let final: ShardMap = { epoch: 1, members: options.initialMembers };
  type Judged =
    | { readonly kind: 'unsettled'; readonly message: string }
    | { readonly kind: 'judged'; readonly ops: readonly HistoryOp[]; readonly result: ReturnType<typeof checkLinearizability>; readonly holders: ReadonlyMap<string, NodeId> };
  let cache: { length: number; epoch: number; judged: Judged } | undefined;

  const judge = (run: Pick<RunView, 'now' | 'history' | 'status' | 'inspect'>): Judged => {
    if (cache !== undefined && cache.length === run.history.length && cache.epoch === final.epoch) return cache.judged;
    const views = settledViews(run, final);
    let judged: Judged | undefined;
    if (typeof views === 'string') judged = { kind: 'unsettled', message: `not judged: ${views}` };
    else {
      const table = options.tables.of(final);
      const ops = toHistoryOps(run.history);
      const touched = new Set<string>();
      for (const op of ops) if (op.input.op === 'put' && typeof op.input.key === 'string') touched.add(op.input.key);
      let id = ops.reduce((max, op) => Math.max(max, op.id), 0);
      // The final reads come after every operation that returned (now, in a run; later than any, in any case).
      const at = ops.reduce((latest, op) => Math.max(latest, op.call + 1, (op.return ?? 0) + 1), run.now);
      const holders = new Map<string, NodeId>();
      const withReads = [...ops];
      for (const key of [...touched].sort()) {
        const primary = table.primary(key);
        holders.set(key, primary);
        const value = views.get(primary)!.data.get(key)?.value ?? null;
        withReads.push({ id: ++id, client: 'final-read', call: at, return: at, input: { op: 'get', key }, output: { value } });
      }
      judged = { kind: 'judged', ops, result: checkLinearizability(withReads, { model: 'kv', initial: INITIAL_VALUE, stepsMax }), holders };
    }
    cache = { length: run.history.length, epoch: final.epoch, judged };
    return judged;
  };

  return {
    name: 'no-lost-writes',
    kind: 'always',
    description: 'after recovery, the value every written key holds is one its history allows (no acknowledged put is lost)',
    onObservation(_node, fact) {
      final = laterMap(final, fact);
    },
    combinedLinearizable(run) {
      const judged = judge(run);
      if (judged.kind !== 'judged' || judged.result.verdict === 'unknown') return undefined;
      return judged.result.verdict === 'linearizable';
    },
    verdict(run) {
      const judged = judge(run);
      if (judged.kind === 'unsettled') return { ok: true, message: judged.message };
      const { result } = judged;
      if (result.verdict === 'unknown') return { ok: true, message: `undecided: the search budget of ${stepsMax} steps ran out` };
      if (result.verdict === 'linearizable') return { ok: true };
      const key = result.failure!.key;
      // Without the final read, is this key's history linearizable? If not, the failure is linearizable's.
      const alone = checkLinearizability(judged.ops.filter((op) => op.input.key === key), { model: 'kv', initial: INITIAL_VALUE, stepsMax });
      if (alone.verdict !== 'linearizable') return { ok: true, message: `not judged: ${key}'s history is not linearizable even without the final read (see linearizable)` };
      return { ok: false, message: `${key} ends with the value its final primary ${judged.holders.get(key)} holds, which its history does not allow (an acknowledged put was lost): ${result.failure!.explanation}` };
    },
  };
}

/**
 * always: a key is served in epoch order. Once some node served it (answered a get or ordered a put, as
 * primary) in epoch e, no node serves it in an epoch before e: an old primary that keeps serving after
 * the handover (a fencing hole) would give stale reads and lose writes across epochs, which
 * one-writer-per-epoch, within one epoch, cannot see.
 */
export function servedInEpochOrder(): Checker<ShardFact> {
  const latest = new Map<string, { epoch: number; node: NodeId }>();
  let violation: string | undefined;
  return {
    name: 'served-in-epoch-order',
    kind: 'always',
    description: 'no node serves a key in an epoch older than one in which the key was already served',
    onObservation(node, fact, run) {
      if (fact.type !== 'write-accepted' && fact.type !== 'read-served') return;
      const last = latest.get(fact.key);
      if (last === undefined || fact.epoch > last.epoch) {
        latest.set(fact.key, { epoch: fact.epoch, node });
        return;
      }
      if (fact.epoch === last.epoch || violation !== undefined) return;
      violation = `${node} served ${fact.key} in epoch ${fact.epoch} at ${formatMicros(run.now)}, after ${last.node} had served it in epoch ${last.epoch}`;
      return violation;
    },
    verdict: () => (violation === undefined ? { ok: true } : { ok: false, message: violation }),
  };
}

/** always: no two nodes accept writes for one key in one epoch (fed by `write-accepted`). */
export function oneWriterPerEpoch(): Checker<ShardFact> {
  const writers = new Map<string, NodeId>();
  let violation: string | undefined;
  return {
    name: 'one-writer-per-epoch',
    kind: 'always',
    description: 'no two storage nodes accept writes for one key in one epoch',
    onObservation(node, fact, run) {
      if (fact.type !== 'write-accepted') return;
      const id = `${fact.epoch} ${fact.key}`;
      const writer = writers.get(id);
      if (writer === undefined) {
        writers.set(id, node);
        return;
      }
      if (writer === node || violation !== undefined) return;
      violation = `${writer} and ${node} both accepted writes for ${fact.key} in epoch ${fact.epoch} (the second at ${formatMicros(run.now)})`;
      return violation;
    },
    verdict: () => (violation === undefined ? { ok: true } : { ok: false, message: violation }),
  };
}

/** sometimes: a membership change was published and every node it involved finished migrating (`epoch-settled`). */
export function membershipChangeCompleted(): Checker<ShardFact> {
  let settled = 0;
  return {
    name: 'membership-change-completed',
    kind: 'sometimes',
    description: 'at least one membership change completed: its epoch was published and every node migrated into it',
    onObservation(_node, fact) {
      if (fact.type === 'epoch-settled') settled = Math.max(settled, fact.epoch);
    },
    verdict: () => (settled > 0 ? { ok: true } : { ok: false, message: 'no membership change completed (no epoch after the first settled)' }),
  };
}

/**
 * eventually: the controller is serving, every join and leave asked for has been published, and every
 * node involved in the last one finished migrating into it (the store has settled).
 */
export function membershipSettled(controller: NodeId): Checker<ShardFact> {
  return {
    name: 'membership-settled',
    kind: 'eventually',
    description: 'after recovery every requested join and leave is published and migrated',
    verdict(run) {
      const view = run.inspect(controller) as ControllerView | undefined;
      if (view === undefined) return { ok: false, message: `the controller ${controller} is ${run.status(controller)}` };
      if (!view.ready) return { ok: false, message: 'the controller has not read the shard map yet' };
      // The last member's leave cannot be honoured (nobody could take its keys): it waits, and is not counted.
      const pending = view.pendingChanges.filter((c) => !(view.members.length === 1 && c === `leave ${view.members[0]}`));
      if (pending.length > 0) return { ok: false, message: `epoch ${view.epoch}: changes still pending (${pending.join(', ')})` };
      const waiting = view.members.filter((m) => !view.migrated.includes(m));
      if (waiting.length > 0) return { ok: false, message: `epoch ${view.epoch}: ${waiting.join(', ')} not yet migrated` };
      return { ok: true };
    },
  };
}

/** What {@link replicasAfterRecovery} needs to know of the store. */
export interface ReplicaCheckOptions {
  readonly tables: OwnerTables;
  readonly initialMembers: readonly NodeId[];
  readonly keys: number;
}

/**
 * eventually: every preloaded key and every key a put touched (open puts included) is held by all R
 * owners of the final map, all up, at the final epoch, done migrating, and with one version: the
 * primary's. A key only open puts touched and that no owner holds is fine (the puts may not have happened).
 */
export function replicasAfterRecovery(options: ReplicaCheckOptions): Checker<ShardFact> {
  let final: ShardMap = { epoch: 1, members: options.initialMembers };
  return {
    name: 'replicas-after-recovery',
    kind: 'eventually',
    description: 'after recovery every key is held at one version by all R owners of the final shard map, all up',
    onObservation(_node, fact) {
      final = laterMap(final, fact);
    },
    verdict: (run) => judgeReplicas(run, final, options),
  };
}

/**
 * The final map's members' views when every one is up, at the final epoch, done migrating and copying;
 * otherwise why not (the first member that is not), for the checkers that judge a settled store.
 */
function settledViews(run: Pick<RunView, 'status' | 'inspect'>, final: ShardMap): Map<NodeId, StorageView> | string {
  const views = new Map<NodeId, StorageView>();
  for (const member of final.members) {
    if (run.status(member) !== 'up') return `${member}, an owner in epoch ${final.epoch}, is ${run.status(member)}`;
    const view = run.inspect(member) as StorageView | undefined;
    if (view === undefined) return `${member} shows no state`;
    if (view.epoch !== final.epoch || view.migratedEpoch < final.epoch) return `${member} is at epoch ${view.epoch} (migrated ${view.migratedEpoch}), not settled in epoch ${final.epoch}`;
    if (view.pendingWrites > 0) return `${member} is still copying ${view.pendingWrites} writes to their owners`;
    views.set(member, view);
  }
  return views;
}

/** The replica check itself, over a run's view and its final map (exported for tests with hand-made views). */
export function judgeReplicas(run: Pick<RunView, 'status' | 'inspect' | 'history'>, final: ShardMap, options: ReplicaCheckOptions): CheckVerdict {
  const views = settledViews(run, final);
  if (typeof views === 'string') return { ok: false, message: views };
  const table = options.tables.of(final);
  const written = writtenKeys(run.history);
  const byIndex = final.members.map((m) => views.get(m)!);
  const compare = (key: string, owners: readonly NodeId[], copies: readonly (KeyCopy | undefined)[], mustExist: boolean): string | undefined => {
    const primary = copies[0];
    if (primary === undefined) {
      if (!mustExist && copies.every((c) => c === undefined)) return undefined;
      return `${key}: its primary ${owners[0]} holds no copy in epoch ${final.epoch}`;
    }
    for (let j = 1; j < owners.length; j++) {
      const copy = copies[j];
      if (copy === undefined) return `${key}: owner ${owners[j]} holds no copy (the primary ${owners[0]} holds ${JSON.stringify(primary.value)})`;
      if (copy.versionEpoch !== primary.versionEpoch || copy.versionCounter !== primary.versionCounter || copy.value !== primary.value) {
        return `${key}: owner ${owners[j]} holds ${JSON.stringify(copy.value)} at (${copy.versionEpoch}, ${copy.versionCounter}), the primary ${owners[0]} ${JSON.stringify(primary.value)} at (${primary.versionEpoch}, ${primary.versionCounter})`;
      }
    }
    return undefined;
  };
  const check = (key: string, mustExist: boolean): string | undefined => {
    const owners = table.owners(key);
    return compare(key, owners, owners.map((o) => views.get(o)!.data.get(key)), mustExist);
  };
  // R distinct physical nodes per key (min(R, members)): the placement's promise, not taken on trust —
  // a placement that counts one node twice (two of its virtual nodes) leaves the key short of copies.
  const R = options.tables.config.replicas;
  const distinctMin = Math.min(R, final.members.length);
  for (let i = 0; i < options.keys; i++) {
    let distinct = 0;
    for (let j = 0; j < R; j++) {
      const m = table.ownerIndexAt(i, j);
      if (m < 0) break;
      let seen = false;
      for (let q = 0; q < j; q++) if (table.ownerIndexAt(i, q) === m) seen = true;
      if (!seen) distinct++;
    }
    if (distinct < distinctMin) {
      return { ok: false, message: `${options.tables.keyNames[i]}: its owners in epoch ${final.epoch} are ${table.owners(options.tables.keyNames[i]!).join(', ')}: ${distinct} distinct node${distinct === 1 ? '' : 's'}, not R = ${R}` };
    }
  }
  // Preloaded keys through the table's member indices (100,000 keys: no array per key unless one is wrong).
  for (let i = 0; i < options.keys; i++) {
    const key = options.tables.keyNames[i]!;
    const p = table.ownerIndexAt(i, 0);
    const primary = byIndex[p]!.data.get(key);
    let same = primary !== undefined;
    for (let j = 1; same; j++) {
      const m = table.ownerIndexAt(i, j);
      if (m < 0) break;
      const copy = byIndex[m]!.data.get(key);
      same = copy !== undefined && copy.versionEpoch === primary!.versionEpoch && copy.versionCounter === primary!.versionCounter && copy.value === primary!.value;
    }
    if (same) continue;
    const problem = check(key, true);
    if (problem !== undefined) return { ok: false, message: problem };
  }
  for (const [key, acknowledged] of written) {
    if (keyIndex(key, options.keys) >= 0) continue;
    const problem = check(key, acknowledged);
    if (problem !== undefined) return { ok: false, message: problem };
  }
  return { ok: true };
}

/** Keys puts touched, not preloaded ones only: key → whether some put on it was acknowledged. */
function writtenKeys(history: readonly Operation[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const op of history) {
    const input = op.input as { op?: string; key?: string };
    if (input.op !== 'put' || typeof input.key !== 'string' || op.status === 'fail') continue;
    out.set(input.key, (out.get(input.key) ?? false) || op.status === 'ok');
  }
  return out;
}

/**
 * Metrics of the protocol (the placement's own, keys moved against the minimum and load spread, are
 * placementMetrics in algorithms/hashing/metrics.ts): key copies the storage nodes actually sent per
 * membership change (the `migrated` facts' keysSent, summed per epoch; above the placement's count when a
 * restart made a node re-send) and the number of changes that settled.
 */
export function shardMetrics(options: { readonly requestsMin?: number } = {}): MetricsObserver<ShardFact> {
  const moved = new Map<number, number>();
  let settled = 0;
  /** Per epoch: its members (from the controller's epoch fact) and the requests each node served in it. */
  const members = new Map<number, readonly NodeId[]>();
  const served = new Map<number, Map<NodeId, number>>();
  const requestsMin = options.requestsMin ?? 100;
  const count = (node: NodeId, epoch: number) => {
    let byNode = served.get(epoch);
    if (byNode === undefined) served.set(epoch, (byNode = new Map()));
    byNode.set(node, (byNode.get(node) ?? 0) + 1);
  };
  return {
    name: 'shard-metrics',
    provides: [
      { name: 'keyCopiesSentPerChange', unit: 'count', description: 'key copies storage nodes sent to new owners in one membership change (all nodes, re-sends after restarts included)' },
      { name: 'changesSettled', unit: 'count', description: 'membership changes every involved node finished migrating into' },
      {
        name: 'requestsPeakToMean', unit: 'number',
        description: `per epoch with at least ${requestsMin} requests served: the most requests (gets answered and puts ordered, as primary) one member served over the mean of the epoch's members; 1 is perfect`,
      },
    ],
    onFact(node, fact) {
      if (fact.type === 'migrated') moved.set(fact.epoch, (moved.get(fact.epoch) ?? 0) + fact.keysSent);
      else if (fact.type === 'epoch-settled') settled++;
      else if (fact.type === 'epoch') { if (!members.has(fact.epoch)) members.set(fact.epoch, fact.members); }
      else if (fact.type === 'write-accepted' || fact.type === 'read-served') count(node, fact.epoch);
    },
    finish() {
      const peaks: number[] = [];
      for (const epoch of [...served.keys()].sort((a, b) => a - b)) {
        const list = members.get(epoch);
        if (list === undefined || list.length === 0) continue;
        const byNode = served.get(epoch)!;
        const counts = list.map((m) => byNode.get(m) ?? 0);
        const total = counts.reduce((a, b) => a + b, 0);
        if (total < requestsMin) continue;
        peaks.push(Math.round((Math.max(...counts) / (total / list.length)) * 1000) / 1000);
      }
      return { samples: { keyCopiesSentPerChange: [...moved.values()], changesSettled: [settled], requestsPeakToMean: peaks } };
    },
  };
}
