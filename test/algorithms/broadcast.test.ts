// Reliable broadcast under faults: the correct algorithm passes every checker on random seeds and
// fault schedules; each planted bug is caught by the checker meant to catch it; each checker can fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allDelivered, noDuplicateDelivery, someValueTravelled, deliversOnlyBroadcastValues } from '../../algorithms/broadcast/invariants.js';
import type { RunView } from '../../sim/check.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { scheduleArb } from '../helpers.js';

const scenario = (name: string) => findScenario(name)!;
const run = (name: string, seed: number, extra: { bug?: string; faults?: unknown; set?: string[] } = {}) =>
  executeRun(prepareRun({
    scenario: scenario(name), seed, bug: extra.bug, set: extra.set,
    faults: extra.faults === undefined ? undefined : { raw: extra.faults, source: 'test' },
  }));

describe('reliable broadcast', () => {
  it('passes every check under any nemesis profile and seed', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.constantFrom('broadcast-lossy', 'broadcast-partitions', 'broadcast-chaos'),
      (seed, name) => {
        const result = run(name, seed);
        expect(result.checks.filter((c) => !c.ok), `${name} --seed ${seed}`).toEqual([]);
        expect(result.outcome).toBe('pass');
      },
    ), { numRuns: 30 });
  });

  it('passes under arbitrary hand-made schedules (generated, then shrunk on failure)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), scheduleArb(10_000_000, 20, false), (seed, faults) => {
      const result = run('broadcast-chaos', seed, { faults });
      expect(result.outcome, JSON.stringify(faults)).toBe('pass');
    }), { numRuns: 25 });
  });

  // Planted bugs, caught honestly: each sweeps seeds 1..20 and asserts a catch rate, while the same seeds
  // pass without the bug. No seed is chosen because it catches; the floors sit below today's counts (in
  // comments) so that an unrelated change of timing does not trip them.
  const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
  const sweep = (name: string, extra: { bug?: string; faults?: unknown } = {}) => SEEDS.map((seed) => ({ seed, result: run(name, seed, extra) }));
  const failing = (runs: ReturnType<typeof sweep>) => runs.filter(({ result }) => result.outcome !== 'pass');

  it.each([
    // today: 20 of 20
    { bug: 'broadcast/no-dedup', scenario: 'broadcast-lossy', caughtMin: 18, outcome: 'safety-violation', check: 'no-duplicate-delivery', message: /delivered n\d+\/\d+ twice/ },
    // today: 19 of 20
    { bug: 'broadcast/no-retransmit', scenario: 'broadcast-partitions', caughtMin: 15, outcome: 'liveness-violation', check: 'all-delivered', message: /lacks/ },
  ])('planted bug $bug: caught on at least $caughtMin of seeds 1..20 of $scenario by $check; the control passes every seed', ({ bug, scenario, caughtMin, outcome, check, message }) => {
    const caught = failing(sweep(scenario, { bug }));
    expect(caught.length, `seeds caught: ${caught.map((c) => c.seed).join(', ')}`).toBeGreaterThanOrEqual(caughtMin);
    for (const { seed, result } of caught) {
      const replay = `faultline run ${scenario} --seed ${seed} --bug ${bug}`;
      expect(result.outcome, replay).toBe(outcome);
      const failed = result.checks.filter((c) => !c.ok);
      expect(failed.map((c) => c.name), replay).toEqual([check]);
      expect(failed[0]!.message, replay).toMatch(message);
    }
    expect(failing(sweep(scenario)).map((c) => c.seed), `control: ${scenario} without the bug`).toEqual([]);
  });

  it('without retransmission even a single partition loses values for good (seeds 1..20; the control passes every seed)', () => {
    const faults = [{ at: 1_000_000, kind: 'partition', groups: [['n1', 'n2'], ['n3', 'n4', 'n5']] }, { at: 6_000_000, kind: 'heal' }];
    expect(failing(sweep('broadcast-partitions', { faults })).map((c) => c.seed)).toEqual([]);
    const caught = failing(sweep('broadcast-partitions', { faults, bug: 'broadcast/no-retransmit' }));
    // today: 20 of 20
    expect(caught.length, `seeds caught: ${caught.map((c) => c.seed).join(', ')}`).toBeGreaterThanOrEqual(18);
    for (const { result } of caught) expect(result.outcome).toBe('liveness-violation');
  });

  it('a node that crashes keeps what it synced: restarts neither forget nor re-deliver', () => {
    const faults = [
      { at: 2_000_000, kind: 'crash', node: 'n2' }, { at: 3_000_000, kind: 'restart', node: 'n2' },
      { at: 4_000_000, kind: 'crash', node: 'n2' }, { at: 8_000_000, kind: 'restart', node: 'n2' },
    ];
    const result = run('broadcast-lossy', 11, { faults });
    expect(result.outcome).toBe('pass');
    expect(result.simulator.disk('n2').keys().length).toBeGreaterThan(10);
  });

  it('a run with nothing broadcast fails the sometimes-check', () => {
    const result = run('broadcast-chaos', 1, { set: ['broadcastsPerNode=0'] });
    expect(result.outcome).toBe('liveness-violation');
    expect(result.checks.find((c) => c.name === 'some-value-travelled')?.ok).toBe(false);
  });
});

describe('broadcast checkers fail on bad histories', () => {
  const view = (crashed: string[] = []): RunView => ({
    now: 0, phase: 'recovery', nodes: ['n1', 'n2'], servers: ['n1', 'n2'],
    status: () => 'up', crashCount: (n) => (crashed.includes(n) ? 1 : 0), inspect: () => undefined, history: [],
  });

  it('no-duplicate-delivery', () => {
    const c = noDuplicateDelivery();
    expect(c.onObservation!('n1', { type: 'deliver', id: 'n2/0', origin: 'n2' }, view())).toBeUndefined();
    expect(c.onObservation!('n1', { type: 'deliver', id: 'n2/0', origin: 'n2' }, view())).toMatch(/twice/);
  });

  it('delivers-only-broadcast-values', () => {
    const c = deliversOnlyBroadcastValues();
    expect(c.onObservation!('n1', { type: 'deliver', id: 'n2/7', origin: 'n2' }, view())).toMatch(/nobody broadcast/);
  });

  it('all-delivered, and it excuses origins that crashed', () => {
    const c = allDelivered();
    c.onObservation!('n1', { type: 'broadcast', id: 'n1/0', origin: 'n1' }, view());
    c.onObservation!('n1', { type: 'deliver', id: 'n1/0', origin: 'n1' }, view());
    expect(c.verdict(view())).toEqual({ ok: false, message: 'n2 lacks n1/0' });
    expect(c.verdict(view(['n1'])).ok).toBe(true);
    c.onObservation!('n2', { type: 'deliver', id: 'n1/0', origin: 'n1' }, view());
    expect(c.verdict(view()).ok).toBe(true);
  });

  it('some-value-travelled', () => {
    const c = someValueTravelled();
    c.onObservation!('n1', { type: 'deliver', id: 'n1/0', origin: 'n1' }, view());
    expect(c.verdict(view()).ok).toBe(false);
    c.onObservation!('n2', { type: 'deliver', id: 'n1/0', origin: 'n1' }, view());
    expect(c.verdict(view()).ok).toBe(true);
  });
});
