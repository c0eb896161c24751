// The shapes of experiments: the `experiments/*.json` file a user writes, and the result an experiment
// produces (what `--json` prints, `--csv` flattens and the terminal and HTML reports draw). Plain data
// only; nothing here runs anything. The result holds no wall-clock figure, so the same experiment run
// twice gives byte-identical JSON whatever the worker count.

import type { MetricUnit } from '../sim/metrics.js';
import type { MetricStats } from './stats.js';

export type { MetricStats } from './stats.js';

/** The `format` field of an experiment result. */
export const EXPERIMENT_FORMAT = 'faultline-experiment/1';

/** The statistics a reference value may name. */
export type StatName = 'min' | 'p10' | 'median' | 'mean' | 'p90' | 'p99' | 'max';

/**
 * One axis of a grid, as text: `NAME=v1,v2,…`, `NAME=a..b/step`, or several parameters that move
 * together, `A,B=a1:b1,a2:b2` (the CLI's `--vary`). The pseudo-parameter `scenario` (alone on its axis)
 * varies the scenario itself. In a file, an axis may carry labels for its values (one per value).
 */
export type AxisText = string | { readonly vary: string; readonly labels: readonly string[] };

/** An experiment file (`experiments/NAME.json`). */
export interface ExperimentFile {
  /** The file's base name without `.json`. */
  readonly name: string;
  /** One line. */
  readonly title: string;
  /** A paragraph: the set-up, what to look for, how the metric is defined. */
  readonly description?: string;
  /** The scenario of every group that names none. */
  readonly scenario?: string;
  /** `A..B` or `N`, as `--seeds` takes it. */
  readonly seeds: string;
  /** Metric names (see `faultline list --experiments`). */
  readonly metrics: readonly string[];
  /** `NAME=VALUE` settings applied at every grid point (before the point's own). */
  readonly set?: readonly string[];
  readonly nodes?: number;
  /** The fault phase, as a duration (`10s`). */
  readonly duration?: string;
  readonly nemesis?: string;
  /** A planted bug switched on at every grid point (`none`: no bug); a `bug` axis overrides it. */
  readonly bug?: string;
  /** Either `vary` (one grid) or `groups` (several grids, each drawn on its own). */
  readonly vary?: readonly AxisText[];
  readonly groups?: readonly ExperimentGroupFile[];
  readonly references?: readonly ReferenceFile[];
}

/** One grid of a file: its points are the cross product of its axes. */
export interface ExperimentGroupFile {
  readonly name: string;
  readonly title?: string;
  readonly scenario?: string;
  /** Added after the file's `set`. */
  readonly set?: readonly string[];
  /** The group's simulated duration, in place of the file's (`--duration` on the command line wins over both). */
  readonly duration?: string;
  readonly vary: readonly AxisText[];
}

/** A published value for the same set-up, to draw beside ours. */
export interface ReferenceFile {
  /** The group it belongs to (needed only when the file has several). */
  readonly group?: string;
  /** The grid point, by the text values of its varied parameters (a subset names every point that matches). */
  readonly point: Readonly<Record<string, string>>;
  readonly metric: string;
  readonly stat: StatName;
  /** In the metric's unit: a duration as text (`287ms`) or a number. */
  readonly value: string | number;
  /** The source says only that the value is at least (or at most) this. */
  readonly bound?: 'at-least' | 'at-most';
  /** Where it is published: paper, section, figure. */
  readonly source: string;
  readonly note?: string;
}

// ---- the result ------------------------------------------------------------------------------------

export interface OutcomeCounts {
  readonly pass: number;
  readonly safetyViolation: number;
  readonly livenessViolation: number;
}

export interface MetricInfo {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly description: string;
}

export interface AxisInfo {
  /** The parameters that move together on this axis (`['scenario']` for the scenario axis). */
  readonly params: readonly string[];
  /** Per value of the axis, the text of each parameter, in `params` order. */
  readonly values: readonly (readonly string[])[];
  /** Per value, how plots and tables name it (the file's labels, else the values joined by `:`). */
  readonly labels: readonly string[];
  /** Per value, its position on a numeric x axis (microseconds, a number) when the axis is one numeric parameter. */
  readonly numeric?: readonly number[];
}

export interface GroupInfo {
  readonly name: string;
  readonly title: string;
  /** The first axis names the lines of a CDF and the x of a metric-against-parameter plot; the others split panels. */
  readonly axes: readonly AxisInfo[];
}

export interface PointMetric {
  /** Null when no run of the point gave a sample. */
  readonly stats: MetricStats | null;
  /** Runs of the point that gave no sample of this metric (e.g. a leader loss never resolved). */
  readonly runsWithout: number;
  /**
   * The empirical CDF (lab/stats.ts `empiricalCdf`) as `[value, fraction]` steps. When every run gave at
   * most one sample (`cdfOver: 'runs'`), fractions are of the point's runs, so a line whose runs did not
   * all give a sample levels off below 1 (at count ÷ runs); otherwise (`'samples'`: several per run, such
   * as one per leader loss) they are of the samples.
   */
  readonly cdf: readonly (readonly [number, number])[];
  readonly cdfOver: 'runs' | 'samples';
}

export interface PointResult {
  /** Position in `points` (grid order: groups in order, then the cross product, last axis fastest). */
  readonly index: number;
  readonly group: string;
  readonly scenario: string;
  /** Every varied parameter's text value at this point (`scenario` included when it is varied). */
  readonly params: Readonly<Record<string, string>>;
  /** Per axis of the group, the index of this point's value. */
  readonly coords: readonly number[];
  /** The label of its value on the group's first axis. */
  readonly label: string;
  /** The labels of its values on the other axes, joined by ` · ` ('' when the group has one axis). */
  readonly panel: string;
  readonly runs: number;
  readonly outcomes: OutcomeCounts;
  /** By metric name, in the result's metric order. */
  readonly metrics: Readonly<Record<string, PointMetric>>;
}

export interface ReferenceResult {
  /** The points (indexes) the reference's `point` matches. */
  readonly points: readonly number[];
  readonly metric: string;
  readonly stat: StatName;
  /** In the metric's unit (microseconds for a duration). */
  readonly value: number;
  readonly bound?: 'at-least' | 'at-most';
  readonly source: string;
  readonly note?: string;
  /** Our value of the same statistic at the first matching point (null: no samples). */
  readonly ours: number | null;
  /** Our value at each matching point, in `points` order (null where that point has no samples). */
  readonly oursByPoint: readonly (number | null)[];
}

/** What an experiment produced: deterministic, no wall-clock figures. */
export interface ExperimentResult {
  readonly format: typeof EXPERIMENT_FORMAT;
  /** The file's name, or for a command-line experiment the scenario's. */
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  /** The faultline version that ran it. */
  readonly version: string;
  readonly seeds: { readonly from: number; readonly to: number };
  /** Settings every point shares (`--set`, the file's `set`). */
  readonly set: readonly string[];
  readonly metrics: readonly MetricInfo[];
  readonly groups: readonly GroupInfo[];
  readonly points: readonly PointResult[];
  readonly references: readonly ReferenceResult[];
  /** Over all points. */
  readonly runs: number;
  readonly outcomes: OutcomeCounts;
}
