// The self-contained HTML picture of one `faultline check` (`--report FILE.html`): header and verdict, the
// failure's explanation, then per sub-history (the failing one first) its operations on a zoomable time
// axis, drawn by reports/check-html-client.ts from the embedded data. The page loads nothing: d3, the
// script and the data are inlined. Assumes the result is of exactly these operations.

import { readJepsenHistory } from '../sim/check/jepsen-history.js';
import { AXIS_UNIT_WORDS, type AxisUnit } from './check-html-time.js';
import { buildCheckReportData, type CheckReportData, type CheckReportInput, type SubHistoryView } from './check-html-model.js';
import { clientBundle, esc, group, jsonForScript, pageHead, scriptText } from './html-parts.js';

export type { CheckReportInput } from './check-html-model.js';

/**
 * The axis for a history file's text: a Jepsen EDN history whose client events all carry :time, never
 * decreasing down the file, is drawn in those nanoseconds; other EDN on the events' places in the file
 * (the order the checker takes); faultline JSON in its own microseconds. Reads only what the checker
 * read already (parseHistoryText): call it after that has accepted the text.
 */
export function axisForHistoryText(text: string, where: string): { readonly unit: AxisUnit; readonly at: (time: number) => number } {
  // The test parseHistoryText uses to tell JSON from EDN.
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !/^\{\s*:/.test(trimmed)) return { unit: 'micros', at: (t) => t };
  const events = readJepsenHistory(text, where).events;
  const timeAt = new Map<number, number>();
  let previous = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    if (event.time === null || event.time < previous) return { unit: 'events', at: (t) => t };
    previous = event.time;
    timeAt.set(event.position, event.time);
  }
  return { unit: 'nanos', at: (position) => timeAt.get(position) ?? position };
}

const VERDICT_LABEL = { linearizable: 'LINEARIZABLE', 'not-linearizable': 'NOT LINEARIZABLE', unknown: 'UNKNOWN' } as const;
const STATUS_LABEL = { failing: 'not linearizable', linearizable: 'linearizable', undecided: 'undecided (budget ran out)', 'not-judged': 'not judged (the check stops at the first failure)' } as const;

/** One HTML file, byte-identical for the same input (wall time aside, which the input carries). */
export function renderCheckReport<S, I, O>(input: CheckReportInput<S, I, O>): string {
  const data = buildCheckReportData(input);
  const title = `${data.file} — ${VERDICT_LABEL[data.verdict].toLowerCase()} — faultline check`;
  return [
    ...pageHead(title, CSS),
    header(data),
    ...(data.explanation === null ? [] : [`<section class="panel" id="explanation"><h2>Why</h2><p>${esc(data.explanation)}</p></section>`]),
    legend(data),
    ...data.subHistories.map((view, i) => subHistorySection(view, i)),
    '<div id="tooltip" role="tooltip" hidden></div>',
    `<script type="application/json" id="check-data">${jsonForScript(data)}</script>`,
    `<script>${scriptText(clientBundle('check-html-client.ts', 'd3-selection, d3-scale, d3-axis, d3-zoom'))}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(data: CheckReportData): string {
  const facts: [string, string][] = [
    ['model', data.model.name],
    ['initial', data.initial.isDefault ? `the model's default: ${data.initial.state}` : `${data.initial.json} (${data.initial.state})`],
    ['operations', group(data.operations)],
    [data.model.name === 'kv' ? 'keys' : 'sub-histories', group(data.keys)],
    ['checked in', `${data.wallMillis} ms`],
  ];
  if (data.ignored !== null) facts.push(['ignored', data.ignored]);
  if (data.unknownKeys !== null) facts.push(['undecided', data.unknownKeys.join(', ')]);
  return `<header class="top">
<div class="headline"><h1 id="file">${esc(data.file)}</h1>
<span id="verdict" class="verdict verdict-${data.verdict}" data-verdict="${data.verdict}">${VERDICT_LABEL[data.verdict]}</span></div>
<p class="model-description">${esc(data.model.name)}: ${esc(data.model.description)}</p>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd data-fact="${esc(k)}">${esc(v)}</dd></div>`).join('')}</dl>
</header>`;
}

function legend(data: CheckReportData): string {
  const failing = data.verdict === 'not-linearizable'
    ? ' On the failing sub-history, <span class="key prefix">numbered bars</span> are the longest prefix that can be put in an order respecting real time (the number is the place in that order; the line runs through the moments they take effect), and the <span class="key blocked">blocked</span> operation is the one that had to take effect next and could not; <span class="key candidate">outlined</span> ones could not go next either.'
    : '';
  const notes = data.notes.map((n) => ` <span class="warn">${esc(n)}</span>`).join('');
  return `<section class="panel" id="legend"><p class="intro">Each bar is one operation from call to return, one row per client (a client whose operations overlap gets more rows); <span class="key open">open</span> operations (no answer: they may or may not have taken effect) run to the right edge. The axis: ${esc(AXIS_UNIT_WORDS[data.unit])}.${failing} Hover a bar for details; scroll or use the buttons to zoom, drag to pan.${notes}</p></section>`;
}

function subHistorySection(view: SubHistoryView, index: number): string {
  const note = view.note === undefined ? '' : `<p class="intro warn">${esc(view.note)}</p>`;
  const prefix = view.status === 'failing' ? ` · longest linearizable prefix: ${group(view.prefixLength)}` : '';
  return `<section class="panel sub-history" id="sub-history-${index}" data-key="${esc(view.key)}" data-status="${view.status}">
