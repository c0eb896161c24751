// The per-algorithm node views: each view's fold against a naive twin that reads the fields straight off the
// list of facts (random fact sequences with crashes and fresh starts); the view index (checkpoints, read in
// slices) against a plain fold of the trace up to a moment; and one scripted case per view at a seed, whose
// expected values were read from `faultline run SCENARIO --seed N --trace FILE` (the NDJSON trace).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FdFact, MemberStatus } from '../../algorithms/failure-detection/facts.js';
import type { PaxosFact } from '../../algorithms/paxos/facts.js';
import type { RaftFact } from '../../algorithms/raft/facts.js';
import { PlaygroundSession } from '../../playground/session.js';
import { applyEntry, VIEW_CHECKPOINT_EVERY, ViewIndex, viewEntryOf, type ViewEntry } from '../../playground/view-index.js';
import { fdView, type FdViewState } from '../../playground/view-fd.js';
import { viewFor } from '../../playground/node-views.js';
import { multiPaxosView, paxosView, PAXOS_CELLS_MAX, type PaxosViewState } from '../../playground/view-paxos.js';
import { RAFT_CELLS_MAX, raftView, type RaftViewState } from '../../playground/view-raft.js';
import { anyView, commandText, roleView, type AnyNodeView, type NodeViewModel } from '../../playground/node-view.js';
import { findScenario } from '../../scenarios/index.js';
import type { Fact } from '../../sim/facts.js';
import { ms } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';

const term = fc.integer({ min: 0, max: 5 });
const node = fc.constantFrom('n1', 'n2', 'n3');
const command = fc.option(fc.record({ clientId: fc.constantFrom('c1', 'c2'), seq: fc.nat(9), command: fc.record({ op: fc.constant('put' as const), key: fc.constantFrom('k0', 'k1'), value: fc.constantFrom('a', 'b') }) }), { nil: null });

const raftFact: fc.Arbitrary<RaftFact> = fc.oneof(
  fc.record({ type: fc.constant('role' as const), role: fc.constantFrom('follower' as const, 'candidate' as const, 'leader' as const), term }),
  fc.record({ type: fc.constant('vote' as const), term, candidate: node }),
  fc.record({ type: fc.constant('leader' as const), term }),
  fc.record({ type: fc.constant('leader-established' as const), term }),
  fc.record({ type: fc.constant('commit' as const), from: fc.integer({ min: 1, max: 40 }), to: fc.integer({ min: 1, max: 40 }), term }),
  fc.record({ type: fc.constant('step-down' as const), term }),
  fc.record({ type: fc.constant('apply' as const), index: fc.integer({ min: 1, max: 40 }), term, command }),
  fc.record({ type: fc.constant('truncate' as const), from: fc.integer({ min: 1, max: 40 }), removed: fc.integer({ min: 1, max: 5 }), role: fc.constantFrom('follower' as const, 'leader' as const), term }),
);

const ballot = fc.record({ round: term, node });
const paxosFact: fc.Arbitrary<PaxosFact> = fc.oneof(
  fc.record({ type: fc.constant('promise' as const), ballot }),
  fc.record({ type: fc.constant('accepted' as const), slot: fc.integer({ min: 1, max: 30 }), ballot, value: command }),
  fc.record({ type: fc.constant('propose' as const), value: fc.constantFrom('proposal:n1', 'proposal:n2') }),
  fc.record({ type: fc.constant('decide' as const), slot: fc.constant(1), value: fc.constantFrom('proposal:n1', 'proposal:n2') }),
  fc.record({ type: fc.constant('role' as const), role: fc.constantFrom('follower' as const, 'candidate' as const, 'leader' as const), term }),
  // The proposer's leader fact names its own ballot's round as the term.
  ballot.map((b) => ({ type: 'leader' as const, term: b.round, ballot: b })),
  fc.record({ type: fc.constant('step-down' as const), term }),
  fc.record({ type: fc.constant('apply' as const), index: fc.integer({ min: 1, max: 30 }), term, command }),
);

