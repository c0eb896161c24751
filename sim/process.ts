// The contract between the engine and an algorithm: a Process reacts to start, messages and timers,
// and acts only through its Context. Handlers never touch wall time, real timers, I/O or global
// randomness; a crash throws the process object away, and a restart builds a new one.

import type { Disk } from './disk.js';
import type { Fact, Observation } from './facts.js';
import type { ClientHistory } from './history.js';
import type { Rng } from './rng.js';
import type { Micros } from './time.js';

export type NodeId = string;

export type { Fact, Observation } from './facts.js';

/**
 * A node's code. `M` is its message type; `F` the union of facts it reports (see sim/facts.ts), so
 * `ctx.observe` takes only those. Without `F`, any fact ({@link Observation}).
 */
export interface Process<M, F extends Fact = Observation> {
  /** Boot and every restart: volatile state is fresh, durable state is on `ctx.disk`. */
  onStart(ctx: Context<M, F>): void;
  onMessage(ctx: Context<M, F>, from: NodeId, msg: M): void;
  onTimer(ctx: Context<M, F>, name: string): void;
  /** A read-only view for checkers and reports. */
  inspect?(): unknown;
  /**
   * A `leave` fault asks this node to leave the cluster gracefully (hand its duties over, then go): it
   * calls `ctx.leave()` when it is done, in this handler or a later one. Without this hook, a `leave`
   * takes the node out at once.
   */
  onLeave?(ctx: Context<M, F>): void;
  /**
   * A `request` schedule entry asks this node (a client) to issue one operation now: `op`, already in the
   * form {@link checkRequestOp} gave it, or (undefined) one it draws as its workload would, from `ctx.rng`.
   * A node without this hook takes no requests (a schedule naming it is refused before the run).
   */
  onRequestEntry?(ctx: Context<M, F>, op: unknown): void;
  /**
   * Checks an operation a schedule gives a `request` (before the run, on a process built only to ask):
   * its canonical form (fields in a fixed order), or a one-line problem naming what is wrong. Reads no
   * state: the answer depends on the operation and the process's configuration only. Without it, the
   * node takes requests only without an operation.
   */
  checkRequestOp?(op: unknown): RequestCheck;
}

/** What {@link Process.checkRequestOp} says of an operation: its canonical form, or what is wrong with it. */
export type RequestCheck = { readonly op: unknown } | { readonly problem: string };

/** How a timer counts (see `Context.setTimer`). */
export interface TimerOptions {
  /** The timer stands for the node's own work: a slow node takes factor × as long. */
  readonly work?: boolean;
}

/** What a process may do. `F`: the facts it may report (its algorithm's fact union). */
export interface Context<M, F extends Fact = Observation> {
  readonly self: NodeId;
  /** The nodes this node talks to under the scenario's topology (by default: the servers, without itself), in a fixed order. */
  readonly peers: readonly NodeId[];
  /** This node's local clock, which may be skewed or drifting. */
  now(): Micros;
  /** Sends a plain-data message; the engine applies sends after the handler returns. */
  send(to: NodeId, msg: M): void;
  /** One timer per name, measured on the local clock; setting again replaces it. */
  /**
   * `options.work`: the timer stands for work the node does (serving a request takes this long): on a node
   * a `slow` fault holds, it fires factor × later, as an overloaded machine computes slower. Other timers
   * (timeouts, periods) fire on time.
   */
  setTimer(name: string, after: Micros, options?: TimerOptions): void;
  cancelTimer(name: string): void;
  /** This node's own random stream. */
  readonly rng: Rng;
  /** What was synced survives a crash; unsynced writes are lost. */
  readonly disk: Disk;
  /** Reports a fact for checkers, metrics and reports: one of the algorithm's declared facts. */
  observe(fact: F): void;
  /** Records client operations (invoke, then ok/fail; never completed = open). */
  readonly history: ClientHistory;
  /**
   * The share of requests (0 … 1) this node must fail at once, as a `fail-fast` fault sets it (0: none).
   * A server that has requests (a load-balanced backend) asks it per request and answers an error without
   * serving; other algorithms ignore it. Fault injection at the application layer, as a service mesh does.
   */
  failFastRatio(): number;
  /**
   * This node has left the cluster (after a `leave` fault, or of its own accord): once the handler
   * returns, the engine stops it and marks it `absent`; its timers are cancelled and messages to it are
   * dropped. Only a `join` brings it back, as a fresh node with an empty disk.
   */
  leave(): void;
}

/** How a scenario describes one node of the cluster. */
export interface NodeSpec<M = unknown, F extends Fact = Observation> {
  readonly id: NodeId;
  /**
   * A name the scenario chooses (`server`, `coordinator`, `participant`, `monitor` …). Nodes of role
   * `client` drive a workload; the others are servers. Faults name roles as `@ROLE` (see sim/faults.ts).
   */
  readonly role: string;
  /** Builds a fresh process: at boot and at every restart. */
  create(): Process<M, F>;
  /**
   * The node is a spare, not in the cluster at the start: it stays `absent` (not booted; messages to it
   * are dropped) until a `join` fault boots it as a fresh node.
   */
  readonly dormant?: boolean;
}
