// Paxos under faults: every scenario passes on random seeds; single-decree and Multi-Paxos keep
// Agreement under generated schedules; each planted bug is caught at a stated rate over a fixed range
// of seeds while the control passes every one of them (no test picks the seed that catches); every
// Paxos checker reports a violation when handed bad data; the acceptor keeps what it promised across a
// crash; a node's local assertions throw; runs are deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Acceptor } from '../../algorithms/paxos/acceptor.js';
import {
  agreement, clientOperationsComplete, everyoneDecided, leaderAgreed, promiseRespected, stateMachineSafety, validity, valueChosen,
} from '../../algorithms/paxos/invariants.js';
import type { PaxosFact, PaxosValue } from '../../algorithms/paxos/facts.js';
import { compareBallots, type Ballot } from '../../algorithms/paxos/messages.js';
import { acceptorGuards, paxosBugs, PaxosNode, quorumSize } from '../../algorithms/paxos/paxos.js';
import { SingleDecreeNode } from '../../algorithms/paxos/single-decree.js';
import type { SessionCommand } from '../../algorithms/kv/state-machine.js';
import { assertScenarioProperty } from '../../lab/testing.js';
import { findScenario } from '../../scenarios/index.js';
import type { RunView } from '../../sim/check.js';
import { InvariantError } from '../../sim/assert.js';
import { SimDisk } from '../../sim/disk.js';
import type { Operation } from '../../sim/history.js';
import type { Observation } from '../../sim/process.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { recordingContext } from '../helpers.js';

const run = (name: string, seed: number, bug?: string) => executeRun(prepareRun({ scenario: findScenario(name)!, seed, bug }));

/** What a sweep keeps of one run. */
interface Outcome {
  readonly seed: number;
  readonly outcome: string;
  /** The failed checks, by name. */
  readonly failed: readonly string[];
  readonly messages: ReadonlyMap<string, string>;
}

const seedRange = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);
const sweptRuns = new Map<string, Outcome[]>();

/** Runs `name` (with `bug`, or the control without) on every seed of `seeds`; remembered, as controls are shared. */
function sweep(name: string, bug: string | undefined, seeds: readonly number[]): Outcome[] {
  const key = `${name} ${bug ?? '-'} ${seeds.join(',')}`;
  let outcomes = sweptRuns.get(key);
  if (outcomes === undefined) {
    outcomes = seeds.map((seed) => {
      const result = run(name, seed, bug);
      const failed = result.checks.filter((c) => !c.ok);
      return { seed, outcome: result.outcome, failed: failed.map((c) => c.name), messages: new Map(failed.map((c) => [c.name, c.message ?? ''])) };
    });
    sweptRuns.set(key, outcomes);
  }
  return outcomes;
}

/**
 * A planted bug is caught by `check` on at least `rateMin` of `seeds` (no local assertion firing), and the
 * same scenario without the bug passes on every one of those seeds. Returns the catching runs for further checks.
 */
function expectCaught(name: string, bug: string, check: string, seeds: readonly number[], rateMin: number): Outcome[] {
  const runs = sweep(name, bug, seeds);
  // A bug that breaks a node's local assertion on purpose switches it off: the checkers must catch it.
  const threw = runs.filter((o) => o.failed.includes('no-handler-exceptions'));
  expect(threw.map((o) => `seed ${o.seed}: ${o.messages.get('no-handler-exceptions')}`), `local assertions fired under ${bug}`).toEqual([]);
  const caught = runs.filter((o) => o.failed.includes(check));
  const replay = `faultline sweep ${name} --bug ${bug} --seeds ${seeds[0]}..${seeds[seeds.length - 1]}`;
  expect(caught.length / seeds.length, `${replay}: ${check} failed on seeds ${caught.map((o) => o.seed).join(', ')}`).toBeGreaterThanOrEqual(rateMin);
  const controlFailures = sweep(name, undefined, seeds).filter((o) => o.outcome !== 'pass');
  expect(controlFailures.map((o) => `seed ${o.seed}: ${o.failed.join(', ')}`), `control: faultline sweep ${name} --seeds ${seeds[0]}..${seeds[seeds.length - 1]}`).toEqual([]);
  return caught;
}

