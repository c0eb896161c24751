// SWIM: Scalable Weakly-consistent Infection-style process group Membership (Das, Gupta & Motivala 2002),
// with the Lifeguard refinements of memberlist (Dadgar, Phillips & Currey 2018) as a switch.
//
// How it works (§3): every protocol period T' a member pings one other (chosen at random, or round-robin
// over a shuffled list, §4.3). No ack within the ping timeout: it sends a ping-req to k other members,
// who ping the target on its behalf and relay the ack. No ack at all by the end of the period: the target
// is suspected (§4.2), not declared failed. A suspicion names the target's incarnation number; the
// suspect, on hearing it, refutes with a higher incarnation (Alive); unrefuted for the suspicion timeout,
// it is confirmed dead (Confirm). Membership updates travel piggybacked on ping, ack and ping-req
// (infection style, §4.1), each a bounded number of times. A member that restarts announces itself at a
// higher incarnation (kept on disk); a member that leaves spreads `left` before it goes quiet.
//
// Assumes: every member knows every other at start (`ctx.peers`); links may lose, delay and reorder.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { SwimConfig } from './config.js';
import type { FdFact } from './facts.js';
import { DisseminationQueue, overrides, retransmitLimit, type MemberView } from './swim-dissemination.js';
import type { SwimMessage, SwimUpdate } from './swim-messages.js';

export type { SwimConfig } from './config.js';
export type { SwimMessage, SwimStatus, SwimUpdate } from './swim-messages.js';
export { overrides, retransmitLimit } from './swim-dissemination.js';

/** Knobs beyond the contract's {@link SwimConfig}, all optional (memberlist's defaults otherwise). */
export interface SwimOptions {
  /** Leave gracefully this long after (each) start: the `leave` timer. Default: never. */
  readonly leaveAfterMicros?: Micros;
  /** Lifeguard: the suspicion timeout starts at this multiple of its minimum (memberlist: 6). */
  readonly suspicionMaxTimeoutMultiplier?: number;
  /** Lifeguard: the local health multiplier's ceiling (memberlist: 8). */
  readonly localHealthMax?: number;
}

/** Lifeguard's defaults, as memberlist ships them. */
export const SWIM_DEFAULTS = { suspicionMaxTimeoutMultiplier: 6, localHealthMax: 8 } as const;

/** memberlist's LAN configuration, as a {@link SwimConfig} (bugs left to the caller). */
export const SWIM_LAN_CONFIG = {
  protocolPeriodMicros: 1_000_000,
  pingTimeoutMicros: 500_000,
  indirectProbes: 3,
  targetSelection: 'round-robin',
  suspicionMultiplier: 4,
  retransmitMultiplier: 4,
  piggybackMax: 8,
  lifeguard: true,
} as const satisfies Omit<SwimConfig, 'bugs'>;

const INCARNATION_KEY = 'swim/incarnation';
/** Up to this many members held dead, the dead-ping finds the next one from their places in the probe list. */
const DEAD_PLACES_MAX = 8;
/**
 * What every member holds of every other at start: one shared (frozen) view rather than one object per
 * pair, n² of them at start (262,144 at 512 members).
 */
const ALIVE_AT_START: MemberView = Object.freeze({ status: 'alive', incarnation: 0 });
// Beyond the paper (Lifeguard §IV-A, memberlist): a ping-req member nacks at 80% of its ping timeout.
const NACK_FRACTION = 0.8;

type Ctx = Context<SwimMessage, FdFact>;

/** The probe of the current protocol period. */
interface Probe {
  readonly target: NodeId;
  readonly seq: number;
  /** The target answered (directly or through a ping-req member); the period ends well. */
  acked: boolean;
  /** The ping timeout passed without a direct ack. */
  timedOut: boolean;
  /** ping-req messages sent, and nacks received for them (Lifeguard). */
  pingReqs: number;
  nacks: number;
}

/** A ping we send on another member's behalf (we received its ping-req). */
interface Relay {
  readonly requester: NodeId;
  readonly requesterSeq: number;
  nacked: boolean;
}

