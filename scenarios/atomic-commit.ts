// Atomic-commitment scenarios: bank clients run transfers and audits across sharded resource managers
// through a transaction manager, under 2PC (and, once built, 3PC or Paxos Commit: `--set protocol=…`),
// while the nemesis attacks. Participants are `--nodes`; the coordinator is `tm`, shards `rm1 … rmN`.

import { commitCheckers } from '../algorithms/atomic-commit/checks.js';
import { commitBugs } from '../algorithms/atomic-commit/bugs.js';
import { clientNodes } from '../algorithms/atomic-commit/client.js';
import type { CommitNodesBuilder, CommitNodesOptions } from '../algorithms/atomic-commit/config.js';
import type { CommitFact } from '../algorithms/atomic-commit/facts.js';
import { commitProtocolMetrics } from '../algorithms/atomic-commit/metrics.js';
import { paxosCommitNodes } from '../algorithms/atomic-commit/paxos-commit.js';
import { threePhaseNodes } from '../algorithms/atomic-commit/three-phase.js';
import { twoPhaseNodes } from '../algorithms/atomic-commit/two-phase.js';
import { InputError } from '../sim/errors.js';
import type { FaultEntry } from '../sim/faults.js';
import { meanLatencyMicros } from '../sim/network.js';
import type { NodeId } from '../sim/process.js';
import { defineParams, defineScenarioFamily, type Scenario, type ParamValuesOf, type ScenarioSetup, type ScenarioVariant, type ScriptContext } from '../sim/scenario.js';
import { seconds } from '../sim/time.js';
import { NETWORK_PARAMS, NETWORK_SWARM, networkFromParams, RECOVERY_PARAMS } from './common.js';
import { repeat } from './scripts.js';

/** The transaction manager's id in every atomic-commitment scenario. */
export const COORDINATOR: NodeId = 'tm';

/** The atomic-commitment family's parameters. */
export const COMMIT_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  ...RECOVERY_PARAMS.decls,
  protocol: { unit: 'choice', default: '2pc', choices: ['2pc', '3pc', 'paxos-commit'], description: 'the commit protocol: two-phase, three-phase or Paxos Commit' },
  clients: { unit: 'integer', default: 4, min: 1, max: 100, description: 'bank clients, each running one transaction at a time' },
  accountsPerShard: { unit: 'integer', default: 4, min: 1, max: 1_000, description: 'accounts per resource manager (shard)' },
  initialBalance: { unit: 'integer', default: 100, min: 0, max: 1_000_000_000, description: "every account's starting balance" },
  amountMax: { unit: 'integer', default: 20, min: 1, max: 1_000_000, description: 'a transfer moves 1 … amountMax' },
  auditRatio: { unit: 'ratio', default: 0.2, description: 'share of transactions that are audits (read every account); the rest are transfers' },
  clientThinkMicrosMin: { unit: 'duration', default: 5_000, min: 0, maxParam: 'clientThinkMicrosMax', description: "shortest pause between one client's transactions" },
  clientThinkMicrosMax: { unit: 'duration', default: 30_000, min: 0, description: "longest pause between one client's transactions" },
  clientResendMicros: { unit: 'duration', default: 100_000, min: 1_000, description: 'a client resends begin this often until it has a result' },
  clientTimeoutMicros: { unit: 'duration', default: 3_000_000, min: 1_000, description: 'a client leaves a transaction open (and moves on) unanswered this long' },
  timeoutMicros: { unit: 'duration', default: 100_000, min: 1_000, description: 'a coordinator aborts a vote not in this long; an in-doubt participant starts asking after it' },
  retryMicros: { unit: 'duration', default: 50_000, min: 1_000, description: 'unanswered decisions and queries are sent again this often' },
  crashTarget: { unit: 'choice', default: 'any', choices: ['any', 'coordinator'], description: "3pc-chaos's crash script: crash any node (the coordinator or a participant), or the coordinator only" },
  faultTolerance: { unit: 'integer', default: 1, min: 0, max: 7, description: 'Paxos Commit: F, with 2F + 1 acceptors (F = 0 is 2PC)' },
});

type CommitParams = ParamValuesOf<typeof COMMIT_PARAMS.decls>;

