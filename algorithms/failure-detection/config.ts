// The configuration of each failure detector, as its constructor takes it: plain numbers (durations in
// microseconds) and the planted bugs switched on. The scenario family (scenarios/failure-detection.ts)
// builds these from its parameters; protocol tests build them by hand. Every member runs the same
// configuration; its peers are the other members (`ctx.peers`).

import type { Micros } from '../../sim/time.js';
import type { FdBugs } from './bugs.js';

export type { FdBugs } from './bugs.js';

/** Fixed-timeout heartbeats, all to all: every member sends a heartbeat to every other each interval. */
export interface HeartbeatConfig {
  readonly intervalMicros: Micros;
  /** A member not heard from for this long is declared dead (alive again when it is heard from). */
  readonly timeoutMicros: Micros;
  readonly bugs: FdBugs;
}

/** Phi accrual (Hayashibara et al. 2004), over all-to-all heartbeats, with the knobs Akka and Cassandra expose. */
export interface PhiAccrualConfig {
  readonly intervalMicros: Micros;
  /** A member whose phi exceeds this is declared dead. */
  readonly threshold: number;
  /** Inter-arrival times kept per member (a sliding window). */
  readonly windowSize: number;
  /** Floor on the fitted standard deviation. */
  readonly minStdDeviationMicros: Micros;
  /** Added to the mean: a pause this long is tolerated without suspicion. */
  readonly acceptablePauseMicros: Micros;
  /** The inter-arrival estimate before any has been measured (the first heartbeat's). */
  readonly firstHeartbeatEstimateMicros: Micros;
  /** How often phi is evaluated (each member, for each peer). */
  readonly checkIntervalMicros: Micros;
  readonly bugs: FdBugs;
}

/** SWIM (Das, Gupta & Motivala 2002) with suspicion, incarnations and piggybacked dissemination. */
export interface SwimConfig {
  /** The protocol period T': one probe per member per period. */
  readonly protocolPeriodMicros: Micros;
  /** How long to wait for a direct ack before asking others (must be below the period). */
  readonly pingTimeoutMicros: Micros;
  /** k: members asked to ping on our behalf (ping-req) after a missed ack. */
  readonly indirectProbes: number;
  /** Probe target choice: uniformly at random (the paper), or round-robin over a shuffled list. */
  readonly targetSelection: 'random' | 'round-robin';
  /** Suspicion timeout, scaled by the cluster size as memberlist does (multiplier × log10(n) × period). */
  readonly suspicionMultiplier: number;
  /** Piggybacked updates are retransmitted retransmitMultiplier × ⌈log10(n + 1)⌉ times at most. */
  readonly retransmitMultiplier: number;
  /** Updates piggybacked per message at most. */
  readonly piggybackMax: number;
  /** Lifeguard (Dadgar et al. 2018): local health awareness, dynamic suspicion timeouts, buddy system. */
  readonly lifeguard: boolean;
  readonly bugs: FdBugs;
}
