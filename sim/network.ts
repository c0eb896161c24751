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
export type DropReason = 'loss' | 'partition' | 'overflow' | 'crashed' | 'trigger';

/** Minimal random source a link needs (the engine passes a per-link Rng). */
export interface LinkRandom {
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
      return jitter > 0 ? this.uniformBaseMicros + Math.floor(this.random.next() * (jitter + 1)) : this.uniformBaseMicros;
    }
    return sampleLatency(this.model, this.random);
  }
}

/** Node indices a link change applies to, by sending and receiving end; an end left out is every node. */
export interface LinkSelection {
  readonly from?: readonly number[];
  readonly to?: readonly number[];
}

/** A selection as sets, for a rule kept for links created later (undefined: every node). */
interface SelectionSets {
  readonly from: ReadonlySet<number> | undefined;
  readonly to: ReadonlySet<number> | undefined;
}

/**
 * A link change as a rule: what it does to one link. The network applies it to every link that exists
 * and keeps it, so that a link created later replays it and starts in the state it would have had.
 */
type Rule =
  | { readonly kind: 'partition'; readonly groupOf: ReadonlyMap<number, number> }
  | { readonly kind: 'cut' | 'clog' | 'unclog'; readonly selection: SelectionSets }
  | { readonly kind: 'loss' | 'duplicate'; readonly selection: SelectionSets; readonly ratio: number }
  | { readonly kind: 'latency'; readonly selection: SelectionSets; readonly model: LatencyModel };

/** The link state rules change (a `Link`, or a stand-in for a link not created yet). */
interface LinkSettings {
  cut: boolean;
  clogged: boolean;
  lossRatio: number;
  duplicateRatio: number;
  latency: LatencyModel;
}

/**
 * The cluster's directed links, one per ordered pair of nodes (a node's link to itself exists but is
 * never selected), and the messages held on clogged links. `M` is the engine's queued message.
 *
 * Links are created on first use (`link`), each with its own random stream, so a large cluster pays
 * only for the pairs that talk: 512 nodes have 262,144 directed links, of which a run may use a few.
 * A link change (partition, heal, clog, loss, duplication, latency) acts on the links that exist and is
 * kept as a rule; a link created later replays the rules in order, so every link is in exactly the
 * state it would have been in had all of them existed from the start. Rules that a later change
 * overrides on every link they select (a heal, an unclog, a loss window's reset …) are forgotten.
 */
export class Network<M> {
  /**
   * Row-major by (from, to): `links[from * size + to]`, undefined until the link is first used (then
   * call `link`). Read-only outside; the engine indexes it directly on the per-message path.
   */
  readonly links: (Link | undefined)[] = [];
  /** Every link created so far, in creation order. */
  private readonly created: Link[] = [];
  /** The link changes a link created now must replay, oldest first. */
  private rules: Rule[] = [];
  /** Messages that reached a clogged link, in arrival order per link. */
  private readonly held = new Map<Link, M[]>();

  /** `random(from, to)`: each link's own random stream, asked for once, when the link is first used. */
  constructor(
    readonly size: number,
    private readonly config: NetworkConfig,
    private readonly random: (from: number, to: number) => LinkRandom,
  ) {
    // Filled with undefined (not holes): the per-message look-up stays on a packed array.
    const links = this.links;
    for (let i = size * size; i > 0; i--) links.push(undefined);
  }

  /** The link from → to, created (with its random stream, in the state the rules so far give it) on first use. */
  link(from: number, to: number): Link {
    return this.links[from * this.size + to] ?? this.create(from, to);
  }

  /** Creates the link from → to (not yet created): default settings, then every rule kept, in order. */
  create(from: number, to: number): Link {
    assert(from >= 0 && from < this.size && to >= 0 && to < this.size, `no link ${from} -> ${to} among ${this.size} nodes`);
    const index = from * this.size + to;
    assert(this.links[index] === undefined, `link ${from} -> ${to} created twice`);
    const link = new Link(from, to, this.config, this.random(from, to));
    for (const rule of this.rules) applyRule(rule, link, from, to);
    this.links[index] = link;
    this.created.push(link);
    return link;
  }

