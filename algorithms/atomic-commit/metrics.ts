// The atomic-commitment metrics, generic over 2PC, 3PC and Paxos Commit: messages per committed
// transaction, commit latency, in-doubt time, abort ratio and throughput. They read the shared facts
// (facts.ts) and the client history; they never judge a run.

import type { RunView } from '../../sim/check.js';
import type { MetricDecl, MetricsObserver } from '../../sim/metrics.js';
import type { Operation } from '../../sim/history.js';
import type { CommitFact } from './facts.js';

/** What {@link commitProtocolMetrics} measures. */
export const COMMIT_METRICS: readonly MetricDecl[] = [
  { name: 'messagesPerCommit', unit: 'number', description: 'atomic commit: messages sent by every node in the fault phase ÷ transactions decided commit in it' },
  { name: 'commitLatencyMicros', unit: 'duration', description: "atomic commit: a committed transaction's client call → return" },
  { name: 'inDoubtMicros', unit: 'duration', description: "atomic commit: per (participant, transaction), from its yes vote to its outcome (holding locks with no decision); waits still open when the run ends are in inDoubtOpenAtEndMicros" },
  { name: 'inDoubtOpenAtEndMicros', unit: 'duration', description: 'atomic commit: per (participant, transaction) still holding a yes vote with no outcome when the run ends, how long it has waited (none: every wait was resolved)' },
  { name: 'abortRatio', unit: 'ratio', description: 'atomic commit: aborted ÷ answered transactions (open ones left out)' },
  { name: 'commitsPerSecond', unit: 'number', description: 'atomic commit: transactions decided commit in the fault phase ÷ its length in seconds' },
  {
    name: 'messageDelaysPerCommit', unit: 'number',
    description: "atomic commit: a committed transaction's client call → return over the network's mean one-way latency: its message delays (the client's begin and result included), exactly so on a constant-latency network, an estimate under jitter or faults",
  },
];

/**
 * The atomic-commitment metrics observer (see {@link COMMIT_METRICS}). `meanLatencyMicros`: the network's
 * mean one-way latency, which message delays are counted in (none given: no delay samples).
 */
export function commitProtocolMetrics(options: { readonly meanLatencyMicros?: number } = {}): MetricsObserver<CommitFact> {
  const committed = new Set<string>();
  const votedAt = new Map<string, number>();
  const inDoubt: number[] = [];
  let history: readonly Operation[] = [];
  let faultPhase: { messages: number; commits: number } | undefined;
  const snapshot = (run: RunView) => {
    faultPhase ??= { messages: run.messagesSent ?? 0, commits: committed.size };
  };
  return {
    name: 'commit-protocol-metrics',
    provides: COMMIT_METRICS,
    onFact(node, fact, run) {
      history = run.history;
      if (run.phase === 'recovery') snapshot(run);
      if (fact.type === 'decide' && fact.decision === 'commit') committed.add(fact.tx);
      else if (fact.type === 'vote' && fact.vote === 'yes' && !votedAt.has(`${node} ${fact.tx}`)) votedAt.set(`${node} ${fact.tx}`, run.now); // from the first yes: a re-vote does not restart the wait
      else if (fact.type === 'outcome') {
        const key = `${node} ${fact.tx}`;
        const at = votedAt.get(key);
        if (at !== undefined) {
          inDoubt.push(run.now - at);
          votedAt.delete(key);
        }
      }
    },
    onFault(_fault, run) {
      history = run.history;
      if (run.phase === 'recovery') snapshot(run);
    },
    finish(run) {
      const phase = faultPhase ?? { messages: run.messagesSent, commits: committed.size };
      const latency = history.filter((op) => op.status === 'ok' && op.return !== null).map((op) => op.return! - op.call);
      const answered = history.filter((op) => op.status !== 'open').length;
      const aborted = history.filter((op) => op.status === 'fail').length;
      const seconds = run.recovery.startedAtMicros / 1_000_000;
      const perCommit = phase.commits > 0 ? phase.messages / phase.commits : null;
      return {
        messagesPerCommit: perCommit,
        samples: {
          messagesPerCommit: perCommit === null ? [] : [perCommit],
          commitLatencyMicros: latency,
          inDoubtMicros: inDoubt,
          inDoubtOpenAtEndMicros: [...votedAt.values()].map((at) => run.endedAtMicros - at),
          abortRatio: answered > 0 ? [aborted / answered] : [],
          commitsPerSecond: seconds > 0 ? [phase.commits / seconds] : [],
          messageDelaysPerCommit: options.meanLatencyMicros !== undefined && options.meanLatencyMicros > 0
            ? latency.map((micros) => Math.round((micros / options.meanLatencyMicros!) * 100) / 100)
            : [],
        },
      };
    },
  };
}
