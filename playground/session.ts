// A playground session: one scenario, seed, bug and parameters, run incrementally as a page plays it, with
// an explicit fault schedule (the scenario's drawn schedule plus the user's actions at their simulated times).
// Node-free (it runs in the browser) and deterministic: a session always equals a fresh `executeRun` of its
// schedule, because every change of schedule re-simulates from time 0 (never injects into a running queue).

import { assert } from '../sim/assert.js';
import type { CheckResult } from '../sim/check.js';
import { InputError } from '../sim/errors.js';
import type { FaultEntry, PlainFaultEntry } from '../sim/faults.js';
import type { NodeId } from '../sim/process.js';
import { prepareRun, RECOVERY_PROBE_MICROS, type Outcome, type PreparedRun } from '../sim/run.js';
import type { Scenario } from '../sim/scenario.js';
import { Simulator } from '../sim/simulator.js';
import type { Micros } from '../sim/time.js';
import type { TraceEvent } from '../sim/trace.js';
import { TimerLog } from './timers.js';
import { countAtOrBefore } from './search.js';

/** Where a session's schedule comes from, as replay files and error messages name it. */
export const SESSION_FAULTS_SOURCE = 'playground schedule';

/** What the user can do to a node by clicking it. */
export const NODE_ACTIONS = ['crash', 'restart', 'pause', 'resume'] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];

/**
 * Every kind of entry the page takes as an action: node actions, cutting links (one-way `partition` from/to)
 * and healing them (sim/faults.ts has only a global `heal`: every cut is restored at once), loss ratio,
 * latency and clock drift, and a client request on demand (`request`: an input, scheduled like a fault).
 */
