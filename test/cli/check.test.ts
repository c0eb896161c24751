// `faultline check` end to end: verdicts and exit codes for JSON and EDN histories, a budget that
// ends in "unknown", and one-line errors for bad input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace, expectOneLineExit2 } from './cli-helpers.js';
import { corruptOneRead, generateHistory } from '../../sim/check/generate-history.js';
import { Rng } from '../../sim/rng.js';

const { work, faultline } = cliWorkspace('check');
const check = (...args: string[]) => faultline('check', ...args);

const good = generateHistory({ model: 'kv', clients: 20, operations: 500, keys: 10, openRatio: 0.05 }, Rng.fromSeed(1));
writeFileSync(join(work, 'good.json'), JSON.stringify({ model: 'kv', operations: good }));
writeFileSync(join(work, 'bad.json'), JSON.stringify({ model: 'kv', operations: corruptOneRead(good, Rng.fromSeed(2)) }));
writeFileSync(join(work, 'hard.json'), JSON.stringify({ model: 'register', operations: generateHistory({ model: 'register', clients: 10, operations: 6_000 }, Rng.fromSeed(3)) }));
writeFileSync(join(work, 'stale.edn'), [
  '{:process 0, :type :invoke, :f :write, :value 1}', '{:process 0, :type :ok, :f :write, :value 1}',
  '{:process 0, :type :invoke, :f :write, :value 2}', '{:process 0, :type :ok, :f :write, :value 2}',
  '{:process 1, :type :invoke, :f :read, :value nil}', '{:process 1, :type :ok, :f :read, :value 1}',
].join('\n'));
writeFileSync(join(work, 'broken.edn'), '{:process 0, :type :invoke, :f :read\n');
// The Porcupine / course-lab convention: a missing key reads as "". Key y is never written; a read of x
// overlapping the first put sees "".
const labOps = [
  { client: 'c0', call: 0, return: 5, input: { op: 'get', key: 'y' }, output: { value: '' } },
  { client: 'c1', call: 1, return: 10, input: { op: 'put', key: 'x', value: 'a' }, output: {} },
  { client: 'c2', call: 2, return: 8, input: { op: 'get', key: 'x' }, output: { value: '' } },
  { client: 'c1', call: 11, return: 20, input: { op: 'append', key: 'x', value: 'b' }, output: {} },
  { client: 'c0', call: 21, return: 30, input: { op: 'get', key: 'x' }, output: { value: 'ab' } },
];
writeFileSync(join(work, 'lab.json'), JSON.stringify({ model: 'kv', operations: labOps }));
writeFileSync(join(work, 'lab-initial.json'), JSON.stringify({ model: 'kv', initial: '', operations: labOps }));
writeFileSync(join(work, 'lab-stale.json'), JSON.stringify({ model: 'kv', operations: [
  ...labOps,
  { client: 'c1', call: 40, return: 50, input: { op: 'put', key: 'w', value: 'v' }, output: {} },
  { client: 'c2', call: 60, return: 70, input: { op: 'get', key: 'w' }, output: { value: '' } },
] }));
writeFileSync(join(work, 'lab-object.json'), JSON.stringify({ model: 'kv', initial: { y: '' }, operations: labOps }));
writeFileSync(join(work, 'lab.edn'), [
  '{:process 0, :type :invoke, :f :get, :key "y", :value nil}',
  '{:process 1, :type :invoke, :f :put, :key "x", :value "a"}',
  '{:process 2, :type :invoke, :f :get, :key "x", :value nil}',
  '{:process 0, :type :ok, :f :get, :key "y", :value ""}',
  '{:process 2, :type :ok, :f :get, :key "x", :value ""}',
  '{:process 1, :type :ok, :f :put, :key "x", :value "a"}',
  '{:process 1, :type :invoke, :f :append, :key "x", :value "b"}',
  '{:process 1, :type :ok, :f :append, :key "x", :value "b"}',
  '{:process 0, :type :invoke, :f :get, :key "x", :value nil}',
  '{:process 0, :type :ok, :f :get, :key "x", :value "ab"}',
].join('\n'));

