// Paxos's checkers (algorithms/paxos/invariants.ts) on hand-made facts and views, no engine run: each rule
// fails on a history bad in exactly the way it judges, naming the slot, ballot or node, and passes the good
// history nearest to it (a minority, a tie, a repeat, the last microsecond). Assumes only the Checker contract.
import { describe, expect, it } from 'vitest';
import type { PaxosFact, PaxosValue } from '../../algorithms/paxos/facts.js';
import {
  agreement, ChosenTracker, describeValue, everyoneDecided, leaderAgreed, leaderEstablished, promiseRespected,
  sameValue, stateMachineSafety, validity, valueChosen,
} from '../../algorithms/paxos/invariants.js';
import type { Ballot } from '../../algorithms/paxos/messages.js';
import type { SessionCommand } from '../../algorithms/kv/state-machine.js';
import type { Checker, RunView } from '../../sim/check.js';
import type { Operation } from '../../sim/history.js';
import type { NodeId } from '../../sim/process.js';

const b = (round: number, node: NodeId): Ballot => ({ round, node });
const put = (clientId: string, seq: number, key: string, value: string): SessionCommand => ({ clientId, seq, command: { op: 'put', key, value } });

/** A run seen by checkers: servers, their views (undefined: down), a client history, a clock the test moves. */
function fakeRun(servers: readonly NodeId[], views: Record<NodeId, unknown> = {}, history: Operation[] = []) {
  return {
    now: 0, phase: 'faults' as const, nodes: servers, servers, history, messagesSent: 0,
    status: (node: NodeId) => (views[node] === undefined ? ('crashed' as const) : ('up' as const)),
    crashCount: () => 0,
    inspect: (node: NodeId) => views[node],
  } satisfies RunView;
}

