// Human output for the terminal: a short coloured verdict, then tables of checks and stats (run), and
// the scenario catalogue (list). Colour follows chalk's detection, so pipes and CI logs get plain text.

import chalk from 'chalk';
import Table from 'cli-table3';
import { describeOp, type LinearizabilityResult, type ModelName } from '../sim/check/linearizability.js';
import { describeFault } from '../sim/faults.js';
import { NEMESIS_DESCRIPTIONS, NEMESIS_PROFILES } from '../sim/nemesis.js';
import { allParams, formatParamValue, type Scenario } from '../sim/scenario.js';
import { medianOf } from '../sim/metrics.js';
import { formatMicros } from '../sim/time.js';
import type { RunJson } from './json.js';

const OUTCOME_STYLE = {
  pass: chalk.bold.green('PASS'),
  'safety-violation': chalk.bold.red('SAFETY VIOLATION'),
  'liveness-violation': chalk.bold.yellow('LIVENESS VIOLATION'),
} as const;

const FAULTS_SHOWN_MAX = 12;

function table(head: string[]): Table.Table {
  return new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [] } });
}

export function renderRun(run: RunJson): string {
  const lines: string[] = [];
  const bug = run.bug ? ` · bug ${chalk.magenta(run.bug)}` : '';
  lines.push(
    `${chalk.bold(run.scenario)} · seed ${run.seed} · nemesis ${run.nemesis} · ${run.nodes} nodes · ` +
      `${formatMicros(run.durationMicros)} of faults${bug}`,
  );
  lines.push(`${OUTCOME_STYLE[run.outcome]}  fingerprint ${chalk.cyan(run.fingerprint)}`);

  const checks = table(['check', 'kind', 'result', 'detail']);
  for (const c of run.checks) {
    const at = c.atMicros !== undefined ? `at ${formatMicros(c.atMicros)}: ` : '';
    checks.push([c.name, c.kind, c.ok ? chalk.green('ok') : chalk.red('FAILED'), c.message ? at + c.message : '']);
  }
  lines.push(checks.toString());

  const s = run.stats;
  const drops = Object.entries(s.dropsByReason).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`).join(', ');
  const recovered = run.recovery.recoveredAtMicros === null
    ? chalk.yellow(`not within ${formatMicros(run.recovery.boundMicros)}`)
    : formatMicros(run.recovery.recoveredAtMicros - run.recovery.startedAtMicros);
  const eventsPerSecond = s.wallMillis > 0 ? Math.round(s.events / (s.wallMillis / 1000)).toLocaleString('en-US') : '—';
  const stats = table(['stat', 'value']);
  stats.push(
    ['events', s.events.toLocaleString('en-US')],
    ['messages sent / delivered', `${s.messagesSent} / ${s.messagesDelivered}`],
    ['messages dropped', drops ? `${s.messagesDropped} (${drops})` : String(s.messagesDropped)],
    ['client operations ok / failed / open', `${run.history.ok} / ${run.history.fail} / ${run.history.open}`],
    ['time to recover after heal', recovered],
    ...metricRows(run),
    ['simulated time', formatMicros(s.simulatedMicros)],
    ['wall time', `${s.wallMillis} ms (${eventsPerSecond} events/s)`],
  );
  lines.push(stats.toString());

  if (run.faults.length > 0) {
    const resolved = new Map(run.resolvedFaults.map((r) => [r.index, r.resolved]));
    const target = (index: number) => {
      if (!resolved.has(index)) return '';
      const r = resolved.get(index);
      return r === null ? chalk.dim('  (no such node then: skipped)') : chalk.dim(`  → ${describeFault(r!)}`);
    };
    const shown = run.faults.slice(0, FAULTS_SHOWN_MAX).map((f, i) => `${formatMicros(f.at).padStart(8)}  ${describeFault(f)}${target(i)}`);
    const more = run.faults.length > FAULTS_SHOWN_MAX ? [`          … ${run.faults.length - FAULTS_SHOWN_MAX} more (see --json)`] : [];
    lines.push(`faults (${run.faults.length}):`, ...shown, ...more);
  } else {
    lines.push('faults: none');
  }
  lines.push(`replay: ${chalk.cyan(run.replay)}`);
  return lines.join('\n');
}

export function renderScenarioList(scenarios: readonly Scenario[]): string {
  const lines: string[] = [];
  const list = table(['scenario', 'description', 'nemesis', 'planted bugs']);
  for (const s of scenarios) {
    list.push([chalk.bold(s.name), wrap(s.description, 60), s.defaultNemesis, s.bugs.map((b) => b.name).join('\n')]);
  }
  lines.push(list.toString());
  lines.push('', chalk.bold('nemesis profiles') + ' (--nemesis):');
  for (const p of NEMESIS_PROFILES) lines.push(`  ${p.padEnd(11)} ${NEMESIS_DESCRIPTIONS[p]}`);
  lines.push('', chalk.bold('parameters') + ' (--set NAME=VALUE; `faultline list SCENARIO` explains each):');
  for (const s of scenarios) {
    const params = s.params.map((p) => `${p.name}=${formatParamValue(p, p.default)}`).join(' ');
    lines.push(`  ${chalk.bold(s.name)}: ${params}`);
  }
  return lines.join('\n');
}

export function renderScenarioDetail(s: Scenario): string {
  const lines = [
    `${chalk.bold(s.name)} (${s.algorithm}) — ${s.description}`,
    `nodes ${s.defaultNodes} (${s.minNodes}…${s.maxNodes}) · fault phase ${formatMicros(s.defaultDurationMicros)} · nemesis ${s.defaultNemesis}`,
  ];
  const params = table(['parameter', 'default', 'unit', 'meaning']);
  for (const p of allParams(s)) {
    const unit = p.unit === 'choice' ? p.choices!.join(' | ') : p.unit;
    params.push([p.name, formatParamValue(p, p.default), unit, wrap(p.description, 60)]);
  }
  lines.push(params.toString());
  if (s.bugs.length > 0) {
    lines.push(chalk.bold('planted bugs') + ' (--bug NAME):');
    for (const b of s.bugs) lines.push(`  ${chalk.magenta(b.name)}: ${b.description}`);
  }
  return lines.join('\n');
}

function wrap(text: string, width: number): string {
  const words = text.split(' ');
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out.join('\n');
}

const VERDICT_STYLE = {
  linearizable: chalk.bold.green('LINEARIZABLE'),
  'not-linearizable': chalk.bold.red('NOT LINEARIZABLE'),
  unknown: chalk.bold.yellow('UNKNOWN (the time budget ran out)'),
} as const;

/** The verdict of `faultline check`, with the failing key's story when there is one. */
export function renderCheck(result: LinearizabilityResult, model: ModelName, wallMillis: number, initial: unknown = null): string {
  const start = initial === null || initial === undefined ? '' : `, ${model === 'kv' ? 'each key starting' : 'starting'} as ${JSON.stringify(initial)}`;
  const lines = [
    `${VERDICT_STYLE[result.verdict]}  ${result.operations} operations, ${result.keys} ${model === 'kv' ? 'keys' : 'register'}${start}, checked in ${wallMillis} ms`,
  ];
  const failure = result.failure;
  if (failure) {
    lines.push('', wrap(failure.explanation, 100), '', chalk.bold(`the sub-history of ${failure.key === 'register' ? 'the register' : `key ${failure.key}`}:`));
    const shown = failure.operations.slice(0, 40);
    for (const op of shown) lines.push(`  ${op === failure.blocked ? chalk.red('✗ ') : '  '}${describeOp(op)}`);
    if (failure.operations.length > shown.length) lines.push(`    … ${failure.operations.length - shown.length} more`);
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
    const unresolved = m.leaderLossesUnresolved > 0 ? `; ${m.leaderLossesUnresolved} without a new leader` : '';
    rows.push([`time to a new leader (${times.length} leader losses)`, summary + unresolved]);
  }
  if (m.messagesPerCommit !== null) rows.push(['messages per committed command', m.messagesPerCommit.toFixed(1)]);
  return rows;
}