/** A suspicion we hold: since when, and (Lifeguard) who independently raised it. */
interface Suspicion {
  readonly incarnation: number;
  readonly startedAtMicros: Micros;
  readonly accusers: Set<NodeId>;
}

/** What {@link SwimMember.inspect} shows. */
export interface SwimInspect {
  readonly incarnation: number;
  readonly localHealth: number;
  /** Each other member as `status/incarnation`, in a fixed order. */
  readonly view: Readonly<Record<NodeId, string>>;
  readonly leaving: boolean;
}

/** One SWIM member (see the module comment); `new SwimMember(config)` per start. */
export class SwimMember implements Process<SwimMessage, FdFact> {
  private incarnation = 0;
  /** What we hold about every other member (never about ourselves). */
  private readonly view = new Map<NodeId, MemberView>();
  /** The members `view` holds dead (so the dead-ping scan asks a small set, not the whole view). */
  private readonly dead = new Set<NodeId>();
  private readonly queue = new DisseminationQueue();
  /** Round-robin target selection (§4.3): a shuffled list of members and where we are in it. */
  private probeList: NodeId[] = [];
  private probeIndex = 0;
  private seq = 0;
  private probe: Probe | null = null;
  private readonly relays = new Map<number, Relay>();
  private readonly suspicions = new Map<NodeId, Suspicion>();
  /** Beyond the paper (Lifeguard §IV-A): the local health multiplier, 0 (healthy) … localHealthMax. */
  private localHealth = 0;
  /** Protocol periods left to spread our `left` before going quiet; null while not leaving. */
  private leavingPeriods: number | null = null;
  private stopped = false;
  /** Beyond the paper (gossip to the dead): protocol periods since we last pinged a member held dead, and where the rotation is. */
  private periodsSinceDeadPing = 0;
  private deadPingIndex = 0;
  private readonly suspicionMaxTimeoutMultiplier: number;
  private readonly localHealthMax: number;

  constructor(private readonly config: SwimConfig & SwimOptions) {
    assert(config.protocolPeriodMicros > 0, `SWIM protocol period must be positive, got ${config.protocolPeriodMicros}`);
    assert(config.pingTimeoutMicros > 0 && config.pingTimeoutMicros < config.protocolPeriodMicros, `SWIM ping timeout ${config.pingTimeoutMicros}us must be positive and below the protocol period ${config.protocolPeriodMicros}us`);
    assert(Number.isInteger(config.indirectProbes) && config.indirectProbes >= 0, `SWIM k (indirectProbes) must be a whole number ≥ 0, got ${config.indirectProbes}`);
    assert(config.suspicionMultiplier > 0, `SWIM suspicion multiplier must be positive, got ${config.suspicionMultiplier}`);
    assert(config.retransmitMultiplier >= 1, `SWIM retransmit multiplier must be at least 1, got ${config.retransmitMultiplier}`);
    assert(Number.isInteger(config.piggybackMax) && config.piggybackMax >= 1, `SWIM piggybackMax must be a whole number ≥ 1, got ${config.piggybackMax}`);
    this.suspicionMaxTimeoutMultiplier = config.suspicionMaxTimeoutMultiplier ?? SWIM_DEFAULTS.suspicionMaxTimeoutMultiplier;
    this.localHealthMax = config.localHealthMax ?? SWIM_DEFAULTS.localHealthMax;
    assert(this.suspicionMaxTimeoutMultiplier >= 1, 'SWIM suspicionMaxTimeoutMultiplier must be at least 1');
  }

