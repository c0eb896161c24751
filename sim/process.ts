// The contract between the engine and an algorithm: a Process reacts to start, messages and timers,
// and acts only through its Context. Handlers never touch wall time, real timers, I/O or global
// randomness; a crash throws the process object away, and a restart builds a new one.

import type { Disk } from './disk.js';
import type { ClientHistory } from './history.js';
import type { Rng } from './rng.js';
import type { Micros } from './time.js';

export type NodeId = string;

/** A fact a process reports for checkers and reports: `{ type: 'leader', term: 3 }`. */
export interface Observation {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface Process<M> {
  /** Boot and every restart: volatile state is fresh, durable state is on `ctx.disk`. */
  onStart(ctx: Context<M>): void;
  onMessage(ctx: Context<M>, from: NodeId, msg: M): void;
  onTimer(ctx: Context<M>, name: string): void;
  /** A read-only view for checkers and reports. */
  inspect?(): unknown;
}

export interface Context<M> {
  readonly self: NodeId;
  /** The nodes this node talks to under the scenario's topology (by default: the servers, without itself), in a fixed order. */
  readonly peers: readonly NodeId[];
  /** This node's local clock, which may be skewed or drifting. */
  now(): Micros;
  /** Sends a plain-data message; the engine applies sends after the handler returns. */
  send(to: NodeId, msg: M): void;
  /** One timer per name, measured on the local clock; setting again replaces it. */
  setTimer(name: string, after: Micros): void;
  cancelTimer(name: string): void;
  /** This node's own random stream. */
  readonly rng: Rng;
  /** What was synced survives a crash; unsynced writes are lost. */
  readonly disk: Disk;
  /** Reports a fact for checkers and reports. */
  observe(fact: Observation): void;
  /** Records client operations (invoke, then ok/fail; never completed = open). */
  readonly history: ClientHistory;
}

/** How a scenario describes one node of the cluster. */
export interface NodeSpec<M = unknown> {
  readonly id: NodeId;
  /**
   * A name the scenario chooses (`server`, `coordinator`, `participant`, `monitor` …). Nodes of role
   * `client` drive a workload; the others are servers. Faults name roles as `@ROLE` (see sim/faults.ts).
   */
  readonly role: string;
  /** Builds a fresh process: at boot and at every restart. */
  create(): Process<M>;
}
