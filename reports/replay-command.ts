// The one-line shell command that reproduces a prepared run: `faultline run` with exactly the flags
// that differ from the scenario's defaults. Shared by the terminal, JSON and HTML reports and sweeps.

import type { PreparedRun } from '../sim/run.js';
import { allParams, formatParamValue } from '../sim/scenario.js';
import { formatMicrosExact } from '../sim/time.js';
import { scenarioModuleArgOf } from '../lab/user-scenarios.js';

/**
 * The exact command that reproduces a prepared run (flags only where they differ from defaults). A
 * scenario of a user's module names the module as the user gave it (`--scenarios PATH`); `scenariosModule`
 * overrides that (a sweep worker, which loaded the module by URL, passes the path the user typed).
 */
export function replayCommand(prepared: PreparedRun, scenariosModule = scenarioModuleArgOf(prepared.scenario)): string {
  const { scenario } = prepared;
  const parts = ['faultline', 'run'];
  if (scenariosModule !== undefined) parts.push('--scenarios', scenariosModule);
  parts.push(scenario.name, '--seed', String(prepared.seed));
  if (prepared.nodeCount !== scenario.defaultNodes) parts.push('--nodes', String(prepared.nodeCount));
  if (prepared.durationMicros !== scenario.defaultDurationMicros) parts.push('--duration', formatMicrosExact(prepared.durationMicros));
  if (prepared.faultsSource !== undefined) parts.push('--faults', prepared.faultsSource);
  else if (prepared.nemesis !== scenario.defaultNemesis) parts.push('--nemesis', prepared.nemesis);
  for (const spec of allParams(scenario)) {
    const value = prepared.params[spec.name]!;
    if (value !== spec.default) parts.push('--set', `${spec.name}=${formatParamValue(spec, value)}`);
  }
  if (prepared.bug !== undefined) parts.push('--bug', prepared.bug);
  return parts.map(shellQuote).join(' ');
}

export function shellQuote(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

