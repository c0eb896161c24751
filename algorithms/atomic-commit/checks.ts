// The atomic-commitment checkers, generic over 2PC, 3PC and Paxos Commit: they read only the shared
// facts (facts.ts), the client history (bank.ts's BankTx and AuditResult) and the participants' inspect
// view ({@link ParticipantView}: balances and the transactions in doubt). Assumes every participant
// starts each account at `bank.initialBalance`.

import type { Checker, RunView } from '../../sim/check.js';
import type { NodeId } from '../../sim/process.js';
import type { AuditResult, BankConfig, BankTx } from './bank.js';
import type { CommitFact, Decision } from './facts.js';

/** What every protocol's participant shows through `inspect()`. */
export interface ParticipantView {
  readonly balances: Readonly<Record<string, number>>;
  /** Transactions prepared here and not yet decided (holding locks). */
  readonly inDoubt: readonly string[];
}

/** A participant's view, or undefined while it is down (or if its process shows no {@link ParticipantView}). */
function participantView(run: RunView, node: NodeId): ParticipantView | undefined {
  const view = run.inspect(node) as Partial<ParticipantView> | undefined;
  if (view === undefined || !Array.isArray(view.inDoubt) || typeof view.balances !== 'object' || view.balances === null) return undefined;
  return view as ParticipantView;
}

/**
 * Atomicity: no transaction commits at one participant and aborts at another, and no two `decide` facts
 * of one transaction differ. At the end, too: a transaction committed somewhere is committed at every
 * participant that voted yes and is up — not in doubt there (still waiting is termination's business)
 * and not forgotten (a participant that lost its prepare record has silently dropped the writes).
 */
export function atomicity(): Checker<CommitFact> {
  const outcomes = new Map<string, Map<NodeId, Decision>>();
  const decided = new Map<string, Decision>();
  const votedYes = new Map<string, Set<NodeId>>();
  return {
    name: 'atomicity',
    kind: 'always',
    description: 'no transaction commits at one participant and aborts at another, and no two decisions of one transaction differ',
    onObservation(node, fact) {
      if (fact.type === 'decide') {
        const before = decided.get(fact.tx);
        if (before !== undefined && before !== fact.decision) return `${fact.tx} decided ${before}, then ${fact.decision} by ${node}`;
        decided.set(fact.tx, fact.decision);
      } else if (fact.type === 'vote' && fact.vote === 'yes') {
        let voters = votedYes.get(fact.tx);
        if (voters === undefined) votedYes.set(fact.tx, (voters = new Set()));
        voters.add(node);
      } else if (fact.type === 'outcome') {
        const byNode = outcomes.get(fact.tx) ?? new Map<NodeId, Decision>();
        outcomes.set(fact.tx, byNode);
        for (const [other, decision] of byNode) {
          if (other !== node && decision !== fact.decision) return `${fact.tx} ${decision === 'commit' ? 'committed' : 'aborted'} at ${other} but ${fact.decision === 'commit' ? 'committed' : 'aborted'} at ${node}`;
        }
        byNode.set(node, fact.decision);
      }
      return undefined;
    },
    verdict(run) {
      for (const [tx, byNode] of outcomes) {
        const committedAt = [...byNode].find(([, decision]) => decision === 'commit')?.[0];
        if (committedAt === undefined) continue;
        for (const voter of votedYes.get(tx) ?? []) {
          if (byNode.get(voter) === 'commit' || run.status(voter) !== 'up') continue;
          const view = participantView(run, voter);
          if (view === undefined || view.inDoubt.includes(tx)) continue;
          return { ok: false, message: `${tx} committed at ${committedAt}, but ${voter}, which voted yes and is up, neither committed it nor holds it in doubt (its prepare was lost)` };
        }
      }
      return { ok: true };
    },
  };
}

/** Commit validity: a transaction commits (anywhere) only if every participant of its `tx-begin` voted yes. */
export function commitValidity(): Checker<CommitFact> {
  const participants = new Map<string, readonly string[]>();
  const yes = new Map<string, Set<NodeId>>();
  return {
    name: 'commit-validity',
    kind: 'always',
    description: 'a transaction commits only if every participant it began with voted yes',
    onObservation(node, fact) {
      if (fact.type === 'tx-begin') participants.set(fact.tx, fact.participants);
      else if (fact.type === 'vote' && fact.vote === 'yes') {
        const set = yes.get(fact.tx) ?? new Set<NodeId>();
        set.add(node);
        yes.set(fact.tx, set);
      } else if ((fact.type === 'outcome' || fact.type === 'decide') && fact.decision === 'commit') {
        const all = participants.get(fact.tx);
        if (all === undefined) return `${fact.tx} committed at ${node} though it never began`;
        const missing = all.filter((p) => !yes.get(fact.tx)?.has(p));
        if (missing.length > 0) return `${fact.tx} committed at ${node} though ${missing.join(', ')} did not vote yes`;
      }
      return undefined;
    },
    verdict: () => ({ ok: true }),
  };
}

