// Triggers (`on-fact`, `on-message`): faults aimed at moments, as schedule data. Each rule is driven on a
// two-node ping-pong over a constant 1 ms network, so the test knows when each message and fact happens:
// a trigger fires only from its `at`, only on matching facts or messages, at most `times` times, its
// entries land `afterMicros` later with `$fact` / `$from` / `$to` resolved, and nothing fires in recovery.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFault, parseFaultSchedule, type FaultEntry } from '../../sim/faults.js';
import { InputError } from '../../sim/errors.js';
import type { NodeId } from '../../sim/process.js';
import type { TraceEvent } from '../../sim/trace.js';
import { chatter, NODES5, QUIET_NETWORK, runTraced, scheduleArb, servers, type Handlers } from '../helpers.js';

/** n1 pings n2 every 10 ms (from 10 ms); n2 answers pong; each reports `got` with what it received. */
function pingPong(id: NodeId): Handlers {
  return {
    onStart: (ctx) => {
      if (id === 'n1') ctx.setTimer('tick', 10_000);
    },
    onTimer: (ctx) => {
      ctx.send('n2', { type: 'ping', n: Math.round(ctx.now() / 10_000) });
      ctx.setTimer('tick', 10_000);
    },
    onMessage: (ctx, from, msg) => {
      const m = msg as { type: string; n: number };
      ctx.observe({ type: 'got', what: m.type, n: m.n });
      if (m.type === 'ping') ctx.send(from, { type: 'pong', n: m.n });
    },
  };
}

const NODES = servers(['n1', 'n2'], pingPong);
const run = (faults: FaultEntry[], endMicros = 100_000) => runTraced({ seed: 1, nodes: NODES, network: QUIET_NETWORK, faults: parse(faults), endMicros });
const parse = (faults: unknown[]) => parseFaultSchedule(faults, { nodes: [{ id: 'n1', role: 'server' }, { id: 'n2', role: 'server' }], stateRoles: [] }, 1_000_000, 'test');
type Seen = { readonly at: number; readonly node: NodeId; readonly reason: string; readonly msg: unknown };
const of = (trace: TraceEvent[], type: TraceEvent['type']) => trace.filter((e) => e.type === type) as unknown as Seen[];

describe('on-fact', () => {
  it('fires on the first matching fact after its at, schedules its entries afterMicros later with $fact resolved, at most times times', () => {
    // n2 gets ping 1 at 11 ms, ping 2 at 21 ms …; armed at 15 ms, the first match is ping 2 at 21 ms.
    const { trace } = run([{ at: 15_000, kind: 'on-fact', fact: 'got', where: { what: 'ping' }, times: 2, then: [{ afterMicros: 500, kind: 'pause', node: '$fact' }, { afterMicros: 3_000, kind: 'resume', node: '$fact' }] } as unknown as FaultEntry]);
    expect(of(trace, 'pause').map((e) => [e.at, e.node])).toEqual([[21_500, 'n2'], [31_500, 'n2']]);
    expect(of(trace, 'resume').map((e) => [e.at, e.node])).toEqual([[24_000, 'n2'], [34_000, 'n2']]);
  });

  it('matches the role and the fields in where; a pattern nothing reports never fires', () => {
    const pong = run([{ at: 0, kind: 'on-fact', fact: 'got', where: { what: 'pong' }, times: 1, then: [{ afterMicros: 0, kind: 'crash', node: '$fact' }] } as unknown as FaultEntry]);
    expect(of(pong.trace, 'crash').map((e) => [e.at, e.node])).toEqual([[12_000, 'n1']]);
    const none = run([{ at: 0, kind: 'on-fact', fact: 'got', where: { what: 'nothing' }, times: 1, then: [{ afterMicros: 0, kind: 'crash', node: '$fact' }] } as unknown as FaultEntry]);
    expect(of(none.trace, 'crash')).toEqual([]);
  });

  it('arms no more after the fault phase: a trigger entry due in recovery is not applied', () => {
    const { sim, trace } = runTraced({ seed: 1, nodes: NODES, network: QUIET_NETWORK, endMicros: 20_000, faults: parse([{ at: 0, kind: 'on-fact', fact: 'got', times: 1, then: [{ afterMicros: 50_000, kind: 'crash', node: '$fact' }] }]) });
    sim.beginRecovery();
    sim.runUntil(100_000);
    expect(of(trace, 'crash')).toEqual([]);
  });
});

