// A backend: one FIFO request queue in front of c workers (an M/G/c queue when arrivals are Poisson), with
// a concurrency limit that rejects beyond it, a speed factor, and the `fail-fast` fault (answer an error at
// once, without serving). Health probes are answered at once, even while failing fast. All volatile: a
// crash loses the queue and the requests in service. Assumes one engine timer per worker is affordable.
//
// How it works: a request is admitted unless it must fail fast (a draw against ctx.failFastRatio(), made
// only when that ratio is above 0, so runs without the fault keep their random streams) or the requests
// held (in service plus waiting) are at the limit. An admitted request goes to a free worker, else to the
// back of the queue. A worker's timer (`w0`, `w1` …) fires when its request is served; it answers `ok` and
// takes the next request from the head of the queue.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { BackendConfig } from './config.js';
import type { LbFact } from './facts.js';
import type { AttemptStatus, LbMessage, LbRequest } from './messages.js';
import { Fifo } from './queues.js';
import { assertServiceTime, sampleServiceMicros } from './service-time.js';

/** Serving a request is the node's own work (`Context.setTimer`'s `work`). */
const WORK = { work: true } as const;

export type { BackendConfig } from './config.js';

type BackendContext = Context<LbMessage, LbFact>;

/** A request held by the backend, and whom to answer (a central balancer, or the client itself). */
interface Job {
  readonly from: NodeId;
  readonly request: LbRequest;
}

const SAMPLE_TIMER = 'sample';

/** What {@link Backend.inspect} shows: its counters since boot and its queue now. */
export interface BackendView {
  readonly queued: number;
  readonly inService: number;
  readonly served: number;
  readonly failed: number;
  readonly rejected: number;
  /** Service time of the requests finished since boot, summed over workers (the samples add the part served so far of those in service). */
  readonly busyDoneMicros: number;
}

/** A backend process: a FIFO queue, `workers` workers, a concurrency limit and a speed factor. */
export class Backend implements Process<LbMessage, LbFact> {
  private readonly queue = new Fifo<Job>();
  /** Per worker: the request it serves (null: idle), when it started and for how long (local clock). */
  private readonly serving: (Job | null)[];
  private readonly startedMicros: Micros[];
  private readonly serviceMicros: Micros[];
  /** Idle workers, a stack: the worker freed last is busied first. */
  private readonly idle: number[] = [];
  private readonly timerNames: readonly string[];
  private readonly workerOfTimer = new Map<string, number>();
  private inService = 0;
  private served = 0;
  private failed = 0;
  private rejected = 0;
  /** Service time of requests finished since boot, summed over workers. */
  private busyDoneMicros = 0;

  constructor(private readonly config: BackendConfig) {
    assert(Number.isSafeInteger(config.workers) && config.workers > 0, `backend: workers must be a positive integer, got ${config.workers}`);
    assert(config.concurrencyMax === Infinity || (Number.isSafeInteger(config.concurrencyMax) && config.concurrencyMax > 0), `backend: concurrencyMax must be a positive integer or Infinity, got ${config.concurrencyMax}`);
    assert(Number.isFinite(config.speed) && config.speed > 0, `backend: speed must be a positive number, got ${config.speed}`);
    assert(Number.isSafeInteger(config.sampleIntervalMicros) && config.sampleIntervalMicros >= 0, `backend: sampleIntervalMicros must be a non-negative integer, got ${config.sampleIntervalMicros}`);
    assertServiceTime(config.service);
    this.serving = new Array<Job | null>(config.workers).fill(null);
    this.startedMicros = new Array<Micros>(config.workers).fill(0);
    this.serviceMicros = new Array<Micros>(config.workers).fill(0);
    const names: string[] = [];
    for (let w = config.workers - 1; w >= 0; w--) this.idle.push(w);
    for (let w = 0; w < config.workers; w++) {
      names.push(`w${w}`);
      this.workerOfTimer.set(`w${w}`, w);
    }
    this.timerNames = names;
  }

  onStart(ctx: BackendContext): void {
    if (this.config.sampleIntervalMicros > 0) ctx.setTimer(SAMPLE_TIMER, this.config.sampleIntervalMicros);
  }

