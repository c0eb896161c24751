// The nemesis: draws an explicit fault schedule from its own random stream under a named profile.
// Faults arrive as a Poisson process whose rate can ramp up over the fault phase; each fault opens a
// window that a matching entry closes (crash → restart, partition → heal …). At most a minority of the
// targets is down (crashed or paused) at once, at most a minority is slow at once, and one partition is
// active at a time. The failure-detection profiles (`fd-…`) confine link faults to links between targets.

import { assert } from './assert.js';
import type { FaultEntry } from './faults.js';
import type { LatencyModel } from './network.js';
import type { NodeId } from './process.js';
import type { Rng } from './rng.js';
import type { SwarmFaults } from './swarm.js';
import type { Micros } from './time.js';

export type NemesisProfile = 'none' | 'partitions' | 'crashes' | 'lossy' | 'clocks' | 'chaos' | 'fd-lossy' | 'fd-slow' | 'fd-chaos' | 'membership' | 'swarm' | 'scenario';

type Move = 'partition-halves' | 'partition-isolate' | 'partition-one-way' | 'clog' | 'crash' | 'pause'
  | 'loss' | 'loss-member' | 'duplicate' | 'delay' | 'clock-skew' | 'clock-drift' | 'slow' | 'join' | 'leave';

/** Which moves each profile draws from, with integer weights. */
const PROFILE_MOVES: Readonly<Record<NemesisProfile, readonly (readonly [Move, number])[]>> = {
  none: [],
  // A scenario's own script is drawn by the scenario (see ScenarioSetup.script), not here.
  scenario: [],
  // Swarm draws its moves per seed (sim/swarm.ts): see NemesisOptions.swarm.
  swarm: [],
  partitions: [['partition-halves', 3], ['partition-isolate', 3], ['partition-one-way', 2], ['clog', 2]],
  crashes: [['crash', 3], ['pause', 2]],
  lossy: [['loss', 3], ['duplicate', 2], ['delay', 2]],
  clocks: [['clock-skew', 3], ['clock-drift', 2]],
  chaos: [
    ['partition-halves', 2], ['partition-isolate', 2], ['partition-one-way', 1], ['clog', 1], ['crash', 2],
    ['pause', 1], ['loss', 1], ['duplicate', 1], ['delay', 1], ['clock-skew', 1], ['clock-drift', 1],
  ],
  'fd-lossy': [['loss', 3], ['loss-member', 3], ['duplicate', 2], ['delay', 2]],
  'fd-slow': [['slow', 1]],
  'fd-chaos': [
    ['crash', 2], ['pause', 1], ['slow', 2], ['partition-halves', 1], ['partition-isolate', 2], ['partition-one-way', 2],
    ['loss', 1], ['loss-member', 1], ['clock-drift', 1],
  ],
  membership: [['join', 3], ['leave', 3], ['crash', 2], ['partition-isolate', 1]],
};

export const NEMESIS_PROFILES: readonly NemesisProfile[] = ['none', 'partitions', 'crashes', 'lossy', 'clocks', 'chaos', 'fd-lossy', 'fd-slow', 'fd-chaos', 'membership', 'swarm', 'scenario'];

export const NEMESIS_DESCRIPTIONS: Readonly<Record<NemesisProfile, string>> = {
  none: 'no faults',
  partitions: 'symmetric splits, isolated nodes, one-way partitions and clogged links',
  crashes: 'crashes with restarts, and process pauses',
  lossy: 'windows of message loss, duplication and heavy delay (reordering)',
  clocks: 'clock skew jumps and drifting clocks',
  chaos: 'every kind of fault, mixed',
  'fd-lossy': "for failure detectors: windows of loss (all the targets' links, or one member's incoming or outgoing links), duplication and heavy delay",
  'fd-slow': 'for failure detectors: slow members (each a minority-bounded window, 5 to 100 times slower)',
  'fd-chaos': 'for failure detectors: crashes, pauses, slow members, partitions (one-way too), loss and clock drift, mixed',
  membership: 'membership changes: spares join, members leave gracefully (never below half the starting members), with crashes and isolated nodes',
  swarm: "swarm testing: each seed draws which fault kinds are on and their weights, rates, windows, loss, duplication and delay, and the scenario's knobs within their safe ranges (printed with the run)",
  scenario: "the scenario's own fault script (targeted faults such as crashing the leader)",
};

