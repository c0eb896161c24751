// The public API (index.ts, `import … from 'faultline'`): the surface a user is promised, `run` by name
// or object, and the one-call checkers of each kind on hand-made observations.
import { describe, expect, it } from 'vitest';
import * as faultline from '../index.js';
import { always, eventually, InputError, run, sometimes, type RunView } from '../index.js';

const view = { now: 0 } as unknown as RunView;

describe('public API', () => {
  it('exports the contract, checkers, running, replay files, arbitraries and the test helper', () => {
    const values = [
      'Rng', 'ms', 'seconds', 'us', 'assert', 'InputError', 'numberParam', 'defineParams', 'defineBugs', 'defineScenarioFamily', 'NETWORK_PARAMS', 'RECOVERY_PARAMS', 'networkFromParams', 'serverIds',
      'NEMESIS_PROFILES', 'leaderRoles', 'CLIENT_ROLE', 'addScenarios', 'builtInScenarios', 'findScenario', 'scenarios', 'loadScenarioModule',
      'always', 'eventually', 'sometimes', 'linearizabilityChecker', 'checkLinearizability', 'clientOperationsComplete',
      'run', 'prepareRun', 'executeRun', 'EXIT_CODES', 'prepareSweep', 'runSweep', 'parseSeedRange', 'shrink',
      'replayFileOf', 'serializeReplayFile', 'parseReplayFile', 'readReplayFile', 'REPLAY_FORMAT',
      'faultScheduleArbitrary', 'SCHEDULE_PROFILES', 'checkScenarioProperty', 'assertScenarioProperty',
      'prepareExperiment', 'runExperiment', 'renderExperimentHtml', 'renderExperimentTerminal',
      'membershipCheckers', 'completeness', 'accuracyAfterHeal', 'incarnationsNeverDecrease', 'neverSelfDead', 'deadIsFinal', 'membershipMetrics',
      'lbCheckers', 'lbMetrics', 'LB_METRICS', 'createPolicy', 'createHealthView',
    ];
    for (const name of values) expect(faultline, name).toHaveProperty(name);
  });

  it('runs an experiment in code: a two-point grid over seeds, summarised per point', async () => {
    const experiment = faultline.prepareExperiment(
      { name: 'api', title: 'api', scenario: 'raft-leader-crash', seeds: '1..2', metrics: ['leaderElectionMicros'], vary: ['electionTimeoutMicrosMax=200ms,300ms'] },
      {}, { workers: 1 },
    );
    const { result } = await faultline.runExperiment(experiment);
    expect(result.points.map((p) => p.runs)).toEqual([2, 2]);
    expect(result.points[0]!.metrics.leaderElectionMicros!.stats!.count).toBeGreaterThan(0);
    expect(faultline.renderExperimentTerminal(result, { color: false, width: 100 })).toContain('leaderElectionMicros');
  }, 60_000);

  it('runs a scenario by name or by object, with the same result', () => {
    const byName = run('broadcast-lossy', { seed: 2 });
    const byObject = run(faultline.findScenario('broadcast-lossy')!, { seed: 2 });
    expect(byName.outcome).toBe('pass');
    expect(byObject.fingerprint).toBe(byName.fingerprint);
    expect(() => run('broadcast-lossyy')).toThrow(InputError);
    expect(() => run('broadcast-lossyy')).toThrow(/unknown scenario 'broadcast-lossyy' \(did you mean broadcast-lossy\?\)/);
  });

  it('always reports the message its check returns, and holds otherwise', () => {
    const checker = always({ name: 'small', description: 'values stay small', check: (node, fact) => ((fact.value as number) > 2 ? `${node} saw ${String(fact.value)}` : undefined) });
    expect(checker.kind).toBe('always');
    expect(checker.onObservation!('n1', { type: 'v', value: 1 }, view)).toBeUndefined();
    expect(checker.onObservation!('n1', { type: 'v', value: 3 }, view)).toBe('n1 saw 3');
  });

  it('eventually turns the reason it does not hold into the verdict\'s message', () => {
    let done = false;
    const checker = eventually({ name: 'done', description: 'work finishes', holds: () => done || 'still working' });
    expect(checker.kind).toBe('eventually');
    expect(checker.verdict(view)).toEqual({ ok: false, message: 'still working' });
    done = true;
    expect(checker.verdict(view)).toEqual({ ok: true });
  });

  it('sometimes holds once it was reached, and fails a run that never got there', () => {
    const checker = sometimes({ name: 'saw-leader', description: 'a leader was elected', reached: (_node, fact) => fact.type === 'leader' });
    expect(checker.kind).toBe('sometimes');
    expect(checker.verdict(view)).toEqual({ ok: false, message: 'never reached: a leader was elected' });
    checker.onObservation!('n1', { type: 'vote' }, view);
    expect(checker.verdict(view).ok).toBe(false);
    checker.onObservation!('n2', { type: 'leader' }, view);
    expect(checker.verdict(view)).toEqual({ ok: true });
  });
});
