// The package as a user gets it: `npm pack` (which runs `prepare`, the build) on a copy of this tree,
// the tarball installed into a fresh project (from npm's cache where it can), the counter example copied
// there and its vitest tests run against the installed 'faultline'; the installed CLI answers --version,
// loads the example's scenarios, and the example type-checks against the shipped .d.ts files.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Folders of a working tree that are not part of the source. */
const NOT_SOURCE = new Set(['node_modules', 'dist', '.git', 'out', 'test-output', 'scratch', 'reports-mutation']);
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let temp: string;
let project: string;
let tarball: string;

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
}

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'faultline-package-'));
  // Pack a copy, so that its build never rewrites this tree's dist/ under other tests' feet.
  const copy = join(temp, 'source');
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (path) => {
      const top = relative(ROOT, path).split(/[\\/]/)[0]!;
      return !NOT_SOURCE.has(top) && !top.startsWith('dist.tmp-');
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const packed = run(NPM, ['pack', '--silent', '--pack-destination', temp], copy);
  expect(packed.status, packed.stderr).toBe(0);
  tarball = join(temp, packed.stdout.trim().split('\n').pop()!);

  project = join(temp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'counter-example', private: true, type: 'module' }, null, 2));
  const installed = run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], project);
  expect(installed.status, installed.stderr).toBe(0);
  cpSync(join(ROOT, 'examples/counter'), project, { recursive: true });
}, 300_000);

afterAll(() => {
  if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships compiled JavaScript and declarations, not the TypeScript sources', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining([
      'package/package.json', 'package/bin/faultline.js', 'package/bin/compiled.js',
      'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/bin/cli.js', 'package/dist/lab/sweep-worker-entry.js',
    ]));
    // Only the browser code of the HTML reports and the playground travels as TypeScript (esbuild bundles it
    // when a page is written).
    expect(listing.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort()).toEqual([
      ...['client', 'node-view', 'node-views', 'open-control', 'replay', 'view-fd', 'view-index', 'view-paxos', 'view-raft'].map((name) => `package/dist/playground/${name}.ts`),
      'package/dist/reports/check-html-client.ts', 'package/dist/reports/experiment-html-client.ts', 'package/dist/reports/html-client.ts', 'package/dist/reports/html-queues-client.ts', 'package/dist/reports/tooltip-client.ts',
    ]);
  });

  it('runs the example\'s tests against the installed package', () => {
    const tested = run(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', project], project);
    expect(tested.stdout + tested.stderr).toMatch(/Tests\s+4 passed \(4\)/);
    expect(tested.status).toBe(0);
  });

  it('type-checks the example against the shipped declarations', () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
        types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      // The algorithm, its checkers and scenarios (the test file needs vitest's types, not installed here).
      include: ['*.ts'], exclude: ['*.test.ts'],
    }));
    const checked = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], project);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });

  it('installs a faultline command that runs compiled and loads a user\'s scenarios', () => {
    const bin = join(project, 'node_modules/.bin');
    expect(readdirSync(bin)).toContain('faultline');
    const versioned = run(NPM, ['exec', '--offline', '--', 'faultline', '--version'], project);
    expect(versioned.stdout.trim()).toBe(version);
    expect(versioned.status).toBe(0);
    const ran = run(join(bin, 'faultline'), ['run', '--scenarios', './scenarios.ts', 'counter-crashes', '--seed', '2', '--json'], project);
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toMatchObject({ scenario: 'counter-crashes', outcome: 'pass' });
  });
});
