// The serving topology's processes (algorithms/load-balancing/backend.ts, balancer.ts, client.ts): one
// scripted test per rule, each driving a process through a fake context with a clock and timers, with a
// tiny local round-robin policy and health views (the real ones are policies.ts and health.ts); and one
// run on the real engine (2 clients, a central balancer, 3 backends) checking conservation from the facts.

import { describe, expect, it } from 'vitest';
import { Backend } from '../../algorithms/load-balancing/backend.js';
import { Balancer, BALANCER_TIMERS, type BalancerParts, type MakeBalancerParts } from '../../algorithms/load-balancing/balancer.js';
import { lbBugs } from '../../algorithms/load-balancing/bugs.js';
import { Client } from '../../algorithms/load-balancing/client.js';
import type { BackendConfig, BalancerConfig, ClientConfig, RetryConfig } from '../../algorithms/load-balancing/config.js';
import type { LbFact } from '../../algorithms/load-balancing/facts.js';
import type { AttemptStatus, LbMessage, LbRequest, LbResponse } from '../../algorithms/load-balancing/messages.js';
import type { HealthChange, HealthView, Policy } from '../../algorithms/load-balancing/parts.js';
import { DeadlineQueue } from '../../algorithms/load-balancing/queues.js';
import { InvariantError } from '../../sim/assert.js';
import { SimDisk } from '../../sim/disk.js';
import type { ClientHistory } from '../../sim/history.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import { Rng } from '../../sim/rng.js';
import { Simulator } from '../../sim/simulator.js';
import { ms, seconds } from '../../sim/time.js';
import { QUIET_NETWORK } from '../helpers.js';

type LbContext = Context<LbMessage, LbFact>;

// ---- a fake node: a clock the test moves, timers it fires in due order ------------------------------

class FakeNode {
  now = 0;
  readonly timers = new Map<string, number>();
  /** Every setTimer call, by name (to count timer operations). */
  readonly timerSets: string[] = [];
  readonly sent: { to: NodeId; msg: LbMessage }[] = [];
  readonly facts: LbFact[] = [];
  failFast = 0;
  readonly ctx: LbContext;

  constructor(readonly self: NodeId, readonly process: Process<LbMessage, LbFact>, seed = 1, disk = new SimDisk()) {
    const node = this;
    this.ctx = {
      self, peers: [], disk, rng: Rng.fromSeed(seed), history: {} as ClientHistory,
      now: () => node.now,
      send: (to, msg) => void node.sent.push({ to, msg }),
      setTimer: (name, after) => {
        expect(Number.isSafeInteger(after) && after >= 0, `timer ${name} after ${after}`).toBe(true);
        node.timers.set(name, node.now + after);
        node.timerSets.push(name);
      },
      cancelTimer: (name) => void node.timers.delete(name),
      observe: (fact) => void node.facts.push(fact),
      failFastRatio: () => node.failFast,
      leave: () => { throw new Error('load balancers never leave'); },
    };
  }

  start(): this {
    this.process.onStart(this.ctx);
    return this;
  }

  deliver(from: NodeId, msg: LbMessage): void {
    this.process.onMessage(this.ctx, from, msg);
  }

  /** Fires every timer due by `untilMicros`, earliest first, then sets the clock there. */
  runUntil(untilMicros: number): void {
    for (;;) {
      let name: string | undefined;
      let due = Infinity;
      for (const [n, at] of this.timers) if (at < due) [name, due] = [n, at];
      if (name === undefined || due > untilMicros) break;
      this.timers.delete(name);
      this.now = due;
      this.process.onTimer(this.ctx, name);
    }
    this.now = untilMicros;
  }

  /** Takes the messages sent so far. */
  take(): { to: NodeId; msg: LbMessage }[] {
    return this.sent.splice(0);
  }

  factsOf<T extends LbFact['type']>(type: T): Extract<LbFact, { type: T }>[] {
    return this.facts.filter((f): f is Extract<LbFact, { type: T }> => f.type === type);
  }
}

const req = (client: NodeId, id: number, attempt = 1, key = 0): LbRequest => ({ type: 'req', client, id, attempt, key });
const res = (r: LbRequest, status: AttemptStatus, backend: NodeId): LbResponse => ({ type: 'res', client: r.client, id: r.id, attempt: r.attempt, status, backend });

// ---- tiny local parts: round robin, always-up health, and a scripted health view -----------------------

/** Round robin over the eligible backends, counting outstanding attempts, logging every call. */
class FakeRoundRobin implements Policy {
  private next = 0;
  readonly counts: number[];
  readonly calls: string[] = [];
  constructor(n: number) {
    this.counts = new Array<number>(n).fill(0);
  }
  pick(eligible: readonly number[]): number {
    return eligible[this.next++ % eligible.length]!;
  }
  onSend(b: number): void {
    this.counts[b]!++;
    this.calls.push(`send ${b}`);
  }
  onDone(b: number, status: AttemptStatus): void {
    this.counts[b]!--;
    this.calls.push(`done ${b} ${status}`);
  }
  onAbandon(b: number): void {
    this.counts[b]!--;
    this.calls.push(`abandon ${b}`);
  }
  onHealth(b: number, up: boolean): void {
    this.calls.push(`health ${b} ${up ? 'up' : 'down'}`);
  }
  outstanding(): readonly number[] {
    return this.counts;
  }
}

