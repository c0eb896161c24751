// `request` entries end to end: `faultline run --faults` with a client request on demand (its words in the
// summary, its canonical form in --json and the replay file), `faultline replay` of that file to the same
// fingerprint, and `faultline shrink` dropping request entries like any other entry.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultWindows } from '../../lab/shrink.js';
import type { FaultEntry } from '../../sim/faults.js';
import { cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('request');

describe('faultline with request entries', () => {
  it('run --faults: the words, the canonical entry in --json, and a replay file that replays bit for bit', () => {
    writeFileSync(join(work, 'faults.json'), JSON.stringify([
      { at: '1s', kind: 'request', node: 'c1', op: { value: '5', key: 'k2', op: 'put' } },
      { at: '1.5s', kind: 'request', node: '@client:any' },
      { at: '2s', kind: 'crash', node: '@leader' },
    ]));
    const text = faultline('run', 'raft-leader-crash', '--seed', '3', '--duration', '4s', '--faults', 'faults.json', '--save', 'run.json');
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/1s {2}c1 issues put k2=5\n/);
    expect(text.stdout).toMatch(/1\.5s {2}one client \(at random\) issues a request → c\d issues a request\n/);
    const fingerprint = /fingerprint ([0-9a-f]{16})/.exec(text.stdout)![1]!;

    const json = faultline('run', 'raft-leader-crash', '--seed', '3', '--duration', '4s', '--faults', 'faults.json', '--json');
    const result = JSON.parse(json.stdout) as { fingerprint: string; faults: FaultEntry[] };
    expect(result.fingerprint).toBe(fingerprint);
    expect(result.faults[0]).toEqual({ at: 1_000_000, kind: 'request', node: 'c1', op: { op: 'put', key: 'k2', value: '5' } });

    const saved = JSON.parse(readFileSync(join(work, 'run.json'), 'utf8')) as { faults: FaultEntry[]; expected: { fingerprint: string } };
    expect(saved.faults.filter((f) => f.kind === 'request')).toHaveLength(2);
    expect(saved.expected.fingerprint).toBe(fingerprint);
    const replay = faultline('replay', 'run.json');
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`fingerprint ${fingerprint}`);
    // The same run without the requests is another run.
    writeFileSync(join(work, 'crash-only.json'), JSON.stringify([{ at: '2s', kind: 'crash', node: '@leader' }]));
    const without = faultline('run', 'raft-leader-crash', '--seed', '3', '--duration', '4s', '--faults', 'crash-only.json', '--json');
    expect(JSON.parse(without.stdout).fingerprint).not.toBe(fingerprint);
  });

  it('run --check-determinism agrees with itself with requests in the schedule', () => {
    writeFileSync(join(work, 'requests.json'), JSON.stringify([{ at: '0.5s', kind: 'request', node: 'n2', op: { op: 'broadcast', value: 7 } }, { at: '0.7s', kind: 'request', node: '@server:any' }]));
    const r = faultline('run', 'broadcast-chaos', '--seed', '2', '--duration', '2s', '--faults', 'requests.json', '--check-determinism');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('n2 issues broadcast 7');
  });

  it('a request stands alone in a shrink window, so it can be dropped', () => {
    const request: FaultEntry = { at: 1, kind: 'request', node: 'c1' };
    const crash: FaultEntry = { at: 2, kind: 'crash', node: 'n1' };
    const restart: FaultEntry = { at: 3, kind: 'restart', node: 'n1' };
    expect(faultWindows([request, crash, { ...request, at: 2 }, restart])).toEqual([[request], [crash, restart], [{ ...request, at: 2 }]]);
  });

  it('shrink drops request entries the failure does not need', () => {
    const failing = faultline('run', 'raft-figure-8', '--seed', '1', '--bug', 'raft/commit-old-term', '--save', 'fail.json');
    expect(failing.status, failing.stderr).toBe(1);
    const file = JSON.parse(readFileSync(join(work, 'fail.json'), 'utf8')) as { faults: unknown[] };
    file.faults = [{ at: 500_000, kind: 'request', node: 'c2', op: { op: 'put', key: 'k1', value: 'x' } }, ...file.faults, { at: 9_000_000, kind: 'request', node: 'c3' }];
    writeFileSync(join(work, 'fail.json'), JSON.stringify(file));
    const shrunk = faultline('shrink', 'fail.json');
    // Its exit code is the shrunk run's outcome: still a safety violation.
    expect(shrunk.status, shrunk.stderr).toBe(1);
    const min = JSON.parse(readFileSync(join(work, 'fail.min.json'), 'utf8')) as { faults: FaultEntry[] };
    expect(min.faults.length).toBeGreaterThan(0);
    expect(min.faults.some((f) => f.kind === 'request')).toBe(false);
  }, 60_000);
});
