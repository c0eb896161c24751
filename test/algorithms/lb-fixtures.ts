// Shared set-up for the load-balancing part tests: a balancer configuration with every knob at a plain
// default, and the planted bugs switched on by key.

import { lbBugs } from '../../algorithms/load-balancing/bugs.js';
import type { BalancerConfig } from '../../algorithms/load-balancing/config.js';

export type LbBugKey = keyof typeof lbBugs.names;

/** A balancer over backends b0 … b(n−1) (weights 1 unless given), no health checks, no outlier detection, no panic. */
export function balancerConfig(n: number, overrides: Partial<BalancerConfig> = {}, bug?: LbBugKey): BalancerConfig {
  return {
    backends: Array.from({ length: n }, (_, i) => ({ id: `b${i}`, weight: 1 })),
    policy: 'random',
    healthCheck: null,
    outlier: null,
    panicThresholdRatio: 0,
    ewmaDecayMicros: 10_000_000,
    ringPointsPerBackend: 100,
    upstreamTimeoutMicros: 1_000_000,
    bugs: lbBugs.active(bug === undefined ? undefined : lbBugs.names[bug]),
    ...overrides,
  };
}

/** 0 … n − 1. */
export const indexes = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
