// The kv state machine against a naive twin (a plain object), and exactly-once application by session.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KvStateMachine, type KvCommand } from '../../algorithms/kv/state-machine.js';

const command: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: fc.constantFrom('a', 'b') }),
  fc.record({ op: fc.constant('put' as const), key: fc.constantFrom('a', 'b'), value: fc.constantFrom('x', 'y') }),
  fc.record({ op: fc.constant('append' as const), key: fc.constantFrom('a', 'b'), value: fc.constantFrom('x', 'y') }),
  fc.record({ op: fc.constant('cas' as const), key: fc.constantFrom('a', 'b'), expected: fc.constantFrom(null, 'x', 'xy'), value: fc.constantFrom('x', 'y') }),
);

describe('KvStateMachine', () => {
  it('matches a naive twin command by command', () => {
    fc.assert(fc.property(fc.array(command, { maxLength: 50 }), (commands) => {
      const sm = new KvStateMachine();
      const twin: Record<string, string> = {};
      commands.forEach((c, seq) => {
        const got = sm.apply({ clientId: 'c', seq, command: c });
        const current = twin[c.key] ?? null;
        if (c.op === 'get') expect(got).toEqual({ value: current });
        if (c.op === 'put') { twin[c.key] = c.value; expect(got).toEqual({}); }
        if (c.op === 'append') { twin[c.key] = (current ?? '') + c.value; expect(got).toEqual({}); }
        if (c.op === 'cas') { const ok = current === c.expected; if (ok) twin[c.key] = c.value; expect(got).toEqual({ ok }); }
      });
      for (const key of ['a', 'b']) expect(sm.read(key)).toBe(twin[key] ?? null);
    }));
  });

  it('applies a retried command once and answers the retry with the first result', () => {
    const sm = new KvStateMachine();
    expect(sm.apply({ clientId: 'c1', seq: 1, command: { op: 'append', key: 'k', value: 'x' } })).toEqual({});
    expect(sm.apply({ clientId: 'c1', seq: 1, command: { op: 'append', key: 'k', value: 'x' } })).toEqual({});
    expect(sm.read('k')).toBe('x');
    expect(sm.apply({ clientId: 'c1', seq: 0, command: { op: 'append', key: 'k', value: 'x' } })).toBeUndefined();
    expect(sm.read('k')).toBe('x');
  });

  it('without dedup (a planted bug) a retry applies twice', () => {
    const sm = new KvStateMachine(false);
    sm.apply({ clientId: 'c1', seq: 1, command: { op: 'append', key: 'k', value: 'x' } });
    sm.apply({ clientId: 'c1', seq: 1, command: { op: 'append', key: 'k', value: 'x' } });
    expect(sm.read('k')).toBe('xx');
  });
});
