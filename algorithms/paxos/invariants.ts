// Paxos's safety and liveness properties as checkers fed by the nodes' observations and read-only
// views. "Chosen" is judged from the acceptors, never from what a proposer believes: a value is chosen
// in a slot once a majority of acceptors have accepted it in the same ballot (their 'accepted'
// observations, made after the acceptance is durable). Shared by single-decree Paxos (slot 1) and
// Multi-Paxos (one slot per log position).

import type { Checker, RunView } from '../../sim/check.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros, type Micros } from '../../sim/time.js';
import type { KvCommand, SessionCommand } from '../kv/state-machine.js';
import type { PaxosFact, PaxosValue } from './facts.js';
import { compareBallots, formatBallot, sameBallot, type Ballot } from './messages.js';

/** A chosen value: a client command, a no-op (null), or a single-decree proposal (a string). */
type AnyValue = PaxosValue;

/** Same value: a command is named by its session (a client never sends two commands under one seq). */
export function sameValue(a: AnyValue, b: AnyValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a === 'string' || typeof b === 'string') return false;
  return a.clientId === b.clientId && a.seq === b.seq;
}

export function describeValue(value: AnyValue): string {
  if (value === null) return 'no-op';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${value.clientId}#${value.seq} ${JSON.stringify(value.command)}`;
}

const majorityOf = (run: RunView) => Math.floor(run.servers.length / 2) + 1;

interface Acceptance {
  readonly ballot: Ballot;
  readonly value: AnyValue;
  readonly acceptors: Set<NodeId>;
}

/**
 * Counts acceptances per slot, ballot and value, and names each value the moment a majority of the
 * acceptors have accepted it in one ballot. An acceptance counts for good once made: later ones do not
 * undo it (that a majority once accepted (b, v) is what "v is chosen" means).
 */
export class ChosenTracker {
  private readonly bySlot = new Map<number, Acceptance[]>();

  /** Feeds one 'accepted' observation; returns the newly chosen value, if this acceptance chose one. */
  accepted(node: NodeId, slot: number, ballot: Ballot, value: AnyValue, majority: number): { ballot: Ballot; value: AnyValue } | undefined {
    let acceptances = this.bySlot.get(slot);
    if (acceptances === undefined) this.bySlot.set(slot, (acceptances = []));
    let acceptance: Acceptance | undefined;
    for (const candidate of acceptances) {
      if (sameBallot(candidate.ballot, ballot) && sameValue(candidate.value, value)) {
        acceptance = candidate;
        break;
      }
    }
    if (acceptance === undefined) acceptances.push((acceptance = { ballot, value, acceptors: new Set() }));
    if (acceptance.acceptors.has(node)) return undefined;
    acceptance.acceptors.add(node);
    return acceptance.acceptors.size === majority ? { ballot, value } : undefined;
  }
}

/** The first value reported for each slot, by whom, and the first report that differs from it. */
class SlotAgreement {
  private readonly first = new Map<number, { node: NodeId; value: AnyValue }>();

  /** `verb`: what a report says a node did ("decided", "applied"). */
  constructor(private readonly verb: string) {}

  /** Records `node`'s value for `slot`; returns a violation if an earlier report for the slot differs. */
  report(slot: number, node: NodeId, value: AnyValue): string | undefined {
    const first = this.first.get(slot);
    if (first === undefined) {
      this.first.set(slot, { node, value });
      return undefined;
    }
    if (!sameValue(first.value, value)) return `slot ${slot}: ${first.node} ${this.verb} ${describeValue(first.value)} but ${node} ${this.verb} ${describeValue(value)}`;
    return undefined;
  }
}

/**
 * always (Agreement): at most one value is chosen per slot; and learners that report a decision
 * ('decide' observations, single-decree) never decide different values.
 */
