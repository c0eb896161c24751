// A load balancer: the core that routes attempts to backends under a policy and a health view (shared by
// the central balancer process and by every client that balances for itself), and the central balancer
// process that relays clients' requests through it. Assumes the policy and the health view obey parts.ts.
//
// The core, after Envoy's cluster manager: an attempt goes to a backend the policy picks among those the
// health view offers (`lb-route`), and is tracked until its answer or its timeout, whichever comes first:
// exactly one of policy.onDone or policy.onAbandon per attempt, and the outcome goes to the health view
// (passive outlier detection). Active health checks send a probe to every backend each interval; a probe
// not answered within its timeout fails; each result is reported (`lb-probe`). Every change of the view is
// reported (`lb-health`) and told to the policy. Timeouts all have one length and attempts leave in time
// order, so their deadlines fall due in order: one queue and one engine timer (queues.ts), not a timer per
// attempt.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { BalancerConfig } from './config.js';
import type { LbFact } from './facts.js';
import type { LbMessage, LbRequest, LbResponse } from './messages.js';
import { createHealthView } from './health.js';
import type { HealthChange, HealthView, Policy } from './parts.js';
import { createPolicy } from './policies.js';
import { DeadlineQueue, type Deadline } from './queues.js';

export type { BalancerConfig } from './config.js';

type LbContext = Context<LbMessage, LbFact>;

/** A balancer's two replaceable parts. */
export interface BalancerParts {
  readonly policy: Policy;
  readonly health: HealthView;
}

/**
 * Builds a balancer's parts from its configuration: in the scenarios,
 * `(c) => ({ policy: createPolicy(c.policy, c), health: createHealthView(c, c.backends.length) })`.
 * Called once per process object, so a restarted balancer starts with a fresh view.
 */
export type MakeBalancerParts = (config: BalancerConfig) => BalancerParts;

/** The parts a balancer is built with unless a test hands in others: its configured policy and a health view. */
export const defaultBalancerParts: MakeBalancerParts = (config) => ({ policy: createPolicy(config.policy, config), health: createHealthView(config, config.backends.length) });

/** An attempt the core sent and waits for: to which backend, when, and the owner's tag. */
export interface InFlight<T> {
  readonly request: LbRequest;
  readonly backend: number;
  readonly sentMicros: Micros;
  readonly tag: T;
  /** Its deadline in the core's queue (cancelled when answered). */
  deadline: Deadline<InFlight<T>> | null;
}

/** The core's timer names (prefixed so that an embedding client's own timers never collide). */
export const BALANCER_TIMERS = { deadline: 'lb-deadline', probe: 'lb-probe', probeTimeout: 'lb-probe-timeout', health: 'lb-health' } as const;

const CORE_TIMER_NAMES: ReadonlySet<string> = new Set(Object.values(BALANCER_TIMERS));

/** Attempt numbers an in-flight key leaves room for under each request id. */
const ATTEMPTS_PER_ID = 1024;

/**
 * Attempts in flight by (client, id, attempt): a map per client, keyed by id × 1024 + attempt, so no
 * string is built per attempt (this is on the hot path of every request).
 */
class InFlightTable<V> {
  private readonly byClient = new Map<NodeId, Map<number, V>>();
  size = 0;

  private slot(client: NodeId, create: boolean): Map<number, V> | undefined {
    let map = this.byClient.get(client);
    if (map === undefined && create) this.byClient.set(client, (map = new Map()));
    return map;
  }

  get(client: NodeId, id: number, attempt: number): V | undefined {
    return this.slot(client, false)?.get(id * ATTEMPTS_PER_ID + attempt);
  }

  /** Adds an attempt; false (and nothing changed) if one of that name is in flight already. */
  add(client: NodeId, id: number, attempt: number, value: V): boolean {
    if (!(Number.isSafeInteger(id) && id >= 0 && id < Number.MAX_SAFE_INTEGER / ATTEMPTS_PER_ID)) assert(false, `balancer: request id ${id} out of range`);
    if (!(Number.isSafeInteger(attempt) && attempt >= 0 && attempt < ATTEMPTS_PER_ID)) assert(false, `balancer: attempt ${attempt} out of range`);
    const map = this.slot(client, true)!;
    const key = id * ATTEMPTS_PER_ID + attempt;
    if (map.has(key)) return false;
    map.set(key, value);
    this.size++;
    return true;
  }

  delete(client: NodeId, id: number, attempt: number): void {
    if (this.slot(client, false)?.delete(id * ATTEMPTS_PER_ID + attempt)) this.size--;
  }
}

