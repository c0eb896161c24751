// The recorder: every event is recorded once, and the fingerprint and the trace are two views of the
// same records. A plain recorder fed a run's trace as it streams ends with the run's fingerprint.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import type { FaultEntry } from '../../sim/faults.js';
import { Fingerprint } from '../../sim/hash.js';
import { Recorder, TracingRecorder } from '../../sim/recorder.js';
import { executeRun, prepareRun } from '../../sim/run.js';
import { Simulator } from '../../sim/simulator.js';
import type { TraceEvent, TraceEventType } from '../../sim/trace.js';
import { chatter, JITTERY_NETWORK, NODES5, scheduleArb, servers } from '../helpers.js';

const HORIZON = 300_000;

/** Runs a scenario with a sink that feeds a twin recorder; returns both fingerprints and the event types seen. */
function twinOfScenario(name: string, seed: number, faults?: readonly FaultEntry[]) {
  const scenario = findScenario(name)!;
  const prepared = prepareRun({ scenario, seed, ...(faults ? { faults: { raw: faults, source: 'test' } } : {}) });
  const twin = new Recorder(prepared.setup.nodes.map((n) => n.id));
  const types = new Set<TraceEventType>();
  const result = executeRun(prepared, (event) => {
    types.add(event.type);
    twin.record(event);
  });
  return { run: result.fingerprint, twin: twin.hex(), types };
}

describe('the fingerprint is a function of the trace', () => {
  it('a plain recorder fed a bare run\'s trace as it streams ends with the run\'s fingerprint', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), scheduleArb(HORIZON), (seed, faults) => {
        const twin = new Recorder(NODES5);
        const sim = new Simulator({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, traceSink: (event) => twin.record(event) });
        sim.start();
        sim.scheduleFaults(faults);
        sim.runUntil(HORIZON);
        sim.beginRecovery();
        sim.runUntil(HORIZON + 50_000);
        sim.end();
        expect(twin.hex()).toBe(sim.fingerprintHex());
      }),
      { numRuns: 30 },
    );
  });

  it('so does one for whole scenario runs with clients, observations and role references in faults', () => {
    const faults: FaultEntry[] = [
      { at: 1_500_000, kind: 'crash', node: '@leader', as: 'L' },
      { at: 2_000_000, kind: 'pause', node: '@follower' },
      { at: 2_500_000, kind: 'clog', from: ['n1'], to: ['n2', 'n3'] },
      { at: 3_000_000, kind: 'restart', node: '$L' },
      { at: 3_200_000, kind: 'partition', groups: [['@leader'], ['@rest']] },
      { at: 3_500_000, kind: 'unclog', from: ['n1'], to: ['n2', 'n3'] },
      { at: 4_000_000, kind: 'heal' },
    ];
    const seen = new Set<TraceEventType>();
    for (const [name, seed, schedule] of [['raft-chaos', 1, faults], ['raft-leader-crash', 2, undefined], ['paxos-chaos', 1, undefined], ['broadcast-lossy', 3, undefined]] as const) {
      const { run, twin, types } = twinOfScenario(name, seed, schedule);
      expect(twin, `${name} seed ${seed}`).toBe(run);
      for (const type of types) seen.add(type);
    }
    // Every kind of event was part of the comparison.
    const all: TraceEventType[] = ['start', 'send', 'deliver', 'drop', 'timer', 'crash', 'restart', 'pause', 'resume', 'fault', 'observe', 'invoke', 'complete', 'phase'];
    expect([...seen].sort()).toEqual([...all].sort());
  });

  it('a run\'s fingerprint does not depend on whether it is traced', () => {
    const scenario = findScenario('raft-chaos')!;
    const untraced = executeRun(prepareRun({ scenario, seed: 4 })).fingerprint;
    const traced = executeRun(prepareRun({ scenario, seed: 4 }), () => {}).fingerprint;
    expect(traced).toBe(untraced);
  });
});

