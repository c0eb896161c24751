// End-to-end tests of `faultline experiment` and `faultline list --experiments`: a small grid's table and
// stderr summary, byte-identical --json (twice, and with one worker or two), the --csv rows, overrides of a
// file's seeds, metrics and settings (never of an axis), shipped names resolved beside the package (not
// the working folder), and one-line errors (exit 2, nothing written) for bad grids, files and outputs.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedExperimentNames } from '../../lab/experiment-file.js';
import type { ExperimentResult } from '../../lab/experiment-model.js';
import { cliWorkspace, ROOT } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('experiment-cli');
const FIXTURE = join(ROOT, 'test/fixtures/experiment-small.json');

// Inputs on disk for the refusals below: a folder and a file that are not experiment files, and files
// each bad in one field.
const small = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
mkdirSync(join(work, 'folder'));
writeFileSync(join(work, 'exp.txt'), JSON.stringify(small));
writeFileSync(join(work, 'seeds.json'), JSON.stringify({ ...small, seeds: '2..1' }));
writeFileSync(join(work, 'duration.json'), JSON.stringify({ ...small, duration: '5' }));
writeFileSync(join(work, 'labels.json'), JSON.stringify({ ...small, vary: [{ vary: 'clients=1,2', labels: ['c', 'c'] }], references: [] }));
writeFileSync(join(work, 'point.json'), JSON.stringify({ ...small, references: [{ point: {}, metric: 'leaderElectionMicros', stat: 'median', value: '200ms', source: 's' }] }));
writeFileSync(join(work, 'infinite.json'), JSON.stringify(small).replace('"value":"200ms"', '"value":1e999'));

