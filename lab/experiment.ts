// Experiments: a grid of parameter settings × a range of seeds, run on the sweep's worker pool, each
// grid point's metric samples summarised (lab/stats.ts) into an ExperimentResult (lab/experiment-model.ts).
// Everything is validated up front (every grid point prepared for its first seed) before any run; runs
// are taken back in (point, seed) order, so the result does not depend on batching or the worker count.

import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { findScenario, scenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import type { MetricDecl, MetricUnit } from '../sim/metrics.js';
import { NEMESIS_PROFILES, type NemesisProfile } from '../sim/nemesis.js';
import { prepareRun, type Outcome } from '../sim/run.js';
import { allParams, formatParamValue, parseParamValue, type Scenario } from '../sim/scenario.js';
import { suggestionOrKnown } from '../sim/suggest.js';
import { parseDuration } from '../sim/time.js';
import { parseCount, parseDurationFlag } from '../bin/flags.js';
import { crossProduct, gridSize, parseAxis, type ParsedAxis } from './experiment-grid.js';
import {
  EXPERIMENT_FORMAT, type AxisInfo, type ExperimentFile, type ExperimentResult, type GroupInfo, type MetricInfo,
  type OutcomeCounts, type PointMetric, type PointResult, type ReferenceFile, type ReferenceResult, type StatName,
} from './experiment-model.js';
import { readVersion } from './replay-file.js';
import { CDF_POINTS_MAX, empiricalCdf, summarize } from './stats.js';
import type { BatchResult, BatchTask, RunSummary, SweepRunConfig } from './sweep-batch.js';
import { batchSize, parseSeedRange, workersMax, WORKERS_PER_CORE_MAX, type SeedRange, type SweepProgress } from './sweep.js';
import { sweepWorkerFile } from './sweep-worker-file.js';
import { scenarioModuleArgOf, scenarioModuleOf } from './user-scenarios.js';

/** Grid parameters that are run options, not scenario parameters (`bug=none` is no bug). */
export const PSEUDO_PARAMS = ['scenario', 'bug', 'nodes', 'duration', 'nemesis'] as const;

/** The metrics every run measures (from its RunMetrics and stats), beside a scenario's own. */
export const BUILT_IN_METRICS: readonly MetricDecl[] = [
  { name: 'availability', unit: 'ratio', description: 'fraction of client operations that succeeded (ok ÷ invoked); one sample per run with clients' },
  { name: 'leaderElectionMicros', unit: 'duration', description: 'per leader loss (crash, pause or cut from a majority), the time until a later leader was established at a majority; one sample per resolved loss' },
  { name: 'leaderLossesUnresolved', unit: 'count', description: 'leader losses not resolved before the run ended; one sample per run' },
  { name: 'recoveryMicros', unit: 'duration', description: 'from the final heal until every eventually-check held; one sample per run that recovered' },
  { name: 'messagesPerCommit', unit: 'number', description: 'all messages sent ÷ log positions applied with a client command; one sample per run that committed' },
  { name: 'events', unit: 'count', description: 'simulated events of the run; one sample per run' },
  { name: 'messagesSent', unit: 'count', description: 'messages sent in the run; one sample per run' },
  { name: 'simulatedMicros', unit: 'duration', description: 'simulated time the run took (fault phase and recovery); one sample per run' },
];

/** Bound: runs of one experiment (grid points × seeds). */
export const EXPERIMENT_RUNS_MAX = 10_000_000;
/** Bound: grid points of one experiment (each is prepared before any run, and kept in the result). */
export const EXPERIMENT_POINTS_MAX = 10_000;
/** Tasks handed to the pool ahead of completion, per worker (as a sweep does). */
const TASKS_IN_FLIGHT_PER_WORKER = 2;

const STAT_NAMES: readonly StatName[] = ['min', 'p10', 'median', 'mean', 'p90', 'p99', 'max'];

/** One grid point, validated: the run options every seed of it uses. */
export interface PreparedPoint {
  readonly index: number;
  readonly group: string;
  readonly scenario: string;
  readonly params: Readonly<Record<string, string>>;
  readonly coords: readonly number[];
  readonly label: string;
  readonly panel: string;
  readonly config: SweepRunConfig;
}

/** An experiment with every input checked: what runExperiment needs. */
export interface PreparedExperiment {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly seeds: SeedRange;
  readonly set: readonly string[];
  readonly metrics: readonly MetricInfo[];
  readonly groups: readonly GroupInfo[];
  readonly points: readonly PreparedPoint[];
  /** References with their values read and their points found; `ours` is filled after the runs. */
  readonly references: readonly Omit<ReferenceResult, 'ours' | 'oursByPoint'>[];
  readonly workers: number;
  readonly runs: number;
  readonly version: string;
}

/** Where the experiment came from, for messages: `--vary` flags on the command line, or a file. */
export interface ExperimentSource {
  /** The file's path as given; undefined for a command-line experiment. */
  readonly path?: string;
}

/**
 * Options the command line adds to (or overrides in) an experiment. Each replaces the file's value, and
 * `set` comes after the file's and the group's settings (only an axis comes later); none may name a
 * parameter an axis varies (refused: the axis would silently win). Without a file (`source.path`
 * undefined) the experiment's own settings count as the command line's.
 */
export interface ExperimentOverrides {
  readonly workers?: number;
  /** `--seeds`. */
  readonly seeds?: string;
  /** `--metric`: replaces the file's metrics; references to any other metric are dropped. */
  readonly metrics?: readonly string[];
  /** `--set NAME=VALUE`, in order. */
  readonly set?: readonly string[];
  readonly nodes?: number;
  readonly duration?: string;
  readonly nemesis?: string;
  readonly bug?: string;
}

/** The run options besides `set` that a file, the command line or an axis may give. */
const RUN_OPTIONS = ['nodes', 'duration', 'nemesis', 'bug'] as const;
type RunOption = (typeof RUN_OPTIONS)[number];

/**
 * Validates an experiment (a file, or one built from flags) and prepares every grid point for its first
 * seed; throws InputError with one line naming the bad value. Runs nothing, writes nothing.
 */
export function prepareExperiment(file: ExperimentFile, source: ExperimentSource = {}, overrides: ExperimentOverrides = {}): PreparedExperiment {
  const where = (field: string) => (source.path === undefined ? field : `${source.path}: ${field}`);
  const fromFile = source.path !== undefined;
  /** How a value is named in messages: by its flag when the command line gave it, else by the file's field. */
  const label = (field: string, flag: string, fromCommandLine: boolean) => (fromCommandLine || !fromFile ? flag : `${source.path}: ${field}`);
  const seedsText = overrides.seeds ?? file.seeds;
  const seeds = relabel(() => parseSeedRange(seedsText), '--seeds', label('seeds', '--seeds', overrides.seeds !== undefined));
  const workers = overrides.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new InputError(`--workers ${workers}: expected an integer of at least 1`);
  if (workers > workersMax()) {
    const cores = availableParallelism();
    throw new InputError(`--workers ${workers}: at most ${workersMax()} (${WORKERS_PER_CORE_MAX} per core, and this machine has ${cores} core${cores === 1 ? '' : 's'}); more threads only cost memory and time`);
  }
  // Settings for every point: the file's (defaults an axis overrides) and the command line's (which an
  // axis may not contradict). An experiment without a file was built from the command line.
  const fileSet = fromFile ? (file.set ?? []) : [];
  const cliSet = [...(fromFile ? [] : (file.set ?? [])), ...(overrides.set ?? [])];
  const set = [...fileSet, ...cliSet];
  const fromCli = (option: RunOption) => overrides[option] !== undefined || (!fromFile && file[option] !== undefined);
  const nodeCount = overrides.nodes ?? file.nodes;
  const durationText = overrides.duration ?? file.duration;
  const durationMicros = durationText === undefined ? undefined : parseDurationFlag(durationText, label('duration', '--duration', overrides.duration !== undefined));
  const nemesis = overrides.nemesis ?? file.nemesis;
  if (nemesis !== undefined && !NEMESIS_PROFILES.includes(nemesis as NemesisProfile)) {
    throw new InputError(`${label('nemesis', '--nemesis', overrides.nemesis !== undefined)} ${nemesis}: unknown profile (known: ${NEMESIS_PROFILES.join(', ')})`);
  }
  const bugText = overrides.bug ?? file.bug;
  const bug = bugText === undefined || bugText === 'none' ? undefined : bugText;
  const metricNamesGiven = overrides.metrics ?? file.metrics;
  const metricLabel = label('metrics', '--metric', overrides.metrics !== undefined);

  const groupFiles = file.groups ?? [{ name: file.name, vary: file.vary ?? [] }];
  if (groupFiles.length === 0) throw new InputError(`${where('groups')}: no group (the grid is empty)`);
  const groupNames = new Set<string>();
  const groups: GroupInfo[] = [];
  const points: PreparedPoint[] = [];
  const axesOfGroup: ParsedAxis[][] = [];
  // Sized before anything is expanded: a grid of billions is refused before it is built.
  let totalPoints = 0n;
  for (const group of groupFiles) {
    const axisFlag = source.path === undefined ? '--vary' : file.groups === undefined ? `${source.path}: vary` : `${source.path}: group ${group.name}: vary`;
    if (groupNames.has(group.name)) throw new InputError(`${where('groups')}: two groups are named ${group.name}`);
    groupNames.add(group.name);
    if (group.vary.length === 0) throw new InputError(`${axisFlag === '--vary' ? 'experiment' : axisFlag}: no axis to vary (the grid is empty; add --vary NAME=v1,v2,…)`);
    const axes = group.vary.map((axis) => parseAxis(typeof axis === 'string' ? axis : axis.vary, axisFlag));
    const seen = new Map<string, string>();
    for (const axis of axes) {
      for (const param of axis.params) {
        const other = seen.get(param);
        if (other !== undefined) throw new InputError(`${axisFlag} ${axis.text}: ${param} is already varied by ${other}; a parameter may be on one axis only`);
        seen.set(param, axis.text);
        if (param === 'scenario' && axis.params.length > 1) throw new InputError(`${axisFlag} ${axis.text}: scenario must be alone on its axis`);
      }
    }
    group.vary.forEach((axis, i) => {
      if (typeof axis === 'string') return;
      const prefix = `${axisFlag} ${axes[i]!.text}`;
      if (axis.labels.length !== axes[i]!.values.length) throw new InputError(`${prefix}: ${axis.labels.length} labels for ${axes[i]!.values.length} values`);
      const empty = axis.labels.findIndex((l) => l.trim() === '');
      if (empty >= 0) throw new InputError(`${prefix}: label ${empty + 1} is empty (each value needs a label of its own)`);
      const twice = axis.labels.find((l, j) => axis.labels.indexOf(l) !== j);
      if (twice !== undefined) throw new InputError(`${prefix}: the label '${twice}' is given to two values (each value needs a label of its own)`);
    });
    for (const entry of group.set ?? []) {
      const param = settingName(entry);
      const axis = axes.find((a) => a.params.includes(param));
      if (axis !== undefined) throw new InputError(`${where(`group ${group.name}`)}: set ${entry}: ${param} is varied by the group's axis ${axis.text} (an axis sets it at every grid point)`);
    }
    axesOfGroup.push(axes);
    totalPoints += gridSize(axes.map((a) => a.values.length));
  }
  // The command line may not set what an axis varies: the axis would silently win.
  const variedBy = (param: string): string | undefined => {
    for (const [g, axes] of axesOfGroup.entries()) {
      const axis = axes.find((a) => a.params.includes(param));
      if (axis === undefined) continue;
      if (!fromFile) return `--vary ${axis.text}`;
      return file.groups === undefined ? `the axis ${axis.text} of ${source.path}` : `the axis ${axis.text} of ${source.path}'s group ${groupFiles[g]!.name}`;
    }
    return undefined;
  };
  const contradicts = (flag: string, param: string) => {
    const axis = variedBy(param);
    if (axis !== undefined) throw new InputError(`${flag}: ${param} is varied by ${axis} (an axis sets it at every grid point)`);
  };
  for (const entry of cliSet) contradicts(`--set ${entry}`, settingName(entry));
  for (const option of RUN_OPTIONS) {
    if (fromCli(option)) contradicts(`--${option} ${String(overrides[option] ?? file[option])}`, option);
  }
  if (totalPoints > BigInt(EXPERIMENT_POINTS_MAX)) throw new InputError(`the grid has ${totalPoints.toLocaleString('en-US')} points; an experiment takes at most ${EXPERIMENT_POINTS_MAX.toLocaleString('en-US')}`);
  const seedCount = BigInt(seeds.to - seeds.from + 1);
  if (totalPoints * seedCount > BigInt(EXPERIMENT_RUNS_MAX)) {
    throw new InputError(`${totalPoints.toLocaleString('en-US')} grid points × ${seedCount.toLocaleString('en-US')} seeds = ${(totalPoints * seedCount).toLocaleString('en-US')} runs; an experiment runs at most ${EXPERIMENT_RUNS_MAX.toLocaleString('en-US')}`);
  }

  const provided = new Map<string, MetricDecl>();
  const measuredBy: Set<string>[] = [];
  groupFiles.forEach((group, g) => {
    const axes = axesOfGroup[g]!;
    const axisFlag = source.path === undefined ? '--vary' : file.groups === undefined ? `${source.path}: vary` : `${source.path}: group ${group.name}: vary`;
    const scenarioAxis = axes.findIndex((a) => a.params[0] === 'scenario');
    const groupScenario = group.scenario ?? file.scenario;
    if (scenarioAxis < 0 && groupScenario === undefined) throw new InputError(`${where(file.groups === undefined ? 'scenario' : `group ${group.name}`)}: no scenario named (and none varied)`);
    const scenarioNames = scenarioAxis >= 0 ? axes[scenarioAxis]!.values.map((v) => v[0]!) : [groupScenario!];
    const scenarioOf = new Map<string, Scenario>();
    for (const name of scenarioNames) scenarioOf.set(name, requireScenario(name, scenarioAxis >= 0 ? `${axisFlag} ${axes[scenarioAxis]!.text}: ` : where('')));
    // Names and values are checked axis by axis first, so a message names the axis the user wrote.
    for (const axis of axes) checkAxis(axis, axisFlag, [...scenarioOf.values()]);
    const fileAxes = group.vary;
    const axisInfos: AxisInfo[] = axes.map((axis, i) => axisInfo(axis, fileAxes[i]!, [...scenarioOf.values()]));
    groups.push({ name: group.name, title: group.title ?? (groupFiles.length === 1 ? file.title : group.name), axes: axisInfos });
    const pointSet = [...fileSet, ...(group.set ?? []), ...cliSet];
    // A group's own duration replaces the file's; the command line's replaces both.
    const groupDurationMicros = overrides.duration === undefined && group.duration !== undefined
      ? parseDurationFlag(group.duration, `${source.path ?? 'experiment'}: group ${group.name}: duration`)
      : durationMicros;
    for (const coords of crossProduct(axes.map((a) => a.values.length))) {
      const params: Record<string, string> = {};
      const assignments: string[] = [];
      let scenarioName = groupScenario;
      let pointBug = bug;
      let pointNodes = nodeCount;
      let pointDuration = groupDurationMicros;
      let pointNemesis = nemesis as NemesisProfile | undefined;
      const onAxis = new Set<string>();
      axes.forEach((axis, a) => {
        axis.params.forEach((param, p) => {
          const text = axis.values[coords[a]!]![p]!;
          params[param] = text;
          onAxis.add(param);
          if (param === 'scenario') scenarioName = text;
          else if (param === 'bug') pointBug = text === 'none' ? undefined : text;
          else if (param === 'nodes') pointNodes = Number(text);
          else if (param === 'duration') pointDuration = parseDuration(text);
          else if (param === 'nemesis') pointNemesis = text as NemesisProfile;
          else assignments.push(`${param}=${text}`);
        });
      });
      const scenario = scenarioOf.get(scenarioName!)!;
      const index = points.length;
      const labels = axisInfos.map((info, a) => info.labels[coords[a]!]!);
      const config: SweepRunConfig = {
        scenario: scenario.name,
        ...(pointNodes !== undefined ? { nodeCount: pointNodes } : {}),
        ...(pointDuration !== undefined ? { durationMicros: pointDuration } : {}),
        ...(pointNemesis !== undefined ? { nemesis: pointNemesis } : {}),
        set: [...pointSet, ...assignments],
        ...(pointBug !== undefined ? { bug: pointBug } : {}),
        ...moduleOf(scenario),
      };
      let sample;
      try {
        sample = prepareRun({ scenario, seed: seeds.from, nodeCount: config.nodeCount, durationMicros: config.durationMicros, nemesis: config.nemesis, set: config.set, bug: config.bug });
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        const described = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
        let problem = error.message.replace(/^--set /, '');
        // A run option the file gave is named by its field, not by the flag prepareRun names it by.
        for (const option of RUN_OPTIONS) if (fromFile && !fromCli(option) && !onAxis.has(option)) problem = problem.replace(new RegExp(`^--${option} `), `${option} `);
        throw new InputError(`grid point ${index + 1}${source.path === undefined ? '' : ` of ${source.path}`} (${described}): ${problem}`);
      }
      const measured = new Set(BUILT_IN_METRICS.map((m) => m.name));
      for (const observer of sample.setup.observers ?? []) {
        for (const decl of observer.provides ?? []) {
          measured.add(decl.name);
          if (!provided.has(decl.name)) provided.set(decl.name, decl);
        }
      }
      measuredBy.push(measured);
      points.push({ index, group: group.name, scenario: scenario.name, params, coords, label: labels[0]!, panel: labels.slice(1).join(' · '), config });
    }
  });

  // A scenario's own declaration of a built-in metric (atomic commit's messagesPerCommit) describes it better.
  const known = [...provided.values(), ...BUILT_IN_METRICS];
  const metricNames = metricNamesGiven.length > 0 ? metricNamesGiven : [...new Set([...provided.keys(), 'availability', 'leaderElectionMicros', 'recoveryMicros', 'messagesPerCommit'])];
  const metrics: MetricInfo[] = [];
  for (const name of metricNames) {
    const decl = known.find((m) => m.name === name);
    if (decl === undefined) throw new InputError(`${metricLabel} ${name}: no such metric (${suggestionOrKnown(name, known.map((m) => m.name))})`);
    const missing = points.find((p, i) => !measuredBy[i]!.has(name));
    if (missing !== undefined) throw new InputError(`${metricLabel} ${name}: scenario ${missing.scenario} does not measure it (grid point ${missing.index + 1})`);
    if (metrics.some((m) => m.name === name)) throw new InputError(`${metricLabel} ${name}: named twice`);
    metrics.push({ name: decl.name, unit: decl.unit, description: decl.description });
  }

  // Chosen metrics replace the file's; references to the others have nothing to stand beside.
  const referenceFiles = (file.references ?? []).filter((r) => overrides.metrics === undefined || overrides.metrics.includes(r.metric));
  const references = referenceFiles.map((ref, i) => resolveReference(ref, i, { groups, points, metrics, where, scenarioOfPoint: (p) => findScenario(p.scenario)! }));
  return {
    name: file.name, title: file.title, ...(file.description !== undefined ? { description: file.description } : {}),
    seeds, set, metrics, groups, points, references, workers, runs: points.length * Number(seedCount), version: readVersion(),
  };
}

/** The parameter a `NAME=VALUE` setting names. */
function settingName(entry: string): string {
  const eq = entry.indexOf('=');
  return (eq < 0 ? entry : entry.slice(0, eq)).trim();
}

/** Runs `parse`, renaming the flag its InputError starts with (a file's field is not a flag). */
function relabel<T>(parse: () => T, flag: string, name: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputError && name !== flag && error.message.startsWith(`${flag} `)) throw new InputError(`${name} ${error.message.slice(flag.length + 1)}`);
    throw error;
  }
}

