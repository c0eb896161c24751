// `npm run catch-rates [-- --seeds 1..200 --methods chaos,swarm,staged --bugs raft/forget-vote,… --scenario S --json FILE]`:
// how often each planted bug is caught, per method, over a fixed seed range — with the 95% Wilson interval,
// so every catch claim in README is a rate over a stated range. Methods: `chaos` (the algorithm's generic
// scenario under its own nemesis), `swarm` (the same scenario, `--nemesis swarm`), `staged` (the scenarios
// the bug names as exposing it, each under its own nemesis; the best is shown). A seed counts as caught when
// an `always` or `eventually` check fails and the same seed passes without the bug (else it is unconfirmed);
// a run failing only a `sometimes` check is vacuous (nothing happened that could show the bug), counted
// apart. Not part of CI: a full table takes a while (say how long).

import { writeFileSync } from 'node:fs';
import { explore } from '../lab/explore.js';
import { parseSeedRange, prepareSweep, runSweep } from '../lab/sweep.js';
import { formatRate, wilsonInterval, type RateWithInterval } from '../lab/stats.js';

import { findScenario, scenarios } from '../scenarios/index.js';
import type { NemesisProfile } from '../sim/nemesis.js';

/**
 * Each planted bug's generic scenario, and the setting that picks the variant of the algorithm the bug lives
 * in (a detector, a protocol, a balancing policy) — which algorithm is under test, not a staged fault.
 */
interface Target {
  readonly bug: string;
  readonly scenario: string;
  readonly set?: readonly string[];
}

const TARGETS: readonly Target[] = [
  ...['broadcast/no-retransmit', 'broadcast/no-dedup'].map((bug) => ({ bug, scenario: 'broadcast-chaos' })),
  ...['raft/commit-old-term', 'raft/forget-vote', 'raft/vote-without-log-check', 'raft/truncate-matching-entries', 'raft/stale-read', 'raft/no-dedup'].map((bug) => ({ bug, scenario: 'raft-chaos' })),
  ...['paxos/accept-below-promise', 'paxos/ignore-accepted-value', 'paxos/forget-promise', 'paxos/quorum-off-by-one', 'paxos/no-backoff'].map((bug) => ({ bug, scenario: 'paxos-chaos' })),
  ...['paxos/accept-below-promise', 'paxos/ignore-accepted-value', 'paxos/forget-promise', 'paxos/quorum-off-by-one', 'paxos/no-backoff'].map((bug) => ({ bug, scenario: 'paxos-single-decree-chaos' })),
  ...['fd/swim-no-refutation', 'fd/swim-no-indirect-probes', 'fd/swim-unscaled-suspicion'].map((bug) => ({ bug, scenario: 'fd-chaos', set: ['detector=swim'] })),
  { bug: 'fd/phi-no-min-std-deviation', scenario: 'fd-chaos', set: ['detector=phi'] },
  { bug: 'fd/heartbeat-timeout-below-interval', scenario: 'fd-chaos', set: ['detector=heartbeat'] },
  { bug: 'lb/least-outstanding-leak', scenario: 'lb-chaos', set: ['policy=least-outstanding'] },
  { bug: 'lb/wrr-forgets-weights', scenario: 'lb-chaos', set: ['policy=weighted-round-robin'] },
  ...['lb/health-first-success-up', 'lb/outlier-never-readmits', 'lb/retry-no-budget'].map((bug) => ({ bug, scenario: 'lb-chaos' })),
  ...['hash/migrate-delete-before-ack', 'hash/stale-map-no-epoch-check', 'hash/vnodes-count-as-replicas', 'hash/ring-by-arrival'].map((bug) => ({ bug, scenario: 'hash-chaos' })),
  ...['commit/commit-on-majority', 'commit/prepare-not-synced', 'commit/decide-before-log', 'commit/abort-after-yes'].map((bug) => ({ bug, scenario: '2pc-chaos' })),
  { bug: 'commit/paxos-quorum-off-by-one', scenario: 'paxos-commit-chaos' },
];

