// Checkers of the three kinds in one call each, for algorithms written against the public API:
// `always` (safety, judged at every observation), `eventually` (liveness, must hold within the recovery
// bound) and `sometimes` (the run must reach this at least once). Each returns a fresh Checker, typed by
// the algorithm's facts when given (`always<CounterFact>({ … })`).

import type { Checker, RunView } from '../check.js';
import type { Fact, Observation } from '../facts.js';
import type { NodeId } from '../process.js';

/** What every checker says about itself. */
export interface PropertyInfo {
  /** Kebab-case, shown in results and replay files: `no-lost-increments`. */
  readonly name: string;
  /** One sentence: what the checker promises. */
  readonly description: string;
}

/**
 * A safety property: `check` sees every observation as it happens and returns a message when the
 * property is broken (the run then ends as a safety violation, at that moment), or nothing when it holds.
 */
export function always<F extends Fact = Observation>(info: PropertyInfo & { check(node: NodeId, fact: F, run: RunView): string | void }): Checker<F> {
  return {
    name: info.name,
    kind: 'always',
    description: info.description,
    onObservation: (node, fact, run) => info.check(node, fact, run),
    verdict: () => ({ ok: true }),
  };
}

/**
 * A liveness property: once faults heal, `holds` must return true within the scenario's recovery bound
 * (it is polled through the recovery phase). A string says why it does not hold yet; `watch`, if given,
 * sees every observation, to collect what `holds` judges.
 */
export function eventually<F extends Fact = Observation>(info: PropertyInfo & {
  holds(run: RunView): true | string;
  watch?(node: NodeId, fact: F, run: RunView): void;
}): Checker<F> {
  const watch = info.watch;
  return {
    name: info.name,
    kind: 'eventually',
    description: info.description,
    ...(watch ? { onObservation: (node: NodeId, fact: F, run: RunView) => { watch(node, fact, run); } } : {}),
    verdict: (run) => {
      const holds = info.holds(run);
      return holds === true ? { ok: true } : { ok: false, message: holds };
    },
  };
}

/**
 * A reachability property: the run must reach `reached` at least once (it catches runs that pass only
 * because nothing happened). `unreachedMessage` is the failure's message.
 */
export function sometimes<F extends Fact = Observation>(info: PropertyInfo & {
  reached(node: NodeId, fact: F, run: RunView): boolean;
  unreachedMessage?: string;
}): Checker<F> {
  let seen = false;
  return {
    name: info.name,
    kind: 'sometimes',
    description: info.description,
    onObservation: (node, fact, run) => {
      if (!seen && info.reached(node, fact, run)) seen = true;
    },
    verdict: () => (seen ? { ok: true } : { ok: false, message: info.unreachedMessage ?? `never reached: ${info.description}` }),
  };
}
