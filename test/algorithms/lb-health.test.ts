// The health view as a pure state machine: active checks flip a backend only after exactly the threshold
// of consecutive results (against a twin); outlier detection's consecutive errors, success-rate sweep,
// growing back-off and ejection cap; how 'down' and 'ejected' combine; the panic threshold; and the two
// planted bugs that live here, with and without them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthCheckConfig, OutlierConfig } from '../../algorithms/load-balancing/config.js';
import type { AttemptStatus } from '../../algorithms/load-balancing/parts.js';
import { createHealthView } from '../../algorithms/load-balancing/health.js';
import { balancerConfig, indexes, type LbBugKey } from './lb-fixtures.js';

const checks = (unhealthyThreshold: number, healthyThreshold: number): HealthCheckConfig => ({
  intervalMicros: 1_000_000, timeoutMicros: 500_000, unhealthyThreshold, healthyThreshold,
});

const outlierOf = (overrides: Partial<OutlierConfig> = {}): OutlierConfig => ({
  consecutiveErrors: 5, intervalMicros: 10_000_000, successRateMinRequests: 10, successRateStdevFactor: 0,
  baseEjectionMicros: 30_000_000, maxEjectionRatio: 0.5, ...overrides,
});

const withChecks = (n: number, u: number, h: number, bug?: LbBugKey, panicThresholdRatio = 0) =>
  createHealthView(balancerConfig(n, { healthCheck: checks(u, h), panicThresholdRatio }, bug), n);

const withOutlier = (n: number, outlier: Partial<OutlierConfig> = {}, bug?: LbBugKey) =>
  createHealthView(balancerConfig(n, { outlier: outlierOf(outlier) }, bug), n);

describe('active health checks', () => {
  /** The twin: runs of results counted from the last flip; u failures in a row mark down, h passes up. */
  function twin(results: readonly boolean[], u: number, h: number): ('up' | 'down')[] {
    let state: 'up' | 'down' = 'up';
    let run = 0;
    return results.map((passed) => {
      const flipping = state === 'up' ? !passed : passed;
      run = flipping ? run + 1 : 0;
      if (run === (state === 'up' ? u : h)) {
        state = state === 'up' ? 'down' : 'up';
        run = 0;
      }
      return state;
    });
  }

  it('needs exactly the threshold of consecutive results to flip a backend, as the twin does', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { maxLength: 60 }), (u, h, results) => {
      const view = withChecks(2, u, h);
      const expected = twin(results, u, h);
      results.forEach((passed, i) => {
        const before = view.state(1);
        const changes = view.onProbe(1, passed, i * 1000);
        expect(view.state(1)).toBe(expected[i]);
        expect(view.state(0)).toBe('up');
        if (before === view.state(1)) expect(changes).toEqual([]);
        else expect(changes).toEqual([{ backend: 1, state: expected[i], reason: passed ? 'probe-passed' : 'probe-failed' }]);
      });
    }));
  });

  it('a backend marked down is not eligible, and comes back after healthy-threshold passes', () => {
    const view = withChecks(3, 2, 3);
    view.onProbe(1, false, 0);
    expect(view.eligible().backends).toEqual([0, 1, 2]);
    expect(view.onProbe(1, false, 1)).toEqual([{ backend: 1, state: 'down', reason: 'probe-failed' }]);
    expect(view.eligible()).toEqual({ backends: [0, 2], panic: false });
    expect(view.onProbe(1, true, 2)).toEqual([]);
    expect(view.onProbe(1, true, 3)).toEqual([]);
    expect(view.onProbe(1, true, 4)).toEqual([{ backend: 1, state: 'up', reason: 'probe-passed' }]);
    expect(view.eligible().backends).toEqual([0, 1, 2]);
  });

  it('planted bug lb/health-first-success-up: one pass marks a down backend up (and a flaky one flaps)', () => {
    const flips = (bug?: LbBugKey) => {
      const view = withChecks(1, 2, 3, bug);
      let changes = 0;
      // A flaky backend: two probes fail, one passes, over and over.
      for (let i = 0; i < 30; i++) changes += view.onProbe(0, i % 3 === 2, i).length;
      return changes;
    };
    expect(flips()).toBe(1);
    expect(flips('ignoreHealthyThreshold')).toBeGreaterThanOrEqual(19);
    const view = withChecks(1, 1, 3, 'ignoreHealthyThreshold');
    view.onProbe(0, false, 0);
    expect(view.onProbe(0, true, 1)).toEqual([{ backend: 0, state: 'up', reason: 'probe-passed' }]);
  });
});