/**
 * A health view every backend is up in, except those a failed probe marks down (a passed one marks up
 * again); outcomes are logged; `readmitAt` schedules a re-admission the balancer's timer must honour.
 */
class FakeHealth implements HealthView {
  readonly states: ('up' | 'down' | 'ejected')[];
  readonly outcomes: string[] = [];
  readonly probes: string[] = [];
  readonly intervals: number[] = [];
  readmitAt: { backend: number; at: number } | null = null;
  /** Eject a backend on an error answer for this long (null: never). */
  ejectOnError: number | null = null;
  constructor(n: number) {
    this.states = new Array(n).fill('up');
  }
  onProbe(b: number, passed: boolean, now: number): readonly HealthChange[] {
    this.probes.push(`${now} ${b} ${passed ? 'pass' : 'fail'}`);
    const state = passed ? 'up' : 'down';
    if (this.states[b] === state) return [];
    this.states[b] = state;
    return [{ backend: b, state, reason: passed ? 'probe-passed' : 'probe-failed' }];
  }
  onOutcome(b: number, status: string, now: number): readonly HealthChange[] {
    this.outcomes.push(`${b} ${status}`);
    if (this.ejectOnError === null || status !== 'error' || this.states[b] !== 'up') return [];
    this.states[b] = 'ejected';
    this.readmitAt = { backend: b, at: now + this.ejectOnError };
    return [{ backend: b, state: 'ejected', reason: 'consecutive-errors' }];
  }
  onInterval(now: number): readonly HealthChange[] {
    this.intervals.push(now);
    const due = this.readmitAt;
    if (due === null || due.at > now) return [];
    this.readmitAt = null;
    this.states[due.backend] = 'up';
    return [{ backend: due.backend, state: 'up', reason: 'readmitted' }];
  }
  nextDueMicros(): number | null {
    return this.readmitAt?.at ?? null;
  }
  eligible() {
    const backends: number[] = [];
    this.states.forEach((s, i) => s === 'up' && backends.push(i));
    return { backends, panic: false };
  }
  state(b: number) {
    return this.states[b]!;
  }
}

function partsFor(): { make: MakeBalancerParts; made: { policy: FakeRoundRobin; health: FakeHealth }[] } {
  const made: { policy: FakeRoundRobin; health: FakeHealth }[] = [];
  const make = (config: BalancerConfig): BalancerParts => {
    const parts = { policy: new FakeRoundRobin(config.backends.length), health: new FakeHealth(config.backends.length) };
    made.push(parts);
    return parts;
  };
  return { make, made };
}

// ---- configurations ---------------------------------------------------------------------------------

const backendConfig = (over: Partial<BackendConfig> = {}): BackendConfig => ({
  workers: 1, concurrencyMax: Infinity, service: { kind: 'constant', micros: ms(10) }, speed: 1, sampleIntervalMicros: 0, bugs: lbBugs.none, ...over,
});

const balancerConfig = (ids: readonly NodeId[], over: Partial<BalancerConfig> = {}): BalancerConfig => ({
  backends: ids.map((id) => ({ id, weight: 1 })), policy: 'round-robin', healthCheck: null, outlier: null, panicThresholdRatio: 0,
  ewmaDecayMicros: ms(100), ringPointsPerBackend: 16, upstreamTimeoutMicros: ms(100), bugs: lbBugs.none, ...over,
});

const retryConfig = (over: Partial<RetryConfig> = {}): RetryConfig => ({
  maxAttempts: 1, backoffMicros: ms(5), budgetRatio: 0.2, budgetWindowMicros: seconds(10), budgetMinPerSecond: 0, ...over,
});

const clientConfig = (over: Partial<ClientConfig> = {}): ClientConfig => ({
  workload: { kind: 'closed', concurrency: 1, thinkMicros: ms(1) }, keys: 100, attemptTimeoutMicros: ms(50),
  retry: retryConfig(), route: { kind: 'central', balancer: 'lb' }, bugs: lbBugs.none, ...over,
});

// ---- the backend ------------------------------------------------------------------------------------

