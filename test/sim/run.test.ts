// Whole runs: the recovery phase heals everything, outcomes are classified by check kind, and the
// determinism check notices hidden state in the code under test.
import { describe, expect, it } from 'vitest';
import type { Checker } from '../../sim/check.js';
import { executeRun, prepareRun, rerunFingerprintMismatch } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario.js';
import { chatter, QUIET_NETWORK, scripted } from '../helpers.js';

function testScenario(checkers: () => Checker[], create = (id: string) => scripted(chatter(id))): Scenario {
  return {
    name: 'test', description: 'test', algorithm: 'test', defaultNemesis: 'none', defaultNodes: 3, minNodes: 2, maxNodes: 5,
    defaultDurationMicros: 1_000_000, params: [], bugs: [],
    build: ({ nodeCount }) => {
      const ids = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
      return {
        nodes: ids.map((id) => ({ id, role: 'server' as const, create: () => create(id) })),
        network: QUIET_NETWORK, checkers: checkers(), nemesisTargets: ids, recoveryMicrosMax: 500_000,
      };
    },
  };
}

const check = (kind: Checker['kind'], ok: boolean): Checker => ({ name: `${kind}-${ok}`, kind, description: '', verdict: () => ({ ok }) });

describe('executeRun', () => {
  it('classifies outcomes: always → safety, eventually or sometimes → liveness', () => {
    const outcome = (checkers: Checker[]) => executeRun(prepareRun({ scenario: testScenario(() => checkers), seed: 1 })).outcome;
    expect(outcome([check('always', true), check('eventually', true), check('sometimes', true)])).toBe('pass');
    expect(outcome([check('always', false), check('eventually', false)])).toBe('safety-violation');
    expect(outcome([check('eventually', false)])).toBe('liveness-violation');
    expect(outcome([check('sometimes', false)])).toBe('liveness-violation');
  });

  it('the recovery phase heals links, restarts crashed nodes and resumes paused ones', () => {
    const faults = [
      { at: 100_000, kind: 'partition', groups: [['n1'], ['n2', 'n3']] },
      { at: 200_000, kind: 'crash', node: 'n2' },
      { at: 300_000, kind: 'pause', node: 'n3' },
      { at: 400_000, kind: 'loss', ratio: 1 },
      { at: 500_000, kind: 'clog', from: ['n1'], to: ['n2'] },
    ];
    const allUp: Checker = {
      name: 'all-up-and-talking', kind: 'eventually', description: '',
      verdict: (run) => ({ ok: run.nodes.every((n) => run.status(n) === 'up') && run.phase === 'recovery' }),
    };
    const result = executeRun(prepareRun({ scenario: testScenario(() => [allUp]), seed: 1, faults: { raw: faults, source: 't' } }));
    expect(result.outcome).toBe('pass');
    expect(result.recovery.recoveredAtMicros).toBe(1_010_000);
    const sim = result.simulator;
    const before = sim.stats.messagesDelivered;
    sim.runUntil(sim.now + 200_000);
    expect(sim.stats.messagesDelivered).toBeGreaterThan(before);
    expect(sim.inFlight('n1', 'n2')).toBeLessThan(5);
  });

  it('an eventually check that never holds fails after the stated bound', () => {
    const result = executeRun(prepareRun({ scenario: testScenario(() => [check('eventually', false)]), seed: 1 }));
    expect(result.recovery.recoveredAtMicros).toBeNull();
    expect(result.stats.simulatedMicros).toBe(1_500_000);
  });

  it('the determinism check catches a process that keeps state outside the simulation', () => {
    let hidden = 0;
    const leaky = testScenario(() => [], () => scripted({
      onStart: (ctx) => ctx.setTimer('t', 1_000 + (hidden++ % 7)),
      onTimer: (ctx) => ctx.send(ctx.peers[0]!, { hidden }),
    }));
    const prepared = prepareRun({ scenario: leaky, seed: 1 });
    expect(rerunFingerprintMismatch(prepared, executeRun(prepared))).toMatch(/^[0-9a-f]{16}$/);
    const honest = prepareRun({ scenario: testScenario(() => []), seed: 1 });
    expect(rerunFingerprintMismatch(honest, executeRun(honest))).toBeUndefined();
  });
});
