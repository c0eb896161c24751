// The check report's model (reports/check-html-model.ts): lanes never overlap and every operation is drawn
// once, the failing sub-history comes first with its prefix numbered 1..n, linearization points never go
// back and lie within each operation's call and return, states along the order agree with a naive twin,
// the blocked operation carries why not; caps on huge histories; the axis of JSON and EDN files.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisForHistoryText } from '../../reports/check-html.js';
import {
  assignLanes, buildCheckReportData, FAILING_OPERATIONS_DRAWN_MAX, KEYS_DRAWN_MAX, naturalCompare, OPERATIONS_DRAWN_MAX,
  type CheckReportData, type SubHistoryView,
} from '../../reports/check-html-model.js';
import { formatAxisTime, formatTick } from '../../reports/check-html-time.js';
import { group } from '../../reports/html-parts.js';
import { corruptRealistically, generateHistory, generateObjectHistory, type ObjectModelName } from '../../sim/check/generate-history.js';
import { checkLinearizability, type HistoryOp, type LinearizabilityResult } from '../../sim/check/linearizability.js';
import { BUILT_IN_MODELS, describeValue, kvModel, registerModel, type Model } from '../../sim/check/models.js';
import { Rng } from '../../sim/rng.js';

function report(model: Model, ops: readonly HistoryOp[], initial: unknown = null): { data: CheckReportData; result: LinearizabilityResult } {
  const result = checkLinearizability(ops, { model, initial });
  return { data: buildCheckReportData({ file: 'h.json', model, initial, operations: ops, result, wallMillis: 1 }), result };
}

/** Two bars of one lane overlap when each starts before the other ends (an open one never ends). */
function expectNoOverlap(view: SubHistoryView): void {
  const byLane = new Map<number, { call: number; ret: number | null }[]>();
  for (const bar of view.bars) byLane.set(bar.lane, [...(byLane.get(bar.lane) ?? []), bar]);
  for (const bars of byLane.values()) {
    const sorted = [...bars].sort((a, b) => a.call - b.call);
    for (let i = 1; i < sorted.length; i++) {
      const before = sorted[i - 1]!;
      expect(before.ret, 'an open operation must have its lane to itself after its call').not.toBeNull();
      expect(before.ret!).toBeLessThanOrEqual(sorted[i]!.call);
    }
  }
}

