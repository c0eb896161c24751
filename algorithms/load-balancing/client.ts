// A client of the serving topology: it makes requests (open loop: Poisson arrivals at a rate; closed loop:
// a fixed number in flight, each followed by a think time), sends each through a central balancer or
// balances it itself (a sidecar or client library: a BalancerCore of its own), and retries failed attempts
// a bounded number of times within a retry budget. Assumes one attempt timeout and one back-off for all.
//
// A request's life: `lb-issue`, attempt 1; an attempt ends with an answer or its timeout; `ok` ends the
// request, anything else (`error`, `rejected`, `unavailable`, `timeout`) is retried after the back-off if
// attempts remain and the budget allows (`lb-retry`; Finagle's RetryBudget: retries in the last window at most
// budgetRatio × first attempts in that window + budgetMinPerSecond × the window's seconds); else the
// request ends with that outcome: `lb-done`, once. An answer to an attempt other than the one awaited now
// (a late answer to a timed-out attempt) is ignored, as Envoy ignores an answer after its per-try timeout.
// A schedule's `request` entry adds one request on demand (for a given key, or one drawn as the workload
// draws), beside the workload: it counts toward no `requestsMax`, and a closed loop does not follow it.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process, RequestCheck } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { BalancerCore, defaultBalancerParts, type MakeBalancerParts } from './balancer.js';
import type { ClientConfig } from './config.js';
import type { LbFact, RequestOutcome } from './facts.js';
import type { AttemptStatus, LbMessage, LbRequest } from './messages.js';
import { DeadlineQueue, Fifo, type Deadline } from './queues.js';

export type { ClientConfig } from './config.js';

type ClientContext = Context<LbMessage, LbFact>;

/** One open request: its attempt now, and whether that attempt still waits for its answer. */
interface OpenRequest {
  readonly id: number;
  readonly key: number;
  attempt: number;
  /** Local time of the first attempt's send. */
  readonly firstSentMicros: Micros;
  /** True from an attempt's send to its answer or timeout (false while backing off). */
  awaiting: boolean;
  /** The attempt's timeout in the client's own queue (central mode; client-side the core holds it). */
  deadline: Deadline<OpenRequest> | null;
  /** A schedule's request, beside the workload (a closed loop does not follow it with another). */
  readonly requested: boolean;
}

/** A request a schedule asks for, in canonical form `{op: 'request', key}`, or what is wrong with it (keys 0 … keys−1). */
export function checkLbRequest(raw: unknown, keys: number): RequestCheck {
  const shape = `{"op": "request", "key": N} with N an integer from 0 to ${keys - 1}`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `must be ${shape}` };
  const { op, key, ...extra } = raw as Record<string, unknown>;
  if (Object.keys(extra).length > 0) return { problem: `unknown field ${Object.keys(extra).map((name) => `'${name}'`).join(', ')} (a request takes op and key)` };
  if (op !== 'request') return { problem: `op must be "request"; got ${JSON.stringify(op) ?? 'nothing'}` };
  if (!Number.isSafeInteger(key) || (key as number) < 0 || (key as number) >= keys) return { problem: `key must be an integer from 0 to ${keys - 1}; got ${JSON.stringify(key) ?? 'nothing'}` };
  return { op: { op, key } };
}

/** Request ids of one boot: boot b numbers its requests (b − 1) × this + 1, + 2 …, so a restarted client never reuses an id. */
export const REQUEST_IDS_PER_BOOT = 1_000_000_000;

/** The disk key of a client's boot count (the only thing it keeps on disk). */
const BOOT_KEY = 'lb-client-boot';

/** A bound on the requests one arrival timer issues (the rate is far beyond what a simulation serves). */
const ARRIVALS_PER_MICROSECOND_MAX = 1_000;

const TIMERS = { arrive: 'arrive', attempt: 'attempt', backoff: 'backoff', think: 'think' } as const;

/** What {@link Client.inspect} shows: requests issued and ended since boot, and open now (issued = done + open). */
export interface ClientView {
  readonly issued: number;
  readonly done: number;
  readonly open: number;
  readonly retries: number;
}

