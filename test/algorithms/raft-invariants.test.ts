// Every checker of algorithms/raft/invariants.ts on hand-made fact streams and views: for each rule a bad
// history that must fail (naming its term, index and nodes) and a good one just inside the rule that must
// pass, so a checker made too lax or too strict both fail here. Views are plain objects, as a node's inspect() gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionCommand } from '../../algorithms/kv/state-machine.js';
import type { RaftFact } from '../../algorithms/raft/facts.js';
import {
  commitCurrentTerm, electionSafety, leaderAgreed, leaderAppendOnly, leaderCompleteness, leaderElectedAndWriteCommitted,
  logMatching, LogMatchingTracker, logMatchingViolation, stateMachineSafety, voteOncePerTerm,
} from '../../algorithms/raft/invariants.js';
import type { LogEntry } from '../../algorithms/raft/messages.js';
import type { Checker, RunView } from '../../sim/check.js';
import type { NodeId } from '../../sim/process.js';

interface View {
  role: 'follower' | 'candidate' | 'leader';
  term: number;
  leaderId: NodeId | null;
  commitIndex: number;
  log: LogEntry[];
}

/** A run whose servers' views a test sets by hand; a server without a view is down. */
class Run implements RunView {
  now = 0;
  readonly phase = 'faults';
  readonly history = [];
  readonly views = new Map<NodeId, View>();
  constructor(readonly servers: readonly NodeId[]) {}
  get nodes(): readonly NodeId[] {
    return this.servers;
  }
  status(node: NodeId) {
    return this.views.has(node) ? ('up' as const) : ('crashed' as const);
  }
  crashCount() {
    return 0;
  }
  inspect(node: NodeId): unknown {
    return this.views.get(node);
  }
  set(node: NodeId, view: Partial<View> & { log?: LogEntry[] }): this {
    this.views.set(node, { role: 'follower', term: 1, leaderId: null, commitIndex: 0, log: [noop(0)], ...view });
    return this;
  }
}

const noop = (term: number): LogEntry => ({ term, command: null });
const cmd = (term: number, clientId: string, seq: number, command: SessionCommand['command'] = { op: 'put', key: 'x', value: `${clientId}-${seq}` }): LogEntry =>
  ({ term, command: { clientId, seq, command } });
/** A log from its entries after the sentinel. */
const log = (...entries: LogEntry[]): LogEntry[] => [noop(0), ...entries];

/** Feeds facts in order; returns every problem reported (a checker may report more than once). */
function feed(checker: Checker<RaftFact>, facts: readonly [NodeId, RaftFact][], run: RunView = new Run(['n1', 'n2', 'n3'])): string[] {
  const problems: string[] = [];
  for (const [node, fact] of facts) {
    const problem = checker.onObservation?.(node, fact, run);
    if (problem) problems.push(problem);
  }
  return problems;
}

describe('names and kinds', () => {
  it('each checker has its published name and kind; the always checkers hold at the end when nothing was reported', () => {
    const run = new Run(['n1']);
    const always = [electionSafety(), voteOncePerTerm(), commitCurrentTerm(), leaderAppendOnly(), logMatching(), leaderCompleteness(), stateMachineSafety()];
    expect(always.map((c) => c.name)).toEqual(['election-safety', 'vote-once-per-term', 'commit-current-term', 'leader-append-only', 'log-matching', 'leader-completeness', 'state-machine-safety']);
    for (const c of always) {
      expect(c.kind, c.name).toBe('always');
      expect(c.verdict(run), c.name).toEqual({ ok: true });
    }
    expect([leaderAgreed().name, leaderAgreed().kind]).toEqual(['leader-agreed', 'eventually']);
    expect([leaderElectedAndWriteCommitted().name, leaderElectedAndWriteCommitted().kind]).toEqual(['leader-elected-and-write-committed', 'sometimes']);
    expect(leaderElectedAndWriteCommitted({ clientWrites: false }).name).toBe('leader-elected-and-entry-committed');
  });
});

