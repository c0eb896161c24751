// The `playground` verb: the simulator running in a browser page (playground/), with faults by click and
// time travel. Without --out it serves the page on 127.0.0.1 only (node:http) until stopped; with --out DIR
// it writes DIR/index.html, self-contained, to open from disk. It opens a scenario, a replay file or run
// report (--replay), or a lesson (--lesson). Every input is checked before any work.

import type { Command } from 'commander';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkOutputDirectory, checkOutputFile, createOutputDirectory, writeOutputFile, type OutputDirectory, type OutputTarget } from '../lab/output-path.js';
import { readInputText } from '../lab/input-file.js';
import { readVersion } from '../lab/replay-file.js';
import { playgroundConfig, type PlaygroundStart } from '../playground/config.js';
import { findLesson, LESSONS } from '../playground/lessons.js';
import { openRunText, sessionConfigOf } from '../playground/open-file.js';
import { renderPlaygroundPage } from '../playground/page.js';
import { PlaygroundSession } from '../playground/session.js';
import { findScenario, scenarios } from '../scenarios/index.js';
import { InputError } from '../sim/errors.js';
import { SEED_MAX } from '../sim/rng.js';
import { closestNames, suggestionOrKnown } from '../sim/suggest.js';
import { parseCount } from './flags.js';

interface PlaygroundFlags {
  seed?: string;
  bug?: string;
  port?: string;
  out?: string;
  replay?: string;
  lesson?: string;
}

/** The scenario and seed the playground opens with when none is named. */
export const PLAYGROUND_DEFAULT_SCENARIO = 'raft-leader-crash';
const PLAYGROUND_DEFAULT_SEED = '1';
export const PLAYGROUND_DEFAULT_PORT = 4477;
const PORT_MAX = 65_535;

export function registerPlaygroundCommand(program: Command): void {
  program
    .command('playground')
    .description('the simulator in a browser page: watch a cluster, crash or pause nodes by click, scrub time, download a replay file')
    .argument('[scenario]', `the scenario to open first (default ${PLAYGROUND_DEFAULT_SCENARIO}; any other can be picked in the page)`)
    .option('--seed <n>', `the seed to open first (default ${PLAYGROUND_DEFAULT_SEED})`)
    .option('--bug <name>', 'switch on a planted bug')
    .option('--replay <file>', 'open a replay file (run --save, sweep --out, shrink, the page\'s download) or an HTML run report: its scenario, seed, bug and fault schedule')
    .option('--lesson <id>', `open a guided lesson (${LESSONS.map((l) => l.id).join(', ')})`)
    .option('--port <n>', `serve on http://127.0.0.1:PORT/ (default ${PLAYGROUND_DEFAULT_PORT}; 0 for any free port)`)
    .option('--out <dir>', 'write DIR/index.html instead of serving it: one self-contained file that opens from disk')
    .action(async (name: string | undefined, flags: PlaygroundFlags) => {
      await playgroundAction(name, flags);
    });
}

interface Checked {
  readonly html: () => string;
  /** What the page opens first, for the line printed when serving. */
  readonly what: string;
  readonly out?: { readonly dir: OutputDirectory; readonly file: OutputTarget };
  readonly port?: number;
}

/** What the page opens first: its scenario, seed and bug (for the header's pickers) and any run or lesson. */
interface Chosen {
  readonly scenario: string;
  readonly seed: number;
  readonly bug?: string;
  readonly start: PlaygroundStart;
  readonly what: string;
}

/** Every input, checked before any work (bundling, writing, listening). */
function checkFlags(name: string | undefined, flags: PlaygroundFlags): Checked {
  const chosen = checkChosen(name, flags);
  if (flags.out !== undefined && flags.port !== undefined) throw new InputError(`--port ${flags.port} and --out ${flags.out}: --out writes the page and serves nothing; give one of them`);
  const html = () => renderPlaygroundPage(playgroundConfig(scenarios, { scenario: chosen.scenario, seed: chosen.seed, ...(chosen.bug !== undefined ? { bug: chosen.bug } : {}) }, readVersion(), chosen.start));
  if (flags.out !== undefined) {
    const dir = checkOutputDirectory('--out', flags.out);
    const given = join(flags.out, 'index.html');
    // An existing directory may hold something called index.html that cannot be replaced; a new one holds nothing.
    const file: OutputTarget = dir.missing.length === 0 ? checkOutputFile('--out', given) : { flag: '--out', given, toStdout: false, path: join(dir.path, 'index.html'), linked: false };
    return { html, what: chosen.what, out: { dir, file } };
  }
  const port = flags.port === undefined ? PLAYGROUND_DEFAULT_PORT : parseCount('--port', flags.port);
  if (port > PORT_MAX) throw new InputError(`--port ${flags.port}: expected a port from 0 to ${PORT_MAX}`);
  return { html, what: chosen.what, port };
}

