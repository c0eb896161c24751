// A hand-made experiment result for the report tests: a Figure-16-like experiment (time without a leader
// after the leader crashes) built from synthetic samples with lab/stats.ts, not from runs. Two groups
// ("randomness", "scale"), each a joint timeout axis and an "extensions off/on" axis, two metrics (one
// sample per run, its CDF over runs; several per run, its CDF over samples), and references (an at-least
// bound on a point where no run gave a sample, one matching two points). With 150–150 ms no run of Figure 2
// Raft resolves and two runs in five with the extensions do, so that line levels off at 40%.
// Deterministic: the samples come from seeded streams.

import { EXPERIMENT_FORMAT, type AxisInfo, type ExperimentResult, type GroupInfo, type MetricInfo, type PointResult, type ReferenceResult, type StatName } from '../../lab/experiment-model.js';
import { CDF_POINTS_MAX, empiricalCdf, summarize, type MetricStats } from '../../lab/stats.js';
import { Rng } from '../../sim/rng.js';

const MS = 1_000;

/** The timeout ranges of Figure 16, in milliseconds, per family. */
const FAMILIES = {
  randomness: [[150, 150], [150, 151], [150, 155], [150, 175], [150, 200], [150, 300]],
  scale: [[12, 24], [25, 50], [50, 100], [100, 200], [150, 300]],
} as const;

export interface FixtureOptions {
  /** Runs per grid point (default 200). */
  readonly runs?: number;
  /** Replaces every first-axis label (to test escaping); `{i}` becomes the value's index. */
  readonly label?: string;
  readonly title?: string;
  readonly description?: string;
  /** Safety violations at the first point (default 0). */
  readonly safetyViolations?: number;
}

/**
 * Time without a leader for one trial: the remaining timeout of the fastest follower, then, while the
 * election splits (likelier the narrower the range relative to the ~15 ms broadcast time), another round.
 */
function leaderless(rng: Rng, minMs: number, maxMs: number, extensions: boolean): number {
  const spread = maxMs - minMs;
  const splitChance = Math.min(0.85, 15 / (spread + 15 * 1.2)) * (extensions ? 1.1 : 1);
  let total = minMs * (0.5 + rng.next() * 0.5) + rng.next() * spread * 0.4 + 15;
  for (let round = 0; round < 200 && rng.next() < splitChance; round++) total += minMs + rng.next() * spread + 15;
  return Math.round(total * MS);
}

function axisOfFamily(ranges: readonly (readonly [number, number])[], label?: string): AxisInfo {
  return {
    params: ['electionTimeoutMicrosMin', 'electionTimeoutMicrosMax'],
    values: ranges.map(([a, b]) => [`${a}ms`, `${b}ms`]),
    labels: ranges.map(([a, b], i) => (label ? label.replace('{i}', String(i)) : `${a}–${b} ms`)),
  };
}

const EXTENSIONS: AxisInfo = {
  params: ['preVote', 'checkQuorum'],
  values: [['off', 'off'], ['on', 'on']],
  labels: ['extensions off', 'extensions on'],
};

export const FIXTURE_METRICS: readonly MetricInfo[] = [
  { name: 'leaderlessMicros', unit: 'duration', description: 'Time from the leader\'s crash until a new leader is established (the paper\'s "time without leader").' },
  { name: 'electionsHeld', unit: 'count', description: 'Per election round until a leader was established, the elections started in it (one sample per round).' },
];

function statOf(stats: MetricStats, stat: StatName): number {
  return stats[stat];
}

