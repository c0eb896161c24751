// The Raft paper's "time without leader" (§9.3, Figure 16) as a metric: from the crash of the leader
// until some server becomes leader of a later term. Assumes the servers report `role` facts with their
// term (sim/facts.ts) and that the leader's crash is a fault of the schedule (`@leader`).

import type { MetricDecl, MetricsObserver } from '../../sim/metrics.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { RaftFact, RaftRole } from './facts.js';

/** The metric {@link leaderlessMetrics} provides. */
export const LEADERLESS_METRIC: MetricDecl = {
  name: 'leaderlessMicros',
  unit: 'duration',
  description: "time without a leader (the Raft paper's Figure 16): from the leader's crash until a server becomes leader of a later term",
};

/**
 * Time without a leader, one sample per crash of a leader during the fault phase: from the crash until
 * the first `role: leader` fact of a later term (the moment a candidate counts a majority of votes), as
 * the Raft paper timed "how long it took to detect the crash and elect a new leader" (§9.3).
 *
 * How it relates to the built-in `leaderElectionMicros` (sim/metrics.ts): both start at the same crash,
 * but `leaderElectionMicros` ends later, at `leader-established`, when the new leader has heard back
 * from a majority (its own vote and ⌊n/2⌋ followers' replies to its first AppendEntries): it is this
 * metric plus about one AppendEntries round trip to the ⌊n/2⌋-th fastest follower (7.5 + 7.5 ms on
 * average on a 5–10 ms one-way network). `leaderElectionMicros` also counts leader losses by partition
 * and pause; this one only crashes.
 *
 * A trial still unresolved when the fault phase ends gives no sample: in the recovery phase the crashed
 * leader restarts, which would change the outcome. A crash of a node that was not the leader (or a
 * second crash while one is open) opens nothing.
 */
export function leaderlessMetrics(): MetricsObserver<RaftFact> {
  const roles = new Map<NodeId, { readonly role: RaftRole; readonly term: number }>();
  const samples: Micros[] = [];
  let open: { readonly at: Micros; readonly term: number } | undefined;
  return {
    name: 'leaderless-metrics',
    provides: [LEADERLESS_METRIC],
    onFact(node, fact, run) {
      if (fact.type !== 'role') return;
      roles.set(node, { role: fact.role, term: fact.term });
      if (open !== undefined && run.phase === 'faults' && fact.role === 'leader' && fact.term > open.term) {
        samples.push(run.now - open.at);
        open = undefined;
      }
    },
    onFault(fault, run) {
      if (run.phase !== 'faults') {
        open = undefined;
        return;
      }
      if (fault?.kind !== 'crash' || open !== undefined) return;
      const was = roles.get(fault.node);
      if (was?.role === 'leader') open = { at: run.now, term: was.term };
    },
    finish: () => ({ samples: { [LEADERLESS_METRIC.name]: samples } }),
  };
}
