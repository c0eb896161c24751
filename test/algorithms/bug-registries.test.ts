// Every algorithm's planted-bug registry (algorithms/*/bugs.ts, built by defineBugs in sim/scenario.ts) is
// data that `--bug`, `faultline list`, the README's catch tables and the planted-bug tests read: each bug is
// named `<algorithm>/<kebab-case>` (unique), has a description, and names in `exposedBy` at least one
// registered scenario of its own algorithm that lists it; every scenario's bugs are one registry's.
// Assumes each bugs.ts exports one registry. Each registry is imported afresh inside the tests (a
// query-suffixed import), and the scenarios only inside them too: a change to a registry's data switched
// on after the modules were first loaded (Stryker's static mutants) is still seen, and a registry that
// throws on load fails a test instead of leaving a file with no tests.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineBugs, type BugSet, type BugSpec, type Scenario } from '../../sim/scenario.js';

const ALGORITHMS = join(import.meta.dirname, '..', '..', 'algorithms');

/** The algorithm folders with a bugs.ts, sorted. */
const FOLDERS = readdirSync(ALGORITHMS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ALGORITHMS, entry.name, 'bugs.ts')))
  .map((entry) => entry.name)
  .sort();

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The registered scenarios (imported here, not at the top, so that a registry that fails to load fails a test). */
async function registeredScenarios(): Promise<{ builtInScenarios: readonly Scenario[]; findScenario: (name: string) => Scenario | undefined }> {
  return import('../../scenarios/index.js');
}

function isBugSet(value: unknown): value is BugSet<string> {
  return typeof value === 'object' && value !== null && 'algorithm' in value && 'specs' in value && 'names' in value && typeof (value as { active?: unknown }).active === 'function';
}

/** The registry `algorithms/<folder>/bugs.ts` exports, from a fresh evaluation of that file. */
async function freshRegistry(folder: string): Promise<BugSet<string>> {
  const url = `${pathToFileURL(join(ALGORITHMS, folder, 'bugs.ts')).href}?bug-registries-test`;
  const module = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  const sets = Object.values(module).filter(isBugSet);
  expect(sets, `algorithms/${folder}/bugs.ts exports exactly one defineBugs registry`).toHaveLength(1);
  return sets[0]!;
}

/** The problems of one registry, one line each (empty when it is consistent). */
function registryProblems(set: BugSet<string>, findScenario: (name: string) => Scenario | undefined): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const bug of set.specs) {
    const [prefix, kebab = '', ...more] = bug.name.split('/');
    if (prefix !== set.algorithm || !KEBAB.test(kebab) || more.length > 0) problems.push(`${JSON.stringify(bug.name)} is not ${set.algorithm}/<kebab-case>`);
    if (seen.has(bug.name)) problems.push(`${bug.name} is declared twice`);
    seen.add(bug.name);
    if (typeof bug.description !== 'string' || bug.description.trim() === '') problems.push(`${bug.name} has no description`);
    const exposedBy = bug.exposedBy ?? [];
    if (exposedBy.length === 0) problems.push(`${bug.name} names no scenario that exposes it`);
    if (new Set(exposedBy).size !== exposedBy.length) problems.push(`${bug.name} names a scenario twice in exposedBy`);
    for (const name of exposedBy) {
      const scenario = findScenario(name);
      if (scenario === undefined) problems.push(`${bug.name} is exposed by ${JSON.stringify(name)}, which is not a registered scenario`);
      else if (!scenario.bugs.some((b) => b.name === bug.name)) problems.push(`${bug.name} is exposed by ${name}, whose bugs do not include it`);
    }
  }
  return problems;
}

