// Membership checkers: what a failure detector promises, judged from the views its members report
// (`MembershipFact`, sim/facts.ts) and the engine's node status. Completeness and accuracy after heal are
// liveness (`eventually`); incarnation order, no self-death and the finality of death are safety (`always`).
// Assumes the members are the run's servers, each reports only views of others, and every node boots at 0.

import type { Checker, LinkView, NodeStatus, RunView } from '../../sim/check.js';
import type { MemberFact, MembersAliveFact, MembershipFact, MemberStatus } from '../../sim/facts.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros, type Micros } from '../../sim/time.js';

/** One viewer's latest view of one member. */
export interface MemberView {
  readonly status: MemberStatus;
  readonly incarnation: number;
}

/** A view a `members-alive` fact replaced. */
export interface ReplacedView extends MemberView {
  readonly member: NodeId;
}

/** Status codes in a {@link ViewerLife}'s table: 0 is "no view". */
const STATUS_CODES: readonly (MemberStatus | undefined)[] = [undefined, 'alive', 'suspect', 'dead', 'left'];
const CODE_OF: Readonly<Record<MemberStatus, number>> = { alive: 1, suspect: 2, dead: 3, left: 4 };

/** One life of one viewer: its views, as typed arrays indexed by member index (grown on demand). */
export class ViewerLife {
  status: Uint8Array;
  incarnation: Float64Array;
  constructor(readonly crashes: number, capacity: number) {
    this.status = new Uint8Array(capacity);
    this.incarnation = new Float64Array(capacity);
  }
  /** Makes room for member index `index`. */
  reserve(index: number): void {
    if (index < this.status.length) return;
    const capacity = Math.max(index + 1, this.status.length * 2);
    const status = new Uint8Array(capacity);
    status.set(this.status);
    const incarnation = new Float64Array(capacity);
    incarnation.set(this.incarnation);
    this.status = status;
    this.incarnation = incarnation;
  }
}

/**
 * Each viewer's latest view of each member, as reported. A viewer's views belong to one life of its
 * process: when the engine says it has crashed since (its crash count moved), they are forgotten, as
 * the process forgot them. Stored compactly (a status byte and an incarnation per viewer and member,
 * members indexed in order of first mention), so a fact costs no allocation.
 *
 * One table can serve several checkers and observers of a run: each that records facts calls
 * {@link subscribe} once when built and then {@link observe} exactly once per membership fact; the
 * first such call for a fact updates the table and the others get the same answer (the view it
 * replaced, in {@link previousStatus} and {@link previousIncarnation}). Readers that need only the
 * current views need not subscribe, as long as someone does.
 */
export class MembershipViews {
  private readonly byViewer = new Map<NodeId, ViewerLife>();
  private readonly index = new Map<NodeId, number>();
  private recorders = 0;
  private pending = 0;
  private lastViewer: NodeId | undefined;
  private lastFact: MembershipFact | undefined;
  /** After {@link observe}: the status the fact's view replaced (undefined: the first in this life). */
  previousStatus: MemberStatus | undefined;
  /** After {@link observe}: the incarnation the fact's view replaced (meaningful when {@link previousStatus} is set). */
  previousIncarnation = 0;
  /** After {@link observe} of a `members-alive` fact: the views it replaced, one per listed member that had one (usually none). */
  replaced: readonly ReplacedView[] = [];
  /** After {@link observe}: the viewer's current life, which the fact's view went into. */
  observedLife: ViewerLife | undefined;

  /** Registers one more consumer that calls {@link observe} once per fact. */
  subscribe(): this {
    this.recorders++;
    return this;
  }

  private indexOf(member: NodeId): number {
    let i = this.index.get(member);
    if (i === undefined) this.index.set(member, (i = this.index.size));
    return i;
  }

