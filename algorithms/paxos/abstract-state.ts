// Multi-Paxos's abstract state, for coverage-guided exploration (`faultline explore`): a moment of a run
// with ids and exact ballots forgotten — the roles held, how far the promised rounds have drifted apart,
// whether a node follows a leader other than the newest, and how far learning lags. Reads views only.

import type { RunView } from '../../sim/check.js';
import type { Ballot } from './messages.js';

interface PaxosNodeView {
  readonly role: string;
  readonly ballot: Ballot;
  readonly leaderId: string | null;
  readonly promised: Ballot;
  readonly learnedThrough: number;
}

/** A count as a small bucket: 0, 1, 2, or 3 for three and more. */
function bucket(n: number): number {
  return Math.min(n, 3);
}

/** The key of a moment: `L1C0F3D1|r2|s1|l2` (leaders, candidates, followers, down; promised-round spread; split leadership; learning lag). */
export function multiPaxosAbstractState(run: RunView): string {
  const counts = { leader: 0, candidate: 0, follower: 0, down: 0 };
  let roundMin = Infinity;
  let roundMax = -Infinity;
  let learnedMin = Infinity;
  let learnedMax = -Infinity;
  const leadersFollowed = new Set<string>();
  for (const server of run.servers) {
    const view = run.status(server) === 'up' ? (run.inspect(server) as PaxosNodeView | undefined) : undefined;
    if (view === undefined) {
      counts.down++;
      continue;
    }
    if (view.role === 'leader') counts.leader++;
    else if (view.role === 'candidate') counts.candidate++;
    else counts.follower++;
    roundMin = Math.min(roundMin, view.promised.round);
    roundMax = Math.max(roundMax, view.promised.round);
    learnedMin = Math.min(learnedMin, view.learnedThrough);
    learnedMax = Math.max(learnedMax, view.learnedThrough);
    if (view.leaderId !== null) leadersFollowed.add(view.leaderId);
  }
  const spread = roundMax >= roundMin ? bucket(roundMax - roundMin) : 0;
  const lag = learnedMax >= learnedMin ? bucket(Math.ceil(Math.log2(1 + learnedMax - learnedMin))) : 0;
  return `L${bucket(counts.leader)}C${bucket(counts.candidate)}F${bucket(counts.follower)}D${bucket(counts.down)}|r${spread}|s${bucket(Math.max(0, leadersFollowed.size - 1))}|l${lag}`;
}