/** Seeds for the Multi-Paxos bug sweeps (each bug is caught on nearly all of them today). */
const MULTI_SEEDS = seedRange(1, 20);
/** Seeds for single-decree sweeps: its chaos scenario catches each bug on fewer seeds, so more of them. */
const SINGLE_SEEDS = seedRange(1, 30);

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

  it('planted bug paxos/accept-below-promise: a deposed leader\'s accept is taken, caught by promise-respected on ≥ 75% of seeds 1..20', () => {
    const caught = expectCaught('paxos-partition', paxosBugs.names.acceptBelowPromise, 'promise-respected', MULTI_SEEDS, 0.75);
    for (const o of caught) {
      expect(o.outcome).toBe('safety-violation');
      expect(o.messages.get('promise-respected')).toMatch(/accepted ballot \(\d+,n\d\) in slot \d+ after promising/);
    }
  });

  it('planted bug paxos/ignore-accepted-value: a new leader overwrites a chosen value, caught by Agreement on ≥ 75% of seeds 1..20', () => {
    const caught = expectCaught('paxos-leader-crash', paxosBugs.names.ignoreAcceptedValue, 'agreement', MULTI_SEEDS, 0.75);
    for (const o of caught) expect(o.messages.get('agreement')).toMatch(/was chosen in ballot .* then no-op in ballot/);
    // The replicas then apply different commands at one slot, on most of those seeds.
    expect(caught.filter((o) => o.failed.includes('state-machine-safety')).length / MULTI_SEEDS.length).toBeGreaterThanOrEqual(0.75);
  });

  it('planted bug paxos/forget-promise: a restarted acceptor takes the woken old leader\'s accepts, caught by promise-respected on ≥ 75% of seeds 1..20', () => {
    const caught = expectCaught('paxos-paused-leader', paxosBugs.names.forgetPromise, 'promise-respected', MULTI_SEEDS, 0.75);
    for (const o of caught) expect(o.outcome).toBe('safety-violation');
  });

  it('planted bug paxos/quorum-off-by-one: both sides of a partition choose, caught by State Machine Safety and linearizability on ≥ 75% of seeds 1..20', () => {
    const caught = expectCaught('paxos-partition', paxosBugs.names.quorumOffByOne, 'state-machine-safety', MULTI_SEEDS, 0.75);
    expect(caught.filter((o) => o.failed.includes('linearizable-history')).length / MULTI_SEEDS.length).toBeGreaterThanOrEqual(0.75);
  });

  it('planted bug paxos/no-backoff: dueling proposers never let a leader settle (liveness) on ≥ 75% of seeds 1..8, while a correct Paxos passes the same seeds', () => {
    // Fewer seeds: a run of dueling proposers is busy (every preemption is a round of phase 1 messages).
    const caught = expectCaught('paxos-dueling', paxosBugs.names.noBackoff, 'leader-agreed', seedRange(1, 8), 0.75);
    for (const o of caught) {
      expect(o.outcome).toBe('liveness-violation');
      expect(o.failed).toEqual(['leader-agreed', 'client-operations-complete']);
    }
  });

  it('single-decree Paxos: its own checkers catch the planted bugs that break it, each on ≥ 10% of seeds 1..30', () => {
    expectCaught('paxos-single-decree-chaos', paxosBugs.names.ignoreAcceptedValue, 'agreement', SINGLE_SEEDS, 0.1);
    expectCaught('paxos-single-decree-chaos', paxosBugs.names.quorumOffByOne, 'agreement', SINGLE_SEEDS, 0.2);
    expectCaught('paxos-single-decree-chaos', paxosBugs.names.acceptBelowPromise, 'promise-respected', SINGLE_SEEDS, 0.2);
  });

});

/** A fake context for driving one Paxos node by hand: it records what the node sends, sets and observes. */
function fakeContext<M>(self: string, peers: string[], disk = new SimDisk()) {
  return recordingContext<M>(self, { peers, disk });
}

