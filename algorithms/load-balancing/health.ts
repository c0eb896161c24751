// A balancer's view of its backends' health, as Envoy's docs describe it: active health checks (a run of
// failed probes marks a backend down, a run of passing ones marks it up), passive outlier detection (a run
// of errors, or a success rate far below the fleet's, ejects it for a back-off that grows with each
// ejection), and the panic threshold (too few healthy: balance over all). A plain state machine: the
// balancer sends the probes, times them out and feeds in every result; times are its local clock.
// Optionally (`BalancerConfig.healthDetector`), the phi accrual detector over the arrivals of the probe
// answers judges a backend instead of the runs of results (the phi math is failure-detection/phi.ts).

import { assert } from '../../sim/assert.js';
import type { Micros } from '../../sim/time.js';
import { phi, seededIntervalWindow, type IntervalWindow } from '../failure-detection/phi.js';
import type { BalancerConfig, HealthCheckConfig, OutlierConfig, PhiHealthDetectorConfig } from './config.js';
import type { HealthReason, RequestOutcome } from './facts.js';
import type { AttemptStatus, HealthChange, HealthView } from './parts.js';

/** Envoy's defaults for the two outlier knobs this view does not require: success_rate_minimum_hosts and max_ejection_time. */
const SUCCESS_RATE_MIN_HOSTS = 5;
const EJECTION_MICROS_MAX = 300_000_000;

/** A backend's state in the view: 'down' (checks failed) wins over 'ejected' (outlier detection). */
export type BackendState = 'up' | 'down' | 'ejected';

/** What inspect() shows of one backend. */
export interface BackendHealth {
  readonly state: BackendState;
  /** Marked down by active checks (whatever outlier detection says). */
  readonly down: boolean;
  /** Ejected by outlier detection (whatever active checks say). */
  readonly ejected: boolean;
  readonly timesEjected: number;
  /** When its ejection ends (local clock); null while not ejected. */
  readonly ejectedUntilMicros: Micros | null;
}

/**
 * Builds the health view of a balancer over `backendCount` backends (`config.backends.length`), with its
 * active checks (`config.healthCheck`), outlier detection (`config.outlier`) and panic threshold.
 */
export function createHealthView(config: BalancerConfig, backendCount: number): BalancerHealthView {
  return new BalancerHealthView(config, backendCount);
}

const NO_CHANGES: readonly HealthChange[] = Object.freeze([]);

/**
 * The health view. Two flags per backend, kept apart: `down` (active checks) and `ejected` (outlier
 * detection); a backend is eligible when neither is set. Its reported state is 'down' while checks fail,
 * whether or not it is also ejected (a failed probe says more than a run of errors), else 'ejected' while
 * ejected, else 'up'. An ejection runs its course while the backend is down, and a re-admission while it is
 * down changes nothing visible: it comes up when its checks pass. A change is reported only when the
 * state changes, with the reason of the event that changed it.
 */
export class BalancerHealthView implements HealthView {
  private readonly check: HealthCheckConfig | null;
  private readonly outlier: OutlierConfig | null;
  private readonly count: number;

  // Active checks.
  private readonly down: Uint8Array;
  /** Consecutive passing probes while down, failed ones while up. */
  private readonly passes: Int32Array;
  private readonly fails: Int32Array;
  /** Planted bug `lb/health-first-success-up`. */
  private readonly ignoreHealthyThreshold: boolean;

  // Active checks judged by phi accrual instead (null: by the thresholds).
  private readonly phiDetector: PhiHealthDetectorConfig | null;
  /** Per backend: the inter-arrival times of its probe answers (null without phi). */
  private readonly answerWindows: readonly IntervalWindow[] | null;
  /** Per backend: local time of its last probe answer (T_last), or of its first failed probe before any; NaN: neither yet. */
  private readonly lastAnswerMicros: Float64Array;
  /** Per backend: 1 once it has answered a probe (only an interval between two answers is sampled). */
  private readonly answered: Uint8Array;

