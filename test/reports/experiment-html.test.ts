// The experiment report: one self-contained page (nothing from a network), the same bytes for the same
// result, the result embedded whole, the tables (every point × metric, published values beside ours),
// and hostile labels or descriptions that stay text.
import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../../lab/experiment-model.js';
import { formatValue } from '../../reports/experiment-format.js';
import { renderExperimentHtml } from '../../reports/experiment-html.js';
import { figure16Result } from './experiment-fixture.js';

function embedded(html: string): ExperimentResult {
  const match = /<script type="application\/json" id="experiment-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as ExperimentResult;
}

describe('renderExperimentHtml', () => {
  const result = figure16Result({ runs: 60 });
  const html = renderExperimentHtml(result);

  it('is one self-contained page: no external script, style, image or link', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*rel\s*=\s*["']?stylesheet/i);
    expect(html).not.toMatch(/\s(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
    // The data and the code.
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it('is byte-identical for the same result', () => {
    expect(renderExperimentHtml(figure16Result({ runs: 60 }))).toBe(html);
  });

  it('embeds the whole result and draws into a figure per panel and metric', () => {
    expect(embedded(html)).toEqual(JSON.parse(JSON.stringify(result)));
    const panels = 2;
    expect(html.match(/<figure class="cdf-figure"/g)).toHaveLength(result.groups.length * result.metrics.length * panels);
    expect(html.match(/<figure class="param-figure"/g)).toHaveLength(result.groups.length * result.metrics.length);
    expect(html).toContain('id="download-json"');
  });

  it('shows the set-up: title, description, seeds, fixed settings, metrics with units', () => {
    expect(html).toContain(`<h1 id="title">${result.title}</h1>`);
    expect(html).toContain('<p>Each line is the CDF of time without a leader over many trials.</p>');
    expect(html).toContain('1..60');
    for (const s of result.set) expect(html).toContain(`<code>${s}</code>`);
    for (const m of result.metrics) expect(html).toContain(`<code>${m.name}</code>`);
    expect(html).toContain('duration (shown as ms / s)');
  });

  it('tables every point and metric, and the published values beside ours', () => {
    const rows = html.match(/<tr data-point="\d+" data-metric="[^"]+"/g) ?? [];
    expect(rows).toHaveLength(result.points.length * result.metrics.length);
    const first = result.points[2]!;
    const stats = first.metrics.leaderlessMicros!.stats!;
    const row = new RegExp(`<tr data-point="2" data-metric="leaderlessMicros"[^>]*>(.*?)</tr>`).exec(html)![1]!;
    expect(row).toContain(first.label);
    expect(row).toContain(`<td class="num">${stats.count}</td>`);
    expect(row).toMatch(/ – /);
    // One references table per group, a row per point a reference matches; a bound says whether we meet it.
    expect(html.match(/<table class="references"/g)).toHaveLength(2);
    const refRows = html.match(/<table class="references"[\s\S]*?<\/table>/g)!.join('').match(/<tr(?: class="[a-z]+")? data-point="\d+"><td/g) ?? [];
    expect(refRows).toHaveLength(result.references.reduce((n, r) => n + r.points.length, 0));
    expect(html).toContain('≥ 10s');
    expect(html).toMatch(/meets the bound|outside the bound/);
    expect(html).toContain('287ms');
  });

  it('says a CDF\'s height is out of runs or of samples, per metric', () => {
    const intro = /<p class="intro">([\s\S]*?)<\/p>/.exec(html)![1]!;
    expect(intro).toContain('For <code>leaderlessMicros</code>, its height at x is the fraction of the point\'s runs whose value was at most x, so a line whose runs did not all give a sample levels off below 100%');
    expect(intro).toContain('For <code>electionsHeld</code>, its height at x is the fraction of samples at most x');
    expect(html).not.toContain('fraction of runs whose value was at most x');
    expect(html).toContain('a hollow mean marks a point where not every run gave a sample');
  });

  it('shows ours at every point a reference matches, and why there is none', () => {
    const table = /<table class="references" id="references-1">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const twice = result.references.find((r) => r.points.length === 2)!;
    const rows = [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    const first = rows.findIndex((r) => r.includes('rowspan="2"'));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(rows[first]).toContain('12–24 ms · extensions off');
    expect(rows[first]).toContain(`<td class="num ours">${formatValue('duration', twice.oursByPoint[0]!)}</td>`);
    expect(rows[first + 1]).toContain('12–24 ms · extensions on');
    expect(rows[first + 1]).toContain(`<td class="num ours">${formatValue('duration', twice.oursByPoint[1]!)}</td>`);
    // The row under a spanned source has only point, ours and difference.
    expect(rows[first + 1]!.match(/<td/g)).toHaveLength(3);
    // No run gave a sample: the fact, and no verdict on the at-least bound.
    const randomness = /<table class="references" id="references-0">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const none = /<tr data-point="0">([\s\S]*?)<\/tr>/.exec(randomness)![1]!;
    expect(none).toContain('no sample: none of 60 runs gave a sample');
    expect(none).not.toMatch(/bound/);
    // Some runs gave one: how many.
    const some = /<tr[^>]* data-point="1">([\s\S]*?)<\/tr>/.exec(randomness)![1]!;
    expect(some).toContain('only 24 of 60 runs gave a sample');
  });

  it('keeps hostile labels, titles and descriptions as text', () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const evil = renderExperimentHtml(figure16Result({ runs: 20, label: `${hostile}{i}`, title: `<img src=x onerror=alert(1)> & ${hostile}`, description: hostile }));
    // Only the two scripts of the page itself.
    expect(evil.match(/<script/g)).toHaveLength(2);
    expect(evil.match(/<\/script>/gi)).toHaveLength(2);
    expect(evil).not.toContain('<img');
    expect(evil).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--0');
    // The embedded data still parses to the same labels.
    expect(embedded(evil).points[0]!.label).toBe(`${hostile}0`);
  });
});