  onStart(ctx: Ctx): void {
    // Each start raises the incarnation number, durably, so our announcement overrides any stale
    // Suspect or Confirm about an earlier life.
    const previous = ctx.disk.read<number>(INCARNATION_KEY);
    this.incarnation = previous === undefined ? 0 : previous + 1;
    ctx.disk.write(INCARNATION_KEY, this.incarnation);
    ctx.disk.sync();
    // §3: every member starts knowing the group, each alive at incarnation 0 (a fresh life holds no
    // other view). Reported as one fact for all n − 1, not one `member` fact each.
    assert(this.view.size === 0, 'a member starts with an empty view');
    const peers = ctx.peers;
    for (let i = 0; i < peers.length; i++) this.view.set(peers[i]!, ALIVE_AT_START);
    ctx.observe({ type: 'members-alive', members: ctx.peers, incarnation: ALIVE_AT_START.incarnation });
    this.probeList = ctx.rng.shuffle(ctx.peers);
    // A join (restart): announce ourselves alive at the new incarnation, by piggyback.
    if (previous !== undefined) this.queue.enqueue({ member: ctx.self, status: 'alive', incarnation: this.incarnation });
    // Members' protocol periods start at independent phases.
    ctx.setTimer('probe', ctx.rng.int(1, this.config.protocolPeriodMicros));
    if (this.config.leaveAfterMicros !== undefined) ctx.setTimer('leave', this.config.leaveAfterMicros);
  }

  onTimer(ctx: Ctx, name: string): void {
    if (this.stopped) return;
    if (name === 'probe') {
      this.endProtocolPeriod(ctx);
      this.startProtocolPeriod(ctx);
    } else if (name === 'ping-timeout') this.pingTimedOut(ctx);
    else if (name === 'leave') this.leave(ctx);
    else if (name.startsWith('suspicion/')) this.suspicionTimedOut(ctx, name.slice('suspicion/'.length));
    else if (name.startsWith('relay/')) this.relayTimedOut(ctx, Number(name.slice('relay/'.length)));
  }

  onMessage(ctx: Ctx, from: NodeId, msg: SwimMessage): void {
    if (this.stopped) return;
    for (const update of msg.updates) this.apply(ctx, update, from);
    switch (msg.type) {
      case 'ping':
        ctx.send(from, { type: 'ack', seq: msg.seq, updates: this.piggyback(this.deathNews(from)) });
        return;
      case 'ping-req':
        return this.relayPing(ctx, from, msg.seq, msg.target);
      case 'ack':
        return this.acked(ctx, from, msg.seq);
      case 'nack':
        if (this.probe !== null && this.probe.seq === msg.seq) this.probe.nacks++;
        return;
    }
  }

  inspect(): SwimInspect {
    const view: Record<NodeId, string> = {};
    for (const [member, v] of this.view) view[member] = `${v.status}/${v.incarnation}`;
    return { incarnation: this.incarnation, localHealth: this.localHealth, view, leaving: this.leavingPeriods !== null };
  }

  /** Graceful leave: spread `left` at our incarnation for a few protocol periods, then go quiet. */
  leave(ctx: Ctx): void {
    if (this.stopped || this.leavingPeriods !== null) return;
    // Beyond the paper (memberlist): a leave is disseminated like a Confirm, and others stop probing us.
    this.leavingPeriods = this.retransmitLimit();
    this.queue.enqueue({ member: ctx.self, status: 'left', incarnation: this.incarnation });
  }

  // ---- the protocol period (§3) ------------------------------------------------------------------

  private startProtocolPeriod(ctx: Ctx): void {
    this.probe = null;
    if (this.leavingPeriods !== null && this.leavingPeriods-- <= 0) {
      this.stopped = true;
      return;
    }
    const scale = this.localHealth + 1;
    // Beyond the paper (Lifeguard §IV-A): the protocol period stretches with the local health multiplier.
    ctx.setTimer('probe', this.config.protocolPeriodMicros * scale);
    this.pingTheDead(ctx);
    const target = this.config.targetSelection === 'random' ? this.randomTarget(ctx) : this.roundRobinTarget(ctx);
    if (target === undefined) return;
    this.probe = { target, seq: ++this.seq, acked: false, timedOut: false, pingReqs: 0, nacks: 0 };
    ctx.send(target, { type: 'ping', seq: this.probe.seq, updates: this.piggyback(this.buddy(target)) });
    // Beyond the paper (Lifeguard §IV-A): so does the ping timeout.
    ctx.setTimer('ping-timeout', this.config.pingTimeoutMicros * scale);
  }

