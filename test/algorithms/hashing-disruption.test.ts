// minimal-disruption, the checker: on the ring and rendezvous, consecutive maps that differ by one member
// pass; the planted ring-by-arrival placement fails on a join in the middle of the order; placements that
// promise less are not judged; and on hash-chaos the checker catches the bug where only a metric did.
import { describe, expect, it } from 'vitest';
import { minimalDisruption } from '../../algorithms/hashing/disruption.js';
import type { EpochFact } from '../../algorithms/hashing/metrics.js';
import { OwnerTables } from '../../algorithms/hashing/tables.js';
import type { Checker, RunView } from '../../sim/check.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';

const KEYS = Array.from({ length: 500 }, (_, i) => `k${i}`);
const epochs = (lists: string[][]): [string, EpochFact][] => lists.map((members, i) => ['controller', { type: 'epoch', epoch: i + 1, members }]);
function feed(checker: Checker<EpochFact>, facts: [string, EpochFact][]): string | undefined {
  for (const [node, fact] of facts) {
    const message = checker.onObservation?.(node, fact, {} as RunView);
    if (message) return message;
  }
  return undefined;
}
const changes = [['n1', 'n2', 'n3'], ['n1', 'n2', 'n3', 'n4'], ['n1', 'n3', 'n4'], ['n0', 'n1', 'n3', 'n4']];

describe('minimal-disruption', () => {
  it('passes joins and leaves on the ring and rendezvous; a map that skips an epoch is not judged', () => {
    for (const kind of ['ring', 'rendezvous'] as const) expect(feed(minimalDisruption(new OwnerTables(kind, {}, 3, KEYS)), epochs(changes)), kind).toBeUndefined();
  });

  it('fails the ring that spaces nodes by arrival, naming the epoch, the change and a key that moved between two other nodes', () => {
    const message = feed(minimalDisruption(new OwnerTables('ring', { bugs: { ringByArrival: true } }, 3, KEYS)), epochs(changes));
    expect(message).toMatch(/^epoch \d+ \((n\d joined|n\d left)\): key k\d+ moved from n\d to n\d$/);
  });

  it('does not judge placements that promise less (maglev, bounded loads, jump)', () => {
    for (const kind of ['maglev', 'bounded', 'jump'] as const) expect(feed(minimalDisruption(new OwnerTables(kind, {}, 3, KEYS)), epochs(changes)), kind).toBeUndefined();
  });

  it('on hash-chaos catches hash/ring-by-arrival on every one of seeds 1..5, and passes them without it', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const failed = (bug?: string) => executeRun(prepareRun({ scenario: findScenario('hash-chaos')!, seed, ...(bug ? { bug } : {}) })).checks.filter((c) => !c.ok).map((c) => c.name);
      expect(failed('hash/ring-by-arrival'), `seed ${seed}`).toContain('minimal-disruption');
      expect(failed(), `seed ${seed}`).toEqual([]);
    }
  }, 120_000);
});
