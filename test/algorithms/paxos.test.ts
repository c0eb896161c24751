// Paxos under faults: every scenario passes on random seeds; single-decree and Multi-Paxos keep
// Agreement under generated schedules; each planted bug is caught; every Paxos checker reports a
// violation when handed bad data; the acceptor keeps what it promised across a crash; runs are
// deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Acceptor } from '../../algorithms/paxos/acceptor.js';
import {
  agreement, clientOperationsComplete, everyoneDecided, leaderAgreed, promiseRespected, stateMachineSafety, validity, valueChosen,
} from '../../algorithms/paxos/invariants.js';
import { compareBallots, type Ballot } from '../../algorithms/paxos/messages.js';
import { acceptorGuards, PAXOS_BUGS, quorumSize } from '../../algorithms/paxos/paxos.js';
import type { SessionCommand } from '../../algorithms/kv/state-machine.js';
import { assertScenarioProperty } from '../../lab/testing.js';
import { findScenario } from '../../scenarios/index.js';
import type { RunView } from '../../sim/check.js';
import { SimDisk } from '../../sim/disk.js';
import type { Operation } from '../../sim/history.js';
import type { Observation } from '../../sim/process.js';
import { executeRun, prepareRun } from '../../sim/run.js';

const run = (name: string, seed: number, bug?: string) => executeRun(prepareRun({ scenario: findScenario(name)!, seed, bug }));
const failedChecks = (result: ReturnType<typeof run>) => result.checks.filter((c) => !c.ok).map((c) => c.name);

const MULTI_PAXOS_SCENARIOS = [
  'paxos-leader-crash', 'paxos-partition', 'paxos-dueling', 'paxos-paused-leader', 'paxos-chaos', 'paxos-lossy', 'paxos-clock-skew',
];

describe('paxos', () => {
  // 30 random seeds of every scenario (the 500-seed sweeps are in README).
  for (const name of [...MULTI_PAXOS_SCENARIOS, 'paxos-single-decree-chaos']) {
    it(`${name}: keeps every invariant and recovers on random seeds`, () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (seed) => {
        const result = run(name, seed);
        expect(result.checks.filter((c) => !c.ok), `faultline run ${name} --seed ${seed}`).toEqual([]);
        if (name !== 'paxos-single-decree-chaos') expect(result.history.ok).toBeGreaterThan(100);
      }), { numRuns: 30 });
    });
  }

  it('single-decree Paxos keeps Agreement, Validity and its promises under generated chaos schedules', () => {
    assertScenarioProperty({
      scenario: 'paxos-single-decree-chaos', profile: 'chaos', checks: ['agreement', 'validity', 'promise-respected'],
      durationMicros: 2_000_000, set: ['proposeAtMicros=500ms', 'recoveryMicrosMax=300ms'], numRuns: 60, windowsMax: 10,
    });
  });

  it('Multi-Paxos keeps Agreement and State Machine Safety under generated chaos schedules', () => {
    assertScenarioProperty({
      scenario: 'paxos-chaos', profile: 'chaos', checks: ['agreement', 'state-machine-safety', 'promise-respected'],
      durationMicros: 2_000_000, set: ['recoveryMicrosMax=300ms'], numRuns: 8,
    });
  });

  it('is deterministic: same seed, same fingerprint', () => {
    expect(run('paxos-chaos', 77).fingerprint).toBe(run('paxos-chaos', 77).fingerprint);
    expect(run('paxos-single-decree-chaos', 77).fingerprint).toBe(run('paxos-single-decree-chaos', 77).fingerprint);
  });

  it('planted bug paxos/accept-below-promise: a deposed leader\'s accept is taken, caught by promise-respected', () => {
    const result = run('paxos-partition', 1, PAXOS_BUGS.acceptBelowPromise);
    expect(result.outcome).toBe('safety-violation');
    expect(result.checks.find((c) => c.name === 'promise-respected')?.message).toMatch(/accepted ballot \(\d+,n\d\) in slot \d+ after promising/);
    expect(run('paxos-partition', 1).outcome).toBe('pass');
  });

  it('planted bug paxos/ignore-accepted-value: a new leader overwrites a chosen value, caught by Agreement', () => {
    const result = run('paxos-leader-crash', 1, PAXOS_BUGS.ignoreAcceptedValue);
    expect(result.outcome).toBe('safety-violation');
    expect(failedChecks(result)).toEqual(expect.arrayContaining(['agreement', 'state-machine-safety']));
    expect(result.checks.find((c) => c.name === 'agreement')?.message).toMatch(/was chosen in ballot .* then no-op in ballot/);
  });

  it('planted bug paxos/forget-promise: a restarted acceptor takes the woken old leader\'s accepts, caught by promise-respected', () => {
    const result = run('paxos-paused-leader', 1, PAXOS_BUGS.forgetPromise);
    expect(result.outcome).toBe('safety-violation');
    expect(failedChecks(result)).toContain('promise-respected');
    expect(run('paxos-paused-leader', 1).outcome).toBe('pass');
  });

  it('planted bug paxos/quorum-off-by-one: both sides of a partition choose, caught by State Machine Safety and linearizability', () => {
    const result = run('paxos-partition', 1, PAXOS_BUGS.quorumOffByOne);
    expect(result.outcome).toBe('safety-violation');
    expect(failedChecks(result)).toEqual(expect.arrayContaining(['state-machine-safety', 'linearizable-history']));
  });

  it('planted bug paxos/no-backoff: dueling proposers never let a leader settle (liveness), while a correct Paxos passes the same scenario', () => {
    const result = run('paxos-dueling', 1, PAXOS_BUGS.noBackoff);
    expect(result.outcome).toBe('liveness-violation');
    expect(failedChecks(result)).toEqual(['leader-agreed', 'client-operations-complete']);
    expect(run('paxos-dueling', 1).outcome).toBe('pass');
  });

  it('single-decree Paxos: its own checkers catch the planted bugs that break it', () => {
    const caught = (bug: string, seed: number) => failedChecks(run('paxos-single-decree-chaos', seed, bug));
    expect(caught(PAXOS_BUGS.ignoreAcceptedValue, 9)).toContain('agreement');
    expect(caught(PAXOS_BUGS.quorumOffByOne, 8)).toContain('agreement');
    expect(caught(PAXOS_BUGS.acceptBelowPromise, 1)).toContain('promise-respected');
    for (const seed of [1, 8, 9]) expect(run('paxos-single-decree-chaos', seed).outcome).toBe('pass');
  });
});

