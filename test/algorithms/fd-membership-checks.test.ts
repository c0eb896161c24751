// Membership checkers: each fails on a hand-made sequence of views that breaks its promise and passes a
// correct one; completeness is also run on the engine (crashes told through the Checker.onFault hook).

import { describe, expect, it } from 'vitest';
import {
  accuracyAfterHeal, completeness, deadIsFinal, incarnationsNeverDecrease, membershipCheckers, neverSelfDead,
} from '../../algorithms/failure-detection/membership-checks.js';
import { Simulator } from '../../sim/simulator.js';
import type { FaultEntry } from '../../sim/faults.js';
import { QUIET_NETWORK } from '../helpers.js';
import { Driver, FakeRun, scriptedMembers } from './fd-membership-fixtures.js';

const N = ['n1', 'n2', 'n3', 'n4'];
const S = 1_000_000;

describe('completeness', () => {
  const setup = () => {
    const checker = completeness({ boundMicros: 2 * S });
    const run = new FakeRun(N);
    return { checker, run, d: new Driver(run, [checker]) };
  };

  it('passes when every member up throughout holds the crashed one dead within the bound', () => {
    const { checker, run, d } = setup();
    d.all(0, N, 'n1', 'alive').all(0, N, 'n2', 'alive').fault(1 * S, 'crash', 'n4');
    d.fact(1.5 * S, 'n1', 'n4', 'suspect').fact(2.5 * S, 'n1', 'n4', 'dead').fact(2.9 * S, 'n2', 'n4', 'dead').fact(3 * S, 'n3', 'n4', 'dead');
    run.now = 3 * S + 1;
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('fails when a member up throughout still holds it suspect at the bound, naming it and the time', () => {
    const { checker, run, d } = setup();
    d.fault(1 * S, 'crash', 'n4').all(2 * S, ['n1', 'n2'], 'n4', 'dead').fact(2 * S, 'n3', 'n4', 'suspect', 3);
    run.now = 5 * S;
    const verdict = checker.verdict(run);
    expect(verdict.ok).toBe(false);
    expect(verdict.atMicros).toBe(3 * S);
    expect(verdict.message).toMatch(/n4 crashed at 1s .* but n3 \(up throughout\) did not hold it dead within 2s \(at 3s it had suspect at incarnation 3\)/);
  });

  it('fails when the death comes after the bound, or never was heard of', () => {
    const late = setup();
    late.d.fault(1 * S, 'crash', 'n4').all(2 * S, ['n1', 'n2'], 'n4', 'dead').fact(3 * S + 1, 'n3', 'n4', 'dead');
    expect(late.checker.verdict(late.run).ok).toBe(false);
    const never = setup();
    never.d.fault(1 * S, 'crash', 'n4').all(2 * S, ['n1', 'n2'], 'n4', 'dead');
    never.run.now = 4 * S;
    expect(never.checker.verdict(never.run).message).toMatch(/n3 .* no view of it/);
  });

  it('is not judged before the bound has passed', () => {
    const { checker, run, d } = setup();
    d.fault(1 * S, 'crash', 'n4');
    run.now = 3 * S;
    expect(checker.verdict(run).ok).toBe(true);
    run.now = 3 * S + 1;
    expect(checker.verdict(run).ok).toBe(false);
  });

  it('owes nothing for a member back before the bound, and owes again at its next crash', () => {
    const { checker, run, d } = setup();
    d.fault(1 * S, 'crash', 'n4').fault(2.5 * S, 'restart', 'n4');
    run.now = 10 * S;
    expect(checker.verdict(run).ok).toBe(true);
    d.fault(11 * S, 'crash', 'n4');
    run.now = 14 * S;
    expect(checker.verdict(run).ok).toBe(false);
  });

  it('a member back exactly at the bound did stay down that long: owed', () => {
    const { checker, run, d } = setup();
    d.fault(1 * S, 'crash', 'n4').fault(3 * S, 'restart', 'n4');
    run.now = 4 * S;
    expect(checker.verdict(run).ok).toBe(false);
  });

  it('excuses a viewer paused or crashed in the window, and one down at the crash', () => {
    const paused = setup();
    paused.d.fault(0.5 * S, 'crash', 'n1').fault(1 * S, 'crash', 'n4').fault(2 * S, 'pause', 'n2').fault(2.2 * S, 'resume', 'n2').fact(2.5 * S, 'n3', 'n4', 'dead');
    paused.run.now = 10 * S;
    // n4's death is owed by n3 only (n1 was down at the crash, n2 paused in the window), and n3 gave it;
    // n1's own crash at 0.5s is owed by n3 (n2 paused, n4 crashed in its window), and n3 never gave it.
    expect(paused.checker.verdict(paused.run).message).toMatch(/^n1 crashed at 500ms .* but n3 /);
    const quiet = setup();
    quiet.d.fault(1 * S, 'crash', 'n4').fault(2 * S, 'pause', 'n2').fact(2.5 * S, 'n3', 'n4', 'dead');
    quiet.run.crashQuietly('n1'); // a handler exception: no fault entry
    quiet.run.now = 10 * S;
    expect(quiet.checker.verdict(quiet.run)).toEqual({ ok: true });
  });

  it('a member paused, then crashed, is owed from its crash', () => {
    const { checker, run, d } = setup();
    d.fault(1 * S, 'pause', 'n4').fault(1.5 * S, 'crash', 'n4');
    run.now = 4 * S;
    expect(checker.verdict(run).message).toMatch(/n4 crashed at 1.5s/);
  });

  it('judges only crashes of the fault phase', () => {
    const { checker, run, d } = setup();
    d.recover(5 * S).fault(6 * S, 'crash', 'n4');
    run.now = 20 * S;
    expect(checker.verdict(run).ok).toBe(true);
  });

  it('on the engine: crash faults reach it through onFault; a detector that declares in time passes, a late one fails', () => {
    const run = (deadAt: number) => {
      const members = scriptedMembers(N, (id) => (id === 'n4' ? [] : [[deadAt, 'n4', 'dead', 0]]));
      const sim = new Simulator({ seed: 1, nodes: members, network: QUIET_NETWORK, checkers: [completeness({ boundMicros: 2 * S })] });
      sim.start();
      const faults: FaultEntry[] = [{ at: 1 * S, kind: 'crash', node: 'n4' }];
      sim.scheduleFaults(faults);
      sim.runUntil(5 * S);
      sim.beginRecovery();
      sim.runUntil(5 * S + 10_000);
      return sim.verdicts()[0]!;
    };
    expect(run(2.9 * S).ok).toBe(true);
    const late = run(3.1 * S);
    expect(late.ok).toBe(false);
    expect(late.message).toMatch(/n4 crashed at 1s/);
  });
});

describe('accuracy after heal', () => {
  const setup = () => {
    const checker = accuracyAfterHeal();
    const run = new FakeRun(N);
    return { checker, run, d: new Driver(run, [checker]) };
  };
  const everyoneAlive = (d: Driver, at: number, incarnation = 0) => {
    for (const m of N) d.all(at, N, m, 'alive', incarnation);
  };

  it('holds once every up member sees every other up member alive in the recovery phase', () => {
    const { checker, run, d } = setup();
    everyoneAlive(d, 0);
    expect(checker.verdict(run).ok).toBe(false); // not before recovery
    d.recover(5 * S);
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('fails while one member still holds another suspect or dead, then holds when it is alive again', () => {
    const { checker, run, d } = setup();
    everyoneAlive(d, 0);
    d.fact(1 * S, 'n2', 'n3', 'dead').recover(5 * S);
    expect(checker.verdict(run).message).toBe('n2 has dead at incarnation 0 for n3, which is up');
    d.fact(5.1 * S, 'n2', 'n3', 'alive', 1); // a higher incarnation is fine
    expect(checker.verdict(run)).toEqual({ ok: true });
  });

  it('ignores members that are down, and a restarted viewer must learn its views again', () => {
    const { checker, run, d } = setup();
    everyoneAlive(d, 0);
    d.fault(1 * S, 'crash', 'n4').all(2 * S, N, 'n4', 'dead').recover(5 * S);
    expect(checker.verdict(run)).toEqual({ ok: true });
    d.fault(5 * S, 'restart', 'n4');
    expect(checker.verdict(run).message).toBe('n1 has dead at incarnation 0 for n4, which is up');
    d.all(5.2 * S, N, 'n4', 'alive', 1);
    expect(checker.verdict(run).message).toBe('n4 has no view of it for n1, which is up');
    for (const m of ['n1', 'n2', 'n3']) d.fact(5.3 * S, 'n4', m, 'alive');
    expect(checker.verdict(run)).toEqual({ ok: true });
  });
});

describe('incarnations never decrease', () => {
  it('fails when a viewer goes back to a lower incarnation of a member', () => {
    const run = new FakeRun(N);
    const d = new Driver(run, [incarnationsNeverDecrease()]);
    d.fact(0, 'n1', 'n2', 'alive', 0).fact(1, 'n1', 'n2', 'suspect', 2).fact(2, 'n1', 'n2', 'alive', 2).fact(3, 'n1', 'n3', 'alive', 1);
    expect(d.problems).toEqual([]);
    d.fact(4, 'n1', 'n2', 'dead', 1);
    expect(d.problems).toEqual(["n1's view of n2 went from incarnation 2 (alive) back to 1 (dead)"]);
  });

  it('a restarted viewer starts knowing nothing', () => {
    const run = new FakeRun(N);
    const d = new Driver(run, [incarnationsNeverDecrease()]);
    d.fact(0, 'n1', 'n2', 'alive', 5).fault(1, 'crash', 'n1').fault(2, 'restart', 'n1').fact(3, 'n1', 'n2', 'alive', 4);
    expect(d.problems).toEqual([]);
  });
});

describe('a members-alive fact (a start-up view) is read as a member fact per listed member', () => {
  const others = (id: string) => N.filter((m) => m !== id);

  it('fills the views completeness and accuracy read', () => {
    const c = completeness({ boundMicros: 2 * S });
    const a = accuracyAfterHeal();
    const run = new FakeRun(N);
    const d = new Driver(run, [c, a]);
    for (const id of N) d.aliveAll(0, id, others(id));
    d.recover(5 * S);
    expect(a.verdict(run)).toEqual({ ok: true });
    d.aliveAll(5.1 * S, 'n1', ['n2', 'n3']).fact(5.2 * S, 'n1', 'n4', 'suspect');
    expect(a.verdict(run).message).toBe('n1 has suspect at incarnation 0 for n4, which is up');
    // A crash owed a death; a start-up view re-reported by a viewer up throughout undoes it.
    const run2 = new FakeRun(N);
    const c2 = completeness({ boundMicros: 2 * S });
    const d2 = new Driver(run2, [c2]);
    d2.fault(1 * S, 'crash', 'n4').all(2 * S, ['n1', 'n2', 'n3'], 'n4', 'dead').aliveAll(2.5 * S, 'n2', ['n1', 'n3', 'n4']);
    run2.now = 4 * S;
    expect(c2.verdict(run2).message).toBe('n4 crashed at 1s and stayed down, but n2 (up throughout) did not hold it dead within 2s (at 3s it had alive at incarnation 0)');
  });

  it('incarnations never decrease: fails when it takes a member back to a lower incarnation', () => {
    const d = new Driver(new FakeRun(N), [incarnationsNeverDecrease()]);
    d.aliveAll(0, 'n1', ['n2', 'n3', 'n4']).fact(1, 'n1', 'n3', 'suspect', 2);
    expect(d.problems).toEqual([]);
    d.aliveAll(2, 'n1', ['n2', 'n3', 'n4'], 0);
    expect(d.problems).toEqual(["n1's view of n3 went from incarnation 2 (suspect) back to 0 (alive)"]);
  });

  it('dead is final: fails when it undoes a death at the same incarnation, not in a restarted viewer', () => {
    const d = new Driver(new FakeRun(N), [deadIsFinal()]);
    d.aliveAll(0, 'n1', ['n2', 'n3', 'n4']).fact(1, 'n1', 'n4', 'dead', 0).fault(2, 'crash', 'n1').fault(3, 'restart', 'n1').aliveAll(4, 'n1', ['n2', 'n3', 'n4']);
    expect(d.problems).toEqual([]);
    d.fact(5, 'n1', 'n4', 'dead', 0).aliveAll(6, 'n1', ['n2', 'n3', 'n4']);
    expect(d.problems).toEqual(['n1 held n4 dead at incarnation 0, then alive at incarnation 0']);
  });
});

describe('never self-dead', () => {
  it('fails only on a member declaring itself dead', () => {
    const run = new FakeRun(N);
    const d = new Driver(run, [neverSelfDead()]);
    d.fact(0, 'n1', 'n2', 'dead').fact(1, 'n1', 'n1', 'alive').fact(2, 'n1', 'n1', 'suspect', 3);
    expect(d.problems).toEqual([]);
    d.fact(3, 'n3', 'n3', 'dead', 2);
    expect(d.problems).toEqual(['n3 declared itself dead (incarnation 2)']);
  });
});

describe('dead is final', () => {
  it('fails when a dead view is undone at the same or a lower incarnation', () => {
    for (const [status, incarnation] of [['alive', 2], ['suspect', 2], ['alive', 1]] as const) {
      const run = new FakeRun(N);
      const d = new Driver(run, [deadIsFinal()]);
      d.fact(0, 'n1', 'n2', 'suspect', 2).fact(1, 'n1', 'n2', 'dead', 2).fact(2, 'n1', 'n2', status, incarnation);
      expect(d.problems).toEqual([`n1 held n2 dead at incarnation 2, then ${status} at incarnation ${incarnation}`]);
    }
  });

  it('passes a refutation at a higher incarnation, other members, and a restarted viewer', () => {
    const run = new FakeRun(N);
    const d = new Driver(run, [deadIsFinal()]);
    d.fact(0, 'n1', 'n2', 'dead', 2).fact(1, 'n1', 'n3', 'alive', 0).fact(2, 'n1', 'n2', 'alive', 3).fact(3, 'n1', 'n2', 'left', 3);
    d.fact(4, 'n1', 'n3', 'dead', 0).fault(5, 'crash', 'n1').fault(6, 'restart', 'n1').fact(7, 'n1', 'n3', 'alive', 0);
    expect(d.problems).toEqual([]);
  });
});

describe('membershipCheckers', () => {
  it('runs all five for SWIM and leaves dead-is-final out for reversible detectors', () => {
    expect(membershipCheckers({ boundMicros: S, deadIsFinal: true }).map((c) => [c.name, c.kind])).toEqual([
      ['completeness', 'eventually'], ['accuracy-after-heal', 'eventually'], ['incarnations-never-decrease', 'always'],
      ['never-self-dead', 'always'], ['dead-is-final', 'always'],
    ]);
    expect(membershipCheckers({ boundMicros: S, deadIsFinal: false }).map((c) => c.name)).not.toContain('dead-is-final');
  });
});
