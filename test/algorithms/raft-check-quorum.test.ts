// Check-quorum's window, in the simulator: a healthy leader is never deposed by its own check, whatever
// valid timeouts it runs with (12–24 ms on a network whose round trip is 10–20 ms included), and a leader
// cut off from a majority still steps down, once the longest election timeout has passed without a reply.
import { describe, expect, it } from 'vitest';
import type { RaftFact } from '../../algorithms/raft/facts.js';
import { findScenario } from '../../scenarios/index.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { MetricsObserver } from '../../sim/metrics.js';
import type { NodeId } from '../../sim/process.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { ms, seconds } from '../../sim/time.js';

interface Seen {
  readonly at: number;
  readonly node: NodeId;
  readonly fact: RaftFact;
}

/** Runs an elections-only Raft cluster under `faults`, recording every role and step-down fact. */
function runWith(seed: number, set: readonly string[], faults: readonly FaultEntry[], durationMicros = seconds(3)) {
  const prepared = prepareRun({
    scenario: findScenario('raft-leader-crash')!, seed, durationMicros,
    set: ['clients=0', ...set], faults: { raw: faults, source: 'test' },
  });
  const seen: Seen[] = [];
  const recorder: MetricsObserver<RaftFact> = {
    name: 'test-recorder',
    onFact(node, fact, run) {
      if (run.phase === 'faults' && (fact.type === 'step-down' || fact.type === 'role')) seen.push({ at: run.now, node, fact });
    },
    finish: () => ({}),
  };
  const setup = { ...prepared.setup, observers: [...(prepared.setup.observers ?? []), recorder as MetricsObserver<never>] };
  const result = executeRun({ ...prepared, setup });
  return { result, seen };
}

const FAST = ['electionTimeoutMicrosMin=12ms', 'electionTimeoutMicrosMax=24ms', 'heartbeatMicros=6ms', 'latencyMicros=5ms', 'jitterMicros=5ms'];

describe('raft check-quorum window', () => {
  it.each([1, 2, 3, 4, 5])('keeps a healthy leader with 12–24 ms timeouts, heartbeat 6 ms, one-way latency 5–10 ms (seed %i)', (seed) => {
    const { seen } = runWith(seed, [...FAST, 'checkQuorum=on'], []);
    // Old window (the minimum timeout, 12 ms, below a round trip plus a heartbeat): every leader deposed.
    expect(seen.filter((s) => s.fact.type === 'step-down')).toEqual([]);
    const leaders = seen.filter((s) => s.fact.type === 'role' && s.fact.role === 'leader');
    expect(leaders.length).toBeGreaterThanOrEqual(1);
    // The last leader was elected early and led for the rest of the 3 s.
    expect(leaders.at(-1)!.at).toBeLessThan(ms(500));
  });

  it.each([
    { timing: FAST, windowMicros: ms(24), heartbeatMicros: ms(6), roundTripMicrosMax: ms(20) },
    { timing: [], windowMicros: ms(300), heartbeatMicros: ms(50), roundTripMicrosMax: ms(10) },
  ])('steps a leader cut off from a majority down once the longest election timeout passes without a reply ($windowMicros us)', ({ timing, windowMicros, heartbeatMicros, roundTripMicrosMax }) => {
    for (const seed of [1, 2, 3]) {
      const cutAt = seconds(1);
      const { seen } = runWith(seed, [...timing, 'checkQuorum=on'], [{ at: cutAt, kind: 'partition', groups: [['@leader'], ['@rest']] }], seconds(2));
      const leaderAtCut = seen.filter((s) => s.at < cutAt && s.fact.type === 'role').reduce<Map<NodeId, string>>((m, s) => m.set(s.node, (s.fact as { role: string }).role), new Map());
      const isolated = [...leaderAtCut].find(([, role]) => role === 'leader')![0];
      const stepDowns = seen.filter((s) => s.node === isolated && s.at >= cutAt && s.fact.type === 'step-down');
      expect(stepDowns.length, `seed ${seed}`).toBe(1);
      // The last reply it heard answered a heartbeat sent at most a heartbeat and a round trip before the
      // cut, and came in one round trip after the cut at the latest: the step-down is one window later.
      expect(stepDowns[0]!.at - cutAt, `seed ${seed}`).toBeGreaterThanOrEqual(windowMicros - heartbeatMicros - roundTripMicrosMax);
      expect(stepDowns[0]!.at - cutAt, `seed ${seed}`).toBeLessThanOrEqual(windowMicros + roundTripMicrosMax);
    }
  });

  it('leaves a leader with check-quorum off in place while it is cut off (Figure 2 Raft)', () => {
    const { seen } = runWith(1, ['checkQuorum=off'], [{ at: seconds(1), kind: 'partition', groups: [['@leader'], ['@rest']] }], seconds(2));
    expect(seen.filter((s) => s.fact.type === 'step-down')).toEqual([]);
  });
});
