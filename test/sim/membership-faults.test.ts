// Join and leave on the engine: a dormant spare is absent (not booted, deaf) until a `join` boots it
// as a fresh machine; a `leave` runs the process's `onLeave`, and the node goes once it calls
// `ctx.leave()` (at once without the hook); absent nodes stay absent through recovery.

import { describe, expect, it } from 'vitest';
import type { FaultEntry } from '../../sim/faults.js';
import type { Context, NodeId, NodeSpec, Process } from '../../sim/process.js';
import { Simulator } from '../../sim/simulator.js';
import type { TraceEvent } from '../../sim/trace.js';
import { QUIET_NETWORK } from '../helpers.js';

interface Log { readonly lines: string[] }

/** A node that logs what happens to it, pings n1 every 10 ms, keeps a boot counter on disk, and (if `graceful`) leaves 5 ms after it is asked. */
function node(id: NodeId, log: Log, options: { graceful?: boolean; dormant?: boolean } = {}): NodeSpec {
  const create = (): Process<unknown> => {
    const process: Process<unknown> = {
      onStart(ctx: Context<unknown>) {
        const boots = (ctx.disk.read<number>('boots') ?? 0) + 1;
        ctx.disk.write('boots', boots);
        ctx.disk.sync();
        log.lines.push(`${ctx.now()} ${id} start boots=${boots}`);
        ctx.setTimer('ping', 10_000);
      },
      onMessage(ctx, from) {
        log.lines.push(`${ctx.now()} ${id} got from ${from}`);
      },
      onTimer(ctx, name) {
        if (name === 'ping') {
          if (id !== 'n1') ctx.send('n1', 'ping');
          else ctx.send('n3', 'ping');
          ctx.setTimer('ping', 10_000);
        } else if (name === 'go') {
          ctx.send('n1', 'bye');
          ctx.leave();
          log.lines.push(`${ctx.now()} ${id} leaving`);
        }
      },
    };
    if (options.graceful) {
      process.onLeave = (ctx) => {
        log.lines.push(`${ctx.now()} ${id} asked to leave`);
        ctx.setTimer('go', 5_000);
      };
    }
    return process;
  };
  return { id, role: 'server', create, ...(options.dormant ? { dormant: true } : {}) };
}

function run(nodes: NodeSpec[], faults: FaultEntry[], endMicros: number, recover = false) {
  const trace: TraceEvent[] = [];
  const sim = new Simulator({ seed: 1, nodes, network: QUIET_NETWORK, traceSink: (e) => trace.push(e) });
  sim.start();
  sim.scheduleFaults(faults);
  sim.runUntil(endMicros);
  if (recover) {
    sim.beginRecovery();
    sim.runUntil(endMicros + 50_000);
  }
  return { sim, trace, fingerprint: sim.fingerprintHex() };
}

