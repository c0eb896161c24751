// Coverage-guided exploration (`faultline explore`): keeps a corpus of fault schedules, mutates them (add,
// drop, move, retarget entries, add triggers, reseed) and keeps a mutant when its run reaches abstract
// states (the scenario's `abstractState`) no run reached before — the way a coverage-guided fuzzer keeps
// inputs that reach new code. Every step is drawn from the explorer's own seed, so `--runs N` explores
// the same way each time; `--budget` stops on wall time instead. Each catch is a run that replays alone.

import type { RunView } from '../sim/check.js';
import type { FaultEntry } from '../sim/faults.js';
import type { MetricsObserver } from '../sim/metrics.js';
import { Rng } from '../sim/rng.js';
import { executeRun, prepareRun, type PreparedRun, type RunResult } from '../sim/run.js';
import { allParams, formatParamValue, type Scenario } from '../sim/scenario.js';
import type { Micros } from '../sim/time.js';

/** What to explore: a scenario (with a planted bug, knobs) and the explorer's own seed. */
export interface ExploreRequest {
  readonly scenario: Scenario;
  readonly bug?: string;
  readonly set?: readonly string[];
  readonly nodeCount?: number;
  readonly durationMicros?: Micros;
  /** The explorer's seed: the corpus and every mutation are drawn from it. */
  readonly seed: number;
  /** Stop after this many runs (reproducible) … */
  readonly runsMax?: number;
  /** … or after this much wall time (whichever comes first). */
  readonly budgetMillis?: number;
  /** Stop at the first catch. */
  readonly stopOnCatch?: boolean;
  /** Wall clock, for the budget and the timeline (injected: tests pass a fake). */
  readonly now?: () => number;
}

/** One input of the corpus: a run's seed, knobs and explicit schedule. */
export interface CorpusEntry {
  readonly seed: number;
  readonly nodeCount: number;
  readonly set: readonly string[];
  readonly faults: readonly FaultEntry[];
}

/** A run that broke an `always` or `eventually` check. */
export interface Catch {
  readonly run: number;
  readonly millis: number;
  readonly input: CorpusEntry;
  readonly prepared: PreparedRun;
  readonly result: RunResult;
}

export interface ExploreResult {
  readonly runs: number;
  readonly millis: number;
  readonly corpus: number;
  /** Distinct abstract states reached. */
  readonly states: number;
  /** Coverage over time: after each run that found a new state, the runs so far, the wall time and the states. */
  readonly timeline: readonly { readonly run: number; readonly millis: number; readonly states: number }[];
  readonly catches: readonly Catch[];
  /**
   * With a planted bug: failing runs whose input fails without the bug too — the schedule, not the bug,
   * broke the run (a mutant can leave the nemesis's envelope: more nodes down at once than it allows).
   */
  readonly unconfirmed: number;
}

/** How often (virtual time) the abstract state is sampled at most, besides at every fault. */
const SAMPLE_MICROS = 1_000;
/** A fresh swarm draw instead of a mutant this often: new material for the corpus. */
const FRESH_CHANCE = 0.15;
/** Mutations stacked on one child: 1 … this many. */
const MUTATIONS_MAX = 4;

/** The generic abstract state: node statuses and the fact types reported since the last sample. */
function genericState(): { key(run: RunView): string; onFact(type: string): void } {
  const recent = new Set<string>();
  return {
    onFact(type) {
      recent.add(type);
    },
    key(run) {
      const statuses = run.servers.map((s) => run.status(s)[0]).sort().join('');
      const facts = [...recent].sort().join(',');
      recent.clear();
      return `${statuses}|${facts}`;
    },
  };
}

/** An observer that samples the run's abstract states into `seen`, returning how many were new. */
function coverageObserver(prepared: PreparedRun, seen: Set<string>): { observer: MetricsObserver<never>; fresh: () => number } {
  const abstract = prepared.setup.abstractState;
  const generic = genericState();
  let last = -Infinity;
  let fresh = 0;
  const sample = (run: RunView) => {
    if (run.now - last < SAMPLE_MICROS) return;
    last = run.now;
    const key = abstract !== undefined ? abstract(run) : generic.key(run);
    if (!seen.has(key)) {
      seen.add(key);
      fresh++;
    }
  };
  const observer: MetricsObserver<never> = {
    name: 'explore-coverage',
    onFact(_node, fact, run) {
      generic.onFact((fact as { type: string }).type);
      sample(run);
    },
    onFault(_fault, run) {
      last = -Infinity;
      sample(run);
    },
    finish: () => ({}),
  };
  return { observer, fresh: () => fresh };
}

