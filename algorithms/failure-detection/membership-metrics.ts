// Membership metrics: how fast a failure detector notices a crash, how often it wrongly suspects or
// buries a live member, what it costs in messages and bytes, and how fast a view change spreads. Read
// from the members' views (`MembershipFact`) and the engine's node status, as faults are applied.
// Assumes the members are the run's servers, every node boots at 0, and each reports only views of others.

import type { LinkView, RunView } from '../../sim/check.js';
import type { MembershipFact, MemberStatus } from '../../sim/facts.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { MetricDecl, MetricsObserver } from '../../sim/metrics.js';
import type { NodeId } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import { MembershipViews, type MemberView } from './membership-checks.js';

/** The further metrics {@link membershipMetrics} provides (`RunMetrics.samples`). */
export const MEMBERSHIP_METRICS: readonly MetricDecl[] = [
  {
    name: 'detectionFirstSuspicionMicros', unit: 'duration',
    description: 'per crash in the fault phase: from the crash until some member first reports the crashed one suspect or dead (while it is still down)',
  },
  {
    name: 'detectionAllDeadMicros', unit: 'duration',
    description: 'per crash in the fault phase: from the crash until every member up throughout holds it dead (while it is still down; no sample if never)',
  },
  {
    name: 'falseSuspicionsPerMemberHour', unit: 'number',
    description: "fault phase: a member's view of another turning suspect while that other is up, per member-hour",
  },
  {
    name: 'falseDeathsPerMemberHour', unit: 'number',
    description: "fault phase: a member's view of another turning dead while that other is up, per member-hour",
  },
  {
    name: 'healthyFalseSuspicionsPerMemberHour', unit: 'number',
    description: "fault phase: a member's view of another turning suspect while that other is up and not slow (a healthy member), per member-hour",
  },
  {
    name: 'healthyFalseDeathsPerMemberHour', unit: 'number',
    description: "fault phase: a member's view of another turning dead while that other is up and not slow (a healthy member), per member-hour",
  },
  { name: 'messagesPerMemberSecond', unit: 'number', description: 'fault phase: messages sent per member per second of simulated time' },
  {
    name: 'bytesPerMemberSecond', unit: 'number',
    description: "fault phase: message bytes (their JSON text's length) sent per member per second; only when the scenario measures bytes",
  },
  {
    name: 'disseminationMicros', unit: 'duration',
    description: 'per view change (a new status and incarnation of a member): from the first member to hold it until every up member holds it or a later one (no sample if never)',
  },
];

const RANK: Readonly<Record<MemberStatus, number>> = { alive: 0, suspect: 1, dead: 2, left: 3 };

/** Whether `view` is `key` or supersedes it: a higher incarnation, or the same with a status at least as strong (alive < suspect < dead < left). */
function covers(view: MemberView | undefined, key: MemberView): boolean {
  return view !== undefined && coversKey(view.status, view.incarnation, key);
}

/** {@link covers} for a view given as its parts (no object to build). */
function coversKey(status: MemberStatus, incarnation: number, key: MemberView): boolean {
  return incarnation > key.incarnation || (incarnation === key.incarnation && RANK[status] >= RANK[key.status]);
}

/** A crash being detected. */
interface Detection {
  readonly crashedAt: Micros;
  suspected: boolean;
  /** Viewers up at the crash and not down since; true: its view of the crashed member is dead now. */
  readonly required: Map<NodeId, boolean>;
  deadCount: number;
  allDead: boolean;
}

