// The counter's checkers, one of each kind, built with faultline's always/eventually/sometimes.
// They read the `increment` and `value` facts (facts.ts, typed: a misspelt fact does not compile) and
// the nodes' inspect() views.

import { always, eventually, sometimes, type Checker, type NodeId } from 'faultline';
import type { CounterFact } from './facts.js';

/** The checkers of one run (fresh state each time). */
export function counterCheckers(): Checker<CounterFact>[] {
  /** Every increment issued so far, as `node:count`. */
  const issued = new Set<string>();
  return [
    always<CounterFact>({
      name: 'increments-never-reused',
      description: 'a node never issues the same count twice (a reused count is an increment lost in a crash)',
      check(node, fact) {
        if (fact.type !== 'increment') return;
        const key = `${node}:${fact.count}`;
        if (issued.has(key)) return `${node} issued count ${fact.count} twice: the increment before the crash was lost`;
        issued.add(key);
      },
    }),
    always<CounterFact>({
      name: 'value-at-most-increments',
      description: 'no replica counts more increments than were issued',
      check(node, fact) {
        if (fact.type === 'value' && fact.value > issued.size) return `${node} counts ${fact.value}, but only ${issued.size} increments were issued`;
      },
    }),
    eventually<CounterFact>({
      name: 'replicas-converge',
      description: 'once faults heal, every replica counts every increment issued',
      holds(run) {
        for (const node of run.servers) {
          const view = run.inspect(node) as { value: number } | undefined;
          if (view === undefined) return `${node} is down`;
          if (view.value !== issued.size) return `${node} counts ${view.value} of ${issued.size} increments`;
        }
        return true;
      },
    }),
    sometimes<CounterFact>({
      name: 'counted-remote-increment',
      description: 'some replica counted an increment made by another node',
      reached: (node: NodeId, fact) => fact.type === 'value' && fact.value > 0 && [...issued].some((key) => !key.startsWith(`${node}:`)),
    }),
  ];
}
