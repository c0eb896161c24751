// The configuration of each part of the serving topology, as its constructor takes it: clients that make
// requests, balancers (one central one, or one inside every client) that pick a backend for each under a
// policy and a health view, and backends that queue and serve them. Plain numbers, durations in
// microseconds. The scenario family (scenarios/load-balancing.ts) builds these from its parameters.

import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { LbBugs } from './bugs.js';

export type { LbBugs } from './bugs.js';

/**
 * How long a request takes to serve on a backend of speed 1 (a backend of speed s takes 1/s of it).
 * - exponential: M/M/c queueing when arrivals are Poisson;
 * - lognormal: the median and σ of the underlying normal (mean = median · e^(σ²/2));
 * - pareto: scale x_m and shape α (mean α·x_m/(α − 1) for α > 1), capped at `maxMicros`: a heavy tail;
 * - constant: every request takes exactly this long (M/D/c; also the balls-into-bins experiment).
 */
export type ServiceTime =
  | { readonly kind: 'exponential'; readonly meanMicros: Micros }
  | { readonly kind: 'lognormal'; readonly medianMicros: Micros; readonly sigma: number }
  | { readonly kind: 'pareto'; readonly scaleMicros: Micros; readonly shape: number; readonly maxMicros: Micros }
  | { readonly kind: 'constant'; readonly micros: Micros };

/** A backend: a FIFO request queue in front of `workers` workers. */
export interface BackendConfig {
  /** c: requests served at once. */
  readonly workers: number;
  /**
   * The concurrency limit: requests held at once (in service plus waiting); one beyond it is rejected at
   * once (a `rejected` response). Infinity: no limit.
   */
  readonly concurrencyMax: number;
  readonly service: ServiceTime;
  /** Relative speed (1: nominal; 2: serves in half the time). Heterogeneous fleets differ here. */
  readonly speed: number;
  /** How often it reports its queue (an `lb-backend` fact); 0: never. */
  readonly sampleIntervalMicros: Micros;
  readonly bugs: LbBugs;
}