/** A commit scenario: a fault script, for `--nemesis scenario`, may read the run's parameters. */
interface CommitVariant extends ScenarioVariant<typeof COMMIT_PARAMS.decls> {
  readonly script?: (context: ScriptContext, params: CommitParams) => FaultEntry[];
}

/** The protocol builders by `protocol` value (every participant shows a `ParticipantView`, checks.ts, through `inspect()`). */
const BUILDERS: Readonly<Record<string, CommitNodesBuilder | undefined>> = { '2pc': twoPhaseNodes, '3pc': threePhaseNodes, 'paxos-commit': paxosCommitNodes };

/**
 * The coordinator is cut off with one participant on the far side, crashes 20–60 ms later (votes and
 * decisions of the transactions in flight are in), restarts 1–2 s later, and the partition heals 100 ms
 * after that: the participant in doubt must learn the coordinator's decision from its log.
 */
function coordinatorCrashScript(context: ScriptContext): FaultEntry[] {
  const participants = context.members('participant');
  return repeat(context, 2_500_000, 3_500_000, (at) => {
    const crash = at + context.rng.int(20_000, 60_000);
    const restart = crash + context.rng.int(1_000_000, 2_000_000);
    return [
      { at, kind: 'partition', groups: [[context.rng.pick(participants)], ['@rest']] },
      { at: crash, kind: 'crash', node: COORDINATOR },
      { at: restart, kind: 'restart', node: COORDINATOR },
      { at: restart + 100_000, kind: 'heal' },
    ];
  });
}

/** A random participant crashes every 1–2 s and restarts 0.2–1 s later. */
function participantCrashScript(context: ScriptContext): FaultEntry[] {
  const participants = context.members('participant');
  return repeat(context, 1_000_000, 2_000_000, (at) => {
    const node = context.rng.pick(participants);
    return [
      { at, kind: 'crash', node },
      { at: at + context.rng.int(200_000, 1_000_000), kind: 'restart', node },
    ];
  });
}

/**
 * 3PC's partition lesson: every 1.5 s from 300 ms on, the coordinator and the first participant are cut
 * off one way from the other participants for 1.2 s (their votes still reach the coordinator). A
 * transaction whose PreCommit reached the first participant but not the others is committed on that side
 * (the coordinator's ack timeout) and aborted on the other (all uncertain: the termination protocol's rule).
 */
function threePcSplitScript(context: ScriptContext): FaultEntry[] {
  const participants = context.members('participant');
  const near = participants.slice(0, 1);
  const far = participants.slice(1);
  const out: FaultEntry[] = [];
  if (far.length === 0) return out;
  for (let at = 300_000; at < context.durationMicros - 1; at += 1_500_000) {
    out.push({ at, kind: 'partition', from: [COORDINATOR, ...near], to: far }, { at: at + 1_200_000, kind: 'heal' });
  }
  return out.filter((f) => f.at < context.durationMicros);
}

/**
 * Crashes only (the fail-stop model): every 0.2–0.8 s a node that is up — the coordinator or a participant
 * (`crashTarget=coordinator`: the coordinator only) — crashes, and restarts 0.05–1 s later. Crashes
 * overlap: several sites, or all of them, may be down at once (a total failure, which 3PC's recovery must
 * survive too).
 */
function crashesOnlyScript(context: ScriptContext, params: CommitParams): FaultEntry[] {
  const nodes = params.crashTarget === 'coordinator' ? [COORDINATOR] : [COORDINATOR, ...context.members('participant')];
  const out: FaultEntry[] = [];
  const upAt = new Map<NodeId, number>();
  for (let at = 500_000; at < context.durationMicros - 1; at += context.rng.int(200_000, 800_000)) {
    const up = nodes.filter((node) => (upAt.get(node) ?? 0) <= at);
    if (up.length === 0) continue;
    const node = context.rng.pick(up);
    const back = at + context.rng.int(50_000, 1_000_000);
    out.push({ at, kind: 'crash', node }, { at: back, kind: 'restart', node });
    upAt.set(node, back + 1);
  }
  return out.filter((f) => f.at < context.durationMicros).sort((a, b) => a.at - b.at);
}

