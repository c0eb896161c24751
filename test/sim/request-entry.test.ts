// The `request` schedule entry: a client issues one operation on demand. Parsing against a real cluster
// (only clients take requests; each client checks a given op and gives its canonical form), the words,
// the canonical form's round trip, and what a run does with it: an extra invoke at its time, queued
// behind a pending operation, held by a paused client, ignored by a crashed one, and replayed exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KvCommand } from '../../algorithms/kv/state-machine.js';
import { findScenario } from '../../scenarios/index.js';
import { InputError } from '../../sim/errors.js';
import { describeFault, describeOp, parseFaultSchedule, type FaultCluster, type FaultEntry } from '../../sim/faults.js';
import type { Operation } from '../../sim/history.js';
import { NEMESIS_PROFILES } from '../../sim/nemesis.js';
import { executeRun, prepareRun } from '../../sim/run.js';

const SCENARIO = findScenario('raft-leader-crash')!;
const DURATION = 3_000_000;
/** The raft cluster as a schedule is checked against it: servers n1 … n5 and kv clients c1 … c5. */
const setup = SCENARIO.build({ nodeCount: 5, durationMicros: DURATION, params: prepareRun({ scenario: SCENARIO, seed: 1 }).params, bug: undefined });
const CLUSTER: FaultCluster = { nodes: setup.nodes, stateRoles: setup.roles?.names ?? [] };
const parse = (raw: unknown) => parseFaultSchedule(raw, CLUSTER, DURATION, 'f.json');

/** Runs raft-leader-crash seed 1 for 3 s with this explicit schedule. */
function run(faults: readonly unknown[], seed = 1) {
  const prepared = prepareRun({ scenario: SCENARIO, seed, durationMicros: DURATION, faults: { raw: faults, source: 'test' } });
  return executeRun(prepared);
}

const kvCommandArb: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constantFrom('put' as const, 'append' as const), key: fc.string({ minLength: 1, maxLength: 8 }), value: fc.string({ maxLength: 12 }) }),
  fc.record({ op: fc.constant('cas' as const), key: fc.string({ minLength: 1, maxLength: 8 }), expected: fc.option(fc.string({ maxLength: 12 }), { nil: null }), value: fc.string({ maxLength: 12 }) }),
);

/** The same object with its fields in another order (what a hand-written file may do). */
function shuffled(op: Record<string, unknown>, order: readonly number[]): Record<string, unknown> {
  const entries = Object.entries(op);
  const picked = order.map((i) => entries[i % entries.length]!).filter((e, i, all) => all.indexOf(e) === i);
  return Object.fromEntries([...picked, ...entries.filter((e) => !picked.includes(e))]);
}

