// Parsers for the numeric flags that several verbs share (--duration, --nodes, --workers), so that one
// flag is read, bounded and worded the same everywhere. Each throws InputError naming the flag and the
// text as the user typed it; ranges that depend on the scenario are checked later, by prepareRun.

import { InputError } from '../sim/errors.js';
import { DURATION_MAX_TEXT, DURATION_MICROS_MAX, parseDuration, type Micros } from '../sim/time.js';

/** `--duration`: a human duration (`500ms`, `10s`, `2m`, `1h`) of at most DURATION_MICROS_MAX. */
export function parseDurationFlag(text: string, flag = '--duration'): Micros {
  const micros = parseDuration(text);
  if (micros === undefined) throw new InputError(`${flag} ${text}: expected a duration such as 10s, 500ms, 2m or 1h`);
  if (micros > DURATION_MICROS_MAX) throw new InputError(`${flag} ${text}: at most ${DURATION_MAX_TEXT} of simulated time`);
  return micros;
}

/**
 * A count such as `--nodes 5` or `--workers 2`: digits only, at least `min`, a safe integer. (`--nodes 0`
 * passes here with min 0, so that prepareRun can name the scenario's own range.)
 */
export function parseCount(flag: string, text: string, min = 0): number {
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) throw new InputError(`${flag} ${text}: expected a positive integer`);
  return Number(text);
}

/** Help text for `--duration`, with the bound. */
export const DURATION_FLAG_HELP = `such as 10s, 500ms, 2m or 1h; at most ${DURATION_MAX_TEXT}`;
