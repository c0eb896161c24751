// The playground timeline's model against naive twins: stretches that tile [0, frontier] and agree with a
// fold of the trace up to any moment, operation lanes that never overlap, every operation once, fault bands
// against a naive reading of partitions and heals, and incremental syncs equal to one sync of the whole
// trace; on synthetic traces (many events at one moment) and on real runs, and a scripted raft-leader-crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaygroundSession } from '../../playground/session.js';
import { operationBars, statusBar, stretchBars } from '../../playground/timeline.js';
import { TimelineModel, type OpBar } from '../../playground/timeline-model.js';
import type { NodeDrawStatus } from '../../playground/trace-index.js';
import { findScenario } from '../../scenarios/index.js';
import { asRoleFact } from '../../sim/facts.js';
import type { LatencyModel } from '../../sim/network.js';
import { ms } from '../../sim/time.js';
import type { TraceEvent } from '../../sim/trace.js';

const LATENCY: LatencyModel = { kind: 'uniform', baseMicros: 1_000, jitterMicros: 0 };

/** A node's status, role and term once every event at or before `t` has happened: a fold from the start. */
function naiveAt(trace: readonly TraceEvent[], node: string, t: number, initial: NodeDrawStatus = 'down') {
  let status: NodeDrawStatus = initial;
  let role: string | null = null;
  let term: number | null = null;
  for (const e of trace) {
    if (e.at > t) break;
    if (e.type === 'observe' && e.node === node) {
      const fact = asRoleFact(e.fact);
      if (fact !== undefined) [role, term] = [fact.role, fact.term];
    } else if ((e.type === 'start' || e.type === 'restart' || e.type === 'crash' || e.type === 'leave') && e.node === node) {
      status = e.type === 'crash' ? 'crashed' : e.type === 'leave' ? 'absent' : 'up';
      [role, term] = [null, null];
    } else if ((e.type === 'pause' || e.type === 'resume') && e.node === node) {
      status = e.type === 'pause' ? 'paused' : 'up';
    }
  }
  return { status, role, term };
}

/** The stretch holding `t`: [from, to), or the last one when `t` is the frontier. */
function at<S extends { from: number; to: number | null }>(list: readonly S[], t: number): S {
  return list.find((s) => s.from <= t && (s.to === null || t < s.to))!;
}

/** Every invariant of one model after syncing `trace` to `frontier`. */
function checkModel(model: TimelineModel, trace: readonly TraceEvent[], nodes: readonly string[], moments: readonly number[]): void {
  const frontier = model.frontierMicros;
  for (const node of nodes) {
    for (const list of [model.statusOf(node), model.rolesOf(node)]) {
      // Tiling: from 0, each stretch starts where the one before ended, the last is open and reaches the frontier.
      expect(list[0]!.from).toBe(0);
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        if (i < list.length - 1) {
          expect(s.to, `${node} stretch ${i}`).toBe(list[i + 1]!.from);
          expect(s.to! > s.from, `${node} stretch ${i} is empty`).toBe(true);
        } else {
          expect(s.to).toBeNull();
          expect(s.from).toBeLessThanOrEqual(frontier);
        }
      }
    }
    // Neighbours differ: a change that changes nothing makes no new stretch.
    const status = model.statusOf(node);
    for (let i = 1; i < status.length; i++) expect(status[i]!.status).not.toBe(status[i - 1]!.status);
    const roles = model.rolesOf(node);
    for (let i = 1; i < roles.length; i++) expect([roles[i]!.role, roles[i]!.term]).not.toEqual([roles[i - 1]!.role, roles[i - 1]!.term]);
    for (const t of moments.map((m) => Math.min(m, frontier))) {
      const want = naiveAt(trace, node, t);
      expect({ status: at(status, t).status, role: at(roles, t).role, term: at(roles, t).term }, `${node} at ${t}`).toEqual(want);
    }
  }
  // Every operation once, as its invoke and complete say.
  const invokes = trace.filter((e) => e.type === 'invoke');
  const completes = new Map(trace.flatMap((e) => (e.type === 'complete' ? [[e.opId, e] as const] : [])));
  expect(model.operations.map((o) => o.opId)).toEqual(invokes.map((e) => e.opId));
  for (const [i, op] of model.operations.entries()) {
    const invoke = invokes[i]!;
    const done = completes.get(op.opId);
    expect([op.client, op.call]).toEqual([invoke.node, invoke.at]);
    expect([op.status, op.ret]).toEqual(done === undefined ? ['open', null] : [done.status, done.at]);
  }
  // Lanes: two operations of one client in one lane never overlap (an open one lasts for ever), and lanes are dense.
  const end = (o: OpBar) => o.ret ?? Infinity;
  for (const a of model.operations) {
    expect(a.lane).toBeLessThan(model.opLanesOf(a.client));
    for (const b of model.operations) {
      if (a === b || a.client !== b.client || a.lane !== b.lane) continue;
      expect(end(a) < b.call || end(b) < a.call, `ops ${a.opId} and ${b.opId} share lane ${a.lane}`).toBe(true);
    }
  }
  for (const node of nodes) {
    const used = new Set(model.operations.filter((o) => o.client === node).map((o) => o.lane));
    expect(used.size).toBe(model.opLanesOf(node));
  }
}

