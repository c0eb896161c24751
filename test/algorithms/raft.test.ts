// Raft under faults: every scenario passes on random seeds; planted bugs are caught; and every Raft
// checker reports a violation when handed bad observations or bad logs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientOperationsComplete, electionSafety, leaderAgreed, leaderAppendOnly, leaderCompleteness,
  leaderElectedAndWriteCommitted, logMatchingViolation, stateMachineSafety,
} from '../../algorithms/raft/invariants.js';
import type { LogEntry } from '../../algorithms/raft/messages.js';
import { findScenario } from '../../scenarios/index.js';
import type { RunView } from '../../sim/check.js';
import type { Operation } from '../../sim/history.js';
import { executeRun, prepareRun } from '../../sim/run.js';

const run = (name: string, seed: number, bug?: string) => executeRun(prepareRun({ scenario: findScenario(name)!, seed, bug }));

describe('raft', () => {
  it('keeps every invariant, stays linearizable and recovers, in every scenario and seed', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.constantFrom(
        'raft-leader-crash', 'raft-partition-leader-minority', 'raft-majority-split', 'raft-one-way-partition', 'raft-flapping',
        'raft-chaos', 'raft-crashes', 'raft-partitions', 'raft-lossy', 'raft-clock-skew', 'raft-figure-8', 'raft-double-vote',
        'raft-election-storm',
      ),
      (seed, name) => {
        const result = run(name, seed);
        expect(result.checks.filter((c) => !c.ok), `faultline run ${name} --seed ${seed}`).toEqual([]);
        expect(result.history.ok).toBeGreaterThan(100);
      },
    ), { numRuns: 40 });
  });

  it('keeps every invariant and commits client writes at every cluster size it allows, one server and even sizes included', () => {
    const scenario = findScenario('raft-chaos')!;
    fc.assert(fc.property(
      fc.integer({ min: scenario.minNodes, max: scenario.maxNodes }),
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.constantFrom('raft-chaos', 'raft-crashes', 'raft-partitions', 'raft-leader-crash', 'raft-majority-split', 'raft-flapping'),
      (nodeCount, seed, name) => {
        const result = executeRun(prepareRun({ scenario: findScenario(name)!, seed, nodeCount }));
        const replay = `faultline run ${name} --seed ${seed} --nodes ${nodeCount}`;
        expect(result.checks.filter((c) => !c.ok), replay).toEqual([]);
        expect(result.history.ok, replay).toBeGreaterThan(0);
      },
    // A one-server Raft is legal: it elects itself and commits alone. Even sizes have no tie-breaking majority.
    ), { numRuns: 16, examples: [[1, 1, 'raft-chaos'], [1, 2, 'raft-leader-crash'], [2, 1, 'raft-partitions'], [4, 1, 'raft-chaos']] });
  });

  it('is deterministic: same seed, same fingerprint', () => {
    expect(run('raft-chaos', 77).fingerprint).toBe(run('raft-chaos', 77).fingerprint);
  });

  it('planted bug raft/no-dedup is caught by the linearizability check', () => {
    const result = run('raft-lossy', 1, 'raft/no-dedup');
    expect(result.outcome).toBe('safety-violation');
    expect(result.checks.find((c) => !c.ok)?.name).toBe('linearizable-history');
  });

  it('planted bug raft/stale-read is caught by the linearizability check when the leader is cut off with a minority', () => {
    const result = run('raft-partition-leader-minority', 1, 'raft/stale-read');
    expect(result.outcome).toBe('safety-violation');
    expect(result.checks.find((c) => !c.ok)?.name).toBe('linearizable-history');
    expect(run('raft-partition-leader-minority', 1).outcome).toBe('pass');
  });

  it('planted bug raft/vote-without-log-check elects a stale leader, caught by Leader Completeness', () => {
    const result = run('raft-chaos', 1, 'raft/vote-without-log-check');
    expect(result.outcome).toBe('safety-violation');
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(expect.arrayContaining(['leader-completeness', 'state-machine-safety']));
  });

  it("planted bug raft/commit-old-term replays the paper's Figure 8: an applied entry is overwritten", () => {
    const result = run('raft-figure-8', 1, 'raft/commit-old-term');
    expect(result.outcome).toBe('safety-violation');
    const failed = result.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.name)).toEqual(expect.arrayContaining(['leader-completeness', 'state-machine-safety']));
    expect(failed.find((c) => c.name === 'state-machine-safety')!.message).toMatch(/applied .* \(term 1\) but .* applied no-op \(term 2\)/);
    // The same staged schedule is harmless to a correct Raft.
    expect(run('raft-figure-8', 1).outcome).toBe('pass');
  });

  it('planted bug raft/forget-vote: a voter restarted between two vote requests elects two leaders in one term', () => {
    const result = run('raft-double-vote', 1, 'raft/forget-vote');
    expect(result.outcome).toBe('safety-violation');
    expect(result.checks.find((c) => c.name === 'election-safety')?.message).toMatch(/two leaders in term \d+/);
    expect(run('raft-double-vote', 1).outcome).toBe('pass');
  });

  it('planted bug raft/truncate-matching-entries is caught by Figure 3 invariants', () => {
    const result = run('raft-chaos', 10, 'raft/truncate-matching-entries');
    expect(result.outcome).toBe('safety-violation');
    const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(['state-machine-safety']));
  });
});

