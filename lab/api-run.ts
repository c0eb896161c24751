// `run(scenario, options)`: one run of a scenario object or a registered scenario's name, for code and
// tests that use faultline as a library. The same validation and the same result as `faultline run`.

import { findScenario, scenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import { executeRun, prepareRun, type RunRequest, type RunResult } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { suggestionOrKnown } from '../sim/suggest.js';

/** Everything of a {@link RunRequest} but the scenario; `seed` defaults to 1. */
export type RunOptions = Partial<Omit<RunRequest, 'scenario'>>;

/**
 * Runs a scenario (an object, or the name of a registered one) once and judges it. Bad input (an
 * unknown name, bug or parameter) throws {@link InputError} with a one-line reason.
 */
export function run(scenario: Scenario | string, options: RunOptions = {}): RunResult {
  const chosen = typeof scenario === 'string' ? findScenario(scenario) : scenario;
  if (chosen === undefined) {
    throw new InputError(`unknown scenario '${String(scenario)}' (${suggestionOrKnown(String(scenario), scenarios.map((s) => s.name))})`);
  }
  return executeRun(prepareRun({ ...options, scenario: chosen, seed: options.seed ?? 1 }));
}
