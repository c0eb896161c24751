// Copying and freezing the plain data that processes hand to the engine (disk writes, history
// inputs and outputs). Plain data: primitives, arrays and plain objects. Anything else (a Map, a Date,
// a cycle) falls back to structuredClone, so the result is always what structuredClone would give.

/** Deeper than this, a value is copied by structuredClone (which also handles cycles). */
const PLAIN_DEPTH_MAX = 64;

/** Thrown inside `copyPlain` when a value is not plain data: the caller falls back to structuredClone. */
const NOT_PLAIN = Symbol('not plain data');

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function copyPlain(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw NOT_PLAIN;
    return value;
  }
  if (depth >= PLAIN_DEPTH_MAX) throw NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw NOT_PLAIN; // a hole: structuredClone keeps it, a copy would fill it
      copy[i] = copyPlain(value[i], depth + 1);
    }
    return copy;
  }
  if (!isPlainObject(value)) throw NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') throw NOT_PLAIN; // an own property of that name cannot be set by assignment
    copy[key] = copyPlain((value as Record<string, unknown>)[key], depth + 1);
  }
  return copy;
}

/** A deep copy, equal to `structuredClone(value)`; plain data (the usual case) is copied directly, several times faster. */
export function clonePlain<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  try {
    return copyPlain(value, 0) as T;
  } catch (error) {
    if (error === NOT_PLAIN) return structuredClone(value);
    throw error;
  }
}

/** Freezes `value` and everything it contains. */
export function freezeDeep<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) freezeDeep(child);
  }
  return value;
}

/** True if `value` is a primitive, or plain data frozen all the way down (nobody can change it). */
function isFrozenPlain(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (depth >= PLAIN_DEPTH_MAX || !Object.isFrozen(value)) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isFrozenPlain(value[i], depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  // for-in rather than Object.keys: no array per object (a plain object inherits no enumerable keys).
  for (const key in value) if (!isFrozenPlain((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

/**
 * An immutable deep copy of `value`: the value itself when it is already frozen plain data (a log
 * entry that arrived in a message, say), otherwise a frozen clone. Either way nothing the caller
 * keeps can change what is returned.
 */
export function frozenCopy<T>(value: T): T {
  if (isFrozenPlain(value, 0)) return value;
  return freezeDeep(clonePlain(value));
}
