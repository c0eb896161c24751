// Scenario parameters: min/max pairs are declared once and refused the wrong way round (whoever set
// them: --set, a sweep or a replay file), durations have a ceiling, and a Raft or Multi-Paxos run
// without clients is an elections-only run with checks that make sense for it.
import { describe, expect, it } from 'vitest';
import { parseReplayFile } from '../../lab/replay-file.js';
import { findScenario, scenarios } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { allParams, resolveParams, type Scenario } from '../../sim/scenario.js';
import { DURATION_MICROS_MAX, parseDuration } from '../../sim/time.js';

const scenario = (name: string): Scenario => findScenario(name)!;

/** The message of the InputError `fn` throws (fails the test if it throws nothing or something else). */
function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('min/max parameter pairs', () => {
  it('every fooMin with a fooMax sibling is declared as a pair, and every default is in order', () => {
    for (const s of scenarios) {
      const specs = allParams(s);
      for (const spec of specs) {
        const max = spec.name.endsWith('Min') ? specs.find((other) => other.name === spec.name.replace(/Min$/, 'Max')) : undefined;
        if (max !== undefined) expect(spec.maxParam, `${s.name}: ${spec.name}`).toBe(max.name);
      }
      // Defaults alone never break a pair (resolveParams asserts it).
      expect(() => resolveParams(s, [])).not.toThrow();
    }
  });

  it('a min above its max is refused naming both values, and which one is a default', () => {
    const raft = scenario('raft-chaos');
    expect(inputError(() => resolveParams(raft, ['electionTimeoutMicrosMin=500ms'])))
      .toBe('--set electionTimeoutMicrosMin=500ms is greater than electionTimeoutMicrosMax=300ms (its default)');
    expect(inputError(() => resolveParams(raft, ['electionTimeoutMicrosMin=500ms', 'electionTimeoutMicrosMax=400ms'])))
      .toBe('--set electionTimeoutMicrosMin=500ms is greater than electionTimeoutMicrosMax=400ms');
    // A scenario's own default counts as a default (raft-election-storm's timeouts are 150–160 ms).
    expect(inputError(() => resolveParams(scenario('raft-election-storm'), ['electionTimeoutMicrosMax=100ms'])))
      .toBe('--set electionTimeoutMicrosMax=100ms is less than electionTimeoutMicrosMin=150ms (its default)');
    expect(inputError(() => resolveParams(raft, ['clientThinkMicrosMin=60ms']))).toMatch(/clientThinkMicrosMin=60ms is greater than clientThinkMicrosMax=50ms/);
    expect(inputError(() => resolveParams(raft, ['nemesisWindowMicrosMax=100ms']))).toMatch(/nemesisWindowMicrosMax=100ms is less than nemesisWindowMicrosMin=200ms/);
    expect(inputError(() => resolveParams(scenario('paxos-chaos'), ['takeoverTimeoutMicrosMin=1s']))).toMatch(/takeoverTimeoutMicrosMin=1s is greater than takeoverTimeoutMicrosMax/);
    expect(inputError(() => resolveParams(scenario('paxos-single-decree-chaos'), ['retryMicrosMax=10ms']))).toMatch(/retryMicrosMax=10ms is less than retryMicrosMin=20ms/);
    // Equal is fine: a fixed timeout.
    expect(resolveParams(raft, ['electionTimeoutMicrosMin=300ms']).electionTimeoutMicrosMin).toBe(300_000);
  });

  it('sweeps and replay files go through the same check', () => {
    const raft = scenario('raft-chaos');
    expect(inputError(() => prepareRun({ scenario: raft, seed: 1, set: ['clientThinkMicrosMax=1ms'] }))).toMatch(/clientThinkMicrosMax=1ms is less than clientThinkMicrosMin=10ms/);
    const file = {
      format: 'faultline-replay/1', scenario: 'raft-chaos', seed: 1, bug: null, nodes: 5, durationMicros: 1_000_000,
      params: { electionTimeoutMicrosMin: 400_000, electionTimeoutMicrosMax: 200_000 }, faults: [],
      expected: { outcome: 'pass', fingerprint: '0123456789abcdef', violated: [] },
    };
    expect(inputError(() => parseReplayFile(file, 'r.json'))).toBe('r.json: params: electionTimeoutMicrosMin=400ms is greater than electionTimeoutMicrosMax=200ms');
    expect(inputError(() => parseReplayFile({ ...file, params: {}, durationMicros: 86_400_000_001 }, 'r.json')))
      .toBe('r.json: durationMicros: at most 86400000000 (24h of simulated time); got 86400000001');
  });
});

describe('durations', () => {
  it('hours parse, and nothing longer than 24 hours of simulated time is accepted', () => {
    expect(parseDuration('1h')).toBe(3_600_000_000);
    expect(parseDuration('1.5h')).toBe(5_400_000_000);
    expect(DURATION_MICROS_MAX).toBe(parseDuration('24h'));
    const raft = scenario('raft-chaos');
    expect(inputError(() => prepareRun({ scenario: raft, seed: 1, durationMicros: DURATION_MICROS_MAX + 1 }))).toMatch(/--duration 86400000001us: at most 24h of simulated time/);
    expect(inputError(() => resolveParams(raft, ['recoveryMicrosMax=25h']))).toBe('--set recoveryMicrosMax=25h: expected at most 24h, the longest simulated span faultline runs');
    expect(inputError(() => resolveParams(raft, ['heartbeatMicros=99999999999999999999']))).toMatch(/expected a duration/);
    expect(resolveParams(raft, ['recoveryMicrosMax=24h']).recoveryMicrosMax).toBe(DURATION_MICROS_MAX);
  });
});

describe('runs without clients', () => {
  const failed = (name: string, seed: number, set: string[]) => {
    const result = executeRun(prepareRun({ scenario: scenario(name), seed, set }));
    return { outcome: result.outcome, failed: result.checks.filter((c) => !c.ok), names: result.checks.map((c) => c.name) };
  };

  it('Raft with clients=0 is an elections-only run: a leader must be elected and commit its no-op', () => {
    for (const seed of [1, 2, 3]) {
      const r = failed('raft-chaos', seed, ['clients=0']);
      expect(r.failed, `raft-chaos --seed ${seed} --set clients=0`).toEqual([]);
      expect(r.names).toContain('leader-elected-and-entry-committed');
      expect(r.names).not.toContain('linearizable-history');
    }
    // With clients, the write is still required.
    expect(failed('raft-chaos', 1, []).names).toContain('leader-elected-and-write-committed');
  });

  it('Multi-Paxos with clients=0 must establish a leader', () => {
    for (const seed of [1, 2, 3]) {
      const r = failed('paxos-chaos', seed, ['clients=0']);
      expect(r.failed, `paxos-chaos --seed ${seed} --set clients=0`).toEqual([]);
      expect(r.names).toContain('leader-established');
      expect(r.names).not.toContain('value-chosen');
    }
  });
});
