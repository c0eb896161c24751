// Each failure detector's planted bug, caught by a checker or a metric threshold at a stated rate over
// a seed range, on the failure-detection scenarios (scenarios/failure-detection.ts); the same setting
// without the bug stays below the threshold (or passes) on the same seeds. Rates measured by hand are
// in each test's name; the assertions leave a little room.
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
/** Runs (of the seeds) with more false deaths per member-hour than `threshold`. */
const falseDeathsAbove = (options: Options, seeds: readonly number[], threshold: number) =>
  runs(options, seeds).filter((r) => (r.metrics.samples?.falseDeathsPerMemberHour?.[0] ?? 0) > threshold).length;

describe('planted failure-detector bugs', () => {
  it('fd/swim-no-refutation: fd-partition fails accuracy-after-heal (measured 20/20 of seeds 1..20; fd-lossy too, 20/20)', () => {
    const seeds = range(1, 10);
    expect(failed({ scenario: 'fd-partition', bug: 'fd/swim-no-refutation' }, seeds, 'accuracy-after-heal')).toBeGreaterThanOrEqual(9);
    expect(failed({ scenario: 'fd-partition' }, seeds, 'accuracy-after-heal')).toBe(0);
  });

  it('fd/swim-no-indirect-probes: fd-lossy at 10% uniform loss (--nemesis none) makes over 30 false deaths per member-hour (measured 30/30 of seeds 1..30; without it 0/30, at most 7.5)', () => {
    const seeds = range(1, 15);
    const setting = { scenario: 'fd-lossy', nemesis: 'none', set: ['lossRatio=0.1'] } as const;
    expect(falseDeathsAbove({ ...setting, bug: 'fd/swim-no-indirect-probes' }, seeds, 30)).toBeGreaterThanOrEqual(14);
    expect(falseDeathsAbove(setting, seeds, 30)).toBe(0);
  });

  it('fd/swim-unscaled-suspicion: 64 members, Lifeguard off, 20% loss (--nemesis none, 30 s) make over 5000 false deaths per member-hour (measured 10/10 of seeds 1..10; without it 0/10, at most 4324)', () => {
    const seeds = range(1, 5);
    const setting = { scenario: 'fd-lossy', nemesis: 'none', nodeCount: 64, durationMicros: 30_000_000, set: ['lifeguard=off', 'lossRatio=0.2'] } as const;
    expect(falseDeathsAbove({ ...setting, bug: 'fd/swim-unscaled-suspicion' }, seeds, 5000)).toBeGreaterThanOrEqual(4);
    expect(falseDeathsAbove(setting, seeds, 5000)).toBe(0);
  }, 60_000);

  it('fd/phi-no-min-std-deviation: fd-crash over a Pareto latency of scale 100us makes over 60 false deaths per member-hour (measured 10/10 of seeds 1..10, min 90; without it 0/10, at most 37.5)', () => {
    const seeds = range(1, 10);
    const setting = { scenario: 'fd-crash', set: ['detector=phi', 'latencyModel=pareto', 'jitterMicros=100'] } as const;
    expect(falseDeathsAbove({ ...setting, bug: 'fd/phi-no-min-std-deviation' }, seeds, 60)).toBeGreaterThanOrEqual(9);
    expect(falseDeathsAbove(setting, seeds, 60)).toBe(0);
  });

  it('fd/heartbeat-timeout-below-interval: fd-crash fails accuracy-after-heal (measured 10/10 of seeds 1..10) with some 200 000 false deaths per member-hour', () => {
    const seeds = range(1, 5);
    const setting = { scenario: 'fd-crash', set: ['detector=heartbeat'] } as const;
    expect(failed({ ...setting, bug: 'fd/heartbeat-timeout-below-interval' }, seeds, 'accuracy-after-heal')).toBe(5);
    expect(falseDeathsAbove({ ...setting, bug: 'fd/heartbeat-timeout-below-interval' }, seeds, 10_000)).toBe(5);
    expect(failed(setting, seeds, 'accuracy-after-heal')).toBe(0);
  });
});
