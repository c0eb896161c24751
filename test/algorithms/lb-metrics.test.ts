// Load-balancing metrics on a hand-made fact stream whose values can be derived by hand (latency quantiles,
// success ratio, requests to failed backends, utilisation, queue length, retries, throughput), and the
// quantile sketch against a naive twin (sort everything, take the nearest rank).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LbFact, RequestOutcome } from '../../algorithms/load-balancing/facts.js';
import { EXACT_SAMPLES_MAX, LB_METRICS, QuantileSketch, lbMetrics } from '../../algorithms/load-balancing/metrics.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { EndedRun } from '../../sim/metrics.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { FakeRun } from './fd-membership-fixtures.js';

const S = 1_000_000;
const NODES = ['c1', 'lb', 'b1', 'b2', 'b3'];

/** The naive twin: every value sorted, the value of rank ⌈q·n⌉. */
function naiveQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

function ended(recoveryAt: Micros): EndedRun {
  return { servers: NODES, history: { ok: 0, fail: 0, open: 0 }, messagesSent: 0, recovery: { startedAtMicros: recoveryAt, recoveredAtMicros: null }, endedAtMicros: recoveryAt };
}

describe('quantile sketch', () => {
  it('is exact while it holds every value (naive twin, property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 500 }), fc.double({ min: 0.001, max: 1, noNaN: true }), (values, q) => {
        const sketch = new QuantileSketch();
        for (const v of values) sketch.add(v);
        expect(sketch.quantiles([q])).toEqual([naiveQuantile(values, q)]);
      }),
    );
  });

  it('is within 1/2048 of the nearest rank beyond its exact sample (naive twin, property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 0, max: 2 ** 31 }), (seed, spread) => {
        // More values than the exact sample holds, spread over many powers of two (a cheap deterministic stream).
        const values: number[] = [];
        let x = seed;
        for (let i = 0; i < EXACT_SAMPLES_MAX + 1000; i++) {
          x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
          values.push(x % (spread + 1) + (x & 0xff));
        }
        const sketch = new QuantileSketch();
        for (const v of values) sketch.add(v);
        const qs = [0.5, 0.99, 0.999, 1];
        const got = sketch.quantiles(qs);
        qs.forEach((q, i) => {
          const want = naiveQuantile(values, q);
          expect(Math.abs(got[i]! - want)).toBeLessThanOrEqual(want / 2048 + 0.5);
        });
      }),
      { numRuns: 8 },
    );
  });

  it('gives nothing when empty', () => {
    expect(new QuantileSketch().quantiles([0.5])).toEqual([]);
  });
});

