// The data behind the report's queue chart: each backend's queue samples (`lb-backend` facts of the load
// balancers, algorithms/load-balancing/facts.ts) folded from a run's trace, thinned to a bounded count.
// Kept apart from html-model.ts so the report of a run without such facts is byte for byte what it was.

import type { NodeId } from '../sim/process.js';
import type { Micros } from '../sim/time.js';
import type { TraceEvent } from '../sim/trace.js';
import type { ReportData } from './html-model.js';

/** A backend's queue samples embedded at most: beyond it, each run of consecutive samples keeps its fullest one. */
export const QUEUE_SAMPLES_EMBEDDED_MAX = 2_000;

/** One backend's queue samples (at most {@link QUEUE_SAMPLES_EMBEDDED_MAX}), in time order. */
export interface BackendQueue {
  /** Its index in the report's nodes. */
  readonly node: number;
  readonly at: Micros[];
  /** Requests waiting, and in service, at each sample. */
  readonly queued: number[];
  readonly inService: number[];
  /** Samples in the run, before thinning. */
  readonly total: number;
}

/**
 * The report's data with the backends' queues: present only when the run has queue samples, in node
 * order (the report of any other run is unchanged).
 */
export type QueueReportData = ReportData & { readonly backendQueues?: readonly BackendQueue[] };

/**
 * Each backend's queue samples (`lb-backend` facts: `queued`, `inService`), in node order; empty when the
 * run has none. A backend with more than {@link QUEUE_SAMPLES_EMBEDDED_MAX} samples keeps, of each run of
 * ⌈n / max⌉ consecutive ones, the fullest (the first of equals), so a spike survives thinning.
 */
export function backendQueueSeries(trace: readonly TraceEvent[], nodes: readonly NodeId[]): BackendQueue[] {
  const index = new Map(nodes.map((id, i) => [id, i]));
  const byNode = new Map<number, { at: Micros[]; queued: number[]; inService: number[] }>();
  for (const e of trace) {
    if (e.type !== 'observe' || e.fact.type !== 'lb-backend') continue;
    const { queued, inService } = e.fact as { queued?: unknown; inService?: unknown };
    const node = index.get(e.node);
    if (node === undefined || typeof queued !== 'number' || typeof inService !== 'number') continue;
    let series = byNode.get(node);
    if (series === undefined) byNode.set(node, (series = { at: [], queued: [], inService: [] }));
    series.at.push(e.at);
    series.queued.push(queued);
    series.inService.push(inService);
  }
  return [...byNode.entries()].sort((a, b) => a[0] - b[0]).map(([node, s]) => {
    const total = s.at.length;
    if (total <= QUEUE_SAMPLES_EMBEDDED_MAX) return { node, ...s, total };
    const stride = Math.ceil(total / QUEUE_SAMPLES_EMBEDDED_MAX);
    const kept: { at: Micros[]; queued: number[]; inService: number[] } = { at: [], queued: [], inService: [] };
    for (let from = 0; from < total; from += stride) {
      let best = from;
      for (let i = from + 1; i < Math.min(total, from + stride); i++) {
        if (s.queued[i]! + s.inService[i]! > s.queued[best]! + s.inService[best]!) best = i;
      }
      kept.at.push(s.at[best]!);
      kept.queued.push(s.queued[best]!);
      kept.inService.push(s.inService[best]!);
    }
    return { node, ...kept, total };
  });
}
