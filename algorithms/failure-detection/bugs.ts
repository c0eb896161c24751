// The failure detectors' planted bugs, declared once: each switches one rule off in one detector (the
// function it changes is named beside it). A member reads them as booleans (`this.config.bugs.noRefutation`),
// set once when its configuration is built; a bug of one detector does nothing to the others, so a
// scenario refuses a bug that does not belong to its `detector`.

import { defineBugs, type ActiveBugs } from '../../sim/scenario.js';

export const fdBugs = defineBugs('fd', {
  /** SWIM: a member told it is suspected does not refute (never raises its incarnation). */
  noRefutation: { name: 'fd/swim-no-refutation', description: 'SWIM: a suspected member never refutes the suspicion (its incarnation never rises), so every suspicion ends in a false death', exposedBy: ['fd-partition', 'fd-lossy'] },
  /** SWIM: on a missed direct ack, suspect at once instead of asking k members to ping (ping-req). */
  noIndirectProbes: { name: 'fd/swim-no-indirect-probes', description: 'SWIM: a missed direct ack is a suspicion at once, without indirect probes through k others (false suspicions under loss)', exposedBy: ['fd-lossy'] },
  /** SWIM: the suspicion timeout does not grow with the cluster size. */
  unscaledSuspicionTimeout: { name: 'fd/swim-unscaled-suspicion', description: 'SWIM: the suspicion timeout ignores the cluster size, so in a large cluster a suspicion expires before its refutation spreads', exposedBy: ['fd-lossy'] },
  /** Phi accrual: no floor on the fitted standard deviation. */
  noMinStdDeviation: { name: 'fd/phi-no-min-std-deviation', description: 'phi accrual without a minimum standard deviation: steady heartbeats fit a near-zero deviation, and a little jitter looks like a failure', exposedBy: ['fd-crash'] },
  /** Fixed-timeout heartbeats: the timeout in force is shorter than the heartbeat interval. */
  timeoutBelowInterval: { name: 'fd/heartbeat-timeout-below-interval', description: 'fixed-timeout heartbeats whose timeout is shorter than the interval: every member is declared dead between two heartbeats', exposedBy: ['fd-crash'] },
});

/** Which of the failure detectors' planted bugs are on. */
export type FdBugs = ActiveBugs<keyof typeof fdBugs.names>;

/** The detector each planted bug belongs to. */
export const BUG_DETECTOR: Readonly<Record<keyof typeof fdBugs.names, 'swim' | 'phi' | 'heartbeat'>> = {
  noRefutation: 'swim',
  noIndirectProbes: 'swim',
  unscaledSuspicionTimeout: 'swim',
  noMinStdDeviation: 'phi',
  timeoutBelowInterval: 'heartbeat',
};
