// The one-line shell command that reproduces a prepared run: `faultline run` with exactly the flags
// that differ from the scenario's defaults. Shared by the terminal, JSON and HTML reports and sweeps.

import type { PreparedRun } from '../sim/run.js';
import { allParams, formatParamValue } from '../sim/scenario.js';
import { formatMicrosExact } from '../sim/time.js';

/** The exact command that reproduces a prepared run (flags only where they differ from defaults). */
export function replayCommand(prepared: PreparedRun): string {
  const { scenario } = prepared;
  const parts = ['faultline', 'run', scenario.name, '--seed', String(prepared.seed)];
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

