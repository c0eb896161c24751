// Three-phase commit, rule by rule: each protocol rule of Skeen 1981 / BHG 1987 ch. 7 driven on one node
// through a fake context (phases 1–3, the coordinator's timeout transitions, the termination protocol's
// election and its rules TR1–TR4, recovery from the log), so breaking a rule fails the test naming it.
import { describe, expect, it } from 'vitest';
import type { BeginTx } from '../../algorithms/atomic-commit/config.js';
import type { LogRecord } from '../../algorithms/atomic-commit/resource-manager.js';
import { ThreePcCoordinator, ThreePcParticipant, threePcTiming, threePhaseNodes, type ThreePcMessage, type ThreePcMeta } from '../../algorithms/atomic-commit/three-phase.js';
import { InvariantError } from '../../sim/assert.js';
import { SimDisk } from '../../sim/disk.js';
import { BANK, fakeContext, options3pc, ringWork } from './commit-3pc-harness.js';

type Msg = Parameters<ThreePcCoordinator['onMessage']>[2];
const OPTIONS = options3pc(3);
const TIMING = threePcTiming(OPTIONS);
const RMS = OPTIONS.participants;
const WORK = ringWork(RMS);
const workOf = (rm: string) => WORK.find(([id]) => id === rm)![1];
const begin: BeginTx = { type: 'begin', tx: 't1', work: WORK };
const canCommit = (rm: string): ThreePcMessage => ({ type: 'can-commit', tx: 't1', work: workOf(rm), participants: RMS });

function coordinator(disk = new SimDisk()) {
  const node = new ThreePcCoordinator(TIMING);
  const fake = fakeContext<Msg>('tm', disk);
  node.onStart(fake.ctx);
  return { node, ...fake };
}

function participant(self: string, disk = new SimDisk()) {
  const node = new ThreePcParticipant(TIMING, BANK, false);
  const fake = fakeContext<Msg>(self, disk);
  node.onStart(fake.ctx);
  return { node, ...fake };
}

/** A participant driven to w (voted yes) or p (also pre-committed) on t1. */
function participantIn(self: string, phase: 'w' | 'p') {
  const p = participant(self);
  p.node.onMessage(p.ctx, 'tm', canCommit(self));
  if (phase === 'p') p.node.onMessage(p.ctx, 'tm', { type: 'pre-commit', tx: 't1' });
  p.sent.length = 0;
  p.facts.length = 0;
  return p;
}

const sentTypes = (sent: { to: string; msg: Msg }[]) => sent.map(({ to, msg }) => `${msg.type}→${to}`);
const phaseOnDisk = (disk: SimDisk, tx: string) => (disk.read<LogRecord>(`log/${tx}`)!.meta as ThreePcMeta).phase;

describe('3PC builder', () => {
  it('builds the coordinator (role coordinator) and one participant per resource manager (role participant)', () => {
    const nodes = threePhaseNodes(OPTIONS);
    expect(nodes.map((n) => [n.id, n.role])).toEqual([['tm', 'coordinator'], ['rm1', 'participant'], ['rm2', 'participant'], ['rm3', 'participant']]);
  });
});