/** Explores: see the module comment. */
export function explore(request: ExploreRequest): ExploreResult {
  const { scenario } = request;
  const now = request.now ?? (() => performance.now());
  const started = now();
  const rng = Rng.fromSeed(request.seed).fork('explore');
  const specs = allParams(scenario);
  const seen = new Set<string>();
  const corpus: { entry: CorpusEntry; fresh: number }[] = [];
  const catches: Catch[] = [];
  const timeline: { run: number; millis: number; states: number }[] = [];
  let runs = 0;
  let unconfirmed = 0;

  /** A fresh input: what swarm draws for a random seed, as an explicit schedule and knobs. */
  const fresh = (): CorpusEntry => {
    const seed = rng.int(0, 0x7fff_ffff);
    const prepared = prepareRun({ scenario, seed, nemesis: 'swarm', ...base(request) });
    const set = Object.entries(prepared.params).map(([name, value]) => `${name}=${formatParamValue(specs.find((s) => s.name === name)!, value)}`);
    return { seed, nodeCount: prepared.nodeCount, set, faults: prepared.faults };
  };

  const durationOf = (entry: CorpusEntry) => request.durationMicros ?? scenario.defaultDurationMicros;

  const mutate = (parent: CorpusEntry): CorpusEntry => {
    let faults = [...parent.faults];
    let seed = parent.seed;
    const duration = durationOf(parent);
    const count = rng.int(1, MUTATIONS_MAX);
    for (let i = 0; i < count; i++) {
      switch (rng.int(0, 5)) {
        case 0: { // add: an entry (or a window's opening and closing pair) from another schedule
          const donor = fresh().faults;
          if (donor.length === 0) break;
          const at = rng.int(0, donor.length - 1);
          faults.push(...donor.slice(at, at + rng.int(1, 2)));
          break;
        }
        case 1: // drop
          if (faults.length > 0) faults.splice(rng.int(0, faults.length - 1), 1);
          break;
        case 2: { // move an entry in time
          if (faults.length === 0) break;
          const i2 = rng.int(0, faults.length - 1);
          const shift = Math.round((rng.chance(0.5) ? 1 : -1) * Math.exp(rng.next() * Math.log(1_000_000)));
          faults[i2] = { ...faults[i2]!, at: Math.min(duration - 1, Math.max(0, faults[i2]!.at + shift)) };
          break;
        }
        case 3: { // retarget: a node named in an entry becomes another node of the cluster
          if (faults.length === 0) break;
          const i3 = rng.int(0, faults.length - 1);
          faults[i3] = retarget(faults[i3]!, rng, parent.nodeCount);
          break;
        }
        case 4: { // add the triggers of another draw
          const donor = fresh().faults.filter((f) => f.kind === 'on-fact' || f.kind === 'on-message');
          if (donor.length > 0) faults.push(rng.pick(donor));
          break;
        }
        default: // reseed: the same faults under another run of the engine's randomness
          seed = rng.int(0, 0x7fff_ffff);
      }
    }
    faults = faults.map((entry, index) => ({ entry, index })).sort((a, b) => a.entry.at - b.entry.at || a.index - b.index).map(({ entry }) => entry);
    return { ...parent, seed, faults };
  };

  for (;;) {
    if (request.runsMax !== undefined && runs >= request.runsMax) break;
    if (request.budgetMillis !== undefined && now() - started >= request.budgetMillis) break;
    const input = corpus.length === 0 || rng.chance(FRESH_CHANCE) ? fresh() : mutate(pickParent(corpus, rng));
    let prepared: PreparedRun;
    try {
      prepared = prepareRun({
        scenario, seed: input.seed, nodeCount: input.nodeCount, set: input.set, ...base(request),
        faults: { raw: JSON.parse(JSON.stringify(input.faults)), source: 'explore' },
      });
    } catch {
      continue; // a mutant the schedule rules refuse (a binding used before it is bound): skip it
    }
    const { observer, fresh: newStates } = coverageObserver(prepared, seen);
    const withCoverage: PreparedRun = { ...prepared, setup: { ...prepared.setup, observers: [...(prepared.setup.observers ?? []), observer] } };
    const result = executeRun(withCoverage);
    runs++;
    const found = newStates();
    if (found > 0) {
      corpus.push({ entry: { ...input, faults: prepared.faults }, fresh: found });
      timeline.push({ run: runs, millis: Math.round(now() - started), states: seen.size });
    }
    if (result.checks.some((c) => !c.ok && (c.kind === 'always' || c.kind === 'eventually'))) {
      // A bug hunt counts a catch only when the same input passes without the bug (differential check).
      if (request.bug !== undefined) {
        const { bug: _bug, ...withoutBug } = base(request);
        void _bug;
        const control = executeRun(prepareRun({
          scenario, seed: input.seed, nodeCount: input.nodeCount, set: input.set, ...withoutBug,
          faults: { raw: JSON.parse(JSON.stringify(prepared.faults)), source: 'explore control' },
        }));
        if (control.checks.some((c) => !c.ok && (c.kind === 'always' || c.kind === 'eventually'))) {
          unconfirmed++;
          continue;
        }
      }
      catches.push({ run: runs, millis: Math.round(now() - started), input, prepared, result });
      if (request.stopOnCatch === true) break;
    }
  }
  return { runs, millis: Math.round(now() - started), corpus: corpus.length, states: seen.size, timeline, catches, unconfirmed };
}

