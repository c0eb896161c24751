// The facts a counter node reports (ctx.observe), as one discriminated union: the checkers in checks.ts
// are typed by it, so renaming or misspelling a fact is a compile error. The counter has no leader and
// no log, so it emits none of faultline's shared facts (role, leader-established, apply).

/**
 * `increment`: the node added one to its own slot, which is now `count`.
 * `value`: the node's view of the counter changed to `value`.
 */
export type CounterFact =
  | { readonly type: 'increment'; readonly count: number }
  | { readonly type: 'value'; readonly value: number };
