// The grid of an experiment as text: `--vary` axes parsed and ranges expanded exactly (against naive
// twins), joint axes, and the cross product's size and order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AXIS_VALUES_MAX, crossProduct, gridSize, parseAxis } from '../../lab/experiment-grid.js';
import { InputError } from '../../sim/errors.js';

const values = (text: string) => parseAxis(text).values.map((v) => v.join(':'));

describe('parseAxis', () => {
  it('reads lists, ranges and joint axes', () => {
    expect(parseAxis('clients=1,2,4')).toEqual({ text: 'clients=1,2,4', params: ['clients'], values: [['1'], ['2'], ['4']] });
    expect(values('electionTimeoutMicrosMax=150ms..300ms/50ms')).toEqual(['150ms', '200ms', '250ms', '300ms']);
    expect(values('x=150ms..320ms/50ms')).toEqual(['150ms', '200ms', '250ms', '300ms']);
    expect(values('x=0.1..0.3/0.1')).toEqual(['0.1', '0.2', '0.3']);
    expect(values('x=10%..30%/10%')).toEqual(['10%', '20%', '30%']);
    expect(values('x=1.5s..2s/250ms')).toEqual(['1500ms', '1750ms', '2s']);
    expect(values('x=5..1/-2')).toEqual(['5', '3', '1']);
    expect(values('x=3..3/1')).toEqual(['3']);
    expect(parseAxis('a,b=150ms:155ms,150ms:300ms').values).toEqual([['150ms', '155ms'], ['150ms', '300ms']]);
  });

  it.each([
    ['x', /expected NAME=v1,v2/],
    ['=1,2', /a parameter name is empty/],
    ['x=', /no values/],
    ['x=1,,2', /a value is empty/],
    ['a,b=1:2,3', /the value '3' has 1 part; a,b needs 2/],
    ['a,a=1:2', /a appears twice/],
    ['x=1..5', /a range needs a step/],
    ['x=1..5/0', /the step is 0/],
    ['x=1..5/-1', /sign/],
    ['x=300ms..100ms/50ms', /sign/],
    ['x=1..5ms/1', /one kind/],
    ['x=fast..slow/1', /neither a number nor an exact duration/],
    ['x=1.5us..3us/1us', /neither a number nor an exact duration/],
    ['x=0..1000000/1', /values; an axis takes at most/],
  ])('refuses %s', (text, message) => {
    expect(() => parseAxis(text)).toThrow(InputError);
    expect(() => parseAxis(text)).toThrow(message);
  });

  it('a..b/step of integers is the naive loop (a property)', () => {
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 300 }), (a, b, stepSize) => {
      const step = b >= a ? stepSize : -stepSize;
      const naive: string[] = [];
      for (let v = a; step > 0 ? v <= b : v >= b; v += step) naive.push(String(v));
      expect(values(`x=${a}..${b}/${step}`)).toEqual(naive);
    }));
  });

  it('a..b/step of durations and of decimals is exact: no float drift (a property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), (lo, span, step) => {
      // In milliseconds, and the same values as tenths of a unit.
      const naive: number[] = [];
      for (let k = 0; lo + k * step <= lo + span; k++) naive.push(lo + k * step);
      const millis = values(`x=${lo}ms..${lo + span}ms/${step}ms`);
      expect(millis.map((t) => (t.endsWith('ms') ? Number(t.slice(0, -2)) : t.endsWith('us') ? Number(t.slice(0, -2)) / 1000 : Number(t.slice(0, -1)) * 1000))).toEqual(naive);
      const tenths = values(`x=${lo / 10}..${(lo + span) / 10}/${step / 10}`);
      expect(tenths.map((t) => Math.round(Number(t) * 10))).toEqual(naive);
      expect(tenths.every((t) => !/\d{5,}$/.test(t.split('.')[1] ?? ''))).toBe(true);
    }));
  });
});

describe('the cross product', () => {
  it('has the product of the axis sizes, every combination once, the last axis fastest (a property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (sizes) => {
      const combos = crossProduct(sizes);
      expect(BigInt(combos.length)).toBe(gridSize(sizes));
      expect(combos.length).toBe(sizes.reduce((a, b) => a * b, 1));
      expect(new Set(combos.map((c) => c.join(','))).size).toBe(combos.length);
      const sorted = [...combos].sort((x, y) => { for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!; return 0; });
      expect(combos).toEqual(sorted);
    }));
  });

  it('sizes a huge grid without building it', () => {
    expect(gridSize([AXIS_VALUES_MAX, AXIS_VALUES_MAX, AXIS_VALUES_MAX])).toBe(10n ** 12n);
  });
});
