// `faultline check` end to end: verdicts and exit codes for JSON and EDN histories, a budget that
// ends in "unknown", and one-line errors for bad input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from './cli-helpers.js';
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

  for (const [name, args, message] of [
    ['missing file', ['absent.json'], /absent.json: cannot read the file \(ENOENT\)/],
    ['malformed EDN', ['broken.edn'], /broken.edn: line 1: unexpected end of line/],
    ['bad model', ['good.json', '--model', 'graph'], /argument 'graph' is invalid/],
    ['bad timeout', ['good.json', '--timeout', 'soon'], /--timeout soon: expected a duration/],
  ] as const) {
    it(`bad input (${name}): one line, exit 2`, () => {
      const r = check(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