  /** The period is over: a probe never acked, directly or indirectly, makes its target a suspect. */
  private endProtocolPeriod(ctx: Ctx): void {
    const probe = this.probe;
    if (probe === null || probe.acked) return;
    ctx.cancelTimer('ping-timeout');
    if (this.leavingPeriods !== null) return;
    // Beyond the paper (Lifeguard §IV-A): a failed probe round costs local health, one per missing nack
    // when ping-req members could have nacked (they vouch that our own messages get through), else one.
    this.changeLocalHealth(ctx, probe.pingReqs > 0 ? probe.pingReqs - probe.nacks : 1);
    this.suspect(ctx, probe.target);
  }

  private pingTimedOut(ctx: Ctx): void {
    const probe = this.probe;
    if (probe === null || probe.acked) return;
    probe.timedOut = true;
    if (this.config.bugs.noIndirectProbes) {
      // Planted bug fd/swim-no-indirect-probes: a missed direct ack is a suspicion at once.
      this.probe = null;
      if (this.leavingPeriods === null) {
        this.changeLocalHealth(ctx, 1);
        this.suspect(ctx, probe.target);
      }
      return;
    }
    // k members (other than the target), chosen at random, ping the target on our behalf.
    const helpers: NodeId[] = [];
    this.view.forEach((v, m) => {
      if (m !== probe.target && v.status === 'alive') helpers.push(m);
    });
    const chosen = helpers.length <= this.config.indirectProbes ? helpers : ctx.rng.shuffle(helpers).slice(0, this.config.indirectProbes);
    for (const helper of chosen) {
      ctx.send(helper, { type: 'ping-req', seq: probe.seq, target: probe.target, updates: this.piggyback() });
    }
    probe.pingReqs = chosen.length;
  }

  private acked(ctx: Ctx, from: NodeId, seq: number): void {
    const probe = this.probe;
    if (probe !== null && probe.seq === seq) {
      if (probe.acked) return;
      probe.acked = true;
      ctx.cancelTimer('ping-timeout');
      // Beyond the paper (Lifeguard §IV-A): a direct ack in time is evidence of our own good health.
      if (from === probe.target && !probe.timedOut) this.changeLocalHealth(ctx, -1);
      return;
    }
    const relay = this.relays.get(seq);
    if (relay === undefined) return; // a late ack for a period that is over
    this.relays.delete(seq);
    ctx.cancelTimer(`relay/${seq}`);
    ctx.send(relay.requester, { type: 'ack', seq: relay.requesterSeq, updates: this.piggyback() });
  }

  /** A ping-req: ping the target under our own sequence number, and relay its ack to the requester. */
  private relayPing(ctx: Ctx, requester: NodeId, requesterSeq: number, target: NodeId): void {
    const seq = ++this.seq;
    this.relays.set(seq, { requester, requesterSeq, nacked: false });
    ctx.send(target, { type: 'ping', seq, updates: this.piggyback() });
    const wait = this.config.lifeguard ? Math.floor(this.config.pingTimeoutMicros * NACK_FRACTION) : this.config.pingTimeoutMicros;
    ctx.setTimer(`relay/${seq}`, Math.max(1, wait));
  }

  private relayTimedOut(ctx: Ctx, seq: number): void {
    const relay = this.relays.get(seq);
    if (relay === undefined) return;
    if (this.config.lifeguard && !relay.nacked) {
      // Beyond the paper (Lifeguard §IV-A): tell the requester we did not hear from the target; a late
      // ack is still relayed until the ping timeout has passed.
      relay.nacked = true;
      ctx.send(relay.requester, { type: 'nack', seq: relay.requesterSeq, updates: this.piggyback() });
      ctx.setTimer(`relay/${seq}`, Math.max(1, this.config.pingTimeoutMicros - Math.floor(this.config.pingTimeoutMicros * NACK_FRACTION)));
      return;
    }
    this.relays.delete(seq);
  }