function requireScenario(name: string, prefix: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new InputError(`${prefix}unknown scenario '${name}' (${suggestionOrKnown(name, scenarios.map((s) => s.name))})`);
  return scenario;
}

function moduleOf(scenario: Scenario): Partial<Pick<SweepRunConfig, 'scenariosModule' | 'scenariosModuleArg'>> {
  const module = scenarioModuleOf(scenario);
  if (module === undefined) return {};
  const arg = scenarioModuleArgOf(scenario);
  return { scenariosModule: module, ...(arg !== undefined ? { scenariosModuleArg: arg } : {}) };
}

/** Checks an axis's parameter names and each value's unit against every scenario the group runs. */
function checkAxis(axis: ParsedAxis, flag: string, groupScenarios: readonly Scenario[]): void {
  const fail = (problem: string): never => {
    throw new InputError(`${flag} ${axis.text}: ${problem}`);
  };
  axis.params.forEach((param, p) => {
    const texts = axis.values.map((v) => v[p]!);
    switch (param) {
      case 'scenario':
        return;
      case 'bug':
        for (const text of texts) {
          if (text === 'none') continue;
          const without = groupScenarios.find((s) => !s.bugs.some((b) => b.name === text));
          if (without !== undefined) {
            const known = without.bugs.map((b) => b.name);
            fail(`scenario ${without.name} has no planted bug '${text}' (${known.length ? suggestionOrKnown(text, known) : 'it has none'}; none = no bug)`);
          }
        }
        return;
      case 'nodes':
        for (const text of texts) parseCount(`${flag} ${axis.text}: nodes`, text, 1);
        return;
      case 'duration':
        for (const text of texts) parseDurationFlag(text, `${flag} ${axis.text}: duration`);
        return;
      case 'nemesis':
        for (const text of texts) if (!NEMESIS_PROFILES.includes(text as NemesisProfile)) fail(`unknown nemesis profile '${text}' (known: ${NEMESIS_PROFILES.join(', ')})`);
        return;
    }
    for (const scenario of groupScenarios) {
      const specs = allParams(scenario);
      const spec = specs.find((s) => s.name === param);
      if (spec === undefined) fail(`unknown parameter '${param}' for scenario ${scenario.name} (${suggestionOrKnown(param, [...specs.map((s) => s.name), ...PSEUDO_PARAMS])})`);
      for (const text of texts) {
        try {
          parseParamValue(spec!, text);
        } catch (error) {
          if (error instanceof InputError) fail(error.message.replace(/^--set /, ''));
          throw error;
        }
      }
    }
  });
}

