// The counter's planted bug, declared once: switched on by `--bug NAME`, off by default, read in
// counter.ts as a boolean (`this.config.bugs.unsyncedCount`).

import { defineBugs, type ActiveBugs } from 'faultline';

export const counterBugs = defineBugs('counter', {
  /** CounterNode.onTimer ('increment'): skips the sync of guard 1. */
  unsyncedCount: {
    name: 'counter/unsynced-count',
    description: 'writes its own count to disk but never syncs it: a crash rolls it back',
    exposedBy: ['counter-crashes'],
  },
});

/** Which of the counter's planted bugs are on. */
export type CounterBugs = ActiveBugs<keyof typeof counterBugs.names>;
