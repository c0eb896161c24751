// The load-balancing scenarios without planted bugs: every scenario passes seeds 1..2 through a central
// balancer and seed 1 balancing client-side (the 500-seed sweeps are run by hand: see the README's load
// balancing section); lb-large passes seed 1 at 100 backends and 10,000 requests a second. Also: the
// fleet's capacity and service-time means, the balls-into-bins limit, and the inputs a scenario refuses.
import { describe, expect, it } from 'vitest';
import { serviceMeanMicros } from '../../algorithms/load-balancing/service-time.js';
import { capacityPerSecond, lbLargeScenarios, LB_PARAMS, loadBalancingScenarios, serviceTime } from '../../scenarios/load-balancing.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { executeRun, prepareRun } from '../../sim/run.js';

function run(name: string, seed: number, set: string[] = [], durationMicros?: number) {
  return executeRun(prepareRun({ scenario: findScenario(name)!, seed, set, ...(durationMicros === undefined ? {} : { durationMicros }) }));
}
const failures = (result: ReturnType<typeof run>) => result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`);

describe('load-balancing scenarios without bugs', () => {
  it('are registered', () => {
    expect(loadBalancingScenarios.map((s) => s.name)).toEqual([
      'lb-steady', 'lb-backend-crash', 'lb-slow-backend', 'lb-fail-fast', 'lb-flaky-backend', 'lb-partition', 'lb-lossy', 'lb-overload', 'lb-chaos',
    ]);
    expect(lbLargeScenarios.map((s) => [s.name, s.defaultNodes])).toEqual([['lb-large', 100]]);
    for (const s of [...loadBalancingScenarios, ...lbLargeScenarios]) expect(findScenario(s.name)).toBe(s);
  });

  for (const scenario of loadBalancingScenarios) {
    it(`${scenario.name} passes seeds 1..2 (central) and seed 1 (client-side)`, () => {
      for (const seed of [1, 2]) expect(failures(run(scenario.name, seed)), `faultline run ${scenario.name} --seed ${seed}`).toEqual([]);
      expect(failures(run(scenario.name, 1, ['mode=client-side'])), `faultline run ${scenario.name} --seed 1 --set mode=client-side`).toEqual([]);
    }, 60_000);
  }

  it('lb-steady serves the offered load: 70% of 3,200 requests a second, all ok, the backends 70% busy', () => {
    const { samples } = run('lb-steady', 1).metrics;
    expect(samples!.requestsPerSecond![0]).toBeGreaterThan(0.7 * 3_200 * 0.97);
    expect(samples!.requestsPerSecond![0]).toBeLessThan(0.7 * 3_200 * 1.03);
    expect(samples!.successRatio![0]).toBe(1);
    expect(samples!.utilisationMean![0]).toBeGreaterThan(0.65);
    expect(samples!.utilisationMean![0]).toBeLessThan(0.75);
  });

  it('the balls-into-bins game: requestsPerBackend=1 sends exactly one request per backend, all held until the game ends', () => {
    // 8 backends, 3 clients: 3 + 3 + 2 requests; each takes 20 s, the fault phase 10 s, so they end in recovery.
    const prepared = prepareRun({
      scenario: findScenario('lb-steady')!, seed: 1, durationMicros: 10_000_000,
      set: ['requestsPerBackend=1', 'clients=3', 'service=constant', 'serviceMeanMicros=20s', 'workers=1000', 'concurrencyMax=0', 'healthChecks=off', 'outlier=off', 'attemptTimeoutMicros=60s', 'maxAttempts=1', 'objectiveMinRequests=1', 'recoveryMicrosMax=60s', 'load=3'],
    });
    const issued = new Map<string, number>();
    const result = executeRun(prepared, (event) => {
      if (event.type === 'observe' && event.fact.type === 'lb-issue') issued.set(event.node, (issued.get(event.node) ?? 0) + 1);
    });
    expect(failures(result)).toEqual([]);
    expect(Object.fromEntries(issued)).toEqual({ c1: 3, c2: 3, c3: 2 });
    expect(result.metrics.samples!.requestsPerSecond).toEqual([0]);
    const held = result.metrics.samples!.queueLengthMax![0]!;
    expect(held >= 1 && held <= 8).toBe(true);
  }, 60_000);

  it('lb-large passes seed 1 with 100 backends at 10,000 requests a second', () => {
    const result = run('lb-large', 1);
    expect(failures(result)).toEqual([]);
    expect(result.metrics.samples!.requestsPerSecond![0]).toBeGreaterThan(9_500);
  }, 120_000);
});

describe('capacity and service times', () => {
  const params = (set: Record<string, number | string>) => {
    const values: Record<string, number | string> = {};
    for (const spec of LB_PARAMS.specs) values[spec.name] = spec.default;
    return LB_PARAMS.read({ ...values, ...set });
  };

  it('capacity is Σ workers × speed ÷ mean service time; a mixed fleet runs at speeds 1, 2, 4 in turn', () => {
    expect(capacityPerSecond(params({}), 8)).toBe(3_200);
    expect(capacityPerSecond(params({ fleet: 'mixed', workers: 1 }), 9)).toBe(2_100);
  });

  it('every service-time model has the configured mean (Pareto before its cap)', () => {
    for (const service of ['exponential', 'lognormal', 'constant']) {
      expect(serviceMeanMicros(serviceTime(params({ service, serviceMeanMicros: 10_000 }))), service).toBeCloseTo(10_000, 6);
    }
    // The Pareto cap at 100 × the mean takes a little of the tail off: its mean is a little lower.
    const pareto = serviceMeanMicros(serviceTime(params({ service: 'pareto', serviceMeanMicros: 10_000 })));
    expect(pareto).toBeGreaterThan(9_000);
    expect(pareto).toBeLessThan(10_000);
  });
});

describe('inputs the load-balancing scenarios refuse (exit 2, one line)', () => {
  it('a health-check timeout not below its interval', () => {
    expect(() => prepareRun({ scenario: findScenario('lb-steady')!, seed: 1, set: ['healthTimeoutMicros=1s', 'healthIntervalMicros=500ms'] })).toThrow(InputError);
    expect(() => prepareRun({ scenario: findScenario('lb-steady')!, seed: 1, set: ['healthTimeoutMicros=1s', 'healthIntervalMicros=500ms'] })).toThrow(/healthTimeoutMicros=1s must be below healthIntervalMicros=500ms/);
  });
});