describe('load-balancing metrics', () => {
  it('declares what it provides', () => {
    expect(lbMetrics({ workers: 1 }).provides).toBe(LB_METRICS);
    expect(LB_METRICS.map((m) => m.name)).toEqual([
      'latencyMeanMicros', 'latencyP50Micros', 'latencyP99Micros', 'latencyP999Micros', 'successRatio', 'requestsToFailedBackends',
      'utilisationMax', 'utilisationMin', 'utilisationMean', 'queueLengthMax', 'markedUpPerMinute', 'retriesPerRequest', 'requestsPerSecond',
    ]);
  });

  it('measures a scripted run', () => {
    const observer = lbMetrics({ workers: { b1: 2, b2: 1, b3: 1 } });
    const run = new FakeRun(NODES);
    const fact = (at: Micros, node: NodeId, f: LbFact) => {
      run.now = at;
      observer.onFact!(node, f, run);
    };
    const done = (at: Micros, id: number, outcome: RequestOutcome, attempts: number, latencyMicros: number) =>
      fact(at, 'c1', { type: 'lb-done', id, outcome, attempts, latencyMicros, backend: 'b1' });
    const sample = (at: Micros, node: NodeId, queued: number, inService: number, busyMicros: number) =>
      fact(at, node, { type: 'lb-backend', queued, inService, busyMicros, served: 0, failed: 0, rejected: 0 });
    const tell = (entry: FaultEntry) => observer.onFault!(entry, run);

    // Ten requests: latencies 1…8 ms ok, one error, one timeout; 14 attempts in all.
    for (let i = 1; i <= 8; i++) done(i * 100_000, i, 'ok', 1, i * 1000);
    done(0.9 * S, 9, 'error', 3, 50_000);
    done(0.95 * S, 10, 'timeout', 3, 90_000);
    // Routes: b2 crashed at 1s, b3 fails fast from 2s to 3s (ratio 0 ends it), b1 paused at 4s.
    fact(0.5 * S, 'lb', { type: 'lb-route', backend: 'b2', panic: false });
    run.lifecycle(1 * S, 'crash', 'b2');
    fact(1.5 * S, 'lb', { type: 'lb-route', backend: 'b2', panic: false }); // counts
    tell({ at: 2 * S, kind: 'fail-fast', node: 'b3', ratio: 1 });
    fact(2.5 * S, 'c1', { type: 'lb-route', backend: 'b3', panic: false }); // counts
    tell({ at: 3 * S, kind: 'fail-fast', node: 'b3', ratio: 0 });
    fact(3.5 * S, 'lb', { type: 'lb-route', backend: 'b3', panic: true });
    run.lifecycle(4 * S, 'pause', 'b1');
    fact(4.5 * S, 'lb', { type: 'lb-route', backend: 'b1', panic: false }); // counts
    // Utilisation: b1 (2 workers) busy 1.2s over 1s → 0.6; b3 (1 worker) busy 0.5s over 1s, then after a crash
    // (its counters restart) 0.3s over 1s → 0.4; b2 sampled once only → not counted.
    sample(5 * S, 'b1', 3, 2, 1 * S);
    sample(6 * S, 'b1', 0, 1, 2.2 * S);
    sample(5 * S, 'b3', 0, 0, 0);
    sample(6 * S, 'b3', 7, 1, 0.5 * S);
    run.lifecycle(6.5 * S, 'crash', 'b3');
    run.lifecycle(6.6 * S, 'restart', 'b3');
    sample(7 * S, 'b3', 0, 0, 0.1 * S);
    sample(8 * S, 'b3', 0, 1, 0.4 * S);
    sample(8 * S, 'b2', 0, 0, 0);
    // One backend marked up again after failed probes (6 a minute over 10 s); an ejection's end is not counted.
    fact(8.5 * S, 'lb', { type: 'lb-health', backend: 'b2', state: 'up', reason: 'probe-passed' });
    fact(8.6 * S, 'lb', { type: 'lb-health', backend: 'b3', state: 'up', reason: 'readmitted' });
    // The recovery phase is not measured.
    run.phase = 'recovery';
    done(10.1 * S, 11, 'error', 5, 1);
    sample(10.2 * S, 'b1', 100, 2, 100 * S);
    fact(10.3 * S, 'lb', { type: 'lb-route', backend: 'b2', panic: false });

    const { samples } = observer.finish(ended(10 * S));
    expect(samples).toEqual({
      latencyMeanMicros: [4500],
      latencyP50Micros: [4000],
      latencyP99Micros: [8000],
      latencyP999Micros: [8000],
      successRatio: [0.8],
      requestsToFailedBackends: [3],
      utilisationMax: [0.6],
      utilisationMin: [0.4],
      utilisationMean: [0.5],
      queueLengthMax: [8],
      markedUpPerMinute: [6],
      retriesPerRequest: [0.4],
      requestsPerSecond: [1],
    });
  });

  it('gives no samples it cannot measure, and zero routes to failed backends', () => {
    const { samples } = lbMetrics({ workers: 1 }).finish(ended(10 * S));
    expect(samples).toEqual({
      latencyMeanMicros: [], latencyP50Micros: [], latencyP99Micros: [], latencyP999Micros: [], successRatio: [], requestsToFailedBackends: [0],
      utilisationMax: [], utilisationMin: [], utilisationMean: [], queueLengthMax: [], markedUpPerMinute: [0], retriesPerRequest: [], requestsPerSecond: [0],
    });
  });

  it('stays cheap at 600,000 requests (a minute at 10,000 per second)', () => {
    const observer = lbMetrics({ workers: 4 });
    const run = new FakeRun(NODES);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 600_000; i++) {
      run.now = i * 100;
      observer.onFact!('c1', { type: 'lb-route', backend: 'b1', panic: false }, run);
      observer.onFact!('c1', { type: 'lb-done', id: i, outcome: 'ok', attempts: 1, latencyMicros: 1000 + (i % 977) * 13, backend: 'b1' }, run);
    }
    const { samples } = observer.finish(ended(60 * S));
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(samples!.requestsPerSecond).toEqual([10_000]);
    expect(samples!.latencyP50Micros![0]).toBeCloseTo(1000 + 488 * 13, -1);
    expect(elapsedMs).toBeLessThan(3000);
  });
});
