// The self-contained HTML report of an experiment: set-up, then per group a CDF per panel (one line per
// value of the first axis, as the Raft paper's Figure 16 draws time without a leader), each metric against
// the first axis with its confidence band (a hollow mark where not every run gave a sample), published
// references beside ours at every point they match, and the full table. A CDF's height is out of runs or
// of samples, as the result's `cdfOver` says, and the page says which.
// The page loads nothing: d3, the page's script and the result are inlined; the same result gives the same bytes.

import type { ExperimentResult, GroupInfo, MetricInfo, PointResult, ReferenceResult } from '../lab/experiment-model.js';
import { cdfOverText, formatDifference, formatReference, formatValue, meetsBound, sampleSentence } from './experiment-format.js';
import { clientBundle, esc, group, jsonForScript, pageHead, scriptText } from './html-parts.js';

/** One HTML file for the result, byte-identical for the same result. */
export function renderExperimentHtml(result: ExperimentResult): string {
  return [
    ...pageHead(`${result.title} — faultline experiment`, CSS),
    header(result),
    nav(result),
    ...result.groups.map((g, i) => groupSection(result, g, i)),
    '<div id="tooltip" role="tooltip" hidden></div>',
    `<script type="application/json" id="experiment-data">${jsonForScript(result)}</script>`,
    `<script>${scriptText(clientBundle('experiment-html-client.ts', 'd3-selection, d3-scale, d3-axis'))}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The name the downloaded result is offered under. */
export function resultFileName(result: Pick<ExperimentResult, 'name'>): string {
  return `${result.name}.json`.replace(/[^A-Za-z0-9._-]/g, '_');
}

// ---- the inlined script -------------------------------------------------------------------------

// ---- static parts -------------------------------------------------------------------------------

function header(result: ExperimentResult): string {
  const o = result.outcomes;
  const seeds = result.seeds.from === result.seeds.to ? String(result.seeds.from) : `${result.seeds.from}..${result.seeds.to}`;
  const facts: [string, string, string?][] = [
    ['experiment', result.name],
    ['seeds', seeds],
    ['grid points', group(result.points.length)],
    ['runs', group(result.runs)],
    ['pass', group(o.pass)],
    ['safety violations', group(o.safetyViolation), o.safetyViolation > 0 ? 'bad' : undefined],
    ['liveness violations', group(o.livenessViolation), o.livenessViolation > 0 ? 'warn' : undefined],
    ['faultline', result.version],
  ];
  const description = (result.description ?? '').split(/\n\s*\n/).filter((p) => p.trim() !== '').map((p) => `<p>${esc(p.trim())}</p>`).join('');
  const set = result.set.length === 0 ? '<span class="muted">none</span>' : result.set.map((s) => `<code>${esc(s)}</code>`).join(' ');
  const metrics = result.metrics.map((m) => `<tr><th scope="row"><code>${esc(m.name)}</code></th><td>${esc(unitText(m))}</td><td>${esc(m.description)}</td></tr>`).join('');
  return `<header class="top">
<h1 id="title">${esc(result.title)}</h1>
<div class="description">${description}</div>
<dl class="facts">${facts.map(([k, v, cls]) => `<div><dt>${esc(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${esc(v)}</dd></div>`).join('')}</dl>
<div class="setting"><span>fixed settings</span>${set}</div>
<table id="metrics"><thead><tr><th>metric</th><th>unit</th><th>meaning</th></tr></thead><tbody>${metrics}</tbody></table>
<div class="download"><button type="button" id="download-json" data-filename="${esc(resultFileName(result))}">download the result (${esc(resultFileName(result))})</button><span class="hint">every point's statistics and CDF, as <code>faultline experiment --json</code> prints them</span></div>
</header>`;
}

function unitText(m: MetricInfo): string {
  return m.unit === 'duration' ? 'duration (shown as ms / s)' : m.unit === 'ratio' ? 'ratio (shown as %)' : m.unit;
}

function nav(result: ExperimentResult): string {
  if (result.groups.length < 2) return '';
  return `<nav class="groups">${result.groups.map((g, i) => `<a href="#group-${i}">${esc(g.title || g.name)}</a>`).join('')}</nav>`;
}

/** Panels of a group's points, in grid order, each with its points in first-axis order. */
export function panelsOf(points: readonly PointResult[]): { panel: string; points: PointResult[] }[] {
  const panels: { panel: string; points: PointResult[] }[] = [];
  for (const p of points) {
    let entry = panels.find((e) => e.panel === p.panel);
    if (!entry) panels.push(entry = { panel: p.panel, points: [] });
    entry.points.push(p);
  }
  for (const e of panels) e.points.sort((a, b) => (a.coords[0] ?? 0) - (b.coords[0] ?? 0));
  return panels;
}

function groupSection(result: ExperimentResult, g: GroupInfo, gi: number): string {
  const points = result.points.filter((p) => p.group === g.name);
  const panels = panelsOf(points);
  const first = g.axes[0];
  const others = g.axes.slice(1);
  const lines = first ? `Each line is one value of <code>${esc(first.params.join(', '))}</code> (${first.labels.map(esc).join(', ')}).` : '';
  const split = others.length > 0 ? ` Each panel is one combination of ${others.map((a) => `<code>${esc(a.params.join(', '))}</code>`).join(' × ')}.` : '';
  const intro = `<p class="intro">${lines}${split} ${cdfIntro(result, points)} Published values are drawn in the line's colour: ◆ a published statistic, ▷ / ◁ a lower / upper bound, a short upright tick a published mean. The last chart shows each metric against the first axis: mean with its 95% confidence band, median (dotted) and p99 (dashed), one colour per panel; a hollow mean marks a point where not every run gave a sample (its statistics are of those that did).</p>`;
  const figures = result.metrics.map((m, mi) => {
    const cdfs = panels.map((panel, pi) => {
      const caption = `${panel.panel || g.title || g.name}`;
      return `<figure class="cdf-figure" data-group-index="${gi}" data-metric-index="${mi}" data-panel-index="${pi}" data-points="${panel.points.map((p) => p.index).join(',')}">
<figcaption>${esc(caption)} <span class="muted">· CDF of ${esc(m.name)}</span></figcaption>
<div class="toolbar" role="group" aria-label="x scale"><span>x scale</span><button type="button" data-scale="linear">linear</button><button type="button" data-scale="log">log</button></div>
<div class="legend"></div><div class="chart cdf-chart"></div></figure>`;
    }).join('');
    const param = first ? `<figure class="param-figure" data-group-index="${gi}" data-metric-index="${mi}">
<figcaption>${esc(m.name)} <span class="muted">against ${esc(first.params.join(', '))}</span></figcaption>
<div class="toolbar" role="group" aria-label="y scale"><span>y scale</span><button type="button" data-scale="linear">linear</button><button type="button" data-scale="log">log</button></div>
<div class="legend"></div><div class="chart param-chart"></div></figure>` : '';
    return `<div class="metric-block" data-metric="${esc(m.name)}"><h3><code>${esc(m.name)}</code> <span class="muted">${esc(m.description)}</span></h3><div class="figures">${cdfs}${param}</div></div>`;
  }).join('');
  const refs = result.references.filter((r) => r.points.some((i) => result.points[i]?.group === g.name));
  return `<section class="panel group" id="group-${gi}" data-group="${esc(g.name)}">
<h2>${esc(g.title || g.name)} <span class="muted">(${esc(g.name)})</span></h2>
${intro}
<div class="charts">${figures}</div>
${refs.length > 0 ? referencesTable(result, refs, gi) : ''}
${statsTable(result, points, gi)}
</section>`;
}

/** What a CDF's height means for the group's metrics: out of runs, out of samples, or each as it is. */
function cdfIntro(result: ExperimentResult, points: readonly PointResult[]): string {
  const byOver = new Map<string, string[]>();
  for (const m of result.metrics) {
    const over = cdfOverText(points.map((p) => p.metrics[m.name]));
    byOver.set(over, [...(byOver.get(over) ?? []), m.name]);
  }
  const runs = 'its height at x is the fraction of the point\'s runs whose value was at most x, so a line whose runs did not all give a sample levels off below 100% (the legend shows samples/runs)';
  const samples = 'its height at x is the fraction of samples at most x (a run may give several, e.g. one per leader loss; the legend shows samples and runs)';
  const text = (over: string) => (over === 'runs' ? runs : over === 'samples' ? samples : 'its height is out of runs for some points and of samples for others (the legend says which)');
  const names = (ms: readonly string[]) => ms.map((m) => `<code>${esc(m)}</code>`).join(', ');
  const parts = [...byOver.entries()].map(([over, ms]) => (byOver.size === 1 ? `A CDF line rises from 0: ${text(over)}.` : `For ${names(ms)}, ${text(over)}.`));
  return `${parts.join(' ')} A line further left is faster and a long flat tail is a few slow ones.`;
}

function pointName(p: PointResult | undefined): string {
  if (!p) return '?';
  return p.panel ? `${p.label} · ${p.panel}` : p.label;
}

/** Our value of a reference's statistic at its `j`-th matched point (null: no sample there). */
function oursAt(r: ReferenceResult, j: number): number | null {
  return (r.oursByPoint as readonly (number | null)[] | undefined)?.[j] ?? (j === 0 ? r.ours : null);
}

/**
 * A row per point a reference matches (source, statistic and published value span them). Where no run of
 * a point gave a sample, the row says so rather than judging a bound; where only some did, how many.
 */
function referencesTable(result: ExperimentResult, refs: readonly ReferenceResult[], gi: number): string {
  const group = result.groups[gi]?.name;
  const rows = refs.flatMap((r) => {
    const unit = result.metrics.find((m) => m.name === r.metric)?.unit ?? 'number';
    const matched = r.points.map((i, j) => ({ p: result.points[i], ours: oursAt(r, j) })).filter((e) => e.p === undefined || e.p.group === group);
    return matched.map(({ p, ours }, k) => {
      const pm = p?.metrics[r.metric];
      const meets = meetsBound(ours, r.value, r.bound);
      const difference = ours === null ? '—'
        : meets === null ? `${formatDifference(unit, ours - r.value)}${r.value !== 0 ? ` (${percent((ours - r.value) / r.value)})` : ''}`
        : `${formatDifference(unit, ours - r.value)} · ${meets ? 'meets the bound' : 'outside the bound'}`;
      const cls = meets === false ? ' class="bad"' : meets === true ? ' class="ok"' : '';
      const why = p === undefined ? '' : ours === null ? `<div class="muted why">no sample: ${esc(sampleSentence(pm, p.runs))}</div>`
        : pm !== undefined && pm.runsWithout > 0 ? `<div class="muted why">only ${esc(sampleSentence(pm, p.runs))}</div>` : '';
      const span = matched.length > 1 ? ` rowspan="${matched.length}"` : '';
      const shared = k > 0 ? '' : `<td${span}>${esc(r.source)}${r.note ? `<div class="muted">${esc(r.note)}</div>` : ''}</td>`;
      const stat = k > 0 ? '' : `<td${span}><code>${esc(r.metric)}</code> ${esc(r.stat)}</td><td class="num"${span}>${esc(formatReference(unit, r.value, r.bound))}</td>`;
      return `<tr${cls} data-point="${p?.index ?? ''}">${shared}<td>${esc(pointName(p))}</td>${stat}<td class="num ours">${ours === null ? '—' : esc(formatValue(unit, ours))}${why}</td><td class="num">${esc(difference)}</td></tr>`;
    });
  });
  return `<h3>Published values beside ours</h3><table class="references" id="references-${gi}"><thead><tr><th>source</th><th>point</th><th>statistic</th><th class="num">published</th><th class="num">ours</th><th class="num">difference (ours − published)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function statsTable(result: ExperimentResult, points: readonly PointResult[], gi: number): string {
  const rows: string[] = [];
  for (const p of points) {
    for (const m of result.metrics) {
      const pm = p.metrics[m.name];
      const s = pm?.stats ?? null;
      const f = (v: number) => esc(formatValue(m.unit, v));
      const o = p.outcomes;
      const stats = s === null ? `<td class="num">0</td>${'<td class="num">—</td>'.repeat(8)}`
        : `<td class="num">${group(s.count)}</td><td class="num">${f(s.min)}</td><td class="num">${f(s.p10)}</td><td class="num">${f(s.median)}</td><td class="num">${f(s.mean)}</td><td class="num ci">${f(s.meanCiLow)} – ${f(s.meanCiHigh)}</td><td class="num">${f(s.p90)}</td><td class="num">${f(s.p99)}</td><td class="num">${f(s.max)}</td>`;
      rows.push(`<tr data-point="${p.index}" data-metric="${esc(m.name)}"${o.safetyViolation > 0 ? ' class="bad"' : ''}><td>${esc(p.label)}</td><td>${esc(p.panel)}</td><td><code>${esc(m.name)}</code></td><td class="num">${group(p.runs)}</td><td class="num">${group(o.pass)}</td><td class="num${o.safetyViolation > 0 ? ' bad' : ''}">${group(o.safetyViolation)}</td><td class="num${o.livenessViolation > 0 ? ' warn' : ''}">${group(o.livenessViolation)}</td>${stats}<td class="num">${group(pm?.runsWithout ?? p.runs)}</td></tr>`);
    }
  }
  const head = ['point', 'panel', 'metric', 'runs', 'pass', 'safety', 'liveness', 'count', 'min', 'p10', 'median', 'mean', 'mean 95% CI', 'p90', 'p99', 'max', 'runs without'];
  return `<h3>Every point and metric</h3><div class="table-scroll"><table class="stats" id="stats-${gi}"><thead><tr>${head.map((h, i) => `<th${i >= 3 ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

// ---- helpers ------------------------------------------------------------------------------------

function percent(fraction: number): string {
  const p = Math.round(fraction * 100);
  return `${p > 0 ? '+' : ''}${p}%`;
}

const CSS = `
:root{--bg:#f4f6fa;--panel:#fff;--ink:#1e2530;--muted:#667085;--line:#e3e7ee;--accent:#2563eb;--bad:#dc2626;--good:#15803d;--warn:#b45309}
*{box-sizing:border-box}
body{margin:0;padding:20px 28px 40px;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:22px;margin:0 0 6px}
h2{font-size:17px;margin:0 0 6px}h2 .muted{font-weight:400;font-size:14px}
h3{font-size:14px;margin:16px 0 6px}h3 .muted{font-weight:400}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
.muted{color:var(--muted)}
.top,.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin-bottom:14px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
.description p{margin:0 0 6px;color:#344054;max-width:1000px}
.facts{display:flex;flex-wrap:wrap;gap:6px 26px;margin:10px 0}.facts div{display:flex;flex-direction:column}
.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}.facts dd{margin:0;font-weight:600}
.facts dd.bad{color:var(--bad)}.facts dd.warn{color:var(--warn)}
.setting{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px}.setting>span{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.setting code{background:#f2f4f7;padding:1px 6px;border-radius:4px}
.download{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin-top:8px}.download .hint{color:var(--muted);font-size:12.5px}
#download-json{font:inherit;font-size:13px;font-weight:600;background:var(--accent);color:#fff;border:0;border-radius:6px;padding:4px 12px;cursor:pointer}
nav.groups{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:14px}nav.groups a{background:#fff;border:1px solid var(--line);border-radius:999px;padding:3px 12px;color:var(--accent);text-decoration:none}
.intro{margin:0 0 8px;color:#475467;font-size:13px;max-width:1100px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px 10px;background:#fcfcfd;min-width:0}
figcaption{font-weight:600;font-size:13px;margin-bottom:4px}figcaption .muted{font-weight:400}
.toolbar{display:flex;gap:4px;align-items:center;font-size:12px;color:var(--muted);margin-bottom:4px}.toolbar span{margin-right:4px}
.toolbar button{font:inherit;font-size:12px;background:#fff;border:1px solid #cfd6e0;border-radius:5px;padding:1px 8px;cursor:pointer}
.toolbar button[aria-pressed="true"]{background:#1e293b;color:#fff;border-color:#1e293b}
.legend{display:flex;flex-wrap:wrap;gap:4px 6px;margin-bottom:4px}
.legend .chip{display:inline-flex;align-items:center;gap:5px;font-size:11.5px;border:1px solid var(--line);border-radius:999px;padding:0 8px 0 6px;cursor:pointer;background:#fff}
.legend .chip i{width:14px;height:3px;border-radius:2px;display:inline-block}.legend .chip.off{opacity:.4;text-decoration:line-through}
.legend .key{font-size:11.5px;color:var(--muted);display:inline-flex;align-items:center;gap:4px}
.chart{position:relative;width:100%}.chart svg{display:block;user-select:none;overflow:visible}
.axis text{fill:#475467;font-size:10.5px}.axis path,.axis line{stroke:#cbd2dc}.grid line{stroke:#eef1f5}
.axis-label{fill:#475467;font-size:11px}
.cdf-line{fill:none;stroke-width:1.8}.cdf-line.hot{stroke-width:3}
.ci-band{opacity:.18;stroke:none}.mean-line{fill:none;stroke-width:2}.median-line{fill:none;stroke-width:1.4;stroke-dasharray:2 3}
.p99-line{fill:none;stroke-width:1.3;stroke-dasharray:6 4}
.ref-marker path{stroke-width:1.6}.ref-marker{cursor:help}
.focus circle{fill:#fff;stroke-width:2}.focus line{stroke:#98a2b3;stroke-dasharray:3 3}
#tooltip{position:fixed;z-index:10;pointer-events:none;max-width:420px;background:#0f172a;color:#e2e8f0;padding:6px 9px;border-radius:7px;font-size:12px;box-shadow:0 6px 20px rgba(0,0,0,.25)}
#tooltip b{color:#fff}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin-bottom:6px}
th,td{text-align:left;padding:4px 7px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.bad,tr.bad td.num:last-child{color:var(--bad);font-weight:700}td.warn{color:var(--warn)}
tr.bad td{background:#fff5f5}tr.ok td:last-child{color:var(--good)}
.references tr.bad td:last-child{color:var(--bad);font-weight:700}
.references td.ours .why{white-space:normal;font-size:11.5px;font-weight:400;max-width:220px;margin-left:auto}
.legend .chip .n{color:var(--muted);font-variant-numeric:tabular-nums}
#metrics th{width:220px;font-weight:500}
.table-scroll{overflow-x:auto}
`;
