// The grid of an experiment, as text: one `--vary` axis (`NAME=v1,v2`, `NAME=a..b/step`, or joint
// `A,B=a1:b1,a2:b2`) parsed into its parameters and their text values. Ranges are expanded exactly
// (durations in integer microseconds, decimals as scaled big integers), so `0.1..0.3/0.1` ends at 0.3.
// Knows nothing of scenarios: whether a name or a value fits one is checked by lab/experiment.ts.

import { InputError } from '../sim/errors.js';
import { formatMicrosExact, parseDuration } from '../sim/time.js';

/** One axis: the parameters that move together and, per value of the axis, each parameter's text. */
export interface ParsedAxis {
  /** The axis as written (for messages). */
  readonly text: string;
  readonly params: readonly string[];
  readonly values: readonly (readonly string[])[];
}

/** The most values one axis may have (a range is sized before it is expanded). */
export const AXIS_VALUES_MAX = 10_000;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Parses one axis; throws InputError naming it (`flag` names where it came from, `--vary` by default). */
export function parseAxis(text: string, flag = '--vary'): ParsedAxis {
  const fail = (problem: string): never => {
    throw new InputError(`${flag} ${text}: ${problem}`);
  };
  const eq = text.indexOf('=');
  if (eq < 0) fail('expected NAME=v1,v2,… or NAME=a..b/step (or A,B=a1:b1,a2:b2 for parameters that move together)');
  const params = text.slice(0, eq).split(',').map((p) => p.trim());
  for (const param of params) {
    if (param === '') fail('a parameter name is empty');
    if (!NAME.test(param)) fail(`'${param}' is not a parameter name`);
  }
  const twice = params.find((p, i) => params.indexOf(p) !== i);
  if (twice !== undefined) fail(`${twice} appears twice on the axis`);
  const right = text.slice(eq + 1).trim();
  if (right === '') fail('the axis has no values (the grid would be empty)');
  if (params.length === 1) {
    const range = /^([^,]+?)\.\.([^,/]+)\/([^,]+)$/.exec(right);
    if (range) return { text, params, values: expandRange(range[1]!.trim(), range[2]!.trim(), range[3]!.trim(), fail).map((v) => [v]) };
    if (right.includes('..')) fail('a range needs a step: a..b/step, such as 100ms..300ms/50ms or 1..9/2');
  }
  const values = right.split(',').map((item) => {
    const value = item.trim();
    if (value === '') fail('a value is empty (two commas in a row, or a comma at an end)');
    if (params.length === 1) return [value];
    const parts = value.split(':').map((p) => p.trim());
    if (parts.length !== params.length) fail(`the value '${value}' has ${parts.length} part${parts.length === 1 ? '' : 's'}; ${params.join(',')} needs ${params.length}, separated by ':'`);
    if (parts.some((p) => p === '')) fail(`the value '${value}' has an empty part`);
    return parts;
  });
  if (values.length > AXIS_VALUES_MAX) fail(`${values.length} values; an axis takes at most ${AXIS_VALUES_MAX}`);
  return { text, params, values };
}

/** A bound or step of a range: a duration in microseconds, or a decimal as a scaled integer. */
type Quantity =
  | { readonly kind: 'duration'; readonly micros: bigint }
  | { readonly kind: 'decimal'; readonly digits: bigint; readonly scale: number; readonly percent: boolean };

function quantityOf(text: string): Quantity | undefined {
  const decimal = /^(-?)(\d+)(?:\.(\d+))?(%?)$/.exec(text);
  if (decimal) {
    const fraction = decimal[3] ?? '';
    const digits = BigInt(`${decimal[1]}${decimal[2]}${fraction}`);
    return { kind: 'decimal', digits, scale: fraction.length, percent: decimal[4] === '%' };
  }
  const micros = parseDuration(text);
  if (micros !== undefined && /^\s*\d+(?:\.\d+)?\s*[a-zµ]+\s*$/.test(text)) {
    // parseDuration rounds to whole microseconds; a range must be exact, so refuse what it rounded.
    const [, number, unit] = /^\s*(\d+(?:\.\d+)?)\s*([a-zµ]+)\s*$/.exec(text)!;
    const scale = (number!.split('.')[1] ?? '').length;
    const unitMicros = BigInt(Math.round(parseDuration(`1${unit}`)!));
    const scaled = BigInt(number!.replace('.', '')) * unitMicros;
    const divisor = 10n ** BigInt(scale);
    if (scaled % divisor !== 0n) return undefined;
    return { kind: 'duration', micros: scaled / divisor };
  }
  return undefined;
}

/**
 * The values `a, a+step, …` up to and including `b` when it lands on a step, as text: durations in the
 * exact form `--set` reads back (`150ms`, `1500us`), decimals with no trailing zeros, percentages with `%`.
 */
export function expandRange(a: string, b: string, step: string, fail: (problem: string) => never): string[] {
  const [qa, qb, qs] = [a, b, step].map(quantityOf);
  for (const [text, q] of [[a, qa], [b, qb], [step, qs]] as const) {
    if (q === undefined) fail(`'${text}' is neither a number nor an exact duration (such as 150ms)`);
  }
  const kinds = new Set([qa!, qb!, qs!].map((q) => (q.kind === 'duration' ? 'a duration' : q.percent ? 'a percentage' : 'a number')));
  if (kinds.size > 1) fail(`the bounds and the step must all be of one kind; got ${[...kinds].join(' and ')}`);
  let start: bigint;
  let end: bigint;
  let by: bigint;
  let format: (n: bigint) => string;
  if (qa!.kind === 'duration') {
    start = qa!.micros;
    end = (qb as Extract<Quantity, { kind: 'duration' }>).micros;
    by = (qs as Extract<Quantity, { kind: 'duration' }>).micros;
    format = (n) => formatMicrosExact(Number(n));
  } else {
    const [da, db, ds] = [qa, qb, qs] as Extract<Quantity, { kind: 'decimal' }>[];
    const scale = Math.max(da!.scale, db!.scale, ds!.scale);
    const up = (q: Extract<Quantity, { kind: 'decimal' }>) => q.digits * 10n ** BigInt(scale - q.scale);
    start = up(da!);
    end = up(db!);
    by = up(ds!);
    format = (n) => formatScaled(n, scale) + (da!.percent ? '%' : '');
  }
  if (by === 0n) fail('the step is 0');
  if (end !== start && (end > start) !== (by > 0n)) fail(`the step ${step} goes away from ${b}: its sign must be that of ${b} − ${a}`);
  const count = (end - start) / by + 1n;
  if (count > BigInt(AXIS_VALUES_MAX)) fail(`${count} values; an axis takes at most ${AXIS_VALUES_MAX}`);
  const values: string[] = [];
  for (let k = 0n; k < count; k++) values.push(format(start + k * by));
  return values;
}

/** A scaled integer as a decimal: `formatScaled(150n, 2)` is `1.5`, `formatScaled(-5n, 1)` is `-0.5`. */
function formatScaled(n: bigint, scale: number): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** The number of points of the cross product of axes of these sizes (a bigint: it may be huge). */
export function gridSize(axisSizes: readonly number[]): bigint {
  return axisSizes.reduce((product, size) => product * BigInt(size), 1n);
}

/** Every combination of axis value indexes, the last axis fastest. */
export function crossProduct(axisSizes: readonly number[]): number[][] {
  let combos: number[][] = [[]];
  for (const size of axisSizes) {
    const next: number[][] = [];
    for (const combo of combos) for (let i = 0; i < size; i++) next.push([...combo, i]);
    combos = next;
  }
  return combos;
}
