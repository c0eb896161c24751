// The counter's standard tests, written as a user of the faultline package would: random seeds pass,
// the planted bug is caught at a stated rate while the control passes, and a fast-check property over
// generated crash schedules holds for the correct counter and finds (and shrinks) the bug.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertScenarioProperty, checkScenarioProperty, run } from 'faultline';
import { describe, expect, it } from 'vitest';
import { counterBugs } from './bugs.js';
import { scenarios } from './scenarios.js';

const [crashes, chaos] = scenarios as [typeof scenarios[0], typeof scenarios[0]];
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('replicated counter', () => {
  it('passes every seed of both scenarios', () => {
    for (const scenario of [crashes, chaos]) {
      for (const seed of SEEDS) expect(run(scenario, { seed }).outcome, `${scenario.name} seed ${seed}`).toBe('pass');
    }
  });

  it(`catches ${counterBugs.names.unsyncedCount} on at least half of seeds 1–20 under crashes`, () => {
    const caught = SEEDS.filter((seed) => run(crashes, { seed, bug: counterBugs.names.unsyncedCount }).outcome !== 'pass');
    expect(caught.length).toBeGreaterThanOrEqual(SEEDS.length / 2);
  });

  it('keeps its safety checks under any generated crash schedule', () => {
    assertScenarioProperty({ scenario: crashes, profile: 'crashes', numRuns: 15, fcSeed: 7, replayDir: mkdtempSync(join(tmpdir(), 'counter-')) });
  });

  it('the property finds the planted bug and shrinks its schedule, whatever fast-check seed it starts from', () => {
    // Not one chosen fast-check seed: every one of 1..3 must find the bug (it breaks most runs).
    for (let fcSeed = 1; fcSeed <= 3; fcSeed++) {
      const failure = checkScenarioProperty({
        scenario: crashes, profile: 'crashes', bug: counterBugs.names.unsyncedCount, numRuns: 40, fcSeed,
        replayDir: mkdtempSync(join(tmpdir(), 'counter-')),
      });
      expect(failure?.failedChecks.map((c) => c.name), `fast-check seed ${fcSeed}`).toContain('increments-never-reused');
      expect(failure!.faults.length).toBeLessThanOrEqual(failure!.originalFaults.length);
    }
  });
});
