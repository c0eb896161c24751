// 2PC's rules, one scripted test each, driving the coordinator, a participant and the bank client through
// a fake context: each fails when its rule is broken (several by switching on the planted bug that breaks it).
import { describe, expect, it } from 'vitest';
import { commitBugs } from '../../algorithms/atomic-commit/bugs.js';
import { BankClient, parseTxId, txId } from '../../algorithms/atomic-commit/client.js';
import type { CommitFact } from '../../algorithms/atomic-commit/facts.js';
import { TwoPhaseCoordinator, TwoPhaseParticipant, type TwoPhaseConfig, type TwoPhaseMessage } from '../../algorithms/atomic-commit/two-phase.js';
import { SimDisk } from '../../sim/disk.js';
import type { Operation } from '../../sim/history.js';
import type { Context } from '../../sim/process.js';
import { Rng } from '../../sim/rng.js';

function fakeContext(self: string, disk = new SimDisk()) {
  const sent: { to: string; msg: any }[] = [];
  const facts: CommitFact[] = [];
  const timers = new Map<string, number>();
  const ops: Partial<Operation>[] = [];
  let now = 0;
  const ctx: Context<any, CommitFact> = {
    self, peers: [], disk, rng: Rng.fromSeed(1),
    history: {
      invoke: (input) => ops.push({ id: ops.length, input, status: 'open' }) - 1,
      ok: (id, output) => Object.assign(ops[id]!, { status: 'ok', output }),
      fail: (id, output) => Object.assign(ops[id]!, { status: 'fail', output }),
    },
    now: () => now,
    send: (to, msg) => void sent.push({ to, msg }),
    setTimer: (name, after) => void timers.set(name, after),
    cancelTimer: (name) => void timers.delete(name),
    observe: (fact) => void facts.push(fact),
    failFastRatio: () => 0,
    leave: () => { throw new Error('no leaving'); },
  };
  return { ctx, sent, facts, timers, ops, disk, advance: (micros: number) => void (now += micros) };
}

const bank = { accountsPerShard: 2, initialBalance: 100 };
const participants = ['rm1', 'rm2', 'rm3'];
const config = (bug?: string): TwoPhaseConfig => ({ participants, bank, timing: { timeoutMicros: 100_000, retryMicros: 50_000 }, bugs: commitBugs.active(bug) });
const transfer = (tx: string) => ({ type: 'begin' as const, tx, work: participants.map((p) => [p, { deltas: [[`${p}/a0`, 1]] as [string, number][], readAll: false }] as const) });

function coordinator(bug?: string, disk = new SimDisk()) {
  const node = new TwoPhaseCoordinator(config(bug));
  const f = fakeContext('tm', disk);
  node.onStart(f.ctx);
  return { node, ...f };
}

function participant(self: string, bug?: string, disk = new SimDisk()) {
  const node = new TwoPhaseParticipant(config(bug));
  const f = fakeContext(self, disk);
  node.onStart(f.ctx);
  return { node, ...f };
}

const yes = { type: 'vote', tx: 'c1.1', vote: 'yes', reads: null } as const;

