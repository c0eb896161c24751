// The health view judged by the phi accrual detector (BalancerConfig.healthDetector): against a naive
// twin that keeps the answer intervals in a plain array and calls phi.ts directly, a backend is marked
// down (reason 'phi') exactly when phi of the time since its last answer passes the threshold at a failed
// probe, never before; up again on its next answer; an outage is not sampled; a backend never heard from
// is judged from its first failed probe. And lb-backend-crash with healthDetector=phi, end to end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phi } from '../../algorithms/failure-detection/phi.js';
import type { HealthCheckConfig, PhiHealthDetectorConfig } from '../../algorithms/load-balancing/config.js';
import type { BackendHealthFact } from '../../algorithms/load-balancing/facts.js';
import { createHealthView } from '../../algorithms/load-balancing/health.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { balancerConfig } from './lb-fixtures.js';

const INTERVAL = 500_000;
const checks: HealthCheckConfig = { intervalMicros: INTERVAL, timeoutMicros: 250_000, unhealthyThreshold: 2, healthyThreshold: 3 };
const detector = (threshold = 8, windowSize = 100, minStdDeviationMicros = 50_000): PhiHealthDetectorConfig => ({ kind: 'phi', threshold, windowSize, minStdDeviationMicros });
const phiView = (n: number, d = detector()) => createHealthView(balancerConfig(n, { healthCheck: checks, healthDetector: d }), n);

/** The twin: the answer intervals in an array (seeded I ∓ I/4, the last windowSize kept), phi from phi.ts. */
class Twin {
  samples = [INTERVAL - INTERVAL / 4, INTERVAL + INTERVAL / 4];
  last: number | null = null;
  answered = false;
  down = false;
  constructor(readonly d: PhiHealthDetectorConfig) {}
  phiAt(now: number): number {
    const n = this.samples.length;
    const mean = this.samples.reduce((a, b) => a + b, 0) / n;
    const variance = n < 2 ? 0 : Math.max(0, this.samples.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    return phi(now - this.last!, mean, Math.max(Math.sqrt(variance), this.d.minStdDeviationMicros));
  }
  probe(passed: boolean, now: number): void {
    if (passed) {
      if (this.answered && this.phiAt(now) <= this.d.threshold) {
        this.samples.push(now - this.last!);
        if (this.samples.length > this.d.windowSize) this.samples.shift();
      }
      this.last = now;
      this.answered = true;
      this.down = false;
    } else if (this.last === null) this.last = now;
    else if (this.phiAt(now) > this.d.threshold) this.down = true;
  }
}

describe('the phi health detector', () => {
  it('marks a backend down exactly when phi at a failed probe passes the threshold, up on its next answer (twin)', () => {
    const event = fc.record({ passed: fc.boolean(), gap: fc.integer({ min: 1, max: 2_000_000 }) });
    fc.assert(fc.property(fc.array(event, { maxLength: 80 }), fc.double({ min: 0.5, max: 16, noNaN: true }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 0, max: 200_000 }), (events, threshold, windowSize, minStd) => {
      const d = detector(threshold, windowSize, minStd);
      const view = phiView(2, d);
      const twin = new Twin(d);
      let now = 0;
      for (const { passed, gap } of events) {
        now += gap;
        const before = view.state(1);
        const changes = view.onProbe(1, passed, now);
        twin.probe(passed, now);
        expect(view.state(1)).toBe(twin.down ? 'down' : 'up');
        // The same phi, up to the rounding of running sums (phi.ts) against the twin's two-pass variance.
        const [got, want] = [view.phiAt(1, now)!, twin.phiAt(now)];
        if (got !== want) expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
        if (view.state(1) === before) expect(changes).toEqual([]);
        else expect(changes).toEqual([{ backend: 1, state: view.state(1), reason: passed ? 'probe-passed' : 'phi' }]);
        expect(view.state(0)).toBe('up');
      }
    }), { numRuns: 300 });
  });

  it('after answers every interval stop, stays up while phi ≤ 8 and goes down at the first failed probe past it', () => {
    const view = phiView(1);
    let now = 0;
    for (let i = 0; i < 40; i++) {
      now += INTERVAL + (i % 3) * 300; // answers about one interval apart
      expect(view.onProbe(0, true, now)).toEqual([]);
    }
    const last = now;
    // Failed probes every 50 ms from here: the first past phi 8 marks it down, none before.
    let downAt: number | null = null;
    for (let t = last + 50_000; downAt === null; t += 50_000) {
      const p = view.phiAt(0, t)!;
      const changes = view.onProbe(0, false, t);
      if (p > 8) {
        expect(changes).toEqual([{ backend: 0, state: 'down', reason: 'phi' }]);
        downAt = t;
      } else {
        expect(changes).toEqual([]);
        expect(view.state(0)).toBe('up');
      }
    }
    // Mean ≈ 500 ms, deviation at its 50 ms floor: phi passes 8 about 5.6 deviations past the mean.
    expect(downAt - last).toBeGreaterThan(INTERVAL + 5 * 50_000);
    expect(downAt - last).toBeLessThanOrEqual(INTERVAL + 6 * 50_000);
    // One answer brings it back (the paper's next heartbeat; no healthy threshold), and the outage is not sampled.
    expect(view.onProbe(0, true, downAt + 1_000_000)).toEqual([{ backend: 0, state: 'up', reason: 'probe-passed' }]);
    expect(view.phiAt(0, downAt + 1_000_000 + INTERVAL)!).toBeLessThan(1);
  });

  it('does not sample an outage: the window is the same after the answer that ends it', () => {
    const view = phiView(1);
    const twinOf = (answersAt: number[]) => {
      const v = phiView(1);
      for (const t of answersAt) v.onProbe(0, true, t);
      return v;
    };
    const steady = [500_000, 1_000_000, 1_500_000, 2_000_000];
    for (const t of steady) view.onProbe(0, true, t);
    expect(view.onProbe(0, false, 3_000_000)).toEqual([{ backend: 0, state: 'down', reason: 'phi' }]);
    view.onProbe(0, true, 9_000_000);
    // Same phi curve from the last answer as a view that never saw the outage.
    const reference = twinOf(steady);
    for (const dt of [100_000, 500_000, 700_000]) expect(view.phiAt(0, 9_000_000 + dt)).toBe(reference.phiAt(0, 2_000_000 + dt));
  });

  it('judges a backend that never answered from its first failed probe', () => {
    const view = phiView(2);
    expect(view.phiAt(1, 0)).toBeUndefined();
    expect(view.onProbe(1, false, 250_000)).toEqual([]);
    // Seeded window: mean 500 ms, deviation 125 ms; phi 8 is passed 5.6 deviations out, 1.2 s after the first failure.
    expect(view.onProbe(1, false, 750_000)).toEqual([]);
    expect(view.onProbe(1, false, 1_250_000)).toEqual([]);
    expect(view.phiAt(1, 1_250_000)).toBeCloseTo(4.5, 1);
    expect(view.onProbe(1, false, 1_750_000)).toEqual([{ backend: 1, state: 'down', reason: 'phi' }]);
    expect(view.eligible().backends).toEqual([0]);
  });

  it('leaves the thresholds alone when absent: two failed probes mark down with reason probe-failed', () => {
    const view = createHealthView(balancerConfig(1, { healthCheck: checks }), 1);
    expect(view.phiAt(0, 0)).toBeUndefined();
    expect(view.onProbe(0, false, 1)).toEqual([]);
    expect(view.onProbe(0, false, 2)).toEqual([{ backend: 0, state: 'down', reason: 'probe-failed' }]);
  });
});

