// Multi-Paxos and single-decree Paxos settings: the planted bugs, the node configuration, and the two
// rules a bug can bend (the acceptor's guards, the quorum size). Shared by every Paxos role file.

import type { Micros } from '../../sim/time.js';
import type { AcceptorGuards } from './acceptor.js';

export const PAXOS_BUGS = {
  acceptBelowPromise: 'paxos/accept-below-promise',
  ignoreAcceptedValue: 'paxos/ignore-accepted-value',
  forgetPromise: 'paxos/forget-promise',
  quorumOffByOne: 'paxos/quorum-off-by-one',
  noBackoff: 'paxos/no-backoff',
} as const;

export type PaxosBug = (typeof PAXOS_BUGS)[keyof typeof PAXOS_BUGS];

export interface PaxosConfig {
  readonly takeoverTimeoutMicrosMin: Micros;
  readonly takeoverTimeoutMicrosMax: Micros;
  readonly heartbeatMicros: Micros;
  /** Bound: chosen values per catch-up message. */
  readonly decidedPerMessageMax: number;
  readonly bug: PaxosBug | undefined;
}

/** The acceptor's guards, with the one a planted bug removes switched off. */
export function acceptorGuards(bug: PaxosBug | undefined): AcceptorGuards {
  return { persistPromise: bug !== PAXOS_BUGS.forgetPromise, acceptOnlyAtOrAbovePromise: bug !== PAXOS_BUGS.acceptBelowPromise };
}

/**
 * Whether a learner asserts that it never learns two values for a slot (assertion L1). Every planted
 * safety bug exists to break Agreement, so that a checker can catch it; under those the assertion is off,
 * and only paxos/no-backoff (a liveness bug) keeps it.
 */
export function learnerAssertsAgreement(bug: PaxosBug | undefined): boolean {
  return bug === undefined || bug === PAXOS_BUGS.noBackoff;
}

/**
 * Acceptors needed for a promise or a choice among `servers`. Invariant (quorum intersection): any two
 * majorities share an acceptor. The planted bug paxos/quorum-off-by-one takes ⌊n/2⌋, a minority.
 */
export function quorumSize(servers: number, bug: PaxosBug | undefined): number {
  return bug === PAXOS_BUGS.quorumOffByOne ? Math.max(1, Math.floor(servers / 2)) : Math.floor(servers / 2) + 1;
}
