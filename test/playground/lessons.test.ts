// The guided lessons against the runs they describe: every lesson's scenario, bug and actions load as a
// playground session, and what each text says happens (who leads which term, which check fails when, when a
// value is chosen, who suspects whom) is read back from the session's trace and violations.
import { describe, expect, it } from 'vitest';
import { findLesson, LESSONS, type Lesson } from '../../playground/lessons.js';
import { PlaygroundSession } from '../../playground/session.js';
import { TraceIndex, type NodeState } from '../../playground/trace-index.js';
import { findScenario } from '../../scenarios/index.js';
import { formatMicros, type Micros } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';

function sessionOf(lesson: Lesson, bug: string | null | undefined = lesson.bug): PlaygroundSession {
  const scenario = findScenario(lesson.scenario);
  expect(scenario, lesson.scenario).toBeDefined();
  return new PlaygroundSession({ scenario: scenario!, seed: lesson.seed, ...(bug !== undefined && bug !== null ? { bug } : {}) }, lesson.actions);
}

function lesson(id: string): Lesson {
  const found = findLesson(id);
  expect(found, id).toBeDefined();
  return found!;
}

/** Each node's state at `atMicros`, by id. */
function statesAt(session: PlaygroundSession, atMicros: Micros): Map<string, NodeState> {
  const index = new TraceIndex(session.nodes.map((n) => n.id));
  index.sync(session.trace);
  return new Map(index.nodesAt(atMicros).map((s) => [s.id, s]));
}

function leadersAt(session: PlaygroundSession, atMicros: Micros): string[] {
  return [...statesAt(session, atMicros).values()].filter((s) => s.role === 'leader' && s.status === 'up').map((s) => `${s.id}/t${s.term}`).sort();
}

type Observed = TraceEvent & { type: 'observe'; node: string; fact: Record<string, unknown> };
const observed = (session: PlaygroundSession): Observed[] => session.trace.filter((e): e is Observed => e.type === 'observe');

