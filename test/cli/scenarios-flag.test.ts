// `--scenarios FILE`: run, sweep (whose worker threads load the module too), replay, shrink and list take
// scenarios from a user's module, here the counter of examples/; a bad path or a module without
// scenarios is one line and exit 2. The example imports 'faultline', which resolves to dist/: built here if stale.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compiledIsCurrent } from '../../bin/compiled.js';
import { cliWorkspace, ROOT } from './cli-helpers.js';

const EXAMPLE = join(ROOT, 'examples/counter/scenarios.ts');
const BUG = 'counter/unsynced-count';

beforeAll(() => {
  if (compiledIsCurrent(pathToFileURL(`${ROOT}/`))) return;
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
}, 120_000);

describe('--scenarios', () => {
  const { work, faultline } = cliWorkspace('scenarios-flag');

  it('runs a scenario of the module, which the built-in registry does not know', () => {
    expect(faultline('run', 'counter-crashes', '--seed', '1').status).toBe(2);
    const ran = faultline('run', '--scenarios', EXAMPLE, 'counter-crashes', '--seed', '1', '--json');
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ scenario: 'counter-crashes', seed: 1, outcome: 'pass' });
  });

  it('lists the module\'s scenarios after the built-in ones', () => {
    const listed = faultline('list', '--scenarios', EXAMPLE, '--json');
    expect(listed.status).toBe(0);
    const names = (JSON.parse(listed.stdout) as { scenarios: { name: string }[] }).scenarios.map((s) => s.name);
    expect(names.slice(-2)).toEqual(['counter-crashes', 'counter-chaos']);
    expect(names).toContain('raft-chaos');
  });

  it('sweeps on worker threads that load the module, then replays and shrinks a failure', () => {
    const swept = faultline('sweep', '--scenarios', EXAMPLE, 'counter-crashes', '--seeds', '1..10', '--bug', BUG, '--workers', '2', '--out', 'out', '--json');
    expect(swept.stderr).not.toMatch(/unknown scenario|sweep failed/);
    const summary = JSON.parse(swept.stdout) as { runs: number; safetyFailures: number; livenessFailures: number };
    expect(summary.runs).toBe(10);
    // The bug is caught on most seeds (7 of seeds 1–10 today); the control passes (first test).
    expect(summary.safetyFailures + summary.livenessFailures).toBeGreaterThanOrEqual(5);
    expect([1, 3]).toContain(swept.status);

    const failure = join(work, 'out/failures', readdirSync(join(work, 'out/failures')).sort()[0]!);
    const replayed = faultline('replay', '--scenarios', EXAMPLE, failure, '--json');
    expect(JSON.parse(replayed.stdout)).toMatchObject({ reproduced: true });
    expect([1, 3]).toContain(replayed.status);
    expect(faultline('replay', failure).stderr).toMatch(/^faultline: .*unknown scenario 'counter-crashes'/);

    const shrunk = faultline('shrink', '--scenarios', EXAMPLE, failure, '--out', 'min.json', '--json');
    expect(shrunk.status).toBe(replayed.status);
    expect(JSON.parse(shrunk.stdout)).toMatchObject({ file: 'min.json' });
  });

  it('refuses a bad module in one line with exit 2', () => {
    writeFileSync(join(work, 'none.mjs'), 'export const answer = 42;\n');
    writeFileSync(join(work, 'empty.mjs'), 'export const scenarios = [];\n');
    writeFileSync(join(work, 'broken.mjs'), 'export const scenarios = [;\n');
    writeFileSync(join(work, 'odd.mjs'), "export const scenarios = [{ name: 'odd' }];\n");
    const clash = { name: 'raft-chaos', description: 'x', defaultNodes: 1, minNodes: 1, maxNodes: 1, defaultDurationMicros: 1_000_000, params: [], bugs: [] };
    writeFileSync(join(work, 'clash.mjs'), `export default { ...${JSON.stringify(clash)}, build() { throw new Error('not run'); } };\n`);
    const cases: [string, RegExp][] = [
      ['missing.js', /^faultline: --scenarios missing\.js: cannot read the module \(ENOENT\)\n$/],
      ['.', /^faultline: --scenarios \.: not a file \(expected a JavaScript or TypeScript module exporting scenarios\)\n$/],
      ['none.mjs', /^faultline: --scenarios none\.mjs: the module exports no scenarios \(export const scenarios = \[ … \]\)\n$/],
      ['empty.mjs', /^faultline: --scenarios empty\.mjs: the module exports no scenarios \(its list is empty\)\n$/],
      ['broken.mjs', /^faultline: --scenarios broken\.mjs: cannot load the module \(Unexpected token.*\)\n$/],
      ['odd.mjs', /^faultline: --scenarios odd\.mjs: scenarios\[0\] is not a scenario \(odd: build: expected a function\)\n$/],
      ['clash.mjs', /^faultline: --scenarios clash\.mjs: scenario name 'raft-chaos' is already taken by a built-in scenario\n$/],
    ];
    for (const [module, message] of cases) {
      for (const args of [['run', 'x'], ['sweep', 'x', '--seeds', '1..2']]) {
        const ran = faultline(args[0]!, '--scenarios', module, ...args.slice(1));
        expect(ran.stderr, `${args[0]} --scenarios ${module}`).toMatch(message);
        expect(ran.status).toBe(2);
        expect(ran.stdout).toBe('');
      }
    }
  });
});
