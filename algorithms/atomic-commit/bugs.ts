// The atomic-commitment protocols' planted bugs, declared once: each switches one rule off in one part
// (named beside it). Every part reads them as booleans (`config.bugs.commitOnMajority`).

import { defineBugs, type ActiveBugs } from '../../sim/scenario.js';

export const commitBugs = defineBugs('commit', {
  /** 2PC coordinator: commits once a majority of participants voted yes, not all of them. */
  commitOnMajority: {
    name: 'commit/commit-on-majority',
    description: 'the 2PC coordinator commits once a majority of the participants voted yes instead of all of them, so a participant that voted no (or never voted) is overruled',
    exposedBy: ['2pc-chaos', '2pc-participant-crash'],
  },
  /** Resource manager: the prepare record is written but not synced before the yes vote. */
  prepareNotSynced: {
    name: 'commit/prepare-not-synced',
    description: 'a participant votes yes before its prepare record is on disk, so a crash right after the vote forgets it: after a restart it aborts a transaction the coordinator commits',
    exposedBy: ['2pc-participant-crash'],
  },
  /** 2PC coordinator: sends its decision before logging it. */
  decideBeforeLog: {
    name: 'commit/decide-before-log',
    description: 'the 2PC coordinator sends its commit decision before its commit record is on disk; a crash in between makes it presume abort after the restart and tell the rest abort',
    exposedBy: ['2pc-coordinator-crash'],
  },
  /** 2PC participant: aborts on its own after a timeout though it voted yes. */
  abortAfterYes: {
    name: 'commit/abort-after-yes',
    description: 'a participant that voted yes gives up waiting for the decision and aborts on its own, though the coordinator may already have committed',
    exposedBy: ['2pc-partition', '2pc-coordinator-crash'],
  },
  /** Paxos Commit acceptor quorums: F acceptors instead of F + 1 out of 2F + 1. */
  quorumOffByOne: {
    name: 'commit/paxos-quorum-off-by-one',
    description: 'Paxos Commit counts F acceptors as a majority of 2F + 1 (one short), so two leaders can choose different values for one participant\'s instance',
    exposedBy: ['paxos-commit-chaos'],
  },
});

/** Which of the atomic-commitment planted bugs are on. */
export type CommitBugs = ActiveBugs<keyof typeof commitBugs.names>;
