// Raft's safety properties (extended paper, Figure 3) as checkers fed by the nodes' observations and
// read-only views, plus the run-level liveness and "something happened" checks. Each safety checker
// reports the first violation with the nodes, terms and indices involved.

import type { Checker, RunView } from '../../sim/check.js';
import type { NodeId } from '../../sim/process.js';
import { formatMicros } from '../../sim/time.js';
import type { SessionCommand } from '../kv/state-machine.js';
import type { RaftFact } from './facts.js';
import type { LogEntry } from './messages.js';

interface RaftView {
  readonly role: 'follower' | 'candidate' | 'leader';
  readonly term: number;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly log: readonly LogEntry[];
}

/** A command is named by its session: a client never sends two different commands under one seq. */
function sameCommand(a: SessionCommand | null, b: SessionCommand | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return a.clientId === b.clientId && a.seq === b.seq;
}

function sameEntry(a: LogEntry, b: LogEntry): boolean {
  return a.term === b.term && sameCommand(a.command, b.command);
}

function describeCommand(command: SessionCommand | null): string {
  return command === null ? 'no-op' : `${command.clientId}#${command.seq} ${JSON.stringify(command.command)}`;
}

function views(run: RunView): [NodeId, RaftView][] {
  const out: [NodeId, RaftView][] = [];
  for (const node of run.servers) {
    const view = run.inspect(node) as RaftView | undefined;
    if (view !== undefined) out.push([node, view]);
  }
  return out;
}

/** always: at most one leader per term. */
export function electionSafety(): Checker<RaftFact> {
  const leaders = new Map<number, NodeId>();
  return {
    name: 'election-safety',
    kind: 'always',
    description: 'at most one leader is elected in a term',
    onObservation(node, fact) {
      if (fact.type !== 'leader') return;
      const term = fact.term;
      const other = leaders.get(term);
      if (other !== undefined && other !== node) return `two leaders in term ${term}: ${other} and ${node}`;
      leaders.set(term, node);
    },
    verdict: () => ({ ok: true }),
  };
}

/**
 * always: a server votes for at most one candidate in a term (Figure 2: votedFor is persistent state;
 * §5.2: "each server will vote for at most one candidate in a given term"), across its restarts. The
 * paper's rule behind election safety, checked where it is broken rather than when two leaders result.
 */
export function voteOncePerTerm(): Checker<RaftFact> {
  const votes = new Map<string, string>();
  return {
    name: 'vote-once-per-term',
    kind: 'always',
    description: 'a server votes for at most one candidate in a term, across restarts',
    onObservation(node, fact) {
      if (fact.type !== 'vote') return;
      const key = `${node} ${fact.term}`;
      const earlier = votes.get(key);
      if (earlier !== undefined && earlier !== fact.candidate) return `${node} voted for ${earlier} and then for ${fact.candidate} in term ${fact.term}`;
      votes.set(key, fact.candidate);
    },
    verdict: () => ({ ok: true }),
  };
}

/**
 * always: a leader commits by counting replicas only an entry of its own term (§5.4.2, Figure 8: "Raft
 * never commits log entries from previous terms by counting replicas"); earlier entries commit with it.
 * Read from each commit fact and the leader's log at that moment.
 */
export function commitCurrentTerm(): Checker<RaftFact> {
  return {
    name: 'commit-current-term',
    kind: 'always',
    description: "a leader commits by counting replicas only an entry of its own term; earlier ones commit with it",
    onObservation(node, fact, run) {
      if (fact.type !== 'commit') return;
      const view = run.inspect(node) as RaftView | undefined;
      const entry = view?.log[fact.to];
      if (entry !== undefined && entry.term !== fact.term) return `leader ${node} of term ${fact.term} committed index ${fact.to} by counting replicas, an entry of term ${entry.term}`;
    },
    verdict: () => ({ ok: true }),
  };
}

/** always: a leader never overwrites or deletes entries in its log. */
export function leaderAppendOnly(): Checker<RaftFact> {
  return {
    name: 'leader-append-only',
    kind: 'always',
    description: 'a leader never overwrites or deletes entries in its log, it only appends',
    onObservation(node, fact) {
      if (fact.type === 'truncate' && fact.role === 'leader') return `leader ${node} removed ${fact.removed} entries from index ${fact.from} in term ${fact.term}`;
    },
    verdict: () => ({ ok: true }),
  };
}

/** Finds a Log Matching violation among the current logs, or undefined. */
export function logMatchingViolation(logs: readonly [NodeId, readonly LogEntry[]][]): string | undefined {
  for (let a = 0; a < logs.length; a++) {
    for (let b = a + 1; b < logs.length; b++) {
      const [nodeA, logA] = logs[a]!;
      const [nodeB, logB] = logs[b]!;
      // The highest index where both logs hold an entry of the same term: everything up to it must agree.
      let top = Math.min(logA.length, logB.length) - 1;
      while (top > 0 && logA[top]!.term !== logB[top]!.term) top--;
      for (let i = top; i >= 1; i--) {
        if (!sameEntry(logA[i]!, logB[i]!)) {
          return `${nodeA} and ${nodeB} both have a term-${logA[top]!.term} entry at index ${top}, but differ at index ${i}: ${describeCommand(logA[i]!.command)} (term ${logA[i]!.term}) vs ${describeCommand(logB[i]!.command)} (term ${logB[i]!.term})`;
        }
      }
    }
  }
  return undefined;
}

