// What a person sees from the command line: "did you mean" for misspelled names, control characters
// from input files escaped in error lines, colour and width that follow the terminal (checked in a
// pseudo-terminal made by script(1)), `list` as an overview, shrink's faults in words.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('ui');

describe('did you mean', () => {
  const cases: [string[], RegExp][] = [
    [['run', 'raft-chas'], /^faultline: unknown scenario 'raft-chas' \(did you mean raft-chaos\?\)$/],
    [['list', 'paxos-duel'], /^faultline: unknown scenario 'paxos-duel' \(did you mean paxos-dueling\?\)$/],
    [['sweep', 'raft-chaoss', '--seeds', '1..2'], /^faultline: unknown scenario 'raft-chaoss' \(did you mean raft-chaos\?\)$/],
    [['run', 'raft-chaos', '--seed', '1', '--bug', 'raft/no-dedpu'], /^faultline: --bug raft\/no-dedpu: scenario raft-chaos has no such planted bug \(did you mean raft\/no-dedup\?\)$/],
    [['run', 'raft-chaos', '--seed', '1', '--set', 'heartbeatMicro=1ms'], /unknown parameter 'heartbeatMicro' for scenario raft-chaos \(did you mean heartbeatMicros\?\)$/],
    // Nothing close: the known names instead.
    [['run', 'zzz'], /^faultline: unknown scenario 'zzz' \(known: broadcast-lossy, .*hash-hot-keys(, [a-z0-9-]+)*\)$/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = faultline(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    });
  }
});

describe('control characters in error lines', () => {
  it('a fault file that would clear the screen is quoted with escapes', () => {
    const file = join(work, 'evil.json');
    writeFileSync(file, JSON.stringify([{ at: 0, kind: 'heal', '\u001b[2J\u0007\u009b\n': 1 }]));
    const r = faultline('run', 'raft-chaos', '--seed', '1', '--faults', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown field '\\x1b\[2J\\x07\\x9b\\n' \(allowed: at, kind\)\n$/);
    expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('an argument with control characters, through commander and through sweep', () => {
    const unknown = faultline('run', 'raft-chaos', '--\u001b[31mseed');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('\\x1b[31mseed');
    expect(unknown.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f]/);
    const sweep = faultline('sweep', '\u001b]0;pwned\u0007');
    expect(sweep.status).toBe(2);
    expect(sweep.stderr).toContain("unknown scenario '\\x1b]0;pwned\\x07'");
  });
});

describe('help and list', () => {
  it('--set help shows no empty default', () => {
    for (const verb of ['run', 'sweep']) {
      const r = faultline(verb, '--help');
      expect(r.stdout).toMatch(/--set <name=value>\s+override a scenario parameter \(repeatable\)\n/);
      expect(r.stdout).not.toContain('(default: [])');
    }
  });

  it('list is an overview: a line per scenario, each bug once, the nemesis profiles; within 100 columns', () => {
    const r = faultline('list');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.every((l) => [...l].length <= 100), r.stdout).toBe(true);
    expect(lines.filter((l) => /^ {2}raft-chaos\s/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => l.trimStart().startsWith('raft/no-dedup:'))).toHaveLength(1);
    expect(r.stdout).toMatch(/exposed by raft-lossy, raft-chaos, raft-majority-split, raft-one-way-partition/);
    expect(r.stdout).toMatch(/^ {2}scenario\s+the scenario's own fault script/m);
  });
});

describe('shrink', () => {
  it('prints the faults left in words, not JSON', () => {
    const save = faultline('run', 'broadcast-partitions', '--seed', '1', '--bug', 'broadcast/no-retransmit', '--save', 'f.json');
    expect(save.status).toBe(3);
    const r = faultline('shrink', 'f.json', '--max-attempts', '50');
    expect(r.status).toBe(3);
    expect(existsSync(join(work, 'f.min.json'))).toBe(true);
    const left = r.stdout.split('faults left:\n')[1]!.split('\nviolated:')[0]!;
    expect(left).toMatch(/^ {2}\d[\d.]*(us|ms|s) {2}n1 cut off from n2, n3, n4, n5$/);
    expect(r.stdout).not.toContain('{"at"');
    expect(r.stdout).toMatch(/in \d+ attempts? \(\d[\d.]*(ms|s)\):/);
    expect(r.stdout).toContain('after:  1 fault, 50 operations, 5 nodes');
  });
});

/** Runs `faultline ARGS` inside a pseudo-terminal COLUMNS wide (script(1)); returns what the terminal got. */
function inTerminal(command: string, env: Record<string, string>, columns = 100): string {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['FORCE_COLOR', 'NO_COLOR', 'CI'].includes(k)));
  const r = spawnSync('script', ['-q', '-e', '-c', `stty cols ${columns}; ${command}`, join(work, 'typescript')], {
    cwd: work, encoding: 'utf8', env: { ...clean, TERM: 'xterm-256color', ...env },
  });
  return r.stdout.replace(/\r\n/g, '\n');
}

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const run = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run raft-lossy --seed 1 --bug raft/no-dedup`;

describe.runIf(hasScript)('on a terminal', () => {
  it('colour on a terminal; none with NO_COLOR; none when stdout is piped though stderr is a terminal', () => {
    expect(inTerminal(run, {})).toContain('\u001b[1m');
    expect(inTerminal(run, { NO_COLOR: '1' })).not.toContain('\u001b');
    expect(inTerminal(`${run} | cat`, {})).not.toContain('\u001b');
    expect(inTerminal(`${run} | cat`, { FORCE_COLOR: '1' })).toContain('\u001b[1m');
  });

  it('fits the terminal width', () => {
    const text = inTerminal(run, {}, 72);
    expect(text).toContain('linearizable-history');
    const wide = text.split('\n').filter((l) => [...stripVTControlCharacters(l)].length > 72);
    expect(wide).toEqual([]);
  });
});