/** A client process: a workload, a route (central or client-side) and a retry policy. */
export class Client implements Process<LbMessage, LbFact> {
  private readonly open = new Map<number, OpenRequest>();
  private readonly core: BalancerCore<OpenRequest> | null;
  /** Attempt timeouts when a central balancer routes (client-side, the core's own deadlines are the timeouts). */
  private readonly attemptDeadlines: DeadlineQueue<OpenRequest> | null;
  private readonly backoffs: DeadlineQueue<OpenRequest>;
  private readonly thinks: DeadlineQueue<null>;
  /** Local send times of the first attempts and of the retries in the budget window, oldest first. */
  private readonly firstAttemptTimes = new Fifo<Micros>();
  private readonly retryTimes = new Fifo<Micros>();
  private nextId = 1;
  /** Open loop: the fraction of a microsecond the last arrival timer's span left out. */
  private arrivalCarryMicros = 0;
  private issued = 0;
  /** Of those issued, how many a schedule requested (the workload's `requestsMax` counts the others). */
  private requested = 0;
  private done = 0;
  private retries = 0;

  /** `makeParts` builds the policy and health view of a client-side balancer (unused with a central one). */
  constructor(private readonly config: ClientConfig, makeParts: MakeBalancerParts = defaultBalancerParts) {
    const { workload, retry } = config;
    if (workload.kind === 'open') assert(Number.isFinite(workload.ratePerSecond) && workload.ratePerSecond >= 0, `client: ratePerSecond must be a non-negative number, got ${workload.ratePerSecond}`);
    else {
      assert(Number.isSafeInteger(workload.concurrency) && workload.concurrency >= 0, `client: concurrency must be a non-negative integer, got ${workload.concurrency}`);
      assert(Number.isSafeInteger(workload.thinkMicros) && workload.thinkMicros >= 0, `client: thinkMicros must be a non-negative integer, got ${workload.thinkMicros}`);
    }
    assert(Number.isSafeInteger(config.keys) && config.keys > 0, `client: keys must be a positive integer, got ${config.keys}`);
    assert(Number.isSafeInteger(retry.maxAttempts) && retry.maxAttempts >= 1, `client: maxAttempts must be a positive integer, got ${retry.maxAttempts}`);
    assert(Number.isSafeInteger(retry.budgetWindowMicros) && retry.budgetWindowMicros >= 0, `client: budgetWindowMicros must be a non-negative integer, got ${retry.budgetWindowMicros}`);
    assert(retry.budgetRatio >= 0 && retry.budgetMinPerSecond >= 0, 'client: the retry budget must not be negative');
    if (config.route.kind === 'client-side') {
      const balancer = config.route.balancer;
      this.core = new BalancerCore<OpenRequest>(balancer, makeParts(balancer), config.attemptTimeoutMicros, (ctx, request) => this.ended(ctx, request, 'timeout', ''));
      this.attemptDeadlines = null;
    } else {
      this.core = null;
      this.attemptDeadlines = new DeadlineQueue(TIMERS.attempt, config.attemptTimeoutMicros);
    }
    this.backoffs = new DeadlineQueue(TIMERS.backoff, retry.backoffMicros);
    this.thinks = new DeadlineQueue(TIMERS.think, workload.kind === 'closed' ? workload.thinkMicros : 0);
  }

  onStart(ctx: ClientContext): void {
    const boot = (ctx.disk.read<number>(BOOT_KEY) ?? 0) + 1;
    ctx.disk.write(BOOT_KEY, boot);
    ctx.disk.sync();
    this.nextId = (boot - 1) * REQUEST_IDS_PER_BOOT + 1;
    this.core?.start(ctx);
    const { workload } = this.config;
    if (workload.kind === 'open') {
      // The first arrival one gap after boot (a gap of 0: at once).
      if (workload.ratePerSecond > 0 && !this.armArrival(ctx)) ctx.setTimer(TIMERS.arrive, 0);
    } else {
      for (let i = 0; i < workload.concurrency; i++) this.issue(ctx);
    }
  }

