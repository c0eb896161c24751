// Swarm testing (Groce et al., ISSTA 2012; as FoundationDB's simulator and TigerBeetle's VOPR do it): each
// seed draws its own test configuration — which fault kinds are on and how often each comes, how long
// faults last, how hard loss, duplication and delay hit, and the scenario's knobs within the ranges its
// author declared safe — from its own stream, so one seed is still one exact, replayable run.

import type { FactPattern, FaultEntry, TriggeredFault } from './faults.js';
import type { Rng } from './rng.js';
import type { Micros } from './time.js';

/**
 * Where a scenario lets swarm draw a knob: a numeric range (log-uniform with `log`, as for timeouts that
 * span decades; integers stay integers) or a list of choices. Ranges are the author's claim that any
 * value in them keeps the correct algorithm safe and live within the recovery bound.
 */
export type SwarmRange =
  | { readonly min: number; readonly max: number; readonly log?: boolean; readonly integer?: boolean }
  | { readonly choices: readonly string[] };

/**
 * A scenario's swarm space: the knobs swarm may draw, the cluster sizes it may pick, and the moments its
 * algorithm declares worth aiming faults at — facts its nodes report and messages they send — from which
 * swarm draws triggers (sim/faults.ts `on-fact`, `on-message`).
 */
export interface SwarmSpace {
  readonly params?: Readonly<Record<string, SwarmRange>>;
  /** Cluster sizes swarm may draw (within the scenario's own node range), when `--nodes` is not given. */
  readonly nodes?: readonly [number, number];
  readonly triggers?: {
    readonly facts?: readonly FactPattern[];
    readonly messages?: readonly { readonly type: string; readonly where?: Readonly<Record<string, string | number | boolean>> }[];
  };
}

/** The fault kinds swarm can switch on (the nemesis's moves). */
export const SWARM_MOVES = [
  'partition-halves', 'partition-isolate', 'partition-one-way', 'clog', 'crash', 'pause',
  'loss', 'loss-member', 'duplicate', 'delay', 'clock-skew', 'clock-drift', 'slow',
] as const;
/** Membership moves: drawn like the others, used only where the scenario has spare nodes (see {@link withoutMembership}). */
export const SWARM_MEMBERSHIP_MOVES = ['join', 'leave'] as const;
export type SwarmMove = (typeof SWARM_MOVES)[number] | (typeof SWARM_MEMBERSHIP_MOVES)[number];

/** The fault mix one seed drew: what the nemesis draws its schedule from under `--nemesis swarm`. */
export interface SwarmFaults {
  /** The fault kinds switched on, each with its weight (1…5). */
  readonly moves: readonly (readonly [SwarmMove, number])[];
  /** A loss window loses between 5% and this; a duplication window duplicates between 5% and its own. */
  readonly lossRatioMax: number;
  readonly duplicateRatioMax: number;
  /** A delay window's base latency is drawn up to this. */
  readonly delayMicrosMax: Micros;
}

/** Everything one seed drew under `--nemesis swarm`: printed with the run and kept in its replay file. */
export interface SwarmDraw {
  /** The cluster size drawn (absent: `--nodes` was given, or the scenario lets swarm keep its default). */
  readonly nodes?: number;
  /**
   * The knobs drawn, by parameter name (those given with `--set` are not drawn): the scenario's, and the
   * nemesis's pacing (`nemesisGapMicros`, the window bounds, the intensity ramp).
   */
  readonly params: Readonly<Record<string, number | string>>;
  readonly faults: SwarmFaults;
  /** Triggers drawn from the scenario's declared facts and messages (added to the schedule; none when it declares none). */
  readonly triggers: readonly FaultEntry[];
}

/** Bounds of the fault mix (wide on purpose: swarm's power is in the corners). */
const GAP_MICROS: readonly [number, number] = [30_000, 2_000_000];
const WINDOW_MIN_MICROS: readonly [number, number] = [1_000, 300_000];
const WINDOW_MAX_MICROS: readonly [number, number] = [50_000, 5_000_000];
const INTENSITY: readonly [number, number] = [0.5, 2];
const LOSS_RATIO_MAX: readonly [number, number] = [0.1, 0.9];
const DUPLICATE_RATIO_MAX: readonly [number, number] = [0.1, 0.6];
const DELAY_MICROS_MAX: readonly [number, number] = [5_000, 300_000];
/** Each fault kind is on with this probability (swarm testing's feature omission); at least one is on. */
const MOVE_ON_CHANCE = 0.5;
const MOVE_WEIGHT_MAX = 5;

/**
 * Draws one seed's swarm configuration. `given` names the knobs the user set (never drawn) and says
 * whether `--nodes` was given; `nodeRange` is the scenario's own node range; `spares` whether it has
 * spare nodes to join (membership moves).
 */
