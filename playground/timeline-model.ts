// What the playground's timeline draws, read from a session's trace: per node, stretches of status and of
// role and term (the shared role fact, sim/facts.ts), the applied faults as bands (reports/html-model.ts's
// fault windows), and client operations as bars in lanes. Node-free and incremental like TraceIndex: `sync`
// reads only the events appended since the last call, and a new trace array (a re-simulated run) restarts.

import type { NodeId } from '../sim/process.js';
import { asRoleFact } from '../sim/facts.js';
import type { LatencyModel } from '../sim/network.js';
import type { Micros } from '../sim/time.js';
import type { TraceEvent } from '../sim/trace.js';
import { faultWindows, summarise } from '../reports/html-model.js';
import type { NodeDrawStatus } from './trace-index.js';

/** An operation's input and output are summarised (long arrays and strings cut) to at most this many characters. */
export const OP_TEXT_CHARS_MAX = 200;

/** A stretch of one node's status: [from, to), the last one open (`to` null: it lasts to the frontier). */
export interface StatusStretch {
  readonly from: Micros;
  readonly to: Micros | null;
  readonly status: NodeDrawStatus;
}

/** A stretch of one node's role and term (role null: none reported since it last started). */
export interface RoleStretch {
  readonly from: Micros;
  readonly to: Micros | null;
  readonly role: string | null;
  readonly term: number | null;
}

/** An applied fault, from when it was applied until healed or undone (`to` null: still in force at the frontier). */
export interface FaultBand {
  readonly from: Micros;
  readonly to: Micros | null;
  /** partition, clog, loss, duplicate, delay, clock-skew, clock-drift, slow, fail-fast. */
  readonly kind: string;
  readonly label: string;
  readonly lane: number;
}

/** A client operation from its invoke to its complete (`ret` null: open, drawn to the frontier). */
export interface OpBar {
  readonly opId: number;
  readonly client: NodeId;
  readonly call: Micros;
  readonly ret: Micros | null;
  readonly status: 'ok' | 'fail' | 'open';
  /** Summarised JSON of the input and output (output '' while open). */
  readonly input: string;
  readonly output: string;
  /** Lane within its client's rows: two operations of one client that overlap in time never share a lane. */
  readonly lane: number;
}

export interface TimelineModelOptions {
  /** Status before a node's first event: `down` unless given (`absent` for a dormant spare). */
  readonly initial?: ReadonlyMap<NodeId, NodeDrawStatus>;
  /** The scenario's latency (`setup.network.latency`): a `delay` back to it ends the delay band, as in the HTML report. */
  readonly baseLatency: LatencyModel;
  /** The scenario's client nodes (role `client`): they report no roles, so the timeline gives them no role lane. */
  readonly clients?: readonly NodeId[];
}

/** Sentinel end for fault windows still open: never reached by a run (DURATION_MICROS_MAX is far below it). */
const OPEN_END = Number.MAX_SAFE_INTEGER;

/** Appends a change at `at` to a list of stretches (the last one open): same value, nothing; same start, replaced (and merged back). */
function change<S extends { from: Micros; to: Micros | null }>(list: S[], at: Micros, next: Omit<S, 'from' | 'to'>, same: (a: Omit<S, 'from' | 'to'>, b: Omit<S, 'from' | 'to'>) => boolean): boolean {
  const last = list[list.length - 1]!;
  if (same(last, next)) return false;
  if (last.from === at) {
    // Several changes at one moment: only the last counts (a stretch is never empty, but the frontier's).
    list.pop();
    const before = list[list.length - 1];
    if (before !== undefined && same(before, next)) {
      before.to = null;
      return true;
    }
  } else {
    last.to = at;
  }
  list.push({ ...next, from: at, to: null } as S);
  return true;
}

