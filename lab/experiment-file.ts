// Experiment files: reading one a user names (`faultline experiment FILE.json`), finding one shipped
// with the package by name (`experiments/NAME.json`, beside package.json, wherever faultline runs from),
// and listing the shipped ones. The shape is checked field by field; any problem is one InputError
// naming the file and the field. Whether the values fit a scenario is lab/experiment.ts's to check.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../sim/errors.js';
import type { AxisText, ExperimentFile, ExperimentGroupFile, ReferenceFile } from './experiment-model.js';
import { readInputJson } from './input-file.js';

/** The package's root: the nearest folder above this module whose package.json is faultline's. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'faultline') return dir;
      } catch {
        // not ours
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return join(dirname(fileURLToPath(import.meta.url)), '..');
    dir = parent;
  }
}

/** The folder of shipped experiment files. */
export function experimentsDir(): string {
  return join(packageRoot(), 'experiments');
}

/** The names of the shipped experiments (`experiments/*.json`), sorted. */
export function shippedExperimentNames(): string[] {
  const dir = experimentsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}

/** The path of a shipped experiment, if there is one of that name. */
export function shippedExperimentPath(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
  const path = join(experimentsDir(), `${name}.json`);
  return existsSync(path) ? path : undefined;
}

/** Reads and shape-checks an experiment file; throws InputError naming the file and the field. */
export function readExperimentFile(path: string): ExperimentFile {
  if (isDirectory(path)) throw new InputError(`${path}: is a directory, not an experiment file`);
  return parseExperimentFile(readInputJson(path), path);
}

/** Whether an experiment target names a file (`….json`, in any case) rather than a scenario or a shipped experiment. */
export function isExperimentFileName(target: string): boolean {
  return /\.json$/i.test(target);
}

/**
 * The problem with a target that is neither a scenario nor a shipped experiment but names something on
 * disk (a directory, or a file whose name does not end in .json); undefined when nothing is there.
 */
export function notAnExperimentFile(target: string): string | undefined {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return undefined;
  }
  return stats.isDirectory() ? `${target}: is a directory, not an experiment file` : `${target}: an experiment file must end in .json`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const TOP_FIELDS = ['name', 'title', 'description', 'scenario', 'seeds', 'metrics', 'set', 'nodes', 'duration', 'nemesis', 'bug', 'vary', 'groups', 'references'];
const GROUP_FIELDS = ['name', 'title', 'scenario', 'set', 'duration', 'vary'];
const REFERENCE_FIELDS = ['group', 'point', 'metric', 'stat', 'value', 'bound', 'source', 'note'];