describe('election-safety', () => {
  it('fails the second leader of a term, naming the term and both leaders', () => {
    expect(feed(electionSafety(), [['n1', { type: 'leader', term: 3 }], ['n2', { type: 'leader', term: 4 }], ['n3', { type: 'leader', term: 3 }]]))
      .toEqual(['two leaders in term 3: n1 and n3']);
  });

  it('passes leaders of adjacent terms, a leader reported twice, and other facts carrying the same term', () => {
    expect(feed(electionSafety(), [
      ['n1', { type: 'leader', term: 3 }], ['n1', { type: 'leader', term: 3 }], ['n2', { type: 'leader', term: 4 }], ['n3', { type: 'leader', term: 2 }],
      ['n2', { type: 'role', role: 'candidate', term: 3 }], ['n3', { type: 'vote', term: 3, candidate: 'n3' }], ['n2', { type: 'step-down', term: 3 }],
    ])).toEqual([]);
  });
});

describe('vote-once-per-term', () => {
  it('fails a second, different vote of one server in one term (across restarts: the checker outlives them)', () => {
    expect(feed(voteOncePerTerm(), [
      ['n3', { type: 'vote', term: 4, candidate: 'n1' }], ['n3', { type: 'vote', term: 5, candidate: 'n2' }], ['n3', { type: 'vote', term: 4, candidate: 'n2' }],
    ])).toEqual(['n3 voted for n1 and then for n2 in term 4']);
  });

  it('passes the same vote repeated, a server voting in the next term, two servers voting differently, and other facts', () => {
    expect(feed(voteOncePerTerm(), [
      ['n3', { type: 'vote', term: 4, candidate: 'n1' }], ['n3', { type: 'vote', term: 4, candidate: 'n1' }], ['n3', { type: 'vote', term: 5, candidate: 'n2' }],
      ['n2', { type: 'vote', term: 4, candidate: 'n2' }], ['n3', { type: 'leader', term: 4 }], ['n3', { type: 'role', role: 'candidate', term: 4 }],
    ])).toEqual([]);
  });
});

describe('commit-current-term', () => {
  const run = () => new Run(['n1', 'n2', 'n3']).set('n1', { role: 'leader', term: 4, log: log(noop(2), cmd(2, 'c1', 1), noop(4)) });

  it('fails a commit whose last index holds an entry of an earlier term, naming leader, term, index and entry term', () => {
    expect(feed(commitCurrentTerm(), [['n1', { type: 'commit', from: 1, to: 2, term: 4 }]], run())).toEqual(['leader n1 of term 4 committed index 2 by counting replicas, an entry of term 2']);
  });

  it('passes a commit of older entries together with one of its own term (only the counted index matters)', () => {
    expect(feed(commitCurrentTerm(), [['n1', { type: 'commit', from: 1, to: 3, term: 4 }]], run())).toEqual([]);
  });

  it('passes a commit fact from a server whose view is gone, and ignores facts that are not commits', () => {
    expect(feed(commitCurrentTerm(), [['n2', { type: 'commit', from: 1, to: 1, term: 4 }], ['n1', { type: 'apply', index: 1, term: 2, command: null }]], run())).toEqual([]);
  });
});

describe('leader-append-only', () => {
  it('fails a truncation by a leader, naming the count, index and term', () => {
    expect(feed(leaderAppendOnly(), [['n1', { type: 'truncate', from: 3, removed: 2, role: 'leader', term: 5 }]])).toEqual(['leader n1 removed 2 entries from index 3 in term 5']);
  });

  it('passes truncations by a follower and a candidate, and a leader reporting its role', () => {
    expect(feed(leaderAppendOnly(), [
      ['n1', { type: 'truncate', from: 3, removed: 2, role: 'follower', term: 5 }], ['n2', { type: 'truncate', from: 1, removed: 1, role: 'candidate', term: 5 }],
      ['n1', { type: 'role', role: 'leader', term: 6 }],
    ])).toEqual([]);
  });
});

