// The atomic-commitment checkers and metrics on hand-made inputs: each checker passes a good run and
// fails a bad one made for it; the metrics count what they say they count.
import { describe, expect, it } from 'vitest';
import {
  atomicity, bankSerializable, commitCheckers, commitValidity, decisionsFinal, someCommit, terminationAfterHeal, type ParticipantView,
} from '../../algorithms/atomic-commit/checks.js';
import type { CommitFact } from '../../algorithms/atomic-commit/facts.js';
import { commitProtocolMetrics } from '../../algorithms/atomic-commit/metrics.js';
import type { Checker, RunView } from '../../sim/check.js';
import type { Operation } from '../../sim/history.js';

const bank = { accountsPerShard: 2, initialBalance: 10 };
const participants = ['rm1', 'rm2'];

function view(options: { views?: Record<string, ParticipantView | undefined>; history?: Operation[]; phase?: 'faults' | 'recovery'; now?: number; messagesSent?: number } = {}): RunView {
  return {
    now: options.now ?? 0, phase: options.phase ?? 'faults', nodes: ['tm', ...participants], servers: ['tm', ...participants],
    status: (node) => (options.views !== undefined && node in options.views && options.views[node] === undefined ? 'crashed' : 'up'),
    crashCount: () => 0,
    inspect: (node) => options.views?.[node],
    history: options.history ?? [],
    messagesSent: options.messagesSent ?? 0,
  };
}

/** Feeds facts to a checker; the first violation message, if any. */
function feed(checker: Checker<CommitFact>, facts: [string, CommitFact][], run = view()): string | undefined {
  for (const [node, fact] of facts) {
    const message = checker.onObservation?.(node, fact, run);
    if (message) return message;
  }
  return undefined;
}

const begin: [string, CommitFact] = ['tm', { type: 'tx-begin', tx: 't1', participants }];
const yes = (p: string): [string, CommitFact] => [p, { type: 'vote', tx: 't1', vote: 'yes' }];
const outcome = (p: string, decision: 'commit' | 'abort'): [string, CommitFact] => [p, { type: 'outcome', tx: 't1', decision }];
const decide = (decision: 'commit' | 'abort'): [string, CommitFact] => ['tm', { type: 'decide', tx: 't1', decision }];
const good: [string, CommitFact][] = [begin, yes('rm1'), yes('rm2'), decide('commit'), outcome('rm1', 'commit'), outcome('rm2', 'commit')];

