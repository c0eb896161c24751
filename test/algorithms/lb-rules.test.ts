// The load balancers' rule checkers (algorithms/load-balancing/rules.ts): each fails a hand-made stream that
// breaks its rule and passes one that keeps it; smooth WRR's bound is checked with fast-check against a
// naive twin of the algorithm (and against the real policy); each checker fails, on a scripted fault
// schedule, the run of its planted bug and passes the same schedule without it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LbFact } from '../../algorithms/load-balancing/facts.js';
import { createPolicy } from '../../algorithms/load-balancing/policies.js';
import { healthCheckThresholds, retryWithinBudget, wrrKeepsWeights, type HealthRuleOptions } from '../../algorithms/load-balancing/rules.js';
import { findScenario } from '../../scenarios/index.js';
import type { Checker } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import type { Micros } from '../../sim/time.js';
import { FakeRun } from './fd-membership-fixtures.js';
import { balancerConfig } from './lb-fixtures.js';

const S = 1_000_000;

/** Feeds one checker facts through a fake run; keeps every violation it reports. */
class Feed {
  readonly run = new FakeRun(['c1', 'c2', 'lb', 'b1', 'b2', 'b3']);
  readonly problems: string[] = [];
  constructor(readonly checker: Checker<LbFact>) {}

  fact(node: NodeId, fact: LbFact, at: Micros = this.run.now): this {
    this.run.now = at;
    const problem = this.checker.onObservation?.(node, fact, this.run);
    if (problem) this.problems.push(problem);
    return this;
  }
  crash(node: NodeId): this {
    this.run.lifecycle(this.run.now, 'crash', node);
    this.run.lifecycle(this.run.now, 'restart', node);
    return this;
  }
  /** Violations reported so far, then the verdict's, if any. */
  all(): string[] {
    const verdict = this.checker.verdict(this.run);
    return verdict.ok ? this.problems : [...this.problems, verdict.message!];
  }
}

