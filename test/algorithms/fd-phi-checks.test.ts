// phi accrual's deviation-floor checker (algorithms/failure-detection/phi-checks.ts): it fails a hand-made
// trace whose death comes after a silence phi at the floor deviation would forgive, and passes one that
// waited long enough (on the member's own clock); on the engine, correct phi accrual passes it and the
// planted bug fd/phi-no-min-std-deviation fails it.
import { describe, expect, it } from 'vitest';
import type { FdFact } from '../../algorithms/failure-detection/facts.js';
import { phiMinStdDeviation } from '../../algorithms/failure-detection/phi-checks.js';
import { findScenario } from '../../scenarios/index.js';
import type { Checker } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { executeRun, prepareRun, type RunRequest } from '../../sim/run.js';
import type { Micros } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';
import { FakeRun } from './fd-membership-fixtures.js';

const MS = 1_000;
const OPTIONS = { threshold: 8, windowSize: 200, minStdDeviationMicros: 10 * MS, acceptablePauseMicros: 0, firstHeartbeatEstimateMicros: 100 * MS };

class Driver {
  readonly run = new FakeRun(['n1', 'n2', 'n3']);
  readonly problems: string[] = [];
  constructor(private readonly checker: Checker<FdFact> = phiMinStdDeviation(OPTIONS)) {}
  private event(e: TraceEvent): this {
    this.run.now = e.at;
    const problem = this.checker.onEvent?.(e, this.run);
    if (problem) this.problems.push(problem);
    return this;
  }
  start(at: Micros, node: NodeId, restart = false): this {
    return this.event({ type: restart ? 'restart' : 'start', at, node });
  }
  /** `count` heartbeats of `from` (at `incarnation`) reach `to`, every `everyMicros` from `at` on. */
  beats(at: Micros, from: NodeId, to: NodeId, count: number, everyMicros = 100 * MS, incarnation = 1): this {
    for (let i = 0; i < count; i++) this.event({ type: 'deliver', at: at + i * everyMicros, from, to, msgId: i, msg: { type: 'heartbeat', incarnation, seq: i } });
    return this;
  }
  dead(at: Micros, viewer: NodeId, member: NodeId, incarnation = 1): this {
    return this.event({ type: 'observe', at, node: viewer, fact: { type: 'member', member, status: 'dead', incarnation } });
  }
  fault(entry: FaultEntry): this {
    this.run.now = entry.at;
    this.checker.onFault?.(entry, this.run);
    return this;
  }
}

/** n1 starts at 0 and hears n2 every 100 ms, 30 times: the last at 2.9 s (the window's mean settles near 100 ms). */
const steady = () => new Driver().start(0, 'n1').beats(0, 'n2', 'n1', 30);
const LAST = 2_900 * MS;

describe('phi-min-std-deviation', () => {
  it('fails a death a hair past the mean (what a fitted deviation near 0 gives), naming the silence and phi at the floor', () => {
    const d = steady().dead(LAST + 101 * MS, 'n1', 'n2');
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0]).toMatch(/n1 declared n2 dead after 101ms of silence on its clock; with the window's mean 100ms .* floor deviation 10ms, phi is 0\.\d\d, not over the threshold 8/);
  });

  it('passes a death once the silence passes mean + z·σ_min (phi 8 crosses near 5.6 deviations: 100 ms + 60 ms)', () => {
    expect(steady().dead(LAST + 160 * MS, 'n1', 'n2').problems).toEqual([]);
    expect(steady().dead(LAST + 150 * MS, 'n1', 'n2').problems).toHaveLength(1);
  });

  it('reads the silence on the viewer’s clock: a clock running 50% fast makes 110 ms of true silence 165 ms', () => {
    const d = steady().fault({ at: LAST, kind: 'clock-drift', node: 'n1', ppm: 500_000 }).dead(LAST + 110 * MS, 'n1', 'n2');
    expect(d.problems).toEqual([]);
    const other = steady().fault({ at: LAST, kind: 'clock-drift', node: 'n3', ppm: 500_000 }).dead(LAST + 110 * MS, 'n1', 'n2');
    expect(other.problems).toHaveLength(1);
  });

  it('ignores heartbeats of an older incarnation, and forgets a viewer’s window at its restart', () => {
    // An old incarnation's heartbeat does not end the silence.
    const stale = steady().beats(LAST + 50 * MS, 'n2', 'n1', 1, 0, 0).dead(LAST + 160 * MS, 'n1', 'n2');
    expect(stale.problems).toEqual([]);
    // After n1 restarts, its window is the seeded one again (mean 100 ms) and the silence runs from its
    // boot: 105 ms later is too soon (phi(105 ms; 100 ms, 10 ms) is under 1), whatever it knew before.
    const restarted = steady();
    restarted.run.crashQuietly('n1');
    restarted.run.lifecycle(LAST + 10 * MS, 'restart', 'n1');
    restarted.start(LAST + 10 * MS, 'n1', true).dead(LAST + 115 * MS, 'n1', 'n2');
    expect(restarted.problems).toHaveLength(1);
    expect(restarted.problems[0]).toMatch(/after 105ms of silence/);
  });

  it('judges nothing under a threshold below log10 2, where a wider deviation raises phi short of the mean', () => {
    const d = new Driver(phiMinStdDeviation({ ...OPTIONS, threshold: 0.2 })).start(0, 'n1').beats(0, 'n2', 'n1', 30).dead(LAST + 90 * MS, 'n1', 'n2');
    expect(d.problems).toEqual([]);
  });
});

type Options = Omit<RunRequest, 'scenario' | 'seed'> & { readonly scenario: string };
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
function failing(options: Options, seeds: readonly number[], name: string): number[] {
  const { scenario, ...rest } = options;
  return seeds.filter((seed) => executeRun(prepareRun({ ...rest, scenario: findScenario(scenario)!, seed })).checks.some((c) => c.name === name && !c.ok));
}

describe('phi-min-std-deviation on the engine', () => {
  it('fd/phi-no-min-std-deviation fails it on fd-chaos (its own nemesis, seeds 1..5 all); correct phi accrual passes', () => {
    const seeds = range(1, 5);
    expect(failing({ scenario: 'fd-chaos', set: ['detector=phi'], bug: 'fd/phi-no-min-std-deviation' }, seeds, 'phi-min-std-deviation')).toEqual(seeds);
    expect(failing({ scenario: 'fd-chaos', set: ['detector=phi'] }, seeds, 'phi-min-std-deviation')).toEqual([]);
  }, 60_000);
});