/**
 * Paxos Commit's leader crash with F acceptors down: acc1…accF leave at once (a `leave` takes a node
 * without an onLeave hook out for good, so they stay down through the recovery phase too, where
 * termination-after-heal is judged); the leader (tm) crashes every 2.5–3.5 s, 20–60 ms into an episode,
 * and restarts 1–2 s later.
 */
function paxosLeaderCrashScript(context: ScriptContext): FaultEntry[] {
  const acceptors = context.members('acceptor');
  const down = acceptors.slice(0, Math.floor((acceptors.length - 1) / 2));
  const out: FaultEntry[] = down.map((node) => ({ at: 1_000, kind: 'leave' as const, node }));
  out.push(...repeat(context, 2_500_000, 3_500_000, (at) => {
    const crash = at + context.rng.int(20_000, 60_000);
    return [{ at: crash, kind: 'crash', node: COORDINATOR }, { at: crash + context.rng.int(1_000_000, 2_000_000), kind: 'restart', node: COORDINATOR }];
  }));
  return out.filter((f) => f.at < context.durationMicros).sort((a, b) => a.at - b.at);
}

/** A random participant, or the coordinator with some participants, is cut off for 0.3–2 s. */
function partitionScript(context: ScriptContext): FaultEntry[] {
  const participants = context.members('participant');
  return repeat(context, 1_000_000, 2_500_000, (at) => {
    const minority = context.rng.chance(0.5) ? [context.rng.pick(participants)] : [COORDINATOR, ...context.rng.shuffle(participants).slice(0, Math.floor(participants.length / 2))];
    return [
      { at, kind: 'partition', groups: [minority, ['@rest']] },
      { at: at + context.rng.int(300_000, 2_000_000), kind: 'heal' },
    ];
  });
}

const commitScenario = defineScenarioFamily({
  algorithm: 'atomic-commit',
  params: COMMIT_PARAMS,
  bugs: commitBugs,
  defaultNodes: 3,
  minNodes: 1,
  maxNodes: 15,
  nodesReason: 'nodes are the participants; the coordinator tm and the clients come on top',
  defaultDurationMicros: seconds(10),
  swarm: {
    params: {
      ...NETWORK_SWARM,
      clients: { min: 1, max: 8 },
      accountsPerShard: { min: 2, max: 8 },
      auditRatio: { min: 0, max: 0.5 },
      clientThinkMicrosMin: { min: 0, max: 5_000 },
      clientThinkMicrosMax: { min: 10_000, max: 50_000, log: true },
      timeoutMicros: { min: 50_000, max: 300_000, log: true },
      retryMicros: { min: 20_000, max: 100_000, log: true },
    },
    nodes: [2, 5],
    triggers: {
      facts: [{ fact: 'vote', where: { vote: 'yes' } }, { fact: 'decide' }, { fact: 'outcome' }, { fact: 'precommit' }, { fact: 'tx-begin' }],
      messages: [{ type: 'prepare' }, { type: 'vote', where: { vote: 'yes' } }, { type: 'decision' }, { type: 'rm-2a' }, { type: '2b' }, { type: '1a' }, { type: 'ack' }],
    },
  },
  build({ nodeCount, durationMicros, params, bugs, bug }, variant: CommitVariant): ScenarioSetup<CommitFact> {
    // A planted bug of one protocol is refused on another (it would change nothing and catch nothing).
    const only: readonly [boolean, string][] = [
      [bugs.commitOnMajority || bugs.decideBeforeLog || bugs.abortAfterYes, '2pc'],
      [bugs.quorumOffByOne, 'paxos-commit'],
    ];
    for (const [on, protocol] of only) {
      if (on && params.protocol !== protocol) throw new InputError(`--bug ${bug}: a bug of ${protocol}; add --set protocol=${protocol} (this run's protocol is ${params.protocol})`);
    }
    const builder = BUILDERS[params.protocol];
    if (builder === undefined) throw new InputError(`protocol ${params.protocol} is not built yet (try --set protocol=2pc)`);
    const participants = Array.from({ length: nodeCount }, (_, i) => `rm${i + 1}`);
    const acceptors = params.protocol === 'paxos-commit' ? Array.from({ length: 2 * params.faultTolerance + 1 }, (_, i) => `acc${i + 1}`) : [];
    const bank = { accountsPerShard: params.accountsPerShard, initialBalance: params.initialBalance };
    const options: CommitNodesOptions = {
      coordinator: COORDINATOR,
      participants,
      acceptors,
      leaders: params.protocol === 'paxos-commit' ? participants : [],
      bank,
      timing: { timeoutMicros: params.timeoutMicros, retryMicros: params.retryMicros },
      bugs,
    };
    const clients = clientNodes(params.clients, {
      coordinator: COORDINATOR,
      participants,
      bank,
      auditRatio: params.auditRatio,
      amountMax: params.amountMax,
      thinkMicrosMin: params.clientThinkMicrosMin,
      thinkMicrosMax: params.clientThinkMicrosMax,
      resendMicros: params.clientResendMicros,
      timeoutMicros: params.clientTimeoutMicros,
      stopAtMicros: durationMicros,
    });
    const protocolNodes = builder(options);
    const roles = [...new Set(protocolNodes.map((n) => n.role))];
    const script = variant.script;
    return {
      nodes: [...protocolNodes, ...clients],
      network: networkFromParams(params),
      checkers: commitCheckers(bank, participants),
      observers: [commitProtocolMetrics({ meanLatencyMicros: meanLatencyMicros(networkFromParams(params).latency) })],
      nemesisTargets: { roles },
      recoveryMicrosMax: params.recoveryMicrosMax,
      ...(script === undefined ? {} : { script: (context: ScriptContext) => script(context, params) }),
    };
  },
});

