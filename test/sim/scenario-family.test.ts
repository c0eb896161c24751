// The scenario-family helper: parameters declared once with units, bounds and min/max pairs (checked
// when declared) and read as a typed object; planted bugs declared once per algorithm in its bugs.ts and
// switched on as booleans; a family's scenarios made from variants. The `@ts-expect-error` lines are the
// compile-time half: `tsc` fails if a misspelt parameter or bug name ever stops being an error.
import { describe, expect, it } from 'vitest';
import { broadcastBugs } from '../../algorithms/broadcast/bugs.js';
import { paxosBugs } from '../../algorithms/paxos/bugs.js';
import { raftBugs } from '../../algorithms/raft/bugs.js';
import { NETWORK_PARAMS, networkFromParams, RECOVERY_PARAMS, serverIds } from '../../scenarios/common.js';
import { findScenario, scenarios } from '../../scenarios/index.js';
import { InvariantError } from '../../sim/assert.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { defineBugs, defineParams, defineScenarioFamily, resolveParams, type ScenarioVariant } from '../../sim/scenario.js';
import { seconds } from '../../sim/time.js';

const TIMEOUTS = defineParams({
  timeoutMicrosMin: { unit: 'duration', default: 100, min: 1, maxParam: 'timeoutMicrosMax', description: 'shortest' },
  timeoutMicrosMax: { unit: 'duration', default: 200, min: 1, description: 'longest' },
  mode: { unit: 'choice', default: 'fast', choices: ['fast', 'slow'], description: 'how' },
});

describe('defineParams', () => {
  it('lists the specs in declaration order, names from the keys, and reads resolved values as a typed object', () => {
    expect(TIMEOUTS.specs.map((s) => s.name)).toEqual(['timeoutMicrosMin', 'timeoutMicrosMax', 'mode']);
    expect(TIMEOUTS.specs[0]).toEqual({ name: 'timeoutMicrosMin', unit: 'duration', default: 100, min: 1, maxParam: 'timeoutMicrosMax', description: 'shortest' });
    const values = TIMEOUTS.read({ timeoutMicrosMin: 5, timeoutMicrosMax: 9, mode: 'slow' });
    const min: number = values.timeoutMicrosMin;
    const mode: 'fast' | 'slow' = values.mode;
    expect([min, mode]).toEqual([5, 'slow']);
    // @ts-expect-error a misspelt parameter name is a compile error
    expect(values.timeoutMicrosMn).toBeUndefined();
    // A value missing or of the wrong type is a programmer error.
    expect(() => TIMEOUTS.read({ timeoutMicrosMin: 5, mode: 'slow' })).toThrow(InvariantError);
    expect(() => TIMEOUTS.read({ timeoutMicrosMin: 5, timeoutMicrosMax: '9', mode: 'slow' })).toThrow(InvariantError);
  });

  it('a maxParam naming no parameter of the set is a compile error, and refused when declared', () => {
    expect(() => defineParams({
      // @ts-expect-error maxParam must name a parameter of the same declarations
      aMicrosMin: { unit: 'duration', default: 1, maxParam: 'aMicrosMaxx', description: '' },
      aMicrosMax: { unit: 'duration', default: 2, description: '' },
    })).toThrow(/unknown maxParam aMicrosMaxx/);
  });

  it('checks defaults when declared: bounds, units, choices and pairs', () => {
    expect(() => defineParams({ a: { unit: 'integer', default: 0, min: 1, description: '' } })).toThrow(/default 0 is below its min 1/);
    expect(() => defineParams({ a: { unit: 'integer', default: 9, max: 5, description: '' } })).toThrow(/above its max/);
    expect(() => defineParams({ a: { unit: 'ratio', default: 2, description: '' } })).toThrow(/ratio/);
    expect(() => defineParams({ a: { unit: 'integer', default: 1.5, description: '' } })).toThrow(/integer/);
    expect(() => defineParams({ a: { unit: 'choice', default: 'c', choices: ['a', 'b'], description: '' } })).toThrow(/not one of its choices/);
    expect(() => defineParams({
      aMicrosMin: { unit: 'duration', default: 3, maxParam: 'aMicrosMax', description: '' },
      aMicrosMax: { unit: 'duration', default: 2, description: '' },
    })).toThrow(/defaults of aMicrosMin and aMicrosMax are the wrong way round/);
  });

  it('checks replaced defaults the same way', () => {
    expect(TIMEOUTS.withDefaults({ timeoutMicrosMax: 150 }).find((s) => s.name === 'timeoutMicrosMax')!.default).toBe(150);
    expect(() => TIMEOUTS.withDefaults({ timeoutMicrosMax: 50 })).toThrow(/wrong way round/);
    expect(() => TIMEOUTS.withDefaults({ timeoutMicrosMin: 0 })).toThrow(/below its min/);
    // @ts-expect-error a default for a parameter the set does not declare is a compile error
    expect(() => TIMEOUTS.withDefaults({ timeoutMicros: 5 })).toThrow(/unknown parameter timeoutMicros/);
  });
});

