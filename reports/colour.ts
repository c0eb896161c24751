// When terminal output is coloured: only when stdout is a terminal, unless FORCE_COLOR says otherwise;
// NO_COLOR (https://no-color.org) turns colour off. Assumes the process writes its reports to stdout;
// a terminal on stderr alone (output piped to a file) gets no colour in the file.

import { Chalk, supportsColor, type ColorSupportLevel } from 'chalk';

/** The environment variables the colour choice reads. */
export interface ColourEnv {
  readonly FORCE_COLOR?: string;
  readonly NO_COLOR?: string;
  readonly TERM?: string;
}

/**
 * The colour level for output to `stream`: FORCE_COLOR wins (`0`/`false` off, empty/`true` basic,
 * `1`–`3` that level), as in Node's own rule; then a non-empty NO_COLOR turns colour off; otherwise
 * colour only on a terminal (not `TERM=dumb`), at the depth the terminal supports.
 */
export function colourLevel(stream: { readonly isTTY?: boolean }, env: ColourEnv = process.env): ColorSupportLevel {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const level = Number.parseInt(force, 10);
    if (Number.isInteger(level)) return Math.max(0, Math.min(3, level)) as ColorSupportLevel;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  return supportsColor ? Math.max(1, supportsColor.level) as ColorSupportLevel : 1;
}

/** The chalk every report on stdout paints with (decided once, when the process starts). */
export const paint = new Chalk({ level: colourLevel(process.stdout) });
