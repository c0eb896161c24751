// The terminal rendering of an experiment result. PLACEHOLDER (issue 12): a plain table per metric; the
// real renderer (tables, sparklines, text CDFs) is written beside this in another branch and replaces it.
// Pure: the result in, text out; no wall-clock figures (those go to stderr from the command).

import type { ExperimentResult } from '../lab/experiment-model.js';
import { formatMetricValue } from '../lab/experiment-out.js';
import { fittedTable, plural } from './text.js';

/** The result as text fitted to `width` columns (`color` is accepted for the real renderer's sake). */
export function renderExperimentTerminal(result: ExperimentResult, options: { color: boolean; width: number }): string {
  const lines: string[] = [];
  lines.push(`${result.name}: ${result.title}`);
  const failed = result.outcomes.safetyViolation + result.outcomes.livenessViolation;
  lines.push(`${plural(result.runs, 'run')} (seeds ${result.seeds.from}..${result.seeds.to}) · ${result.outcomes.pass} passed` +
    (failed > 0 ? ` · ${result.outcomes.safetyViolation} SAFETY VIOLATIONS · ${result.outcomes.livenessViolation} liveness violations` : ''));
  for (const metric of result.metrics) {
    lines.push('', `${metric.name} (${metric.unit})`);
    const rows = result.points.map((p) => {
      const m = p.metrics[metric.name]!;
      const s = m.stats;
      const f = (v: number) => formatMetricValue(v, metric.unit);
      const point = p.panel === '' ? p.label : `${p.label} · ${p.panel}`;
      return s === null
        ? [point, '0', '—', '—', '—', '—', String(m.runsWithout)]
        : [point, String(s.count), f(s.median), `${f(s.mean)} [${f(s.meanCiLow)}, ${f(s.meanCiHigh)}]`, f(s.p90), f(s.max), String(m.runsWithout)];
    });
    lines.push(fittedTable(['point', 'n', 'median', 'mean [95% CI]', 'p90', 'max', 'runs without'], rows, options.width));
  }
  for (const ref of result.references) {
    lines.push(`reference ${ref.metric} ${ref.stat} = ${ref.value} (${ref.source}); ours: ${ref.ours ?? '—'}`);
  }
  return lines.join('\n');
}
