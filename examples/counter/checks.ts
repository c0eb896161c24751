// The counter's checkers, one of each kind, built with faultline's always/eventually/sometimes.
// They read the `increment` and `value` facts (counter.ts) and the nodes' inspect() views.

import { always, eventually, sometimes, type Checker, type Fact, type NodeId } from 'faultline';
import type { CounterFact } from './counter.js';

function counterFact(fact: Fact): CounterFact | undefined {
  return fact.type === 'increment' || fact.type === 'value' ? (fact as unknown as CounterFact) : undefined;
}

/** The checkers of one run (fresh state each time). */
export function counterCheckers(): Checker[] {
  /** Every increment issued so far, as `node:count`. */
  const issued = new Set<string>();
  return [
    always({
      name: 'increments-never-reused',
      description: 'a node never issues the same count twice (a reused count is an increment lost in a crash)',
      check(node, fact) {
        const f = counterFact(fact);
        if (f?.type !== 'increment') return;
        const key = `${node}:${f.count}`;
        if (issued.has(key)) return `${node} issued count ${f.count} twice: the increment before the crash was lost`;
        issued.add(key);
      },
    }),
    always({
      name: 'value-at-most-increments',
      description: 'no replica counts more increments than were issued',
      check(node, fact) {
        const f = counterFact(fact);
        if (f?.type === 'value' && f.value > issued.size) return `${node} counts ${f.value}, but only ${issued.size} increments were issued`;
      },
    }),
    eventually({
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
    sometimes({
      name: 'counted-remote-increment',
      description: 'some replica counted an increment made by another node',
      reached: (node: NodeId, fact) => {
        const f = counterFact(fact);
        return f?.type === 'value' && f.value > 0 && [...issued].some((key) => !key.startsWith(`${node}:`));
      },
    }),
  ];
}
