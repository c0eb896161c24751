// The phi accrual failure detector (Hayashibara, Défago, Yared & Katayama 2004), over all-to-all
// heartbeats, with the knobs production systems expose (Akka's PhiAccrualFailureDetector, Cassandra):
// threshold, window size (max-sample-size), minimum standard deviation, acceptable heartbeat pause and
// first-heartbeat estimate. Assumes local clocks at about the true rate; the pure math is in phi.ts.
//
// How it works (the paper's §3): instead of a yes/no timeout, each member keeps, per peer, a sliding
// window of the heartbeat inter-arrival times, fits a normal distribution to it, and computes
//   phi(t_now) = −log10(P_later(t_now − T_last)),
// where T_last is the last arrival and P_later(t) the probability that a heartbeat comes later than t
// after the previous one. phi = 1 means a 10% chance the suspicion is wrong, 2 a 1% chance, 8 one in 10^8.
// Every check interval, a peer whose phi exceeds the threshold is declared dead; its next heartbeat
// makes it alive again (same incarnation), or a higher incarnation says it restarted.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { PhiAccrualConfig } from './config.js';
import type { FdFact, MemberStatus } from './facts.js';
import { bootIncarnation, sendHeartbeats, type HeartbeatMessage } from './heartbeat-messages.js';
import { IntervalWindow, phi, seededIntervalWindow } from './phi.js';

export type { PhiAccrualConfig } from './config.js';
export type { HeartbeatMessage } from './heartbeat-messages.js';

type PhiContext = Context<HeartbeatMessage, FdFact>;

/** One member's view of one peer. `unknown`: not heard from since this member booted. */
interface PeerView {
  status: 'unknown' | Exclude<MemberStatus, 'suspect' | 'left'>;
  /** The peer's boot count as last heard (0: never heard). */
  incarnation: number;
  /** Local time of the last heartbeat (T_last), or this member's boot time if never heard. */
  lastArrivalMicros: Micros;
  /** The sampled inter-arrival times (the paper's sliding window of size WS). */
  readonly window: IntervalWindow;
}

const HEARTBEAT_TIMER = 'heartbeat';
const CHECK_TIMER = 'phi';

/** A member of the phi accrual detector: sends heartbeats to every peer and judges each peer by its phi. */
export class PhiAccrualDetector implements Process<HeartbeatMessage, FdFact> {
  private incarnation = 0;
  private seq = 0;
  private readonly views = new Map<NodeId, PeerView>();

  constructor(private readonly config: PhiAccrualConfig) {
    assert(Number.isSafeInteger(config.intervalMicros) && config.intervalMicros > 0, `phi accrual: intervalMicros must be a positive integer, got ${config.intervalMicros}`);
    assert(Number.isSafeInteger(config.checkIntervalMicros) && config.checkIntervalMicros > 0, `phi accrual: checkIntervalMicros must be a positive integer, got ${config.checkIntervalMicros}`);
    assert(config.threshold > 0 && Number.isFinite(config.threshold), `phi accrual: threshold must be a positive number, got ${config.threshold}`);
    assert(Number.isInteger(config.windowSize) && config.windowSize >= 1, `phi accrual: windowSize must be a positive integer, got ${config.windowSize}`);
    assert(config.minStdDeviationMicros >= 0, `phi accrual: minStdDeviationMicros must be ≥ 0, got ${config.minStdDeviationMicros}`);
    assert(config.acceptablePauseMicros >= 0, `phi accrual: acceptablePauseMicros must be ≥ 0, got ${config.acceptablePauseMicros}`);
    assert(config.firstHeartbeatEstimateMicros > 0, `phi accrual: firstHeartbeatEstimateMicros must be positive, got ${config.firstHeartbeatEstimateMicros}`);
  }

  onStart(ctx: PhiContext): void {
    // The boot count is synced before the first heartbeat carries it.
    this.incarnation = bootIncarnation(ctx);
    const now = ctx.now();
    // Beyond the paper: a peer never heard from is judged as if a heartbeat had come at our boot, so a
    // member that boots while another is down still declares it dead (at incarnation 0).
    for (const peer of ctx.peers) {
      this.views.set(peer, { status: 'unknown', incarnation: 0, lastArrivalMicros: now, window: this.seededWindow() });
    }
    this.heartbeat(ctx);
    // Beyond the paper (which evaluates phi whenever asked): phi is evaluated on a timer, whose first
    // firing is at a random phase so that checks do not fall in lockstep with the heartbeats of members
    // that booted together (a check grid aligned with arrivals would never see a heartbeat late).
    ctx.setTimer(CHECK_TIMER, ctx.rng.int(1, this.config.checkIntervalMicros));
  }

