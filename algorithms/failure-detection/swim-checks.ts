// SWIM's own rules, judged from what the run shows rather than from any member's configuration: a
// suspicion a member raises from its own probe comes after its ping-reqs (§3), and a suspicion becomes a
// death no sooner than the suspicion timeout prescribed for the cluster size (§4.2, memberlist/Lifeguard).
// Sound under any fault the engine injects (crashes, restarts, pauses, partitions, loss, clock skew and drift).

import type { Checker, RunView } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros, type Micros } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';
import { ClockReplays } from './clock-replay.js';
import type { FdFact } from './facts.js';

/** One viewer life's view of the others: each member's status, and how many it holds alive. */
class AliveTable {
  readonly status = new Map<NodeId, string>();
  alive = 0;
  constructor(readonly crashes: number) {}

  set(member: NodeId, status: string): void {
    const before = this.status.get(member);
    if (before === 'alive') this.alive--;
    if (status === 'alive') this.alive++;
    this.status.set(member, status);
  }

  /** Members other than `target` held alive: those a ping-req could go to. */
  couldAsk(target: NodeId): number {
    return this.alive - (this.status.get(target) === 'alive' ? 1 : 0);
  }
}

/** The probe a member sent last from a timer (its current protocol period's), and the least help it could have asked since. */
interface OpenProbe {
  readonly target: NodeId;
  readonly seq: number;
  couldAskMin: number;
}

/** Options of {@link swimIndirectProbes}. */
export interface IndirectProbesOptions {
  /** k: the scenario's ping-req fan-out (its `indirectProbes` parameter). */
  readonly indirectProbes: number;
}

/**
 * always (SWIM §3): a member that suspects a target because its own probe failed has first sent
 * ping-reqs about that probe to min(k, members it could ask) distinct others, where "could ask" is the
 * fewest members other than the target it held alive at any moment from the probe's ping to the
 * suspicion (so a view that shrank meanwhile is never held against it).
 *
 * Read from trace events, not from a member's own account: a ping a member sends from a timer handler
 * is its probe (relayed pings and answers are sent from message handlers); the ping-req messages it
 * sends carry that probe's seq; a `suspect` view reported from a timer handler is a suspicion of its own
 * (gossiped suspicions arrive in message handlers). A ping to a member held dead (gossip to the dead)
 * also comes from a timer; it is never followed by an own suspicion of that member, so it is harmless.
 */
export function swimIndirectProbes(options: IndirectProbesOptions): Checker<FdFact> {
  const k = options.indirectProbes;
  const tables = new Map<NodeId, AliveTable>();
  const probes = new Map<NodeId, OpenProbe>();
  /** (member, probe seq) → helpers a ping-req went to, for the member's current probe only. */
  const helpers = new Map<NodeId, Set<NodeId>>();
  /** The handler now running: its node, and whether a timer (not a message or a start) woke it. */
  let handlerNode: NodeId | undefined;
  let handlerIsTimer = false;

  const table = (viewer: NodeId, run: RunView): AliveTable => {
    const crashes = run.crashCount(viewer);
    let t = tables.get(viewer);
    if (t === undefined || t.crashes !== crashes) {
      t = new AliveTable(crashes);
      tables.set(viewer, t);
      probes.delete(viewer);
      helpers.delete(viewer);
    }
    return t;
  };

  return {
    name: 'swim-indirect-probes',
    kind: 'always',
    description: 'a member suspects the target of its own failed probe only after sending ping-reqs about it to min(k, members it could ask) others (SWIM §3)',
    onEvent(event: TraceEvent, run: RunView) {
      switch (event.type) {
        case 'timer':
          handlerNode = event.node;
          handlerIsTimer = true;
          return;
        case 'deliver':
          handlerNode = event.to;
          handlerIsTimer = false;
          return;
        case 'start':
        case 'restart':
          handlerNode = event.node;
          handlerIsTimer = false;
          return;
        case 'send': {
          const msg = event.msg as { readonly type?: string; readonly seq?: number; readonly target?: NodeId };
          if (msg.type === 'ping' && handlerIsTimer && handlerNode === event.from) {
            const t = table(event.from, run);
            probes.set(event.from, { target: event.to, seq: msg.seq!, couldAskMin: t.couldAsk(event.to) });
            helpers.set(event.from, new Set());
          } else if (msg.type === 'ping-req') {
            const probe = probes.get(event.from);
            if (probe !== undefined && probe.seq === msg.seq && probe.target === msg.target && event.to !== probe.target) helpers.get(event.from)!.add(event.to);
          }
          return;
        }
        case 'observe':
          return judge(event.node, event.fact as FdFact, run);
        default:
          return;
      }
    },
    verdict: () => ({ ok: true }),
  };

  function judge(viewer: NodeId, fact: FdFact, run: RunView): string | void {
    if (fact.type !== 'member' && fact.type !== 'members-alive') return;
    const t = table(viewer, run);
    if (fact.type === 'members-alive') {
      for (const member of fact.members) t.set(member, 'alive');
    } else t.set(fact.member, fact.status);
    const probe = probes.get(viewer);
    if (probe !== undefined) probe.couldAskMin = Math.min(probe.couldAskMin, t.couldAsk(probe.target));
    // Only a suspicion raised from a timer handler (the end of a protocol period, or a ping timeout) is the member's own.
    if (fact.type !== 'member' || fact.status !== 'suspect' || !handlerIsTimer || handlerNode !== viewer) return;
    if (probe === undefined || probe.target !== fact.member) return; // not the target of its probe: nothing to judge
    const needed = Math.min(k, Math.max(0, probe.couldAskMin));
    const sent = helpers.get(viewer)!.size;
    // Invariant (SWIM §3): no suspicion from a missed direct ack alone; k others must have been asked.
    if (sent < needed) {
      return `${viewer} suspected ${fact.member} (incarnation ${fact.incarnation}) from its own probe (seq ${probe.seq}) after ping-reqs to ${sent} member(s); it held ${probe.couldAskMin} other(s) alive throughout, so it owed min(k=${k}, ${probe.couldAskMin}) = ${needed}`;
    }
  }
}

