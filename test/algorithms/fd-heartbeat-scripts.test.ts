// The heartbeat-based failure detectors rule by rule: each script in test/scripts/fd/ drives real members
// message by message through lab/protocol-script.ts (heartbeat-*.txt: fixed timeout; phi-*.txt: phi
// accrual) and states what each step must produce. Each planted bug breaks exactly the script of its
// rule and leaves the others passing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProtocolScriptError, runProtocolScript, runProtocolScriptFile, type ProtocolScriptAdapter } from '../../lab/protocol-script.js';
import type { Process } from '../../sim/process.js';
import { heartbeatConfig, heartbeatMembers, phiConfig, phiMembers, type FdBugName } from './fd-heartbeat-harness.js';

const SCRIPTS = join(import.meta.dirname, '..', 'scripts', 'fd');

/** The scripts' settings: interval 100ms, timeout 500ms; phi with threshold 8, window 3, min std 10ms, no pause. */
const adapterFor = (file: string, bug?: FdBugName): ProtocolScriptAdapter<unknown> => ({
  create(_id, options) {
    // A phi script may change the acceptable pause: `nodes n1 n2 {acceptablePauseMicros: 50000}`.
    const { acceptablePauseMicros = 0, ...unknown } = options as { acceptablePauseMicros?: number };
    if (Object.keys(unknown).length > 0) throw new ProtocolScriptError(`unknown option(s) ${Object.keys(unknown).join(', ')}`);
    const create = file.startsWith('phi-') ? phiMembers(phiConfig(bug, { windowSize: 3, acceptablePauseMicros })) : heartbeatMembers(heartbeatConfig(bug));
    return create() as Process<unknown>;
  },
});

/** Runs a script under a planted bug: its output, or 'cannot run' when a step cannot happen (a timer not set). */
function runUnder(file: string, bug: FdBugName): { expected: string; actual: string } | 'cannot run' {
  try {
    return runProtocolScript(readFileSync(join(SCRIPTS, file), 'utf8'), adapterFor(file, bug), file);
  } catch (error) {
    if (!(error instanceof ProtocolScriptError)) throw error;
    return 'cannot run';
  }
}

describe('heartbeat and phi accrual protocol scripts (one per rule)', () => {
  const files = readdirSync(SCRIPTS).filter((f) => /^(heartbeat|phi)-.*\.txt$/.test(f)).sort();

  it('has a script for each rule', () => {
    expect(files).toEqual([
      'heartbeat-each-interval.txt', 'heartbeat-heard-again-alive.txt', 'heartbeat-restart-incarnation.txt', 'heartbeat-timeout-declares-dead.txt',
      'phi-acceptable-pause.txt', 'phi-crosses-threshold.txt', 'phi-first-heartbeat-estimate.txt', 'phi-heard-again-alive.txt',
    ]);
  });

  for (const file of files) {
    it(file, () => {
      const { expected, actual } = runProtocolScriptFile(join(SCRIPTS, file), adapterFor(file));
      expect(actual).toBe(expected);
    });
  }

  // A planted bug flips exactly the rule it names: its script fails, every other script of its detector passes.
  it.each([
    { bug: 'timeoutBelowInterval' as const, breaks: ['heartbeat-timeout-declares-dead.txt', 'heartbeat-heard-again-alive.txt'], detector: 'heartbeat-' },
    { bug: 'noMinStdDeviation' as const, breaks: ['phi-acceptable-pause.txt', 'phi-crosses-threshold.txt', 'phi-heard-again-alive.txt'], detector: 'phi-' },
  ])('planted bug $bug breaks $breaks and no other script', ({ bug, breaks, detector }) => {
    for (const file of files.filter((f) => f.startsWith(detector))) {
      const outcome = runUnder(file, bug);
      const failed = outcome === 'cannot run' || outcome.actual !== outcome.expected;
      expect(failed, `${file} under ${bug}`).toBe(breaks.includes(file));
    }
  });
});