describe('outlier detection', () => {
  it('ejects after consecutive errors (error, rejected and timeout count, ok resets, unavailable is ignored)', () => {
    const view = withOutlier(4, { consecutiveErrors: 3 });
    const feed = (statuses: AttemptStatus[]) => statuses.flatMap((s, i) => view.onOutcome(2, s, i));
    expect(feed(['error', 'rejected', 'ok', 'timeout', 'unavailable', 'error'])).toEqual([]);
    expect(view.state(2)).toBe('up');
    expect(feed(['error'])).toEqual([{ backend: 2, state: 'ejected', reason: 'consecutive-errors' }]);
    expect(view.eligible().backends).toEqual([0, 1, 3]);
  });

  it('re-admits after base × times ejected: the second ejection lasts twice the first, the third three times', () => {
    const base = 1_000_000;
    const view = withOutlier(4, { consecutiveErrors: 1, baseEjectionMicros: base });
    let now = 0;
    for (let times = 1; times <= 3; times++) {
      expect(view.onOutcome(0, 'error', now)).toEqual([{ backend: 0, state: 'ejected', reason: 'consecutive-errors' }]);
      expect(view.nextDueMicros()).toBe(now + times * base);
      expect(view.onInterval(now + times * base - 1)).toEqual([]);
      expect(view.onInterval(now + times * base)).toEqual([{ backend: 0, state: 'up', reason: 'readmitted' }]);
      expect(view.nextDueMicros()).toBeNull();
      now += times * base + 5;
    }
    expect(view.inspect()[0]!.timesEjected).toBe(3);
  });

  it('planted bug lb/outlier-never-readmits: an ejected backend stays out for good', () => {
    const readmitted = (bug?: LbBugKey) => {
      const view = withOutlier(4, { consecutiveErrors: 1, baseEjectionMicros: 1000 }, bug);
      view.onOutcome(0, 'error', 0);
      view.onOutcome(1, 'error', 0);
      const changes = [1000, 50_000, 10_000_000].flatMap((t) => view.onInterval(t));
      return { changes, eligible: view.eligible().backends, due: view.nextDueMicros() };
    };
    expect(readmitted()).toEqual({
      changes: [{ backend: 0, state: 'up', reason: 'readmitted' }, { backend: 1, state: 'up', reason: 'readmitted' }],
      eligible: [0, 1, 2, 3], due: null,
    });
    expect(readmitted('neverReadmit')).toEqual({ changes: [], eligible: [2, 3], due: null });
  });

  it('never ejects more than the maximum ratio at once', () => {
    const status = fc.constantFrom<AttemptStatus>('ok', 'error', 'rejected', 'timeout', 'unavailable');
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 3 }),
      fc.array(fc.tuple(fc.nat(), status, fc.boolean()), { maxLength: 120 }),
      (n, ratio, consecutiveErrors, steps) => {
        const view = withOutlier(n, { consecutiveErrors, maxEjectionRatio: ratio, baseEjectionMicros: 50_000, successRateStdevFactor: 1, successRateMinRequests: 2, intervalMicros: 20_000 });
        const cap = Math.floor(ratio * n + 1e-9);
        let now = 0;
        for (const [b, s, tick] of steps) {
          now += 1000;
          view.onOutcome(b % n, s, now);
          if (tick) view.onInterval(now);
          expect(view.inspect().filter((h) => h.ejected).length).toBeLessThanOrEqual(cap);
        }
      },
    ));
  });

  it('success rate: ejects a backend far below the fleet\'s mean, among those with enough responses', () => {
    const view = withOutlier(6, { consecutiveErrors: 0, successRateStdevFactor: 1.9, successRateMinRequests: 20, intervalMicros: 1_000_000 });
    let t = 0;
    view.onInterval(0); // starts the interval clock
    for (let i = 0; i < 100; i++) {
      for (let b = 0; b < 5; b++) view.onOutcome(b, b === 4 && i % 2 === 0 ? 'error' : 'ok', t++);
      // Backend 5 fails everything, but answers too few to be judged.
      if (i < 10) view.onOutcome(5, 'error', t++);
    }
    expect(view.nextDueMicros()).toBe(1_000_000);
    expect(view.onInterval(999_999)).toEqual([]);
    expect(view.onInterval(1_000_000)).toEqual([{ backend: 4, state: 'ejected', reason: 'success-rate' }]);
    expect(view.eligible().backends).toEqual([0, 1, 2, 3, 5]);
    // A new interval starts from nothing: with no responses, nothing more is ejected.
    expect(view.onInterval(2_000_000)).toEqual([]);
  });

  it('success rate: fewer than successRateMinHosts judged hosts (Envoy: 5) compare nothing', () => {
    const judge = (minHosts: number | undefined, hosts: number) => {
      const view = withOutlier(hosts, { consecutiveErrors: 0, successRateStdevFactor: 0.5, successRateMinRequests: 10, intervalMicros: 1_000, ...(minHosts === undefined ? {} : { successRateMinHosts: minHosts }) });
      view.onInterval(0);
      for (let i = 0; i < 20; i++) for (let b = 0; b < hosts; b++) view.onOutcome(b, b === 0 && i % 2 === 0 ? 'error' : 'ok', i);
      return view.onInterval(1_000).length;
    };
    expect(judge(undefined, 4)).toBe(0);
    expect(judge(undefined, 5)).toBe(1);
    expect(judge(3, 4)).toBe(1);
  });

  it('an ejection lasts base × times ejected, capped at ejectionMicrosMax', () => {
    const view = withOutlier(4, { consecutiveErrors: 1, baseEjectionMicros: 100, ejectionMicrosMax: 250, successRateStdevFactor: 0, maxEjectionRatio: 1, intervalMicros: 1_000_000 });
    const lengths: number[] = [];
    let t = 0;
    for (let round = 0; round < 4; round++) {
      view.onOutcome(0, 'error', t);
      const until = view.nextDueMicros()!;
      lengths.push(Math.min(until, t + 1_000_000) - t);
      t = until;
      view.onInterval(t);
    }
    expect(lengths).toEqual([100, 200, 250, 250]);
  });

  it('success rate: a fleet that fails alike ejects nobody', () => {
    const view = withOutlier(5, { consecutiveErrors: 0, successRateStdevFactor: 1, successRateMinRequests: 5, intervalMicros: 1000 });
    view.onInterval(0);
    for (let i = 0; i < 20; i++) for (let b = 0; b < 5; b++) view.onOutcome(b, i % 4 === 0 ? 'error' : 'ok', 1);
    expect(view.onInterval(1000)).toEqual([]);
  });
});

