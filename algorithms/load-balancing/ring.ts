// A consistent-hashing ring (Karger et al., 1997, as Envoy's ring_hash balancer builds it): each backend
// owns `pointsPerBackend` points on a 32-bit circle, hashed from (its id, the point's number); a key is
// hashed onto the circle and served by the first point clockwise whose backend is eligible. When a
// backend leaves, only the keys it served move. Assumes backend ids are distinct; hashes are sim/hash.ts's
// content hash (deterministic, murmur-finalised), so the ring is the same in every run and on every node.

import { assert } from '../../sim/assert.js';
import { sealAndHash } from '../../sim/hash.js';

/** The ring position (0 … 2^32 − 1) of point `point` of the backend named `id`. */
export function pointHash(id: string, point: number): number {
  return sealAndHash([id, point]) >>> 0;
}

/** The ring position (0 … 2^32 − 1) of a request key. */
export function keyHash(key: number): number {
  return sealAndHash(key) >>> 0;
}

/**
 * The ring over all backends (built once), and the ring of the eligible ones (rebuilt only when the
 * eligible set changes, by filtering the full ring: it stays sorted). A lookup is one binary search.
 */
export class HashRing {
  /** All points, sorted by (hash, backend, point number): equal hashes are ordered by backend, then point. */
  private readonly allHashes: Uint32Array;
  private readonly allBackends: Int32Array;
  /** The points of eligible backends, in the same order; `liveCount` of them are in use. */
  private readonly liveHashes: Uint32Array;
  private readonly liveBackends: Int32Array;
  private liveCount = 0;
  /** The eligible list the live ring was built for (compared by reference first, then by content). */
  private liveFor: readonly number[] | null = null;
  private readonly eligibleMask: Uint8Array;
  /** How often the live ring was rebuilt (for tests: rebuilds happen only when the eligible set changes). */
  rebuilds = 0;

  constructor(ids: readonly string[], pointsPerBackend: number) {
    assert(Number.isInteger(pointsPerBackend) && pointsPerBackend >= 1, `ring points per backend must be a positive integer, got ${pointsPerBackend}`);
    const count = ids.length * pointsPerBackend;
    const points: { hash: number; backend: number; point: number }[] = [];
    for (let backend = 0; backend < ids.length; backend++) {
      for (let point = 0; point < pointsPerBackend; point++) points.push({ hash: pointHash(ids[backend]!, point), backend, point });
    }
    points.sort((a, b) => a.hash - b.hash || a.backend - b.backend || a.point - b.point);
    this.allHashes = new Uint32Array(count);
    this.allBackends = new Int32Array(count);
    points.forEach((p, i) => {
      this.allHashes[i] = p.hash;
      this.allBackends[i] = p.backend;
    });
    this.liveHashes = new Uint32Array(count);
    this.liveBackends = new Int32Array(count);
    this.eligibleMask = new Uint8Array(ids.length);
  }

  /** The backend serving `key` among `eligible` (non-empty, ascending backend indexes). */
  lookup(eligible: readonly number[], key: number): number {
    assert(eligible.length > 0, 'ring lookup with no eligible backend');
    if (eligible !== this.liveFor) this.useEligible(eligible);
    const h = keyHash(key);
    // The first live point at or after h, clockwise; past the last point, the ring wraps to the first.
    let low = 0;
    let high = this.liveCount;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.liveHashes[mid]! < h) low = mid + 1;
      else high = mid;
    }
    return this.liveBackends[low === this.liveCount ? 0 : low]!;
  }

  /** Rebuilds the live ring if `eligible` differs in content from the set it was built for. */
  private useEligible(eligible: readonly number[]): void {
    const previous = this.liveFor;
    if (previous !== null && previous.length === eligible.length && previous.every((b, i) => b === eligible[i])) {
      this.liveFor = eligible;
      return;
    }
    this.eligibleMask.fill(0);
    for (const backend of eligible) {
      assert(backend >= 0 && backend < this.eligibleMask.length, `eligible backend ${backend} is not on the ring`);
      this.eligibleMask[backend] = 1;
    }
    let n = 0;
    for (let i = 0; i < this.allHashes.length; i++) {
      const backend = this.allBackends[i]!;
      if (this.eligibleMask[backend] === 1) {
        this.liveHashes[n] = this.allHashes[i]!;
        this.liveBackends[n] = backend;
        n++;
      }
    }
    this.liveCount = n;
    this.liveFor = eligible;
    this.rebuilds++;
  }
}
