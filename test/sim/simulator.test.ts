// Engine properties: determinism, partitions, crash/pause semantics, disks, clocks, event order,
// clogs, capacity, and a fingerprint that notices any change in what was sent, where, or when.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leaderRoles } from '../../sim/fault-apply.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { Simulator } from '../../sim/simulator.js';
import type { TraceEvent } from '../../sim/trace.js';
import { chatter, JITTERY_NETWORK, NODES5, QUIET_NETWORK, runTraced, scheduleArb, servers } from '../helpers.js';

const HORIZON = 300_000;

describe('determinism', () => {
  it('same seed and schedule give the same fingerprint and trace (with or without a trace sink)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), scheduleArb(HORIZON), (seed, faults) => {
        const a = runTraced({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, faults, endMicros: HORIZON });
        const b = runTraced({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, faults, endMicros: HORIZON });
        const c = runTraced({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, faults, endMicros: HORIZON, record: false });
        expect(b.fingerprint).toBe(a.fingerprint);
        expect(c.fingerprint).toBe(a.fingerprint);
        expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
      }),
      { numRuns: 40 },
    );
  });

  it('different seeds give different runs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), (s1, s2) => {
        fc.pre(s1 !== s2);
        const a = runTraced({ seed: s1, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, endMicros: HORIZON, record: false });
        const b = runTraced({ seed: s2, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, endMicros: HORIZON, record: false });
        expect(a.fingerprint).not.toBe(b.fingerprint);
      }),
      { numRuns: 40 },
    );
  });
});

/** A naive twin of partition state, rebuilt from the trace's fault events. */
function cutLinks(trace: readonly TraceEvent[], onDeliver: (event: TraceEvent & { type: 'deliver' }, cut: Set<string>) => void): void {
  const cut = new Set<string>();
  for (const event of trace) {
    if (event.type === 'fault') {
      const f = event.fault;
      if (f.kind === 'heal') cut.clear();
      if (f.kind === 'partition') {
        if ('groups' in f) {
          f.groups.forEach((g1, i) => f.groups.forEach((g2, j) => {
            if (i !== j) for (const a of g1) for (const b of g2) cut.add(`${a}>${b}`);
          }));
        } else {
          for (const a of f.from) for (const b of f.to) if (a !== b) cut.add(`${a}>${b}`);
        }
      }
    }
    if (event.type === 'deliver') onDeliver(event, cut);
  }
}

