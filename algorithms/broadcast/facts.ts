// The facts a reliable-broadcast node reports (ctx.observe), as one discriminated union: the checkers
// in invariants.ts read exactly these, so renaming or misspelling one is a compile error. Broadcast has
// no leader and no log: it emits none of the shared facts of sim/facts.ts.

import type { NodeId } from '../../sim/process.js';

/**
 * `broadcast`: the node `origin` started broadcasting the value named `id` (`origin/seq`).
 * `deliver`: the node delivered the value `id` first broadcast by `origin`.
 */
export type BroadcastFact =
  | { readonly type: 'broadcast'; readonly id: string; readonly origin: NodeId }
  | { readonly type: 'deliver'; readonly id: string; readonly origin: NodeId };
