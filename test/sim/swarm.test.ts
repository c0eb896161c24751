// Swarm testing (`--nemesis swarm`): each seed draws its own fault mix and knobs, deterministically; what
// the user set is never drawn; every drawn knob stays inside the scenario's declared range and is a value
// its parameter accepts; the schedule uses only the fault kinds switched on; the run replays from its
// recorded parameters and faults alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarios, findScenario } from '../../scenarios/index.js';
import { allParams, formatParamValue } from '../../sim/scenario.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { drawSwarm, SWARM_MEMBERSHIP_MOVES, SWARM_MOVES, type SwarmRange } from '../../sim/swarm.js';
import type { FaultEntry } from '../../sim/faults.js';
import { Rng } from '../../sim/rng.js';
import { runToJson } from '../../reports/json.js';

const MOVE_KINDS: Record<string, readonly string[]> = {
  'partition-halves': ['partition', 'heal'], 'partition-isolate': ['partition', 'heal'], 'partition-one-way': ['partition', 'heal'],
  clog: ['clog', 'unclog'], crash: ['crash', 'restart'], pause: ['pause', 'resume'], loss: ['loss'], 'loss-member': ['loss'],
  duplicate: ['duplicate'], delay: ['delay'], 'clock-skew': ['clock-skew'], 'clock-drift': ['clock-drift'], slow: ['slow'],
  join: ['join'], leave: ['leave'],
};

describe('swarm draws', () => {
  it('the same seed draws the same configuration; seeds differ; at least one fault kind other than membership is on', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (seed) => {
      const given = { params: new Set<string>(), nodes: false, nodeRange: [1, 15] as const, durationMicros: 10_000_000 };
      const a = drawSwarm(findScenario('raft-chaos')!.swarm, Rng.fromSeed(seed).fork('swarm'), given);
      expect(drawSwarm(findScenario('raft-chaos')!.swarm, Rng.fromSeed(seed).fork('swarm'), given)).toEqual(a);
      expect(a.faults.moves.some(([move]) => (SWARM_MOVES as readonly string[]).includes(move))).toBe(true);
      for (const [, weight] of a.faults.moves) expect(weight).toBeGreaterThanOrEqual(1);
    }), { numRuns: 100 });
    const draws = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(drawSwarm(findScenario('raft-chaos')!.swarm, Rng.fromSeed(seed).fork('swarm'), { params: new Set(), nodes: false, nodeRange: [1, 15], durationMicros: 10_000_000 }))));
    expect(draws.size).toBe(5);
  });

  it("every scenario's swarm space names its own parameters, inside their bounds, and its node range inside the scenario's", () => {
    for (const scenario of scenarios.filter((s) => s.swarm !== undefined)) {
      const specs = allParams(scenario);
      for (const [name, range] of Object.entries(scenario.swarm!.params ?? {}) as [string, SwarmRange][]) {
        const spec = specs.find((s) => s.name === name);
        expect(spec, `${scenario.name}: ${name}`).toBeDefined();
        if ('choices' in range) {
          expect(spec!.unit, `${scenario.name}: ${name}`).toBe('choice');
          for (const choice of range.choices) expect(spec!.choices, `${scenario.name}: ${name}`).toContain(choice);
        } else {
          expect(range.min, `${scenario.name}: ${name}`).toBeLessThanOrEqual(range.max);
          if (spec!.min !== undefined) expect(range.min, `${scenario.name}: ${name}`).toBeGreaterThanOrEqual(spec!.min);
          if (spec!.max !== undefined) expect(range.max, `${scenario.name}: ${name}`).toBeLessThanOrEqual(spec!.max);
        }
      }
      const nodes = scenario.swarm!.nodes;
      if (nodes !== undefined) expect(nodes[0] <= nodes[1], scenario.name).toBe(true);
      // A narrower scenario (a staged lesson) keeps its own size: swarm draws none for it.
      const drawn = prepareRun({ scenario, seed: 1, nemesis: 'swarm' }).nodeCount;
      expect(drawn >= scenario.minNodes && drawn <= scenario.maxNodes, scenario.name).toBe(true);
    }
  });
});

