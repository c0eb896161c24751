// Human output for the terminal: a short coloured verdict, then tables of checks and stats (run), and
// the scenario catalogue (list). Everything fits the terminal's width (100 columns when stdout is not a
// terminal); colour only on a terminal (reports/colour.ts), so pipes and CI logs get plain text.

import type { MetricDecl } from '../sim/metrics.js';
import { describeWhere, type LinearizabilityResult } from '../sim/check/linearizability.js';
import { describeOperation, resolveModel, type Model, type ModelName } from '../sim/check/models.js';
import { describeFault } from '../sim/faults.js';
import { NEMESIS_DESCRIPTIONS, NEMESIS_PROFILES } from '../sim/nemesis.js';
import { describeSwarm } from '../sim/swarm.js';
import { allParams, formatParamValue, type BugSpec, type Scenario } from '../sim/scenario.js';
import { medianOf } from '../sim/metrics.js';
import { formatMicros } from '../sim/time.js';
import { paint } from './colour.js';
import type { RunJson } from './json.js';
import { fittedTable, formatCount, formatWallMillis, plural, terminalWidth, visibleWidth, wrapHanging, wrapParagraph } from './text.js';

/** How to lay text out: `width` columns (default: the terminal's, or 100 when stdout is not a terminal). */
export interface LayoutOptions {
  readonly width?: number;
}

const OUTCOME_STYLE = {
  pass: paint.bold.green('PASS'),
  'safety-violation': paint.bold.red('SAFETY VIOLATION'),
  'liveness-violation': paint.bold.yellow('LIVENESS VIOLATION'),
} as const;

const FAULTS_SHOWN_MAX = 12;
/** What a check's detail cell says when the message is printed below the table. */
const SEE_BELOW = 'see below';