  // Outlier detection.
  private readonly ejected: Uint8Array;
  private readonly ejectedUntilMicros: Float64Array;
  private readonly timesEjected: Int32Array;
  private readonly consecutiveErrors: Int32Array;
  /** Responses and successes in the current success-rate interval. */
  private readonly responses: Int32Array;
  private readonly successes: Int32Array;
  private ejectedCount = 0;
  /** At most this many backends ejected at once (maxEjectionRatio of them, rounded down). */
  private readonly ejectedMax: number;
  /** The earliest re-admission due (Infinity: none). */
  private nextReadmitMicros = Infinity;
  /** When the next success-rate sweep is due: null until the view first hears the time, or when off. */
  private nextSweepMicros: Micros | null = null;
  private readonly sweepOn: boolean;
  /** Planted bug `lb/outlier-never-readmits`. */
  private readonly neverReadmit: boolean;

  // The panic threshold, and eligible() kept until a state changes (the same array each time, so a
  // policy that caches by eligible list, ring-hash or least-outstanding, rebuilds only on a change).
  // Not frozen (V8 walks frozen arrays several times slower); no one may mutate them.
  private readonly panicThresholdRatio: number;
  private readonly all: readonly number[];
  private eligibleNow: { readonly backends: readonly number[]; readonly panic: boolean } | null = null;

  constructor(config: BalancerConfig, backendCount: number) {
    assert(Number.isInteger(backendCount) && backendCount >= 0, `backend count must be a whole number, got ${backendCount}`);
    this.count = backendCount;
    this.check = config.healthCheck;
    this.outlier = config.outlier;
    if (this.check !== null) {
      assert(Number.isInteger(this.check.unhealthyThreshold) && this.check.unhealthyThreshold >= 1, `unhealthy threshold must be at least 1, got ${this.check.unhealthyThreshold}`);
      assert(Number.isInteger(this.check.healthyThreshold) && this.check.healthyThreshold >= 1, `healthy threshold must be at least 1, got ${this.check.healthyThreshold}`);
    }
    this.phiDetector = config.healthDetector ?? null;
    if (this.phiDetector !== null) {
      const d = this.phiDetector;
      assert(this.check !== null, 'a phi health detector needs active health checks (it is fed by probe answers)');
      assert(d.threshold > 0 && Number.isFinite(d.threshold), `phi threshold must be a positive number, got ${d.threshold}`);
      assert(Number.isInteger(d.windowSize) && d.windowSize >= 1, `phi window size must be a positive integer, got ${d.windowSize}`);
      assert(d.minStdDeviationMicros >= 0, `phi minimum standard deviation must not be negative, got ${d.minStdDeviationMicros}`);
    }
    if (this.outlier !== null) {
      const o = this.outlier;
      assert(Number.isInteger(o.consecutiveErrors) && o.consecutiveErrors >= 0, `consecutive errors must be a whole number, got ${o.consecutiveErrors}`);
      assert(o.baseEjectionMicros > 0, `base ejection time must be positive, got ${o.baseEjectionMicros}`);
      assert(o.maxEjectionRatio >= 0 && o.maxEjectionRatio <= 1, `max ejection ratio must be in 0…1, got ${o.maxEjectionRatio}`);
      assert(o.successRateStdevFactor >= 0, `success-rate stdev factor must not be negative, got ${o.successRateStdevFactor}`);
      assert(o.successRateStdevFactor === 0 || o.intervalMicros > 0, `outlier interval must be positive, got ${o.intervalMicros}`);
    }
    assert(config.panicThresholdRatio >= 0 && config.panicThresholdRatio <= 1, `panic threshold must be in 0…1, got ${config.panicThresholdRatio}`);
    this.down = new Uint8Array(backendCount);
    this.passes = new Int32Array(backendCount);
    this.fails = new Int32Array(backendCount);
    // Before any answer, a backend's answers are expected one probe interval apart (phi-accrual.ts's
    // first-heartbeat estimate, here the interval itself).
    this.answerWindows = this.phiDetector === null ? null
      : Array.from({ length: backendCount }, () => seededIntervalWindow(this.phiDetector!.windowSize, this.check!.intervalMicros));
    this.lastAnswerMicros = new Float64Array(this.phiDetector === null ? 0 : backendCount).fill(NaN);
    this.answered = new Uint8Array(this.phiDetector === null ? 0 : backendCount);
    this.ejected = new Uint8Array(backendCount);
    this.ejectedUntilMicros = new Float64Array(backendCount);
    this.timesEjected = new Int32Array(backendCount);
    this.consecutiveErrors = new Int32Array(backendCount);
    this.responses = new Int32Array(backendCount);
    this.successes = new Int32Array(backendCount);
    // A small epsilon keeps 0.3 × 10 from rounding down to 2.
    this.ejectedMax = this.outlier === null ? 0 : Math.floor(this.outlier.maxEjectionRatio * backendCount + 1e-9);
    this.sweepOn = this.outlier !== null && this.outlier.successRateStdevFactor > 0;
    this.ignoreHealthyThreshold = config.bugs.ignoreHealthyThreshold;
    this.neverReadmit = config.bugs.neverReadmit;
    this.panicThresholdRatio = config.panicThresholdRatio;
    this.all = Array.from({ length: backendCount }, (_, i) => i);
  }

