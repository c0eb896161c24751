// SWIM's rule checkers (algorithms/failure-detection/swim-checks.ts): each fails a hand-made trace that
// breaks its rule and passes one that keeps it; on the engine, correct SWIM passes them and the planted
// bug each is about makes it fail.
import { describe, expect, it } from 'vitest';
import type { FdFact } from '../../algorithms/failure-detection/facts.js';
import { suspicionTimeoutMinMicros, swimIndirectProbes, swimSuspicionTimeout } from '../../algorithms/failure-detection/swim-checks.js';
import { findScenario } from '../../scenarios/index.js';
import type { Checker } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { executeRun, prepareRun, type RunRequest } from '../../sim/run.js';
import type { Micros } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';
import { FakeRun } from './fd-membership-fixtures.js';

const N = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** Feeds trace events (and faults) to one checker over a fake run, collecting the problems it reports. */
class EventDriver {
  readonly run = new FakeRun(N);
  readonly problems: string[] = [];
  private msgId = 0;
  constructor(private readonly checker: Checker<FdFact>) {}

  private event(e: TraceEvent): this {
    this.run.now = e.at;
    const problem = this.checker.onEvent?.(e, this.run);
    if (problem) this.problems.push(problem);
    if (e.type === 'observe') {
      const p = this.checker.onObservation?.(e.node, e.fact as FdFact, this.run);
      if (p) this.problems.push(p);
    }
    return this;
  }
  start(at: Micros, node: NodeId): this {
    this.event({ type: 'start', at, node });
    return this.observe(at, node, { type: 'members-alive', members: N.filter((m) => m !== node), incarnation: 0 });
  }
  timer(at: Micros, node: NodeId, name: string): this {
    return this.event({ type: 'timer', at, node, name });
  }
  deliver(at: Micros, from: NodeId, to: NodeId, msg: unknown): this {
    return this.event({ type: 'deliver', at, from, to, msgId: this.msgId++, msg });
  }
  send(at: Micros, from: NodeId, to: NodeId, msg: unknown): this {
    return this.event({ type: 'send', at, from, to, msgId: this.msgId++, msg });
  }
  observe(at: Micros, node: NodeId, fact: FdFact): this {
    return this.event({ type: 'observe', at, node, fact });
  }
  view(at: Micros, node: NodeId, member: NodeId, status: 'alive' | 'suspect' | 'dead', incarnation = 0): this {
    return this.observe(at, node, { type: 'member', member, status, incarnation });
  }
  fault(entry: FaultEntry): this {
    this.run.now = entry.at;
    const problem = this.checker.onFault?.(entry, this.run);
    if (problem) this.problems.push(problem);
    return this;
  }
}

const ping = (seq: number) => ({ type: 'ping', seq, updates: [] });
const pingReq = (seq: number, target: NodeId) => ({ type: 'ping-req', seq, target, updates: [] });

describe('swim-indirect-probes', () => {
  /** n1 probes n5 (seq 1) from its probe timer; nobody answers. */
  const probing = (k = 3) => new EventDriver(swimIndirectProbes({ indirectProbes: k })).start(0, 'n1').timer(100, 'n1', 'probe').send(100, 'n1', 'n5', ping(1));

  it('passes a suspicion that follows ping-reqs to k others about the same probe', () => {
    const d = probing().timer(200, 'n1', 'ping-timeout').send(200, 'n1', 'n2', pingReq(1, 'n5')).send(200, 'n1', 'n3', pingReq(1, 'n5')).send(200, 'n1', 'n4', pingReq(1, 'n5'));
    d.timer(300, 'n1', 'probe').view(300, 'n1', 'n5', 'suspect');
    expect(d.problems).toEqual([]);
  });

  it('fails a suspicion raised at the ping timeout with no ping-req (the planted bug), naming what was owed', () => {
    const d = probing().timer(200, 'n1', 'ping-timeout').view(200, 'n1', 'n5', 'suspect');
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0]).toMatch(/n1 suspected n5 \(incarnation 0\) from its own probe \(seq 1\) after ping-reqs to 0 member\(s\); .* owed min\(k=3, 3\) = 3/);
  });

  it('fails when fewer than k went out, or ping-reqs of another probe are counted', () => {
    const few = probing().timer(200, 'n1', 'ping-timeout').send(200, 'n1', 'n2', pingReq(1, 'n5')).send(200, 'n1', 'n2', pingReq(1, 'n5'));
    few.timer(300, 'n1', 'probe').view(300, 'n1', 'n5', 'suspect');
    expect(few.problems[0]).toMatch(/after ping-reqs to 1 member/);
    const stale = probing().timer(200, 'n1', 'ping-timeout').send(200, 'n1', 'n2', pingReq(0, 'n5')).send(200, 'n1', 'n3', pingReq(0, 'n5')).send(200, 'n1', 'n4', pingReq(0, 'n5'));
    stale.timer(300, 'n1', 'probe').view(300, 'n1', 'n5', 'suspect');
    expect(stale.problems).toHaveLength(1);
  });

  it('owes only min(k, members held alive throughout): a member that died meanwhile lowers the debt', () => {
    const d = probing().view(150, 'n1', 'n4', 'dead').view(160, 'n1', 'n3', 'suspect').timer(200, 'n1', 'ping-timeout').send(200, 'n1', 'n2', pingReq(1, 'n5'));
    d.timer(300, 'n1', 'probe').view(300, 'n1', 'n5', 'suspect');
    expect(d.problems).toEqual([]);
  });

  it('does not judge a suspicion gossiped in a message, nor one about a member it was not probing', () => {
    const gossip = probing().deliver(200, 'n2', 'n1', ping(7)).view(200, 'n1', 'n5', 'suspect');
    expect(gossip.problems).toEqual([]);
    const other = probing().timer(200, 'n1', 'ping-timeout').view(200, 'n1', 'n4', 'suspect');
    expect(other.problems).toEqual([]);
  });

  it('takes a ping sent from a message handler (a relayed ping) for no probe', () => {
    const d = probing().timer(200, 'n1', 'ping-timeout').send(200, 'n1', 'n2', pingReq(1, 'n5')).send(200, 'n1', 'n3', pingReq(1, 'n5')).send(200, 'n1', 'n4', pingReq(1, 'n5'));
    d.deliver(250, 'n2', 'n1', pingReq(9, 'n5')).send(250, 'n1', 'n5', ping(2));
    d.timer(300, 'n1', 'probe').view(300, 'n1', 'n5', 'suspect');
    expect(d.problems).toEqual([]);
  });
});