/** The plot-ready description of an axis: labels, and numeric positions when it is one numeric parameter. */
function axisInfo(axis: ParsedAxis, fileAxis: ExperimentFile['vary'] extends readonly (infer A)[] | undefined ? A : never, groupScenarios: readonly Scenario[]): AxisInfo {
  const labels = typeof fileAxis === 'string' ? axis.values.map((v) => v.join(':')) : [...fileAxis.labels];
  const info: AxisInfo = { params: axis.params, values: axis.values, labels };
  if (axis.params.length !== 1) return info;
  const param = axis.params[0]!;
  const texts = axis.values.map((v) => v[0]!);
  if (param === 'nodes') return { ...info, numeric: texts.map(Number) };
  if (param === 'duration') return { ...info, numeric: texts.map((t) => parseDuration(t)!) };
  const spec = groupScenarios.length > 0 ? allParams(groupScenarios[0]!).find((s) => s.name === param) : undefined;
  if (spec === undefined || spec.unit === 'choice') return info;
  return { ...info, numeric: texts.map((t) => parseParamValue(spec, t) as number) };
}

/** A text value in canonical form, so that `150ms` in a reference matches `150000` on an axis. */
function canonical(param: string, text: string, scenario: Scenario): string {
  if (param === 'duration') return String(parseDuration(text) ?? text);
  if (PSEUDO_PARAMS.includes(param as (typeof PSEUDO_PARAMS)[number])) return text;
  const spec = allParams(scenario).find((s) => s.name === param);
  if (spec === undefined) return text;
  try {
    return formatParamValue(spec, parseParamValue(spec, text));
  } catch {
    return text;
  }
}

