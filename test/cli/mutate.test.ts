// `npm run mutate` (scripts/mutate.mjs) refuses a bad path or option with one line and exit 2 before it
// starts Stryker: nothing on stdout (Stryker's log), no report folder made. The mutation run itself is a
// benchmark-like job outside the suite.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli-helpers.js';

const SCRIPT = join(ROOT, 'scripts', 'mutate.mjs');
const REPORTS = join(ROOT, 'reports-mutation');

function mutate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run mutate: bad input', () => {
  it('is a script of package.json', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.mutate).toBe('node scripts/mutate.mjs');
  });

  it.each([
    [['not/a/path'], 'faultline: mutate: not/a/path does not exist'],
    [['README.md'], 'faultline: mutate: README.md is not under algorithms/'],
    [['algorithms/raft/../../sim'], 'faultline: mutate: algorithms/raft/../../sim is not under algorithms/'],
    [['algorithms/raft', 'algorithms/nope'], 'faultline: mutate: algorithms/nope does not exist'],
    [['--bogus'], 'faultline: mutate: unknown option --bogus (known: --incremental, --concurrency=N)'],
    [['algorithms/raft/raft.ts:20-10'], 'faultline: mutate: algorithms/raft/raft.ts:20-10: the line range must run from a first line ≥ 1 to a last line ≥ it'],
    [['algorithms/raft/nope.ts:1-9'], 'faultline: mutate: algorithms/raft/nope.ts does not exist'],
    [['--concurrency=0'], "faultline: mutate: --concurrency must be a whole number from 1 to 99; got '0'"],
  ])('%j: one line, exit 2, Stryker never starts', (args, line) => {
    const reportsBefore = existsSync(REPORTS) ? readdirSync(REPORTS).sort() : null;
    const r = mutate(...args);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync(REPORTS) ? readdirSync(REPORTS).sort() : null).toEqual(reportsBefore);
  });
});