/** The contract every report keeps, whatever the verdict. */
function expectWellFormed(model: Model, ops: readonly HistoryOp[], data: CheckReportData, result: LinearizabilityResult): void {
  const parts = model.partition ? model.partition(ops) : new Map([[model.name, [...ops]]]);
  // Every operation drawn exactly once, in its own sub-history (no caps at these sizes).
  expect(data.subHistories.map((v) => v.key).sort()).toEqual([...parts.keys()].sort());
  for (const view of data.subHistories) {
    const ids = view.bars.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(parts.get(view.key)!.map((op) => op.id).sort((a, b) => a - b));
    expect(view.operationsTotal).toBe(ids.length);
    // Lanes: each bar in a lane of its own client, no two overlapping.
    for (const bar of view.bars) expect(view.lanes[bar.lane]!.client).toBe(bar.client);
    expectNoOverlap(view);
    // The axis holds every bar, with room at the right for open ones.
    for (const bar of view.bars) {
      expect(bar.call).toBeGreaterThanOrEqual(view.start);
      expect(bar.ret ?? bar.call).toBeLessThan(view.end);
    }
  }
  expect(data.operationsDrawn).toBe(ops.length);
  expect(data.verdict).toBe(result.verdict);
  // The opening window: within the axis; everything unless it holds a failure's story.
  for (const view of data.subHistories) {
    expect(view.window[0]).toBeGreaterThanOrEqual(view.start);
    expect(view.window[1]).toBeLessThanOrEqual(view.end);
    expect(view.window[0]).toBeLessThan(view.window[1]);
    if (view.status !== 'failing') expect(view.window).toEqual([view.start, view.end]);
    for (const bar of view.bars.filter((b) => b.order !== undefined || b.blocked || b.candidate)) {
      expect(bar.call).toBeGreaterThanOrEqual(view.window[0]);
      expect(bar.point ?? bar.call).toBeLessThanOrEqual(view.window[1]);
      if (bar.blocked && bar.ret !== null) expect(bar.ret).toBeLessThanOrEqual(view.window[1]);
    }
  }
  const failure = result.failure;
  if (failure === undefined) {
    for (const view of data.subHistories) expect(view.bars.every((b) => b.order === undefined && !b.blocked && !b.candidate)).toBe(true);
    return;
  }
  // The failing sub-history first; nowhere else a mark.
  const [first, ...rest] = data.subHistories;
  expect(first!.key).toBe(failure.key);
  expect(first!.status).toBe('failing');
  for (const view of rest) expect(view.bars.every((b) => b.order === undefined && !b.blocked)).toBe(true);
  // Prefix numbers 1..n, in the checker's order.
  const numbered = first!.bars.filter((b) => b.order !== undefined).sort((a, b) => a.order! - b.order!);
  expect(numbered.map((b) => b.order)).toEqual(failure.orderedPrefix.map((_, i) => i + 1));
  expect(numbered.map((b) => b.id)).toEqual(failure.orderedPrefix.map((op) => op.id));
  expect(first!.prefixLength).toBe(failure.orderedPrefix.length);
  // Linearization points: never decreasing, each within its operation's [call, return].
  for (let i = 0; i < numbered.length; i++) {
    const bar = numbered[i]!;
    expect(bar.point!).toBeGreaterThanOrEqual(bar.call);
    if (bar.ret !== null) expect(bar.point!).toBeLessThanOrEqual(bar.ret);
    if (i > 0) expect(bar.point!).toBeGreaterThanOrEqual(numbered[i - 1]!.point!);
  }
  // One blocked bar, the checker's, meeting the state after the last of the prefix.
  const blocked = first!.bars.filter((b) => b.blocked);
  expect(blocked.map((b) => b.id)).toEqual([failure.blocked.id]);
  const met = numbered.length === 0 ? data.initial.state : numbered[numbered.length - 1]!.stateAfter;
  expect(blocked[0]!.stateMet).toBe(met);
  expect(blocked[0]!.whyNot!.length).toBeGreaterThan(0);
  // Candidates are neither in the prefix nor the blocked one, and cannot step where the blocked one could not.
  for (const bar of first!.bars.filter((b) => b.candidate)) {
    expect(bar.order).toBeUndefined();
    expect(bar.blocked).toBeUndefined();
    expect(bar.stateMet).toBe(met);
  }
}

