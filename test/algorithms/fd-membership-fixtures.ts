// Fixtures for the membership checker and metric tests: a fake run the test drives by hand (time,
// phase, node status, crash counts, faults) and a fake detector process that reports scripted views.

import type { Checker, LinkView, NodeStatus, RunView } from '../../sim/check.js';
import type { MembershipFact, MemberStatus } from '../../sim/facts.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { NodeId, NodeSpec, Process } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';

/** A run a test drives by hand. */
export class FakeRun implements RunView, LinkView {
  now: Micros = 0;
  phase: 'faults' | 'recovery' = 'faults';
  readonly history = [];
  messagesSent = 0;
  bytesSent: number | undefined = undefined;
  private readonly statuses = new Map<NodeId, NodeStatus>();
  private readonly crashes = new Map<NodeId, number>();
  private readonly cuts = new Set<string>();

  constructor(readonly servers: readonly NodeId[]) {}

  get nodes(): readonly NodeId[] {
    return this.servers;
  }

  status(id: NodeId): NodeStatus {
    return this.statuses.get(id) ?? 'up';
  }

  crashCount(id: NodeId): number {
    return this.crashes.get(id) ?? 0;
  }

  inspect(): unknown {
    return undefined;
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cuts.has(`${from}>${to}`);
  }

  /** Applies a lifecycle fault at `at` (status and crash count as the engine would), without telling anyone. */
  lifecycle(at: Micros, kind: 'crash' | 'restart' | 'pause' | 'resume', node: NodeId): FaultEntry {
    this.now = at;
    if (kind === 'crash') {
      this.statuses.set(node, 'crashed');
      this.crashes.set(node, this.crashCount(node) + 1);
    } else if (kind === 'pause') this.statuses.set(node, 'paused');
    else this.statuses.set(node, 'up');
    return { at, kind, node };
  }

  /** A crash the engine made (a handler exception): no fault entry. */
  crashQuietly(node: NodeId): void {
    this.statuses.set(node, 'crashed');
    this.crashes.set(node, this.crashCount(node) + 1);
  }
}

/** A membership fact. */
export function view(member: NodeId, status: MemberStatus, incarnation = 0): MembershipFact {
  return { type: 'member', member, status, incarnation };
}

/** Drives checkers (and observers) through a fake run: facts, faults, verdicts. */
export class Driver {
  readonly problems: string[] = [];
  constructor(
    readonly run: FakeRun,
    private readonly watchers: readonly (Pick<Checker<MembershipFact>, 'onObservation' | 'onFault'> & { onFact?(node: NodeId, fact: MembershipFact, run: RunView): void })[],
  ) {}

  fact(at: Micros, viewer: NodeId, member: NodeId, status: MemberStatus, incarnation = 0): this {
    return this.report(at, viewer, view(member, status, incarnation));
  }

  /** `viewer` reports every one of `members` alive at `incarnation` in one `members-alive` fact (a start-up view). */
  aliveAll(at: Micros, viewer: NodeId, members: readonly NodeId[], incarnation = 0): this {
    return this.report(at, viewer, { type: 'members-alive', members, incarnation });
  }

  private report(at: Micros, viewer: NodeId, fact: MembershipFact): this {
    this.run.now = at;
    for (const w of this.watchers) {
      const problem = w.onObservation?.(viewer, fact, this.run);
      if (problem) this.problems.push(problem);
      w.onFact?.(viewer, fact, this.run);
    }
    return this;
  }

  /** Every viewer of `viewers` reports `member` as `status` at `at`. */
  all(at: Micros, viewers: readonly NodeId[], member: NodeId, status: MemberStatus, incarnation = 0): this {
    for (const v of viewers) if (v !== member) this.fact(at, v, member, status, incarnation);
    return this;
  }

  fault(at: Micros, kind: 'crash' | 'restart' | 'pause' | 'resume', node: NodeId): this {
    const entry = this.run.lifecycle(at, kind, node);
    this.tell(entry);
    return this;
  }

  /** Tells every watcher of a fault already applied to the fake run (or of any entry). */
  tell(entry: FaultEntry | null): this {
    for (const w of this.watchers) {
      const problem = w.onFault?.(entry, this.run);
      if (problem) this.problems.push(problem);
    }
    return this;
  }

  /** Opens the recovery phase at `at` (the engine applies its heal entries: watchers hear one). */
  recover(at: Micros): this {
    this.run.now = at;
    this.run.phase = 'recovery';
    return this.tell({ at, kind: 'heal' });
  }
}

/**
 * A fake detector: it reports the views `script` lists for it, each at its time (a timer per entry), and
 * sends nothing. `script(id)` gives [at, member, status, incarnation] rows in time order.
 */
export function scriptedMembers(ids: readonly NodeId[], script: (id: NodeId) => readonly (readonly [Micros, NodeId, MemberStatus, number])[]): NodeSpec<unknown, MembershipFact>[] {
  return ids.map((id) => ({
    id,
    role: 'member',
    create(): Process<unknown, MembershipFact> {
      const rows = script(id);
      let next = 0;
      const arm = (ctx: { now(): Micros; setTimer(name: string, after: Micros): void }) => {
        while (next < rows.length && rows[next]![0] < ctx.now()) next++;
        if (next < rows.length) ctx.setTimer('report', rows[next]![0] - ctx.now());
      };
      return {
        onStart: (ctx) => arm(ctx),
        onMessage: () => {},
        onTimer: (ctx) => {
          while (next < rows.length && rows[next]![0] <= ctx.now()) {
            const [, member, status, incarnation] = rows[next++]!;
            ctx.observe({ type: 'member', member, status, incarnation });
          }
          arm(ctx);
        },
      };
    },
  }));
}
