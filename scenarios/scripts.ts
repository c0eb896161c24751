// Fault scripts shared by scenarios of leader-based algorithms: targeted faults that name roles
// (@leader, @follower, $NAME) so they follow whoever leads when the fault applies. A script is a pure
// function of its context (the seed's nemesis stream): it returns plain schedule entries.

import type { FaultEntry } from '../sim/faults.js';
import type { ScriptContext } from '../sim/scenario.js';

/** Repeats `episode` from 1s on, with gaps drawn between gapMin and gapMax, until the fault phase ends. */
export function repeat(context: ScriptContext, gapMicrosMin: number, gapMicrosMax: number, episode: (at: number, i: number) => FaultEntry[]): FaultEntry[] {
  const out: FaultEntry[] = [];
  let at = 1_000_000;
  for (let i = 0; at < context.durationMicros - 1; i++) {
    out.push(...episode(at, i).filter((f) => f.at < context.durationMicros));
    at += context.rng.int(gapMicrosMin, gapMicrosMax);
  }
  return out;
}

/** Crash whoever leads; restart it 0.3–1.5 s later. */
export function leaderCrashScript(context: ScriptContext): FaultEntry[] {
  return repeat(context, 1_500_000, 2_500_000, (at, i) => [
    { at, kind: 'crash', node: '@leader', as: `L${i}` },
    { at: at + context.rng.int(300_000, 1_500_000), kind: 'restart', node: `$L${i}` },
  ]);
}

/**
 * Cut the leader, one follower and half the clients off from the rest for 0.5–2 s. The cut-off leader's
 * clock also runs slow (as a VM's may), so it takes longer to notice it lost its quorum: the window in
 * which a deposed leader may still answer its minority's clients.
 */
export function leaderMinorityScript(context: ScriptContext): FaultEntry[] {
  const minorityClients = context.clients.slice(0, Math.ceil(context.clients.length / 2));
  return repeat(context, 1_500_000, 3_000_000, (at, i) => {
    const heal = at + context.rng.int(500_000, 2_000_000);
    return [
      { at, kind: 'partition', groups: [['@leader', '@follower', ...minorityClients], ['@rest']] },
      { at, kind: 'clock-drift', node: '@leader', as: `L${i}`, ppm: -400_000 },
      { at: heal, kind: 'heal' },
      { at: heal, kind: 'clock-drift', node: `$L${i}`, ppm: 0 },
    ];
  });
}