describe('lessons', () => {
  it('are at least five, with distinct ids, texts, 2–3 prompts, and sessions that load', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(5);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      expect(l.text.length, l.id).toBeGreaterThanOrEqual(2);
      expect(l.tryThis.length, l.id).toBeGreaterThanOrEqual(2);
      expect(l.tryThis.length, l.id).toBeLessThanOrEqual(3);
      const scenario = findScenario(l.scenario)!;
      if (l.bug !== undefined) expect(scenario.bugs.map((b) => b.name), l.id).toContain(l.bug);
      // The actions are taken as the page takes them (a fork at each one's time), and give the same schedule.
      const session = sessionOf(l);
      expect(session.actions).toEqual(l.actions);
      const byHand = new PlaygroundSession({ scenario, seed: l.seed, ...(l.bug !== undefined ? { bug: l.bug } : {}) });
      for (const a of l.actions) {
        byHand.seek(a.at);
        const { at: _at, ...action } = a;
        void _at;
        byHand.take(action as Parameters<PlaygroundSession['take']>[0]);
      }
      expect(byHand.schedule).toEqual(session.schedule);
      expect(l.pointMicros).toBeLessThanOrEqual(session.endBoundMicros);
    }
    expect(findLesson('no-such-lesson')).toBeUndefined();
  });

  it('1: the leader crashes, a new leader of a later term is elected; the prepared crash of that one elects a third', () => {
    const l = lesson('leader-crash');
    const session = sessionOf(l);
    session.runToEnd();
    expect(leadersAt(session, 200_000)).toEqual(['n4/t1']);
    expect(leadersAt(session, 999_999)).toEqual(['n4/t1']);
    const crashes = session.trace.filter((e) => e.type === 'fault' && e.at === 1_000_000);
    expect(JSON.stringify(crashes)).toContain('"n4"');
    expect(statesAt(session, 1_000_000).get('n4')!.status).toBe('crashed');
    expect(leadersAt(session, 1_200_000)).toEqual(['n3/t2']);
    expect(leadersAt(session, 1_499_999)).toEqual(['n3/t2']);
    expect(statesAt(session, 1_500_000).get('n3')!.status).toBe('crashed');
    expect(leadersAt(session, 1_800_000)).toEqual(['n2/t3']);
    const n4 = statesAt(session, 2_000_000).get('n4')!;
    expect(n4).toMatchObject({ status: 'up', role: 'follower', term: 3 });
    expect(session.trace.some((e) => e.type === 'fault' && e.at === 1_731_677)).toBe(true);
    expect(l.text.join(' ')).toContain(formatMicros(1_731_677));
    expect(session.result!.outcome).toBe('pass');
  });

  it('2: the minority leader serves a stale read with raft/stale-read (linearizability fails when the text says); without it the run passes', () => {
    const l = lesson('minority-leader');
    const session = sessionOf(l);
    session.seek(1_600_000);
    expect(leadersAt(session, 1_300_000)).toEqual(['n3/t2', 'n4/t1']);
    expect(leadersAt(session, 1_400_000)).toEqual(['n3/t2', 'n4/t1']);
    expect(leadersAt(session, 1_500_000)).toEqual(['n3/t2']);
    // Judged at the end: not known live before the run has ended.
    expect(session.violations).toEqual([]);
    session.runToEnd();
    expect(session.violations.map((v) => [v.name, v.atMicros])).toEqual([['linearizable-history', l.pointMicros]]);
    const message = session.violations[0]!.message;
    expect(message).toContain(`#115 c1: get k1`);
    expect(message).toContain(`returned ${l.pointMicros / 1_000_000}s`);
    expect(message).toContain('c5: append k1');
    expect(message).toContain('returned 1.231566s');
    expect(l.text.join(' ')).toContain(formatMicros(l.pointMicros));
    const fixed = sessionOf(l, null);
    expect(fixed.runToEnd().outcome).toBe('pass');
    expect(fixed.violations).toEqual([]);
  }, 60_000);

  it('3: Figure 8 with raft/commit-old-term fails commit-current-term at 3.546s, then leader completeness and state machine safety', () => {
    const l = lesson('figure-8');
    const session = sessionOf(l);
    session.seek(l.pointMicros - 1);
    expect(session.violations.filter((v) => v.atMicros < l.pointMicros)).toEqual([]);
    session.seek(l.pointMicros);
    const [first] = session.violations;
    expect(first).toMatchObject({ name: 'commit-current-term', atMicros: l.pointMicros });
    expect(first!.message).toBe('leader n4 of term 3 committed index 98 by counting replicas, an entry of term 1');
    expect(formatMicros(l.pointMicros)).toBe('3.546s');
    session.runToEnd();
    const text = l.text.join(' ');
    for (const v of session.violations) expect(text).toContain(formatMicros(v.atMicros));
    expect(session.violations.map((v) => v.name)).toEqual(['commit-current-term', 'leader-completeness', 'state-machine-safety']);
    expect(session.violations[1]!.message).toMatch(/^n2 became leader of term 4/);
    expect(sessionOf(l, null).runToEnd().outcome).toBe('pass');
  }, 60_000);

  it('4: dueling proposers without backoff climb to round 52 before a value is chosen; with backoff round 1 wins', () => {
    const l = lesson('dueling-proposers');
    const duel = (bug: string | null) => {
      const session = sessionOf(l, bug);
      const result = session.runToEnd();
      const facts = observed(session);
      const decided = facts.find((o) => o.fact.type === 'decide')!;
      const rounds = facts.filter((o) => o.at <= decided.at && o.fact.ballot !== undefined).map((o) => (o.fact.ballot as { round: number }).round);
      const messages = session.trace.filter((e) => e.type === 'send' && e.at <= decided.at).length;
      const values = new Set(facts.filter((o) => o.fact.type === 'decide').map((o) => o.fact.value));
      expect(facts.filter((o) => o.fact.type === 'propose').map((o) => `${o.node}@${o.at}`)).toEqual(['n1@0', 'n2@0', 'n3@0']);
      return { at: decided.at, round: Math.max(...rounds), messages, values: [...values], outcome: result.outcome };
    };
    const text = l.text.join(' ');
    const noBackoff = duel(l.bug!);
    expect(noBackoff).toEqual({ at: l.pointMicros, round: 52, messages: 855, values: ['proposal:n3'], outcome: 'pass' });
    expect(text).toContain(`round ${noBackoff.round}`);
    expect(text).toContain(formatMicros(noBackoff.at));
    expect(text).toContain(`${noBackoff.messages} messages`);
    const backoff = duel(null);
    expect(backoff).toEqual({ at: 9_530, round: 1, messages: 48, values: ['proposal:n3'], outcome: 'pass' });
    expect(text).toContain(formatMicros(backoff.at));
    expect(text).toContain(`${backoff.messages} messages`);
  });

  it('5: a slow member is suspected though alive, refutes, and accuses another; nobody is declared dead', () => {
    const l = lesson('slow-member');
    const session = sessionOf(l);
    const result = session.runToEnd();
    const text = l.text.join(' ');
    const slow = session.drawn.find((f) => f.kind === 'slow')!;
    expect(slow).toMatchObject({ node: 'n1', factor: 50 });
    expect(text).toContain(formatMicros(slow.at));
    expect(session.trace.some((e) => e.type === 'fault' && JSON.stringify(e).includes('"crash"'))).toBe(false);
    const member = observed(session).filter((o) => o.fact.type === 'member');
    const firstSuspicion = member.find((o) => o.fact.status === 'suspect')!;
    expect([firstSuspicion.node, firstSuspicion.fact.member]).toEqual(['n5', 'n1']);
    expect(text).toContain(`At ${formatMicros(firstSuspicion.at)} n5 suspects n1`);
    const cleared = member.filter((o) => o.fact.member === 'n1' && o.fact.status === 'alive' && o.fact.incarnation === 1);
    expect(new Set(cleared.map((o) => o.node)).size).toBe(7);
    expect(text).toContain(`by ${formatMicros(Math.max(...cleared.map((o) => o.at)))} every other member`);
    const accusation = member.find((o) => o.node === 'n1' && o.fact.status === 'suspect')!;
    expect(accusation.fact.member).toBe('n5');
    expect(accusation.at).toBe(l.pointMicros);
    expect(text).toContain(`at ${formatMicros(accusation.at)} n1 suspects n5`);
    expect(member.filter((o) => o.fact.status === 'dead')).toEqual([]);
    expect(result.outcome).toBe('pass');
  }, 60_000);
});