  /**
   * Beyond the paper (memberlist repairs this with gossip to the dead and its push-pull state sync): once
   * every retransmit-limit periods, ping one member we hold dead (in turn, in our probe list's order),
   * carrying that news. Without it, two members that declared each other dead while cut off (their
   * refutations lost with the partition) never talk again, and the views never heal. A member that is
   * really down ignores it; one that is up refutes (or, already past that incarnation, answers with its
   * Alive directly, see {@link aboutMe}). Its ack matches no probe and is ignored.
   */
  private pingTheDead(ctx: Ctx): void {
    if (++this.periodsSinceDeadPing < this.retransmitLimit()) return;
    // Nobody held dead: the scan below would find nothing and change nothing.
    if (this.dead.size === 0) return;
    const count = this.probeList.length;
    // The next member held dead in the probe list from deadPingIndex on (wrapping round), `step` places
    // on: found from the few dead members' places when they are few, else by walking the list.
    let step = count;
    if (this.dead.size <= DEAD_PLACES_MAX) {
      for (const dead of this.dead) {
        const at = this.probeList.indexOf(dead);
        if (at >= 0) step = Math.min(step, (at - this.deadPingIndex + count) % count);
      }
    } else {
      step = 0;
      while (step < count && !this.dead.has(this.probeList[(this.deadPingIndex + step) % count]!)) step++;
    }
    if (step >= count) return;
    const member = this.probeList[(this.deadPingIndex + step) % count]!;
    this.deadPingIndex = (this.deadPingIndex + step + 1) % count;
    this.periodsSinceDeadPing = 0;
    const news: SwimUpdate = { member, status: 'dead', incarnation: this.view.get(member)!.incarnation };
    ctx.send(member, { type: 'ping', seq: ++this.seq, updates: this.piggyback(news) });
  }

  // ---- probe target selection (§4.3) ----------------------------------------------------------------

  private probeable(member: NodeId): boolean {
    const status = this.view.get(member)?.status;
    return status === 'alive' || status === 'suspect';
  }

  /** The paper's §3 choice: a member picked uniformly at random. */
  private randomTarget(ctx: Ctx): NodeId | undefined {
    const candidates = [...this.view.keys()].filter((m) => this.probeable(m));
    return candidates.length === 0 ? undefined : ctx.rng.pick(candidates);
  }

  /** §4.3: walk a shuffled list; after each full traversal, shuffle it again. */
  private roundRobinTarget(ctx: Ctx): NodeId | undefined {
    // Bound: at most one full traversal plus a reshuffle before giving up (no member is probeable).
    for (let steps = 0; steps <= this.probeList.length; steps++) {
      if (this.probeIndex >= this.probeList.length) {
        this.probeList = ctx.rng.shuffle(this.probeList);
        this.probeIndex = 0;
      }
      const member = this.probeList[this.probeIndex++];
      if (member !== undefined && this.probeable(member)) return member;
    }
    return undefined;
  }

  // ---- dissemination and the suspicion mechanism (§4.1–4.2) --------------------------------------

  /** Updates for one message: the buddy update first (if any), then the least transmitted ones. */
  private piggyback(first?: SwimUpdate): readonly SwimUpdate[] {
    const limit = this.retransmitLimit();
    if (first === undefined) return this.queue.take(this.config.piggybackMax, limit);
    return [first, ...this.queue.take(this.config.piggybackMax - 1, limit)];
  }

  /** Beyond the paper (Lifeguard §IV-C, buddy system): a ping to a member we suspect tells it so at once. */
  private buddy(target: NodeId): SwimUpdate | undefined {
    if (!this.config.lifeguard) return undefined;
    const view = this.view.get(target);
    const suspicion = this.suspicions.get(target);
    // An update about the target still being gossiped goes out anyway; the buddy update is for after.
    if (view?.status !== 'suspect' || suspicion === undefined || this.queue.get(target) !== undefined) return undefined;
    const [from] = suspicion.accusers;
    return { member: target, status: 'suspect', incarnation: view.incarnation, from };
  }

