// `npx tsx bench/lb-detect.ts [seeds] [--set k=v …]`: how fast a balancer's health view sees a crashed
// backend, the consecutive-result thresholds against the phi accrual detector (healthDetector=phi).
// Scenario lb-backend-crash, the central balancer `lb`: for each crash of a backend, the time to the
// balancer's first `lb-health … down` fact for it before its restart (none before it: missed); for each
// restart, the time until its probes bring it out of `down` (to `up`, or `ejected` while outlier detection
// still holds it); and `down` facts for a backend that is running (false downs).
// Simulated time, not wall clock: the figures are deterministic.

import { findScenario } from '../scenarios/index.js';
import { executeRun, prepareRun } from '../sim/run.js';
import type { BackendHealthFact } from '../algorithms/load-balancing/facts.js';
import type { TraceEvent } from '../sim/trace.js';

interface Tally { detectMicros: number[]; missed: number; upMicros: number[]; falseDowns: number }

function measure(seed: number, set: string[]): Tally {
  const tally: Tally = { detectMicros: [], missed: 0, upMicros: [], falseDowns: 0 };
  const crashedAt = new Map<string, number>();
  const restartedAt = new Map<string, number>();
  const sink = (event: TraceEvent): void => {
    if (event.type === 'crash') crashedAt.set(event.node, event.at);
    else if (event.type === 'restart') {
      if (crashedAt.has(event.node)) tally.missed++;
      crashedAt.delete(event.node);
      restartedAt.set(event.node, event.at);
    } else if (event.type === 'observe' && event.node === 'lb' && event.fact.type === 'lb-health') {
      const fact = event.fact as unknown as BackendHealthFact;
      const crash = crashedAt.get(fact.backend);
      if (fact.state === 'down') {
        if (crash === undefined) tally.falseDowns++;
        else {
          tally.detectMicros.push(event.at - crash);
          crashedAt.delete(fact.backend);
        }
      } else if (fact.reason === 'probe-passed') {
        const restart = restartedAt.get(fact.backend);
        if (restart !== undefined) tally.upMicros.push(event.at - restart);
        restartedAt.delete(fact.backend);
      }
    }
  };
  executeRun(prepareRun({ scenario: findScenario('lb-backend-crash')!, seed, set }), sink);
  return tally;
}

const stats = (xs: number[]): string => {
  if (xs.length === 0) return 'n=0';
  const sorted = [...xs].sort((a, b) => a - b);
  const ms = (x: number) => `${(x / 1000).toFixed(0)} ms`;
  return `n=${xs.length} mean ${ms(xs.reduce((a, b) => a + b, 0) / xs.length)}, min ${ms(sorted[0]!)}, median ${ms(sorted[Math.floor(sorted.length / 2)]!)}, max ${ms(sorted[sorted.length - 1]!)}`;
};

const args = process.argv.slice(2);
const seedsMax = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const extra = args.flatMap((a, i) => (args[i - 1] === '--set' ? [a] : []));
for (const detector of ['healthDetector=thresholds', 'healthDetector=phi']) {
  const all: Tally = { detectMicros: [], missed: 0, upMicros: [], falseDowns: 0 };
  for (let seed = 1; seed <= seedsMax; seed++) {
    const t = measure(seed, [detector, ...extra]);
    all.detectMicros.push(...t.detectMicros);
    all.upMicros.push(...t.upMicros);
    all.missed += t.missed;
    all.falseDowns += t.falseDowns;
  }
  console.log(`${[detector, ...extra].join(' ')} (seeds 1..${seedsMax}):`);
  console.log(`  crash → down: ${stats(all.detectMicros)}; crashes missed (restarted first): ${all.missed}; false downs: ${all.falseDowns}`);
  console.log(`  restart → out of down: ${stats(all.upMicros)}`);
}