describe('raft checkers fail on bad data', () => {
  const entry = (term: number, clientId: string | null, seq = 1): LogEntry => ({
    term,
    command: clientId === null ? null : { clientId, seq, command: { op: 'put', key: 'k', value: `${clientId}.${seq}` } },
  });
  const view = (logs: Record<string, { role?: string; term?: number; leaderId?: string | null; log?: LogEntry[] }>, history: Operation[] = []): RunView => ({
    now: 5, phase: 'recovery', nodes: Object.keys(logs), servers: Object.keys(logs),
    status: () => 'up', crashCount: () => 0,
    inspect: (n) => ({ role: 'follower', term: 1, leaderId: null, commitIndex: 0, log: [entry(0, null)], ...logs[n] }),
    history,
  });

  it('election-safety: two leaders in one term', () => {
    const c = electionSafety();
    expect(c.onObservation!('n1', { type: 'leader', term: 3 }, view({}))).toBeUndefined();
    expect(c.onObservation!('n2', { type: 'leader', term: 3 }, view({}))).toMatch(/two leaders in term 3: n1 and n2/);
  });

  it('leader-append-only: a leader truncating', () => {
    expect(leaderAppendOnly().onObservation!('n1', { type: 'truncate', from: 4, removed: 2, role: 'leader', term: 2 }, view({}))).toMatch(/leader n1 removed 2 entries/);
  });

  it('log-matching: same index and term, different history before it', () => {
    const a = [entry(0, null), entry(1, 'c1'), entry(2, 'c2')];
    const b = [entry(0, null), entry(1, 'c9'), entry(2, 'c2')];
    expect(logMatchingViolation([['n1', a], ['n2', b]])).toMatch(/differ at index 1/);
    expect(logMatchingViolation([['n1', a], ['n2', a.slice(0, 2)]])).toBeUndefined();
  });

  it('leader-completeness: a leader without a committed entry', () => {
    const c = leaderCompleteness();
    const logs = { n1: { log: [entry(0, null), entry(1, 'c1')] }, n2: { log: [entry(0, null)] } };
    c.onObservation!('n1', { type: 'commit', from: 1, to: 1, term: 1 }, view(logs));
    expect(c.onObservation!('n2', { type: 'leader', term: 2 }, view(logs))).toMatch(/n2 became leader of term 2 without the entry at index 1/);
    // A leader of the same or an earlier term than the commit is not bound by it.
    expect(c.onObservation!('n2', { type: 'leader', term: 1 }, view(logs))).toBeUndefined();
  });

  it('state-machine-safety: two commands applied at one index', () => {
    const c = stateMachineSafety();
    c.onObservation!('n1', { type: 'apply', index: 7, term: 2, command: entry(2, 'c1').command }, view({}));
    expect(c.onObservation!('n2', { type: 'apply', index: 7, term: 2, command: entry(2, 'c2').command }, view({}))).toMatch(/index 7/);
  });

  it('leader-agreed and client-operations-complete: no leader, an open operation', () => {
    expect(leaderAgreed().verdict(view({ n1: {}, n2: {}, n3: {} })).ok).toBe(false);
    expect(leaderAgreed().verdict(view({ n1: { role: 'leader', leaderId: 'n1' }, n2: { leaderId: 'n1' }, n3: {} })).ok).toBe(true);
    const open: Operation = { id: 0, client: 'c1', input: {}, call: 1, status: 'open', return: null, output: null };
    expect(clientOperationsComplete().verdict(view({}, [open])).message).toMatch(/1 operations still open/);
  });

  it('leader-elected-and-write-committed: nothing happened', () => {
    const c = leaderElectedAndWriteCommitted();
    expect(c.verdict(view({})).ok).toBe(false);
    c.onObservation!('n1', { type: 'leader', term: 1 }, view({}));
    c.onObservation!('n1', { type: 'apply', index: 1, term: 1, command: entry(1, 'c1').command }, view({}));
    expect(c.verdict(view({})).ok).toBe(true);
  });
});
