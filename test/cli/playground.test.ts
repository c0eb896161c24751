// `faultline playground`: --out writes one self-contained page (no network URL in it), the server answers
// on 127.0.0.1 only, --replay FILE and --lesson ID put the run or lesson in the page's config, and bad input
// (scenario, seed, bug, port, --out target, a port in use, a bad file or lesson) is one line, exit 2, before any work.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliWorkspace, expectOneLineExit2 } from './cli-helpers.js';
import { CONFIG_ELEMENT_ID, type PlaygroundConfig } from '../../playground/config.js';
import { LESSONS } from '../../playground/lessons.js';
import { openRunText } from '../../playground/open-file.js';

const { work, faultline } = cliWorkspace('playground');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** The config a written page carries, as the page reads it. */
function pageConfig(html: string): PlaygroundConfig {
  const match = new RegExp(`<script id="${CONFIG_ELEMENT_ID}" type="application/json">([^<]*)</script>`).exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as PlaygroundConfig;
}

/** Starts `faultline playground ARGS` and resolves with the URL it prints. */
function serve(...args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'playground', ...args], { cwd: work, env: { ...process.env, FORCE_COLOR: '0' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (match) resolve({ child, url: match[0] });
    });
    child.stderr!.on('data', (chunk) => { err += String(chunk); });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe('faultline playground', () => {
  it('--out DIR writes a self-contained index.html with every scenario, creating DIR', () => {
    const r = faultline('playground', 'raft-leader-crash', '--seed', '7', '--out', 'pages/one');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^wrote pages\/one\/index\.html \(\d/);
    const html = readFileSync(join(work, 'pages/one/index.html'), 'utf8');
    expect(html).toContain('"scenario":"raft-leader-crash","seed":7');
    for (const name of ['broadcast-lossy', 'paxos-dueling', '2pc-chaos', 'lb-steady']) expect(html).toContain(`"name":"${name}"`);
    // Nothing loaded by the markup (the browser test watches the page's requests too).
    expect(html.match(/<(script|link|img|iframe)\b[^>]*\b(src|href)=/i)).toBeNull();
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'`);
  }, 60_000);

  it('serves the page on 127.0.0.1, and a port in use is one line, exit 2', async () => {
    const { url } = await serve('raft-lossy', '--seed', '3', '--port', '0');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('"scenario":"raft-lossy","seed":3');
    expect((await fetch(new URL('/elsewhere', url))).status).toBe(404);

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      expectOneLineExit2(faultline('playground', '--port', String(port)), new RegExp(`--port ${port}: already in use on 127\\.0\\.0\\.1`));
    } finally {
      taken.close();
    }
  }, 60_000);

  it('bad input: one line, exit 2, nothing written', () => {
    mkdirSync(join(work, 'holder/index.html'), { recursive: true });
    writeFileSync(join(work, 'plain'), 'x');
    const cases: [string[], RegExp][] = [
      [['nope'], /unknown scenario 'nope'/],
      [['--seed', '-1'], /--seed -1: expected an integer/],
      [['--seed', '99999999999'], /--seed 99999999999: expected an integer/],
      [['--bug', 'raft/none'], /--bug raft\/none: scenario raft-leader-crash has no such planted bug/],
      [['--port', 'x'], /--port x: expected/],
      [['--port', '70000'], /--port 70000: expected a port from 0 to 65535/],
      [['--out', 'plain'], /--out plain: is a regular file, not a directory/],
      [['--out', 'holder'], /--out holder\/index\.html: is a directory/],
      [['--out', 'x', '--port', '1'], /--port 1 and --out x/],
      [['nope', '--out', 'never'], /unknown scenario/],
    ];
    for (const [args, message] of cases) expectOneLineExit2(faultline('playground', ...args), message);
    expect(existsSync(join(work, 'never'))).toBe(false);
  }, 60_000);

  it('--replay FILE (a replay file or a run report) puts the checked run in the page: scenario, seed, bug, schedule, expected fingerprint', async () => {
    const saved = faultline('run', 'raft-figure-8', '--seed', '1', '--bug', 'raft/commit-old-term', '--save', 'fig8.json', '--report', 'fig8.html');
    expect([0, 1], saved.stderr).toContain(saved.status);
    const file = JSON.parse(readFileSync(join(work, 'fig8.json'), 'utf8')) as { expected: { fingerprint: string }; faults: unknown[] };
    for (const [given, kind] of [['fig8.json', 'replay file'], ['fig8.html', 'run report']] as const) {
      const out = `pages/${kind.replace(' ', '-')}`;
      const r = faultline('playground', '--replay', given, '--out', out);
      expect(r.status, r.stderr).toBe(0);
      const config = pageConfig(readFileSync(join(work, out, 'index.html'), 'utf8'));
      expect(config).toMatchObject({ scenario: 'raft-figure-8', seed: 1, bug: 'raft/commit-old-term' });
      expect(config.lesson).toBeUndefined();
      // The run the page opens is the file opened as the page itself would open it.
      expect(config.opened).toEqual(openRunText(readFileSync(join(work, given), 'utf8'), given));
      expect(config.opened).toMatchObject({ name: given, kind, editedFields: [] });
      expect(config.opened!.expected.fingerprint).toBe(file.expected.fingerprint);
      expect(config.opened!.schedule.length).toBe(file.faults.length);
    }
    const { url } = await serve('--replay', 'fig8.json', '--port', '0');
    const served = pageConfig(await (await fetch(url)).text());
    expect(served.opened?.expected.fingerprint).toBe(file.expected.fingerprint);
  }, 90_000);

  it('--replay opens a sweep\'s failure file and shrink\'s minimal file (both replay files)', () => {
    const swept = faultline('sweep', 'raft-figure-8', '--bug', 'raft/commit-old-term', '--seeds', '1..1', '--out', 'sweep');
    expect(swept.status, swept.stderr).toBe(1);
    const shrunk = faultline('shrink', 'sweep/failures/raft-figure-8-1.json');
    expect(shrunk.status, shrunk.stderr).toBe(1);
    for (const file of ['sweep/failures/raft-figure-8-1.json', 'sweep/failures/raft-figure-8-1.min.json']) {
      const r = faultline('playground', '--replay', file, '--out', `pages/${file.replace(/\W/g, '-')}`);
      expect(r.status, r.stderr).toBe(0);
      const config = pageConfig(readFileSync(join(work, `pages/${file.replace(/\W/g, '-')}`, 'index.html'), 'utf8'));
      const saved = JSON.parse(readFileSync(join(work, file), 'utf8')) as { expected: { fingerprint: string } };
      expect(config.opened).toMatchObject({ name: file, scenario: 'raft-figure-8', seed: 1, bug: 'raft/commit-old-term', expected: { fingerprint: saved.expected.fingerprint, outcome: 'safety-violation' } });
    }
  }, 90_000);

  it('--lesson ID puts the lesson in the page, with its scenario, seed and bug', () => {
    for (const lesson of LESSONS) {
      const r = faultline('playground', '--lesson', lesson.id, '--out', `pages/lesson-${lesson.id}`);
      expect(r.status, r.stderr).toBe(0);
      const config = pageConfig(readFileSync(join(work, `pages/lesson-${lesson.id}`, 'index.html'), 'utf8'));
      expect(config).toMatchObject({ lesson: lesson.id, scenario: lesson.scenario, seed: lesson.seed, bug: lesson.bug ?? null });
      expect(config.opened).toBeUndefined();
    }
  }, 90_000);

  it('bad --replay and --lesson input: one line, exit 2, nothing written', () => {
    writeFileSync(join(work, 'list.json'), '[]');
    writeFileSync(join(work, 'broken.json'), '{"format": "faultline-replay/1",');
    writeFileSync(join(work, 'other.html'), '<!DOCTYPE html><html><body>an experiment report</body></html>');
    const saved = faultline('run', 'raft-leader-crash', '--seed', '2', '--duration', '500ms', '--save', 'small.json');
    expect(saved.status, saved.stderr).toBe(0);
    const small = JSON.parse(readFileSync(join(work, 'small.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(work, 'crowded.json'), JSON.stringify({ ...small, nodes: 99 }));
    writeFileSync(join(work, 'mine.json'), JSON.stringify({ ...small, scenario: 'counter-crashes', scenarios: './counter.ts' }));
    const cases: [string[], RegExp][] = [
      [['--replay', 'missing.json'], /^--replay missing\.json: cannot read the file \(ENOENT\)$/],
      [['--replay', 'list.json'], /^list\.json: a JSON list \(a fault schedule\?\), not a replay file/],
      [['--replay', 'broken.json'], /^broken\.json: neither JSON nor an HTML page/],
      [['--replay', 'other.html'], /^other\.html: an HTML page without a run's replay file/],
      [['--replay', 'crowded.json'], /^crowded\.json: --nodes 99: scenario raft-leader-crash runs with/],
      [['--replay', 'mine.json'], /^mine\.json: scenario: counter-crashes comes from the module \.\/counter\.ts/],
      [['--replay', 'small.json', 'raft-lossy'], /^--replay small\.json and raft-lossy: the file names the scenario, seed and bug; give --replay alone$/],
      [['--replay', 'small.json', '--bug', 'raft/commit-old-term'], /^--replay small\.json and --bug raft\/commit-old-term: /],
      [['--replay', 'small.json', '--lesson', 'figure-8'], /^--replay small\.json and --lesson figure-8: the page opens one of them first; give one$/],
      [['--lesson', 'leader-crsh'], /^--lesson leader-crsh: unknown lesson \(did you mean leader-crash\? known: leader-crash, minority-leader, figure-8, dueling-proposers, slow-member\)$/],
      [['--lesson', 'zzz'], /^--lesson zzz: unknown lesson \(known: leader-crash, /],
      [['--lesson', 'figure-8', '--seed', '2'], /^--lesson figure-8 and --seed 2: the lesson names the scenario, seed and bug; give --lesson alone$/],
    ];
    for (const [args, message] of cases) {
      const r = faultline('playground', ...args, '--out', 'never');
      expectOneLineExit2(r, /^faultline: /);
      expect(r.stderr.trim(), args.join(' ')).toMatch(new RegExp(`^faultline: ${message.source.slice(1)}`));
    }
    expect(existsSync(join(work, 'never'))).toBe(false);
  }, 90_000);
});