export function agreement(): Checker<PaxosFact> {
  const tracker = new ChosenTracker();
  const chosen = new Map<number, { ballot: Ballot; value: AnyValue; at: Micros }>();
  const decided = new SlotAgreement('decided');
  return {
    name: 'agreement',
    kind: 'always',
    description: 'at most one value is chosen per slot (a majority of acceptors accepted it in one ballot), and learners decide the same value',
    onObservation(node, fact, run) {
      if (fact.type === 'accepted') {
        const { slot, ballot, value } = fact;
        const now = tracker.accepted(node, slot, ballot, value, majorityOf(run));
        if (now === undefined) return;
        const first = chosen.get(slot);
        if (first === undefined) {
          chosen.set(slot, { ...now, at: run.now });
          return;
        }
        if (!sameValue(first.value, now.value)) {
          return `slot ${slot}: ${describeValue(first.value)} was chosen in ballot ${formatBallot(first.ballot)} at ${formatMicros(first.at)}, then ${describeValue(now.value)} in ballot ${formatBallot(now.ballot)}`;
        }
      } else if (fact.type === 'decide') {
        return decided.report(fact.slot, node, fact.value);
      }
    },
    verdict: () => ({ ok: true }),
  };
}

/**
 * always (Validity): a chosen value was proposed — a single-decree proposer's own value ('propose'
 * observations), a command a client invoked (the client history), or, where allowed, a no-op. Each
 * accepted value is looked up once (values travel as shared frozen objects); only one that was never
 * proposed is followed until it is chosen.
 */
export function validity(options: { readonly noOps: boolean }): Checker<PaxosFact> {
  const tracker = new ChosenTracker();
  const proposed = new Set<string>();
  const known = new WeakSet<object>();
  /** Per client, the commands it invoked (as JSON), indexed from the history as it grows. */
  const invoked = new Map<string, Set<string>>();
  let indexed = 0;
  const wasProposed = (value: AnyValue, run: RunView): boolean => {
    if (value === null) return options.noOps;
    if (typeof value === 'string') return proposed.has(value);
    if (known.has(value)) return true;
    for (; indexed < run.history.length; indexed++) {
      const op = run.history[indexed]!;
      let mine = invoked.get(op.client);
      if (mine === undefined) invoked.set(op.client, (mine = new Set()));
      mine.add(JSON.stringify(op.input));
    }
    const ok = invoked.get(value.clientId)?.has(JSON.stringify(value.command satisfies KvCommand)) ?? false;
    if (ok) known.add(value);
    return ok;
  };
  return {
    name: 'validity',
    kind: 'always',
    description: `a chosen value was proposed: a proposer's own value or a command a client invoked${options.noOps ? ', or a no-op' : ''}`,
    onObservation(node, fact, run) {
      if (fact.type === 'propose') {
        proposed.add(fact.value);
        return;
      }
      if (fact.type !== 'accepted') return;
      const { slot, ballot, value } = fact;
      if (wasProposed(value, run)) return;
      if (tracker.accepted(node, slot, ballot, value, majorityOf(run)) !== undefined) {
        return `slot ${slot}: ${describeValue(value)} was chosen in ballot ${formatBallot(ballot)} but nobody proposed it`;
      }
    },
    verdict: () => ({ ok: true }),
  };
}

/** always: no acceptor accepts a ballot below one it has promised — across its restarts too. */
export function promiseRespected(): Checker<PaxosFact> {
  const promised = new Map<NodeId, Ballot>();
  return {
    name: 'promise-respected',
    kind: 'always',
    description: 'no acceptor accepts a proposal of a ballot below one it promised, even after a restart',
    onObservation(node, fact) {
      if (fact.type !== 'promise' && fact.type !== 'accepted') return;
      const ballot = fact.ballot;
      const floor = promised.get(node);
      if (fact.type === 'accepted' && floor !== undefined && compareBallots(ballot, floor) < 0) {
        return `${node} accepted ballot ${formatBallot(ballot)} in slot ${fact.slot} after promising ${formatBallot(floor)}`;
      }
      // An acceptance is a promise of its ballot too.
      if (floor === undefined || compareBallots(ballot, floor) > 0) promised.set(node, ballot);
    },
    verdict: () => ({ ok: true }),
  };
}

/** always: every replica applies the same command at each slot. */
export function stateMachineSafety(): Checker<PaxosFact> {
  const applied = new SlotAgreement('applied');
  return {
    name: 'state-machine-safety',
    kind: 'always',
    description: 'no two replicas apply different commands at the same slot',
    onObservation(node, fact) {
      if (fact.type === 'apply') return applied.report(fact.index, node, fact.command);
    },
    verdict: () => ({ ok: true }),
  };
}

interface PaxosView {
  readonly role: 'follower' | 'candidate' | 'leader';
  readonly ballot: Ballot;
  readonly leaderId: NodeId | null;
  readonly leaderBallot: Ballot;
}