const sameStatus = (a: { status: NodeDrawStatus }, b: { status: NodeDrawStatus }) => a.status === b.status;
const sameRole = (a: { role: string | null; term: number | null }, b: { role: string | null; term: number | null }) => a.role === b.role && a.term === b.term;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class TimelineModel {
  private source: readonly TraceEvent[] | undefined;
  private consumed = 0;
  private frontier: Micros = 0;
  private status = new Map<NodeId, Mutable<StatusStretch>[]>();
  private roles = new Map<NodeId, Mutable<RoleStretch>[]>();
  private opList: OpBar[] = [];
  private opIndex = new Map<number, number>();
  /** Per client, the return time of the operation last placed in each lane (Infinity while it is open). */
  private laneEnds = new Map<NodeId, number[]>();
  private faultEvents: TraceEvent[] = [];
  private bands: FaultBand[] = [];
  private bandLanes = 0;
  private recoveryAt: Micros | null = null;
  private changes = 0;
  private restarts = 0;
  /** Roles in the order first reported, across restarts (a role keeps its colour). */
  private readonly roleNames: string[] = [];

  constructor(readonly nodes: readonly NodeId[], private readonly options: TimelineModelOptions) {
    this.reset();
  }

  private reset(): void {
    this.consumed = 0;
    this.frontier = 0;
    this.status = new Map(this.nodes.map((id) => [id, [{ from: 0, to: null, status: this.options.initial?.get(id) ?? 'down' }]]));
    this.roles = new Map(this.nodes.map((id) => [id, [{ from: 0, to: null, role: null, term: null }]]));
    this.opList = [];
    this.opIndex = new Map();
    this.laneEnds = new Map();
    this.faultEvents = [];
    this.bands = [];
    this.bandLanes = 0;
    this.recoveryAt = null;
    this.restarts++;
  }

  /**
   * Reads the events of `trace` not read yet (all of them, if it is another array than last time), and
   * moves the frontier to `frontierMicros` (never before the last event read). Returns whether anything
   * but the frontier changed.
   */
  sync(trace: readonly TraceEvent[], frontierMicros: Micros): boolean {
    const before = this.changes;
    if (trace !== this.source) {
      this.source = trace;
      this.reset();
      this.changes++;
    }
    let faultsSeen = false;
    for (; this.consumed < trace.length; this.consumed++) faultsSeen = this.read(trace[this.consumed]!) || faultsSeen;
    if (faultsSeen) this.foldFaults();
    const last = this.consumed > 0 ? trace[this.consumed - 1]!.at : 0;
    this.frontier = Math.max(frontierMicros, last);
    return this.changes !== before;
  }

  /** Returns true for an event that changes the fault bands. */
  private read(e: TraceEvent): boolean {
    switch (e.type) {
      case 'start': case 'restart': case 'resume': case 'crash': case 'pause': case 'leave': {
        const status: NodeDrawStatus = e.type === 'crash' ? 'crashed' : e.type === 'pause' ? 'paused' : e.type === 'leave' ? 'absent' : 'up';
        const stretches = this.status.get(e.node);
        if (stretches !== undefined && change(stretches, e.at, { status }, sameStatus)) this.changes++;
        // A new process (or none) has no role yet; a pause or resume keeps the role it had.
        const roles = this.roles.get(e.node);
        if (roles !== undefined && e.type !== 'pause' && e.type !== 'resume' && change(roles, e.at, { role: null, term: null }, sameRole)) this.changes++;
        return false;
      }
      case 'observe': {
        const fact = asRoleFact(e.fact);
        const roles = this.roles.get(e.node);
        if (fact === undefined || roles === undefined) return false;
        if (!this.roleNames.includes(fact.role)) this.roleNames.push(fact.role);
        if (change(roles, e.at, { role: fact.role, term: fact.term }, sameRole)) this.changes++;
        return false;
      }
      case 'invoke': {
        const ends = this.laneEnds.get(e.node) ?? [];
        this.laneEnds.set(e.node, ends);
        // The first lane whose operation returned strictly before this call (as the HTML report lays them out).
        let lane = ends.findIndex((end) => end < e.at);
        if (lane === -1) lane = ends.length;
        ends[lane] = Infinity;
        this.opIndex.set(e.opId, this.opList.length);
        this.opList.push({ opId: e.opId, client: e.node, call: e.at, ret: null, status: 'open', input: summarise(e.input, OP_TEXT_CHARS_MAX), output: '', lane });
        this.changes++;
        return false;
      }
      case 'complete': {
        const index = this.opIndex.get(e.opId);
        if (index === undefined) return false;
        const op = this.opList[index]!;
        if (op.ret !== null) return false;
        this.opList[index] = { ...op, ret: e.at, status: e.status, output: summarise(e.output, OP_TEXT_CHARS_MAX) };
        this.laneEnds.get(op.client)![op.lane] = e.at;
        this.changes++;
        return false;
      }
      case 'phase':
        if (e.phase === 'recovery' && this.recoveryAt === null) {
          this.recoveryAt = e.at;
          this.changes++;
        }
        return false;
      case 'fault':
        this.faultEvents.push(e);
        return true;
      default:
        return false;
    }
  }

  /** The fault bands again from every fault read so far (few per run: a schedule, not a message stream). */
  private foldFaults(): void {
    const { faults, lanes } = faultWindows(this.faultEvents, this.nodes, this.options.baseLatency, this.recoveryAt ?? OPEN_END, OPEN_END);
    this.bands = faults.map((w) => ({ from: w.from, to: w.to === OPEN_END ? null : w.to, kind: w.kind, label: w.label, lane: w.lane }));
    this.bandLanes = lanes;
    this.changes++;
  }

  /** Everything up to here has been simulated: open stretches, bands and operations reach it. */
  get frontierMicros(): Micros {
    return this.frontier;
  }

  /** Counts changes to what is drawn (not the frontier): unchanged, nothing needs drawing again but the frontier's edge. */
  get version(): number {
    return this.changes;
  }

  /** Counts restarts (a new trace array): everything drawn from the previous trace is stale. */
  get generation(): number {
    return this.restarts;
  }

  /** The node's status stretches, in time order, tiling [0, frontier]; the last is open. Read-only. */
  statusOf(node: NodeId): readonly StatusStretch[] {
    return this.status.get(node) ?? [];
  }

  /** The node's role stretches, in time order, tiling [0, frontier]; the last is open. Read-only. */
  rolesOf(node: NodeId): readonly RoleStretch[] {
    return this.roles.get(node) ?? [];
  }

  /** Whether the node is one of the scenario's clients (given as `clients`). */
  isClient(node: NodeId): boolean {
    return this.options.clients?.includes(node) ?? false;
  }

  /** The position of `role` among the roles reported so far (for a colour of its own); -1 if never reported. */
  roleIndex(role: string): number {
    return this.roleNames.indexOf(role);
  }

  /** Every client operation invoked so far, in invoke order (so by call time). */
  get operations(): readonly OpBar[] {
    return this.opList;
  }

  /** Lanes the client's operations use (0 for a node that invoked none). */
  opLanesOf(client: NodeId): number {
    return this.laneEnds.get(client)?.length ?? 0;
  }

  get faultBands(): readonly FaultBand[] {
    return this.bands;
  }

  get faultLanes(): number {
    return this.bandLanes;
  }

  /** When the recovery phase began (null: not yet). */
  get recoveryStartMicros(): Micros | null {
    return this.recoveryAt;
  }

  /** Everything the model holds, with open ends closed at the frontier: for comparing two models. */
  snapshot() {
    const close = <T extends { to: Micros | null }>(list: readonly T[]) => list.map((s) => ({ ...s, to: s.to ?? this.frontier }));
    return {
      frontier: this.frontier,
      status: this.nodes.map((id) => close(this.statusOf(id))),
      roles: this.nodes.map((id) => close(this.rolesOf(id))),
      operations: this.opList.map((op) => ({ ...op })),
      lanes: this.nodes.map((id) => this.opLanesOf(id)),
      faults: close(this.bands),
      faultLanes: this.bandLanes,
      recoveryAt: this.recoveryAt,
    };
  }
}
