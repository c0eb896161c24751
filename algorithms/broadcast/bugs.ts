// Reliable broadcast's planted bugs, declared once: each removes one guard of broadcast.ts, in the
// function named beside it, and lists the scenarios whose sweeps catch it, the best first. A node reads
// them as booleans (`this.config.bugs.noDedup`), set once when its configuration is built.

import { defineBugs, type ActiveBugs } from '../../sim/scenario.js';

export const broadcastBugs = defineBugs('broadcast', {
  /** BroadcastNode.onStart: no retransmission timer, and a restarted node offers nothing again. */
  noRetransmit: {
    name: 'broadcast/no-retransmit',
    description: 'sends each value once and never resends: a lost message is lost for good',
    exposedBy: ['broadcast-partitions', 'broadcast-chaos', 'broadcast-lossy'],
  },
  /** BroadcastNode.onMessage: a value seen before is delivered (observed) again. */
  noDedup: {
    name: 'broadcast/no-dedup',
    description: 'delivers a value again whenever a copy arrives (retransmission, relay or duplicate)',
    exposedBy: ['broadcast-lossy', 'broadcast-partitions', 'broadcast-chaos'],
  },
});

/** Which of broadcast's planted bugs are on. */
export type BroadcastBugs = ActiveBugs<keyof typeof broadcastBugs.names>;

/** The `--bug` name of one of broadcast's planted bugs. */
export type BroadcastBug = (typeof broadcastBugs.names)[keyof typeof broadcastBugs.names];
