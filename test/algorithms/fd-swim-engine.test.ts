// SWIM end to end on the engine, through a test-only scenario (test/algorithms/fd-swim-harness.ts: eight
// members, memberlist's LAN timings): a crashed member is declared dead by every live member within a
// bound computed from the configuration, and a restarted one is taken back at a higher incarnation;
// under 10% loss indirect probes and Lifeguard keep false deaths away, and the planted bugs bring them.
import { describe, expect, it } from 'vitest';
import { fdBugs } from '../../algorithms/failure-detection/bugs.js';
import { SWIM_DEFAULTS, SWIM_LAN_CONFIG } from '../../algorithms/failure-detection/swim.js';
import { membershipFacts, runSwim, swimTestScenario } from './fd-swim-harness.js';

const N = 8;
const CRASH_AT = 5_000_000;
const RESTART_AT = 70_000_000;
const T = SWIM_LAN_CONFIG.protocolPeriodMicros;

/**
 * The detection bound, with local health at 0 (no loss): every live member probes the crashed one within
 * two round-robin traversals (2(n − 1) periods, the list reshuffled between them) plus the period it is
 * in; it then suspects it unless already suspicious, and its own suspicion timer runs at most the
 * maximum suspicion timeout (Lifeguard: 6 × the minimum); one more period of slack for latency.
 */
function detectionBoundMicros(lifeguard: boolean): number {
  const min = SWIM_LAN_CONFIG.suspicionMultiplier * Math.max(1, Math.log10(N)) * T;
  const suspicionMax = lifeguard ? SWIM_DEFAULTS.suspicionMaxTimeoutMultiplier * min : min;
  return (2 * (N - 1) + 1) * T + suspicionMax + T;
}

const crashThenRestart = swimTestScenario({
  name: 'swim-crash-restart',
  faults: () => [{ at: CRASH_AT, kind: 'crash', node: 'n3' }, { at: RESTART_AT, kind: 'restart', node: 'n3' }],
});
const lossy = swimTestScenario({ name: 'swim-lossy', faults: () => [] });

describe('SWIM on the engine', () => {
  it.each([true, false])('lifeguard=%s: a crashed member is declared dead by every live member within the bound, and taken back alive at a higher incarnation after its restart', (lifeguard) => {
    const bound = detectionBoundMicros(lifeguard);
    expect(bound).toBe(lifeguard ? 40_000_000 : 20_000_000);
    for (let seed = 1; seed <= 5; seed++) {
      const { facts } = runSwim(crashThenRestart, { seed, durationMicros: 90_000_000, set: [`lifeguard=${lifeguard ? 'on' : 'off'}`] });
      const aboutN3 = membershipFacts(facts).filter((f) => f.member === 'n3' && f.viewer !== 'n3');
      for (let i = 1; i <= N; i++) {
        const viewer = `n${i}`;
        if (viewer === 'n3') continue;
        const dead = aboutN3.find((f) => f.viewer === viewer && f.status === 'dead' && f.atMicros > CRASH_AT);
        expect(dead, `seed ${seed}: ${viewer} never declared n3 dead`).toBeDefined();
        expect(dead!.atMicros - CRASH_AT, `seed ${seed}: ${viewer}`).toBeLessThanOrEqual(bound);
        const last = aboutN3.filter((f) => f.viewer === viewer).at(-1)!;
        expect(last, `seed ${seed}: ${viewer}'s last view of n3`).toMatchObject({ status: 'alive', incarnation: 1 });
        expect(last.atMicros).toBeGreaterThan(RESTART_AT);
      }
      // No false death: nobody else was ever declared dead.
      expect(membershipFacts(facts).filter((f) => f.status === 'dead' && f.member !== 'n3')).toEqual([]);
    }
  });

  /** Runs (of seeds 1…20, 60 s at 10% loss) in which some live member was declared dead. */
  function runsWithFalseDeaths(bug: string | undefined, lifeguard = true): number {
    let runs = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { facts } = runSwim(lossy, { seed, durationMicros: 60_000_000, set: ['lossRatio=0.1', `lifeguard=${lifeguard ? 'on' : 'off'}`], bug });
      if (membershipFacts(facts).some((f) => f.status === 'dead')) runs++;
    }
    return runs;
  }

  it('under 10% loss, no false death in 20 runs of 60 s with indirect probes (measured: 0/20)', () => {
    expect(runsWithFalseDeaths(undefined)).toBe(0);
  });

  it('under 10% loss, fd/swim-no-indirect-probes brings false deaths (measured: 17/20 runs)', () => {
    expect(runsWithFalseDeaths(fdBugs.names.noIndirectProbes)).toBeGreaterThanOrEqual(12);
  });

  it('under 10% loss, fd/swim-no-refutation turns suspicions into false deaths (measured: 16/20 runs)', () => {
    expect(runsWithFalseDeaths(fdBugs.names.noRefutation)).toBeGreaterThanOrEqual(12);
  });
});