// ---- synthetic traces -------------------------------------------------------------------------------

const NODES = ['n1', 'n2', 'c1', 'c2'];
type Step =
  | { dt: number; kind: 'status'; node: number; what: 'start' | 'restart' | 'crash' | 'pause' | 'resume' | 'leave' }
  | { dt: number; kind: 'role'; node: number; role: string; term: number }
  | { dt: number; kind: 'invoke'; node: number }
  | { dt: number; kind: 'complete'; pick: number; ok: boolean };

const dt = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 }));
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ dt, kind: fc.constant('status' as const), node: fc.nat(3), what: fc.constantFrom('start' as const, 'restart' as const, 'crash' as const, 'pause' as const, 'resume' as const, 'leave' as const) }),
  fc.record({ dt, kind: fc.constant('role' as const), node: fc.nat(3), role: fc.constantFrom('leader', 'follower', 'candidate'), term: fc.nat(3) }),
  fc.record({ dt, kind: fc.constant('invoke' as const), node: fc.constantFrom(2, 3) }),
  fc.record({ dt, kind: fc.constant('complete' as const), pick: fc.nat(), ok: fc.boolean() }),
);

/** A trace in time order from steps: operations complete on the client that invoked them. */
function traceOf(steps: readonly Step[]): TraceEvent[] {
  const out: TraceEvent[] = [];
  const open: { opId: number; node: string }[] = [];
  let now = 0;
  let nextOp = 0;
  for (const s of steps) {
    now += s.dt;
    if (s.kind === 'status') out.push({ type: s.what, at: now, node: NODES[s.node]! });
    else if (s.kind === 'role') out.push({ type: 'observe', at: now, node: NODES[s.node]!, fact: { type: 'role', role: s.role, term: s.term } });
    else if (s.kind === 'invoke') {
      open.push({ opId: nextOp, node: NODES[s.node]! });
      out.push({ type: 'invoke', at: now, node: NODES[s.node]!, opId: nextOp++, input: { op: 'put', key: 'k', value: nextOp } });
    } else if (open.length > 0) {
      const [op] = open.splice(s.pick % open.length, 1);
      out.push({ type: 'complete', at: now, node: op!.node, opId: op!.opId, status: s.ok ? 'ok' : 'fail', output: { value: null } });
    }
  }
  return out;
}

