// The playground session against the batch engine: whatever the user clicks, seeks and steps, the session
// ends with the fingerprint and outcome of a fresh `executeRun` of its schedule (what `faultline run
// --faults FILE` does), and acting at a moment never changes what happened before it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_ACTIONS, PlaygroundSession, SESSION_FAULTS_SOURCE } from '../../playground/session.js';
import { findScenario, scenarios } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { ms } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';

const SHORT = ms(1_500);

function fresh(session: PlaygroundSession): { fingerprint: string; outcome: string; trace: TraceEvent[] } {
  const trace: TraceEvent[] = [];
  const { scenario, seed, bug, durationMicros } = session.config;
  const prepared = prepareRun({
    scenario, seed, ...(bug !== undefined ? { bug } : {}), ...(durationMicros !== undefined ? { durationMicros } : {}),
    faults: { raw: JSON.parse(JSON.stringify(session.schedule)), source: 'schedule.json' },
  });
  const result = executeRun(prepared, (e) => void trace.push(e));
  return { fingerprint: result.fingerprint, outcome: result.outcome, trace };
}

/** A user's session: seeks (back or forward), steps and node actions, as times in the fault phase. */
const steps = fc.array(fc.oneof(
  fc.record({ op: fc.constant('seek' as const), at: fc.integer({ min: 0, max: SHORT + ms(500) }) }),
  fc.record({ op: fc.constant('step' as const), times: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('act' as const), at: fc.integer({ min: 0, max: SHORT - 1 }), kind: fc.constantFrom(...NODE_ACTIONS), node: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5') }),
), { maxLength: 6 });

describe('PlaygroundSession', () => {
  it('ends as a fresh run of its schedule does, whatever was clicked, sought and stepped', () => {
    fc.assert(fc.property(fc.constantFrom('raft-leader-crash', 'raft-lossy', 'paxos-lossy'), fc.integer({ min: 0, max: 50 }), steps, (name, seed, plan) => {
      const session = new PlaygroundSession({ scenario: findScenario(name)!, seed, durationMicros: SHORT });
      for (const step of plan) {
        if (step.op === 'seek') session.seek(step.at);
        else if (step.op === 'step') for (let i = 0; i < step.times; i++) session.stepToNextEvent();
        else {
          session.seek(step.at);
          session.act(step.kind, step.node);
          expect(session.nowMicros).toBe(step.at);
        }
      }
      const ended = session.runToEnd();
      const expected = fresh(session);
      expect(ended.fingerprint).toBe(expected.fingerprint);
      expect(ended.outcome).toBe(expected.outcome);
      expect(session.trace).toEqual(expected.trace);
      expect(session.prepared.faultsSource).toBe(SESSION_FAULTS_SOURCE);
    }), { numRuns: 25 });
  });

  it('acting at a moment keeps the past before it and drops later actions (a fork)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: ms(100), max: SHORT - 1 }), fc.integer({ min: 1, max: ms(100) }), (seed, later, back) => {
      const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed, durationMicros: SHORT });
      session.seek(later);
      session.act('crash', 'n1');
      const earlier = later - back;
      const before = session.trace.filter((e) => e.at < earlier);
      session.seek(earlier);
      session.act('pause', 'n2');
      expect(session.actions).toEqual([{ at: earlier, kind: 'pause', node: 'n2' }]);
      expect(session.trace.filter((e) => e.at < earlier)).toEqual(before);
      expect(session.trace.some((e) => e.at === earlier && e.type === 'fault')).toBe(true);
    }), { numRuns: 20 });
  });

  it('seeking back and forward shows the same trace and ends the same', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed: 3, durationMicros: SHORT });
    session.seek(ms(900));
    const at900 = session.trace.filter((e) => e.at <= ms(900));
    session.seek(ms(200));
    expect(session.nowMicros).toBe(ms(200));
    session.seek(ms(900));
    expect(session.trace.filter((e) => e.at <= ms(900))).toEqual(at900);
    expect(session.runToEnd().fingerprint).toBe(fresh(session).fingerprint);
  });

  it('steps land on event times, in order, and stop at the end', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed: 1, durationMicros: ms(50) });
    let last = session.nowMicros;
    for (let i = 0; i < 100_000 && session.result === undefined; i++) {
      const at = session.stepToNextEvent();
      expect(at).toBeGreaterThan(last);
      expect(session.trace.some((e) => e.at === at)).toBe(true);
      last = at;
    }
    expect(session.result).toBeDefined();
    const end = session.result!.endedAtMicros;
    while (session.nowMicros < end) session.stepToNextEvent();
    expect(session.stepToNextEvent()).toBe(end);
  });

  it('runs every registered scenario (but the two large ones, for time) as a fresh run of its schedule does', () => {
    for (const scenario of scenarios.filter((s) => !s.name.endsWith('-large'))) {
      const session = new PlaygroundSession({ scenario, seed: 1, durationMicros: ms(1_000) });
      const server = session.nodes.find((n) => n.role !== 'client')!.id;
      session.seek(ms(300));
      session.act('crash', server);
      session.seek(ms(600));
      session.act('restart', server);
      expect(session.runToEnd().fingerprint, scenario.name).toBe(fresh(session).fingerprint);
    }
  }, 120_000);

  it('refuses actions in the recovery phase and on unknown nodes, in one line', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed: 1, durationMicros: ms(50) });
    expect(() => session.act('crash', 'n9')).toThrow(/no node "n9"/);
    session.seek(ms(60));
    expect(() => session.act('crash', 'n1')).toThrow(/fault phase/);
    expect(session.actions).toEqual([]);
  });
});