type Method = 'chaos' | 'swarm' | 'explore' | 'staged';
const METHODS: readonly Method[] = ['chaos', 'swarm', 'explore', 'staged'];

function fail(problem: string): never {
  process.stderr.write(`catch-rates: ${problem}\n`);
  process.exit(2);
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) fail(`--${name} needs a value`);
  return value;
}

for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--') && !['--seeds', '--methods', '--bugs', '--scenario', '--json', '--staged-seeds'].includes(arg)) fail(`unknown option ${arg} (known: --seeds, --staged-seeds, --methods, --bugs, --scenario, --json)`);
}
let seeds: { from: number; to: number };
let stagedSeeds: { from: number; to: number };
try {
  seeds = parseSeedRange(flag('seeds') ?? '1..200');
  stagedSeeds = parseSeedRange(flag('staged-seeds') ?? flag('seeds') ?? '1..200');
} catch (error) {
  fail((error as Error).message);
}
const methods = (flag('methods') ?? 'chaos,swarm').split(',') as Method[];
for (const m of methods) if (!METHODS.includes(m)) fail(`--methods ${m}: expected some of ${METHODS.join(', ')}`);
const onlyBugs = flag('bugs')?.split(',');
for (const b of onlyBugs ?? []) if (!TARGETS.some((t) => t.bug === b)) fail(`--bugs ${b}: no such planted bug (known: ${[...new Set(TARGETS.map((t) => t.bug))].join(', ')})`);
const jsonPath = flag('json');
const onlyScenario = flag('scenario');
if (onlyScenario !== undefined && !TARGETS.some((t) => t.scenario === onlyScenario)) fail(`--scenario ${onlyScenario}: not a generic scenario of a planted bug (${[...new Set(TARGETS.map((t) => t.scenario))].join(', ')})`);
const targets = TARGETS.filter((t) => (onlyBugs === undefined || onlyBugs.includes(t.bug)) && (onlyScenario === undefined || t.scenario === onlyScenario));
for (const t of targets) if (findScenario(t.scenario) === undefined) fail(`scenario ${t.scenario} is not built`);

interface Measured {
  readonly caught: RateWithInterval;
  readonly vacuous: number;
  /** Seeds that failed with the bug and also fail without it: the set-up's failures, not catches. */
  readonly unconfirmed: number;
  readonly firstSeed: number | null;
  readonly scenario: string;
  readonly wallMillis: number;
}

/** The seeds on which `run` fails an `always` or `eventually` check, and those failing only `sometimes` ones. */
async function failingSeeds(scenario: string, bug: string | undefined, set: readonly string[], nemesis: NemesisProfile | undefined, range: { from: number; to: number }) {
  const sweep = prepareSweep({ config: { scenario, ...(bug !== undefined ? { bug } : {}), set, ...(nemesis !== undefined ? { nemesis } : {}) }, seeds: range });
  const failed = new Set<number>();
  let vacuous = 0;
  const { summary } = await runSweep(sweep, {
    onRun(run) {
      if (run.checks.some((c) => c.kind === 'always' || c.kind === 'eventually')) failed.add(run.seed);
      else if (run.checks.length > 0) vacuous++;
    },
  });
  return { failed, vacuous, runs: summary.runs, wallMillis: summary.wallMillis };
}

/** The same sweep without the bug, once per scenario, settings, nemesis and range: which seeds fail on correct code. */
const baselines = new Map<string, Promise<Set<number>>>();
function baseline(scenario: string, set: readonly string[], nemesis: NemesisProfile | undefined, range: { from: number; to: number }): Promise<Set<number>> {
  const key = JSON.stringify([scenario, set, nemesis ?? null, range]);
  let known = baselines.get(key);
  if (known === undefined) baselines.set(key, (known = failingSeeds(scenario, undefined, set, nemesis, range).then((r) => r.failed)));
  return known;
}

/**
 * A seed counts as caught when it fails with the bug and passes without it (a seed on which correct code
 * fails too, say under a swarm draw its objective cannot meet, is reported as unconfirmed instead).
 */