describe('TimelineModel on synthetic traces', () => {
  it('tiles, agrees with a naive fold at every moment, lays operations out without overlap, and syncs in slices as in one', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 6 }), fc.nat(100), (steps, cuts, beyond) => {
      const full = traceOf(steps);
      const last = full.length > 0 ? full[full.length - 1]!.at : 0;
      // The page's trace is one array that grows; the model reads it after each slice.
      const growing: TraceEvent[] = [];
      const sliced = new TimelineModel(NODES, { baseLatency: LATENCY });
      for (const cut of [...cuts.map((c) => c % (full.length + 1))].sort((a, b) => a - b)) {
        growing.push(...full.slice(growing.length, cut));
        sliced.sync(growing, growing.length > 0 ? growing[growing.length - 1]!.at : 0);
      }
      growing.push(...full.slice(growing.length));
      sliced.sync(growing, last + beyond);
      const whole = new TimelineModel(NODES, { baseLatency: LATENCY });
      whole.sync(full, last + beyond);
      expect(sliced.snapshot()).toEqual(whole.snapshot());
      expect(whole.frontierMicros).toBe(last + beyond);
      const moments = [0, last + beyond, ...full.map((e) => e.at), ...full.map((e) => e.at + 1)];
      checkModel(whole, full, NODES, moments);
    }), { numRuns: 300 });
  });

  it('a new trace array starts again; syncing the same array twice changes nothing', () => {
    const model = new TimelineModel(NODES, { baseLatency: LATENCY });
    const first = traceOf([{ dt: 0, kind: 'status', node: 0, what: 'start' }, { dt: 5, kind: 'status', node: 0, what: 'crash' }]);
    expect(model.sync(first, 10)).toBe(true);
    expect(model.statusOf('n1').map((s) => s.status)).toEqual(['up', 'crashed']);
    const version = model.version;
    expect(model.sync(first, 20)).toBe(false);
    expect(model.version).toBe(version);
    expect(model.frontierMicros).toBe(20);
    const generation = model.generation;
    const second = traceOf([{ dt: 0, kind: 'status', node: 0, what: 'start' }]);
    expect(model.sync(second, 3)).toBe(true);
    expect(model.generation).toBe(generation + 1);
    expect(model.statusOf('n1').map((s) => s.status)).toEqual(['up']);
    expect(model.frontierMicros).toBe(3);
  });

  it('a spare given as absent is absent until it starts; several changes at one moment keep only the last', () => {
    const model = new TimelineModel(['n1', 'n2'], { baseLatency: LATENCY, initial: new Map([['n2', 'absent']]) });
    model.sync([
      { type: 'start', at: 0, node: 'n1' },
      { type: 'observe', at: 0, node: 'n1', fact: { type: 'role', role: 'follower', term: 0 } },
      { type: 'crash', at: 7, node: 'n1' }, { type: 'restart', at: 7, node: 'n1' },
      { type: 'start', at: 9, node: 'n2' },
    ], 12);
    expect(model.statusOf('n1')).toEqual([{ from: 0, to: null, status: 'up' }]);
    expect(model.rolesOf('n1')).toEqual([{ from: 0, to: 7, role: 'follower', term: 0 }, { from: 7, to: null, role: null, term: null }]);
    expect(model.statusOf('n2')).toEqual([{ from: 0, to: 9, status: 'absent' }, { from: 9, to: null, status: 'up' }]);
  });
});

