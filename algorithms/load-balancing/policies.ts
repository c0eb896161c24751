// The seven balancing policies behind one interface (parts.ts `Policy`): random, round robin, NGINX's
// smooth weighted round robin, least outstanding requests, power of two choices (Mitzenmacher), p2c on
// Finagle's peak-EWMA latency, and a consistent-hashing ring (Karger). Each is a plain state machine
// driven by its balancer; randomness comes only from the rng handed to `pick`. Assumes backends are the
// indexes of `BalancerConfig.backends` and eligible lists are ascending and never mutated once passed.

import { assert } from '../../sim/assert.js';
import type { Rng } from '../../sim/rng.js';
import type { Micros } from '../../sim/time.js';
import type { BalancerConfig, PolicyName } from './config.js';
import { PeakEwma } from './ewma.js';
import type { AttemptStatus, Policy } from './parts.js';
import { HashRing } from './ring.js';

/**
 * Builds the policy `name` for a balancer over `config.backends` (weights for weighted round robin,
 * `ewmaDecayMicros` for peak EWMA, `ringPointsPerBackend` for ring-hash; `config.bugs` for the planted bugs).
 */
export function createPolicy(name: PolicyName, config: BalancerConfig): Policy {
  switch (name) {
    case 'random': return new RandomPolicy(config);
    case 'round-robin': return new RoundRobinPolicy(config);
    case 'weighted-round-robin': return new SmoothWeightedRoundRobinPolicy(config);
    case 'least-outstanding': return new LeastOutstandingPolicy(config);
    case 'p2c': return new PowerOfTwoChoicesPolicy(config);
    case 'p2c-peak-ewma': return new PeakEwmaPolicy(config);
    case 'ring-hash': return new RingHashPolicy(config);
  }
}

/**
 * What every policy shares: the outstanding attempts per backend (+1 on send, −1 on an answer, −1 on an
 * abandon), which least-outstanding and both p2c policies pick on and the others report for inspect().
 */
abstract class CountingPolicy implements Policy {
  protected readonly counts: number[];
  /** Planted bug `lb/least-outstanding-leak`: an abandoned attempt keeps its slot. */
  private readonly leakOnTimeout: boolean;

  constructor(protected readonly config: BalancerConfig) {
    this.counts = new Array<number>(config.backends.length).fill(0);
    this.leakOnTimeout = config.bugs.leakOnTimeout;
  }

  abstract pick(eligible: readonly number[], key: number, rng: Rng, now: Micros): number;

  onSend(backend: number, _now: Micros): void {
    this.checkBackend(backend);
    this.counts[backend]!++;
  }

  onDone(backend: number, _status: AttemptStatus, _latencyMicros: Micros, _now: Micros): void {
    this.release(backend);
  }

  /** `waitedMicros`: how long the attempt was out (p2c-peak-ewma takes it as a latency sample). */
  onAbandon(backend: number, _now: Micros, _waitedMicros?: Micros): void {
    if (this.leakOnTimeout) {
      this.checkBackend(backend);
      return; // The bug: the timed-out attempt is never taken off the count.
    }
    this.release(backend);
  }

  onHealth(_backend: number, _up: boolean): void {}

  outstanding(): readonly number[] {
    return this.counts;
  }

  private release(backend: number): void {
    this.checkBackend(backend);
    // Every answer or abandon matches one earlier send (the balancer reports each attempt once).
    assert(this.counts[backend]! > 0, `backend ${backend}: an attempt ended with none outstanding`);
    this.counts[backend]!--;
  }

  protected checkBackend(backend: number): void {
    if (!(backend >= 0 && backend < this.counts.length && Number.isInteger(backend))) assert(false, `no backend ${backend}`);
  }
}

/** Uniformly at random among the eligible backends. */
class RandomPolicy extends CountingPolicy {
  pick(eligible: readonly number[], _key: number, rng: Rng): number {
    assert(eligible.length > 0, 'pick with no eligible backend');
    return eligible[Math.floor(rng.next() * eligible.length)]!;
  }
}

/**
 * Each eligible backend in turn: the next pick is the first eligible backend after the last one picked
 * (wrapping), so a backend that leaves or comes back does not restart or skew the cycle of the others.
 */
class RoundRobinPolicy extends CountingPolicy {
  /** The backend picked last; −1 before the first pick. */
  private last = -1;

  pick(eligible: readonly number[], _key: number, rng: Rng): number {
    assert(eligible.length > 0, 'pick with no eligible backend');
    let chosen: number;
    if (this.last < 0) {
      // Beyond the plain algorithm: the first pick starts at a random place, so that clients that each
      // embed a balancer do not all begin at the same backend.
      chosen = eligible[Math.floor(rng.next() * eligible.length)]!;
    } else {
      const next = firstAbove(eligible, this.last);
      chosen = eligible[next === eligible.length ? 0 : next]!;
    }
    this.last = chosen;
    return chosen;
  }
}