/**
 * Log Matching checked again and again as logs grow: the same answer and message as
 * {@link logMatchingViolation} over the same logs (a property test holds the two equal), but a pair's
 * entries that were seen equal at an earlier check, and that neither log has changed since, are not
 * compared again. Each check still walks every log once to find where it changed (cheap: identity and
 * term per entry); only the comparisons between pairs are incremental. A log changed from index i when its
 * entry there is not the same object with the same term and the same command object as at the last check:
 * an append, a truncation, an entry replaced or its term or command replaced in place, a restart's log read
 * back from disk. (A command object's own fields changed in place would go unseen; commands arrive frozen
 * from the wire.) Beyond the paper: bookkeeping only.
 */
export class LogMatchingTracker {
  /** Each node's log as last seen: the entry objects, their terms and their commands. */
  private readonly seen = new Map<NodeId, { entries: LogEntry[]; terms: number[]; commands: (SessionCommand | null)[] }>();
  /** agreed.get(a).get(b): both logs held equal entries at every index up to this one, and neither changed there since. */
  private readonly agreed = new Map<NodeId, Map<NodeId, number>>();

  check(logs: readonly [NodeId, readonly LogEntry[]][]): string | undefined {
    for (const [node, log] of logs) this.notice(node, log);
    let problem: string | undefined;
    // Every pair is brought up to date, also after a violation is found, so that what `agreed` says stays true.
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const [nodeA, logA] = logs[a]!;
        const [nodeB, logB] = logs[b]!;
        const valid = this.agreed.get(nodeA)?.get(nodeB) ?? 0;
        // The highest index where both logs hold an entry of the same term: everything up to it must agree.
        let top = Math.min(logA.length, logB.length) - 1;
        while (top > 0 && logA[top]!.term !== logB[top]!.term) top--;
        let differs = false;
        for (let i = top; i > valid && i >= 1; i--) {
          if (!sameEntry(logA[i]!, logB[i]!)) {
            problem ??= `${nodeA} and ${nodeB} both have a term-${logA[top]!.term} entry at index ${top}, but differ at index ${i}: ${describeCommand(logA[i]!.command)} (term ${logA[i]!.term}) vs ${describeCommand(logB[i]!.command)} (term ${logB[i]!.term})`;
            differs = true;
            break;
          }
        }
        if (!differs) this.setAgreed(nodeA, nodeB, Math.max(top, valid));
      }
    }
    return problem;
  }

  /** Records `log` as seen now, and forgets every agreement of `node` from the first index that changed. */
  private notice(node: NodeId, log: readonly LogEntry[]): void {
    let seen = this.seen.get(node);
    if (seen === undefined) {
      seen = { entries: [], terms: [], commands: [] };
      this.seen.set(node, seen);
    }
    const common = Math.min(log.length, seen.entries.length);
    let changedFrom = 0;
    while (changedFrom < common) {
      const entry = log[changedFrom]!;
      if (entry !== seen.entries[changedFrom] || entry.term !== seen.terms[changedFrom] || entry.command !== seen.commands[changedFrom]) break;
      changedFrom++;
    }
    if (changedFrom === log.length && changedFrom === seen.entries.length) return;
    seen.entries.length = changedFrom;
    seen.terms.length = changedFrom;
    seen.commands.length = changedFrom;
    for (let i = changedFrom; i < log.length; i++) {
      const entry = log[i]!;
      seen.entries.push(entry);
      seen.terms.push(entry.term);
      seen.commands.push(entry.command);
    }
    for (const [other, upTo] of this.agreed.get(node) ?? []) if (upTo >= changedFrom) this.setAgreed(node, other, changedFrom - 1);
  }

  private setAgreed(a: NodeId, b: NodeId, upTo: number): void {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      let row = this.agreed.get(x);
      if (row === undefined) {
        row = new Map();
        this.agreed.set(x, row);
      }
      row.set(y, upTo);
    }
  }
}

/**
 * always: logs that share an entry (index and term) are identical up to it. Checked at elections and at
 * every `checkEveryApplies`-th apply, at most once per simulated moment: a restarted server applies its
 * whole log again in one handler, and checking every 25 of those applies made the checks grow with the
 * log's square; the logs do not change while it applies. Sampled, so a violation is found at the next
 * check; the verdict at the end compares every log of a server that is up, in full.
 */
