// Copying and freezing the plain data that processes hand to the engine (disk writes, history
// inputs and outputs). Plain data: primitives, arrays and plain objects with data properties. Anything
// else (a Map, a Date, a cycle, an array with named properties) falls back to structuredClone.

/** Deeper than this, a value is copied by structuredClone (which also handles cycles). */
const PLAIN_DEPTH_MAX = 64;
/**
 * More objects and arrays than this, and the value is copied by structuredClone: a value whose parts
 * are shared many times over (`d = [d, d]`, twenty levels deep) would otherwise take exponential time.
 */
const PLAIN_OBJECTS_MAX = 10_000;

/** Thrown inside `copyPlain` when a value is not plain data: the caller falls back to structuredClone. */
const NOT_PLAIN = Symbol('not plain data');

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

class PlainCopier {
  private objects = 0;

  copy(value: unknown, depth: number): unknown {
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'function' || typeof value === 'symbol') throw NOT_PLAIN;
      return value;
    }
    if (depth >= PLAIN_DEPTH_MAX || ++this.objects > PLAIN_OBJECTS_MAX) throw NOT_PLAIN;
    if (Array.isArray(value)) {
      const copy = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw NOT_PLAIN; // a hole: structuredClone keeps it, a copy would fill it
        copy[i] = this.copy(value[i], depth + 1);
      }
      // Named properties on an array: structuredClone keeps them, an index loop would not.
      if (Object.keys(value).length !== value.length) throw NOT_PLAIN;
      return copy;
    }
    if (!isPlainObject(value)) throw NOT_PLAIN;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw NOT_PLAIN; // an own property of that name cannot be set by assignment
      copy[key] = this.copy((value as Record<string, unknown>)[key], depth + 1);
    }
    return copy;
  }
}

/**
 * A deep copy with the content `structuredClone(value)` would have; plain data (the usual case) is
 * copied directly, several times faster. Unlike structuredClone, a part the value holds twice is
 * copied twice (the copies are equal), and a getter may be read twice when the copy falls back.
 */
export function clonePlain<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  try {
    return new PlainCopier().copy(value, 0) as T;
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

/**
 * True if `value` is a primitive, or plain data frozen all the way down whose every property is an
 * enumerable data property with a string key: then nobody can change it, not even through a getter,
 * a symbol-keyed or non-enumerable child, or a named property on an array.
 */
function isFrozenPlain(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (verifiedFrozenPlain.has(value)) return true;
  if (depth >= PLAIN_DEPTH_MAX || !Object.isFrozen(value)) return false;
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) return false;
  const keys = Reflect.ownKeys(value);
  // An array has its indices and `length`; anything more (or a hole: fewer) is not plain data.
  if (isArray && keys.length !== (value as unknown[]).length + 1) return false;
  for (const key of keys) {
    if (isArray && key === 'length') continue;
    if (typeof key === 'symbol') return false;
    const property = Object.getOwnPropertyDescriptor(value, key)!;
    if (!property.enumerable || !('value' in property)) return false;
    if (!isFrozenPlain(property.value, depth + 1)) return false;
  }
  verifiedFrozenPlain.add(value);
  return true;
}

/**
 * Objects found to be frozen plain data. Only a cache: a frozen object's properties can never change
 * (nor can those of the frozen plain data it holds), so the answer for it stays the same. A log entry
 * that every follower writes to its disk is walked once.
 */
const verifiedFrozenPlain = new WeakSet<object>();

/**
 * An immutable deep copy of `value`: the value itself when it is already frozen plain data (a log
 * entry that arrived in a message, say), otherwise a frozen clone. Either way nothing the caller
 * keeps, and no getter it defined, can change what is returned.
 */
export function frozenCopy<T>(value: T): T {
  if (isFrozenPlain(value, 0)) return value;
  return freezeDeep(clonePlain(value));
}