function resolveReference(
  ref: ReferenceFile, i: number,
  context: { groups: readonly GroupInfo[]; points: readonly PreparedPoint[]; metrics: readonly MetricInfo[]; where: (field: string) => string; scenarioOfPoint: (p: PreparedPoint) => Scenario },
): Omit<ReferenceResult, 'ours' | 'oursByPoint'> {
  const fail = (problem: string): never => {
    throw new InputError(`${context.where(`references[${i}]`)}: ${problem}`);
  };
  const metric = context.metrics.find((m) => m.name === ref.metric);
  if (metric === undefined) fail(`metric ${ref.metric} is not one the experiment measures (${context.metrics.map((m) => m.name).join(', ')})`);
  if (!STAT_NAMES.includes(ref.stat)) fail(`stat ${String(ref.stat)}: expected one of ${STAT_NAMES.join(', ')}`);
  if (ref.group === undefined && context.groups.length > 1) fail(`the file has several groups; name the reference's group (${context.groups.map((g) => g.name).join(', ')})`);
  const group = ref.group === undefined ? context.groups[0]! : context.groups.find((g) => g.name === ref.group);
  if (group === undefined) fail(`group ${ref.group}: no such group (${context.groups.map((g) => g.name).join(', ')})`);
  const varied = group!.axes.flatMap((a) => a.params);
  if (Object.keys(ref.point).length === 0) fail(`point {} names no parameter: it must name values of the parameters varied${context.groups.length > 1 ? ` in group ${group!.name}` : ''} (${varied.join(', ')})`);
  for (const key of Object.keys(ref.point)) if (!varied.includes(key)) fail(`point names ${key}, which group ${group!.name} does not vary (${varied.join(', ')})`);
  const matches = context.points.filter((p) => p.group === group!.name && Object.entries(ref.point).every(([k, v]) => {
    const scenario = context.scenarioOfPoint(p);
    return canonical(k, p.params[k]!, scenario) === canonical(k, String(v), scenario);
  }));
  if (matches.length === 0) fail(`point ${JSON.stringify(ref.point)} matches no grid point of group ${group!.name}`);
  let value: number;
  if (typeof ref.value === 'number') value = ref.value;
  else {
    const parsed = metric!.unit === 'duration' ? parseDuration(ref.value) : /^-?\d*\.?\d+$/.test(ref.value) ? Number(ref.value) : undefined;
    if (parsed === undefined) fail(`value ${ref.value}: expected ${metric!.unit === 'duration' ? 'a duration such as 287ms' : 'a number'}`);
    value = parsed!;
  }
  if (!Number.isFinite(value!)) fail(`value ${String(ref.value)}: expected a finite number`);
  if (ref.bound !== undefined && ref.bound !== 'at-least' && ref.bound !== 'at-most') fail(`bound ${String(ref.bound)}: expected at-least or at-most`);
  return {
    points: matches.map((p) => p.index), metric: ref.metric, stat: ref.stat, value,
    ...(ref.bound !== undefined ? { bound: ref.bound } : {}), source: ref.source, ...(ref.note !== undefined ? { note: ref.note } : {}),
  };
}