/** Checks the shape of a parsed experiment file (`source` names it in messages). */
export function parseExperimentFile(raw: unknown, source: string): ExperimentFile {
  const fail = (field: string, problem: string): never => {
    throw new InputError(`${source}: ${field}${field === '' ? '' : ': '}${problem}`);
  };
  if (!isObject(raw)) return fail('', 'expected a JSON object (an experiment: title, scenario, seeds, metrics, vary)');
  unknownFields(raw, TOP_FIELDS, '', fail);
  const str = (field: string, value: unknown, required: boolean): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '') return fail(field, 'expected a non-empty string');
    return value;
  };
  const strings = (field: string, value: unknown, required: boolean): string[] | undefined => {
    if (value === undefined && !required) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return fail(field, 'expected an array of strings');
    return value as string[];
  };
  const axes = (field: string, value: unknown): AxisText[] => {
    if (!Array.isArray(value) || value.length === 0) return fail(field, 'expected a non-empty array of axes ("NAME=v1,v2" or {"vary": "NAME=v1,v2", "labels": [...]})');
    return value.map((axis, i): AxisText => {
      if (typeof axis === 'string') return axis;
      if (!isObject(axis) || typeof axis.vary !== 'string' || !Array.isArray(axis.labels) || axis.labels.some((l) => typeof l !== 'string')) {
        return fail(`${field}[${i}]`, 'expected "NAME=v1,v2" or {"vary": "NAME=v1,v2", "labels": ["…", …]}');
      }
      unknownFields(axis, ['vary', 'labels'], `${field}[${i}]`, fail);
      return { vary: axis.vary, labels: axis.labels as string[] };
    });
  };
  const name = str('name', raw.name, false) ?? basename(source).replace(/\.json$/i, '');
  const title = str('title', raw.title, true)!;
  const seeds = str('seeds', raw.seeds, true)!;
  const metrics = strings('metrics', raw.metrics, true)!;
  if (metrics.length === 0) fail('metrics', 'name at least one metric');
  if (raw.nodes !== undefined && !(Number.isSafeInteger(raw.nodes) && (raw.nodes as number) >= 1)) fail('nodes', 'expected a positive integer');
  if (raw.vary !== undefined && raw.groups !== undefined) fail('groups', 'give either vary (one grid) or groups (several), not both');
  if (raw.vary === undefined && raw.groups === undefined) fail('vary', 'missing: the grid to run (or groups of grids)');
  let groups: ExperimentGroupFile[] | undefined;
  if (raw.groups !== undefined) {
    if (!Array.isArray(raw.groups) || raw.groups.length === 0) fail('groups', 'expected a non-empty array of groups');
    groups = (raw.groups as unknown[]).map((group, i): ExperimentGroupFile => {
      const field = `groups[${i}]`;
      if (!isObject(group)) return fail(field, 'expected an object with name and vary');
      unknownFields(group, GROUP_FIELDS, field, fail);
      const groupTitle = str(`${field}.title`, group.title, false);
      const groupScenario = str(`${field}.scenario`, group.scenario, false);
      const groupSet = strings(`${field}.set`, group.set, false);
      const groupDuration = str(`${field}.duration`, group.duration, false);
      return {
        name: str(`${field}.name`, group.name, true)!,
        ...(groupTitle !== undefined ? { title: groupTitle } : {}),
        ...(groupScenario !== undefined ? { scenario: groupScenario } : {}),
        ...(groupSet !== undefined ? { set: groupSet } : {}),
        ...(groupDuration !== undefined ? { duration: groupDuration } : {}),
        vary: axes(`${field}.vary`, group.vary),
      };
    });
  }
  let references: ReferenceFile[] | undefined;
  if (raw.references !== undefined) {
    if (!Array.isArray(raw.references)) fail('references', 'expected an array');
    references = (raw.references as unknown[]).map((ref, i): ReferenceFile => {
      const field = `references[${i}]`;
      if (!isObject(ref)) return fail(field, 'expected an object with point, metric, stat, value and source');
      unknownFields(ref, REFERENCE_FIELDS, field, fail);
      if (!isObject(ref.point) || Object.values(ref.point).some((v) => typeof v !== 'string' && typeof v !== 'number')) fail(`${field}.point`, 'expected an object of parameter values, such as {"electionTimeoutMicrosMax": "300ms"}');
      if (typeof ref.value !== 'string' && typeof ref.value !== 'number') fail(`${field}.value`, 'expected a number or a duration such as "287ms"');
      if (typeof ref.value === 'number' && !Number.isFinite(ref.value)) fail(`${field}.value`, 'expected a finite number (this one is too large for a double)');
      const group = str(`${field}.group`, ref.group, false);
      const note = str(`${field}.note`, ref.note, false);
      const point: Record<string, string> = {};
      for (const [k, v] of Object.entries(ref.point as Record<string, unknown>)) point[k] = String(v);
      return {
        ...(group !== undefined ? { group } : {}),
        point,
        metric: str(`${field}.metric`, ref.metric, true)!,
        stat: str(`${field}.stat`, ref.stat, true) as ReferenceFile['stat'],
        value: ref.value as string | number,
        ...(ref.bound !== undefined ? { bound: ref.bound as ReferenceFile['bound'] } : {}),
        source: str(`${field}.source`, ref.source, true)!,
        ...(note !== undefined ? { note } : {}),
      };
    });
  }
  const optional = {
    description: str('description', raw.description, false),
    scenario: str('scenario', raw.scenario, false),
    set: strings('set', raw.set, false),
    nodes: raw.nodes as number | undefined,
    duration: str('duration', raw.duration, false),
    nemesis: str('nemesis', raw.nemesis, false),
    bug: str('bug', raw.bug, false),
  };
  const file: Record<string, unknown> = { name, title };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined && k === 'description') file[k] = v;
  if (optional.scenario !== undefined) file.scenario = optional.scenario;
  file.seeds = seeds;
  file.metrics = metrics;
  for (const k of ['set', 'nodes', 'duration', 'nemesis', 'bug'] as const) if (optional[k] !== undefined) file[k] = optional[k];
  if (raw.vary !== undefined) file.vary = axes('vary', raw.vary);
  if (groups !== undefined) file.groups = groups;
  if (references !== undefined) file.references = references;
  return file as unknown as ExperimentFile;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(object: Record<string, unknown>, known: readonly string[], field: string, fail: (field: string, problem: string) => never): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key) && !key.startsWith('$') && !key.startsWith('_')) fail(field === '' ? key : `${field}.${key}`, `unknown field (known: ${known.filter((k) => !k.startsWith('$')).join(', ')})`);
  }
}
