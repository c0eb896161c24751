// The playground's trace index against a naive twin that folds the whole trace up to a moment: node
// status and role, and the messages in flight or fading, at random moments of real runs, read in slices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaygroundSession } from '../../playground/session.js';
import { cutsAfter, FLIGHT_LOOKBACK_MICROS, nodesNamedIn, TraceIndex, type NodeState } from '../../playground/trace-index.js';
import { findScenario } from '../../scenarios/index.js';
import { asRoleFact } from '../../sim/facts.js';
import { ms } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';

function naiveNodes(trace: readonly TraceEvent[], nodes: readonly string[], t: number): NodeState[] {
  const state = new Map(nodes.map((id) => [id, { id, status: 'down', role: null as string | null, term: null as number | null }]));
  for (const e of trace) {
    if (e.at > t) break;
    if (e.type === 'observe') {
      const fact = asRoleFact(e.fact);
      if (fact) Object.assign(state.get(e.node)!, { role: fact.role, term: fact.term });
    } else if (e.type === 'start' || e.type === 'restart' || e.type === 'crash' || e.type === 'leave') {
      Object.assign(state.get(e.node)!, { status: e.type === 'crash' ? 'crashed' : e.type === 'leave' ? 'absent' : 'up', role: null, term: null });
    } else if (e.type === 'pause' || e.type === 'resume') {
      state.get(e.node)!.status = e.type === 'pause' ? 'paused' : 'up';
    }
  }
  return nodes.map((id) => state.get(id)! as NodeState);
}

function naiveMessages(trace: readonly TraceEvent[], t: number, linger: number): number[] {
  const ends = new Map<number, { at: number; dropped: boolean }>();
  for (const e of trace) if ((e.type === 'deliver' || e.type === 'drop') && !ends.has(e.msgId)) ends.set(e.msgId, { at: e.at, dropped: e.type === 'drop' });
  return trace.filter((e) => e.type === 'send' && e.at <= t && e.at >= t - FLIGHT_LOOKBACK_MICROS).flatMap((e) => {
    const id = (e as { msgId: number }).msgId;
    const end = ends.get(id);
    return end === undefined || end.at > t || (end.dropped && end.at + linger > t) ? [id] : [];
  });
}

describe('TraceIndex', () => {
  it('answers as a naive fold of the trace does, read in slices, after actions', () => {
    fc.assert(fc.property(fc.constantFrom('raft-leader-crash', 'raft-lossy', 'paxos-lossy'), fc.integer({ min: 0, max: 30 }),
      fc.array(fc.integer({ min: 0, max: ms(1_200) }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: ms(50) }), (name, seed, moments, linger) => {
        const session = new PlaygroundSession({ scenario: findScenario(name)!, seed, durationMicros: ms(1_000) });
        const ids = session.nodes.map((n) => n.id);
        const index = new TraceIndex(ids);
        for (const [i, t] of moments.entries()) {
          session.seek(t);
          if (i === 2 && t < ms(1_000)) session.act('pause', ids[0]!);
          index.sync(session.trace);
          expect(index.nodesAt(t)).toEqual(naiveNodes(session.trace, ids, t));
          expect(index.messagesAt(t, linger).map((m) => m.msgId)).toEqual(naiveMessages(session.trace, t, linger));
        }
      }), { numRuns: 30 });
  });

  it('sees a leader in a Raft run, and roles cleared by a crash', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed: 1, durationMicros: ms(3_000) });
    const index = new TraceIndex(session.nodes.map((n) => n.id));
    // The scenario's own script crashes the leader at 1 s.
    session.seek(ms(900));
    index.sync(session.trace);
    const leader = index.nodesAt(ms(900)).find((n) => n.role === 'leader');
    expect(leader).toBeDefined();
    session.act('crash', leader!.id);
    index.sync(session.trace);
    expect(index.nodesAt(ms(900)).find((n) => n.id === leader!.id)).toEqual({ id: leader!.id, status: 'crashed', role: null, term: null });
    expect(index.messagesAt(ms(900), ms(10)).every((m) => m.type !== 'message')).toBe(true);
  });
});