/** The seven policies (algorithms/load-balancing/policies.ts). */
export const POLICIES = ['random', 'round-robin', 'weighted-round-robin', 'least-outstanding', 'p2c', 'p2c-peak-ewma', 'ring-hash'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** Active health checks, Envoy-style: a probe every interval; thresholds of consecutive results flip a backend's state. */
export interface HealthCheckConfig {
  readonly intervalMicros: Micros;
  /** A probe not answered within this long fails. */
  readonly timeoutMicros: Micros;
  /** Consecutive failed probes that mark an up backend down. */
  readonly unhealthyThreshold: number;
  /** Consecutive passing probes that mark a down backend up again. */
  readonly healthyThreshold: number;
}

/**
 * The phi accrual failure detector (Hayashibara et al. 2004) as a balancer's judge of its probe answers: a
 * backend is marked down when phi of the time since its last answer exceeds `threshold`, up on its next answer.
 */
export interface PhiHealthDetectorConfig {
  readonly kind: 'phi';
  /** phi above this marks a backend down (8: one chance in 10^8 that the answer is only late). */
  readonly threshold: number;
  /** Inter-arrival times of answers kept per backend (the paper's sliding window). */
  readonly windowSize: number;
  /** Floor on the fitted standard deviation (answers to periodic probes come almost exactly one interval apart). */
  readonly minStdDeviationMicros: Micros;
}

/**
 * Passive outlier detection, Envoy-style: responses (not probes) eject a backend for a while.
 * - consecutive errors: `consecutiveErrors` error or timeout responses in a row eject it (a rejection, load shed over the limit, counts neither way);
 * - success rate: every `intervalMicros`, among backends with at least `successRateMinRequests` responses
 *   in the interval, one whose success rate is below mean − `successRateStdevFactor` × stdev is ejected
 *   (off when `successRateStdevFactor` is 0);
 * - an ejection lasts `baseEjectionMicros` × the number of times the backend was ejected (a back-off), then
 *   the backend is re-admitted; at most `maxEjectionRatio` of the backends are ejected at once.
 */
export interface OutlierConfig {
  readonly consecutiveErrors: number;
  readonly intervalMicros: Micros;
  readonly successRateMinRequests: number;
  readonly successRateStdevFactor: number;
  readonly baseEjectionMicros: Micros;
  readonly maxEjectionRatio: number;
  /** The longest an ejection lasts, however often the backend was ejected (Envoy's max_ejection_time); default 300 s. */
  readonly ejectionMicrosMax?: Micros;
  /** Backends with enough answers an interval needs before success rates are compared (Envoy's success_rate_minimum_hosts); default 5. */
  readonly successRateMinHosts?: number;
}

/** A balancer's configuration: the same for a central balancer and for one inside each client. */
export interface BalancerConfig {
  /** The backends it balances over, in a fixed order, with their weights (for weighted round robin). */
  readonly backends: readonly { readonly id: NodeId; readonly weight: number }[];
  readonly policy: PolicyName;
  /** Active health checks; null: none. */
  readonly healthCheck: HealthCheckConfig | null;
  /**
   * How active checks judge a backend: absent, by runs of probe results (`HealthCheckConfig`'s thresholds);
   * `phi`, by the phi accrual detector over the arrivals of its probe answers (health.ts). Needs `healthCheck`.
   */
  readonly healthDetector?: PhiHealthDetectorConfig;
  /** Passive outlier detection; null: none. */
  readonly outlier: OutlierConfig | null;
  /**
   * Below this share of backends healthy (neither marked down nor ejected), balance over all of them
   * (Envoy's panic threshold): sending to a possibly-bad backend beats overloading the few good ones.
   * 0: never panic.
   */
  readonly panicThresholdRatio: number;
  /** Peak EWMA's decay time τ (p2c-peak-ewma): a latency sample's weight falls by e every τ. */
  readonly ewmaDecayMicros: Micros;
  /** Points per backend on the ring (ring-hash). */
  readonly ringPointsPerBackend: number;
  /**
   * A central balancer's wait for a backend's answer: past it the attempt is abandoned, counted as an error
   * for outlier detection, released from the backend's outstanding count, and answered `timeout` to the
   * client. (A client-side balancer uses the client's attempt timeout.)
   */
  readonly upstreamTimeoutMicros: Micros;
  readonly bugs: LbBugs;
}

/** What a client sends: open loop (Poisson arrivals at a rate, whatever the answers) or closed loop. */
export type Workload =
  | { readonly kind: 'open'; readonly ratePerSecond: number }
  | { readonly kind: 'closed'; readonly concurrency: number; readonly thinkMicros: Micros };

/**
 * Client retries: up to `maxAttempts` attempts in all (1: none) after an error, a rejection or a timeout,
 * `backoffMicros` apart, each a new pick; and a retry budget (Finagle's, Envoy's): retries may be at most
 * `budgetRatio` of the first attempts made in the last `budgetWindowMicros`, plus `budgetMinPerSecond`.
 */
export interface RetryConfig {
  readonly maxAttempts: number;
  readonly backoffMicros: Micros;
  readonly budgetRatio: number;
  readonly budgetWindowMicros: Micros;
  readonly budgetMinPerSecond: number;
}

/** A client: its workload, where its requests go, and how long it waits for each attempt. */
export interface ClientConfig {
  readonly workload: Workload;
  /** Keys of requests are drawn uniformly from 0 … keys − 1 (ring-hash balances on them). */
  readonly keys: number;
  /** An attempt not answered within this long is abandoned (a timeout; retried if allowed). */
  readonly attemptTimeoutMicros: Micros;
  readonly retry: RetryConfig;
  /** Through a central balancer (requests go to it), or balancing itself (as a sidecar or client library does). */
  readonly route: { readonly kind: 'central'; readonly balancer: NodeId } | { readonly kind: 'client-side'; readonly balancer: BalancerConfig };
  /** The client issues at most this many requests in one life (its workload stops then); undefined: no limit. */
  readonly requestsMax?: number;
  readonly bugs: LbBugs;
}