export function logMatching(checkEveryApplies = 25): Checker<RaftFact> {
  let applies = 0;
  let checkedAtMicros = -1;
  const tracker = new LogMatchingTracker();
  const logs = (run: RunView) => views(run).map(([node, view]): [NodeId, readonly LogEntry[]] => [node, view.log]);
  const check = (run: RunView) => {
    checkedAtMicros = run.now;
    return tracker.check(logs(run));
  };
  return {
    name: 'log-matching',
    kind: 'always',
    description: 'if two logs contain an entry with the same index and term, they are identical up to that index',
    sampled: true,
    onObservation(_node, fact, run) {
      if (fact.type === 'leader') return check(run);
      if (fact.type === 'apply' && ++applies % checkEveryApplies === 0 && run.now !== checkedAtMicros) return check(run);
    },
    verdict: (run) => {
      // At the end, the whole comparison once, from scratch; a violation found only now is dated now.
      const problem = logMatchingViolation(logs(run));
      return problem ? { ok: false, message: problem, atMicros: run.now } : { ok: true };
    },
  };
}

/**
 * always: an entry committed in term T is in the log of every leader of a term after T. The term an
 * entry is committed in is the term of the leader that commits it (its 'commit' observation), which
 * can be later than the term the entry was created in.
 */
export function leaderCompleteness(): Checker<RaftFact> {
  const committed = new Map<number, { entry: LogEntry; commitTerm: number; at: number }>();
  return {
    name: 'leader-completeness',
    kind: 'always',
    description: 'an entry committed in a term is in the log of every leader of a later term',
    onObservation(node, fact, run) {
      if (fact.type === 'commit') {
        const view = run.inspect(node) as RaftView | undefined;
        if (view === undefined) return;
        for (let index = fact.from; index <= fact.to; index++) {
          if (!committed.has(index)) committed.set(index, { entry: view.log[index]!, commitTerm: fact.term, at: run.now });
        }
        return;
      }
      if (fact.type !== 'leader') return;
      const view = run.inspect(node) as RaftView | undefined;
      if (view === undefined) return;
      for (const [index, { entry, commitTerm, at }] of committed) {
        if (commitTerm >= fact.term) continue;
        const mine = view.log[index];
        if (mine === undefined || !sameEntry(mine, entry)) {
          return `${node} became leader of term ${fact.term} without the entry at index ${index} (${describeCommand(entry.command)}, term ${entry.term}) committed in term ${commitTerm} at ${formatMicros(at)}`;
        }
      }
    },
    verdict: () => ({ ok: true }),
  };
}

/** always: no two servers apply different commands at the same index. */
export function stateMachineSafety(): Checker<RaftFact> {
  const applied = new Map<number, { node: NodeId; entry: LogEntry }>();
  return {
    name: 'state-machine-safety',
    kind: 'always',
    description: 'no two servers apply different commands at the same log index',
    onObservation(node, fact) {
      if (fact.type !== 'apply') return;
      const index = fact.index;
      const entry: LogEntry = { term: fact.term, command: fact.command };
      const first = applied.get(index);
      if (first === undefined) {
        applied.set(index, { node, entry });
        return;
      }
      if (!sameEntry(first.entry, entry)) {
        return `index ${index}: ${first.node} applied ${describeCommand(first.entry.command)} (term ${first.entry.term}) but ${node} applied ${describeCommand(entry.command)} (term ${entry.term})`;
      }
    },
    verdict: () => ({ ok: true }),
  };
}

/** eventually: one leader, and a majority of servers know it in its term. */
export function leaderAgreed(): Checker<RaftFact> {
  return {
    name: 'leader-agreed',
    kind: 'eventually',
    description: 'after recovery, a leader is elected and known to a majority of servers',
    verdict(run) {
      const all = views(run);
      const leaders = all.filter(([, v]) => v.role === 'leader');
      if (leaders.length === 0) return { ok: false, message: 'no server is leader' };
      const [leader, view] = leaders.reduce((best, candidate) => (candidate[1].term > best[1].term ? candidate : best));
      const followers = all.filter(([node, v]) => node === leader || (v.leaderId === leader && v.term === view.term)).length;
      if (followers * 2 <= run.servers.length) return { ok: false, message: `${leader} leads term ${view.term} but only ${followers} of ${run.servers.length} servers know it` };
      return { ok: true };
    },
  };
}

/** eventually: every client operation has completed (algorithm-neutral; lives with the history checkers). */
export { clientOperationsComplete } from '../../sim/check/history-checker.js';

/**
 * sometimes: a leader was elected and a client write was committed. Without clients (`clientWrites:
 * false`) no write can come, so it asks for a committed entry of any kind instead: a leader's no-op.
 */
export function leaderElectedAndWriteCommitted(options: { readonly clientWrites: boolean } = { clientWrites: true }): Checker<RaftFact> {
  let elected = false;
  let wrote = false;
  const { clientWrites } = options;
  const what = clientWrites ? 'write' : 'entry';
  return {
    name: `leader-elected-and-${what}-committed`,
    kind: 'sometimes',
    description: clientWrites ? 'at least once, a leader was elected and a client write was committed' : 'at least once, a leader was elected and an entry (its no-op) was committed',
    onObservation(_node, fact) {
      if (fact.type === 'leader') elected = true;
      if (fact.type === 'apply' && (!clientWrites || (fact.command !== null && fact.command.command.op !== 'get'))) wrote = true;
    },
    verdict: () => (elected && wrote ? { ok: true } : { ok: false, message: elected ? `a leader was elected but no ${what} was committed` : 'no leader was ever elected' }),
  };
}
