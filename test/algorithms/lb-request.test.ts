// The load-balancing client and a schedule's `request` entry: one more request beside the workload, for a
// given key (no draw, so the workload's own arrivals are untouched) or a drawn one; a closed loop does not
// follow it with another, so the client's concurrency stays what the workload sets.
import { describe, expect, it } from 'vitest';
import type { ClientView } from '../../algorithms/load-balancing/client.js';
import { findScenario } from '../../scenarios/index.js';
import { prepareRun } from '../../sim/run.js';
import { Simulator } from '../../sim/simulator.js';
import type { TraceEvent } from '../../sim/trace.js';

/** lb-steady with this schedule, run to `untilMicros`: the lb-issue facts (time, client, key) and c1's view. */
function run(faults: unknown[], set: string[], untilMicros: number) {
  const prepared = prepareRun({ scenario: findScenario('lb-steady')!, seed: 1, durationMicros: 3_000_000, set, faults: { raw: faults, source: 'test' } });
  const { setup } = prepared;
  const issues: { at: number; node: string; id: number }[] = [];
  const sink = (e: TraceEvent) => {
    if (e.type === 'observe' && e.fact.type === 'lb-issue') issues.push({ at: e.at, node: e.node, id: (e.fact as unknown as { id: number }).id });
  };
  const sim = new Simulator({ seed: prepared.seed, nodes: setup.nodes, network: setup.network, checkers: [], traceSink: sink, roles: setup.roles, topology: setup.topology });
  sim.start();
  sim.scheduleFaults(prepared.faults);
  sim.runUntil(untilMicros);
  return { issues, c1: sim.view.inspect('c1') as ClientView };
}

describe('load-balancing client: requests on demand', () => {
  it('open loop: a request for a given key is one more lb-issue at its time, and the workload is unchanged', () => {
    const base = run([], [], 2_000_000);
    const more = run([{ at: 1_000_000, kind: 'request', node: 'c1', op: { op: 'request', key: 3 } }], [], 2_000_000);
    expect(more.issues.length).toBe(base.issues.length + 1);
    expect(more.issues.filter((i) => i.at === 1_000_000 && i.node === 'c1')).toHaveLength(base.issues.filter((i) => i.at === 1_000_000 && i.node === 'c1').length + 1);
    // Every other client's arrivals are exactly as before.
    const others = (list: typeof base.issues) => list.filter((i) => i.node !== 'c1').map((i) => `${i.at} ${i.node}`);
    expect(others(more.issues)).toEqual(others(base.issues));
  });

  it('closed loop: the requested request is not followed by another, so concurrency stays the workload\'s', () => {
    const closed = ['workload=closed', 'closedConcurrency=4', 'thinkMicros=5ms'];
    const base = run([], closed, 2_500_000);
    const more = run([{ at: 1_000_000, kind: 'request', node: 'c1' }, { at: 1_000_000, kind: 'request', node: 'c1' }], closed, 2_500_000);
    expect(more.c1.issued - more.c1.done).toBe(more.c1.open);
    // Two extra requests issued, ended long before 2.5 s, and not replaced: c1 keeps at most 4 in flight.
    expect(more.c1.open).toBeLessThanOrEqual(4);
    expect(base.c1.open).toBeLessThanOrEqual(4);
    expect(more.issues.filter((i) => i.at === 1_000_000 && i.node === 'c1').length).toBeGreaterThanOrEqual(2);
  });
});