describe('backend', () => {
  it('serves in arrival order with c workers: FIFO queue in front of 2 workers, service divided by speed', () => {
    const node = new FakeNode('b1', new Backend(backendConfig({ workers: 2, speed: 2, service: { kind: 'constant', micros: ms(20) } }))).start();
    for (let id = 1; id <= 5; id++) node.deliver('lb', req('c1', id));
    expect(node.take()).toEqual([]);
    const answered: [number, number][] = [];
    for (const t of [ms(10), ms(20), ms(30)]) {
      node.runUntil(t);
      for (const { msg } of node.take()) answered.push([t, (msg as LbResponse).id]);
    }
    // Speed 2 halves 20 ms: two at 10 ms, the next two at 20 ms, the last at 30 ms, in arrival order.
    expect(answered).toEqual([[ms(10), 1], [ms(10), 2], [ms(20), 3], [ms(20), 4], [ms(30), 5]]);
    expect((node.process as Backend).inspect()).toMatchObject({ queued: 0, inService: 0, served: 5, busyDoneMicros: 5 * ms(10) });
  });

  it('answers ok to the sender (the balancer), naming the request and itself', () => {
    const node = new FakeNode('b1', new Backend(backendConfig())).start();
    node.deliver('lb', req('c1', 7, 2, 42));
    node.runUntil(ms(10));
    expect(node.take()).toEqual([{ to: 'lb', msg: { type: 'res', client: 'c1', id: 7, attempt: 2, status: 'ok', backend: 'b1' } }]);
  });

  it('rejects at once beyond its concurrency limit (in service plus waiting), and admits again once one is served', () => {
    const node = new FakeNode('b1', new Backend(backendConfig({ concurrencyMax: 3 }))).start();
    for (let id = 1; id <= 4; id++) node.deliver('lb', req('c1', id));
    expect(node.take().map(({ msg }) => [(msg as LbResponse).id, (msg as LbResponse).status])).toEqual([[4, 'rejected']]);
    node.runUntil(ms(10));
    node.deliver('lb', req('c1', 5));
    expect(node.take().map(({ msg }) => [(msg as LbResponse).id, (msg as LbResponse).status])).toEqual([[1, 'ok']]);
    node.runUntil(ms(40));
    expect(node.take().map(({ msg }) => (msg as LbResponse).id)).toEqual([2, 3, 5]);
    expect((node.process as Backend).inspect()).toMatchObject({ served: 4, rejected: 1 });
  });

  it('fails fast: under failFastRatio 1 every request is answered error at once, without queueing; probes still pass', () => {
    const node = new FakeNode('b1', new Backend(backendConfig())).start();
    node.failFast = 1;
    for (let id = 1; id <= 3; id++) node.deliver('lb', req('c1', id));
    node.deliver('lb', { type: 'probe', seq: 9 });
    expect(node.take().map(({ msg }) => msg.type === 'res' ? msg.status : msg.type)).toEqual(['error', 'error', 'error', 'probe-ok']);
    expect(node.timers.size).toBe(0);
    expect((node.process as Backend).inspect()).toMatchObject({ failed: 3, inService: 0, queued: 0 });
  });

  it('draws from its random stream for fail-fast only when the ratio is above 0', () => {
    const node = new FakeNode('b1', new Backend(backendConfig()), 5).start();
    for (let id = 1; id <= 3; id++) node.deliver('lb', req('c1', id));
    expect(node.ctx.rng.next()).toBe(Rng.fromSeed(5).next()); // constant service: no draw at all
    const half = new FakeNode('b1', new Backend(backendConfig()), 5).start();
    half.failFast = 0.5;
    half.deliver('lb', req('c1', 1));
    expect(half.ctx.rng.next()).not.toBe(Rng.fromSeed(5).next());
  });

  it('answers a probe at once, ahead of a queue', () => {
    const node = new FakeNode('b1', new Backend(backendConfig())).start();
    for (let id = 1; id <= 3; id++) node.deliver('lb', req('c1', id));
    node.deliver('lb', { type: 'probe', seq: 4 });
    expect(node.take()).toEqual([{ to: 'lb', msg: { type: 'probe-ok', seq: 4 } }]);
  });

  it('reports a sample every interval: queued, in service, busy time summed over workers, and its counters', () => {
    const node = new FakeNode('b1', new Backend(backendConfig({ workers: 2, sampleIntervalMicros: ms(25), concurrencyMax: 4 }))).start();
    for (let id = 1; id <= 5; id++) node.deliver('lb', req('c1', id));
    node.failFast = 1;
    node.deliver('lb', req('c1', 6));
    node.runUntil(ms(25));
    // At 25 ms: 1 and 2 served at 10, 3 and 4 at 20, 5 rejected, 6 failed fast; nothing held. Busy: 4 × 10 ms.
    expect(node.factsOf('lb-backend')).toEqual([{ type: 'lb-backend', queued: 0, inService: 0, busyMicros: ms(40), served: 4, failed: 1, rejected: 1 }]);
    node.failFast = 0;
    node.deliver('lb', req('c1', 7));
    node.deliver('lb', req('c1', 8));
    node.deliver('lb', req('c1', 9));
    node.runUntil(ms(50));
    // 7 and 8 served at 35 ms; 9 started at 35 ms, 10 ms in service at 45, served at 45: all done by 50.
    expect(node.factsOf('lb-backend')[1]).toMatchObject({ queued: 0, inService: 0, busyMicros: ms(70), served: 7 });
  });

  it('counts the served part of requests still in service in a sample', () => {
    const node = new FakeNode('b1', new Backend(backendConfig({ sampleIntervalMicros: ms(4) }))).start();
    node.deliver('lb', req('c1', 1));
    node.deliver('lb', req('c1', 2));
    node.runUntil(ms(4));
    expect(node.factsOf('lb-backend')).toEqual([{ type: 'lb-backend', queued: 1, inService: 1, busyMicros: ms(4), served: 0, failed: 0, rejected: 0 }]);
  });
});

