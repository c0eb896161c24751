// Opening a saved run in the playground: the text of a replay file (`run --save`, a sweep's failures/*.json,
// `shrink`, the page's own download) or of an HTML run report (which embeds its replay file) becomes what a
// session needs to run it again, with the fingerprint the file expects; or one line naming what is wrong.
// Node-free and pure: the file is parsed and checked exactly as `faultline replay` does (lab/replay-file-data.ts).

import { compareInputs, describeEditedFields, parseReplayFile, REPLAY_FORMAT } from '../lab/replay-file-data.js';
import { findScenario } from '../scenarios/index.js';
import { escapeControlChars, InputError } from '../sim/errors.js';
import type { FaultEntry } from '../sim/faults.js';
import { prepareRun, type Outcome, type PreparedRun } from '../sim/run.js';
import type { Micros } from '../sim/time.js';
import type { SessionConfig } from './session.js';

/** What was opened: a replay file, or an HTML run report (through the replay file it embeds). */
export type OpenedKind = 'replay file' | 'run report';

/**
 * A run opened from a file, as plain JSON data (the command puts it in the page's config): everything a
 * session needs to run it again (`sessionConfigOf`) and what the file says the run gives.
 */
export interface OpenedRun {
  /** The file's name as the user gave it. */
  readonly name: string;
  readonly kind: OpenedKind;
  readonly scenario: string;
  readonly seed: number;
  readonly bug: string | null;
  /** `NAME=VALUE` for every parameter the file sets away from its default. */
  readonly set: readonly string[];
  readonly nodeCount: number;
  readonly durationMicros: Micros;
  /** The file's explicit fault schedule, as parsed (times in microseconds): it replaces the drawn one. */
  readonly schedule: readonly FaultEntry[];
  readonly expected: { readonly outcome: Outcome; readonly fingerprint: string };
  /** The faultline version that wrote the file (null when it does not say). */
  readonly writtenBy: string | null;
  /** The inputs edited since the file was recorded (empty: none); null when the file records no digests. */
  readonly editedFields: readonly string[] | null;
}

/** Longest text opened (a run report of a long run is tens of megabytes; a replay file far less). */
export const OPEN_TEXT_CHARS_MAX = 200_000_000;

/** The element of a run report (reports/html.ts) that holds its replay file's text, as a JSON string. */
const REPORT_REPLAY_ELEMENT = /<script type="application\/json" id="replay-file">([^<]*)<\/script>/;

/** Where the files the page opens come from, for messages. */
const OPENABLE = 'replay files (run --save, sweep --out failures, shrink, the playground\'s download) and HTML run reports';

/**
 * The run a replay file or HTML run report describes, checked as `faultline replay` checks it (every field,
 * the parameters, the fault schedule against the scenario's cluster). `name` names the file in messages.
 * Every problem is an InputError of one line naming it.
 */
export function openRunText(text: string, name: string): OpenedRun {
  if (text.length > OPEN_TEXT_CHARS_MAX) throw new InputError(`${name}: ${text.length} characters, more than the ${OPEN_TEXT_CHARS_MAX} a file to open may hold`);
  const body = text.replace(/^\uFEFF/, '').trimStart();
  const fromReport = body.startsWith('<');
  const replayText = fromReport ? embeddedReplayText(body, name) : body;
  const source = fromReport ? `${name} (its replay file)` : name;
  let raw: unknown;
  try {
    raw = JSON.parse(replayText);
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    throw new InputError(fromReport ? `${source}: not valid JSON (${why})` : `${name}: neither JSON nor an HTML page (${why}); the playground opens ${OPENABLE}`);
  }
  notAnotherFile(raw, source);
  const { file, request } = parseReplayFile(raw, source);
  let prepared: PreparedRun;
  try {
    prepared = prepareRun(request);
  } catch (error) {
    if (!(error instanceof InputError) || error.message.startsWith(`${source}:`)) throw error;
    throw new InputError(`${source}: ${error.message}`);
  }
  const inputs = compareInputs(file, prepared);
  return {
    name,
    kind: fromReport ? 'run report' : 'replay file',
    scenario: prepared.scenario.name,
    seed: prepared.seed,
    bug: prepared.bug ?? null,
    set: [...(request.set ?? [])],
    nodeCount: prepared.nodeCount,
    durationMicros: prepared.durationMicros,
    schedule: JSON.parse(JSON.stringify(prepared.faults)) as FaultEntry[],
    expected: { outcome: file.expected.outcome, fingerprint: file.expected.fingerprint },
    writtenBy: typeof file.faultline === 'string' ? file.faultline : null,
    editedFields: inputs.edited === null ? null : inputs.fields,
  };
}