export interface NemesisOptions {
  readonly profile: NemesisProfile;
  /** Nodes faults may target (servers). */
  readonly targets: readonly NodeId[];
  readonly faultPhaseMicros: Micros;
  /** Mean gap between faults at intensity 1. */
  readonly meanGapMicros: Micros;
  /** Intensity multiplier at the start and at the end of the fault phase (linear ramp). */
  readonly intensityStart: number;
  readonly intensityEnd: number;
  /** A fault window lasts between these (scaled down as intensity grows, never below the minimum). */
  readonly windowMicrosMin: Micros;
  readonly windowMicrosMax: Micros;
  /** The scenario's normal latency, restored when a delay window closes. */
  readonly baseLatency: LatencyModel;
  /** Targets that start absent (dormant spares): `join` draws from them; the others start as members. */
  readonly spares?: readonly NodeId[];
  /** Profile `swarm`: the fault mix this seed drew (its moves and their weights, loss, duplication and delay bounds). */
  readonly swarm?: SwarmFaults;
  /** Confine link faults to links between targets (as the fd profiles do); the scenario says so for swarm. */
  readonly targetLinksOnly?: boolean;
}

/** Draws a schedule. Same options and same stream state ⇒ the same schedule. */
export function generateSchedule(options: NemesisOptions, rng: Rng): FaultEntry[] {
  assert(options.profile !== 'swarm' || options.swarm !== undefined, 'nemesis profile swarm needs its drawn fault mix');
  const moves: readonly (readonly [Move, number])[] | undefined = options.profile === 'swarm' ? options.swarm!.moves : PROFILE_MOVES[options.profile];
  assert(moves !== undefined, `unknown nemesis profile ${options.profile}`);
  // Swarm widens the ranges the fixed profiles draw loss, duplication and delay from (percent and milliseconds).
  const lossPercentMax = options.swarm === undefined ? 40 : Math.max(5, Math.round(options.swarm.lossRatioMax * 100));
  const duplicatePercentMax = options.swarm === undefined ? 40 : Math.max(5, Math.round(options.swarm.duplicateRatioMax * 100));
  const delayMillisMax = options.swarm === undefined ? 50 : Math.max(5, Math.round(options.swarm.delayMicrosMax / 1_000));
  const { targets, faultPhaseMicros: end } = options;
  if (moves.length === 0 || targets.length === 0) return [];
  assert(options.meanGapMicros > 0, 'nemesis mean gap must be positive');
  const totalWeight = moves.reduce((sum, [, w]) => sum + w, 0);
  const entries: FaultEntry[] = [];
  const downUntil = new Map<NodeId, Micros>();
  const maxDown = Math.floor((targets.length - 1) / 2);
  const slowUntil = new Map<NodeId, Micros>();
  // The fd profiles confine link faults to links between targets (the members); the others act on every link.
  const scope = options.profile.startsWith('fd-') || options.targetLinksOnly === true ? { from: [...targets], to: [...targets] } : {};
  // Membership (profile `membership`): who is a member and who a spare, as the drawn joins and leaves
  // leave them. A leave never takes the members below half of those at the start (and never below 1);
  // a node that left may join again later, as a fresh node. Crashes and partitions pick members only.
  const spares = new Set(options.spares ?? []);
  const members = new Set(targets.filter((id) => !spares.has(id)));
  const membersMin = Math.max(1, Math.ceil(members.size / 2));
  /** Until when a membership change's node is off limits (a joined node settles in, a leaving one goes). */
  const changingUntil = new Map<NodeId, Micros>();
  const memberTargets = () => (spares.size === 0 ? targets : targets.filter((id) => members.has(id)));
  let partitionUntil = -1;
  let clogUntil = -1;
  const lossUntil = { loss: -1, duplicate: -1, delay: -1 };
  // Bound: a schedule holds at most this many faults, whatever the intensity.
  const faultsMax = 10_000;

  let t = 0;
  for (let drawn = 0; drawn < faultsMax; drawn++) {
    const intensity = intensityAt(options, t);
    t += Math.max(1, rng.exponentialMicros(options.meanGapMicros / intensity));
    if (t >= end - 1) break;
    let roll = rng.int(0, totalWeight - 1);
    let move = moves[0]![0];
    for (const [candidate, weight] of moves) {
      if (roll < weight) {
        move = candidate;
        break;
      }
      roll -= weight;
    }
    const windowMax = Math.max(options.windowMicrosMin, Math.floor(options.windowMicrosMax / intensity));
    const window = rng.int(options.windowMicrosMin, windowMax);
    const close = Math.min(end - 1, t + window);
    const at = t;
    switch (move) {
      case 'partition-halves':
      case 'partition-isolate':
      case 'partition-one-way': {
        if (t < partitionUntil || targets.length < 2) break;
        const shuffled = rng.shuffle(memberTargets());
        if (shuffled.length < 2) break;
        if (move === 'partition-one-way') {
          const cut = rng.int(1, shuffled.length - 1);
          entries.push({ at, kind: 'partition', from: shuffled.slice(0, cut), to: shuffled.slice(cut) });
        } else {
          const cut = move === 'partition-isolate' ? 1 : Math.floor(shuffled.length / 2);
          entries.push({ at, kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] });
        }
        entries.push({ at: close, kind: 'heal' });
        partitionUntil = close;
        break;
      }
      case 'clog': {
        if (t < clogUntil || targets.length < 2) break;
        const [a, b] = rng.shuffle(targets);
        entries.push({ at, kind: 'clog', from: [a!], to: [b!] }, { at, kind: 'clog', from: [b!], to: [a!] });
        entries.push({ at: close, kind: 'unclog', from: [a!], to: [b!] }, { at: close, kind: 'unclog', from: [b!], to: [a!] });
        clogUntil = close;
        break;
      }
      case 'crash':
      case 'pause': {
        const eligible = memberTargets();
        const down = eligible.filter((id) => (downUntil.get(id) ?? -1) > t).length;
        const candidates = eligible.filter((id) => (downUntil.get(id) ?? -1) <= t && (changingUntil.get(id) ?? -1) <= t);
        if (down >= maxDown || candidates.length === 0) break;
        const node = rng.pick(candidates);
        if (move === 'crash') entries.push({ at, kind: 'crash', node }, { at: close, kind: 'restart', node });
        else entries.push({ at, kind: 'pause', node }, { at: close, kind: 'resume', node });
        downUntil.set(node, close);
        break;
      }
      case 'loss':
      case 'duplicate': {
        if (t < lossUntil[move]) break;
        const ratio = rng.int(5, move === 'loss' ? lossPercentMax : duplicatePercentMax) / 100;
        entries.push({ at, kind: move, ratio, ...scope }, { at: close, kind: move, ratio: 0, ...scope });
        lossUntil[move] = close;
        break;
      }
      case 'loss-member': {
        // One member's links lose heavily, one way: what it hears (incoming) or what it says (outgoing).
        if (t < lossUntil.loss || targets.length < 2) break;
        const node = rng.pick(targets);
        const others = targets.filter((id) => id !== node);
        const links = rng.chance(0.5) ? { from: others, to: [node] } : { from: [node], to: others };
        const ratio = rng.int(20, Math.max(20, options.swarm === undefined ? 60 : lossPercentMax)) / 100;
        entries.push({ at, kind: 'loss', ratio, ...links }, { at: close, kind: 'loss', ratio: 0, ...links });
        lossUntil.loss = close;
        break;
      }
      case 'slow': {
        const slow = targets.filter((id) => (slowUntil.get(id) ?? -1) > t).length;
        const candidates = targets.filter((id) => (slowUntil.get(id) ?? -1) <= t);
        if (slow >= maxDown || candidates.length === 0) break;
        const node = rng.pick(candidates);
        entries.push({ at, kind: 'slow', node, factor: rng.int(5, 100) }, { at: close, kind: 'slow', node, factor: 1 });
        slowUntil.set(node, close);
        break;
      }
      case 'delay': {
        if (t < lossUntil.delay) break;
        const latency: LatencyModel = rng.chance(0.5)
          ? { kind: 'uniform', baseMicros: rng.int(5, delayMillisMax) * 1_000, jitterMicros: rng.int(10, 4 * delayMillisMax) * 1_000 }
          : { kind: 'pareto', baseMicros: 1_000, scaleMicros: rng.int(2, Math.max(2, Math.round(delayMillisMax / 2.5))) * 1_000, shape: 1.2, maxMicros: 1_000_000 };
        entries.push({ at, kind: 'delay', latency, ...scope }, { at: close, kind: 'delay', latency: options.baseLatency, ...scope });
        lossUntil.delay = close;
        break;
      }
      case 'join': {
        const candidates = [...spares].filter((id) => (changingUntil.get(id) ?? -1) <= t);
        if (candidates.length === 0) break;
        const node = rng.pick(candidates);
        entries.push({ at, kind: 'join', node });
        spares.delete(node);
        members.add(node);
        changingUntil.set(node, close);
        break;
      }
      case 'leave': {
        const candidates = [...members].filter((id) => (downUntil.get(id) ?? -1) <= t && (changingUntil.get(id) ?? -1) <= t);
        if (members.size <= membersMin || candidates.length === 0) break;
        const node = rng.pick(candidates);
        entries.push({ at, kind: 'leave', node });
        members.delete(node);
        spares.add(node);
        changingUntil.set(node, close);
        break;
      }
      case 'clock-skew': {
        const node = rng.pick(targets);
        const offsetMicros = rng.int(-2_000, 2_000) * 1_000;
        entries.push({ at, kind: 'clock-skew', node, offsetMicros });
        break;
      }
      case 'clock-drift': {
        const node = rng.pick(targets);
        entries.push({ at, kind: 'clock-drift', node, ppm: rng.int(-200_000, 200_000) }, { at: close, kind: 'clock-drift', node, ppm: 0 });
        break;
      }
    }
  }
  // Stable by time: a window's opening entry comes before entries written later at the same time.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index)
    .map(({ entry }) => entry);
}

function intensityAt(options: NemesisOptions, t: Micros): number {
  const progress = Math.min(1, t / options.faultPhaseMicros);
  return Math.max(0.01, options.intensityStart + (options.intensityEnd - options.intensityStart) * progress);
}
