// SWIM's pure parts against naive twins (the §4.2 override rules, the bounded piggyback queue) and its
// rules through a fake context: one probe per protocol period, round-robin over every member once per
// cycle, ping-req to exactly k, the suspicion timeout (scaled with n, or not under the planted bug; Lifeguard's
// shrinking with confirmations), Lifeguard's local health, and a graceful leave.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fdBugs } from '../../algorithms/failure-detection/bugs.js';
import type { FdFact } from '../../algorithms/failure-detection/facts.js';
import { DisseminationQueue, overrides, retransmitLimit, type MemberView } from '../../algorithms/failure-detection/swim-dissemination.js';
import { SWIM_LAN_CONFIG, SwimMember, type SwimConfig, type SwimMessage, type SwimStatus } from '../../algorithms/failure-detection/swim.js';
import { SimDisk } from '../../sim/disk.js';
import type { Context, NodeId } from '../../sim/process.js';
import { Rng } from '../../sim/rng.js';
import type { Micros } from '../../sim/time.js';

const STATUSES: readonly SwimStatus[] = ['alive', 'suspect', 'dead', 'left'];

/**
 * The naive twin: the rules written out one by one. The paper's (§4.2) first, then ours beyond it
 * (memberlist's): Confirm and left only at an incarnation at least the one held; a higher Alive revives.
 */
const RULES: readonly { readonly update: SwimStatus; readonly over: readonly SwimStatus[]; readonly when: (i: number, j: number) => boolean }[] = [
  { update: 'alive', over: ['alive', 'suspect'], when: (i, j) => i > j }, // paper
  { update: 'suspect', over: ['suspect'], when: (i, j) => i > j }, // paper
  { update: 'suspect', over: ['alive'], when: (i, j) => i >= j }, // paper
  { update: 'dead', over: ['alive', 'suspect'], when: (i, j) => i >= j }, // paper: any j
  { update: 'alive', over: ['dead', 'left'], when: (i, j) => i > j }, // rejoin
  { update: 'left', over: ['alive', 'suspect', 'dead'], when: (i, j) => i >= j },
];

function twinOverrides(update: MemberView, current: MemberView | undefined): boolean {
  if (current === undefined) return true;
  return RULES.some((r) => r.update === update.status && r.over.includes(current.status) && r.when(update.incarnation, current.incarnation));
}

const viewArb = fc.record({ status: fc.constantFrom(...STATUSES), incarnation: fc.integer({ min: 0, max: 4 }) });

describe('the override rules (§4.2)', () => {
  it('the paper’s examples', () => {
    expect(overrides({ status: 'alive', incarnation: 2 }, { status: 'suspect', incarnation: 1 })).toBe(true);
    expect(overrides({ status: 'alive', incarnation: 1 }, { status: 'suspect', incarnation: 1 })).toBe(false);
    expect(overrides({ status: 'suspect', incarnation: 1 }, { status: 'alive', incarnation: 1 })).toBe(true);
    expect(overrides({ status: 'suspect', incarnation: 1 }, { status: 'suspect', incarnation: 1 })).toBe(false);
    expect(overrides({ status: 'suspect', incarnation: 2 }, { status: 'suspect', incarnation: 1 })).toBe(true);
    expect(overrides({ status: 'dead', incarnation: 3 }, { status: 'suspect', incarnation: 3 })).toBe(true);
    // Beyond the paper: a stale Confirm does not kill a member that has restarted since.
    expect(overrides({ status: 'dead', incarnation: 0 }, { status: 'alive', incarnation: 1 })).toBe(false);
  });

  it('agree with the naive twin on every pair', () => {
    fc.assert(fc.property(viewArb, fc.option(viewArb, { nil: undefined }), (update, current) => {
      expect(overrides(update, current)).toBe(twinOverrides(update, current));
    }));
  });

  it('never lower the incarnation a member holds, and never bring back a member whose death was not outdated', () => {
    fc.assert(fc.property(fc.array(viewArb, { maxLength: 30 }), (updates) => {
      let held: MemberView | undefined;
      for (const update of updates) {
        if (!overrides(update, held)) continue;
        if (held !== undefined) {
          expect(update.incarnation).toBeGreaterThanOrEqual(held.incarnation);
          if ((held.status === 'dead' || held.status === 'left') && update.status === 'alive') expect(update.incarnation).toBeGreaterThan(held.incarnation);
        }
        held = update;
      }
    }));
  });
});