describe('defineBugs', () => {
  const demo = defineBugs('demo', {
    slow: { name: 'demo/slow', description: 'sleeps', exposedBy: ['demo-a'] },
    lossy: { name: 'demo/lossy', description: 'drops' },
  });

  it('gives the specs scenarios list, each name by key, and every bug off', () => {
    expect(demo.specs).toEqual([{ name: 'demo/slow', description: 'sleeps', exposedBy: ['demo-a'] }, { name: 'demo/lossy', description: 'drops' }]);
    expect(demo.names.lossy).toBe('demo/lossy');
    expect(demo.none).toEqual({ slow: false, lossy: false });
  });

  it('switches on exactly the named bug, as plain booleans with the same keys in the same order', () => {
    const on = demo.active('demo/lossy');
    expect(on).toEqual({ slow: false, lossy: true });
    expect(Object.keys(on)).toEqual(Object.keys(demo.none));
    expect(demo.active(undefined)).toBe(demo.none);
    // @ts-expect-error a misspelt bug is a compile error
    expect(on.lossyy).toBeUndefined();
    expect(() => demo.active('demo/nope')).toThrow(/not a planted bug of demo/);
  });

  it('refuses a name without the algorithm prefix, or one declared twice', () => {
    expect(() => defineBugs('demo', { a: { name: 'other/a', description: '' } })).toThrow(/must be named demo\//);
    expect(() => defineBugs('demo', { a: { name: 'demo/a', description: '' }, b: { name: 'demo/a', description: '' } })).toThrow(/declared twice/);
  });
});

describe('defineScenarioFamily', () => {
  const PARAMS = defineParams({ ...NETWORK_PARAMS.decls, ...TIMEOUTS.decls, ...RECOVERY_PARAMS.decls });
  const bugs = defineBugs('demo', { slow: { name: 'demo/slow', description: 'sleeps' } });
  const seen: unknown[] = [];
  const family = defineScenarioFamily({
    algorithm: 'demo', params: PARAMS, defaults: { latencyMicros: 7_000 }, bugs,
    defaultNodes: 3, minNodes: 1, maxNodes: 9, defaultDurationMicros: seconds(1),
    build({ nodeCount, params, bugs: active }, variant: ScenarioVariant<typeof PARAMS.decls> & { readonly tag: string }) {
      seen.push({ min: params.timeoutMicrosMin, latency: params.latencyMicros, slow: active.slow, tag: variant.tag });
      const ids = serverIds(nodeCount);
      return { nodes: [], network: networkFromParams(params), checkers: [], nemesisTargets: ids, recoveryMicrosMax: params.recoveryMicrosMax };
    },
  });

  it('makes one scenario per variant: family defaults, then the variant\'s, and its own node range', () => {
    const a = family({ name: 'demo-a', description: 'a', nemesis: 'none', tag: 'A', defaults: { timeoutMicrosMin: 150 } });
    const b = family({ name: 'demo-b', description: 'b', nemesis: 'chaos', tag: 'B', nodes: { min: 5, max: 5, reason: 'five parts' } });
    const defaultOf = (s: typeof a, name: string) => s.params.find((p) => p.name === name)!.default;
    expect([defaultOf(a, 'latencyMicros'), defaultOf(a, 'timeoutMicrosMin'), defaultOf(b, 'timeoutMicrosMin')]).toEqual([7_000, 150, 100]);
    expect([a.minNodes, a.maxNodes, a.nodesReason, b.minNodes, b.maxNodes, b.nodesReason]).toEqual([1, 9, undefined, 5, 5, 'five parts']);
    expect([a.algorithm, a.defaultNemesis, b.defaultNemesis, a.bugs]).toEqual(['demo', 'none', 'chaos', bugs.specs]);
    // build gets typed values and the bugs as booleans.
    a.build({ nodeCount: 3, durationMicros: 1, params: resolveParams(a, ['timeoutMicrosMin=120us']), bug: 'demo/slow' });
    expect(seen.at(-1)).toEqual({ min: 120, latency: 7_000, slow: true, tag: 'A' });
    // A variant's default is checked against the declared bounds and pairs.
    expect(() => family({ name: 'demo-c', description: 'c', nemesis: 'none', tag: 'C', defaults: { timeoutMicrosMin: 500 } })).toThrow(/wrong way round/);
  });
});

describe('built-in scenarios and their bugs.ts', () => {
  const byAlgorithm: Record<string, { specs: readonly unknown[] }> = { raft: raftBugs, 'multi-paxos': paxosBugs, paxos: paxosBugs, broadcast: broadcastBugs };

  it('every scenario lists the planted bugs its algorithm declares, and every exposedBy names a scenario with that bug', () => {
    for (const s of scenarios.filter((x) => x.algorithm in byAlgorithm)) {
      expect(s.bugs, s.name).toBe(byAlgorithm[s.algorithm]!.specs);
      for (const bug of s.bugs) {
        for (const name of bug.exposedBy ?? []) expect(findScenario(name)?.bugs.some((b) => b.name === bug.name), `${bug.name} exposedBy ${name}`).toBe(true);
      }
    }
  });

  it('a planted bug switched on by name reaches the node (raft/forget-vote double-votes in raft-double-vote on seeds 1–3, the control does not)', () => {
    const scenario = findScenario('raft-double-vote')!;
    const outcomes = (bug?: string) => [1, 2, 3].map((seed) => executeRun(prepareRun({ scenario, seed, ...(bug ? { bug } : {}) })).outcome);
    expect(outcomes()).toEqual(['pass', 'pass', 'pass']);
    expect(outcomes(raftBugs.names.forgetVote)).toEqual(['safety-violation', 'safety-violation', 'safety-violation']);
  });

});
