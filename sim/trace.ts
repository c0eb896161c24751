// Trace events: everything that happens in a run, in the order it happens. recorder.ts records each
// once: it folds it into the run's fingerprint and, when a sink or a checker asks, also materialises it
// as one of these plain objects (NDJSON), from which the fingerprint can be recomputed.

import type { FaultEntry } from './faults.js';
import type { DropReason } from './network.js';
import type { NodeId, Observation } from './process.js';
import type { Micros } from './time.js';

/** One event of a run; `at` is true virtual time. */
export type TraceEvent =
  | { type: 'start'; at: Micros; node: NodeId }
  | { type: 'send'; at: Micros; from: NodeId; to: NodeId; msgId: number; msg: unknown }
  | { type: 'deliver'; at: Micros; from: NodeId; to: NodeId; msgId: number; msg: unknown }
  | { type: 'drop'; at: Micros; from: NodeId; to: NodeId; msgId: number; reason: DropReason }
  | { type: 'timer'; at: Micros; node: NodeId; name: string }
  | { type: 'crash' | 'restart' | 'pause' | 'resume'; at: Micros; node: NodeId }
  /** The node left the cluster (it called `ctx.leave()`, or a `leave` fault took out a node without an `onLeave` hook): it is absent from now on. */
  | { type: 'leave'; at: Micros; node: NodeId }
  /** `resolved`: the entry with @leader, @follower, @rest and $NAME replaced (null: not resolvable then). */
  | { type: 'fault'; at: Micros; fault: FaultEntry; source: 'schedule' | 'recovery'; resolved?: FaultEntry | null }
  | { type: 'observe'; at: Micros; node: NodeId; fact: Observation }
  | { type: 'invoke'; at: Micros; node: NodeId; opId: number; input: unknown }
  | { type: 'complete'; at: Micros; node: NodeId; opId: number; status: 'ok' | 'fail'; output: unknown }
  | { type: 'phase'; at: Micros; phase: 'recovery' | 'end' };

/** The kinds of trace event. */
export type TraceEventType = TraceEvent['type'];

/** Receives every trace event in order (for NDJSON streaming). */
export type TraceSink = (event: TraceEvent) => void;
