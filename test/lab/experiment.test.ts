// The experiment engine: every bad grid refused before any run (one InputError naming it), grid points
// in order with their labels, references resolved, and the result independent of the worker count.
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_POINTS_MAX, EXPERIMENT_RUNS_MAX, prepareExperiment, runExperiment, statsLabel } from '../../lab/experiment.js';
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
