// Paxos's configuration rules (algorithms/paxos/config.ts), stated for every planted bug: the quorum size
// (any two quorums of a correct node share an acceptor; under paxos/quorum-off-by-one two disjoint ones
// exist) and when the learner asserts Agreement (off under exactly the bugs that exist to break it).
import { describe, expect, it } from 'vitest';
import { acceptorGuards, learnerAssertsAgreement, paxosBugs, quorumSize, type PaxosBug } from '../../algorithms/paxos/config.js';

const ALL_BUGS = Object.values(paxosBugs.names) as PaxosBug[];
const SAFETY_BUGS: readonly PaxosBug[] = [
  paxosBugs.names.acceptBelowPromise, paxosBugs.names.ignoreAcceptedValue, paxosBugs.names.forgetPromise, paxosBugs.names.quorumOffByOne,
];

describe('quorumSize', () => {
  it('is a majority, ⌊n/2⌋+1, so any two quorums intersect and a quorum exists among the live servers of a majority', () => {
    const none = paxosBugs.active(undefined);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => quorumSize(n, none))).toEqual([1, 2, 2, 3, 3, 4, 4]);
    for (let n = 1; n <= 9; n++) {
      const q = quorumSize(n, none);
      expect(2 * q).toBeGreaterThan(n); // two quorums share an acceptor
      expect(q).toBeLessThanOrEqual(n);
      expect(2 * (q - 1)).toBeLessThanOrEqual(n); // the smallest such size: one less would not intersect
    }
  });

  it('under paxos/quorum-off-by-one is ⌊n/2⌋ (at least 1): two disjoint quorums exist in every cluster of two or more', () => {
    const bug = paxosBugs.active(paxosBugs.names.quorumOffByOne);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => quorumSize(n, bug))).toEqual([1, 1, 1, 2, 2, 3, 3]);
    for (let n = 2; n <= 9; n++) expect(2 * quorumSize(n, bug)).toBeLessThanOrEqual(n);
  });

  it('is bent by no other planted bug', () => {
    for (const name of ALL_BUGS.filter((b) => b !== paxosBugs.names.quorumOffByOne)) {
      for (let n = 1; n <= 7; n++) expect(quorumSize(n, paxosBugs.active(name))).toBe(Math.floor(n / 2) + 1);
    }
  });
});

describe('learnerAssertsAgreement', () => {
  it('is on in a correct node and under paxos/no-backoff (a liveness bug: Agreement still holds)', () => {
    expect(learnerAssertsAgreement(paxosBugs.active(undefined))).toBe(true);
    expect(learnerAssertsAgreement(paxosBugs.active(paxosBugs.names.noBackoff))).toBe(true);
  });

  it('is off under each planted safety bug, each alone (they exist to break Agreement, for a checker to catch)', () => {
    for (const name of SAFETY_BUGS) expect([name, learnerAssertsAgreement(paxosBugs.active(name))]).toEqual([name, false]);
  });

  it('covers every planted bug: each is either a safety bug or paxos/no-backoff', () => {
    expect([...SAFETY_BUGS, paxosBugs.names.noBackoff].sort()).toEqual([...ALL_BUGS].sort());
  });
});

describe('acceptorGuards', () => {
  it('keeps both guards in a correct node and drops exactly the one each acceptor bug removes', () => {
    expect(acceptorGuards(paxosBugs.active(undefined))).toEqual({ persistPromise: true, acceptOnlyAtOrAbovePromise: true });
    expect(acceptorGuards(paxosBugs.active(paxosBugs.names.forgetPromise))).toEqual({ persistPromise: false, acceptOnlyAtOrAbovePromise: true });
    expect(acceptorGuards(paxosBugs.active(paxosBugs.names.acceptBelowPromise))).toEqual({ persistPromise: true, acceptOnlyAtOrAbovePromise: false });
  });
});
