// The simulated network: one record per directed link (from → to) with its latency model, loss and
// duplication ratios, cut (partition), clog and bounded in-flight capacity, and the rules a message
// meets on it; `Network` holds the links and the messages clogs hold back. Nodes are numbered 0…n-1;
// reordering comes from per-message latency draws. Only this module owns link state.

import { assert } from './assert.js';
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

/** A network's initial settings, the same for every link. */
export interface NetworkConfig {
  readonly latency: LatencyModel;
  /** Probability that a message is lost, during the fault phase. */
  readonly lossRatio: number;
  /** Probability that a message is delivered twice, during the fault phase. */
  readonly duplicateRatio: number;
  /** Messages in flight on one directed link at most; more are dropped as 'overflow'. */
  readonly linkCapacity: number;
}

/** Why a message was dropped: 'crashed' is the receiver's doing, the others the link's. */
export type DropReason = 'loss' | 'partition' | 'overflow' | 'crashed';

/** Minimal random source a link needs (the engine passes a per-link Rng). */
export interface LinkRandom {
  readonly draw: () => number;
  next(): number;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  paretoMicros(scaleMicros: number, shape: number): number;
}

/**
 * One directed link and its rules: what a message sent now meets (`sendDrop`, `board`, `duplicates`)
 * and whether one due now may arrive (`open`). Its state changes only through `Network`.
 */
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

  /** Whether a message due now may arrive: the link is neither cut nor clogged. */
  get open(): boolean {
    return !this.cut && !this.clogged;
  }

  /**
   * Why a message sent now is dropped before it reaches the wire, or undefined. A cut link drops
   * everything; otherwise the loss ratio is drawn against (no draw at ratio 0).
   */
  sendDrop(): DropReason | undefined {
    if (this.cut) return 'partition';
    if (this.lossRatio > 0 && this.random.chance(this.lossRatio)) return 'loss';
    return undefined;
  }

  /** Puts one message on the wire; false, and nothing changes, when the link is full ('overflow'). */
  board(): boolean {
    // Bound: at most `capacity` messages in flight per directed link.
    if (this.inFlight >= this.capacity) return false;
    this.inFlight++;
    return true;
  }

  /** Whether a message just put on the wire goes on it a second time (no draw at ratio 0). */
  duplicates(): boolean {
    return this.duplicateRatio > 0 && this.random.chance(this.duplicateRatio);
  }

  /** A message leaves the wire: delivered, or dropped on the way. */
  land(): void {
    this.inFlight--;
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

/** Node indices a link change applies to, by sending and receiving end; an end left out is every node. */
export interface LinkSelection {
  readonly from?: readonly number[];
  readonly to?: readonly number[];
}

/**
 * The cluster's directed links, one per ordered pair of nodes (a node's link to itself exists but is
 * never selected), and the messages held on clogged links. `M` is the engine's queued message.
 */
export class Network<M> {
  /** Row-major by (from, to): `links[from * size + to]`. Read-only outside; the engine indexes it directly on the per-message path. */
  readonly links: Link[] = [];
  /** Messages that reached a clogged link, in arrival order per link. */
  private readonly held = new Map<Link, M[]>();

  /** `random(from, to)`: each link's own random stream, asked for in from-major order. */
  constructor(
    readonly size: number,
    config: NetworkConfig,
    random: (from: number, to: number) => LinkRandom,
  ) {
    for (let from = 0; from < size; from++) {
      for (let to = 0; to < size; to++) this.links.push(new Link(from, to, config, random(from, to)));
    }
  }

  link(from: number, to: number): Link {
    return this.links[from * this.size + to]!;
  }

  /**
   * The rule for a message due over `link` while it is not `open`. 'partition': it is dropped, since
   * nothing crosses an active partition, including messages already on the wire (the caller drops it
   * and calls `land`). 'held': a clog keeps it, still counted in flight, until `unclog` releases it.
   */
  intercept(link: Link, message: M): 'partition' | 'held' {
    if (link.cut) return 'partition';
    assert(link.clogged, 'intercept of a message on an open link');
    let list = this.held.get(link);
    if (list === undefined) {
      list = [];
      this.held.set(link, list);
    }
    list.push(message);
    return 'held';
  }

  /** Cuts every link between two different groups; links within a group and to unnamed nodes stay as they are. */
  partition(groups: readonly (readonly number[])[]): void {
    const groupOf = new Map<number, number>();
    groups.forEach((group, g) => group.forEach((index) => groupOf.set(index, g)));
    for (const link of this.links) {
      const a = groupOf.get(link.from);
      const b = groupOf.get(link.to);
      if (a !== undefined && b !== undefined && a !== b) link.cut = true;
    }
  }

  /** Cuts the selected links. */
  cut(selection: LinkSelection): void {
    for (const link of this.select(selection)) link.cut = true;
  }

  /** Restores every cut link. */
  heal(): void {
    for (const link of this.links) link.cut = false;
  }

  /** Clogs the selected links: messages due on them are held from now on. */
  clog(selection: LinkSelection): void {
    for (const link of this.select(selection)) link.clogged = true;
  }

  /** Unclogs the selected links and returns what they held, link by link in link order, each in arrival order. */
  unclog(selection: LinkSelection): M[] {
    const released: M[] = [];
    for (const link of this.select(selection)) {
      if (!link.clogged) continue;
      link.clogged = false;
      const held = this.held.get(link);
      if (held) released.push(...held.splice(0));
    }
    return released;
  }

  setLoss(selection: LinkSelection, ratio: number): void {
    for (const link of this.select(selection)) link.lossRatio = ratio;
  }

  setDuplicate(selection: LinkSelection, ratio: number): void {
    for (const link of this.select(selection)) link.duplicateRatio = ratio;
  }

  setLatency(selection: LinkSelection, model: LatencyModel): void {
    for (const link of this.select(selection)) link.latency = model;
  }

  /** Whether the link from → to is cut now. */
  isCut(from: number, to: number): boolean {
    return this.link(from, to).cut;
  }

  /** The selected links (never a node's link to itself), in link order. */
  select(selection: LinkSelection): Link[] {
    const from = selection.from ? new Set(selection.from) : undefined;
    const to = selection.to ? new Set(selection.to) : undefined;
    return this.links.filter((l) => l.from !== l.to && (!from || from.has(l.from)) && (!to || to.has(l.to)));
  }
}

/** Draws one message's latency from `model` (the slow path of `Link.sampleLatency`). */
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