  /**
   * Beyond the paper (memberlist repairs this with its push-pull state sync): a ping from a member we hold
   * dead or departed is answered with that news first, so a restarted member that the gossip of its
   * announcement missed learns it and tells us its new incarnation (see {@link aboutMe}).
   */
  private deathNews(pinger: NodeId): SwimUpdate | undefined {
    const view = this.view.get(pinger);
    if (view === undefined || (view.status !== 'dead' && view.status !== 'left') || this.queue.get(pinger) !== undefined) return undefined;
    return { member: pinger, status: view.status, incarnation: view.incarnation };
  }

  private retransmitLimit(): number {
    return retransmitLimit(this.config.retransmitMultiplier, this.view.size + 1);
  }

  /** Our own probe of `target` failed: {Suspect target, its incarnation}, raised by us. */
  private suspect(ctx: Ctx, target: NodeId): void {
    const view = this.view.get(target);
    if (view === undefined || (view.status !== 'alive' && view.status !== 'suspect')) return;
    this.apply(ctx, { member: target, status: 'suspect', incarnation: view.incarnation, from: ctx.self });
  }

  /** One membership update, received or our own: apply it if it overrides what we hold, and pass it on. */
  private apply(ctx: Ctx, update: SwimUpdate, sender?: NodeId): void {
    if (update.member === ctx.self) return this.aboutMe(ctx, update, sender);
    const current = this.view.get(update.member);
    if (update.status === 'suspect' && current?.status === 'suspect' && current.incarnation === update.incarnation) {
      return this.confirmSuspicion(ctx, update);
    }
    if (!overrides(update, current)) return;
    this.learn(ctx, update.member, update);
    this.queue.enqueue(update);
    if (update.status === 'suspect') this.startSuspicion(ctx, update);
    else this.endSuspicion(ctx, update.member);
  }

  /** An update about ourselves: a Suspect or Confirm at our incarnation (or above) is refuted (§4.2). */
  private aboutMe(ctx: Ctx, update: SwimUpdate, sender: NodeId | undefined): void {
    if (this.leavingPeriods !== null) return; // our own `left` going round, or news we no longer answer
    if (update.incarnation < this.incarnation) {
      // Beyond the paper: a stale Suspect or Confirm about us is answered by announcing our current
      // incarnation again (it rides on our very next message, often the ack to the ping that carried the
      // stale news), so a member the first refutation missed is not left to time its suspicion out.
      if (update.status === 'alive') return;
      const alive: SwimUpdate = { member: ctx.self, status: 'alive', incarnation: this.incarnation };
      this.queue.enqueue(alive);
      // A stale Confirm (or leave) comes from a member that stopped probing us: tell it directly.
      if (update.status !== 'suspect' && sender !== undefined) ctx.send(sender, { type: 'ping', seq: ++this.seq, updates: this.piggyback() }); // our Alive is the newest, least sent update: it goes first
      return;
    }
    if (update.status === 'alive' && update.incarnation === this.incarnation) return; // our own announcement
    if (this.config.bugs.noRefutation) return; // planted bug fd/swim-no-refutation: never raise the incarnation
    const before = this.incarnation;
    this.incarnation = Math.max(this.incarnation, update.incarnation) + 1;
    assert(this.incarnation > before, 'a refutation raises our incarnation number');
    ctx.disk.write(INCARNATION_KEY, this.incarnation);
    ctx.disk.sync();
    ctx.observe({ type: 'refute', incarnation: this.incarnation });
    this.queue.enqueue({ member: ctx.self, status: 'alive', incarnation: this.incarnation });
    // Beyond the paper (Lifeguard §IV-A): being suspected hints that we are the slow one.
    this.changeLocalHealth(ctx, 1);
  }