describe('local assertions', () => {
  const ballot = (round: number, node: string): Ballot => ({ round, node });
  const paxosConfig = { takeoverTimeoutMicrosMin: 150_000, takeoverTimeoutMicrosMax: 300_000, heartbeatMicros: 50_000, decidedPerMessageMax: 64 };
  const put = (clientId: string, seq: number): SessionCommand => ({ clientId, seq, command: { op: 'put', key: 'k', value: `${clientId}.${seq}` } });

  it('A3: an acceptor refuses to see one (slot, ballot) with two values, unless paxos/forget-promise lets ballots be reused', () => {
    const { ctx } = fakeContext<never>('n1', []);
    const acceptor = new Acceptor<string>(acceptorGuards(paxosBugs.none));
    acceptor.load(ctx.disk);
    acceptor.accept(ctx, ballot(1, 'n2'), 1, 'a');
    expect(acceptor.accept(ctx, ballot(1, 'n2'), 1, 'a').ok).toBe(true);
    expect(() => acceptor.accept(ctx, ballot(1, 'n2'), 1, 'b')).toThrow(InvariantError);
    const forgetful = new Acceptor<string>(acceptorGuards(paxosBugs.active(paxosBugs.names.forgetPromise)));
    forgetful.accept(ctx, ballot(1, 'n2'), 2, 'a');
    expect(forgetful.accept(ctx, ballot(1, 'n2'), 2, 'b').ok).toBe(true);
  });

  it('L1: a Multi-Paxos learner told two values for one slot throws (a plain Process driven by a fake context)', () => {
    const node = new PaxosNode({ ...paxosConfig, bugs: paxosBugs.none });
    const { ctx, facts } = fakeContext<Parameters<PaxosNode['onMessage']>[2]>('n1', ['n2', 'n3']);
    node.onStart(ctx);
    node.onMessage(ctx, 'n2', { type: 'decided', ballot: ballot(1, 'n2'), from: 1, values: [put('c1', 1)], commit: 1 });
    expect(facts.filter((f) => f.type === 'apply')).toHaveLength(1);
    // The same value again is harmless; another value is a broken Agreement seen from one node.
    node.onMessage(ctx, 'n2', { type: 'decided', ballot: ballot(1, 'n2'), from: 1, values: [put('c1', 1)], commit: 1 });
    expect(() => node.onMessage(ctx, 'n3', { type: 'decided', ballot: ballot(2, 'n3'), from: 1, values: [null], commit: 1 })).toThrow(/L1/);
    // Under a planted bug that breaks Agreement on purpose, the checkers are left to catch it.
    const buggy = new PaxosNode({ ...paxosConfig, bugs: paxosBugs.active(paxosBugs.names.ignoreAcceptedValue) });
    const other = fakeContext<Parameters<PaxosNode['onMessage']>[2]>('n1', ['n2', 'n3']);
    buggy.onStart(other.ctx);
    buggy.onMessage(other.ctx, 'n2', { type: 'decided', ballot: ballot(1, 'n2'), from: 1, values: [put('c1', 1)], commit: 1 });
    expect(() => buggy.onMessage(other.ctx, 'n3', { type: 'decided', ballot: ballot(2, 'n3'), from: 1, values: [null], commit: 1 })).not.toThrow();
  });

  it('L1: a single-decree learner that hears a majority accept another value after deciding throws', () => {
    const node = new SingleDecreeNode({ proposer: false, startMicrosMin: 0, startMicrosMax: 0, retryMicrosMin: 20_000, retryMicrosMax: 100_000, bugs: paxosBugs.none });
    const { ctx, facts } = fakeContext<Parameters<SingleDecreeNode['onMessage']>[2]>('n1', ['n2', 'n3']);
    node.onStart(ctx);
    node.onMessage(ctx, 'n2', { type: 'accepted', ballot: ballot(1, 'n2'), value: 'proposal:n2' });
    node.onMessage(ctx, 'n3', { type: 'accepted', ballot: ballot(1, 'n2'), value: 'proposal:n2' });
    expect(facts).toContainEqual({ type: 'decide', slot: 1, value: 'proposal:n2' });
    node.onMessage(ctx, 'n2', { type: 'accepted', ballot: ballot(2, 'n3'), value: 'proposal:n3' });
    expect(() => node.onMessage(ctx, 'n3', { type: 'accepted', ballot: ballot(2, 'n3'), value: 'proposal:n3' })).toThrow(/L1/);
    expect(() => node.onMessage(ctx, 'n3', { type: 'decided', value: 'proposal:n3' })).toThrow(/L1/);
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
    const acceptor = new Acceptor<string>(acceptorGuards(paxosBugs.none));
    acceptor.load(disk);
    expect(acceptor.accept(ctx(disk), ballot(1, 'n1'), 1, 'a').ok).toBe(true);
    expect(acceptor.prepare(ctx(disk), ballot(2, 'n2'), 1)).toEqual({ ok: true, accepted: [{ slot: 1, ballot: ballot(1, 'n1'), value: 'a' }] });
    disk.loseUnsynced();
    const restarted = new Acceptor<string>(acceptorGuards(paxosBugs.none));
    restarted.load(disk);
    expect(restarted.promised).toEqual(ballot(2, 'n2'));
    expect(restarted.accept(ctx(disk), ballot(1, 'n3'), 2, 'b')).toEqual({ ok: false, promised: ballot(2, 'n2') });
    expect(restarted.prepare(ctx(disk), ballot(1, 'n9'), 1).ok).toBe(false);
  });

  it('planted bugs switch its guards off', () => {
    const disk = new SimDisk();
    const forgetful = new Acceptor<string>(acceptorGuards(paxosBugs.active(paxosBugs.names.forgetPromise)));
    forgetful.load(disk);
    forgetful.prepare(ctx(disk), ballot(5, 'n2'), 1);
    const restarted = new Acceptor<string>(acceptorGuards(paxosBugs.active(paxosBugs.names.forgetPromise)));
    restarted.load(disk);
    expect(restarted.accept(ctx(disk), ballot(1, 'n1'), 1, 'x').ok).toBe(true);

    const careless = new Acceptor<string>(acceptorGuards(paxosBugs.active(paxosBugs.names.acceptBelowPromise)));
    careless.load(new SimDisk());
    careless.prepare(ctx(disk), ballot(5, 'n2'), 1);
    expect(careless.accept(ctx(disk), ballot(1, 'n1'), 1, 'x').ok).toBe(true);
  });

  it('quorums intersect; the planted off-by-one takes a minority', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => quorumSize(n, paxosBugs.none))).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect(quorumSize(5, paxosBugs.active(paxosBugs.names.quorumOffByOne))).toBe(2);
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
  const accepted = (slot: number, ballot: Ballot, value: PaxosValue): PaxosFact => ({ type: 'accepted', slot, ballot, value });

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
