// Paxos Commit, rule by rule, on a hand-driven cluster (commit-paxos-harness.ts): commit needs Prepared
// chosen in every instance by F + 1 acceptors; one Aborted aborts; an acceptor never accepts below its
// promise; a new leader finishes consistently with what was chosen; F acceptors down do not stop it; the
// planted quorum bug lets two leaders choose different values for one instance.
import { describe, expect, it } from 'vitest';
import { PaxosCommitAcceptor, PaxosCommitNode, quorumSize, type PaxosCommitMessage } from '../../algorithms/atomic-commit/paxos-commit.js';
import { ScriptedCluster, type Sent } from './commit-paxos-harness.js';

const leaderOf = (c: ScriptedCluster, id: string) => (c.processes.get(id) as PaxosCommitNode).leader!;
const acceptorOf = (c: ScriptedCluster, id: string) => (c.processes.get(id) as PaxosCommitNode).acceptor!;
const chosen = (c: ScriptedCluster, leader: string, tx: string, rm: string) => leaderOf(c, leader).txs.get(tx)?.instances.get(rm)?.chosen?.value ?? null;
const isType = (m: Sent, ...types: PaxosCommitMessage['type'][]) => types.includes(m.msg.type);

describe('Paxos Commit rules (scripted)', () => {
  it('quorums: F + 1 of 2F + 1; the planted bug counts F', () => {
    expect([1, 3, 5, 7].map((n) => quorumSize(n, false))).toEqual([1, 2, 3, 4]);
    expect([3, 5, 7].map((n) => quorumSize(n, true))).toEqual([1, 2, 3]);
  });

  it('every RM prepared and a majority of acceptors accepted: the leader decides commit and every RM commits', () => {
    const c = new ScriptedCluster({ rms: 3, f: 1 });
    c.crash('a3'); // F = 1 acceptor down: a majority (a1, a2) is left
    c.begin('t1');
    c.run();
    expect(c.of('tx-begin')).toEqual([{ node: 'l0', fact: { type: 'tx-begin', tx: 't1', participants: ['r1', 'r2', 'r3'] } }]);
    expect(c.of('vote').map((f) => [f.node, f.fact.vote])).toEqual([['r1', 'yes'], ['r2', 'yes'], ['r3', 'yes']]);
    expect(c.of('decide')).toEqual([{ node: 'l0', fact: { type: 'decide', tx: 't1', decision: 'commit' } }]);
    expect(c.outcomes('t1')).toEqual({ r1: 'commit', r2: 'commit', r3: 'commit' });
    expect(c.toClient).toEqual([{ type: 'result', tx: 't1', decision: 'commit', reads: [] }]);
  });

  it('Prepared accepted by only F acceptors is not chosen; a phase 1 that finds it must propose it', () => {
    const c = new ScriptedCluster({ rms: 2, f: 1 });
    c.crash('a3');
    c.begin('t1');
    // r2's phase 2a reaches a1 only: one acceptor of three is not a majority.
    c.run((m) => !(m.from === 'r2' && m.to === 'a2'));
    expect(c.of('decide')).toEqual([]);
    expect(chosen(c, 'l0', 't1', 'r2')).toBe(null);
    // The leader times out and runs phase 1: a1 reports r2's Prepared (ballot 0), so phase 2a must propose
    // Prepared, not Aborted (the highest-ballot value among F + 1 answers binds it).
    c.fire('l0', 'tx:t1');
    c.run();
    expect(chosen(c, 'l0', 't1', 'r2')).toBe('prepared');
    expect(c.of('decide').map((f) => [f.node, f.fact.decision])).toEqual([['l0', 'commit']]);
    expect(c.outcomes('t1')).toEqual({ r1: 'commit', r2: 'commit' });
  });

  it('an RM sends one value at ballot 0, ever: a prepare the network repeats after the decision sends nothing', () => {
    const c = new ScriptedCluster({ rms: 2, f: 1 });
    c.begin('t1', ScriptedCluster.transfer('r1', 'r2', 500)); // r1 votes no: abort
    const prepares = c.run().filter((m) => m.msg.type === 'prepare' && m.to === 'r2');
    expect(c.outcomes('t1')).toEqual({ r1: 'abort', r2: 'abort' });
    // r2 voted Prepared at ballot 0 and then learned abort; the network delivers its prepare again.
    c.queue.push(...prepares);
    const again = c.run();
    expect(again.filter((m) => m.msg.type === 'rm-2a' && m.from === 'r2')).toEqual([]);
  });

  it('one RM votes no (Aborted chosen in its instance): the leader decides abort; everyone aborts', () => {
    const c = new ScriptedCluster({ rms: 2, f: 1 });
    c.begin('t1', ScriptedCluster.transfer('r1', 'r2', 500)); // r1's account holds 100: r1 votes no
    c.run();
    expect(c.of('vote').map((f) => [f.node, f.fact.vote])).toEqual([['r1', 'no'], ['r2', 'yes']]);
    expect(c.of('decide').map((f) => f.fact.decision)).toEqual(['abort']);
    expect(c.outcomes('t1')).toEqual({ r1: 'abort', r2: 'abort' });
  });

  it('an acceptor never accepts below its promise (a leader\'s nor an RM\'s ballot 0), and keeps the promise across a crash', () => {
    const c = new ScriptedCluster({ rms: 1, f: 0 });
    const a1 = () => acceptorOf(c, 'a1');
    c.queue.push({ from: 'l1', to: 'a1', msg: { type: '1a', tx: 't1', ballot: 7, rms: ['r1'] } });
    c.run((m) => m.to === 'a1');
    expect(a1().instance('t1', 'r1')).toMatchObject({ promised: 7, ballot: -1 });
    c.crash('a1');
    c.restart('a1'); // the promise was synced before the 1b left
    c.queue.push({ from: 'l0', to: 'a1', msg: { type: '2a', tx: 't1', ballot: 5, proposals: [{ rm: 'r1', ballot: 5, value: 'prepared', reads: null }] } });
    c.queue.push({ from: 'r1', to: 'a1', msg: { type: 'rm-2a', info: { tx: 't1', participants: ['r1'], client: null }, leader: 'l0', value: 'prepared', reads: null } });
    const seen: Sent[] = [];
    c.run((m) => { seen.push(m); return m.to === 'a1'; });
    expect(a1().instance('t1', 'r1')).toMatchObject({ promised: 7, ballot: -1, value: null });
    expect(seen.filter((m) => m.from === 'a1').map((m) => [m.to, m.msg.type])).toEqual([['l0', 'nack']]);
    // The refusal tells the deposed leader what to beat; at or above the promise it accepts.
    c.queue.push({ from: 'l1', to: 'a1', msg: { type: '2a', tx: 't1', ballot: 7, proposals: [{ rm: 'r1', ballot: 7, value: 'aborted', reads: null }] } });
    c.run((m) => m.to === 'a1');
    expect(a1().instance('t1', 'r1')).toMatchObject({ promised: 7, ballot: 7, value: 'aborted' });
  });

  it('a phase 2a below the promise is answered with a nack, not a 2b', () => {
    const acceptor = new PaxosCommitAcceptor();
    const sent: PaxosCommitMessage[] = [];
    const ctx = { self: 'a9', disk: new (class { m = new Map<string, unknown>(); read<T>(k: string) { return this.m.get(k) as T; } write(k: string, v: unknown) { this.m.set(k, v); } delete() {} sync() {} keys() { return [...this.m.keys()]; } })(), send: (_to: string, msg: PaxosCommitMessage) => void sent.push(msg) };
    acceptor.onStart(ctx as never);
    acceptor.onMessage(ctx as never, 'l1', { type: '1a', tx: 't', ballot: 9, rms: ['r1'] });
    acceptor.onMessage(ctx as never, 'l0', { type: '2a', tx: 't', ballot: 4, proposals: [{ rm: 'r1', ballot: 4, value: 'prepared', reads: null }] });
    expect(sent.map((m) => m.type)).toEqual(['1b', 'nack']);
    expect(sent[1]).toMatchObject({ type: 'nack', ballot: 4, promised: 9 });
  });

  it('the initial leader crashes after Prepare: an in-doubt RM wakes a backup, which finishes with what was chosen (commit)', () => {
    const c = new ScriptedCluster({ rms: 2, f: 1 });
    c.begin('t1');
    c.run((m) => !isType(m, '2b')); // every RM prepared, every acceptor accepted; the 2b bundles are lost…
    c.crash('l0'); // …and the leader is gone
    expect(c.of('decide')).toEqual([]);
    c.fire('r1', 'help:t1'); // asks l0 first (down)
    c.run();
    c.fire('r1', 'help:t1'); // then the backup l1
    c.run();
    expect(c.of('decide')).toEqual([{ node: 'l1', fact: { type: 'decide', tx: 't1', decision: 'commit' } }]);
    expect(c.outcomes('t1')).toEqual({ r1: 'commit', r2: 'commit' });
    // The backup answers the client (carried with the transaction) in place of the crashed leader.
    expect(c.toClient).toEqual([{ type: 'result', tx: 't1', decision: 'commit', reads: [] }]);
  });

  it('the initial leader crashes before every RM prepared: the backup proposes Aborted for the free instance and aborts', () => {
    const c = new ScriptedCluster({ rms: 2, f: 1 });
    c.begin('t1');
    c.run((m) => !(m.to === 'r2') && !isType(m, '2b'));
    c.crash('l0');
    c.fire('r1', 'help:t1');
    c.fire('r1', 'help:t1');
    c.run();
    expect(c.of('decide').map((f) => [f.node, f.fact.decision])).toEqual([['l1', 'abort']]);
    expect(c.outcomes('t1')).toEqual({ r1: 'abort', r2: 'abort' });
    // r2's Prepare arrives late: its ballot 0 is below the backup's promise and changes nothing.
    c.queue.push({ from: 'l0', to: 'r2', msg: { type: 'prepare', info: { tx: 't1', participants: ['r1', 'r2'], client: 'client' }, work: { deltas: [], readAll: false }, leader: 'l0' } });
    c.run();
    expect(acceptorOf(c, 'a1').instance('t1', 'r2')).toMatchObject({ value: 'aborted' });
  });

  it('a backup that takes over while the first leader is alive chooses the same values (ballots from disjoint sets)', () => {
    const c = new ScriptedCluster({ rms: 2, f: 1 });
    c.begin('t1');
    c.run((m) => !(m.from === 'r2' && m.to !== 'a1')); // r2's Prepared reached a1 only: not chosen
    c.queue.push({ from: 'r1', to: 'l1', msg: { type: 'help', info: { tx: 't1', participants: ['r1', 'r2'], client: 'client' } } });
    c.run((m) => m.from !== 'a1' && m.to !== 'a1'); // l1's phase 1 reaches a2, a3: r2's instance is free there
    c.fire('l0', 'tx:t1'); // l0 times out too, with a higher ballot, and reaches everyone
    c.run();
    const decisions = c.of('decide').map((f) => f.fact.decision);
    expect(new Set(decisions).size).toBe(1);
    expect(chosen(c, 'l0', 't1', 'r2') ?? chosen(c, 'l1', 't1', 'r2')).not.toBe(null);
    for (const rm of ['r1', 'r2']) {
      const a = chosen(c, 'l0', 't1', rm);
      const b = chosen(c, 'l1', 't1', rm);
      if (a !== null && b !== null) expect(a).toBe(b);
    }
  });

  it('with F = 2 acceptors down (5 acceptors) it still decides, on the fast path and after a leader crash', () => {
    const c = new ScriptedCluster({ rms: 3, f: 2 });
    c.crash('a4');
    c.crash('a5');
    c.begin('t1');
    c.run();
    expect(c.outcomes('t1')).toEqual({ r1: 'commit', r2: 'commit', r3: 'commit' });
    c.begin('t2');
    c.run((m) => !isType(m, '2b'));
    c.crash('l0');
    c.fire('r3', 'help:t2');
    c.fire('r3', 'help:t2');
    c.run();
    expect(c.outcomes('t2')).toEqual({ r1: 'commit', r2: 'commit', r3: 'commit' });
  });

  /** r1's Prepared reaches a1 only; l0 learns from a1; l1 runs phase 1 with a2 and a3 (a1 cut off from it). */
  function twoLeaders(quorumBug: boolean): ScriptedCluster {
    const c = new ScriptedCluster({ rms: 2, f: 1, quorumBug });
    c.begin('t1');
    c.run((m) => !(m.from === 'r1' && m.to !== 'a1') && !isType(m, 'decision'));
    c.queue.push({ from: 'r2', to: 'l1', msg: { type: 'help', info: { tx: 't1', participants: ['r1', 'r2'], client: 'client' } } });
    c.run((m) => m.from !== 'a1' && m.to !== 'a1' && !isType(m, 'decision'));
    return c;
  }

  it('two leaders never choose different values for one instance (a majority of acceptors: F + 1 of 2F + 1)', () => {
    const c = twoLeaders(false);
    const l0 = chosen(c, 'l0', 't1', 'r1');
    const l1 = chosen(c, 'l1', 't1', 'r1');
    expect(l0 === null || l1 === null || l0 === l1, `l0 chose ${l0}, l1 chose ${l1} for r1's instance`).toBe(true);
    expect(new Set(c.of('decide').map((f) => f.fact.decision)).size).toBeLessThanOrEqual(1);
  });

  it('planted bug commit/paxos-quorum-off-by-one: F acceptors count as a majority, and two leaders choose Prepared and Aborted for one instance', () => {
    const c = twoLeaders(true);
    expect([chosen(c, 'l0', 't1', 'r1'), chosen(c, 'l1', 't1', 'r1')]).toEqual(['prepared', 'aborted']);
    expect(c.of('decide').map((f) => [f.node, f.fact.decision])).toEqual([['l0', 'commit'], ['l1', 'abort']]);
  });
});