describe('health-check-thresholds', () => {
  const thresholds: HealthRuleOptions = { detector: 'thresholds', check: { unhealthyThreshold: 2, healthyThreshold: 3 } };
  const feed = (options: HealthRuleOptions = thresholds) => new Feed(healthCheckThresholds(options));
  const probe = (f: Feed, backend: NodeId, passed: boolean, node: NodeId = 'lb') => f.fact(node, { type: 'lb-probe', backend, passed });
  const health = (f: Feed, backend: NodeId, state: 'up' | 'down' | 'ejected', reason: 'probe-passed' | 'probe-failed' | 'phi' | 'consecutive-errors' | 'readmitted', node: NodeId = 'lb') =>
    f.fact(node, { type: 'lb-health', backend, state, reason });

  it('passes down after 2 failures in a row and up after 3 passes in a row, a broken run starting again', () => {
    const f = feed();
    probe(f, 'b1', false); probe(f, 'b1', true); probe(f, 'b1', false); // the run of failures broke
    probe(f, 'b1', false); health(f, 'b1', 'down', 'probe-failed');
    probe(f, 'b1', true); probe(f, 'b1', true); probe(f, 'b1', false); // the run of passes broke
    probe(f, 'b1', true); probe(f, 'b1', true); probe(f, 'b1', true); health(f, 'b1', 'up', 'probe-passed');
    probe(f, 'b2', true); probe(f, 'b1', true);
    expect(f.all()).toEqual([]);
  });

  it('passes outlier detection beside active checks: ejected, then down (failures), then back to ejected (passes), then readmitted', () => {
    const f = feed();
    health(f, 'b1', 'ejected', 'consecutive-errors');
    probe(f, 'b1', false); probe(f, 'b1', false); health(f, 'b1', 'down', 'probe-failed');
    probe(f, 'b1', true); probe(f, 'b1', true); probe(f, 'b1', true); health(f, 'b1', 'ejected', 'probe-passed');
    health(f, 'b1', 'up', 'readmitted');
    expect(f.all()).toEqual([]);
  });

  it('fails a backend marked up on its first passing probe (the planted bug\'s stream)', () => {
    const f = feed();
    probe(f, 'b1', false); probe(f, 'b1', false); health(f, 'b1', 'down', 'probe-failed');
    probe(f, 'b1', true); health(f, 'b1', 'up', 'probe-passed');
    expect(f.all()).toEqual(['lb marked b1 up after 1 passing probe in a row since it went down (healthy threshold 3)']);
  });

  it('fails a backend marked down too early, one not marked when its threshold is reached, and an outlier moving it into down', () => {
    const early = feed();
    probe(early, 'b1', false); health(early, 'b1', 'down', 'probe-failed');
    expect(early.all()).toEqual(['lb marked b1 down after 1 failed probe in a row (unhealthy threshold 2)']);
    const missed = feed();
    probe(missed, 'b1', false); probe(missed, 'b1', false); probe(missed, 'b1', false);
    expect(missed.all()[0]).toBe('lb did not mark b1 down after 2 failed probes in a row (unhealthy threshold 2)');
    const atEnd = feed();
    probe(atEnd, 'b1', false); probe(atEnd, 'b1', false);
    expect(atEnd.all()).toEqual(['lb did not mark b1 down after 2 failed probes in a row (unhealthy threshold 2)']);
    const outlier = feed();
    health(outlier, 'b1', 'down', 'consecutive-errors');
    expect(outlier.all()).toHaveLength(1);
  });

  it('starts every balancer life with every backend up and no counts (a crash forgets), per balancer', () => {
    const f = feed();
    probe(f, 'b1', false); probe(f, 'b1', false); health(f, 'b1', 'down', 'probe-failed');
    probe(f, 'b1', true); probe(f, 'b1', true);
    f.crash('lb');
    probe(f, 'b1', true); // b1 is up in the new life: no pass is counted
    probe(f, 'b1', false, 'c1');
    expect(f.all()).toEqual([]);
    health(f, 'b1', 'up', 'probe-passed');
    expect(f.all()).toEqual(['lb reported b1 up on a passing probe, but it did not hold it down']);
  });

  it('phi: up on any passing probe while down, down only right after a failed one', () => {
    const f = feed({ detector: 'phi' });
    probe(f, 'b1', false); health(f, 'b1', 'down', 'phi');
    probe(f, 'b1', true); health(f, 'b1', 'up', 'probe-passed');
    probe(f, 'b1', false); probe(f, 'b1', false);
    expect(f.all()).toEqual([]);
    const noProbe = feed({ detector: 'phi' });
    probe(noProbe, 'b1', true); health(noProbe, 'b1', 'down', 'phi');
    expect(noProbe.all()).toHaveLength(1);
    const missedUp = feed({ detector: 'phi' });
    probe(missedUp, 'b1', false); health(missedUp, 'b1', 'down', 'phi'); probe(missedUp, 'b1', true);
    expect(missedUp.all()).toEqual(['lb did not mark b1 up after a passing probe (phi marks up on an answer)']);
  });

  it('without active checks, a probe fact is a violation', () => {
    const f = feed({ detector: 'off' });
    probe(f, 'b1', true);
    expect(f.all()).toHaveLength(1);
  });
});

