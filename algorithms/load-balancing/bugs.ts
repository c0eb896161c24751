// The load balancers' planted bugs, declared once: each switches one rule off in one part (the part it
// changes is named beside it). Every part reads them as booleans (`config.bugs.leakOnTimeout`), set once
// when its configuration is built.

import { defineBugs, type ActiveBugs } from '../../sim/scenario.js';

export const lbBugs = defineBugs('lb', {
  /** Least outstanding requests: a request that times out never gives back its slot in the backend's count. */
  leakOnTimeout: {
    name: 'lb/least-outstanding-leak',
    description: 'least outstanding requests: a request that times out is never taken off its backend\'s outstanding count, so a backend that once was slow looks busy for ever and starves',
    exposedBy: ['lb-slow-backend'],
  },
  /** Active health checks: a backend marked down is marked up again on its first passing check. */
  ignoreHealthyThreshold: {
    name: 'lb/health-first-success-up',
    description: 'active health checks mark a down backend up on its first passing check, ignoring the healthy threshold, so a flaky backend flaps in and out',
    exposedBy: ['lb-flaky-backend'],
  },
  /** Outlier detection: an ejected backend is never re-admitted. */
  neverReadmit: {
    name: 'lb/outlier-never-readmits',
    description: 'outlier ejection never re-admits a backend, so each transient error burst removes capacity for good',
    exposedBy: ['lb-fail-fast'],
  },
  /** Smooth weighted round robin: a backend that comes back is given weight 1, not its configured weight. */
  wrrForgetsWeights: {
    name: 'lb/wrr-forgets-weights',
    description: 'smooth weighted round robin gives a backend that comes back weight 1 instead of its configured weight, so a heterogeneous fleet is balanced as if it were uniform',
    exposedBy: ['lb-backend-crash'],
  },
  /** Client retries: every failed or timed-out attempt is retried up to the maximum, with no budget. */
  retryNoBudget: {
    name: 'lb/retry-no-budget',
    description: 'clients retry every failed or timed-out attempt up to the maximum with no retry budget, so an outage turns into a retry storm that keeps the fleet overloaded after it heals',
    exposedBy: ['lb-overload'],
  },
});

/** Which of the load balancers' planted bugs are on. */
export type LbBugs = ActiveBugs<keyof typeof lbBugs.names>;