describe('swim-suspicion-timeout', () => {
  const options = { nodeCount: 100, protocolPeriodMicros: 200_000, suspicionMultiplier: 4 };
  const MIN = suspicionTimeoutMinMicros(options);
  const setup = () => new EventDriver(swimSuspicionTimeout(options));

  it('computes the minimum from n, T′ and the multiplier: 4 × log10 100 × 200 ms = 1.6 s, and 4 × 1 × T′ below 10 members', () => {
    expect(MIN).toBe(1_600_000);
    expect(suspicionTimeoutMinMicros({ ...options, nodeCount: 8 })).toBe(800_000);
  });

  it('passes a death at the minimum, and later gossip of it however soon', () => {
    const d = setup().view(1_000, 'n1', 'n5', 'suspect').view(1_000 + MIN, 'n1', 'n5', 'dead').view(1_000 + MIN, 'n2', 'n5', 'dead');
    expect(d.problems).toEqual([]);
  });

  it('fails a first death of an incarnation before the minimum (the unscaled timeout: 800 ms at 100 members)', () => {
    const d = setup().view(1_000, 'n1', 'n5', 'suspect').view(801_000, 'n1', 'n5', 'dead');
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0]).toMatch(/n1 declared n5 dead \(incarnation 0\) 800ms after suspecting it .* below the suspicion timeout 1.6s = 4 × max\(1, log10 100\) × 200ms/);
  });

  it('measures from the suspicion of the same incarnation in the same life', () => {
    const later = setup().view(0, 'n1', 'n5', 'suspect', 0).view(1_000_000, 'n1', 'n5', 'suspect', 1).view(1_700_000, 'n1', 'n5', 'dead', 1);
    expect(later.problems).toHaveLength(1);
    const never = setup().view(0, 'n1', 'n5', 'dead', 2);
    expect(never.problems[0]).toMatch(/without suspecting that incarnation first/);
    const crashed = setup().view(0, 'n1', 'n5', 'suspect');
    crashed.run.crashQuietly('n1');
    crashed.view(MIN + 1, 'n1', 'n5', 'dead');
    expect(crashed.problems).toHaveLength(1);
  });

  it('allows for a fast clock (drift) and a forward jump, measured on the confirmer’s clock, and no more', () => {
    // +25% drift: 1.28 s of true time is 1.6 s on n1's clock.
    const drift = setup().fault({ at: 0, kind: 'clock-drift', node: 'n1', ppm: 250_000 }).view(1_000, 'n1', 'n5', 'suspect').view(1_281_000, 'n1', 'n5', 'dead');
    expect(drift.problems).toEqual([]);
    const tooSoon = setup().fault({ at: 0, kind: 'clock-drift', node: 'n1', ppm: 250_000 }).view(1_000, 'n1', 'n5', 'suspect').view(1_200_000, 'n1', 'n5', 'dead');
    expect(tooSoon.problems).toHaveLength(1);
    // Another member's drift is no excuse.
    const other = setup().fault({ at: 0, kind: 'clock-drift', node: 'n2', ppm: 250_000 }).view(1_000, 'n1', 'n5', 'suspect').view(1_281_000, 'n1', 'n5', 'dead');
    expect(other.problems).toHaveLength(1);
    // A 1 s forward jump during the suspicion counts; a backward one does not.
    const jump = setup().view(1_000, 'n1', 'n5', 'suspect').fault({ at: 100_000, kind: 'clock-skew', node: 'n1', offsetMicros: 1_000_000 }).view(700_000, 'n1', 'n5', 'dead');
    expect(jump.problems).toEqual([]);
    const back = setup().view(1_000, 'n1', 'n5', 'suspect').fault({ at: 100_000, kind: 'clock-skew', node: 'n1', offsetMicros: -1_000_000 }).view(700_000, 'n1', 'n5', 'dead');
    expect(back.problems).toHaveLength(1);
  });

  it('counts a jump or a drift change at the very microsecond the suspicion starts (a trigger reacting to it comes after the reading; review finding)', () => {
    const jump = setup().view(1_000, 'n1', 'n5', 'suspect').fault({ at: 1_000, kind: 'clock-skew', node: 'n1', offsetMicros: 1_000_000 }).view(700_000, 'n1', 'n5', 'dead');
    expect(jump.problems).toEqual([]);
    // Fast until the suspicion starts, then 0 ppm: the timer may have been set on the fast clock.
    const drift = setup().fault({ at: 0, kind: 'clock-drift', node: 'n1', ppm: 250_000 }).view(1_000, 'n1', 'n5', 'suspect').fault({ at: 1_000, kind: 'clock-drift', node: 'n1', ppm: 0 }).view(1_281_000, 'n1', 'n5', 'dead');
    expect(drift.problems).toEqual([]);
  });

  it('on the engine: a skew triggered by the suspicion itself is no false positive (fd-crash, seeds 1..3)', () => {
    const faults: FaultEntry[] = [
      { at: 0, kind: 'on-fact', fact: 'member', where: { status: 'suspect' }, times: 1, then: [{ afterMicros: 0, kind: 'clock-skew', node: '$fact', offsetMicros: 4_000_000 }] } as unknown as FaultEntry,
      { at: 3_000_000, kind: 'crash', node: 'n8' },
    ];
    expect(failing({ scenario: 'fd-crash', durationMicros: 20_000_000, faults: { raw: faults, source: 'test' } }, range(1, 3), 'swim-suspicion-timeout')).toEqual([]);
  }, 60_000);
});

