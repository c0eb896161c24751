// The kv client and the history checker end to end, against two tiny stores: a single server (always
// linearizable) and a primary that acknowledges writes before a lagging replica serves reads (stale).
import { describe, expect, it } from 'vitest';
import { KvClient, type ClientReply, type ClientRequest } from '../../algorithms/kv/client.js';
import { KvStateMachine } from '../../algorithms/kv/state-machine.js';
import { linearizabilityChecker } from '../../sim/check/history-checker.js';
import type { Context, NodeSpec, Process } from '../../sim/process.js';
import { Simulator } from '../../sim/simulator.js';
import { QUIET_NETWORK } from '../helpers.js';

type Msg = ClientRequest | ClientReply | { type: 'replicate'; entry: ClientRequest };

/** n1 applies everything; with `stale`, n1 sends reads to n2, which applies n1's writes late. */
function store(id: string, stale: boolean): Process<Msg> {
  const sm = new KvStateMachine();
  return {
    onStart: () => {},
    onTimer: () => {},
    onMessage(ctx: Context<Msg>, from, msg) {
      if (msg.type === 'replicate') { sm.apply(msg.entry); return; }
      if (msg.type !== 'client-request') return;
      if (id === 'n2' && !stale) { ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: false, leaderHint: 'n1' }); return; }
      if (id === 'n2' && msg.command.op !== 'get') { ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: false, leaderHint: 'n1' }); return; }
      // The planted bug: offload reads to a replica that has not caught up.
      if (id === 'n1' && stale && msg.command.op === 'get') { ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: false, leaderHint: 'n2' }); return; }
      const result = id === 'n2' ? { value: sm.read(msg.command.key) } : sm.apply(msg);
      if (id === 'n1' && stale) ctx.send('n2', { type: 'replicate', entry: msg });
      if (result) ctx.send(from, { type: 'client-reply', seq: msg.seq, ok: true, result });
    },
  };
}

function run(stale: boolean, seed: number) {
  const clientConfig = { keys: 2, thinkMicrosMin: 1_000, thinkMicrosMax: 5_000, timeoutMicros: 50_000, attemptsMax: 0, stopAtMicros: 2_000_000 };
  const nodes: NodeSpec[] = [
    { id: 'n1', role: 'server', create: () => store('n1', stale) as Process<unknown> },
    { id: 'n2', role: 'server', create: () => store('n2', stale) as Process<unknown> },
    ...['c1', 'c2', 'c3'].map((id) => ({ id, role: 'client' as const, create: () => new KvClient(clientConfig) as Process<unknown> })),
  ];
  const checker = linearizabilityChecker('kv');
  // A slow replication link makes n2 lag behind n1.
  const sim = new Simulator({ seed, nodes, network: { ...QUIET_NETWORK, latency: { kind: 'uniform', baseMicros: 500, jitterMicros: 20_000 } }, checkers: [checker] });
  sim.start();
  sim.runUntil(3_000_000);
  return { sim, verdict: checker.verdict(sim.view) };
}

describe('kv client + linearizability checker', () => {
  it('a single authoritative server gives linearizable histories with many completed operations', () => {
    for (const seed of [1, 2, 3]) {
      const { sim, verdict } = run(false, seed);
      expect(verdict.ok, verdict.message).toBe(true);
      const counts = sim.history.counts();
      expect(counts.ok).toBeGreaterThan(150);
      expect(sim.history.operations.filter((op) => (op.input as { op: string }).op === 'cas' && (op.output as { ok?: boolean } | null)?.ok === true).length).toBeGreaterThan(0);
    }
  });

  it('a lagging replica that serves reads is caught', () => {
    const verdicts = [1, 2, 3, 4, 5, 6].map((seed) => run(true, seed).verdict);
    const caught = verdicts.filter((v) => !v.ok);
    expect(caught.length).toBeGreaterThanOrEqual(4);
    expect(caught[0]!.message).toMatch(/not linearizable/);
  });

  it('a violation is placed in time at the return of the operation that cannot be placed', () => {
    let checked = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { sim, verdict } = run(true, seed);
      if (verdict.ok) continue;
      // The explanation names the blocked operation: "Next, #12 c2: …" (or, for a value nobody wrote, it opens with it).
      const blockedId = Number((/Next, #(\d+)/.exec(verdict.message!) ?? /^#(\d+)/.exec(verdict.message!))![1]);
      const blocked = sim.history.operations[blockedId]!;
      expect(verdict.atMicros, `seed ${seed}`).toBe(blocked.return ?? blocked.call);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});
