// The consistent-hashing scenarios: registered, seeds 1..4 of each pass without bugs (the 500-seed
// sweeps are run by hand: see the README), every planted bug is caught at a stated rate over a seed
// range, and bad settings are refused as one-line InputErrors before any run.
import { describe, expect, it } from 'vitest';
import { hashingScenarios } from '../../scenarios/hashing.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { executeRun, prepareRun, type RunResult } from '../../sim/run.js';

const SEEDS = [1, 2, 3, 4];
const run = (name: string, seed: number, options: { bug?: string; set?: string[] } = {}): RunResult =>
  executeRun(prepareRun({ scenario: findScenario(name)!, seed, ...options }));
const failed = (result: RunResult) => result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('hashing scenarios without bugs', () => {
  it('are registered', () => {
    expect(hashingScenarios.map((s) => s.name)).toEqual(['hash-join-leave', 'hash-crash-during-migration', 'hash-partition', 'hash-chaos', 'hash-hot-keys']);
    for (const s of hashingScenarios) expect(findScenario(s.name)).toBe(s);
  });

  for (const scenario of hashingScenarios) {
    it(`${scenario.name} passes seeds ${SEEDS[0]}..${SEEDS.at(-1)}, with membership changes settled`, () => {
      for (const seed of SEEDS) {
        const result = run(scenario.name, seed);
        expect(failed(result), `faultline run ${scenario.name} --seed ${seed}`).toEqual([]);
        expect(result.metrics.samples!.changesSettled![0]).toBeGreaterThanOrEqual(1);
      }
    });
  }

  it('every placement function passes hash-crash-during-migration seed 1, moving about the minimum (jump aside: it renumbers)', () => {
    for (const placement of ['ring', 'jump', 'rendezvous', 'maglev', 'bounded']) {
      const result = run('hash-crash-during-migration', 1, { set: [`placement=${placement}`] });
      expect(failed(result), placement).toEqual([]);
      if (placement !== 'jump' && placement !== 'maglev') expect(mean(result.metrics.samples!.keysMovedOverMinimum!), placement).toBeLessThan(1.3);
    }
  });
});

describe('hashing planted bugs, each caught', () => {
  const SEEDS_10 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const failedNames = (result: RunResult) => result.checks.filter((c) => !c.ok).map((c) => c.name);

  it('hash/migrate-delete-before-ack: replicas-after-recovery catches it on 7 of seeds 1..10 of hash-crash-during-migration (a lost batch leaves a key short of copies)', () => {
    const caught = SEEDS_10.filter((seed) => failedNames(run('hash-crash-during-migration', seed, { bug: 'hash/migrate-delete-before-ack' })).includes('replicas-after-recovery'));
    expect(caught.length).toBeGreaterThanOrEqual(7);
  });

  it('hash/stale-map-no-epoch-check: caught on 8 of seeds 1..10 of hash-partition, on 5 by a safety checker (two writers for a key, a stale read, a lost write)', () => {
    const results = SEEDS_10.map((seed) => failedNames(run('hash-partition', seed, { bug: 'hash/stale-map-no-epoch-check' })));
    expect(results.filter((names) => names.length > 0).length).toBeGreaterThanOrEqual(8);
    expect(results.filter((names) => names.some((n) => n === 'one-writer-per-epoch' || n === 'linearizable' || n === 'no-lost-writes')).length).toBeGreaterThanOrEqual(5);
  });

  it('hash/vnodes-count-as-replicas: caught on every seed 1..10 of hash-join-leave (keys with fewer than R distinct owners)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = run('hash-join-leave', seed, { bug: 'hash/vnodes-count-as-replicas' });
      expect(failed(result).some((f) => f.startsWith('replicas-after-recovery') && f.includes('distinct')), `seed ${seed}`).toBe(true);
    }
  });

  it('hash/ring-by-arrival: on every seed 1..10 of hash-join-leave the changes move over 1.3× the minimum of primaries; without it none does', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const moved = (bug?: string) => mean(run('hash-join-leave', seed, bug ? { bug } : {}).metrics.samples!.primariesMovedOverMinimum!);
      expect(moved('hash/ring-by-arrival'), `seed ${seed} with the bug`).toBeGreaterThan(1.3);
      expect(moved(), `seed ${seed} without`).toBeLessThan(1.3);
    }
  });
});

describe('hashing scenarios refuse bad settings before any run', () => {
  const refuse = (name: string, set: string[], bug?: string) => {
    try {
      prepareRun({ scenario: findScenario(name)!, seed: 1, set, ...(bug ? { bug } : {}) });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error('not refused');
  };
  it('W above R', () => {
    expect(refuse('hash-join-leave', ['writeQuorum=4'])).toBe('--set writeQuorum=4 must be at most replicas=3 (a put is acknowledged once W of its R owners hold it)');
  });
  it('a maglev table size that is not a prime above the storage nodes', () => {
    expect(refuse('hash-join-leave', ['placement=maglev', 'tableSize=1000'])).toBe("--set tableSize=1000: maglev's table size must be a prime above the 7 storage nodes (65537 is one)");
    expect(refuse('hash-join-leave', ['placement=maglev', 'tableSize=5'])).toBe("--set tableSize=5: maglev's table size must be a prime above the 7 storage nodes (65537 is one)");
  });
  it('a scripted scenario that can change nothing', () => {
    expect(() => prepareRun({ scenario: findScenario('hash-crash-during-migration')!, seed: 1, nodeCount: 3, set: ['spares=0'] })).toThrow('--nodes 3 with spares=0: no membership change can happen (a leave keeps at least max(3, R) = 3 members, and there is no spare to join); add --set spares=1 or more nodes');
  });
  it('a ring bug with another placement', () => {
    expect(refuse('hash-join-leave', ['placement=maglev'], 'hash/ring-by-arrival')).toBe('--bug hash/ring-by-arrival: a bug of the ring placement; add --set placement=ring (this run\'s placement is maglev)');
  });
});