export const ACTION_KINDS = [...NODE_ACTIONS, 'partition', 'heal', 'loss', 'delay', 'clock-drift', 'request'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** An action as the page asks for it: a schedule entry of one of ACTION_KINDS without its time (the moment shown). */
export type ActionEntry = PlainFaultEntry extends infer E
  ? (E extends PlainFaultEntry ? (Extract<E['kind'], ActionKind> extends never ? never : Omit<E, 'at' | 'kind'> & { readonly kind: Extract<E['kind'], ActionKind> }) : never)
  : never;

/** A safety check that failed during the run so far, with when it was first seen (the terminal's words: `at T: message`). */
export interface LiveViolation {
  readonly name: string;
  readonly atMicros: Micros;
  readonly message: string;
  /** Set when the checker looks only now and then (Checker.sampled): found at atMicros, maybe broken earlier. */
  readonly sampled?: true;
}

/** What a session runs: everything but the schedule, which the session owns. */
export interface SessionConfig {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly bug?: string;
  /** `--set NAME=VALUE` overrides. */
  readonly set?: readonly string[];
  readonly nodeCount?: number;
  readonly durationMicros?: Micros;
  /**
   * The schedule to start from instead of the one the scenario draws for this seed (an opened replay
   * file's explicit faults); checked as a schedule file is. The user's actions come after it.
   */
  readonly schedule?: readonly FaultEntry[];
}

/** How the run ended, once the session has simulated to its end. */
export interface SessionResult {
  readonly outcome: Outcome;
  readonly fingerprint: string;
  readonly checks: readonly CheckResult[];
  readonly endedAtMicros: Micros;
}

/** Bound on the user's actions in one session (each re-simulates from the start). */
export const SESSION_ACTIONS_MAX = 1_000;

/**
 * The incremental run. The simulator has run every event strictly before `frontierMicros` and its trace
 * holds them all; the page shows any moment before the frontier from that trace (`seek` never re-runs
 * anything), and asks for more with `advanceTo`. An action at time t replaces the schedule (the user's
 * actions after t are dropped: the timeline forks) and re-simulates from time 0 to just past t.
 */
export class PlaygroundSession {
  /** The schedule the scenario draws for this seed (its script or nemesis), as a file would hold it; or the config's `schedule`. */
  readonly drawn: readonly FaultEntry[];
  private userActions: FaultEntry[] = [];
  private takers: readonly NodeId[] | undefined;
  private current!: PreparedRun;
  private sim!: Simulator;
  private events: TraceEvent[] = [];
  private timerLog!: TimerLog;
  private phaseNow: 'faults' | 'recovery' | 'ended' = 'faults';
  private recoveryDeadline = 0;
  private ended: SessionResult | undefined;
  /** The moment shown: every trace event at or before it has happened. Always below the frontier, or at the end. */
  private playhead: Micros = 0;

  /**
   * `actions`: the user's actions to start with (another session's, when a bug is planted); they are checked
   * as any schedule is, and a bad one is an InputError.
   */
  constructor(readonly config: SessionConfig, actions: readonly FaultEntry[] = []) {
    const drawn = config.schedule ?? prepareRun(this.request()).faults;
    this.drawn = JSON.parse(JSON.stringify(drawn)) as FaultEntry[];
    if (actions.length > SESSION_ACTIONS_MAX) throw new InputError(`a session holds at most ${SESSION_ACTIONS_MAX} actions; got ${actions.length}`);
    this.userActions = JSON.parse(JSON.stringify(actions)) as FaultEntry[];
    this.rebuild();
    this.advanceTo(0);
  }

  /**
   * The same session with the bug `bug` planted (null: none) and the same actions, shown at the same moment.
   * A bug is part of the code from time 0, so this is a new run from the start, not a change at the moment shown.
   */
  withBug(bug: string | null): PlaygroundSession {
    const { bug: _old, ...rest } = this.config;
    void _old;
    const next = new PlaygroundSession({ ...rest, ...(bug !== null ? { bug } : {}) }, this.userActions);
    next.seek(Math.min(this.playhead, next.lastMicros));
    return next;
  }

  /**
   * The safety checks that have failed in what has been simulated so far (up to the frontier), earliest
   * first: checkers that report as they go, and the first exception a handler threw; once the run has
   * ended, also the checks judged only at the end (linearizability) that say when they broke.
   */
  get violations(): readonly LiveViolation[] {
    const out: LiveViolation[] = [...this.sim.violations].map(([name, v]) => ({ name, atMicros: v.atMicros, message: v.message }));
    const error = this.sim.handlerErrors[0];
    if (error !== undefined) out.push({ name: 'no-handler-exceptions', atMicros: error.atMicros, message: error.message });
    for (const c of this.ended?.checks ?? []) {
      if (c.kind === 'always' && !c.ok && c.atMicros !== undefined && !out.some((v) => v.name === c.name)) out.push({ name: c.name, atMicros: c.atMicros, message: c.message ?? '' });
    }
    const sampled = new Set(this.current.setup.checkers.filter((c) => c.sampled === true).map((c) => c.name));
    // Stable: checkers in the order they were registered break ties.
    return out.map((v, i) => ({ v, i })).sort((a, b) => a.v.atMicros - b.v.atMicros || a.i - b.i)
      .map(({ v }) => (sampled.has(v.name) ? { ...v, sampled: true as const } : v));
  }

  private request() {
    const { scenario, seed, bug, set, nodeCount, durationMicros } = this.config;
    return {
      scenario, seed, ...(bug !== undefined ? { bug } : {}), ...(set !== undefined ? { set } : {}),
      ...(nodeCount !== undefined ? { nodeCount } : {}), ...(durationMicros !== undefined ? { durationMicros } : {}),
    };
  }

  /** The whole schedule as a file holds it: the drawn entries, then the user's actions in the order taken. */
  get schedule(): readonly FaultEntry[] {
    return [...this.drawn, ...this.userActions];
  }

  /** The user's actions so far, in the order taken (their times never decrease). */
  get actions(): readonly FaultEntry[] {
    return this.userActions;
  }

  /** The run as `faultline run --faults FILE` would prepare it with this session's schedule. */
  get prepared(): PreparedRun {
    return this.current;
  }

  /**
   * Every timer the nodes set so far, pending or ended (playground/timers.ts): recorded outside the trace,
   * which holds a timer only when it fires. A new log after every re-simulation, as `trace` is a new array.
   */
  get timers(): TimerLog {
    return this.timerLog;
  }

  /** Every trace event simulated so far, in order. */
  get trace(): readonly TraceEvent[] {
    return this.events;
  }

  get frontierMicros(): Micros {
    return this.sim.now;
  }

  get nowMicros(): Micros {
    return this.playhead;
  }

  get phase(): 'faults' | 'recovery' | 'ended' {
    return this.phaseNow;
  }

  /** Where the fault phase ends: actions are taken before it. */
  get faultPhaseMicros(): Micros {
    return this.current.durationMicros;
  }

  /** The latest the run can end (fault phase plus the scenario's recovery bound). */
  get endBoundMicros(): Micros {
    return this.current.durationMicros + this.current.setup.recoveryMicrosMax;
  }

  /** Set once the run has ended. */
  get result(): SessionResult | undefined {
    return this.ended;
  }

  /** The nodes that take `request` entries (their process has `onRequestEntry`), asked as the schedule asks: of a process built to ask. */
  get requestTakers(): readonly NodeId[] {
    this.takers ??= this.current.setup.nodes.filter((n) => n.create().onRequestEntry !== undefined).map((n) => n.id);
    return this.takers;
  }

  get nodes(): readonly { readonly id: NodeId; readonly role: string }[] {
    return this.current.setup.nodes.map((n) => ({ id: n.id, role: n.role }));
  }

  /** A fresh simulator for the current schedule, at time 0 with an empty trace. */
  private rebuild(): void {
    this.current = prepareRun({ ...this.request(), faults: { raw: JSON.parse(JSON.stringify(this.schedule)), source: SESSION_FAULTS_SOURCE } });
    const { setup } = this.current;
    const events: TraceEvent[] = [];
    this.events = events;
    // The nodes' processes report their timers to the log; a crash or leave clears a node's timers.
    const timers = new TimerLog(() => this.sim.now);
    this.timerLog = timers;
    this.sim = new Simulator({
      seed: this.current.seed, nodes: setup.nodes.map((n) => timers.wrap(n)), network: setup.network, checkers: setup.checkers, observers: setup.observers ?? [],
      traceSink: (event) => {
        events.push(event);
        if (event.type === 'crash' || event.type === 'leave') timers.clear(event.node, event.at);
      },
      roles: setup.roles, topology: setup.topology, measureBytes: setup.measureBytes,
    });
    this.phaseNow = 'faults';
    this.ended = undefined;
    this.sim.start();
    this.sim.scheduleFaults(this.current.faults);
  }

  /**
   * Simulates until every event at or before `atMicros` has happened (the frontier is past it), or the run
   * has ended. The same steps as `executeRun` (sim/run.ts), cut into slices: slicing the fault phase changes
   * nothing, and the recovery phase is still probed every RECOVERY_PROBE_MICROS from its start.
   */
  advanceTo(atMicros: Micros): void {
    const sim = this.sim;
    while (this.phaseNow !== 'ended' && sim.now <= atMicros) {
      if (this.phaseNow === 'faults') {
        sim.runUntil(Math.min(this.current.durationMicros, atMicros + 1));
        if (sim.now < this.current.durationMicros) continue;
        sim.beginRecovery();
        this.recoveryDeadline = sim.now + this.current.setup.recoveryMicrosMax;
        this.phaseNow = 'recovery';
        continue;
      }
      if (sim.now >= this.recoveryDeadline) {
        this.finish();
        continue;
      }
      sim.runUntil(Math.min(this.recoveryDeadline, sim.now + RECOVERY_PROBE_MICROS));
      const eventually = this.current.setup.checkers.filter((c) => c.kind === 'eventually');
      if (eventually.every((c) => c.verdict(sim.view).ok)) this.finish();
    }
  }

  /** Simulates to the end of the run and returns its result. */
  runToEnd(): SessionResult {
    while (this.ended === undefined) this.advanceTo(this.sim.now + RECOVERY_PROBE_MICROS);
    return this.ended;
  }

  private finish(): void {
    const sim = this.sim;
    sim.end();
    const checks: CheckResult[] = sim.verdicts();
    const error = sim.handlerErrors[0];
    checks.push(error === undefined
      ? { name: 'no-handler-exceptions', kind: 'always', ok: true }
      : { name: 'no-handler-exceptions', kind: 'always', ok: false, message: error.message, atMicros: error.atMicros });
    const safetyFailed = checks.some((c) => c.kind === 'always' && !c.ok);
    const livenessFailed = checks.some((c) => c.kind !== 'always' && !c.ok);
    const outcome: Outcome = safetyFailed ? 'safety-violation' : livenessFailed ? 'liveness-violation' : 'pass';
    this.ended = { outcome, fingerprint: sim.fingerprintHex(), checks, endedAtMicros: sim.now };
    this.phaseNow = 'ended';
  }

  /** The last moment that can be shown: the run's end once known, else the end bound. */
  get lastMicros(): Micros {
    return this.ended?.endedAtMicros ?? this.endBoundMicros;
  }

  /** Moves the moment shown (forward simulates as needed; back only re-reads the trace). */
  seek(atMicros: Micros): void {
    assert(Number.isSafeInteger(atMicros) && atMicros >= 0, `seek to a whole number of microseconds; got ${atMicros}`);
    this.advanceTo(atMicros);
    this.playhead = Math.min(atMicros, this.lastMicros);
  }

  /**
   * Moves the moment shown to the next time at which something happens (simulating as needed) and returns
   * it; at the end of the run it stays there.
   */
  stepToNextEvent(): Micros {
    for (;;) {
      const next = this.firstEventAfter(this.playhead);
      if (next !== undefined) {
        this.playhead = next;
        return next;
      }
      if (this.ended !== undefined) {
        this.playhead = this.ended.endedAtMicros;
        return this.playhead;
      }
      this.advanceTo(this.sim.now + RECOVERY_PROBE_MICROS);
    }
  }

  private firstEventAfter(atMicros: Micros): Micros | undefined {
    const events = this.events;
    const low = countAtOrBefore(events, atMicros, (e) => e.at);
    return low < events.length ? events[low]!.at : undefined;
  }

  /** Why an action cannot be taken now (undefined: it can). */
  actionProblem(): string | undefined {
    if (this.playhead >= this.current.durationMicros) return 'actions are taken in the fault phase; the recovery phase heals everything';
    if (this.userActions.length >= SESSION_ACTIONS_MAX) return `a session holds at most ${SESSION_ACTIONS_MAX} actions`;
    return undefined;
  }

  /**
   * Takes an action on `node` at the moment shown: it joins the schedule at that time, the user's actions
   * after it are dropped (a fork), and the run is re-simulated from the start to just past it.
   */
  act(kind: NodeAction, node: NodeId): FaultEntry {
    if (!NODE_ACTIONS.includes(kind)) throw new InputError(`unknown action ${JSON.stringify(kind)} (known: ${NODE_ACTIONS.join(', ')})`);
    return this.take({ kind, node });
  }

  /**
   * Takes any action (ACTION_KINDS) at the moment shown, as `act` does: the entry is checked as a schedule
   * file's would be (one line naming the problem; the session is left as it was).
   */
  take(action: ActionEntry): FaultEntry {
    return this.takeAll([action])[0]!;
  }

  /**
   * Takes several actions at the moment shown, in order, as one step (one fork, one re-simulation): how the
   * page heals one link, with a global heal and the other cuts again. All or none are taken.
   */
  takeAll(actions: readonly ActionEntry[]): FaultEntry[] {
    if (actions.length === 0) throw new InputError('no action to take');
    const problem = this.actionProblem();
    const first = actions[0]!;
    if (problem !== undefined) throw new InputError(`${'node' in first ? `${first.kind} ${first.node}` : first.kind}: ${problem}`);
    for (const action of actions) {
      if (!(ACTION_KINDS as readonly string[]).includes(action.kind)) throw new InputError(`unknown action ${JSON.stringify(action.kind)} (known: ${ACTION_KINDS.join(', ')})`);
      const named = [...('node' in action ? [action.node] : []), ...('from' in action && action.from !== undefined ? action.from : []), ...('to' in action && action.to !== undefined ? action.to : [])];
      for (const node of named) if (!this.current.setup.nodes.some((n) => n.id === node)) throw new InputError(`${action.kind}: no node ${JSON.stringify(node)} in this cluster`);
    }
    const at = this.playhead;
    const entries = actions.map((action) => ({ at, ...action }) as FaultEntry);
    const kept = this.userActions.filter((a) => a.at <= at);
    if (kept.length + entries.length > SESSION_ACTIONS_MAX) throw new InputError(`a session holds at most ${SESSION_ACTIONS_MAX} actions`);
    const before = this.userActions;
    this.userActions = [...kept, ...entries];
    try {
      this.rebuild();
    } catch (error) {
      this.userActions = before;
      this.rebuild();
      throw error;
    }
    this.advanceTo(at);
    this.playhead = at;
    return entries;
  }
}