describe('join and leave', () => {
  it('a dormant spare is absent until it joins: no start, messages to it dropped; a join boots it', () => {
    const log: Log = { lines: [] };
    const { sim, trace } = run([node('n1', log), node('n2', log), node('n3', log, { dormant: true })], [{ at: 25_000, kind: 'join', node: 'n3' }], 40_000);
    expect(log.lines.filter((l) => l.includes('n3 start'))).toEqual(['25000 n3 start boots=1']);
    // n1 pings n3 at 10 ms and 20 ms (dropped: absent), then at 30 ms (delivered at 31 ms).
    expect(trace.filter((e) => e.type === 'drop' && e.to === 'n3').map((e) => (e as { reason: string }).reason)).toEqual(['crashed', 'crashed']);
    expect(log.lines.filter((l) => l.startsWith('31000 n3 got'))).toEqual(['31000 n3 got from n1']);
    expect(sim.view.status('n3')).toBe('up');
  });

  it('a graceful leave runs onLeave; the node goes after the handler that calls ctx.leave(), whose sends still go out', () => {
    const log: Log = { lines: [] };
    const { sim, trace } = run([node('n1', log), node('n2', log, { graceful: true }), node('n3', log)], [{ at: 15_000, kind: 'leave', node: 'n2' }], 60_000);
    expect(log.lines.filter((l) => l.includes('leav'))).toEqual(['15000 n2 asked to leave', '20000 n2 leaving']);
    expect(log.lines).toContain('21000 n1 got from n2'); // the bye, sent in the handler that left
    expect(trace.filter((e) => e.type === 'leave')).toEqual([{ type: 'leave', at: 20_000, node: 'n2' }]);
    expect(sim.view.status('n2')).toBe('absent');
    // Its ping timer died with it: nothing from n2 after it left but the bye.
    expect(log.lines.filter((l) => l.includes('n1 got from n2')).map((l) => Number(l.split(' ')[0])).every((t) => t <= 21_000)).toBe(true);
  });

  it('without onLeave a leave takes the node out at once; a leave of a crashed node does nothing', () => {
    const log: Log = { lines: [] };
    const { sim, trace } = run(
      [node('n1', log), node('n2', log), node('n3', log)],
      [{ at: 5_000, kind: 'leave', node: 'n2' }, { at: 6_000, kind: 'crash', node: 'n3' }, { at: 7_000, kind: 'leave', node: 'n3' }],
      20_000,
    );
    expect(trace.filter((e) => e.type === 'leave').map((e) => [e.at, (e as { node: string }).node])).toEqual([[5_000, 'n2']]);
    expect(sim.view.status('n2')).toBe('absent');
    expect(sim.view.status('n3')).toBe('crashed');
  });

  it('a node that left joins again as a fresh machine: its disk is empty', () => {
    const log: Log = { lines: [] };
    run([node('n1', log), node('n2', log)], [{ at: 5_000, kind: 'leave', node: 'n2' }, { at: 9_000, kind: 'join', node: 'n2' }, { at: 12_000, kind: 'crash', node: 'n2' }, { at: 13_000, kind: 'restart', node: 'n2' }], 20_000);
    // boots=1 at 0; fresh after the join (boots=1 again); the restart keeps the disk (boots=2).
    expect(log.lines.filter((l) => l.includes('n2 start'))).toEqual(['0 n2 start boots=1', '9000 n2 start boots=1', '13000 n2 start boots=2']);
  });

  it('crash, restart and pause leave an absent node alone, a join leaves a member alone, and recovery does not bring an absent node back', () => {
    const log: Log = { lines: [] };
    const { sim } = run(
      [node('n1', log), node('n2', log), node('n3', log, { dormant: true })],
      [{ at: 1_000, kind: 'crash', node: 'n3' }, { at: 2_000, kind: 'restart', node: 'n3' }, { at: 3_000, kind: 'pause', node: 'n3' }, { at: 4_000, kind: 'join', node: 'n1' }, { at: 5_000, kind: 'leave', node: 'n2' }],
      10_000, true,
    );
    expect(sim.view.status('n3')).toBe('absent');
    expect(sim.view.status('n2')).toBe('absent');
    expect(log.lines.filter((l) => l.includes('start'))).toEqual(['0 n1 start boots=1', '0 n2 start boots=1']);
  });

  it('the fingerprint notices a leave, and a twin recorder fed the trace ends with the same fingerprint', () => {
    const log: Log = { lines: [] };
    const nodes = () => [node('n1', log), node('n2', log, { graceful: true }), node('n3', log, { dormant: true })];
    const a = run(nodes(), [{ at: 15_000, kind: 'leave', node: 'n2' }, { at: 16_000, kind: 'join', node: 'n3' }], 60_000);
    const b = run(nodes(), [{ at: 16_000, kind: 'join', node: 'n3' }], 60_000);
    expect(a.fingerprint).not.toBe(b.fingerprint);
    const again = run(nodes(), [{ at: 15_000, kind: 'leave', node: 'n2' }, { at: 16_000, kind: 'join', node: 'n3' }], 60_000);
    expect(again.fingerprint).toBe(a.fingerprint);
  });
});
