// The terminal rendering of an experiment: fits 80 and 120 columns, plain text without colour, every
// point's label and a text CDF per point (its height out of runs or samples, as the result says, levelling
// off below the top when not every run gave a sample), the mean with its interval as printed ends, the
// published references beside ours at every point they match, a safety failure that stands out, and the
// same text for the same result.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../reports/experiment-format.js';
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
    for (const head of ['median', 'mean [95% CI]', 'p99', 'max']) expect(text).toContain(head);
    // One sparkline per point and metric with samples: a label, block characters, samples and runs;
    // a point without any says so.
    const sparklines = text.split('\n').filter((line) => /^ {2}\S.*\s[·▁▂▃▄▅▆▇█]{20,} \d[\d,]*(\/\d[\d,]*| \(.*runs?\))$/.test(line));
    const withSamples = result.points.flatMap((p) => result.metrics.filter((m) => p.metrics[m.name]!.stats !== null));
    expect(sparklines).toHaveLength(withSamples.length);
    expect(text.match(/^ {2}150–150 ms none of 200 runs gave a sample$/gm)).toHaveLength(2);
    // The narrowest range's median, as a duration.
    const first = result.points[2]!.metrics.leaderlessMicros!.stats!;
    expect(first.median).toBeGreaterThan(100_000);
    expect(text).toMatch(/\d(\.\d+)?(ms|s)\b/);
  });

  it('says what a CDF\'s height is out of, and a line whose runs did not all give a sample stays low', () => {
    const text = renderExperimentTerminal(result, { color: false, width: 100 });
    expect(text).toMatch(/CDF of leaderlessMicros: .*height = fraction of runs at or below/);
    expect(text).toMatch(/CDF of electionsHeld: .*height = fraction of samples at or below/);
    expect(text).not.toContain('fraction of samples at or below (a line stays');
    // 150–150 ms with the extensions: 80 of 200 runs resolved, so the line ends at 40% (▄), not at the top.
    const partial = result.points.find((p) => p.group === 'randomness' && p.coords[0] === 0 && p.coords[1] === 1)!;
    expect(partial.metrics.leaderlessMicros!.cdf.at(-1)![1]).toBe(0.4);
    const lines = text.split('\n').filter((l) => /^ {2}150–150 ms [·▁▂▃▄▅▆▇█]+ 80\/200$/.test(l));
    expect(lines).toHaveLength(1);
    const spark = lines[0]!.split(' ')[4]!;
    expect(spark.at(-1)).toBe('▄');
    expect(spark).not.toContain('█');
    // A full line reaches the top.
    expect(text).toMatch(/^ {2}150–300 ms [·▁▂▃▄▅▆▇]*█+ 200\/200$/m);
  });

  it('prints the mean with its interval\'s ends and labels samples per run so they are not read as a fraction', () => {
    const text = renderExperimentTerminal(result, { color: false, width: 120 });
    expect(text).not.toMatch(/±/);
    const s = result.points.find((p) => p.group === 'scale')!.metrics.leaderlessMicros!.stats!;
    const f = (v: number) => formatValue('duration', v);
    expect(text).toContain(`${f(s.mean)} [${f(s.meanCiLow)},\u00a0${f(s.meanCiHigh)}]`);
    // Several samples per run: `744 (200 runs)` under "samples (runs)"; one at most: `80/200` under "samples/runs".
    const elections = result.points[2]!.metrics.electionsHeld!.stats!.count;
    expect(elections).toBeGreaterThan(200);
    expect(text).toContain('│ samples (runs) │');
    expect(text).toContain(`│ ${elections.toLocaleString('en-US')} (200 runs) `);
    expect(text).toContain(`│ ${result.points[1]!.metrics.electionsHeld!.stats!.count} (80 of 200 runs) `);
    expect(text).toContain('│ samples/runs │');
    expect(text).not.toContain('n/runs');
  });

  it('leaves out p99, then the median, rather than break an interval or a value when the table is narrow', () => {
    const text = renderExperimentTerminal(result, { color: false, width: 64 });
    expect(text).toContain('leaderlessMicros (duration) · p99, median left out to fit 64\ncolumns');
    for (const line of text.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(64);
    // Every interval whole on one line.
    expect(text).toMatch(/│ \[\S+,\u00a0\S+\] +│/);
    expect(text).not.toMatch(/│ \[\S+, *│/);
    expect(renderExperimentTerminal(result, { color: false, width: 120 })).not.toContain('left out');
  });

  for (const width of [80, 120]) {
    it(`tables published values at every point a reference matches, within ${width} columns`, () => {
      const text = renderExperimentTerminal(result, { color: false, width });
      const tables = [...text.matchAll(/^\S+: published values of \S+ beside ours\n[\s\S]*?(?=\n\[\d+\] )/gm)].map((m) => m[0]);
      expect(tables).toHaveLength(2);
      for (const line of tables.join('\n').split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(width);
      // The scale reference matches both panels: a row for each, with our value at each.
      const twice = result.references.find((r) => r.points.length === 2)!;
      expect(twice.oursByPoint[0]).not.toBe(twice.oursByPoint[1]);
      const scale = tables[1]!;
      for (const ours of twice.oursByPoint) expect(scale).toContain(formatValue('duration', ours!));
      expect(scale).toMatch(/12–24 ms ·[\s│]*extensions off/);
      expect(scale).toMatch(/12–24 ms ·[\s│]*extensions on/);
      // Where no run gave a sample: the fact, not a verdict on the bound.
      const randomness = tables[0]!;
      const none = randomness.split(/├.*┤/)[1]!;
      // (A wrapped cell continues on the row's next line, after the other columns' continuations.)
      expect(none).toMatch(/none of 200 runs[\s\S]*gave a sample|none of 200 runs gave a sample/);
      expect(none).not.toMatch(/bound/);
      // Where only some runs did, how many.
      expect(randomness).toMatch(/80 of[\s│]+200 runs[\s│]+gave a[\s│]+sample|80 of 200 runs gave a sample|80\s+│[\s\S]*of 200 runs/);
    });
  }

  it('puts published values beside ours, a bound as ≥ with whether we meet it', () => {
    const text = renderExperimentTerminal(result, { color: false, width: 120 });
    expect(text).toContain('published values of leaderlessMicros beside ours');
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
