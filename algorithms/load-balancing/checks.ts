// Load-balancing checkers: what a serving topology promises, judged from the facts its clients and
// balancers report (facts.ts) and the engine's node status. Conservation of requests and never routing to a
// backend marked down are safety (`always`); the success ratio returning after heal is liveness (`eventually`).
// Assumes every node boots at 0, a crash loses a process's state (its open requests, its view of backends),
// and a request's id names it within one life of its client.

import type { Checker, CheckVerdict, LinkView, NodeStatus, RunView } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros, type Micros } from '../../sim/time.js';
import type { LbFact } from './facts.js';

/** Options of {@link lbCheckers} (the scenario derives them from its configuration). */
export interface LbCheckOptions {
  /**
   * The longest a request may stay open at its client, counted in time the client was not paused (a
   * paused client's timers wait): attempt timeouts × attempts plus the backoffs, with some slack.
   */
  readonly requestMicrosMax: Micros;
  /** How many backends each balancer balances over (its healthy share is over these). */
  readonly backendCount: number;
  /** The balancers' panic threshold (`BalancerConfig.panicThresholdRatio`); 0: they never panic. */
  readonly panicThresholdRatio: number;
  /** success-after-heal: the window of request ends it judges. */
  readonly windowMicros: Micros;
  /** success-after-heal: the share of requests in the window that must end `ok`. */
  readonly objectiveRatio: number;
  /** success-after-heal: the fewest requests that must end in the window for it to count. */
  readonly minRequests: number;
  /**
   * The clients whose `inspect()` the conservation check compares with their facts at the verdict; default:
   * every node whose inspect() has the client's shape `{ issued, done, open }`.
   */
  readonly clients?: readonly NodeId[];
}

/** A client's account of its requests, as its `inspect()` gives it. */
export interface ClientAccount {
  readonly issued: number;
  readonly done: number;
  readonly open: number;
}

/** The client's account in an `inspect()` view, or undefined when it has none (missing or another shape). */
export function clientAccountOf(view: unknown): ClientAccount | undefined {
  if (view === null || typeof view !== 'object') return undefined;
  const { issued, done, open } = view as Record<string, unknown>;
  return typeof issued === 'number' && typeof done === 'number' && typeof open === 'number' ? { issued, done, open } : undefined;
}

/** One life of one client, as its facts tell it. */
interface ClientLife {
  readonly crashes: number;
  issued: number;
  done: number;
  /** Open requests in issue order: id → the client's unpaused time at its issue. */
  readonly open: Map<number, Micros>;
  /** True time from which the next fact of this client looks for an overdue request again. */
  overdueCheckAtMicros: Micros;
}

/** Time a node spent paused, so that ages can be counted in time it was running (O(1) per question). */
class PausedClock {
  private readonly totalMicros = new Map<NodeId, Micros>();
  private readonly since = new Map<NodeId, Micros>();

  /** A pause, resume, crash or restart of `node` was applied at `at`, leaving it `status`. */
  lifecycle(node: NodeId, status: NodeStatus, at: Micros): void {
    const from = this.since.get(node);
    if (from !== undefined && status !== 'paused') {
      this.since.delete(node);
      this.totalMicros.set(node, (this.totalMicros.get(node) ?? 0) + (at - from));
    } else if (from === undefined && status === 'paused') this.since.set(node, at);
  }

  /** The node's running time at `now`: true time minus the time it has spent paused. */
  running(node: NodeId, now: Micros): Micros {
    const from = this.since.get(node);
    return now - (this.totalMicros.get(node) ?? 0) - (from === undefined ? 0 : now - from);
  }
}

/** The node a crash, restart, pause or resume entry acted on; undefined for any other entry. */
function lifecycleNode(fault: FaultEntry | null): NodeId | undefined {
  if (fault === null) return undefined;
  return fault.kind === 'crash' || fault.kind === 'restart' || fault.kind === 'pause' || fault.kind === 'resume' ? fault.node : undefined;
}

/**
 * always: no request is lost. Every `lb-done` follows an `lb-issue` of the same request by the same client
 * (in the same life), each request ends at most once, with at least one attempt; no request stays open
 * longer than `requestMicrosMax` of its client's running time (looked at, as a client's facts arrive, once
 * per 1/64 of that bound: one open up to that much longer and then ended can pass unseen); and at the verdict every client that is up
 * agrees with its facts: its inspect() says issued = done + open, and those counts are what its facts since
 * its last restart say (a crash abandons a client's open requests: not a violation). Per fact O(1).
 */
