// SWIM rule by rule: each script in test/scripts/swim/ drives SwimMembers message by message
// (lab/protocol-script.ts) and states what each step must produce. Each planted bug breaks the rule of
// one script, and that script must then fail.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdBugs } from '../../algorithms/failure-detection/bugs.js';
import { ProtocolScriptError, runProtocolScript, runProtocolScriptFile } from '../../lab/protocol-script.js';
import { swimAdapter } from './fd-swim-adapter.js';

const SCRIPTS = join(import.meta.dirname, '..', 'scripts', 'swim');

function outcome(text: string, bug: string | undefined, file: string): { expected: string; actual: string } | 'cannot run' {
  try {
    return runProtocolScript(text, swimAdapter(bug), file);
  } catch (error) {
    if (!(error instanceof ProtocolScriptError)) throw error;
    return 'cannot run';
  }
}

describe('SWIM protocol scripts (one per rule)', () => {
  const files = readdirSync(SCRIPTS).filter((f) => f.endsWith('.txt')).sort();

  it('has a script for each rule', () => {
    expect(files).toEqual(['buddy-system.txt', 'indirect-probe.txt', 'refutation.txt', 'restart-announces.txt', 'suspect-then-confirm.txt']);
  });

  for (const file of files) {
    it(file, () => {
      const { expected, actual } = runProtocolScriptFile(join(SCRIPTS, file), swimAdapter());
      expect(actual).toBe(expected);
    });
  }

  it.each([
    ['refutation.txt', fdBugs.names.noRefutation],
    ['indirect-probe.txt', fdBugs.names.noIndirectProbes],
  ])('%s fails under planted bug %s', (file, bug) => {
    const result = outcome(readFileSync(join(SCRIPTS, file), 'utf8'), bug, file);
    if (result !== 'cannot run') expect(result.actual).not.toBe(result.expected);
  });

  it('buddy-system.txt fails without Lifeguard (the last ping to the suspect carries no news)', () => {
    const text = readFileSync(join(SCRIPTS, 'buddy-system.txt'), 'utf8').replace('{lifeguard: true}', '{lifeguard: false}');
    const result = outcome(text, undefined, 'buddy-system.txt');
    expect(result).not.toBe('cannot run');
    if (result === 'cannot run') return;
    expect(result.actual).not.toBe(result.expected);
    expect(result.actual).toContain('n1 -> n3 ping {seq: 5, updates: []}');
  });
});
