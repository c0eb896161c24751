// What the playground page is given by the command that writes it: the scenario to open, its seed and
// bug, the faultline version (for replay files), the list of every registered scenario to choose from, and
// what to open first instead (a run from a replay file or report, `--replay`; a guided lesson, `--lesson`).
// Node-free: the command builds it, the page reads it back from a JSON <script> element.

import type { Scenario } from '../sim/scenario.js';
import type { OpenedRun } from './open-file.js';

export interface PlaygroundConfig {
  readonly version: string;
  /** The session shown first (an opened run's or a lesson's, when one is given). */
  readonly scenario: string;
  readonly seed: number;
  readonly bug: string | null;
  readonly scenarios: readonly { readonly name: string; readonly algorithm: string; readonly description: string; readonly bugs: readonly string[] }[];
  /** A run to open first (`--replay FILE`), already checked: the page loads `sessionConfigOf(opened)`. */
  readonly opened?: OpenedRun;
  /** The id of a guided lesson to open first (`--lesson ID`), one of playground/lessons.ts. */
  readonly lesson?: string;
}

/** The id of the <script type="application/json"> element that holds the config. */
export const CONFIG_ELEMENT_ID = 'playground-config';

/** What the page opens first instead of `chosen`'s fresh session: a run from a file, or a lesson. */
export type PlaygroundStart = { readonly opened: OpenedRun } | { readonly lesson: string } | Record<string, never>;

/**
 * The page's config. With `start.opened` or `start.lesson`, `chosen` should name that run's or lesson's
 * scenario, seed and bug (what the header's pickers show).
 */
export function playgroundConfig(scenarios: readonly Scenario[], chosen: { scenario: string; seed: number; bug?: string }, version: string, start: PlaygroundStart = {}): PlaygroundConfig {
  return {
    version, scenario: chosen.scenario, seed: chosen.seed, bug: chosen.bug ?? null,
    scenarios: scenarios.map((s) => ({ name: s.name, algorithm: s.algorithm, description: s.description, bugs: s.bugs.map((b) => b.name) })),
    ...('opened' in start ? { opened: start.opened } : {}),
    ...('lesson' in start ? { lesson: start.lesson } : {}),
  };
}
