// The paxos-dueling-backoff experiment's scenario and metrics: chosenMicros, messagesToChosen and
// ballotsToChosen (scenarios/paxos.ts chosenMetrics) on a run whose numbers follow from the protocol
// (one proposer, a fixed latency), their bounds on any run, the scenario's checks over seeds 1..20,
// and the backoff itself: without it (paxos/no-backoff) dueling proposers take far longer, or never finish.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paxosBugs } from '../../algorithms/paxos/paxos.js';
import type { ExperimentFile } from '../../lab/experiment-model.js';
import { CHOSEN_METRICS } from '../../scenarios/paxos.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun, type RunResult } from '../../sim/run.js';

const SCENARIO = 'paxos-dueling-proposers';

interface RunOptions {
  readonly seed: number;
  readonly set?: readonly string[];
  readonly nodes?: number;
  readonly bug?: string;
  readonly durationMicros?: number;
}

const run = ({ seed, set = [], nodes, bug, durationMicros }: RunOptions): RunResult =>
  executeRun(prepareRun({ scenario: findScenario(SCENARIO)!, seed, set, nodeCount: nodes, bug, durationMicros }));

/** The run's one sample of `metric`, or undefined when it gave none (nothing chosen). */
const sample = (result: RunResult, metric: string): number | undefined => {
  const values = result.metrics.samples?.[metric];
  expect(values, `samples.${metric}`).toBeDefined();
  expect(values!.length).toBeLessThanOrEqual(1);
  return values![0];
};

