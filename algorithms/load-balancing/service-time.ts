// Service times drawn from a node's random stream: exponential and capped Pareto by inversion of their
// distribution functions, log-normal from a normal made by the Box–Muller transform, and constant.
// Assumes `draw` returns floats uniform in [0, 1) (Rng.draw); results are real microseconds, unrounded.

import { assert } from '../../sim/assert.js';
import type { ServiceTime } from './config.js';

/** Checks a service-time description (a programmer error if broken: the scenario validates user input). */
export function assertServiceTime(service: ServiceTime): void {
  const positive = (value: number, what: string) => assert(Number.isFinite(value) && value > 0, `service time ${service.kind}: ${what} must be a positive number, got ${value}`);
  switch (service.kind) {
    case 'exponential':
      positive(service.meanMicros, 'meanMicros');
      break;
    case 'lognormal':
      positive(service.medianMicros, 'medianMicros');
      assert(Number.isFinite(service.sigma) && service.sigma >= 0, `service time lognormal: sigma must be a non-negative number, got ${service.sigma}`);
      break;
    case 'pareto':
      positive(service.scaleMicros, 'scaleMicros');
      positive(service.shape, 'shape');
      assert(service.maxMicros >= service.scaleMicros, `service time pareto: maxMicros (${service.maxMicros}) must be at least scaleMicros (${service.scaleMicros})`);
      break;
    case 'constant':
      assert(Number.isFinite(service.micros) && service.micros >= 0, `service time constant: micros must be a non-negative number, got ${service.micros}`);
      break;
  }
}

/**
 * One service time in microseconds (a real number ≥ 0; the backend divides it by its speed and rounds).
 * Draws once (exponential, Pareto), twice (log-normal) or never (constant).
 */
export function sampleServiceMicros(service: ServiceTime, draw: () => number): number {
  switch (service.kind) {
    case 'exponential':
      // Inversion: F(x) = 1 − e^(−x/mean), so x = −mean · ln(1 − u). 1 − u is in (0, 1]: the log is finite.
      return -service.meanMicros * Math.log(1 - draw());
    case 'lognormal': {
      // Box–Muller: z = √(−2 ln u₁) · cos(2π u₂) is standard normal; X = median · e^(σz).
      // Beyond the source: the transform's second normal (the sine) is not kept, so each sample stands alone.
      const z = Math.sqrt(-2 * Math.log(1 - draw())) * Math.cos(2 * Math.PI * draw());
      return service.medianMicros * Math.exp(service.sigma * z);
    }
    case 'pareto': {
      // Inversion: F(x) = 1 − (x_m/x)^α for x ≥ x_m, so x = x_m / (1 − u)^(1/α); then capped at the maximum.
      const x = service.scaleMicros / Math.pow(1 - draw(), 1 / service.shape);
      return x < service.maxMicros ? x : service.maxMicros;
    }
    case 'constant':
      return service.micros;
  }
}

/**
 * The mean service time on a backend of speed 1 (queueing theory's 1/μ), from the distribution's formula:
 * exponential: mean; log-normal: median · e^(σ²/2); constant: the value; Pareto capped at M:
 * E[min(X, M)] = x_m + ∫ from x_m to M of (x_m/t)^α dt, that is x_m + x_m^α (M^(1−α) − x_m^(1−α)) / (1 − α),
 * or x_m (1 + ln(M/x_m)) when α = 1.
 */
export function serviceMeanMicros(service: ServiceTime): number {
  switch (service.kind) {
    case 'exponential':
      return service.meanMicros;
    case 'lognormal':
      return service.medianMicros * Math.exp((service.sigma * service.sigma) / 2);
    case 'pareto': {
      const { scaleMicros: xm, shape: alpha, maxMicros: cap } = service;
      if (alpha === 1) return xm * (1 + Math.log(cap / xm));
      return xm + (Math.pow(xm, alpha) * (Math.pow(cap, 1 - alpha) - Math.pow(xm, 1 - alpha))) / (1 - alpha);
    }
    case 'constant':
      return service.micros;
  }
}
