// Paxos's planted bugs (Multi-Paxos and single-decree alike), declared once: each bends one rule, in the
// function named beside it, and lists the scenarios whose sweeps catch it, the best first. A node reads
// them as booleans (`this.config.bugs.noBackoff`), set once when its configuration is built.

import { defineBugs, type ActiveBugs } from '../../sim/scenario.js';

export const paxosBugs = defineBugs('paxos', {
  /** Acceptor.accept, through AcceptorGuards.acceptOnlyAtOrAbovePromise (config.ts acceptorGuards). */
  acceptBelowPromise: {
    name: 'paxos/accept-below-promise',
    description: 'an acceptor checks an accept against the ballot it accepted in that slot, not against its promise',
    exposedBy: ['paxos-partition', 'paxos-dueling', 'paxos-chaos', 'paxos-single-decree-chaos', 'paxos-leader-crash'],
  },
  /** Proposer.becomeLeader (Multi-Paxos, after phase 1b) and SingleDecreeNode.onPromise: the reported value is ignored. */
  ignoreAcceptedValue: {
    name: 'paxos/ignore-accepted-value',
    description: 'a new leader (or proposer) proposes its own value although a promise reported an accepted one',
    exposedBy: ['paxos-leader-crash', 'paxos-partition', 'paxos-chaos', 'paxos-single-decree-chaos'],
  },
  /** Acceptor.load and Acceptor.raisePromise, through AcceptorGuards.persistPromise (config.ts acceptorGuards). */
  forgetPromise: {
    name: 'paxos/forget-promise',
    description: 'the promise is kept in memory only: after a restart an acceptor accepts ballots it had promised to ignore',
    exposedBy: ['paxos-paused-leader', 'paxos-chaos'],
  },
  /** quorumSize in config.ts (used by Proposer.isQuorum and SingleDecreeNode.isQuorum). */
  quorumOffByOne: {
    name: 'paxos/quorum-off-by-one',
    description: 'a quorum is ⌊n/2⌋ acceptors instead of ⌊n/2⌋+1: two quorums need not intersect',
    exposedBy: ['paxos-partition', 'paxos-chaos', 'paxos-single-decree-chaos'],
  },
  /** Proposer.preempted and SingleDecreeNode.preempted: retry at once instead of backing off. */
  noBackoff: {
    name: 'paxos/no-backoff',
    description: 'a preempted proposer retries at once with a higher ballot instead of backing off',
    exposedBy: ['paxos-dueling', 'paxos-leader-crash'],
  },
});

/** Which of Paxos's planted bugs are on. */
export type PaxosBugs = ActiveBugs<keyof typeof paxosBugs.names>;

/** The `--bug` name of one of Paxos's planted bugs. */
export type PaxosBug = (typeof paxosBugs.names)[keyof typeof paxosBugs.names];