// ---- running -----------------------------------------------------------------------------------------

export interface ExperimentHooks {
  onProgress?(progress: SweepProgress): void;
  /** Abort: stop dispatching and end the workers; runExperiment rejects with signal.reason. */
  signal?: AbortSignal;
}

/** The result, and what it cost (wall-clock figures stay out of the result). */
export interface ExperimentRun {
  readonly result: ExperimentResult;
  readonly events: number;
  readonly wallMillis: number;
  readonly threadIds: readonly number[];
  /**
   * Per point (in point order), what its runs cost: simulated events and time, and the wall time the
   * workers spent on them (each run timed alone, so events ÷ wall time is one core's speed on it).
   */
  readonly pointCosts: readonly PointCost[];
}

/** What one grid point's runs cost, summed over its seeds (wall-clock: never part of the result). */
export interface PointCost {
  readonly events: number;
  readonly simulatedMicros: number;
  readonly wallMillis: number;
}

/** Accumulates one point's runs (in seed order) and summarises them once all are in. */
class PointTally {
  runs = 0;
  pass = 0;
  safety = 0;
  liveness = 0;
  readonly samples: number[][];
  readonly without: number[];
  /** Per metric, how many samples each run gave, in seed order (the bootstrap resamples runs). */
  readonly perRun: number[][];
  readonly cost = { events: 0, simulatedMicros: 0, wallMillis: 0 };
  constructor(readonly metrics: readonly MetricInfo[]) {
    this.samples = metrics.map(() => []);
    this.without = metrics.map(() => 0);
    this.perRun = metrics.map(() => []);
  }

