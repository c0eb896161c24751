// Membership metrics on scripted runs whose values can be derived by hand: detection times, false
// positives per member-hour, messages and bytes per member-second, dissemination of view changes.

import { describe, expect, it } from 'vitest';
import { MEMBERSHIP_METRICS, membershipMetrics } from '../../algorithms/failure-detection/membership-metrics.js';
import type { EndedRun } from '../../sim/metrics.js';
import { Simulator } from '../../sim/simulator.js';
import { QUIET_NETWORK } from '../helpers.js';
import { Driver, FakeRun, scriptedMembers } from './fd-membership-fixtures.js';

const N = ['n1', 'n2', 'n3', 'n4'];
const S = 1_000_000;

function ended(run: FakeRun, recoveryAt: number): EndedRun {
  return {
    servers: run.servers, history: { ok: 0, fail: 0, open: 0 }, messagesSent: run.messagesSent,
    ...(run.bytesSent !== undefined ? { bytesSent: run.bytesSent } : {}),
    recovery: { startedAtMicros: recoveryAt, recoveredAtMicros: null },
    endedAtMicros: recoveryAt,
  };
}

describe('membership metrics', () => {
  it('declares what it provides', () => {
    expect(membershipMetrics().provides).toBe(MEMBERSHIP_METRICS);
    expect(MEMBERSHIP_METRICS.map((m) => m.name)).toEqual([
      'detectionFirstSuspicionMicros', 'detectionAllDeadMicros', 'falseSuspicionsPerMemberHour', 'falseDeathsPerMemberHour',
      'healthyFalseSuspicionsPerMemberHour', 'healthyFalseDeathsPerMemberHour', 'messagesPerMemberSecond', 'bytesPerMemberSecond', 'disseminationMicros',
    ]);
  });

  it('measures a scripted run', () => {
    const observer = membershipMetrics();
    const run = new FakeRun(N);
    const d = new Driver(run, [observer]);
    // Every member learns every other alive at 0 (first learning: nothing spreads).
    for (const m of N) d.all(0, N, m, 'alive');
    // n3 is falsely suspected by n2 and n1; n4 learns n3's refutation (incarnation 1), then n1 and n2 do.
    d.fact(1 * S, 'n2', 'n3', 'suspect').fact(1.2 * S, 'n1', 'n3', 'suspect');
    d.fact(1.5 * S, 'n4', 'n3', 'alive', 1); // covers suspect@0: suspect@0 reached n1, n2, n4 → 0.5s
    d.fact(2 * S, 'n1', 'n3', 'alive', 1).fact(2 * S, 'n2', 'n3', 'alive', 1); // alive@1 from 1.5s → 0.5s
    // n2 is falsely declared dead by n1 alone (2.5s), then revived at incarnation 1 (2.6s): neither reaches n3 or
    // n4, until n4 crashes (3s) and n3 pauses (4.2s), when n1 is the only up member besides n2: 1.7s and 1.6s.
    d.fact(2.5 * S, 'n1', 'n2', 'dead').fact(2.6 * S, 'n1', 'n2', 'alive', 1);
    // n4 crashes at 3s: first suspicion 3.4s (0.4s); n3 pauses at 4.2s (excused); n1 dead 4s, n2 dead 4.5s → all dead 1.5s.
    d.fault(3 * S, 'crash', 'n4').fact(3.4 * S, 'n1', 'n4', 'suspect').fact(4 * S, 'n1', 'n4', 'dead');
    d.fault(4.2 * S, 'pause', 'n3').fact(4.5 * S, 'n2', 'n4', 'dead');
    // suspect@0 of n4 from 3.4s and dead@0 from 4s reach n1 and n2 (every up member but n4) at 4.5s: 1.1s and 0.5s.
    run.messagesSent = 400;
    run.bytesSent = 8_000;
    d.recover(10 * S);
    run.messagesSent = 999; // recovery traffic is not counted
    run.bytesSent = 99_999;
    d.fault(10 * S, 'restart', 'n4').fault(10 * S, 'resume', 'n3');
    const { samples } = observer.finish(ended(run, 10 * S));
    // 4 members × 10s = 1/90 member-hour: 2 false suspicions → 180, 1 false death → 90.
    expect(samples).toEqual({
      detectionFirstSuspicionMicros: [0.4 * S],
      detectionAllDeadMicros: [1.5 * S],
      falseSuspicionsPerMemberHour: [180],
      falseDeathsPerMemberHour: [90],
      healthyFalseSuspicionsPerMemberHour: [180],
      healthyFalseDeathsPerMemberHour: [90],
      messagesPerMemberSecond: [10],
      bytesPerMemberSecond: [200],
      disseminationMicros: [0.5 * S, 0.5 * S, 1.6 * S, 1.7 * S, 0.5 * S, 1.1 * S],
    });
  });

  it('measures a members-alive fact (a start-up view) as the member facts it stands for', () => {
    const others = (id: string) => N.filter((m) => m !== id);
    const measure = (batch: boolean) => {
      const observer = membershipMetrics();
      const run = new FakeRun(N);
      const d = new Driver(run, [observer]);
      const start = (at: number, id: string) => {
        if (batch) d.aliveAll(at, id, others(id));
        else for (const m of others(id)) d.fact(at, id, m, 'alive');
      };
      for (const id of N) start(0, id);
      // A change spreading and a crash being detected when n1 re-reports all alive (undoing its death of
      // n4) and n2 restarts and reports its start-up view: the batch then goes member by member.
      d.fact(1 * S, 'n1', 'n3', 'suspect').fault(2 * S, 'crash', 'n4').fact(2.5 * S, 'n1', 'n4', 'suspect').fact(2.8 * S, 'n1', 'n4', 'dead');
      start(2.9 * S, 'n1');
      d.fault(3 * S, 'crash', 'n2').fault(3.5 * S, 'restart', 'n2');
      start(3.6 * S, 'n2');
      d.fact(4 * S, 'n3', 'n4', 'dead').fact(4.2 * S, 'n1', 'n4', 'dead').fact(4.4 * S, 'n2', 'n4', 'dead').fact(4.6 * S, 'n2', 'n3', 'suspect');
      d.recover(10 * S);
      return observer.finish(ended(run, 10 * S)).samples;
    };
    const expanded = measure(false);
    expect(expanded?.detectionAllDeadMicros).toEqual([2.2 * S]); // n2 crashed in the window: excused
    expect(measure(true)).toEqual(expanded);
  });

  it('counts a false positive of a slow member, but not as one of a healthy member', () => {
    const observer = membershipMetrics();
    const run = new FakeRun(N);
    const d = new Driver(run, [observer]);
    for (const m of N) d.all(0, N, m, 'alive');
    // n3 is slow from 1s to 3s: n1 suspects it at 2s (slow: not healthy), n2 at 4s (normal again: healthy).
    d.tell({ at: 1 * S, kind: 'slow', node: 'n3', factor: 50 }).fact(2 * S, 'n1', 'n3', 'suspect');
    d.tell({ at: 3 * S, kind: 'slow', node: 'n3', factor: 1 }).fact(4 * S, 'n2', 'n3', 'suspect');
    // n3, slow, declares n4 dead: n4 is healthy.
    d.tell({ at: 5 * S, kind: 'slow', node: 'n3', factor: 50 }).fact(6 * S, 'n3', 'n4', 'dead');
    d.recover(10 * S);
    const { samples } = observer.finish(ended(run, 10 * S));
    expect(samples!.falseSuspicionsPerMemberHour).toEqual([180]);
    expect(samples!.healthyFalseSuspicionsPerMemberHour).toEqual([90]);
    expect(samples!.falseDeathsPerMemberHour).toEqual([90]);
    expect(samples!.healthyFalseDeathsPerMemberHour).toEqual([90]);
  });

  it('gives no detection sample for a member back before anyone noticed, nor all-dead when one never declares it', () => {
    const observer = membershipMetrics();
    const run = new FakeRun(N);
    const d = new Driver(run, [observer]);
    for (const m of N) d.all(0, N, m, 'alive');
    d.fault(1 * S, 'crash', 'n4').fault(1.5 * S, 'restart', 'n4').fact(1.6 * S, 'n1', 'n4', 'suspect');
    d.fault(2 * S, 'crash', 'n3').all(2.5 * S, ['n1', 'n2'], 'n3', 'dead'); // n4 never declares n3 dead
    d.recover(5 * S);
    const { samples } = observer.finish(ended(run, 5 * S));
    expect(samples!.detectionFirstSuspicionMicros).toEqual([0.5 * S]);
    expect(samples!.detectionAllDeadMicros).toEqual([]);
    // n4 was up when n1 suspected it at 1.6s: a false suspicion; the deaths of n3 (crashed) are not false.
    expect(samples!.falseSuspicionsPerMemberHour).toEqual([Math.round((1 / ((4 * 5) / 3600)) * 1000) / 1000]);
    expect(samples!.falseDeathsPerMemberHour).toEqual([0]);
    expect(samples!.bytesPerMemberSecond).toEqual([]);
  });

  it('a viewer that crashes drops out of dissemination and comes back holding nothing', () => {
    const observer = membershipMetrics();
    const run = new FakeRun(['n1', 'n2', 'n3']);
    const d = new Driver(run, [observer]);
    for (const m of ['n1', 'n2', 'n3']) d.all(0, ['n1', 'n2', 'n3'], m, 'alive');
    d.fact(1 * S, 'n1', 'n3', 'suspect'); // suspect@0 of n3: n1 holds it, n2 must too
    d.fault(2 * S, 'crash', 'n2'); // only n1 is needed now (n3 itself excluded): done at 2s
    d.fault(3 * S, 'restart', 'n2').fact(3.5 * S, 'n1', 'n3', 'dead'); // dead@0: n1 holds it, the new n2 holds nothing
    d.fault(4 * S, 'crash', 'n2'); // done again: only n1 needed
    d.recover(5 * S);
    expect(observer.finish(ended(run, 5 * S)).samples!.disseminationMicros).toEqual([1 * S, 0.5 * S]);
  });

  it('runs on the engine, fed by facts and faults; messages and bytes per member-second when measured', () => {
    const make = (measureBytes: boolean) => {
      const observer = membershipMetrics();
      const nodes = scriptedMembers(N, (id) => (id === 'n4' ? [] : [[1.3 * S, 'n4', 'suspect', 0], [1.8 * S, 'n4', 'dead', 0]]));
      const sim = new Simulator({ seed: 1, nodes, network: QUIET_NETWORK, observers: [observer], measureBytes });
      sim.start();
      sim.scheduleFaults([{ at: 1 * S, kind: 'crash', node: 'n4' }]);
      sim.runUntil(4 * S);
      sim.beginRecovery();
      sim.runUntil(4.1 * S);
      return observer.finish({
        servers: N, history: { ok: 0, fail: 0, open: 0 }, messagesSent: sim.stats.messagesSent,
        ...(sim.stats.bytesSent !== undefined ? { bytesSent: sim.stats.bytesSent } : {}),
        recovery: { startedAtMicros: 4 * S, recoveredAtMicros: null },
        endedAtMicros: 4 * S,
      }).samples!;
    };
    const off = make(false);
    expect(off.detectionFirstSuspicionMicros).toEqual([0.3 * S]);
    expect(off.detectionAllDeadMicros).toEqual([0.8 * S]);
    expect(off.messagesPerMemberSecond).toEqual([0]);
    expect(off.bytesPerMemberSecond).toEqual([]);
    expect(make(true).bytesPerMemberSecond).toEqual([0]);
  });
});