describe('2PC coordinator', () => {
  it('prepares every participant on begin and logs nothing yet (presumed abort)', () => {
    const c = coordinator();
    c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
    expect(c.sent.map((s) => [s.to, s.msg.type])).toEqual([['rm1', 'prepare'], ['rm2', 'prepare'], ['rm3', 'prepare']]);
    expect(c.facts).toEqual([{ type: 'tx-begin', tx: 'c1.1', participants }]);
    expect(c.disk.keys().filter((k) => k.startsWith('commit/'))).toEqual([]);
  });

  it('commits only when every participant voted yes (commit/commit-on-majority commits on two of three)', () => {
    for (const [bug, decided] of [[undefined, false], [commitBugs.names.commitOnMajority, true]] as const) {
      const c = coordinator(bug);
      c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
      c.node.onMessage(c.ctx, 'rm1', yes);
      c.node.onMessage(c.ctx, 'rm2', yes);
      expect(c.facts.some((f) => f.type === 'decide'), `bug ${bug}`).toBe(decided);
    }
    const c = coordinator();
    c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
    for (const p of participants) c.node.onMessage(c.ctx, p, yes);
    expect(c.facts.at(-1)).toEqual({ type: 'decide', tx: 'c1.1', decision: 'commit' });
    expect(c.sent.filter((s) => s.msg.type === 'result')).toEqual([{ to: 'c1', msg: { type: 'result', tx: 'c1.1', decision: 'commit', reads: [] } }]);
  });

  it('aborts on a no vote and on a vote timeout', () => {
    const c = coordinator();
    c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
    c.node.onMessage(c.ctx, 'rm1', yes);
    c.node.onMessage(c.ctx, 'rm2', { ...yes, vote: 'no' });
    expect(c.facts.at(-1)).toEqual({ type: 'decide', tx: 'c1.1', decision: 'abort' });
    const t = coordinator();
    t.node.onMessage(t.ctx, 'c1', transfer('c1.1'));
    t.node.onTimer(t.ctx, 'votes:c1.1');
    expect(t.facts.at(-1)).toEqual({ type: 'decide', tx: 'c1.1', decision: 'abort' });
  });

  it('forces its commit record to disk before sending COMMIT; under commit/decide-before-log a crash then loses the commit', () => {
    for (const [bug, survives] of [[undefined, true], [commitBugs.names.decideBeforeLog, false]] as const) {
      const c = coordinator(bug);
      c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
      for (const p of participants) c.node.onMessage(c.ctx, p, yes);
      expect(c.sent.some((s) => s.msg.type === 'decision' && s.msg.decision === 'commit')).toBe(true);
      c.disk.loseUnsynced();
      // After the crash: a restarted coordinator re-sends COMMIT from its log, or presumes abort.
      const restarted = coordinator(bug, c.disk);
      restarted.node.onMessage(restarted.ctx, 'rm1', { type: 'query', tx: 'c1.1' });
      const answer = restarted.sent.find((s) => s.to === 'rm1')!.msg.decision;
      expect(answer, `bug ${bug}`).toBe(survives ? 'commit' : 'abort');
    }
  });

  it('re-sends COMMIT until every participant acks, then ends the record; a restarted one re-sends commits not ended', () => {
    const c = coordinator();
    c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
    for (const p of participants) c.node.onMessage(c.ctx, p, yes);
    c.node.onMessage(c.ctx, 'rm1', { type: 'ack', tx: 'c1.1' });
    c.sent.length = 0;
    c.node.onTimer(c.ctx, 'retry:c1.1');
    expect(c.sent.map((s) => s.to)).toEqual(['rm2', 'rm3']);
    const restarted = coordinator(undefined, c.disk);
    expect(restarted.sent.map((s) => [s.to, s.msg.decision])).toEqual([['rm1', 'commit'], ['rm2', 'commit'], ['rm3', 'commit']]);
    c.node.onMessage(c.ctx, 'rm2', { type: 'ack', tx: 'c1.1' });
    c.node.onMessage(c.ctx, 'rm3', { type: 'ack', tx: 'c1.1' });
    expect(c.timers.has('retry:c1.1')).toBe(false);
    expect(coordinator(undefined, c.disk).sent).toEqual([]);
  });

  it('answers a duplicate begin with its result and starts nothing again; after a restart a possibly old begin is aborted', () => {
    const c = coordinator();
    c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
    c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
    expect(c.facts.filter((f) => f.type === 'tx-begin')).toHaveLength(1);
    for (const p of participants) c.node.onMessage(c.ctx, p, yes);
    c.sent.length = 0;
    c.node.onMessage(c.ctx, 'c1', transfer('c1.1'));
    expect(c.sent).toEqual([{ to: 'c1', msg: { type: 'result', tx: 'c1.1', decision: 'commit', reads: [] } }]);
    // c2.5 begins and is aborted (a no vote); nothing is logged for it (presumed abort), but its number
    // was reserved on disk with the next 7 (c2.5 … c2.12) before it began.
    c.node.onMessage(c.ctx, 'c2', transfer('c2.5'));
    c.node.onMessage(c.ctx, 'rm1', { type: 'vote', tx: 'c2.5', vote: 'no', reads: null });
    c.disk.loseUnsynced(); // the crash
    const r = coordinator(undefined, c.disk);
    // A stale duplicate of an older one arrives first, then the retry of c2.5: both may have begun before
    // the crash, so both are aborted, never started again (c2.5 was aborted, and a participant may know it).
    r.node.onMessage(r.ctx, 'c2', transfer('c2.4'));
    r.node.onMessage(r.ctx, 'c2', transfer('c2.5'));
    expect(r.sent.filter((s) => s.msg.type === 'result').map((s) => s.msg)).toMatchObject([
      { type: 'result', tx: 'c2.4', decision: 'abort' }, { type: 'result', tx: 'c2.5', decision: 'abort' },
    ]);
    expect(r.facts.filter((f) => f.type === 'tx-begin')).toEqual([]);
    // Within the reservation the numbers are aborted too (the price of one write per 8); past it they are new.
    r.node.onMessage(r.ctx, 'c2', transfer('c2.12'));
    expect(r.facts.filter((f) => f.type === 'tx-begin')).toEqual([]);
    r.node.onMessage(r.ctx, 'c2', transfer('c2.13'));
    expect(r.facts.at(-1)).toEqual({ type: 'tx-begin', tx: 'c2.13', participants });
  });

  it('presumes abort when asked about a transaction it has no record of', () => {
    const c = coordinator();
    c.node.onMessage(c.ctx, 'rm1', { type: 'query', tx: 'c9.9' });
    expect(c.sent).toEqual([{ to: 'rm1', msg: { type: 'decision', tx: 'c9.9', decision: 'abort' } }]);
  });
});

