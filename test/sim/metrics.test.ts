// Run metrics: leader losses and the time to a new leader, read from role observations and faults;
// availability and messages per commit; what a real Raft run reports; metrics are observers a scenario
// registers, typed by its facts, not checkers.
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import type { RunView } from '../../sim/check.js';
import type { SharedFact } from '../../sim/facts.js';
import { commitMetrics, computeMetrics, leaderMetrics, medianOf, type EndedRun, type MetricsObserver } from '../../sim/metrics.js';
import { executeRun, prepareRun } from '../../sim/run.js';

const servers = ['n1', 'n2', 'n3'];
/** The observers a leader-based scenario registers, fed like the engine feeds them. */
function collector() {
  const observers: MetricsObserver<SharedFact>[] = [leaderMetrics(), commitMetrics()];
  return {
    feed: (at: number, node: string, fact: SharedFact) => { for (const o of observers) o.onFact!(node, fact, { now: at } as RunView); },
    compute: (run: EndedRun) => computeMetrics(observers, run),
  };
}
const base = { servers, history: { ok: 3, fail: 1, open: 0 }, messagesSent: 40, recovery: { startedAtMicros: 100, recoveredAtMicros: 130 } };

describe('metrics', () => {
  it('times each leader loss until a later-term leader is established', () => {
    const m = collector();
    m.feed(10, 'n1', { type: 'role', role: 'leader', term: 1 });
    m.feed(12, 'n1', { type: 'leader-established', term: 1 });
    m.feed(70, 'n2', { type: 'role', role: 'leader', term: 2 });
    m.feed(75, 'n2', { type: 'leader-established', term: 2 });
    m.feed(90, 'n3', { type: 'apply', index: 1, term: 2, command: { op: 'put' } });
    m.feed(91, 'n2', { type: 'apply', index: 1, term: 2, command: { op: 'put' } });
    m.feed(92, 'n2', { type: 'apply', index: 2, term: 2, command: null });
    const metrics = m.compute({ ...base, applied: [{ at: 50, fault: { at: 50, kind: 'crash', node: 'n1' } }] });
    expect(metrics.leaderElectionMicros).toEqual([25]);
    expect(metrics.leaderLossesUnresolved).toBe(0);
    expect(metrics.availability).toBe(0.75);
    expect(metrics.recoveryMicros).toBe(30);
    expect(metrics.messagesPerCommit).toBe(40); // one distinct client command applied
  });

  it('counts a partition that leaves the leader in a minority, and not a follower crash', () => {
    const m = collector();
    m.feed(10, 'n1', { type: 'role', role: 'leader', term: 3 });
    const metrics = m.compute({
      ...base,
      applied: [
        { at: 20, fault: { at: 20, kind: 'crash', node: 'n2' } },
        { at: 30, fault: { at: 30, kind: 'restart', node: 'n2' } },
        { at: 40, fault: { at: 40, kind: 'partition', groups: [['n1'], ['n2', 'n3']] } },
      ],
    });
    expect(metrics.leaderElectionMicros).toEqual([]);
    expect(metrics.leaderLossesUnresolved).toBe(1);
  });

  it('a Raft run whose leader keeps crashing reports one election per crash', () => {
    const prepared = prepareRun({ scenario: findScenario('raft-leader-crash')!, seed: 1 });
    const result = executeRun(prepared);
    const crashes = prepared.faults.filter((f) => f.kind === 'crash').length;
    expect(result.metrics.leaderElectionMicros.length + result.metrics.leaderLossesUnresolved).toBe(crashes);
    for (const t of result.metrics.leaderElectionMicros) expect(t).toBeGreaterThan(100_000); // at least an election timeout
    expect(result.metrics.availability).toBeGreaterThan(0.5);
    expect(result.metrics.messagesPerCommit).toBeGreaterThan(1);
    expect(result.metrics.recoveryMicros).not.toBeNull();
  });

  it('medianOf', () => {
    expect(medianOf([])).toBeNull();
    expect(medianOf([5, 1, 3])).toBe(3);
    expect(medianOf([4, 1, 3, 2])).toBe(2);
  });
});
