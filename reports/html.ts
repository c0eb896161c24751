// The self-contained HTML report of one run: header and metrics, a timeline per node (status, role),
// fault bands, a zoomable space-time message diagram, client operations and violations. It assumes the
// run's whole trace was collected (collectTrace); the page loads nothing: d3 and the data are inlined.

import { assert } from '../sim/assert.js';
import type { PreparedRun, RunResult } from '../sim/run.js';
import { formatMicros, type Micros } from '../sim/time.js';
import type { TraceEvent, TraceSink } from '../sim/trace.js';
import { replayFileOf, serializeReplayFile, type ReplayFile } from '../lab/replay-file.js';
import { buildReportData, FATES, faultLabel, type ReportData } from './html-model.js';
import { backendQueueSeries, QUEUE_SAMPLES_EMBEDDED_MAX, type QueueReportData } from './html-queues-model.js';
import { runToJson, type RunJson } from './json.js';
import { replayCommand } from './replay-command.js';
import { clientBundle, esc, group, jsonForScript, pageHead, scriptText } from './html-parts.js';

export interface HtmlReportInput {
  readonly prepared: PreparedRun;
  readonly result: RunResult;
  /** Every trace event of the run, in order: run it with `collectTrace().sink`. */
  readonly trace: readonly TraceEvent[];
  /** The command that reproduces the run; by default `replayCommand(prepared)`, as the terminal and JSON reports print it. */
  readonly replay?: string;
  /** The replay file the page offers for download; by default `replayFileOf(prepared, result)`. */
  readonly replayFile?: ReplayFile;
}

/** A trace sink that keeps every event (and passes each on to `next`, such as an NDJSON file). */
export function collectTrace(next?: TraceSink): { sink: TraceSink; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  return { sink: next ? (e) => { events.push(e); next(e); } : (e) => { events.push(e); }, events };
}

/** One HTML file, byte-identical for the same run: no wall time, no absolute paths, no randomness. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { prepared, result } = input;
  // Every node's start is traced at time 0: without it the trace was not collected (or not from the start).
  assert(input.trace.some((e) => e.type === 'start'), 'renderHtmlReport needs the whole trace of the run: pass collectTrace().sink to executeRun');
  // The JSON report's shape, minus wall time (a report must not change between two renders of a run).
  const json = runToJson(prepared, result, 0, input.replay ?? replayCommand(prepared));
  const base = buildReportData({
    scenario: json.scenario, seed: json.seed, bug: json.bug, nemesis: json.nemesis, outcome: json.outcome,
    fingerprint: json.fingerprint, durationMicros: json.durationMicros,
    nodes: prepared.setup.nodes.map((n) => ({ id: n.id, role: n.role })),
    baseLatency: prepared.setup.network.latency,
    endMicros: result.stats.simulatedMicros,
    recovery: result.recovery,
    checks: result.checks,
    operations: result.simulator.history.operations,
    trace: input.trace,
  });
  // Backends' queues (load balancing) join the data only when the run sampled some.
  const queues = backendQueueSeries(input.trace, base.nodes.map((n) => n.id));
  const data: QueueReportData = queues.length > 0 ? { ...base, backendQueues: queues } : base;
  const metrics = [...derivedMetrics(json, data, input.trace), ...extraMetrics(result, json)];
  const replayFile = serializeReplayFile(input.replayFile ?? replayFileOf(prepared, result));
  const title = `${json.scenario} · seed ${json.seed}${json.bug ? ` · ${json.bug}` : ''} — faultline report`;
  return [
    ...pageHead(title, CSS),
    header(json, replayFileName(json)),
    section('metrics', 'Metrics', metricCards(metrics)),
    violationList(data),
    section('timeline-section', 'Timeline', timelineIntro(data) + '<div id="timeline" class="chart"></div>'),
    ...(data.backendQueues === undefined ? [] : [section('queues-section', 'Backend queues', queuesIntro(data) + '<div id="queues" class="chart"></div>')]),
    section('diagram-section', 'Messages', diagramShell(data)),
    section('operations-section', 'Client operations', operationsIntro(data) + '<div id="operations" class="chart"></div>'),
    section('tables', 'Checks, stats and faults', checksTable(json) + statsTable(json, data) + faultsTable(json)),
    '<div id="tooltip" role="tooltip" hidden></div>',
    `<script type="application/json" id="run-data">${jsonForScript(data)}</script>`,
    // The replay file's exact text (as `run --save` writes it), as a JSON string: the download button saves it.
    `<script type="application/json" id="replay-file">${jsonForScript(replayFile)}</script>`,
    `<script>${scriptText(clientBundle('html-client.ts', 'd3-selection, d3-scale, d3-axis, d3-zoom, d3-brush'))}</script>`,
    // Only a run whose backends sampled their queues (load balancing) carries the queue chart's script.
    ...(data.backendQueues === undefined ? [] : [`<script>${scriptText(clientBundle('html-queues-client.ts', 'd3-selection, d3-scale, d3-axis'))}</script>`]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---- the inlined script -------------------------------------------------------------------------

export { jsonForScript } from './html-parts.js';

// ---- static parts -------------------------------------------------------------------------------

const OUTCOME_LABEL = { pass: 'PASS', 'safety-violation': 'SAFETY VIOLATION', 'liveness-violation': 'LIVENESS VIOLATION' } as const;

/** The name the downloaded replay file is offered under: `<scenario>-<seed>.json`. */
export function replayFileName(json: Pick<RunJson, 'scenario' | 'seed'>): string {
  return `${json.scenario}-${json.seed}.json`.replace(/[^A-Za-z0-9._-]/g, '_');
}

