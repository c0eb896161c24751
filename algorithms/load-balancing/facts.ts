// The facts the serving topology reports (ctx.observe), for the checkers, metrics and the report:
// clients report each request's start and end and each retry the budget let go, balancers each routing
// decision, each probe result and each change of their view of a backend, backends a periodic sample of
// their queue.

import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';

/**
 * A client started request `id` (its first attempt): once per request. `localMicros`: the client's local
 * clock at the first attempt (the time its retry budget counts it at; the client always sets it).
 */
export type RequestIssuedFact = { readonly type: 'lb-issue'; readonly id: number; readonly localMicros?: Micros };

/**
 * A client's retry budget let attempt `attempt` (2 or more) of request `id` go, at `localMicros` on the
 * client's clock (the time the budget counts it at); the attempt is sent after the back-off.
 */
export type RetryFact = { readonly type: 'lb-retry'; readonly id: number; readonly attempt: number; readonly localMicros: Micros };

/** How a request ended at its client: the last attempt's status; `timeout` also when the client's own attempt timer ran out. */
export type RequestOutcome = 'ok' | 'error' | 'rejected' | 'unavailable' | 'timeout';

/**
 * A client's request `id` ended: once per request, after its last attempt. `latencyMicros` from its first
 * send to its end on the client's clock; `backend`: the one that gave the final answer ('' if none).
 */
export type RequestDoneFact = {
  readonly type: 'lb-done'; readonly id: number; readonly outcome: RequestOutcome;
  readonly attempts: number; readonly latencyMicros: number; readonly backend: NodeId;
};

/**
 * A balancer (the reporting node: a central balancer, or a client balancing for itself) sent an attempt to
 * `backend`. `panic`: it was balancing over all backends because fewer than the panic threshold were healthy.
 */
export type RouteFact = { readonly type: 'lb-route'; readonly backend: NodeId; readonly panic: boolean };

/**
 * A balancer's active health check of `backend` ended: `passed` (its answer came within the probe timeout)
 * or not. Reported before the change of view it may cause (`lb-health`, in the same step).
 */
export type ProbeResultFact = { readonly type: 'lb-probe'; readonly backend: NodeId; readonly passed: boolean };

/**
 * Why a balancer's view of a backend changed. `phi`: marked down by the phi accrual detector over its probe
 * answers (`BalancerConfig.healthDetector`), instead of a run of failed probes.
 */
export type HealthReason = 'probe-failed' | 'probe-passed' | 'consecutive-errors' | 'success-rate' | 'readmitted' | 'phi';

/**
 * A balancer's view of `backend` changed: `up` (eligible), `down` (active health checks failed) or
 * `ejected` (outlier detection). Every backend starts up in every balancer's view (no fact at start).
 */
export type BackendHealthFact = { readonly type: 'lb-health'; readonly backend: NodeId; readonly state: 'up' | 'down' | 'ejected'; readonly reason: HealthReason };

/**
 * A backend's sample, every sample interval: requests waiting and in service now, and since its boot the
 * time its workers were busy (summed over workers), requests served, failed fast and rejected.
 */
export type BackendSampleFact = {
  readonly type: 'lb-backend'; readonly queued: number; readonly inService: number;
  readonly busyMicros: number; readonly served: number; readonly failed: number; readonly rejected: number;
};

export type LbFact = RequestIssuedFact | RetryFact | RequestDoneFact | RouteFact | ProbeResultFact | BackendHealthFact | BackendSampleFact;
