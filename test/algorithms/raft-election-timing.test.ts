// The Raft paper's §9.3 set-up (scenario raft-election-timing) and its metric leaderlessMicros: one
// trial per run, the time from the leader's crash to its successor, no sample for an unresolved trial.
import { describe, expect, it } from 'vitest';
import { LEADERLESS_METRIC, leaderlessMetrics } from '../../algorithms/raft/leaderless.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { ms, seconds } from '../../sim/time.js';

const scenario = () => findScenario('raft-election-timing')!;
const run = (seed: number, set: readonly string[] = [], durationMicros?: number) =>
  executeRun(prepareRun({ scenario: scenario(), seed, set, ...(durationMicros === undefined ? {} : { durationMicros }) }));

describe('raft-election-timing', () => {
  it("has the paper's set-up as its defaults: five servers, no clients, 5–10 ms one way, 150–300 ms timeouts, heartbeat 75 ms", () => {
    const s = scenario();
    const defaults = Object.fromEntries(s.params.map((p) => [p.name, p.default]));
    expect(s.defaultNodes).toBe(5);
    expect(defaults).toMatchObject({
      clients: 0, latencyMicros: ms(5), jitterMicros: ms(5), latencyModel: 'uniform',
      electionTimeoutMicrosMin: ms(150), electionTimeoutMicrosMax: ms(300), heartbeatMicros: ms(75),
    });
    expect(leaderlessMetrics().provides).toEqual([LEADERLESS_METRIC]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('gives one sample per run, from the crash to a leader of a later term, before the majority hears of it (seed %i)', (seed) => {
    const result = run(seed);
    expect(result.outcome).toBe('pass');
    const leaderless = result.metrics.samples?.[LEADERLESS_METRIC.name];
    expect(leaderless).toHaveLength(1);
    // Followers heard a heartbeat at most one heartbeat interval (75 ms) before the crash and wait 150 ms
    // at least; then a vote request and its reply cross the network (10 ms at least).
    expect(leaderless![0]).toBeGreaterThanOrEqual(ms(150) - ms(75) + ms(10));
    // leaderElectionMicros starts at the same crash and ends when a majority has heard from the new leader.
    expect(result.metrics.leaderElectionMicros).toHaveLength(1);
    expect(result.metrics.leaderElectionMicros[0]!).toBeGreaterThanOrEqual(leaderless![0]! + ms(10));
  });

  it('gives no sample for a trial the fault phase cuts short (the recovery phase would restart the crashed leader)', () => {
    // The crash comes at 3 s + up to 75 ms; no successor can be elected 80 ms later.
    const result = run(1, [], seconds(3) + ms(80));
    expect(result.metrics.samples?.[LEADERLESS_METRIC.name]).toEqual([]);
  });

  it('scales with the timing: 12–24 ms with pre-vote and check-quorum elects a successor in tens of milliseconds', () => {
    const set = ['electionTimeoutMicrosMin=12ms', 'electionTimeoutMicrosMax=24ms', 'heartbeatMicros=6ms'];
    const samples = [1, 2, 3, 4, 5].flatMap((seed) => run(seed, set, seconds(1)).metrics.samples?.[LEADERLESS_METRIC.name] ?? []);
    expect(samples).toHaveLength(5);
    for (const sample of samples) expect(sample).toBeLessThan(ms(500));
  });
});
