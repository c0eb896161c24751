// The checker contract. A checker watches a run as it goes and gives a verdict at the end. It declares
// what it promises: `always` (safety: must hold at every step), `eventually` (liveness: must hold
// within the recovery bound once faults heal) or `sometimes` (the run must reach it at least once).

import type { Operation } from './history.js';
import type { Fact, Observation } from './facts.js';
import type { FaultEntry } from './faults.js';
import type { NodeId } from './process.js';
import type { Micros } from './time.js';
import type { TraceEvent } from './trace.js';

export type CheckKind = 'always' | 'eventually' | 'sometimes';

/** `absent`: not in the cluster (a dormant spare not joined yet, or a node that left). */
export type NodeStatus = 'up' | 'crashed' | 'paused' | 'absent';

/** What a checker may read of a run. */
export interface RunView {
  /** True virtual time now. */
  readonly now: Micros;
  readonly phase: 'faults' | 'recovery';
  readonly nodes: readonly NodeId[];
  readonly servers: readonly NodeId[];
  status(node: NodeId): NodeStatus;
  /** How many times the node has crashed so far. */
  crashCount(node: NodeId): number;
  /** The node's `inspect()` view, or undefined while it is down. */
  inspect(node: NodeId): unknown;
  readonly history: readonly Operation[];
  /**
   * Messages put on the wire so far, by every node (the engine's `stats.messagesSent`; a message that is
   * then dropped counts, a duplicate the network makes does not). Sends of the handler now running are
   * applied after it returns, so they are not counted yet. Read-only; for metrics observers such as
   * "messages until a value was chosen". The engine's view always has it; views a test builds by hand may leave it out.
   */
  readonly messagesSent?: number;
  /**
   * With `ScenarioSetup.measureBytes` on: the JSON text length of every message counted in `messagesSent`
   * (a proxy for bytes on the wire). Undefined when the scenario does not measure bytes. Read-only.
   */
  readonly bytesSent?: number;
}

export interface CheckVerdict {
  readonly ok: boolean;
  readonly message?: string;
  /** For a violation judged at the end: when, in the run, it became certain (a history check names the operation that cannot be placed). */
  readonly atMicros?: Micros;
}

/**
 * A checker of runs whose nodes report facts of type `F` (the algorithm's fact union, sim/facts.ts):
 * `onObservation` matches on `fact.type`, so a fact the algorithm does not declare is a compile error.
 */
export interface Checker<F extends Fact = Observation> {
  readonly name: string;
  readonly kind: CheckKind;
  /** One sentence: what this checker promises. */
  readonly description: string;
  /**
   * The checker looks now and then (every few facts), not at each step: a violation it reports was found
   * then, and may have begun earlier. Displays say "found at" for it rather than naming the step that broke it.
   */
  readonly sampled?: boolean;
  /** Called for each observation as it happens; return a message to report a violation. */
  onObservation?(node: NodeId, fact: F, run: RunView): string | void;
  /** Called for every trace event (costlier: events are materialised); return a message to report a violation. */
  onEvent?(event: TraceEvent, run: RunView): string | void;
  /**
   * Called after each fault entry the engine applies (as `FactObserver.onFault` is, before the observers),
   * with the entry as resolved (null: a role reference named no node then). Cheap: faults are rare, and
   * no trace event is built for it. Return a message to report a violation.
   */
  onFault?(fault: FaultEntry | null, run: RunView & LinkView): string | void;
  /**
   * The verdict now. For `eventually` checkers it is polled during recovery; the run ends early once
   * every one of them holds. For `always` checkers a violation reported earlier wins over this verdict.
   */
  verdict(run: RunView): CheckVerdict;
}

/**
 * The engine's link state, read-only: observers read what the faults applied so far did to the links
 * (one-way partitions included) rather than recompute it from the fault list.
 */
export interface LinkView {
  /** Whether a partition cuts the directed link from → to now (nothing crosses it). */
  isCut(from: NodeId, to: NodeId): boolean;
}

/**
 * Watches a run without judging it (metrics are observers, not checkers): `onFact` is called for each
 * fact as it happens, after the checkers have seen it; `onFault` after each fault entry the engine
 * applies, once it has acted. It never fails a run and never changes one.
 */
export interface FactObserver<F extends Fact = Observation> {
  readonly name: string;
  onFact?(node: NodeId, fact: F, run: RunView): void;
  /**
   * Called after each fault entry is applied, the schedule's and those that open the recovery phase
   * (`run.phase` tells which), with the entry as resolved (role references replaced by node ids; null:
   * a reference named no node then, and nothing changed). `run` shows node status and link state after it.
   */
  onFault?(fault: FaultEntry | null, run: RunView & LinkView): void;
}

/** One row of a run's result. */
export interface CheckResult {
  readonly name: string;
  readonly kind: CheckKind;
  readonly ok: boolean;
  readonly message?: string;
  /** When a violation was first seen, for `always` checkers that report as they go. */
  readonly atMicros?: Micros;
}
