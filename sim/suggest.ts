// "Did you mean …" for a misspelled name (a scenario, a planted bug, a parameter): the known names
// closest by edit distance, if any is close enough to be a likely typo. Pure; order follows `known`.

import leven from 'leven';

/** Suggestions offered at most. */
const SUGGESTIONS_MAX = 3;

/**
 * The known names the input was probably meant to be: those within an edit distance of about a third
 * of the name's length (at least 2), the closest first; failing that, names that contain the input or
 * that it contains (at least 3 characters, case-insensitive), when at most three do. At most three.
 */
export function closestNames(input: string, known: readonly string[]): string[] {
  const wanted = input.toLowerCase();
  const scored = known
    .map((name, index) => ({ name, index, distance: leven(wanted, name.toLowerCase()) }))
    .filter(({ name, distance }) => distance <= Math.max(2, Math.floor(Math.max(wanted.length, name.length) / 3)));
  if (scored.length > 0) {
    const best = Math.min(...scored.map((s) => s.distance));
    return scored.filter((s) => s.distance <= best + 1).sort((a, b) => a.distance - b.distance || a.index - b.index).slice(0, SUGGESTIONS_MAX).map((s) => s.name);
  }
  if (wanted.length < 3) return [];
  const containing = known.filter((name) => name.toLowerCase().includes(wanted) || wanted.includes(name.toLowerCase()));
  return containing.length <= SUGGESTIONS_MAX ? containing : [];
}

/**
 * The tail of an "unknown X" message: `did you mean raft-chaos?` when a known name is close, else
 * `known: a, b, c`. Callers put it in parentheses after the bad value.
 */
export function suggestionOrKnown(input: string, known: readonly string[]): string {
  const close = closestNames(input, known);
  if (close.length > 0) return `did you mean ${orList(close)}?`;
  return known.length > 0 ? `known: ${known.join(', ')}` : 'there are none';
}

function orList(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