describe('the piggyback queue (§4.1)', () => {
  it('the bound is retransmitMultiplier × ⌈log10(n + 1)⌉', () => {
    expect(retransmitLimit(4, 8)).toBe(4);
    expect(retransmitLimit(4, 9)).toBe(4);
    expect(retransmitLimit(4, 10)).toBe(8);
    expect(retransmitLimit(4, 128)).toBe(12);
    expect(retransmitLimit(4, 512)).toBe(12);
  });

  it('sends each update at most `limit` times, at most `max` per message, fewest transmitted first', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('enqueue' as const), member: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
      fc.record({ kind: fc.constant('take' as const), max: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (ops, limit) => {
      const queue = new DisseminationQueue();
      // The twin: how often the latest update about each member has been sent.
      const sent = new Map<string, number>();
      let version = 0;
      for (const o of ops) {
        if (o.kind === 'enqueue') {
          queue.enqueue({ member: o.member, status: 'alive', incarnation: version++ });
          sent.set(o.member, 0);
          continue;
        }
        const before = new Map(sent);
        const taken = queue.take(o.max, limit);
        expect(taken.length).toBeLessThanOrEqual(o.max);
        expect(new Set(taken.map((u) => u.member)).size).toBe(taken.length);
        const waiting = [...before].filter(([, n]) => n < limit);
        expect(taken.length).toBe(Math.min(o.max, waiting.length));
        // Fewest transmitted first: nothing left behind was sent fewer times than something taken.
        const takenCounts = taken.map((u) => before.get(u.member)!);
        const leftCounts = waiting.filter(([m]) => !taken.some((u) => u.member === m)).map(([, n]) => n);
        if (takenCounts.length > 0 && leftCounts.length > 0) expect(Math.max(...takenCounts)).toBeLessThanOrEqual(Math.min(...leftCounts));
        for (const u of taken) {
          sent.set(u.member, before.get(u.member)! + 1);
          expect(sent.get(u.member)).toBeLessThanOrEqual(limit);
        }
      }
    }));
  });
});

// ---- a fake context -------------------------------------------------------------------------------

class FakeContext implements Context<SwimMessage, FdFact> {
  readonly rng: Rng;
  readonly disk = new SimDisk();
  readonly history = { invoke: () => 0, ok: () => undefined, fail: () => undefined };
  readonly sent: { to: NodeId; msg: SwimMessage }[] = [];
  readonly timers = new Map<string, Micros>();
  readonly facts: FdFact[] = [];
  nowMicros = 0;

  constructor(readonly self: NodeId, readonly peers: readonly NodeId[], seed = 'fake') {
    this.rng = new Rng(`${seed}/${self}`);
  }

  now(): Micros {
    return this.nowMicros;
  }
  send(to: NodeId, msg: SwimMessage): void {
    this.sent.push({ to, msg });
  }
  setTimer(name: string, after: Micros): void {
    this.timers.set(name, after);
  }
  cancelTimer(name: string): void {
    this.timers.delete(name);
  }
  observe(fact: FdFact): void {
    this.facts.push(fact);
  }
  failFastRatio(): number {
    return 0;
  }
  leave(): void {
    throw new Error('SWIM leaves through its own protocol, never ctx.leave()');
  }
  /** Sends since the last call. */
  drain(): { to: NodeId; msg: SwimMessage }[] {
    return this.sent.splice(0);
  }
}

const config = (overrides: Partial<SwimConfig> = {}): SwimConfig => ({ ...SWIM_LAN_CONFIG, lifeguard: false, bugs: fdBugs.none, ...overrides });
const members = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

function started(n: number, cfg: SwimConfig, seed = 'fake'): { member: SwimMember; ctx: FakeContext } {
  const ids = members(n);
  const ctx = new FakeContext('n1', ids.slice(1), seed);
  const member = new SwimMember(cfg);
  member.onStart(ctx);
  return { member, ctx };
}