describe('request entries: parsing and words', () => {
  it('every generated request entry parses, and its canonical form parses back equal (whatever the field order)', () => {
    const entryArb = fc.record({
      at: fc.integer({ min: 0, max: DURATION - 1 }),
      node: fc.constantFrom('c1', 'c2', 'c5', '@client:any'),
      op: fc.option(kvCommandArb, { nil: undefined }),
      order: fc.array(fc.nat(), { maxLength: 4 }),
    });
    fc.assert(fc.property(fc.array(entryArb, { maxLength: 6 }), (raw) => {
      const written = raw.map(({ at, node, op, order }) => ({ at, kind: 'request', node, ...(op === undefined ? {} : { op: shuffled(op, order) }) }));
      const once = parse(JSON.parse(JSON.stringify(written)));
      expect(parse(JSON.parse(JSON.stringify(once)))).toEqual(once);
      // Canonical: the op's fields in the client's order, whatever order they were written in.
      const canonical = raw.map(({ at, node, op }) => ({ at, kind: 'request', node, ...(op === undefined ? {} : { op }) }));
      expect(JSON.stringify(once)).toBe(JSON.stringify(parse(canonical)));
      for (const entry of once) {
        expect(entry.kind).toBe('request');
        expect(describeFault(entry)).toMatch(/ issues /);
      }
    }));
  });

  it('says who issues what', () => {
    const entries = parse([
      { at: 0, kind: 'request', node: 'c1' },
      { at: 0, kind: 'request', node: 'c2', op: { value: '5', key: 'k2', op: 'put' } },
      { at: 0, kind: 'request', node: '@client:any', op: { op: 'get', key: 'k1' } },
      { at: 0, kind: 'request', node: 'c3', op: { op: 'cas', key: 'k1', expected: null, value: 'a b' } },
    ]);
    expect(entries[1]).toEqual({ at: 0, kind: 'request', node: 'c2', op: { op: 'put', key: 'k2', value: '5' } });
    expect(entries.map(describeFault)).toEqual([
      'c1 issues a request',
      'c2 issues put k2=5',
      'one client (at random) issues get k1',
      'c3 issues cas k1 expected=null value="a b"',
    ]);
  });

  it('describeOp: verb, key, value, then the other fields', () => {
    expect(describeOp({ op: 'append', key: 'k1', value: 'x;' })).toBe('append k1=x;');
    expect(describeOp({ op: 'broadcast', value: 42 })).toBe('broadcast 42');
    expect(describeOp({ op: 'transfer', from: 'rm1/a0', to: 'rm2/a1', amount: 3 })).toBe('transfer from=rm1/a0 to=rm2/a1 amount=3');
    expect(describeOp({ op: 'put', key: 'k', value: '' })).toBe('put k=""');
    expect(describeOp({})).toBe('{}');
  });

  const refused: [string, unknown, RegExp][] = [
    ['a server', { node: 'n1' }, /^f\.json: fault #1 \(request\): n1 takes no requests \(nodes that do: c1, c2, c3, c4, c5\)$/],
    ['every server', { node: '@server:any' }, /n1 takes no requests/],
    ['an unknown node', { node: 'c9' }, /node must name a cluster node/],
    ['the leader (known only during the run)', { node: '@leader' }, /node must name a client by id or node role .* not @leader/],
    ['a role of several without :any', { node: '@client' }, /@client names 5 nodes/],
    ['an unknown op', { node: 'c1', op: { op: 'delete', key: 'k1' } }, /op \{"op":"delete","key":"k1"\} for c1: op must be get, put, append or cas; got "delete"/],
    ['a put without a value', { node: 'c1', op: { op: 'put', key: 'k1' } }, /value must be a string of at most 256 characters; got nothing/],
    ['a number for a value', { node: 'c1', op: { op: 'put', key: 'k1', value: 5 } }, /value must be a string .* got 5/],
    ['a get with a value', { node: 'c1', op: { op: 'get', key: 'k1', value: 'x' } }, /a get takes op, key; unknown field 'value'/],
    ['an empty key', { node: 'c1', op: { op: 'get', key: '' } }, /key must be a non-empty string/],
    ['a cas without expected', { node: 'c1', op: { op: 'cas', key: 'k1', value: 'x' } }, /expected must be a string .* or null; got nothing/],
    ['an op in words', { node: 'c1', op: 'put k1 5' }, /op "put k1 5" for c1: must be one of/],
    ['an op too long', { node: 'c1', op: { op: 'put', key: 'k1', value: 'x'.repeat(2_000) } }, /op is \d+ characters of JSON; at most 1000/],
    ['an unknown field', { node: 'c1', wait: true }, /unknown field 'wait' \(allowed: at, kind, node, op\)/],
  ];
  for (const [name, fields, message] of refused) {
    it(`refuses ${name} in one line`, () => {
      let error: unknown;
      try { parse([{ at: 0, kind: 'request', ...(fields as object) }]); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }

  it('refuses a binding, and an op given to a node that draws its own', () => {
    expect(() => parse([{ at: 0, kind: 'crash', node: 'c1', as: 'C' }, { at: 1, kind: 'request', node: '$C' }])).toThrow(/not \$C, which names a node only during the run/);
    const cluster: FaultCluster = { nodes: [{ id: 'c1', role: 'client', create: () => ({ onRequestEntry: () => {} }) }], stateRoles: [] };
    expect(() => parseFaultSchedule([{ at: 0, kind: 'request', node: 'c1', op: { x: 1 } }], cluster, DURATION, 'f.json')).toThrow(/c1 takes requests but draws each operation itself: omit op/);
    expect(parseFaultSchedule([{ at: 0, kind: 'request', node: 'c1' }], cluster, DURATION, 'f.json')).toEqual([{ at: 0, kind: 'request', node: 'c1' }]);
  });

  it('a cluster that cannot say (a plain node list) takes the entry as written, if it is JSON data', () => {
    expect(parseFaultSchedule([{ at: 5, kind: 'request', node: 'n2', op: { b: 1, a: [true] } }], ['n1', 'n2'], DURATION, 'f.json'))
      .toEqual([{ at: 5, kind: 'request', node: 'n2', op: { b: 1, a: [true] } }]);
    expect(() => parseFaultSchedule([{ at: 5, kind: 'request', node: 'n2', op: { a: Number.NaN } }], ['n1', 'n2'], DURATION, 'f.json')).toThrow(/op must be plain JSON data/);
  });

  it('builds a process only for the nodes a request names', () => {
    const built: string[] = [];
    const nodes = setup.nodes.map((n) => ({ id: n.id, role: n.role, create: () => { built.push(n.id); return n.create(); } }));
    parseFaultSchedule([{ at: 0, kind: 'crash', node: 'n1' }, { at: 1, kind: 'request', node: 'c2' }, { at: 2, kind: 'request', node: 'c2' }], { nodes, stateRoles: [] }, DURATION, 'f.json');
    expect(built).toEqual(['c2']);
  });
});

describe('the nemesis', () => {
  it('never draws a request: requests are a person\'s, or a schedule author\'s, input', () => {
    for (const name of ['raft-chaos', 'hash-chaos', '2pc-chaos', 'lb-chaos', 'broadcast-chaos']) {
      const scenario = findScenario(name)!;
      for (const nemesis of NEMESIS_PROFILES) {
        if (nemesis === 'scenario' && scenario.defaultNemesis !== 'scenario') continue;
        for (const seed of [1, 2, 3]) {
          const kinds = prepareRun({ scenario, seed, nemesis }).faults.map((f) => f.kind);
          expect(kinds, `${name} ${nemesis} ${seed}`).not.toContain('request');
        }
      }
    }
  });
});

/** c1's operations in a run. */
const opsOf = (ops: readonly Operation[], client: string) => ops.filter((op) => op.client === client);

/** A moment when c1 has no operation open in the run without requests (mid-way between two of its operations). */
function idleMoment(ops: readonly Operation[], after: number): number {
  const mine = opsOf(ops, 'c1');
  for (let i = 0; i + 1 < mine.length; i++) {
    const done = mine[i]!.return;
    if (done !== null && done >= after && mine[i + 1]!.call - done >= 4) return done + Math.floor((mine[i + 1]!.call - done) / 2);
  }
  throw new Error('c1 is never idle');
}

describe('request entries in a run', () => {
  const base = run([]);
  const baseOps = base.simulator.history.operations;

  it('an idle client issues the given operation at the entry\'s time, recorded in the history the checkers read', () => {
    const at = idleMoment(baseOps, 500_000);
    expect(baseOps.some((op) => op.call === at)).toBe(false);
    const op = { op: 'put', key: 'k9', value: 'on-demand' };
    const result = run([{ at, kind: 'request', node: 'c1', op }]);
    const ops = result.simulator.history.operations;
    const invoked = ops.filter((o) => o.call === at);
    expect(invoked.map((o) => [o.client, o.input])).toEqual([['c1', op]]);
    // The history the checkers judge (RunView.history) is that history, and the run stays correct.
    expect(result.simulator.view.history).toContain(invoked[0]);
    expect(invoked[0]!.status).toBe('ok');
    expect(result.outcome).toBe('pass');
    expect(result.fingerprint).not.toBe(base.fingerprint);
  });

  it('without an op, the client draws one as its workload would', () => {
    const at = idleMoment(baseOps, 800_000);
    const ops = run([{ at, kind: 'request', node: 'c1' }]).simulator.history.operations;
    const invoked = ops.filter((o) => o.call === at);
    expect(invoked).toHaveLength(1);
    expect(invoked[0]!.client).toBe('c1');
    expect(['get', 'put', 'append', 'cas']).toContain((invoked[0]!.input as KvCommand).op);
  });

  it('a request while an operation is pending waits for it, then goes before the workload\'s next', () => {
    const pending = opsOf(baseOps, 'c1').find((op) => op.call >= 600_000 && op.return !== null && op.return - op.call >= 2)!;
    const at = pending.call + 1;
    const op = { op: 'get', key: 'k1' };
    const ops = opsOf(run([{ at, kind: 'request', node: 'c1', op }, { at, kind: 'request', node: 'c1', op: { op: 'append', key: 'k1', value: '!' } }]).simulator.history.operations, 'c1');
    const index = ops.findIndex((o) => o.call === pending.call);
    // One operation in flight per session: the first request starts when the pending one returns, the second after it.
    expect(ops[index + 1]!.input).toEqual(op);
    expect(ops[index + 1]!.call).toBe(ops[index]!.return);
    expect(ops[index + 2]!.input).toEqual({ op: 'append', key: 'k1', value: '!' });
    expect(ops[index + 2]!.call).toBe(ops[index + 1]!.return);
    for (let i = 0; i + 1 < ops.length; i++) if (ops[i]!.return !== null) expect(ops[i + 1]!.call).toBeGreaterThanOrEqual(ops[i]!.return!);
  });

  it('a paused client issues it when it resumes; a crashed one ignores it (the entry is still recorded)', () => {
    const at = idleMoment(baseOps, 1_000_000);
    const op = { op: 'put', key: 'k7', value: 'late' };
    const paused = run([{ at: at - 1, kind: 'pause', node: 'c1' }, { at, kind: 'request', node: 'c1', op }, { at: at + 50_000, kind: 'resume', node: 'c1' }]);
    const late = paused.simulator.history.operations.filter((o) => o.client === 'c1' && JSON.stringify(o.input) === JSON.stringify(op));
    expect(late.map((o) => o.call)).toEqual([at + 50_000]);

    const events: { type: string; at: number; fault?: FaultEntry }[] = [];
    const crashed = prepareRun({ scenario: SCENARIO, seed: 1, durationMicros: DURATION, faults: { raw: [{ at: at - 1, kind: 'crash', node: 'c1' }, { at, kind: 'request', node: 'c1', op }], source: 'test' } });
    const result = executeRun(crashed, (event) => { if (event.type === 'fault' || event.type === 'invoke') events.push(event as never); });
    expect(result.simulator.history.operations.some((o) => JSON.stringify(o.input) === JSON.stringify(op))).toBe(false);
    expect(events.filter((e) => e.at === at).map((e) => [e.type, e.fault?.kind])).toEqual([['fault', 'request']]);
  });

  it('a trigger may issue a request: a client writes the moment a leader is established', () => {
    const trigger = { at: 0, kind: 'on-fact', fact: 'leader-established', then: [{ afterMicros: 0, kind: 'request', node: 'c4', op: { op: 'put', key: 'k0', value: 'hello leader' } }] };
    expect(describeFault(parse([trigger])[0]!)).toBe('when a node reports leader-established: c4 issues put k0="hello leader"');
    const result = run([trigger]);
    const ops = result.simulator.history.operations.filter((o) => JSON.stringify(o.input) === JSON.stringify(trigger.then[0]!.op));
    expect(ops).toHaveLength(1);
    expect(ops[0]!.client).toBe('c4');
  });

  it('the same seed and schedule give the same fingerprint, twice over', () => {
    const schedule = [
      { at: 400_000, kind: 'request', node: 'c2', op: { op: 'cas', key: 'k0', expected: null, value: 'first' } },
      { at: 900_000, kind: 'request', node: '@client:any' },
      { at: 1_000_000, kind: 'crash', node: '@leader' },
      { at: 1_200_000, kind: 'request', node: 'c3' },
    ];
    const prepared = prepareRun({ scenario: SCENARIO, seed: 1, durationMicros: DURATION, faults: { raw: schedule, source: 'test' } });
    const first = executeRun(prepared);
    const second = run(schedule);
    // The canonical schedule (what a replay file records) runs the same.
    const replayed = run(JSON.parse(JSON.stringify(prepared.faults)));
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(replayed.fingerprint).toBe(first.fingerprint);
    expect(run(schedule, 2).fingerprint).not.toBe(first.fingerprint);
  });
});
