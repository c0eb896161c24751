// The failure-detection scenarios without planted bugs: every scenario × detector passes seeds 1..4
// (the 500-seed sweeps are run by hand: see the README's failure-detection section); swim-large passes
// one seed at its full 512 members. Also: the completeness bound per detector, and the inputs a
// scenario refuses (a bug of another detector, a timeout not above its interval, a ping timeout not below
// the period, swim-large with another detector) as one-line InputErrors before any run.
import { describe, expect, it } from 'vitest';
import { completenessBoundMicros, failureDetectionScenarios, FD_PARAMS, phiCrossingDeviations, swimLargeScenarios } from '../../scenarios/failure-detection.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { phi } from '../../algorithms/failure-detection/phi.js';

const DETECTORS = ['swim', 'phi', 'heartbeat'] as const;
const SEEDS = [1, 2, 3, 4];
const SEEDS_10 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function failures(name: string, seed: number, set: string[], extra: { nodeCount?: number } = {}) {
  const result = executeRun(prepareRun({ scenario: findScenario(name)!, seed, set, ...extra }));
  return result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`);
}

describe('failure-detection scenarios without bugs', () => {
  it('are registered: six scenarios for every detector, and swim-large', () => {
    expect(failureDetectionScenarios.map((s) => s.name)).toEqual(['fd-crash', 'fd-partition', 'fd-lossy', 'fd-slow-member', 'fd-clock-drift', 'fd-chaos']);
    expect(swimLargeScenarios.map((s) => [s.name, s.defaultNodes])).toEqual([['swim-large', 512]]);
    for (const s of [...failureDetectionScenarios, ...swimLargeScenarios]) expect(findScenario(s.name)).toBe(s);
  });

  for (const scenario of failureDetectionScenarios) {
    for (const detector of DETECTORS) {
      it(`${scenario.name} --set detector=${detector} passes seeds ${SEEDS[0]}..${SEEDS.at(-1)}`, () => {
        for (const seed of SEEDS) expect(failures(scenario.name, seed, [`detector=${detector}`]), `faultline run ${scenario.name} --seed ${seed} --set detector=${detector}`).toEqual([]);
      });
    }
  }

  it('fd-crash: every crash is detected (the sometimes check), and completeness is judged (crashes outlast the bound)', () => {
    const scenario = findScenario('fd-crash')!;
    for (const detector of DETECTORS) {
      const prepared = prepareRun({ scenario, seed: 1, set: [`detector=${detector}`] });
      const crash = prepared.faults.find((f) => f.kind === 'crash')!;
      const restart = prepared.faults.find((f) => f.kind === 'restart' && 'node' in f && 'node' in crash && f.node === crash.node)!;
      const bound = completenessBoundMicros(FD_PARAMS.read(prepared.params), 8, { slowFactorMax: 1, clockSlowRatioMax: 0, clockJumpBackMicros: 0, extraLatencyMicros: 0 });
      expect(restart.at - crash.at, detector).toBeGreaterThan(bound);
      const result = executeRun(prepared);
      expect(result.checks.find((c) => c.name === 'some-crash-detected')?.ok, detector).toBe(true);
      expect(result.checks.find((c) => c.name === 'completeness')?.ok, detector).toBe(true);
    }
  });

  it('swim-large passes seed 1 with 512 members', () => {
    expect(failures('swim-large', 1, [])).toEqual([]);
  }, 60_000);
});

describe('fd-slow-member and Lifeguard', () => {
  it('draws slowMembers members at once, each with a factor in [slowFactorMin, slowFactorMax], and ends every window', () => {
    const prepared = prepareRun({ scenario: findScenario('fd-slow-member')!, seed: 3, set: ['slowMembers=3', 'slowFactorMin=40', 'slowFactorMax=60'] });
    const slow = prepared.faults.filter((f) => f.kind === 'slow');
    const starts = new Map<number, number[]>();
    for (const f of slow) if (f.kind === 'slow' && f.factor !== 1) starts.set(f.at, [...(starts.get(f.at) ?? []), f.factor]);
    expect(starts.size).toBeGreaterThan(1);
    for (const factors of starts.values()) {
      expect(factors).toHaveLength(3);
      for (const factor of factors) expect(factor >= 40 && factor <= 60 && Number.isInteger(factor)).toBe(true);
    }
    expect(slow.filter((f) => f.kind === 'slow' && f.factor === 1)).toHaveLength(3 * starts.size);
  });

  it('Lifeguard cuts the false deaths of healthy members a 100× slow member causes (measured on seeds 1..10: off 10/10 above 1,000 per member-hour, on 10/10 below 10)', () => {
    const healthyDeaths = (lifeguard: string) => SEEDS_10.map((seed) => {
      const result = executeRun(prepareRun({ scenario: findScenario('fd-slow-member')!, seed, set: [`lifeguard=${lifeguard}`, 'slowFactorMin=100', 'slowFactorMax=100'] }));
      expect(result.checks.filter((c) => !c.ok)).toEqual([]);
      return result.metrics.samples!.healthyFalseDeathsPerMemberHour![0]!;
    });
    expect(healthyDeaths('off').filter((x) => x > 1_000).length).toBeGreaterThanOrEqual(9);
    expect(healthyDeaths('on').filter((x) => x < 10).length).toBeGreaterThanOrEqual(9);
  });
});

describe('the completeness bound', () => {
  const params = (set: Record<string, number | string>) => {
    const values: Record<string, number | string> = {};
    for (const spec of FD_PARAMS.specs) values[spec.name] = spec.default;
    return FD_PARAMS.read({ ...values, ...set });
  };
  const still = { slowFactorMax: 1, clockSlowRatioMax: 0, clockJumpBackMicros: 0, extraLatencyMicros: 0 };

  it('heartbeat: the latency cap plus the timeout; a slow viewer stretches the latency, clock drift all of it, plus a clock jump', () => {
    expect(completenessBoundMicros(params({ detector: 'heartbeat' }), 8, still)).toBe(5_000 + 500_000);
    expect(completenessBoundMicros(params({ detector: 'heartbeat' }), 8, { ...still, slowFactorMax: 20 })).toBe(20 * 5_000 + 500_000);
    expect(completenessBoundMicros(params({ detector: 'heartbeat' }), 8, { ...still, slowFactorMax: 20, extraLatencyMicros: 1_000_000 })).toBe(20 * 1_005_000 + 500_000);
    expect(completenessBoundMicros(params({ detector: 'heartbeat' }), 8, { ...still, clockSlowRatioMax: 0.2, clockJumpBackMicros: 2_000_000 })).toBe(Math.ceil(505_000 / 0.8) + 2_000_000);
  });

  it('swim: two round-robin traversals at the worst local health, plus the longest suspicion (Lifeguard on and off)', () => {
    // n = 8: log10 8 < 1, so the suspicion timeout's minimum is 4 T' = 800 ms, Lifeguard's maximum 4.8 s.
    expect(completenessBoundMicros(params({ detector: 'swim' }), 8, still)).toBe((15 * 9 + 1) * 200_000 + 4_800_000 + 5_000);
    expect(completenessBoundMicros(params({ detector: 'swim', lifeguard: 'off' }), 8, still)).toBe((15 + 1) * 200_000 + 800_000 + 5_000);
  });

  it('phi: the crossing deviation is where phi passes the threshold, and the bound covers a window of I ± the latency spread', () => {
    const y = phiCrossingDeviations(8);
    expect(phi(y, 0, 1)).toBeGreaterThan(8);
    expect(phi(y * 0.999, 0, 1)).toBeLessThanOrEqual(8);
    // Samples in [75 ms, 125 ms] (the seeded window dominates the ±4 ms spread): mean ≤ 125 ms, deviation ≤ 25 ms.
    const bound = completenessBoundMicros(params({ detector: 'phi' }), 8, still);
    expect(bound).toBeCloseTo(5_000 + 125_000 + y * 25_000 + 10_000, -1);
  });
});

describe('inputs the failure-detection scenarios refuse (exit 2, one line)', () => {
  // Inputs are refused in prepareRun, before any run and whatever the seed: seed 1 stands for every seed.
  const refuse = (name: string, set: string[], bug?: string) => {
    try {
      prepareRun({ scenario: findScenario(name)!, seed: 1, set, bug });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('a planted bug of another detector', () => {
    expect(refuse('fd-crash', [], 'fd/phi-no-min-std-deviation')).toBe('--bug fd/phi-no-min-std-deviation is a bug of the phi detector: add --set detector=phi (this run\'s detector is swim)');
    expect(refuse('fd-lossy', ['detector=phi'], 'fd/swim-no-refutation')).toContain('add --set detector=swim');
  });

  it('a heartbeat timeout not above the interval, a ping timeout not below the period', () => {
    expect(refuse('fd-crash', ['detector=heartbeat', 'heartbeatTimeoutMicros=100ms'])).toBe('--set heartbeatTimeoutMicros=100ms must be above heartbeatIntervalMicros=100ms (a timeout within one interval declares every member dead between two heartbeats)');
    expect(refuse('fd-crash', ['pingTimeoutMicros=200ms'])).toBe('--set pingTimeoutMicros=200ms must be below protocolPeriodMicros=200ms (indirect probes need the rest of the period)');
  });

  it('swim-large with another detector', () => {
    expect(refuse('swim-large', ['detector=heartbeat'])).toBe('--set detector=heartbeat: swim-large runs swim only (all-to-all heartbeats among 512 members would send 2.6 million messages a second)');
  });
});
