// Typed facts and metrics observers. The `@ts-expect-error` lines are the compile-time half: `tsc`
// fails if observing or matching a fact an algorithm does not declare (Raft's 'truncate' renamed
// 'truncated', a misspelt Paxos or counter fact) ever stops being an error, or if an algorithm without
// the shared leader facts could register leader metrics. The run-time half: metrics are observers that
// scenarios register, never checkers, and what they compute is what a run reports.
import { describe, expect, it } from 'vitest';
import type { BroadcastFact } from '../../algorithms/broadcast/facts.js';
import type { PaxosFact } from '../../algorithms/paxos/facts.js';
import type { RaftFact } from '../../algorithms/raft/facts.js';
import { leaderAppendOnly } from '../../algorithms/raft/invariants.js';
import type { RaftMessage } from '../../algorithms/raft/messages.js';
import type { CounterFact } from '../../examples/counter/facts.js';
import { findScenario } from '../../scenarios/index.js';
import type { Checker, RunView } from '../../sim/check.js';
import { always } from '../../sim/check/properties.js';
import { asRoleFact } from '../../sim/facts.js';
import { commitMetrics, leaderMetrics, type MetricsObserver } from '../../sim/metrics.js';
import type { Context } from '../../sim/process.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import type { ScenarioSetup } from '../../sim/scenario.js';

/** Never called: it only has to type-check (or fail to, where marked). */
export function raftObservesOnlyItsFacts(ctx: Context<RaftMessage, RaftFact>): void {
  ctx.observe({ type: 'truncate', from: 3, removed: 1, role: 'follower', term: 2 });
  // @ts-expect-error 'truncated' is not a Raft fact: renaming the fact at its emit site is a compile error
  ctx.observe({ type: 'truncated', from: 3, removed: 1, role: 'follower', term: 2 });
  // @ts-expect-error a Raft role fact names one of Raft's roles
  ctx.observe({ type: 'role', role: 'learner', term: 2 });
  // @ts-expect-error a declared fact with a field missing is a compile error too
  ctx.observe({ type: 'commit', from: 1, term: 2 });
}

/** A Raft checker matching on a fact Raft does not report does not compile. */
export const raftCheckerOnRenamedFact: Checker<RaftFact> = {
  name: 'renamed', kind: 'always', description: 'matches a renamed fact',
  onObservation(node, fact) {
    // @ts-expect-error 'truncated' is not a Raft fact: a checker that would silently never fire is a compile error
    if (fact.type === 'truncated') return `${node} truncated`;
    if (fact.type === 'truncate') return `${node} removed ${fact.removed} entries from ${fact.from}`; // fields typed, no casts
  },
  verdict: () => ({ ok: true }),
};

export const paxosCheckerOnMisspeltFact: Checker<PaxosFact> = {
  name: 'misspelt', kind: 'always', description: 'matches a misspelt fact',
  onObservation(_node, fact) {
    // @ts-expect-error Paxos reports 'decide', not 'decided'
    if (fact.type === 'decided') return 'never';
  },
  verdict: () => ({ ok: true }),
};

export const counterCheckerOnMisspeltFact = always<CounterFact>({
  name: 'misspelt', description: 'matches a misspelt fact',
  // @ts-expect-error the counter reports 'increment', not 'incremented'
  check: (_node, fact) => (fact.type === 'incremented' ? 'never' : undefined),
});

/** Leader metrics need the shared leader facts: Raft opts in by emitting them, broadcast does not. */
export const raftObservers: MetricsObserver<RaftFact>[] = [leaderMetrics(), commitMetrics()];
export function broadcastCannotRegisterLeaderMetrics(setup: ScenarioSetup<BroadcastFact>): ScenarioSetup<BroadcastFact> {
  // @ts-expect-error broadcast emits no role or leader-established facts: leader metrics would read nothing
  return { ...setup, observers: [leaderMetrics()] };
}

describe('typed facts', () => {
  it('the Raft leader-append-only checker fires on the fact Raft declares', () => {
    const checker = leaderAppendOnly();
    const fact: RaftFact = { type: 'truncate', from: 3, removed: 2, role: 'leader', term: 4 };
    expect(checker.onObservation!('n1', fact, {} as RunView)).toBe('leader n1 removed 2 entries from index 3 in term 4');
  });

  it('reports read role lanes through the shared role fact', () => {
    expect(asRoleFact({ type: 'role', role: 'leader', term: 3 })).toEqual({ role: 'leader', term: 3 });
    expect(asRoleFact({ type: 'role', role: 'leader' })).toEqual({ role: 'leader', term: null });
    expect(asRoleFact({ type: 'leader', term: 3 })).toBeUndefined();
  });
});

describe('metrics are observers, not checkers', () => {
  it('leader-based scenarios register leader and commit metrics; broadcast registers none', () => {
    const raft = prepareRun({ scenario: findScenario('raft-leader-crash')!, seed: 1 });
    expect(raft.setup.observers?.map((o) => o.name)).toEqual(['leader-metrics', 'commit-metrics']);
    const paxos = prepareRun({ scenario: findScenario('paxos-leader-crash')!, seed: 1 });
    expect(paxos.setup.observers?.map((o) => o.name)).toEqual(['leader-metrics', 'commit-metrics']);
    const broadcast = prepareRun({ scenario: findScenario('broadcast-chaos')!, seed: 1 });
    expect(broadcast.setup.observers ?? []).toEqual([]);
  });

  it('the run reports only real checks, and its metrics come from the registered observers', () => {
    const prepared = prepareRun({ scenario: findScenario('raft-leader-crash')!, seed: 1 });
    const seen: string[] = [];
    const spy: MetricsObserver = { name: 'spy', onFact: (_node, fact) => { seen.push(fact.type); }, finish: () => ({}) };
    const result = executeRun({ ...prepared, setup: { ...prepared.setup, observers: [...prepared.setup.observers!, spy] } });
    expect(result.checks.map((c) => c.name)).toEqual([...prepared.setup.checkers.map((c) => c.name), 'no-handler-exceptions']);
    expect(seen).toContain('leader-established');
    expect(result.metrics.leaderElectionMicros.length).toBeGreaterThan(0);

    // Without observers the same run still has every metric key, leader and commit ones empty.
    const bare = prepareRun({ scenario: findScenario('raft-leader-crash')!, seed: 1 });
    const without = executeRun({ ...bare, setup: { ...bare.setup, observers: [] } });
    expect(without.fingerprint).toBe(result.fingerprint);
    expect(without.metrics).toEqual({ ...result.metrics, leaderElectionMicros: [], leaderLossesUnresolved: 0, messagesPerCommit: null });
  });
});