  onProbe(backend: number, passed: boolean, now: Micros): readonly HealthChange[] {
    const check = this.check;
    assert(check !== null, 'a probe result with no active health checks configured');
    this.checkBackend(backend);
    this.hearTime(now);
    if (this.phiDetector !== null) return this.onProbePhi(backend, passed, now, this.phiDetector.threshold);
    const before = this.state(backend);
    if (passed) {
      this.fails[backend] = 0;
      if (this.down[backend] === 1) {
        this.passes[backend]!++;
        // healthyThreshold passes in a row bring it back (the bug: the first one does).
        if (this.passes[backend]! >= check.healthyThreshold || this.ignoreHealthyThreshold) {
          this.down[backend] = 0;
          this.passes[backend] = 0;
        }
      }
    } else {
      this.passes[backend] = 0;
      if (this.down[backend] === 0) {
        this.fails[backend]!++;
        if (this.fails[backend]! >= check.unhealthyThreshold) {
          this.down[backend] = 1;
          this.fails[backend] = 0;
        }
      }
    }
    return this.changeOf(backend, before, passed ? 'probe-passed' : 'probe-failed');
  }

  /**
   * Active checks judged by phi accrual (Hayashibara et al. 2004): only the answers' arrival times count.
   * An answer samples the interval since the previous one and marks the backend up at once (as the paper's
   * next heartbeat does; the healthy threshold does not apply). A failed probe is when phi is evaluated: the
   * balancer reports one per backend per probe round while answers are missing, so phi is checked each round,
   * and a backend whose phi exceeds the threshold is marked down (reason `phi`).
   */
  private onProbePhi(backend: number, passed: boolean, now: Micros, threshold: number): readonly HealthChange[] {
    const before = this.state(backend);
    const last = this.lastAnswerMicros[backend]!;
    if (passed) {
      // Sample the interval unless it is none: the first answer, or (as phi-accrual.ts and Akka do) a gap
      // that already made phi cross the threshold, an outage that would teach the window to wait for outages.
      // A local clock that jumped back gives no negative interval: it counts as 0.
      if (this.answered[backend] === 1 && this.phiOf(backend, now) <= threshold) this.answerWindows![backend]!.add(Math.max(0, now - last));
      this.lastAnswerMicros[backend] = now;
      this.answered[backend] = 1;
      this.down[backend] = 0;
      return this.changeOf(backend, before, 'probe-passed');
    }
    // Beyond the paper: a backend that has not answered yet is judged from its first failed probe, as if
    // an answer had come then (phi-accrual.ts judges a peer never heard from its own boot), so a backend
    // down from the start is still marked down.
    if (Number.isNaN(last)) {
      this.lastAnswerMicros[backend] = now;
      return NO_CHANGES;
    }
    if (this.down[backend] === 0 && this.phiOf(backend, now) > threshold) this.down[backend] = 1;
    return this.changeOf(backend, before, 'phi');
  }

  /**
   * phi of `backend` at local time `now` under the phi health detector: the window's mean (no acceptable
   * pause), its deviation floored at the minimum; undefined without the detector or before any reference time.
   */
  phiAt(backend: number, now: Micros): number | undefined {
    if (this.phiDetector === null || Number.isNaN(this.lastAnswerMicros[backend]!)) return undefined;
    return this.phiOf(backend, now);
  }