describe('logMatchingViolation', () => {
  it('finds logs that share an entry (index and term) but differ before it, naming both terms at the difference', () => {
    expect(logMatchingViolation([['n1', log(noop(1), noop(2), noop(3))], ['n2', log(noop(1), noop(1), noop(3), noop(3))]]))
      .toBe('n1 and n2 both have a term-3 entry at index 3, but differ at index 2: no-op (term 2) vs no-op (term 1)');
  });

  it('finds a difference at index 1 under a shared entry further on (the first entry is compared too)', () => {
    expect(logMatchingViolation([['a', log(cmd(1, 'c1', 1), noop(2))], ['b', log(cmd(1, 'c2', 1), noop(2))]]))
      .toBe('a and b both have a term-2 entry at index 2, but differ at index 1: c1#1 {"op":"put","key":"x","value":"c1-1"} (term 1) vs c2#1 {"op":"put","key":"x","value":"c2-1"} (term 1)');
  });

  it('two entries of one term at one index are the same only with the same session command: client and seq', () => {
    expect(logMatchingViolation([['a', log(cmd(1, 'c1', 1))], ['b', log(cmd(1, 'c1', 2))]])).toMatch(/^a and b both have a term-1 entry at index 1, but differ at index 1: c1#1 .* vs c1#2 /);
    expect(logMatchingViolation([['a', log(cmd(1, 'c1', 1))], ['b', log(cmd(1, 'c2', 1))]])).toMatch(/differ at index 1: c1#1 .* vs c2#1 /);
    expect(logMatchingViolation([['a', log(noop(1))], ['b', log(cmd(1, 'c1', 1))]])).toMatch(/differ at index 1: no-op \(term 1\) vs c1#1 /);
    expect(logMatchingViolation([['a', log(cmd(1, 'c1', 1))], ['b', log(noop(1))]])).toMatch(/differ at index 1: c1#1 .* vs no-op \(term 1\)$/);
    // The same session, as separate objects (a copy from disk or the wire), is the same entry.
    expect(logMatchingViolation([['a', log(cmd(1, 'c1', 1), noop(1))], ['b', log(cmd(1, 'c1', 1), noop(1))]])).toBeUndefined();
  });

  it('checks every pair: the violation may be between the second and third log', () => {
    expect(logMatchingViolation([['n1', log(noop(1))], ['n2', log(noop(1), noop(2))], ['n3', log(noop(3), noop(2))]]))
      .toBe('n2 and n3 both have a term-2 entry at index 2, but differ at index 1: no-op (term 1) vs no-op (term 3)');
  });

  it('passes logs that diverge only after their last common entry, prefixes of one another, and empty logs', () => {
    expect(logMatchingViolation([['n1', log(noop(1), noop(2), noop(2))], ['n2', log(noop(1), noop(3))], ['n3', log(noop(1))], ['n4', log()]])).toBeUndefined();
    expect(logMatchingViolation([['n1', log(noop(1), cmd(1, 'c1', 1))], ['n2', log(noop(1), cmd(1, 'c1', 1), noop(2), noop(2))]])).toBeUndefined();
    expect(logMatchingViolation([['n1', log(noop(1), noop(1))], ['n2', log(noop(2), noop(2), noop(2))]])).toBeUndefined();
    expect(logMatchingViolation([])).toBeUndefined();
  });
});

describe('LogMatchingTracker', () => {
  /**
   * What happens to the logs between two checks: an append, a leader's entries copied into a follower's log
   * from an index (so that logs agree, as replication makes them), a truncation, an entry replaced by another
   * object, an entry's term or command rewritten in place (what a buggy node could do), a restart (every
   * entry a copy, as read back from disk); a node may be left out of a check (down).
   */
  type Change =
    | { op: 'append'; node: number; term: number; command: number }
    | { op: 'replicate'; node: number; from: number; leader: number }
    | { op: 'truncate'; node: number; from: number }
    | { op: 'replace' | 'rewrite-term' | 'rewrite-command'; node: number; at: number; term: number; command: number }
    | { op: 'restart'; node: number }
    | { op: 'check'; down: number[] };
  const node = fc.integer({ min: 0, max: 3 });
  const term = fc.integer({ min: 1, max: 2 });
  const command = fc.integer({ min: 0, max: 2 });
  const index = fc.integer({ min: 1, max: 5 });
  const change: fc.Arbitrary<Change> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant('append' as const), node, term, command }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('replicate' as const), node, from: index, leader: node }) },
    fc.record({ op: fc.constant('truncate' as const), node, from: index }),
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('replace' as const, 'rewrite-term' as const, 'rewrite-command' as const), node, at: index, term, command }) },
    fc.record({ op: fc.constant('restart' as const), node }),
    { weight: 3, arbitrary: fc.record({ op: fc.constant('check' as const), down: fc.subarray([0, 1, 2, 3]) }) },
  );
  const commandOf = (n: number): SessionCommand | null => (n === 0 ? null : { clientId: `c${n}`, seq: 1, command: { op: 'put', key: 'x', value: String(n) } });

  it('answers every check as logMatchingViolation does on the same logs, whatever changed between checks', () => {
    fc.assert(fc.property(fc.array(change, { minLength: 20, maxLength: 80, size: 'max' }), (changes) => {
      const ids = ['n1', 'n2', 'n3', 'n4'];
      const logs = ids.map(() => log());
      const tracker = new LogMatchingTracker();
      for (const c of changes) {
        if (c.op === 'check') {
          const up = ids.map((id, i): [NodeId, LogEntry[]] => [id, logs[i]!]).filter((_, i) => !c.down.includes(i));
          expect(tracker.check(up)).toBe(logMatchingViolation(up));
          continue;
        }
        const l = logs[c.node]!;
        if (c.op === 'append') l.push({ term: c.term, command: commandOf(c.command) });
        else if (c.op === 'replicate') {
          // As the wire delivers them: copies, not the leader's objects.
          const from = Math.min(c.from, l.length, logs[c.leader]!.length);
          l.splice(from, l.length - from, ...logs[c.leader]!.slice(from).map((e) => ({ ...e })));
        }
        else if (c.op === 'truncate') l.length = Math.min(l.length, c.from);
        else if (c.op === 'restart') logs[c.node] = l.map((e) => ({ ...e }));
        else if (c.at < l.length) {
          if (c.op === 'replace') l[c.at] = { term: c.term, command: commandOf(c.command) };
          else if (c.op === 'rewrite-term') (l[c.at] as { term: number }).term = c.term;
          else (l[c.at] as { command: SessionCommand | null }).command = commandOf(c.command);
        }
      }
    }), { numRuns: 1_000 });
  });
});