describe('partitions', () => {
  it('nothing crosses an active partition, symmetric or one-way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), scheduleArb(HORIZON, 16), (seed, faults) => {
        const { trace } = runTraced({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, faults, endMicros: HORIZON });
        cutLinks(trace, (deliver, cut) => {
          expect(cut.has(`${deliver.from}>${deliver.to}`), `${deliver.from}→${deliver.to} at ${deliver.at}`).toBe(false);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('a one-way partition blocks only its direction', () => {
    const faults: FaultEntry[] = [{ at: 0, kind: 'partition', from: ['n1'], to: ['n2'] }];
    const { trace } = runTraced({ seed: 1, nodes: servers(['n1', 'n2'], chatter), faults, endMicros: 500_000 });
    const delivered = (from: string, to: string) => trace.filter((e) => e.type === 'deliver' && e.from === from && e.to === to).length;
    const dropped = trace.filter((e) => e.type === 'drop' && e.from === 'n1' && e.to === 'n2' && e.reason === 'partition').length;
    expect(delivered('n1', 'n2')).toBe(0);
    expect(dropped).toBeGreaterThan(0);
    expect(delivered('n2', 'n1')).toBeGreaterThan(0);
  });

  it('heal restores delivery, and messages in flight when the cut starts are dropped', () => {
    const sent: number[] = [];
    const nodes = servers(['n1', 'n2'], (id) => ({
      onStart: (ctx) => { if (id === 'n1') ctx.setTimer('t', 0); },
      onTimer: (ctx) => { ctx.send('n2', { n: sent.length }); sent.push(ctx.now()); ctx.setTimer('t', 10_000); },
    }));
    const faults: FaultEntry[] = [{ at: 100_500, kind: 'partition', groups: [['n1'], ['n2']] }, { at: 200_000, kind: 'heal' }];
    const { trace } = runTraced({ seed: 1, nodes, faults, endMicros: 300_000 });
    const delivered = trace.filter((e) => e.type === 'deliver').map((e) => e.at);
    expect(delivered.some((at) => at > 100_500 && at < 200_000)).toBe(false);
    expect(delivered.some((at) => at > 200_000)).toBe(true);
    // The message sent at 100ms was on the wire (1ms latency) when the cut came at 100.5ms.
    expect(trace.some((e) => e.type === 'drop' && e.at === 101_000 && e.reason === 'partition')).toBe(true);
  });
});

describe('crashes and pauses', () => {
  it('a crashed or paused node receives nothing and its timers do not fire while down', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), scheduleArb(HORIZON, 16), (seed, faults) => {
        const { trace } = runTraced({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, faults, endMicros: HORIZON });
        const status = new Map<NodeId, 'up' | 'crashed' | 'paused'>();
        for (const event of trace) {
          if (event.type === 'start' || event.type === 'restart' || event.type === 'resume') status.set(event.node, 'up');
          if (event.type === 'crash') status.set(event.node, 'crashed');
          if (event.type === 'pause') status.set(event.node, 'paused');
          if (event.type === 'deliver') expect(status.get(event.to), `deliver to ${event.to} at ${event.at}`).toBe('up');
          if (event.type === 'timer' || event.type === 'observe') expect(status.get(event.node), `${event.type} at ${event.node}`).toBe('up');
          if (event.type === 'send') expect(status.get(event.from)).toBe('up');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('crash discards the process; restart builds a new one from the factory and calls onStart', () => {
    let created = 0;
    let started = 0;
    const nodes = [{ id: 'n1', role: 'server' as const, create: () => { created++; return { onStart: () => { started++; }, onMessage: () => {}, onTimer: () => {} }; } }];
    const faults: FaultEntry[] = [{ at: 10, kind: 'crash', node: 'n1' }, { at: 20, kind: 'restart', node: 'n1' }, { at: 30, kind: 'restart', node: 'n1' }];
    runTraced({ seed: 1, nodes, faults, endMicros: 100 });
    expect(created).toBe(2);
    expect(started).toBe(2);
  });

  it('messages that reach a paused node are handled after resume, in arrival order', () => {
    const got: { n: number; at: number }[] = [];
    const nodes = servers(['n1', 'n2'], (id) => ({
      onStart: (ctx) => { if (id === 'n1') for (let i = 0; i < 5; i++) ctx.send('n2', { n: i }); },
      onMessage: (ctx, _from, msg) => got.push({ n: (msg as { n: number }).n, at: ctx.now() }),
    }));
    runTraced({ seed: 1, nodes, faults: [{ at: 0, kind: 'pause', node: 'n2' }, { at: 50_000, kind: 'resume', node: 'n2' }], endMicros: 100_000 });
    expect(got.map((g) => g.n)).toEqual([0, 1, 2, 3, 4]);
    expect(got.every((g) => g.at === 50_000)).toBe(true);
  });

  it('a throwing handler crashes its node and is reported', () => {
    const nodes = servers(['n1'], () => ({ onStart: (ctx) => ctx.setTimer('boom', 5) , onTimer: () => { throw new Error('kaboom'); } }));
    const { sim, trace } = runTraced({ seed: 1, nodes, endMicros: 100 });
    expect(sim.handlerErrors[0]?.message).toContain('kaboom');
    expect(trace.some((e) => e.type === 'crash' && e.node === 'n1')).toBe(true);
  });
});

describe('disks', () => {
  it('unsynced writes are lost on crash and synced ones kept', () => {
    const seenAtBoot: unknown[] = [];
    const nodes = servers(['n1'], () => ({
      onStart: (ctx) => {
        seenAtBoot.push({ synced: ctx.disk.read('synced') ?? null, unsynced: ctx.disk.read('unsynced') ?? null });
        if (seenAtBoot.length === 1) {
          ctx.disk.write('synced', 1);
          ctx.disk.sync();
          ctx.disk.write('unsynced', 2);
          ctx.disk.write('synced', 3);
        }
      },
    }));
    runTraced({ seed: 1, nodes, faults: [{ at: 10, kind: 'crash', node: 'n1' }, { at: 20, kind: 'restart', node: 'n1' }], endMicros: 100 });
    expect(seenAtBoot).toEqual([{ synced: null, unsynced: null }, { synced: 1, unsynced: null }]);
  });
});

describe('clocks', () => {
  it('clock skew changes only that node\'s now(), and does not move its timers', () => {
    const fired: Record<string, number[]> = {};
    const nodes = servers(['n1', 'n2', 'n3'], (id) => ({
      onStart: (ctx) => ctx.setTimer('t', 100_000),
      onTimer: (ctx) => { (fired[id] ??= []).push(ctx.now()); ctx.setTimer('t', 100_000); },
    }));
    const { sim, trace } = runTraced({ seed: 1, nodes, faults: [{ at: 50_000, kind: 'clock-skew', node: 'n2', offsetMicros: 7_000_000 }], endMicros: 350_001 });
    expect(sim.localTime('n1')).toBe(350_001);
    expect(sim.localTime('n3')).toBe(350_001);
    expect(sim.localTime('n2')).toBe(7_350_001);
    const firedAt = (node: string) => trace.filter((e) => e.type === 'timer' && e.node === node).map((e) => e.at);
    expect(firedAt('n2')).toEqual(firedAt('n1'));
    expect(fired.n2).toEqual([7_100_000, 7_200_000, 7_300_000]);
    expect(fired.n1).toEqual([100_000, 200_000, 300_000]);
  });

  it('clock drift scales timers measured on the local clock', () => {
    const fired: { trueAt: number; localAt: number }[] = [];
    const nodes = servers(['n1'], () => ({
      onStart: (ctx) => ctx.setTimer('arm', 0),
      onTimer: (ctx, name) => {
        if (name === 'arm') ctx.setTimer('measured', 110_000);
        else fired.push({ trueAt: -1, localAt: ctx.now() });
      },
    }));
    // Boot is queued before the fault, the 'arm' timer after it: drift is active when 'measured' is set.
    const { trace, sim } = runTraced({ seed: 1, nodes, faults: [{ at: 0, kind: 'clock-drift', node: 'n1', ppm: 100_000 }], endMicros: 1_000_000 });
    const measured = trace.find((e) => e.type === 'timer' && e.name === 'measured');
    expect(measured?.at).toBe(100_000);
    expect(fired[0]?.localAt).toBe(110_000);
    expect(sim.localTime('n1')).toBe(1_100_000);
  });
});

describe('fail-fast nodes', () => {
  /** n1 asks n2 every 100ms; n2 answers with the fail-fast ratio its context shows then. */
  const asker = (seen: number[]) => servers(['n1', 'n2'], (id) => ({
    onStart: (ctx) => { if (id === 'n1') ctx.setTimer('tick', 100_000); },
    onTimer: (ctx) => { ctx.send('n2', { ask: true }); ctx.setTimer('tick', 100_000); },
    onMessage: (ctx) => { if (id === 'n2') seen.push(ctx.failFastRatio()); },
  }));

  it('the ratio a fail-fast fault sets is what the node\'s context reports; it survives a crash, and 0 ends it', () => {
    const seen: number[] = [];
    const faults: FaultEntry[] = [
      { at: 150_000, kind: 'fail-fast', node: 'n2', ratio: 1 },
      { at: 250_000, kind: 'crash', node: 'n2' },
      { at: 260_000, kind: 'restart', node: 'n2' },
      { at: 350_000, kind: 'fail-fast', node: 'n2', ratio: 0.5 },
      { at: 450_000, kind: 'fail-fast', node: 'n2', ratio: 0 },
    ];
    const { trace } = runTraced({ seed: 1, nodes: asker(seen), faults, endMicros: 560_000 });
    expect(seen).toEqual([0, 1, 1, 0.5, 0]);
    // Times are unchanged: the engine delivers as before (only the node's code acts on the ratio).
    expect(trace.filter((e) => e.type === 'deliver' && e.to === 'n2').map((e) => e.at)).toEqual([101_000, 201_000, 301_000, 401_000, 501_000]);
  });

  it('recovery ends every fail-fast fault', () => {
    const seen: number[] = [];
    const trace: TraceEvent[] = [];
    const sim = new Simulator({ seed: 1, nodes: asker(seen), network: QUIET_NETWORK, traceSink: (e) => trace.push(e) });
    sim.start();
    sim.scheduleFaults([{ at: 50_000, kind: 'fail-fast', node: 'n2', ratio: 1 }]);
    sim.runUntil(150_000);
    sim.beginRecovery();
    sim.runUntil(250_000);
    const recovery = trace.filter((e) => e.type === 'fault' && e.source === 'recovery').map((e) => (e as { fault: FaultEntry }).fault);
    expect(recovery).toContainEqual({ at: 150_000, kind: 'fail-fast', node: 'n2', ratio: 0 });
    expect(seen).toEqual([1, 0]);
  });
});

describe('slow nodes', () => {
  /** n1 sends n2 a message every 100ms (by its timer); n2 answers each at once. */
  const pingPong = () => servers(['n1', 'n2'], (id) => ({
    onStart: (ctx) => { if (id === 'n1') ctx.setTimer('tick', 100_000); },
    onTimer: (ctx) => { ctx.send('n2', { ping: true }); ctx.setTimer('tick', 100_000); },
    onMessage: (ctx, from, msg) => { if (id === 'n2' && (msg as { ping?: boolean }).ping) ctx.send(from, { pong: true }); },
  }));
  const deliveries = (trace: readonly TraceEvent[], to: string) => trace.filter((e) => e.type === 'deliver' && e.to === to).map((e) => e.at);

  it('a message to a slow node takes factor × the link latency; its replies travel at the link speed', () => {
    // Latency 1ms on every link. n2 is 4× slower from 150ms until 350ms.
    const faults: FaultEntry[] = [{ at: 150_000, kind: 'slow', node: 'n2', factor: 4 }, { at: 350_000, kind: 'slow', node: 'n2', factor: 1 }];
    const { trace } = runTraced({ seed: 1, nodes: pingPong(), faults, endMicros: 450_000 });
    expect(deliveries(trace, 'n2')).toEqual([101_000, 204_000, 304_000, 401_000]);
    expect(deliveries(trace, 'n1')).toEqual([102_000, 205_000, 305_000, 402_000]);
  });

  it('a slow node\'s timers fire when asked (the backlog is the work the network brings, not its timer wheel)', () => {
    const nodes = servers(['n1'], () => ({
      onStart: (ctx) => ctx.setTimer('t', 100_000),
      onTimer: (ctx) => ctx.setTimer('t', 100_000),
    }));
    const faults: FaultEntry[] = [{ at: 50_000, kind: 'slow', node: 'n1', factor: 2.5 }, { at: 400_000, kind: 'slow', node: 'n1', factor: 1 }];
    const { trace, sim } = runTraced({ seed: 1, nodes, faults, endMicros: 500_001 });
    expect(trace.filter((e) => e.type === 'timer').map((e) => e.at)).toEqual([100_000, 200_000, 300_000, 400_000, 500_000]);
    expect(sim.localTime('n1')).toBe(500_001);
  });

  it('a work timer on a slow node takes factor × as long; an ordinary one beside it fires on time', () => {
    const nodes = servers(['n1'], () => ({
      onStart: (ctx) => { ctx.setTimer('arm', 100_000); },
      onTimer: (ctx, name) => {
        if (name !== 'arm') return;
        ctx.setTimer('serve', 10_000, { work: true });
        ctx.setTimer('timeout', 10_000);
      },
    }));
    const faults: FaultEntry[] = [{ at: 50_000, kind: 'slow', node: 'n1', factor: 4 }];
    const { trace } = runTraced({ seed: 1, nodes, faults, endMicros: 500_000 });
    const at = (name: string) => trace.find((e) => e.type === 'timer' && e.name === name)?.at;
    expect([at('serve'), at('timeout')]).toEqual([140_000, 110_000]);
    const normal = runTraced({ seed: 1, nodes, endMicros: 500_000 }).trace;
    expect(normal.find((e) => e.type === 'timer' && e.name === 'serve')?.at).toBe(110_000);
  });

  it('a slow node misses a reply deadline it meets at normal speed (what Lifeguard\'s local health counts)', () => {
    // n1 pings n2 every 100ms and gives the pong 3ms; latency 1ms each way. n1 is 4× slower from 150ms to 350ms:
    // the pong reaches it 4ms after n2 sent it, after the deadline.
    const late: number[] = [];
    const nodes = servers(['n1', 'n2'], (id) => {
      let answered = true;
      return {
        onStart: (ctx) => { if (id === 'n1') ctx.setTimer('tick', 100_000); },
        onTimer: (ctx, name) => {
          if (name === 'deadline') { if (!answered) late.push(ctx.now()); return; }
          answered = false;
          ctx.send('n2', { ping: true });
          ctx.setTimer('deadline', 3_000);
          ctx.setTimer('tick', 100_000);
        },
        onMessage: (ctx, from, msg) => {
          if (id === 'n2') ctx.send(from, { pong: true });
          else answered = true;
        },
      };
    });
    const faults: FaultEntry[] = [{ at: 150_000, kind: 'slow', node: 'n1', factor: 4 }, { at: 350_000, kind: 'slow', node: 'n1', factor: 1 }];
    const { trace } = runTraced({ seed: 1, nodes, faults, endMicros: 450_000 });
    expect(late).toEqual([203_000, 303_000]);
    expect(deliveries(trace, 'n1')).toEqual([102_000, 205_000, 305_000, 402_000]);
  });

  it('drift and slowness compose: the drifted span is not stretched further', () => {
    const nodes = servers(['n1'], () => ({ onStart: (ctx) => ctx.setTimer('arm', 0), onTimer: (ctx, name) => { if (name === 'arm') ctx.setTimer('t', 110_000); } }));
    const faults: FaultEntry[] = [{ at: 0, kind: 'clock-drift', node: 'n1', ppm: 100_000 }, { at: 0, kind: 'slow', node: 'n1', factor: 3 }];
    const { trace } = runTraced({ seed: 1, nodes, faults, endMicros: 1_000_000 });
    expect(trace.find((e) => e.type === 'timer' && e.name === 't')?.at).toBe(100_000);
  });

  it('slowness is the machine\'s: it survives a crash and restart', () => {
    const faults: FaultEntry[] = [
      { at: 150_000, kind: 'slow', node: 'n2', factor: 3 },
      { at: 160_000, kind: 'crash', node: 'n2' },
      { at: 170_000, kind: 'restart', node: 'n2' },
    ];
    const { trace } = runTraced({ seed: 1, nodes: pingPong(), faults, endMicros: 250_000 });
    expect(deliveries(trace, 'n2')).toEqual([101_000, 203_000]);
  });

  it('recovery sets every slow node back to normal speed (and adds nothing when none is slow)', () => {
    const sim = new Simulator({ seed: 1, nodes: pingPong(), network: QUIET_NETWORK });
    const trace: TraceEvent[] = [];
    const traced = new Simulator({ seed: 1, nodes: pingPong(), network: QUIET_NETWORK, traceSink: (e) => trace.push(e) });
    for (const s of [sim, traced]) {
      s.start();
      s.scheduleFaults([{ at: 50_000, kind: 'slow', node: 'n2', factor: 10 }]);
      s.runUntil(150_000);
      s.beginRecovery();
      s.runUntil(450_000);
    }
    const recovery = trace.filter((e) => e.type === 'fault' && e.source === 'recovery').map((e) => (e as { fault: FaultEntry }).fault);
    expect(recovery).toContainEqual({ at: 150_000, kind: 'slow', node: 'n2', factor: 1 });
    expect(deliveries(trace, 'n2')).toEqual([110_000, 201_000, 301_000, 401_000]);
    const plain: TraceEvent[] = [];
    const quiet = new Simulator({ seed: 1, nodes: pingPong(), network: QUIET_NETWORK, traceSink: (e) => plain.push(e) });
    quiet.start();
    quiet.runUntil(150_000);
    quiet.beginRecovery();
    expect(plain.some((e) => e.type === 'fault' && e.fault.kind === 'slow')).toBe(false);
    expect(sim.fingerprintHex()).toBe(traced.fingerprintHex());
  });

  it('factor 1 changes no delivery or timer time', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (seed) => {
      const base = runTraced({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, endMicros: HORIZON });
      const ones: FaultEntry[] = NODES5.map((node, i) => ({ at: i * 1_000, kind: 'slow', node, factor: 1 }));
      const same = runTraced({ seed, nodes: servers(NODES5, chatter), network: JITTERY_NETWORK, faults: ones, endMicros: HORIZON });
      const strip = (trace: readonly TraceEvent[]) => JSON.stringify(trace.filter((e) => e.type !== 'fault'));
      expect(strip(same.trace)).toBe(strip(base.trace));
    }), { numRuns: 20 });
  });
});

describe('message bytes', () => {
  const talk = () => servers(['n1', 'n2'], (id) => ({
    onStart: (ctx) => { if (id === 'n1') { ctx.send('n2', { hello: 'é' }); ctx.send('n2', [1, 2, 3]); ctx.send('n2', 'x'); } },
  }));
  it('counts the JSON text length of every message sent, only when asked, and leaves the fingerprint alone', () => {
    const on = new Simulator({ seed: 1, nodes: talk(), network: { ...QUIET_NETWORK, lossRatio: 1 }, measureBytes: true });
    const off = new Simulator({ seed: 1, nodes: talk(), network: { ...QUIET_NETWORK, lossRatio: 1 } });
    for (const s of [on, off]) {
      s.start();
      s.runUntil(10_000);
    }
    // {"hello":"é"} is 13 characters, [1,2,3] 7, "x" 3; dropped messages count, as in messagesSent.
    expect(on.stats.bytesSent).toBe(23);
    expect(on.view.bytesSent).toBe(23);
    expect(on.stats.messagesSent).toBe(3);
    expect(off.stats.bytesSent).toBeUndefined();
    expect(off.view.bytesSent).toBeUndefined();
    expect('bytesSent' in off.stats).toBe(false);
    expect(on.fingerprintHex()).toBe(off.fingerprintHex());
  });
});

describe('event order', () => {
  it('events at the same virtual time run in insertion order', () => {
    const order: string[] = [];
    const nodes = servers(['n1', 'n2'], (id) => ({
      onStart: (ctx) => {
        if (id !== 'n1') return;
        for (const name of ['c', 'a', 'd', 'b']) ctx.setTimer(name, 5_000);
        for (let i = 0; i < 6; i++) ctx.send('n2', { i });
      },
      onTimer: (_ctx, name) => order.push(`timer:${name}`),
      onMessage: (_ctx, _from, msg) => order.push(`msg:${(msg as { i: number }).i}`),
    }));
    runTraced({ seed: 1, nodes, endMicros: 10_000 });
    expect(order).toEqual(['msg:0', 'msg:1', 'msg:2', 'msg:3', 'msg:4', 'msg:5', 'timer:c', 'timer:a', 'timer:d', 'timer:b']);
  });

  it('setting a timer again replaces it; cancel removes it', () => {
    const fired: string[] = [];
    const nodes = servers(['n1'], () => ({
      onStart: (ctx) => {
        ctx.setTimer('x', 10);
        ctx.setTimer('x', 30);
        ctx.setTimer('y', 20);
        ctx.cancelTimer('y');
      },
      onTimer: (ctx, name) => fired.push(`${name}@${ctx.now()}`),
    }));
    runTraced({ seed: 1, nodes, endMicros: 100 });
    expect(fired).toEqual(['x@30']);
  });
});

describe('network faults', () => {
  const burst = (count: number) => servers(['n1', 'n2'], (id) => ({
    onStart: (ctx) => { if (id === 'n1') ctx.setTimer('send', 0); },
    onTimer: (ctx) => { for (let i = 0; i < count; i++) ctx.send('n2', { i }); },
  }));

  it('clogged messages are held and arrive after unclog, none lost', () => {
    const nodes = servers(['n1', 'n2'], (id) => ({
      onStart: (ctx) => { if (id === 'n1') ctx.setTimer('t', 0); },
      onTimer: (ctx) => { ctx.send('n2', { at: ctx.now() }); ctx.setTimer('t', 7_000); },
    }));
    const faults: FaultEntry[] = [{ at: 20_000, kind: 'clog', from: ['n1'], to: ['n2'] }, { at: 80_000, kind: 'unclog', from: ['n1'], to: ['n2'] }];
    const { trace } = runTraced({ seed: 1, nodes, faults, endMicros: 120_000 });
    const deliveries = trace.filter((e): e is TraceEvent & { type: 'deliver' } => e.type === 'deliver');
    const sentDuringClog = deliveries.filter((e) => (e.msg as { at: number }).at >= 20_000 && (e.msg as { at: number }).at < 80_000);
    expect(sentDuringClog.length).toBeGreaterThan(5);
    expect(sentDuringClog.every((e) => e.at >= 80_000)).toBe(true);
    expect(trace.filter((e) => e.type === 'drop').length).toBe(0);
    const sentCount = trace.filter((e) => e.type === 'send').length;
    const lastSendInFlight = trace.filter((e) => e.type === 'send' && e.at >= 119_000).length;
    expect(deliveries.length).toBe(sentCount - lastSendInFlight);
  });

  it('loss 1 drops everything; duplicate 1 delivers everything twice', () => {
    const lossy = runTraced({ seed: 1, nodes: burst(10), faults: [{ at: 0, kind: 'loss', ratio: 1 }], endMicros: 50_000 });
    expect(lossy.trace.filter((e) => e.type === 'deliver').length).toBe(0);
    expect(lossy.sim.stats.dropsByReason.loss).toBe(10);
    const dup = runTraced({ seed: 1, nodes: burst(10), faults: [{ at: 0, kind: 'duplicate', ratio: 1 }], endMicros: 50_000 });
    expect(dup.trace.filter((e) => e.type === 'deliver').length).toBe(20);
  });

  it('a link holds at most its capacity in flight; overflow is dropped and counted', () => {
    const run = runTraced({ seed: 1, nodes: burst(8), network: { ...QUIET_NETWORK, linkCapacity: 3 }, endMicros: 50_000 });
    expect(run.sim.stats.dropsByReason.overflow).toBe(5);
    expect(run.trace.filter((e) => e.type === 'deliver').length).toBe(3);
  });

  it('jitter reorders messages', () => {
    const got: number[] = [];
    const nodes = servers(['n1', 'n2'], (id) => ({
      onStart: (ctx) => { if (id === 'n1') for (let i = 0; i < 50; i++) ctx.send('n2', { i }); },
      onMessage: (_ctx, _from, msg) => got.push((msg as { i: number }).i),
    }));
    runTraced({ seed: 3, nodes, network: { ...QUIET_NETWORK, latency: { kind: 'uniform', baseMicros: 100, jitterMicros: 10_000 } }, endMicros: 50_000 });
    expect(got).toHaveLength(50);
    expect(got).not.toEqual([...got].sort((a, b) => a - b));
  });

  it('the heavy-tailed latency model has a long tail', () => {
    const latencies: number[] = [];
    const nodes = servers(['n1', 'n2'], (id) => ({
      onStart: (ctx) => { if (id === 'n1') for (let i = 0; i < 2000; i++) ctx.send('n2', { i }); },
      onMessage: (ctx) => latencies.push(ctx.now()),
    }));
    runTraced({ seed: 5, nodes, network: { ...QUIET_NETWORK, latency: { kind: 'pareto', baseMicros: 0, scaleMicros: 1_000, shape: 1.2, maxMicros: 10_000_000 } }, endMicros: 20_000_000 });
    latencies.sort((a, b) => a - b);
    const median = latencies[1000]!;
    const p999 = latencies[1998]!;
    expect(median).toBeLessThan(3_000);
    expect(p999).toBeGreaterThan(50 * median);
  });
});

describe('fingerprint', () => {
  const oneSend = (to: string, payload: number, delay: number) =>
    servers(['n1', 'n2', 'n3'], (id) => ({
      onStart: (ctx) => { if (id === 'n1') ctx.setTimer('go', delay); },
      onTimer: (ctx) => ctx.send(to, { payload }),
    }));
  const fp = (to: string, payload: number, delay: number) => runTraced({ seed: 9, nodes: oneSend(to, payload, delay), endMicros: 100_000, record: false }).fingerprint;

  it('changes when a message\'s content, destination or time changes', () => {
    const base = fp('n2', 1, 10);
    expect(fp('n2', 1, 10)).toBe(base);
    expect(fp('n2', 2, 10)).not.toBe(base);
    expect(fp('n3', 1, 10)).not.toBe(base);
    expect(fp('n2', 1, 11)).not.toBe(base);
  });

  it('follows a message\'s content, not the object that carried it', () => {
    // n1 sends one object, changes its top level, and sends it again from a later handler; the
    // twin run sends two fresh objects with the same contents. Same sends, same fingerprint.
    const twice = (reuse: boolean) =>
      servers(['n1', 'n2'], (id) => {
        const msg = { v: 1 };
        return {
          onStart: (ctx) => {
            if (id !== 'n1') return;
            ctx.send('n2', reuse ? msg : { v: 1 });
            ctx.setTimer('again', 10);
          },
          onTimer: (ctx) => {
            msg.v = 2;
            ctx.send('n2', reuse ? msg : { v: 2 });
          },
        };
      });
    const run = (reuse: boolean) => runTraced({ seed: 9, nodes: twice(reuse), endMicros: 100_000, record: false }).fingerprint;
    expect(run(true)).toBe(run(false));
  });

  it('is 16 hex characters', () => {
    expect(fp('n2', 1, 10)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('message isolation', () => {
  it('sender and receiver never share a mutable object', () => {
    const received: { n: number; list: readonly number[] }[] = [];
    const errors: string[] = [];
    let sent: { n: number; list: number[] } | undefined;
    const nodes = servers(['n1', 'n2'], (id) => ({
      onStart: (ctx) => {
        if (id !== 'n1') return;
        sent = { n: 1, list: [1, 2] };
        ctx.send('n2', sent);
        ctx.setTimer('mutate', 0);
      },
      onTimer: () => {
        sent!.n = 99; // the top level is the sender's own object again: allowed, and invisible to n2
        try { sent!.list.push(3); } catch (error) { errors.push((error as Error).message); }
      },
      onMessage: (_ctx, _from, msg) => {
        const m = msg as { n: number; list: number[] };
        received.push({ n: m.n, list: [...m.list] });
        m.n = -1; // the receiver owns its copy
      },
    }));
    runTraced({ seed: 1, nodes, endMicros: 10_000 });
    expect(received).toEqual([{ n: 1, list: [1, 2] }]);
    expect(sent!.n).toBe(99);
    expect(errors).toHaveLength(1); // nested data was frozen at send
  });

  it('a duplicated message reaches the receiver as two separate copies', () => {
    const seen: number[] = [];
    const nodes = servers(['n1', 'n2'], (id) => ({
      // Boot runs before the fault at time 0; the send waits for a timer so that duplication is on.
      onStart: (ctx) => { if (id === 'n1') ctx.setTimer('send', 1); },
      onTimer: (ctx) => ctx.send('n2', { n: 1 }),
      onMessage: (_ctx, _from, msg) => {
        const m = msg as { n: number };
        seen.push(m.n);
        m.n = 42;
      },
    }));
    runTraced({ seed: 1, nodes, faults: [{ at: 0, kind: 'duplicate', ratio: 1 }], endMicros: 10_000 });
    expect(seen).toEqual([1, 1]);
  });
});

describe('leader-aware faults', () => {
  // A toy oracle: the leader is whichever node the test says.
  const withLeader = (leader: string | undefined) => {
    const trace: TraceEvent[] = [];
    const sim = new Simulator({
      seed: 1, nodes: servers(['n1', 'n2', 'n3'], chatter), network: QUIET_NETWORK,
      traceSink: (e) => trace.push(e), roles: leaderRoles(() => leader),
    });
    sim.start();
    return { sim, trace };
  };

  it('resolves @leader, binds it with "as", and finds it again as $NAME', () => {
    const { sim, trace } = withLeader('n2');
    sim.scheduleFaults([{ at: 10, kind: 'crash', node: '@leader', as: 'L' }, { at: 20, kind: 'restart', node: '$L' }]);
    sim.runUntil(30);
    const faults = trace.filter((e): e is TraceEvent & { type: 'fault' } => e.type === 'fault');
    expect(faults.map((f) => f.resolved)).toEqual([{ at: 10, kind: 'crash', node: 'n2' }, { at: 20, kind: 'restart', node: 'n2' }]);
    expect(trace.filter((e) => e.type === 'crash' || e.type === 'restart').map((e) => `${e.type}:${(e as { node: string }).node}`)).toEqual(['crash:n2', 'restart:n2']);
  });

  it('fills @rest with every node not named elsewhere; @follower is an up server other than the leader', () => {
    const { sim, trace } = withLeader('n1');
    sim.scheduleFaults([{ at: 10, kind: 'partition', groups: [['@leader', '@follower'], ['@rest']] }]);
    sim.runUntil(20);
    const fault = trace.find((e): e is TraceEvent & { type: 'fault' } => e.type === 'fault')!;
    const groups = (fault.resolved as unknown as { groups: string[][] }).groups;
    expect(groups[0]![0]).toBe('n1');
    expect(['n2', 'n3']).toContain(groups[0]![1]);
    expect([...groups[0]!, ...groups[1]!].sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('@follower picks among the followers, not always the same one', () => {
    const { sim, trace } = withLeader('n1');
    sim.scheduleFaults(Array.from({ length: 20 }, (_, i) => ({ at: 10 + 2 * i, kind: 'pause' as const, node: '@follower', as: `F${i}` }))
      .flatMap((pause, i) => [pause, { at: 11 + 2 * i, kind: 'resume' as const, node: `$F${i}` }]));
    sim.runUntil(100);
    const paused = new Set(trace.filter((e) => e.type === 'pause').map((e) => (e as { node: string }).node));
    expect([...paused].sort()).toEqual(['n2', 'n3']);
  });

  it('skips (and traces) an entry whose reference cannot be resolved now', () => {
    const { sim, trace } = withLeader(undefined);
    sim.scheduleFaults([{ at: 10, kind: 'crash', node: '@leader' }]);
    sim.runUntil(20);
    expect(trace.find((e) => e.type === 'fault')).toMatchObject({ resolved: null });
    expect(trace.some((e) => e.type === 'crash')).toBe(false);
  });
});