function base(request: ExploreRequest) {
  return {
    ...(request.bug !== undefined ? { bug: request.bug } : {}),
    ...(request.durationMicros !== undefined ? { durationMicros: request.durationMicros } : {}),
    ...(request.nodeCount !== undefined ? { nodeCount: request.nodeCount } : {}),
    ...(request.set !== undefined && request.set.length > 0 ? { set: request.set } : {}),
  };
}

/** A parent from the corpus, favouring inputs that found more new states (and recent ones). */
function pickParent(corpus: readonly { entry: CorpusEntry; fresh: number }[], rng: Rng): CorpusEntry {
  let total = 0;
  for (let i = 0; i < corpus.length; i++) total += corpus[i]!.fresh + i / corpus.length;
  let roll = rng.next() * total;
  for (let i = 0; i < corpus.length; i++) {
    roll -= corpus[i]!.fresh + i / corpus.length;
    if (roll <= 0) return corpus[i]!.entry;
  }
  return corpus[corpus.length - 1]!.entry;
}

/** The entry with one of the nodes it names replaced by another server (`n1` … `nK`); references stay. */
function retarget(entry: FaultEntry, rng: Rng, nodeCount: number): FaultEntry {
  const other = `n${rng.int(1, nodeCount)}`;
  const swapOne = (list: readonly string[]) => {
    const ids = list.filter((id) => /^n\d+$/.test(id));
    if (ids.length === 0) return list;
    const victim = rng.pick(ids);
    return [...new Set(list.map((id) => (id === victim ? other : id)))];
  };
  if ('node' in entry && /^n\d+$/.test(entry.node)) return { ...entry, node: other } as FaultEntry;
  if ('groups' in entry) {
    const groups = entry.groups.map((g) => [...g]);
    const g = rng.int(0, groups.length - 1);
    groups[g] = [...swapOne(groups[g]!)];
    // A node may sit in one group only: drop it from the others.
    const seenIds = new Set<string>();
    const cleaned = groups.map((group) => group.filter((id) => id === '@rest' || (!seenIds.has(id) && (seenIds.add(id), true))));
    return cleaned.every((group) => group.length > 0) ? { ...entry, groups: cleaned } : entry;
  }
  if ('from' in entry && entry.from !== undefined) return { ...entry, from: swapOne(entry.from) } as FaultEntry;
  return entry;
}
