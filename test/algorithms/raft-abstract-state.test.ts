// What raftAbstractState (explore's key for a moment of a Raft run) counts, part by part, on hand-made views:
// roles and down servers, the term spread, servers holding an older-term entry past their commit point, and
// how many different log ends there are. Each part is checked at its boundaries; counts saturate at 3.
import { describe, expect, it } from 'vitest';
import { raftAbstractState } from '../../algorithms/raft/abstract-state.js';
import type { LogEntry } from '../../algorithms/raft/messages.js';
import type { NodeStatus, RunView } from '../../sim/check.js';

interface View {
  role?: 'follower' | 'candidate' | 'leader';
  term?: number;
  commitIndex?: number;
  /** Entry terms after the sentinel. */
  log?: number[];
  /** Defaults to 'up'. */
  status?: NodeStatus;
}

function key(servers: Record<string, View | undefined>): string {
  const ids = Object.keys(servers);
  const run: RunView = {
    now: 0, phase: 'faults', nodes: ids, servers: ids, history: [], crashCount: () => 0,
    status: (node) => servers[node]?.status ?? (servers[node] === undefined ? 'crashed' : 'up'),
    inspect: (node) => {
      const v = servers[node];
      if (v === undefined) return undefined;
      const log: LogEntry[] = [{ term: 0, command: null }, ...(v.log ?? []).map((term) => ({ term, command: null }))];
      return { role: v.role ?? 'follower', term: v.term ?? 1, votedFor: null, leaderId: null, commitIndex: v.commitIndex ?? 0, lastApplied: 0, log };
    },
  };
  return raftAbstractState(run);
}

describe('raftAbstractState', () => {
  it('counts leaders, candidates, followers and down servers; a paused server counts as down even with a view', () => {
    expect(key({ a: { role: 'leader' }, b: { role: 'candidate' }, c: {}, d: undefined, e: { status: 'paused' } })).toBe('L1C1F1D2|t0|o0|d0');
    expect(key({ a: { role: 'candidate' }, b: { role: 'candidate' }, c: { role: 'leader' }, d: { role: 'leader' } })).toBe('L2C2F0D0|t0|o0|d0');
  });

  it('saturates every count at 3', () => {
    const many = (view: View | undefined, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, view]));
    expect(key(many({}, 3))).toBe('L0C0F3D0|t0|o0|d0');
    expect(key(many({}, 5))).toBe('L0C0F3D0|t0|o0|d0');
    expect(key(many(undefined, 4))).toBe('L0C0F0D3|t0|o0|d0');
    expect(key(many({ role: 'leader' }, 4))).toBe('L3C0F0D0|t0|o0|d0');
    expect(key({ a: { role: 'candidate' }, b: { role: 'candidate' }, c: { role: 'candidate' }, d: { role: 'candidate' } })).toBe('L0C3F0D0|t0|o0|d0');
  });

  it('the term spread is max − min over the servers that are up, bucketed; with every server down it is 0', () => {
    expect(key({ a: { term: 4 }, b: { term: 5 }, c: { term: 99 } })).toBe('L0C0F3D0|t3|o0|d0');
    expect(key({ a: { term: 4 }, b: { term: 5 }, c: { term: 99, status: 'crashed' } })).toBe('L0C0F2D1|t1|o0|d0');
    expect(key({ a: { term: 4 }, b: { term: 6 } })).toBe('L0C0F2D0|t2|o0|d0');
    expect(key({ a: { term: 4 } })).toBe('L0C0F1D0|t0|o0|d0');
    expect(key({ a: undefined, b: undefined })).toBe('L0C0F0D2|t0|o0|d0');
  });

  it('counts servers with an entry of an older term than theirs past their commit point, once each', () => {
    // Committed, or of the server's own term: not counted.
    expect(key({ a: { term: 3, commitIndex: 2, log: [1, 2] }, b: { term: 3, commitIndex: 0, log: [3, 3] } })).toBe('L0C0F2D0|t0|o0|d1');
    // Right past the commit point, and at the log's very end.
    expect(key({ a: { term: 3, commitIndex: 1, log: [1, 2] }, b: { term: 3, commitIndex: 0, log: [3, 3] } })).toBe('L0C0F2D0|t0|o1|d1');
    expect(key({ a: { term: 3, commitIndex: 2, log: [1, 1, 2] } })).toBe('L0C0F1D0|t0|o1|d0');
    // Several such entries in one server count once; four servers count 3.
    expect(key({ a: { term: 3, log: [1, 2, 2] }, b: { term: 3, log: [1, 2, 2] } })).toBe('L0C0F2D0|t0|o2|d0');
    const four = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, { term: 3, log: [2] }]));
    expect(key(four)).toBe('L0C0F3D0|t0|o3|d0');
  });

  it('counts distinct log ends (last index and term) beyond the first; empty logs have no end', () => {
    expect(key({ a: { log: [1, 1] }, b: { log: [1, 1] }, c: { log: [] } })).toBe('L0C0F3D0|t0|o0|d0');
    expect(key({ a: { log: [1, 1] }, b: { log: [1, 2] } })).toBe('L0C0F2D0|t0|o0|d1');
    expect(key({ a: { term: 2, commitIndex: 2, log: [1, 1] }, b: { term: 2, commitIndex: 1, log: [1] } })).toBe('L0C0F2D0|t0|o0|d1');
    expect(key({ a: { log: [] }, b: { log: [] } })).toBe('L0C0F2D0|t0|o0|d0');
    expect(key({ a: { log: [1] }, b: { log: [1, 1] }, c: { log: [1, 1, 1] }, d: { log: [1, 1, 1, 1] }, e: { log: [1, 1, 1, 1, 1] } })).toBe('L0C0F3D0|t0|o0|d3');
  });
});