/** The median of samples, counting a run without one as unresolved (+∞): nearest rank. */
const medianWithUnresolved = (values: readonly (number | undefined)[]): number => {
  const sorted = values.map((v) => v ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
};

const seeds = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

describe('paxos-dueling-proposers and its metrics', () => {
  it('declares the three metrics it fills, and the scenario runs with no faults', () => {
    expect(CHOSEN_METRICS.map((m) => m.name)).toEqual(['chosenMicros', 'messagesToChosen', 'ballotsToChosen']);
    const scenario = findScenario(SCENARIO)!;
    expect(scenario.defaultNemesis).toBe('none');
    const prepared = prepareRun({ scenario, seed: 1 });
    expect(prepared.faults).toEqual([]);
    expect(prepared.setup.observers?.flatMap((o) => o.provides ?? []).map((m) => m.name)).toEqual(CHOSEN_METRICS.map((m) => m.name));
    expect(Object.keys(run({ seed: 1 }).metrics.samples ?? {}).sort()).toEqual(['ballotsToChosen', 'chosenMicros', 'messagesToChosen']);
  });

  // One proposer, every message taking exactly 1 ms. At 0 it promises itself and sends n−1 prepares; at 1 ms
  // every other acceptor promises (n−1 promises); at 2 ms the proposer holds a majority q (itself and q−1
  // promises), accepts its own value and sends n−1 "accepted" to the learners and n−1 accepts; at 3 ms the
  // acceptors accept one after another, each telling the n−1 other learners: the (q−1)-th of them makes a
  // majority, after the q−2 before it sent theirs. Chosen at 3 ms = three one-way latencies (phase 1 there and
  // back, phase 2a there), after (n−1)(3 + 1 + (q−2)) = (n−1)(q+2) messages, in one ballot.
  for (const nodes of [3, 5, 7]) {
    it(`one proposer, ${nodes} servers, 1 ms per message: chosen after 3 ms, (n−1)(q+2) messages, one ballot`, () => {
      const quorum = Math.floor(nodes / 2) + 1;
      const result = run({ seed: 7, nodes, set: ['proposers=1', 'latencyMicros=1ms', 'jitterMicros=0', 'proposeSpreadMicros=0'] });
      expect(result.outcome).toBe('pass');
      expect(sample(result, 'chosenMicros')).toBe(3_000);
      expect(sample(result, 'messagesToChosen')).toBe((nodes - 1) * (quorum + 2));
      expect(sample(result, 'ballotsToChosen')).toBe(1);
    });
  }

  it('a single server chooses its own value in the step it proposes: 0 µs, no messages, one ballot', () => {
    const result = run({ seed: 3, nodes: 1, set: ['proposers=1'] });
    expect([sample(result, 'chosenMicros'), sample(result, 'messagesToChosen'), sample(result, 'ballotsToChosen')]).toEqual([0, 0, 1]);
  });

  it('on any run: chosenMicros ≥ 0, messagesToChosen ≤ all messages sent, at least one ballot per proposer that began, and a sample exactly when a value was chosen', () => {
    const ranges = ['1ms:2ms', '2ms:4ms', '3ms:6ms', '5ms:10ms', '20ms:100ms'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...ranges),
        fc.constantFrom(undefined, paxosBugs.names.noBackoff),
        (seed, nodes, proposers, range, bug) => {
          const [min, max] = range.split(':');
          const set = [`proposers=${proposers}`, `retryMicrosMin=${min}`, `retryMicrosMax=${max}`, 'recoveryMicrosMax=200ms'];
          const result = run({ seed, nodes, set, bug, durationMicros: 200_000 });
          const chosen = sample(result, 'chosenMicros');
          const messages = sample(result, 'messagesToChosen');
          const ballots = sample(result, 'ballotsToChosen');
          const valueChosen = result.checks.find((c) => c.name === 'value-chosen')!.ok;
          expect(chosen !== undefined, `faultline run ${SCENARIO} --seed ${seed} --nodes ${nodes} --set ${set.join(' --set ')}`).toBe(valueChosen);
          if (chosen === undefined) return;
          expect(chosen).toBeGreaterThanOrEqual(0);
          expect(chosen).toBeLessThanOrEqual(result.stats.simulatedMicros);
          expect(messages).toBeGreaterThanOrEqual(0);
          expect(messages).toBeLessThanOrEqual(result.stats.messagesSent);
          expect(ballots).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 40, seed: 12 },
    );
  });

  it('passes every check on seeds 1..20 with its defaults, the highest ballot of the first round winning undisturbed', () => {
    for (const seed of seeds(1, 20)) {
      const result = run({ seed });
      expect(result.checks.filter((c) => !c.ok), `faultline run ${SCENARIO} --seed ${seed}`).toEqual([]);
      // Three proposers each begin one ballot; with 20–100 ms of backoff nobody comes back before the winner is chosen.
      expect(sample(result, 'ballotsToChosen')).toBe(3);
    }
  });

  it('the backoff is what ends the duel: without it (paxos/no-backoff) the median time to a chosen value over seeds 1..30 is more than 10× longer, or never comes', () => {
    const set = ['recoveryMicrosMax=1s'];
    const times = (bug?: string) => seeds(1, 30).map((seed) => sample(run({ seed, set, bug, durationMicros: 1_000_000 }), 'chosenMicros'));
    const withBackoff = medianWithUnresolved(times());
    const withoutBackoff = medianWithUnresolved(times(paxosBugs.names.noBackoff));
    expect(withBackoff).toBeLessThan(20_000);
    expect(withoutBackoff).toBeGreaterThan(10 * withBackoff);
  });

  it('experiments/paxos-dueling-backoff.json names this scenario, the metrics it provides and the backoff range as its first axis', () => {
    const file = JSON.parse(readFileSync(new URL('../../experiments/paxos-dueling-backoff.json', import.meta.url), 'utf8')) as ExperimentFile;
    expect(file.name).toBe('paxos-dueling-backoff');
    expect(file.scenario).toBe(SCENARIO);
    for (const metric of file.metrics) expect(CHOSEN_METRICS.map((m) => m.name)).toContain(metric);
    for (const group of file.groups!) {
      for (const axis of group.vary) {
        if (typeof axis === 'string') continue;
        const values = axis.vary.slice(axis.vary.indexOf('=') + 1).split(',');
        expect(axis.labels.length, `${group.name}: one label per value of ${axis.vary}`).toBe(values.length);
      }
    }
    const first = file.groups![0]!.vary[0]!;
    expect(typeof first === 'string' ? first : first.vary).toMatch(/^retryMicrosMin,retryMicrosMax=/);
  });
});