/** A run: header, verdict, checks (long messages below the table), stats, faults in words, replay command. */
export function renderRun(run: RunJson, options: LayoutOptions = {}): string {
  const width = options.width ?? terminalWidth();
  const lines: string[] = [];
  const bug = run.bug ? ` · bug ${paint.magenta(run.bug)}` : '';
  lines.push(wrapParagraph(
    `${paint.bold(run.scenario)} · seed ${run.seed} · nemesis ${run.nemesis} · ${plural(run.nodes, 'node')} · ` +
      `${formatMicros(run.durationMicros)} of faults${bug}`,
    width,
  ));
  if (run.swarm !== undefined) {
    const unitOf = (name: string) => (/Micros(Min|Max)?$/.test(name) ? 'duration' : 'number');
    for (const line of describeSwarm(run.swarm, (name, value) => (unitOf(name) === 'duration' && typeof value === 'number' ? formatMicros(value) : String(value)), formatMicros)) lines.push(wrapParagraph(paint.dim(line), width));
  }
  lines.push(`${OUTCOME_STYLE[run.outcome]}  fingerprint ${paint.cyan(run.fingerprint)}`);

  const checkRows = run.checks.map((c) => [c.name, c.kind, c.ok ? paint.green('ok') : paint.red('FAILED')]);
  const detailRoom = width - columnsWidth([['check', 'kind', 'result'], ...checkRows]) - 3;
  const below: string[] = [];
  const rows = run.checks.map((c, i) => {
    const at = c.atMicros !== undefined ? `at ${formatMicros(c.atMicros)}: ` : '';
    const detail = c.message ? at + c.message : '';
    if (visibleWidth(detail) <= Math.max(detailRoom, SEE_BELOW.length)) return [...checkRows[i]!, detail];
    below.push(wrapHanging(`  ${paint.bold(c.name)}: `, detail, width));
    return [...checkRows[i]!, SEE_BELOW];
  });
  lines.push(fittedTable(['check', 'kind', 'result', 'detail'], rows, width));
  if (below.length > 0) lines.push(...below);

  const s = run.stats;
  const drops = Object.entries(s.dropsByReason).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${formatCount(n)}`).join(', ');
  const recovered = run.recovery.recoveredAtMicros === null
    ? paint.yellow(`not within ${formatMicros(run.recovery.boundMicros)}`)
    : formatMicros(run.recovery.recoveredAtMicros - run.recovery.startedAtMicros);
  const eventsPerSecond = s.wallMillis > 0 ? formatCount(Math.round(s.events / (s.wallMillis / 1000))) : '—';
  lines.push(fittedTable(['stat', 'value'], [
    ['events', formatCount(s.events)],
    ['messages sent / delivered', `${formatCount(s.messagesSent)} / ${formatCount(s.messagesDelivered)}`],
    ['messages dropped', drops ? `${formatCount(s.messagesDropped)} (${drops})` : formatCount(s.messagesDropped)],
    ['client operations ok / failed / open', `${formatCount(run.history.ok)} / ${formatCount(run.history.fail)} / ${formatCount(run.history.open)}`],
    ['time to recover after heal', recovered],
    ...metricRows(run),
    ['simulated time', formatMicros(s.simulatedMicros)],
    ['wall time', `${formatWallMillis(s.wallMillis)} (${eventsPerSecond} events/s)`],
  ], width));

  if (run.faults.length > 0) {
    const resolved = new Map(run.resolvedFaults.map((r) => [r.index, r.resolved]));
    const target = (index: number) => {
      if (!resolved.has(index)) return '';
      const r = resolved.get(index);
      return r === null ? paint.dim(' (no such node then: skipped)') : paint.dim(` → ${describeFault(r!)}`);
    };
    const shown = run.faults.slice(0, FAULTS_SHOWN_MAX);
    const atWidth = Math.max(...shown.map((f) => formatMicros(f.at).length));
    lines.push(`faults (${formatCount(run.faults.length)}):`);
    for (const [i, f] of shown.entries()) lines.push(wrapHanging(`  ${formatMicros(f.at).padStart(atWidth)}  `, describeFault(f) + target(i), width));
    if (run.faults.length > FAULTS_SHOWN_MAX) lines.push(`  … ${formatCount(run.faults.length - FAULTS_SHOWN_MAX)} more (see --json)`);
  } else {
    lines.push('faults: none');
  }
  // The replay command is never wrapped (it must paste into a shell as one line): on a narrow
  // terminal it gets a line of its own.
  const replay = `replay: ${paint.cyan(run.replay)}`;
  lines.push(...(visibleWidth(replay) <= width ? [replay] : ['replay:', `  ${paint.cyan(run.replay)}`]));
  return lines.join('\n');
}

/**
 * The catalogue at a glance: one line per scenario, each planted bug once per algorithm with the
 * scenarios that expose it, and the nemesis profiles. `renderScenarioDetail` has the parameters.
 */
export function renderScenarioList(scenarios: readonly Scenario[], options: LayoutOptions = {}): string {
  const width = options.width ?? terminalWidth();
  const lines: string[] = [paint.bold('scenarios') + ' (faultline list SCENARIO shows its parameters and bugs):'];
  const nameWidth = Math.max(...scenarios.map((s) => s.name.length));
  const nemesisWidth = Math.max(...scenarios.map((s) => s.defaultNemesis.length));
  for (const s of scenarios) {
    const prefix = `  ${paint.bold(s.name.padEnd(nameWidth))}  ${s.defaultNemesis.padEnd(nemesisWidth)}  `;
    lines.push(prefix + truncate(s.description, width - visibleWidth(prefix)));
  }

  lines.push('', paint.bold('planted bugs') + ' (--bug NAME), with the scenarios that expose them, best first:');
  for (const [algorithm, bugs] of bugsByFamily(scenarios)) {
    lines.push(`  ${paint.bold(algorithm)}`);
    for (const { bug, scenarios: having } of bugs) {
      lines.push(wrapHanging(`    ${paint.magenta(bug.name)}: `, bug.description, width));
      const exposing = (bug.exposedBy ?? []).filter((name) => having.includes(name));
      lines.push(wrapParagraph(`exposed by ${exposing.length > 0 ? exposing.join(', ') : having.join(', ')}`, width, '      '));
    }
  }

  lines.push('', paint.bold('nemesis profiles') + ' (--nemesis PROFILE):');
  const profileWidth = Math.max(...NEMESIS_PROFILES.map((p) => p.length));
  for (const p of NEMESIS_PROFILES) lines.push(wrapHanging(`  ${p.padEnd(profileWidth)}  `, NEMESIS_DESCRIPTIONS[p], width));
  return lines.join('\n');
}

/**
 * Each planted bug once, under its family (the part of its name before `/`: broadcast, raft, paxos —
 * Multi-Paxos and single-decree Paxos share theirs), with the scenarios that have it, in catalogue order.
 */
function bugsByFamily(scenarios: readonly Scenario[]): Map<string, { bug: BugSpec; scenarios: string[] }[]> {
  const byFamily = new Map<string, { bug: BugSpec; scenarios: string[] }[]>();
  for (const s of scenarios) {
    for (const bug of s.bugs) {
      const family = bug.name.includes('/') ? bug.name.slice(0, bug.name.indexOf('/')) : s.algorithm;
      const bugs = byFamily.get(family) ?? [];
      byFamily.set(family, bugs);
      const known = bugs.find((b) => b.bug.name === bug.name);
      if (known) known.scenarios.push(s.name);
      else bugs.push({ bug, scenarios: [s.name] });
    }
  }
  return byFamily;
}

/** One scenario in full: its nodes and fault phase, every parameter, and its planted bugs. */
export function renderScenarioDetail(s: Scenario, options: LayoutOptions = {}, ownMetrics: readonly MetricDecl[] = []): string {
  const width = options.width ?? terminalWidth();
  const lines = [
    wrapParagraph(`${paint.bold(s.name)} (${s.algorithm}) — ${s.description}`, width),
    wrapParagraph(`nodes ${s.defaultNodes} (${s.minNodes}…${s.maxNodes}) · fault phase ${formatMicros(s.defaultDurationMicros)} · nemesis ${s.defaultNemesis}`, width),
  ];
  const rows = allParams(s).map((p) => {
    const unit = p.unit === 'choice' ? p.choices!.join(' | ') : p.unit;
    return [p.name, formatParamValue(p, p.default), unit, p.description];
  });
  lines.push(fittedTable(['parameter', 'default', 'unit', 'meaning'], rows, width));
  if (s.bugs.length > 0) {
    lines.push(paint.bold('planted bugs') + ' (--bug NAME):');
    for (const b of s.bugs) lines.push(wrapHanging(`  ${paint.magenta(b.name)}: `, b.description, width));
  }
  if (ownMetrics.length > 0) {
    lines.push(paint.bold('its own metrics') + ' (besides the built-in ones; faultline experiment --metric NAME):');
    for (const m of ownMetrics) lines.push(wrapHanging(`  ${paint.cyan(m.name)} (${m.unit}): `, m.description, width));
  }
  return lines.join('\n');
}

/** `text` cut to `room` characters with an ellipsis. */
function truncate(text: string, room: number): string {
  if (text.length <= room) return text;
  return room <= 1 ? '…' : text.slice(0, room - 1).trimEnd() + '…';
}

/** Width of a table's columns (padding and borders included, but not the closing border). */
function columnsWidth(rows: readonly (readonly string[])[]): number {
  const columns = rows[0]!.length;
  let total = 1;
  for (let c = 0; c < columns; c++) total += 3 + Math.max(...rows.map((r) => visibleWidth(r[c] ?? '')));
  return total;
}

const VERDICT_STYLE = {
  linearizable: paint.bold.green('LINEARIZABLE'),
  'not-linearizable': paint.bold.red('NOT LINEARIZABLE'),
  unknown: paint.bold.yellow('UNKNOWN (the time budget ran out)'),
} as const;

/** Operations of the failing key's sub-history shown at most. */
const SUB_HISTORY_SHOWN_MAX = 40;

/** The verdict of `faultline check`, with the failing key's story when there is one. */
/** Undecided keys named in the terminal summary (--json lists them all). */
const UNKNOWN_KEYS_SHOWN_MAX = 10;

export function renderCheck<S, I, O>(result: LinearizabilityResult<I, O>, modelOrName: Model<S, I, O> | ModelName, wallMillis: number, options: LayoutOptions & { readonly initial?: unknown } = {}): string {
  const model = resolveModel(modelOrName);
  const initial = options.initial ?? null;
  const start = initial === null ? '' : `, ${model.partition ? 'each key starting' : 'starting'} as ${JSON.stringify(initial)}`;
  const width = options.width ?? terminalWidth();
  const keys = model.partition ? plural(result.keys, 'key') : model.name;
  const lines = [
    wrapParagraph(`${VERDICT_STYLE[result.verdict]}  ${plural(result.operations, 'operation')}, ${keys}${start}, checked in ${formatWallMillis(wallMillis)}`, width),
  ];
  const undecided = result.unknownKeys ?? [];
  if (model.partition && undecided.length > 0) {
    const shownKeys = undecided.slice(0, UNKNOWN_KEYS_SHOWN_MAX).join(', ');
    const more = undecided.length > UNKNOWN_KEYS_SHOWN_MAX ? ` and ${formatCount(undecided.length - UNKNOWN_KEYS_SHOWN_MAX)} more` : '';
    const rest = undecided.length < result.keys ? '; every other key is linearizable' : '';
    lines.push(wrapParagraph(`undecided (the search budget ran out): ${undecided.length === 1 ? 'key' : 'keys'} ${shownKeys}${more}${rest}`, width));
  }
  const failure = result.failure;
  if (failure) {
    lines.push('', wrapParagraph(failure.explanation, width), '', paint.bold(`the sub-history of ${describeWhere(model, failure.key)}:`));
    const shown = failure.operations.slice(0, SUB_HISTORY_SHOWN_MAX);
    for (const op of shown) lines.push(wrapHanging(`  ${op === failure.blocked ? paint.red('✗ ') : '  '}`, describeOperation(model, op), width));
    if (failure.operations.length > shown.length) lines.push(`    … ${formatCount(failure.operations.length - shown.length)} more`);
  }
  return lines.join('\n');
}

/** The run's metrics as table rows (only those that apply to this run). */
function metricRows(run: RunJson): string[][] {
  const m = run.metrics;
  const rows: string[][] = [];
  if (m.availability !== null) rows.push(['availability (operations ok)', `${(m.availability * 100).toFixed(1)}%`]);
  if (m.leaderElectionMicros.length > 0 || m.leaderLossesUnresolved > 0) {
    const times = m.leaderElectionMicros;
    const summary = times.length === 0 ? '—' : `median ${formatMicros(medianOf(times)!)}, max ${formatMicros(Math.max(...times))}`;
    const unresolved = m.leaderLossesUnresolved > 0 ? `; ${formatCount(m.leaderLossesUnresolved)} without a new leader` : '';
    rows.push([`time to a new leader (${plural(times.length, 'leader loss', 'leader losses')})`, summary + unresolved]);
  }
  if (m.messagesPerCommit !== null) rows.push(['messages per committed command', m.messagesPerCommit.toFixed(1)]);
  return rows;
}