describe('3PC coordinator', () => {
  it('all yes → PreCommit to all (p logged first), all acks → DoCommit, decide commit, TxResult to the client', () => {
    const c = coordinator();
    c.node.onMessage(c.ctx, 'client', begin);
    expect(c.facts).toEqual([{ type: 'tx-begin', tx: 't1', participants: RMS }]);
    expect(sentTypes(c.sent)).toEqual(['can-commit→rm1', 'can-commit→rm2', 'can-commit→rm3']);
    c.sent.length = 0;
    c.node.onMessage(c.ctx, 'rm1', { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    c.node.onMessage(c.ctx, 'rm2', { type: 'vote', tx: 't1', vote: 'yes', reads: { 'rm2/a0': 100 } });
    expect(c.sent).toEqual([]);
    c.node.onMessage(c.ctx, 'rm3', { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    expect(sentTypes(c.sent)).toEqual(['pre-commit→rm1', 'pre-commit→rm2', 'pre-commit→rm3']);
    // p is on disk (synced) before the first PreCommit leaves.
    c.disk.loseUnsynced();
    expect(c.disk.read<{ phase: string }>('tm/t1')!.phase).toBe('p');
    c.sent.length = 0;
    c.node.onMessage(c.ctx, 'rm1', { type: 'ack', tx: 't1' });
    c.node.onMessage(c.ctx, 'rm2', { type: 'ack', tx: 't1' });
    expect(c.facts.filter((f) => f.type === 'decide')).toEqual([]);
    c.node.onMessage(c.ctx, 'rm3', { type: 'ack', tx: 't1' });
    expect(c.facts).toContainEqual({ type: 'decide', tx: 't1', decision: 'commit' });
    expect(sentTypes(c.sent)).toEqual(['do-commit→rm1', 'do-commit→rm2', 'do-commit→rm3', 'result→client']);
    expect(c.sent[3]!.msg).toEqual({ type: 'result', tx: 't1', decision: 'commit', reads: [['rm2', { 'rm2/a0': 100 }]] });
  });

  it('a no vote → abort to the others, decide abort, TxResult abort', () => {
    const c = coordinator();
    c.node.onMessage(c.ctx, 'client', begin);
    c.sent.length = 0;
    c.node.onMessage(c.ctx, 'rm1', { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    c.node.onMessage(c.ctx, 'rm2', { type: 'vote', tx: 't1', vote: 'no', reads: null });
    expect(c.facts).toContainEqual({ type: 'decide', tx: 't1', decision: 'abort' });
    expect(sentTypes(c.sent)).toEqual(['abort→rm1', 'abort→rm3', 'result→client']);
    // A late yes changes nothing.
    c.node.onMessage(c.ctx, 'rm3', { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    expect(c.sent).toHaveLength(3);
  });

  it("Skeen's timeout transitions: a vote missing in w → abort; an ack missing in p → commit", () => {
    const w = coordinator();
    w.node.onMessage(w.ctx, 'client', begin);
    expect(w.timers.get('t:t1')).toBe(TIMING.coordinatorTimeoutMicros);
    w.node.onMessage(w.ctx, 'rm1', { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    w.node.onTimer(w.ctx, 't:t1');
    expect(w.facts).toContainEqual({ type: 'decide', tx: 't1', decision: 'abort' });

    const p = coordinator();
    p.node.onMessage(p.ctx, 'client', begin);
    for (const rm of RMS) p.node.onMessage(p.ctx, rm, { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    p.node.onMessage(p.ctx, 'rm1', { type: 'ack', tx: 't1' });
    p.sent.length = 0;
    p.node.onTimer(p.ctx, 't:t1');
    expect(p.facts).toContainEqual({ type: 'decide', tx: 't1', decision: 'commit' });
    expect(sentTypes(p.sent)).toEqual(['do-commit→rm1', 'do-commit→rm2', 'do-commit→rm3', 'result→client']);
  });

  it('w is on disk before the first CanCommit: a coordinator that crashes right after it knows the transaction, and a retried begin does not start it again', () => {
    const w = coordinator();
    w.node.onMessage(w.ctx, 'client', begin);
    w.disk.loseUnsynced(); // the crash
    const w2 = coordinator(w.disk);
    expect(w2.facts).toEqual([{ type: 'decide', tx: 't1', decision: 'abort' }]);
    w2.sent.length = 0;
    w2.node.onMessage(w2.ctx, 'client', begin);
    expect(sentTypes(w2.sent).filter((s) => s.startsWith('can-commit'))).toEqual([]);
  });

  it('recovery: restarted in w it aborts on its own; restarted in p it asks the participants and does not decide', () => {
    const w = coordinator();
    w.node.onMessage(w.ctx, 'client', begin);
    w.disk.sync();
    const w2 = coordinator(w.disk);
    expect(w2.facts).toEqual([{ type: 'decide', tx: 't1', decision: 'abort' }]);

    const p = coordinator();
    p.node.onMessage(p.ctx, 'client', begin);
    for (const rm of RMS) p.node.onMessage(p.ctx, rm, { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    p.disk.loseUnsynced();
    const p2 = coordinator(p.disk);
    expect(p2.facts).toEqual([]);
    expect(sentTypes(p2.sent)).toEqual(['decision-req→rm1', 'decision-req→rm2', 'decision-req→rm3']);
    p2.sent.length = 0;
    p2.node.onTimer(p2.ctx, 't:t1'); // no timeout transition while recovering
    expect(p2.facts).toEqual([]);
    p2.node.onMessage(p2.ctx, 'rm2', { type: 'do-commit', tx: 't1' });
    expect(sentTypes(p2.sent)).toEqual(['result→client']);
    expect(p2.facts).toEqual([]);
  });
});

describe('3PC participant', () => {
  it('phases: CanCommit? → vote yes (w, prepare record synced); PreCommit → p (precommit fact, ack); DoCommit → outcome commit', () => {
    const p = participant('rm1');
    p.node.onMessage(p.ctx, 'tm', canCommit('rm1'));
    expect(p.facts).toEqual([{ type: 'vote', tx: 't1', vote: 'yes' }]);
    expect(p.sent).toEqual([{ to: 'tm', msg: { type: 'vote', tx: 't1', vote: 'yes', reads: null } }]);
    expect(phaseOnDisk(p.disk, 't1')).toBe('w');
    expect(p.timers.get('t:t1')).toBe(TIMING.participantTimeoutMicros);
    p.node.onMessage(p.ctx, 'tm', { type: 'pre-commit', tx: 't1' });
    expect(p.facts).toContainEqual({ type: 'precommit', tx: 't1' });
    expect(p.sent[1]).toEqual({ to: 'tm', msg: { type: 'ack', tx: 't1' } });
    p.disk.loseUnsynced();
    expect(phaseOnDisk(p.disk, 't1')).toBe('p');
    p.node.onMessage(p.ctx, 'tm', { type: 'do-commit', tx: 't1' });
    expect(p.facts).toContainEqual({ type: 'outcome', tx: 't1', decision: 'commit' });
    // A second DoCommit reports nothing again.
    p.node.onMessage(p.ctx, 'tm', { type: 'do-commit', tx: 't1' });
    expect(p.facts.filter((f) => f.type === 'outcome')).toHaveLength(1);
  });

  it('votes no on a lock conflict and aborts on its own (outcome abort)', () => {
    const p = participant('rm1');
    p.node.onMessage(p.ctx, 'tm', canCommit('rm1'));
    p.sent.length = 0;
    p.node.onMessage(p.ctx, 'tm', { type: 'can-commit', tx: 't2', work: workOf('rm1'), participants: RMS });
    expect(p.facts.slice(1)).toEqual([{ type: 'vote', tx: 't2', vote: 'no' }, { type: 'outcome', tx: 't2', decision: 'abort' }]);
    expect(p.sent).toEqual([{ to: 'tm', msg: { type: 'vote', tx: 't2', vote: 'no', reads: null } }]);
  });
});

describe('3PC termination protocol', () => {
  it('a participant in p that loses the coordinator is elected (lowest id), collects states, pre-commits the uncertain (TR4) and commits', () => {
    const p = participantIn('rm1', 'p');
    p.node.onTimer(p.ctx, 't:t1');
    expect(sentTypes(p.sent)).toEqual(['state-req→rm2', 'state-req→rm3']);
    p.sent.length = 0;
    p.node.onMessage(p.ctx, 'rm2', { type: 'state-report', tx: 't1', state: 'p' });
    p.node.onMessage(p.ctx, 'rm3', { type: 'state-report', tx: 't1', state: 'w' });
    expect(sentTypes(p.sent)).toEqual(['pre-commit→rm3']);
    expect(p.facts).toEqual([]);
    p.node.onMessage(p.ctx, 'rm3', { type: 'ack', tx: 't1' });
    expect(p.facts).toEqual([{ type: 'decide', tx: 't1', decision: 'commit' }, { type: 'outcome', tx: 't1', decision: 'commit' }]);
    expect(sentTypes(p.sent.slice(1))).toEqual(['do-commit→rm2', 'do-commit→rm3']);
  });

  it('a participant in p alone (the others silent: failed) commits; a follower in w that gets the backup\'s PreCommit acks it', () => {
    const p = participantIn('rm1', 'p');
    p.node.onTimer(p.ctx, 't:t1');
    p.node.onTimer(p.ctx, 'term:t1');
    expect(p.facts).toEqual([{ type: 'decide', tx: 't1', decision: 'commit' }, { type: 'outcome', tx: 't1', decision: 'commit' }]);

    const w = participantIn('rm3', 'w');
    w.node.onMessage(w.ctx, 'rm1', { type: 'state-req', tx: 't1' });
    expect(w.sent).toEqual([{ to: 'rm1', msg: { type: 'state-report', tx: 't1', state: 'w' } }]);
    w.node.onMessage(w.ctx, 'rm1', { type: 'pre-commit', tx: 't1' });
    expect(w.sent[1]).toEqual({ to: 'rm1', msg: { type: 'ack', tx: 't1' } });
    expect(w.facts).toEqual([{ type: 'precommit', tx: 't1' }]);
  });

  it('a participant in w elects the lowest id; when it stays silent, elects the next (itself) and, all uncertain (TR3), aborts', () => {
    const w = participantIn('rm2', 'w');
    w.node.onTimer(w.ctx, 't:t1');
    expect(sentTypes(w.sent)).toEqual(['elect→rm1']);
    w.sent.length = 0;
    w.node.onTimer(w.ctx, 'term:t1'); // rm1 silent: failed
    expect(sentTypes(w.sent)).toEqual(['state-req→rm1', 'state-req→rm3']);
    w.sent.length = 0;
    w.node.onMessage(w.ctx, 'rm3', { type: 'state-report', tx: 't1', state: 'w' });
    expect(w.facts).toEqual([]);
    w.node.onTimer(w.ctx, 'term:t1');
    expect(w.facts).toEqual([{ type: 'decide', tx: 't1', decision: 'abort' }, { type: 'outcome', tx: 't1', decision: 'abort' }]);
    expect(sentTypes(w.sent)).toEqual(['abort→rm1', 'abort→rm3']);
  });

  it('TR1/TR2: any aborted → abort; any committed → commit, whatever the others', () => {
    const a = participantIn('rm1', 'p');
    a.node.onTimer(a.ctx, 't:t1');
    a.node.onMessage(a.ctx, 'rm2', { type: 'state-report', tx: 't1', state: 'a' });
    a.node.onMessage(a.ctx, 'rm3', { type: 'state-report', tx: 't1', state: 'p' });
    expect(a.facts[0]).toEqual({ type: 'decide', tx: 't1', decision: 'abort' });

    const c = participantIn('rm1', 'w');
    c.node.onTimer(c.ctx, 't:t1');
    c.node.onMessage(c.ctx, 'rm2', { type: 'state-report', tx: 't1', state: 'w' });
    c.node.onMessage(c.ctx, 'rm3', { type: 'state-report', tx: 't1', state: 'c' });
    expect(c.facts[0]).toEqual({ type: 'decide', tx: 't1', decision: 'commit' });
  });

  it('the elected participant answers elect by running the protocol; a participant that never voted (q) reports aborted (Skeen: q times out to a)', () => {
    const e = participantIn('rm1', 'w');
    e.node.onMessage(e.ctx, 'rm2', { type: 'elect', tx: 't1' });
    expect(sentTypes(e.sent)).toEqual(['state-req→rm2', 'state-req→rm3']);

    const q = participant('rm3');
    q.node.onMessage(q.ctx, 'rm1', { type: 'state-req', tx: 't1' });
    expect(q.sent).toEqual([{ to: 'rm1', msg: { type: 'state-report', tx: 't1', state: 'a' } }]);
    q.sent.length = 0;
    q.node.onMessage(q.ctx, 'rm2', { type: 'elect', tx: 't1' });
    expect(q.sent).toEqual([]);
    q.node.onMessage(q.ctx, 'tm', canCommit('rm3'));
    expect(q.sent[0]!.msg).toMatchObject({ type: 'vote', vote: 'no' });
  });

  it('a backup judges by its own state as it is when it terminates: moved to p by a PreCommit since it became backup, it does not abort (TR4, not TR3)', () => {
    const w = participantIn('rm2', 'w');
    w.node.onTimer(w.ctx, 't:t1'); // elects rm1
    w.node.onTimer(w.ctx, 'term:t1'); // rm1 silent: rm2 is the backup, in w
    w.node.onMessage(w.ctx, 'rm1', { type: 'pre-commit', tx: 't1' }); // a late PreCommit: rm2 enters p and acks
    w.sent.length = 0;
    w.node.onMessage(w.ctx, 'rm3', { type: 'state-report', tx: 't1', state: 'w' });
    w.node.onTimer(w.ctx, 'term:t1'); // rm1 still silent
    expect(w.facts.filter((f) => f.type === 'decide')).toEqual([]);
    expect(sentTypes(w.sent)).toEqual(['pre-commit→rm3']);
    w.node.onMessage(w.ctx, 'rm3', { type: 'ack', tx: 't1' });
    expect(w.facts.filter((f) => f.type === 'decide')).toEqual([{ type: 'decide', tx: 't1', decision: 'commit' }]);
  });

  it('a participant that never voted forces its abort before it reports it: after a crash a late CanCommit still gets no', () => {
    const q = participant('rm3');
    q.node.onMessage(q.ctx, 'rm1', { type: 'state-req', tx: 't1' });
    expect(q.sent).toEqual([{ to: 'rm1', msg: { type: 'state-report', tx: 't1', state: 'a' } }]);
    q.disk.loseUnsynced();
    const again = participant('rm3', q.disk);
    again.node.onMessage(again.ctx, 'tm', canCommit('rm3'));
    expect(again.sent[0]!.msg).toMatchObject({ type: 'vote', vote: 'no' });
  });

  it('a backup refuses (local assertion) to commit from w', () => {
    const w = participantIn('rm1', 'w');
    const backupDecide = (w.node as unknown as { backupDecide(...a: unknown[]): void }).backupDecide.bind(w.node);
    expect(() => backupDecide(w.ctx, 't1', 'commit')).toThrow(InvariantError);
  });
});

describe('3PC recovery', () => {
  it('a crash-recovered participant keeps its state (p stays p, w stays w), retakes its locks, asks for the decision and takes no part in termination', () => {
    const p = participantIn('rm1', 'p');
    p.disk.loseUnsynced();
    const again = participant('rm1', p.disk);
    expect(phaseOnDisk(again.disk, 't1')).toBe('p');
    expect((again.node.inspect() as { lockHolders: string[] }).lockHolders).toEqual(['t1']);
    expect(sentTypes(again.sent)).toEqual(['decision-req→tm', 'decision-req→rm2', 'decision-req→rm3']);
    again.sent.length = 0;
    again.node.onMessage(again.ctx, 'rm2', { type: 'state-req', tx: 't1' });
    again.node.onTimer(again.ctx, 't:t1');
    expect(again.sent).toEqual([]);
    again.node.onTimer(again.ctx, 'ask:t1');
    expect(again.sent).toHaveLength(3);
    again.node.onMessage(again.ctx, 'rm2', { type: 'do-commit', tx: 't1' });
    expect(again.facts).toEqual([{ type: 'outcome', tx: 't1', decision: 'commit' }]);

    const w = participantIn('rm2', 'w');
    w.disk.loseUnsynced();
    const w2 = participant('rm2', w.disk);
    expect(phaseOnDisk(w2.disk, 't1')).toBe('w');
    // A decided participant answers a recovering one.
    const decided = participantIn('rm3', 'p');
    decided.node.onMessage(decided.ctx, 'tm', { type: 'do-commit', tx: 't1' });
    decided.sent.length = 0;
    decided.node.onMessage(decided.ctx, 'rm2', { type: 'decision-req', tx: 't1' });
    expect(decided.sent).toEqual([{ to: 'rm2', msg: { type: 'do-commit', tx: 't1' } }]);
  });
});

describe('3PC recovery after total failure (BHG 7.5)', () => {
  /** A participant that reached `phase` on t1, crashed and restarted: recovering, asking for the decision. */
  function recovered(self: string, phase: 'w' | 'p') {
    const before = participantIn(self, phase);
    before.disk.loseUnsynced();
    const again = participant(self, before.disk);
    again.sent.length = 0;
    return again;
  }

  it('a recovering site answers a decision-req with the state it waits in; the coordinator, restarted in p, too', () => {
    const w = recovered('rm2', 'w');
    w.node.onMessage(w.ctx, 'rm1', { type: 'decision-req', tx: 't1' });
    expect(w.sent).toEqual([{ to: 'rm1', msg: { type: 'undecided', tx: 't1', state: 'w' } }]);

    const tm = coordinator();
    tm.node.onMessage(tm.ctx, 'c1', begin);
    for (const rm of RMS) tm.node.onMessage(tm.ctx, rm, { type: 'vote', tx: 't1', vote: 'yes', reads: null });
    tm.disk.loseUnsynced();
    const back = coordinator(tm.disk);
    back.sent.length = 0;
    back.node.onMessage(back.ctx, 'rm1', { type: 'decision-req', tx: 't1' });
    expect(back.sent).toEqual([{ to: 'rm1', msg: { type: 'undecided', tx: 't1', state: 'p' } }]);
  });

  it('every site recovering and undecided: the lowest participant, once every other site said so, applies the rule over all (some p → commit) and tells them', () => {
    const rm1 = recovered('rm1', 'w');
    rm1.node.onMessage(rm1.ctx, 'tm', { type: 'undecided', tx: 't1', state: 'p' });
    rm1.node.onMessage(rm1.ctx, 'rm2', { type: 'undecided', tx: 't1', state: 'w' });
    expect(rm1.facts).toEqual([]);
    rm1.node.onMessage(rm1.ctx, 'rm3', { type: 'undecided', tx: 't1', state: 'p' });
    expect(rm1.facts).toEqual([{ type: 'decide', tx: 't1', decision: 'commit' }, { type: 'outcome', tx: 't1', decision: 'commit' }]);
    expect(sentTypes(rm1.sent.filter(({ msg }) => msg.type !== 'decision-req'))).toEqual(['do-commit→tm', 'do-commit→rm2', 'do-commit→rm3']);
  });

  it('all uncertain → abort (TR3 over every site); a participant that is not the lowest never decides this way, and one not recovering ignores the answers', () => {
    const rm1 = recovered('rm1', 'w');
    for (const site of ['tm', 'rm2', 'rm3']) rm1.node.onMessage(rm1.ctx, site, { type: 'undecided', tx: 't1', state: 'w' });
    expect(rm1.facts[0]).toEqual({ type: 'decide', tx: 't1', decision: 'abort' });

    const rm2 = recovered('rm2', 'p');
    for (const site of ['tm', 'rm1', 'rm3']) rm2.node.onMessage(rm2.ctx, site, { type: 'undecided', tx: 't1', state: 'p' });
    expect(rm2.facts).toEqual([]);

    const live = participantIn('rm1', 'p');
    for (const site of ['tm', 'rm2', 'rm3']) live.node.onMessage(live.ctx, site, { type: 'undecided', tx: 't1', state: 'p' });
    expect(live.facts).toEqual([]);
  });
});