/** Options of {@link swimSuspicionTimeout}. */
export interface SuspicionTimeoutOptions {
  /** The cluster size n (every member knows every other). */
  readonly nodeCount: number;
  /** The protocol period T'. */
  readonly protocolPeriodMicros: Micros;
  /** The scenario's suspicion multiplier. */
  readonly suspicionMultiplier: number;
}

/**
 * Rounding the engine and the member may do, at most: a timer's true span is rounded up, a clock reading
 * down, and the member rounds its timeouts to whole microseconds.
 */
export const SUSPICION_SLACK_MICROS = 2;

/** The shortest suspicion timeout SWIM allows for n members: suspicionMultiplier × max(1, log10 n) × T'. */
export function suspicionTimeoutMinMicros(options: SuspicionTimeoutOptions): number {
  return options.suspicionMultiplier * Math.max(1, Math.log10(options.nodeCount)) * options.protocolPeriodMicros;
}

/** A suspicion a viewer holds: which incarnation, since when (true time), in which life of the viewer. */
interface Held {
  readonly incarnation: number;
  readonly sinceMicros: Micros;
  readonly crashes: number;
}

/**
 * always (SWIM §4.2; memberlist and Lifeguard's minimum): a suspicion is confirmed dead no sooner than
 * suspicionMultiplier × max(1, log10 n) × T' after it began, measured on the confirming member's own
 * clock. Lifeguard starts higher and only comes down to that minimum as independent confirmations
 * arrive; local health stretches it; so the minimum bounds every correct member.
 *
 * Judged at the origin of each death: the first `dead` view of (member, incarnation) reported anywhere in
 * the run can only be a member's own suspicion expiring (nobody else had the news to gossip), and it is
 * measured from that member's `suspect` view of the same incarnation, in the same life. Its clock is
 * replayed from the fault entries: over a true span Δ in which its clock ran at most p ppm fast and
 * jumped forward by J in all, its timers cannot have counted more than Δ × (1 + p/10⁶) + J (a
 * confirmation restarts the remaining time from a clock reading, so a forward jump can shorten it).
 * The bound comes from the scenario's n, T' and multiplier, never from the member's configuration.
 */
export function swimSuspicionTimeout(options: SuspicionTimeoutOptions): Checker<FdFact> {
  const minMicros = suspicionTimeoutMinMicros(options);
  const clocks = new ClockReplays();
  const held = new Map<string, Held>();
  const confirmed = new Set<string>();
  return {
    name: 'swim-suspicion-timeout',
    kind: 'always',
    description: `a suspicion is confirmed dead no sooner than suspicionMultiplier × max(1, log10 n) × T' (${formatMicros(Math.ceil(minMicros))} here) after it began, on the confirming member's clock (SWIM §4.2)`,
    onFault(fault: FaultEntry | null, run) {
      clocks.apply(fault, run.now);
    },
    onObservation(viewer, fact, run) {
      if (fact.type !== 'member') return;
      const key = `${viewer}>${fact.member}`;
      if (fact.status === 'suspect') {
        held.set(key, { incarnation: fact.incarnation, sinceMicros: run.now, crashes: run.crashCount(viewer) });
        return;
      }
      if (fact.status !== 'dead') return;
      const origin = `${fact.member}@${fact.incarnation}`;
      if (confirmed.has(origin)) return; // gossip of a death confirmed before
      confirmed.add(origin);
      const since = held.get(key);
      if (since === undefined || since.incarnation !== fact.incarnation || since.crashes !== run.crashCount(viewer)) {
        return `${viewer} was the first to declare ${fact.member} dead at incarnation ${fact.incarnation} without suspecting that incarnation first in this life`;
      }
      const c = clocks.of(viewer);
      const elapsed = run.now - since.sinceMicros;
      const ppm = c.fastestPpm(since.sinceMicros, run.now);
      const counted = elapsed * (1 + ppm / 1_000_000) + c.jumpedMicros(since.sinceMicros, run.now);
      // Invariant (SWIM §4.2): the suspicion timeout grows with log n, so that refutations can spread first.
      if (counted < minMicros - SUSPICION_SLACK_MICROS) {
        return `${viewer} declared ${fact.member} dead (incarnation ${fact.incarnation}) ${formatMicros(elapsed)} after suspecting it (at most ${formatMicros(Math.floor(counted))} on its clock), below the suspicion timeout ${formatMicros(Math.ceil(minMicros))} = ${options.suspicionMultiplier} × max(1, log10 ${options.nodeCount}) × ${formatMicros(options.protocolPeriodMicros)}`;
      }
    },
    verdict: () => ({ ok: true }),
  };
}
