// End-to-end tests of the faultline command: the --json contract, replay lines and recorded schedules
// that reproduce a run bit for bit, exit codes, traces, and one-line errors for every kind of bad input.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstFailingSeed } from '../helpers.js';
import { BIN, cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('cli');



function runJson(...args: string[]) {
  const r = faultline('run', ...args, '--json');
  expect(r.stderr).toBe('');
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { status: r.status, json: JSON.parse(lines[0]!) };
}

/** Splits a replay line and runs it (it is made only of plain words and single-quoted ones). */
function runReplay(replay: string) {
  const words = replay.match(/'[^']*'|\S+/g)!.map((w) => w.replace(/^'|'$/g, ''));
  expect(words.slice(0, 2)).toEqual(['faultline', 'run']);
  return runJson(...words.slice(2));
}

describe('faultline run --json', () => {
  it('prints exactly one object with the documented shape', () => {
    const { status, json } = runJson('broadcast-chaos', '--seed', '42');
    expect(status).toBe(0);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['scenario', 'seed', 'nemesis', 'bug', 'params', 'outcome', 'fingerprint', 'stats', 'faults', 'checks', 'replay']));
    expect(json).toMatchObject({ scenario: 'broadcast-chaos', seed: 42, nemesis: 'chaos', bug: null, outcome: 'pass' });
    expect(json.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    for (const key of ['events', 'messagesSent', 'messagesDelivered', 'messagesDropped', 'simulatedMicros', 'wallMillis']) {
      expect(typeof json.stats[key], key).toBe('number');
    }
    expect(json.faults.length).toBeGreaterThan(0);
    for (const check of json.checks) expect(Object.keys(check)).toEqual(expect.arrayContaining(['name', 'kind', 'ok']));
    expect(json.params.latencyMicros).toBe(2000);
    expect(json.replay).toBe('faultline run broadcast-chaos --seed 42');
  });

  it('its replay line reproduces the run, including every non-default flag', () => {
    const { json } = runJson('broadcast-lossy', '--seed', '7', '--nodes', '4', '--duration', '4s', '--nemesis', 'chaos',
      '--set', 'lossRatio=30%', '--set', 'retransmitMicros=50ms', '--bug', 'broadcast/no-dedup');
    expect(json.replay).toBe('faultline run broadcast-lossy --seed 7 --nodes 4 --duration 4s --nemesis chaos --set lossRatio=0.3 --set retransmitMicros=50ms --bug broadcast/no-dedup');
    const again = runReplay(json.replay);
    expect(again.json.fingerprint).toBe(json.fingerprint);
    expect(again.status).toBe(1);
  });

  it('the same seed with --faults set to the recorded schedule gives the same fingerprint', () => {
    const { json } = runJson('broadcast-chaos', '--seed', '1234');
    writeFileSync(join(work, 'faults.json'), JSON.stringify(json.faults, null, 2));
    writeFileSync(join(work, 'result.json'), JSON.stringify(json));
    const fromSchedule = runJson('broadcast-chaos', '--seed', '1234', '--faults', 'faults.json');
    expect(fromSchedule.json.fingerprint).toBe(json.fingerprint);
    expect(fromSchedule.json.nemesis).toBe('explicit');
    expect(fromSchedule.json.replay).toBe('faultline run broadcast-chaos --seed 1234 --faults faults.json');
    expect(runJson('broadcast-chaos', '--seed', '1234', '--faults', 'result.json').json.fingerprint).toBe(json.fingerprint);
    // Editing the schedule changes the run.
    writeFileSync(join(work, 'edited.json'), JSON.stringify(json.faults.slice(1)));
    expect(runJson('broadcast-chaos', '--seed', '1234', '--faults', 'edited.json').json.fingerprint).not.toBe(json.fingerprint);
  });

  it('a targeted script records what @leader resolved to, and replays to the same fingerprint', () => {
    const { json } = runJson('raft-leader-crash', '--seed', '3');
    expect(json.faults[0]).toMatchObject({ kind: 'crash', node: '@leader', as: 'L0' });
    expect(json.resolvedFaults[0]).toEqual({ index: 0, resolved: { at: json.faults[0].at, kind: 'crash', node: expect.stringMatching(/^n\d$/) } });
    writeFileSync(join(work, 'script.json'), JSON.stringify(json.faults));
    expect(runJson('raft-leader-crash', '--seed', '3', '--faults', 'script.json').json.fingerprint).toBe(json.fingerprint);
  });

  it('exit codes follow the outcome: 1 safety, 3 liveness', () => {
    const safety = runJson('broadcast-lossy', '--seed', '1', '--bug', 'broadcast/no-dedup');
    expect(safety.status).toBe(1);
    expect(safety.json.outcome).toBe('safety-violation');
    const liveness = runJson('broadcast-partitions', '--seed', '1', '--bug', 'broadcast/no-retransmit');
    expect(liveness.status).toBe(3);
    expect(liveness.json.outcome).toBe('liveness-violation');
  });
});

