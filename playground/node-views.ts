// Which view draws a scenario's nodes: a registry keyed by the scenario's `algorithm` (the name every
// scenario already declares), with the role view (sim/facts.ts's shared role fact) for any algorithm
// without one. A registry here, not a field on Scenario: drawing is the page's concern, so sim/ and
// scenarios/ stay as they are, and an algorithm gets a view by adding one line below. The views live in
// playground/ (view-raft.ts, view-paxos.ts, view-fd.ts; not beside each algorithm, which may import only
// sim/), as flat files: the build ships the page's modules as TypeScript from this folder's top level.

import { fdView } from './view-fd.js';
import { multiPaxosView, paxosView } from './view-paxos.js';
import { raftView } from './view-raft.js';
import { anyView, roleView, type AnyNodeView } from './node-view.js';

/** The views the playground ships, by scenario `algorithm`. */
export const NODE_VIEWS: ReadonlyMap<string, AnyNodeView> = new Map([
  ['raft', anyView(raftView)],
  ['paxos', anyView(paxosView)],
  ['multi-paxos', anyView(multiPaxosView)],
  ['failure-detection', anyView(fdView)],
]);

/** The view for a scenario's algorithm: its own, or the generic role view. */
export function viewFor(algorithm: string): AnyNodeView {
  return NODE_VIEWS.get(algorithm) ?? anyView(roleView);
}
