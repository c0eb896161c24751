// The interfaces between a balancer and its two replaceable parts: the policy that picks a backend for
// each attempt (policies.ts), and the health view that says which backends it may pick (health.ts).
// Backends are named by their index in `BalancerConfig.backends`. Both parts are plain objects driven by
// the balancer's handlers: no engine access of their own, so they are tested as pure state machines.

import type { Rng } from '../../sim/rng.js';
import type { Micros } from '../../sim/time.js';
import type { AttemptStatus } from './messages.js';
import type { HealthReason, RequestOutcome } from './facts.js';

export type { AttemptStatus } from './messages.js';

/**
 * A balancing policy. The balancer calls `pick` for every attempt, then `onSend` for the backend it sent
 * it to, and exactly one of `onDone` (an answer came) or `onAbandon` (its timeout ran out first) per sent
 * attempt; a late answer to an abandoned attempt is not reported again.
 */
export interface Policy {
  /**
   * One of `eligible` (backend indexes, non-empty, ascending). `key`: the request's key (ring-hash);
   * `rng`: the balancer's random stream; `now`: its local clock.
   */
  pick(eligible: readonly number[], key: number, rng: Rng, now: Micros): number;
  onSend(backend: number, now: Micros): void;
  /** An answer for an attempt sent to `backend`, `latencyMicros` after it was sent. */
  onDone(backend: number, status: AttemptStatus, latencyMicros: Micros, now: Micros): void;
  /**
   * An attempt sent to `backend` was abandoned (timeout) before its answer. `waitedMicros` (optional): how
   * long it was out; p2c-peak-ewma takes it as a latency sample (without it, `upstreamTimeoutMicros`).
   */
  onAbandon(backend: number, now: Micros, waitedMicros?: Micros): void;
  /** The backend's health changed (weighted round robin resets its weight; ring-hash may rebuild). */
  onHealth(backend: number, up: boolean): void;
  /** Outstanding attempts per backend as the policy counts them (least-outstanding, p2c), for inspect() and tests. */
  outstanding(): readonly number[];
}

/** A change of a backend's state in the health view, for the balancer to report (`lb-health`). */
export interface HealthChange {
  readonly backend: number;
  readonly state: 'up' | 'down' | 'ejected';
  readonly reason: HealthReason;
}

/**
 * A balancer's health view: active checks (results fed in by the balancer, which sends the probes and
 * times them out), passive outlier detection (fed every answer and abandon), and the panic threshold.
 * Every method returns the changes it made, in backend order, for the balancer to report and to tell its policy.
 */
export interface HealthView {
  /** A probe to `backend` passed (true) or failed or timed out (false). */
  onProbe(backend: number, passed: boolean, now: Micros): readonly HealthChange[];
  /** An attempt's outcome at `backend` (an abandon counts as `timeout`). */
  onOutcome(backend: number, status: AttemptStatus | RequestOutcome, now: Micros): readonly HealthChange[];
  /** Called every outlier interval (and whenever the balancer's timer fires): success-rate ejection, re-admission after the back-off. */
  onInterval(now: Micros): readonly HealthChange[];
  /** When the next re-admission falls due (local clock), or null: for the balancer's timer. */
  nextDueMicros(): Micros | null;
  /** The backends a pick may choose now, ascending; `panic` when the healthy share is below the threshold and all are offered. Empty only when there are no backends. */
  eligible(): { readonly backends: readonly number[]; readonly panic: boolean };
  state(backend: number): 'up' | 'down' | 'ejected';
}
