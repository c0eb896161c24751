// Run metrics: availability, time to a new leader after each leader loss, time to recover after the
// final heal, and messages per committed command. Availability and recovery time are the engine's own;
// the others come from metrics observers a scenario registers (`ScenarioSetup.observers`), offered here
// for algorithms that emit the shared facts of sim/facts.ts (`role`, `leader-established`, `apply`).
// Observers are not checkers: they never fail a run. Leader losses are still judged from the faults
// the run applied (partitions recomputed from the fault list), not read from the engine's links.

import type { FactObserver, RunView } from './check.js';
import type { AppliedFact, Fact, LeaderEstablishedFact, Observation, RoleFact } from './facts.js';
import type { FaultEntry } from './faults.js';
import type { NodeId } from './process.js';
import type { Micros } from './time.js';

export interface RunMetrics {
  /** Fraction of client operations that succeeded (ok ÷ all invoked); null when no client ran. */
  readonly availability: number | null;
  /**
   * For each leader loss (its leader crashed, paused, or cut off from a majority by a partition), the
   * time until a new leader was known to a majority (its `leader-established` observation). Losses
   * never followed by such a leader before the run ended are left out and counted in `leaderLossesUnresolved`.
   */
  readonly leaderElectionMicros: readonly Micros[];
  readonly leaderLossesUnresolved: number;
  /** From the final heal (the start of the recovery phase) until every `eventually` check held; null: never. */
  readonly recoveryMicros: Micros | null;
  /** All messages sent (servers and clients) ÷ distinct log positions applied with a client command; null: none. */
  readonly messagesPerCommit: number | null;
}

/** What a metrics observer is told when the run has ended. */
export interface EndedRun {
  readonly servers: readonly NodeId[];
  /** Faults in the order applied, with role references resolved (null: skipped). */
  readonly applied: readonly { readonly at: Micros; readonly fault: FaultEntry | null }[];
  readonly history: { readonly ok: number; readonly fail: number; readonly open: number };
  readonly messagesSent: number;
  readonly recovery: { readonly startedAtMicros: Micros; readonly recoveredAtMicros: Micros | null };
}

/** The metrics an observer adds to a run's result (the run fills in those nobody computed). */
export type ObservedMetrics = Partial<Pick<RunMetrics, 'leaderElectionMicros' | 'leaderLossesUnresolved' | 'messagesPerCommit'>>;

/**
 * A metrics observer: watches facts as the run goes (`onFact`) and computes its metrics once it has
 * ended. Scenarios register a fresh one per run in `ScenarioSetup.observers`, typed by the facts their
 * algorithm reports, so only an algorithm that emits the facts an observer reads can register it.
 */
export interface MetricsObserver<F extends Fact = Observation> extends FactObserver<F> {
  finish(run: EndedRun): ObservedMetrics;
}

/** The leader facts {@link leaderMetrics} reads. */
export type LeaderMetricFact<R extends string = string> = RoleFact<R> | LeaderEstablishedFact;

interface RoleChange { readonly at: Micros; readonly node: NodeId; readonly leader: boolean; readonly term: number }

/**
 * Leader metrics, for algorithms that emit `role` (with a term) and `leader-established`: each leader
 * loss (its leader crashed, paused or cut off from a majority) and the time until a leader of a later
 * term was established. Fills `leaderElectionMicros` and `leaderLossesUnresolved`.
 */
export function leaderMetrics<R extends string = string>(): MetricsObserver<LeaderMetricFact<R>> {
  const roleChanges: RoleChange[] = [];
  const established: { at: Micros; node: NodeId; term: number }[] = [];
  return {
    name: 'leader-metrics',
    onFact(node: NodeId, fact: LeaderMetricFact<R>, run: RunView) {
      if (fact.type === 'role') roleChanges.push({ at: run.now, node, leader: fact.role === 'leader', term: fact.term });
      else if (fact.type === 'leader-established') established.push({ at: run.now, node, term: fact.term });
    },
    finish(run) {
      const elections = leaderElections(roleChanges, established, run.servers, run.applied);
      return { leaderElectionMicros: elections.resolved, leaderLossesUnresolved: elections.unresolved };
    },
  };
}

/**
 * Commit metrics, for algorithms that emit `apply`: all messages sent ÷ the distinct log positions
 * applied with a client command (a null or undefined `command` is a no-op). Fills `messagesPerCommit`.
 */
