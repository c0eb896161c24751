// A toy serving run for the report's queue chart and the load-balancing checkers and metrics on the engine:
// one client balancing round robin over three backends that answer at once, and report made-up queue samples
// every 20ms (a triangle wave per backend); b2 crashes at 400ms and restarts at 700ms.

import { lbCheckers } from '../../algorithms/load-balancing/checks.js';
import type { LbFact } from '../../algorithms/load-balancing/facts.js';
import { lbMetrics } from '../../algorithms/load-balancing/metrics.js';
import type { Context, NodeId, NodeSpec, Process } from '../../sim/process.js';
import type { Scenario } from '../../sim/scenario.js';
import { QUIET_NETWORK } from '../helpers.js';

export const BACKENDS = ['b1', 'b2', 'b3'] as const;
const REQUEST_EVERY_MICROS = 10_000;
const SAMPLE_EVERY_MICROS = 20_000;

type Ctx = Context<unknown, LbFact>;

function client(): Process<unknown, LbFact> {
  let next = 0;
  let done = 0;
  /** Open requests: id → when sent. */
  const open = new Map<number, number>();
  const end = (ctx: Ctx, id: number, outcome: 'ok' | 'timeout', backend: NodeId) => {
    const sentAt = open.get(id);
    if (sentAt === undefined) return;
    open.delete(id);
    done++;
    ctx.observe({ type: 'lb-done', id, outcome, attempts: 1, latencyMicros: ctx.now() - sentAt, backend });
  };
  return {
    onStart: (ctx: Ctx) => ctx.setTimer('send', REQUEST_EVERY_MICROS),
    onTimer: (ctx: Ctx, name: string) => {
      // An attempt not answered in 50ms times out (a crashed backend never answers).
      if (name.startsWith('timeout-')) return end(ctx, Number(name.slice('timeout-'.length)), 'timeout', '');
      const id = next++;
      const backend = BACKENDS[id % BACKENDS.length]!;
      ctx.observe({ type: 'lb-issue', id });
      ctx.observe({ type: 'lb-route', backend, panic: false });
      open.set(id, ctx.now());
      ctx.send(backend, { type: 'req', id });
      ctx.setTimer(`timeout-${id}`, 50_000);
      ctx.setTimer('send', REQUEST_EVERY_MICROS);
    },
    onMessage: (ctx: Ctx, from: NodeId, msg: unknown) => end(ctx, (msg as { id: number }).id, 'ok', from),
    inspect: () => ({ issued: next, done, open: open.size }),
  };
}

function backend(index: number): Process<unknown, LbFact> {
  let tick = 0;
  return {
    onStart: (ctx: Ctx) => ctx.setTimer('sample', SAMPLE_EVERY_MICROS),
    onTimer: (ctx: Ctx) => {
      tick++;
      const period = 8 + 4 * index;
      const phase = tick % period;
      const held = phase < period / 2 ? phase : period - phase;
      const inService = Math.min(2, held);
      ctx.observe({ type: 'lb-backend', queued: held - inService, inService, busyMicros: tick * 10_000, served: tick, failed: 0, rejected: 0 });
      ctx.setTimer('sample', SAMPLE_EVERY_MICROS);
    },
    onMessage: (ctx: Ctx, from: NodeId, msg: unknown) => ctx.send(from, { type: 'res', id: (msg as { id: number }).id }),
  } as Process<unknown, LbFact>;
}

export function queueToyScenario(): Scenario {
  return {
    name: 'lb-queue-toy', description: 'a client and three backends that sample their queues', algorithm: 'toy', defaultNemesis: 'none',
    defaultNodes: 4, minNodes: 4, maxNodes: 4, defaultDurationMicros: 1_000_000, params: [], bugs: [],
    build: () => {
      const nodes: NodeSpec<unknown, LbFact>[] = [
        { id: 'c1', role: 'client', create: () => client() },
        ...BACKENDS.map((id, i) => ({ id, role: 'backend', create: () => backend(i) })),
      ];
      return {
        nodes: nodes as unknown as NodeSpec[], network: QUIET_NETWORK, recoveryMicrosMax: 200_000, nemesisTargets: { roles: ['backend'] },
        checkers: lbCheckers({ requestMicrosMax: 1_000_000, backendCount: 3, panicThresholdRatio: 0, windowMicros: 100_000, objectiveRatio: 0.5, minRequests: 5 }) as never,
        observers: [lbMetrics({ workers: 2 })] as never,
      };
    },
  };
}

/** The fault schedule: b2 crashes at 400ms and restarts at 700ms. */
export const QUEUE_TOY_FAULTS = { raw: [{ at: 400_000, kind: 'crash', node: 'b2' }, { at: 700_000, kind: 'restart', node: 'b2' }], source: 'test' };