/** A view change spreading. */
interface Spread {
  readonly key: MemberView;
  readonly firstAt: Micros;
  /** Up members (other than the member itself) whose view covers the key. */
  holders: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The membership metrics observer (fresh per run; see {@link MEMBERSHIP_METRICS} for what each measures).
 * Definitions, kept simple and stated:
 * - a false suspicion (death) is one member's view of another changing to suspect (dead) while that
 *   other is up (not crashed or paused; a partition does not make it down), in the fault phase; divided
 *   by member-hours of the fault phase (members × its length); a healthy false suspicion (death) is
 *   one of a member that is also not slow (no `slow` fault with a factor other than 1 holds for it) —
 *   the false positives Lifeguard sets out to prevent, where a slow member wrongly accuses others;
 * - messages and bytes are those sent in the fault phase (snapshot when the recovery phase opens),
 *   per member per second of it;
 * - dissemination is measured for a change, not a first learning: the first holder of the new
 *   (status, incarnation) must have held another view of the member before. Each (status,
 *   incarnation) of a member is measured once.
 * Costs: per fact, a look-up plus one step per open crash of its member and per open change of it; per
 * crash, restart, pause or resume, one step per open change (and per member, at a crash).
 * `options.views`: a view table shared with the run's membership checkers (fresh per run); default: its own.
 */
export function membershipMetrics(options: { readonly views?: MembershipViews } = {}): MetricsObserver<MembershipFact> {
  const views = (options.views ?? new MembershipViews()).subscribe();
  let members: readonly NodeId[] | undefined;
  /** Nodes not up, as of the last fault that acted on them (every node boots up at 0). */
  const notUp = new Map<NodeId, 'crashed' | 'paused' | 'absent'>();
  let upCount = 0;
  const detections = new Map<NodeId, Detection>();
  const firstSuspicion: Micros[] = [];
  const allDead: Micros[] = [];
  let falseSuspicions = 0;
  let falseDeaths = 0;
  let healthyFalseSuspicions = 0;
  let healthyFalseDeaths = 0;
  /** Members a `slow` fault holds now (factor ≠ 1). */
  const slow = new Set<NodeId>();
  /** Per member, the (status, incarnation) pairs seen: incarnation → a bit per status (1 << RANK). */
  const seen = new Map<NodeId, Map<number, number>>();
  const spreading = new Map<NodeId, Spread[]>();
  const dissemination: Micros[] = [];
  let faultPhaseEnd: { messages: number | undefined; bytes: number | undefined } | undefined;

  const init = (run: RunView) => {
    if (members !== undefined) return;
    members = run.servers;
    upCount = members.length;
  };
  const isUp = (node: NodeId) => !notUp.has(node);
  const required = (member: NodeId) => upCount - (isUp(member) ? 1 : 0);

  const finishSpreads = (member: NodeId, now: Micros) => {
    const list = spreading.get(member);
    if (list === undefined) return;
    const need = required(member);
    for (let i = list.length - 1; i >= 0; i--) {
      const spread = list[i]!;
      if (spread.holders >= need) {
        dissemination.push(now - spread.firstAt);
        list.splice(i, 1);
      }
    }
  };
  const checkAllDead = (d: Detection, now: Micros) => {
    if (!d.allDead && d.required.size > 0 && d.deadCount === d.required.size) {
      d.allDead = true;
      allDead.push(now - d.crashedAt);
    }
  };
  /** Viewer `v` stops counting (it went down): its views no longer hold anything. */
  const viewerDown = (v: NodeId, now: Micros) => {
    for (const d of detections.values()) {
      const dead = d.required.get(v);
      if (dead === undefined) continue;
      d.required.delete(v);
      if (dead) d.deadCount--;
      checkAllDead(d, now);
    }
    for (const [member, list] of spreading) {
      if (member === v) continue;
      for (const spread of list) if (covers(views.lastReported(v, member), spread.key)) spread.holders--;
    }
  };
  /** Viewer `v` counts again after a resume (a restarted viewer holds nothing yet). */
  const viewerResumed = (v: NodeId) => {
    for (const [member, list] of spreading) {
      if (member === v) continue;
      for (const spread of list) if (covers(views.lastReported(v, member), spread.key)) spread.holders++;
    }
  };

  /** One viewer's view of one member changed to (status, incarnation) from the previous one (status undefined: none). */
  const viewChanged = (
    viewer: NodeId, member: NodeId, status: MemberStatus, incarnation: number,
    previousStatus: MemberStatus | undefined, previousIncarnation: number, run: RunView,
  ) => {
    const now = run.now;
    // False positives, in the fault phase only.
    if (run.phase === 'faults' && run.status(member) === 'up') {
      const healthy = !slow.has(member);
      if (status === 'suspect' && previousStatus !== 'suspect') {
        falseSuspicions++;
        if (healthy) healthyFalseSuspicions++;
      }
      if (status === 'dead' && previousStatus !== 'dead') {
        falseDeaths++;
        if (healthy) healthyFalseDeaths++;
      }
    }
    // Detection of a crash.
    const d = detections.get(member);
    if (d !== undefined) {
      if (!d.suspected && (status === 'suspect' || status === 'dead')) {
        d.suspected = true;
        firstSuspicion.push(now - d.crashedAt);
      }
      const held = d.required.get(viewer);
      if (held !== undefined && held !== (status === 'dead')) {
        d.required.set(viewer, !held);
        d.deadCount += held ? -1 : 1;
        checkAllDead(d, now);
      }
    }
    // Dissemination.
    let list = spreading.get(member);
    if (list !== undefined) {
      for (const spread of list) {
        const was = previousStatus !== undefined && coversKey(previousStatus, previousIncarnation, spread.key);
        const is = coversKey(status, incarnation, spread.key);
        if (was !== is) spread.holders += is ? 1 : -1;
      }
    }
    let keys = seen.get(member);
    if (keys === undefined) seen.set(member, (keys = new Map()));
    const statuses = keys.get(incarnation) ?? 0;
    const bit = 1 << RANK[status];
    if ((statuses & bit) === 0) {
      keys.set(incarnation, statuses | bit);
      if (previousStatus !== undefined) {
        const next: MemberView = { status, incarnation };
        let holders = 0;
        for (const other of members!) if (other !== member && isUp(other) && covers(views.get(other, member, run), next)) holders++;
        if (list === undefined) spreading.set(member, (list = []));
        list.push({ key: next, firstAt: now, holders });
      }
    }
    finishSpreads(member, now);
  };

  return {
    name: 'membership-metrics',
    provides: MEMBERSHIP_METRICS,
    onFact(viewer: NodeId, fact: MembershipFact, run: RunView) {
      if (fact.type === 'members-alive') {
        init(run);
        views.observe(viewer, fact, run);
        const replaced = views.replaced.length === 0 ? undefined : new Map(views.replaced.map((v) => [v.member, v]));
        if (replaced === undefined && detections.size === 0 && spreading.size === 0) {
          // A first view of each (a start-up view, nothing being detected or spread): all it can change
          // is which (status, incarnation) pairs have been seen.
          const bit = 1 << RANK.alive;
          const listed = fact.members;
          for (let i = 0; i < listed.length; i++) {
            const member = listed[i]!;
            let keys = seen.get(member);
            if (keys === undefined) seen.set(member, (keys = new Map()));
            const statuses = keys.get(fact.incarnation) ?? 0;
            if ((statuses & bit) === 0) keys.set(fact.incarnation, statuses | bit);
          }
          return;
        }
        for (const member of fact.members) {
          const was = replaced?.get(member);
          viewChanged(viewer, member, 'alive', fact.incarnation, was?.status, was?.incarnation ?? 0, run);
        }
        return;
      }
      if (fact.type !== 'member') return;
      init(run);
      views.observe(viewer, fact, run);
      viewChanged(viewer, fact.member, fact.status, fact.incarnation, views.previousStatus, views.previousIncarnation, run);
    },
    onFault(fault: FaultEntry | null, run: RunView & LinkView) {
      init(run);
      if (run.phase === 'recovery' && faultPhaseEnd === undefined) faultPhaseEnd = { messages: run.messagesSent, bytes: run.bytesSent };
      if (fault !== null && fault.kind === 'slow') {
        if (fault.factor === 1) slow.delete(fault.node);
        else slow.add(fault.node);
        return;
      }
      if (fault === null || !(fault.kind === 'crash' || fault.kind === 'restart' || fault.kind === 'pause' || fault.kind === 'resume')) return;
      const node = fault.node;
      const status = run.status(node);
      const before = notUp.get(node) ?? 'up';
      if (status === before) return;
      const now = run.now;
      if (status === 'up') {
        notUp.delete(node);
        upCount++;
        if (before === 'paused') viewerResumed(node);
        if (before === 'crashed') {
          // Back from a crash: no longer being detected, and its new life holds no views yet.
          detections.delete(node);
          views.life(node, run);
        }
      } else {
        notUp.set(node, status);
        if (before === 'up') {
          upCount--;
          viewerDown(node, now);
        }
        if (status === 'crashed' && run.phase === 'faults') {
          const d: Detection = { crashedAt: now, suspected: false, required: new Map(), deadCount: 0, allDead: false };
          for (const v of members!) {
            if (v === node || !isUp(v)) continue;
            const dead = views.get(v, node, run)?.status === 'dead';
            d.required.set(v, dead);
            if (dead) d.deadCount++;
          }
          detections.set(node, d);
          checkAllDead(d, now);
        }
      }
      for (const member of spreading.keys()) finishSpreads(member, now);
    },
    finish(run) {
      const count = run.servers.length;
      const faultMicros = run.recovery.startedAtMicros;
      const memberHours = (count * faultMicros) / 3_600_000_000;
      const memberSeconds = (count * faultMicros) / 1_000_000;
      const messages = faultPhaseEnd?.messages ?? run.messagesSent;
      const bytes = faultPhaseEnd === undefined ? run.bytesSent : faultPhaseEnd.bytes;
      const rate = (x: number, per: number) => (per > 0 ? [round3(x / per)] : []);
      return {
        samples: {
          detectionFirstSuspicionMicros: firstSuspicion,
          detectionAllDeadMicros: allDead,
          falseSuspicionsPerMemberHour: rate(falseSuspicions, memberHours),
          falseDeathsPerMemberHour: rate(falseDeaths, memberHours),
          healthyFalseSuspicionsPerMemberHour: rate(healthyFalseSuspicions, memberHours),
          healthyFalseDeathsPerMemberHour: rate(healthyFalseDeaths, memberHours),
          messagesPerMemberSecond: rate(messages, memberSeconds),
          bytesPerMemberSecond: bytes === undefined ? [] : rate(bytes, memberSeconds),
          disseminationMicros: dissemination,
        },
      };
    },
  };
}
