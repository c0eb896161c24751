// End-to-end tests of replay files: run --save, faultline replay (exit = outcome, 4 when the
// fingerprint moved, 2 with the field named for a bad edit), faultline shrink, and --report.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('lab');


const saved = join(work, 'vote.json');

describe('replay files', () => {
  it('run --save writes a self-describing file that replays to the same outcome and fingerprint', () => {
    const run = faultline('run', 'raft-chaos', '--seed', '1', '--bug', 'raft/vote-without-log-check', '--save', saved, '--json');
    expect(run.status).toBe(1);
    const file = JSON.parse(readFileSync(saved, 'utf8'));
    expect(file).toMatchObject({ format: 'faultline-replay/1', scenario: 'raft-chaos', seed: 1, bug: 'raft/vote-without-log-check', nodes: 5 });
    expect(file.faultline).toMatch(/^\d+\.\d+\.\d+/);
    expect(file.expected.fingerprint).toBe(JSON.parse(run.stdout).fingerprint);
    expect(file.expected.violated.map((c: { name: string }) => c.name)).toContain('leader-completeness');
    const replay = faultline('replay', saved, '--json');
    expect(replay.status).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ fingerprint: file.expected.fingerprint, reproduced: true });
  });

  it('a hand edit replays as edited; a changed fingerprint exits 4; a bad edit names the field', () => {
    const file = JSON.parse(readFileSync(saved, 'utf8'));
    const noFaults = join(work, 'no-faults.json');
    writeFileSync(noFaults, JSON.stringify({ ...file, faults: [] }));
    const moved = faultline('replay', noFaults);
    expect(moved.status).toBe(4);
    expect(moved.stderr).toMatch(/gave fingerprint [0-9a-f]{16}, the file expects/);

    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...file, faults: [{ at: '1s', kind: 'crash', node: 'n9' }] }));
    const r = faultline('replay', bad);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/fault #1 \(crash\): node must name a cluster node/);

    writeFileSync(bad, JSON.stringify({ ...file, params: { ...file.params, clients: 'many' } }));
    expect(faultline('replay', bad).stderr).toMatch(/params\.clients: expected an integer; got "many"/);
    writeFileSync(bad, JSON.stringify({ ...file, seed: -1 }));
    expect(faultline('replay', bad).stderr).toMatch(/^faultline: .*bad\.json: seed: expected an integer/);
    writeFileSync(bad, '{ nope');
    expect(faultline('replay', bad).status).toBe(2);
  });

  it('shrink reduces the failure to at most 3 faults within 200 attempts, and the minimal file replays', () => {
    const out = join(work, 'vote.min.json');
    const r = faultline('shrink', saved, '--json');
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.check).toBe('leader-completeness');
    expect(summary.attempts).toBeLessThanOrEqual(200);
    expect(summary.after.faults).toBeLessThanOrEqual(3);
    expect(summary.after.faults).toBeLessThan(summary.before.faults);
    expect(summary.after.operations).toBeLessThan(summary.before.operations);
    expect(summary.file).toBe(out);
    expect(faultline('replay', out).status).toBe(1);
  });

  it('sweep --shrink shrinks the first failure and writes it beside the failure files', () => {
    const dir = join(work, 'sweep-shrink');
    const r = faultline('sweep', 'raft-chaos', '--bug', 'raft/vote-without-log-check', '--seeds', '1..2', '--workers', '1', '--out', dir, '--shrink', '--json');
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.shrunk.file).toBe(join(dir, 'failures', 'raft-chaos-1.min.json'));
    expect(summary.shrunk.after.faults).toBeLessThanOrEqual(3);
    expect(faultline('replay', summary.shrunk.file).status).toBe(1);
  });

  it('shrink refuses a passing run with one line', () => {
    const passing = join(work, 'pass.json');
    expect(faultline('run', 'raft-chaos', '--seed', '1', '--save', passing).status).toBe(0);
    const r = faultline('shrink', passing);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no violated check/);
  });

  it('--report writes one self-contained HTML file on run, replay and shrink', () => {
    const report = join(work, 'run.html');
    expect(faultline('replay', saved, '--report', report).status).toBe(1);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('message-diagram');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const bad = faultline('run', 'raft-chaos', '--seed', '1', '--report', join(work, 'missing-dir', 'r.html'));
    expect(bad.status).toBe(2);
    expect(existsSync(join(work, 'missing-dir'))).toBe(false);
  });
});
