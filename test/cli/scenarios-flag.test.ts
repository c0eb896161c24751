// `--scenarios FILE`: run, sweep (whose worker threads load the module too), replay, shrink and list take
// scenarios from a user's module, here the counter of examples/; a bad path or a module without
// scenarios is one line and exit 2. The example imports 'faultline', which resolves to dist/: built here if stale.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compiledIsCurrent } from '../../bin/compiled.js';
import { BIN, cliWorkspace, ROOT } from './cli-helpers.js';

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
    // The replay file names the module, so replay needs no --scenarios.
    expect(JSON.parse(readFileSync(failure, 'utf8'))).toMatchObject({ scenarios: EXAMPLE });
    const alone = faultline('replay', failure, '--json');
    expect(alone.stderr).toBe('');
    expect(JSON.parse(alone.stdout)).toMatchObject({ reproduced: true });
    expect(alone.status).toBe(replayed.status);

    const shrunk = faultline('shrink', '--scenarios', EXAMPLE, failure, '--out', 'min.json', '--json');
    expect(shrunk.status).toBe(replayed.status);
    expect(JSON.parse(shrunk.stdout)).toMatchObject({ file: 'min.json' });
  });

  it('prints replay commands that name the module as given, quoted, and reproduce the run when run verbatim', () => {
    // A relative path with a space, through a link to the example (imports resolve from the real files).
    symlinkSync(join(ROOT, 'examples/counter'), join(work, 'my counter'));
    const given = 'my counter/scenarios.ts';
    const shell = (command: string) => spawnSync('bash', ['-c', `faultline() { ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"; }; ${command}`], {
      cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' },
    });
    const ran = faultline('run', '--scenarios', given, 'counter-crashes', '--seed', '3', '--bug', BUG, '--json');
    const json = JSON.parse(ran.stdout) as { replay: string; fingerprint: string };
    expect(json.replay).toBe(`faultline run --scenarios 'my counter/scenarios.ts' counter-crashes --seed 3 --bug ${BUG}`);
    const again = shell(`${json.replay} --json`);
    expect(again.stderr).toBe('');
    expect((JSON.parse(again.stdout) as { fingerprint: string }).fingerprint).toBe(json.fingerprint);
    expect(faultline('run', '--scenarios', given, 'counter-crashes', '--seed', '3', '--bug', BUG).stdout).toContain(json.replay);

    const swept = faultline('sweep', '--scenarios', given, 'counter-crashes', '--seeds', '1..6', '--bug', BUG, '--workers', '2', '--out', 'swept');
    const lines = swept.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('faultline run'));
    expect(lines.length).toBeGreaterThan(0);
    const runs = readFileSync(join(work, 'swept/runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seed: number; fingerprint: string; replay: string });
    for (const line of lines) {
      expect(line).toMatch(/^faultline run --scenarios 'my counter\/scenarios\.ts' counter-crashes --seed \d+ --bug /);
      const seed = Number(/--seed (\d+)/.exec(line)![1]);
      expect(runs.find((r) => r.seed === seed)!.replay).toBe(line);
      const rerun = shell(`${line} --json`);
      expect((JSON.parse(rerun.stdout) as { fingerprint: string }).fingerprint, line).toBe(runs.find((r) => r.seed === seed)!.fingerprint);
    }
  });

  it('replay of a file whose recorded module is gone says so in one line with exit 2', () => {
    const saved = faultline('run', '--scenarios', EXAMPLE, 'counter-crashes', '--seed', '1', '--save', 'saved.json');
    expect(saved.status).toBe(0);
    const file = JSON.parse(readFileSync(join(work, 'saved.json'), 'utf8')) as Record<string, unknown>;
    expect(file.scenarios).toBe(EXAMPLE);
    writeFileSync(join(work, 'moved.json'), JSON.stringify({ ...file, scenarios: 'gone/scenarios.ts' }));
    const gone = faultline('replay', 'moved.json');
    expect(gone.stderr).toBe(`faultline: moved.json: scenarios ${join(work, 'gone/scenarios.ts')}: cannot read the module (ENOENT); give --scenarios MODULE to load scenario counter-crashes from elsewhere\n`);
    expect(gone.status).toBe(2);
    // --scenarios still wins: the scenario is known, so the recorded path is not needed.
    expect(faultline('replay', '--scenarios', EXAMPLE, 'moved.json').status).toBe(0);
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
