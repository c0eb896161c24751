// Fixed-timeout heartbeats, all to all: the textbook failure detector. Every interval each member sends
// a heartbeat to every peer; a member not heard from for the timeout is declared dead, and alive again
// as soon as it is heard from (a dead declaration here is a suspicion that can be wrong, not a verdict).
//
// How it works: each member keeps, per peer, when it last heard from it (its local clock), the peer's
// incarnation (boot count, carried in its heartbeats) and its status. One timer, `timeout`, is set for
// the earliest deadline (last heard + timeout) among peers not yet declared dead; when it fires, every
// peer past its deadline is declared dead and the timer is set for the next deadline. A heartbeat only
// records the time (and reports `alive` if the view changes), so a heartbeat costs no timer operation.
//
// Assumes: local clocks that run at about the true rate (a drifting clock stretches or shrinks the
// timeout), and a timeout longer than the interval plus the network's delay and jitter; otherwise
// false deaths are expected, and measured, not prevented.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { HeartbeatConfig } from './config.js';
import type { FdFact, MemberStatus } from './facts.js';
import { bootIncarnation, sendHeartbeats, type HeartbeatMessage } from './heartbeat-messages.js';

export type { HeartbeatConfig } from './config.js';
export type { HeartbeatMessage } from './heartbeat-messages.js';

type HeartbeatContext = Context<HeartbeatMessage, FdFact>;

/** One member's view of one peer. `unknown`: not heard from since this member booted. */
interface PeerView {
  status: 'unknown' | Exclude<MemberStatus, 'suspect' | 'left'>;
  /** The peer's boot count as last heard (0: never heard). */
  incarnation: number;
  /** Local time the peer was last heard from, or this member's boot time if never. */
  lastHeardMicros: Micros;
}

const HEARTBEAT_TIMER = 'heartbeat';
const TIMEOUT_TIMER = 'timeout';

/** A member of the all-to-all fixed-timeout heartbeat detector. */
export class HeartbeatDetector implements Process<HeartbeatMessage, FdFact> {
  /** The timeout in force: the configured one, or (planted bug) half the interval when that is shorter. */
  readonly timeoutMicros: Micros;
  private incarnation = 0;
  private seq = 0;
  private readonly views = new Map<NodeId, PeerView>();
  /** Local time the `timeout` timer fires, or null when it is not set (every peer declared dead). */
  private timeoutDueMicros: Micros | null = null;

  constructor(private readonly config: HeartbeatConfig) {
    assert(Number.isSafeInteger(config.intervalMicros) && config.intervalMicros > 0, `heartbeat: intervalMicros must be a positive integer, got ${config.intervalMicros}`);
    assert(Number.isSafeInteger(config.timeoutMicros) && config.timeoutMicros > 0, `heartbeat: timeoutMicros must be a positive integer, got ${config.timeoutMicros}`);
    // Planted bug fd/heartbeat-timeout-below-interval: the timeout in force is min(timeout, interval / 2),
    // so every peer's deadline passes between two of its heartbeats.
    this.timeoutMicros = config.bugs.timeoutBelowInterval
      ? Math.min(config.timeoutMicros, Math.max(1, Math.floor(config.intervalMicros / 2)))
      : config.timeoutMicros;
  }

  onStart(ctx: HeartbeatContext): void {
    // The boot count is synced before the first heartbeat carries it.
    this.incarnation = bootIncarnation(ctx);
    const now = ctx.now();
    // A peer never heard from is judged from our boot: one that stays silent is declared dead (at
    // incarnation 0) after a timeout, so a member that boots while another is down still detects it.
    for (const peer of ctx.peers) this.views.set(peer, { status: 'unknown', incarnation: 0, lastHeardMicros: now });
    this.heartbeat(ctx);
    if (ctx.peers.length > 0) this.setTimeoutTimer(ctx, now + this.timeoutMicros);
  }

  onTimer(ctx: HeartbeatContext, name: string): void {
    if (name === HEARTBEAT_TIMER) this.heartbeat(ctx);
    else if (name === TIMEOUT_TIMER) this.expire(ctx);
  }

  onMessage(ctx: HeartbeatContext, from: NodeId, msg: HeartbeatMessage): void {
    if (msg.type !== 'heartbeat') return;
    const view = this.views.get(from);
    if (view === undefined) return; // not a member we watch
    // A heartbeat of an earlier boot, overtaken by the peer's restart: it says nothing about the peer now.
    if (msg.incarnation < view.incarnation) return;
    const now = ctx.now();
    view.lastHeardMicros = now;
    if (view.status !== 'alive' || msg.incarnation > view.incarnation) {
      // First heard, heard again after a death (same incarnation: it was never down, or we were wrong),
      // or a higher incarnation: it restarted.
      view.status = 'alive';
      view.incarnation = msg.incarnation;
      this.report(ctx, from, view);
    }
    // The timer covers every peer not declared dead; one that comes back needs it set again.
    if (this.timeoutDueMicros === null) this.setTimeoutTimer(ctx, now + this.timeoutMicros);
  }

  /** Sends this interval's heartbeat to every peer and sets the next. */
  private heartbeat(ctx: HeartbeatContext): void {
    sendHeartbeats(ctx, this.incarnation, this.seq++);
    ctx.setTimer(HEARTBEAT_TIMER, this.config.intervalMicros);
  }

  /** The `timeout` timer: declares dead every peer past its deadline, then waits for the next deadline. */
  private expire(ctx: HeartbeatContext): void {
    const now = ctx.now();
    this.timeoutDueMicros = null;
    let nextDueMicros = Infinity;
    for (const [peer, view] of this.views) {
      if (view.status === 'dead') continue;
      const dueMicros = view.lastHeardMicros + this.timeoutMicros;
      if (dueMicros <= now) {
        view.status = 'dead';
        this.report(ctx, peer, view);
      } else if (dueMicros < nextDueMicros) {
        nextDueMicros = dueMicros;
      }
    }
    if (nextDueMicros !== Infinity) this.setTimeoutTimer(ctx, nextDueMicros);
  }

  private setTimeoutTimer(ctx: HeartbeatContext, dueMicros: Micros): void {
    const now = ctx.now();
    assert(dueMicros > now, `heartbeat: the timeout timer must be set for the future (due ${dueMicros}, now ${now})`);
    this.timeoutDueMicros = dueMicros;
    ctx.setTimer(TIMEOUT_TIMER, dueMicros - now);
  }

  private report(ctx: HeartbeatContext, peer: NodeId, view: PeerView): void {
    // Invariant: a member never reports a view of itself.
    assert(peer !== ctx.self, `${ctx.self}: a member never reports a view of itself`);
    assert(view.status !== 'unknown', 'heartbeat: an unknown peer has no view to report');
    ctx.observe({ type: 'member', member: peer, status: view.status, incarnation: view.incarnation });
  }

  /** This member's incarnation and heartbeat counter, and its view of each peer (`alive/2`, `dead/1`, `unknown/0`). */
  inspect(): { readonly incarnation: number; readonly seq: number; readonly peers: Readonly<Record<NodeId, string>> } {
    const peers: Record<NodeId, string> = {};
    for (const [peer, view] of this.views) peers[peer] = `${view.status}/${view.incarnation}`;
    return { incarnation: this.incarnation, seq: this.seq, peers };
  }
}
