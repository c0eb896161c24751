// Load-balancing metrics: latency quantiles, success ratio, retries and throughput of the clients' requests,
// requests routed to backends that were down or failing fast, and the backends' utilisation and queue
// lengths, over the fault phase. Read from the facts of facts.ts and the engine's node status; per fact
// O(1) work and no per-request storage beyond a bounded exact sample (a run may end 600,000 requests).

import type { LinkView, RunView } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { MetricDecl, MetricsObserver } from '../../sim/metrics.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { LbFact } from './facts.js';

/** The further metrics {@link lbMetrics} provides (`RunMetrics.samples`), one sample each per run. */
export const LB_METRICS: readonly MetricDecl[] = [
  { name: 'latencyMeanMicros', unit: 'duration', description: 'fault phase: the mean latency of the requests that ended ok (what queueing theory predicts)' },
  { name: 'latencyP50Micros', unit: 'duration', description: 'fault phase: the median latency of the requests that ended ok (nearest rank)' },
  { name: 'latencyP99Micros', unit: 'duration', description: 'fault phase: the 99th percentile latency of the requests that ended ok (nearest rank)' },
  { name: 'latencyP999Micros', unit: 'duration', description: 'fault phase: the 99.9th percentile latency of the requests that ended ok (nearest rank)' },
  { name: 'successRatio', unit: 'ratio', description: 'fault phase: the share of the requests that ended that ended ok' },
  {
    name: 'requestsToFailedBackends', unit: 'count',
    description: 'fault phase: attempts a balancer routed to a backend that was crashed, paused or failing fast (a fail-fast fault) at that moment',
  },
  { name: 'utilisationMax', unit: 'ratio', description: "fault phase: the busiest backend's utilisation (busy worker time ÷ (workers × time), between its samples)" },
  { name: 'utilisationMin', unit: 'ratio', description: "fault phase: the idlest backend's utilisation (a starved backend shows here)" },
  { name: 'utilisationMean', unit: 'ratio', description: "fault phase: the backends' mean utilisation (busy worker time ÷ (workers × time), between their samples)" },
  { name: 'queueLengthMax', unit: 'count', description: 'fault phase: the most requests one backend held (waiting plus in service) in any of its samples' },
  { name: 'markedUpPerMinute', unit: 'number', description: 'fault phase: times a balancer marked a backend up again after its health checks had marked it down, per minute (flapping)' },
  { name: 'retriesPerRequest', unit: 'number', description: 'fault phase: attempts beyond the first, per request that ended' },
  { name: 'requestsPerSecond', unit: 'number', description: 'fault phase: requests that ended (any outcome) per second' },
];

/** Options of {@link lbMetrics}. */
export interface LbMetricsOptions {
  /** Workers per backend (for utilisation): one number for all, or by backend id. */
  readonly workers: number | Readonly<Record<NodeId, number>>;
}

/** Values held exactly before quantiles fall back to the histogram (8 bytes each). */
export const EXACT_SAMPLES_MAX = 65_536;
/** Sub-buckets per power of two: a histogram quantile is within 1/2048 of the true value (relative). */
const SUB_BUCKET_BITS = 10;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;

/**
 * Non-negative values (latencies in microseconds) for nearest-rank quantiles, at O(1) per value: the first
 * {@link EXACT_SAMPLES_MAX} are kept exactly (quantiles are then exact), and every value is counted in a
 * log-linear histogram (HdrHistogram's layout: exact below 2·1024, then 1024 buckets per power of two), whose
 * quantile is the middle of the bucket holding the rank, clamped to the values seen: within 1/2048 relative.
 */
export class QuantileSketch {
  private exact = new Float64Array(1024);
  private counts = new Float64Array(2 * SUB_BUCKETS);
  /** Values recorded. */
  count = 0;
  private min = Infinity;
  private max = -Infinity;

