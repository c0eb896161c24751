// Binary search over lists sorted by a time (trace events, state changes, timer spans), as the playground's
// indexes look a moment up. Node-free and pure; the lists are sorted by `key`, never decreasing.

/** How many leading elements have a key at or before `t`: the index of the first one after `t`. */
export function countAtOrBefore<T>(list: readonly T[], t: number, key: (item: T) => number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (key(list[mid]!) <= t) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How many leading elements have a key strictly before `t`: the index of the first one at or after `t`. */
export function countBefore<T>(list: readonly T[], t: number, key: (item: T) => number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (key(list[mid]!) < t) low = mid + 1;
    else high = mid;
  }
  return low;
}
