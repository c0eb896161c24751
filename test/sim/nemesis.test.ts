// The nemesis: reproducible schedules, only the profile's kinds, valid entries, a minority down at
// most, and an intensity ramp that makes faults denser over time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFaultSchedule, type FaultKind } from '../../sim/faults.js';
import { generateSchedule, NEMESIS_PROFILES, type NemesisOptions, type NemesisProfile } from '../../sim/nemesis.js';
import { Rng } from '../../sim/rng.js';
import { NODES5 } from '../helpers.js';

const options = (profile: NemesisProfile, extra: Partial<NemesisOptions> = {}): NemesisOptions => ({
  profile,
  targets: NODES5,
  faultPhaseMicros: 30_000_000,
  meanGapMicros: 500_000,
  intensityStart: 1,
  intensityEnd: 1,
  windowMicrosMin: 100_000,
  windowMicrosMax: 2_000_000,
  baseLatency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 1_000 },
  ...extra,
});

const KINDS: Record<NemesisProfile, FaultKind[]> = {
  none: [],
  scenario: [],
  partitions: ['partition', 'heal', 'clog', 'unclog'],
  crashes: ['crash', 'restart', 'pause', 'resume'],
  lossy: ['loss', 'duplicate', 'delay'],
  clocks: ['clock-skew', 'clock-drift'],
  chaos: ['partition', 'heal', 'clog', 'unclog', 'crash', 'restart', 'pause', 'resume', 'loss', 'duplicate', 'delay', 'clock-skew', 'clock-drift'],
  'fd-lossy': ['loss', 'duplicate', 'delay'],
  'fd-slow': ['slow'],
  'fd-chaos': ['crash', 'restart', 'pause', 'resume', 'slow', 'partition', 'heal', 'loss', 'clock-drift'],
  membership: ['join', 'leave', 'crash', 'restart', 'partition', 'heal'],
  // Swarm's kinds depend on the seed's draw: test/sim/swarm.test.ts.
  swarm: [],
};

