// fast-check for test authors: a property over generated fault schedules is one call; against a
// planted bug it fails, fast-check shrinks the schedule, and the message names a replayable file.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultScheduleArbitrary, SCHEDULE_PROFILES } from '../../lab/arbitraries.js';
import { readReplayFile } from '../../lab/replay-file.js';
import { assertScenarioProperty, checkScenarioProperty } from '../../lab/testing.js';
import { parseFaultSchedule } from '../../sim/faults.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tempDir = () => mkdtempSync(join(tmpdir(), 'faultline-fc-'));

// Only safety is asked here, so a short recovery phase keeps each of fast-check's runs quick.
const SAFETY_ONLY = ['recoveryMicrosMax=300ms'];
const servers = ['n1', 'n2', 'n3', 'n4', 'n5'];
const baseLatency = { kind: 'uniform', baseMicros: 1_000, jitterMicros: 4_000 } as const;

describe('fault schedule arbitraries', () => {
  it('every profile draws valid, time-ordered schedules inside the fault phase', () => {
    for (const profile of SCHEDULE_PROFILES) {
      fc.assert(fc.property(faultScheduleArbitrary({ profile, targets: servers, durationMicros: 3_000_000, baseLatency }), (faults) => {
        const parsed = parseFaultSchedule(JSON.parse(JSON.stringify(faults)), servers, 3_000_000, 'generated');
        expect(parsed.length).toBe(faults.length);
        for (let i = 1; i < faults.length; i++) expect(faults[i]!.at).toBeGreaterThanOrEqual(faults[i - 1]!.at);
      }), { numRuns: 50 });
    }
  });

  it('a profile draws only its own kinds of fault', () => {
    const kinds = new Set<string>();
    fc.assert(fc.property(faultScheduleArbitrary({ profile: 'crashes', targets: servers, durationMicros: 1_000_000, baseLatency }), (faults) => {
      for (const f of faults) kinds.add(f.kind);
    }), { numRuns: 50 });
    expect([...kinds].sort()).toEqual(['crash', 'pause', 'restart', 'resume']);
  });

  it('the slow profile draws slow windows that end at factor 1, and chaos draws none', () => {
    const kinds = new Set<string>();
    fc.assert(fc.property(faultScheduleArbitrary({ profile: 'slow', targets: servers, durationMicros: 1_000_000, baseLatency }), (faults) => {
      for (const f of faults) {
        kinds.add(f.kind);
        if (f.kind === 'slow') expect(f.factor).toBeGreaterThanOrEqual(1);
      }
      const closes = faults.filter((f) => f.kind === 'slow' && f.factor === 1).length;
      expect(closes * 2).toBe(faults.length);
    }), { numRuns: 50 });
    expect([...kinds]).toEqual(['slow']);
    fc.assert(fc.property(faultScheduleArbitrary({ profile: 'chaos', targets: servers, durationMicros: 1_000_000, baseLatency }), (faults) => {
      expect(faults.some((f) => f.kind === 'slow')).toBe(false);
    }), { numRuns: 50 });
  });
});

describe('scenario properties', () => {
  it('a correct Raft keeps Leader Completeness and State Machine Safety under generated crash and partition schedules', () => {
    assertScenarioProperty({
      scenario: 'raft-chaos', profile: 'chaos', checks: ['leader-completeness', 'state-machine-safety', 'election-safety'],
      durationMicros: 2_000_000, set: SAFETY_ONLY, numRuns: 8, fcSeed: 7,
    });
  });

  it('against raft/vote-without-log-check the property fails, shrinks, and names a replay file that reproduces it', () => {
    const replayDir = tempDir();
    // The first fast-check seed of 1..5 whose 150 schedules find the bug: found by search, not chosen.
    let failure: ReturnType<typeof checkScenarioProperty>;
    let fcSeed = 1;
    for (; fcSeed <= 5; fcSeed++) {
      failure = checkScenarioProperty({
        scenario: 'raft-chaos', bug: 'raft/vote-without-log-check', profile: 'chaos',
        checks: ['leader-completeness', 'state-machine-safety'], durationMicros: 2_000_000, windowsMax: 10,
        set: SAFETY_ONLY, numRuns: 150, fcSeed, replayDir,
      });
      if (failure !== undefined) break;
    }
    expect(failure, 'the planted bug must be found').toBeDefined();
    expect(failure!.faults.length).toBeLessThan(failure!.originalFaults.length);
    expect(failure!.message).toMatch(/replay: faultline replay .*\.json/);
    const { file, request } = readReplayFile(failure!.replayFile);
    expect(file.faults).toEqual(failure!.faults);
    expect(executeRun(prepareRun(request)).fingerprint).toBe(file.expected.fingerprint);
    expect(() => assertScenarioProperty({
      scenario: 'raft-chaos', bug: 'raft/vote-without-log-check', profile: 'chaos',
      checks: ['leader-completeness', 'state-machine-safety'], durationMicros: 2_000_000, windowsMax: 10, set: SAFETY_ONLY, numRuns: 150, fcSeed, replayDir,
    })).toThrow(/faultline replay/);
  });
});