/** Fires the protocol period; returns the one ping it sent (and acks it directly when `ack`). */
function period(member: SwimMember, ctx: FakeContext, ack: boolean): { to: NodeId; seq: number } {
  member.onTimer(ctx, 'probe');
  const pings = ctx.drain().filter((s) => s.msg.type === 'ping');
  expect(pings).toHaveLength(1);
  const { to, msg } = pings[0]!;
  if (ack) member.onMessage(ctx, to, { type: 'ack', seq: msg.seq, updates: [] });
  return { to, seq: msg.seq };
}

describe('SwimMember through a fake context', () => {
  it('a probe each protocol period, the next period T′ later', () => {
    const { member, ctx } = started(5, config());
    for (let i = 0; i < 10; i++) {
      const { to, seq } = period(member, ctx, false);
      expect(ctx.timers.get('probe')).toBe(SWIM_LAN_CONFIG.protocolPeriodMicros);
      expect(ctx.timers.get('ping-timeout')).toBe(SWIM_LAN_CONFIG.pingTimeoutMicros);
      member.onMessage(ctx, to, { type: 'ack', seq, updates: [] });
      expect(ctx.timers.has('ping-timeout')).toBe(false);
    }
  });

  it('round-robin visits every other member exactly once per cycle (§4.3)', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.string(), (n, seed) => {
      const { member, ctx } = started(n, config({ targetSelection: 'round-robin' }), seed);
      for (let cycle = 0; cycle < 3; cycle++) {
        const targets = Array.from({ length: n - 1 }, () => period(member, ctx, true).to);
        expect([...targets].sort()).toEqual(members(n).slice(1).sort());
      }
    }), { numRuns: 30 });
  });

  it('random selection picks among the other members', () => {
    const { member, ctx } = started(6, config({ targetSelection: 'random' }));
    const seen = new Set(Array.from({ length: 60 }, () => period(member, ctx, true).to));
    expect([...seen].sort()).toEqual(members(6).slice(1));
  });

  it('a missed ack sends a ping-req to exactly k others (never the target or itself), each naming the target', () => {
    for (const k of [1, 3, 5]) {
      const { member, ctx } = started(8, config({ indirectProbes: k }));
      const { to, seq } = period(member, ctx, false);
      member.onTimer(ctx, 'ping-timeout');
      const reqs = ctx.drain();
      expect(reqs).toHaveLength(k);
      expect(new Set(reqs.map((r) => r.to)).size).toBe(k);
      for (const r of reqs) {
        expect(r.msg).toMatchObject({ type: 'ping-req', seq, target: to });
        expect([to, 'n1']).not.toContain(r.to);
      }
    }
  });

  it('an indirect ack means no suspicion; no ack at all means a suspicion, confirmed after the suspicion timeout', () => {
    const { member, ctx } = started(8, config());
    const first = period(member, ctx, false);
    member.onTimer(ctx, 'ping-timeout');
    const helper = ctx.drain()[0]!.to;
    member.onMessage(ctx, helper, { type: 'ack', seq: first.seq, updates: [] });
    const second = period(member, ctx, false);
    expect(ctx.facts.filter((f) => f.type === 'member' && f.status !== 'alive')).toEqual([]);
    member.onTimer(ctx, 'ping-timeout');
    member.onTimer(ctx, 'probe');
    expect(ctx.facts.at(-1)).toEqual({ type: 'member', member: second.to, status: 'suspect', incarnation: 0 });
    expect(ctx.timers.get(`suspicion/${second.to}`)).toBe(4 * SWIM_LAN_CONFIG.protocolPeriodMicros);
    member.onTimer(ctx, `suspicion/${second.to}`);
    expect(ctx.facts.at(-1)).toEqual({ type: 'member', member: second.to, status: 'dead', incarnation: 0 });
  });

  it('under fd/swim-no-indirect-probes a missed ack is a suspicion at once, with no ping-req', () => {
    const { member, ctx } = started(8, config({ bugs: fdBugs.active(fdBugs.names.noIndirectProbes) }));
    const { to } = period(member, ctx, false);
    member.onTimer(ctx, 'ping-timeout');
    expect(ctx.drain()).toEqual([]);
    expect(ctx.facts.at(-1)).toEqual({ type: 'member', member: to, status: 'suspect', incarnation: 0 });
  });

  it('the suspicion timeout: suspicionMultiplier × max(1, log10 n) × T′; the planted bug drops the log10 n', () => {
    const timeout = (n: number, cfg: SwimConfig) => new SwimMemberProbe(cfg, n).timeout(0);
    expect(timeout(8, config())).toBe(4_000_000);
    expect(timeout(100, config())).toBe(8_000_000);
    expect(timeout(512, config())).toBe(Math.round(4 * Math.log10(512) * 1_000_000));
    const unscaled = config({ bugs: fdBugs.active(fdBugs.names.unscaledSuspicionTimeout) });
    expect(timeout(8, unscaled)).toBe(4_000_000);
    expect(timeout(512, unscaled)).toBe(4_000_000);
  });

  it('Lifeguard: the suspicion timeout starts at its maximum and shrinks to the minimum as k = mult − 2 confirmations arrive', () => {
    const probe = new SwimMemberProbe(config({ lifeguard: true }), 100);
    const min = 8_000_000;
    expect(probe.timeout(0)).toBe(6 * min);
    expect(probe.timeout(1)).toBe(Math.round(6 * min - (Math.log(2) / Math.log(3)) * 5 * min));
    expect(probe.timeout(1)).toBeLessThan(probe.timeout(0));
    expect(probe.timeout(2)).toBe(min);
    expect(probe.timeout(5)).toBe(min);
  });

  it('Lifeguard: a confirmation from another member re-arms the suspicion timer shorter; the same accuser twice counts once', () => {
    const { member, ctx } = started(100, config({ lifeguard: true }));
    const suspect = (from: NodeId) => member.onMessage(ctx, 'n2', { type: 'ack', seq: 0, updates: [{ member: 'n9', status: 'suspect', incarnation: 0, from }] });
    suspect('n2');
    expect(ctx.timers.get('suspicion/n9')).toBe(48_000_000);
    ctx.nowMicros += 1_000_000;
    suspect('n2');
    expect(ctx.timers.get('suspicion/n9')).toBe(48_000_000);
    suspect('n3');
    expect(ctx.timers.get('suspicion/n9')).toBe(new SwimMemberProbe(config({ lifeguard: true }), 100).timeout(1) - 1_000_000);
  });

  it('Lifeguard: local health rises on a failed probe round (per missing nack) and on refuting, falls on a direct ack, and stretches the period', () => {
    const { member, ctx } = started(8, config({ lifeguard: true }));
    period(member, ctx, false);
    member.onTimer(ctx, 'ping-timeout');
    const reqs = ctx.drain();
    member.onMessage(ctx, reqs[0]!.to, { type: 'nack', seq: (reqs[0]!.msg as { seq: number }).seq, updates: [] });
    member.onTimer(ctx, 'probe'); // ends the failed round: 3 ping-reqs, 1 nack → +2
    expect(ctx.facts.filter((f) => f.type === 'local-health')).toEqual([{ type: 'local-health', score: 2 }]);
    expect(ctx.timers.get('probe')).toBe(3 * SWIM_LAN_CONFIG.protocolPeriodMicros);
    expect(ctx.timers.get('ping-timeout')).toBe(3 * SWIM_LAN_CONFIG.pingTimeoutMicros);
    const ping = ctx.drain().find((s) => s.msg.type === 'ping')!;
    member.onMessage(ctx, ping.to, { type: 'ack', seq: (ping.msg as { seq: number }).seq, updates: [] });
    expect(ctx.facts.at(-1)).toEqual({ type: 'local-health', score: 1 });
    member.onMessage(ctx, 'n2', { type: 'ping', seq: 1, updates: [{ member: 'n1', status: 'suspect', incarnation: 0, from: 'n2' }] });
    expect(ctx.facts.slice(-2)).toEqual([{ type: 'refute', incarnation: 1 }, { type: 'local-health', score: 2 }]);
    expect(member.inspect().incarnation).toBe(1);
  });

  it('without Lifeguard local health never moves', () => {
    const { member, ctx } = started(8, config());
    for (let i = 0; i < 5; i++) {
      period(member, ctx, false);
      member.onTimer(ctx, 'ping-timeout');
    }
    member.onTimer(ctx, 'probe');
    expect(ctx.facts.some((f) => f.type === 'local-health')).toBe(false);
    expect(ctx.timers.get('probe')).toBe(SWIM_LAN_CONFIG.protocolPeriodMicros);
  });

  it('a graceful leave: `left` at our incarnation is piggybacked, then the member goes quiet', () => {
    const { member, ctx } = started(5, config());
    member.onTimer(ctx, 'leave');
    period(member, ctx, true);
    expect(ctx.facts.some((f) => f.type === 'member' && f.member === 'n1')).toBe(false);
    member.onTimer(ctx, 'probe');
    const carried = ctx.drain().find((s) => s.msg.type === 'ping');
    expect(carried?.msg.updates).toContainEqual({ member: 'n1', status: 'left', incarnation: 0 });
    for (let i = 0; i < 10; i++) member.onTimer(ctx, 'probe');
    ctx.drain();
    member.onMessage(ctx, 'n2', { type: 'ping', seq: 3, updates: [] });
    expect(ctx.drain()).toEqual([]);
    // A member told of it reports `left`.
    const other = started(5, config()).ctx;
    const receiver = new SwimMember(config());
    receiver.onStart(other);
    receiver.onMessage(other, 'n3', { type: 'ack', seq: 0, updates: [{ member: 'n3', status: 'left', incarnation: 0 }] });
    expect(other.facts.at(-1)).toEqual({ type: 'member', member: 'n3', status: 'left', incarnation: 0 });
  });

  it('a restarted member the gossip missed is repaired directly: the ack to its ping says it is dead, and it answers with its Alive', () => {
    const { member, ctx } = started(4, config());
    member.onMessage(ctx, 'n4', { type: 'ack', seq: 0, updates: [{ member: 'n2', status: 'dead', incarnation: 0 }] });
    for (let i = 0; i < 5; i++) member.onMessage(ctx, 'n4', { type: 'ping', seq: i, updates: [] }); // the Confirm's gossip runs out
    ctx.drain();
    member.onMessage(ctx, 'n2', { type: 'ping', seq: 9, updates: [] });
    expect(ctx.drain()).toEqual([{ to: 'n2', msg: { type: 'ack', seq: 9, updates: [{ member: 'n2', status: 'dead', incarnation: 0 }] } }]);
    const { ctx: disk } = started(4, config(), 'restarted');
    const restarted = new SwimMember(config());
    restarted.onStart(disk); // a second start on the same disk: incarnation 1
    disk.drain();
    restarted.onMessage(disk, 'n3', { type: 'ack', seq: 1, updates: [{ member: 'n1', status: 'dead', incarnation: 0 }] });
    expect(disk.drain()).toEqual([{ to: 'n3', msg: { type: 'ping', seq: 1, updates: [{ member: 'n1', status: 'alive', incarnation: 1 }] } }]);
  });

  it('never reports a view of itself, and a restart raises the incarnation durably', () => {
    const { member, ctx } = started(4, config());
    member.onMessage(ctx, 'n2', { type: 'ack', seq: 0, updates: [{ member: 'n1', status: 'dead', incarnation: 0 }] });
    expect(ctx.facts.some((f) => f.type === 'member' && f.member === 'n1')).toBe(false);
    expect(member.inspect().incarnation).toBe(1);
    const again = new SwimMember(config());
    again.onStart(ctx);
    expect(again.inspect().incarnation).toBe(2);
  });
});

/** A member of an n-member cluster, for reading its suspicion timeout. */
class SwimMemberProbe {
  private readonly member: SwimMember;
  constructor(cfg: SwimConfig, n: number) {
    this.member = new SwimMember(cfg);
    this.member.onStart(new FakeContext('n1', members(n).slice(1)));
  }
  timeout(confirmations: number): Micros {
    return this.member.suspicionTimeout(confirmations);
  }
}