const status = fc.constantFrom<MemberStatus>('alive', 'suspect', 'dead', 'left');
const fdFact: fc.Arbitrary<FdFact> = fc.oneof(
  fc.record({ type: fc.constant('member' as const), member: node, status, incarnation: fc.nat(3) }),
  fc.record({ type: fc.constant('members-alive' as const), members: fc.subarray(['n1', 'n2', 'n3']), incarnation: fc.nat(3) }),
  fc.record({ type: fc.constant('refute' as const), incarnation: fc.nat(3) }),
  fc.record({ type: fc.constant('local-health' as const), score: fc.nat(8) }),
);

/** A node's entries: facts, crashes and fresh starts, at non-decreasing times. */
function entries<F extends Fact>(fact: fc.Arbitrary<F>): fc.Arbitrary<ViewEntry[]> {
  const one = fc.oneof({ weight: 8, arbitrary: fact.map((f) => ({ kind: 'fact' as const, fact: f as Fact })) }, { weight: 1, arbitrary: fc.constantFrom({ kind: 'crash' as const }, { kind: 'start' as const }) });
  return fc.array(fc.tuple(fc.nat(3), one), { maxLength: 80 }).map((list) => {
    let at = 0;
    return list.map(([gap, e]) => ({ ...e, at: (at += gap) }) as ViewEntry);
  });
}

function fold(view: AnyNodeView, list: readonly ViewEntry[]): unknown {
  let state = view.initial();
  for (const e of list) state = applyEntry(view, state, e);
  return state;
}

/** The facts since the last fresh start (what the disk holds), and since the last crash or start (the running process). */
function epochs(list: readonly ViewEntry[]): { sinceStart: Fact[]; sinceProcess: Fact[] } {
  let start = 0;
  let process = 0;
  list.forEach((e, i) => {
    if (e.kind === 'start') start = process = i + 1;
    if (e.kind === 'crash') process = i + 1;
  });
  const facts = (from: number) => list.slice(from).flatMap((e) => (e.kind === 'fact' ? [e.fact] : []));
  return { sinceStart: facts(start), sinceProcess: facts(process) };
}

const last = <T>(list: readonly T[], keep: (x: T) => boolean): T | undefined => [...list].reverse().find(keep);

/** Raft's fields read straight off the facts. */
function naiveRaft(list: readonly ViewEntry[]): RaftViewState {
  const { sinceStart, sinceProcess } = epochs(list);
  const s = sinceStart as RaftFact[];
  const p = sinceProcess as RaftFact[];
  const termed = last(s, (f) => f.type !== 'apply') as Exclude<RaftFact, { type: 'apply' }> | undefined;
  const voteFact = last(s, (f) => f.type === 'vote' || (f.type === 'role' && f.role === 'candidate'));
  const role = last(p, (f) => f.type === 'role');
  // The leader fact still stands if no step-down and no role fact but `leader` of its own term came after it.
  const leaderAt = p.map((f) => f.type).lastIndexOf('leader');
  const leaderFact = p[leaderAt] as { term: number } | undefined;
  const standing = leaderFact !== undefined && p.slice(leaderAt + 1).every((f) => f.type !== 'step-down' && (f.type !== 'role' || (f.role === 'leader' && f.term === leaderFact.term)));
  const leaderOf = standing ? leaderFact.term : null;
  const established = leaderOf !== null && p.slice(leaderAt + 1).some((f) => f.type === 'leader-established' && f.term === leaderOf);
  const applies = p.filter((f) => f.type === 'apply') as Extract<RaftFact, { type: 'apply' }>[];
  const commits = p.filter((f) => f.type === 'commit') as Extract<RaftFact, { type: 'commit' }>[];
  const truncates = list.slice(0).flatMap((e, i) => (e.kind === 'fact' && e.fact.type === 'truncate' && sinceStartIndex(list) <= i ? [{ ...(e.fact as Extract<RaftFact, { type: 'truncate' }>), atMicros: e.at }] : []));
  const t = truncates[truncates.length - 1];
  return {
    role: role === undefined ? null : (role as { role: RaftViewState['role'] }).role,
    term: termed === undefined ? null : termed.term,
    vote: voteFact === undefined ? null : voteFact.type === 'vote' ? { term: voteFact.term, candidate: voteFact.candidate } : { term: (voteFact as { term: number }).term, candidate: 'itself' },
    leaderOf, established,
    commitIndex: Math.max(0, ...commits.map((c) => c.to)),
    appliedIndex: Math.max(0, ...applies.map((a) => a.index)),
    applied: applies.slice(-RAFT_CELLS_MAX).map((a) => ({ index: a.index, term: a.term, command: commandText(a.command) })),
    truncations: truncates.length,
    lastTruncation: t === undefined ? null : { from: t.from, removed: t.removed, role: t.role, term: t.term, atMicros: t.atMicros },
  };
}

