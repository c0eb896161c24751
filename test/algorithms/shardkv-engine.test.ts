// The sharded store on the engine: whole runs with joins, leaves, crashes, isolated nodes and message
// loss pass every check on every seed of a fixed range without bugs; each planted store bug is caught
// at a stated rate over the same range (no test picks the seed that catches); runs are deterministic;
// a run without membership changes fails the `sometimes` check, so no scenario passes by doing nothing.

import { describe, expect, it } from 'vitest';
import { hashBugs } from '../../algorithms/hashing/bugs.js';
import { crashDuringMigrationScript, failedChecks, runShard, shardScenario } from './shardkv-harness.js';

const seedRange = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

/** The membership nemesis (joins, leaves, crashes, isolated members) at a fast pace, with 5% loss, on hot keys. */
const membership = {
  scenario: shardScenario({ name: 'shard-membership', description: 'membership nemesis', nemesis: 'membership' }),
  set: ['nemesisGapMicros=300000', 'lossRatio=0.05', 'clients=8', 'keys=10'],
  durationMicros: 8_000_000,
};
/** Joins and leaves every 0.6–1 s, each followed by a crash of another member during its migration, with 5% loss. */
const crashDuringMigration = {
  scenario: shardScenario({ name: 'shard-crash-during-migration', description: 'crashes during migrations', nemesis: 'scenario', script: crashDuringMigrationScript(5) }),
  set: ['spares=4', 'lossRatio=0.05', 'clients=8', 'keys=100'],
  durationMicros: 6_000_000,
};
/** The same, and the controller and config nodes crash too (a restarted controller re-learns what it forgot). */
const controlPlaneCrashes = {
  scenario: shardScenario({ name: 'shard-control-plane-crashes', description: 'controller and config crashes too', nemesis: 'scenario', script: crashDuringMigrationScript(5, true) }),
  set: ['spares=4', 'lossRatio=0.05', 'clients=8', 'keys=50'],
  durationMicros: 6_000_000,
};
type Setting = typeof membership;

const sweeps = new Map<string, { seed: number; failed: string[] }[]>();
function sweep(setting: Setting, bug: string | undefined, seeds: readonly number[]) {
  const key = `${setting.scenario.name} ${bug ?? '-'} ${seeds[0]}-${seeds.at(-1)}`;
  let out = sweeps.get(key);
  if (out === undefined) {
    out = seeds.map((seed) => ({ seed, failed: failedChecks(runShard(setting.scenario, seed, { bug, set: setting.set, durationMicros: setting.durationMicros })) }));
    sweeps.set(key, out);
  }
  return out;
}

describe('sharded store on the engine', () => {
  it('membership nemesis with loss: every check passes on seeds 1–100 without bugs', () => {
    const failures = sweep(membership, undefined, seedRange(1, 100)).filter((r) => r.failed.length > 0);
    expect(failures).toEqual([]);
  });

  it('crashes during migrations with loss: every check passes on seeds 1–60 without bugs', () => {
    const failures = sweep(crashDuringMigration, undefined, seedRange(1, 60)).filter((r) => r.failed.length > 0);
    expect(failures).toEqual([]);
  });

  it('controller and config nodes crash too: every check passes on seeds 1–60 without bugs', () => {
    const failures = sweep(controlPlaneCrashes, undefined, seedRange(1, 60)).filter((r) => r.failed.length > 0);
    expect(failures).toEqual([]);
  });

  it('hash/migrate-delete-before-ack is caught on at least half of seeds 1–60 of crashes during migrations (measured 35 of 60)', () => {
    const runs = sweep(crashDuringMigration, hashBugs.names.deleteBeforeAck, seedRange(1, 60));
    const caught = runs.filter((r) => r.failed.some((f) => f.startsWith('linearizable') || f.startsWith('replicas-after-recovery')));
    expect(caught.length).toBeGreaterThanOrEqual(30);
  });

  it('hash/stale-map-no-epoch-check is caught on at least a quarter of seeds 1–100 of the membership nemesis (measured 43 of 100)', () => {
    const runs = sweep(membership, hashBugs.names.staleMapNoEpochCheck, seedRange(1, 100));
    const caught = runs.filter((r) => r.failed.some((f) => f.startsWith('linearizable') || f.startsWith('one-writer-per-epoch') || f.startsWith('replicas-after-recovery')));
    expect(caught.length).toBeGreaterThanOrEqual(25);
  });

  for (const placement of ['ring', 'jump', 'rendezvous', 'maglev', 'bounded']) {
    it(`placement ${placement}: crashes during migrations pass seeds 1–5`, () => {
      const set = [...crashDuringMigration.set, `placement=${placement}`];
      const failures = seedRange(1, 5).map((seed) => failedChecks(runShard(crashDuringMigration.scenario, seed, { set, durationMicros: crashDuringMigration.durationMicros }))).filter((f) => f.length > 0);
      expect(failures).toEqual([]);
    });
  }

  it('32 storage nodes, 20,000 keys, 10 changes: the nodes send the copies the placement moves (and re-sends after crashes), about K·R/n per change', () => {
    const large = shardScenario({ name: 'shard-large', description: '32 nodes', nemesis: 'scenario', script: crashDuringMigrationScript(32) });
    const result = runShard(large, 3, { nodes: 32, set: ['spares=6', 'keys=20000', 'clients=8', 'batchKeysMax=512', 'placement=ring'], durationMicros: 8_000_000 });
    expect(failedChecks(result)).toEqual([]);
    const samples = result.metrics.samples!;
    expect(samples.changesSettled![0]).toBeGreaterThanOrEqual(8);
    // Copies sent equal the placement's moved copies, but for re-sends after the crashes the script makes.
    const sent = samples.keyCopiesSentPerChange!.reduce((a, b) => a + b, 0);
    const moved = samples.keysMovedPerChange!.reduce((a, b) => a + b, 0);
    expect(sent).toBeGreaterThanOrEqual(moved);
    expect(sent).toBeLessThan(moved * 1.5);
    for (const ratio of samples.keysMovedOverMinimum!) expect(ratio).toBeLessThan(1.5);
  });

  it('is deterministic: one seed twice gives one fingerprint', () => {
    const a = runShard(crashDuringMigration.scenario, 7, { set: crashDuringMigration.set, durationMicros: crashDuringMigration.durationMicros });
    const b = runShard(crashDuringMigration.scenario, 7, { set: crashDuringMigration.set, durationMicros: crashDuringMigration.durationMicros });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.history.ok).toBeGreaterThan(100);
    expect(a.metrics.samples?.changesSettled?.[0]).toBeGreaterThan(2);
    expect(a.metrics.samples?.keyCopiesSentPerChange?.length).toBeGreaterThan(2);
    expect(a.metrics.samples?.keysMovedPerChange?.length).toBe(a.metrics.samples?.changesSettled?.[0]);
  });

  it('a run with no membership change fails membership-change-completed (and nothing else)', () => {
    const quiet = shardScenario({ name: 'shard-quiet', description: 'no faults', nemesis: 'none' });
    const result = runShard(quiet, 1, { durationMicros: 2_000_000 });
    expect(result.outcome).toBe('liveness-violation');
    expect(failedChecks(result)).toEqual(['membership-change-completed: no membership change completed (no epoch after the first settled)']);
  });
});