describe('retry-within-budget', () => {
  // Half the first attempts over 10 s, plus 0.1 a second: 1 retry for free.
  const budget = { maxAttempts: 3, budgetRatio: 0.5, budgetWindowMicros: 10 * S, budgetMinPerSecond: 0.1 };
  const issue = (f: Feed, id: number, local: Micros, node: NodeId = 'c1') => f.fact(node, { type: 'lb-issue', id, localMicros: local });
  const retry = (f: Feed, id: number, local: Micros, attempt = 2, node: NodeId = 'c1') => f.fact(node, { type: 'lb-retry', id, attempt, localMicros: local });

  it('passes retries within ratio × first attempts + the minimum, as the window slides on the client\'s clock', () => {
    const f = new Feed(retryWithinBudget(budget));
    issue(f, 1, 0); issue(f, 2, 1 * S);
    retry(f, 1, 2 * S); retry(f, 2, 2 * S); // 0.5 × 2 + 1 = 2
    issue(f, 3, 13 * S); issue(f, 4, 13 * S); issue(f, 5, 13 * S); issue(f, 6, 13 * S); // the first two and both retries have left the window
    retry(f, 3, 14 * S); retry(f, 4, 14 * S, 2); retry(f, 4, 14 * S, 3); // 0.5 × 4 + 1 = 3
    expect(f.all()).toEqual([]);
  });

  it('fails one retry beyond the budget (the planted bug\'s stream), and an attempt beyond the maximum', () => {
    const f = new Feed(retryWithinBudget(budget));
    issue(f, 1, 0); issue(f, 2, 0);
    retry(f, 1, 1 * S); retry(f, 2, 1 * S); retry(f, 2, 2 * S, 3);
    expect(f.all()).toEqual(['c1 retried request 2 (attempt 3) as its retry 3 in the last 10 s, but its budget allows 2 (0.5 × 2 first attempts + 0.1 a second)']);
    const beyond = new Feed(retryWithinBudget(budget));
    issue(beyond, 1, 0); retry(beyond, 1, 1, 4);
    expect(beyond.all()).toHaveLength(1);
  });

  it('counts on the client\'s own clock, not true time, and each client life apart', () => {
    const f = new Feed(retryWithinBudget(budget));
    // True time 100 s, but the client's clock says 0 … 1 s: all in one window.
    f.run.now = 100 * S;
    issue(f, 1, 0); issue(f, 2, 0); retry(f, 1, 1 * S); retry(f, 2, 1 * S);
    f.crash('c1');
    issue(f, 1_000_000_001, 0); retry(f, 1_000_000_001, 1 * S); // a fresh budget: 0.5 + 1
    issue(f, 1, 0, 'c2'); retry(f, 1, 0, 2, 'c2');
    expect(f.all()).toEqual([]);
    retry(f, 1_000_000_001, 1 * S, 3);
    expect(f.all()).toHaveLength(1);
  });

  it('stops judging a client life once its clock is skewed (set back, it forgets retries on denied checks, which report nothing)', () => {
    const f = new Feed(retryWithinBudget(budget));
    issue(f, 1, 0); issue(f, 2, 0);
    retry(f, 1, 1 * S); retry(f, 2, 1 * S); // the budget is spent: 0.5 × 2 + 1 = 2
    f.checker.onFault?.({ at: 0, kind: 'clock-skew', node: 'c1', offsetMicros: -5 * S }, f.run);
    retry(f, 2, 2 * S, 3);
    expect(f.all()).toEqual([]);
    f.crash('c1'); // a new life is judged again
    issue(f, 1_000_000_001, 0); retry(f, 1_000_000_001, 1 * S); retry(f, 1_000_000_001, 1 * S, 3);
    expect(f.all()).toHaveLength(1);
  });

  it('agrees with a naive budget over random monotone streams: retries the naive budget grants pass, one beyond it fails', () => {
    const step = fc.record({ gap: fc.integer({ min: 0, max: 3 * S }), kind: fc.constantFrom('issue', 'retry', 'retry') });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), fc.constantFrom(0, 0.1, 0.2, 0.5), fc.constantFrom(0, 0.5, 1), (steps, ratio, minPerSecond) => {
      const config = { maxAttempts: 2, budgetRatio: ratio, budgetWindowMicros: 5 * S, budgetMinPerSecond: minPerSecond };
      const f = new Feed(retryWithinBudget(config));
      const firsts: number[] = [];
      const retries: number[] = [];
      let local = 0;
      let id = 0;
      let refusedOnce = false;
      for (const { gap, kind } of steps) {
        local += gap;
        if (kind === 'issue') {
          firsts.push(local);
          issue(f, ++id, local);
          continue;
        }
        // The naive budget: count what lies in (local − window, local], with no queue.
        const inWindow = (times: number[]) => times.filter((t) => t > local - config.budgetWindowMicros).length;
        const allowed = ratio * inWindow(firsts) + minPerSecond * 5;
        if (inWindow(retries) + 1 <= allowed) {
          retries.push(local);
          retry(f, id, local);
        } else if (!refusedOnce) {
          // One retry the naive budget refuses: the checker must fail it (and stay failed).
          refusedOnce = true;
          expect(f.all()).toEqual([]);
          retries.push(local);
          retry(f, id, local);
          expect(f.all()).toHaveLength(1);
        }
      }
      if (!refusedOnce) expect(f.all()).toEqual([]);
    }), { numRuns: 300 });
  });
});