/** The index of the first element of ascending `sorted` that is greater than `value` (length if none). */
function firstAbove(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * NGINX's smooth weighted round robin (ngx_http_upstream_get_peer): every pick, each eligible peer's
 * current_weight grows by its effective_weight; the peer with the largest current_weight (the first on a
 * tie) is chosen and its current_weight falls by the total. Over any total-weight picks each peer is
 * chosen exactly its weight times, and the choices of a heavy peer are spread out, not bunched.
 * NGINX also lowers effective_weight on failures and raises it back by one per pick; here failures are the
 * health view's business, so effective_weight is the configured weight, restored when a backend comes back.
 */
class SmoothWeightedRoundRobinPolicy extends CountingPolicy {
  private readonly weight: Float64Array;
  private readonly effectiveWeight: Float64Array;
  private readonly currentWeight: Float64Array;
  /** Planted bug `lb/wrr-forgets-weights`: a backend that comes back gets weight 1. */
  private readonly forgetsWeights: boolean;

  constructor(config: BalancerConfig) {
    super(config);
    const n = config.backends.length;
    this.weight = new Float64Array(n);
    config.backends.forEach((b, i) => {
      assert(Number.isFinite(b.weight) && b.weight > 0, `backend ${b.id}: weight must be a positive number, got ${b.weight}`);
      this.weight[i] = b.weight;
    });
    this.effectiveWeight = Float64Array.from(this.weight);
    this.currentWeight = new Float64Array(n);
    this.forgetsWeights = config.bugs.wrrForgetsWeights;
  }

  pick(eligible: readonly number[]): number {
    assert(eligible.length > 0, 'pick with no eligible backend');
    const current = this.currentWeight;
    const effective = this.effectiveWeight;
    let best = eligible[0]!;
    let total = 0;
    for (let i = 0; i < eligible.length; i++) {
      const peer = eligible[i]!;
      current[peer]! += effective[peer]!;
      total += effective[peer]!;
      if (current[peer]! > current[best]!) best = peer;
    }
    current[best]! -= total;
    return best;
  }

  override onHealth(backend: number, up: boolean): void {
    this.checkBackend(backend);
    if (!up) return; // A backend that is not eligible is skipped by pick; its weights wait for its return.
    this.effectiveWeight[backend] = this.forgetsWeights ? 1 : this.weight[backend]!;
  }

  /** The effective weight of each backend (for tests and inspect()). */
  effectiveWeights(): readonly number[] {
    return Array.from(this.effectiveWeight);
  }
}

/**
 * The eligible backend with the fewest outstanding attempts; ties broken uniformly at random. The eligible
 * backends are kept in buckets by outstanding count (a backend moves one bucket per send or answer), with
 * the lowest non-empty bucket known: a pick is one draw in that bucket, O(1) however many backends there
 * are; a new eligible list rebuilds the buckets.
 */
class LeastOutstandingPolicy extends CountingPolicy {
  /** buckets[c]: the eligible backends with c outstanding, in no particular order. */
  private readonly buckets: number[][] = [];
  /** A member's place in its bucket. */
  private readonly place: Int32Array;
  private readonly member: Uint8Array;
  /** The lowest non-empty bucket (meaningful when there are members). */
  private leastCount = 0;
  /** The eligible list the buckets hold (compared by reference first, then by content). */
  private bucketsFor: readonly number[] | null = null;

  constructor(config: BalancerConfig) {
    super(config);
    this.place = new Int32Array(config.backends.length);
    this.member = new Uint8Array(config.backends.length);
  }

  pick(eligible: readonly number[], _key: number, rng: Rng): number {
    assert(eligible.length > 0, 'pick with no eligible backend');
    if (eligible !== this.bucketsFor) this.useEligible(eligible);
    const least = this.buckets[this.leastCount]!;
    assert(least.length > 0, 'least outstanding: the lowest bucket is empty');
    return least.length === 1 ? least[0]! : least[Math.floor(rng.next() * least.length)]!;
  }

  override onSend(backend: number, now: Micros): void {
    super.onSend(backend, now);
    this.moved(backend, this.counts[backend]! - 1);
  }

  override onDone(backend: number, status: AttemptStatus, latencyMicros: Micros, now: Micros): void {
    super.onDone(backend, status, latencyMicros, now);
    this.moved(backend, this.counts[backend]! + 1);
  }

  override onAbandon(backend: number, now: Micros, waitedMicros?: Micros): void {
    const before = this.counts[backend]!;
    super.onAbandon(backend, now, waitedMicros);
    if (this.counts[backend] !== before) this.moved(backend, before);
  }

  /** Moves a member from the bucket of count `from` to that of its count now. */
  private moved(backend: number, from: number): void {
    if (this.member[backend] === 0) return;
    const to = this.counts[backend]!;
    this.takeOut(backend, from);
    this.putIn(backend, to);
    if (to < this.leastCount) this.leastCount = to;
    else if (from === this.leastCount && this.buckets[from]!.length === 0) this.leastCount = to;
  }

  private takeOut(backend: number, count: number): void {
    const bucket = this.buckets[count]!;
    const at = this.place[backend]!;
    const last = bucket.pop()!;
    if (last !== backend) {
      bucket[at] = last;
      this.place[last] = at;
    }
  }

  private putIn(backend: number, count: number): void {
    while (this.buckets.length <= count) this.buckets.push([]);
    const bucket = this.buckets[count]!;
    this.place[backend] = bucket.length;
    bucket.push(backend);
  }

  /** Holds `eligible` in the buckets, rebuilding them if it differs in content from the list they hold. */
  private useEligible(eligible: readonly number[]): void {
    const previous = this.bucketsFor;
    this.bucketsFor = eligible;
    if (previous !== null && previous.length === eligible.length && previous.every((b, i) => b === eligible[i])) return;
    for (const bucket of this.buckets) bucket.length = 0;
    this.member.fill(0);
    let least = Infinity;
    for (const backend of eligible) {
      this.checkBackend(backend);
      this.member[backend] = 1;
      const count = this.counts[backend]!;
      this.putIn(backend, count);
      if (count < least) least = count;
    }
    this.leastCount = least;
  }
}

/**
 * Mitzenmacher's power of two choices: two distinct eligible backends drawn at random, the one with the
 * lower load wins, a tie is settled by a coin. With one eligible backend, it. Subclasses say what load is.
 */
class PowerOfTwoChoicesPolicy extends CountingPolicy {
  pick(eligible: readonly number[], _key: number, rng: Rng, now: Micros): number {
    const n = eligible.length;
    assert(n > 0, 'pick with no eligible backend');
    if (n === 1) return eligible[0]!;
    // Two distinct positions: the second is drawn from the n − 1 others.
    const first = Math.floor(rng.next() * n);
    let second = Math.floor(rng.next() * (n - 1));
    if (second >= first) second++;
    const a = eligible[first]!;
    const b = eligible[second]!;
    const loadA = this.load(a, now);
    const loadB = this.load(b, now);
    if (loadA < loadB) return a;
    if (loadB < loadA) return b;
    return rng.next() < 0.5 ? a : b;
  }

  /** The load a pick compares: outstanding attempts. */
  protected load(backend: number, _now: Micros): number {
    return this.counts[backend]!;
  }
}

/**
 * Power of two choices on Finagle's peak-EWMA cost: latency estimate × (outstanding + 1). Every answer
 * (whatever its status) is a latency sample, as in Finagle; so is an abandoned attempt, with the time it
 * waited. A backend with no sample yet costs 0 while idle and a large penalty while an attempt to it is out
 * (ewma.ts), so a new backend is tried once, then waits for its first answer.
 */
class PeakEwmaPolicy extends PowerOfTwoChoicesPolicy {
  private readonly ewma: PeakEwma;

  constructor(config: BalancerConfig) {
    super(config);
    this.ewma = new PeakEwma(config.backends.length, config.ewmaDecayMicros);
  }

  protected override load(backend: number, now: Micros): number {
    return this.ewma.cost(backend, this.counts[backend]!, now);
  }

  override onDone(backend: number, status: AttemptStatus, latencyMicros: Micros, now: Micros): void {
    super.onDone(backend, status, latencyMicros, now);
    this.ewma.observe(backend, latencyMicros, now);
  }

  /**
   * Beyond the source: an abandoned attempt is a latency sample of the time it waited (at least that long),
   * so a backend that stops answering looks slow at once; without `waitedMicros`, the upstream timeout.
   */
  override onAbandon(backend: number, now: Micros, waitedMicros?: Micros): void {
    super.onAbandon(backend, now, waitedMicros);
    this.ewma.observe(backend, waitedMicros ?? this.config.upstreamTimeoutMicros, now);
  }

  /** The latency estimate of each backend at `now` (for tests and inspect()). */
  latencyMicros(now: Micros): readonly number[] {
    return this.config.backends.map((_, b) => this.ewma.latencyMicros(b, now));
  }
}

/** Consistent hashing on the request key (ring.ts): the first point clockwise whose backend is eligible. */
class RingHashPolicy extends CountingPolicy {
  readonly ring: HashRing;

  constructor(config: BalancerConfig) {
    super(config);
    this.ring = new HashRing(config.backends.map((b) => b.id), config.ringPointsPerBackend);
  }

  pick(eligible: readonly number[], key: number): number {
    return this.ring.lookup(eligible, key);
  }
}
