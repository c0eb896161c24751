// `faultline playground`: --out writes one self-contained page (no network URL in it), the server answers
// on 127.0.0.1 only, and bad input (scenario, seed, bug, port, --out target, a port in use) is one line,
// exit 2, before any work.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliWorkspace, expectOneLineExit2 } from './cli-helpers.js';

const { work, faultline } = cliWorkspace('playground');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

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
});