  /** How many links have been created so far (for tests and benchmarks). */
  get createdCount(): number {
    return this.created.length;
  }

  /** How many link changes are kept for links created later (for tests). */
  get keptRuleCount(): number {
    return this.rules.length;
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
    this.apply({ kind: 'partition', groupOf });
  }

  /** Cuts the selected links. */
  cut(selection: LinkSelection): void {
    this.apply({ kind: 'cut', selection: selectionSets(selection) });
  }

  /** Restores every cut link. */
  heal(): void {
    // Indexed loops over `created` (tens of thousands of links at 512 nodes): these run a few times a
    // run, in unoptimised code, where `for … of` allocates an iterator result per link.
    const created = this.created;
    for (let i = 0; i < created.length; i++) created[i]!.cut = false;
    // Every link is uncut now, whatever cut it before: a link created later need not replay those cuts.
    this.rules = this.rules.filter((rule) => rule.kind !== 'partition' && rule.kind !== 'cut');
  }

  /** Clogs the selected links: messages due on them are held from now on. */
  clog(selection: LinkSelection): void {
    this.apply({ kind: 'clog', selection: selectionSets(selection) });
  }

  /** Unclogs the selected links and returns what they held, link by link in link order, each in arrival order. */
  unclog(selection: LinkSelection): M[] {
    const sets = selectionSets(selection);
    const size = this.size;
    const unclogged = this.created.filter((link) => link.clogged && selects(sets, link.from, link.to));
    unclogged.sort((a, b) => a.from * size + a.to - (b.from * size + b.to));
    const released: M[] = [];
    for (const link of unclogged) {
      link.clogged = false;
      const held = this.held.get(link);
      if (held) released.push(...held.splice(0));
    }
    this.keep({ kind: 'unclog', selection: sets });
    return released;
  }

  setLoss(selection: LinkSelection, ratio: number): void {
    this.apply({ kind: 'loss', selection: selectionSets(selection), ratio });
  }

  setDuplicate(selection: LinkSelection, ratio: number): void {
    this.apply({ kind: 'duplicate', selection: selectionSets(selection), ratio });
  }

  setLatency(selection: LinkSelection, model: LatencyModel): void {
    this.apply({ kind: 'latency', selection: selectionSets(selection), model });
  }

  /** Whether the link from → to is cut now (a link not created yet is not created to answer). */
  isCut(from: number, to: number): boolean {
    const link = this.links[from * this.size + to];
    if (link !== undefined) return link.cut;
    const settings: LinkSettings = { cut: false, clogged: false, lossRatio: 0, duplicateRatio: 0, latency: this.config.latency };
    for (const rule of this.rules) applyRule(rule, settings, from, to);
    return settings.cut;
  }

  /** The selected links that exist (never a node's link to itself), in link order. */
  select(selection: LinkSelection): Link[] {
    const sets = selectionSets(selection);
    const size = this.size;
    return this.created.filter((l) => selects(sets, l.from, l.to)).sort((a, b) => a.from * size + a.to - (b.from * size + b.to));
  }

  /** Applies a rule to every link that exists, and keeps it for links created later. */
  private apply(rule: Rule): void {
    const created = this.created;
    for (let i = 0; i < created.length; i++) {
      const link = created[i]!;
      applyRule(rule, link, link.from, link.to);
    }
    this.keep(rule);
  }

  /**
   * Keeps a rule for links created later, forgetting the ones it overrides: each rule sets one setting
   * (clog and unclog the same one), so an earlier rule of that setting on links this one all selects
   * can no longer decide any link's state. A rule that sets a link's starting value, with no earlier
   * rule of its setting left, changes nothing and is not kept (a loss window's reset, after its opening
   * was forgotten). So a long run's windows, each closed on the links it opened on, leave no rules.
   */
  private keep(rule: Rule): void {
    if (rule.kind !== 'partition') {
      const setting = settingOf(rule.kind);
      const selection = rule.selection;
      this.rules = this.rules.filter((kept) => kept.kind === 'partition' || settingOf(kept.kind) !== setting || !covers(selection, kept.selection));
      if (this.isStartingValue(rule) && !this.rules.some((kept) => settingOf(kept.kind) === setting)) return;
    }
    this.rules.push(rule);
  }

