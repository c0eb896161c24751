// `faultline check` on Jepsen histories as Jepsen writes them: the nemesis skipped, Knossos's vector
// files, independent keys, and one-line refusals (a transactional history, a broken vector item).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('check-jepsen');
const check = (...args: string[]) => faultline('check', ...args);

// Independent keys with the nemesis between client events; key :y's read of 2 is stale.
writeFileSync(join(work, 'independent.edn'), [
  '{:index 0, :time 100, :type :invoke, :process 0, :f :write, :value [:x 1]}',
  '{:index 1, :time 200, :type :info, :process :nemesis, :f :start, :value {"n1" #{"n2"}}}',
  '{:index 2, :time 300, :type :ok, :process 0, :f :write, :value [:x 1]}',
  '{:index 3, :time 400, :type :invoke, :process 1, :f :write, :value [:y 2]}',
  '{:index 4, :time 500, :type :ok, :process 1, :f :write, :value [:y 2]}',
  '{:index 5, :time 600, :type :invoke, :process 1, :f :write, :value [:y 3]}',
  '{:index 6, :time 700, :type :ok, :process 1, :f :write, :value [:y 3]}',
  '{:index 7, :time 800, :type :info, :process :nemesis, :f :stop, :value nil}',
  '{:index 8, :time 900, :type :invoke, :process 2, :f :read, :value [:y nil]}',
  '{:index 9, :time 950, :type :ok, :process 2, :f :read, :value [:y 2]}',
  '{:index 10, :time 990, :type :invoke, :process 0, :f :read, :value [:x nil]}',
  '{:index 11, :time 999, :type :ok, :process 0, :f :read, :value [:x 1]}',
].join('\n') + '\n');

// Knossos's form: one vector of maps; the timed-out cas (:info) may have happened, which explains the read.
writeFileSync(join(work, 'knossos.edn'), `[{:process 0, :type :invoke, :f :write, :value 1}
 {:process 0, :type :ok, :f :write, :value 1}
 {:process 1, :type :invoke, :f :cas, :value [1 4]}
 {:process 1, :type :info, :f :cas, :value [1 4]}
 {:process :nemesis, :type :info, :f :kill, :value :majority}
 {:process 2, :type :invoke, :f :read, :value nil}
 {:process 2, :type :ok, :f :read, :value 4}]
`);
writeFileSync(join(work, 'append.edn'), '{:type :invoke, :f :txn, :value [[:append 5 1] [:r 5 nil]], :process 0, :time 1, :index 0}\n');
writeFileSync(join(work, 'broken-vector.edn'), '[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0 :type :done :f :read :value 1}]\n');

describe('faultline check on Jepsen histories', () => {
  it('independent keys with the nemesis: kv, the stale key found, exit 1', () => {
    const r = check('independent.edn', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'not-linearizable', model: 'kv', operations: 5, keys: 2, failure: { key: 'y' }, ignored: { events: 2, processes: [':nemesis'] } });
    const text = check('independent.edn');
    expect(text.stdout).toContain('ignored 2 events of non-client process (:nemesis)');
  });

  it('a Knossos vector file: a timed-out cas may have happened, exit 0', () => {
    const r = check('knossos.edn', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'linearizable', model: 'register', operations: 3 });
  });

  for (const [name, file, message] of [
    ['a transactional history', 'append.edn', /^faultline: append.edn: line 1: :f :txn: a transactional history \(list-append\); .* check it with Elle \(list-append or rw-register\)\n$/],
    ['a broken vector item', 'broken-vector.edn', /^faultline: broken-vector.edn: line 2 \(vector item 1\): :type must be :invoke, :ok, :fail or :info; got :done\n$/],
  ] as const) {
    it(`refuses ${name}: one line, exit 2`, () => {
      const r = check(file);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    });
  }
});