  onMessage(ctx: ClientContext, from: NodeId, msg: LbMessage): void {
    if (msg.type === 'res') {
      if (this.core !== null) {
        // Client-side: the core settles the attempt; null for an answer after the attempt's timeout.
        const attempt = this.core.answer(ctx, from, msg);
        if (attempt === null) return;
        const request = attempt.tag;
        if (!request.awaiting || request.attempt !== msg.attempt) assert(false, `${ctx.self}: the core settled attempt ${msg.attempt} of request ${msg.id}, which it does not await`);
        this.ended(ctx, request, msg.status, msg.backend);
        return;
      }
      const request = this.open.get(msg.id);
      // Ended already, backing off, or an answer to an earlier attempt: ignored.
      if (request === undefined || !request.awaiting || request.attempt !== msg.attempt) return;
      if (request.deadline !== null) this.attemptDeadlines!.cancel(request.deadline);
      request.deadline = null;
      this.ended(ctx, request, msg.status, msg.backend);
    } else if (msg.type === 'probe-ok') {
      this.core?.probeReply(ctx, from, msg.seq);
    }
  }

  onTimer(ctx: ClientContext, name: string): void {
    if (this.core?.onTimer(ctx, name)) return;
    switch (name) {
      case TIMERS.arrive:
        this.arrive(ctx);
        break;
      case TIMERS.attempt:
        this.attemptDeadlines?.fire(ctx, (request) => {
          request.deadline = null;
          this.ended(ctx, request, 'timeout', '');
        });
        break;
      case TIMERS.backoff:
        this.backoffs.fire(ctx, (request) => this.send(ctx, request));
        break;
      case TIMERS.think:
        this.thinks.fire(ctx, () => this.issue(ctx));
        break;
    }
  }

  /**
   * Open loop: a request arrives; the timer is set for the next (several at once when gaps round to 0).
   * The gaps are timer spans, not times on the local clock, so a clock stepped forward or a pause brings
   * no burst of arrivals "missed" meanwhile; the fraction of a microsecond each span drops is carried over
   * (rounding every gap down would raise the rate).
   */
  private arrive(ctx: ClientContext): void {
    for (let burst = 0; ; burst++) {
      // Local bound: an arrival rate a timer cannot resolve (gaps of 0 every time) is a configuration error.
      if (burst >= ARRIVALS_PER_MICROSECOND_MAX) assert(false, `${ctx.self}: more than ${ARRIVALS_PER_MICROSECOND_MAX} arrivals in one microsecond`);
      this.issue(ctx);
      // The workload is done: no further arrival.
      if (this.config.requestsMax !== undefined && this.issued - this.requested >= this.config.requestsMax) return;
      if (this.armArrival(ctx)) return;
    }
  }

  /** Draws the next exponential gap (Poisson arrivals: −(1/λ) · ln(1 − u)) and sets the timer; false when it rounds to no wait. */
  private armArrival(ctx: ClientContext): boolean {
    const rate = (this.config.workload as { readonly ratePerSecond: number }).ratePerSecond;
    const gapMicros = this.arrivalCarryMicros + (-1_000_000 / rate) * Math.log(1 - ctx.rng.next());
    const afterMicros = Math.floor(gapMicros);
    this.arrivalCarryMicros = gapMicros - afterMicros;
    if (afterMicros === 0) return false;
    ctx.setTimer(TIMERS.arrive, afterMicros);
    return true;
  }

  /** A schedule's request: one more request now, for `op.key` (checked by {@link checkLbRequest}) or a key drawn as the workload draws. */
  onRequestEntry(ctx: ClientContext, op: unknown): void {
    this.start(ctx, op === undefined ? undefined : (op as { key: number }).key, true);
  }

  checkRequestOp(op: unknown): RequestCheck {
    return checkLbRequest(op, this.config.keys);
  }

  /** A new request: `lb-issue`, a key, and its first attempt (none once `requestsMax` are issued in this life). */
  private issue(ctx: ClientContext): void {
    if (this.config.requestsMax !== undefined && this.issued - this.requested >= this.config.requestsMax) return;
    this.start(ctx, undefined, false);
  }