describe('planted-bug registries (algorithms/*/bugs.ts)', () => {
  it('finds the registries of the algorithms with planted bugs', () => {
    for (const folder of ['raft', 'paxos', 'broadcast', 'failure-detection', 'load-balancing', 'hashing', 'atomic-commit']) expect(FOLDERS).toContain(folder);
  });

  it('the consistency check accepts a well-formed registry and names each fault of a bad one', async () => {
    const { findScenario } = await registeredScenarios();
    const good = defineBugs('paxos', { slow: { name: 'paxos/no-backoff', description: 'retries at once', exposedBy: ['paxos-dueling'] } });
    expect(registryProblems(good, findScenario)).toEqual([]);
    const bad = defineBugs('paxos', {
      camel: { name: 'paxos/noBackoff', description: 'retries at once', exposedBy: ['paxos-dueling'] },
      blank: { name: 'paxos/blank', description: ' ', exposedBy: ['paxos-dueling'] },
      unexposed: { name: 'paxos/unexposed', description: 'x' },
      unknown: { name: 'paxos/unknown', description: 'x', exposedBy: ['paxos-nowhere', 'paxos-nowhere'] },
      foreign: { name: 'paxos/foreign', description: 'x', exposedBy: ['raft-figure-8'] },
    });
    expect(registryProblems(bad, findScenario)).toEqual([
      '"paxos/noBackoff" is not paxos/<kebab-case>',
      'paxos/noBackoff is exposed by paxos-dueling, whose bugs do not include it',
      'paxos/blank has no description',
      'paxos/blank is exposed by paxos-dueling, whose bugs do not include it',
      'paxos/unexposed names no scenario that exposes it',
      'paxos/unknown names a scenario twice in exposedBy',
      'paxos/unknown is exposed by "paxos-nowhere", which is not a registered scenario',
      'paxos/unknown is exposed by "paxos-nowhere", which is not a registered scenario',
      'paxos/foreign is exposed by raft-figure-8, whose bugs do not include it',
    ]);
  });

  for (const folder of FOLDERS) {
    it(`${folder}/bugs.ts: each bug is <algorithm>/<kebab-case>, described, and exposed by a scenario that lists it`, async () => {
      const { findScenario } = await registeredScenarios();
      const set = await freshRegistry(folder);
      expect(set.specs.length).toBeGreaterThan(0);
      expect(registryProblems(set, findScenario)).toEqual([]);
    });

    it(`${folder}/bugs.ts: names, none and active(name) agree with the declarations`, async () => {
      const set = await freshRegistry(folder);
      const keys = Object.keys(set.names);
      expect(keys.map((key) => set.names[key])).toEqual(set.specs.map((bug) => bug.name));
      expect(Object.values(set.none).every((on) => on === false)).toBe(true);
      for (const key of keys) {
        const active = set.active(set.names[key]!);
        expect(Object.keys(active).filter((k) => active[k]), set.names[key]).toEqual([key]);
      }
    });
  }

  it('no two registries share a bug name or an algorithm prefix', async () => {
    const sets = await Promise.all(FOLDERS.map(freshRegistry));
    const names = sets.flatMap((set) => set.specs.map((bug) => bug.name));
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(sets.map((set) => set.algorithm)).size).toBe(sets.length);
  });

  it('every built-in scenario\'s planted bugs are its algorithm\'s registry, and scenarios of one algorithm share one', async () => {
    const { builtInScenarios } = await registeredScenarios();
    const sets = await Promise.all(FOLDERS.map(freshRegistry));
    const registryOf = new Map<string, string>();
    for (const scenario of builtInScenarios) {
      if (scenario.bugs.length === 0) continue;
      const owners = sets.filter((set) => scenario.bugs.some((bug) => bug.name.startsWith(`${set.algorithm}/`)));
      expect(owners.map((set) => set.algorithm), `${scenario.name}: the registries its bugs come from`).toHaveLength(1);
      const set = owners[0]!;
      for (const bug of scenario.bugs) expect({ ...bug }, `${scenario.name} lists ${bug.name}`).toEqual({ ...set.specs.find((b: BugSpec) => b.name === bug.name) });
      expect(registryOf.get(scenario.algorithm) ?? set.algorithm, `${scenario.name} (${scenario.algorithm})`).toBe(set.algorithm);
      registryOf.set(scenario.algorithm, set.algorithm);
    }
    // Every registry is some scenario's: a bug no scenario lists could never be switched on.
    expect([...new Set(registryOf.values())].sort()).toEqual(sets.map((set) => set.algorithm).sort());
  });
});