<h2>${esc(view.where)} <span class="status status-${view.status}">${esc(STATUS_LABEL[view.status])}</span></h2>
<p class="intro">${group(view.operationsTotal)} operations${prefix}</p>${note}
<div class="toolbar">
<button type="button" data-action="earlier" title="earlier">◀</button>
<button type="button" data-action="zoom-in" title="zoom in">+</button>
<button type="button" data-action="zoom-out" title="zoom out">−</button>
<button type="button" data-action="later" title="later">▶</button>
${view.status === 'failing' ? '<button type="button" data-action="blocked">blocked operation</button>' : ''}
<button type="button" data-action="all">everything</button>
<span class="window-label"></span>
</div>
<div class="chart" data-index="${index}"></div>
</section>`;
}

const CSS = `
:root{--bg:#f4f6fa;--panel:#fff;--ink:#1e2530;--muted:#667085;--line:#e3e7ee;--bad:#dc2626;--good:#15803d;--warn:#b45309;
--ok:#93c5fd;--prefix:#4f46e5;--blocked:#dc2626;--open:#d0d5dd}
*{box-sizing:border-box}
body{margin:0;padding:20px 28px 40px;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:20px;margin:0;overflow-wrap:anywhere}
h2{font-size:15px;margin:0 0 6px;color:#344054}
.top,.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin-bottom:14px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
.headline{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.verdict{font-weight:700;font-size:13px;letter-spacing:.05em;padding:4px 12px;border-radius:999px;color:#fff}
.verdict-linearizable{background:var(--good)}.verdict-not-linearizable{background:var(--bad)}.verdict-unknown{background:#d97706}
.model-description{margin:8px 0 0;color:#475467}
.facts{display:flex;flex-wrap:wrap;gap:6px 26px;margin:10px 0 0}.facts div{display:flex;flex-direction:column}
.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
#explanation p{margin:0;color:#344054}
.intro{margin:0 0 6px;color:#475467;font-size:13px}.warn{color:var(--warn)}
.key{padding:0 5px;border-radius:3px}.key.prefix{background:var(--prefix);color:#fff}.key.blocked{background:var(--blocked);color:#fff}
.key.candidate{border:2px solid #f59e0b}.key.open{background:repeating-linear-gradient(45deg,#e4e7ec,#e4e7ec 4px,#fff 4px,#fff 7px);border:1px dashed #98a2b3}
.status{font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;margin-left:6px;vertical-align:middle}
.status-failing{background:#fee2e2;color:var(--bad)}.status-linearizable{background:#dcfce7;color:var(--good)}
.status-undecided{background:#fef3c7;color:#92400e}.status-not-judged{background:#f2f4f7;color:var(--muted)}
.toolbar{display:flex;gap:6px;align-items:center;margin:4px 0 6px;flex-wrap:wrap}
.toolbar button{font:inherit;font-size:13px;background:#fff;border:1px solid #cfd6e0;border-radius:6px;padding:3px 10px;cursor:pointer}
.toolbar button:hover{background:#eef2f8}.window-label{margin-left:8px;color:#475467;font-size:12.5px}
.chart{position:relative;width:100%;overflow:hidden}.chart svg{display:block;user-select:none;cursor:grab}
.axis text{fill:#475467;font-size:11px}.axis path,.axis line{stroke:#cbd2dc}.grid line{stroke:#eef1f5}
.lane-label{font-size:11.5px;fill:#344054}.lane-label.extra{fill:#98a2b3}
.bar{fill:var(--ok);stroke:#3b82f6;stroke-width:.6}
.bar.open{fill:url(#open-hatch);stroke:#98a2b3;stroke-dasharray:4 3}
.bar.prefix{fill:var(--prefix);stroke:#312e81}.bar.prefix.open{fill:#a5b4fc;stroke:#312e81}
.bar.blocked{fill:var(--blocked);stroke:#7f1d1d;stroke-width:1.5}
.bar.candidate{stroke:#f59e0b;stroke-width:2.2}
.bar.hot{stroke:#111827;stroke-width:2}
.order{font:700 10.5px ui-monospace,Menlo,Consolas,monospace;fill:#fff;pointer-events:none}
.order.outside{fill:#312e81}
.bar-label{font-size:10.5px;fill:#1e2530;pointer-events:none}
.blocked-label{font-size:11px;font-weight:700;fill:var(--blocked);pointer-events:none;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.open-label{font-size:10px;fill:#667085;pointer-events:none}
.order-line{fill:none;stroke:#f59e0b;stroke-width:1.6;pointer-events:none}
.point{fill:#f59e0b;stroke:#fff;stroke-width:1;pointer-events:none}
#tooltip{position:fixed;z-index:10;pointer-events:none;max-width:520px;background:#0f172a;color:#e2e8f0;padding:7px 10px;border-radius:7px;font-size:12px;box-shadow:0 6px 20px rgba(0,0,0,.25)}
#tooltip b{color:#fff}#tooltip .why{color:#fca5a5}#tooltip .state{color:#a5b4fc}
`;