describe('nemesis', () => {
  it('same seed, same schedule; the schedule is valid and uses only the profile\'s kinds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(...NEMESIS_PROFILES.filter((p) => p !== 'swarm')), (seed, profile) => {
      const a = generateSchedule(options(profile), Rng.fromSeed(seed).fork('nemesis'));
      const b = generateSchedule(options(profile), Rng.fromSeed(seed).fork('nemesis'));
      expect(b).toEqual(a);
      expect(parseFaultSchedule(JSON.parse(JSON.stringify(a)), NODES5, 30_000_000, 'gen')).toEqual(a);
      for (const entry of a) expect(KINDS[profile]).toContain(entry.kind);
      if (profile !== 'none' && profile !== 'scenario') expect(a.length).toBeGreaterThan(0);
    }), { numRuns: 60 });
  });

  it('never has more than a minority of the targets down at once', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (seed) => {
      const schedule = generateSchedule(options('crashes', { intensityEnd: 8 }), Rng.fromSeed(seed));
      const down = new Set<string>();
      for (const entry of schedule) {
        if (entry.kind === 'crash' || entry.kind === 'pause') down.add(entry.node);
        if (entry.kind === 'restart' || entry.kind === 'resume') down.delete(entry.node);
        expect(down.size).toBeLessThanOrEqual(2);
      }
    }), { numRuns: 60 });
  });

  it('membership: joins only absent nodes, leaves only members, never below half the starting members; crashes and partitions only members', () => {
    const targets = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
    const spares = ['s7', 's8'];
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (seed) => {
      const schedule = generateSchedule(options('membership', { targets, spares, intensityEnd: 4 }), Rng.fromSeed(seed));
      const members = new Set(targets.filter((id) => !spares.includes(id)));
      const absent = new Set(spares);
      for (const entry of schedule) {
        if (entry.kind === 'join') {
          expect(absent.has(entry.node), `join ${entry.node}`).toBe(true);
          absent.delete(entry.node);
          members.add(entry.node);
        } else if (entry.kind === 'leave') {
          expect(members.has(entry.node), `leave ${entry.node}`).toBe(true);
          members.delete(entry.node);
          absent.add(entry.node);
          expect(members.size).toBeGreaterThanOrEqual(3);
        } else if (entry.kind === 'crash') {
          expect(members.has(entry.node), `crash ${entry.node}`).toBe(true);
        } else if (entry.kind === 'partition' && 'groups' in entry) {
          for (const id of entry.groups.flat()) expect(members.has(id), `partition ${id}`).toBe(true);
        }
      }
    }), { numRuns: 60 });
    // And it does change membership, both ways, over a range of seeds.
    let joins = 0;
    let leaves = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const schedule = generateSchedule(options('membership', { targets, spares }), Rng.fromSeed(seed));
      joins += schedule.filter((e) => e.kind === 'join').length;
      leaves += schedule.filter((e) => e.kind === 'leave').length;
    }
    expect(joins).toBeGreaterThan(20);
    expect(leaves).toBeGreaterThan(20);
  });

  it('a rising intensity puts more faults in the second half than the first', () => {
    let later = 0;
    for (let seed = 0; seed < 20; seed++) {
      const schedule = generateSchedule(options('clocks', { intensityStart: 0.5, intensityEnd: 6 }), Rng.fromSeed(seed));
      const firstHalf = schedule.filter((e) => e.at < 15_000_000 && e.kind === 'clock-skew').length;
      const secondHalf = schedule.filter((e) => e.at >= 15_000_000 && e.kind === 'clock-skew').length;
      if (secondHalf > firstHalf) later++;
    }
    expect(later).toBeGreaterThanOrEqual(18);
  });

  it('fd profiles: never more than a minority down, nor a minority slow, at once; slow factors 5…100, each window closed', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom<NemesisProfile>('fd-slow', 'fd-chaos'), (seed, profile) => {
      const schedule = generateSchedule(options(profile, { intensityEnd: 8 }), Rng.fromSeed(seed));
      const down = new Set<string>();
      const slow = new Set<string>();
      for (const entry of schedule) {
        if (entry.kind === 'crash' || entry.kind === 'pause') down.add(entry.node);
        if (entry.kind === 'restart' || entry.kind === 'resume') down.delete(entry.node);
        if (entry.kind === 'slow') {
          if (entry.factor === 1) slow.delete(entry.node);
          else {
            expect(entry.factor).toBeGreaterThanOrEqual(5);
            expect(entry.factor).toBeLessThanOrEqual(100);
            slow.add(entry.node);
          }
        }
        expect(down.size).toBeLessThanOrEqual(2);
        expect(slow.size).toBeLessThanOrEqual(2);
      }
      expect(slow.size).toBe(0);
    }), { numRuns: 60 });
  });

  it('fd profiles act only on the targets: node faults name targets, link faults select links between targets', () => {
    const targets = ['n2', 'n3', 'n4', 'n5', 'n6'];
    const cluster = ['n1', ...targets, 'n7'];
    for (const profile of ['fd-lossy', 'fd-slow', 'fd-chaos'] as const) {
      for (let seed = 0; seed < 10; seed++) {
        const schedule = generateSchedule(options(profile, { targets }), Rng.fromSeed(seed));
        expect(schedule.length).toBeGreaterThan(0);
        expect(parseFaultSchedule(JSON.parse(JSON.stringify(schedule)), cluster, 30_000_000, 'gen')).toEqual(schedule);
        for (const entry of schedule) {
          if ('node' in entry) expect(targets).toContain(entry.node);
          if (entry.kind === 'loss' || entry.kind === 'duplicate' || entry.kind === 'delay') {
            expect(entry.from).toBeDefined();
            expect(entry.to).toBeDefined();
            for (const id of [...entry.from!, ...entry.to!]) expect(targets).toContain(id);
          }
          if (entry.kind === 'partition') {
            const ids = 'groups' in entry ? entry.groups.flat() : [...entry.from, ...entry.to];
            for (const id of ids) expect(targets).toContain(id);
          }
        }
      }
    }
    // fd-lossy draws loss on one member's links in one direction too.
    const oneMember = Array.from({ length: 10 }, (_, seed) => generateSchedule(options('fd-lossy', { targets }), Rng.fromSeed(seed))).flat()
      .filter((e) => e.kind === 'loss' && (e.from!.length === 1 || e.to!.length === 1));
    expect(oneMember.length).toBeGreaterThan(0);
  });
});
