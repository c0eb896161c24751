// The leaderless metric (algorithms/raft/leaderless.ts, the Raft paper's Figure 16) on hand-driven runs: a
// sample runs from the crash of the server last known as leader to the first `role: leader` fact of a later
// term, inside the fault phase; everything else (other faults, other roles, the recovery phase) gives none.
import { describe, expect, it } from 'vitest';
import type { RaftFact } from '../../algorithms/raft/facts.js';
import { LEADERLESS_METRIC, leaderlessMetrics } from '../../algorithms/raft/leaderless.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { FakeRun } from './fd-membership-fixtures.js';

/** Drives one leaderless observer over a fake five-server run. */
class Driver {
  readonly run = new FakeRun(['n1', 'n2', 'n3', 'n4', 'n5']);
  readonly metric = leaderlessMetrics();

  fact(at: Micros, node: NodeId, fact: RaftFact): this {
    this.run.now = at;
    this.metric.onFact?.(node, fact, this.run);
    return this;
  }
  role(at: Micros, node: NodeId, role: 'follower' | 'candidate' | 'leader', term: number): this {
    return this.fact(at, node, { type: 'role', role, term });
  }
  /** A leader's election as the node reports it: its role, then the `leader` fact. */
  elected(at: Micros, node: NodeId, term: number): this {
    return this.role(at, node, 'leader', term).fact(at, node, { type: 'leader', term });
  }
  fault(entry: FaultEntry | null, at?: Micros): this {
    if (at !== undefined) this.run.now = at;
    this.metric.onFault?.(entry, this.run);
    return this;
  }
  crash(at: Micros, node: NodeId): this {
    return this.fault(this.run.lifecycle(at, 'crash', node));
  }
  samples(): readonly Micros[] | undefined {
    return this.metric.finish({} as never).samples?.[LEADERLESS_METRIC.name];
  }
}

describe('leaderlessMetrics', () => {
  it('declares the one duration metric it fills', () => {
    expect(LEADERLESS_METRIC.name).toBe('leaderlessMicros');
    expect(LEADERLESS_METRIC.unit).toBe('duration');
    expect(leaderlessMetrics().name).toBe('leaderless-metrics');
    expect(leaderlessMetrics().provides).toEqual([LEADERLESS_METRIC]);
    expect(new Driver().samples()).toEqual([]);
  });

  it('a crash of a node that never reported a role (a client, or a server before it started) starts nothing and throws nothing', () => {
    const d = new Driver().elected(0, 'n1', 1);
    expect(() => d.crash(10, 'n2')).not.toThrow();
    d.elected(20, 'n3', 2);
    expect(d.samples()).toEqual([]);
  });

  it('times the crash of the leader until a server becomes leader of a later term, once per crash', () => {
    const d = new Driver().elected(10, 'n1', 2).role(10, 'n2', 'follower', 2).crash(1_000, 'n1')
      .role(1_100, 'n2', 'candidate', 3).role(1_150, 'n3', 'follower', 3).elected(1_300, 'n2', 3).elected(1_400, 'n2', 3);
    d.crash(5_000, 'n2').elected(5_750, 'n3', 5);
    expect(d.samples()).toEqual([300, 750]);
  });

  it('a leader role of the same term, or a follower or candidate of a later one, does not end it', () => {
    const d = new Driver().elected(10, 'n1', 2).crash(1_000, 'n1').role(1_100, 'n2', 'leader', 2).role(1_200, 'n3', 'candidate', 3).role(1_200, 'n4', 'follower', 3);
    expect(d.samples()).toEqual([]);
    expect(d.elected(1_250, 'n3', 3).samples()).toEqual([250]);
  });

  it('opens nothing on the crash of a non-leader or a deposed leader, nor on faults that are not crashes', () => {
    const d = new Driver().elected(10, 'n1', 2).role(10, 'n2', 'follower', 2).crash(1_000, 'n2');
    d.fault(d.run.lifecycle(1_100, 'pause', 'n1')).fault({ at: 1_150, kind: 'partition', groups: [['n1'], ['n2', 'n3', 'n4', 'n5']] }).fault(null, 1_160);
    d.role(1_200, 'n1', 'follower', 3).crash(1_300, 'n1').elected(1_400, 'n3', 3).elected(1_500, 'n4', 4);
    expect(d.samples()).toEqual([]);
  });

  it('a second crash while one is open does not restart the clock, even of a server still recorded as leader', () => {
    // n1 was deposed without reporting it (it was cut off); n2 leads term 3.
    const d = new Driver().elected(10, 'n1', 2).elected(500, 'n2', 3).crash(1_000, 'n2').crash(1_200, 'n1').elected(1_600, 'n3', 4);
    expect(d.samples()).toEqual([600]);
  });

  it('gives no sample for a trial still open when the recovery phase begins (the crashed leader may restart then)', () => {
    const d = new Driver().elected(10, 'n1', 2).crash(1_000, 'n1');
    d.run.phase = 'recovery';
    d.fault(d.run.lifecycle(1_050, 'restart', 'n1')).elected(1_100, 'n2', 3);
    expect(d.samples()).toEqual([]);
    // Read from the phase itself, not only from the faults that open it.
    const quiet = new Driver().elected(10, 'n1', 2).crash(1_000, 'n1');
    quiet.run.phase = 'recovery';
    expect(quiet.elected(1_100, 'n2', 3).samples()).toEqual([]);
  });
});
