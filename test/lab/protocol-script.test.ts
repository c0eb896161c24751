// The protocol-script runner on a toy process: commands, effects in order, crash semantics, script
// errors, the rewrite switch, and the value syntax reading back what it writes.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { formatValue, ProtocolScriptError, runProtocolScript, runProtocolScriptFile, type ProtocolScriptAdapter } from '../../lab/protocol-script.js';
import type { Context, NodeId, Process } from '../../sim/process.js';

type Msg = { type: 'ping'; n: number } | { type: 'pong'; n: number };

/** Counts pings durably (synced only on `sync` pings), answers each with a pong, and throws on n < 0. */
class Counter implements Process<Msg> {
  private count = 0;
  onStart(ctx: Context<Msg>): void {
    this.count = ctx.disk.read<number>('count') ?? 0;
    ctx.setTimer('tick', 1_000);
  }
  onMessage(ctx: Context<Msg>, from: NodeId, msg: Msg): void {
    if (msg.type !== 'ping') return;
    ctx.send(from, { type: 'pong', n: msg.n });
    if (msg.n < 0) throw new Error('negative ping');
    this.count++;
    ctx.disk.write('count', this.count);
    if (msg.n > 0) ctx.disk.sync();
    ctx.observe({ type: 'counted', count: this.count });
  }
  onTimer(ctx: Context<Msg>): void {
    for (const peer of ctx.peers) ctx.send(peer, { type: 'ping', n: 0 });
  }
  inspect(): unknown {
    return { count: this.count };
  }
}

const adapter: ProtocolScriptAdapter<Msg> = { create: () => new Counter() };

const script = (...blocks: string[]) => `${blocks.map((b) => `${b}\n----\n`).join('\n')}`;

describe('protocol scripts', () => {
  it('prints each command\'s effects in order, then the state; a throw crashes the node and drops its sends', () => {
    const { actual } = runProtocolScript(script('nodes a b', 'start a', 'deliver a <- b ping {n: 1}', 'deliver a <- b ping {n: -1}', 'state a'), adapter);
    expect(actual).toBe([
      'nodes a b', '----', 'ok', '',
      'start a', '----', 'a set-timer tick', 'a state {count: 0}', '',
      'deliver a <- b ping {n: 1}', '----', 'a -> b pong {n: 1}', 'a fact counted {count: 1}', 'a state {count: 1}', '',
      'deliver a <- b ping {n: -1}', '----', 'a threw: negative ping', '',
      'state a', '----', 'a crashed', '',
    ].join('\n'));
  });

  it('delivers sent messages in order, and a crash loses unsynced writes', () => {
    const { actual } = runProtocolScript(script('nodes a b', 'start a', 'start b', 'timer a tick', 'deliver b <- a', 'deliver b <- a ping {n: 0}', 'crash b', 'restart b'), adapter);
    expect(actual).toContain('timer a tick\n----\na -> b ping {n: 0}\na state {count: 0}');
    expect(actual).toContain('crash b\n----\nb crashed; 1 unsynced disk write lost');
    expect(actual).toContain('restart b\n----\nb set-timer tick\nb state {count: 0}');
  });

  it('comments and blank lines survive, and an unchanged script reads back as it was', () => {
    const text = '# a comment\n\nnodes a b\n----\nok\n\n# another\nstart a\n----\na set-timer tick\na state {count: 0}\n';
    expect(runProtocolScript(text, adapter)).toEqual({ expected: text, actual: text });
  });

  it.each([
    ['frobnicate a', /unknown command "frobnicate"/],
    ['start z', /unknown node "z" \(declared: a, b\)/],
    ['timer a nope', /a has no timer "nope" set \(set: tick\)/],
    ['deliver b <- a', /no undelivered message from a to b/],
    ['deliver a <- b ping {n: [1', /cannot read/],
    ['show colours', /show takes send, timer, fact, disk, state/],
  ])('a broken script is an error naming the line: %s', (command, message) => {
    const text = script('nodes a b', 'start a', command);
    expect(() => runProtocolScript(text, adapter, 'x.txt')).toThrow(ProtocolScriptError);
    expect(() => runProtocolScript(text, adapter, 'x.txt')).toThrow(new RegExp(`x\\.txt:7: .*${message.source}`));
  });

  describe('FAULTLINE_REWRITE=1', () => {
    const saved = process.env.FAULTLINE_REWRITE;
    afterEach(() => {
      if (saved === undefined) delete process.env.FAULTLINE_REWRITE;
      else process.env.FAULTLINE_REWRITE = saved;
    });

    it('rewrites the expected outputs in place; without it the file is left alone', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'protocol-script-')), 's.txt');
      writeFileSync(file, 'nodes a b\n----\nstale\n\nstart a\n----\n');
      delete process.env.FAULTLINE_REWRITE;
      const before = runProtocolScriptFile(file, adapter);
      expect(before.actual).not.toBe(before.expected);
      expect(readFileSync(file, 'utf8')).toBe(before.expected);
      process.env.FAULTLINE_REWRITE = '1';
      const after = runProtocolScriptFile(file, adapter);
      expect(after.actual).toBe(after.expected);
      expect(readFileSync(file, 'utf8')).toBe('nodes a b\n----\nok\n\nstart a\n----\na set-timer tick\na state {count: 0}\n');
    });
  });

  it('formatValue writes plain data that YAML flow syntax reads back unchanged', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 3 }),
      object: fc.dictionary(fc.string({ minLength: 1 }), tie('value'), { maxKeys: 3 }),
    })).object;
    fc.assert(fc.property(plain, (value) => {
      expect(parseYaml(formatValue(value))).toEqual(value);
    }));
  });
});