  /** Whether a rule sets what every link starts with. */
  private isStartingValue(rule: Rule): boolean {
    switch (rule.kind) {
      case 'unclog':
        return true;
      case 'loss':
        return rule.ratio === this.config.lossRatio;
      case 'duplicate':
        return rule.ratio === this.config.duplicateRatio;
      case 'latency':
        return sameLatency(rule.model, this.config.latency);
      default:
        return false;
    }
  }
}

/** Whether selection `outer` takes every link `inner` takes. */
function covers(outer: SelectionSets, inner: SelectionSets): boolean {
  const side = (o: ReadonlySet<number> | undefined, i: ReadonlySet<number> | undefined) => o === undefined || (i !== undefined && [...i].every((n) => o.has(n)));
  return side(outer.from, inner.from) && side(outer.to, inner.to);
}

function sameLatency(a: LatencyModel, b: LatencyModel): boolean {
  if (a.kind === 'uniform') return b.kind === 'uniform' && a.baseMicros === b.baseMicros && a.jitterMicros === b.jitterMicros;
  return b.kind === 'pareto' && a.baseMicros === b.baseMicros && a.scaleMicros === b.scaleMicros && a.shape === b.shape && a.maxMicros === b.maxMicros;
}

/** The setting a rule kind changes. */
function settingOf(kind: Rule['kind']): 'cut' | 'clogged' | 'lossRatio' | 'duplicateRatio' | 'latency' {
  switch (kind) {
    case 'partition':
    case 'cut':
      return 'cut';
    case 'clog':
    case 'unclog':
      return 'clogged';
    case 'loss':
      return 'lossRatio';
    case 'duplicate':
      return 'duplicateRatio';
    case 'latency':
      return 'latency';
  }
}

function selectionSets(selection: LinkSelection): SelectionSets {
  return { from: selection.from ? new Set(selection.from) : undefined, to: selection.to ? new Set(selection.to) : undefined };
}

/** Whether a selection takes the link from → to (never a node's link to itself). */
function selects(selection: SelectionSets, from: number, to: number): boolean {
  return from !== to && (!selection.from || selection.from.has(from)) && (!selection.to || selection.to.has(to));
}

/** What one rule does to the link from → to. */
function applyRule(rule: Rule, link: LinkSettings, from: number, to: number): void {
  if (rule.kind === 'partition') {
    const a = rule.groupOf.get(from);
    const b = rule.groupOf.get(to);
    if (a !== undefined && b !== undefined && a !== b) link.cut = true;
    return;
  }
  if (!selects(rule.selection, from, to)) return;
  switch (rule.kind) {
    case 'cut':
      link.cut = true;
      return;
    case 'clog':
      link.clogged = true;
      return;
    case 'unclog':
      link.clogged = false;
      return;
    case 'loss':
      link.lossRatio = rule.ratio;
      return;
    case 'duplicate':
      link.duplicateRatio = rule.ratio;
      return;
    case 'latency':
      link.latency = rule.model;
      return;
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

/**
 * A latency model's mean one-way latency: base + jitter / 2 for uniform; for Pareto, base + the
 * distribution's mean (shape · scale / (shape − 1), shape > 1), at most the cap (the cap's own pull on the
 * mean is left out: an estimate for a heavy tail).
 */
export function meanLatencyMicros(model: LatencyModel): number {
  if (model.kind === 'uniform') return model.baseMicros + model.jitterMicros / 2;
  const tail = model.shape > 1 ? (model.shape * model.scaleMicros) / (model.shape - 1) : model.maxMicros;
  return Math.min(model.maxMicros, model.baseMicros + tail);
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