export function requestsAccounted(options: Pick<LbCheckOptions, 'requestMicrosMax' | 'clients'>): Checker<LbFact> {
  const { requestMicrosMax } = options;
  // As facts arrive, a client's oldest open request is looked at once per 1/64 of the bound at most (a
  // lost request is reported at most that much late; the verdict looks at every client at the end).
  const overdueStepMicros = Math.max(1, Math.floor(requestMicrosMax / 64));
  const lives = new Map<NodeId, ClientLife>();
  const paused = new PausedClock();

  const lifeOf = (client: NodeId, run: RunView): ClientLife => {
    const crashes = run.crashCount(client);
    let life = lives.get(client);
    if (life === undefined || life.crashes !== crashes) {
      life = { crashes, issued: 0, done: 0, open: new Map(), overdueCheckAtMicros: 0 };
      lives.set(client, life);
    }
    return life;
  };

  /** The client's oldest open request if it has been open too long (its open map is in issue order). */
  const overdue = (client: NodeId, life: ClientLife, now: Micros): string | undefined => {
    const first = life.open.entries().next();
    if (first.done === true) return undefined;
    const [id, issuedRunning] = first.value;
    const ageMicros = paused.running(client, now) - issuedRunning;
    if (ageMicros <= requestMicrosMax) return undefined;
    return `${client}'s request ${id} has been open for ${formatMicros(ageMicros)} of its running time, longer than the bound ${formatMicros(requestMicrosMax)} (no answer, rejection or timeout ended it)`;
  };

  /** {@link overdue}, when this client's next look is due. */
  const overdueNow = (client: NodeId, life: ClientLife, now: Micros): string | undefined => {
    if (now < life.overdueCheckAtMicros) return undefined;
    life.overdueCheckAtMicros = now + overdueStepMicros;
    return overdue(client, life, now);
  };

  return {
    name: 'requests-accounted',
    kind: 'always',
    description: 'every request a client issues is answered, rejected or timed out once, and the clients\' own counts agree with what they reported',
    onObservation(node, fact, run) {
      if (fact.type === 'lb-issue') {
        const life = lifeOf(node, run);
        if (life.open.has(fact.id)) return `${node} issued request ${fact.id} (lb-issue) while it was already open`;
        life.issued++;
        life.open.set(fact.id, paused.running(node, run.now));
        return overdueNow(node, life, run.now);
      }
      if (fact.type === 'lb-done') {
        const life = lifeOf(node, run);
        if (!life.open.has(fact.id)) {
          return `${node} ended request ${fact.id} (lb-done, ${fact.outcome}) but it is not open: never issued (lb-issue) in this life of ${node}, or already ended`;
        }
        if (!(Number.isInteger(fact.attempts) && fact.attempts >= 1)) {
          return `${node} ended request ${fact.id} (lb-done, ${fact.outcome}) after ${fact.attempts} attempts; every request makes at least one`;
        }
        life.open.delete(fact.id);
        life.done++;
        return overdueNow(node, life, run.now);
      }
    },
    onFault(fault: FaultEntry | null, run: RunView & LinkView) {
      const node = lifecycleNode(fault);
      if (node === undefined) return;
      paused.lifecycle(node, run.status(node), run.now);
      // A crash abandons the client's open requests: its next life starts with none.
      if (run.status(node) === 'crashed') lives.delete(node);
    },
    verdict(run): CheckVerdict {
      const clients = options.clients ?? run.nodes;
      for (const client of clients) {
        if (run.status(client) === 'crashed') continue;
        const life = lifeOf(client, run);
        const late = overdue(client, life, run.now);
        if (late !== undefined) {
          const issuedRunning = life.open.values().next().value!;
          // When it became certain, in true time (exact unless the client was paused since).
          return { ok: false, message: late, atMicros: run.now - (paused.running(client, run.now) - issuedRunning - requestMicrosMax) };
        }
        if (run.status(client) !== 'up') continue;
        const account = clientAccountOf(run.inspect(client));
        if (account === undefined) continue;
        if (account.issued !== account.done + account.open) {
          return { ok: false, message: `${client}'s own count does not add up: issued ${account.issued} ≠ done ${account.done} + open ${account.open}` };
        }
        if (account.issued !== life.issued || account.done !== life.done || account.open !== life.open.size) {
          return {
            ok: false,
            message: `${client} counts issued ${account.issued}, done ${account.done}, open ${account.open}, but since its last restart it reported ${life.issued} issued, ${life.done} done, ${life.open.size} open`,
          };
        }
      }
      return { ok: true };
    },
  };
}

/** Health codes per backend in a balancer's view: 0 up, 1 down, 2 ejected. */
const STATES = ['up', 'down', 'ejected'] as const;

/** One life of one balancer's view of the backends (every backend starts up, with no fact). */
interface BalancerView {
  readonly crashes: number;
  readonly state: Map<NodeId, 1 | 2>;
}

/**
 * always: a balancer never routes an attempt to a backend it last marked `down` or `ejected` (its latest
 * `lb-health` fact for it, in its current life), unless the route is marked `panic` and its view then
 * indeed has a healthy share below `panicThresholdRatio` (healthy ÷ `backendCount`, counted from its
 * `lb-health` facts). A false panic to a healthy backend is not judged. Per fact O(1).
 */