  /** The viewer's current life (empty after a crash, until it reports again). */
  life(viewer: NodeId, run: RunView): ViewerLife {
    const crashes = run.crashCount(viewer);
    let entry = this.byViewer.get(viewer);
    if (entry === undefined || entry.crashes !== crashes) {
      entry = new ViewerLife(crashes, Math.max(this.index.size, run.servers.length));
      this.byViewer.set(viewer, entry);
    }
    return entry;
  }

  /** The status the viewer holds for `member` in its current life (undefined: no view). */
  statusOf(viewer: NodeId, member: NodeId, run: RunView): MemberStatus | undefined {
    const life = this.life(viewer, run);
    const i = this.index.get(member);
    return i === undefined || i >= life.status.length ? undefined : STATUS_CODES[life.status[i]!];
  }

  /** The viewer's latest view of `member`, or undefined if it holds none (in its current life). */
  get(viewer: NodeId, member: NodeId, run: RunView): MemberView | undefined {
    return viewOf(this.life(viewer, run), this.index.get(member));
  }

  /** The view the viewer last reported of `member`, whatever life of it reported it (for what a crash took away). */
  lastReported(viewer: NodeId, member: NodeId): MemberView | undefined {
    const life = this.byViewer.get(viewer);
    return life === undefined ? undefined : viewOf(life, this.index.get(member));
  }

  /**
   * Records a reported view (once per fact however many subscribers call it) and sets
   * {@link previousStatus} and {@link previousIncarnation} to the view it replaced.
   */
  observe(viewer: NodeId, fact: MembershipFact, run: RunView): void {
    if (this.pending > 0 && fact === this.lastFact && viewer === this.lastViewer) {
      this.pending--;
      return;
    }
    this.pending = this.recorders - 1;
    this.lastFact = fact;
    this.lastViewer = viewer;
    const life = this.life(viewer, run);
    this.observedLife = life;
    if (fact.type === 'members-alive') return this.observeAll(life, fact);
    const i = this.indexOf(fact.member);
    life.reserve(i);
    const code = life.status[i]!;
    this.previousStatus = STATUS_CODES[code];
    this.previousIncarnation = life.incarnation[i]!;
    life.status[i] = CODE_OF[fact.status];
    life.incarnation[i] = fact.incarnation;
  }

  /** A `members-alive` fact: each listed member's view, in order; the views it replaced go into {@link replaced}. */
  private observeAll(life: ViewerLife, fact: MembersAliveFact): void {
    this.previousStatus = undefined;
    this.previousIncarnation = 0;
    const replaced: ReplacedView[] = [];
    this.replaced = replaced;
    const alive = CODE_OF.alive;
    // An indexed loop: this runs once per member start, unoptimised, where `for … of` allocates per step.
    const members = fact.members;
    for (let k = 0; k < members.length; k++) {
      const member = members[k]!;
      const i = this.indexOf(member);
      life.reserve(i);
      const code = life.status[i]!;
      // A start-up view lands in a fresh life: usually nothing is replaced.
      if (code !== 0) replaced.push({ member, status: STATUS_CODES[code]!, incarnation: life.incarnation[i]! });
      life.status[i] = alive;
      life.incarnation[i] = fact.incarnation;
    }
  }

  /** Records a reported view; returns the one it replaces (undefined: the first in this life). For a table of one consumer. */
  set(viewer: NodeId, fact: MemberFact, run: RunView): MemberView | undefined {
    this.observe(viewer, fact, run);
    const status = this.previousStatus;
    return status === undefined ? undefined : { status, incarnation: this.previousIncarnation };
  }
}

function viewOf(life: ViewerLife, i: number | undefined): MemberView | undefined {
  if (i === undefined || i >= life.status.length) return undefined;
  const status = STATUS_CODES[life.status[i]!];
  return status === undefined ? undefined : { status, incarnation: life.incarnation[i]! };
}

function describeView(view: MemberView | undefined): string {
  return view === undefined ? 'no view of it' : `${view.status} at incarnation ${view.incarnation}`;
}

