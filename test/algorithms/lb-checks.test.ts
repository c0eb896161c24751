// Load-balancing checkers on hand-made fact streams: each passes a correct stream and fails a stream that
// breaks its promise (a lost, doubled or overdue request, a client whose counts disagree, a route to a backend
// marked down, a false panic, a success ratio below the objective after heal); plus a property test of
// requests-accounted against random well-formed and broken streams.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientAccountOf, lbCheckers, noRouteToDown, requestsAccounted, successAfterHeal, type ClientAccount } from '../../algorithms/load-balancing/checks.js';
import type { LbFact, RequestOutcome } from '../../algorithms/load-balancing/facts.js';
import type { Checker } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { FakeRun } from './fd-membership-fixtures.js';

const S = 1_000_000;
const NODES = ['c1', 'c2', 'lb', 'b1', 'b2', 'b3', 'b4'];

/** A fake run whose clients answer inspect() with an account the test sets. */
class LbRun extends FakeRun {
  readonly accounts = new Map<NodeId, ClientAccount>();
  override inspect(id?: NodeId): unknown {
    return id === undefined ? undefined : this.accounts.get(id);
  }
}

/** Drives checkers through a fake run: facts at times, faults, and the first violation each reported. */
class LbDriver {
  readonly problems: string[] = [];
  constructor(readonly run: LbRun, private readonly checkers: readonly Checker<LbFact>[]) {}

  fact(at: Micros, node: NodeId, fact: LbFact): this {
    this.run.now = at;
    for (const c of this.checkers) {
      const problem = c.onObservation?.(node, fact, this.run);
      if (problem) this.problems.push(problem);
    }
    return this;
  }
  issue(at: Micros, client: NodeId, id: number): this {
    return this.fact(at, client, { type: 'lb-issue', id });
  }
  done(at: Micros, client: NodeId, id: number, outcome: RequestOutcome = 'ok', attempts = 1): this {
    return this.fact(at, client, { type: 'lb-done', id, outcome, attempts, latencyMicros: 1000, backend: 'b1' });
  }
  route(at: Micros, balancer: NodeId, backend: NodeId, panic = false): this {
    return this.fact(at, balancer, { type: 'lb-route', backend, panic });
  }
  health(at: Micros, balancer: NodeId, backend: NodeId, state: 'up' | 'down' | 'ejected'): this {
    const reason = state === 'up' ? 'probe-passed' : state === 'down' ? 'probe-failed' : 'consecutive-errors';
    return this.fact(at, balancer, { type: 'lb-health', backend, state, reason });
  }
  fault(at: Micros, kind: 'crash' | 'restart' | 'pause' | 'resume', node: NodeId): this {
    const entry = this.run.lifecycle(at, kind, node);
    return this.tell(entry);
  }
  tell(entry: FaultEntry | null): this {
    for (const c of this.checkers) {
      const problem = c.onFault?.(entry, this.run);
      if (problem) this.problems.push(problem);
    }
    return this;
  }
  recover(at: Micros): this {
    this.run.now = at;
    this.run.phase = 'recovery';
    return this.tell({ at, kind: 'heal' });
  }
}