describe('wrr-keeps-weights', () => {
  const backends = (weights: readonly number[]) => weights.map((weight, i) => ({ id: `b${i}`, weight }));

  /** A naive smooth WRR (NGINX's rule, written out plainly) over backends b0…, with its own effective weights. */
  class NaiveSwrr {
    readonly current: number[];
    constructor(readonly effective: number[]) {
      this.current = effective.map(() => 0);
    }
    pick(eligible: readonly number[]): number {
      const total = eligible.reduce((sum, i) => sum + this.effective[i]!, 0);
      for (const i of eligible) this.current[i]! += this.effective[i]!;
      let best = eligible[0]!;
      for (const i of eligible) if (this.current[i]! > this.current[best]!) best = i;
      this.current[best]! -= total;
      return best;
    }
  }

  /** Steps: a pick, or a backend going down or coming back; panic when fewer than half are up. */
  const stepArb = (n: number) => fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }).map((picks) => ({ kind: 'picks' as const, picks })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: n - 1 }).map((backend) => ({ kind: 'flip' as const, backend })) },
  );
  type Step = { kind: 'picks'; picks: number } | { kind: 'flip'; backend: number };

  /** Drives a picker and the checker through the steps as a balancer would report them; returns the problems. */
  function drive(weights: readonly number[], steps: readonly Step[], pick: (eligible: readonly number[]) => number, onUp: (backend: number, at: number) => void = () => {}, panicRatio = 0.5): string[] {
    const f = new Feed(wrrKeepsWeights({ backends: backends(weights) }));
    const up = weights.map(() => true);
    for (const [at, step] of steps.entries()) {
      if (step.kind === 'flip') {
        up[step.backend] = !up[step.backend];
        if (up[step.backend]) onUp(step.backend, at);
        f.fact('lb', { type: 'lb-health', backend: `b${step.backend}`, state: up[step.backend] ? 'up' : 'down', reason: up[step.backend] ? 'probe-passed' : 'probe-failed' });
        continue;
      }
      const healthy = weights.map((_, i) => i).filter((i) => up[i]);
      const panic = healthy.length < panicRatio * weights.length;
      const eligible = panic ? weights.map((_, i) => i) : healthy;
      if (eligible.length === 0) continue;
      for (let k = 0; k < step.picks; k++) f.fact('lb', { type: 'lb-route', backend: `b${pick(eligible)}`, panic });
    }
    return f.all();
  }

  const weightsArb = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 });

  it('the bound holds for a naive twin of smooth WRR under any history of backends leaving and coming back (fast-check)', () => {
    fc.assert(fc.property(weightsArb.chain((w) => fc.tuple(fc.constant(w), fc.array(stepArb(w.length), { maxLength: 60 }))), ([weights, steps]) => {
      const twin = new NaiveSwrr([...weights]);
      expect(drive(weights, steps, (e) => twin.pick(e))).toEqual([]);
    }), { numRuns: 400 });
  });

  it('the real policy (policies.ts) keeps the bound too, non-integer weights included (fast-check)', () => {
    const realWeights = fc.array(fc.oneof(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0.1, max: 10, noNaN: true })), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(realWeights.chain((w) => fc.tuple(fc.constant(w), fc.array(stepArb(w.length), { maxLength: 60 }))), ([weights, steps]) => {
      const policy = createPolicy('weighted-round-robin', balancerConfig(weights.length, { backends: backends(weights), policy: 'weighted-round-robin' }));
      expect(drive(weights, steps, (e) => policy.pick(e, 0, null as never, 0), (b) => policy.onHealth(b, true))).toEqual([]);
    }), { numRuns: 300 });
  });

  it('fails a twin that gives a returning backend weight 1 instead of its configured weight (the planted bug), after any correct history (fast-check)', () => {
    const arb = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 2, maxLength: 6 })
      .chain((w) => fc.tuple(fc.constant(w), fc.integer({ min: 0, max: w.length - 1 }), fc.array(stepArb(w.length), { maxLength: 30 })))
      .filter(([w, back]) => w[back]! >= 2);
    fc.assert(fc.property(arb, ([weights, back, history]) => {
      // The history, correct; then every backend up again, `back` leaves and comes back at weight 1, and picks go on.
      const up = weights.map(() => true);
      for (const s of history) if (s.kind === 'flip') up[s.backend] = !up[s.backend];
      const restore: Step[] = weights.flatMap((_, i) => (up[i] ? [] : [{ kind: 'flip' as const, backend: i }]));
      const total = weights.reduce((a, b) => a + b, 0);
      const steps: Step[] = [...history, ...restore, { kind: 'flip', backend: back }, { kind: 'flip', backend: back }, { kind: 'picks', picks: 400 * total }];
      const twin = new NaiveSwrr([...weights]);
      const problems = drive(weights, steps, (e) => twin.pick(e), (b, at) => {
        if (at === steps.length - 2) twin.effective[b] = 1;
      });
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0]).toMatch(/^lb gave b\d+ \d+ of its \d+ picks over the same \d+ eligible backends/);
    }), { numRuns: 100 });
  });

  it('passes smooth WRR\'s own cycle and fails a hand-made stream: weights 1 and 4, the heavy one back and picked only every other time', () => {
    const ok = new Feed(wrrKeepsWeights({ backends: backends([1, 4]) }));
    for (const b of ['b1', 'b1', 'b0', 'b1', 'b1', 'b1', 'b1', 'b0', 'b1', 'b1']) ok.fact('lb', { type: 'lb-route', backend: b, panic: false });
    expect(ok.all()).toEqual([]);
    const f = new Feed(wrrKeepsWeights({ backends: backends([1, 4]) }));
    f.fact('lb', { type: 'lb-health', backend: 'b1', state: 'down', reason: 'probe-failed' });
    f.fact('lb', { type: 'lb-route', backend: 'b0', panic: false });
    f.fact('lb', { type: 'lb-health', backend: 'b1', state: 'up', reason: 'probe-passed' });
    for (let k = 0; k < 10; k++) f.fact('lb', { type: 'lb-route', backend: k % 2 === 0 ? 'b1' : 'b0', panic: false });
    // From current weights 0, 0: b1, b1, b0, b1, b1 is smooth WRR's cycle; b1, b0 already gives b0 more than it may have.
    expect(f.all()[0]).toBe('lb gave b0 1 of its 2 picks over the same 2 eligible backends: its weight 1 of 5 gives it 0.40, and smooth WRR stays within 0.50 above that');
  });
});

