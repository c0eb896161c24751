// The terminal rendering of an experiment: fits 80 and 120 columns, plain text without colour, every
// point's label and a text CDF per point, the published references beside ours, a safety failure that
// stands out, and the same text for the same result.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderExperimentTerminal } from '../../reports/experiment-terminal.js';
import { visibleWidth } from '../../reports/text.js';
import { figure16Result } from './experiment-fixture.js';

const result = figure16Result({ safetyViolations: 2 });

describe('renderExperimentTerminal', () => {
  for (const width of [80, 120]) {
    it(`fits ${width} columns, with and without colour`, () => {
      for (const color of [false, true]) {
        const text = renderExperimentTerminal(result, { color, width });
        const wide = text.split('\n').filter((line) => visibleWidth(line) > width);
        expect(wide, wide.join('\n')).toEqual([]);
      }
    });
  }

  it('has no escape codes when colour is off, and some when it is on', () => {
    const plain = renderExperimentTerminal(result, { color: false, width: 100 });
    expect(plain).not.toMatch(/\u001b\[/);
    const coloured = renderExperimentTerminal(result, { color: true, width: 100 });
    expect(coloured).toMatch(/\u001b\[/);
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });

  it('names every group, panel and point, with its statistics and a text CDF', () => {
    const text = renderExperimentTerminal(result, { color: false, width: 120 });
    expect(text).toContain(result.title);
    for (const group of result.groups) expect(text).toContain(group.title);
    for (const p of result.points) {
      expect(text).toContain(p.label);
      expect(text).toContain(`${p.panel}:`);
    }
    for (const head of ['median', 'mean ±95% CI', 'p99', 'max']) expect(text).toContain(head);
    // One sparkline per point and metric: a label followed by block characters.
    const sparklines = text.split('\n').filter((line) => /^ {2}\S.*\s[·▁▂▃▄▅▆▇█]{20,}$/.test(line));
    expect(sparklines).toHaveLength(result.points.length * result.metrics.length);
    // The narrowest range's median, as a duration.
    const first = result.points[0]!.metrics.leaderlessMicros!.stats!;
    expect(first.median).toBeGreaterThan(100_000);
    expect(text).toMatch(/\d(\.\d+)?(ms|s)\b/);
  });

  it('puts published values beside ours, a bound as ≥ with whether we meet it', () => {
    const text = renderExperimentTerminal(result, { color: false, width: 120 });
    expect(text).toContain('published values beside ours');
    expect(text).toContain('≥ 10s');
    expect(text).toContain('≤ 1s');
    expect(text).toMatch(/meets bound|outside bound/);
    expect(text).toContain('287ms');
    expect(text).toContain('Ongaro & Ousterhout');
  });

  it('counts outcomes and makes a safety failure stand out', () => {
    const plain = renderExperimentTerminal(result, { color: false, width: 100 });
    expect(plain).toContain('2 SAFETY VIOLATIONS');
    const coloured = renderExperimentTerminal(result, { color: true, width: 100 });
    // Bold red.
    expect(coloured).toMatch(/\u001b\[31m[^\n]*SAFETY/);
    const clean = renderExperimentTerminal(figure16Result(), { color: false, width: 100 });
    expect(clean).not.toContain('SAFETY');
  });

  it('is the same text for the same result', () => {
    expect(renderExperimentTerminal(figure16Result(), { color: false, width: 80 })).toBe(renderExperimentTerminal(figure16Result(), { color: false, width: 80 }));
  });
});