/**
 * The balancing core: routes attempts, tracks them to their answer or timeout, runs active health checks
 * and the outlier timer. `T` is what its owner attaches to each attempt (the client to answer, or the
 * client's own request record); `onAbandon` is told of each attempt whose timeout ran out first.
 */
export class BalancerCore<T> {
  readonly policy: Policy;
  readonly health: HealthView;
  private readonly ids: readonly NodeId[];
  private readonly indexOf = new Map<NodeId, number>();
  private readonly inFlight = new InFlightTable<InFlight<T>>();
  private readonly deadlines: DeadlineQueue<InFlight<T>>;
  /** Per backend: the sequence number of the probe it has not answered yet, or 0. */
  private readonly probePending: number[];
  private readonly probeDeadlineOf: (Deadline<{ readonly backend: number; readonly seq: number }> | null)[];
  private readonly probeDeadlines: DeadlineQueue<{ readonly backend: number; readonly seq: number }> | null;
  private probeSeq = 0;
  /** Local time of the next outlier interval (null without outlier detection). */
  private outlierTickMicros: Micros | null = null;
  /** Local time the `lb-health` timer is set for, or null. */
  private healthTimerMicros: Micros | null = null;

  constructor(
    private readonly config: BalancerConfig,
    parts: BalancerParts,
    /** How long an attempt is waited for before it is abandoned. */
    readonly timeoutMicros: Micros,
    private readonly onAbandon: (ctx: LbContext, tag: T, request: LbRequest) => void,
  ) {
    assert(Number.isSafeInteger(timeoutMicros) && timeoutMicros > 0, `balancer: the attempt timeout must be a positive integer, got ${timeoutMicros}`);
    this.policy = parts.policy;
    this.health = parts.health;
    this.ids = config.backends.map((b) => b.id);
    this.ids.forEach((id, i) => {
      assert(!this.indexOf.has(id), `balancer: backend ${id} is listed twice`);
      this.indexOf.set(id, i);
    });
    this.deadlines = new DeadlineQueue(BALANCER_TIMERS.deadline, timeoutMicros);
    this.probePending = new Array<number>(this.ids.length).fill(0);
    this.probeDeadlineOf = new Array(this.ids.length).fill(null);
    const check = config.healthCheck;
    if (check !== null) {
      assert(Number.isSafeInteger(check.intervalMicros) && check.intervalMicros > 0, `balancer: health-check interval must be a positive integer, got ${check.intervalMicros}`);
      assert(Number.isSafeInteger(check.timeoutMicros) && check.timeoutMicros > 0, `balancer: health-check timeout must be a positive integer, got ${check.timeoutMicros}`);
    }
    this.probeDeadlines = check === null ? null : new DeadlineQueue(BALANCER_TIMERS.probeTimeout, check.timeoutMicros);
    if (config.outlier !== null) {
      assert(Number.isSafeInteger(config.outlier.intervalMicros) && config.outlier.intervalMicros > 0, `balancer: outlier interval must be a positive integer, got ${config.outlier.intervalMicros}`);
    }
  }

  /** Boot: the first round of probes at once, then one every interval; the outlier interval starts. */
  start(ctx: LbContext): void {
    if (this.config.healthCheck !== null) this.probeRound(ctx);
    if (this.config.outlier !== null) this.outlierTickMicros = ctx.now() + this.config.outlier.intervalMicros;
    this.armHealthTimer(ctx);
  }

  /** The backend's name for an index of the configuration. */
  backendId(index: number): NodeId {
    return this.ids[index]!;
  }

  /** Attempts in flight now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Routes one attempt: picks a backend among the eligible, reports `lb-route`, tells the policy, sends the
   * request and starts its deadline. Returns the backend; or null when none may be picked (the caller
   * answers `unavailable`); or, for a duplicate of an attempt still in flight (the network's duplication),
   * the backend that attempt went to, without routing it again. A duplicate that arrives after its attempt
   * ended is routed as a new one (it is not remembered past its end); its answer reaches a client that no
   * longer waits for that attempt and ignores it.
   */
  route(ctx: LbContext, request: LbRequest, tag: T): NodeId | null {
    const { client, id: requestId, attempt: attemptNo } = request;
    const already = this.inFlight.get(client, requestId, attemptNo);
    if (already !== undefined) return this.ids[already.backend]!;
    const { backends, panic } = this.health.eligible();
    if (backends.length === 0) return null;
    const now = ctx.now();
    const backend = this.policy.pick(backends, request.key, ctx.rng, now);
    if (!(Number.isInteger(backend) && backend >= 0 && backend < this.ids.length)) assert(false, `${ctx.self}: the policy picked no backend of the list (${backend})`);
    const id = this.ids[backend]!;
    const attempt: InFlight<T> = { request, backend, sentMicros: now, tag, deadline: null };
    this.inFlight.add(client, requestId, attemptNo, attempt);
    // The fact first, so the no-route-to-down checker sees the route even when the assert below fires.
    ctx.observe({ type: 'lb-route', backend: id, panic });
    // Invariant (no new request to a backend its balancer has marked down): outside panic, only an up backend.
    if (!panic && this.health.state(backend) !== 'up') assert(false, `${ctx.self}: routed to ${id}, which it holds ${this.health.state(backend)}`);
    this.policy.onSend(backend, now);
    ctx.send(id, request);
    attempt.deadline = this.deadlines.add(ctx, attempt);
    return id;
  }