describe('log-matching', () => {
  const divergent = () => new Run(['n1', 'n2', 'n3']).set('n1', { log: log(noop(1), noop(2)) }).set('n2', { log: log(noop(3), noop(2)) });
  const message = 'n1 and n2 both have a term-2 entry at index 2, but differ at index 1: no-op (term 1) vs no-op (term 3)';
  const apply: RaftFact = { type: 'apply', index: 1, term: 1, command: null };

  it('checks the views at every election, skipping servers that are down (n3)', () => {
    expect(feed(logMatching(), [['n1', { type: 'leader', term: 4 }]], divergent())).toEqual([message]);
  });

  it('checks at every checkEveryApplies-th apply only, and counts applies alone', () => {
    const facts: [NodeId, RaftFact][] = [['n1', apply], ['n1', { type: 'role', role: 'leader', term: 4 }], ['n2', { type: 'commit', from: 1, to: 1, term: 4 }], ['n2', apply], ['n2', apply]];
    expect(feed(logMatching(3), facts, divergent())).toEqual([message]);
    expect(feed(logMatching(3), facts.slice(0, 4), divergent())).toEqual([]);
    expect(feed(logMatching(), Array.from({ length: 24 }, (): [NodeId, RaftFact] => ['n1', apply]), divergent())).toEqual([]);
    expect(feed(logMatching(), Array.from({ length: 25 }, (): [NodeId, RaftFact] => ['n1', apply]), divergent())).toEqual([message]);
  });

  it('checks at most once per simulated moment on applies (a restarted server re-applying its log), but at every election', () => {
    const run = divergent();
    const checker = logMatching(2);
    const at = (now: number, facts: [NodeId, RaftFact][]) => {
      run.now = now;
      return feed(checker, facts, run);
    };
    // Ten applies in one moment: one check there, not five.
    expect(at(1_000, Array.from({ length: 10 }, (): [NodeId, RaftFact] => ['n1', apply]))).toEqual([message]);
    // The next moment is checked again; an election is checked even in a moment already checked.
    expect(at(2_000, [['n1', apply], ['n1', apply]])).toEqual([message]);
    expect(at(2_000, [['n1', apply], ['n1', apply], ['n2', { type: 'leader', term: 5 }]])).toEqual([message]);
    expect(checker.sampled).toBe(true);
  });

  it('judges the views at the end too; matching logs pass', () => {
    const ended = divergent();
    ended.now = 9_000;
    expect(logMatching().verdict(ended)).toEqual({ ok: false, message, atMicros: 9_000 });
    const good = new Run(['n1', 'n2', 'n3']).set('n1', { log: log(noop(1), noop(2)) }).set('n2', { log: log(noop(1), noop(3)) });
    expect(logMatching().verdict(good)).toEqual({ ok: true });
    expect(feed(logMatching(1), [['n1', { type: 'leader', term: 4 }], ['n1', apply]], good)).toEqual([]);
  });
});