  /** Our view of `member` changes (or we first learn of it): record it and report it. */
  private learn(ctx: Ctx, member: NodeId, view: MemberView): void {
    assert(member !== ctx.self, 'a member holds no view of itself (it never declares itself dead)');
    const before = this.view.get(member);
    const known = before !== undefined;
    if (view.status === 'dead') this.dead.add(member);
    else if (before?.status === 'dead') this.dead.delete(member);
    this.view.set(member, { status: view.status, incarnation: view.incarnation });
    // §4.3: a member we did not know joins the round-robin list at a random position.
    if (!known && this.probeList.length > 0) this.probeList.splice(ctx.rng.int(0, this.probeList.length), 0, member);
    ctx.observe({ type: 'member', member, status: view.status, incarnation: view.incarnation });
  }

  private startSuspicion(ctx: Ctx, update: SwimUpdate): void {
    const suspicion: Suspicion = { incarnation: update.incarnation, startedAtMicros: ctx.now(), accusers: new Set([update.from ?? ctx.self]) };
    this.suspicions.set(update.member, suspicion);
    ctx.setTimer(`suspicion/${update.member}`, this.suspicionTimeout(0));
  }

  /** Beyond the paper (Lifeguard §IV-B): an independent suspicion of the same incarnation shortens the timeout. */
  private confirmSuspicion(ctx: Ctx, update: SwimUpdate): void {
    if (!this.config.lifeguard) return;
    const suspicion = this.suspicions.get(update.member);
    const accuser = update.from ?? ctx.self;
    if (suspicion === undefined || suspicion.accusers.has(accuser)) return;
    suspicion.accusers.add(accuser);
    const elapsed = Math.max(0, ctx.now() - suspicion.startedAtMicros);
    ctx.setTimer(`suspicion/${update.member}`, Math.max(1, this.suspicionTimeout(suspicion.accusers.size - 1) - elapsed));
    this.queue.enqueue(update); // others count it too
  }

  private endSuspicion(ctx: Ctx, member: NodeId): void {
    if (this.suspicions.delete(member)) ctx.cancelTimer(`suspicion/${member}`);
  }

  /** Unrefuted for the suspicion timeout: {Confirm member, incarnation}. */
  private suspicionTimedOut(ctx: Ctx, member: NodeId): void {
    const suspicion = this.suspicions.get(member);
    if (suspicion === undefined) return;
    this.apply(ctx, { member, status: 'dead', incarnation: suspicion.incarnation });
  }

  /**
   * The suspicion timeout after `confirmations` independent confirmations. Plain SWIM: memberlist's
   * suspicionMultiplier × max(1, log10 n) × T', fixed. Lifeguard: from a maximum (that × the max
   * multiplier) down toward it as confirmations arrive, log-scaled, k = suspicionMultiplier − 2 expected.
   */
  suspicionTimeout(confirmations: number): Micros {
    const n = this.view.size + 1;
    const scale = this.config.bugs.unscaledSuspicionTimeout ? 1 : Math.max(1, Math.log10(n)); // planted bug: ignores n
    const min = this.config.suspicionMultiplier * scale * this.config.protocolPeriodMicros;
    if (!this.config.lifeguard) return Math.round(min);
    // Beyond the paper (Lifeguard §IV-B): dynamic suspicion timeout.
    const max = this.suspicionMaxTimeoutMultiplier * min;
    const expected = n - 2 < this.config.suspicionMultiplier - 2 ? 0 : Math.max(0, this.config.suspicionMultiplier - 2);
    if (expected < 1) return Math.round(min);
    const fraction = Math.log(confirmations + 1) / Math.log(expected + 1);
    return Math.round(Math.max(min, max - fraction * (max - min)));
  }

  /** Beyond the paper (Lifeguard §IV-A): move the local health multiplier, within 0 … max. */
  private changeLocalHealth(ctx: Ctx, delta: number): void {
    if (!this.config.lifeguard || delta === 0) return;
    const next = Math.min(this.localHealthMax, Math.max(0, this.localHealth + delta));
    if (next === this.localHealth) return;
    this.localHealth = next;
    ctx.observe({ type: 'local-health', score: next });
  }
}
