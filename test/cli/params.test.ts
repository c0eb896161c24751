// End-to-end: parameters that cannot work are refused before anything runs (one line, exit 2, nothing
// written): min/max pairs the wrong way round, durations past 24 h, more workers than 4 per core, node
// counts a scenario cannot use. Hours are accepted, clients=0 runs, and one Raft server commits.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('params');

describe('parameters that cannot work are refused: one line, exit 2, nothing written', () => {
  const tooMany = String(4 * availableParallelism() + 1);
  const cases: [string, string[], string][] = [
    ['a min above its default max', ['run', 'raft-chaos', '--seed', '1', '--set', 'electionTimeoutMicrosMin=500ms'],
      'faultline: --set electionTimeoutMicrosMin=500ms is greater than electionTimeoutMicrosMax=300ms (its default)'],
    ['a max below its default min', ['run', 'paxos-chaos', '--seed', '1', '--set', 'clientThinkMicrosMax=5ms'],
      'faultline: --set clientThinkMicrosMax=5ms is less than clientThinkMicrosMin=10ms (its default)'],
    ['both halves set the wrong way round', ['run', 'raft-chaos', '--seed', '1', '--set', 'nemesisWindowMicrosMin=4s', '--set', 'nemesisWindowMicrosMax=3s'],
      'faultline: --set nemesisWindowMicrosMin=4s is greater than nemesisWindowMicrosMax=3s'],
    ['a pair in a sweep', ['sweep', 'raft-chaos', '--seeds', '1..2', '--set', 'electionTimeoutMicrosMax=100ms'],
      'faultline: --set electionTimeoutMicrosMax=100ms is less than electionTimeoutMicrosMin=150ms (its default)'],
    ['a fault phase over 24h', ['run', 'raft-chaos', '--seed', '1', '--duration', '25h'], 'faultline: --duration 25h: at most 24h of simulated time'],
    ['a sweep fault phase over 24h', ['sweep', 'raft-chaos', '--seeds', '1..2', '--duration', '1441m'], 'faultline: --duration 1441m: at most 24h of simulated time'],
    ['a duration parameter over 24h', ['run', 'raft-chaos', '--seed', '1', '--set', 'recoveryMicrosMax=25h'],
      'faultline: --set recoveryMicrosMax=25h: expected at most 24h, the longest simulated span faultline runs'],
    ['more workers than 4 per core', ['sweep', 'broadcast-chaos', '--seeds', '1..2', '--workers', tooMany],
      `faultline: --workers ${tooMany}: at most ${4 * availableParallelism()} (4 per core, and this machine has ${availableParallelism()} core${availableParallelism() === 1 ? '' : 's'}); more threads only cost memory and time`],
    ['a broadcast of one node', ['run', 'broadcast-chaos', '--seed', '1', '--nodes', '1'],
      'faultline: --nodes 1: scenario broadcast-chaos runs with 2 to 64 nodes (with one node no value can travel, and the checks need one to)'],
    ['a staged Raft script at another size', ['run', 'raft-figure-8', '--seed', '1', '--nodes', '7'],
      'faultline: --nodes 7: scenario raft-figure-8 runs with exactly 5 nodes (its staged fault script casts five servers in fixed parts)'],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const out = join(work, `bad-${name.replace(/\W+/g, '-')}`);
      const r = faultline(...args, ...(args[0] === 'sweep' ? ['--out', out] : ['--save', out]));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(message + '\n');
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('what works', () => {
  it('--duration takes hours', () => {
    const r = faultline('run', 'broadcast-chaos', '--seed', '1', '--duration', '0.001h', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).replay).toContain('--duration 3600ms');
  });

  it('a Raft cluster without clients runs elections only, and passes', () => {
    const r = faultline('run', 'raft-chaos', '--seed', '1', '--set', 'clients=0', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).checks.map((c: { name: string }) => c.name)).toContain('leader-elected-and-entry-committed');
  });

  it('a one-server Raft commits writes', () => {
    const r = faultline('run', 'raft-chaos', '--seed', '1', '--nodes', '1', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).outcome).toBe('pass');
  });

  it('--help states the bounds', () => {
    expect(faultline('run', '--help').stdout.replace(/\s+/g, ' ')).toContain('at most 24h');
    const sweep = faultline('sweep', '--help').stdout.replace(/\s+/g, ' ');
    expect(sweep).toContain('at most 24h');
    expect(sweep).toContain('at most 4 per core');
  });
});
