// `npm run bench:hashing`: how fast each placement function builds and looks keys up. owners(hash, 3) per
// second at 32 and 512 nodes (ring and bounded with 100 virtual nodes, Maglev with M = 65,537; bounded
// built over 100,000 keys), primary(hash) per second, and each build's time. Wall-clock figures belong
// here, never in tests; no assertions. Ratios are against the ring's lookups.

import { performance } from 'node:perf_hooks';
import { keyHash } from '../algorithms/hashing/hash.js';
import { createPlacement, PLACEMENT_KINDS, type Placement, type PlacementKind } from '../algorithms/hashing/placement.js';
import { plainTable } from '../reports/text.js';

const KEYS = Array.from({ length: 100_000 }, (_, i) => keyHash(`key-${i}`));
const NODE_COUNTS = [32, 512];
const REPLICAS = 3;
/** Each measurement runs at least this long, after a warm-up round. */
const MEASURE_MILLIS_MIN = 300;

/** Calls per second of `body` over all keys, repeated until MEASURE_MILLIS_MIN have passed. */
function rate(body: (h: number) => unknown): number {
  let sink = 0;
  for (const h of KEYS) if (body(h)) sink++;
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MILLIS_MIN) {
    for (const h of KEYS) if (body(h)) sink++;
    calls += KEYS.length;
    elapsed = performance.now() - started;
  }
  if (sink < 0) console.log(sink);
  return (calls / elapsed) * 1000;
}

/** The median build time of five builds, in milliseconds. */
function buildMillis(kind: PlacementKind, nodes: string[]): { placement: Placement; millis: number } {
  const times: number[] = [];
  let placement: Placement | undefined;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    placement = createPlacement(kind, nodes, { keys: KEYS });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { placement: placement!, millis: times[2]! };
}

const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`);

function main(): void {
  const table = plainTable(['function', 'nodes', 'build', 'owners(h, 3)/s', 'primary(h)/s', 'owners vs ring']);
  for (const n of NODE_COUNTS) {
    const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    let ringRate = 0;
    for (const kind of PLACEMENT_KINDS) {
      const { placement, millis } = buildMillis(kind, nodes);
      const owners = rate((h) => placement.owners(h, REPLICAS));
      const primary = rate((h) => placement.primary(h));
      if (kind === 'ring') ringRate = owners;
      const what = kind === 'bounded' ? `${millis.toFixed(1)} ms (${KEYS.length.toLocaleString('en')} keys)` : `${millis.toFixed(2)} ms`;
      table.push([kind, String(n), what, fmt(owners), fmt(primary), `${(owners / ringRate).toFixed(2)}×`]);
    }
  }
  console.log(table.toString());
}

main();