// ---- the deadline queue -------------------------------------------------------------------------------

describe('deadline queue', () => {
  it('fires deadlines in order with one timer, skips cancelled ones, and re-arms lazily', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>('d', 100);
    const node = new FakeNode('x', { onStart() {}, onMessage() {}, onTimer: () => queue.fire(node.ctx, (item) => expired.push(`${node.now} ${item}`)) });
    const entries = ['a', 'b', 'c', 'd'].map((item, i) => {
      node.now = i * 10;
      return queue.add(node.ctx, item);
    });
    expect(node.timerSets).toEqual(['d']); // one timer operation for four deadlines
    queue.cancel(entries[0]!);
    queue.cancel(entries[2]!);
    node.runUntil(1_000);
    expect(expired).toEqual(['110 b', '130 d']);
    // Fired at a's deadline (cancelled, nothing due), then at b's, then at d's.
    expect(node.timerSets.length).toBeLessThanOrEqual(3);
    expect(queue.size).toBe(0);
  });
});

// ---- the central balancer ------------------------------------------------------------------------------

describe('central balancer', () => {
  const ids = ['b1', 'b2', 'b3'];
  function balancer(over: Partial<BalancerConfig> = {}) {
    const parts = partsFor();
    const node = new FakeNode('lb', new Balancer(balancerConfig(ids, over), parts.make)).start();
    return { node, policy: parts.made[0]!.policy, health: parts.made[0]!.health };
  }

  it('routes each attempt to the policy\'s pick, reports lb-route, and relays the answer to the client', () => {
    const { node, policy, health } = balancer();
    const r = req('c1', 1);
    node.deliver('c1', r);
    expect(node.take()).toEqual([{ to: 'b1', msg: r }]);
    expect(node.factsOf('lb-route')).toEqual([{ type: 'lb-route', backend: 'b1', panic: false }]);
    node.now = ms(7);
    node.deliver('b1', res(r, 'ok', 'b1'));
    expect(node.take()).toEqual([{ to: 'c1', msg: res(r, 'ok', 'b1') }]);
    expect(policy.calls).toEqual(['send 0', 'done 0 ok']);
    expect(health.outcomes).toEqual(['0 ok']);
    expect(policy.outstanding()).toEqual([0, 0, 0]);
  });

  it('answers timeout at its upstream timeout, releases the attempt (onAbandon), and drops a late answer', () => {
    const { node, policy, health } = balancer({ upstreamTimeoutMicros: ms(100) });
    const r = req('c1', 1);
    node.deliver('c1', r);
    node.take();
    node.runUntil(ms(99));
    expect(node.take()).toEqual([]);
    node.runUntil(ms(100));
    expect(node.take()).toEqual([{ to: 'c1', msg: { type: 'res', client: 'c1', id: 1, attempt: 1, status: 'timeout', backend: '' } }]);
    expect(policy.calls).toEqual(['send 0', 'abandon 0']);
    expect(health.outcomes).toEqual(['0 timeout']);
    node.deliver('b1', res(r, 'ok', 'b1'));
    expect(node.take()).toEqual([]);
    expect(policy.calls).toEqual(['send 0', 'abandon 0']);
  });

  it('answers unavailable when no backend may be picked', () => {
    const { node, health } = balancer();
    health.states.fill('down');
    node.deliver('c1', req('c1', 1));
    expect(node.take()).toEqual([{ to: 'c1', msg: { type: 'res', client: 'c1', id: 1, attempt: 1, status: 'unavailable', backend: '' } }]);
    expect(node.factsOf('lb-route')).toEqual([]);
  });

  it('never routes to a backend its view holds down: a policy that picks one breaks a local assertion', () => {
    const { node, policy, health } = balancer();
    health.states[0] = 'down';
    node.deliver('c1', req('c1', 1));
    expect(node.take()[0]!.to).toBe('b2');
    policy.pick = () => 0;
    expect(() => node.deliver('c1', req('c1', 2))).toThrow(InvariantError);
  });

  it('tracks deadlines in one queue with one timer: they fire in send order, answered ones skipped', () => {
    const { node, policy } = balancer({ upstreamTimeoutMicros: ms(100) });
    const sent = [1, 2, 3, 4].map((id) => {
      node.now = ms(id);
      const r = req('c1', id);
      node.deliver('c1', r);
      return r;
    });
    node.take();
    expect(node.timerSets.filter((n) => n === BALANCER_TIMERS.deadline)).toHaveLength(1);
    node.now = ms(20);
    node.deliver('b2', res(sent[1]!, 'ok', 'b2'));
    node.deliver('b4', res(sent[3]!, 'ok', 'b4')); // not the backend it went to (b1): not its answer
    node.take();
    node.runUntil(ms(200));
    const timeouts = node.take().map(({ msg }) => [(msg as LbResponse).id, (msg as LbResponse).status]);
    expect(timeouts).toEqual([[1, 'timeout'], [3, 'timeout'], [4, 'timeout']]);
    expect(policy.calls.filter((c) => c.startsWith('abandon'))).toEqual(['abandon 0', 'abandon 2', 'abandon 0']);
    expect(node.timerSets.filter((n) => n === BALANCER_TIMERS.deadline).length).toBeLessThanOrEqual(4);
  });

  it('routes a duplicated request once, and relays a duplicated answer once', () => {
    const { node } = balancer();
    const r = req('c1', 1);
    node.deliver('c1', r);
    node.deliver('c1', r);
    expect(node.take()).toHaveLength(1);
    node.deliver('b1', res(r, 'error', 'b1'));
    node.deliver('b1', res(r, 'error', 'b1'));
    expect(node.take()).toEqual([{ to: 'c1', msg: res(r, 'error', 'b1') }]);
  });

  it('probes every backend each interval; an unanswered probe fails at its timeout, an answered one passes; changes are reported and told to the policy', () => {
    const { node, policy, health } = balancer({ healthCheck: { intervalMicros: ms(100), timeoutMicros: ms(30), unhealthyThreshold: 1, healthyThreshold: 1 } });
    const probes = node.take();
    expect(probes.map(({ to, msg }) => [to, msg.type])).toEqual([['b1', 'probe'], ['b2', 'probe'], ['b3', 'probe']]);
    node.now = ms(5);
    node.deliver('b1', { type: 'probe-ok', seq: (probes[0]!.msg as { seq: number }).seq });
    node.deliver('b3', { type: 'probe-ok', seq: (probes[2]!.msg as { seq: number }).seq });
    node.deliver('b3', { type: 'probe-ok', seq: (probes[2]!.msg as { seq: number }).seq }); // a duplicate: already passed
    node.runUntil(ms(30));
    expect(health.probes).toEqual([`${ms(5)} 0 pass`, `${ms(5)} 2 pass`, `${ms(30)} 1 fail`]);
    expect(node.factsOf('lb-health')).toEqual([{ type: 'lb-health', backend: 'b2', state: 'down', reason: 'probe-failed' }]);
    expect(policy.calls).toEqual(['health 1 down']);
    // The next round, one interval after the first; now b2 answers and comes back.
    node.runUntil(ms(100));
    const round2 = node.take();
    expect(round2.map(({ to }) => to)).toEqual(['b1', 'b2', 'b3']);
    node.deliver('b2', { type: 'probe-ok', seq: (round2[1]!.msg as { seq: number }).seq });
    expect(node.factsOf('lb-health')[1]).toEqual({ type: 'lb-health', backend: 'b2', state: 'up', reason: 'probe-passed' });
  });

  it('runs the outlier interval, and wakes for the re-admission an ejection schedules', () => {
    const { node, policy, health } = balancer({ outlier: { consecutiveErrors: 1, intervalMicros: ms(1000), successRateMinRequests: 5, successRateStdevFactor: 0, baseEjectionMicros: ms(300), maxEjectionRatio: 0.5 } });
    health.ejectOnError = ms(300);
    node.deliver('c1', req('c1', 1));
    node.now = ms(10);
    node.deliver('b1', res(req('c1', 1), 'error', 'b1'));
    node.runUntil(ms(2000));
    expect(health.intervals).toEqual([ms(310), ms(1000), ms(2000)]);
    expect(node.factsOf('lb-health')).toEqual([
      { type: 'lb-health', backend: 'b1', state: 'ejected', reason: 'consecutive-errors' },
      { type: 'lb-health', backend: 'b1', state: 'up', reason: 'readmitted' },
    ]);
    expect(policy.calls.filter((c) => c.startsWith('health'))).toEqual(['health 0 down', 'health 0 up']);
  });
});