describe('2PC participant', () => {
  const prepare = (tx = 'c1.1', delta = -10): TwoPhaseMessage => ({ type: 'prepare', tx, work: { deltas: [['rm1/a0', delta]], readAll: false }, participants: ['rm1', 'rm2'] });
  const prepareRm2 = (): TwoPhaseMessage => ({ type: 'prepare', tx: 'c1.1', work: { deltas: [['rm2/a0', 5]], readAll: false }, participants: ['rm1', 'rm2'] });

  it('votes yes only with its prepare record on disk (commit/prepare-not-synced forgets it in a crash)', () => {
    for (const [bug, remembers] of [[undefined, true], [commitBugs.names.prepareNotSynced, false]] as const) {
      const p = participant('rm1', bug);
      p.node.onMessage(p.ctx, 'tm', prepare());
      expect(p.sent).toEqual([{ to: 'tm', msg: { type: 'vote', tx: 'c1.1', vote: 'yes', reads: null } }]);
      p.disk.loseUnsynced();
      const restarted = participant('rm1', bug, p.disk);
      expect(restarted.node.inspect().inDoubt, `bug ${bug}`).toEqual(remembers ? ['c1.1'] : []);
    }
  });

  it('votes no and aborts at once when the work cannot be done (a balance would go below 0)', () => {
    const p = participant('rm1');
    p.node.onMessage(p.ctx, 'tm', prepare('c1.1', -1_000));
    expect(p.sent[0]!.msg.vote).toBe('no');
    expect(p.facts).toEqual([{ type: 'vote', tx: 'c1.1', vote: 'no' }, { type: 'outcome', tx: 'c1.1', decision: 'abort' }]);
  });

  it('in doubt after a yes vote: on a timeout it asks the coordinator and the others, never aborts alone (commit/abort-after-yes does)', () => {
    for (const [bug, aborts] of [[undefined, false], [commitBugs.names.abortAfterYes, true]] as const) {
      const p = participant('rm1', bug);
      p.node.onMessage(p.ctx, 'tm', prepare());
      p.sent.length = 0;
      p.node.onTimer(p.ctx, 'doubt:c1.1');
      expect(p.facts.some((f) => f.type === 'outcome'), `bug ${bug}`).toBe(aborts);
      if (!aborts) expect(p.sent).toEqual([{ to: 'tm', msg: { type: 'query', tx: 'c1.1' } }, { to: 'rm2', msg: { type: 'query', tx: 'c1.1' } }]);
    }
  });

  it('commits on COMMIT (applies its work, acks) and reports the outcome once', () => {
    const p = participant('rm1');
    p.node.onMessage(p.ctx, 'tm', prepare());
    p.node.onMessage(p.ctx, 'tm', { type: 'decision', tx: 'c1.1', decision: 'commit' });
    p.node.onMessage(p.ctx, 'tm', { type: 'decision', tx: 'c1.1', decision: 'commit' });
    expect(p.node.inspect().balances['rm1/a0']).toBe(90);
    expect(p.facts.filter((f) => f.type === 'outcome')).toEqual([{ type: 'outcome', tx: 'c1.1', decision: 'commit' }]);
    expect(p.sent.filter((s) => s.msg.type === 'ack')).toHaveLength(2);
  });

  it('cooperative termination: one that knows the decision tells it; one that has not voted aborts (forced) and says abort; one in doubt is silent', () => {
    const knows = participant('rm2');
    knows.node.onMessage(knows.ctx, 'tm', prepareRm2());
    knows.node.onMessage(knows.ctx, 'tm', { type: 'decision', tx: 'c1.1', decision: 'commit' });
    knows.sent.length = 0;
    knows.node.onMessage(knows.ctx, 'rm1', { type: 'query', tx: 'c1.1' });
    expect(knows.sent).toEqual([{ to: 'rm1', msg: { type: 'decision', tx: 'c1.1', decision: 'commit' } }]);
    const fresh = participant('rm2');
    fresh.node.onMessage(fresh.ctx, 'rm1', { type: 'query', tx: 'c1.1' });
    expect(fresh.sent).toEqual([{ to: 'rm1', msg: { type: 'decision', tx: 'c1.1', decision: 'abort' } }]);
    fresh.disk.loseUnsynced();
    const late = participant('rm2', undefined, fresh.disk);
    late.node.onMessage(late.ctx, 'tm', prepareRm2());
    expect(late.sent[0]!.msg.vote).toBe('no');
    const doubting = participant('rm2');
    doubting.node.onMessage(doubting.ctx, 'tm', prepareRm2());
    doubting.sent.length = 0;
    doubting.node.onMessage(doubting.ctx, 'rm1', { type: 'query', tx: 'c1.1' });
    expect(doubting.sent).toEqual([]);
  });

  it('a restarted participant retakes its in-doubt transactions and asks about them', () => {
    const p = participant('rm1');
    p.node.onMessage(p.ctx, 'tm', prepare());
    const r = participant('rm1', undefined, p.disk);
    expect(r.timers.has('doubt:c1.1')).toBe(true);
    r.node.onTimer(r.ctx, 'doubt:c1.1');
    expect(r.sent.map((s) => s.to)).toEqual(['tm', 'rm2']);
    r.node.onMessage(r.ctx, 'tm', { type: 'decision', tx: 'c1.1', decision: 'abort' });
    expect(r.node.inspect()).toEqual({ balances: { 'rm1/a0': 100, 'rm1/a1': 100 }, inDoubt: [] });
  });
});