  /**
   * An answer from a backend: settles its attempt (policy.onDone, the health view's outcome) and returns
   * it, or returns null when no such attempt waits (answered already, or abandoned at its timeout: a late
   * answer is dropped, its attempt was already reported).
   */
  answer(ctx: LbContext, from: NodeId, response: LbResponse): InFlight<T> | null {
    const attempt = this.inFlight.get(response.client, response.id, response.attempt);
    if (attempt === undefined) return null;
    // Only the backend it was sent to answers for an attempt (a response from elsewhere is not its answer).
    if (this.ids[attempt.backend] !== from) return null;
    this.inFlight.delete(response.client, response.id, response.attempt);
    if (attempt.deadline !== null) this.deadlines.cancel(attempt.deadline);
    const now = ctx.now();
    this.policy.onDone(attempt.backend, response.status, Math.max(0, now - attempt.sentMicros), now);
    this.apply(ctx, this.health.onOutcome(attempt.backend, response.status, now));
    return attempt;
  }

  /** A probe answer: passes the backend's pending probe, if this is its answer. */
  probeReply(ctx: LbContext, from: NodeId, seq: number): void {
    const backend = this.indexOf.get(from);
    if (backend === undefined || this.probePending[backend] !== seq || seq === 0) return;
    this.probePending[backend] = 0;
    const deadline = this.probeDeadlineOf[backend];
    if (deadline != null) this.probeDeadlines!.cancel(deadline);
    this.probeDeadlineOf[backend] = null;
    ctx.observe({ type: 'lb-probe', backend: from, passed: true });
    this.apply(ctx, this.health.onProbe(backend, true, ctx.now()));
  }

  /** Handles the core's own timers; false for a timer that is not the core's. */
  onTimer(ctx: LbContext, name: string): boolean {
    if (!CORE_TIMER_NAMES.has(name)) return false;
    switch (name) {
      case BALANCER_TIMERS.deadline:
        this.deadlines.fire(ctx, (attempt) => this.abandon(ctx, attempt));
        break;
      case BALANCER_TIMERS.probe:
        this.probeRound(ctx);
        break;
      case BALANCER_TIMERS.probeTimeout:
        this.probeDeadlines?.fire(ctx, ({ backend, seq }) => this.probeFailed(ctx, backend, seq));
        break;
      case BALANCER_TIMERS.health:
        this.healthTimer(ctx);
        break;
    }
    return true;
  }

  /** An attempt's timeout ran out before its answer. */
  private abandon(ctx: LbContext, attempt: InFlight<T>): void {
    const { client, id, attempt: attemptNo } = attempt.request;
    if (this.inFlight.get(client, id, attemptNo) !== attempt) assert(false, `${ctx.self}: abandoning attempt ${attemptNo} of ${client}'s request ${id}, which is not in flight`);
    this.inFlight.delete(client, id, attemptNo);
    attempt.deadline = null;
    const now = ctx.now();
    // The planted bug lb/least-outstanding-leak lives in the policy's onAbandon (it keeps the slot).
    this.policy.onAbandon(attempt.backend, now, Math.max(0, now - attempt.sentMicros));
    this.apply(ctx, this.health.onOutcome(attempt.backend, 'timeout', now));
    this.onAbandon(ctx, attempt.tag, attempt.request);
  }

  /**
   * One round of active health checks: a probe to every backend, in configuration order, and the next
   * round in one interval. Beyond the source: a backend whose last probe is still unanswered (a timeout
   * longer than the interval) is not probed again until that probe passes or times out.
   */
  private probeRound(ctx: LbContext): void {
    const check = this.config.healthCheck;
    assert(check !== null, 'balancer: a probe round without health checks');
    for (let backend = 0; backend < this.ids.length; backend++) {
      if (this.probePending[backend] !== 0) continue;
      const seq = ++this.probeSeq;
      this.probePending[backend] = seq;
      ctx.send(this.ids[backend]!, { type: 'probe', seq });
      this.probeDeadlineOf[backend] = this.probeDeadlines!.add(ctx, { backend, seq });
    }
    ctx.setTimer(BALANCER_TIMERS.probe, check.intervalMicros);
  }