function header(json: RunJson, fileName: string): string {
  const facts: [string, string][] = [
    ['scenario', json.scenario],
    ['seed', String(json.seed)],
    ['bug', json.bug ?? 'none'],
    ['nemesis', json.nemesis],
    ['nodes', String(json.nodes)],
    ['fault phase', formatMicros(json.durationMicros)],
    ['fingerprint', json.fingerprint],
  ];
  return `<header class="top">
<div class="headline"><h1>${esc(json.scenario)} <span class="seed">seed ${json.seed}</span></h1>
<span id="outcome" class="outcome outcome-${json.outcome}" data-outcome="${json.outcome}">${OUTCOME_LABEL[json.outcome]}</span></div>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd${k === 'bug' && json.bug ? ' class="bug"' : ''}${k === 'fingerprint' ? ' id="fingerprint"' : ''}>${esc(v)}</dd></div>`).join('')}</dl>
<div class="replay"><span>replay</span><code id="replay">${esc(json.replay)}</code></div>
<div class="replay replay-file"><span>replay file</span><button type="button" id="download-replay" data-filename="${esc(fileName)}">download ${esc(fileName)}</button><span class="hint">then <code>faultline replay ${esc(fileName)}</code> re-runs it: the file holds the scenario, seed, bug, parameters and the whole fault schedule</span></div>
</header>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}" class="panel"><h2>${esc(title)}</h2>${body}</section>`;
}

interface Metric {
  readonly label: string;
  readonly value: string;
  readonly detail?: string;
}

function metricCards(metrics: readonly Metric[]): string {
  return `<div class="metrics">${metrics.map((m) => `<div class="metric"><div class="metric-value">${esc(m.value)}</div><div class="metric-label">${esc(m.label)}</div>${m.detail ? `<div class="metric-detail">${esc(m.detail)}</div>` : ''}</div>`).join('')}</div>`;
}