  /** Opens a request (the workload's, or with `requestedKey` set or drawn, a schedule's) and sends its first attempt. */
  private start(ctx: ClientContext, requestedKey: number | undefined, requested: boolean): void {
    const now = ctx.now();
    const key = requestedKey ?? ctx.rng.int(0, this.config.keys - 1);
    const request: OpenRequest = { id: this.nextId++, key, attempt: 0, firstSentMicros: now, awaiting: false, deadline: null, requested };
    this.open.set(request.id, request);
    this.issued++;
    if (requested) this.requested++;
    ctx.observe({ type: 'lb-issue', id: request.id, localMicros: now });
    this.firstAttemptTimes.push(now);
    this.send(ctx, request);
  }

  /** Sends the request's next attempt: to the central balancer, or through the client's own core. */
  private send(ctx: ClientContext, request: OpenRequest): void {
    if (request.awaiting) assert(false, `${ctx.self}: request ${request.id} sends an attempt while one is awaited`);
    request.attempt++;
    if (request.attempt > this.config.retry.maxAttempts) assert(false, `${ctx.self}: request ${request.id} makes more attempts than the maximum`);
    request.awaiting = true;
    const msg: LbRequest = { type: 'req', client: ctx.self, id: request.id, attempt: request.attempt, key: request.key };
    const { route } = this.config;
    if (route.kind === 'central') {
      ctx.send(route.balancer, msg);
      request.deadline = this.attemptDeadlines!.add(ctx, request);
    } else if (this.core!.route(ctx, msg, request) === null) {
      this.ended(ctx, request, 'unavailable', '');
    }
  }

  /** The awaited attempt ended: the request ends, or is retried after the back-off. */
  private ended(ctx: ClientContext, request: OpenRequest, status: AttemptStatus, backend: NodeId): void {
    if (!request.awaiting) assert(false, `${ctx.self}: attempt ${request.attempt} of request ${request.id} ended twice`);
    request.awaiting = false;
    const now = ctx.now();
    if (status !== 'ok' && request.attempt < this.config.retry.maxAttempts && this.mayRetry(now)) {
      this.retries++;
      ctx.observe({ type: 'lb-retry', id: request.id, attempt: request.attempt + 1, localMicros: now });
      // Always through the back-off queue (a zero back-off is a zero timer): no recursion on an immediate failure.
      this.backoffs.add(ctx, request);
      return;
    }
    this.finish(ctx, request, status, backend);
  }

  /**
   * The retry budget: may one more retry go now? It counts the retry if so. Planted bug lb/retry-no-budget:
   * every retry may go (up to the maximum attempts).
   */
  private mayRetry(now: Micros): boolean {
    const { budgetRatio, budgetWindowMicros, budgetMinPerSecond } = this.config.retry;
    const windowStart = now - budgetWindowMicros;
    while ((this.firstAttemptTimes.peek() ?? Infinity) <= windowStart) this.firstAttemptTimes.shift();
    while ((this.retryTimes.peek() ?? Infinity) <= windowStart) this.retryTimes.shift();
    const allowed = budgetRatio * this.firstAttemptTimes.length + (budgetMinPerSecond * budgetWindowMicros) / 1_000_000;
    if (!this.config.bugs.retryNoBudget && this.retryTimes.length + 1 > allowed) return false;
    this.retryTimes.push(now);
    return true;
  }

  /** The request ends: `lb-done` once; in a closed loop the next request follows after the think time. */
  private finish(ctx: ClientContext, request: OpenRequest, outcome: RequestOutcome, backend: NodeId): void {
    const wasOpen = this.open.delete(request.id);
    // Invariant: lb-done once per request.
    if (!wasOpen) assert(false, `${ctx.self}: request ${request.id} ended twice`);
    this.done++;
    ctx.observe({
      type: 'lb-done', id: request.id, outcome, attempts: request.attempt,
      latencyMicros: Math.max(0, ctx.now() - request.firstSentMicros), backend,
    });
    if (this.config.workload.kind === 'closed' && !request.requested) this.thinks.add(ctx, null);
  }

  /** Requests issued and ended since boot, open now (issued = done + open), and retries sent. */
  inspect(): ClientView {
    return { issued: this.issued, done: this.done, open: this.open.size, retries: this.retries };
  }
}
