// SWIM members for protocol scripts (lab/protocol-script.ts): memberlist's LAN timings, with the script's
// options `{k, lifeguard, selection, piggybackMax}` and one planted bug at most.
import { fdBugs } from '../../algorithms/failure-detection/bugs.js';
import { SWIM_LAN_CONFIG, SwimMember, type SwimMessage } from '../../algorithms/failure-detection/swim.js';
import { ProtocolScriptError, type ProtocolScriptAdapter } from '../../lab/protocol-script.js';

export const swimAdapter = (plantedBug?: string): ProtocolScriptAdapter<SwimMessage> => ({
  create(_id, options) {
    const { k = 3, lifeguard = false, selection = 'round-robin', piggybackMax = 8, ...unknown } = options as {
      k?: number; lifeguard?: boolean; selection?: 'random' | 'round-robin'; piggybackMax?: number;
    };
    if (Object.keys(unknown).length > 0) throw new ProtocolScriptError(`unknown SWIM option(s) ${Object.keys(unknown).join(', ')}`);
    return new SwimMember({
      ...SWIM_LAN_CONFIG, indirectProbes: k, lifeguard, targetSelection: selection, piggybackMax, bugs: fdBugs.active(plantedBug),
    });
  },
  parseMessage(type, fields) {
    return { type, updates: [], ...fields } as unknown as SwimMessage;
  },
});