/**
 * eventually: one leader emerges — the highest-ballot leader is known to a majority of servers in its
 * ballot, and has held that ballot for `stableMicros` (no rival has preempted it in that time).
 */
export function leaderAgreed(stableMicros: Micros): Checker<PaxosFact> {
  const since = new Map<NodeId, { ballot: Ballot; at: Micros }>();
  return {
    name: 'leader-agreed',
    kind: 'eventually',
    description: `after recovery, one leader is known to a majority of servers and keeps its ballot for ${formatMicros(stableMicros)}`,
    onObservation(node, fact, run) {
      if (fact.type === 'leader') since.set(node, { ballot: fact.ballot, at: run.now });
    },
    verdict(run) {
      let leader: NodeId | undefined;
      let best: PaxosView | undefined;
      const all: [NodeId, PaxosView][] = [];
      for (const node of run.servers) {
        const view = run.inspect(node) as PaxosView | undefined;
        if (view === undefined) continue;
        all.push([node, view]);
        if (view.role === 'leader' && (best === undefined || compareBallots(view.ballot, best.ballot) > 0)) {
          leader = node;
          best = view;
        }
      }
      if (leader === undefined || best === undefined) return { ok: false, message: 'no server is leader' };
      const knowing = all.filter(([node, v]) => node === leader || (v.leaderId === leader && sameBallot(v.leaderBallot, best!.ballot))).length;
      if (knowing * 2 <= run.servers.length) return { ok: false, message: `${leader} leads ballot ${formatBallot(best.ballot)} but only ${knowing} of ${run.servers.length} servers know it` };
      const held = since.get(leader);
      if (held === undefined || !sameBallot(held.ballot, best.ballot)) return { ok: false, message: `${leader} leads ballot ${formatBallot(best.ballot)} but was never seen taking it` };
      if (run.now - held.at < stableMicros) return { ok: false, message: `${leader} has held ballot ${formatBallot(best.ballot)} for only ${formatMicros(run.now - held.at)}` };
      return { ok: true };
    },
  };
}

/** eventually: every client operation has completed (algorithm-neutral; lives with the history checkers). */
export { clientOperationsComplete } from '../../sim/check/history-checker.js';

/** eventually (single-decree): every server has learned the decision. */
export function everyoneDecided(): Checker<PaxosFact> {
  return {
    name: 'decided',
    kind: 'eventually',
    description: 'after recovery, every server has learned the chosen value',
    verdict(run) {
      const undecided = run.servers.filter((node) => (run.inspect(node) as { decided: string | null } | undefined)?.decided == null);
      if (undecided.length === 0) return { ok: true };
      return { ok: false, message: `${undecided.length} of ${run.servers.length} servers have not learned a value (${undecided.join(', ')})` };
    },
  };
}

/**
 * sometimes: a leader was established (a majority promised its ballot). For a Multi-Paxos store without
 * clients, where no value is ever proposed, this is what "something happened" can mean.
 */
export function leaderEstablished(): Checker<PaxosFact> {
  let established = false;
  return {
    name: 'leader-established',
    kind: 'sometimes',
    description: 'at least once, a leader was established by a majority of promises',
    onObservation(_node, fact) {
      if (fact.type === 'leader-established') established = true;
    },
    verdict: () => (established ? { ok: true } : { ok: false, message: 'no leader was ever established' }),
  };
}

/** sometimes: a value was chosen (for the key-value store: a client command, not just a no-op). */
export function valueChosen(options: { readonly clientCommand: boolean }): Checker<PaxosFact> {
  const tracker = new ChosenTracker();
  let seen = false;
  return {
    name: 'value-chosen',
    kind: 'sometimes',
    description: options.clientCommand ? 'at least once, a client command was chosen' : 'at least once, a value was chosen',
    onObservation(node, fact, run) {
      if (seen || fact.type !== 'accepted') return;
      const { slot, ballot, value } = fact;
      const now = tracker.accepted(node, slot, ballot, value, majorityOf(run));
      if (now !== undefined && (!options.clientCommand || now.value !== null)) seen = true;
    },
    verdict: () => (seen ? { ok: true } : { ok: false, message: options.clientCommand ? 'no client command was ever chosen' : 'no value was ever chosen' }),
  };
}
