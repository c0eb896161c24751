// The report's backend queue chart: the queue samples of a run (`lb-backend` facts) are folded per backend
// and embedded with their own script only when a run has them; the report of any other run is unchanged.
// Also runs the load-balancing checkers and metrics on the engine, on the same toy run.

import { describe, expect, it } from 'vitest';
import { buildReportData } from '../../reports/html-model.js';
import { backendQueueSeries, QUEUE_SAMPLES_EMBEDDED_MAX, type QueueReportData } from '../../reports/html-queues-model.js';
import { collectTrace, jsonForScript, renderHtmlReport } from '../../reports/html.js';
import { findScenario } from '../../scenarios/index.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import type { TraceEvent } from '../../sim/trace.js';
import { QUEUE_TOY_FAULTS, queueToyScenario } from './lb-queue-fixture.js';

function embedded(html: string): QueueReportData {
  const match = /<script type="application\/json" id="run-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as QueueReportData;
}

const sample = (at: number, node: string, queued: number, inService: number): TraceEvent =>
  ({ type: 'observe', at, node, fact: { type: 'lb-backend', queued, inService, busyMicros: 0, served: 0, failed: 0, rejected: 0 } }) as unknown as TraceEvent;

describe('backend queue series', () => {
  it('folds samples per backend in node order, ignoring other facts', () => {
    const trace = [
      sample(10, 'b2', 1, 2), sample(10, 'b1', 0, 1),
      { type: 'observe', at: 15, node: 'c1', fact: { type: 'lb-issue', id: 1 } } as unknown as TraceEvent,
      sample(20, 'b2', 3, 2),
    ];
    expect(backendQueueSeries(trace, ['c1', 'b1', 'b2'])).toEqual([
      { node: 1, at: [10], queued: [0], inService: [1], total: 1 },
      { node: 2, at: [10, 20], queued: [1, 3], inService: [2, 2], total: 2 },
    ]);
    expect(backendQueueSeries([], ['b1'])).toEqual([]);
  });

  it('thins a long series to the fullest sample of each run, keeping a spike', () => {
    const n = QUEUE_SAMPLES_EMBEDDED_MAX * 3 + 1;
    const trace: TraceEvent[] = [];
    for (let i = 0; i < n; i++) trace.push(sample(i * 100, 'b1', i === 4_321 ? 500 : i % 3, 1));
    const [series] = backendQueueSeries(trace, ['b1']);
    expect(series!.total).toBe(n);
    expect(series!.at.length).toBeLessThanOrEqual(QUEUE_SAMPLES_EMBEDDED_MAX);
    expect(series!.queued).toContain(500);
    expect(series!.at).toContain(4_321 * 100);
    expect(Math.max(...series!.queued)).toBe(500);
  });
});

describe('the queue chart in the report', () => {
  const run = () => {
    const prepared = prepareRun({ scenario: queueToyScenario(), seed: 1, faults: QUEUE_TOY_FAULTS });
    const { sink, events } = collectTrace();
    const result = executeRun(prepared, sink);
    return { prepared, result, trace: events };
  };

  it('embeds each backend\'s queue and the chart\'s script when the run sampled queues', () => {
    const { prepared, result, trace } = run();
    const html = renderHtmlReport({ prepared, result, trace, replay: 'toy' });
    const data = embedded(html);
    expect(data.backendQueues!.map((q) => data.nodes[q.node]!.id)).toEqual(['b1', 'b2', 'b3']);
    // b2 was down from 400ms to 700ms: no samples then.
    const b2 = data.backendQueues![1]!;
    expect(b2.at.some((at) => at > 400_000 && at < 700_000)).toBe(false);
    expect(b2.at.some((at) => at > 700_000)).toBe(true);
    expect(html).toContain('<section id="queues-section" class="panel"><h2>Backend queues</h2>');
    expect(html.match(/<script>/g)).toHaveLength(2);
    expect(renderHtmlReport({ prepared, result, trace, replay: 'toy' })).toBe(html);
  });

  it('leaves the report of a run without queue samples as it was: no data, no section, no script', () => {
    const prepared = prepareRun({ scenario: findScenario('broadcast-lossy')!, seed: 1 });
    const { sink, events } = collectTrace();
    const result = executeRun(prepared, sink);
    const html = renderHtmlReport({ prepared, result, trace: events, replay: 'x' });
    expect(html).not.toContain('queues-section');
    expect(html.match(/<script>/g)).toHaveLength(1);
    const data = embedded(html);
    expect('backendQueues' in data).toBe(false);
    // The embedded data is exactly the model's.
    const model = buildReportData({
      scenario: data.run.scenario, seed: prepared.seed, bug: null, nemesis: data.run.nemesis, outcome: data.run.outcome, fingerprint: data.run.fingerprint,
      durationMicros: data.run.durationMicros, nodes: prepared.setup.nodes.map((n) => ({ id: n.id, role: n.role })), baseLatency: prepared.setup.network.latency,
      endMicros: result.stats.simulatedMicros, recovery: result.recovery, checks: result.checks, operations: result.simulator.history.operations, trace: events,
    });
    expect(html).toContain(`<script type="application/json" id="run-data">${jsonForScript(model)}</script>`);
  });

  it('runs the load-balancing checkers and metrics on the engine: the toy passes, with b2\'s downtime counted', () => {
    const { result } = run();
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['requests-accounted', 'no-route-to-down', 'success-after-heal']));
    const samples = result.metrics.samples!;
    // Requests go round robin every 10ms; b2 is down 400–700ms: about a third of 30 routes counted.
    expect(samples.requestsToFailedBackends![0]).toBeGreaterThanOrEqual(9);
    expect(samples.requestsToFailedBackends![0]).toBeLessThanOrEqual(11);
    expect(samples.successRatio![0]).toBeGreaterThan(0.8);
    expect(samples.successRatio![0]).toBeLessThan(1);
    expect(samples.queueLengthMax).toEqual([8]);
    expect(samples.utilisationMax).toEqual([0.25]);
  });
});
