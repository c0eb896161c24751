// PaxosNode's message routing at its edges, and how a ballot is written. A server receives client
// requests but never client replies (those go to clients): a stray one is dropped with no effect, not
// routed to a role. Ballots appear in checker messages as (round,node).
import { describe, expect, it } from 'vitest';
import { formatBallot, type PaxosMessage } from '../../algorithms/paxos/messages.js';
import { paxosBugs, PaxosNode } from '../../algorithms/paxos/paxos.js';
import { runProtocolScript, type ProtocolScriptAdapter } from '../../lab/protocol-script.js';
import { ms } from '../../sim/time.js';

const adapter: ProtocolScriptAdapter<PaxosMessage> = {
  create: () => new PaxosNode({ takeoverTimeoutMicrosMin: ms(150), takeoverTimeoutMicrosMax: ms(300), heartbeatMicros: ms(50), decidedPerMessageMax: 64, bugs: paxosBugs.active(undefined) }),
};

describe('PaxosNode routing', () => {
  it('drops a client reply sent to a server: no send, no timer, no fact, no state change, no throw', () => {
    const follower = 'n1 state {role: follower, ballot: {round: 0, node: ""}, leaderId: null, leaderBallot: {round: 0, node: ""}, promised: {round: 0, node: ""}, learnedThrough: 0, lastApplied: 0}';
    const script = [
      'nodes n1 n2 n3', '----', 'ok', '',
      'start n1', '----', 'n1 fact role {role: follower, term: 0}', 'n1 set-timer takeover', follower, '',
      'deliver n1 <- c1 client-reply {seq: 1, ok: true, result: {}}', '----', follower, '',
      'deliver n1 <- n2 client-reply {seq: 2, ok: false, leaderHint: n3}', '----', follower, '',
    ].join('\n');
    const { expected, actual } = runProtocolScript(script, adapter, 'inline');
    expect(actual).toBe(expected);
  });
});

describe('formatBallot', () => {
  it('writes a ballot as (round,node)', () => {
    expect(formatBallot({ round: 2, node: 'n1' })).toBe('(2,n1)');
    expect(formatBallot({ round: 0, node: '' })).toBe('(0,)');
  });
});
