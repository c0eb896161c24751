// The playground's timer log: its answers against a naive twin that replays the calls up to a moment, and in
// real runs against the trace (a timer that fires was pending just before, due then; a crash clears a node's
// timers); and wrapping the processes to record timers leaves the run's fingerprint exactly as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaygroundSession } from '../../playground/session.js';
import { TimerLog, type PendingTimer } from '../../playground/timers.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { ms } from '../../sim/time.js';

type Call = { at: number; node: string; op: 'set'; name: string; after: number } | { at: number; node: string; op: 'cancel' | 'fire'; name: string } | { at: number; node: string; op: 'clear' };

/** The naive twin: replays every call at or before t, keeping each node's timers by name. */
function naivePending(calls: readonly Call[], node: string, t: number): PendingTimer[] {
  const timers = new Map<string, { setAt: number; dueAt: number }>();
  for (const c of calls) {
    if (c.at > t || c.node !== node) continue;
    if (c.op === 'set') timers.set(c.name, { setAt: c.at, dueAt: c.at + c.after });
    else if (c.op === 'clear') timers.clear();
    else timers.delete(c.name);
  }
  return [...timers].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, { setAt, dueAt }]) => {
    const left = Math.max(0, dueAt - t);
    return { name, setAt, dueAt, leftMicros: left, leftFraction: dueAt === setAt ? 0 : left / (dueAt - setAt) };
  });
}

/** One call as drawn: how long after the previous one, on which node, which operation. */
interface RawCall { gap: number; node: string; name: string; op: 'set' | 'cancel' | 'fire' | 'clear'; after: number }
const callArb: fc.Arbitrary<RawCall> = fc.record({
  gap: fc.integer({ min: 0, max: 50 }), node: fc.constantFrom('n1', 'n2'), name: fc.constantFrom('a', 'b', 'c'),
  op: fc.constantFrom<RawCall['op']>('set', 'set', 'cancel', 'fire', 'clear'), after: fc.integer({ min: 0, max: 200 }),
});

describe('TimerLog', () => {
  it('answers pendingAt(t) as a naive replay of the calls up to t does', () => {
    fc.assert(fc.property(fc.array(callArb, { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 3_200 }), { minLength: 1, maxLength: 10 }), (raw, moments) => {
      let now = 0;
      const log = new TimerLog(() => now);
      const calls: Call[] = [];
      for (const r of raw) {
        now += r.gap;
        const pending = log.pendingAt(r.node, now).find((p) => p.name === r.name);
        if (r.op === 'set') log.set(r.node, r.name, r.after);
        else if (r.op === 'cancel') log.cancel(r.node, r.name);
        else if (r.op === 'clear') log.clear(r.node, now);
        // A timer fires only while pending (the engine fires nothing else); it is due then.
        else if (pending === undefined) continue;
        else log.fired(r.node, r.name);
        calls.push(r.op === 'set' ? { at: now, node: r.node, op: 'set', name: r.name, after: r.after } : r.op === 'clear' ? { at: now, node: r.node, op: 'clear' } : { at: now, node: r.node, op: r.op, name: r.name });
      }
      // What fired was due when it fired: the twin learns the firing times as the log does.
      const fires = new Map<string, number>();
      for (const c of calls) if (c.op === 'fire') fires.set(`${c.node}/${c.name}/${lastSet(calls, c)}`, c.at);
      const twin = calls.map((c) => (c.op === 'set' && fires.has(`${c.node}/${c.name}/${c.at}`) ? { ...c, after: fires.get(`${c.node}/${c.name}/${c.at}`)! - c.at } : c));
      // Random moments, and every moment something happened (and just before it): where off-by-ones live.
      const all = [...moments, ...calls.flatMap((c) => [c.at, c.at - 1])];
      for (const t of all) for (const node of ['n1', 'n2']) expect(log.pendingAt(node, t)).toEqual(naivePending(twin, node, t));
    }), { numRuns: 300 });
  });

  it('records nothing into the run: a session with timers recorded ends with executeRun\'s fingerprint, and its trace is the same', () => {
    for (const [name, seed] of [['raft-leader-crash', 1], ['paxos-dueling-proposers', 2], ['fd-slow-member', 3]] as const) {
      const scenario = findScenario(name)!;
      const session = new PlaygroundSession({ scenario, seed, durationMicros: ms(2_000) });
      const ended = session.runToEnd();
      const trace: unknown[] = [];
      const result = executeRun(prepareRun({ scenario, seed, durationMicros: ms(2_000) }), (e) => void trace.push(e));
      expect(ended.fingerprint, name).toBe(result.fingerprint);
      expect(session.trace.length, name).toBe(trace.length);
      expect(session.timers.spansOf('n1').length, name).toBeGreaterThan(0);
    }
  });

  it('in real runs: a timer that fires was pending just before, due then; a crash clears every timer of its node', () => {
    fc.assert(fc.property(fc.constantFrom('raft-leader-crash', 'paxos-leader-crash', 'fd-crash', 'paxos-dueling-proposers'), fc.integer({ min: 0, max: 20 }), (name, seed) => {
      const session = new PlaygroundSession({ scenario: findScenario(name)!, seed, durationMicros: ms(2_500) });
      session.seek(ms(2_500));
      const log = session.timers;
      let fired = 0;
      let crashes = 0;
      for (const e of session.trace) {
        if (e.type === 'timer') {
          fired++;
          const span = log.spansOf(e.node).find((s) => s.name === e.name && s.end === 'fired' && s.endAt === e.at);
          expect(span, `${e.node} ${e.name} at ${e.at}`).toBeDefined();
          expect(span!.dueAt).toBe(e.at);
          // Set before it fired (a timer of delay 0 is set and fires at one moment): pending just before, 1 µs left.
          if (span!.setAt < e.at) expect(log.pendingAt(e.node, e.at - 1).find((p) => p.name === e.name)?.leftMicros).toBe(1);
        } else if (e.type === 'crash') {
          crashes++;
          expect(log.pendingAt(e.node, e.at)).toEqual([]);
        }
      }
      expect(fired).toBeGreaterThan(0);
      // The leader-crash scenarios crash the leader at 1 s.
      if (name.endsWith('leader-crash')) expect(crashes).toBeGreaterThan(0);
    }), { numRuns: 12 });
  });

  it('shows a Raft follower\'s election timer running down, and a leader\'s heartbeat', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed: 1, durationMicros: ms(2_000) });
    session.seek(ms(900));
    const roles = new Map<string, string>();
    for (const e of session.trace) if (e.at <= ms(900) && e.type === 'observe' && e.fact.type === 'role') roles.set(e.node, e.fact.role as string);
    const leader = [...roles].find(([, r]) => r === 'leader')![0];
    const follower = [...roles].find(([, r]) => r === 'follower')![0];
    expect(session.timers.pendingAt(leader, ms(900)).map((p) => p.name)).toContain('heartbeat');
    const election = session.timers.pendingAt(follower, ms(900)).find((p) => p.name === 'election')!;
    expect(election.leftMicros).toBeGreaterThan(0);
    expect(election.leftFraction).toBeGreaterThan(0);
    expect(election.leftFraction).toBeLessThanOrEqual(1);
  });
});

/** The time of the set that a fire (or cancel) ended: the last set of that node and name before it. */
function lastSet(calls: readonly Call[], end: Call): number {
  let at = -1;
  for (const c of calls) {
    if (c === end) break;
    if (c.node === end.node && c.op === 'set' && c.name === (end as { name: string }).name) at = c.at;
  }
  return at;
}