describe('leader-completeness', () => {
  /** n1 led term 2 and committed indices 1..2 at 10ms. */
  const committedInTerm2 = () => {
    const run = new Run(['n1', 'n2', 'n3']).set('n1', { role: 'leader', term: 2, log: log(cmd(1, 'c1', 1), noop(2)) });
    run.now = 10_000;
    const checker = leaderCompleteness();
    expect(feed(checker, [['n1', { type: 'commit', from: 1, to: 2, term: 2 }]], run)).toEqual([]);
    return { run, checker };
  };

  it('fails a leader of a later term whose log lacks the last committed entry', () => {
    const { run, checker } = committedInTerm2();
    run.set('n2', { role: 'leader', term: 3, log: log(cmd(1, 'c1', 1)) });
    expect(feed(checker, [['n2', { type: 'leader', term: 3 }]], run)).toEqual(['n2 became leader of term 3 without the entry at index 2 (no-op, term 2) committed in term 2 at 10ms']);
  });

  it('fails a leader whose log has a different entry at the first committed index', () => {
    const { run, checker } = committedInTerm2();
    run.set('n3', { role: 'leader', term: 5, log: log(cmd(1, 'c9', 1), noop(2), noop(5)) });
    expect(feed(checker, [['n3', { type: 'leader', term: 5 }]], run)).toEqual(['n3 became leader of term 5 without the entry at index 1 (c1#1 {"op":"put","key":"x","value":"c1-1"}, term 1) committed in term 2 at 10ms']);
  });

  it('passes a leader of the next term holding every committed entry, and ignores non-leader facts of servers lacking them', () => {
    const { run, checker } = committedInTerm2();
    run.set('n2', { role: 'leader', term: 3, log: log(cmd(1, 'c1', 1), noop(2), noop(3)) }).set('n3', { term: 9, log: log() });
    expect(feed(checker, [['n3', { type: 'role', role: 'follower', term: 9 }], ['n3', { type: 'vote', term: 9, candidate: 'n3' }], ['n2', { type: 'leader', term: 3 }]], run)).toEqual([]);
  });

  it('holds a leader only to entries committed in earlier terms, not in its own', () => {
    const { run, checker } = committedInTerm2();
    run.set('n2', { role: 'leader', term: 2, log: log() });
    expect(feed(checker, [['n2', { type: 'leader', term: 2 }]], run)).toEqual([]);
  });

  it('keeps the first commit of an index: a later leader re-committing it does not move its term or time', () => {
    const { run, checker } = committedInTerm2();
    run.set('n2', { role: 'leader', term: 3, log: log(cmd(1, 'c1', 1), noop(2), noop(3)) });
    run.now = 20_000;
    expect(feed(checker, [['n2', { type: 'commit', from: 2, to: 3, term: 3 }]], run)).toEqual([]);
    run.set('n3', { role: 'leader', term: 4, log: log(cmd(1, 'c1', 1)) });
    expect(feed(checker, [['n3', { type: 'leader', term: 4 }]], run)).toEqual(['n3 became leader of term 4 without the entry at index 2 (no-op, term 2) committed in term 2 at 10ms']);
  });

  it('records nothing from a commit or leader fact of a server whose view is gone', () => {
    const run = new Run(['n1', 'n2']);
    expect(feed(leaderCompleteness(), [['n1', { type: 'commit', from: 1, to: 1, term: 2 }], ['n2', { type: 'leader', term: 3 }]], run)).toEqual([]);
    const { run: committed, checker } = committedInTerm2();
    expect(feed(checker, [['n3', { type: 'leader', term: 3 }]], committed)).toEqual([]);
  });
});