export function drawSwarm(
  space: SwarmSpace | undefined,
  rng: Rng,
  given: { readonly params: ReadonlySet<string>; readonly nodes: boolean; readonly nodeRange: readonly [number, number]; readonly durationMicros: Micros },
): SwarmDraw {
  // The order of the draws is part of the format: changing it changes every swarm seed's run.
  const faults = drawFaults(rng);
  const params: Record<string, number | string> = {};
  const windowMicrosMin = Math.round(logUniform(rng, WINDOW_MIN_MICROS[0], WINDOW_MIN_MICROS[1]));
  const pacing: Record<string, number> = {
    nemesisGapMicros: Math.round(logUniform(rng, GAP_MICROS[0], GAP_MICROS[1])),
    nemesisWindowMicrosMin: windowMicrosMin,
    nemesisWindowMicrosMax: Math.round(logUniform(rng, Math.max(windowMicrosMin, WINDOW_MAX_MICROS[0]), WINDOW_MAX_MICROS[1])),
    nemesisIntensityStart: round2(uniform(rng, INTENSITY[0], INTENSITY[1])),
    nemesisIntensityEnd: round2(uniform(rng, INTENSITY[0], INTENSITY[1])),
  };
  // A window pair is drawn or kept whole: one bound drawn against the other's --set value could cross it.
  const windowGiven = given.params.has('nemesisWindowMicrosMin') || given.params.has('nemesisWindowMicrosMax');
  for (const [name, value] of Object.entries(pacing)) {
    if (!given.params.has(name) && !(windowGiven && name.startsWith('nemesisWindow'))) params[name] = value;
  }
  for (const [name, range] of Object.entries(space?.params ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const value = drawValue(range, rng);
    if (!given.params.has(name)) params[name] = value;
  }
  let nodes: number | undefined;
  if (space?.nodes !== undefined) {
    const low = Math.max(space.nodes[0], given.nodeRange[0]);
    const high = Math.min(space.nodes[1], given.nodeRange[1]);
    const drawn = rng.int(low, Math.max(low, high));
    // A scenario narrower than its family's swarm range (a staged lesson) keeps its own size.
    if (!given.nodes && low <= high) nodes = drawn;
  }
  const triggers = drawTriggers(space, rng, given.durationMicros);
  return nodes === undefined ? { params, faults, triggers } : { nodes, params, faults, triggers };
}

/** Triggers per seed: 0 … this many. */
const TRIGGERS_MAX = 4;
/** A triggered fault window (crash to restart, pause to resume, cut to heal) lasts between these. */
const TRIGGER_WINDOW_MICROS: readonly [number, number] = [1_000, 1_500_000];
/**
 * A bounce: a crash and restart this soon after (before the next message arrives, so the node comes back
 * with only what it persisted, in the middle of whatever it was doing: the fault that finds a forgotten
 * write to disk).
 */
const BOUNCE_MICROS: readonly [number, number] = [20, 3_000];

/** What a trigger does to the node it fired on (`ref`: `$fact`, `$from` or `$to`), by weight: bounce 3, crash, pause, isolate, clog 1.5 each, clock skew 1. */
function drawReaction(rng: Rng, ref: string): TriggeredFault[] {
  const window = Math.round(logUniform(rng, TRIGGER_WINDOW_MICROS[0], TRIGGER_WINDOW_MICROS[1]));
  const after = rng.chance(0.5) ? 0 : Math.round(logUniform(rng, 100, 50_000));
  const roll = rng.int(0, 19);
  if (roll < 6) return [{ afterMicros: after, kind: 'crash', node: ref }, { afterMicros: after + Math.round(logUniform(rng, BOUNCE_MICROS[0], BOUNCE_MICROS[1])), kind: 'restart', node: ref }];
  if (roll < 9) return [{ afterMicros: after, kind: 'crash', node: ref }, { afterMicros: after + window, kind: 'restart', node: ref }];
  if (roll < 12) return [{ afterMicros: after, kind: 'pause', node: ref }, { afterMicros: after + window, kind: 'resume', node: ref }];
  if (roll < 15) return [{ afterMicros: after, kind: 'partition', groups: [[ref], ['@rest']] }, { afterMicros: after + window, kind: 'heal' }];
  if (roll < 18) return [{ afterMicros: after, kind: 'clog', from: [ref] }, { afterMicros: after + window, kind: 'unclog', from: [ref] }];
  return [{ afterMicros: after, kind: 'clock-skew', node: ref, offsetMicros: (rng.chance(0.5) ? 1 : -1) * Math.round(logUniform(rng, 10_000, 1_000_000)) }];
}

function drawTriggers(space: SwarmSpace | undefined, rng: Rng, durationMicros: Micros): FaultEntry[] {
  const facts = space?.triggers?.facts ?? [];
  const messages = space?.triggers?.messages ?? [];
  if (facts.length + messages.length === 0) return [];
  const count = rng.int(0, TRIGGERS_MAX);
  const out: FaultEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = rng.int(0, Math.max(0, Math.floor(durationMicros * 0.7)));
    // A trigger fires up to this many times: a moment that matters may come only on the fifth election.
    const times = Math.round(logUniform(rng, 1, 20));
    if (messages.length === 0 || (facts.length > 0 && rng.chance(0.5))) {
      const pattern = rng.pick(facts);
      out.push({ at, kind: 'on-fact', ...pattern, times, then: drawReaction(rng, '$fact') });
      continue;
    }
    const { type, where } = rng.pick(messages);
    const base = { at, kind: 'on-message' as const, type, ...(where !== undefined ? { where } : {}), times };
    const roll = rng.int(0, 9);
    if (roll < 2) out.push({ ...base, action: 'drop' });
    else if (roll < 4) out.push({ ...base, action: 'duplicate' });
    else if (roll < 6) out.push({ ...base, action: 'delay', delayMicros: Math.round(logUniform(rng, 1_000, 1_000_000)) });
    else out.push({ ...base, action: 'pass', then: drawReaction(rng, rng.chance(0.5) ? '$from' : '$to') });
  }
  return out.sort((a, b) => a.at - b.at);
}

