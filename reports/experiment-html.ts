// The HTML report of an experiment result. PLACEHOLDER (issue 12): a minimal self-contained page with a
// table; the real report (CDFs, metric-against-parameter plots, references) is written beside this in
// another branch and replaces it. No network, no script; the result's text is escaped.

import type { ExperimentResult } from '../lab/experiment-model.js';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** One self-contained HTML page: a table of every point × metric. */
export function renderExperimentHtml(result: ExperimentResult): string {
  const rows = result.points.flatMap((p) => result.metrics.map((metric) => {
    const s = p.metrics[metric.name]!.stats;
    const cells = [p.group, p.panel === '' ? p.label : `${p.label} · ${p.panel}`, metric.name, String(p.runs),
      ...(s === null ? ['', '', '', ''] : [String(s.count), String(s.median), String(s.mean), String(s.p90)])];
    return `<tr>${cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`;
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(result.name)}</title></head>
<body><h1>${escape(result.title)}</h1>
<table><thead><tr><th>group</th><th>point</th><th>metric</th><th>runs</th><th>count</th><th>median</th><th>mean</th><th>p90</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></body></html>
`;
}
