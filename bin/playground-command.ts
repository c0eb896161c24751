// The `playground` verb: the simulator running in a browser page (playground/), with faults by click and
// time travel. Without --out it serves the page on 127.0.0.1 only (node:http) until stopped; with --out DIR
// it writes DIR/index.html, self-contained, to open from disk. Every input is checked before any work.

import type { Command } from 'commander';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkOutputDirectory, checkOutputFile, createOutputDirectory, writeOutputFile, type OutputDirectory, type OutputTarget } from '../lab/output-path.js';
import { readVersion } from '../lab/replay-file.js';
import { playgroundConfig } from '../playground/config.js';
import { renderPlaygroundPage } from '../playground/page.js';
import { PlaygroundSession } from '../playground/session.js';
import { findScenario, scenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import { SEED_MAX } from '../sim/rng.js';
import { suggestionOrKnown } from '../sim/suggest.js';
import { parseCount } from './flags.js';

interface PlaygroundFlags {
  seed: string;
  bug?: string;
  port?: string;
  out?: string;
}

/** The scenario the playground opens with when none is named. */
export const PLAYGROUND_DEFAULT_SCENARIO = 'raft-leader-crash';
export const PLAYGROUND_DEFAULT_PORT = 4477;
const PORT_MAX = 65_535;

export function registerPlaygroundCommand(program: Command): void {
  program
    .command('playground')
    .description('the simulator in a browser page: watch a cluster, crash or pause nodes by click, scrub time, download a replay file')
    .argument('[scenario]', 'the scenario to open first (any other can be picked in the page)', PLAYGROUND_DEFAULT_SCENARIO)
    .option('--seed <n>', 'the seed to open first', '1')
    .option('--bug <name>', 'switch on a planted bug')
    .option('--port <n>', `serve on http://127.0.0.1:PORT/ (default ${PLAYGROUND_DEFAULT_PORT}; 0 for any free port)`)
    .option('--out <dir>', 'write DIR/index.html instead of serving it: one self-contained file that opens from disk')
    .action(async (name: string, flags: PlaygroundFlags) => {
      await playgroundAction(name, flags);
    });
}

interface Checked {
  readonly html: () => string;
  readonly out?: { readonly dir: OutputDirectory; readonly file: OutputTarget };
  readonly port?: number;
}

/** Every input, checked before any work (bundling, writing, listening). */
function checkFlags(name: string, flags: PlaygroundFlags): Checked {
  const scenario = findScenario(name);
  if (scenario === undefined) throw new InputError(`unknown scenario '${name}' (${suggestionOrKnown(name, scenarios.map((s) => s.name))})`);
  if (!/^\d+$/.test(flags.seed) || Number(flags.seed) > SEED_MAX) throw new InputError(`--seed ${flags.seed}: expected an integer from 0 to ${SEED_MAX}`);
  const seed = Number(flags.seed);
  // The bug, and the scenario's set-up and schedule for this seed, as the page will run them.
  new PlaygroundSession({ scenario, seed, ...(flags.bug !== undefined ? { bug: flags.bug } : {}) });
  if (flags.out !== undefined && flags.port !== undefined) throw new InputError(`--port ${flags.port} and --out ${flags.out}: --out writes the page and serves nothing; give one of them`);
  const html = () => renderPlaygroundPage(playgroundConfig(scenarios, { scenario: scenario.name, seed, ...(flags.bug !== undefined ? { bug: flags.bug } : {}) }, readVersion()));
  if (flags.out !== undefined) {
    const dir = checkOutputDirectory('--out', flags.out);
    const given = join(flags.out, 'index.html');
    // An existing directory may hold something called index.html that cannot be replaced; a new one holds nothing.
    const file: OutputTarget = dir.missing.length === 0 ? checkOutputFile('--out', given) : { flag: '--out', given, toStdout: false, path: join(dir.path, 'index.html'), linked: false };
    return { html, out: { dir, file } };
  }
  const port = flags.port === undefined ? PLAYGROUND_DEFAULT_PORT : parseCount('--port', flags.port);
  if (port > PORT_MAX) throw new InputError(`--port ${flags.port}: expected a port from 0 to ${PORT_MAX}`);
  return { html, port };
}

async function playgroundAction(name: string, flags: PlaygroundFlags): Promise<void> {
  const checked = checkFlags(name, flags);
  const html = checked.html();
  if (checked.out !== undefined) {
    createOutputDirectory(checked.out.dir);
    writeOutputFile(checked.out.file, html, { announce: true });
    process.stdout.write(`open ${pathToFileURL(checked.out.file.path).href} in a browser (it loads nothing from the network)\n`);
    return;
  }
  const server = await listen(html, checked.port!);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : checked.port!;
  process.stdout.write(`faultline playground: ${name} seed ${flags.seed} at http://127.0.0.1:${port}/ (127.0.0.1 only; Ctrl-C stops it)\n`);
}

/** Serves the page at / on 127.0.0.1; a port that cannot be had is an InputError. */
function listen(html: string, port: number): Promise<Server> {
  const body = Buffer.from(html, 'utf8');
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the playground is at /\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'already in use' : error.code === 'EACCES' ? 'not allowed for this user' : `cannot listen (${error.code ?? error.message})`;
      reject(new InputError(`--port ${port}: ${why} on 127.0.0.1; choose another port (--port 0 takes any free one)`));
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
