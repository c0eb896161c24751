// What the playground page is given by the command that writes it: the scenario to open, its seed and
// bug, the faultline version (for replay files), and the list of every registered scenario to choose from.
// Node-free: the command builds it, the page reads it back from a JSON <script> element.

import type { Scenario } from '../sim/scenario.js';

export interface PlaygroundConfig {
  readonly version: string;
  readonly scenario: string;
  readonly seed: number;
  readonly bug: string | null;
  readonly scenarios: readonly { readonly name: string; readonly algorithm: string; readonly description: string; readonly bugs: readonly string[] }[];
}

/** The id of the <script type="application/json"> element that holds the config. */
export const CONFIG_ELEMENT_ID = 'playground-config';

export function playgroundConfig(scenarios: readonly Scenario[], chosen: { scenario: string; seed: number; bug?: string }, version: string): PlaygroundConfig {
  return {
    version, scenario: chosen.scenario, seed: chosen.seed, bug: chosen.bug ?? null,
    scenarios: scenarios.map((s) => ({ name: s.name, algorithm: s.algorithm, description: s.description, bugs: s.bugs.map((b) => b.name) })),
  };
}