export function noRouteToDown(options: Pick<LbCheckOptions, 'backendCount' | 'panicThresholdRatio'>): Checker<LbFact> {
  const { backendCount, panicThresholdRatio } = options;
  const views = new Map<NodeId, BalancerView>();
  const viewOf = (balancer: NodeId, run: RunView): BalancerView => {
    const crashes = run.crashCount(balancer);
    let view = views.get(balancer);
    if (view === undefined || view.crashes !== crashes) {
      view = { crashes, state: new Map() };
      views.set(balancer, view);
    }
    return view;
  };
  return {
    name: 'no-route-to-down',
    kind: 'always',
    description: 'no balancer sends a request to a backend it has marked down or ejected, unless it is in panic (too few healthy backends)',
    onObservation(node, fact, run) {
      if (fact.type === 'lb-health') {
        const view = viewOf(node, run);
        if (fact.state === 'up') view.state.delete(fact.backend);
        else view.state.set(fact.backend, fact.state === 'down' ? 1 : 2);
        return;
      }
      if (fact.type !== 'lb-route') return;
      const view = viewOf(node, run);
      const code = view.state.get(fact.backend);
      if (code === undefined) return;
      const healthy = backendCount - view.state.size;
      // The health view's own expression (health.ts eligible()), so rounding cannot make them disagree.
      const inPanic = healthy < panicThresholdRatio * backendCount;
      if (fact.panic && inPanic) return;
      const state = STATES[code];
      return fact.panic
        ? `${node} routed a request to ${fact.backend}, which it holds ${state}, claiming panic, but ${healthy} of ${backendCount} backends are healthy in its view (panic is below ${panicThresholdRatio})`
        : `${node} routed a request to ${fact.backend}, which it holds ${state}`;
    },
    verdict: () => ({ ok: true }),
  };
}

/**
 * eventually: in the recovery phase, of the requests that ended (`lb-done`) in the recovery phase within the
 * last `windowMicros` (true time, (now − window, now]), at least `minRequests` ended and at least
 * `objectiveRatio` of them ended `ok`. Polled during recovery. Keeps the ends of one window (a queue).
 */
export function successAfterHeal(options: Pick<LbCheckOptions, 'windowMicros' | 'objectiveRatio' | 'minRequests'>): Checker<LbFact> {
  const { windowMicros, objectiveRatio, minRequests } = options;
  const window = new EndWindow();
  return {
    name: 'success-after-heal',
    kind: 'eventually',
    description: `once faults heal, at least ${objectiveRatio} of the requests ending within ${formatMicros(windowMicros)} succeed (with at least ${minRequests} of them)`,
    onObservation(_node, fact, run) {
      if (fact.type !== 'lb-done' || run.phase !== 'recovery') return;
      window.push(run.now, fact.outcome === 'ok');
    },
    verdict(run) {
      if (run.phase !== 'recovery') return { ok: false, message: 'the recovery phase has not begun' };
      window.evictUpTo(run.now - windowMicros);
      const { count, ok } = window;
      if (count < minRequests) return { ok: false, message: `only ${count} requests ended in the last ${formatMicros(windowMicros)} (at least ${minRequests} needed)` };
      if (ok < objectiveRatio * count) {
        return { ok: false, message: `${ok} of the ${count} requests that ended in the last ${formatMicros(windowMicros)} succeeded (${(ok / count).toFixed(3)}, below the objective ${objectiveRatio})` };
      }
      return { ok: true };
    },
  };
}

/** Request ends in time order, as a queue over growable typed arrays: push at the back, evict from the front. */
class EndWindow {
  private times = new Float64Array(1024);
  private oks = new Uint8Array(1024);
  private head = 0;
  private tail = 0;
  /** Ends in the window, and how many of them were ok. */
  count = 0;
  ok = 0;

  push(at: Micros, ok: boolean): void {
    if (this.tail === this.times.length) this.compact();
    this.times[this.tail] = at;
    this.oks[this.tail++] = ok ? 1 : 0;
    this.count++;
    if (ok) this.ok++;
  }

  /** Drops the ends at or before `at`. */
  evictUpTo(at: Micros): void {
    while (this.head < this.tail && this.times[this.head]! <= at) {
      this.count--;
      this.ok -= this.oks[this.head++]!;
    }
  }

  /** Moves the live part to the front, doubling the room when it is more than half full. */
  private compact(): void {
    const live = this.tail - this.head;
    const capacity = live * 2 > this.times.length ? this.times.length * 2 : this.times.length;
    const times = new Float64Array(capacity);
    times.set(this.times.subarray(this.head, this.tail));
    const oks = new Uint8Array(capacity);
    oks.set(this.oks.subarray(this.head, this.tail));
    this.times = times;
    this.oks = oks;
    this.head = 0;
    this.tail = live;
  }
}

/** The load-balancing checkers a scenario of the family runs (fresh per run). */
export function lbCheckers(options: LbCheckOptions): Checker<LbFact>[] {
  return [requestsAccounted(options), noRouteToDown(options), successAfterHeal(options)];
}