describe('lb-backend-crash with healthDetector=phi', () => {
  it('passes seeds 1..3, marking crashed backends down by phi and up on an answer', () => {
    for (const seed of [1, 2, 3]) {
      const facts: BackendHealthFact[] = [];
      const result = executeRun(prepareRun({ scenario: findScenario('lb-backend-crash')!, seed, set: ['healthDetector=phi'] }), (event) => {
        if (event.type === 'observe' && event.fact.type === 'lb-health') facts.push(event.fact as BackendHealthFact);
      });
      expect(result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`), `faultline run lb-backend-crash --seed ${seed} --set healthDetector=phi`).toEqual([]);
      expect(facts.some((f) => f.state === 'down' && f.reason === 'phi')).toBe(true);
      expect(facts.some((f) => f.state === 'down' && f.reason === 'probe-failed')).toBe(false);
      expect(facts.some((f) => f.state === 'up' && f.reason === 'probe-passed')).toBe(true);
    }
  }, 60_000);

  it('refuses healthDetector=phi without health checks', () => {
    const prepare = () => prepareRun({ scenario: findScenario('lb-backend-crash')!, seed: 1, set: ['healthDetector=phi', 'healthChecks=off'] });
    expect(prepare).toThrow(InputError);
    expect(prepare).toThrow('--set healthDetector=phi needs healthChecks=on (phi is computed from the arrivals of probe answers)');
  });
});