  /** The window before any interval is measured: seeded with the first-heartbeat estimate (phi.ts). */
  private seededWindow(): IntervalWindow {
    return seededIntervalWindow(this.config.windowSize, this.config.firstHeartbeatEstimateMicros);
  }

  onTimer(ctx: PhiContext, name: string): void {
    if (name === HEARTBEAT_TIMER) this.heartbeat(ctx);
    else if (name === CHECK_TIMER) this.check(ctx);
  }

  onMessage(ctx: PhiContext, from: NodeId, msg: HeartbeatMessage): void {
    if (msg.type !== 'heartbeat') return;
    const view = this.views.get(from);
    if (view === undefined) return; // not a member we watch
    // A heartbeat of an earlier boot, overtaken by the peer's restart: it says nothing about the peer now.
    if (msg.incarnation < view.incarnation) return;
    const now = ctx.now();
    // Sample the inter-arrival time, except when it is not one: the first heartbeat since our boot, the
    // first of a new incarnation, or (beyond the paper, as Akka does) a gap that already made phi cross
    // the threshold: an outage is not a heartbeat interval, and would teach the window to wait for outages.
    const sampled = view.status !== 'unknown' && msg.incarnation === view.incarnation && this.phiOf(view, now) <= this.config.threshold;
    // A local clock that jumped back since the last arrival gives no negative interval: it counts as 0.
    if (sampled) view.window.add(Math.max(0, now - view.lastArrivalMicros));
    view.lastArrivalMicros = now;
    if (view.status !== 'alive' || msg.incarnation > view.incarnation) {
      view.status = 'alive';
      view.incarnation = msg.incarnation;
      this.report(ctx, from, view);
    }
  }

  /** Sends this interval's heartbeat to every peer and sets the next. */
  private heartbeat(ctx: PhiContext): void {
    sendHeartbeats(ctx, this.incarnation, this.seq++);
    ctx.setTimer(HEARTBEAT_TIMER, this.config.intervalMicros);
  }

  /** Every check interval: a peer whose phi exceeds the threshold is declared dead. */
  private check(ctx: PhiContext): void {
    const now = ctx.now();
    for (const [peer, view] of this.views) {
      if (view.status === 'dead') continue;
      if (this.phiOf(view, now) > this.config.threshold) {
        view.status = 'dead';
        this.report(ctx, peer, view);
      }
    }
    ctx.setTimer(CHECK_TIMER, this.config.checkIntervalMicros);
  }

  /**
   * phi of a peer at local time `now`: the window's mean plus the acceptable pause, and its deviation
   * floored at the minimum (planted bug fd/phi-no-min-std-deviation: no floor).
   */
  private phiOf(view: PeerView, now: Micros): number {
    const meanMicros = view.window.mean + this.config.acceptablePauseMicros;
    const fitted = view.window.stdDeviation;
    const stdMicros = this.config.bugs.noMinStdDeviation ? fitted : Math.max(fitted, this.config.minStdDeviationMicros);
    return phi(now - view.lastArrivalMicros, meanMicros, stdMicros);
  }

  /** phi of `peer` at local time `nowMicros` (for tests and reports); undefined for a member we do not watch. */
  phiAt(peer: NodeId, nowMicros: Micros): number | undefined {
    const view = this.views.get(peer);
    return view === undefined ? undefined : this.phiOf(view, nowMicros);
  }

  private report(ctx: PhiContext, peer: NodeId, view: PeerView): void {
    // Invariant: a member never reports a view of itself.
    assert(peer !== ctx.self, `${ctx.self}: a member never reports a view of itself`);
    assert(view.status !== 'unknown', 'phi accrual: an unknown peer has no view to report');
    ctx.observe({ type: 'member', member: peer, status: view.status, incarnation: view.incarnation });
  }

  /** This member's incarnation and heartbeat counter, and its view of each peer (`alive/2`, `dead/1`, `unknown/0`). */
  inspect(): { readonly incarnation: number; readonly seq: number; readonly peers: Readonly<Record<NodeId, string>> } {
    const peers: Record<NodeId, string> = {};
    for (const [peer, view] of this.views) peers[peer] = `${view.status}/${view.incarnation}`;
    return { incarnation: this.incarnation, seq: this.seq, peers };
  }
}