describe('faultline check', () => {
  it('a linearizable JSON history: exit 0 and the documented JSON', () => {
    const r = check('good.json', '--json');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ verdict: 'linearizable', operations: 500, keys: 10 });
    expect(typeof json.wallMillis).toBe('number');
  });

  it('a corrupted history: exit 1, with the failing key and an explanation', () => {
    const r = check('bad.json', '--json');
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.verdict).toBe('not-linearizable');
    expect(json.failure.explanation).toMatch(/not linearizable/);
    const human = check('bad.json');
    expect(human.stdout).toContain('NOT LINEARIZABLE');
    expect(human.stdout).toContain('✗');
  });

  it('an EDN register history with a stale read: exit 1', () => {
    const r = check('stale.edn');
    expect(r.status).toBe(1);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('#2 p1: read → 1 (called 4, returned 5) must take effect before it returned, yet it saw 1 while the value was 2');
  });

  it('a budget that runs out: verdict unknown, exit 3', () => {
    const r = check('hard.json', '--timeout', '1us', '--json');
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout).verdict).toBe('unknown');
  });

  describe('initial values: a history whose missing keys read as ""', () => {
    it('without --initial, keys start as null: not linearizable, with a hint naming the flag', () => {
      const r = check('lab.json');
      expect(r.status).toBe(1);
      expect(r.stdout.replace(/\s+/g, ' ')).toContain('no operation on key y ever wrote that value and the initial value of key y was nothing');
      expect(r.stdout.replace(/\s+/g, ' ')).toContain(`check it with --initial '""'`);
      expect(JSON.parse(check('lab.json', '--json').stdout)).toMatchObject({ verdict: 'not-linearizable', initial: null });
    });

    it(`with --initial '""': linearizable, and --json reports the initial value`, () => {
      const r = check('lab.json', '--initial', '""', '--json');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'linearizable', model: 'kv', initial: '', operations: 5, keys: 2 });
      const human = check('lab.json', '--initial', '""');
      expect(human.stdout).toMatch(/^LINEARIZABLE {2}5 operations, 2 keys, each key starting as "", checked in/);
      expect(human.stdout).not.toContain('hint');
    });

    it('a JSON history\'s own "initial" is used; --initial overrides it', () => {
      expect(check('lab-initial.json').status).toBe(0);
      const overridden = check('lab-initial.json', '--initial', 'null', '--json');
      expect(overridden.status).toBe(1);
      expect(JSON.parse(overridden.stdout).initial).toBeNull();
    });

    it('the EDN form of the same history, with --initial \'""\'', () => {
      expect(check('lab.edn').status).toBe(1);
      const r = check('lab.edn', '--initial', '""', '--json');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'linearizable', model: 'kv', initial: '', keys: 2 });
    });

    it('a read of "" after a put completed still fails with --initial \'""\'', () => {
      const r = check('lab-stale.json', '--initial', '""', '--json');
      expect(r.status).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.failure.key).toBe('w');
      expect(json.failure.explanation).toContain('it saw "" while the value was "v"');
    });
  });

  for (const [name, args, message] of [
    ['missing file', ['absent.json'], /absent.json: cannot read the file \(ENOENT\)/],
    ['malformed EDN', ['broken.edn'], /broken.edn: line 1: unexpected end of line/],
    ['bad model', ['good.json', '--model', 'graph'], /argument 'graph' is invalid/],
    ['bad timeout', ['good.json', '--timeout', 'soon'], /--timeout soon: expected a duration/],
    ['--initial not JSON', ['lab.json', '--initial', 'abc'], /^faultline: --initial abc: not a JSON value \(a string needs JSON quotes, e.g. --initial '"abc"'\)\n$/],
    ['--initial checked before the file is read', ['absent.json', '--initial', 'abc'], /^faultline: --initial abc: not a JSON value/],
    ['--initial empty', ['lab.json', '--initial', ''], /^faultline: --initial '': not a JSON value/],
    ['--initial an object for kv', ['lab.json', '--initial', '{"y":""}'], /^faultline: --initial \{"y":""\}: for kv, the initial value is every key's starting value \(such as "", 0 or null\); an object \(per-key values\) is not supported\n$/],
    ['"initial" an object for kv', ['lab-object.json'], /^faultline: lab-object.json: "initial" \{"y":""\}: for kv/],
    ['--initial without a value', ['lab.json', '--initial'], /option '--initial <json>' argument missing/],
  ] as const) {
    it(`bad input (${name}): one line, exit 2`, () => {
      expectOneLineExit2(check(...args), message);
    });
  }
});