/** The session the page opens first, from SCENARIO/--seed/--bug, --replay or --lesson (one of the three), checked as the page will run it. */
function checkChosen(name: string | undefined, flags: PlaygroundFlags): Chosen {
  const given = [...(name !== undefined ? [name] : []), ...(flags.seed !== undefined ? [`--seed ${flags.seed}`] : []), ...(flags.bug !== undefined ? [`--bug ${flags.bug}`] : [])];
  if (flags.replay !== undefined && flags.lesson !== undefined) throw new InputError(`--replay ${flags.replay} and --lesson ${flags.lesson}: the page opens one of them first; give one`);
  if (flags.replay !== undefined) {
    if (given.length > 0) throw new InputError(`--replay ${flags.replay} and ${given.join(', ')}: the file names the scenario, seed and bug; give --replay alone`);
    const opened = openRunText(readInputText(flags.replay, `--replay ${flags.replay}`), flags.replay);
    // The session the page will start from the file.
    new PlaygroundSession(sessionConfigOf(opened));
    return {
      scenario: opened.scenario, seed: opened.seed, ...(opened.bug !== null ? { bug: opened.bug } : {}), start: { opened },
      what: `${flags.replay} (${opened.scenario} seed ${opened.seed}${opened.bug !== null ? ` bug ${opened.bug}` : ''}, expected fingerprint ${opened.expected.fingerprint})`,
    };
  }
  if (flags.lesson !== undefined) {
    if (given.length > 0) throw new InputError(`--lesson ${flags.lesson} and ${given.join(', ')}: the lesson names the scenario, seed and bug; give --lesson alone`);
    const lesson = findLesson(flags.lesson);
    const ids = LESSONS.map((l) => l.id);
    if (lesson === undefined) {
      const close = closestNames(flags.lesson, ids);
      throw new InputError(`--lesson ${flags.lesson}: unknown lesson (${close.length > 0 ? `did you mean ${close.join(' or ')}? ` : ''}known: ${ids.join(', ')})`);
    }
    const scenario = findScenario(lesson.scenario);
    if (scenario === undefined) throw new InputError(`--lesson ${lesson.id}: its scenario ${lesson.scenario} is not registered`);
    new PlaygroundSession({ scenario, seed: lesson.seed, ...(lesson.bug !== undefined ? { bug: lesson.bug } : {}) }, lesson.actions);
    return {
      scenario: lesson.scenario, seed: lesson.seed, ...(lesson.bug !== undefined ? { bug: lesson.bug } : {}), start: { lesson: lesson.id },
      what: `lesson ${lesson.id} (${lesson.scenario} seed ${lesson.seed})`,
    };
  }
  const scenarioName = name ?? PLAYGROUND_DEFAULT_SCENARIO;
  const scenario = findScenario(scenarioName);
  if (scenario === undefined) throw new InputError(`unknown scenario '${scenarioName}' (${suggestionOrKnown(scenarioName, scenarios.map((s) => s.name))})`);
  const seedText = flags.seed ?? PLAYGROUND_DEFAULT_SEED;
  if (!/^\d+$/.test(seedText) || Number(seedText) > SEED_MAX) throw new InputError(`--seed ${seedText}: expected an integer from 0 to ${SEED_MAX}`);
  const seed = Number(seedText);
  // The bug, and the scenario's set-up and schedule for this seed, as the page will run them.
  new PlaygroundSession({ scenario, seed, ...(flags.bug !== undefined ? { bug: flags.bug } : {}) });
  return { scenario: scenario.name, seed, ...(flags.bug !== undefined ? { bug: flags.bug } : {}), start: {}, what: `${scenario.name} seed ${seed}` };
}

async function playgroundAction(name: string | undefined, flags: PlaygroundFlags): Promise<void> {
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
  process.stdout.write(`faultline playground: ${checked.what} at http://127.0.0.1:${port}/ (127.0.0.1 only; Ctrl-C stops it)\n`);
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
