// Placement metrics of a run: how evenly each shard map spreads the key space over its members, and how
// many keys each membership change moves against the least a balanced function must move (K / n). Read
// from the maps the store publishes (`{ type: 'epoch', epoch, members }` facts) and computed on the
// run's owner tables, so they measure the placement function the run used, whatever the network did.

import type { MetricDecl, MetricsObserver } from '../../sim/metrics.js';
import type { OwnerTable, OwnerTables } from './tables.js';

/** The fact a store reports when a shard map is committed. */
export type EpochFact = { readonly type: 'epoch'; readonly epoch: number; readonly members: readonly string[] };

/** The further metrics {@link placementMetrics} provides (`RunMetrics.samples`). */
export const PLACEMENT_METRICS: readonly MetricDecl[] = [
  { name: 'keysMovedPerChange', unit: 'count', description: 'per membership change: (key, node) copies the new map has that the old one had not (each is a transfer)' },
  { name: 'keysMovedOverMinimum', unit: 'number', description: 'per membership change: copies moved over the least any balanced placement moves (K · R / n of the larger cluster for one join or leave); 1 is minimal' },
  { name: 'primariesMovedOverMinimum', unit: 'number', description: 'per membership change: keys whose primary changed over K / n of the larger cluster' },
  { name: 'keysMovedOverMinimumJoin', unit: 'number', description: 'keysMovedOverMinimum of the changes that add a node' },
  { name: 'keysMovedOverMinimumLeave', unit: 'number', description: 'keysMovedOverMinimum of the changes that remove a node' },
  { name: 'loadPeakToMean', unit: 'number', description: 'per shard map: the most keys (as primary) one member holds over the mean; 1 is perfect' },
  { name: 'loadStdDevOverMean', unit: 'number', description: 'per shard map: the standard deviation of keys (as primary) per member over the mean' },
];

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Keys per member as primary, from a table. */
function primaryCounts(table: OwnerTable): number[] {
  const counts = new Array<number>(table.members.length).fill(0);
  const R = table.replicas;
  for (let i = 0; i < table.owners.length; i += R) counts[table.owners[i]!]!++;
  return counts;
}

/**
 * The placement metrics observer (fresh per run), over the run's owner tables. Each committed map is
 * measured once, in epoch order; a change is measured between consecutive epochs (the store changes one
 * member at a time, so K · R / n of the larger cluster is the least any balanced function moves).
 */
export function placementMetrics(tables: OwnerTables): MetricsObserver<EpochFact> {
  const maps: { epoch: number; members: readonly string[] }[] = [];
  return {
    name: 'placement-metrics',
    provides: PLACEMENT_METRICS,
    onFact(_node, fact) {
      if (fact.type !== 'epoch') return;
      if (maps.some((m) => m.epoch === fact.epoch)) return;
      maps.push({ epoch: fact.epoch, members: fact.members });
    },
    finish() {
      maps.sort((a, b) => a.epoch - b.epoch);
      const K = tables.hashes.length;
      const R = tables.replicas;
      const moved: number[] = [];
      const movedRatio: number[] = [];
      const joinRatio: number[] = [];
      const leaveRatio: number[] = [];
      const primaryRatio: number[] = [];
      const peak: number[] = [];
      const spread: number[] = [];
      let previous: OwnerTable | undefined;
      let previousEpoch = 0;
      for (const map of maps) {
        const table = tables.table(map.members);
        const counts = primaryCounts(table);
        const mean = K / counts.length;
        peak.push(round4(Math.max(...counts) / mean));
        spread.push(round4(Math.sqrt(counts.reduce((a, c) => a + (c - mean) ** 2, 0) / counts.length) / mean));
        if (previous !== undefined && map.epoch === previousEpoch + 1) {
          const before = previous;
          // Each new member's index in the old list (−2 for a newcomer: no old owner index matches it).
          const oldIndex = Int32Array.from(table.members, (m) => { const i = before.members.indexOf(m); return i < 0 ? -2 : i; });
          const was = before.owners;
          const is = table.owners;
          let copies = 0;
          let primaries = 0;
          for (let k = 0; k < K; k++) {
            const base = k * R;
            if (oldIndex[is[base]!] !== was[base]) primaries++;
            for (let r = 0; r < R; r++) {
              const owner = is[base + r]!;
              if (owner < 0) continue;
              const old = oldIndex[owner]!;
              let had = false;
              for (let q = 0; q < R; q++) if (was[base + q] === old) had = true;
              if (!had) copies++;
            }
          }
          const had = new Set(before.members);
          const has = new Set(table.members);
          const joined = table.members.filter((m) => !had.has(m)).length;
          const left = before.members.filter((m) => !has.has(m)).length;
          const least = (perBefore: number, perAfter: number) => Math.max((joined * K * perAfter) / table.members.length, (left * K * perBefore) / before.members.length);
          const copiesMin = least(Math.min(R, before.members.length), Math.min(R, table.members.length));
          const primariesMin = least(1, 1);
          moved.push(copies);
          if (copiesMin > 0) {
            movedRatio.push(round4(copies / copiesMin));
            if (joined > 0 && left === 0) joinRatio.push(round4(copies / copiesMin));
            if (left > 0 && joined === 0) leaveRatio.push(round4(copies / copiesMin));
          }
          if (primariesMin > 0) primaryRatio.push(round4(primaries / primariesMin));
        }
        previous = table;
        previousEpoch = map.epoch;
      }
      return {
        samples: {
          keysMovedPerChange: moved, keysMovedOverMinimum: movedRatio, primariesMovedOverMinimum: primaryRatio,
          keysMovedOverMinimumJoin: joinRatio, keysMovedOverMinimumLeave: leaveRatio,
          loadPeakToMean: peak, loadStdDevOverMean: spread,
        },
      };
    },
  };
}
