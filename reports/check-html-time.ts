// Times on the `faultline check --report` page's axis, in the history file's own units: faultline JSON
// microseconds, Jepsen EDN :time nanoseconds, or (EDN without a usable :time) the events' places in the
// file. Pure string work, shared by the report's model and its page script (bundled into the page).

/** What one unit of the axis is. */
export type AxisUnit = 'micros' | 'nanos' | 'events';

/** The axis unit in words, for the page's legend. */
export const AXIS_UNIT_WORDS: Readonly<Record<AxisUnit, string>> = {
  micros: 'time in microseconds, as the file gives it',
  nanos: 'time from Jepsen\'s :time (nanoseconds)',
  events: 'the events\' places in the file (the history has no usable :time); the order is what counts',
};

function trimmed(value: number): string {
  return value.toFixed(3).replace(/\.?0+$/, '');
}

/** A time in people's units: `850µs`, `12.5ms`, `3.2s` (`event 12` on an event axis). */
export function formatAxisTime(value: number, unit: AxisUnit): string {
  if (unit === 'events') return `event ${trimmed(value)}`;
  const sign = value < 0 ? '-' : '';
  const nanos = Math.abs(value) * (unit === 'micros' ? 1_000 : 1);
  if (unit === 'nanos' && nanos < 1_000) return `${sign}${trimmed(nanos)}ns`;
  if (nanos < 1_000_000) return `${sign}${trimmed(nanos / 1_000)}µs`;
  if (nanos < 1_000_000_000) return `${sign}${trimmed(nanos / 1_000_000)}ms`;
  return `${sign}${trimmed(nanos / 1_000_000_000)}s`;
}

/** A tick label: like formatAxisTime, but a bare number on an event axis. */
export function formatTick(value: number, unit: AxisUnit): string {
  return unit === 'events' ? trimmed(value) : formatAxisTime(value, unit);
}
