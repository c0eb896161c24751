// The experiment engine: every bad grid refused before any run (one InputError naming it), grid points
// in order with their labels, references resolved, the command line's settings after a file's (never
// against an axis), file fields named as fields, and the result independent of the worker count.
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_POINTS_MAX, EXPERIMENT_RUNS_MAX, prepareExperiment, runExperiment, statsLabel, type ExperimentOverrides } from '../../lab/experiment.js';
import { readExperimentFile } from '../../lab/experiment-file.js';
import type { ExperimentFile } from '../../lab/experiment-model.js';
import { summarize } from '../../lab/stats.js';
import { InputError } from '../../sim/errors.js';
import { join } from 'node:path';

const FIXTURE = join(import.meta.dirname, '../fixtures/experiment-small.json');
const base: ExperimentFile = { name: 't', title: 't', scenario: 'raft-leader-crash', seeds: '1..2', metrics: ['leaderElectionMicros'], vary: ['electionTimeoutMicrosMax=200ms,300ms'] };
const refused = (file: Partial<ExperimentFile>, message: RegExp) => {
  const attempt = () => prepareExperiment({ ...base, ...file } as ExperimentFile, {}, { workers: 1 });
  expect(attempt).toThrow(InputError);
  expect(attempt).toThrow(message);
};