  private probeFailed(ctx: LbContext, backend: number, seq: number): void {
    if (this.probePending[backend] !== seq) return;
    this.probePending[backend] = 0;
    this.probeDeadlineOf[backend] = null;
    ctx.observe({ type: 'lb-probe', backend: this.ids[backend]!, passed: false });
    this.apply(ctx, this.health.onProbe(backend, false, ctx.now()));
  }

  /** The outlier interval or a re-admission fell due: the health view's onInterval, then the next one. */
  private healthTimer(ctx: LbContext): void {
    this.healthTimerMicros = null;
    const now = ctx.now();
    if (this.outlierTickMicros !== null && this.outlierTickMicros <= now) {
      const interval = this.config.outlier!.intervalMicros;
      // Skips intervals missed while paused, so the ticks keep their phase and never pile up.
      this.outlierTickMicros += interval * Math.max(1, Math.ceil((now - this.outlierTickMicros + 1) / interval));
    }
    this.apply(ctx, this.health.onInterval(now));
    this.armHealthTimer(ctx);
  }

  /** Sets the `lb-health` timer for the earlier of the next outlier interval and the next re-admission. */
  private armHealthTimer(ctx: LbContext): void {
    let due = this.outlierTickMicros;
    const readmit = this.health.nextDueMicros();
    if (readmit !== null && (due === null || readmit < due)) due = readmit;
    if (due === null) return; // a timer still set fires and finds nothing due
    if (this.healthTimerMicros !== null && this.healthTimerMicros <= due) return;
    this.healthTimerMicros = due;
    ctx.setTimer(BALANCER_TIMERS.health, Math.max(0, due - ctx.now()));
  }

  /** Reports each change of the view (`lb-health`) and tells the policy; an ejection may bring the re-admission timer forward. */
  private apply(ctx: LbContext, changes: readonly HealthChange[]): void {
    if (changes.length === 0) return;
    for (const change of changes) {
      ctx.observe({ type: 'lb-health', backend: this.ids[change.backend]!, state: change.state, reason: change.reason });
      this.policy.onHealth(change.backend, change.state === 'up');
    }
    this.armHealthTimer(ctx);
  }

  /** The view of each backend, its outstanding count as the policy keeps it, and the attempts in flight. */
  inspect(): { readonly backends: Readonly<Record<NodeId, string>>; readonly outstanding: readonly number[]; readonly inFlight: number } {
    const backends: Record<NodeId, string> = {};
    this.ids.forEach((id, i) => (backends[id] = this.health.state(i)));
    return { backends, outstanding: [...this.policy.outstanding()], inFlight: this.inFlight.size };
  }
}

/**
 * The central balancer process: clients send it requests; it routes each attempt through its core and
 * relays the backend's answer, answers `timeout` when its upstream timeout runs out first (a later answer
 * is then dropped), and `unavailable` when no backend may be picked. A crash loses its in-flight table:
 * those clients hear nothing and time out.
 */
export class Balancer implements Process<LbMessage, LbFact> {
  private readonly core: BalancerCore<NodeId>;

  constructor(config: BalancerConfig, makeParts: MakeBalancerParts = defaultBalancerParts) {
    this.core = new BalancerCore<NodeId>(config, makeParts(config), config.upstreamTimeoutMicros, (ctx, client, request) =>
      ctx.send(client, { type: 'res', client: request.client, id: request.id, attempt: request.attempt, status: 'timeout', backend: '' }));
  }

  onStart(ctx: LbContext): void {
    this.core.start(ctx);
  }

  onMessage(ctx: LbContext, from: NodeId, msg: LbMessage): void {
    switch (msg.type) {
      case 'req':
        // A duplicate of an attempt still in flight (the network's duplication) is not routed twice.
        if (this.core.route(ctx, msg, from) === null) {
          ctx.send(from, { type: 'res', client: msg.client, id: msg.id, attempt: msg.attempt, status: 'unavailable', backend: '' });
        }
        return;
      case 'res': {
        const attempt = this.core.answer(ctx, from, msg);
        if (attempt !== null) ctx.send(attempt.tag, msg);
        return;
      }
      case 'probe-ok':
        this.core.probeReply(ctx, from, msg.seq);
        return;
      case 'probe':
        return; // a balancer is not probed
    }
  }

  onTimer(ctx: LbContext, name: string): void {
    this.core.onTimer(ctx, name);
  }

  /** The core's view: backend states, outstanding counts, attempts in flight. */
  inspect(): ReturnType<BalancerCore<NodeId>['inspect']> {
    return this.core.inspect();
  }
}
