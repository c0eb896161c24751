// Multi-Paxos and single-decree Paxos settings: the node configuration, and the rules a planted bug
// (bugs.ts) can bend (the acceptor's guards, the quorum size). Shared by every Paxos role file.

import type { Micros } from '../../sim/time.js';
import type { AcceptorGuards } from './acceptor.js';
import type { PaxosBugs } from './bugs.js';

export { paxosBugs, type PaxosBug, type PaxosBugs } from './bugs.js';

export interface PaxosConfig {
  readonly takeoverTimeoutMicrosMin: Micros;
  readonly takeoverTimeoutMicrosMax: Micros;
  readonly heartbeatMicros: Micros;
  /** Bound: chosen values per catch-up message. */
  readonly decidedPerMessageMax: number;
  /** The planted bugs switched on (paxosBugs.active(name)); all off in a correct node. */
  readonly bugs: PaxosBugs;
}

/** The acceptor's guards, with the one a planted bug removes switched off. */
export function acceptorGuards(bugs: PaxosBugs): AcceptorGuards {
  return { persistPromise: !bugs.forgetPromise, acceptOnlyAtOrAbovePromise: !bugs.acceptBelowPromise };
}

/**
 * Whether a learner asserts that it never learns two values for a slot (assertion L1). Every planted
 * safety bug exists to break Agreement, so that a checker can catch it; under those the assertion is off,
 * and only paxos/no-backoff (a liveness bug) keeps it.
 */
export function learnerAssertsAgreement(bugs: PaxosBugs): boolean {
  return !(bugs.acceptBelowPromise || bugs.ignoreAcceptedValue || bugs.forgetPromise || bugs.quorumOffByOne);
}

/**
 * Acceptors needed for a promise or a choice among `servers`. Invariant (quorum intersection): any two
 * majorities share an acceptor. The planted bug paxos/quorum-off-by-one takes ⌊n/2⌋, a minority.
 */
export function quorumSize(servers: number, bugs: PaxosBugs): number {
  return bugs.quorumOffByOne ? Math.max(1, Math.floor(servers / 2)) : Math.floor(servers / 2) + 1;
}