  add(run: RunSummary): void {
    this.runs++;
    count(run.outcome, this);
    this.cost.events += run.stats.events;
    this.cost.simulatedMicros += run.stats.simulatedMicros;
    this.cost.wallMillis += run.stats.wallMillis;
    this.metrics.forEach((metric, m) => {
      const before = this.samples[m]!.length;
      pushSamples(run, metric.name, this.samples[m]!);
      const gave = this.samples[m]!.length - before;
      this.perRun[m]!.push(gave);
      if (gave === 0) this.without[m]!++;
    });
  }
}

function count(outcome: Outcome, tally: { pass: number; safety: number; liveness: number }): void {
  if (outcome === 'pass') tally.pass++;
  else if (outcome === 'safety-violation') tally.safety++;
  else tally.liveness++;
}

/** Appends one run's samples of a metric (none when the run measured nothing of it). */
export function pushSamples(run: Pick<RunSummary, 'metrics' | 'stats'>, metric: string, into: number[]): void {
  const m = run.metrics;
  const one = (value: number | null) => {
    if (value !== null) into.push(value);
  };
  switch (metric) {
    case 'availability': return one(m.availability);
    case 'leaderElectionMicros': for (const v of m.leaderElectionMicros) into.push(v); return;
    case 'leaderLossesUnresolved': return one(m.leaderLossesUnresolved);
    case 'recoveryMicros': return one(m.recoveryMicros);
    case 'messagesPerCommit': return one(m.messagesPerCommit);
    case 'events': return one(run.stats.events);
    case 'messagesSent': return one(run.stats.messagesSent);
    case 'simulatedMicros': return one(run.stats.simulatedMicros);
  }
  for (const v of m.samples?.[metric] ?? []) into.push(v);
}

