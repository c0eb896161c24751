// Scenarios from a user's own module (`faultline run --scenarios ./my-scenarios.js NAME`): loads the
// module, finds the scenarios it exports and adds them to the registry. Every problem (no such file, a
// module that fails to load, one that exports no scenarios) is an InputError naming the path.
// A TypeScript module (.ts, .mts, .cts) is loaded through tsx, registered on first need.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addScenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import type { Scenario } from '../sim/scenario.js';

/** Modules loaded in this thread, by URL, and what they added. */
const loaded = new Map<string, readonly Scenario[]>();
/** The module URL each loaded scenario came from. */
const moduleOfScenario = new Map<Scenario, string>();
/** The path each loaded scenario's module was first given by (`--scenarios PATH`), for replay commands. */
const givenPathOfScenario = new Map<Scenario, string>();
let typeScriptLoaderRegistered = false;

/** Where a `--scenarios` path points, as the file URL workers load it by (checked: an existing file). */
export function scenarioModuleUrl(path: string, flag = '--scenarios'): string {
  const absolute = resolve(path);
  let isFile: boolean;
  try {
    isFile = statSync(absolute).isFile();
  } catch (error) {
    throw new InputError(`${flag} ${path}: cannot read the module (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!isFile) throw new InputError(`${flag} ${path}: not a file (expected a JavaScript or TypeScript module exporting scenarios)`);
  return pathToFileURL(absolute).href;
}

/**
 * Loads a module of scenarios (a path, or a file URL from {@link scenarioModuleUrl}) and adds them to the
 * registry; loading the same module again adds nothing. It must export `scenarios` (an array of
 * {@link Scenario}) or a default export that is one scenario or an array of them. `given` is the path as
 * the user wrote it (default: `path` unless it is a URL), which replay commands repeat.
 */
export async function loadScenarioModule(path: string, flag = '--scenarios', given = path.startsWith('file:') ? undefined : path): Promise<readonly Scenario[]> {
  const url = path.startsWith('file:') ? path : scenarioModuleUrl(path, flag);
  const known = loaded.get(url) ?? await importScenarioModule(url, path, flag);
  if (given !== undefined) for (const scenario of known) if (!givenPathOfScenario.has(scenario)) givenPathOfScenario.set(scenario, given);
  return known;
}

async function importScenarioModule(url: string, path: string, flag: string): Promise<readonly Scenario[]> {
  // Running from TypeScript sources means a TypeScript loader is already in place (tsx, vitest).
  if (/\.[mc]?tsx?$/.test(url) && !/\.[mc]?ts$/.test(import.meta.url)) await registerTypeScriptLoader();
  let exported: Record<string, unknown>;
  try {
    exported = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`${flag} ${path}: cannot load the module (${message.split('\n')[0]})`);
  }
  const found = scenariosOf(exported, `${flag} ${path}`);
  addScenarios(found, `${flag} ${path}`);
  loaded.set(url, found);
  for (const scenario of found) moduleOfScenario.set(scenario, url);
  return found;
}

/** The file URL of the module a scenario was loaded from, or undefined (a built-in, or added in code). */
export function scenarioModuleOf(scenario: Scenario): string | undefined {
  return moduleOfScenario.get(scenario);
}

/**
 * The path a scenario's module was given by (`--scenarios PATH` as typed), or undefined (a built-in, or
 * added in code). Replay commands repeat it, so that they run from the same directory as the user did.
 */
export function scenarioModuleArgOf(scenario: Scenario): string | undefined {
  return givenPathOfScenario.get(scenario);
}

/** The scenarios a module exports: `scenarios`, else the default export. */
export function scenariosOf(exported: Record<string, unknown>, source: string): Scenario[] {
  const value = exported.scenarios ?? exported.default;
  if (value === undefined) throw new InputError(`${source}: the module exports no scenarios (export const scenarios = [ … ])`);
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new InputError(`${source}: the module exports no scenarios (its list is empty)`);
  list.forEach((candidate, i) => {
    const problem = scenarioShapeProblem(candidate);
    if (problem !== undefined) throw new InputError(`${source}: scenarios[${i}] is not a scenario (${problem})`);
  });
  return list as Scenario[];
}

function scenarioShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return 'expected an object';
  const s = value as Record<string, unknown>;
  if (typeof s.name !== 'string' || !/^[\w.-]+$/.test(s.name)) return 'name: expected letters, digits, ".", "-" or "_"';
  if (typeof s.build !== 'function') return `${s.name}: build: expected a function`;
  for (const field of ['defaultNodes', 'minNodes', 'maxNodes', 'defaultDurationMicros']) {
    if (typeof s[field] !== 'number') return `${s.name}: ${field}: expected a number`;
  }
  for (const field of ['params', 'bugs']) if (!Array.isArray(s[field])) return `${s.name}: ${field}: expected an array`;
  if (typeof s.description !== 'string') return `${s.name}: description: expected a string`;
  return undefined;
}

async function registerTypeScriptLoader(): Promise<void> {
  if (typeScriptLoaderRegistered) return;
  typeScriptLoaderRegistered = true;
  // A computed specifier, so that the sweep worker's bundle leaves tsx out and loads it only if needed.
  const api = 'tsx/esm/api';
  const { register } = (await import(api)) as { register: () => unknown };
  register();
}