describe('faultline run, human output and files', () => {
  it('prints a verdict, the checks and stats tables, and the replay line', () => {
    const r = faultline('run', 'broadcast-lossy', '--seed', '5', '--check-determinism');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('PASS');
    expect(r.stdout).toContain('no-duplicate-delivery');
    expect(r.stdout).toContain('messages dropped');
    expect(r.stdout).toContain('replay: faultline run broadcast-lossy --seed 5');
    expect(r.stdout).toMatch(/determinism: a second run gave the same fingerprint [0-9a-f]{16}/);
  });

  it('picks and prints a seed when none is given', () => {
    const { json } = runJson('broadcast-lossy', '--duration', '1s');
    expect(Number.isInteger(json.seed)).toBe(true);
    expect(json.replay).toContain(`--seed ${json.seed}`);
  });

  it('--trace streams every event as NDJSON', () => {
    const r = faultline('run', 'broadcast-partitions', '--seed', '3', '--trace', 'run.ndjson', '--json');
    expect(r.stderr).toMatch(/^wrote run\.ndjson \([\d.]+ [kM]?B\)\n$/);
    const json = JSON.parse(r.stdout);
    const events = readFileSync(join(work, 'run.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const types = new Set(events.map((e) => e.type));
    for (const t of ['start', 'send', 'deliver', 'drop', 'timer', 'fault', 'observe', 'invoke', 'complete', 'phase']) expect(types, t).toContain(t);
    expect(events.filter((e) => e.type === 'deliver').length).toBe(json.stats.messagesDelivered);
    expect(existsSync(join(work, `run.ndjson.tmp-${process.pid}`))).toBe(false);
  });

  it('a reader that closes the pipe early (| head) gets no stack trace, and the exit code stays the outcome\'s', () => {
    // The shell's `faultline run … | head -c 0`: stdout is a pipe whose reader is gone before the output.
    // (A crash on EPIPE exits 1, so a passing run, exit 0, and a liveness failure, exit 3, tell them apart.)
    const piped = (args: string) => spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args} | head -c 0; exit \${PIPESTATUS[0]}`],
      { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    // The liveness failure is the first seed of a range that fails with the bug, not a seed chosen by hand.
    const failing = firstFailingSeed('broadcast-lossy', 'broadcast/no-retransmit');
    for (const [args, status] of [['run raft-leader-crash --seed 1', 0], [`run broadcast-lossy --seed ${failing} --bug broadcast/no-retransmit`, 3]] as const) {
      const r = piped(args);
      expect(r.stderr, args).not.toMatch(/EPIPE|at .*\.ts:\d+/);
      expect(r.status, args).toBe(status);
    }
  });
});

describe('bad input: one line on stderr, exit 2, no stack trace, nothing written', () => {
  writeFileSync(join(work, 'malformed.json'), '[{"at": 0, "kind": ');
  writeFileSync(join(work, 'invalid.json'), JSON.stringify([{ at: 1000, kind: 'crash', node: 'n42' }]));
  const cases: [string, string[], RegExp][] = [
    ['unknown scenario', ['run', 'no-such-scenario'], /unknown scenario 'no-such-scenario'/],
    ['non-numeric seed', ['run', 'broadcast-lossy', '--seed', 'abc'], /--seed abc: expected an integer/],
    ['seed too large', ['run', 'broadcast-lossy', '--seed', '4294967296'], /--seed 4294967296/],
    ['negative seed', ['run', 'broadcast-lossy', '--seed=-1'], /--seed -1/],
    ['bad duration', ['run', 'broadcast-lossy', '--duration', '10 parsecs'], /--duration 10 parsecs: expected a duration/],
    ['missing fault file', ['run', 'broadcast-lossy', '--faults', 'absent.json'], /--faults absent.json: cannot read the file \(ENOENT\)/],
    ['malformed fault file', ['run', 'broadcast-lossy', '--faults', 'malformed.json'], /malformed.json: not valid JSON/],
    ['invalid fault file', ['run', 'broadcast-lossy', '--faults', 'invalid.json'], /invalid.json: fault #1 \(crash\): node must name a cluster node/],
    ['unknown parameter', ['run', 'broadcast-lossy', '--set', 'warpFactor=9'], /unknown parameter 'warpFactor'/],
    ['wrong unit', ['run', 'broadcast-lossy', '--set', 'latencyMicros=fast'], /--set latencyMicros=fast: expected a duration/],
    ['ratio out of range', ['run', 'broadcast-lossy', '--set', 'lossRatio=2'], /expected a ratio from 0 to 1/],
    ['unknown bug', ['run', 'broadcast-lossy', '--bug', 'raft/imaginary'], /no such planted bug/],
    ['unknown nemesis', ['run', 'broadcast-lossy', '--nemesis', 'gremlins'], /argument 'gremlins' is invalid/],
    ['a scenario without a fault script', ['run', 'broadcast-lossy', '--nemesis', 'scenario'], /scenario broadcast-lossy has no fault script/],
    ['too few nodes', ['run', 'broadcast-lossy', '--nodes', '1'], /--nodes 1: scenario broadcast-lossy runs with 2 to 64 nodes/],
    ['unknown option', ['run', 'broadcast-lossy', '--sed', '1'], /unknown option '--sed'/],
    ['unknown verb', ['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const r = faultline(...args, '--trace', 'never.ndjson');
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(work, 'never.ndjson'))).toBe(false);
    });
  }
});

describe('faultline list and --help', () => {
  it('list --json has every scenario with its bugs and parameters', () => {
    const r = faultline('list', '--json');
    expect(r.status).toBe(0);
    const catalogue = JSON.parse(r.stdout);
    const names = catalogue.scenarios.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['broadcast-lossy', 'broadcast-partitions', 'broadcast-chaos']));
    const lossy = catalogue.scenarios.find((s: { name: string }) => s.name === 'broadcast-lossy');
    expect(lossy.bugs.map((b: { name: string }) => b.name)).toEqual(['broadcast/no-retransmit', 'broadcast/no-dedup']);
    expect(lossy.params.find((p: { name: string }) => p.name === 'latencyMicros')).toMatchObject({ unit: 'duration', default: 2000 });
  });

  it('list shows scenarios, descriptions and bugs; list SCENARIO explains one with its parameters', () => {
    const r = faultline('list');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('broadcast-partitions');
    expect(r.stdout).toContain('broadcast/no-dedup');
    const one = faultline('list', 'broadcast-chaos');
    expect(one.stdout).toMatch(/latencyMicros\s+│ 2ms /);
    expect(one.stdout).toContain('base one-way network latency');
    expect(one.stdout).toContain('nemesisIntensityEnd');
  });

  it('every verb has --help', () => {
    for (const args of [['--help'], ['run', '--help'], ['list', '--help']]) {
      const r = faultline(...args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: faultline');
    }
  });
});
