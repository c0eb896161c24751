// Service-time sampling (algorithms/load-balancing/service-time.ts): the sample moments of each
// distribution against its formulas, over parameters fast-check draws, within a few standard errors; and
// the capped-Pareto mean formula against a naive twin (numerical integration of the survival function).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServiceTime } from '../../algorithms/load-balancing/config.js';
import { assertServiceTime, sampleServiceMicros, serviceMeanMicros } from '../../algorithms/load-balancing/service-time.js';
import { InvariantError } from '../../sim/assert.js';
import { Rng } from '../../sim/rng.js';

const SAMPLES = 20_000;
/** Standard errors a sample mean may stray from the formula (a false alarm about once in 1.7 million). */
const STANDARD_ERRORS = 5;

function moments(values: readonly number[]): { mean: number; variance: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

function draws(service: ServiceTime, seed: number, n = SAMPLES): number[] {
  const rng = new Rng(`service-time/${seed}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(sampleServiceMicros(service, rng.draw));
  return out;
}

/** The sample mean is within a few standard errors of `expected`. */
function expectMeanNear(values: readonly number[], expected: number): void {
  const { mean, variance } = moments(values);
  const tolerance = STANDARD_ERRORS * Math.sqrt(variance / values.length) + 1e-9 * expected;
  expect(Math.abs(mean - expected), `sample mean ${mean} against ${expected} (± ${tolerance})`).toBeLessThanOrEqual(tolerance);
}

const seedArb = fc.integer({ min: 0, max: 0xffff_ffff });
const RUNS = { numRuns: 12 };

describe('service-time sampling', () => {
  it('exponential, by inversion: mean and variance (mean²) match', () => {
    fc.assert(fc.property(seedArb, fc.integer({ min: 1, max: 1_000_000 }), (seed, meanMicros) => {
      const values = draws({ kind: 'exponential', meanMicros }, seed);
      expectMeanNear(values, meanMicros);
      // The variance of an exponential is mean²; its sample variance has a relative error near 2/√n.
      expect(Math.abs(moments(values).variance / meanMicros ** 2 - 1)).toBeLessThan(0.1);
      expect(values.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    }), RUNS);
  });

  it('log-normal, by Box–Muller: ln X has mean ln(median) and variance σ², and X has mean median·e^(σ²/2)', () => {
    fc.assert(fc.property(seedArb, fc.integer({ min: 100, max: 1_000_000 }), fc.double({ min: 0.05, max: 1.2, noNaN: true }), (seed, medianMicros, sigma) => {
      const service: ServiceTime = { kind: 'lognormal', medianMicros, sigma };
      const values = draws(service, seed);
      const logs = values.map(Math.log);
      expect(Math.abs(moments(logs).mean - Math.log(medianMicros))).toBeLessThan((STANDARD_ERRORS * sigma) / Math.sqrt(SAMPLES));
      expect(Math.abs(moments(logs).variance / sigma ** 2 - 1)).toBeLessThan(0.1);
      expectMeanNear(values, serviceMeanMicros(service));
    }), RUNS);
  });

  it('capped Pareto, by inversion: never below the scale nor above the cap, and the mean of min(X, cap) matches', () => {
    fc.assert(fc.property(
      seedArb, fc.integer({ min: 100, max: 100_000 }), fc.oneof(fc.constant(1), fc.double({ min: 0.8, max: 4, noNaN: true })), fc.integer({ min: 1, max: 200 }),
      (seed, scaleMicros, shape, capFactor) => {
        const service: ServiceTime = { kind: 'pareto', scaleMicros, shape, maxMicros: scaleMicros * capFactor };
        const values = draws(service, seed);
        expect(values.every((v) => v >= scaleMicros && v <= scaleMicros * capFactor)).toBe(true);
        expectMeanNear(values, serviceMeanMicros(service));
      }), RUNS);
  });

  it('constant: always the value, with no draw', () => {
    let drawn = 0;
    const draw = () => (drawn++, 0.5);
    expect(sampleServiceMicros({ kind: 'constant', micros: 1234 }, draw)).toBe(1234);
    expect(drawn).toBe(0);
  });

  it('draws once for exponential and Pareto, twice for log-normal', () => {
    const counted = (service: ServiceTime) => {
      let drawn = 0;
      sampleServiceMicros(service, () => (drawn++, 0.25));
      return drawn;
    };
    expect(counted({ kind: 'exponential', meanMicros: 10 })).toBe(1);
    expect(counted({ kind: 'pareto', scaleMicros: 10, shape: 2, maxMicros: 100 })).toBe(1);
    expect(counted({ kind: 'lognormal', medianMicros: 10, sigma: 1 })).toBe(2);
  });

  it('the capped-Pareto mean formula agrees with integrating the survival function (naive twin)', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 1000, noNaN: true }), fc.oneof(fc.constant(1), fc.double({ min: 0.5, max: 5, noNaN: true })), fc.double({ min: 1, max: 1000, noNaN: true }), (xm, alpha, capFactor) => {
      const cap = xm * capFactor;
      // E[min(X, M)] = ∫₀^M P(X > t) dt, with P(X > t) = 1 below x_m and (x_m/t)^α above: midpoint rule on a log grid.
      const steps = 20_000;
      let integral = xm;
      const ratio = Math.log(cap / xm) / steps;
      for (let i = 0; i < steps; i++) {
        const a = xm * Math.exp(i * ratio);
        const b = xm * Math.exp((i + 1) * ratio);
        integral += (b - a) * Math.pow(xm / ((a + b) / 2), alpha);
      }
      const formula = serviceMeanMicros({ kind: 'pareto', scaleMicros: xm, shape: alpha, maxMicros: cap });
      expect(Math.abs(formula - integral) / integral).toBeLessThan(1e-5);
    }), { numRuns: 50 });
  });

  it('refuses a malformed description (a programmer error)', () => {
    expect(() => assertServiceTime({ kind: 'exponential', meanMicros: 0 })).toThrow(InvariantError);
    expect(() => assertServiceTime({ kind: 'lognormal', medianMicros: 10, sigma: -1 })).toThrow(InvariantError);
    expect(() => assertServiceTime({ kind: 'pareto', scaleMicros: 10, shape: 2, maxMicros: 5 })).toThrow(InvariantError);
    expect(() => assertServiceTime({ kind: 'constant', micros: -1 })).toThrow(InvariantError);
    expect(() => assertServiceTime({ kind: 'constant', micros: 0 })).not.toThrow();
  });
});
