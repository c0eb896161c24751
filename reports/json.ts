// The machine-readable result of one run: the object `faultline run --json` prints. Its shape is a
// contract (tests and sweeps read it); add fields, never rename or remove them.

import type { CheckKind } from '../sim/check.js';
import type { FaultEntry } from '../sim/faults.js';
import type { DropReason } from '../sim/network.js';
import type { RunMetrics } from '../sim/metrics.js';
import type { Outcome, PreparedRun, RunResult } from '../sim/run.js';
import type { SwarmDraw } from '../sim/swarm.js';
import type { Micros } from '../sim/time.js';

export interface RunJson {
  scenario: string;
  seed: number;
  nemesis: string;
  bug: string | null;
  nodes: number;
  durationMicros: Micros;
  params: Record<string, number | string>;
  /** `--nemesis swarm`: what this seed drew (its knobs are also in `params` and `nodes`). */
  swarm?: SwarmDraw;
  outcome: Outcome;
  fingerprint: string;
  stats: {
    events: number;
    messagesSent: number;
    messagesDelivered: number;
    messagesDropped: number;
    dropsByReason: Record<DropReason, number>;
    simulatedMicros: Micros;
    wallMillis: number;
  };
  faults: FaultEntry[];
  /** For faults naming @leader, @follower, @rest or $NAME: what they resolved to (null: nothing then), by index in `faults`. */
  resolvedFaults: { index: number; resolved: FaultEntry | null }[];
  checks: { name: string; kind: CheckKind; ok: boolean; message?: string; atMicros?: Micros }[];
  recovery: { startedAtMicros: Micros; recoveredAtMicros: Micros | null; boundMicros: Micros };
  history: { ok: number; fail: number; open: number };
  metrics: RunMetrics;
  replay: string;
}

export function runToJson(prepared: PreparedRun, result: RunResult, wallMillis: number, replay: string): RunJson {
  return {
    scenario: prepared.scenario.name,
    seed: prepared.seed,
    nemesis: prepared.faultsSource !== undefined ? 'explicit' : prepared.nemesis,
    bug: prepared.bug ?? null,
    nodes: prepared.nodeCount,
    durationMicros: prepared.durationMicros,
    params: { ...prepared.params },
    ...(prepared.swarm !== undefined ? { swarm: prepared.swarm } : {}),
    outcome: result.outcome,
    fingerprint: result.fingerprint,
    stats: {
      events: result.stats.events,
      messagesSent: result.stats.messagesSent,
      messagesDelivered: result.stats.messagesDelivered,
      messagesDropped: result.stats.messagesDropped,
      dropsByReason: { ...result.stats.dropsByReason },
      simulatedMicros: result.stats.simulatedMicros,
      wallMillis: Math.round(wallMillis * 10) / 10,
    },
    faults: [...prepared.faults],
    resolvedFaults: result.simulator.resolutions.map(({ fault, resolved }) => ({ index: prepared.faults.indexOf(fault), resolved })),
    checks: result.checks.map((c) => ({
      name: c.name,
      kind: c.kind,
      ok: c.ok,
      ...(c.message !== undefined ? { message: c.message } : {}),
      ...(c.atMicros !== undefined ? { atMicros: c.atMicros } : {}),
    })),
    recovery: { ...result.recovery },
    history: { ...result.history },
    metrics: result.metrics,
    replay,
  };
}