/** The bootstrap label of a point's metric: fixed by the experiment, the point and the metric alone. */
export function statsLabel(experiment: string, pointIndex: number, metric: string): string {
  return `${experiment}#${pointIndex}:${metric}`;
}

/**
 * Runs every grid point × every seed on a pool of worker threads (the sweep's worker), in batches of
 * seeds of one point, and builds the result from the runs taken back in (point, seed) order.
 */
export async function runExperiment(experiment: PreparedExperiment, hooks: ExperimentHooks = {}): Promise<ExperimentRun> {
  const started = performance.now();
  const seedCount = experiment.seeds.to - experiment.seeds.from + 1;
  const total = experiment.runs;
  const threads = Math.max(1, Math.min(experiment.workers, total));
  const pool = new Piscina<BatchTask, BatchResult>({ filename: sweepWorkerFile(), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  pool.on('error', ignorePoolError);
  const cancel = new AbortController();
  /** Batch b covers runs [starts[b], starts[b+1]) of the (point, seed) order. */
  const starts: number[] = [0];
  const finished = new Map<number, readonly RunSummary[]>();
  const inFlight = new Set<number>();
  const threadIds = new Set<number>();
  const summaries: PointResult[] = [];
  const pointCosts: PointCost[] = [];
  let tally: PointTally | undefined;
  let nextBatch = 0;
  let nextToTake = 0;
  let done = 0;
  let failures = 0;
  let events = 0;

  const allDispatched = () => starts[starts.length - 1]! >= total;
  const taskOf = (batch: number): BatchTask => {
    const first = starts[batch]!;
    const point = Math.floor(first / seedCount);
    const offset = first - point * seedCount;
    // A batch never spans two points: each point has its own run options.
    const size = Math.min(batchSize(total - first, threads), seedCount - offset);
    starts.push(first + size);
    const seeds = Array.from({ length: size }, (_, k) => experiment.seeds.from + offset + k);
    return { config: experiment.points[point]!.config, seeds, stopOnFailure: false, replayFiles: false, version: experiment.version };
  };
  const take = () => {
    while (finished.has(nextToTake)) {
      const runs = finished.get(nextToTake)!;
      finished.delete(nextToTake);
      for (const run of runs) {
        const point = experiment.points[summaries.length]!;
        tally ??= new PointTally(experiment.metrics);
        tally.add(run);
        if (tally.runs === seedCount) {
          summaries.push(pointResult(experiment, point, tally));
          pointCosts.push(tally.cost);
          tally = undefined;
        }
      }
      nextToTake++;
    }
    return allDispatched() && nextToTake >= starts.length - 1;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const onAbort = () => fail(hooks.signal!.reason ?? new Error('experiment aborted'));
      if (hooks.signal?.aborted) return onAbort();
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      const dispatch = () => {
        while (!settled && !allDispatched() && inFlight.size < threads * TASKS_IN_FLIGHT_PER_WORKER) {
          const batch = nextBatch++;
          inFlight.add(batch);
          const task = taskOf(batch);
          pool.run(task, { signal: cancel.signal }).then((result) => settle(batch, task, result), (error) => fail(error));
        }
      };
      const settle = (batch: number, task: BatchTask, result: BatchResult) => {
        inFlight.delete(batch);
        if (settled) return;
        if (!result.ok) return fail(new InputError(`${task.config.scenario} seed ${result.seed}: ${result.inputError}`));
        threadIds.add(result.threadId);
        finished.set(batch, result.runs);
        done += result.runs.length;
        for (const run of result.runs) {
          events += run.stats.events;
          if (run.outcome !== 'pass') failures++;
        }
        hooks.onProgress?.({ done, total, failures, events, elapsedMillis: performance.now() - started });
        if (take()) {
          settled = true;
          hooks.signal?.removeEventListener('abort', onAbort);
          return resolve();
        }
        dispatch();
      };
      dispatch();
    });
  } catch (error) {
    cancel.abort();
    await pool.destroy().catch(ignorePoolError);
    throw error;
  }
  await pool.destroy().catch(ignorePoolError);
  const wallMillis = performance.now() - started;
  return { result: experimentResult(experiment, summaries), events, wallMillis, threadIds: [...threadIds].sort((a, b) => a - b), pointCosts };
}