/** Decisions are final: a participant's outcome for a transaction never changes (across its restarts too). */
export function decisionsFinal(): Checker<CommitFact> {
  const outcomes = new Map<string, Decision>();
  return {
    name: 'decisions-final',
    kind: 'always',
    description: "a participant's outcome for a transaction never changes, not even after a restart",
    onObservation(node, fact) {
      if (fact.type !== 'outcome') return undefined;
      const key = `${node} ${fact.tx}`;
      const before = outcomes.get(key);
      if (before !== undefined && before !== fact.decision) return `${node} changed its outcome for ${fact.tx} from ${before} to ${fact.decision}`;
      outcomes.set(key, fact.decision);
      return undefined;
    },
    verdict: () => ({ ok: true }),
  };
}

/** The total every audit and the final balances must show. */
export function bankTotal(bank: BankConfig, participantCount: number): number {
  return bank.accountsPerShard * bank.initialBalance * participantCount;
}

/**
 * Serializability on the bank workload: every committed audit's balances sum to the initial total (judged
 * at the end, from the history), and at the end, once no participant is in doubt and all are up, their
 * balances sum to it.
 */
export function bankSerializable(bank: BankConfig, participants: readonly NodeId[]): Checker<CommitFact> {
  const total = bankTotal(bank, participants.length);
  const accounts = bank.accountsPerShard * participants.length;
  return {
    name: 'bank-serializable',
    kind: 'always',
    description: 'the total balance is conserved: every committed audit reads it, and so do the final balances once nothing is in doubt',
    verdict(run: RunView) {
      for (const op of run.history) {
        const input = op.input as BankTx;
        if (op.status !== 'ok' || input.op !== 'audit') continue;
        const { balances } = op.output as AuditResult;
        const read = Object.values(balances);
        const sum = read.reduce((a, b) => a + b, 0);
        if (read.length !== accounts || sum !== total) {
          return { ok: false, atMicros: op.return ?? op.call, message: `audit ${input.tx} read ${read.length} of ${accounts} accounts summing to ${sum}, not ${total}` };
        }
      }
      const views: ParticipantView[] = [];
      // The final balances are judged only when every participant is up and nothing is in doubt (a
      // transaction half applied would make the sum honestly off); the verdict says when they were not.
      for (const p of participants) {
        const view = participantView(run, p);
        if (view === undefined) return { ok: true, message: `final balances not judged: ${p} is down at the end` };
        views.push(view);
      }
      const doubtful = participants.find((_, i) => views[i]!.inDoubt.length > 0);
      if (doubtful !== undefined) return { ok: true, message: `final balances not judged: ${doubtful} holds ${views[participants.indexOf(doubtful)]!.inDoubt.join(', ')} in doubt at the end` };
      const sum = views.reduce((s, v) => s + Object.values(v.balances).reduce((a, b) => a + b, 0), 0);
      if (sum !== total) return { ok: false, atMicros: run.now, message: `the final balances sum to ${sum}, not ${total}` };
      return { ok: true };
    },
  };
}

/**
 * Termination after heal: in the recovery phase, every transaction a participant voted yes on has an
 * outcome there, and no live participant is in doubt (for 2PC once the coordinator is back).
 */
export function terminationAfterHeal(participants: readonly NodeId[]): Checker<CommitFact> {
  const undecided = new Map<string, Set<string>>();
  return {
    name: 'termination-after-heal',
    kind: 'eventually',
    description: 'after the heal, every transaction a participant voted yes on is decided there, and no live participant stays in doubt',
    onObservation(node, fact) {
      if (fact.type === 'vote' && fact.vote === 'yes') {
        const set = undecided.get(node) ?? new Set<string>();
        set.add(fact.tx);
        undecided.set(node, set);
      } else if (fact.type === 'outcome') undecided.get(node)?.delete(fact.tx);
      return undefined;
    },
    verdict(run) {
      if (run.phase !== 'recovery') return { ok: false, message: 'the recovery phase has not begun' };
      for (const p of participants) {
        if (run.status(p) !== 'up') continue;
        const waiting = undecided.get(p);
        if (waiting !== undefined && waiting.size > 0) return { ok: false, message: `${p} voted yes on ${[...waiting].slice(0, 3).join(', ')} and has no outcome` };
        const view = participantView(run, p);
        if (view !== undefined && view.inDoubt.length > 0) return { ok: false, message: `${p} is in doubt about ${view.inDoubt.slice(0, 3).join(', ')}` };
      }
      return { ok: true };
    },
  };
}

/** Sometimes: at least one transaction committed at some participant (the run did real work). */
export function someCommit(): Checker<CommitFact> {
  let committed = false;
  return {
    name: 'some-commit',
    kind: 'sometimes',
    description: 'some transaction committed',
    onObservation(_node, fact) {
      if (fact.type === 'outcome' && fact.decision === 'commit') committed = true;
      return undefined;
    },
    verdict: () => (committed ? { ok: true } : { ok: false, message: 'no transaction ever committed' }),
  };
}

/** Every atomic-commitment checker, for one scenario's participants and bank. */
export function commitCheckers(bank: BankConfig, participants: readonly NodeId[]): Checker<CommitFact>[] {
  return [atomicity(), commitValidity(), decisionsFinal(), bankSerializable(bank, participants), terminationAfterHeal(participants), someCommit()];
}
