// The key hash every placement function reads: a string to an unsigned 32-bit integer, the same on every
// node, in every run and on every platform. FNV-1a over the UTF-16 code units, then MurmurHash3's 32-bit
// finaliser (fmix32), whose avalanche spreads keys that differ in one character over the whole circle.

/** FNV-1a's 32-bit offset basis and prime (Fowler, Noll & Vo). */
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of `text` with `seed` folded in first: an unsigned 32-bit integer. */
export function hashString(text: string, seed = 0): number {
  let h = (FNV_OFFSET_BASIS ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return fmix32(h);
}

/** A key's position: what `Placement.owners` takes. */
export function keyHash(key: string): number {
  return hashString(key);
}
