// `faultline check --model NAME` for the models beyond register and kv: verdicts, exit codes and the
// human report in each model's words, and one-line errors for ops or initial values the model cannot take.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace, expectOneLineExit2 } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('check-models');
const check = (...args: string[]) => faultline('check', ...args);
const write = (name: string, model: string | undefined, operations: object[], extra: object = {}) =>
  writeFileSync(join(work, name), JSON.stringify({ ...(model ? { model } : {}), ...extra, operations }));

write('both-hold.json', 'mutex', [
  { client: 'c1', call: 0, return: 10, input: { op: 'acquire' }, output: {} },
  { client: 'c2', call: 20, return: 30, input: { op: 'acquire' }, output: {} },
  { client: 'c1', call: 40, return: 50, input: { op: 'release' }, output: {} },
]);
write('counter.json', undefined, [
  { client: 'c1', call: 0, return: 10, input: { op: 'add', value: 2 }, output: {} },
  { client: 'c2', call: 5, return: 15, input: { op: 'read' }, output: { value: 5 } },
  { client: 'c3', call: 20, return: 30, input: { op: 'read' }, output: { value: 5 } },
]);
write('queue.json', 'fifo-queue', [
  { client: 'c1', call: 0, return: 10, input: { op: 'enqueue', value: 'a' }, output: {} },
  { client: 'c1', call: 11, return: 20, input: { op: 'enqueue', value: 'b' }, output: {} },
  { client: 'c2', call: 30, return: 40, input: { op: 'dequeue' }, output: { value: 'b' } },
]);

describe('faultline check --model', () => {
  it('mutex: two holders at once, exit 1, explained in the mutex\'s words', () => {
    const r = check('both-hold.json');
    expect(r.status).toBe(1);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toMatch(/^NOT LINEARIZABLE 3 operations, mutex, checked in/);
    expect(text).toContain('#1 c2: acquire (called 20, returned 30) must take effect before it returned, yet the mutex was already held');
    expect(text).toContain('the sub-history of the mutex:');
  });

  it('counter: --model and --initial together; the JSON names the model', () => {
    const r = check('counter.json', '--model', 'counter', '--initial', '3', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'linearizable', model: 'counter', initial: 3, operations: 3, keys: 1 });
    const from0 = check('counter.json', '--model', 'counter');
    expect(from0.status).toBe(1);
    expect(from0.stdout.replace(/\s+/g, ' ')).toContain('saw 5, but starting from 0 the adds on the counter can only reach counts from 0 to 2');
  });

  it('fifo-queue: a dequeue out of order, exit 1', () => {
    const r = check('queue.json', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).failure).toMatchObject({ key: 'fifo-queue', blocked: 2 });
  });

  for (const [name, args, message] of [
    ['an op the model lacks', ['queue.json', '--model', 'set'], /^faultline: queue.json: operation #1: input.op must be one of add, read \(or read-all, get\) \(set\); got "enqueue"\n$/],
    ['an initial value the model cannot take', ['counter.json', '--model', 'counter', '--initial', '"x"'], /^faultline: --initial "x": for counter, the initial value is a number\n$/],
    ['an unknown model', ['counter.json', '--model', 'graph'], /argument 'graph' is invalid. Allowed choices are register, cas-register, kv, mutex, counter, set, fifo-queue/],
  ] as const) {
    it(`bad input (${name}): one line, exit 2`, () => {
      expectOneLineExit2(check(...args), message);
    });
  }
});
