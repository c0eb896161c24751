// Measures the heartbeat-based detectors for the README: detector × setting → mean (and worst) detection
// time of one crash and false deaths per member-hour, over seeds 1..20 of an 8-member cluster, 60 s,
// interval 100 ms, on three networks (1 ms + 4 ms jitter; a Pareto tail; steady, then jitter from 20 s), crash of n3 at 30 s + a per-seed offset. Run: npx tsx test/algorithms/fd-heartbeat-measure.ts
import {
  crashOf, detectionTimes, falseDeaths, heartbeatConfig, heartbeatMembers, memberHours, NETWORKS, phiConfig, phiMembers, runCluster,
} from './fd-heartbeat-harness.js';
import { ms, seconds } from '../../sim/time.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const rows = [
  ['heartbeat', 'timeout 500ms', heartbeatMembers(heartbeatConfig())],
  ['heartbeat', 'timeout 200ms', heartbeatMembers(heartbeatConfig(undefined, { timeoutMicros: ms(200) }))],
  ['heartbeat', 'timeout 110ms', heartbeatMembers(heartbeatConfig(undefined, { timeoutMicros: ms(110) }))],
  ['heartbeat', 'fd/heartbeat-timeout-below-interval (50ms in force)', heartbeatMembers(heartbeatConfig('timeoutBelowInterval'))],
  ['phi', 'threshold 8, min std 10ms', phiMembers(phiConfig())],
  ['phi', 'threshold 3, min std 10ms', phiMembers(phiConfig(undefined, { threshold: 3 }))],
  ['phi', 'threshold 8, min std 2ms', phiMembers(phiConfig(undefined, { minStdDeviationMicros: ms(2) }))],
  ['phi', 'fd/phi-no-min-std-deviation (threshold 8)', phiMembers(phiConfig('noMinStdDeviation'))],
] as const;

console.log('| network | detector | setting | mean detection | worst detection | false deaths per member-hour | runs with a false death |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
// steady→jitter: constant 1 ms for 20 s (a window of exactly 100 ms intervals), then 1 ms + 4 ms jitter.
const networks = [
  { network: 'jitter', latency: NETWORKS.jitter, faults: [] },
  { network: 'pareto', latency: NETWORKS.pareto, faults: [] },
  { network: 'steady→jitter', latency: { kind: 'uniform', baseMicros: ms(1), jitterMicros: 0 } as const, faults: [{ at: seconds(20), kind: 'delay', latency: NETWORKS.jitter } as const] },
];
for (const { network, latency, faults } of networks) {
  for (const [detector, setting, create] of rows) {
    const detections: number[] = [];
    let deaths = 0;
    let hours = 0;
    let runsWithFalse = 0;
    for (const seed of SEEDS) {
      const crashed = crashOf(seed);
      const run = runCluster(create, { seed, latency, faults: [...faults, { at: crashed.atMicros, kind: 'crash', node: crashed.node }] });
      for (const time of detectionTimes(run, crashed).values()) detections.push(time ?? Infinity);
      const count = falseDeaths(run, crashed);
      deaths += count;
      if (count > 0) runsWithFalse++;
      hours += memberHours(run, crashed);
    }
    const mean = detections.reduce((a, b) => a + b, 0) / detections.length;
    const worst = Math.max(...detections);
    const fmt = (micros: number) => (Number.isFinite(micros) ? `${(micros / 1000).toFixed(1)} ms` : 'never');
    console.log(`| ${network} | ${detector} | ${setting} | ${fmt(mean)} | ${fmt(worst)} | ${(deaths / hours).toFixed(1)} | ${runsWithFalse}/20 |`);
  }
}