function sinceStartIndex(list: readonly ViewEntry[]): number {
  let start = 0;
  list.forEach((e, i) => { if (e.kind === 'start') start = i + 1; });
  return start;
}

function naivePaxos(list: readonly ViewEntry[]): PaxosViewState {
  const { sinceStart, sinceProcess } = epochs(list);
  const s = sinceStart as PaxosFact[];
  const p = sinceProcess as PaxosFact[];
  const of = <K extends PaxosFact['type']>(from: PaxosFact[], type: K) => from.filter((f) => f.type === type) as Extract<PaxosFact, { type: K }>[];
  const role = last(p, (f) => f.type === 'role') as Extract<PaxosFact, { type: 'role' }> | undefined;
  const roundFact = last(p, (f) => f.type === 'role' || f.type === 'leader') as { term: number } | undefined;
  const leaderAt = p.map((f) => f.type).lastIndexOf('leader');
  const leaderFact = p[leaderAt] as Extract<PaxosFact, { type: 'leader' }> | undefined;
  const standing = leaderFact !== undefined && p.slice(leaderAt + 1).every((f) => f.type !== 'step-down' && (f.type !== 'role' || (f.role === 'leader' && f.term === leaderFact.ballot.round)));
  const accepted = of(s, 'accepted');
  const a = accepted[accepted.length - 1];
  const decided = of(s, 'decide');
  const applies = of(p, 'apply');
  return {
    role: role?.role ?? null, round: roundFact?.term ?? null, leaderBallot: standing ? leaderFact.ballot : null,
    promised: of(s, 'promise').pop()?.ballot ?? null,
    accepted: a === undefined ? null : { slot: a.slot, ballot: a.ballot, value: commandText(a.value) },
    acceptCount: accepted.length,
    proposed: of(s, 'propose').pop()?.value ?? null,
    decided: decided.length === 0 ? null : { slot: decided[decided.length - 1]!.slot, value: decided[decided.length - 1]!.value },
    appliedSlot: Math.max(0, ...applies.map((x) => x.index)),
    applied: applies.slice(-PAXOS_CELLS_MAX).map((x) => ({ slot: x.index, round: x.term, command: commandText(x.command) })),
    stepDowns: of(s, 'step-down').length,
  };
}

function naiveFd(list: readonly ViewEntry[]): FdViewState {
  const { sinceStart, sinceProcess } = epochs(list);
  const s = sinceStart as FdFact[];
  const p = sinceProcess as FdFact[];
  const members: Record<string, { status: MemberStatus; incarnation: number }> = {};
  for (const m of ['n1', 'n2', 'n3']) {
    const f = last(p, (x) => (x.type === 'member' && x.member === m) || (x.type === 'members-alive' && x.members.includes(m)));
    if (f !== undefined) members[m] = f.type === 'member' ? { status: f.status, incarnation: f.incarnation } : { status: 'alive', incarnation: (f as { incarnation: number }).incarnation };
  }
  const refutes = s.filter((f) => f.type === 'refute') as Extract<FdFact, { type: 'refute' }>[];
  const health = last(p, (f) => f.type === 'local-health') as Extract<FdFact, { type: 'local-health' }> | undefined;
  return { members, incarnation: refutes[refutes.length - 1]?.incarnation ?? null, refutes: refutes.length, localHealth: health?.score ?? null };
}

