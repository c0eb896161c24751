// The abstract states explore keeps schedules for: each key forgets ids and exact numbers and keeps what
// makes moments differ in kind; checked on hand-made views.
import { describe, expect, it } from 'vitest';
import { multiPaxosAbstractState } from '../../algorithms/paxos/abstract-state.js';
import { raftAbstractState } from '../../algorithms/raft/abstract-state.js';
import type { RunView } from '../../sim/check.js';

function run(views: Record<string, unknown | undefined>): RunView {
  const servers = Object.keys(views);
  return {
    now: 0, phase: 'faults', nodes: servers, servers, history: [], messagesSent: 0, crashCount: () => 0,
    status: (node) => (views[node] === undefined ? 'crashed' : 'up'),
    inspect: (node) => views[node],
  };
}

describe('raftAbstractState', () => {
  const e = (term: number) => ({ term, command: null });
  it('counts roles and down nodes, buckets the term spread, older uncommitted entries and divergent log ends', () => {
    const key = raftAbstractState(run({
      n1: { role: 'leader', term: 4, commitIndex: 1, log: [e(0), e(1), e(2), e(4)] }, // index 2 (term 2) uncommitted, older
      n2: { role: 'follower', term: 4, commitIndex: 1, log: [e(0), e(1), e(2)] },
      n3: { role: 'candidate', term: 7, commitIndex: 1, log: [e(0), e(1)] },
      n4: undefined,
    }));
    expect(key).toBe('L1C1F1D1|t3|o2|d2');
  });

  it('the same kind of moment gives the same key, whatever the ids and terms', () => {
    const a = raftAbstractState(run({ a: { role: 'leader', term: 3, commitIndex: 2, log: [e(0), e(3), e(3)] }, b: { role: 'follower', term: 3, commitIndex: 2, log: [e(0), e(3), e(3)] } }));
    const b = raftAbstractState(run({ x: { role: 'follower', term: 9, commitIndex: 5, log: [e(0), e(9), e(9), e(9), e(9), e(9)] }, y: { role: 'leader', term: 9, commitIndex: 5, log: [e(0), e(9), e(9), e(9), e(9), e(9)] } }));
    expect(a).toBe(b);
  });
});

describe('multiPaxosAbstractState', () => {
  const v = (role: string, round: number, leaderId: string | null, learnedThrough: number) => ({ role, ballot: { round, node: 'n1' }, leaderId, promised: { round, node: 'n1' }, learnedThrough });
  it('counts roles, buckets the promised-round spread, split leadership and learning lag', () => {
    expect(multiPaxosAbstractState(run({ n1: v('leader', 5, 'n1', 10), n2: v('follower', 5, 'n1', 10), n3: v('follower', 2, 'n3', 3), n4: undefined }))).toBe('L1C0F2D1|r3|s1|l3');
    expect(multiPaxosAbstractState(run({ n1: v('leader', 1, 'n1', 4), n2: v('follower', 1, 'n1', 4) }))).toBe('L1C0F1D0|r0|s0|l0');
  });

  it('counts a candidate as a candidate, and a node that follows no leader adds no rival leadership', () => {
    expect(multiPaxosAbstractState(run({ n1: v('candidate', 3, null, 2), n2: v('follower', 2, 'n3', 2), n3: v('leader', 2, 'n3', 2) }))).toBe('L1C1F1D0|r1|s0|l0');
    expect(multiPaxosAbstractState(run({ n1: v('candidate', 3, null, 2), n2: v('candidate', 3, null, 2), n3: v('follower', 2, null, 2) }))).toBe('L0C2F1D0|r1|s0|l0');
  });

  it('a paused node counts as down, though its process (and view) is still there', () => {
    const views = { n1: v('leader', 1, 'n1', 4), n2: v('follower', 1, 'n1', 4), n3: v('follower', 6, 'n3', 0) };
    const paused: RunView = { ...run(views), status: (node) => (node === 'n3' ? 'paused' : 'up') };
    expect(multiPaxosAbstractState(paused)).toBe('L1C0F1D1|r0|s0|l0');
  });

  it('with every node down, no spread and no lag', () => {
    expect(multiPaxosAbstractState(run({ n1: undefined, n2: undefined, n3: undefined }))).toBe('L0C0F0D3|r0|s0|l0');
  });
});
