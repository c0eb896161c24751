// Link state of the simulated network, one record per directed link (from → to): latency model,
// loss and duplication ratios, cut (partition), clog (messages held until unclog), and a bounded
// in-flight capacity. Reordering comes from per-message latency draws. Only this module owns link state.

import type { Micros } from './time.js';

/** How long a message takes on a link. */
export type LatencyModel =
  | { readonly kind: 'uniform'; readonly baseMicros: Micros; readonly jitterMicros: Micros }
  /** Heavy-tailed: base + Pareto(scale, shape), capped at maxMicros. */
  | {
      readonly kind: 'pareto';
      readonly baseMicros: Micros;
      readonly scaleMicros: Micros;
      readonly shape: number;
      readonly maxMicros: Micros;
    };

export interface NetworkConfig {
  readonly latency: LatencyModel;
  /** Probability that a message is lost, during the fault phase. */
  readonly lossRatio: number;
  /** Probability that a message is delivered twice, during the fault phase. */
  readonly duplicateRatio: number;
  /** Messages in flight on one directed link at most; more are dropped as 'overflow'. */
  readonly linkCapacity: number;
}

export type DropReason = 'loss' | 'partition' | 'overflow' | 'crashed';

/** Minimal random source a link needs (the engine passes a per-link Rng). */
export interface LinkRandom {
  readonly draw: () => number;
  next(): number;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  paretoMicros(scaleMicros: number, shape: number): number;
}

export class Link {
  private model: LatencyModel;
  /** For the uniform model, its fields copied here so the hot path needs no dispatch. */
  private uniformBaseMicros = -1;
  private uniformJitterMicros = 0;
  lossRatio: number;
  duplicateRatio: number;
  /** A partition cuts this direction: nothing crosses, in flight or new. */
  cut = false;
  /** A clog holds messages that arrive until unclog. */
  clogged = false;
  /** Messages on the wire or held, counted against the capacity. */
  inFlight = 0;
  readonly capacity: number;
  /** The link's raw generator, called directly on the per-message path. */
  private readonly draw: () => number;

  constructor(
    readonly from: number,
    readonly to: number,
    config: NetworkConfig,
    readonly random: LinkRandom,
  ) {
    this.model = config.latency;
    this.latency = config.latency;
    this.lossRatio = config.lossRatio;
    this.duplicateRatio = config.duplicateRatio;
    this.capacity = config.linkCapacity;
    this.draw = random.draw;
  }

  get latency(): LatencyModel {
    return this.model;
  }

  set latency(model: LatencyModel) {
    this.model = model;
    this.uniformBaseMicros = model.kind === 'uniform' ? model.baseMicros : -1;
    this.uniformJitterMicros = model.kind === 'uniform' ? model.jitterMicros : 0;
  }

  /** Draws one message's latency. */
  sampleLatency(): Micros {
    if (this.uniformBaseMicros >= 0) {
      const jitter = this.uniformJitterMicros;
      return jitter > 0 ? this.uniformBaseMicros + Math.floor(this.draw() * (jitter + 1)) : this.uniformBaseMicros;
    }
    return sampleLatency(this.model, this.random);
  }
}

export function sampleLatency(model: LatencyModel, random: LinkRandom): Micros {
  switch (model.kind) {
    case 'uniform':
      return model.jitterMicros > 0 ? model.baseMicros + random.int(0, model.jitterMicros) : model.baseMicros;
    case 'pareto':
      return Math.min(model.maxMicros, model.baseMicros + random.paretoMicros(model.scaleMicros, model.shape));
  }
}

/** Checks a latency model a user supplied; returns a complaint or undefined. */
export function latencyProblem(model: unknown): string | undefined {
  if (model === null || typeof model !== 'object') return 'must be an object with a kind';
  const m = model as Record<string, unknown>;
  const isMicros = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (m.kind === 'uniform') {
    if (!isMicros(m.baseMicros)) return 'baseMicros must be a non-negative integer';
    if (!isMicros(m.jitterMicros)) return 'jitterMicros must be a non-negative integer';
    return undefined;
  }
  if (m.kind === 'pareto') {
    if (!isMicros(m.baseMicros)) return 'baseMicros must be a non-negative integer';
    if (!isMicros(m.scaleMicros) || (m.scaleMicros as number) < 1) return 'scaleMicros must be a positive integer';
    if (typeof m.shape !== 'number' || !(m.shape > 0)) return 'shape must be a positive number';
    if (!isMicros(m.maxMicros)) return 'maxMicros must be a non-negative integer';
    return undefined;
  }
  return `kind must be 'uniform' or 'pareto', got ${JSON.stringify(m.kind)}`;
}
