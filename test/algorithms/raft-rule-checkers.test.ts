// Raft's rule checkers, each proven able to fail on a hand-made bad fact stream and to pass the good one:
// vote-once-per-term (Figure 2's persistent votedFor, §5.2) and commit-current-term (§5.4.2, Figure 8).
// The engine tests at the end show each catching its planted bug on a generic swarm run; before them, the
// planted-bug registry (algorithms/raft/bugs.ts) those runs rely on.
import { describe, expect, it } from 'vitest';
import { assertsLogSafety, raftBugs } from '../../algorithms/raft/bugs.js';
import type { RaftFact } from '../../algorithms/raft/facts.js';
import { commitCurrentTerm, voteOncePerTerm } from '../../algorithms/raft/invariants.js';
import type { Checker, RunView } from '../../sim/check.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';

function view(logs: Record<string, { term: number }[]> = {}): RunView {
  return {
    now: 0, phase: 'faults', nodes: Object.keys(logs), servers: Object.keys(logs),
    status: () => 'up', crashCount: () => 0, history: [], messagesSent: 0,
    inspect: (node) => (node in logs ? { role: 'leader', term: 0, leaderId: node, commitIndex: 0, log: logs[node] } : undefined),
  };
}

function feed(checker: Checker<RaftFact>, facts: [string, RaftFact][], run = view()): string | undefined {
  for (const [node, fact] of facts) {
    const message = checker.onObservation?.(node, fact, run);
    if (message) return message;
  }
  return undefined;
}

describe('vote-once-per-term', () => {
  it('fails when a server votes for two candidates in one term; a repeated vote, or votes in two terms, pass', () => {
    expect(feed(voteOncePerTerm(), [['n3', { type: 'vote', term: 4, candidate: 'n1' }], ['n3', { type: 'vote', term: 4, candidate: 'n2' }]])).toBe('n3 voted for n1 and then for n2 in term 4');
    expect(feed(voteOncePerTerm(), [
      ['n3', { type: 'vote', term: 4, candidate: 'n1' }], ['n3', { type: 'vote', term: 4, candidate: 'n1' }],
      ['n3', { type: 'vote', term: 5, candidate: 'n2' }], ['n4', { type: 'vote', term: 4, candidate: 'n2' }],
    ])).toBeUndefined();
  });
});

describe('commit-current-term', () => {
  const sentinel = { term: 0 };
  it("fails when a leader's commit counts an entry of an earlier term; committing its own term's entry passes", () => {
    const logs = { n1: [sentinel, { term: 2 }, { term: 4 }] };
    expect(feed(commitCurrentTerm(), [['n1', { type: 'commit', from: 1, to: 1, term: 4 }]], view(logs))).toBe('leader n1 of term 4 committed index 1 by counting replicas, an entry of term 2');
    expect(feed(commitCurrentTerm(), [['n1', { type: 'commit', from: 1, to: 2, term: 4 }]], view(logs))).toBeUndefined();
  });
});

describe("Raft's planted bugs", () => {
  it('are named as the CLI and the docs name them (--bug raft/…)', () => {
    expect(raftBugs.names).toEqual({
      commitOldTerm: 'raft/commit-old-term', forgetVote: 'raft/forget-vote', voteWithoutLogCheck: 'raft/vote-without-log-check',
      truncateMatchingEntries: 'raft/truncate-matching-entries', staleRead: 'raft/stale-read', noDedup: 'raft/no-dedup',
    });
  });

  it('each lists, as exposedBy, Raft scenarios that declare it', () => {
    for (const spec of raftBugs.specs) {
      expect(spec.exposedBy?.length, spec.name).toBeGreaterThan(0);
      for (const name of spec.exposedBy ?? []) {
        const scenario = findScenario(name);
        expect(scenario?.algorithm, `${spec.name} exposedBy ${name}`).toBe('raft');
        expect(scenario?.bugs.some((b) => b.name === spec.name), `${spec.name} exposedBy ${name}`).toBe(true);
      }
    }
  });

  it("switch the node's own log-safety assertions off exactly for the bugs that break log safety on purpose", () => {
    const off = raftBugs.specs.filter((spec) => !assertsLogSafety(raftBugs.active(spec.name))).map((spec) => spec.name);
    expect(off).toEqual(['raft/commit-old-term', 'raft/forget-vote', 'raft/vote-without-log-check', 'raft/truncate-matching-entries']);
    expect(assertsLogSafety(raftBugs.none)).toBe(true);
  });
});

describe('the rule checkers on generic runs', () => {
  const caughtBy = (bug: string, checker: string, seeds: readonly number[]) => seeds.filter((seed) =>
    executeRun(prepareRun({ scenario: findScenario('raft-chaos')!, seed, nemesis: 'swarm', bug })).checks.some((c) => !c.ok && c.name === checker));

  it('commit-current-term catches raft/commit-old-term under swarm on raft-chaos (25 of seeds 1..100; at least 3 of 1..20 here) and never fires without it', () => {
    const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(caughtBy('raft/commit-old-term', 'commit-current-term', seeds).length).toBeGreaterThanOrEqual(3);
    for (const seed of seeds.slice(0, 8)) {
      const checks = executeRun(prepareRun({ scenario: findScenario('raft-chaos')!, seed, nemesis: 'swarm' })).checks;
      expect(checks.filter((c) => !c.ok).map((c) => c.name), `seed ${seed}`).toEqual([]);
    }
  }, 120_000);
});