describe('the bars the timeline draws from a model', () => {
  it('every operation once (alone, or counted in one merged bar), in order, overlapping by less than the 1 px a tiny bar is widened to', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 120 }), fc.integer({ min: 50, max: 2_000 }), fc.constantFrom(1, 2, 4, 8, 64), fc.nat(30), (steps, plotPixels, minPixels, beyond) => {
      const trace = traceOf(steps);
      const model = new TimelineModel(NODES, { baseLatency: LATENCY });
      const frontier = (trace.length > 0 ? trace[trace.length - 1]!.at : 0) + beyond;
      model.sync(trace, frontier);
      const end = Math.max(1, model.frontierMicros);
      const x = (t: number) => 64 + (t / end) * plotPixels;
      const ops = model.operations;
      for (const client of ['c1', 'c2']) {
        for (let lane = 0; lane < model.opLanesOf(client); lane++) {
          const indices = ops.flatMap((o, i) => (o.client === client && o.lane === lane ? [i] : []));
          const bars = operationBars(ops, indices, model.frontierMicros, x, minPixels);
          // Counted once: a bar alone names its operation, a merged one counts its run.
          expect(bars.reduce((sum, b) => sum + Number(b.data['data-ops'] ?? 1), 0)).toBe(indices.length);
          const alone = bars.flatMap((b) => (b.data['data-op'] !== undefined ? [Number(b.data['data-op'])] : []));
          expect(new Set(alone).size).toBe(alone.length);
          // An operation at least minPixels wide is always drawn alone, with its own hover text.
          for (const i of indices) {
            const op = ops[i]!;
            if (x(op.ret ?? model.frontierMicros) - x(op.call) >= minPixels) expect(alone).toContain(op.opId);
          }
          for (let i = 1; i < bars.length; i++) {
            expect(bars[i]!.x).toBeGreaterThan(bars[i - 1]!.x);
            expect(bars[i - 1]!.x + bars[i - 1]!.w).toBeLessThanOrEqual(bars[i]!.x + 1 + 1e-9);
          }
          // About one bar per minPixels of the lane at most: what lets the timeline keep under OP_BARS_MAX.
          expect(bars.length).toBeLessThanOrEqual(Math.ceil(plotPixels / Math.max(1, minPixels - 1)) + 2);
          for (let i = 1; i < bars.length; i++) {
          }
          for (const b of bars) if (b.data['data-op'] !== undefined) expect(b.title()).toMatch(/^c\d #\d+ \{"op":"put".*\n(ok|fail|open)[: ].*\ncalled /);
        }
      }
    }), { numRuns: 300 });
  });

  it('status bars: every stretch counted once, from the left edge to the frontier, a run of sub-pixel ones merged', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 120 }), fc.integer({ min: 20, max: 1_000 }), fc.nat(30), (steps, plotPixels, beyond) => {
      const trace = traceOf(steps);
      const model = new TimelineModel(NODES, { baseLatency: LATENCY });
      model.sync(trace, (trace.length > 0 ? trace[trace.length - 1]!.at : 0) + beyond);
      const end = Math.max(1, model.frontierMicros);
      const x = (t: number) => 64 + (t / end) * plotPixels;
      for (const node of NODES) {
        const stretches = model.statusOf(node);
        const bars = stretchBars(stretches, model.frontierMicros, x, statusBar(node));
        expect(bars.reduce((sum, b) => sum + Number(b.data['data-changes'] ?? 1), 0)).toBe(stretches.length);
        expect(bars[0]!.x).toBe(64);
        for (let i = 1; i < bars.length; i++) expect(bars[i]!.x).toBeGreaterThan(bars[i - 1]!.x);
        const lastBar = bars[bars.length - 1]!;
        expect(lastBar.x + lastBar.w).toBeGreaterThanOrEqual(x(model.frontierMicros) - 1e-9);
        // Merged bars only ever hold stretches narrower than a pixel.
        for (const b of bars) if (b.data['data-changes'] !== undefined) expect(b.w).toBeLessThanOrEqual(Number(b.data['data-changes']) + 1);
      }
    }), { numRuns: 300 });
  });
});

// ---- real runs ---------------------------------------------------------------------------------------

function modelFor(session: PlaygroundSession): TimelineModel {
  const spares = session.prepared.setup.nodes.filter((n) => n.dormant === true).map((n) => [n.id, 'absent'] as const);
  return new TimelineModel(session.nodes.map((n) => n.id), { baseLatency: session.prepared.setup.network.latency, initial: new Map(spares) });
}