function derivedMetrics(json: RunJson, data: ReportData, trace: readonly TraceEvent[]): Metric[] {
  const s = json.stats;
  const m = data.messages;
  const out: Metric[] = [];
  const pct = (n: number, of: number) => (of === 0 ? '0%' : `${Math.round((n / of) * 1000) / 10}%`);
  out.push({ label: 'messages sent', value: group(s.messagesSent), detail: `${group(s.messagesDelivered)} delivered · ${group(s.messagesDropped)} dropped (${pct(s.messagesDropped, s.messagesSent)})` });
  const flights: number[] = [];
  let duplicates = 0;
  for (let i = 0; i < m.embedded; i++) {
    if (m.fate[i] === FATES.indexOf('delivered')) flights.push(m.end[i]! - m.sent[i]!);
    if (m.fate[i] === FATES.indexOf('duplicate')) duplicates++;
  }
  flights.sort((a, b) => a - b);
  if (flights.length > 0) out.push({ label: 'message latency p50 / p99', value: `${formatMicros(percentile(flights, 50))} / ${formatMicros(percentile(flights, 99))}`, detail: `max ${formatMicros(flights[flights.length - 1]!)} · ${group(duplicates)} duplicate deliveries` });
  const h = json.history;
  const total = h.ok + h.fail + h.open;
  if (total > 0) {
    out.push({ label: 'client operations', value: group(total), detail: `${group(h.ok)} ok · ${group(h.fail)} failed · ${group(h.open)} open` });
    const latencies = data.operations.filter((o) => o.status === 'ok' && o.ret !== null).map((o) => o.ret! - o.call).sort((a, b) => a - b);
    if (latencies.length > 0) {
      out.push({ label: 'operation latency p50 / p99', value: `${formatMicros(percentile(latencies, 50))} / ${formatMicros(percentile(latencies, 99))}`, detail: `max ${formatMicros(latencies[latencies.length - 1]!)}` });
    }
    if (s.simulatedMicros > 0) out.push({ label: 'throughput', value: `${Math.round((h.ok * 1_000_000 * 10) / s.simulatedMicros) / 10} ops/s`, detail: 'completed operations per simulated second' });
  }
  if (data.roleNames.includes('leader')) {
    const elections = data.roles.filter((r) => r.role === 'leader').length;
    out.push({ label: 'leaders elected', value: group(elections), detail: `${formatMicros(timeWithout(data, 'leader'))} without a leader` });
  }
  const applied = trace.filter((e) => e.type === 'fault' && e.source === 'schedule').length;
  const count = (type: string) => trace.filter((e) => e.type === type).length;
  out.push({ label: 'faults applied', value: group(applied), detail: `${count('crash')} crashes · ${count('pause')} pauses` });
  const r = json.recovery;
  out.push({
    label: 'time to recover after heal',
    value: r.recoveredAtMicros === null ? 'not recovered' : formatMicros(r.recoveredAtMicros - r.startedAtMicros),
    detail: `bound ${formatMicros(r.boundMicros)}`,
  });
  out.push({ label: 'simulated time', value: formatMicros(s.simulatedMicros), detail: `${group(s.events)} events` });
  return out;
}

/** Time during which no node held `role`. */
function timeWithout(data: ReportData, role: string): Micros {
  const spans = data.roles.filter((r) => r.role === role).map((r) => [r.from, r.to] as const).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = 0;
  for (const [from, to] of spans) {
    if (to <= reach) continue;
    covered += to - Math.max(from, reach);
    reach = to;
  }
  return data.run.endMicros - covered;
}

/**
 * Metrics a run result carries beyond the stats (its `metrics` object), shown generically: nested keys
 * flattened, lists of numbers summarised, `…Micros` values as durations. Wall-time figures are left out:
 * they would change the report between two renders of the same run.
 */