describe('the acceptor', () => {
  const ctx = (disk: SimDisk, facts: Observation[] = []) => ({ disk, observe: (fact: Observation) => void facts.push(fact) });
  const ballot = (round: number, node: string): Ballot => ({ round, node });

  it('orders ballots by round, then node id', () => {
    expect(compareBallots(ballot(2, 'n1'), ballot(1, 'n9'))).toBeGreaterThan(0);
    expect(compareBallots(ballot(2, 'n1'), ballot(2, 'n2'))).toBeLessThan(0);
    expect(compareBallots(ballot(2, 'n2'), ballot(2, 'n2'))).toBe(0);
  });

  it('has a promise and an acceptance on disk (synced) before it answers, so a crash keeps them', () => {
    const disk = new SimDisk();
    const acceptor = new Acceptor<string>(acceptorGuards(undefined));
    acceptor.load(disk);
    expect(acceptor.accept(ctx(disk), ballot(1, 'n1'), 1, 'a').ok).toBe(true);
    expect(acceptor.prepare(ctx(disk), ballot(2, 'n2'), 1)).toEqual({ ok: true, accepted: [{ slot: 1, ballot: ballot(1, 'n1'), value: 'a' }] });
    disk.loseUnsynced();
    const restarted = new Acceptor<string>(acceptorGuards(undefined));
    restarted.load(disk);
    expect(restarted.promised).toEqual(ballot(2, 'n2'));
    expect(restarted.accept(ctx(disk), ballot(1, 'n3'), 2, 'b')).toEqual({ ok: false, promised: ballot(2, 'n2') });
    expect(restarted.prepare(ctx(disk), ballot(1, 'n9'), 1).ok).toBe(false);
  });

  it('planted bugs switch its guards off', () => {
    const disk = new SimDisk();
    const forgetful = new Acceptor<string>(acceptorGuards(PAXOS_BUGS.forgetPromise));
    forgetful.load(disk);
    forgetful.prepare(ctx(disk), ballot(5, 'n2'), 1);
    const restarted = new Acceptor<string>(acceptorGuards(PAXOS_BUGS.forgetPromise));
    restarted.load(disk);
    expect(restarted.accept(ctx(disk), ballot(1, 'n1'), 1, 'x').ok).toBe(true);

    const careless = new Acceptor<string>(acceptorGuards(PAXOS_BUGS.acceptBelowPromise));
    careless.load(new SimDisk());
    careless.prepare(ctx(disk), ballot(5, 'n2'), 1);
    expect(careless.accept(ctx(disk), ballot(1, 'n1'), 1, 'x').ok).toBe(true);
  });

  it('quorums intersect; the planted off-by-one takes a minority', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => quorumSize(n, undefined))).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect(quorumSize(5, PAXOS_BUGS.quorumOffByOne)).toBe(2);
  });
});