describe('on-message', () => {
  it('drops the next times matching messages (counted as trigger drops), and only on the links named', () => {
    const { sim, trace } = run([{ at: 0, kind: 'on-message', type: 'ping', action: 'drop', times: 2, from: ['n1'] } as unknown as FaultEntry]);
    expect(of(trace, 'drop').map((e) => [e.at, e.reason])).toEqual([[10_000, 'trigger'], [20_000, 'trigger']]);
    expect(sim.stats.dropsByReason.trigger).toBe(2);
    const wrongLink = run([{ at: 0, kind: 'on-message', type: 'ping', action: 'drop', times: 2, from: ['n2'] } as unknown as FaultEntry]);
    expect(of(wrongLink.trace, 'drop')).toEqual([]);
  });

  it('delays a matching message by delayMicros; duplicates one; where matches fields', () => {
    const delayed = run([{ at: 0, kind: 'on-message', type: 'ping', where: { n: 2 }, action: 'delay', delayMicros: 7_000, times: 1 } as unknown as FaultEntry]);
    const deliveries = of(delayed.trace, 'deliver').filter((e) => (e.msg as { type: string }).type === 'ping').map((e) => [(e.msg as { n: number }).n, e.at]);
    expect(deliveries.slice(0, 3)).toEqual([[1, 11_000], [2, 28_000], [3, 31_000]]);
    const duplicated = run([{ at: 0, kind: 'on-message', type: 'pong', action: 'duplicate', times: 1 } as unknown as FaultEntry]);
    expect(of(duplicated.trace, 'deliver').filter((e) => (e.msg as { type: string }).type === 'pong' && (e.msg as { n: number }).n === 1)).toHaveLength(2);
  });

  it('pass with then: the message goes through, and $from / $to name its sender and receiver', () => {
    const { trace } = run([{ at: 0, kind: 'on-message', type: 'pong', action: 'pass', times: 1, then: [{ afterMicros: 100, kind: 'crash', node: '$to' }, { afterMicros: 100, kind: 'pause', node: '$from' }] } as unknown as FaultEntry]);
    // n2 sends pong 1 at 11 ms to n1.
    expect(of(trace, 'crash').map((e) => [e.at, e.node])).toEqual([[11_100, 'n1']]);
    expect(of(trace, 'pause').map((e) => [e.at, e.node])).toEqual([[11_100, 'n2']]);
  });
});

describe('trigger entries in schedules', () => {
  const bad: [string, unknown, RegExp][] = [
    ['no then', { at: 0, kind: 'on-fact', fact: 'got' }, /then must be a list of 1 to 16 fault entries/],
    ['at inside then', { at: 0, kind: 'on-fact', fact: 'got', then: [{ at: 5, kind: 'crash', node: 'n1' }] }, /a triggered entry has afterMicros/],
    ['a trigger inside a trigger', { at: 0, kind: 'on-fact', fact: 'got', then: [{ kind: 'on-fact', fact: 'x', then: [] }] }, /a trigger cannot hold another trigger/],
    ['an unknown action', { at: 0, kind: 'on-message', type: 'ping', action: 'explode' }, /action must be drop, duplicate, delay or pass/],
    ['a delay without delayMicros', { at: 0, kind: 'on-message', type: 'ping', action: 'delay' }, /delayMicros/],
    ['times out of range', { at: 0, kind: 'on-message', type: 'ping', action: 'drop', times: 0 }, /times must be an integer from 1 to 1000/],
    ['an unknown role', { at: 0, kind: 'on-fact', fact: 'got', role: 'wizard', then: [{ kind: 'crash', node: '$fact' }] }, /role must be a node role of this cluster \(server\)/],
    ['$from in an on-fact', { at: 0, kind: 'on-fact', fact: 'got', then: [{ kind: 'crash', node: '$from' }] }, /node must name/],
    ['as "fact"', { at: 0, kind: 'crash', node: 'n1', as: 'fact' }, /as "fact" is reserved/],
  ];
  it.each(bad)('refuses %s with one line naming it', (_what, entry, message) => {
    expect(() => parse([entry])).toThrow(InputError);
    expect(() => parse([entry])).toThrow(message);
  });

  it('round-trips through JSON unchanged, and reads in words', () => {
    const entries = parse([
      { at: '5ms', kind: 'on-fact', fact: 'got', role: 'server', where: { what: 'ping' }, then: [{ kind: 'crash', node: '$fact' }, { afterMicros: '20ms', kind: 'restart', node: '$fact' }] },
      { at: 0, kind: 'on-message', type: 'ping', action: 'delay', delayMicros: '3ms', times: 2, to: ['n2'] },
    ]);
    expect(parse(JSON.parse(JSON.stringify(entries)))).toEqual(entries);
    expect(entries.map(describeFault)).toEqual([
      'delay by 3ms the next 2 ping messages to n2',
      'when a server reports got (what ping): crash it, then 20ms later restart it',
    ]);
  });

  it('engine properties hold with triggers in the schedule: same seed and schedule, same fingerprint', () => {
    const triggerArb = fc.record({
      at: fc.integer({ min: 0, max: 200_000 }),
      kind: fc.constant('on-fact' as const),
      fact: fc.constant('got'),
      times: fc.integer({ min: 1, max: 3 }),
      then: fc.constantFrom(
        [{ afterMicros: 0, kind: 'crash', node: '$fact' }, { afterMicros: 20_000, kind: 'restart', node: '$fact' }],
        [{ afterMicros: 100, kind: 'partition', groups: [['$fact'], ['@rest']] }, { afterMicros: 30_000, kind: 'heal' }],
      ),
    });
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), scheduleArb(300_000, 6, false), fc.array(triggerArb, { maxLength: 3 }), (seed, plain, triggers) => {
      const faults = parseFaultSchedule([...plain, ...triggers], [...NODES5], 300_000, 'arb');
      const a = runTraced({ seed, nodes: servers(NODES5, chatter), network: QUIET_NETWORK, faults, endMicros: 300_000 });
      const b = runTraced({ seed, nodes: servers(NODES5, chatter), network: QUIET_NETWORK, faults, endMicros: 300_000 });
      expect(b.fingerprint).toBe(a.fingerprint);
    }), { numRuns: 30 });
  });
});
