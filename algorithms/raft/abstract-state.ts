// Raft's abstract state, for coverage-guided exploration (`faultline explore`): a moment of a run with ids,
// exact terms and indices forgotten — the roles held, how far the servers' terms have drifted apart, how
// many hold entries of an older term beyond their commit point (Figure 8's ingredient), and whether logs
// disagree at their ends. Two moments with one key are the same kind of moment. Reads views only.

import type { RunView } from '../../sim/check.js';
import type { RaftView } from './raft.js';

/** A count as a small bucket: 0, 1, 2, or 3 for three and more. */
function bucket(n: number): number {
  return Math.min(n, 3);
}

/** The key of a moment: `L1C0F3D1|t2|o1|d1` (leaders, candidates, followers, down; term spread; old uncommitted; divergent ends). */
export function raftAbstractState(run: RunView): string {
  let leaders = 0;
  let candidates = 0;
  let followers = 0;
  let down = 0;
  let termMin = Infinity;
  let termMax = -Infinity;
  let olderUncommitted = 0;
  const ends = new Set<string>();
  for (const server of run.servers) {
    const view = run.status(server) === 'up' ? (run.inspect(server) as RaftView | undefined) : undefined;
    if (view === undefined) {
      down++;
      continue;
    }
    if (view.role === 'leader') leaders++;
    else if (view.role === 'candidate') candidates++;
    else followers++;
    termMin = Math.min(termMin, view.term);
    termMax = Math.max(termMax, view.term);
    const last = view.log.length - 1;
    // An entry of an older term past the commit point: one a later leader may commit, or overwrite.
    for (let i = view.commitIndex + 1; i <= last; i++) {
      if (view.log[i]!.term < view.term) {
        olderUncommitted++;
        break;
      }
    }
    if (last > 0) ends.add(`${last}:${view.log[last]!.term}`);
  }
  const spread = termMax >= termMin ? bucket(termMax - termMin) : 0;
  return `L${bucket(leaders)}C${bucket(candidates)}F${bucket(followers)}D${bucket(down)}|t${spread}|o${bucket(olderUncommitted)}|d${bucket(Math.max(0, ends.size - 1))}`;
}
