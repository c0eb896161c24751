// The no-route-to-down checker in a real run: a balancer whose health view reports a crashed backend
// down (the lb-health fact) but still offers it to the policy — a health view with a bug the balancer's
// own assertion cannot see, as the view also answers `up` for it — is caught by the checker.
import { describe, expect, it } from 'vitest';
import { Backend } from '../../algorithms/load-balancing/backend.js';
import { Balancer, defaultBalancerParts } from '../../algorithms/load-balancing/balancer.js';
import { lbBugs } from '../../algorithms/load-balancing/bugs.js';
import { lbCheckers } from '../../algorithms/load-balancing/checks.js';
import { Client } from '../../algorithms/load-balancing/client.js';
import type { BalancerConfig, ClientConfig } from '../../algorithms/load-balancing/config.js';
import type { HealthView } from '../../algorithms/load-balancing/parts.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import type { NodeSpec } from '../../sim/process.js';
import type { Scenario } from '../../sim/scenario.js';
import { QUIET_NETWORK } from '../helpers.js';

const BACKENDS = ['b1', 'b2', 'b3'];
const bugs = lbBugs.none;

/** A health view that says what the real one says, but offers every backend and calls each up. */
function forgetful(real: HealthView): HealthView {
  const all = BACKENDS.map((_, i) => i);
  return {
    onProbe: (b, passed, now) => real.onProbe(b, passed, now),
    onOutcome: (b, status, now) => real.onOutcome(b, status, now),
    onInterval: (now) => real.onInterval(now),
    nextDueMicros: () => real.nextDueMicros(),
    eligible: () => ({ backends: all, panic: false }),
    state: () => 'up',
  };
}

function scenario(lying: boolean): Scenario {
  const balancer: BalancerConfig = {
    backends: BACKENDS.map((id) => ({ id, weight: 1 })), policy: 'round-robin',
    healthCheck: { intervalMicros: 100_000, timeoutMicros: 50_000, unhealthyThreshold: 2, healthyThreshold: 2 },
    outlier: null, panicThresholdRatio: 0, ewmaDecayMicros: 1_000_000, ringPointsPerBackend: 10, upstreamTimeoutMicros: 200_000, bugs,
  };
  const client: ClientConfig = {
    workload: { kind: 'open', ratePerSecond: 200 }, keys: 10, attemptTimeoutMicros: 300_000,
    retry: { maxAttempts: 1, backoffMicros: 0, budgetRatio: 0, budgetWindowMicros: 1_000_000, budgetMinPerSecond: 0 },
    route: { kind: 'central', balancer: 'lb' }, bugs,
  };
  const makeParts = lying ? (c: BalancerConfig) => { const real = defaultBalancerParts(c); return { policy: real.policy, health: forgetful(real.health) }; } : defaultBalancerParts;
  return {
    name: 'lb-route-toy', description: 'a central balancer over three backends, b2 crashing', algorithm: 'toy', defaultNemesis: 'scenario',
    defaultNodes: 5, minNodes: 5, maxNodes: 5, defaultDurationMicros: 2_000_000, params: [], bugs: [],
    build: () => ({
      nodes: [
        { id: 'c1', role: 'client', create: () => new Client(client) },
        { id: 'lb', role: 'balancer', create: () => new Balancer(balancer, makeParts) },
        ...BACKENDS.map((id) => ({ id, role: 'backend', create: () => new Backend({ workers: 2, concurrencyMax: Infinity, service: { kind: 'constant', micros: 1_000 }, speed: 1, sampleIntervalMicros: 0, bugs }) })),
      ] as NodeSpec[],
      network: QUIET_NETWORK, recoveryMicrosMax: 2_000_000, nemesisTargets: { roles: ['backend'] },
      checkers: lbCheckers({ requestMicrosMax: 1_000_000, backendCount: 3, panicThresholdRatio: 0, windowMicros: 500_000, objectiveRatio: 0.5, minRequests: 5 }) as never,
      script: () => [{ at: 500_000, kind: 'crash', node: 'b2' }, { at: 1_500_000, kind: 'restart', node: 'b2' }],
    }),
  };
}

describe('no-route-to-down on the engine', () => {
  it('passes with the real health view, and fails when the view offers a backend it reported down', () => {
    const honest = executeRun(prepareRun({ scenario: scenario(false), seed: 1 }));
    expect(honest.checks.filter((c) => !c.ok)).toEqual([]);
    const lying = executeRun(prepareRun({ scenario: scenario(true), seed: 1 }));
    const check = lying.checks.find((c) => c.name === 'no-route-to-down');
    expect(check?.ok).toBe(false);
    expect(check?.message).toMatch(/lb routed a request to b2, which it holds down/);
  });
});
