// Run metrics: availability, time to a new leader after each leader loss, time to recover after the
// final heal, and messages per committed command. Availability and recovery time are the engine's own;
// the others come from metrics observers a scenario registers (`ScenarioSetup.observers`), offered here
// for algorithms that emit the shared facts of sim/facts.ts (`role`, `leader-established`, `apply`).
// Observers are not checkers: they never fail a run. Leader losses are judged as each fault is applied,
// from the engine's own node status and link state (sim/check.ts `LinkView`), never from the fault list.

import type { FactObserver, LinkView, RunView } from './check.js';
import type { AppliedFact, Fact, LeaderEstablishedFact, Observation, RoleFact } from './facts.js';
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
  /**
   * Further metrics by name, each a list of samples (one per event measured: a trial, an election …),
   * from observers that declare them in `provides` (a scenario's own measurements, such as the time
   * from a leader's crash to its successor). Present only when some observer provides one.
   */
  readonly samples?: Readonly<Record<string, readonly number[]>>;
}

/** What a further metric measures, declared by the observer that provides it (`faultline list`, experiments). */
export interface MetricDecl {
  /** camelCase, with its unit last (`leaderlessMicros`, `messagesToChosen`). */
  readonly name: string;
  /** How its samples read: microseconds, a count, a ratio in 0…1, or a plain number. */
  readonly unit: MetricUnit;
  readonly description: string;
}

export type MetricUnit = 'duration' | 'count' | 'ratio' | 'number';

/** What a metrics observer is told when the run has ended. */
export interface EndedRun {
  readonly servers: readonly NodeId[];
  readonly history: { readonly ok: number; readonly fail: number; readonly open: number };
  readonly messagesSent: number;
  /** The JSON text length of every message sent (see `ScenarioSetup.measureBytes`); absent when the scenario does not measure bytes. */
  readonly bytesSent?: number;
  readonly recovery: { readonly startedAtMicros: Micros; readonly recoveredAtMicros: Micros | null };
  /** Virtual time when the run ended. */
  readonly endedAtMicros: Micros;
}

/** The metrics an observer adds to a run's result (the run fills in those nobody computed). */
export type ObservedMetrics = Partial<Pick<RunMetrics, 'leaderElectionMicros' | 'leaderLossesUnresolved' | 'messagesPerCommit' | 'samples'>>;

/**
 * A metrics observer: watches facts as the run goes (`onFact`) and computes its metrics once it has
 * ended. Scenarios register a fresh one per run in `ScenarioSetup.observers`, typed by the facts their
 * algorithm reports, so only an algorithm that emits the facts an observer reads can register it.
 */
export interface MetricsObserver<F extends Fact = Observation> extends FactObserver<F> {
  /** The further metrics (`RunMetrics.samples`) this observer fills, declared before any run. */
  readonly provides?: readonly MetricDecl[];
  finish(run: EndedRun): ObservedMetrics;
}

/** The leader facts {@link leaderMetrics} reads. */
export type LeaderMetricFact<R extends string = string> = RoleFact<R> | LeaderEstablishedFact;

/**
 * Leader metrics, for algorithms that emit `role` (with a term) and `leader-established`: each leader
 * loss (its leader crashed, paused or cut off from a majority) and the time until a leader of a later
 * term was established. Fills `leaderElectionMicros` and `leaderLossesUnresolved`.
 */
export function leaderMetrics<R extends string = string>(): MetricsObserver<LeaderMetricFact<R>> {
  const losses = new LeaderLosses();
  return {
    name: 'leader-metrics',
    onFact(node: NodeId, fact: LeaderMetricFact<R>, run: RunView) {
      if (fact.type === 'role') losses.role(run.now, node, fact.role === 'leader', fact.term);
      else if (fact.type === 'leader-established') losses.established(run.now, fact.term);
    },
    onFault(_fault, run) {
      losses.fault(run);
    },
    finish() {
      const { resolved, unresolved } = losses.finish();
      return { leaderElectionMicros: resolved, leaderLossesUnresolved: unresolved };
    },
  };
}