  private phiOf(backend: number, now: Micros): number {
    const window = this.answerWindows![backend]!;
    const stdMicros = Math.max(window.stdDeviation, this.phiDetector!.minStdDeviationMicros);
    return phi(now - this.lastAnswerMicros[backend]!, window.mean, stdMicros);
  }

  onOutcome(backend: number, status: AttemptStatus | RequestOutcome, now: Micros): readonly HealthChange[] {
    const outlier = this.outlier;
    // 'unavailable' (no backend to send to) is not any backend's fault. Beyond the source: nor is 'rejected'
    // (the backend shedding load over its concurrency limit says it is busy, not broken; counted as an
    // error it ejects the busiest backends under load, which overloads the rest: a cascade). It neither
    // counts toward an ejection nor resets a run of errors, and stays out of success rates.
    if (outlier === null || status === 'unavailable' || status === 'rejected') return NO_CHANGES;
    this.checkBackend(backend);
    this.hearTime(now);
    this.responses[backend]!++;
    if (status === 'ok') {
      this.successes[backend]!++;
      this.consecutiveErrors[backend] = 0;
      return NO_CHANGES;
    }
    // 'error' and 'timeout' are errors.
    const errors = ++this.consecutiveErrors[backend]!;
    if (outlier.consecutiveErrors === 0 || errors < outlier.consecutiveErrors || this.ejected[backend] === 1) return NO_CHANGES;
    // At the cap the run of errors is kept: the next error tries again.
    if (!this.mayEject()) return NO_CHANGES;
    this.consecutiveErrors[backend] = 0;
    const before = this.state(backend);
    this.eject(backend, now);
    return this.changeOf(backend, before, 'consecutive-errors');
  }

  onInterval(now: Micros): readonly HealthChange[] {
    if (this.outlier === null) return NO_CHANGES;
    this.hearTime(now);
    let changes: HealthChange[] | null = null;
    if (!this.neverReadmit && this.nextReadmitMicros <= now) {
      let next = Infinity;
      for (let b = 0; b < this.count; b++) {
        if (this.ejected[b] === 0) continue;
        if (this.ejectedUntilMicros[b]! <= now) {
          const before = this.state(b);
          this.ejected[b] = 0;
          this.ejectedCount--;
          this.consecutiveErrors[b] = 0;
          for (const change of this.changeOf(b, before, 'readmitted')) (changes ??= []).push(change);
        } else {
          next = Math.min(next, this.ejectedUntilMicros[b]!);
        }
      }
      this.nextReadmitMicros = next;
    }
    if (this.sweepOn && this.nextSweepMicros !== null && now >= this.nextSweepMicros) {
      for (const change of this.sweepSuccessRate(now)) (changes ??= []).push(change);
      this.nextSweepMicros = now + this.outlier.intervalMicros;
    }
    if (changes === null) return NO_CHANGES;
    // Re-admissions, then ejections, each in backend order: merged into one backend order (stable).
    return changes.sort((a, b) => a.backend - b.backend);
  }

  /** The next re-admission or success-rate sweep due (local clock), or null: for the balancer's timer. */
  nextDueMicros(): Micros | null {
    const readmit = this.neverReadmit ? Infinity : this.nextReadmitMicros;
    const sweep = this.nextSweepMicros ?? Infinity;
    const due = Math.min(readmit, sweep);
    return due === Infinity ? null : due;
  }

  eligible(): { readonly backends: readonly number[]; readonly panic: boolean } {
    if (this.eligibleNow !== null) return this.eligibleNow;
    const healthy: number[] = [];
    for (let b = 0; b < this.count; b++) if (this.down[b] === 0 && this.ejected[b] === 0) healthy.push(b);
    // Envoy's panic mode: with fewer than the threshold's share healthy, every backend is offered.
    // With a threshold of 0 (never panic) and none healthy, nothing is: the balancer answers 'unavailable'.
    const panic = healthy.length < this.panicThresholdRatio * this.count;
    this.eligibleNow = panic ? { backends: this.all, panic } : { backends: healthy, panic };
    return this.eligibleNow;
  }

  state(backend: number): BackendState {
    if (this.down[backend] === 1) return 'down';
    return this.ejected[backend] === 1 ? 'ejected' : 'up';
  }

