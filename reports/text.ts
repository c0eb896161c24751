// Text helpers for terminal output: counts with thousands separators and the right plural, wall-clock
// spans in the same unit style as virtual time (`9.1ms`, `1.25s`), paragraphs wrapped to the terminal,
// and tables whose columns shrink and wrap so the whole table fits the terminal's width.

import Table from 'cli-table3';
import { stripVTControlCharacters } from 'node:util';
import wrapAnsi from 'wrap-ansi';
import { paint } from './colour.js';

/** Width assumed when stdout is not a terminal (a pipe, a file, a CI log). */
export const DEFAULT_WIDTH = 100;
/** A table column is not squeezed below this many characters (padding included). */
const COLUMN_WIDTH_MIN = 8;

/** The width to fit output to: the terminal's columns, or 100 when stdout is not a terminal. */
export function terminalWidth(stream: { readonly isTTY?: boolean; readonly columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns !== undefined && stream.columns > 0 ? stream.columns : DEFAULT_WIDTH;
}

/** A whole number with en-US thousands separators: `1,234,567`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A count and its noun, singular for exactly one: `plural(1, 'node')` is `1 node`, `plural(1234, 'event')`
 * is `1,234 events`, `plural(2, 'leader loss', 'leader losses')` is `2 leader losses`.
 */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

/** A wall-clock span in milliseconds, in the unit style of `formatMicros`: `0.4ms`, `9.1ms`, `412ms`, `1.25s`, `19.2s`. */
export function formatWallMillis(millis: number): string {
  if (!Number.isFinite(millis) || millis < 0) return '—';
  if (millis < 1_000) return `${trim(millis.toFixed(millis < 100 ? 1 : 0))}ms`;
  return `${trim((millis / 1_000).toFixed(millis < 10_000 ? 2 : 1))}s`;
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** The printed width of a line (escape codes take no room). */
export function visibleWidth(line: string): number {
  return [...stripVTControlCharacters(line)].length;
}

/**
 * Wraps a paragraph to `width` columns; `indent` starts every line, and words longer than a line are
 * broken. Escape codes (colour) are kept and take no room.
 */
export function wrapParagraph(text: string, width: number, indent = ''): string {
  const room = Math.max(10, width - visibleWidth(indent));
  return wrapAnsi(text, room, { hard: true })
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}

/** `prefix` then `text` wrapped to `width`, later lines indented to where the text began. */
export function wrapHanging(prefix: string, text: string, width: number): string {
  const indent = ' '.repeat(visibleWidth(prefix));
  return prefix + wrapParagraph(text, width, indent).slice(indent.length);
}

/**
 * A table that fits `width` columns: each column as wide as its widest line, and while the table is too
 * wide the widest column gives up a character (first down to its longest word, then to a minimum of 8);
 * cells are wrapped to their column.
 * Headings are bold; there are no border colours.
 */
export function fittedTable(head: readonly string[], rows: readonly (readonly string[])[], width: number): string {
  const columns = head.length;
  const widths = head.map((h, c) => {
    const cells = [h, ...rows.map((r) => r[c] ?? '')];
    return 2 + Math.max(1, ...cells.flatMap((cell) => cell.split('\n').map(visibleWidth)));
  });
  // A column first shrinks only to its longest word, so names stay whole; then, if need be, further.
  // A no-break space (U+00A0) joins words, as it does for the wrapping.
  const words = head.map((h, c) => {
    const cells = [h, ...rows.map((r) => r[c] ?? '')];
    return 2 + Math.max(1, ...cells.flatMap((cell) => cell.split(/[ \t\n]+/).map(visibleWidth)));
  });
  const total = () => widths.reduce((a, b) => a + b, 0) + columns + 1;
  for (const floor of [(c: number) => Math.max(COLUMN_WIDTH_MIN, words[c]!), () => COLUMN_WIDTH_MIN]) {
    while (total() > width) {
      const shrinkable = widths.map((w, c) => (w > floor(c) ? w : -1));
      const widest = shrinkable.indexOf(Math.max(...shrinkable));
      if (shrinkable[widest]! < 0) break;
      widths[widest]! -= 1;
    }
  }
  const fit = (cell: string, c: number) => wrapAnsi(cell, widths[c]! - 2, { hard: true, trim: false });
  const table = new Table({
    head: head.map((h, c) => fit(paint.bold(h), c)),
    colWidths: widths,
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push(row.map((cell, c) => fit(cell, c)));
  return table.toString();
}

/** A plain table for tools outside the CLI (bench): bold headings when colour is on, no border colours. */
export function plainTable(head: readonly string[]): Table.Table {
  return new Table({ head: head.map((h) => paint.bold(h)), style: { head: [], border: [] } });
}
