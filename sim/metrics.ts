// Run metrics: availability, time to a new leader after each leader loss, time to recover after the
// final heal, and messages per committed command. Algorithm-neutral: it reads the observations any
// leader-based algorithm makes (`role`, `leader-established`, `apply`) and the faults the run applied.

import type { Checker } from './check.js';
import type { FaultEntry } from './faults.js';
import type { NodeId, Observation } from './process.js';
import type { Micros } from './time.js';

export interface RunMetrics {
  /** Fraction of client operations that succeeded (ok ÷ all invoked); null when no client ran. */
  readonly availability: number | null;
  /**
   * For each leader loss (its leader crashed, paused, or cut off from a majority by a partition), the
   * time until a new leader was known to a majority (its `leader-established` observation). Losses
   * never followed by such a leader before the run ended are left out and counted in `leaderLossesUnresolved`.
   */
  readonly leaderElectionMicros: readonly Micros[];
  readonly leaderLossesUnresolved: number;
  /** From the final heal (the start of the recovery phase) until every `eventually` check held; null: never. */
  readonly recoveryMicros: Micros | null;
  /** All messages sent (servers and clients) ÷ distinct log positions applied with a client command; null: none. */
  readonly messagesPerCommit: number | null;
}

/** The name of the observation tap, so that the run can leave it out of the checks it reports. */
export const METRICS_TAP_NAME = 'metrics-tap';

interface RoleChange { readonly at: Micros; readonly node: NodeId; readonly leader: boolean; readonly term: number }

/** Collects what metrics need while the run goes; computes them when it has ended. */
export class MetricsCollector {
  private readonly roleChanges: RoleChange[] = [];
  private readonly established: { at: Micros; node: NodeId; term: number }[] = [];
  private readonly committed = new Set<number>();

  /** A checker that only listens (never fails); pass it to the simulator beside the real ones. */
  readonly tap: Checker = {
    name: METRICS_TAP_NAME,
    kind: 'sometimes',
    description: 'collects observations for run metrics',
    onObservation: (node: NodeId, fact: Observation, run) => this.observe(run.now, node, fact),
    verdict: () => ({ ok: true }),
  };

  private observe(at: Micros, node: NodeId, fact: Observation): void {
    if (fact.type === 'role') this.roleChanges.push({ at, node, leader: fact.role === 'leader', term: Number(fact.term) });
    else if (fact.type === 'leader-established') this.established.push({ at, node, term: Number(fact.term) });
    else if (fact.type === 'apply' && fact.command !== null && fact.command !== undefined) this.committed.add(Number(fact.index));
  }

  compute(input: {
    readonly servers: readonly NodeId[];
    /** Faults in the order applied, with role references resolved (null: skipped). */
    readonly applied: readonly { readonly at: Micros; readonly fault: FaultEntry | null }[];
    readonly history: { readonly ok: number; readonly fail: number; readonly open: number };
    readonly messagesSent: number;
    readonly recovery: { readonly startedAtMicros: Micros; readonly recoveredAtMicros: Micros | null };
  }): RunMetrics {
    const invoked = input.history.ok + input.history.fail + input.history.open;
    const elections = this.leaderElections(input.servers, input.applied);
    return {
      availability: invoked === 0 ? null : input.history.ok / invoked,
      leaderElectionMicros: elections.resolved,
      leaderLossesUnresolved: elections.unresolved,
      recoveryMicros: input.recovery.recoveredAtMicros === null ? null : input.recovery.recoveredAtMicros - input.recovery.startedAtMicros,
      messagesPerCommit: this.committed.size === 0 ? null : Math.round((input.messagesSent / this.committed.size) * 100) / 100,
    };
  }

  /** Walks faults and role changes in time order, opening a loss when the leader is taken out. */
  private leaderElections(servers: readonly NodeId[], applied: readonly { at: Micros; fault: FaultEntry | null }[]) {
    const serverSet = new Set(servers);
    const leaderOf = new Map<NodeId, number>(); // node → term, while it believes it leads
    const down = new Set<NodeId>();
    const cuts = new Set<string>(); // "from>to" between servers
    const resolved: Micros[] = [];
    let unresolved = 0;
    let pending: { at: Micros; term: number } | undefined;
    let roleIndex = 0;
    let establishedIndex = 0;

    const currentLeader = (): { node: NodeId; term: number } | undefined => {
      let best: { node: NodeId; term: number } | undefined;
      for (const [node, term] of leaderOf) if (!down.has(node) && (best === undefined || term > best.term)) best = { node, term };
      return best;
    };
    const reachesMajority = (leader: NodeId): boolean => {
      let both = 1;
      for (const other of servers) if (other !== leader && !down.has(other) && !cuts.has(`${leader}>${other}`) && !cuts.has(`${other}>${leader}`)) both++;
      return both * 2 > servers.length;
    };
    const advanceTo = (at: Micros) => {
      while (roleIndex < this.roleChanges.length && this.roleChanges[roleIndex]!.at <= at) {
        const change = this.roleChanges[roleIndex++]!;
        if (change.leader) leaderOf.set(change.node, change.term);
        else leaderOf.delete(change.node);
      }
      while (establishedIndex < this.established.length && this.established[establishedIndex]!.at <= at) {
        const e = this.established[establishedIndex++]!;
        if (pending !== undefined && e.term > pending.term) {
          resolved.push(e.at - pending.at);
          pending = undefined;
        }
      }
    };
    const linksOf = (list: readonly NodeId[] | undefined) => (list ?? servers).filter((n) => serverSet.has(n));

    for (const { at, fault } of applied) {
      advanceTo(at - 1);
      const before = currentLeader();
      if (fault !== null) {
        switch (fault.kind) {
          case 'crash': case 'pause':
            down.add(fault.node);
            leaderOf.delete(fault.node);
            break;
          case 'restart': case 'resume':
            down.delete(fault.node);
            break;
          case 'heal':
            cuts.clear();
            break;
          case 'partition':
            if ('groups' in fault && fault.groups) {
              const groupOf = new Map<NodeId, number>();
              fault.groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
              for (const a of servers) for (const b of servers) {
                const ga = groupOf.get(a);
                const gb = groupOf.get(b);
                if (ga !== undefined && gb !== undefined && ga !== gb) cuts.add(`${a}>${b}`);
              }
            } else {
              const f = fault as { from?: readonly NodeId[]; to?: readonly NodeId[] };
              for (const a of linksOf(f.from)) for (const b of linksOf(f.to)) if (a !== b) cuts.add(`${a}>${b}`);
            }
            break;
          default:
            break;
        }
      }
      if (pending === undefined && before !== undefined && (down.has(before.node) || !reachesMajority(before.node))) {
        pending = { at, term: before.term };
      }
    }
    advanceTo(Number.MAX_SAFE_INTEGER);
    if (pending !== undefined) unresolved++;
    return { resolved, unresolved };
  }
}

/** Median of a list (the lower middle for an even count); null when empty. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