/** Every row of a model is labelled in words and says something. */
function wellFormed(model: NodeViewModel): void {
  expect(model.compact.length).toBeLessThanOrEqual(2);
  for (const row of model.rows) {
    expect(row.label).toMatch(/\w/);
    expect(row.text).toMatch(/\S/);
  }
  for (const cell of model.cells?.items ?? []) expect(cell.text).toMatch(/\S/);
}

describe('node views: each fold against a naive twin', () => {
  it('Raft', () => {
    fc.assert(fc.property(entries(raftFact), (list) => {
      const state = fold(anyView(raftView), list) as RaftViewState;
      expect(state).toEqual(naiveRaft(list));
      wellFormed(raftView.describe(state));
    }), { numRuns: 400 });
  });

  it('Paxos (single-decree and Multi-Paxos share the fold; each describes its own rows)', () => {
    fc.assert(fc.property(entries(paxosFact), (list) => {
      const state = fold(anyView(paxosView), list) as PaxosViewState;
      expect(state).toEqual(naivePaxos(list));
      wellFormed(paxosView.describe(state));
      wellFormed(multiPaxosView.describe(state));
    }), { numRuns: 400 });
  });

  it('failure detection', () => {
    fc.assert(fc.property(entries(fdFact), (list) => {
      const state = fold(anyView(fdView), list) as FdViewState;
      expect(state).toEqual(naiveFd(list));
      const model = fdView.describe(state);
      wellFormed(model);
      // The counts on the ring add up to the members it has a view of.
      const counted = model.compact[0]!.split(' · ').filter((c) => c !== '').map((c) => Number(c.split(' ')[0]));
      expect(counted.reduce((x, y) => x + y, 0)).toBe(Object.keys(state.members).length);
    }), { numRuns: 400 });
  });

  it('folds never change the state they are given (earlier states are kept as checkpoints)', () => {
    for (const [view, facts] of [[anyView(raftView), entries(raftFact)], [anyView(paxosView), entries(paxosFact)], [anyView(fdView), entries(fdFact)]] as const) {
      fc.assert(fc.property(facts, (list) => {
        const states: unknown[] = [view.initial()];
        const copies: string[] = [JSON.stringify(states[0])];
        for (const e of list) {
          states.push(applyEntry(view, states[states.length - 1], e));
          copies.push(JSON.stringify(states[states.length - 1]));
        }
        expect(states.map((s) => JSON.stringify(s))).toEqual(copies);
      }), { numRuns: 100 });
    }
  });

  it('the role view (for algorithms without one) shows the last role and term since the process started', () => {
    fc.assert(fc.property(entries(raftFact), (list) => {
      const state = fold(anyView(roleView), list);
      const role = last(epochs(list).sinceProcess, (f) => f.type === 'role') as { role: string; term: number } | undefined;
      expect(state).toEqual(role === undefined ? { role: null, term: null } : { role: role.role, term: role.term });
    }), { numRuns: 200 });
  });

  it('the registry gives each shipped algorithm its view, and any other the role view', () => {
    expect(viewFor('raft').title).toBe(raftView.title);
    expect(viewFor('paxos').title).toBe(paxosView.title);
    expect(viewFor('multi-paxos').title).toBe(multiPaxosView.title);
    expect(viewFor('failure-detection').title).toBe(fdView.title);
    expect(viewFor('atomic-commit').title).toBe(roleView.title);
  });
});

/** The naive twin of the index: every view entry of `node` at or before t, folded from the start. */
function naiveAt(view: AnyNodeView, trace: readonly TraceEvent[], nodeId: string, t: number): unknown {
  const list: ViewEntry[] = [];
  for (const e of trace) {
    if (e.at > t) break;
    const found = viewEntryOf(e);
    if (found !== undefined && found.node === nodeId) list.push(found.entry);
  }
  return fold(view, list);
}