describe('state-machine-safety', () => {
  it('fails a second server applying a different command at an index, naming the first one to apply there', () => {
    expect(feed(stateMachineSafety(), [
      ['n1', { type: 'apply', index: 3, term: 2, command: cmd(2, 'c1', 1).command }], ['n2', { type: 'apply', index: 3, term: 2, command: cmd(2, 'c1', 1).command }],
      ['n3', { type: 'apply', index: 3, term: 2, command: cmd(2, 'c2', 1).command }],
    ])).toEqual(['index 3: n1 applied c1#1 {"op":"put","key":"x","value":"c1-1"} (term 2) but n3 applied c2#1 {"op":"put","key":"x","value":"c2-1"} (term 2)']);
  });

  it('fails the same command from entries of different terms (different entries)', () => {
    expect(feed(stateMachineSafety(), [['n1', { type: 'apply', index: 1, term: 2, command: null }], ['n2', { type: 'apply', index: 1, term: 3, command: null }]]))
      .toEqual(['index 1: n1 applied no-op (term 2) but n2 applied no-op (term 3)']);
  });

  it('passes the same entries applied by every server, different entries at different indices, and other facts', () => {
    expect(feed(stateMachineSafety(), [
      ['n1', { type: 'apply', index: 1, term: 2, command: null }], ['n1', { type: 'apply', index: 2, term: 2, command: cmd(2, 'c1', 1).command }],
      ['n2', { type: 'apply', index: 1, term: 2, command: null }], ['n2', { type: 'apply', index: 2, term: 2, command: cmd(2, 'c1', 1).command }],
      ['n1', { type: 'leader', term: 2 }], ['n2', { type: 'leader', term: 3 }], ['n1', { type: 'commit', from: 1, to: 2, term: 2 }],
    ])).toEqual([]);
  });
});

