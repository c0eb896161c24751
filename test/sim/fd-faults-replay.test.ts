// The failure-detection platform pieces through whole runs: the fd nemesis profiles and `slow` entries
// (role references too) replay to the same fingerprint from the recorded schedule, recovery resets slow
// nodes, and message bytes are counted only when a scenario asks (without changing the fingerprint).

import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NemesisProfile } from '../../sim/nemesis.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario.js';

const scenario = findScenario('broadcast-chaos')!;

describe('fd nemesis profiles and slow faults in whole runs', () => {
  for (const nemesis of ['fd-lossy', 'fd-slow', 'fd-chaos'] as NemesisProfile[]) {
    it(`${nemesis}: same seed, same run; the recorded schedule replays to the same fingerprint`, () => {
      for (const seed of [1, 2, 3]) {
        const prepared = prepareRun({ scenario, seed, nemesis });
        expect(prepared.faults.length).toBeGreaterThan(0);
        const first = executeRun(prepared);
        expect(executeRun(prepareRun({ scenario, seed, nemesis })).fingerprint).toBe(first.fingerprint);
        const raw = JSON.parse(JSON.stringify({ faults: prepared.faults }));
        const replayed = executeRun(prepareRun({ scenario, seed, faults: { raw, source: 'replay.json' } }));
        expect(replayed.fingerprint).toBe(first.fingerprint);
      }
    });
  }

  it('fd-slow draws slow windows that slow the run down; the recovery phase sets every slow node back', () => {
    const prepared = prepareRun({ scenario, seed: 4, nemesis: 'fd-slow' });
    expect(prepared.faults.some((f) => f.kind === 'slow' && f.factor > 1)).toBe(true);
    const trace: { type: string; source?: string; fault?: FaultEntry }[] = [];
    executeRun(prepared, (e) => trace.push(e as never));
    const lastSlow = new Map<string, number>();
    for (const e of trace) if (e.type === 'fault' && e.fault!.kind === 'slow') lastSlow.set(e.fault!.node, e.fault!.factor);
    for (const factor of lastSlow.values()) expect(factor).toBe(1);
  });

  it('an explicit slow schedule with a role reference replays identically', () => {
    const raw = [
      { at: '1s', kind: 'slow', node: '@server:any', as: 'S', factor: 12 },
      { at: '4s', kind: 'slow', node: '$S', factor: 2.5 },
      { at: '6s', kind: 'slow', node: 'n2', factor: 30 },
    ];
    const a = executeRun(prepareRun({ scenario, seed: 9, faults: { raw, source: 'slow.json' } }));
    const b = executeRun(prepareRun({ scenario, seed: 9, faults: { raw, source: 'slow.json' } }));
    expect(b.fingerprint).toBe(a.fingerprint);
    const plain = executeRun(prepareRun({ scenario, seed: 9, faults: { raw: [], source: 'none.json' } }));
    expect(a.fingerprint).not.toBe(plain.fingerprint);
    const resolved = a.simulator.resolutions.map((r) => r.resolved);
    expect(resolved[0]).toMatchObject({ kind: 'slow', factor: 12 });
    expect(resolved[1]).toEqual({ at: 4_000_000, kind: 'slow', node: (resolved[0] as { node: string }).node, factor: 2.5 });
  });

  it('counts message bytes only when the scenario asks, and the fingerprint does not depend on it', () => {
    const measuring: Scenario = { ...scenario, build: (options) => ({ ...scenario.build(options), measureBytes: true }) };
    const on = executeRun(prepareRun({ scenario: measuring, seed: 5 }));
    const off = executeRun(prepareRun({ scenario, seed: 5 }));
    expect(on.fingerprint).toBe(off.fingerprint);
    expect(on.stats.bytesSent).toBeGreaterThan(on.stats.messagesSent);
    expect(off.stats.bytesSent).toBeUndefined();
    expect('bytesSent' in off.stats).toBe(false);
  });
});
