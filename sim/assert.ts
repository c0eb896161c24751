// Programmer-error assertions: a broken internal invariant throws at once.
// Expected outcomes (a dropped message, bad user input) never use this; they are typed results.

/** Thrown when an internal invariant of faultline or of an algorithm is broken. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** Throws `InvariantError(why)` unless `condition` holds. */
export function assert(condition: unknown, why: string): asserts condition {
  if (!condition) throw new InvariantError(why);
}

/** Marks a branch the type system proves unreachable. */
export function unreachable(value: never, what: string): never {
  throw new InvariantError(`unreachable: unexpected ${what} ${JSON.stringify(value)}`);
}