export function commitMetrics<C = unknown>(): MetricsObserver<AppliedFact<C>> {
  const committed = new Set<number>();
  return {
    name: 'commit-metrics',
    onFact(_node: NodeId, fact: AppliedFact<C>) {
      if (fact.type === 'apply' && fact.command !== null && fact.command !== undefined) committed.add(fact.index);
    },
    finish(run) {
      return { messagesPerCommit: committed.size === 0 ? null : Math.round((run.messagesSent / committed.size) * 100) / 100 };
    },
  };
}

/** Computes a run's metrics: the engine's own, then each observer's (in order; a later one wins a key). */
export function computeMetrics(observers: readonly MetricsObserver<never>[], run: EndedRun): RunMetrics {
  const invoked = run.history.ok + run.history.fail + run.history.open;
  let observed: ObservedMetrics = {};
  for (const observer of observers) observed = { ...observed, ...observer.finish(run) };
  // Key order is the JSON's (run --json, sweep output): keep it.
  return {
    availability: invoked === 0 ? null : run.history.ok / invoked,
    leaderElectionMicros: observed.leaderElectionMicros ?? [],
    leaderLossesUnresolved: observed.leaderLossesUnresolved ?? 0,
    recoveryMicros: run.recovery.recoveredAtMicros === null ? null : run.recovery.recoveredAtMicros - run.recovery.startedAtMicros,
    messagesPerCommit: observed.messagesPerCommit ?? null,
  };
}

/** Walks faults and role changes in time order, opening a loss when the leader is taken out. */
function leaderElections(
  roleChanges: readonly RoleChange[],
  establishedList: readonly { at: Micros; node: NodeId; term: number }[],
  servers: readonly NodeId[],
  applied: readonly { at: Micros; fault: FaultEntry | null }[],
) {
  const serverSet = new Set(servers);
  const leaderOf = new Map<NodeId, number>(); // node → term, while it believes it leads
  const down = new Set<NodeId>();
  const cuts = new Set<string>(); // "from>to" between servers
  const resolved: Micros[] = [];
  let unresolved = 0;
  let pending: { at: Micros; term: number } | undefined;
  let roleIndex = 0;
  let establishedIndex = 0;

  const currentLeader = (): { node: NodeId; term: number } | undefined => {
    let best: { node: NodeId; term: number } | undefined;
    for (const [node, term] of leaderOf) if (!down.has(node) && (best === undefined || term > best.term)) best = { node, term };
    return best;
  };
  const reachesMajority = (leader: NodeId): boolean => {
    let both = 1;
    for (const other of servers) if (other !== leader && !down.has(other) && !cuts.has(`${leader}>${other}`) && !cuts.has(`${other}>${leader}`)) both++;
    return both * 2 > servers.length;
  };
  const advanceTo = (at: Micros) => {
    while (roleIndex < roleChanges.length && roleChanges[roleIndex]!.at <= at) {
      const change = roleChanges[roleIndex++]!;
      if (change.leader) leaderOf.set(change.node, change.term);
      else leaderOf.delete(change.node);
    }
    while (establishedIndex < establishedList.length && establishedList[establishedIndex]!.at <= at) {
      const e = establishedList[establishedIndex++]!;
      if (pending !== undefined && e.term > pending.term) {
        resolved.push(e.at - pending.at);
        pending = undefined;
      }
    }
  };
  const linksOf = (list: readonly NodeId[] | undefined) => (list ?? servers).filter((n) => serverSet.has(n));

  for (const { at, fault } of applied) {
    advanceTo(at - 1);
    const before = currentLeader();
    if (fault !== null) {
      switch (fault.kind) {
        case 'crash': case 'pause':
          down.add(fault.node);
          leaderOf.delete(fault.node);
          break;
        case 'restart': case 'resume':
          down.delete(fault.node);
          break;
        case 'heal':
          cuts.clear();
          break;
        case 'partition':
          if ('groups' in fault && fault.groups) {
            const groupOf = new Map<NodeId, number>();
            fault.groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
            for (const a of servers) for (const b of servers) {
              const ga = groupOf.get(a);
              const gb = groupOf.get(b);
              if (ga !== undefined && gb !== undefined && ga !== gb) cuts.add(`${a}>${b}`);
            }
          } else {
            const f = fault as { from?: readonly NodeId[]; to?: readonly NodeId[] };
            for (const a of linksOf(f.from)) for (const b of linksOf(f.to)) if (a !== b) cuts.add(`${a}>${b}`);
          }
          break;
        default:
          break;
      }
    }
    if (pending === undefined && before !== undefined && (down.has(before.node) || !reachesMajority(before.node))) {
      pending = { at, term: before.term };
    }
  }
  advanceTo(Number.MAX_SAFE_INTEGER);
  if (pending !== undefined) unresolved++;
  return { resolved, unresolved };
}

/** Median of a list (the lower middle for an even count); null when empty. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