describe('paxos checkers fail on bad data', () => {
  const command = (clientId: string, seq = 1): SessionCommand => ({ clientId, seq, command: { op: 'put', key: 'k', value: `${clientId}.${seq}` } });
  const b = (round: number, node: string): Ballot => ({ round, node });
  const view = (views: Record<string, Record<string, unknown>> = {}, history: Operation[] = [], servers = ['n1', 'n2', 'n3', 'n4', 'n5'], now = 1_000_000): RunView => ({
    now, phase: 'recovery', nodes: servers, servers,
    status: () => 'up', crashCount: () => 0,
    inspect: (n) => ({ role: 'follower', ballot: b(0, ''), leaderId: null, leaderBallot: b(0, ''), decided: 'x', ...views[n] }),
    history,
  });
  const accepted = (slot: number, ballot: Ballot, value: unknown) => ({ type: 'accepted', slot, ballot, value });

  it('agreement: two values each accepted by a majority in one slot', () => {
    const c = agreement();
    const run = view();
    for (const node of ['n1', 'n2', 'n3']) expect(c.onObservation!(node, accepted(4, b(1, 'n1'), command('c1')), run)).toBeUndefined();
    // A minority accepting something else chooses nothing.
    for (const node of ['n4', 'n5']) expect(c.onObservation!(node, accepted(4, b(2, 'n2'), null), run)).toBeUndefined();
    expect(c.onObservation!('n3', accepted(4, b(2, 'n2'), null), run)).toMatch(/slot 4: c1#1 .* was chosen in ballot \(1,n1\) .* then no-op in ballot \(2,n2\)/);
  });

  it('agreement: what a proposer believes does not count, only acceptances', () => {
    const c = agreement();
    expect(c.onObservation!('n1', { type: 'leader', term: 1, ballot: b(1, 'n1') }, view())).toBeUndefined();
    expect(c.onObservation!('n1', { type: 'apply', index: 1, term: 1, command: null }, view())).toBeUndefined();
  });

  it('agreement: two learners decide different values', () => {
    const c = agreement();
    c.onObservation!('n1', { type: 'decide', slot: 1, value: 'proposal:n1' }, view());
    expect(c.onObservation!('n2', { type: 'decide', slot: 1, value: 'proposal:n2' }, view())).toMatch(/n1 decided "proposal:n1" but n2 decided "proposal:n2"/);
  });

  it('validity: a chosen command nobody invoked, a no-op where none is allowed, an unproposed single-decree value', () => {
    const op: Operation = { id: 0, client: 'c1', input: command('c1').command, call: 1, status: 'open', return: null, output: null };
    const kv = validity({ noOps: true });
    const run = view({}, [op]);
    for (const node of ['n1', 'n2', 'n3']) expect(kv.onObservation!(node, accepted(1, b(1, 'n1'), command('c1')), run)).toBeUndefined();
    for (const node of ['n1', 'n2', 'n3']) expect(kv.onObservation!(node, accepted(2, b(1, 'n1'), null), run)).toBeUndefined();
    kv.onObservation!('n1', accepted(3, b(1, 'n1'), command('c2')), run);
    kv.onObservation!('n2', accepted(3, b(1, 'n1'), command('c2')), run);
    expect(kv.onObservation!('n3', accepted(3, b(1, 'n1'), command('c2')), run)).toMatch(/slot 3: c2#1 .* nobody proposed it/);

    const single = validity({ noOps: false });
    single.onObservation!('n1', { type: 'propose', value: 'proposal:n1' }, view());
    for (const node of ['n1', 'n2', 'n3']) expect(single.onObservation!(node, accepted(1, b(1, 'n1'), 'proposal:n1'), view())).toBeUndefined();
    single.onObservation!('n1', accepted(1, b(2, 'n2'), 'proposal:n9'), view());
    single.onObservation!('n2', accepted(1, b(2, 'n2'), 'proposal:n9'), view());
    expect(single.onObservation!('n3', accepted(1, b(2, 'n2'), 'proposal:n9'), view())).toMatch(/nobody proposed it/);
    const noNoOps = validity({ noOps: false });
    noNoOps.onObservation!('n1', accepted(1, b(1, 'n1'), null), view());
    noNoOps.onObservation!('n2', accepted(1, b(1, 'n1'), null), view());
    expect(noNoOps.onObservation!('n3', accepted(1, b(1, 'n1'), null), view())).toMatch(/no-op was chosen/);
  });

  it('promise-respected: an acceptance below an earlier promise, even one made before a restart', () => {
    const c = promiseRespected();
    expect(c.onObservation!('n2', { type: 'promise', ballot: b(3, 'n4') }, view())).toBeUndefined();
    expect(c.onObservation!('n2', accepted(7, b(3, 'n4'), null), view())).toBeUndefined();
    expect(c.onObservation!('n2', accepted(8, b(2, 'n1'), null), view())).toMatch(/n2 accepted ballot \(2,n1\) in slot 8 after promising \(3,n4\)/);
    // An acceptance is a promise too.
    const d = promiseRespected();
    d.onObservation!('n1', accepted(1, b(5, 'n5'), null), view());
    expect(d.onObservation!('n1', accepted(2, b(4, 'n5'), null), view())).toMatch(/after promising \(5,n5\)/);
  });

  it('state-machine-safety: two replicas apply different commands at one slot', () => {
    const c = stateMachineSafety();
    c.onObservation!('n1', { type: 'apply', index: 9, term: 2, command: command('c1') }, view());
    expect(c.onObservation!('n2', { type: 'apply', index: 9, term: 3, command: command('c1') }, view())).toBeUndefined();
    expect(c.onObservation!('n3', { type: 'apply', index: 9, term: 3, command: null }, view())).toMatch(/slot 9: n1 applied c1#1 .* but n3 applied no-op/);
  });

  it('leader-agreed: no leader, a leader few know, a leader not yet settled', () => {
    const c = leaderAgreed(150_000);
    expect(c.verdict(view()).message).toBe('no server is leader');
    const leader = { role: 'leader', ballot: b(4, 'n1'), leaderId: 'n1', leaderBallot: b(4, 'n1') };
    const follower = { leaderId: 'n1', leaderBallot: b(4, 'n1') };
    expect(c.verdict(view({ n1: leader, n2: follower })).message).toMatch(/only 2 of 5 servers know it/);
    c.onObservation!('n1', { type: 'leader', term: 4, ballot: b(4, 'n1') }, view({}, [], undefined, 900_000));
    const agreed = { n1: leader, n2: follower, n3: follower };
    expect(c.verdict(view(agreed, [], undefined, 1_000_000)).message).toMatch(/has held ballot \(4,n1\) for only 100ms/);
    expect(c.verdict(view(agreed, [], undefined, 1_050_000)).ok).toBe(true);
  });

  it('client-operations-complete and decided: an open operation, an undecided server', () => {
    const open: Operation = { id: 0, client: 'c1', input: {}, call: 1, status: 'open', return: null, output: null };
    expect(clientOperationsComplete().verdict(view({}, [open])).message).toMatch(/1 operations still open/);
    expect(everyoneDecided().verdict(view({ n4: { decided: null } })).message).toMatch(/1 of 5 servers have not learned a value \(n4\)/);
    expect(everyoneDecided().verdict(view()).ok).toBe(true);
  });

  it('value-chosen: nothing chosen, or only no-ops where a client command is wanted', () => {
    const c = valueChosen({ clientCommand: true });
    for (const node of ['n1', 'n2', 'n3']) c.onObservation!(node, accepted(1, b(1, 'n1'), null), view());
    expect(c.verdict(view()).ok).toBe(false);
    for (const node of ['n1', 'n2']) c.onObservation!(node, accepted(2, b(1, 'n1'), command('c1')), view());
    expect(c.verdict(view()).ok).toBe(false);
    c.onObservation!('n3', accepted(2, b(1, 'n1'), command('c1')), view());
    expect(c.verdict(view()).ok).toBe(true);
  });
});
