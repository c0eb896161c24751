// Duration parsing and exact formatting round-trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalClock } from '../../sim/clock.js';
import { formatMicrosExact, parseDuration } from '../../sim/time.js';

describe('durations', () => {
  it('parses the units people write', () => {
    expect(parseDuration('150ms')).toBe(150_000);
    expect(parseDuration('2s')).toBe(2_000_000);
    expect(parseDuration('1.5s')).toBe(1_500_000);
    expect(parseDuration('500us')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000_000);
    for (const bad of ['', '10', 'ten s', '5 parsecs', '-1s', '1e3ms']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('formatMicrosExact reads back to the same integer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (micros) => {
      expect(parseDuration(formatMicrosExact(micros))).toBe(micros);
    }));
  });
});

describe('LocalClock', () => {
  it('without faults reads true time; skew shifts it; drift scales what follows', () => {
    const clock = new LocalClock();
    expect(clock.read(1_000)).toBe(1_000);
    clock.setOffset(1_000, -500);
    expect(clock.read(2_000)).toBe(1_500);
    clock.setDriftPpm(2_000, 1_000_000 / 10);
    expect(clock.read(12_000)).toBe(1_500 + 11_000);
    expect(clock.trueSpan(11_000)).toBe(10_000);
  });

  it('is monotone under drift alone', () => {
    fc.assert(fc.property(fc.integer({ min: -400_000, max: 400_000 }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 2 }), (ppm, times) => {
      const clock = new LocalClock();
      clock.setDriftPpm(0, ppm);
      const sorted = [...times].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) expect(clock.read(sorted[i]!)).toBeGreaterThanOrEqual(clock.read(sorted[i - 1]!));
    }));
  });
});