describe('the planted bugs on a scripted schedule (lb-chaos, each of seeds 1..3, 10 s of faults)', () => {
  const SEEDS = [1, 2, 3];
  const crashB3: FaultEntry[] = [{ at: 2 * S, kind: 'crash', node: 'b3' }, { at: 5 * S, kind: 'restart', node: 'b3' }];
  const outage: FaultEntry[] = ['b1', 'b2', 'b3', 'b4'].flatMap((node): FaultEntry[] => [{ at: 2 * S, kind: 'crash', node }, { at: 6 * S, kind: 'restart', node }]);
  /** The failed checks of one run, as `name: message`. */
  const failures = (seed: number, faults: readonly FaultEntry[], set: readonly string[], bug?: string) => {
    const result = executeRun(prepareRun({ scenario: findScenario('lb-chaos')!, seed, durationMicros: 10 * S, set, ...(bug !== undefined ? { bug } : {}), faults: { raw: faults, source: 'test' } }));
    return result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`);
  };

  it('lb/health-first-success-up: b3 crashes for 3 s; on restart its first passing probe brings it back', () => {
    for (const seed of SEEDS) {
      const problems = failures(seed, crashB3, [], 'lb/health-first-success-up');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^health-check-thresholds: lb marked b3 (up|ejected) after 1 passing probe in a row since it went down \(healthy threshold 3\)$/);
      expect(failures(seed, crashB3, [])).toEqual([]);
    }
  }, 60_000);

  it('lb/wrr-forgets-weights: under weighted round robin (a mixed fleet: fleet=auto), b3 (weight 4) comes back at weight 1', () => {
    for (const seed of SEEDS) {
      const problems = failures(seed, crashB3, ['policy=weighted-round-robin'], 'lb/wrr-forgets-weights');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^wrr-keeps-weights: lb gave b\d+ \d+ of its \d+ picks over the same 8 eligible backends/);
      expect(failures(seed, crashB3, ['policy=weighted-round-robin'])).toEqual([]);
    }
  }, 60_000);

  it('correct clients pass retry-within-budget when their clocks are set back during an outage (lb-overload, seed 1; review finding)', () => {
    const backends = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8'];
    const faults: FaultEntry[] = [
      ...backends.map((node): FaultEntry => ({ at: 2 * S, kind: 'crash', node })),
      ...['c1', 'c2', 'c3', 'c4'].map((node): FaultEntry => ({ at: 17_300_000, kind: 'clock-skew', node, offsetMicros: -4 * S })),
      ...backends.map((node): FaultEntry => ({ at: 28 * S, kind: 'restart', node })),
    ];
    const result = executeRun(prepareRun({ scenario: findScenario('lb-overload')!, seed: 1, set: ['panicThresholdRatio=0'], faults: { raw: faults, source: 'test' } }));
    expect(result.checks.find((c) => c.name === 'retry-within-budget')?.ok).toBe(true);
  }, 60_000);

  it('lb/retry-no-budget: half the backends crash for 4 s; clients retry beyond their 20% budget', () => {
    for (const seed of SEEDS) {
      const problems = failures(seed, outage, ['maxAttempts=3'], 'lb/retry-no-budget');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^retry-within-budget: c\d retried request \d+ \(attempt [23]\) as its retry \d+ in the last 10 s, but its budget allows \d+ \(0\.2 × \d+ first attempts \+ 10 a second\)$/);
      expect(failures(seed, outage, ['maxAttempts=3'])).toEqual([]);
    }
  }, 60_000);
});
