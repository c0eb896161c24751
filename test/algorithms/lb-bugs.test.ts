// Each load balancer's planted bug, caught by a checker or a metric threshold at a stated rate over a
// seed range, on the load-balancing scenarios (scenarios/load-balancing.ts); the same setting without
// the bug passes (or stays on the other side of the threshold) on the same seeds. Rates measured by hand
// are in each test's name; the assertions leave a little room.
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun, type RunRequest } from '../../sim/run.js';

type Options = Omit<RunRequest, 'scenario' | 'seed'> & { readonly scenario: string };

function runs(options: Options, seeds: readonly number[]) {
  const { scenario, ...rest } = options;
  return seeds.map((seed) => executeRun(prepareRun({ ...rest, scenario: findScenario(scenario)!, seed })));
}
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
/** Runs (of the seeds) whose check `name` failed. */
const failed = (options: Options, seeds: readonly number[], name: string) => runs(options, seeds).filter((r) => r.checks.some((c) => c.name === name && !c.ok)).length;
/** Each run's value of one metric. */
const metric = (options: Options, seeds: readonly number[], name: string) => runs(options, seeds).map((r) => r.metrics.samples![name]![0]!);

describe('planted load-balancing bugs', () => {
  it('lb/retry-no-budget: after an outage at 75% load the retry storm outlasts the recovery bound (lb-overload: success-after-heal fails 8/8 of seeds 1..8; with the 10% budget 0/8)', () => {
    const seeds = range(1, 4);
    expect(failed({ scenario: 'lb-overload', bug: 'lb/retry-no-budget' }, seeds, 'success-after-heal')).toBeGreaterThanOrEqual(4);
    expect(failed({ scenario: 'lb-overload' }, seeds, 'success-after-heal')).toBe(0);
  }, 120_000);

  it('lb/least-outstanding-leak: a backend that timed out starves (lb-slow-backend, least outstanding, 200 ms attempts: the idlest backend below 25% busy in 20/20 of seeds 1..20, at most 22%; without it 0/20, at least 29%)', () => {
    const seeds = range(1, 6);
    const set = ['policy=least-outstanding', 'attemptTimeoutMicros=200ms'];
    expect(metric({ scenario: 'lb-slow-backend', set, bug: 'lb/least-outstanding-leak' }, seeds, 'utilisationMin').filter((u) => u < 0.25).length).toBe(6);
    expect(metric({ scenario: 'lb-slow-backend', set }, seeds, 'utilisationMin').filter((u) => u < 0.25).length).toBe(0);
  }, 120_000);

  it('lb/health-first-success-up: a flaky backend flaps (lb-flaky-backend, client-side, outliers off: over 32 mark-ups a minute in 10/10 of seeds 1..10, 40 to 58; without it 0/10, 16 to 26)', () => {
    const seeds = range(1, 5);
    const set = ['outlier=off', 'mode=client-side'];
    expect(metric({ scenario: 'lb-flaky-backend', set, bug: 'lb/health-first-success-up' }, seeds, 'markedUpPerMinute').filter((x) => x > 32).length).toBe(5);
    expect(metric({ scenario: 'lb-flaky-backend', set }, seeds, 'markedUpPerMinute').filter((x) => x > 32).length).toBe(0);
  }, 120_000);

  it('lb/outlier-never-readmits: each fail-fast episode removes a backend for good (lb-fail-fast: the idlest backend below 20% busy in 10/10 of seeds 1..10, at most 9%, and the busiest over 81% in 10/10; success-after-heal fails 3/10; without it 0/10, 0/10 and 0/10)', () => {
    const seeds = range(1, 6);
    const withBug = runs({ scenario: 'lb-fail-fast', bug: 'lb/outlier-never-readmits' }, seeds);
    const without = runs({ scenario: 'lb-fail-fast' }, seeds);
    const idle = (r: (typeof withBug)[number]) => r.metrics.samples!.utilisationMin![0]! < 0.2;
    const busy = (r: (typeof withBug)[number]) => r.metrics.samples!.utilisationMax![0]! > 0.81;
    expect(withBug.filter(idle).length).toBe(6);
    expect(withBug.filter(busy).length).toBeGreaterThanOrEqual(5);
    expect(without.filter(idle).length).toBe(0);
    expect(without.filter(busy).length).toBe(0);
    expect(without.filter((r) => r.outcome !== 'pass').length).toBe(0);
  }, 120_000);

  it('lb/wrr-forgets-weights: a fast backend comes back at weight 1 and the slow ones drown (lb-backend-crash, weighted round robin, mixed fleet, 85% load: success-after-heal fails 6/10 of seeds 1..10; without it 0/10)', () => {
    const seeds = range(1, 10);
    const set = ['policy=weighted-round-robin', 'fleet=mixed', 'load=0.85'];
    expect(failed({ scenario: 'lb-backend-crash', set, bug: 'lb/wrr-forgets-weights' }, seeds, 'success-after-heal')).toBeGreaterThanOrEqual(4);
    expect(failed({ scenario: 'lb-backend-crash', set }, seeds, 'success-after-heal')).toBe(0);
  }, 180_000);
});