describe('atomic-commitment checkers', () => {
  it('atomicity: commit at one participant and abort at another fails; so do two different decisions', () => {
    expect(feed(atomicity(), good)).toBeUndefined();
    expect(feed(atomicity(), [begin, outcome('rm1', 'commit'), outcome('rm2', 'abort')])).toMatch(/t1 committed at rm1 but aborted at rm2/);
    expect(feed(atomicity(), [decide('commit'), decide('abort')])).toMatch(/decided commit, then abort/);
  });

  it('atomicity at the end: a yes voter that is up, not in doubt and without the commit others made has lost it; in doubt or down it is not judged', () => {
    const lost = [begin, yes('rm1'), yes('rm2'), decide('commit'), outcome('rm1', 'commit')];
    const views = (rm2: ParticipantView | undefined) => ({ rm1: { balances: {}, inDoubt: [] }, rm2 });
    const judge = (rm2: ParticipantView | undefined) => {
      const checker = atomicity();
      const run = view({ views: views(rm2), phase: 'recovery' });
      expect(feed(checker, lost, run)).toBeUndefined();
      return checker.verdict(run);
    };
    expect(judge({ balances: {}, inDoubt: [] }).message).toBe('t1 committed at rm1, but rm2, which voted yes and is up, neither committed it nor holds it in doubt (its prepare was lost)');
    expect(judge({ balances: {}, inDoubt: ['t1'] })).toEqual({ ok: true });
    expect(judge(undefined)).toEqual({ ok: true });
    const checker = atomicity();
    const run = view({ views: views({ balances: {}, inDoubt: [] }), phase: 'recovery' });
    feed(checker, good, run);
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('commit-validity: a commit without every participant\'s yes fails', () => {
    expect(feed(commitValidity(), good)).toBeUndefined();
    expect(feed(commitValidity(), [begin, yes('rm1'), outcome('rm1', 'commit')])).toMatch(/rm2 did not vote yes/);
    expect(feed(commitValidity(), [begin, yes('rm1'), [ 'rm2', { type: 'vote', tx: 't1', vote: 'no' }], decide('commit')])).toMatch(/rm2 did not vote yes/);
  });

  it('decisions-final: a participant whose outcome changes fails (a restart repeating it is fine)', () => {
    expect(feed(decisionsFinal(), [...good, outcome('rm1', 'commit')])).toBeUndefined();
    expect(feed(decisionsFinal(), [outcome('rm1', 'abort'), outcome('rm1', 'commit')])).toMatch(/rm1 changed its outcome for t1 from abort to commit/);
  });

  it('bank-serializable: an audit off the total fails, and so do final balances off it once nothing is in doubt', () => {
    const checker = bankSerializable(bank, participants);
    const audit = (balances: Record<string, number>): Operation => ({ id: 0, client: 'c1', input: { op: 'audit', tx: 'c1.1' }, call: 1, status: 'ok', return: 2, output: { balances } });
    const full = { 'rm1/a0': 5, 'rm1/a1': 15, 'rm2/a0': 10, 'rm2/a1': 10 };
    const balanced = { rm1: { balances: { 'rm1/a0': 5, 'rm1/a1': 15 }, inDoubt: [] }, rm2: { balances: { 'rm2/a0': 10, 'rm2/a1': 10 }, inDoubt: [] } };
    expect(checker.verdict(view({ history: [audit(full)], views: balanced })).ok).toBe(true);
    expect(checker.verdict(view({ history: [audit({ ...full, 'rm2/a1': 11 })], views: balanced })).message).toMatch(/summing to 41, not 40/);
    expect(checker.verdict(view({ history: [audit({ 'rm1/a0': 20, 'rm1/a1': 20 })], views: balanced })).message).toMatch(/read 2 of 4 accounts/);
    const lost = { ...balanced, rm2: { balances: { 'rm2/a0': 10, 'rm2/a1': 0 }, inDoubt: [] } };
    expect(checker.verdict(view({ views: lost })).message).toMatch(/final balances sum to 30, not 40/);
    // In doubt, or a participant down: the final sum is not judged.
    expect(checker.verdict(view({ views: { ...lost, rm1: { ...balanced.rm1, inDoubt: ['t9'] } } })).ok).toBe(true);
    expect(checker.verdict(view({ views: { ...lost, rm1: undefined } })).ok).toBe(true);
  });

  it('termination-after-heal: a live participant that voted yes without an outcome, or in doubt, fails; a crashed one is not judged', () => {
    const views = { rm1: { balances: {}, inDoubt: [] }, rm2: { balances: {}, inDoubt: [] } };
    const ok = terminationAfterHeal(participants);
    feed(ok, good);
    expect(ok.verdict(view({ phase: 'recovery', views })).ok).toBe(true);
    expect(ok.verdict(view({ phase: 'faults', views })).ok).toBe(false);
    const stuck = terminationAfterHeal(participants);
    feed(stuck, [begin, yes('rm1'), yes('rm2'), outcome('rm2', 'commit')]);
    expect(stuck.verdict(view({ phase: 'recovery', views })).message).toMatch(/rm1 voted yes on t1 and has no outcome/);
    expect(stuck.verdict(view({ phase: 'recovery', views: { ...views, rm1: undefined } })).ok).toBe(true);
    const doubting = terminationAfterHeal(participants);
    expect(doubting.verdict(view({ phase: 'recovery', views: { ...views, rm2: { balances: {}, inDoubt: ['t7'] } } })).message).toMatch(/rm2 is in doubt about t7/);
  });

  it('some-commit: a run where nothing committed fails', () => {
    const none = someCommit();
    feed(none, [begin, outcome('rm1', 'abort')]);
    expect(none.verdict(view()).ok).toBe(false);
    const some = someCommit();
    feed(some, good);
    expect(some.verdict(view()).ok).toBe(true);
  });

  it('commitCheckers lists every checker once, with its kind', () => {
    expect(commitCheckers(bank, participants).map((c) => [c.name, c.kind])).toEqual([
      ['atomicity', 'always'], ['commit-validity', 'always'], ['decisions-final', 'always'], ['bank-serializable', 'always'], ['termination-after-heal', 'eventually'], ['some-commit', 'sometimes'],
    ]);
  });
});

describe('atomic-commitment metrics', () => {
  it('messages per commit (fault phase), commit latency, in-doubt time (resolved, and open at the end), abort ratio and throughput', () => {
    const metrics = commitProtocolMetrics();
    const history: Operation[] = [
      { id: 0, client: 'c1', input: {}, call: 100, status: 'ok', return: 400, output: {} },
      { id: 1, client: 'c1', input: {}, call: 500, status: 'fail', return: 600, output: {} },
      { id: 2, client: 'c1', input: {}, call: 700, status: 'open', return: null, output: null },
    ];
    metrics.onFact!('rm1', { type: 'vote', tx: 't1', vote: 'yes' }, view({ now: 1_000, history }));
    metrics.onFact!('rm1', { type: 'vote', tx: 't1', vote: 'yes' }, view({ now: 1_200, history })); // a re-vote: the wait runs from the first yes
    metrics.onFact!('rm2', { type: 'vote', tx: 't3', vote: 'yes' }, view({ now: 2_000, history })); // never resolved
    metrics.onFact!('tm', { type: 'decide', tx: 't1', decision: 'commit' }, view({ now: 1_500, history }));
    metrics.onFact!('rm1', { type: 'outcome', tx: 't1', decision: 'commit' }, view({ now: 3_500, history }));
    metrics.onFault!(null, { ...view({ phase: 'recovery', messagesSent: 12, history }), isCut: () => false });
    metrics.onFact!('tm', { type: 'decide', tx: 't2', decision: 'commit' }, view({ now: 2_000_000, phase: 'recovery', messagesSent: 20, history }));
    const out = metrics.finish({ servers: [], history: { ok: 1, fail: 1, open: 1 }, messagesSent: 30, recovery: { startedAtMicros: 1_000_000, recoveredAtMicros: null }, endedAtMicros: 3_000_000 });
    expect(out.messagesPerCommit).toBe(12);
    expect(out.samples).toEqual({ messagesPerCommit: [12], commitLatencyMicros: [300], inDoubtMicros: [2_500], inDoubtOpenAtEndMicros: [2_998_000], abortRatio: [0.5], commitsPerSecond: [1], messageDelaysPerCommit: [] });
  });
});