describe('down and ejected together', () => {
  it('down wins while checks fail; a re-admission while down shows nothing; passing checks then bring it up', () => {
    const view = createHealthView(balancerConfig(4, { healthCheck: checks(1, 1), outlier: outlierOf({ consecutiveErrors: 1, baseEjectionMicros: 100 }) }), 4);
    expect(view.onOutcome(0, 'error', 0)).toEqual([{ backend: 0, state: 'ejected', reason: 'consecutive-errors' }]);
    expect(view.onProbe(0, false, 10)).toEqual([{ backend: 0, state: 'down', reason: 'probe-failed' }]);
    expect(view.onInterval(100)).toEqual([]);
    expect(view.inspect()[0]).toMatchObject({ state: 'down', down: true, ejected: false });
    expect(view.onProbe(0, true, 110)).toEqual([{ backend: 0, state: 'up', reason: 'probe-passed' }]);
    // Passing checks while still ejected: from 'down' to 'ejected'.
    view.onOutcome(1, 'error', 200);
    view.onProbe(1, false, 201);
    expect(view.onProbe(1, true, 202)).toEqual([{ backend: 1, state: 'ejected', reason: 'probe-passed' }]);
    expect(view.eligible().backends).toEqual([0, 2, 3]);
  });
});

describe('the panic threshold', () => {
  it('below the healthy share, every backend is offered with panic set', () => {
    const view = withChecks(4, 1, 1, undefined, 0.5);
    view.onProbe(0, false, 0);
    expect(view.eligible()).toEqual({ backends: [1, 2, 3], panic: false });
    view.onProbe(1, false, 0);
    expect(view.eligible()).toEqual({ backends: [2, 3], panic: false });
    view.onProbe(2, false, 0);
    expect(view.eligible()).toEqual({ backends: [0, 1, 2, 3], panic: true });
  });

  it('with a threshold of 0 it never panics: none healthy offers none', () => {
    const view = withChecks(2, 1, 1);
    view.onProbe(0, false, 0);
    view.onProbe(1, false, 0);
    expect(view.eligible()).toEqual({ backends: [], panic: false });
  });

  it('the healthy share counts down and ejected backends alike', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.nat(), { maxLength: 20 }), (n, threshold, failing) => {
      const view = createHealthView(balancerConfig(n, { healthCheck: checks(1, 1), outlier: outlierOf({ consecutiveErrors: 1, maxEjectionRatio: 1 }), panicThresholdRatio: threshold }), n);
      failing.forEach((f, i) => (i % 2 === 0 ? view.onProbe(f % n, false, i) : view.onOutcome(f % n, 'error', i)));
      const healthy = indexes(n).filter((b) => view.state(b) === 'up');
      const { backends, panic } = view.eligible();
      expect(panic).toBe(healthy.length < threshold * n);
      expect(backends).toEqual(panic ? indexes(n) : healthy);
    }));
  });

  it('eligible() is the same object until a state changes', () => {
    const view = withChecks(3, 1, 1);
    const first = view.eligible();
    view.onProbe(0, true, 0);
    expect(view.eligible()).toBe(first);
    view.onProbe(0, false, 1);
    expect(view.eligible()).not.toBe(first);
    expect(view.eligible().backends).toEqual([1, 2]);
  });
});