const N3 = ['n1', 'n2', 'n3'];
const N5 = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** Feeds every fact in order; returns the violations reported, in order. */
function feed(checker: Checker<PaxosFact>, facts: readonly [NodeId, PaxosFact][], run: RunView = fakeRun(N3)): string[] {
  const problems: string[] = [];
  for (const [node, fact] of facts) {
    const problem = checker.onObservation?.(node, fact, run);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

const accepted = (slot: number, ballot: Ballot, value: PaxosValue): PaxosFact => ({ type: 'accepted', slot, ballot, value });
const leaderFact = (ballot: Ballot): PaxosFact => ({ type: 'leader', term: ballot.round, ballot });

describe('values', () => {
  it('two commands are the same value when they name the same session (client and seq), whatever the objects', () => {
    expect(sameValue(put('c1', 1, 'k', 'v'), put('c1', 1, 'k', 'v'))).toBe(true);
    expect(sameValue(put('c1', 1, 'k', 'v'), put('c1', 2, 'k', 'v'))).toBe(false);
    expect(sameValue(put('c1', 1, 'k', 'v'), put('c2', 1, 'k', 'v'))).toBe(false);
  });

  it('a no-op, a proposal string and a command are each only the same as their own kind', () => {
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue('x', 'x')).toBe(true);
    expect(sameValue('x', 'y')).toBe(false);
    expect(sameValue(null, put('c1', 1, 'k', 'v'))).toBe(false);
    expect(sameValue(put('c1', 1, 'k', 'v'), null)).toBe(false);
    expect(sameValue(null, 'x')).toBe(false);
    expect(sameValue('x', null)).toBe(false);
    expect(sameValue('x', put('c1', 1, 'k', 'v'))).toBe(false);
    expect(sameValue(put('c1', 1, 'k', 'v'), 'x')).toBe(false);
  });

  it('describes a no-op, a proposal and a command by its session and command', () => {
    expect(describeValue(null)).toBe('no-op');
    expect(describeValue('x')).toBe('"x"');
    expect(describeValue(put('c1', 4, 'k', 'v'))).toBe('c1#4 {"op":"put","key":"k","value":"v"}');
  });
});

describe('ChosenTracker', () => {
  it('names a value once, on the acceptance that makes a majority in one ballot; repeats and other ballots do not count', () => {
    const tracker = new ChosenTracker();
    expect(tracker.accepted('n1', 1, b(1, 'n1'), 'x', 2)).toBeUndefined();
    expect(tracker.accepted('n1', 1, b(1, 'n1'), 'x', 2), 'one acceptor twice is not a majority').toBeUndefined();
    expect(tracker.accepted('n2', 1, b(2, 'n2'), 'x', 2), 'the same value in another ballot is another acceptance').toBeUndefined();
    expect(tracker.accepted('n2', 2, b(1, 'n1'), 'x', 2), 'another slot').toBeUndefined();
    expect(tracker.accepted('n2', 1, b(1, 'n1'), 'x', 2)).toEqual({ ballot: b(1, 'n1'), value: 'x' });
    expect(tracker.accepted('n2', 1, b(1, 'n1'), 'x', 2), 'chosen already: a repeat chooses nothing new').toBeUndefined();
    expect(tracker.accepted('n3', 1, b(1, 'n1'), 'x', 2), 'a third acceptor chooses nothing new').toBeUndefined();
    expect(tracker.accepted('n3', 1, b(2, 'n2'), 'x', 2)).toEqual({ ballot: b(2, 'n2'), value: 'x' });
  });
});

describe('agreement', () => {
  it('fails when a slot has a second value chosen, naming both values, ballots and when the first was chosen', () => {
    const run = fakeRun(N3);
    const check = agreement();
    run.now = 5_000;
    expect(feed(check, [['n1', accepted(1, b(1, 'n1'), 'x')], ['n2', accepted(1, b(1, 'n1'), 'x')]], run)).toEqual([]);
    run.now = 9_000;
    expect(feed(check, [['n3', accepted(1, b(2, 'n3'), 'y')], ['n1', accepted(1, b(2, 'n3'), 'y')]], run))
      .toEqual(['slot 1: "x" was chosen in ballot (1,n1) at 5ms, then "y" in ballot (2,n3)']);
  });

  it('passes values accepted by a minority, the same value chosen in two ballots, and other values in other slots', () => {
    // Five acceptors: a majority is three; the rival value reaches two (one of them twice).
    expect(feed(agreement(), [
      ['n1', accepted(1, b(1, 'n1'), 'x')], ['n2', accepted(1, b(1, 'n1'), 'x')], ['n3', accepted(1, b(1, 'n1'), 'x')],
      ['n4', accepted(1, b(2, 'n4'), 'y')], ['n4', accepted(1, b(2, 'n4'), 'y')], ['n5', accepted(1, b(2, 'n4'), 'y')],
      ['n4', accepted(1, b(3, 'n4'), 'x')], ['n5', accepted(1, b(3, 'n4'), 'x')], ['n1', accepted(1, b(3, 'n4'), 'x')],
      ['n1', accepted(2, b(3, 'n4'), 'y')], ['n2', accepted(2, b(3, 'n4'), 'y')], ['n3', accepted(2, b(3, 'n4'), 'y')],
    ], fakeRun(N5))).toEqual([]);
    // A third acceptor of the rival value in slot 1 makes it chosen: a violation.
    expect(feed(agreement(), [
      ['n1', accepted(1, b(1, 'n1'), 'x')], ['n2', accepted(1, b(1, 'n1'), 'x')], ['n3', accepted(1, b(1, 'n1'), 'x')],
      ['n4', accepted(1, b(2, 'n4'), 'y')], ['n5', accepted(1, b(2, 'n4'), 'y')], ['n3', accepted(1, b(2, 'n4'), 'y')],
    ], fakeRun(N5))).toEqual(['slot 1: "x" was chosen in ballot (1,n1) at 0us, then "y" in ballot (2,n4)']);
  });

  it('compares commands by session: a copy of the chosen command is the same value, another seq or client is not', () => {
    const chooseTwice = (first: SessionCommand | null, second: SessionCommand | null) => feed(agreement(), [
      ['n1', accepted(3, b(1, 'n1'), first)], ['n2', accepted(3, b(1, 'n1'), first)],
      ['n2', accepted(3, b(2, 'n2'), second)], ['n3', accepted(3, b(2, 'n2'), second)],
    ]);
    expect(chooseTwice(put('c1', 1, 'k', 'v'), put('c1', 1, 'k', 'v'))).toEqual([]);
    expect(chooseTwice(null, null)).toEqual([]);
    expect(chooseTwice(put('c1', 1, 'k', 'v'), put('c1', 2, 'k', 'v')))
      .toEqual(['slot 3: c1#1 {"op":"put","key":"k","value":"v"} was chosen in ballot (1,n1) at 0us, then c1#2 {"op":"put","key":"k","value":"v"} in ballot (2,n2)']);
    expect(chooseTwice(put('c1', 1, 'k', 'v'), put('c2', 1, 'k', 'v'))).toHaveLength(1);
    expect(chooseTwice(null, put('c1', 1, 'k', 'v'))).toEqual(['slot 3: no-op was chosen in ballot (1,n1) at 0us, then c1#1 {"op":"put","key":"k","value":"v"} in ballot (2,n2)']);
  });

  it('fails when two learners decide different values for a slot; the same decision, or another slot, passes', () => {
    expect(feed(agreement(), [
      ['n1', { type: 'decide', slot: 1, value: 'x' }], ['n3', { type: 'decide', slot: 1, value: 'x' }], ['n2', { type: 'decide', slot: 1, value: 'y' }],
    ])).toEqual(['slot 1: n1 decided "x" but n2 decided "y"']);
    expect(feed(agreement(), [
      ['n1', { type: 'decide', slot: 1, value: 'x' }], ['n2', { type: 'decide', slot: 1, value: 'x' }], ['n3', { type: 'decide', slot: 2, value: 'y' }],
    ])).toEqual([]);
    // Proposers proposing different values decide nothing.
    expect(feed(agreement(), [['n1', { type: 'propose', value: 'x' }], ['n2', { type: 'propose', value: 'y' }], ['n3', { type: 'promise', ballot: b(1, 'n1') }]])).toEqual([]);
  });
});

describe('validity', () => {
  it('single-decree: a proposed value may be chosen; one nobody proposed fails once a majority accepts it, not before', () => {
    const facts: [NodeId, PaxosFact][] = [
      ['n1', { type: 'propose', value: 'x' }],
      ['n1', accepted(1, b(1, 'n1'), 'x')], ['n2', accepted(1, b(1, 'n1'), 'x')],
      ['n3', accepted(1, b(2, 'n3'), 'y')],
    ];
    expect(feed(validity({ noOps: false }), facts)).toEqual([]);
    expect(feed(validity({ noOps: false }), [...facts, ['n2', accepted(1, b(2, 'n3'), 'y')]]))
      .toEqual(['slot 1: "y" was chosen in ballot (2,n3) but nobody proposed it']);
  });

  it('a no-op is valid only where no-ops are allowed', () => {
    const noOp: [NodeId, PaxosFact][] = [['n1', accepted(2, b(1, 'n1'), null)], ['n3', accepted(2, b(1, 'n1'), null)]];
    expect(feed(validity({ noOps: true }), noOp)).toEqual([]);
    expect(feed(validity({ noOps: false }), noOp)).toEqual(['slot 2: no-op was chosen in ballot (1,n1) but nobody proposed it']);
  });

  it('a command is valid when its client invoked it, even after the checker started; not another client\'s, nor another command', () => {
    const history: Operation[] = [];
    const run = fakeRun(N3, {}, history);
    const check = validity({ noOps: true });
    const invoke = (client: string, input: unknown) => history.push({ id: history.length, client, input, call: 0, status: 'open', return: null, output: null });
    invoke('c1', { op: 'put', key: 'k', value: 'v' });
    const first = put('c1', 1, 'k', 'v');
    // Three acceptances of one shared object, among other facts: looked up once, valid each time.
    expect(feed(check, [
      ['n1', { type: 'promise', ballot: b(1, 'n1') }], ['n1', accepted(1, b(1, 'n1'), first)], ['n2', accepted(1, b(1, 'n1'), first)], ['n3', accepted(1, b(1, 'n1'), first)],
    ], run)).toEqual([]);
    invoke('c1', { op: 'put', key: 'k', value: 'w' });
    const second = put('c1', 2, 'k', 'w');
    expect(feed(check, [['n1', accepted(2, b(1, 'n1'), second)], ['n2', accepted(2, b(1, 'n1'), second)]], run)).toEqual([]);
    const otherValue = put('c1', 3, 'k', 'z');
    expect(feed(check, [['n1', accepted(3, b(1, 'n1'), otherValue)], ['n2', accepted(3, b(1, 'n1'), otherValue)]], run))
      .toEqual(['slot 3: c1#3 {"op":"put","key":"k","value":"z"} was chosen in ballot (1,n1) but nobody proposed it']);
    const otherClient = put('c2', 1, 'k', 'v'); // c2 never invoked anything
    expect(feed(check, [['n2', accepted(4, b(1, 'n1'), otherClient)], ['n3', accepted(4, b(1, 'n1'), otherClient)]], run))
      .toEqual(['slot 4: c2#1 {"op":"put","key":"k","value":"v"} was chosen in ballot (1,n1) but nobody proposed it']);
  });

  it('every command a client invoked counts, however many the history gained since the last look', () => {
    const history: Operation[] = [];
    const run = fakeRun(N3, {}, history);
    for (const value of ['a', 'b', 'c']) history.push({ id: history.length, client: 'c1', input: { op: 'put', key: 'k', value }, call: 0, status: 'ok', return: 1, output: null });
    expect(feed(validity({ noOps: false }), [
      ['n1', accepted(1, b(1, 'n1'), put('c1', 1, 'k', 'a'))], ['n2', accepted(1, b(1, 'n1'), put('c1', 1, 'k', 'a'))],
      ['n1', accepted(2, b(1, 'n1'), put('c1', 2, 'k', 'b'))], ['n2', accepted(2, b(1, 'n1'), put('c1', 2, 'k', 'b'))],
    ], run)).toEqual([]);
  });

  it('an unproposed command stays unproposed when the same object is accepted again (values travel as shared objects)', () => {
    const forged = put('c9', 1, 'k', 'v');
    expect(feed(validity({ noOps: true }), [['n1', accepted(1, b(1, 'n1'), forged)], ['n2', accepted(1, b(1, 'n1'), forged)]]))
      .toEqual(['slot 1: c9#1 {"op":"put","key":"k","value":"v"} was chosen in ballot (1,n1) but nobody proposed it']);
  });
});

describe('promise-respected', () => {
  it('fails when an acceptor accepts a ballot below its promise, naming node, ballots and slot', () => {
    expect(feed(promiseRespected(), [['n1', { type: 'promise', ballot: b(3, 'n2') }], ['n1', accepted(2, b(2, 'n3'), 'x')]]))
      .toEqual(['n1 accepted ballot (2,n3) in slot 2 after promising (3,n2)']);
    // The same round with a lower owner is a lower ballot.
    expect(feed(promiseRespected(), [['n1', { type: 'promise', ballot: b(3, 'n2') }], ['n1', accepted(1, b(3, 'n1'), 'x')]]))
      .toEqual(['n1 accepted ballot (3,n1) in slot 1 after promising (3,n2)']);
  });

  it('an acceptance is a promise of its ballot; the highest promise binds, not the latest', () => {
    expect(feed(promiseRespected(), [['n1', accepted(1, b(4, 'n1'), 'x')], ['n1', accepted(2, b(3, 'n1'), 'x')]]))
      .toEqual(['n1 accepted ballot (3,n1) in slot 2 after promising (4,n1)']);
    expect(feed(promiseRespected(), [
      ['n1', { type: 'promise', ballot: b(5, 'n2') }], ['n1', { type: 'promise', ballot: b(3, 'n2') }], ['n1', accepted(1, b(4, 'n2'), 'x')],
    ])).toEqual(['n1 accepted ballot (4,n2) in slot 1 after promising (5,n2)']);
  });

  it('passes acceptances at or above the promise, and another acceptor\'s promise binds only it', () => {
    expect(feed(promiseRespected(), [
      ['n1', { type: 'promise', ballot: b(3, 'n2') }], ['n1', accepted(1, b(3, 'n2'), 'x')], ['n1', accepted(2, b(4, 'n1'), 'x')],
      ['n2', accepted(1, b(2, 'n2'), 'y')],
    ])).toEqual([]);
    // A proposal, a decision or a leader fact is no promise.
    expect(feed(promiseRespected(), [
      ['n3', { type: 'propose', value: 'z' }], ['n3', { type: 'decide', slot: 1, value: 'z' }], ['n3', leaderFact(b(9, 'n3'))], ['n3', accepted(1, b(2, 'n2'), 'z')],
    ])).toEqual([]);
  });

  it('a later, higher promise raises the floor', () => {
    expect(feed(promiseRespected(), [['n1', { type: 'promise', ballot: b(3, 'n2') }], ['n1', { type: 'promise', ballot: b(5, 'n2') }], ['n1', accepted(1, b(4, 'n3'), 'x')]]))
      .toEqual(['n1 accepted ballot (4,n3) in slot 1 after promising (5,n2)']);
  });
});

describe('state-machine-safety', () => {
  it('fails when two replicas apply different commands at one slot, or a no-op against a command', () => {
    const apply = (index: number, command: SessionCommand | null): PaxosFact => ({ type: 'apply', index, term: 1, command });
    expect(feed(stateMachineSafety(), [['n1', apply(1, put('c1', 1, 'k', 'v'))], ['n3', apply(1, put('c2', 1, 'k', 'v'))]]))
      .toEqual(['slot 1: n1 applied c1#1 {"op":"put","key":"k","value":"v"} but n3 applied c2#1 {"op":"put","key":"k","value":"v"}']);
    expect(feed(stateMachineSafety(), [['n2', apply(3, null)], ['n1', apply(3, put('c1', 2, 'k', 'v'))]]))
      .toEqual(['slot 3: n2 applied no-op but n1 applied c1#2 {"op":"put","key":"k","value":"v"}']);
    expect(feed(stateMachineSafety(), [
      ['n1', apply(1, put('c1', 1, 'k', 'v'))], ['n2', apply(1, put('c1', 1, 'k', 'v'))], ['n3', apply(1, put('c1', 1, 'k', 'v'))],
      ['n1', apply(2, null)], ['n2', apply(2, null)], ['n1', apply(3, put('c2', 1, 'k', 'w'))],
    ])).toEqual([]);
  });
});

interface View { role: 'follower' | 'candidate' | 'leader'; ballot: Ballot; leaderId: NodeId | null; leaderBallot: Ballot }
const leads = (ballot: Ballot): View => ({ role: 'leader', ballot, leaderId: ballot.node, leaderBallot: ballot });
const follows = (leaderBallot: Ballot): View => ({ role: 'follower', ballot: leaderBallot, leaderId: leaderBallot.node, leaderBallot });

describe('leader-agreed', () => {
  const STABLE = 1_000;
  /** Views, then the 'leader' facts seen at time `at`, then the verdict at time `now`. */
  function judge(views: Record<NodeId, View | undefined>, taken: [NodeId, Ballot, number][], now: number, servers = Object.keys(views)) {
    const run = fakeRun(servers, views);
    const check = leaderAgreed(STABLE);
    for (const [node, ballot, at] of taken) {
      run.now = at;
      check.onObservation?.(node, leaderFact(ballot), run);
    }
    run.now = now;
    return check.verdict(run);
  }

  it('fails with no leader', () => {
    expect(judge({ n1: follows(b(1, 'n2')), n2: { ...follows(b(1, 'n2')), role: 'candidate' }, n3: undefined }, [], 5_000))
      .toEqual({ ok: false, message: 'no server is leader' });
  });

  it('passes one leader known to a majority (a down server counts in the cluster, not among those who know)', () => {
    const B = b(2, 'n1');
    expect(judge({ n1: leads(B), n2: follows(B), n3: undefined }, [['n1', B, 0]], STABLE)).toEqual({ ok: true });
    expect(judge({ n1: leads(B), n2: undefined, n3: undefined }, [['n1', B, 0]], STABLE))
      .toEqual({ ok: false, message: 'n1 leads ballot (2,n1) but only 1 of 3 servers know it' });
  });

  it('judges the highest-ballot leader, wherever it stands among the servers; a candidate of a higher ballot is no leader', () => {
    const hi = b(3, 'n2');
    // The stale leader n1 (ballot 1) comes first; the real one second.
    expect(judge({ n1: leads(b(1, 'n1')), n2: leads(hi), n3: follows(hi), n4: follows(hi) }, [['n2', hi, 0]], STABLE)).toEqual({ ok: true });
    // The real leader first, the stale one after it.
    const hi1 = b(3, 'n1');
    expect(judge({ n1: leads(hi1), n2: leads(b(1, 'n2')), n3: follows(hi1), n4: follows(hi1) }, [['n1', hi1, 0]], STABLE)).toEqual({ ok: true });
    // A candidate with a higher ballot than the leader's.
    expect(judge({ n1: leads(hi1), n2: follows(hi1), n3: { role: 'candidate', ballot: b(7, 'n3'), leaderId: null, leaderBallot: hi1 } }, [['n1', hi1, 0]], STABLE))
      .toEqual({ ok: true });
    // The highest-ballot leader is the one judged, even when the stale one is better known.
    expect(judge({ n1: leads(b(1, 'n1')), n2: follows(b(1, 'n1')), n3: follows(b(1, 'n1')), n4: leads(b(3, 'n4')) }, [['n1', b(1, 'n1'), 0], ['n4', b(3, 'n4'), 0]], STABLE))
      .toEqual({ ok: false, message: 'n4 leads ballot (3,n4) but only 1 of 4 servers know it' });
  });

  it('a majority is more than half: half of four servers is not enough, three are; following an older ballot of the leader does not count', () => {
    const B = b(2, 'n1');
    expect(judge({ n1: leads(B), n2: follows(B), n3: follows(b(1, 'n1')), n4: follows(b(1, 'n3')) }, [['n1', B, 0]], STABLE))
      .toEqual({ ok: false, message: 'n1 leads ballot (2,n1) but only 2 of 4 servers know it' });
    expect(judge({ n1: leads(B), n2: follows(B), n3: follows(B), n4: follows(b(1, 'n3')) }, [['n1', B, 0]], STABLE)).toEqual({ ok: true });
    expect(judge({ n1: leads(B), n2: follows(B), n3: follows(b(1, 'n1')), n4: undefined, n5: undefined }, [['n1', B, 0]], STABLE))
      .toEqual({ ok: false, message: 'n1 leads ballot (2,n1) but only 2 of 5 servers know it' });
    expect(judge({ n1: leads(B), n2: follows(B), n3: follows(B), n4: undefined, n5: undefined }, [['n1', B, 0]], STABLE)).toEqual({ ok: true });
  });

  it('fails when the leader was never seen taking its ballot (no leader fact, or one of an older ballot)', () => {
    const B = b(2, 'n1');
    const views = { n1: leads(B), n2: follows(B), n3: follows(B) };
    expect(judge(views, [], 5_000)).toEqual({ ok: false, message: 'n1 leads ballot (2,n1) but was never seen taking it' });
    expect(judge(views, [['n1', b(1, 'n1'), 0]], 5_000)).toEqual({ ok: false, message: 'n1 leads ballot (2,n1) but was never seen taking it' });
    expect(judge(views, [['n2', B, 0]], 5_000)).toEqual({ ok: false, message: 'n1 leads ballot (2,n1) but was never seen taking it' });
  });

  it('the leader must have held its ballot for the stable time: a microsecond short fails, exactly that long passes', () => {
    const B = b(2, 'n1');
    const views = { n1: leads(B), n2: follows(B), n3: follows(B) };
    expect(judge(views, [['n1', b(1, 'n1'), 0], ['n1', B, 2_000]], 2_000 + STABLE - 1))
      .toEqual({ ok: false, message: 'n1 has held ballot (2,n1) for only 999us' });
    expect(judge(views, [['n1', b(1, 'n1'), 0], ['n1', B, 2_000]], 2_000 + STABLE)).toEqual({ ok: true });
  });

  it('the time held counts from the leader fact alone: the leader\'s later promises and acceptances in its ballot do not restart it', () => {
    const B = b(2, 'n1');
    const run = fakeRun(N3, { n1: leads(B), n2: follows(B), n3: follows(B) });
    const check = leaderAgreed(STABLE);
    run.now = 2_000;
    expect(feed(check, [['n1', leaderFact(B)]], run)).toEqual([]);
    run.now = 2_500;
    expect(feed(check, [['n1', { type: 'promise', ballot: B }], ['n1', accepted(1, B, null)], ['n1', { type: 'leader-established', term: 2 }]], run)).toEqual([]);
    run.now = 2_000 + STABLE;
    expect(check.verdict(run)).toEqual({ ok: true });
  });
});

describe('decided', () => {
  const decided = (value: string | null) => ({ decided: value, phase: 'idle', ballot: b(1, 'n1'), promised: b(1, 'n1') });
  it('passes once every server has learned a value; a server without one, or down, fails and is named', () => {
    expect(everyoneDecided().verdict(fakeRun(N3, { n1: decided('x'), n2: decided('x'), n3: decided('x') }))).toEqual({ ok: true });
    expect(everyoneDecided().verdict(fakeRun(N3, { n1: decided('x'), n2: decided(null), n3: decided('x') })))
      .toEqual({ ok: false, message: '1 of 3 servers have not learned a value (n2)' });
    expect(everyoneDecided().verdict(fakeRun(N3, { n1: decided('x'), n2: decided(null), n3: undefined })))
      .toEqual({ ok: false, message: '2 of 3 servers have not learned a value (n2, n3)' });
  });
});

describe('leader-established', () => {
  it('holds once a leader-established fact is seen, and not before (phase 1 done is not yet enough)', () => {
    const check = leaderEstablished();
    const run = fakeRun(N3);
    expect(check.verdict(run)).toEqual({ ok: false, message: 'no leader was ever established' });
    feed(check, [['n1', { type: 'role', role: 'candidate', term: 1 }], ['n1', leaderFact(b(1, 'n1'))], ['n1', accepted(1, b(1, 'n1'), null)]], run);
    expect(check.verdict(run)).toEqual({ ok: false, message: 'no leader was ever established' });
    feed(check, [['n1', { type: 'leader-established', term: 1 }], ['n1', { type: 'step-down', term: 1 }]], run);
    expect(check.verdict(run)).toEqual({ ok: true });
  });
});

describe('value-chosen', () => {
  it('with clientCommand, only a client command chosen by a majority counts: a chosen no-op or a minority\'s command does not', () => {
    const check = valueChosen({ clientCommand: true });
    const run = fakeRun(N3);
    feed(check, [
      ['n1', { type: 'promise', ballot: b(1, 'n1') }], ['n2', { type: 'promise', ballot: b(1, 'n1') }], ['n1', leaderFact(b(1, 'n1'))],
      ['n1', accepted(1, b(1, 'n1'), null)], ['n2', accepted(1, b(1, 'n1'), null)], ['n1', accepted(2, b(1, 'n1'), put('c1', 1, 'k', 'v'))],
    ], run);
    expect(check.verdict(run)).toEqual({ ok: false, message: 'no client command was ever chosen' });
    feed(check, [['n3', accepted(2, b(1, 'n1'), put('c1', 1, 'k', 'v'))]], run);
    expect(check.verdict(run)).toEqual({ ok: true });
  });

  it('without, any value chosen counts (a proposal, or a no-op), but not one a minority accepted', () => {
    const run = fakeRun(N3);
    const proposal = valueChosen({ clientCommand: false });
    feed(proposal, [['n1', accepted(1, b(1, 'n1'), 'x')], ['n1', accepted(1, b(1, 'n1'), 'x')]], run);
    expect(proposal.verdict(run)).toEqual({ ok: false, message: 'no value was ever chosen' });
    feed(proposal, [['n2', accepted(1, b(1, 'n1'), 'x')]], run);
    expect(proposal.verdict(run)).toEqual({ ok: true });
    const noOp = valueChosen({ clientCommand: false });
    feed(noOp, [['n1', accepted(1, b(1, 'n1'), null)], ['n3', accepted(1, b(1, 'n1'), null)]], run);
    expect(noOp.verdict(run)).toEqual({ ok: true });
  });
});

describe('the checkers\' names and kinds', () => {
  it('safety rules are always-checkers, recovery goals eventually-checkers, reachability sometimes-checkers, under the names results report', () => {
    const declared = [agreement(), validity({ noOps: true }), promiseRespected(), stateMachineSafety(), leaderAgreed(1), everyoneDecided(), leaderEstablished(), valueChosen({ clientCommand: true })]
      .map((c) => [c.name, c.kind]);
    expect(declared).toEqual([
      ['agreement', 'always'], ['validity', 'always'], ['promise-respected', 'always'], ['state-machine-safety', 'always'],
      ['leader-agreed', 'eventually'], ['decided', 'eventually'], ['leader-established', 'sometimes'], ['value-chosen', 'sometimes'],
    ]);
  });

  it('the always-checkers judge as they go: their end verdict passes', () => {
    for (const check of [agreement(), validity({ noOps: false }), promiseRespected(), stateMachineSafety()]) expect(check.verdict(fakeRun(N3))).toEqual({ ok: true });
  });
});