  onMessage(ctx: BackendContext, from: NodeId, msg: LbMessage): void {
    if (msg.type === 'req') this.admit(ctx, from, msg);
    // A probe is answered at once, ahead of the queue and even while failing fast: it checks the process,
    // not the service (which is why passive outlier detection exists beside active checks).
    else if (msg.type === 'probe') ctx.send(from, { type: 'probe-ok', seq: msg.seq });
  }

  onTimer(ctx: BackendContext, name: string): void {
    if (name === SAMPLE_TIMER) {
      this.sample(ctx);
      ctx.setTimer(SAMPLE_TIMER, this.config.sampleIntervalMicros);
      return;
    }
    const worker = this.workerOfTimer.get(name);
    if (worker !== undefined) this.finish(ctx, worker);
  }

  private admit(ctx: BackendContext, from: NodeId, request: LbRequest): void {
    // The fail-fast fault: its share of requests is answered with an error at once, before admission.
    const failFastRatio = ctx.failFastRatio();
    if (failFastRatio > 0 && ctx.rng.chance(failFastRatio)) {
      this.failed++;
      answer(ctx, from, request, 'error');
      return;
    }
    const held = this.inService + this.queue.length;
    if (held >= this.config.concurrencyMax) {
      this.rejected++;
      answer(ctx, from, request, 'rejected');
      return;
    }
    const job: Job = { from, request };
    const worker = this.idle.pop();
    if (worker === undefined) this.queue.push(job);
    else this.begin(ctx, worker, job);
    // Local invariant: never more held than the limit, never a waiting request beside an idle worker.
    // (Checks on the hot path build their message only when they fail.)
    if (this.inService + this.queue.length > this.config.concurrencyMax) assert(false, `${ctx.self}: holds more requests than its concurrency limit`);
    if (this.queue.length > 0 && this.idle.length > 0) assert(false, `${ctx.self}: a request waits while a worker is idle`);
  }

  /** Worker `worker` starts serving `job`: its sampled service time, divided by the backend's speed. */
  private begin(ctx: BackendContext, worker: number, job: Job): void {
    if (this.serving[worker] !== null) assert(false, `${ctx.self}: worker ${worker} is already busy`);
    const micros = Math.round(sampleServiceMicros(this.config.service, ctx.rng.draw) / this.config.speed);
    this.serving[worker] = job;
    this.startedMicros[worker] = ctx.now();
    this.serviceMicros[worker] = micros;
    this.inService++;
    // A work timer: on a machine a `slow` fault holds, serving takes factor × as long.
    ctx.setTimer(this.timerNames[worker]!, micros, WORK);
  }

  /** Worker `worker` has served its request: answer it, then take the next one waiting, if any. */
  private finish(ctx: BackendContext, worker: number): void {
    const job = this.serving[worker];
    if (job == null) assert(false, `${ctx.self}: worker ${worker}'s timer fired while it was idle`);
    this.serving[worker] = null;
    this.inService--;
    // The time serving really took on this machine's clock (a slow machine takes longer than sampled).
    this.busyDoneMicros += Math.max(0, ctx.now() - this.startedMicros[worker]!);
    this.served++;
    answer(ctx, job.from, job.request, 'ok');
    const next = this.queue.shift();
    if (next === undefined) this.idle.push(worker);
    else this.begin(ctx, worker, next);
  }

  /** Busy time since boot on its own clock, summed over workers: the finished requests and the elapsed part of those in service. */
  private busyMicros(now: Micros): number {
    let busy = this.busyDoneMicros;
    for (let w = 0; w < this.serving.length; w++) {
      if (this.serving[w] !== null) busy += Math.max(0, now - this.startedMicros[w]!);
    }
    return busy;
  }

  private sample(ctx: BackendContext): void {
    ctx.observe({
      type: 'lb-backend', queued: this.queue.length, inService: this.inService, busyMicros: this.busyMicros(ctx.now()),
      served: this.served, failed: this.failed, rejected: this.rejected,
    });
  }

  /** Counters since boot, and the queue now. */
  inspect(): BackendView {
    return { queued: this.queue.length, inService: this.inService, served: this.served, failed: this.failed, rejected: this.rejected, busyDoneMicros: this.busyDoneMicros };
  }
}

function answer(ctx: BackendContext, to: NodeId, request: LbRequest, status: AttemptStatus): void {
  ctx.send(to, { type: 'res', client: request.client, id: request.id, attempt: request.attempt, status, backend: ctx.self });
}