describe('faultline experiment', () => {
  it('runs a small grid: a table per metric on stdout, a one-line summary with the wall clock on stderr, exit 0', () => {
    const r = faultline('experiment', 'raft-leader-crash', '--vary', 'electionTimeoutMicrosMax=200ms,300ms', '--seeds', '1..3', '--metric', 'leaderElectionMicros', '--workers', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('leaderElectionMicros');
    expect(r.stdout).toContain('200ms');
    expect(r.stdout).toContain('300ms');
    // Not a terminal: no progress bar, only the summary line.
    expect(r.stderr).toMatch(/^experiment raft-leader-crash: 6 runs, [\d,]+ events in [\d.]+m?s \([\d,]+ events\/s, 2 workers\)\n$/);
  });

  it('--json is byte-identical run twice and with one worker or two, and holds no wall-clock figure', () => {
    const a = faultline('experiment', FIXTURE, '--json', '--workers', '1');
    const b = faultline('experiment', FIXTURE, '--json', '--workers', '2');
    const c = faultline('experiment', FIXTURE, '--json', '--workers', '2');
    for (const r of [a, b, c]) expect(r.status, r.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).toBe(a.stdout);
    expect(a.stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(a.stdout) as ExperimentResult;
    expect(result.format).toBe('faultline-experiment/1');
    expect(result.name).toBe('experiment-small');
    expect(result.runs).toBe(6);
    expect(result.points.map((p) => p.params)).toEqual([
      { electionTimeoutMicrosMin: '150ms', electionTimeoutMicrosMax: '155ms' },
      { electionTimeoutMicrosMin: '150ms', electionTimeoutMicrosMax: '300ms' },
    ]);
    expect(result.references[0]!.ours).toBe(result.points[1]!.metrics.leaderElectionMicros!.stats!.median);
    expect(a.stdout).not.toMatch(/wall|perSecond/i);
  }, 60_000);

  it('--csv writes one row per point × metric, with the statistics of --json', () => {
    const r = faultline('experiment', FIXTURE, '--csv', 'out.csv', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^wrote out\.csv \(/m);
    const result = JSON.parse(r.stdout) as ExperimentResult;
    const lines = readFileSync(join(work, 'out.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('group,scenario,point,electionTimeoutMicrosMin,electionTimeoutMicrosMax,runs,pass,safety,liveness,metric,unit,count,min,p10,median,mean,ci low,ci high,p90,p99,max,runs without');
    expect(lines).toHaveLength(1 + 2 * 2);
    const row = lines[3]!.split(',');
    const stats = result.points[1]!.metrics.leaderElectionMicros!.stats!;
    expect(row.slice(0, 11)).toEqual(['experiment-small', 'raft-leader-crash', '150-300ms', '150ms', '300ms', '3', String(result.points[1]!.outcomes.pass), String(result.points[1]!.outcomes.safetyViolation), String(result.points[1]!.outcomes.livenessViolation), 'leaderElectionMicros', 'us']);
    expect(row.slice(11, 21).map(Number)).toEqual([stats.count, stats.min, stats.p10, stats.median, stats.mean, stats.meanCiLow, stats.meanCiHigh, stats.p90, stats.p99, stats.max]);
    expect(lines[4]!.split(',').slice(9, 11)).toEqual(['messagesPerCommit', 'number']);
  }, 60_000);

  it('flags override a file\'s seeds and metrics; --report writes a self-contained page', () => {
    const r = faultline('experiment', FIXTURE, '--seeds', '1..2', '--metric', 'messagesPerCommit,events', '--json', '--report', 'r.html');
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as ExperimentResult;
    expect(result.runs).toBe(4);
    expect(result.seeds).toEqual({ from: 1, to: 2 });
    expect(result.metrics.map((m) => m.name)).toEqual(['messagesPerCommit', 'events']);
    // The file's reference names a metric no longer measured, so it goes too.
    expect(result.references).toEqual([]);
    const html = readFileSync(join(work, 'r.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    // Self-contained: nothing loaded from the network (d3's inlined licence and the SVG namespace may name URLs).
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?https?:/i);
    expect(html).toContain('experiment-small');
  }, 60_000);

  it('--set on the command line comes after a group\'s set (flags override the file)', () => {
    // The group's own setting is refused by Raft (a minimum above the default maximum); --set mends it.
    const file = { title: 't', scenario: 'raft-leader-crash', seeds: '1', duration: '1s', metrics: ['events'], groups: [{ name: 'g', set: ['electionTimeoutMicrosMin=400ms'], vary: ['clients=1'] }] };
    writeFileSync(join(work, 'grouped.json'), JSON.stringify(file));
    const r = faultline('experiment', 'grouped.json', '--set', 'electionTimeoutMicrosMin=150ms', '--json', '--workers', '1');
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ExperimentResult).set).toEqual(['electionTimeoutMicrosMin=150ms']);
  });

  it('--csv has one scenario column when the scenario is varied', () => {
    const r = faultline('experiment', 'raft-leader-crash', '--vary', 'scenario=raft-leader-crash,paxos-leader-crash', '--seeds', '1', '--duration', '1s', '--metric', 'events', '--csv', '-', '--workers', '1');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('group,scenario,point,runs,pass,safety,liveness,metric,unit,count,min,p10,median,mean,ci low,ci high,p90,p99,max,runs without');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['raft-leader-crash,raft-leader-crash,raft-leader-crash', 'raft-leader-crash,paxos-leader-crash,paxos-leader-crash']);
  });

  it('takes FILE.JSON (any case) as an experiment file', () => {
    writeFileSync(join(work, 'upper.JSON'), JSON.stringify({ ...small, name: undefined }));
    const r = faultline('experiment', 'upper.JSON', '--seeds', '1', '--metric', 'events', '--json', '--workers', '1');
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ExperimentResult).name).toBe('upper');
  });

  it('finds a shipped experiment by name beside the package, never in the working folder', () => {
    mkdirSync(join(work, 'experiments'), { recursive: true });
    cpSync(FIXTURE, join(work, 'experiments', 'local-only.json'));
    const r = faultline('experiment', 'local-only');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^faultline: unknown scenario or experiment 'local-only' \(/);
  });

  it.each([
    [['raft-leader-crash', '--vary', 'electionTimeoutMicrosMx=1s', '--seeds', '1..2'], /^faultline: --vary electionTimeoutMicrosMx=1s: unknown parameter 'electionTimeoutMicrosMx' for scenario raft-leader-crash \(did you mean electionTimeoutMicrosMax/],
    [['raft-leader-crash', '--vary', 'heartbeatMicros=fast', '--seeds', '1..2'], /^faultline: --vary heartbeatMicros=fast: heartbeatMicros=fast: expected a duration/],
    [['raft-leader-crash', '--seeds', '1..2'], /^faultline: experiment: no axis to vary \(the grid is empty/],
    [['raft-leader-crash', '--vary', 'clients=1,2'], /^faultline: experiment raft-leader-crash: --seeds is required/],
    [['raft-leader-crash', '--vary', 'clients=1,2', '--seeds', '1..2', '--metric', 'leaderElection'], /^faultline: --metric leaderElection: no such metric \(did you mean leaderElectionMicros/],
    [[FIXTURE, '--vary', 'clients=1,2'], /^faultline: --vary clients=1,2: not with an experiment file/],
    [[FIXTURE, '--seeds', 'all'], /^faultline: --seeds all: expected a range/],
    [['nothing.json'], /^faultline: nothing\.json: cannot read the file \(ENOENT\)/],
    [['raft-leader-crash', '--vary', 'clients=1,2', '--seeds', '1..2', '--csv', 'same', '--report', 'same'], /^faultline: --csv same and --report same name the same file/],
    [['raft-leader-crash', '--vary', 'clients=1,2', '--seeds', '1..2', '--csv', '-', '--json'], /^faultline: --csv -: standard output is taken by --json/],
    [['raft-leader-crash', '--vary', 'electionTimeoutMicrosMax=200ms,300ms', '--set', 'electionTimeoutMicrosMax=300ms', '--seeds', '1..2'], /^faultline: --set electionTimeoutMicrosMax=300ms: electionTimeoutMicrosMax is varied by --vary electionTimeoutMicrosMax=200ms,300ms \(an axis sets it at every grid point\)$/m],
    [[FIXTURE, '--set', 'electionTimeoutMicrosMin=100ms'], /^faultline: --set electionTimeoutMicrosMin=100ms: electionTimeoutMicrosMin is varied by the axis electionTimeoutMicrosMin,electionTimeoutMicrosMax=150ms:155ms,150ms:300ms of \S+experiment-small\.json \(an axis sets it at every grid point\)$/m],
    [['raft-leader-crash', '--vary', 'nodes=3,5', '--nodes', '5', '--seeds', '1..2'], /^faultline: --nodes 5: nodes is varied by --vary nodes=3,5 /],
    [['folder'], /^faultline: folder: is a directory, not an experiment file$/m],
    [['exp.txt'], /^faultline: exp\.txt: an experiment file must end in \.json$/m],
    [['seeds.json'], /^faultline: seeds\.json: seeds 2\.\.1: the range is empty \(2 is after 1\)$/m],
    [['duration.json'], /^faultline: duration\.json: duration 5: expected a duration such as 10s/],
    [['labels.json'], /^faultline: labels\.json: vary clients=1,2: the label 'c' is given to two values/],
    [['point.json'], /^faultline: point\.json: references\[0\]: point \{\} names no parameter: it must name values of the parameters varied \(electionTimeoutMicrosMin, electionTimeoutMicrosMax\)$/m],
    [['infinite.json'], /^faultline: infinite\.json: references\[0\]\.value: expected a finite number/],
  ])('refuses bad input before any run: %j', (args, message) => {
    const before = readdirSync(work).sort();
    const r = faultline('experiment', ...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(readdirSync(work).sort()).toEqual(before);
  });
});

describe('faultline list --experiments', () => {
  it('lists the experiments shipped in experiments/ (text and --json)', () => {
    const names = shippedExperimentNames();
    const json = faultline('list', '--experiments', '--json');
    expect(json.status, json.stderr).toBe(0);
    const listed = (JSON.parse(json.stdout) as { experiments: { name: string; title: string; scenarios: string[]; points: number; seeds: string; runs: number }[] }).experiments;
    expect(listed.map((e) => e.name)).toEqual(names);
    for (const e of listed) {
      expect(e.points).toBeGreaterThan(0);
      expect(e.scenarios.length).toBeGreaterThan(0);
    }
    const text = faultline('list', '--experiments');
    expect(text.status).toBe(0);
    if (names.length === 0) expect(text.stdout).toMatch(/no experiments/);
    for (const name of names) expect(text.stdout).toContain(name);
    expect(existsSync(join(ROOT, 'package.json'))).toBe(true);
  });

  it('list SCENARIO names the metrics its observers provide, and a scenario without any says nothing of them', () => {
    const timing = faultline('list', 'raft-election-timing');
    expect(timing.status, timing.stderr).toBe(0);
    expect(timing.stdout).toMatch(/its own metrics[\s\S]*leaderlessMicros \(duration\)/);
    const paxos = faultline('list', 'paxos-dueling-proposers');
    for (const name of ['chosenMicros', 'messagesToChosen', 'ballotsToChosen']) expect(paxos.stdout).toContain(name);
    expect(faultline('list', 'raft-chaos').stdout).not.toContain('its own metrics');
  });
});