  /** Records one value (negative values count as 0; fractions are kept exactly, bucketed by their floor). */
  add(value: number): void {
    const v = value > 0 ? value : 0;
    if (this.count < EXACT_SAMPLES_MAX) {
      if (this.count === this.exact.length) {
        const grown = new Float64Array(Math.min(EXACT_SAMPLES_MAX, this.exact.length * 2));
        grown.set(this.exact);
        this.exact = grown;
      }
      this.exact[this.count] = v;
    }
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const i = bucketOf(Math.floor(v));
    if (i >= this.counts.length) {
      const grown = new Float64Array(Math.max(i + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[i]!++;
  }

  /** Nearest-rank quantiles for each `q` in (0, 1]: the value of rank ⌈q·n⌉ (1-based); empty when nothing was recorded. */
  quantiles(qs: readonly number[]): number[] {
    const n = this.count;
    if (n === 0) return [];
    const ranks = qs.map((q) => Math.min(n, Math.max(1, Math.ceil(q * n))));
    if (n <= EXACT_SAMPLES_MAX) {
      const sorted = this.exact.slice(0, n).sort();
      return ranks.map((r) => sorted[r - 1]!);
    }
    return ranks.map((r) => {
      let seen = 0;
      for (let i = 0; i < this.counts.length; i++) {
        seen += this.counts[i]!;
        if (seen >= r) {
          const [low, high] = bucketRange(i);
          return Math.min(this.max, Math.max(this.min, (low + high) / 2));
        }
      }
      return this.max;
    });
  }
}

/** The histogram bucket of a non-negative integer. */
function bucketOf(v: number): number {
  if (v < 2 * SUB_BUCKETS) return v;
  if (v < 0x8000_0000) {
    // The usual value, below 2^31 µs (36 minutes): v in [2^k, 2^(k+1)), k = 31 − clz32(v), in integer arithmetic.
    const s = 31 - Math.clz32(v) - SUB_BUCKET_BITS;
    return 2 * SUB_BUCKETS + (s - 1) * SUB_BUCKETS + ((v >>> s) - SUB_BUCKETS);
  }
  // v in [2^k, 2^(k+1)) with k ≥ 11: shift so that its top SUB_BUCKET_BITS + 1 bits remain.
  const shift = Math.floor(Math.log2(v)) - SUB_BUCKET_BITS;
  let top = Math.floor(v / 2 ** shift);
  // log2 may round at the top of a power of two: keep the mantissa in [1024, 2048).
  let s = shift;
  if (top >= 2 * SUB_BUCKETS) { s++; top = Math.floor(v / 2 ** s); } else if (top < SUB_BUCKETS) { s--; top = Math.floor(v / 2 ** s); }
  return 2 * SUB_BUCKETS + (s - 1) * SUB_BUCKETS + (top - SUB_BUCKETS);
}

/** The values [low, high] (integers) a bucket holds. */
function bucketRange(i: number): [number, number] {
  if (i < 2 * SUB_BUCKETS) return [i, i];
  const s = Math.floor((i - 2 * SUB_BUCKETS) / SUB_BUCKETS) + 1;
  const top = SUB_BUCKETS + ((i - 2 * SUB_BUCKETS) % SUB_BUCKETS);
  return [top * 2 ** s, (top + 1) * 2 ** s - 1];
}

/** One backend's utilisation, from its samples: busy time and elapsed time summed over its lives. */
interface BackendUse {
  crashes: number;
  /** The previous sample in this life (true time, busy micros since boot), or none yet. */
  lastAt: Micros | undefined;
  lastBusyMicros: number;
  busyMicros: number;
  elapsedMicros: Micros;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The load-balancing metrics observer (fresh per run; see {@link LB_METRICS}). Definitions, kept simple:
 * - request metrics count the `lb-done` facts of the fault phase; latencies are those of `ok` requests;
 * - a routed attempt (`lb-route`) counts against a failed backend when the engine has the backend crashed or
 *   paused then, or the last `fail-fast` fault on it set a ratio above 0;
 * - a backend's utilisation is the busy time between consecutive samples of one life (`lb-backend`, both in the
 *   fault phase) over its workers × the time between them, summed over its lives; max and mean over the
 *   backends that sampled twice;
 * - queue length is `queued + inService` of a sample.
 */
export function lbMetrics(options: LbMetricsOptions): MetricsObserver<LbFact> {
  const workersOf = (backend: NodeId): number => (typeof options.workers === 'number' ? options.workers : (options.workers[backend] ?? 1));
  const latencies = new QuantileSketch();
  let ended = 0;
  let ok = 0;
  let okLatencySumMicros = 0;
  let extraAttempts = 0;
  let toFailed = 0;
  let markedUp = 0;
  let queueMax: number | undefined;
  /** Backends a fail-fast fault holds now (ratio > 0). */
  const failingFast = new Set<NodeId>();
  const uses = new Map<NodeId, BackendUse>();

  return {
    name: 'lb-metrics',
    provides: LB_METRICS,
    onFact(node: NodeId, fact: LbFact, run: RunView) {
      if (run.phase !== 'faults') return;
      switch (fact.type) {
        case 'lb-done':
          ended++;
          extraAttempts += fact.attempts - 1;
          if (fact.outcome === 'ok') {
            ok++;
            latencies.add(fact.latencyMicros);
            okLatencySumMicros += fact.latencyMicros;
          }
          break;
        case 'lb-health':
          if (fact.state === 'up' && fact.reason === 'probe-passed') markedUp++;
          break;
        case 'lb-route':
          if (failingFast.has(fact.backend) || run.status(fact.backend) !== 'up') toFailed++;
          break;
        case 'lb-backend': {
          const held = fact.queued + fact.inService;
          if (queueMax === undefined || held > queueMax) queueMax = held;
          const crashes = run.crashCount(node);
          let use = uses.get(node);
          if (use === undefined) uses.set(node, (use = { crashes, lastAt: undefined, lastBusyMicros: 0, busyMicros: 0, elapsedMicros: 0 }));
          if (use.crashes !== crashes || (use.lastAt !== undefined && fact.busyMicros < use.lastBusyMicros)) {
            // A new life: its counters start again from its boot.
            use.crashes = crashes;
            use.lastAt = undefined;
          }
          if (use.lastAt !== undefined) {
            use.busyMicros += fact.busyMicros - use.lastBusyMicros;
            use.elapsedMicros += run.now - use.lastAt;
          }
          use.lastAt = run.now;
          use.lastBusyMicros = fact.busyMicros;
          break;
        }
        default:
          break;
      }
    },
    onFault(fault: FaultEntry | null, _run: RunView & LinkView) {
      if (fault === null || fault.kind !== 'fail-fast') return;
      if (fault.ratio > 0) failingFast.add(fault.node);
      else failingFast.delete(fault.node);
    },
    finish(run) {
      const faultSeconds = run.recovery.startedAtMicros / 1_000_000;
      const [p50, p99, p999] = latencies.quantiles([0.5, 0.99, 0.999]);
      const utilisations: number[] = [];
      for (const [backend, use] of uses) {
        if (use.elapsedMicros > 0) utilisations.push(use.busyMicros / (workersOf(backend) * use.elapsedMicros));
      }
      const one = (x: number | undefined) => (x === undefined ? [] : [x]);
      return {
        samples: {
          latencyMeanMicros: ok > 0 ? [Math.round(okLatencySumMicros / ok)] : [],
          latencyP50Micros: one(p50),
          latencyP99Micros: one(p99),
          latencyP999Micros: one(p999),
          successRatio: ended > 0 ? [round6(ok / ended)] : [],
          requestsToFailedBackends: [toFailed],
          utilisationMax: utilisations.length > 0 ? [round6(Math.max(...utilisations))] : [],
          utilisationMin: utilisations.length > 0 ? [round6(Math.min(...utilisations))] : [],
          utilisationMean: utilisations.length > 0 ? [round6(utilisations.reduce((a, b) => a + b, 0) / utilisations.length)] : [],
          queueLengthMax: one(queueMax),
          markedUpPerMinute: faultSeconds > 0 ? [round6((markedUp * 60) / faultSeconds)] : [],
          retriesPerRequest: ended > 0 ? [round6(extraAttempts / ended)] : [],
          requestsPerSecond: faultSeconds > 0 ? [round6(ended / faultSeconds)] : [],
        },
      };
    },
  };
}