/** A Figure-16-like experiment result (see the module comment). */
export function figure16Result(options: FixtureOptions = {}): ExperimentResult {
  const runs = options.runs ?? 200;
  const groups: GroupInfo[] = [];
  const points: PointResult[] = [];
  for (const [name, ranges] of Object.entries(FAMILIES)) {
    const axes = [axisOfFamily(ranges, options.label), EXTENSIONS];
    groups.push({ name, title: name === 'randomness' ? 'Randomness: 150 ms minimum, wider ranges' : 'Scale: range twice the minimum', axes });
    for (let a = 0; a < ranges.length; a++) {
      for (let b = 0; b < EXTENSIONS.values.length; b++) {
        const [minMs, maxMs] = ranges[a]!;
        const index = points.length;
        const rng = new Rng(`fixture:${name}:${a}:${b}`);
        const leaderlessSamples: number[] = [];
        const elections: number[] = [];
        const electionGroups: number[] = [];
        let without = 0;
        for (let r = 0; r < runs; r++) {
          const t = leaderless(rng, minMs, maxMs, b === 1);
          // A run whose leader loss never resolved gives no sample (the narrowest range only: none
          // without the extensions, three in five with them).
          if (maxMs === minMs && (b === 0 || r % 5 >= 2)) { without++; continue; }
          leaderlessSamples.push(t);
          // One sample per round: the elections started in it.
          const rounds = 1 + Math.floor(t / ((minMs + 15) * MS * 1.5));
          for (let round = 0; round < rounds; round++) elections.push(1 + (round % 3));
          electionGroups.push(rounds);
        }
        const safety = index === 0 ? options.safetyViolations ?? 0 : 0;
        const liveness = without;
        const metric = (values: number[], m: string, groups?: number[]) => ({
          stats: summarize(values, `${name}/${a}/${b}/${m}`, groups), runsWithout: without,
          cdf: empiricalCdf(values, CDF_POINTS_MAX, m === 'leaderlessMicros' ? runs : values.length),
          cdfOver: m === 'leaderlessMicros' ? 'runs' as const : 'samples' as const,
        });
        const axes0 = axes[0]!;
        points.push({
          index, group: name, scenario: 'raft-election',
          params: { electionTimeoutMicrosMin: `${minMs}ms`, electionTimeoutMicrosMax: `${maxMs}ms`, preVote: EXTENSIONS.values[b]![0]!, checkQuorum: EXTENSIONS.values[b]![1]! },
          coords: [a, b], label: axes0.labels[a]!, panel: EXTENSIONS.labels[b]!, runs,
          outcomes: { pass: runs - safety - liveness, safetyViolation: safety, livenessViolation: liveness },
          metrics: { leaderlessMicros: metric(leaderlessSamples, 'leaderlessMicros'), electionsHeld: metric(elections, 'electionsHeld', electionGroups) },
        });
      }
    }
  }
  const find = (group: string, label: number, panel: number) => points.find((p) => p.group === group && p.coords[0] === label && p.coords[1] === panel)!;
  const reference = (group: string, label: number, panels: number[], stat: StatName, valueMicros: number, source: string, bound?: 'at-least' | 'at-most'): ReferenceResult => {
    const matched = panels.map((p) => find(group, label, p).index);
    const oursByPoint = matched.map((i) => {
      const stats = points[i]!.metrics.leaderlessMicros!.stats;
      return stats === null ? null : statOf(stats, stat);
    });
    return { points: matched, metric: 'leaderlessMicros', stat, value: valueMicros, ...(bound ? { bound } : {}), source, ours: oursByPoint[0]!, oursByPoint };
  };
  const paper = 'Ongaro & Ousterhout, In Search of an Understandable Consensus Algorithm, §9.3, Figure 16';
  const references = [
    reference('randomness', 0, [0], 'p90', 10_000 * MS, `${paper} (no randomness: split votes, often over 10 s)`, 'at-least'),
    reference('randomness', 0, [1], 'min', 150 * MS, `${paper} (nothing is faster than the timeout)`, 'at-least'),
    reference('randomness', 2, [0], 'median', 287 * MS, paper),
    reference('randomness', 5, [0], 'max', 1_000 * MS, paper, 'at-most'),
    reference('scale', 0, [0, 1], 'mean', 35 * MS, `${paper} (12–24 ms: about 35 ms on average)`),
    reference('scale', 4, [0], 'p99', 500 * MS, paper),
  ];
  const outcomes = { pass: 0, safetyViolation: 0, livenessViolation: 0 };
  for (const p of points) {
    outcomes.pass += p.outcomes.pass;
    outcomes.safetyViolation += p.outcomes.safetyViolation;
    outcomes.livenessViolation += p.outcomes.livenessViolation;
  }
  return {
    format: EXPERIMENT_FORMAT,
    name: 'raft-election-timeouts',
    title: options.title ?? 'Raft: time without a leader against the election timeout range (Figure 16)',
    description: options.description ?? 'Five servers, broadcast time about 15 ms; the leader crashes at a random moment within its heartbeat interval.\n\nEach line is the CDF of time without a leader over many trials.',
    version: '0.1.0',
    seeds: { from: 1, to: runs },
    set: ['heartbeatMicros=75ms', 'latency=7ms'],
    metrics: FIXTURE_METRICS,
    groups, points, references,
    runs: points.length * runs,
    outcomes,
  };
}
