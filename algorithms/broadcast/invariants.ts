// Checkers for reliable broadcast, fed by the nodes' 'broadcast' and 'deliver' observations.
// Safety: no node delivers a value twice, and only broadcast values are delivered. Liveness: once faults
// heal, every value broadcast by a node that never crashed reaches every node. Sometimes: a value travelled.

import type { Checker } from '../../sim/check.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros, type Micros } from '../../sim/time.js';
import type { BroadcastFact } from './facts.js';

/** always: no node delivers the same value twice, across restarts. */
export function noDuplicateDelivery(): Checker<BroadcastFact> {
  const seen = new Map<NodeId, Map<string, Micros>>();
  return {
    name: 'no-duplicate-delivery',
    kind: 'always',
    description: 'no node delivers the same value twice, even across crashes',
    onObservation(node, fact, run) {
      if (fact.type !== 'deliver') return;
      let mine = seen.get(node);
      if (!mine) seen.set(node, (mine = new Map()));
      const first = mine.get(fact.id);
      if (first !== undefined) return `${node} delivered ${fact.id} twice (at ${formatMicros(first)} and ${formatMicros(run.now)})`;
      mine.set(fact.id, run.now);
    },
    verdict: () => ({ ok: true }),
  };
}

/** always: a delivered value was broadcast by someone (no value out of thin air). */
export function deliversOnlyBroadcastValues(): Checker<BroadcastFact> {
  const broadcast = new Set<string>();
  return {
    name: 'delivers-only-broadcast-values',
    kind: 'always',
    description: 'every delivered value was broadcast by some node',
    onObservation(node, fact) {
      if (fact.type === 'broadcast') broadcast.add(fact.id);
      else if (fact.type === 'deliver' && !broadcast.has(fact.id)) return `${node} delivered ${fact.id}, which nobody broadcast`;
    },
    verdict: () => ({ ok: true }),
  };
}

/** eventually: each value broadcast by a node that never crashed is delivered at every server. */
export function allDelivered(): Checker<BroadcastFact> {
  const origins = new Map<string, NodeId>();
  const delivered = new Map<NodeId, Set<string>>();
  return {
    name: 'all-delivered',
    kind: 'eventually',
    description: 'after recovery, every value broadcast by a node that stayed up is delivered at every node',
    onObservation(node, fact) {
      if (fact.type === 'broadcast') origins.set(fact.id, node);
      else if (fact.type === 'deliver') {
        let mine = delivered.get(node);
        if (!mine) delivered.set(node, (mine = new Set()));
        mine.add(fact.id);
      }
    },
    verdict(run) {
      const missing: string[] = [];
      for (const [id, origin] of origins) {
        if (run.crashCount(origin) > 0) continue;
        for (const node of run.servers) {
          if (!delivered.get(node)?.has(id)) missing.push(`${node} lacks ${id}`);
        }
      }
      if (missing.length === 0) return { ok: true };
      const more = missing.length > 3 ? ` (and ${missing.length - 3} more)` : '';
      return { ok: false, message: `${missing.slice(0, 3).join(', ')}${more}` };
    },
  };
}

/** sometimes: at least one value reached a node other than its origin. */
export function someValueTravelled(): Checker<BroadcastFact> {
  let travelled = false;
  return {
    name: 'some-value-travelled',
    kind: 'sometimes',
    description: 'at least one value was delivered at a node other than its origin',
    onObservation(node, fact) {
      if (fact.type === 'deliver' && fact.origin !== node) travelled = true;
    },
    verdict: () => (travelled ? { ok: true } : { ok: false, message: 'no value ever left its origin' }),
  };
}

export function broadcastCheckers(): Checker<BroadcastFact>[] {
  return [noDuplicateDelivery(), deliversOnlyBroadcastValues(), allDelivered(), someValueTravelled()];
}