describe('--nemesis swarm runs', () => {
  const swarmScenarios = scenarios.filter((s) => s.swarm !== undefined && s.defaultNemesis !== 'scenario');

  it('every drawn knob is in its range and the run uses it; the schedule uses only the kinds switched on (membership moves exactly where there are spares)', () => {
    for (const scenario of swarmScenarios) {
      for (let seed = 1; seed <= 5; seed++) {
        const prepared = prepareRun({ scenario, seed, nemesis: 'swarm' });
        const draw = prepared.swarm!;
        for (const [name, value] of Object.entries(draw.params)) {
          expect(prepared.params[name], `${scenario.name} seed ${seed}: ${name}`).toBe(value);
          const range = scenario.swarm!.params?.[name];
          if (range === undefined) continue; // the nemesis's pacing
          if ('choices' in range) expect(range.choices).toContain(value);
          else expect(value as number).toBeGreaterThanOrEqual(range.min), expect(value as number).toBeLessThanOrEqual(range.max);
        }
        if (draw.nodes !== undefined) expect(prepared.nodeCount).toBe(draw.nodes);
        const allowed = new Set(draw.faults.moves.flatMap(([move]) => MOVE_KINDS[move]!));
        const triggers: readonly FaultEntry[] = prepared.faults.filter((f) => f.kind === 'on-fact' || f.kind === 'on-message');
        expect(triggers.length, `${scenario.name} seed ${seed}`).toBe(draw.triggers.length);
        if (scenario.swarm!.triggers === undefined) expect(triggers).toEqual([]);
        for (const fault of prepared.faults.filter((f) => !triggers.includes(f))) expect(allowed.has(fault.kind), `${scenario.name} seed ${seed}: ${fault.kind}`).toBe(true);
        const spares = prepared.setup.nodes.some((n) => n.dormant === true);
        const membership = draw.faults.moves.filter(([move]) => (SWARM_MEMBERSHIP_MOVES as readonly string[]).includes(move)).length;
        expect(membership, `${scenario.name} seed ${seed}`).toBe(spares ? 2 : 0);
      }
    }
  });

  it('what the user set is never drawn: --set and --nodes win', () => {
    const scenario = findScenario('raft-chaos')!;
    for (let seed = 1; seed <= 20; seed++) {
      const prepared = prepareRun({ scenario, seed, nemesis: 'swarm', nodeCount: 5, set: ['electionTimeoutMicrosMin=111ms', 'nemesisWindowMicrosMax=4s'] });
      expect(prepared.nodeCount).toBe(5);
      expect(prepared.params.electionTimeoutMicrosMin).toBe(111_000);
      expect(prepared.params.nemesisWindowMicrosMax).toBe(4_000_000);
      expect(prepared.swarm!.params).not.toHaveProperty('electionTimeoutMicrosMin');
      // A window pair is kept whole when one bound is given.
      expect(prepared.swarm!.params).not.toHaveProperty('nemesisWindowMicrosMin');
      expect(prepared.swarm!.nodes).toBeUndefined();
    }
  });

  it('a swarm run replays from its recorded parameters, node count and faults alone (what a replay file holds)', () => {
    for (const name of ['raft-chaos', 'paxos-chaos', 'broadcast-chaos']) {
      const scenario = findScenario(name)!;
      const prepared = prepareRun({ scenario, seed: 7, nemesis: 'swarm' });
      const first = executeRun(prepared);
      const specs = allParams(scenario);
      const set = Object.entries(prepared.params).map(([key, value]) => `${key}=${formatParamValue(specs.find((s) => s.name === key)!, value)}`);
      const again = executeRun(prepareRun({ scenario, seed: 7, nodeCount: prepared.nodeCount, set, faults: { raw: JSON.parse(JSON.stringify(prepared.faults)), source: 'replay' } }));
      expect(again.fingerprint, name).toBe(first.fingerprint);
      const json = runToJson(prepared, first, 0, '');
      expect(json.swarm).toEqual(prepared.swarm);
    }
  });
});
