// The heartbeat-based detectors on the real engine, in a small hand-built cluster (8 members, 60 s,
// interval 100 ms, latency 1 ms + up to 4 ms of jitter): a crashed member is declared dead by every other
// within the timeout plus an interval, nobody is declared dead falsely, and each planted bug shows itself:
// fd/heartbeat-timeout-below-interval kills everyone between heartbeats, fd/phi-no-min-std-deviation
// turns jitter the window has not seen into false deaths.
import { describe, expect, it } from 'vitest';
import { seconds, ms } from '../../sim/time.js';
import {
  crashOf, detectionTimes, falseDeaths, heartbeatConfig, heartbeatMembers, NETWORKS, phiConfig, phiMembers, runCluster,
} from './fd-heartbeat-harness.js';

const SEEDS = [1, 2, 3, 4, 5];

describe('heartbeat detectors on the engine', () => {
  it.each([
    // The last heartbeat arrives at most 5 ms after it left, and the member is dead 500 ms later.
    { name: 'heartbeat (timeout 500ms)', create: heartbeatMembers(heartbeatConfig()), boundMicros: ms(500) + ms(100) },
    // phi crosses 8 after mean + 5.612 × 10 ms ≈ 156 ms of silence (plus a check interval, 10 ms).
    { name: 'phi (threshold 8, min std 10ms)', create: phiMembers(phiConfig()), boundMicros: ms(156) + ms(10) + ms(100) },
  ])('$name: a crashed member is declared dead by every other within the timeout plus an interval', ({ create, boundMicros }) => {
    for (const seed of SEEDS) {
      const crashed = crashOf(seed);
      const run = runCluster(create, { seed, faults: [{ at: crashed.atMicros, kind: 'crash', node: crashed.node }] });
      const times = [...detectionTimes(run, crashed).values()];
      expect(times, `seed ${seed}`).toHaveLength(7);
      for (const time of times) {
        expect(time, `seed ${seed}`).toBeDefined();
        expect(time!, `seed ${seed}`).toBeLessThanOrEqual(boundMicros);
      }
      expect(falseDeaths(run, crashed), `seed ${seed}`).toBe(0);
    }
  });

  it.each([
    { name: 'heartbeat (timeout 500ms)', create: heartbeatMembers(heartbeatConfig()) },
    { name: 'phi (threshold 8, min std 10ms)', create: phiMembers(phiConfig()) },
    { name: 'phi without the floor, under bounded jitter it has seen from the start', create: phiMembers(phiConfig('noMinStdDeviation')) },
  ])('$name: no false deaths in 60 s of 1 ms + 4 ms jitter', ({ create }) => {
    for (const seed of SEEDS) {
      const run = runCluster(create, { seed });
      // Every member is heard by every other, and never declared dead.
      expect(run.facts.filter((f) => f.fact.status === 'alive'), `seed ${seed}`).toHaveLength(8 * 7);
      expect(falseDeaths(run), `seed ${seed}`).toBe(0);
    }
  });

  it('fd/heartbeat-timeout-below-interval: every member is declared dead by every other, again and again', () => {
    const run = runCluster(heartbeatMembers(heartbeatConfig('timeoutBelowInterval')), { seed: 1, durationMicros: seconds(10) });
    const pairs = new Set(run.facts.filter((f) => f.fact.status === 'dead').map((f) => `${f.node}->${f.fact.member}`));
    expect(pairs.size).toBe(8 * 7);
    // About once per interval per pair: the timeout in force (50 ms) passes between two heartbeats.
    expect(falseDeaths(run)).toBeGreaterThan(8 * 7 * 90);
  });

  it('fd/phi-no-min-std-deviation: a steady stream fits a zero deviation, and jitter arriving later is taken for failures', () => {
    // 30 s of constant 1 ms latency (the window fills with exactly 100 ms), then 1 ms + 4 ms jitter.
    const options = (seed: number) => ({
      seed, latency: { kind: 'uniform', baseMicros: ms(1), jitterMicros: 0 } as const,
      faults: [{ at: seconds(30), kind: 'delay', latency: NETWORKS.jitter } as const],
    });
    const buggy = SEEDS.map((seed) => falseDeaths(runCluster(phiMembers(phiConfig('noMinStdDeviation')), options(seed))));
    const correct = SEEDS.map((seed) => falseDeaths(runCluster(phiMembers(phiConfig()), options(seed))));
    expect(correct).toEqual([0, 0, 0, 0, 0]);
    for (const count of buggy) expect(count).toBeGreaterThan(0);
  });

  it('fd/phi-no-min-std-deviation: under a heavy-tailed latency, the floor is what keeps phi from false deaths', () => {
    const buggy = SEEDS.map((seed) => falseDeaths(runCluster(phiMembers(phiConfig('noMinStdDeviation')), { seed, latency: NETWORKS.pareto })));
    const correct = SEEDS.map((seed) => falseDeaths(runCluster(phiMembers(phiConfig()), { seed, latency: NETWORKS.pareto })));
    expect(correct).toEqual([0, 0, 0, 0, 0]);
    for (const count of buggy) expect(count).toBeGreaterThan(10);
  });
});
