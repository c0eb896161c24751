// Reliable broadcast rule by rule: each script in test/scripts/broadcast/ drives BroadcastNodes message by
// message (lab/protocol-script.ts) and states what each step must produce: deliver a new value once,
// acknowledge and relay it, resend to peers that have not acknowledged, keep delivered values across a
// restart. Messages are written as on the wire (`gossip {id, origin, value}`, `ack {id}`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { broadcastBugs, BroadcastNode, type BroadcastMessage } from '../../algorithms/broadcast/broadcast.js';
import type { BroadcastBug } from '../../algorithms/broadcast/bugs.js';
import { ProtocolScriptError, runProtocolScript, runProtocolScriptFile, type ProtocolScriptAdapter } from '../../lab/protocol-script.js';
import { ms } from '../../sim/time.js';

const SCRIPTS = join(import.meta.dirname, '..', 'scripts', 'broadcast');

/** Broadcast for protocol scripts: no broadcasts of its own (the scripts deliver values), one resend batch. */
const broadcastAdapter = (plantedBug?: BroadcastBug): ProtocolScriptAdapter<BroadcastMessage> => ({
  create(_id, options) {
    const { broadcastsPerNode = 0, ...unknown } = options as { broadcastsPerNode?: number };
    if (Object.keys(unknown).length > 0) throw new ProtocolScriptError(`unknown broadcast option(s) ${Object.keys(unknown).join(', ')}`);
    return new BroadcastNode({
      broadcastsPerNode, broadcastIntervalMicros: ms(100), retransmitMicros: ms(50), retransmitBatchMax: 64,
      bugs: broadcastBugs.active(plantedBug),
    });
  },
});

describe('broadcast protocol scripts (one per rule)', () => {
  const files = readdirSync(SCRIPTS).filter((f) => f.endsWith('.txt')).sort();

  it('has a script for each rule', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(file, () => {
      const { expected, actual } = runProtocolScriptFile(join(SCRIPTS, file), broadcastAdapter());
      expect(actual).toBe(expected);
    });
  }

  // A script must fail when its rule is broken: each planted bug breaks one rule.
  it.each([
    ['deliver-once.txt', broadcastBugs.names.noDedup],
    ['resend-until-acknowledged.txt', broadcastBugs.names.noRetransmit],
  ])('%s fails under planted bug %s', (file, bug) => {
    const text = readFileSync(join(SCRIPTS, file), 'utf8');
    // Failing is either output that differs, or a step that cannot happen (no retransmission timer is set).
    let outcome: { expected: string; actual: string } | 'cannot run';
    try {
      outcome = runProtocolScript(text, broadcastAdapter(bug), file);
    } catch (error) {
      if (!(error instanceof ProtocolScriptError)) throw error;
      outcome = 'cannot run';
    }
    if (outcome !== 'cannot run') expect(outcome.actual).not.toBe(outcome.expected);
  });
});