describe('leader-agreed', () => {
  const five = () => new Run(['n1', 'n2', 'n3', 'n4', 'n5']);

  it('fails with no leader', () => {
    expect(leaderAgreed().verdict(five().set('n1', { term: 3 }).set('n2', { role: 'candidate', term: 3 }))).toEqual({ ok: false, message: 'no server is leader' });
  });

  it('passes a leader known to exactly a majority (itself and two of five), and fails it known to one fewer', () => {
    const run = five().set('n1', { role: 'leader', term: 3, leaderId: 'n1' }).set('n2', { term: 3, leaderId: 'n1' }).set('n3', { term: 3, leaderId: 'n1' });
    expect(leaderAgreed().verdict(run)).toEqual({ ok: true });
    run.set('n3', { term: 2, leaderId: 'n1' }).set('n4', { role: 'candidate', term: 3, leaderId: null }).set('n5', { term: 3, leaderId: 'n2' });
    expect(leaderAgreed().verdict(run)).toEqual({ ok: false, message: 'n1 leads term 3 but only 2 of 5 servers know it' });
  });

  it('counts servers that are down in the cluster size', () => {
    const run = five().set('n1', { role: 'leader', term: 3, leaderId: 'n1' }).set('n2', { term: 3, leaderId: 'n1' });
    expect(leaderAgreed().verdict(run)).toEqual({ ok: false, message: 'n1 leads term 3 but only 2 of 5 servers know it' });
  });

  it('in an even cluster half is not a majority', () => {
    const run = new Run(['n1', 'n2', 'n3', 'n4']).set('n1', { role: 'leader', term: 3, leaderId: 'n1' }).set('n2', { term: 3, leaderId: 'n1' });
    expect(leaderAgreed().verdict(run)).toEqual({ ok: false, message: 'n1 leads term 3 but only 2 of 4 servers know it' });
    run.set('n3', { term: 3, leaderId: 'n1' });
    expect(leaderAgreed().verdict(run)).toEqual({ ok: true });
  });

  it('judges the leader of the latest term, not a deposed one still in its old term', () => {
    const run = five().set('n1', { role: 'leader', term: 2, leaderId: 'n1' }).set('n2', { role: 'leader', term: 3, leaderId: 'n2' })
      .set('n3', { term: 3, leaderId: 'n2' }).set('n4', { term: 3, leaderId: 'n2' }).set('n5', { term: 2, leaderId: 'n1' });
    expect(leaderAgreed().verdict(run)).toEqual({ ok: true });
    const stale = five().set('n1', { role: 'leader', term: 2, leaderId: 'n1' }).set('n2', { role: 'leader', term: 3, leaderId: 'n2' })
      .set('n3', { term: 2, leaderId: 'n1' }).set('n4', { term: 2, leaderId: 'n1' });
    expect(leaderAgreed().verdict(stale)).toEqual({ ok: false, message: 'n2 leads term 3 but only 1 of 5 servers know it' });
    // Whatever order the servers come in: here the deposed leader is listed last.
    const reversed = five().set('n1', { role: 'leader', term: 3, leaderId: 'n1' }).set('n2', { term: 3, leaderId: 'n1' }).set('n3', { term: 3, leaderId: 'n1' })
      .set('n5', { role: 'leader', term: 2, leaderId: 'n5' });
    expect(leaderAgreed().verdict(reversed)).toEqual({ ok: true });
  });
});

describe('leader-elected-and-write-committed', () => {
  const put: RaftFact = { type: 'apply', index: 2, term: 1, command: cmd(1, 'c1', 1).command };
  const get: RaftFact = { type: 'apply', index: 2, term: 1, command: cmd(1, 'c1', 1, { op: 'get', key: 'x' }).command };
  const noopApplied: RaftFact = { type: 'apply', index: 1, term: 1, command: null };
  const verdict = (facts: [NodeId, RaftFact][], clientWrites = true) => {
    const checker = leaderElectedAndWriteCommitted({ clientWrites });
    feed(checker, facts);
    return checker.verdict(new Run(['n1']));
  };

  it('fails with no leader, even if a write was applied; fails a leader with only its no-op or a read applied', () => {
    expect(verdict([])).toEqual({ ok: false, message: 'no leader was ever elected' });
    expect(verdict([['n1', { type: 'role', role: 'leader', term: 1 }], ['n1', { type: 'leader-established', term: 1 }], ['n1', put]])).toEqual({ ok: false, message: 'no leader was ever elected' });
    expect(verdict([['n1', { type: 'leader', term: 1 }], ['n1', noopApplied], ['n1', get]])).toEqual({ ok: false, message: 'a leader was elected but no write was committed' });
  });

  it('passes a leader and an applied write, in either order; with the default options too', () => {
    expect(verdict([['n1', { type: 'leader', term: 1 }], ['n1', put]])).toEqual({ ok: true });
    expect(verdict([['n2', put], ['n1', { type: 'leader', term: 1 }]])).toEqual({ ok: true });
    const checker = leaderElectedAndWriteCommitted();
    feed(checker, [['n1', { type: 'leader', term: 1 }], ['n1', noopApplied]]);
    expect(checker.verdict(new Run(['n1'])).ok).toBe(false);
  });

  it('without client writes, any applied entry (the no-op) is enough; still not without a leader', () => {
    expect(verdict([['n1', { type: 'leader', term: 1 }], ['n1', noopApplied]], false)).toEqual({ ok: true });
    expect(verdict([['n1', { type: 'leader', term: 1 }], ['n1', { type: 'commit', from: 1, to: 1, term: 1 }]], false)).toEqual({ ok: false, message: 'a leader was elected but no entry was committed' });
    expect(verdict([['n1', noopApplied]], false)).toEqual({ ok: false, message: 'no leader was ever elected' });
  });
});