/** The node a crash, restart, pause or resume entry acted on; undefined for any other entry. */
function lifecycleNode(fault: FaultEntry | null): NodeId | undefined {
  if (fault === null) return undefined;
  return fault.kind === 'crash' || fault.kind === 'restart' || fault.kind === 'pause' || fault.kind === 'resume' ? fault.node : undefined;
}

/** A crashed member owed a death by the viewers up at its crash (viewer → its crash count then). */
interface Obligation {
  readonly member: NodeId;
  readonly crashedAt: Micros;
  readonly deadline: Micros;
  readonly viewers: Map<NodeId, number>;
  cancelled: boolean;
}

/** Options of {@link completeness}. */
export interface CompletenessOptions {
  /** How long after a crash every member that stayed up must hold the crashed member `dead`. */
  readonly boundMicros: Micros;
  /** A view table shared with the run's other membership checkers and metrics (fresh per run); default: its own. */
  readonly views?: MembershipViews;
}

/** Options of the membership checkers that read views: a table shared per run, or (default) one of their own. */
export interface ViewsOptions {
  /** A view table shared with the run's other membership checkers and metrics (fresh per run). */
  readonly views?: MembershipViews;
}

/**
 * eventually: every member that crashed during the fault phase and stayed down for at least
 * `boundMicros` is declared `dead` by every member that was up throughout [crash, crash + bound], by
 * crash + bound (its latest view then is `dead`, at any incarnation). Judged honestly: a member that
 * restarts before the bound is owed nothing; a viewer crashed or paused at any moment of the window (or
 * not up at the crash) is excused. Crash and restart times come from `onFault` (one map look-up per
 * fault); a node the engine crashes for a handler exception is not seen (that run fails anyway).
 */
export function completeness(options: CompletenessOptions): Checker<MembershipFact> {
  const { boundMicros } = options;
  const views = (options.views ?? new MembershipViews()).subscribe();
  /** Obligations in deadline order (the bound is fixed and crashes arrive in time order: a queue). */
  const owed: Obligation[] = [];
  let head = 0;
  let failure: { message: string; atMicros: Micros } | undefined;
  /** Each node's status after the last fault that acted on it (absent: up, as every node boots at 0). */
  const last = new Map<NodeId, NodeStatus>();

  /** Judges every obligation whose deadline is before `now` (every event up to its deadline has been seen). */
  const settle = (run: RunView) => {
    while (head < owed.length && owed[head]!.deadline < run.now) {
      const o = owed[head++]!;
      if (o.cancelled || failure !== undefined) continue;
      for (const [viewer, crashes] of o.viewers) {
        // Crashed since (by the engine, for a handler exception, which no fault entry tells): excused.
        if (run.crashCount(viewer) !== crashes) continue;
        if (views.statusOf(viewer, o.member, run) !== 'dead') {
          const view = views.get(viewer, o.member, run);
          failure = {
            message: `${o.member} crashed at ${formatMicros(o.crashedAt)} and stayed down, but ${viewer} (up throughout) did not hold it dead within ${formatMicros(boundMicros)} (at ${formatMicros(o.deadline)} it had ${describeView(view)})`,
            atMicros: o.deadline,
          };
          break;
        }
      }
    }
    if (head > 1024 && head * 2 > owed.length) {
      owed.splice(0, head);
      head = 0;
    }
  };

  return {
    name: 'completeness',
    kind: 'eventually',
    description: `every member that crashes and stays down is declared dead within ${formatMicros(boundMicros)} by every member up throughout`,
    onObservation(node, fact, run) {
      if (fact.type !== 'member' && fact.type !== 'members-alive') return;
      settle(run);
      views.observe(node, fact, run);
    },
    onFault(fault: FaultEntry | null, run: RunView & LinkView) {
      settle(run);
      const node = lifecycleNode(fault);
      if (node === undefined) return;
      const status = run.status(node);
      const before = last.get(node) ?? 'up';
      last.set(node, status);
      // A viewer that goes down is excused from every open obligation.
      if (before === 'up' && status !== 'up') for (let i = head; i < owed.length; i++) owed[i]!.viewers.delete(node);
      if (before !== 'crashed' && status === 'crashed' && run.phase === 'faults') {
        const viewers = new Map<NodeId, number>();
        for (const id of run.servers) if (id !== node && run.status(id) === 'up') viewers.set(id, run.crashCount(id));
        owed.push({ member: node, crashedAt: run.now, deadline: run.now + boundMicros, viewers, cancelled: false });
      }
      if (before === 'crashed' && status === 'up') {
        // Back before the bound: it did not stay down long enough to be owed a death.
        for (let i = head; i < owed.length; i++) if (owed[i]!.member === node && run.now < owed[i]!.deadline) owed[i]!.cancelled = true;
      }
    },
    verdict(run) {
      settle(run);
      return failure === undefined ? { ok: true } : { ok: false, message: failure.message, atMicros: failure.atMicros };
    },
  };
}