describe('requests-accounted', () => {
  const setup = (requestMicrosMax = 2 * S) => {
    const checker = requestsAccounted({ requestMicrosMax, clients: ['c1', 'c2'] });
    const run = new LbRun(NODES);
    return { checker, run, d: new LbDriver(run, [checker]) };
  };

  it('passes when every request ends once and the clients agree', () => {
    const { checker, run, d } = setup();
    d.issue(0, 'c1', 1).issue(0.1 * S, 'c2', 1).issue(0.2 * S, 'c1', 2).done(0.5 * S, 'c1', 2, 'error', 3).done(1 * S, 'c1', 1, 'timeout', 2);
    d.done(1.5 * S, 'c2', 1).issue(2 * S, 'c2', 2);
    run.accounts.set('c1', { issued: 2, done: 2, open: 0 }).set('c2', { issued: 2, done: 1, open: 1 });
    run.now = 3 * S;
    expect(d.problems).toEqual([]);
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('fails on an lb-done without an lb-issue before it', () => {
    const { d } = setup();
    d.issue(0, 'c1', 1).done(0.1 * S, 'c2', 1);
    expect(d.problems).toEqual([expect.stringMatching(/^c2 ended request 1 \(lb-done, ok\) but it is not open: never issued/)]);
  });

  it('fails on a second lb-done of one request', () => {
    const { d } = setup();
    d.issue(0, 'c1', 1).done(0.1 * S, 'c1', 1).done(0.2 * S, 'c1', 1, 'timeout');
    expect(d.problems).toEqual([expect.stringMatching(/^c1 ended request 1 \(lb-done, timeout\) but it is not open/)]);
  });

  it('fails on a request issued twice while open, and on one ended after no attempt', () => {
    const { d } = setup();
    d.issue(0, 'c1', 1).issue(0.1 * S, 'c1', 1).issue(0.2 * S, 'c1', 2).done(0.3 * S, 'c1', 2, 'unavailable', 0);
    expect(d.problems).toEqual([
      'c1 issued request 1 (lb-issue) while it was already open',
      'c1 ended request 2 (lb-done, unavailable) after 0 attempts; every request makes at least one',
    ]);
  });

  it('fails on a request open longer than the bound, as facts arrive and at the verdict', () => {
    const { d } = setup(2 * S);
    d.issue(0, 'c1', 7).issue(1 * S, 'c1', 8).done(2 * S, 'c1', 8);
    expect(d.problems).toEqual([]);
    d.issue(2.5 * S, 'c1', 9);
    expect(d.problems).toEqual([expect.stringMatching(/^c1's request 7 has been open for 2\.5s of its running time, longer than the bound 2s/)]);
    // At the verdict, with no more facts: c2's request 3 is overdue from 3s + 2s.
    const quiet = setup(2 * S);
    quiet.d.issue(3 * S, 'c2', 3);
    quiet.run.now = 6 * S;
    const verdict = quiet.checker.verdict(quiet.run);
    expect(verdict).toMatchObject({ ok: false, atMicros: 5 * S });
    expect(verdict.message).toMatch(/^c2's request 3 has been open for 3s/);
  });

  it('does not count the time a client was paused, nor requests a crash abandoned', () => {
    const { checker, run, d } = setup(2 * S);
    d.issue(0, 'c1', 1).fault(1 * S, 'pause', 'c1').fault(4 * S, 'resume', 'c1').done(4.5 * S, 'c1', 1);
    expect(d.problems).toEqual([]);
    d.issue(5 * S, 'c2', 1).issue(5 * S, 'c2', 2).done(5.5 * S, 'c2', 1).fault(6 * S, 'crash', 'c2');
    run.now = 20 * S;
    expect(checker.verdict(run)).toEqual({ ok: true });
    // The restarted c2 starts counting again, and may reuse ids.
    d.fault(20 * S, 'restart', 'c2').issue(21 * S, 'c2', 1).done(21.5 * S, 'c2', 1).issue(21.6 * S, 'c2', 2);
    run.accounts.set('c2', { issued: 2, done: 1, open: 1 });
    run.now = 22 * S;
    expect(d.problems).toEqual([]);
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it("fails when a client's own counts do not add up, or disagree with its facts", () => {
    const { checker, run, d } = setup();
    d.issue(0, 'c1', 1).done(0.5 * S, 'c1', 1).issue(0.6 * S, 'c1', 2);
    run.now = 1 * S;
    run.accounts.set('c1', { issued: 2, done: 1, open: 0 });
    expect(checker.verdict(run)).toEqual({ ok: false, message: "c1's own count does not add up: issued 2 ≠ done 1 + open 0" });
    run.accounts.set('c1', { issued: 3, done: 2, open: 1 });
    expect(checker.verdict(run)).toEqual({ ok: false, message: 'c1 counts issued 3, done 2, open 1, but since its last restart it reported 2 issued, 1 done, 1 open' });
    // A client with no inspect() (or another shape) is unknown, not wrong.
    run.accounts.delete('c1');
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('finds clients by the shape of their inspect() when none are named', () => {
    const checker = requestsAccounted({ requestMicrosMax: S });
    const run = new LbRun(NODES);
    run.accounts.set('c2', { issued: 1, done: 0, open: 1 });
    expect(checker.verdict(run).ok).toBe(false);
    expect(clientAccountOf({ issued: 1, done: 0 })).toBeUndefined();
    expect(clientAccountOf(undefined)).toBeUndefined();
  });

  it('holds for any well-formed stream and fails once a request is ended twice or without an issue (property)', () => {
    // A script: per step, a client issues its next request or ends one of its open ones.
    const step = fc.record({ client: fc.constantFrom('c1', 'c2'), issue: fc.boolean(), pick: fc.nat(), attempts: fc.integer({ min: 1, max: 4 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.option(fc.nat(), { nil: undefined }), (steps, breakAt) => {
        const checker = requestsAccounted({ requestMicrosMax: 1_000 * S, clients: ['c1', 'c2'] });
        const run = new LbRun(NODES);
        const d = new LbDriver(run, [checker]);
        const open = new Map<NodeId, number[]>([['c1', []], ['c2', []]]);
        const next = new Map<NodeId, number>([['c1', 0], ['c2', 0]]);
        const ended = new Map<NodeId, number[]>([['c1', []], ['c2', []]]);
        let broken = false;
        steps.forEach((s, i) => {
          const mine = open.get(s.client)!;
          const at = i * 1000;
          if (breakAt !== undefined && i === breakAt % Math.max(1, steps.length)) {
            // A bad fact: an end for a request that is not open (ended before, or never issued).
            const old = ended.get(s.client)!;
            d.done(at, s.client, old.length > 0 ? old[s.pick % old.length]! : next.get(s.client)! + 1000);
            broken = true;
          } else if (s.issue || mine.length === 0) {
            const id = next.get(s.client)!;
            next.set(s.client, id + 1);
            mine.push(id);
            d.issue(at, s.client, id);
          } else {
            const [id] = mine.splice(s.pick % mine.length, 1);
            ended.get(s.client)!.push(id!);
            d.done(at, s.client, id!, 'ok', s.attempts);
          }
        });
        for (const c of ['c1', 'c2']) run.accounts.set(c, { issued: next.get(c)!, done: ended.get(c)!.length, open: open.get(c)!.length });
        run.now = steps.length * 1000;
        expect(d.problems.length > 0).toBe(broken);
        if (!broken) expect(checker.verdict(run)).toEqual({ ok: true });
      }),
    );
  });
});

describe('no-route-to-down', () => {
  const setup = (panicThresholdRatio = 0.5) => {
    const checker = noRouteToDown({ backendCount: 4, panicThresholdRatio });
    const run = new LbRun(NODES);
    return { checker, run, d: new LbDriver(run, [checker]) };
  };

  it('passes routes to backends up in the balancer\'s view, and to any backend in a true panic', () => {
    const { checker, run, d } = setup();
    d.route(0, 'lb', 'b1').health(1 * S, 'lb', 'b1', 'down').route(1.1 * S, 'lb', 'b2').health(2 * S, 'lb', 'b1', 'up').route(2.1 * S, 'lb', 'b1');
    // Another balancer's view is its own: c1 never marked b1 down.
    d.health(3 * S, 'lb', 'b1', 'ejected').route(3.1 * S, 'c1', 'b1');
    // Three of four unhealthy: 1/4 < 0.5, a panic may pick a down backend.
    d.health(4 * S, 'lb', 'b2', 'down').health(4 * S, 'lb', 'b3', 'down').route(4.1 * S, 'lb', 'b2', true);
    expect(d.problems).toEqual([]);
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('fails on a route to a backend marked down, or ejected', () => {
    const { d } = setup();
    d.health(1 * S, 'lb', 'b3', 'down').route(1.5 * S, 'lb', 'b3');
    d.health(2 * S, 'c1', 'b2', 'ejected').route(2.5 * S, 'c1', 'b2');
    expect(d.problems).toEqual(['lb routed a request to b3, which it holds down', 'c1 routed a request to b2, which it holds ejected']);
  });

  it('fails on a route to a down backend that claims a panic its view does not show', () => {
    const { d } = setup(0.5);
    // Two of four unhealthy: 2/4 is not below 0.5.
    d.health(1 * S, 'lb', 'b1', 'down').health(1 * S, 'lb', 'b2', 'ejected').route(1.5 * S, 'lb', 'b1', true);
    expect(d.problems).toEqual(['lb routed a request to b1, which it holds down, claiming panic, but 2 of 4 backends are healthy in its view (panic is below 0.5)']);
  });

  it('agrees with a naive twin that replays every health fact before each route (property)', () => {
    const BACKENDS = ['b1', 'b2', 'b3', 'b4'];
    const event = fc.oneof(
      fc.record({ kind: fc.constant('health' as const), backend: fc.constantFrom(...BACKENDS), state: fc.constantFrom('up' as const, 'down' as const, 'ejected' as const) }),
      fc.record({ kind: fc.constant('route' as const), backend: fc.constantFrom(...BACKENDS), panic: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.constantFrom(0, 0.25, 0.5, 0.75, 1), (events, threshold) => {
        const { d } = setup(threshold);
        const expected: boolean[] = [];
        const got: boolean[] = [];
        events.forEach((e, i) => {
          if (e.kind === 'health') {
            d.health(i, 'lb', e.backend, e.state);
            return;
          }
          // The twin: each backend's state is its last health fact before now (up if none).
          const stateOf = (b: string) => events.slice(0, i).filter((x) => x.kind === 'health' && x.backend === b).map((x) => (x as { state: string }).state).pop() ?? 'up';
          const healthy = BACKENDS.filter((b) => stateOf(b) === 'up').length;
          expected.push(stateOf(e.backend) !== 'up' && !(e.panic && healthy / BACKENDS.length < threshold));
          const before = d.problems.length;
          d.route(i, 'lb', e.backend, e.panic);
          got.push(d.problems.length > before);
        });
        expect(got).toEqual(expected);
      }),
    );
  });

  it('forgets a balancer\'s view when it crashes (it restarts with every backend up)', () => {
    const { d } = setup();
    d.health(1 * S, 'lb', 'b1', 'down').fault(2 * S, 'crash', 'lb').fault(3 * S, 'restart', 'lb').route(3.5 * S, 'lb', 'b1');
    expect(d.problems).toEqual([]);
  });
});

describe('success-after-heal', () => {
  const setup = () => {
    const checker = successAfterHeal({ windowMicros: 1 * S, objectiveRatio: 0.9, minRequests: 10 });
    const run = new LbRun(NODES);
    return { checker, run, d: new LbDriver(run, [checker]) };
  };
  /** `n` requests of client c1 ending at `at` … spaced 10ms apart, `bad` of them first with an error. */
  const ends = (d: LbDriver, at: Micros, n: number, bad: number, firstId: number) => {
    for (let i = 0; i < n; i++) d.issue(at + i * 10_000 - 1, 'c1', firstId + i).done(at + i * 10_000, 'c1', firstId + i, i < bad ? 'error' : 'ok');
  };

  it('holds once the last window has enough requests and enough of them succeed', () => {
    const { checker, run, d } = setup();
    expect(checker.verdict(run)).toEqual({ ok: false, message: 'the recovery phase has not begun' });
    ends(d, 0, 20, 20, 0); // fault phase: all fail, and are not judged
    d.recover(1 * S);
    ends(d, 1 * S, 5, 0, 100);
    expect(checker.verdict(run)).toEqual({ ok: false, message: 'only 5 requests ended in the last 1s (at least 10 needed)' });
    ends(d, 1.1 * S, 10, 0, 200);
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('fails while the success ratio in the window is below the objective, and holds once the failures leave the window', () => {
    const { checker, run, d } = setup();
    d.recover(0);
    ends(d, 0, 20, 4, 0); // 16 of 20 ok: 0.8
    expect(checker.verdict(run)).toEqual({ ok: false, message: '16 of the 20 requests that ended in the last 1s succeeded (0.800, below the objective 0.9)' });
    run.now = 1.025 * S; // the first three (ends at 0, 10ms, 20ms) have left the window: 16 of 17
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('agrees with a naive twin that filters every end by the window (property)', () => {
    const end = fc.record({ gapMicros: fc.integer({ min: 0, max: 300_000 }), ok: fc.boolean(), pollAfter: fc.boolean() });
    fc.assert(
      fc.property(fc.array(end, { maxLength: 80 }), (ends) => {
        const { checker, run, d } = setup();
        d.recover(0);
        const seen: { at: number; ok: boolean }[] = [];
        let at = 0;
        ends.forEach((e, i) => {
          at += e.gapMicros;
          d.issue(at, 'c1', i).done(at, 'c1', i, e.ok ? 'ok' : 'timeout');
          seen.push({ at, ok: e.ok });
          if (!e.pollAfter) return;
          run.now = at + e.gapMicros; // poll a little later, as the engine does
          const inWindow = seen.filter((x) => x.at > run.now - 1 * S);
          const oks = inWindow.filter((x) => x.ok).length;
          expect(checker.verdict(run).ok).toBe(inWindow.length >= 10 && oks >= 0.9 * inWindow.length);
        });
      }),
    );
  });

  it('keeps up with many ends (the window is a queue)', () => {
    const { checker, run, d } = setup();
    d.recover(0);
    ends(d, 0, 5000, 0, 0);
    expect(checker.verdict(run)).toEqual({ ok: true });
    ends(d, 50 * S, 100, 100, 10_000);
    expect(checker.verdict(run).ok).toBe(false);
  });
});

describe('lbCheckers', () => {
  it('gives the three checkers with their kinds', () => {
    const checkers = lbCheckers({ requestMicrosMax: S, backendCount: 4, panicThresholdRatio: 0.5, windowMicros: S, objectiveRatio: 0.99, minRequests: 100 });
    expect(checkers.map((c) => [c.name, c.kind])).toEqual([
      ['requests-accounted', 'always'], ['no-route-to-down', 'always'], ['success-after-heal', 'eventually'],
    ]);
  });
});