describe('TimelineModel on real runs', () => {
  it('read as the page reads it (slices, actions that re-simulate) equals one read of the whole trace, and keeps every invariant', () => {
    fc.assert(fc.property(fc.constantFrom('raft-leader-crash', 'raft-lossy', 'paxos-lossy', 'raft-partition-leader-minority'), fc.integer({ min: 0, max: 30 }),
      fc.array(fc.integer({ min: 0, max: ms(1_400) }), { minLength: 1, maxLength: 6 }), (name, seed, moments) => {
        const session = new PlaygroundSession({ scenario: findScenario(name)!, seed, durationMicros: ms(1_200) });
        const ids = session.nodes.map((n) => n.id);
        const model = modelFor(session);
        for (const [i, t] of moments.entries()) {
          session.seek(t);
          if (i === 1 && t < ms(1_200)) session.act('pause', ids[1]!);
          if (i === 3 && t < ms(1_200)) session.take({ kind: 'partition', groups: [[ids[0]!], ids.slice(1)] });
          model.sync(session.trace, session.frontierMicros);
        }
        session.runToEnd();
        model.sync(session.trace, session.frontierMicros);
        const whole = modelFor(session);
        whole.sync(session.trace, session.frontierMicros);
        expect(model.snapshot()).toEqual(whole.snapshot());
        const sample = session.trace.filter((_, i) => i % 97 === 0).map((e) => e.at);
        checkModel(whole, session.trace, ids, [...moments, ...sample]);
      }), { numRuns: 20 });
  });

  it('fault bands: each cut from its partition to the next heal, loss from its change to the next, against a naive reading', () => {
    const server = fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5');
    const action = fc.oneof(
      fc.tuple(server, server).filter(([a, b]) => a !== b).map(([a, b]) => ({ kind: 'partition' as const, from: [a], to: [b] })),
      fc.constant({ kind: 'heal' as const }),
      fc.integer({ min: 0, max: 3 }).map((r) => ({ kind: 'loss' as const, ratio: r / 10 })),
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.array(fc.tuple(fc.integer({ min: 0, max: ms(900) }), action), { maxLength: 6 }), fc.integer({ min: 0, max: ms(1_200) }), (seed, plan, stop) => {
      // raft-lossy draws its own loss, delay and duplicate faults; raft-leader-crash only crashes and restarts.
      const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed, durationMicros: ms(1_000) });
      for (const [t, a] of [...plan].sort((x, y) => x[0] - y[0])) {
        session.seek(t);
        session.take(a);
      }
      session.seek(stop);
      const model = modelFor(session);
      model.sync(session.trace, session.frontierMicros);
      // Naive: walk the applied faults; a partition opens a band, a heal closes every open partition band;
      // a loss change closes the open loss band and opens one unless the ratio is 0.
      const want: { from: number; to: number | null; kind: string }[] = [];
      const openOf = (kind: string) => want.filter((w) => w.kind === kind && w.to === null);
      for (const e of session.trace) {
        if (e.type !== 'fault') continue;
        const f = e.resolved ?? e.fault;
        if (f.kind === 'partition') want.push({ from: e.at, to: null, kind: 'partition' });
        if (f.kind === 'heal') for (const w of openOf('partition')) w.to = e.at;
        if (f.kind === 'loss' && f.from === undefined && f.to === undefined) {
          for (const w of openOf('loss')) w.to = e.at;
          if (f.ratio > 0) want.push({ from: e.at, to: null, kind: 'loss' });
        }
      }
      const got = model.faultBands.filter((b) => b.kind === 'partition' || b.kind === 'loss').map(({ from, to, kind }) => ({ from, to, kind }));
      const order = (a: { from: number; kind: string }, b: { from: number; kind: string }) => a.from - b.from || a.kind.localeCompare(b.kind);
      expect(got.sort(order)).toEqual(want.sort(order));
      // Bands in one lane never overlap.
      for (const a of model.faultBands) for (const b of model.faultBands) {
        if (a !== b && a.lane === b.lane) expect((a.to ?? Infinity) <= b.from || (b.to ?? Infinity) <= a.from).toBe(true);
      }
    }), { numRuns: 30 });
  });

  it('raft-leader-crash seed 1: the crashed leader shows the crash at the scenario\'s crash time, and every operation once', () => {
    const session = new PlaygroundSession({ scenario: findScenario('raft-leader-crash')!, seed: 1 });
    const result = session.runToEnd();
    const model = modelFor(session);
    model.sync(session.trace, session.frontierMicros);
    // The scenario's script crashes @leader at 1 s; the trace says which node that resolved to.
    const scripted = session.drawn.find((f) => f.kind === 'crash')!;
    expect(scripted.at).toBe(ms(1_000));
    const applied = session.trace.find((e) => e.type === 'fault' && e.at === scripted.at && e.fault.kind === 'crash');
    const leader = applied?.type === 'fault' && applied.resolved?.kind === 'crash' ? applied.resolved.node : undefined;
    expect(leader).toMatch(/^n\d$/);
    const crashed = model.statusOf(leader!).find((s) => s.status === 'crashed')!;
    expect(crashed.from).toBe(ms(1_000));
    expect(crashed.to).toBeGreaterThan(ms(1_000));
    // It led until that moment, and its role is gone while it is down.
    const led = model.rolesOf(leader!).find((r) => r.to === ms(1_000))!;
    expect(led.role).toBe('leader');
    expect(at(model.rolesOf(leader!), ms(1_000)).role).toBeNull();
    const invokes = session.trace.filter((e) => e.type === 'invoke').length;
    expect(invokes).toBeGreaterThan(100);
    expect(model.operations).toHaveLength(invokes);
    expect(model.operations.every((o) => o.status === 'ok' && o.input.startsWith('{'))).toBe(true);
    expect(model.frontierMicros).toBe(result.endedAtMicros);
    expect(model.recoveryStartMicros).toBe(session.faultPhaseMicros);
  });
});