// ---- the client ------------------------------------------------------------------------------------------

describe('client', () => {
  /** A client whose attempts all get `status` from the balancer at once; returns its facts. */
  function answerAll(config: ClientConfig, status: AttemptStatus, untilMicros: number): FakeNode {
    const node = new FakeNode('c1', new Client(config)).start();
    for (let t = 0; t <= untilMicros; t += ms(1)) {
      node.runUntil(t);
      for (const { msg } of node.take()) if (msg.type === 'req') node.deliver('lb', res(msg, status, status === 'unavailable' ? '' : 'b1'));
    }
    return node;
  }

  it('reports lb-issue and lb-done once per request, with attempts, latency and the answering backend', () => {
    const node = new FakeNode('c1', new Client(clientConfig({ workload: { kind: 'closed', concurrency: 2, thinkMicros: ms(1) } }))).start();
    const first = node.take();
    expect(first.map(({ to, msg }) => [to, msg.type, (msg as LbRequest).id, (msg as LbRequest).attempt])).toEqual([['lb', 'req', 1, 1], ['lb', 'req', 2, 1]]);
    node.now = ms(3);
    node.deliver('lb', res(first[0]!.msg as LbRequest, 'ok', 'b2'));
    node.deliver('lb', res(first[0]!.msg as LbRequest, 'ok', 'b2')); // duplicated answer: ignored
    expect(node.factsOf('lb-done')).toEqual([{ type: 'lb-done', id: 1, outcome: 'ok', attempts: 1, latencyMicros: ms(3), backend: 'b2' }]);
    // Closed loop: after the think time, the next request.
    node.runUntil(ms(4));
    expect(node.take().map(({ msg }) => (msg as LbRequest).id)).toEqual([3]);
    expect(node.factsOf('lb-issue').map((f) => f.id)).toEqual([1, 2, 3]);
    expect((node.process as Client).inspect()).toEqual({ issued: 3, done: 1, open: 2, retries: 0 });
  });

  it('times an attempt out on its own clock, and ends the request timeout with no backend', () => {
    const node = new FakeNode('c1', new Client(clientConfig({ attemptTimeoutMicros: ms(50) }))).start();
    const [{ msg }] = node.take();
    node.runUntil(ms(50));
    expect(node.factsOf('lb-done')).toEqual([{ type: 'lb-done', id: 1, outcome: 'timeout', attempts: 1, latencyMicros: ms(50), backend: '' }]);
    node.deliver('lb', res(msg as LbRequest, 'ok', 'b1')); // late: ignored
    expect(node.factsOf('lb-done')).toHaveLength(1);
  });

  it('retries error, rejected, unavailable and timeout after the back-off, and stops at maxAttempts', () => {
    for (const status of ['error', 'rejected', 'unavailable'] as const) {
      const node = answerAll(clientConfig({ retry: retryConfig({ maxAttempts: 3, backoffMicros: ms(5), budgetMinPerSecond: 100 }) }), status, ms(12));
      const done = node.factsOf('lb-done');
      expect(done[0]).toEqual({ type: 'lb-done', id: 1, outcome: status, attempts: 3, latencyMicros: ms(10), backend: status === 'unavailable' ? '' : 'b1' });
    }
    const timeouts = new FakeNode('c1', new Client(clientConfig({ attemptTimeoutMicros: ms(50), retry: retryConfig({ maxAttempts: 2, budgetMinPerSecond: 100 }) }))).start();
    timeouts.runUntil(ms(200));
    const attempts = timeouts.take().filter(({ msg }) => (msg as LbRequest).id === 1).map(({ msg }) => (msg as LbRequest).attempt);
    expect(attempts).toEqual([1, 2]);
    expect(timeouts.factsOf('lb-done')[0]).toMatchObject({ id: 1, outcome: 'timeout', attempts: 2, latencyMicros: ms(105) });
  });

  it('does not retry an ok, and ignores an answer to an earlier attempt', () => {
    const node = new FakeNode('c1', new Client(clientConfig({ attemptTimeoutMicros: ms(50), retry: retryConfig({ maxAttempts: 3, budgetMinPerSecond: 100 }) }))).start();
    const [{ msg: first }] = node.take();
    node.runUntil(ms(55)); // attempt 1 timed out at 50, attempt 2 sent at 55
    const [{ msg: second }] = node.take();
    expect((second as LbRequest).attempt).toBe(2);
    node.deliver('lb', res(first as LbRequest, 'ok', 'b1'));
    expect(node.factsOf('lb-done')).toEqual([]);
    node.now = ms(60);
    node.deliver('lb', res(second as LbRequest, 'ok', 'b2'));
    expect(node.factsOf('lb-done')).toEqual([{ type: 'lb-done', id: 1, outcome: 'ok', attempts: 2, latencyMicros: ms(60), backend: 'b2' }]);
  });

  it('the retry budget stops retries beyond budgetRatio × first attempts in the window; lb/retry-no-budget does not', () => {
    // Open loop, every attempt fails: with a 10% budget and no minimum, retries are about a tenth of the first attempts.
    const open = { kind: 'open', ratePerSecond: 1000 } as const;
    const budgeted = answerAll(clientConfig({ workload: open, retry: retryConfig({ maxAttempts: 3, budgetRatio: 0.1, budgetMinPerSecond: 0 }) }), 'error', seconds(1));
    const stats = (node: FakeNode) => {
      const done = node.factsOf('lb-done');
      return { firsts: done.length, retries: done.reduce((sum, d) => sum + d.attempts - 1, 0) };
    };
    const withBudget = stats(budgeted);
    expect(withBudget.firsts).toBeGreaterThan(800);
    expect(withBudget.retries).toBeLessThanOrEqual(0.1 * withBudget.firsts + 1);
    expect(withBudget.retries).toBeGreaterThan(0.05 * withBudget.firsts);
    const storm = answerAll(clientConfig({ workload: open, retry: retryConfig({ maxAttempts: 3, budgetRatio: 0.1, budgetMinPerSecond: 0 }), bugs: lbBugs.active(lbBugs.names.retryNoBudget) }), 'error', seconds(1));
    const withoutBudget = stats(storm);
    expect(withoutBudget.retries).toBeGreaterThan(1.9 * withoutBudget.firsts);
  });

  it('the budget\'s minimum allows retries at budgetMinPerSecond even with no ratio', () => {
    const config = clientConfig({ workload: { kind: 'open', ratePerSecond: 1000 }, retry: retryConfig({ maxAttempts: 2, budgetRatio: 0, budgetMinPerSecond: 10, budgetWindowMicros: seconds(1) }) });
    const node = answerAll(config, 'error', seconds(1) - ms(10));
    const retries = node.factsOf('lb-done').reduce((sum, d) => sum + d.attempts - 1, 0);
    expect(retries).toBe(10);
  });

  it('makes Poisson arrivals at the rate in an open loop', () => {
    const node = new FakeNode('c1', new Client(clientConfig({ workload: { kind: 'open', ratePerSecond: 2000 } })), 3).start();
    node.runUntil(seconds(5));
    const issued = node.factsOf('lb-issue').length;
    // Poisson: mean 10,000, standard deviation 100.
    expect(Math.abs(issued - 10_000)).toBeLessThan(500);
    expect(node.timerSets.filter((n) => n === 'arrive').length).toBeLessThan(issued + 2);
  });

  it('balancing itself (client-side): routes through its own core, reports lb-route, abandons at its attempt timeout and retries elsewhere', () => {
    const parts = partsFor();
    const config = clientConfig({
      attemptTimeoutMicros: ms(50), retry: retryConfig({ maxAttempts: 2, backoffMicros: 0, budgetMinPerSecond: 100 }),
      route: { kind: 'client-side', balancer: balancerConfig(['b1', 'b2']) },
    });
    const node = new FakeNode('c1', new Client(config, parts.make)).start();
    const [{ to, msg }] = node.take();
    expect(to).toBe('b1');
    expect(node.factsOf('lb-route')).toEqual([{ type: 'lb-route', backend: 'b1', panic: false }]);
    node.runUntil(ms(50));
    const [{ to: retryTo, msg: retry }] = node.take();
    expect([retryTo, (retry as LbRequest).attempt]).toEqual(['b2', 2]);
    const { policy } = parts.made[0]!;
    expect(policy.calls).toEqual(['send 0', 'abandon 0', 'send 1']);
    node.deliver('b1', res(msg as LbRequest, 'ok', 'b1')); // late: the core dropped it
    expect(node.factsOf('lb-done')).toEqual([]);
    node.now = ms(70);
    node.deliver('b2', res(retry as LbRequest, 'ok', 'b2'));
    expect(node.factsOf('lb-done')).toEqual([{ type: 'lb-done', id: 1, outcome: 'ok', attempts: 2, latencyMicros: ms(70), backend: 'b2' }]);
    expect(policy.calls.at(-1)).toBe('done 1 ok');
  });

  it('numbers requests from a new range after a restart (its boot count is on disk)', () => {
    const disk = new SimDisk();
    const ids: number[] = [];
    for (let boot = 0; boot < 2; boot++) {
      const node = new FakeNode('c1', new Client(clientConfig()), 1, disk).start();
      ids.push(node.factsOf('lb-issue')[0]!.id);
    }
    expect(ids).toEqual([1, 1_000_000_001]);
  });
});