/**
 * eventually: in the recovery phase, every member that is up holds every other member that is up
 * `alive` (its latest view; a restarted member may be seen at a higher incarnation). Polled: the pair
 * that failed last time is tried first, so a poll that still fails costs one look-up.
 */
export function accuracyAfterHeal(options: ViewsOptions = {}): Checker<MembershipFact> {
  // A shared table is kept up by the checkers and metrics that subscribe to it: this one only reads it.
  const shared = options.views;
  const views = shared ?? new MembershipViews();
  /** Where the last poll found a pair wrong (a pair index viewer × n + member, in `run.servers` order): the next poll starts there. */
  let cursor = 0;
  const problem = (viewer: NodeId, member: NodeId, run: RunView): string | undefined => {
    if (views.statusOf(viewer, member, run) === 'alive') return undefined;
    return `${viewer} has ${describeView(views.get(viewer, member, run))} for ${member}, which is up`;
  };
  return {
    name: 'accuracy-after-heal',
    kind: 'eventually',
    description: 'once faults heal, every live member sees every other live member alive',
    ...(shared === undefined
      ? { onObservation(node: NodeId, fact: MembershipFact, run: RunView) { if (fact.type === 'member' || fact.type === 'members-alive') views.observe(node, fact, run); } }
      : {}),
    verdict(run) {
      if (run.phase !== 'recovery') return { ok: false, message: 'the recovery phase has not begun' };
      // Every pair, once around from the cursor: a poll that fails stops at the first wrong pair, and
      // only a poll that passes looks at all n² (polls come every few simulated milliseconds).
      const servers = run.servers;
      const n = servers.length;
      const pairs = n * n;
      const up = servers.map((id) => run.status(id) === 'up');
      if (cursor >= pairs) cursor = 0;
      for (let k = 0; k < pairs; k++) {
        const pair = (cursor + k) % pairs;
        const v = Math.floor(pair / n);
        const m = pair - v * n;
        if (v === m || !up[v] || !up[m]) continue;
        const message = problem(servers[v]!, servers[m]!, run);
        if (message !== undefined) {
          cursor = pair;
          return { ok: false, message };
        }
      }
      return { ok: true };
    },
  };
}

/**
 * always: a viewer never reports a member at a lower incarnation than it reported before (per viewer
 * and member, within one life of the viewer: a restarted process starts knowing nothing).
 */
export function incarnationsNeverDecrease(options: ViewsOptions = {}): Checker<MembershipFact> {
  const views = (options.views ?? new MembershipViews()).subscribe();
  return {
    name: 'incarnations-never-decrease',
    kind: 'always',
    description: "a member's view of another never goes back to a lower incarnation",
    onObservation(node, fact, run) {
      if (fact.type === 'members-alive') {
        views.observe(node, fact, run);
        for (const was of views.replaced) {
          if (fact.incarnation < was.incarnation) return `${node}'s view of ${was.member} went from incarnation ${was.incarnation} (${was.status}) back to ${fact.incarnation} (alive)`;
        }
        return;
      }
      if (fact.type !== 'member') return;
      views.observe(node, fact, run);
      const previous = views.previousStatus;
      if (previous !== undefined && fact.incarnation < views.previousIncarnation) {
        return `${node}'s view of ${fact.member} went from incarnation ${views.previousIncarnation} (${previous}) back to ${fact.incarnation} (${fact.status})`;
      }
    },
    verdict: () => ({ ok: true }),
  };
}