export const atomicCommitScenarios: readonly Scenario[] = [
  commitScenario({
    name: '2pc-coordinator-crash',
    description: '2PC: the coordinator, cut off from one participant, crashes with votes in and restarts 1–2 s later; the cut-off participant is in doubt (2PC blocks) until it hears the logged decision',
    nemesis: 'scenario', script: coordinatorCrashScript,
  }),
  commitScenario({
    name: '2pc-participant-crash',
    description: '2PC: a random participant crashes every 1–2 s and restarts; it recovers its prepared transactions from its log and asks for their decisions',
    nemesis: 'scenario', script: participantCrashScript,
  }),
  commitScenario({
    name: '2pc-partition',
    description: '2PC: a participant, or the coordinator with a minority of participants, is cut off for 0.3–2 s; in-doubt participants wait (cooperative termination helps) rather than decide alone',
    nemesis: 'scenario', script: partitionScript,
  }),
  commitScenario({ name: '2pc-chaos', description: '2PC under every fault mixed: crashes, partitions, pauses, loss, duplication, delay, clocks', nemesis: 'chaos' }),
  commitScenario({
    name: '3pc-partition', defaults: { protocol: '3pc' },
    description: "3PC's flaw (expected to FAIL atomicity): the coordinator and one participant are cut off one way from the rest while PreCommits are in flight; each side terminates on its own, one commits and the other aborts",
    nemesis: 'scenario', script: threePcSplitScript,
  }),
  commitScenario({
    name: '3pc-chaos', defaults: { protocol: '3pc' },
    description: "3PC under crashes of the coordinator and participants (overlapping, all at once too) on reliable links — the fail-stop world its termination protocol assumes: it never disagrees there. Partitions, pauses and lossy links look like crashes to a timeout and break it: see 3pc-partition, or try --nemesis crashes (pauses) or --set lossRatio=0.05",
    nemesis: 'scenario', script: crashesOnlyScript,
  }),
  commitScenario({
    name: 'paxos-commit-coordinator-crash', defaults: { protocol: 'paxos-commit' },
    description: 'Paxos Commit: F of the 2F + 1 acceptors leave for good (down through recovery too), and the leader crashes mid-transaction and restarts 1–2 s later; a backup leader decides meanwhile',
    nemesis: 'scenario', script: paxosLeaderCrashScript,
  }),
  commitScenario({ name: 'paxos-commit-chaos', defaults: { protocol: 'paxos-commit' }, description: 'Paxos Commit under every fault mixed: crashes, partitions, pauses, loss, duplication, delay, clocks', nemesis: 'chaos' }),
];