describe('check report model', () => {
  it('lanes: a client gets another lane only where its operations overlap (a naive twin counts the overlap)', () => {
    const op = fc.record({ client: fc.constantFrom('a', 'b', '10', '2'), call: fc.integer({ min: 0, max: 60 }), length: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }) });
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (raw) => {
      const ops = raw.map((o) => ({ client: o.client, call: o.call, ret: o.length === null ? null : o.call + o.length })).sort((a, b) => a.call - b.call);
      const { lanes, laneOf } = assignLanes(ops);
      expect(laneOf).toHaveLength(ops.length);
      for (let i = 0; i < ops.length; i++) {
        expect(lanes[laneOf[i]!]!.client).toBe(ops[i]!.client);
        for (let j = 0; j < i; j++) {
          if (laneOf[i] !== laneOf[j]) continue;
          const [a, b] = [ops[j]!, ops[i]!];
          expect(a.ret !== null && a.ret <= b.call).toBe(true);
        }
      }
      // The naive twin: a client needs as many lanes as the most of its operations in progress at once
      // (exactly that many when none is an instant; an instant may take a lane of its own).
      for (const client of new Set(ops.map((o) => o.client))) {
        const mine = ops.filter((o) => o.client === client);
        const busiest = Math.max(1, ...mine.map((o) => mine.filter((p) => p.call <= o.call && (p.ret === null || p.ret > o.call)).length));
        const count = lanes.filter((l) => l.client === client).length;
        if (mine.every((o) => o.ret !== o.call)) expect(count).toBe(busiest);
        else expect(count).toBeGreaterThanOrEqual(busiest);
      }
      // Named as the checker's explanations name them (a bare number is a Jepsen process), extra lanes numbered.
      for (const lane of lanes) expect(lane.name).toBe(/^\d+$/.test(lane.client) ? `p${lane.client}` : lane.client);
      for (const [i, lane] of lanes.entries()) {
        const nth = lanes.slice(0, i + 1).filter((l) => l.client === lane.client).length;
        expect(lane.label).toBe(nth === 1 ? lane.name : `${lane.name} (${nth})`);
      }
      // Clients in natural order, a client's lanes together.
      const order = lanes.map((l) => l.client).filter((c, i, all) => i === 0 || all[i - 1] !== c);
      expect(order).toEqual([...new Set(ops.map((o) => o.client))].sort(naturalCompare));
    }));
  });

  it('kv and register histories, linearizable or corrupted: every operation once, prefix 1..n, points in order and in range', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), fc.boolean(), (seed, kv, corrupt) => {
      const rng = Rng.fromSeed(seed);
      const good = generateHistory({ model: kv ? 'kv' : 'register', clients: 4, operations: 24, keys: 3, openRatio: 0.15, durationMicrosMax: 50 }, rng);
      const ops = corrupt ? corruptRealistically(good, rng) ?? good : good;
      const model = kv ? kvModel : registerModel;
      const { data, result } = report(model, ops);
      expectWellFormed(model, ops, data, result);
    }), { numRuns: 150 });
  });

  it('every built-in object model: the same contract', () => {
    const names: ObjectModelName[] = ['mutex', 'counter', 'set', 'fifo-queue'];
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(...names), fc.boolean(), (seed, name, corrupt) => {
      const rng = Rng.fromSeed(seed);
      let ops = generateObjectHistory({ model: name, clients: 3, operations: 14, openRatio: 0.1 }, rng);
      if (corrupt && ops.length > 1) {
        // Swap two operations' outputs: often impossible in any order.
        const [i, j] = [rng.int(0, ops.length - 1), rng.int(0, ops.length - 1)];
        const [a, b] = [ops[i]!, ops[j]!];
        if (a.output !== null && b.output !== null && a.input.op === b.input.op) ops = ops.map((op, k) => (k === i ? { ...a, output: b.output } : k === j ? { ...b, output: a.output } : op));
      }
      const model = BUILT_IN_MODELS[name] as unknown as Model;
      const { data, result } = report(model, ops);
      expectWellFormed(model, ops, data, result);
    }), { numRuns: 120 });
  });

  it('states along the order agree with a naive twin: after a put the value put, after a get the value before', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const rng = Rng.fromSeed(seed);
      const good = generateHistory({ model: 'register', clients: 4, operations: 20, durationMicrosMax: 40, mix: { get: 1, put: 1, append: 0, cas: 0 } }, rng);
      const ops = corruptRealistically(good, rng) ?? good;
      const { data, result } = report(registerModel, ops);
      if (result.failure === undefined) return;
      let value: unknown = null;
      for (const op of result.failure.orderedPrefix) {
        if (op.input.op === 'put') value = op.input.value;
        const bar = data.subHistories[0]!.bars.find((b) => b.id === op.id)!;
        expect(bar.stateAfter).toBe(`the value ${describeValue(value)}`);
      }
    }), { numRuns: 150 });
  });

  it('a stale read: the two writes numbered, the read blocked with the state it met and why not', () => {
    const ops: HistoryOp[] = [
      { id: 0, client: 'c1', call: 0, return: 10, input: { op: 'put', key: 'x', value: 1 }, output: {} },
      { id: 1, client: 'c2', call: 12, return: 20, input: { op: 'put', key: 'x', value: 2 }, output: {} },
      { id: 2, client: 'c1', call: 25, return: 30, input: { op: 'get', key: 'x' }, output: { value: 1 } },
      { id: 3, client: 'c3', call: 1, return: 5, input: { op: 'put', key: 'a', value: 7 }, output: {} },
      // Another stale read, called before the blocked one returned: it could not go next either.
      { id: 4, client: 'c3', call: 26, return: 33, input: { op: 'get', key: 'x' }, output: { value: 1 } },
      // Called after the blocked one returned: not a candidate.
      { id: 5, client: 'c2', call: 31, return: 34, input: { op: 'get', key: 'x' }, output: { value: 1 } },
    ];
    const { data } = report(kvModel, ops);
    expect(data.verdict).toBe('not-linearizable');
    expect(data.subHistories.map((v) => [v.key, v.status])).toEqual([['x', 'failing'], ['a', 'not-judged']]);
    const bars = data.subHistories[0]!.bars;
    expect(bars.map((b) => [b.id, b.order, b.point, b.stateAfter])).toEqual([
      [0, 1, 0, 'the value 1'], [1, 2, 12, 'the value 2'], [2, undefined, undefined, undefined], [4, undefined, undefined, undefined], [5, undefined, undefined, undefined],
    ]);
    expect(bars[2]).toMatchObject({ blocked: true, stateMet: 'the value 2', whyNot: 'it saw 1 while the value was 2', text: 'get x → 1' });
    expect(bars[3]).toMatchObject({ candidate: true, stateMet: 'the value 2', whyNot: 'it saw 1 while the value was 2' });
    expect(bars[4]!.candidate).toBeUndefined();
    expect(data.explanation).toMatch(/not linearizable/);
  });

  it('a huge history: at most 40 sub-histories and 6,000 operations drawn, failing key first, the end of its order numbered', () => {
    const rng = Rng.fromSeed(7);
    const good = generateHistory({ model: 'kv', clients: 30, operations: 12_000, keys: 60, durationMicrosMax: 200 }, rng);
    // One key with 5,000 operations more, all of one long linearizable order, then a stale read of it.
    const big: HistoryOp[] = [];
    for (let i = 0; i < 5_000; i++) big.push({ id: 20_000 + i, client: `w${i % 3}`, call: i * 10, return: i * 10 + 5, input: { op: 'put', key: 'big', value: i }, output: {} });
    big.push({ id: 30_000, client: 'r', call: 60_000, return: 60_005, input: { op: 'get', key: 'big' }, output: { value: 3 } });
    const ops = [...good, ...big];
    const { data, result } = report(kvModel, ops);
    expect(result.failure?.key).toBe('big');
    expect(data.subHistories).toHaveLength(Math.min(KEYS_DRAWN_MAX, data.subHistories.length));
    expect(data.operationsDrawn).toBeLessThanOrEqual(OPERATIONS_DRAWN_MAX);
    expect(data.notes.join(' ')).toMatch(/of 61 keys are drawn/);
    const failing = data.subHistories[0]!;
    expect(failing.key).toBe('big');
    expect(failing.bars.length).toBeLessThanOrEqual(FAILING_OPERATIONS_DRAWN_MAX);
    expect(failing.bars.some((b) => b.blocked && b.id === 30_000)).toBe(true);
    const orders = failing.bars.filter((b) => b.order !== undefined).map((b) => b.order!).sort((a, b) => a - b);
    // Consecutive, ending at the whole prefix's length, and the page says what is left out.
    expect(orders[orders.length - 1]).toBe(result.failure!.orderedPrefix.length);
    expect(orders.every((o, i) => i === 0 || o === orders[i - 1]! + 1)).toBe(true);
    expect(failing.note).toContain(`The first ${group(orders[0]! - 1)} operations of the order are not drawn`);
    for (const view of data.subHistories) expectNoOverlap(view);
    for (const view of data.subHistories.slice(1)) if (view.bars.length < view.operationsTotal) expect(view.note).toMatch(/earliest called/);
  });

  it('the axis: JSON in micros, EDN in :time nanoseconds, EDN without :time (or going back) in event places', () => {
    expect(axisForHistoryText('{"model":"kv","operations":[]}', 'h.json').unit).toBe('micros');
    const timed = axisForHistoryText('{:process 0, :type :invoke, :f :read, :time 1500}\n{:process 0, :type :ok, :f :read, :value 1, :time 4000}', 'h.edn');
    expect(timed.unit).toBe('nanos');
    expect([timed.at(0), timed.at(1)]).toEqual([1500, 4000]);
    const withNemesis = axisForHistoryText('{:process :nemesis, :type :info, :f :start}\n{:process 0, :type :invoke, :f :read, :time 10}\n{:process 0, :type :ok, :f :read, :value 1, :time 20}', 'h.edn');
    expect([withNemesis.unit, withNemesis.at(1), withNemesis.at(2)]).toEqual(['nanos', 10, 20]);
    expect(axisForHistoryText('{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :read, :value 1}', 'h.edn').unit).toBe('events');
    expect(axisForHistoryText('[{:process 0, :type :invoke, :f :read, :time 9}\n{:process 0, :type :ok, :f :read, :value 1, :time 3}]', 'h.edn').unit).toBe('events');
  });

  it('times in people\'s units', () => {
    expect(formatAxisTime(850, 'micros')).toBe('850µs');
    expect(formatAxisTime(12_500, 'micros')).toBe('12.5ms');
    expect(formatAxisTime(3_200_000, 'micros')).toBe('3.2s');
    expect(formatAxisTime(999, 'nanos')).toBe('999ns');
    expect(formatAxisTime(1_500_000, 'nanos')).toBe('1.5ms');
    expect(formatAxisTime(12, 'events')).toBe('event 12');
    expect(formatTick(12, 'events')).toBe('12');
    expect(formatTick(2_000_000_000, 'nanos')).toBe('2s');
  });
});