describe('TraceIndex cut links', () => {
  // The engine is the twin: a message is dropped at send for a partition exactly when its link is cut, and
  // delivered only over a link that is not (moments where a fault applies are skipped: the index knows
  // the state after every event of a moment, the engine acts in between).
  it('agree with what the network did to every message, under random cuts and heals', () => {
    const server = fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5');
    const cut = fc.tuple(server, server, fc.boolean()).filter(([a, b]) => a !== b);
    fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.array(fc.tuple(fc.integer({ min: 0, max: ms(1_400) }), fc.option(cut, { nil: undefined })), { maxLength: 8 }), (seed, plan) => {
      const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed, durationMicros: ms(1_500) });
      for (const [at, link] of [...plan].sort((a, b) => a[0] - b[0])) {
        session.seek(at);
        if (link === undefined) session.take({ kind: 'heal' });
        else session.take(link[2] ? { kind: 'partition', groups: [[link[0]], [link[1]]] } : { kind: 'partition', from: [link[0]], to: [link[1]] });
      }
      session.runToEnd();
      const index = new TraceIndex(session.nodes.map((n) => n.id));
      index.sync(session.trace);
      const faultTimes = new Set(session.trace.filter((e) => e.type === 'fault').map((e) => e.at));
      const sentAt = new Map<number, number>();
      let checked = 0;
      for (const e of session.trace) {
        if (e.type === 'send') sentAt.set(e.msgId, e.at);
        if (faultTimes.has(e.at)) continue;
        const isCut = (from: string, to: string) => index.cutLinksAt(e.at).some((l) => l.from === from && l.to === to);
        if (e.type === 'drop' && e.reason === 'partition') {
          expect(isCut(e.from, e.to), `drop ${e.from}→${e.to} at ${e.at}`).toBe(true);
          checked++;
        } else if (e.type === 'deliver') {
          expect(isCut(e.from, e.to), `deliver ${e.from}→${e.to} at ${e.at}`).toBe(false);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
      // Cuts are gone once the recovery phase heals everything.
      expect(index.cutLinksAt(session.result!.endedAtMicros)).toEqual([]);
    }), { numRuns: 25 });
  });

  it('cutsAfter: groups cut both ways between groups, from/to one way, heal clears, a node never cuts itself', () => {
    expect(cutsAfter([], { at: 0, kind: 'partition', groups: [['n1'], ['n2', 'n3']] })).toEqual([
      { from: 'n1', to: 'n2' }, { from: 'n1', to: 'n3' }, { from: 'n2', to: 'n1' }, { from: 'n3', to: 'n1' },
    ]);
    const oneWay = cutsAfter([{ from: 'n2', to: 'n1' }], { at: 0, kind: 'partition', from: ['n1', 'n2'], to: ['n2'] });
    expect(oneWay).toEqual([{ from: 'n1', to: 'n2' }, { from: 'n2', to: 'n1' }]);
    expect(cutsAfter(oneWay, { at: 0, kind: 'crash', node: 'n1' })).toEqual(oneWay);
    expect(cutsAfter(oneWay, { at: 0, kind: 'heal' })).toEqual([]);
  });
});

describe('nodesNamedIn', () => {
  it('finds exactly the ids that appear as whole words (a naive twin splits on other characters)', () => {
    const id = fc.stringMatching(/^[a-z][a-z0-9]{0,2}$/);
    fc.assert(fc.property(fc.uniqueArray(id, { maxLength: 6 }), fc.array(fc.oneof(id, fc.constantFrom(' ', ', ', '#', '(', ')', ': ', '-', 'x')), { maxLength: 12 }), (ids, parts) => {
      const text = parts.join('');
      const words = new Set(text.split(/[^\w-]+/));
      expect(nodesNamedIn(text, ids)).toEqual(ids.filter((i) => words.has(i)));
    }));
    expect(nodesNamedIn('leader n4 of term 3 committed index 98', ['n1', 'n4', 'n42'])).toEqual(['n4']);
    expect(nodesNamedIn('n42 and c1#18', ['n4', 'n42', 'c1'])).toEqual(['n42', 'c1']);
  });
});
