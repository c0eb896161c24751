// Minimal disruption, as a checker: consistent hashing's promise (Karger et al. 1997) that when one node
// joins, a key changes primary only to move to the joiner, and when one leaves, only the leaver's keys
// move. Judged on every committed shard map against the one before it, on the run's owner tables, for
// the placements that promise it (the ring, rendezvous); jump, maglev and bounded loads promise less.

import type { Checker } from '../../sim/check.js';
import type { EpochFact } from './metrics.js';
import type { OwnerTables } from './tables.js';

/** The placements whose every single join or leave moves only the keys it must. */
const PROMISED = new Set(['ring', 'rendezvous']);

/**
 * always: between consecutive shard maps that differ by one member, every key whose primary changed
 * moved to the member that joined, or away from the member that left. Maps are judged in epoch order as
 * their facts arrive; a map that skips an epoch or changes more than one member is not judged.
 */
export function minimalDisruption(tables: OwnerTables): Checker<EpochFact> {
  let last: { epoch: number; members: readonly string[] } | undefined;
  const promised = PROMISED.has(tables.kind);
  return {
    name: 'minimal-disruption',
    kind: 'always',
    description: 'a membership change moves a key\'s primary only to the node that joined or away from the one that left (ring, rendezvous)',
    onObservation(_node, fact) {
      if (!promised || fact.type !== 'epoch') return;
      if (last !== undefined && fact.epoch <= last.epoch) return;
      const before = last;
      last = { epoch: fact.epoch, members: fact.members };
      if (before === undefined || fact.epoch !== before.epoch + 1) return;
      const joined = fact.members.filter((m) => !before.members.includes(m));
      const left = before.members.filter((m) => !fact.members.includes(m));
      if (joined.length + left.length !== 1) return;
      const old = tables.table(before.members);
      const now = tables.table(fact.members);
      const R = tables.replicas;
      for (let k = 0; k < tables.hashes.length; k++) {
        const from = old.members[old.owners[k * R]!]!;
        const to = now.members[now.owners[k * R]!]!;
        if (from === to) continue;
        if (joined.length === 1 ? to !== joined[0] : from !== left[0]) {
          return `epoch ${fact.epoch} (${joined.length === 1 ? `${joined[0]} joined` : `${left[0]} left`}): key ${tables.keys[k]} moved from ${from} to ${to}`;
        }
      }
    },
    verdict: () => ({ ok: true }),
  };
}