function ignorePoolError(): void {}

function pointResult(experiment: PreparedExperiment, point: PreparedPoint, tally: PointTally): PointResult {
  const metrics: Record<string, PointMetric> = {};
  experiment.metrics.forEach((metric, m) => {
    const samples = tally.samples[m]!;
    const perRun = tally.perRun[m]!;
    const cdfOver = perRun.every((n) => n <= 1) ? 'runs' : 'samples';
    metrics[metric.name] = {
      stats: summarize(samples, statsLabel(experiment.name, point.index, metric.name), perRun),
      runsWithout: tally.without[m]!,
      cdf: empiricalCdf(samples, CDF_POINTS_MAX, cdfOver === 'runs' ? tally.runs : samples.length),
      cdfOver,
    };
  });
  return {
    index: point.index, group: point.group, scenario: point.scenario, params: point.params, coords: point.coords,
    label: point.label, panel: point.panel, runs: tally.runs,
    outcomes: { pass: tally.pass, safetyViolation: tally.safety, livenessViolation: tally.liveness }, metrics,
  };
}

/** The result of the experiment from its points' results (in point order). */
export function experimentResult(experiment: PreparedExperiment, points: readonly PointResult[]): ExperimentResult {
  const outcomes: OutcomeCounts = {
    pass: points.reduce((s, p) => s + p.outcomes.pass, 0),
    safetyViolation: points.reduce((s, p) => s + p.outcomes.safetyViolation, 0),
    livenessViolation: points.reduce((s, p) => s + p.outcomes.livenessViolation, 0),
  };
  const references: ReferenceResult[] = experiment.references.map((ref) => {
    const oursByPoint = ref.points.map((index) => {
      const stats = points[index]?.metrics[ref.metric]?.stats ?? null;
      return stats === null ? null : stats[ref.stat];
    });
    return { ...ref, ours: oursByPoint[0]!, oursByPoint };
  });
  return {
    format: EXPERIMENT_FORMAT,
    name: experiment.name,
    title: experiment.title,
    ...(experiment.description !== undefined ? { description: experiment.description } : {}),
    version: experiment.version,
    seeds: { from: experiment.seeds.from, to: experiment.seeds.to },
    set: experiment.set,
    metrics: experiment.metrics,
    groups: experiment.groups,
    points,
    references,
    runs: points.reduce((s, p) => s + p.runs, 0),
    outcomes,
  };
}

/** The unit of a metric as CSV and tables name it. */
export function metricUnitLabel(unit: MetricUnit): string {
  return unit === 'duration' ? 'us' : unit;
}