/** {@link openRunText}, with a problem as a value: one printable line (control characters escaped). */
export function tryOpenRunText(text: string, name: string): { readonly ok: true; readonly opened: OpenedRun } | { readonly ok: false; readonly problem: string } {
  try {
    return { ok: true, opened: openRunText(text, name) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { ok: false, problem: escapeControlChars(error.message) };
  }
}

/** The replay file text a run report embeds; a page without one (an experiment or check report) is an InputError. */
function embeddedReplayText(html: string, name: string): string {
  const match = REPORT_REPLAY_ELEMENT.exec(html);
  if (match === null) {
    throw new InputError(`${name}: an HTML page without a run's replay file (only a run report, from run, replay or shrink --report, embeds one; experiment and check reports do not)`);
  }
  let text: unknown;
  try {
    text = JSON.parse(match[1]!);
  } catch (error) {
    throw new InputError(`${name}: the run report's replay file is damaged (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof text !== 'string') throw new InputError(`${name}: the run report's replay file is damaged (expected the file's text as a JSON string)`);
  return text;
}

/** Names the other JSON files faultline writes that a user may try to open, with where the replay file is. */
function notAnotherFile(raw: unknown, source: string): void {
  if (Array.isArray(raw)) throw new InputError(`${source}: a JSON list (a fault schedule?), not a replay file; the playground opens ${OPENABLE}`);
  if (raw === null || typeof raw !== 'object') return;
  const r = raw as Record<string, unknown>;
  if (typeof r.format === 'string' && r.format.startsWith('faultline-') && !r.format.startsWith('faultline-replay/')) {
    const where = r.format.startsWith('faultline-sweep/') ? ": a sweep's replay files are DIR/failures/*.json" : `; the playground opens ${OPENABLE}`;
    throw new InputError(`${source}: a ${r.format} file, not a replay file${where}`);
  }
  if (r.format === undefined && typeof r.fingerprint === 'string' && typeof r.replay === 'string') {
    throw new InputError(`${source}: a run's --json result, not a replay file (faultline run --save FILE writes one)`);
  }
  if (r.format === REPLAY_FORMAT && typeof r.scenario === 'string' && typeof r.scenarios === 'string' && findScenario(r.scenario) === undefined) {
    throw new InputError(`${source}: scenario: ${r.scenario} comes from the module ${r.scenarios} (--scenarios), which the playground cannot load: it runs the built-in scenarios`);
  }
}

/** The session an opened run starts: its scenario, seed, bug, parameters, size and explicit schedule. */
export function sessionConfigOf(opened: OpenedRun): SessionConfig {
  const scenario = findScenario(opened.scenario);
  if (scenario === undefined) throw new InputError(`${opened.name}: scenario: unknown scenario '${opened.scenario}'`);
  return {
    scenario, seed: opened.seed, ...(opened.bug !== null ? { bug: opened.bug } : {}),
    set: [...opened.set], nodeCount: opened.nodeCount, durationMicros: opened.durationMicros, schedule: opened.schedule,
  };
}

/** The line the page shows once it has opened a run: `opened FILE: expected fingerprint X (outcome)`, and any edit. */
export function openedLine(opened: OpenedRun): string {
  const what = opened.kind === 'run report' ? 'a run report' : 'a replay file';
  const edited = opened.editedFields !== null && opened.editedFields.length > 0
    ? `; its inputs were edited since it was recorded (${describeEditedFields(opened.editedFields)}), so this is a new run and the fingerprint may differ`
    : '';
  const by = opened.writtenBy !== null ? `faultline ${opened.writtenBy}` : 'a faultline that does not say its version';
  return `opened ${opened.name} (${what} written by ${by}): expected fingerprint ${opened.expected.fingerprint} (${opened.expected.outcome})${edited}`;
}

/**
 * Whether the page's run of the opened file gave the fingerprint the file expects, once the run has ended,
 * and if not, why it may differ (an edit, another faultline version), in the words `faultline replay` uses.
 */
export function fingerprintLine(opened: OpenedRun, ended: { readonly fingerprint: string; readonly outcome: Outcome }, pageVersion: string): string {
  if (ended.fingerprint === opened.expected.fingerprint) {
    return `fingerprint ${ended.fingerprint} (${ended.outcome}) matches ${opened.name}: the page ran it exactly as faultline replay does`;
  }
  const head = `fingerprint ${ended.fingerprint} (${ended.outcome}) differs from ${opened.name}'s ${opened.expected.fingerprint} (${opened.expected.outcome})`;
  if (opened.editedFields !== null && opened.editedFields.length > 0) return `${head}: its inputs were edited since it was recorded (${describeEditedFields(opened.editedFields)})`;
  if (opened.editedFields === null) return `${head}: the file records no input digests (written by an older faultline), so an edit cannot be told from a change of code`;
  if (opened.writtenBy !== pageVersion) {
    const by = opened.writtenBy !== null ? `faultline ${opened.writtenBy}` : 'a faultline that does not say its version';
    return `${head}: the file was written by ${by} and this page is faultline ${pageVersion}, whose code may run it differently`;
  }
  return `${head} with the same inputs and version: nondeterminism, a bug in faultline (please report it with the file)`;
}