type Options = Omit<RunRequest, 'scenario' | 'seed'> & { readonly scenario: string };
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
/** Seeds (of `seeds`) whose check `name` failed. */
function failing(options: Options, seeds: readonly number[], name: string): number[] {
  const { scenario, ...rest } = options;
  return seeds.filter((seed) => executeRun(prepareRun({ ...rest, scenario: findScenario(scenario)!, seed })).checks.some((c) => c.name === name && !c.ok));
}

describe('on the engine', () => {
  it('fd/swim-no-indirect-probes fails swim-indirect-probes on fd-chaos (its own nemesis, 8 members: seeds 1..10 all), correct SWIM passes', () => {
    const seeds = range(1, 10);
    expect(failing({ scenario: 'fd-chaos', bug: 'fd/swim-no-indirect-probes' }, seeds, 'swim-indirect-probes')).toEqual(seeds);
    expect(failing({ scenario: 'fd-chaos' }, seeds, 'swim-indirect-probes')).toEqual([]);
  });

  it('fd/swim-unscaled-suspicion fails swim-suspicion-timeout on fd-crash with 32 members (seeds 1..5 all), correct SWIM passes; at 8 members the bug changes nothing', () => {
    const seeds = range(1, 5);
    const setting = { scenario: 'fd-crash', nodeCount: 32, durationMicros: 20_000_000 } as const;
    expect(failing({ ...setting, bug: 'fd/swim-unscaled-suspicion' }, seeds, 'swim-suspicion-timeout')).toEqual(seeds);
    expect(failing(setting, seeds, 'swim-suspicion-timeout')).toEqual([]);
    expect(failing({ scenario: 'fd-crash', bug: 'fd/swim-unscaled-suspicion' }, seeds, 'swim-suspicion-timeout')).toEqual([]);
  }, 60_000);

  it('correct SWIM passes both under swarm on fd-chaos (seeds 1..10)', () => {
    const seeds = range(1, 10);
    expect(failing({ scenario: 'fd-chaos', nemesis: 'swarm' }, seeds, 'swim-indirect-probes')).toEqual([]);
    expect(failing({ scenario: 'fd-chaos', nemesis: 'swarm' }, seeds, 'swim-suspicion-timeout')).toEqual([]);
  });
});