/** always: a member never declares itself dead (no member reports a view of itself; one saying `dead` is a violation). */
export function neverSelfDead(): Checker<MembershipFact> {
  return {
    name: 'never-self-dead',
    kind: 'always',
    description: 'a member never declares itself dead',
    onObservation(node, fact) {
      if (fact.type === 'member' && fact.member === node && fact.status === 'dead') return `${node} declared itself dead (incarnation ${fact.incarnation})`;
    },
    verdict: () => ({ ok: true }),
  };
}

/**
 * always (SWIM): once a viewer holds member m dead at incarnation i, it never again holds m alive or
 * suspect at an incarnation ≤ i: only m's own higher incarnation (a restart, a rejoin) undoes a death.
 * Per viewer life. Not for heartbeat and phi accrual detectors: their `dead` is reversible by design.
 */
export function deadIsFinal(options: ViewsOptions = {}): Checker<MembershipFact> {
  const views = (options.views ?? new MembershipViews()).subscribe();
  /** Per viewer life (`views`' life bookkeeping): member → highest incarnation held dead. */
  const deadAt = new WeakMap<ViewerLife, Map<NodeId, number>>();
  return {
    name: 'dead-is-final',
    kind: 'always',
    description: 'a dead declaration for an incarnation is never undone without a higher incarnation',
    onObservation(node, fact, run) {
      if (fact.type !== 'member' && fact.type !== 'members-alive') return;
      // Record first (a shared table is updated once per fact, by whichever subscriber sees it first);
      // the life is the viewer's current one either way.
      views.observe(node, fact, run);
      const life = views.observedLife!;
      let marks = deadAt.get(life);
      if (fact.type === 'members-alive') {
        // A start-up view comes in a fresh life, which holds no deaths: nothing to look up.
        if (marks === undefined) return;
        for (const member of fact.members) {
          const dead = marks.get(member);
          if (dead !== undefined && fact.incarnation <= dead) return `${node} held ${member} dead at incarnation ${dead}, then alive at incarnation ${fact.incarnation}`;
        }
        return;
      }
      if (fact.status === 'dead') {
        if (marks === undefined) deadAt.set(life, (marks = new Map()));
        const dead = marks.get(fact.member);
        if (dead === undefined || fact.incarnation > dead) marks.set(fact.member, fact.incarnation);
      } else if ((fact.status === 'alive' || fact.status === 'suspect') && marks !== undefined) {
        const dead = marks.get(fact.member);
        if (dead !== undefined && fact.incarnation <= dead) {
          return `${node} held ${fact.member} dead at incarnation ${dead}, then ${fact.status} at incarnation ${fact.incarnation}`;
        }
      }
    },
    verdict: () => ({ ok: true }),
  };
}

/**
 * The membership checkers a detector's scenario runs: all five for SWIM, all but `deadIsFinal` for
 * heartbeat and phi accrual. They share one view table: `options.views` (fresh per run; pass the same
 * to {@link membershipMetrics} to share it with the metrics too), or a new one.
 */
export function membershipCheckers(options: CompletenessOptions & { readonly deadIsFinal: boolean }): Checker<MembershipFact>[] {
  const views = options.views ?? new MembershipViews();
  return [
    completeness({ boundMicros: options.boundMicros, views }),
    accuracyAfterHeal({ views }),
    incarnationsNeverDecrease({ views }),
    neverSelfDead(),
    ...(options.deadIsFinal ? [deadIsFinal({ views })] : []),
  ];
}