function drawFaults(rng: Rng): SwarmFaults {
  const kinds: SwarmMove[] = [...SWARM_MOVES, ...SWARM_MEMBERSHIP_MOVES];
  let moves = kinds.filter(() => rng.chance(MOVE_ON_CHANCE)).map((move) => [move, rng.int(1, MOVE_WEIGHT_MAX)] as const);
  if (!moves.some(([move]) => (SWARM_MOVES as readonly string[]).includes(move))) moves = [...moves, [rng.pick(SWARM_MOVES), rng.int(1, MOVE_WEIGHT_MAX)]];
  return {
    moves,
    lossRatioMax: round2(uniform(rng, LOSS_RATIO_MAX[0], LOSS_RATIO_MAX[1])),
    duplicateRatioMax: round2(uniform(rng, DUPLICATE_RATIO_MAX[0], DUPLICATE_RATIO_MAX[1])),
    delayMicrosMax: Math.round(logUniform(rng, DELAY_MICROS_MAX[0], DELAY_MICROS_MAX[1])),
  };
}

function drawValue(range: SwarmRange, rng: Rng): number | string {
  if ('choices' in range) return rng.pick(range.choices);
  const raw = range.log === true ? logUniform(rng, range.min, range.max) : uniform(rng, range.min, range.max);
  const integer = range.integer ?? (Number.isInteger(range.min) && Number.isInteger(range.max));
  const value = integer ? Math.round(raw) : Math.round(raw * 1000) / 1000;
  return Math.min(range.max, Math.max(range.min, value));
}

function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.next();
}

function logUniform(rng: Rng, min: number, max: number): number {
  return Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * rng.next());
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The fault mix without membership moves, for a scenario with no spare nodes to join (a `leave` there would take a node away for good). */
export function withoutMembership(faults: SwarmFaults): SwarmFaults {
  return { ...faults, moves: faults.moves.filter(([move]) => !(SWARM_MEMBERSHIP_MOVES as readonly string[]).includes(move)) };
}

/**
 * The fault mix with both membership moves on (weight 1 where the draw left them off), for a scenario
 * with spare nodes: membership changes are what such a scenario is about, and its checks ask for one.
 */
export function withMembership(faults: SwarmFaults): SwarmFaults {
  const missing = SWARM_MEMBERSHIP_MOVES.filter((move) => !faults.moves.some(([m]) => m === move));
  return missing.length === 0 ? faults : { ...faults, moves: [...faults.moves, ...missing.map((move) => [move, 1] as const)] };
}

/** One line per part of a draw, for the terminal: the knobs, then the fault mix. */
export function describeSwarm(draw: SwarmDraw, formatValue: (name: string, value: number | string) => string, formatMicros: (micros: Micros) => string): string[] {
  const knobs = [
    ...(draw.nodes !== undefined ? [`nodes=${draw.nodes}`] : []),
    ...Object.entries(draw.params).map(([name, value]) => `${name}=${formatValue(name, value)}`),
  ];
  const f = draw.faults;
  const mix = f.moves.map(([move, weight]) => `${move}×${weight}`).join(' ');
  return [
    `swarm knobs: ${knobs.length > 0 ? knobs.join(' ') : '(none drawn)'}`,
    `swarm faults: ${mix}; loss ≤ ${Math.round(f.lossRatioMax * 100)}%, duplication ≤ ${Math.round(f.duplicateRatioMax * 100)}%, delay ≤ ${formatMicros(f.delayMicrosMax)}${draw.triggers.length > 0 ? `; ${draw.triggers.length} trigger${draw.triggers.length === 1 ? '' : 's'} (in the faults)` : ''}`,
  ];
}