describe('bank client', () => {
  const clientConfig = { coordinator: 'tm', participants: ['rm1', 'rm2'], bank, auditRatio: 0.5, amountMax: 5, thinkMicrosMin: 1, thinkMicrosMax: 1, resendMicros: 100, timeoutMicros: 1_000, stopAtMicros: 1_000_000 };

  it('records a transaction, resends begin until answered, and records commit as ok and abort as fail', () => {
    const client = new BankClient(clientConfig);
    const f = fakeContext('c1');
    client.onStart(f.ctx);
    client.onTimer(f.ctx, 'next');
    expect(f.sent).toHaveLength(1);
    const begin = f.sent[0]!.msg;
    expect(begin.tx).toBe('c1.1');
    client.onTimer(f.ctx, 'resend');
    expect(f.sent.at(-1)!.msg).toEqual(begin);
    client.onMessage(f.ctx, 'tm', { type: 'result', tx: 'c1.1', decision: 'commit', reads: [['rm1', { 'rm1/a0': 3 }], ['rm2', { 'rm2/a0': 4 }]] });
    expect(f.ops[0]!.status).toBe('ok');
    if ((f.ops[0]!.input as { op: string }).op === 'audit') expect(f.ops[0]!.output).toEqual({ balances: { 'rm1/a0': 3, 'rm2/a0': 4 } });
    client.onTimer(f.ctx, 'next');
    client.onMessage(f.ctx, 'tm', { type: 'result', tx: 'c1.2', decision: 'abort', reads: [] });
    expect(f.ops[1]!.status).toBe('fail');
  });

  it('leaves a transaction open after its timeout, and never reuses an id after a restart', () => {
    const client = new BankClient(clientConfig);
    const f = fakeContext('c1');
    client.onStart(f.ctx);
    client.onTimer(f.ctx, 'next');
    f.advance(2_000);
    client.onTimer(f.ctx, 'resend');
    expect(f.ops[0]!.status).toBe('open');
    expect(client.inspect().pending).toBeNull();
    const again = new BankClient(clientConfig);
    const g = fakeContext('c1', f.disk);
    again.onStart(g.ctx);
    again.onTimer(g.ctx, 'next');
    expect(g.sent[0]!.msg.tx).toBe('c1.2');
  });

  it('a transfer moves between two distinct accounts; its work names each shard once', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const client = new BankClient({ ...clientConfig, auditRatio: 0 });
      const f = fakeContext('c1');
      (f.ctx as { rng: Rng }).rng = Rng.fromSeed(seed);
      client.onStart(f.ctx);
      client.onTimer(f.ctx, 'next');
      const { work } = f.sent[0]!.msg;
      const input = f.ops[0]!.input as { from: string; to: string; amount: number };
      expect(input.from).not.toBe(input.to);
      expect(new Set(work.map(([p]: [string]) => p)).size).toBe(work.length);
      const deltas = work.flatMap(([, w]: [string, { deltas: [string, number][] }]) => w.deltas.map(([, d]) => d));
      expect(deltas.reduce((a: number, b: number) => a + b, 0)).toBe(0);
    }
  });

  it('tx ids round-trip', () => {
    expect(parseTxId(txId('c12', 7))).toEqual({ client: 'c12', seq: 7 });
    expect(parseTxId('nodot')).toBeUndefined();
  });
});