/**
 * Leader losses and their resolution. Role and establishment facts wait in time order and are taken in
 * up to just before each fault (those of the fault's own microsecond after it); at each fault the leader
 * of the highest term among the nodes that believe they lead is lost if the fault left it down, or
 * without a majority of servers it is up with and linked to both ways (read from the engine's view).
 */
class LeaderLosses {
  private readonly roleChanges: { readonly at: Micros; readonly node: NodeId; readonly leader: boolean; readonly term: number }[] = [];
  private readonly establishedList: { readonly at: Micros; readonly term: number }[] = [];
  private roleIndex = 0;
  private establishedIndex = 0;
  /** node → term, while it believes it leads. */
  private readonly leaderOf = new Map<NodeId, number>();
  /** Nodes not up (crashed or paused) as of the last fault. */
  private down = new Set<NodeId>();
  private pending: { readonly at: Micros; readonly term: number } | undefined;
  readonly resolved: Micros[] = [];

  role(at: Micros, node: NodeId, leader: boolean, term: number): void {
    this.roleChanges.push({ at, node, leader, term });
  }

  established(at: Micros, term: number): void {
    this.establishedList.push({ at, term });
  }

  /** After a fault has been applied at `run.now`: opens a loss if it took the leader out. */
  fault(run: RunView & LinkView): void {
    const at = run.now;
    this.advanceTo(at - 1);
    const before = this.currentLeader();
    const down = new Set<NodeId>();
    for (const node of run.nodes) if (run.status(node) !== 'up') down.add(node);
    this.down = down;
    // A node that is down no longer leads (a crash loses the role; a pause is counted the same).
    for (const node of down) this.leaderOf.delete(node);
    if (this.pending === undefined && before !== undefined && (down.has(before.node) || !this.reachesMajority(before.node, run))) {
      this.pending = { at, term: before.term };
    }
  }

  finish(): { resolved: Micros[]; unresolved: number } {
    this.advanceTo(Number.MAX_SAFE_INTEGER);
    return { resolved: this.resolved, unresolved: this.pending === undefined ? 0 : 1 };
  }

  private currentLeader(): { node: NodeId; term: number } | undefined {
    let best: { node: NodeId; term: number } | undefined;
    for (const [node, term] of this.leaderOf) if (!this.down.has(node) && (best === undefined || term > best.term)) best = { node, term };
    return best;
  }

  /** Whether the leader is up with a majority of servers (itself included), linked both ways. */
  private reachesMajority(leader: NodeId, run: RunView & LinkView): boolean {
    let both = 1;
    for (const other of run.servers) {
      if (other !== leader && !this.down.has(other) && !run.isCut(leader, other) && !run.isCut(other, leader)) both++;
    }
    return both * 2 > run.servers.length;
  }

  private advanceTo(at: Micros): void {
    const roles = this.roleChanges;
    while (this.roleIndex < roles.length && roles[this.roleIndex]!.at <= at) {
      const change = roles[this.roleIndex++]!;
      if (change.leader) this.leaderOf.set(change.node, change.term);
      else this.leaderOf.delete(change.node);
    }
    const established = this.establishedList;
    while (this.establishedIndex < established.length && established[this.establishedIndex]!.at <= at) {
      const e = established[this.establishedIndex++]!;
      if (this.pending !== undefined && e.term > this.pending.term) {
        this.resolved.push(e.at - this.pending.at);
        this.pending = undefined;
      }
    }
  }
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
  let samples: Record<string, readonly number[]> | undefined;
  for (const observer of observers) {
    const { samples: own, ...rest } = observer.finish(run);
    observed = { ...observed, ...rest };
    if (own !== undefined) samples = { ...samples, ...own };
  }
  // Key order is the JSON's (run --json, sweep output): keep it.
  return {
    availability: invoked === 0 ? null : run.history.ok / invoked,
    leaderElectionMicros: observed.leaderElectionMicros ?? [],
    leaderLossesUnresolved: observed.leaderLossesUnresolved ?? 0,
    recoveryMicros: run.recovery.recoveredAtMicros === null ? null : run.recovery.recoveredAtMicros - run.recovery.startedAtMicros,
    messagesPerCommit: observed.messagesPerCommit ?? null,
    ...(samples !== undefined ? { samples } : {}),
  };
}

/** Median of a list (the lower middle for an even count); null when empty. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
