// End-to-end tests of replay files: run --save, faultline replay (exit = outcome; a hand edit is a
// new run, named on stderr; 4 when the same inputs gave another fingerprint; 2 with the field named
// for a bad edit), faultline shrink, and --report.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstFailingSeed } from '../helpers.js';
import { cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('lab');
/** The failing run these tests replay and shrink: the first seed that catches the bug, found, not chosen. */
const SEED = firstFailingSeed('raft-chaos', 'raft/vote-without-log-check');


const saved = join(work, 'vote.json');

describe('replay files', () => {
  it('run --save writes a self-describing file that replays to the same outcome and fingerprint', () => {
    const run = faultline('run', 'raft-chaos', '--seed', String(SEED), '--bug', 'raft/vote-without-log-check', '--save', saved, '--json');
    expect(run.status).toBe(1);
    const file = JSON.parse(readFileSync(saved, 'utf8'));
    expect(file).toMatchObject({ format: 'faultline-replay/1', scenario: 'raft-chaos', seed: SEED, bug: 'raft/vote-without-log-check', nodes: 5 });
    expect(file.faultline).toMatch(/^\d+\.\d+\.\d+/);
    expect(file.expected.fingerprint).toBe(JSON.parse(run.stdout).fingerprint);
    expect(file.expected.violated.map((c: { name: string }) => c.name)).toContain('leader-completeness');
    const replay = faultline('replay', saved, '--json');
    expect(replay.status).toBe(1);
    expect(JSON.parse(replay.stdout)).toMatchObject({ fingerprint: file.expected.fingerprint, reproduced: true });
  });

  it('a hand-edited file is a new run: one line naming the edited fields, and the exit code is its outcome', () => {
    const file = JSON.parse(readFileSync(saved, 'utf8'));
    expect(Object.keys(file.expected.inputs)).toEqual(expect.arrayContaining(['scenario', 'seed', 'bug', 'nodes', 'durationMicros', 'params.clients', 'faults']));
    const exitOf = { pass: 0, 'safety-violation': 1, 'liveness-violation': 3 } as Record<string, number>;
    const edits: [string, object, string][] = [
      ['drop-fault.json', { ...file, faults: file.faults.slice(1) }, 'faults'],
      ['no-faults.json', { ...file, faults: [] }, 'faults'],
      ['params.json', { ...file, params: { ...file.params, clients: 1, keys: 2 } }, 'params.clients, params.keys'],
      ['seed.json', { ...file, seed: SEED + 1 }, 'seed'],
    ];
    for (const [name, edited, fields] of edits) {
      const path = join(work, name);
      writeFileSync(path, JSON.stringify(edited, null, 2));
      const r = faultline('replay', path, '--json');
      const json = JSON.parse(r.stdout);
      expect(r.status, name).toBe(exitOf[json.outcome]);
      expect(json).toMatchObject({ edited: true, reproduced: false });
      const lines = r.stderr.trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0]).toBe(`faultline: replay: the inputs of ${path} were edited since it was recorded (${fields}); this is a new run: ${json.outcome} (recorded: safety-violation)`);
    }
    // Dropping every fault is a pass: exit 0, not 4.
    expect(faultline('replay', join(work, 'no-faults.json')).status).toBe(0);
    // The same inputs written differently (a time as a duration string, keys in another order) are not an edit.
    const respelled = join(work, 'respelled.json');
    const [firstFault, ...rest] = file.faults;
    const { at, ...others } = firstFault;
    writeFileSync(respelled, JSON.stringify({ ...file, faults: [{ ...others, at: `${at / 1000}ms` }, ...rest] }));
    const same = faultline('replay', respelled, '--json');
    expect(same.status).toBe(1);
    expect(same.stderr).toBe('');
    expect(JSON.parse(same.stdout)).toMatchObject({ edited: false, editedFields: [], reproduced: true });
  });

  it('unedited inputs with another fingerprint exit 4; a file without input digests says so; a bad edit names the field', () => {
    const file = JSON.parse(readFileSync(saved, 'utf8'));
    const tampered = join(work, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...file, expected: { ...file.expected, fingerprint: '0123456789abcdef' } }));
    const moved = faultline('replay', tampered, '--json');
    expect(moved.status).toBe(4);
    expect(JSON.parse(moved.stdout)).toMatchObject({ edited: false, reproduced: false });
    expect(moved.stderr).toMatch(/gave fingerprint [0-9a-f]{16}, the file expects 0123456789abcdef .*the inputs are as recorded, so the code changed \(written by faultline \d+\.\d+\.\d+, this is \d+\.\d+\.\d+\) or the run is nondeterministic\n$/);
    expect(moved.stderr.trim().split('\n')).toHaveLength(1);

    const { inputs: _inputs, ...older } = file.expected;
    const old = join(work, 'old.json');
    writeFileSync(old, JSON.stringify({ ...file, faults: [], expected: older }));
    const oldRun = faultline('replay', old, '--json');
    expect(oldRun.status).toBe(4);
    expect(JSON.parse(oldRun.stdout)).toMatchObject({ edited: null });
    expect(oldRun.stderr).toMatch(/the file records no input digests, so an edit cannot be told from a change in the code/);

    const badDigest = join(work, 'bad-digest.json');
    writeFileSync(badDigest, JSON.stringify({ ...file, expected: { ...file.expected, inputs: { ...file.expected.inputs, seed: 'x' } } }));
    const b = faultline('replay', badDigest);
    expect(b.status).toBe(2);
    expect(b.stderr).toBe(`faultline: ${badDigest}: expected.inputs.seed: expected 16 hex digits; got "x"\n`);

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
    const r = faultline('sweep', 'raft-chaos', '--bug', 'raft/vote-without-log-check', '--seeds', `${SEED}..${SEED + 1}`, '--workers', '1', '--out', dir, '--shrink', '--json');
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.shrunk.file).toBe(join(dir, 'failures', `raft-chaos-${SEED}.min.json`));
    expect(summary.shrunk.after.faults).toBeLessThanOrEqual(3);
    expect(faultline('replay', summary.shrunk.file).status).toBe(1);
    // Replay files written in a worker thread and by shrink record the input digests too.
    for (const name of [`raft-chaos-${SEED}.json`, `raft-chaos-${SEED}.min.json`]) {
      const file = JSON.parse(readFileSync(join(dir, 'failures', name), 'utf8'));
      expect(file.expected.inputs.faults, name).toMatch(/^[0-9a-f]{16}$/);
    }
    const replayed = faultline('replay', join(dir, 'failures', `raft-chaos-${SEED}.json`), '--json');
    expect(JSON.parse(replayed.stdout)).toMatchObject({ edited: false, reproduced: true });
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