describe('prepareExperiment refuses bad grids before any run', () => {
  it.each<[string, Partial<ExperimentFile>, RegExp]>([
    ['an unknown parameter, with a suggestion', { vary: ['electionTimeoutMicrosMx=1s'] }, /--vary electionTimeoutMicrosMx=1s: unknown parameter 'electionTimeoutMicrosMx' for scenario raft-leader-crash \(did you mean electionTimeoutMicrosMax/],
    ['a value of the wrong unit', { vary: ['heartbeatMicros=10ms,fast'] }, /--vary heartbeatMicros=10ms,fast: heartbeatMicros=fast: expected a duration/],
    ['an empty grid', { vary: [] }, /no axis to vary \(the grid is empty/],
    ['an empty axis', { vary: ['clients='] }, /the axis has no values/],
    ['a joint value with the wrong number of parts', { vary: ['electionTimeoutMicrosMin,electionTimeoutMicrosMax=150ms:155ms,150ms'] }, /the value '150ms' has 1 part/],
    ['a parameter on two axes', { vary: ['heartbeatMicros=10ms', 'heartbeatMicros=20ms'] }, /heartbeatMicros is already varied/],
    ['a step of 0', { vary: ['heartbeatMicros=10ms..20ms/0ms'] }, /the step is 0/],
    ['a min above its max at one point', { vary: ['electionTimeoutMicrosMin=150ms,400ms'] }, /grid point 2 \(electionTimeoutMicrosMin=400ms\): electionTimeoutMicrosMin=400ms is greater than electionTimeoutMicrosMax=300ms \(its default\)/],
    ['an unknown metric', { metrics: ['leaderElectionMicro'] }, /--metric leaderElectionMicro: no such metric \(did you mean leaderElectionMicros/],
    ['an unknown scenario on the scenario axis', { vary: ['scenario=raft-leader-crash,raft-chaoss'] }, /unknown scenario 'raft-chaoss' \(did you mean raft-chaos/],
    ['an unknown bug', { vary: ['bug=none,raft/nope'] }, /no planted bug 'raft\/nope'/],
    ['nodes outside the scenario\'s range', { vary: ['nodes=5,99'] }, /grid point 2 \(nodes=99\): --nodes 99: scenario raft-leader-crash runs with/],
    ['an unknown nemesis', { vary: ['nemesis=chaos,storm'] }, /unknown nemesis profile 'storm'/],
    ['a duration without a unit', { vary: ['duration=5s,10'] }, /duration 10: expected a duration/],
    ['too many runs', { seeds: '0..4294967295' }, new RegExp(`runs; an experiment runs at most ${EXPERIMENT_RUNS_MAX.toLocaleString('en-US')}`)],
    ['too many points', { vary: ['clients=1..200/1', 'heartbeatMicros=1ms..100ms/1ms'] }, new RegExp(`the grid has 20,000 points; an experiment takes at most ${EXPERIMENT_POINTS_MAX.toLocaleString('en-US')}`)],
    ['bad seeds', { seeds: '5..1' }, /--seeds 5\.\.1: the range is empty/],
    ['no scenario', { scenario: undefined }, /no scenario named/],
    ['a reference to a metric not measured', { references: [{ point: { electionTimeoutMicrosMax: '300ms' }, metric: 'recoveryMicros', stat: 'median', value: 1, source: 's' }] }, /references\[0\]: metric recoveryMicros is not one the experiment measures/],
    ['a reference matching no point', { references: [{ point: { electionTimeoutMicrosMax: '250ms' }, metric: 'leaderElectionMicros', stat: 'median', value: 1, source: 's' }] }, /matches no grid point/],
    ['a reference naming a parameter not varied', { references: [{ point: { heartbeatMicros: '50ms' }, metric: 'leaderElectionMicros', stat: 'median', value: 1, source: 's' }] }, /does not vary/],
    ['a setting for every point naming a varied parameter', { set: ['electionTimeoutMicrosMax=300ms'] }, /^--set electionTimeoutMicrosMax=300ms: electionTimeoutMicrosMax is varied by --vary electionTimeoutMicrosMax=200ms,300ms \(an axis sets it at every grid point\)$/],
    ['a bug for every point when bug is varied', { bug: 'none', vary: ['bug=none,raft/commit-old-term'] }, /^--bug none: bug is varied by --vary bug=none,raft\/commit-old-term/],
    ['nodes for every point when nodes is varied', { nodes: 5, vary: ['nodes=3,5'] }, /^--nodes 5: nodes is varied by --vary nodes=3,5/],
    ['two values with one label', { vary: [{ vary: 'clients=1,2', labels: ['few', 'few'] }] }, /--vary clients=1,2: the label 'few' is given to two values/],
    ['an empty label', { vary: [{ vary: 'clients=1,2', labels: ['one', ' '] }] }, /--vary clients=1,2: label 2 is empty/],
    ['a reference point naming nothing', { references: [{ point: {}, metric: 'leaderElectionMicros', stat: 'median', value: 1, source: 's' }] }, /references\[0\]: point \{\} names no parameter: it must name values of the parameters varied \(electionTimeoutMicrosMax\)/],
    ['a reference value that overflows', { references: [{ point: { electionTimeoutMicrosMax: '300ms' }, metric: 'leaderElectionMicros', stat: 'median', value: Infinity, source: 's' }] }, /references\[0\]: value Infinity: expected a finite number/],
    ['a reference value of too many digits', { metrics: ['messagesPerCommit'], references: [{ point: { electionTimeoutMicrosMax: '300ms' }, metric: 'messagesPerCommit', stat: 'median', value: '9'.repeat(400), source: 's' }] }, /references\[0\]: value 9+: expected a finite number/],
  ])('%s', (_what, file, message) => refused(file, message));

  it('lays out the grid: groups in order, the last axis fastest, labels and panels', () => {
    const prepared = prepareExperiment({ ...base, vary: [{ vary: 'electionTimeoutMicrosMax=200ms,300ms', labels: ['A', 'B'] }, 'clients=1,2', 'bug=none,raft/commit-old-term'] }, {}, { workers: 1 });
    expect(prepared.points.map((p) => [p.label, p.panel, p.coords.join('')])).toEqual([
      ['A', '1 · none', '000'], ['A', '1 · raft/commit-old-term', '001'], ['A', '2 · none', '010'], ['A', '2 · raft/commit-old-term', '011'],
      ['B', '1 · none', '100'], ['B', '1 · raft/commit-old-term', '101'], ['B', '2 · none', '110'], ['B', '2 · raft/commit-old-term', '111'],
    ]);
    expect(prepared.points[1]!.config).toMatchObject({ set: ['electionTimeoutMicrosMax=200ms', 'clients=1'], bug: 'raft/commit-old-term' });
    expect(prepared.points[0]!.config.bug).toBeUndefined();
    expect(prepared.groups[0]!.axes[0]!.numeric).toEqual([200_000, 300_000]);
    expect(prepared.runs).toBe(16);
  });
});

describe('metrics a scenario declares itself', () => {
  it("a scenario's own messagesPerCommit is described by it, and naming no metric does not name it twice", () => {
    const prepared = prepareExperiment({ ...base, metrics: [], scenario: '2pc-chaos', vary: ['protocol=2pc,3pc'] }, {}, { workers: 1 });
    const names = prepared.metrics.map((m) => m.name);
    expect(names.filter((n) => n === 'messagesPerCommit')).toHaveLength(1);
    expect(prepared.metrics.find((m) => m.name === 'messagesPerCommit')!.description).toMatch(/^atomic commit: /);
  });
});

describe('an experiment file beside the command line', () => {
  const path = 'e.json';
  const grouped: ExperimentFile = {
    name: 'e', title: 't', scenario: 'raft-leader-crash', seeds: '1..2', metrics: ['leaderElectionMicros'], set: ['clients=1'],
    groups: [
      { name: 'g', set: ['clients=2'], vary: ['electionTimeoutMicrosMax=200ms,300ms'] },
      { name: 'h', vary: ['heartbeatMicros=40ms,50ms'] },
    ],
  };
  const refusedWith = (file: ExperimentFile, overrides: ExperimentOverrides, message: RegExp) => {
    const attempt = () => prepareExperiment(file, { path }, { workers: 1, ...overrides });
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(message);
  };

  it('applies the file\'s set, then the group\'s, then --set, then the axis', () => {
    const prepared = prepareExperiment(grouped, { path }, { workers: 1, set: ['clients=3'] });
    expect(prepared.points[0]!.config.set).toEqual(['clients=1', 'clients=2', 'clients=3', 'electionTimeoutMicrosMax=200ms']);
    expect(prepared.points[2]!.config.set).toEqual(['clients=1', 'clients=3', 'heartbeatMicros=40ms']);
    expect(prepared.set).toEqual(['clients=1', 'clients=3']);
  });

  it('lets an axis override the file\'s own top-level set (a default for the groups that do not vary it)', () => {
    const prepared = prepareExperiment({ ...grouped, set: ['heartbeatMicros=30ms'] }, { path }, { workers: 1 });
    expect(prepared.points[0]!.config.set).toEqual(['heartbeatMicros=30ms', 'clients=2', 'electionTimeoutMicrosMax=200ms']);
    expect(prepared.points[3]!.config.set.at(-1)).toBe('heartbeatMicros=50ms');
  });

  it('gives a group its own duration, over the file\'s; --duration wins over both', () => {
    const file: ExperimentFile = { ...grouped, duration: '2s', groups: [{ ...grouped.groups![0]!, duration: '5s' }, grouped.groups![1]!] };
    const prepared = prepareExperiment(file, { path }, { workers: 1 });
    expect(prepared.points[0]!.config.durationMicros).toBe(5_000_000);
    expect(prepared.points[2]!.config.durationMicros).toBe(2_000_000);
    const overridden = prepareExperiment(file, { path }, { workers: 1, duration: '3s' });
    expect(overridden.points.map((p) => p.config.durationMicros)).toEqual([3_000_000, 3_000_000, 3_000_000, 3_000_000]);
  });

  it.each<[string, ExperimentFile, ExperimentOverrides, RegExp]>([
    ['a group\'s duration without a unit', { ...grouped, groups: [{ ...grouped.groups![0]!, duration: '5' }] }, {}, /^e\.json: group g: duration 5: expected a duration/],
    ['--set of a parameter a group varies', grouped, { set: ['heartbeatMicros=30ms'] }, /^--set heartbeatMicros=30ms: heartbeatMicros is varied by the axis heartbeatMicros=40ms,50ms of e\.json's group h \(an axis sets it at every grid point\)$/],
    ['--duration when duration is varied', { ...grouped, groups: undefined, vary: ['duration=1s,2s'] }, { duration: '3s' }, /^--duration 3s: duration is varied by the axis duration=1s,2s of e\.json /],
    ['--nemesis when nemesis is varied', { ...grouped, groups: undefined, vary: ['nemesis=none,crashes'] }, { nemesis: 'chaos' }, /^--nemesis chaos: nemesis is varied by the axis nemesis=none,crashes of e\.json /],
    ['a group\'s set of a parameter the group varies', { ...grouped, groups: [{ name: 'g', set: ['electionTimeoutMicrosMax=1s'], vary: ['electionTimeoutMicrosMax=200ms,300ms'] }] }, {}, /^e\.json: group g: set electionTimeoutMicrosMax=1s: electionTimeoutMicrosMax is varied by the group's axis electionTimeoutMicrosMax=200ms,300ms/],
    ['bad seeds in the file, named by its field', { ...grouped, seeds: '2..1' }, {}, /^e\.json: seeds 2\.\.1: the range is empty/],
    ['bad --seeds, named by the flag', grouped, { seeds: '2..1' }, /^--seeds 2\.\.1: the range is empty/],
    ['a duration without a unit in the file', { ...grouped, duration: '5' }, {}, /^e\.json: duration 5: expected a duration/],
    ['an unknown nemesis in the file', { ...grouped, nemesis: 'storm' }, {}, /^e\.json: nemesis storm: unknown profile/],
    ['an unknown metric in the file', { ...grouped, metrics: ['leaderElection'] }, {}, /^e\.json: metrics leaderElection: no such metric/],
    ['an unknown --metric', grouped, { metrics: ['leaderElection'] }, /^--metric leaderElection: no such metric/],
    ['nodes in the file out of the scenario\'s range', { ...grouped, nodes: 99 }, {}, /^grid point 1 of e\.json \(electionTimeoutMicrosMax=200ms\): nodes 99: scenario raft-leader-crash runs with/],
    ['--nodes out of the scenario\'s range', grouped, { nodes: 99 }, /^grid point 1 of e\.json \(electionTimeoutMicrosMax=200ms\): --nodes 99: scenario raft-leader-crash runs with/],
  ])('refuses %s', (_what, file, overrides, message) => refusedWith(file, overrides, message));
});

describe('runExperiment', () => {
  it('gives the same result with one worker and with two, summarised per point in seed order', async () => {
    const file = readExperimentFile(FIXTURE);
    const one = await runExperiment(prepareExperiment(file, { path: FIXTURE }, { workers: 1 }));
    const two = await runExperiment(prepareExperiment(file, { path: FIXTURE }, { workers: 2 }));
    expect(JSON.stringify(two.result)).toBe(JSON.stringify(one.result));
    const { result } = one;
    expect(result.runs).toBe(6);
    expect(result.points.map((p) => p.label)).toEqual(['150-155ms', '150-300ms']);
    expect(result.outcomes.pass + result.outcomes.safetyViolation + result.outcomes.livenessViolation).toBe(6);
    const metric = result.points[1]!.metrics.leaderElectionMicros!;
    expect(metric.stats!.count).toBeGreaterThan(0);
    expect(metric.cdf[metric.cdf.length - 1]![1]).toBe(1);
    // The reference matched the second point (300000 is 300ms) and reads our median there.
    expect(result.references).toEqual([{ points: [1], metric: 'leaderElectionMicros', stat: 'median', value: 200_000, source: 'made up for a test', ours: metric.stats!.median, oursByPoint: [metric.stats!.median] }]);
    // leaderElectionMicros gives a sample per leader loss (several per run): its CDF is over samples.
    expect(metric.cdfOver).toBe('samples');
    // The bootstrap's label is fixed by (experiment, point, metric): rebuilding the summary from the
    // CDF-free stats is not possible, but the same samples under the label give the same interval.
    expect(statsLabel('experiment-small', 1, 'leaderElectionMicros')).toBe('experiment-small#1:leaderElectionMicros');
    expect(JSON.stringify(result)).not.toMatch(/wall|Millis|perSecond/i);
    expect(summarize([1, 2, 3], statsLabel('a', 0, 'm'))).toEqual(summarize([1, 2, 3], statsLabel('a', 0, 'm')));
  }, 120_000);
});