// ---- one run on the real engine ----------------------------------------------------------------------------

describe('on the engine', () => {
  /** Erlang C: the mean time in an M/M/c system (waiting plus service) with arrival rate λ and service rate μ per worker. */
  function mmcMeanMicros(lambdaPerSecond: number, muPerSecond: number, c: number): number {
    const a = lambdaPerSecond / muPerSecond;
    const rho = a / c;
    let sum = 0;
    let term = 1;
    for (let k = 0; k < c; k++) {
      sum += term;
      term *= a / (k + 1);
    }
    const tail = term / (1 - rho); // a^c / c! / (1 − ρ)
    const waitProbability = tail / (sum + tail);
    return (waitProbability / (c * muPerSecond - lambdaPerSecond) + 1 / muPerSecond) * 1e6;
  }

  it.each([
    { workers: 1, ratePerSecond: 100 },
    { workers: 2, ratePerSecond: 300 },
  ])('Poisson arrivals at one backend of $workers exponential worker(s): mean latency is M/M/c theory\'s plus the round trip', ({ workers, ratePerSecond }) => {
    const parts = partsFor();
    const latencies: number[] = [];
    const sim = new Simulator({
      seed: 21,
      network: QUIET_NETWORK, // 1 ms each way
      nodes: [
        { id: 'c1', role: 'client', create: () => new Client(clientConfig({ workload: { kind: 'open', ratePerSecond }, attemptTimeoutMicros: seconds(10), route: { kind: 'client-side', balancer: balancerConfig(['b1']) } }), parts.make) },
        { id: 'b1', role: 'backend', create: () => new Backend(backendConfig({ workers, service: { kind: 'exponential', meanMicros: ms(5) } })) },
      ],
      observers: [{ name: 'collect', onFact: (_node, fact) => void (fact.type === 'lb-done' && latencies.push(fact.latencyMicros as number)) }],
    });
    sim.start();
    sim.runUntil(seconds(200));
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    const theory = mmcMeanMicros(ratePerSecond, 200, workers) + ms(2);
    expect(latencies.length).toBeGreaterThan(ratePerSecond * 190);
    expect(Math.abs(mean - theory) / theory, `mean ${mean} against ${theory}`).toBeLessThan(0.08);
  });

  it('an open-loop client whose clock is stepped forward or paused makes no burst of "missed" arrivals', () => {
    const parts = partsFor();
    const issuedAt: number[] = [];
    const sim = new Simulator({
      seed: 3,
      network: QUIET_NETWORK,
      nodes: [
        { id: 'c1', role: 'client', create: () => new Client(clientConfig({ workload: { kind: 'open', ratePerSecond: 1000 }, route: { kind: 'client-side', balancer: balancerConfig(['b1']) } }), parts.make) },
        { id: 'b1', role: 'backend', create: () => new Backend(backendConfig({ service: { kind: 'constant', micros: 100 } })) },
      ],
      observers: [{ name: 'collect', onFact: (_node, fact, run) => void (fact.type === 'lb-issue' && issuedAt.push(run.now)) }],
    });
    sim.start();
    sim.scheduleFaults([
      { at: ms(300), kind: 'clock-skew', node: 'c1', offsetMicros: seconds(5) },
      { at: ms(600), kind: 'pause', node: 'c1' },
      { at: ms(900), kind: 'resume', node: 'c1' },
    ]);
    sim.runUntil(seconds(1.2));
    const within = (from: number, to: number) => issuedAt.filter((t) => t >= from && t < to).length;
    expect(within(ms(300), ms(302))).toBeLessThan(10);
    expect(within(ms(900), ms(902))).toBeLessThan(10);
    expect(within(ms(600), ms(900))).toBe(0);
    // About 1000 per second while running: 0.9 s running in all.
    expect(Math.abs(issuedAt.length - 900)).toBeLessThan(150);
  });

  it('2 clients, a central balancer and 3 backends: every request issued is done or open, once each', () => {
    const backends = ['b1', 'b2', 'b3'];
    const parts = partsFor();
    const facts: { node: NodeId; fact: LbFact }[] = [];
    const client = (rate: number): ClientConfig => clientConfig({
      workload: { kind: 'open', ratePerSecond: rate }, attemptTimeoutMicros: ms(80),
      retry: retryConfig({ maxAttempts: 3, budgetMinPerSecond: 5 }),
    });
    const sim = new Simulator({
      seed: 7,
      network: QUIET_NETWORK,
      nodes: [
        { id: 'c1', role: 'client', create: () => new Client(client(300)) },
        { id: 'c2', role: 'client', create: () => new Client(client(200)) },
        { id: 'lb', role: 'balancer', create: () => new Balancer(balancerConfig(backends, { upstreamTimeoutMicros: ms(60), healthCheck: { intervalMicros: ms(200), timeoutMicros: ms(50), unhealthyThreshold: 2, healthyThreshold: 2 } }), parts.make) },
        ...backends.map((id, i) => ({
          id, role: 'backend',
          create: () => new Backend(backendConfig({ workers: 2, concurrencyMax: 20, speed: 1 + i / 2, service: { kind: 'exponential', meanMicros: ms(4) }, sampleIntervalMicros: ms(100) })),
        })),
      ],
      observers: [{ name: 'collect', onFact: (node, fact) => void facts.push({ node, fact: fact as LbFact }) }],
    });
    sim.start();
    sim.scheduleFaults([{ at: ms(500), kind: 'crash', node: 'b2' }, { at: ms(900), kind: 'restart', node: 'b2' }]);
    sim.runUntil(seconds(2));

    for (const id of ['c1', 'c2']) {
      const issued = facts.filter((f) => f.node === id && f.fact.type === 'lb-issue').map((f) => (f.fact as { id: number }).id);
      const done = facts.filter((f) => f.node === id && f.fact.type === 'lb-done').map((f) => (f.fact as { id: number }).id);
      expect(new Set(issued).size).toBe(issued.length);
      expect(new Set(done).size).toBe(done.length);
      expect(done.every((d) => issued.includes(d))).toBe(true);
      const view = sim.view.inspect(id) as ReturnType<Client['inspect']>;
      expect(view.issued).toBe(issued.length);
      expect(view.done).toBe(done.length);
      expect(view.issued).toBe(view.done + view.open);
      expect(view.open).toBeLessThan(20);
    }
    const done = facts.filter((f) => f.fact.type === 'lb-done').map((f) => f.fact as Extract<LbFact, { type: 'lb-done' }>);
    expect(done.length).toBeGreaterThan(800);
    expect(done.filter((d) => d.outcome === 'ok').length / done.length).toBeGreaterThan(0.9);
    // Every attempt reached the balancer and was routed once (no loss, and some backend always up): the
    // attempts of the requests done, plus at most three for each request still open.
    const routes = facts.filter((f) => f.node === 'lb' && f.fact.type === 'lb-route').length;
    const attempts = done.reduce((sum, d) => sum + d.attempts, 0);
    const open = ['c1', 'c2'].reduce((sum, id) => sum + (sim.view.inspect(id) as ReturnType<Client['inspect']>).open, 0);
    expect(routes).toBeGreaterThanOrEqual(attempts);
    expect(routes).toBeLessThanOrEqual(attempts + 3 * open);
    expect(done.some((d) => d.attempts > 1)).toBe(true);
    expect(facts.some((f) => f.node === 'lb' && f.fact.type === 'lb-health' && f.fact.backend === 'b2' && f.fact.state === 'down')).toBe(true);
    expect(facts.some((f) => f.node === 'b1' && f.fact.type === 'lb-backend')).toBe(true);
    expect(parts.made.length).toBe(1);
  });
});
