// `npm run bench:check`: the linearizability checker on generated histories of realistic difficulty
// (sim/check/generate-history.ts realisticShape), fixed seeds, each checked by the current search and by the
// search as it was before (bench/check-baseline.ts) in the same run. Wall-clock figures belong here, never in tests.
// Peak memory is the process's maximum resident set so far (it only grows: the largest shape runs last).

import { performance } from 'node:perf_hooks';
import { corruptRealistically, generateHistory, realisticShape } from '../sim/check/generate-history.js';
import { checkLinearizability, type HistoryOp } from '../sim/check/linearizability.js';
import { Rng } from '../sim/rng.js';
import { plainTable } from '../reports/text.js';
import { checkLinearizability as checkBaseline } from './check-baseline.js';

type Checker = typeof checkLinearizability;
interface Shape {
  readonly name: string;
  readonly model: 'kv' | 'register';
  readonly histories: readonly HistoryOp[][];
  /** Porcupine's figure on its own history of this shape, for comparison (ms). */
  readonly porcupineMillis?: number;
}

const STEPS_MAX = 10_000_000;
const ROUNDS = 3;

function kvShape(name: string, operations: number, seed: number, corrupt: boolean, porcupineMillis?: number, open = false): Shape {
  const history = generateHistory(realisticShape(open ? 'kv-open' : 'kv-porcupine', operations), Rng.fromSeed(seed));
  return { name, model: 'kv', histories: [corrupt ? corruptRealistically(history, Rng.fromSeed(seed + 1))! : history], ...(porcupineMillis ? { porcupineMillis } : {}) };
}

/** 102 histories like Jepsen's etcd ones: 100 … 1,000 operations, every sixth with one stale or impossible read. */
function etcdSet(): Shape {
  const histories: HistoryOp[][] = [];
  for (let i = 0; i < 102; i++) {
    const rng = Rng.fromSeed(1_000 + i);
    const history = generateHistory(realisticShape('etcd-register', rng.int(100, 1_000)), rng);
    histories.push(i % 6 === 5 ? (corruptRealistically(history, rng) ?? history) : history);
  }
  return { name: 'etcd-register ×102', model: 'register', histories, porcupineMillis: 500 };
}

function run(check: Checker, shape: Shape): { verdicts: string; each: string[]; steps: number; millis: number } {
  const counts = new Map<string, number>();
  const each: string[] = [];
  let steps = 0;
  const started = performance.now();
  for (const history of shape.histories) {
    const result = check(history, { model: shape.model, stepsMax: STEPS_MAX });
    counts.set(result.verdict, (counts.get(result.verdict) ?? 0) + 1);
    each.push(result.verdict);
    steps += result.steps;
  }
  const millis = performance.now() - started;
  const verdicts = shape.histories.length === 1 ? [...counts.keys()][0]! : [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  return { verdicts, each, steps, millis };
}

function best(check: Checker, shape: Shape, rounds = ROUNDS): ReturnType<typeof run> {
  const results = [...Array(rounds)].map(() => run(check, shape));
  return results.reduce((a, b) => (b.millis < a.millis ? b : a));
}

const shapes: Shape[] = [
  kvShape('kv-porcupine (50 clients, 10 keys)', 1_712, 1, false, 130),
  kvShape('kv-porcupine, one stale read', 1_712, 1, true),
  kvShape('kv-open (10% open, half lost)', 1_712, 1, false, undefined, true),
  etcdSet(),
  kvShape('kv-porcupine ×6 (10,272 ops)', 10_272, 7, false),
];

const onlyNew = process.argv.includes('--new-only');
const table = plainTable(['shape', 'ops', 'open %', 'verdict before', 'verdict', 'steps before', 'steps', 'ms before', 'ms', 'speed-up', 'Porcupine ms', 'peak RSS MB']);
for (const shape of shapes) {
  const ops = shape.histories.reduce((n, h) => n + h.length, 0);
  const open = shape.histories.reduce((n, h) => n + h.filter((op) => op.return === null).length, 0);
  run(checkLinearizability, shape); // warm-up
  const after = best(checkLinearizability, shape);
  const before = onlyNew ? undefined : best(checkBaseline as Checker, shape, 1);
  // Exact verdicts: where both searches decided, they agree (either may run out of budget on its own).
  const differ = before?.each.findIndex((v, i) => v !== after.each[i] && v !== 'unknown' && after.each[i] !== 'unknown') ?? -1;
  if (differ >= 0) throw new Error(`${shape.name}: history ${differ}: before ${before!.each[differ]}, now ${after.each[differ]}`);
  table.push([
    shape.name,
    String(ops),
    ((100 * open) / ops).toFixed(0),
    before ? before.verdicts : '—',
    after.verdicts,
    before ? String(before.steps) : '—',
    String(after.steps),
    before ? before.millis.toFixed(0) : '—',
    after.millis.toFixed(0),
    before ? `${(before.millis / after.millis).toFixed(1)}×` : '—',
    shape.porcupineMillis ? String(shape.porcupineMillis) : '',
    (process.resourceUsage().maxRSS / 1024).toFixed(0),
  ]);
}
process.stdout.write(`${table.toString()}\nnow: best of ${ROUNDS} rounds after a warm-up; before: one round; budget ${STEPS_MAX} steps per history; peak RSS is the process's so far (the largest shape runs last)\n`);
process.stdout.write('steps: now, each candidate operation tried (both candidate orders summed); before, every call or return entry visited\n');