describe('Recorder and TracingRecorder', () => {
  /** The same calls on a plain and a tracing recorder. */
  function both(calls: (r: Recorder) => void) {
    const events: TraceEvent[] = [];
    const plain = new Recorder(['a', 'b']);
    const tracing = new TracingRecorder(['a', 'b'], (event) => events.push(event));
    calls(plain);
    calls(tracing);
    return { plain: plain.hex(), tracing: tracing.hex(), events };
  }

  it('fold the same words; the tracing one also emits one object per call, naming nodes by id', () => {
    const { plain, tracing, events } = both((r) => {
      r.start(0, 0);
      r.send(10, 0, 1, 0, 1234, { type: 'ping' });
      r.deliver(20, 0, 1, 0, { type: 'ping' });
      r.drop(30, 1, 0, 1, 'loss');
      r.timer(40, 1, 'tick');
      r.phase(50, 'end');
    });
    expect(tracing).toBe(plain);
    expect(events.map((e) => e.type)).toEqual(['start', 'send', 'deliver', 'drop', 'timer', 'phase']);
    expect(events[1]).toEqual({ type: 'send', at: 10, from: 'a', to: 'b', msgId: 0, msg: { type: 'ping' } });
    expect(events[3]).toEqual({ type: 'drop', at: 30, from: 'b', to: 'a', msgId: 1, reason: 'loss' });
  });

  it('tell apart what the fingerprint must tell apart', () => {
    const fp = (calls: (r: Recorder) => void) => both(calls).plain;
    const base = fp((r) => r.deliver(5, 0, 1, 7, null));
    expect(fp((r) => r.deliver(5, 1, 0, 7, null))).not.toBe(base); // direction
    expect(fp((r) => r.deliver(6, 0, 1, 7, null))).not.toBe(base); // time
    expect(fp((r) => r.deliver(5, 0, 1, 8, null))).not.toBe(base); // message id
    expect(fp((r) => r.send(5, 0, 1, 7, 0, null))).not.toBe(base); // kind
    expect(fp((r) => r.drop(5, 0, 1, 7, 'loss'))).not.toBe(fp((r) => r.drop(5, 0, 1, 7, 'overflow'))); // drop reason
    const crash: FaultEntry = { at: 5, kind: 'crash', node: '@leader' };
    // A resolved reference, an unresolvable one and none are three different records.
    const resolvedTo = fp((r) => r.fault(5, crash, 'schedule', { at: 5, kind: 'crash', node: 'a' }));
    const unresolved = fp((r) => r.fault(5, crash, 'schedule', null));
    const asIs = fp((r) => r.fault(5, crash, 'schedule', crash));
    expect(new Set([resolvedTo, unresolved, asIs]).size).toBe(3);
    expect(fp((r) => r.fault(5, crash, 'recovery', crash))).not.toBe(asIs);
  });

  it('a fault event carries `resolved` only when the entry named a role', () => {
    const crash: FaultEntry = { at: 5, kind: 'crash', node: 'a' };
    const ref: FaultEntry = { at: 5, kind: 'crash', node: '@leader' };
    const { events } = both((r) => {
      r.fault(5, crash, 'schedule', crash);
      r.fault(5, ref, 'schedule', null);
    });
    expect(events[0]).not.toHaveProperty('resolved');
    expect(events[1]).toHaveProperty('resolved', null);
  });

  it('send and deliver, folded written out for speed, fold the word Fingerprint.event would', () => {
    const head = (code: number, a: number, b: number) => code | ((a + 1) << 8) | ((b + 1) << 20);
    for (const at of [0, 12_345, 2 ** 32 + 17, 2 ** 40 + 3]) {
      const recorder = new Recorder(['a', 'b', 'c']);
      recorder.send(at, 2, 0, 99, -123_456_789, null);
      recorder.deliver(at + 1, 2, 0, 99, null);
      const reference = new Fingerprint();
      reference.event(head(2, 2, 0), at, 99, -123_456_789);
      reference.event(head(3, 2, 0), at + 1, 99, 0);
      expect(recorder.hex()).toBe(reference.hex());
    }
  });

  it('refuses a trace that names a node it does not know', () => {
    expect(() => new Recorder(['a']).record({ type: 'start', at: 0, node: 'z' })).toThrow(/unknown node 'z'/);
  });
});