function extraMetrics(result: RunResult, json: RunJson): Metric[] {
  const source = (result as unknown as { metrics?: unknown }).metrics ?? (json as unknown as { metrics?: unknown }).metrics;
  const out: Metric[] = [];
  const label = (path: string) => path.replace(/Micros$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/\./g, ' · ').toLowerCase();
  const show = (path: string, n: number) => (/micros$/i.test(path) ? formatMicros(Math.round(n)) : Number.isInteger(n) ? group(n) : String(Math.round(n * 1000) / 1000));
  const walk = (value: unknown, path: string) => {
    if (out.length >= EXTRA_METRICS_MAX || /wall/i.test(path) || SHOWN_ELSEWHERE.has(path)) return;
    if (/availability$/i.test(path) && typeof value === 'number') {
      out.push({ label: label(path), value: `${(value * 100).toFixed(1)}%`, detail: 'client operations that succeeded' });
      return;
    }
    if (Array.isArray(value)) {
      const numbers = value.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
      if (numbers.length === 0) {
        out.push({ label: label(path), value: value.length === 0 ? 'none' : `${value.length} values` });
      } else {
        const detail = numbers.length > 1 ? `${numbers.length} values · min ${show(path, numbers[0]!)} · max ${show(path, numbers[numbers.length - 1]!)}` : '1 value';
        out.push({ label: `${label(path)} (median)`, value: show(path, percentile(numbers, 50)), detail });
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    } else if (typeof value === 'number') {
      out.push({ label: label(path), value: show(path, value) });
    } else if (typeof value === 'string' || typeof value === 'boolean' || value === null) {
      out.push({ label: label(path), value: value === null ? '—' : String(value) });
    }
  };
  if (source !== undefined) walk(source, '');
  return out;
}

const EXTRA_METRICS_MAX = 40;
/** Run metrics the fixed tiles already show: `recoveryMicros` is "time to recover after heal". */
const SHOWN_ELSEWHERE = new Set(['recoveryMicros']);

function violationList(data: ReportData): string {
  if (data.violations.length === 0) {
    return section('violations', 'Violations', '<p class="ok-note">No check failed.</p>');
  }
  const items = data.violations.map((v, i) => {
    const when = v.exact ? `at ${formatMicros(v.at)}` : v.operations.length > 0 ? `judged at the end; marked at ${formatMicros(v.at)} (operation #${v.operations[v.operations.length - 1]})` : 'judged at the end of the run';
    return `<li class="violation" data-index="${i}" data-check="${esc(v.check)}" data-at="${v.at}"><button type="button" class="jump" data-at="${v.at}" title="show this moment in the diagrams">${esc(formatMicros(v.at))}</button><div><strong>${esc(v.check)}</strong> <span class="kind">${esc(v.kind)}</span> <span class="when">${esc(when)}</span><p>${esc(v.message)}</p></div></li>`;
  });
  return section('violations', 'Violations', `<ol class="violations">${items.join('')}</ol>`);
}

function timelineIntro(data: ReportData): string {
  const terms = data.roles.some((r) => r.term !== null) ? ' Leader and candidate bars carry their term ("L t3": leader of term 3); ▼ marks a leader stepping down.' : '';
  const roles = data.roleNames.length > 0 ? ` Coloured bands show each node's role (${data.roleNames.map(esc).join(', ')}).${terms}` : '';
  const d = data.operationDensity;
  const density = d === null ? '' : ` <span id="density-note">With ${group(data.operationsTotal)} client operations, the client rows show how many started in each ${esc(formatMicros(d.bucketMicros))} (bar height; green ok, red failed, grey open) rather than one bar per operation.</span>`;
  return `<p class="intro">The whole run. Each row is a node: up, <span class="key crashed">crashed</span> or <span class="key paused">paused</span>.${roles}${density} Below them, fault windows until they heal; the shaded tail is the recovery phase. Drag across the timeline to choose the window the message diagram and operations show.</p>`;
}

function queuesIntro(data: QueueReportData): string {
  const queues = data.backendQueues ?? [];
  const thinned = queues.some((q) => q.at.length < q.total)
    ? ` <span class="warn">Backends with more than ${group(QUEUE_SAMPLES_EMBEDDED_MAX)} samples show the fullest of each run of consecutive samples.</span>`
    : '';
  return `<p class="intro">Each backend's requests over the whole run, from its periodic samples: <span class="key" style="background:#6366f1;color:#fff">in service</span> under <span class="key" style="background:#c7d2fe">waiting</span>, on one scale for all backends (the tallest sample fills a row); the shaded tail is the recovery phase. Hover a row for the sample at that moment.${thinned}</p>`;
}

function diagramShell(data: ReportData): string {
  const m = data.messages;
  const capped = m.embedded < m.total ? ` <span class="warn">This report embeds the first ${group(m.embedded)} of ${group(m.total)} arrows.</span>` : '';
  return `<p class="intro">A space-time diagram: one line per node, one arrow per message from send to delivery; a dropped message ends in a cross. Scroll to zoom, drag to pan, hover an arrow for its content, click to keep it.${capped}</p>
<div class="toolbar">
<button type="button" data-action="earlier" title="earlier">◀</button>
<button type="button" data-action="zoom-in" title="zoom in">+</button>
<button type="button" data-action="zoom-out" title="zoom out">−</button>
<button type="button" data-action="later" title="later">▶</button>
<button type="button" data-action="violation"${data.violations.length === 0 ? ' disabled' : ''}>first violation</button>
<button type="button" data-action="all">whole run</button>
<span id="window-label"></span>
</div>
<div id="message-legend" class="legend"></div>
<div id="message-diagram" class="chart"></div>
<div id="message-details" class="details"><span class="muted">Click an arrow or an operation to see it here.</span></div>`;
}

function operationsIntro(data: ReportData): string {
  const lin = data.linearizability;
  const verdict = lin === null
    ? '<span class="verdict verdict-none">no linearizability check in this scenario</span>'
    : lin.ok
    ? `<span id="linearizability" class="verdict verdict-ok" data-ok="true">${esc(lin.name)}: ${lin.message ? esc(lin.message) : 'linearizable'}</span>`
    : `<span id="linearizability" class="verdict verdict-bad" data-ok="false">${esc(lin.name)}: NOT linearizable</span>`;
  const total = data.operationsTotal;
  const capped = data.operations.length < total ? ` The first ${group(data.operations.length)} of ${group(total)} operations are shown.` : '';
  return `<p class="intro">${verdict} Each bar is one client operation, from call to return, in the message diagram's window: <span class="key op-ok">ok</span>, <span class="key op-fail">failed</span>, <span class="key op-open">open</span> (no answer: it may or may not have taken effect). A label ends with the server that answered (← n2). Operations a violation names are outlined.${capped}</p>`;
}

function checksTable(json: RunJson): string {
  const rows = json.checks.map((c) => `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${esc(c.name)}</td><td>${esc(c.kind)}</td><td class="result">${c.ok ? 'ok' : 'FAILED'}</td><td>${c.atMicros !== undefined ? esc(formatMicros(c.atMicros)) : ''}</td><td class="msg">${esc(c.message ?? '')}</td></tr>`);
  return `<h3>Checks</h3><table id="checks"><thead><tr><th>check</th><th>kind</th><th>result</th><th>at</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function statsTable(json: RunJson, data: ReportData): string {
  const s = json.stats;
  const drops = Object.entries(s.dropsByReason).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${group(n)}`).join(', ');
  const r = json.recovery;
  const rows: [string, string][] = [
    ['events', group(s.events)],
    ['messages sent / delivered', `${group(s.messagesSent)} / ${group(s.messagesDelivered)}`],
    ['messages dropped', drops ? `${group(s.messagesDropped)} (${drops})` : group(s.messagesDropped)],
    ['client operations ok / failed / open', `${group(json.history.ok)} / ${group(json.history.fail)} / ${group(json.history.open)}`],
    ['recovery phase began', formatMicros(r.startedAtMicros)],
    ['time to recover after heal', r.recoveredAtMicros === null ? `not within ${formatMicros(r.boundMicros)}` : formatMicros(r.recoveredAtMicros - r.startedAtMicros)],
    ['simulated time', formatMicros(s.simulatedMicros)],
    ['message kinds', data.messages.kinds.join(', ')],
  ];
  return `<h3>Stats</h3><table id="stats"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** Folded away when long: the bands on the timeline show the same windows. */
const FAULT_ROWS_OPEN_MAX = 12;

function faultsTable(json: RunJson): string {
  if (json.faults.length === 0) return '<h3>Fault schedule</h3><p class="muted">No faults.</p>';
  const resolved = new Map(json.resolvedFaults.map((r) => [r.index, r.resolved]));
  const rows = json.faults.map((f, i) => {
    const r = resolved.has(i) ? resolved.get(i) : undefined;
    const target = r === undefined ? '' : r === null ? 'no such node then: skipped' : `→ ${faultLabel(r)}`;
    return `<tr><td>${esc(formatMicros(f.at))}</td><td>${esc(faultLabel(f))}</td>${resolved.size > 0 ? `<td class="muted">${esc(target)}</td>` : ''}</tr>`;
  });
  const head = `<tr><th>at</th><th>fault</th>${resolved.size > 0 ? '<th>resolved to</th>' : ''}</tr>`;
  const open = json.faults.length <= FAULT_ROWS_OPEN_MAX ? ' open' : '';
  return `<details class="faults"${open}><summary><h3>Fault schedule (${json.faults.length} entries)</h3></summary><table id="faults"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></details>`;
}

// ---- helpers ------------------------------------------------------------------------------------

/** Nearest-rank percentile of a sorted, non-empty list. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

const CSS = `
:root{--bg:#f4f6fa;--panel:#fff;--ink:#1e2530;--muted:#667085;--line:#e3e7ee;--accent:#2563eb;--bad:#dc2626;--good:#15803d;--warn:#b45309;
--up:#d9f2e3;--crashed:#ef4444;--paused:#f5b83d;--follower:#c7d2e0;--candidate:#f59e0b;--leader:#2563eb;}
*{box-sizing:border-box}
body{margin:0;padding:20px 28px 40px;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:22px;margin:0}h1 .seed{font-weight:500;color:var(--muted)}
h2{font-size:15px;margin:0 0 8px;text-transform:uppercase;letter-spacing:.06em;color:#344054}
h3{font-size:14px;margin:18px 0 6px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
.top{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin-bottom:14px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
.headline{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.outcome{font-weight:700;font-size:13px;letter-spacing:.05em;padding:4px 12px;border-radius:999px;color:#fff}
.outcome-pass{background:var(--good)}.outcome-safety-violation{background:var(--bad)}.outcome-liveness-violation{background:#d97706}
.facts{display:flex;flex-wrap:wrap;gap:6px 26px;margin:12px 0 10px}.facts div{display:flex;flex-direction:column}
.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}.facts dd{margin:0;font-weight:600}
.facts dd.bug{color:#a21caf}#fingerprint{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:500}
.replay{display:flex;gap:10px;align-items:baseline}.replay span{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.replay code{background:#0f172a;color:#e2e8f0;padding:6px 10px;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;flex:1;min-width:0}
.replay-file{margin-top:8px;align-items:center;flex-wrap:wrap}.replay .hint{text-transform:none;letter-spacing:0;font-size:12.5px;color:var(--muted)}
.replay .hint code{background:#f2f4f7;color:var(--ink);padding:1px 5px;white-space:normal;flex:none}
#download-replay{font:inherit;font-size:13px;font-weight:600;background:var(--accent);color:#fff;border:0;border-radius:6px;padding:4px 12px;cursor:pointer}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin-bottom:14px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.metric{border:1px solid var(--line);border-radius:8px;padding:8px 12px;background:#fafbfd}
.metric-value{font-size:16px;font-weight:700;overflow-wrap:anywhere}.metric-label{font-size:12px;color:#344054}.metric-detail{font-size:11.5px;color:var(--muted)}
.violations{margin:0;padding:0;list-style:none}.violation{display:flex;gap:12px;align-items:flex-start;padding:8px 0;border-top:1px solid var(--line)}
.violation:first-child{border-top:0}.violation p{margin:3px 0 0;color:#344054}.violation .kind,.violation .when{color:var(--muted);font-size:12px}
.violation strong{color:var(--bad)}
.jump{font:600 12px ui-monospace,Menlo,Consolas,monospace;color:#fff;background:var(--bad);border:0;border-radius:6px;padding:4px 8px;cursor:pointer;white-space:nowrap}
.ok-note{color:var(--good);margin:0}
.intro{margin:0 0 8px;color:#475467;font-size:13px}.warn{color:var(--warn)}.muted{color:var(--muted)}
.key{padding:0 5px;border-radius:3px}.key.crashed{background:var(--crashed);color:#fff}.key.paused{background:var(--paused)}
.key.op-ok{background:#86d3a5}.key.op-fail{background:#f19999}.key.op-open{background:#d0d5dd}
.verdict{font-weight:700;padding:2px 8px;border-radius:5px;margin-right:6px}.verdict-ok{background:#dcfce7;color:var(--good)}
.verdict-bad{background:#fee2e2;color:var(--bad)}.verdict-none{background:#f2f4f7;color:var(--muted)}
.chart{position:relative;width:100%;overflow:hidden}.chart svg{display:block;user-select:none}
.toolbar{display:flex;gap:6px;align-items:center;margin:4px 0 6px;flex-wrap:wrap}
.toolbar button{font:inherit;font-size:13px;background:#fff;border:1px solid #cfd6e0;border-radius:6px;padding:3px 10px;cursor:pointer}
.toolbar button:hover:not([disabled]){background:#eef2f8}.toolbar button[disabled]{opacity:.45;cursor:default}
#window-label{margin-left:8px;color:#475467;font-size:12.5px}
.legend{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:6px}
.legend .chip{display:inline-flex;align-items:center;gap:5px;font-size:12px;border:1px solid var(--line);border-radius:999px;padding:1px 9px 1px 6px;cursor:pointer;background:#fff}
.legend .chip i{width:14px;height:3px;border-radius:2px;display:inline-block}.legend .chip.off{opacity:.4;text-decoration:line-through}
.details{margin-top:8px;border:1px dashed #cfd6e0;border-radius:8px;padding:8px 12px;min-height:40px;font-size:13px}
.details pre{margin:6px 0 0;max-height:260px;overflow:auto;background:#f8fafc;padding:8px;border-radius:6px}
#tooltip{position:fixed;z-index:10;pointer-events:none;max-width:460px;background:#0f172a;color:#e2e8f0;padding:7px 10px;border-radius:7px;font-size:12px;box-shadow:0 6px 20px rgba(0,0,0,.25)}
#tooltip b{color:#fff}#tooltip code{white-space:pre-wrap;word-break:break-all;color:#cbd5e1;font-size:11.5px}
table{border-collapse:collapse;width:100%;font-size:13px;margin-bottom:6px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:11.5px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
#stats th{width:280px;font-weight:500;color:#475467}
#checks tr.bad td{background:#fff5f5}#checks .result{font-weight:700}#checks tr.ok .result{color:var(--good)}#checks tr.bad .result{color:var(--bad)}
#checks .msg{max-width:760px}
details.faults summary{cursor:pointer}details.faults summary h3{display:inline-block}
.axis text{fill:#475467;font-size:11px}.axis path,.axis line{stroke:#cbd2dc}
.row-label{font-size:12px;fill:#1e2530;font-weight:600}.row-label.client{fill:#667085;font-weight:500}
.lane-label{font-size:11px;fill:#667085}
.grid line{stroke:#eef1f5}
.msg{fill:none;stroke-width:1.3}.msg.hot{stroke-width:3}.msg.pinned{stroke-width:3.2;stroke:#111827!important}
.msg-dropped,.msg-in-flight{stroke-dasharray:3 2}.msg-duplicate{stroke-dasharray:8 2 2 2}
.violation-marker line{stroke:var(--bad);stroke-width:1.6;stroke-dasharray:5 3}.violation-marker path{fill:var(--bad)}
.violation-marker text{fill:var(--bad);font-size:11px;font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.role-term{font-size:9.5px;font-weight:700;fill:#fff;pointer-events:none}.role-term-candidate{fill:#422006}
.role-term-above{font-size:9.5px;font-weight:700;fill:#1e3a8a;pointer-events:none}.role-term-above.role-term-candidate{fill:#92400e}
.step-down line{stroke:#111827;stroke-width:1.4}.step-down path,.step-down-mark{fill:#111827}
.op-density-ok{fill:#3fae6f}.op-density-fail{fill:#e05656}.op-density-open{fill:#98a2b3}
.op{stroke:#fff;stroke-width:.5}.op-ok{fill:#86d3a5}.op-fail{fill:#f19999}.op-open{fill:url(#open-hatch)}
.op.violating{stroke:var(--bad);stroke-width:2.2}.overview-op.violating{stroke:var(--bad);stroke-width:1.5}.op.pinned{stroke:#111827;stroke-width:2}
.op-label{font-size:10.5px;fill:#1e2530;pointer-events:none}
.fault{stroke:none;opacity:.88}.fault-label{font-size:10.5px;fill:#1e2530;pointer-events:none}
.overview-op{cursor:pointer}.recovery{fill:#eef2ff}.recovery-label{font-size:10.5px;fill:#4f46e5}
.brush .selection{fill:#2563eb;fill-opacity:.1;stroke:#2563eb;stroke-width:1.2}
.notice{font-size:11.5px;fill:var(--warn)}
`;