async function measure(scenario: string, bug: string, set: readonly string[], nemesis: NemesisProfile | undefined, range: { from: number; to: number }): Promise<Measured> {
  const withBug = await failingSeeds(scenario, bug, set, nemesis, range);
  const correctFails = withBug.failed.size > 0 ? await baseline(scenario, set, nemesis, range) : new Set<number>();
  const caughtSeeds = [...withBug.failed].filter((seed) => !correctFails.has(seed));
  return {
    caught: wilsonInterval(caughtSeeds.length, withBug.runs), vacuous: withBug.vacuous, unconfirmed: withBug.failed.size - caughtSeeds.length,
    firstSeed: caughtSeeds.length > 0 ? Math.min(...caughtSeeds) : null, scenario, wallMillis: withBug.wallMillis,
  };
}

const rows: { bug: string; scenario: string; results: Partial<Record<Method, Measured>> }[] = [];
const started = performance.now();
for (const target of targets) {
  const results: Partial<Record<Method, Measured>> = {};
  for (const method of methods) {
    if (method === 'staged') {
      const exposedBy = scenarios.find((s) => s.name === target.scenario)!.bugs.find((b) => b.name === target.bug)?.exposedBy ?? [];
      const staged = exposedBy.filter((name) => name !== target.scenario && !name.endsWith('-chaos'));
      let best: Measured | undefined;
      for (const name of staged) {
        const m = await measure(name, target.bug, target.set ?? [], undefined, stagedSeeds);
        if (best === undefined || m.caught.rate > best.caught.rate) best = m;
      }
      if (best !== undefined) results.staged = best;
    } else if (method === 'explore') {
      // As many runs as the seed range has seeds, from explorer seed 1, on this thread. Its catches are
      // correlated (mutants of a catching schedule catch again): the first catch is the fairer figure.
      const started = performance.now();
      const explored = explore({ scenario: findScenario(target.scenario)!, bug: target.bug, set: target.set ?? [], seed: 1, runsMax: seeds.to - seeds.from + 1 });
      const first = explored.catches[0]?.run ?? null;
      results.explore = { caught: wilsonInterval(explored.catches.length, explored.runs), vacuous: 0, unconfirmed: explored.unconfirmed, firstSeed: first, scenario: target.scenario, wallMillis: performance.now() - started };
    } else {
      results[method] = await measure(target.scenario, target.bug, target.set ?? [], method === 'swarm' ? 'swarm' : undefined, seeds);
    }
    const r = results[method];
    process.stderr.write(`${target.bug} on ${target.scenario} · ${method}: ${r === undefined ? 'no staged scenario' : `${formatRate(r.caught)} first seed ${r.firstSeed ?? '-'}${r.vacuous > 0 ? `, ${r.vacuous} vacuous` : ''}${r.unconfirmed > 0 ? `, ${r.unconfirmed} unconfirmed (fail without the bug too)` : ''} (${r.scenario}, ${Math.round(r.wallMillis / 100) / 10} s)`}\n`);
  }
  rows.push({ bug: target.bug, scenario: target.scenario, results });
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const cell = (m: Measured | undefined) => (m === undefined ? '—' : `${m.caught.count}/${m.caught.trials} (${pct(m.caught.low)}–${pct(m.caught.high)})${m.firstSeed !== null ? `, first ${m.firstSeed}` : ''}`);
process.stdout.write(`| planted bug | generic scenario | ${methods.join(' | ')} |\n| --- | --- | ${methods.map(() => '---').join(' | ')} |\n`);
for (const row of rows) {
  const staged = row.results.staged;
  process.stdout.write(`| ${row.bug} | ${row.scenario} | ${methods.map((m) => (m === 'staged' && staged !== undefined ? `${cell(staged)} (${staged.scenario})` : cell(row.results[m]))).join(' | ')} |\n`);
}
process.stderr.write(`catch-rates: ${rows.length} bugs × ${methods.join(', ')} in ${Math.round((performance.now() - started) / 1000)} s (seeds ${seeds.from}..${seeds.to})\n`);
if (jsonPath !== undefined) writeFileSync(jsonPath, JSON.stringify({ seeds, stagedSeeds, methods, rows }, null, 2) + '\n');