  /** Each backend's health, for the balancer's inspect() and tests. */
  inspect(): readonly BackendHealth[] {
    return this.all.map((b) => ({
      state: this.state(b), down: this.down[b] === 1, ejected: this.ejected[b] === 1,
      timesEjected: this.timesEjected[b]!, ejectedUntilMicros: this.ejected[b] === 1 ? this.ejectedUntilMicros[b]! : null,
    }));
  }

  /**
   * Envoy's success-rate ejection: among backends not ejected with at least `successRateMinRequests`
   * responses this interval, eject each whose success rate is below mean − factor × stdev (population
   * stdev), in backend order while the cap allows; then start a new interval.
   */
  private sweepSuccessRate(now: Micros): readonly HealthChange[] {
    const outlier = this.outlier!;
    const volumeMin = Math.max(1, outlier.successRateMinRequests);
    let hosts = 0;
    let sum = 0;
    for (let b = 0; b < this.count; b++) {
      if (this.ejected[b] === 0 && this.responses[b]! >= volumeMin) {
        hosts++;
        sum += this.successes[b]! / this.responses[b]!;
      }
    }
    let changes: HealthChange[] | null = null;
    // Too few hosts make a noisy mean (Envoy's success_rate_minimum_hosts, default 5); one alone is never below its own.
    if (hosts >= Math.max(2, outlier.successRateMinHosts ?? SUCCESS_RATE_MIN_HOSTS)) {
      const mean = sum / hosts;
      let squares = 0;
      for (let b = 0; b < this.count; b++) {
        if (this.ejected[b] === 0 && this.responses[b]! >= volumeMin) squares += (this.successes[b]! / this.responses[b]! - mean) ** 2;
      }
      const threshold = mean - outlier.successRateStdevFactor * Math.sqrt(squares / hosts);
      for (let b = 0; b < this.count; b++) {
        if (this.ejected[b] === 1 || this.responses[b]! < volumeMin) continue;
        if (this.successes[b]! / this.responses[b]! >= threshold || !this.mayEject()) continue;
        const before = this.state(b);
        this.eject(b, now);
        for (const change of this.changeOf(b, before, 'success-rate')) (changes ??= []).push(change);
      }
    }
    this.responses.fill(0);
    this.successes.fill(0);
    return changes ?? NO_CHANGES;
  }

  /** Whether one more ejection stays within the cap (Envoy lets one through even past it; this does not). */
  private mayEject(): boolean {
    return this.ejectedCount + 1 <= this.ejectedMax;
  }

  /** Ejects `backend` for base × (times ejected, this one included): 1×, 2×, 3× … the base. */
  private eject(backend: number, now: Micros): void {
    assert(this.ejected[backend] === 0, `backend ${backend} is already ejected`);
    this.timesEjected[backend]!++;
    this.ejected[backend] = 1;
    this.ejectedCount++;
    assert(this.ejectedCount <= this.ejectedMax, `ejected ${this.ejectedCount} backends, over the cap of ${this.ejectedMax}`);
    // The back-off is capped (Envoy's max_ejection_time). Unlike Envoy, the count of ejections never decays.
    const outlier = this.outlier!;
    const capMicros = Math.max(outlier.baseEjectionMicros, outlier.ejectionMicrosMax ?? EJECTION_MICROS_MAX);
    const until = now + Math.min(outlier.baseEjectionMicros * this.timesEjected[backend]!, capMicros);
    this.ejectedUntilMicros[backend] = until;
    this.nextReadmitMicros = Math.min(this.nextReadmitMicros, until);
  }

  /** The change to report if `backend`'s state is no longer `before` (and forgets the eligible list then). */
  private changeOf(backend: number, before: BackendState, reason: HealthReason): readonly HealthChange[] {
    const after = this.state(backend);
    if (after === before) return NO_CHANGES;
    this.eligibleNow = null;
    return [{ backend, state: after, reason }];
  }

  /** The success-rate clock starts when the view first hears the time. */
  private hearTime(now: Micros): void {
    if (this.nextSweepMicros === null && this.sweepOn) this.nextSweepMicros = now + this.outlier!.intervalMicros;
  }

  private checkBackend(backend: number): void {
    if (!(Number.isInteger(backend) && backend >= 0 && backend < this.count)) assert(false, `no backend ${backend}`);
  }
}
