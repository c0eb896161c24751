// Virtual time: an integer count of microseconds. Nothing in the engine reads wall time;
// time advances only when the simulator takes the next event from its queue.

/** Integer microseconds of virtual time (or a span of it). */
export type Micros = number;

export const us = (n: number): Micros => Math.round(n);
export const ms = (n: number): Micros => Math.round(n * 1_000);
export const seconds = (n: number): Micros => Math.round(n * 1_000_000);

const unitMicros: Readonly<Record<string, number>> = {
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  min: 60_000_000,
  h: 3_600_000_000,
};

/** The longest simulated span a run accepts: its fault phase, and any duration parameter (24 hours). */
export const DURATION_MICROS_MAX: Micros = 24 * 3_600_000_000;

/** `DURATION_MICROS_MAX` as people write it, for messages and help. */
export const DURATION_MAX_TEXT = '24h';

/**
 * Parses a human duration such as `150ms`, `2s`, `1.5s`, `500us`, `2m` or `1h` into microseconds.
 * Returns `undefined` when the text is not a duration (callers word their own error).
 */
export function parseDuration(text: string): Micros | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|min|h)\s*$/.exec(text);
  if (!match) return undefined;
  const micros = Number(match[1]) * unitMicros[match[2]!]!;
  if (!Number.isFinite(micros) || micros > Number.MAX_SAFE_INTEGER) return undefined;
  return Math.round(micros);
}

/** Formats microseconds the way people read them: `850us`, `12.5ms`, `3.2s`. */
export function formatMicros(micros: Micros): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  if (abs < 1_000) return `${sign}${abs}us`;
  if (abs < 1_000_000) return `${sign}${trimZeros(abs / 1_000)}ms`;
  return `${sign}${trimZeros(abs / 1_000_000)}s`;
}

/** An offset with its sign, in the same style: `+955ms`, `-2s`, `0us`. */
export function formatSignedMicros(micros: Micros): string {
  return micros > 0 ? `+${formatMicros(micros)}` : formatMicros(micros);
}

function trimZeros(value: number): string {
  return value.toFixed(3).replace(/\.?0+$/, '');
}

/** An exact duration that `parseDuration` reads back to the same integer: `2s`, `150ms`, `1234us`. */
export function formatMicrosExact(micros: Micros): string {
  if (micros !== 0 && micros % 1_000_000 === 0) return `${micros / 1_000_000}s`;
  if (micros !== 0 && micros % 1_000 === 0) return `${micros / 1_000}ms`;
  return `${micros}us`;
}