describe('ViewIndex', () => {
  it('answers as a fold of the trace up to the moment, read in slices, after actions', () => {
    expect(VIEW_CHECKPOINT_EVERY).toBeGreaterThan(1);
    fc.assert(fc.property(fc.constantFrom('raft-leader-crash', 'paxos-leader-crash', 'paxos-dueling-proposers', 'fd-crash', 'fd-slow-member'), fc.integer({ min: 0, max: 20 }),
      fc.array(fc.integer({ min: 0, max: ms(1_500) }), { minLength: 1, maxLength: 6 }), (name, seed, moments) => {
        const scenario = findScenario(name)!;
        const session = new PlaygroundSession({ scenario, seed, durationMicros: ms(1_200) });
        const ids = session.nodes.map((n) => n.id);
        const view = viewFor(scenario.algorithm);
        const index = new ViewIndex(ids, view);
        for (const [i, t] of moments.entries()) {
          session.seek(t);
          if (i === 2 && t < ms(1_200)) session.act('crash', ids[0]!);
          index.sync(session.trace);
          for (const id of ids) expect(index.stateAt(id, t), `${name} seed ${seed} ${id} at ${t}`).toEqual(naiveAt(view, session.trace, id, t));
        }
      }), { numRuns: 25 });
  });
});

/** A session's view model of `node` at `t`. */
function modelAt(name: string, seed: number, nodeId: string, t: number, bug?: string): NodeViewModel {
  const scenario = findScenario(name)!;
  const session = new PlaygroundSession({ scenario, seed, ...(bug !== undefined ? { bug } : {}) });
  session.seek(t);
  const index = new ViewIndex(session.nodes.map((n) => n.id), viewFor(scenario.algorithm));
  index.sync(session.trace);
  return index.modelAt(nodeId, t);
}

const rows = (model: NodeViewModel) => Object.fromEntries(model.rows.map((r) => [r.label, r.text]));

