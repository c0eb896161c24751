// The facts the sharded store reports (ctx.observe), as one discriminated union: the checkers in
// checks.ts and the scenarios' metrics read exactly these. The controller reports epochs; storage nodes
// report adoption, accepted writes (cheap: one small object per write) and finished migrations.

/**
 * What the sharded store reports:
 * - `epoch` (controller): shard map `epoch` with `members` (join order) is committed in the config group.
 * - `epoch-settled` (controller): every member of `epoch` (and the node it removed) finished migrating into it.
 * - `epoch-adopted` (storage): this node adopted `epoch` durably and stopped serving the one before.
 * - `write-accepted` (storage): as primary of `key` in `epoch`, this node ordered a write.
 * - `read-served` (storage): as primary in `epoch`, this node answered a get (the request load metric counts both).
 * - `migrated` (storage): this node finished migrating into `epoch`: it sent `keysSent` key copies and
 *   received `keysReceived` (all acknowledged).
 */
export type ShardFact =
  | { readonly type: 'epoch'; readonly epoch: number; readonly members: readonly string[] }
  | { readonly type: 'epoch-settled'; readonly epoch: number }
  | { readonly type: 'epoch-adopted'; readonly epoch: number }
  | { readonly type: 'write-accepted'; readonly key: string; readonly epoch: number }
  | { readonly type: 'read-served'; readonly key: string; readonly epoch: number }
  | { readonly type: 'migrated'; readonly epoch: number; readonly keysSent: number; readonly keysReceived: number };
