// What every atomic-commitment protocol here shares: the client's two messages to and from the
// transaction manager (the 2PC/3PC coordinator, the Paxos Commit leader), and the options a protocol's
// node builder takes. Each protocol module exports a builder of this shape, so one scenario family runs
// any of them (`--set protocol=2pc|3pc|paxos-commit`).

import type { NodeId, NodeSpec } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { BankConfig, ShardWork } from './bank.js';
import type { CommitBugs } from './bugs.js';
import type { CommitFact, Decision } from './facts.js';

/** A client asks the transaction manager to run `tx`: `work` per participant (resource manager) it touches. */
export interface BeginTx {
  readonly type: 'begin';
  readonly tx: string;
  readonly work: readonly (readonly [NodeId, ShardWork])[];
}

/** The transaction manager's answer: the decision, and (on commit) the balances audits read, per participant. */
export interface TxResult {
  readonly type: 'result';
  readonly tx: string;
  readonly decision: Decision;
  readonly reads: readonly (readonly [NodeId, Readonly<Record<string, number>>])[];
}

/** Every protocol's timing knobs (each uses those it needs). */
export interface CommitTiming {
  /** A participant (or coordinator) waiting this long for a message acts: a coordinator aborts a vote not in, an in-doubt participant asks around. */
  readonly timeoutMicros: Micros;
  /** Retries of unanswered messages (decisions, queries) this often. */
  readonly retryMicros: Micros;
}

/** What a protocol's node builder is given. */
export interface CommitNodesOptions {
  /** The transaction manager's id (coordinator, or the first Paxos Commit leader); clients send `begin` to it. */
  readonly coordinator: NodeId;
  /** Resource managers (participants), each owning a shard of accounts. */
  readonly participants: readonly NodeId[];
  /** Paxos Commit: the 2F + 1 acceptors (empty for 2PC and 3PC). With F = 0 Paxos Commit is 2PC. */
  readonly acceptors: readonly NodeId[];
  /** Paxos Commit: backup leaders that take over from a crashed one (may include the participants). */
  readonly leaders: readonly NodeId[];
  readonly bank: BankConfig;
  readonly timing: CommitTiming;
  readonly bugs: CommitBugs;
}

/** A protocol's node builder: the transaction manager(s), participants and acceptors (clients are shared: client.ts). */
export type CommitNodesBuilder = (options: CommitNodesOptions) => NodeSpec<unknown, CommitFact>[];