describe('node views in real runs (values read from `faultline run … --trace`)', () => {
  it('Raft: raft-leader-crash seed 1 at 2 s, after the term-1 leader n4 crashed (1 s) and restarted (1.73 s)', () => {
    // n3 won term 2 at 1.160912 s (its `leader` fact), committed up to 186 by 1.982444 s.
    const n3 = modelAt('raft-leader-crash', 1, 'n3', ms(2_000));
    expect(rows(n3)).toMatchObject({ role: 'leader (established)', term: '2', 'voted for': 'itself', 'commit index': '186', 'applied index': '186', truncated: 'nothing' });
    expect(n3.compact).toEqual(['leader · t2', 'applied 186 · commit 186']);
    expect(n3.cells!.items.map((c) => `${c.caption}:${c.text}`)).toEqual(['179:t2', '180:t2', '181:t2', '182:t2', '183:t2', '184:t2', '185:t2', '186:t2']);
    // n2 voted for n3 in term 2 (its `vote` fact at 1.156933 s) and applied up to 185.
    expect(rows(modelAt('raft-leader-crash', 1, 'n2', ms(2_000)))).toMatchObject({ role: 'follower', term: '2', 'voted for': 'n3', 'applied index': '185' });
    // n4 restarted as follower of term 1, heard of term 2 at 1.743090 s, and re-applied up to 184; its vote (for itself, term 1) is not this term's.
    expect(rows(modelAt('raft-leader-crash', 1, 'n4', ms(2_000)))).toMatchObject({ role: 'follower', term: '2', 'voted for': 'nobody this term', 'applied index': '184' });
    // While crashed (1.5 s) n4 keeps its term and vote (on disk) and nothing else.
    expect(rows(modelAt('raft-leader-crash', 1, 'n4', ms(1_500)))).toMatchObject({ role: 'none (not running)', term: '1', 'voted for': 'itself', 'applied index': '0' });
  });

  it('Raft: raft-figure-8 seed 1 with raft/commit-old-term: n3 truncates 4 entries from index 98 at 4.280943 s', () => {
    const before = rows(modelAt('raft-figure-8', 1, 'n3', 4_280_942, 'raft/commit-old-term'));
    expect(before.truncated).toBe('nothing');
    const after = modelAt('raft-figure-8', 1, 'n3', 4_280_943, 'raft/commit-old-term');
    expect(rows(after).truncated).toBe('1× (last: 4 entries from index 98 as follower of term 4)');
    expect(after.compact[1]).toContain('✂1');
  });

  it('single-decree Paxos: paxos-dueling-proposers seed 1, n1 before and after it learns the decision (10.977 ms)', () => {
    expect(rows(modelAt('paxos-dueling-proposers', 1, 'n1', 10_000))).toEqual({
      'promised ballot': '1.n3', accepted: 'proposal:n3 at ballot 1.n3', proposed: 'proposal:n1', decided: 'not yet',
    });
    const decided = modelAt('paxos-dueling-proposers', 1, 'n1', 10_977);
    expect(rows(decided).decided).toBe('proposal:n3');
    expect(decided.compact).toEqual(['promised 1.n3', 'decided proposal:n3']);
  });

  it('Multi-Paxos: paxos-leader-crash seed 1 at 2 s, n1 leading round 2 and n4 restarted', () => {
    expect(rows(modelAt('paxos-leader-crash', 1, 'n1', ms(2_000)))).toMatchObject({
      role: 'leader with ballot 2.n1', round: '2', 'promised ballot': '2.n1', 'chosen and applied': 'slots up to 182',
    });
    expect(rows(modelAt('paxos-leader-crash', 1, 'n1', ms(2_000))).accepted).toMatch(/^slot 184: cas k0=c3\.38 at ballot 2\.n1 \(\d+ accepts in all\)$/);
    // n4 led round 1, crashed at 1 s, restarted at 1.731677 s as follower of round 1 (its promise 1.n4 is on disk).
    const n4 = modelAt('paxos-leader-crash', 1, 'n4', ms(2_000));
    expect(rows(n4)).toMatchObject({ role: 'follower', round: '1', 'promised ballot': '1.n4', 'chosen and applied': 'slots up to 182' });
    expect(rows(n4).accepted).toMatch(/^slot 183: put k2=c4\.39 at ballot 2\.n1/);
    expect(n4.cells!.items.slice(-3).map((c) => `${c.caption}:${c.text}`)).toEqual(['180:r2', '181:r2', '182:r2']);
  });

  it('failure detection: fd-slow-member seed 1 (SWIM, 8 members) at 27.9 s, n1 slowed 77× since 27.197 s', () => {
    // n5 suspected n1 at 27.833073 s and took n6's refutation (incarnation 1) at 27.819106 s.
    const n5 = modelAt('fd-slow-member', 1, 'n5', 27_900_000);
    expect(rows(n5)).toMatchObject({ alive: '6: n2, n3, n4, n6, n7, n8', suspect: '1: n1' });
    expect(n5.compact).toEqual(['6 alive · 1 suspect', 'suspects n1']);
    expect(n5.cells!.items.find((c) => c.text.startsWith('n6'))!.caption).toBe('#1');
    // n6 refuted at 27.778466 s (incarnation 1); its local health went to 1, then back to 0 at 27.828917 s.
    expect(rows(modelAt('fd-slow-member', 1, 'n6', 27_900_000))).toMatchObject({ 'own incarnation': '1 (refuted 1×)', 'local health': '0 (healthy)' });
    // n1, the slow one, suspects n6; its local health is 3 (since 27.592515 s; 2 from 27.913740 s).
    expect(rows(modelAt('fd-slow-member', 1, 'n1', 27_900_000))).toMatchObject({ suspect: '1: n6', 'local health': '3 (its timeouts stretched)' });
  });
});
