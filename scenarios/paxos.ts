// Paxos scenarios. Multi-Paxos: five servers replicate a key-value store for clients that keep it busy
// (the same workload, sessions and linearizability check as Raft), while the nemesis attacks; the
// acceptors' acceptances are watched for Agreement and Validity at every step. Single-decree: several
// proposers propose different values under faults, and every node must learn the one value chosen.

import { multiPaxosAbstractState } from '../algorithms/paxos/abstract-state.js';
import {
  agreement, ChosenTracker, clientOperationsComplete, everyoneDecided, leaderAgreed, leaderEstablished, promiseRespected, stateMachineSafety, validity, valueChosen,
} from '../algorithms/paxos/invariants.js';
import type { MultiPaxosFact, SingleDecreeFact } from '../algorithms/paxos/facts.js';
import { paxosBugs, PaxosNode } from '../algorithms/paxos/paxos.js';
import { commitMetrics, leaderMetrics, type MetricDecl, type MetricsObserver } from '../sim/metrics.js';
import type { NodeId } from '../sim/process.js';
import { SingleDecreeNode } from '../algorithms/paxos/single-decree.js';
import { linearizabilityChecker } from '../sim/check/history-checker.js';
import type { FaultEntry } from '../sim/faults.js';
import type { NodeSpec } from '../sim/process.js';
import { defineParams, defineScenarioFamily, type Scenario, type ScenarioSetup, type ScenarioVariant, type ScriptContext } from '../sim/scenario.js';
import { leaderCrashScript, leaderMinorityScript, repeat } from './scripts.js';
import { leaderRoles } from '../sim/fault-apply.js';
import { seconds } from '../sim/time.js';
import { KV_CLIENT_PARAMS, KV_CLIENT_SWARM, kvStoreSetup, NETWORK_PARAMS, NETWORK_SWARM, networkFromParams, RECOVERY_PARAMS, serverIds, type ScriptedVariant } from './common.js';

/** Every Multi-Paxos scenario's parameters: the network, the recovery bound, timing and batching, the kv clients. */
const MULTI_PAXOS_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  ...RECOVERY_PARAMS.decls,
  takeoverTimeoutMicrosMin: { unit: 'duration', default: 150_000, min: 1_000, maxParam: 'takeoverTimeoutMicrosMax', description: 'shortest randomised wait without a leader before a server runs phase 1 (also the backoff)' },
  takeoverTimeoutMicrosMax: { unit: 'duration', default: 300_000, min: 1_000, description: 'longest randomised wait without a leader before a server runs phase 1' },
  heartbeatMicros: { unit: 'duration', default: 50_000, min: 1_000, description: "leader's heartbeat interval (also when unanswered accepts are sent again)" },
  decidedPerMessageMax: { unit: 'integer', default: 64, min: 1, max: 10_000, description: 'chosen values per catch-up message at most' },
  ...KV_CLIENT_PARAMS.decls,
});

/** The single-decree scenario's parameters: the network, the recovery bound, who proposes when, the backoff. */
const SINGLE_DECREE_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  ...RECOVERY_PARAMS.decls,
  proposers: { unit: 'integer', default: 3, min: 1, max: 15, description: 'servers that propose a value of their own (n1, n2, …)' },
  proposeAtMicros: { unit: 'duration', default: 2_000_000, min: 0, description: 'when the proposers first try (in the thick of the faults)' },
  proposeSpreadMicros: { unit: 'duration', default: 30_000, min: 0, description: 'each proposer first tries at a random time this long after proposeAtMicros at most (they contend)' },
  retryMicrosMin: { unit: 'duration', default: 20_000, min: 1_000, maxParam: 'retryMicrosMax', description: 'shortest backoff after a refusal (also the attempt timeout)' },
  retryMicrosMax: { unit: 'duration', default: 100_000, min: 1_000, description: 'longest backoff after a refusal (also the attempt timeout)' },
});

type MultiPaxosVariant = ScriptedVariant<typeof MULTI_PAXOS_PARAMS.decls>;

interface LeaderView {
  readonly role: string;
  readonly ballot: { readonly round: number; readonly node: string };
}

/** The leader with the highest ballot among running servers, read from their views. */
const paxosRoles = leaderRoles((run) => {
  let best: { id: string; round: number; node: string } | undefined;
  for (const id of run.servers) {
    const view = run.inspect(id) as LeaderView | undefined;
    if (view?.role !== 'leader') continue;
    const { round, node } = view.ballot;
    if (best === undefined || round > best.round || (round === best.round && node > best.node)) best = { id, round, node };
  }
  return best?.id;
});

/**
 * Two proposers compete: the leader's messages stop reaching one follower (a one-way cut), so that
 * follower times out and takes over with a higher ballot while the old leader still believes it leads.
 */
function duelingScript(context: ScriptContext): FaultEntry[] {
  return repeat(context, 1_500_000, 2_500_000, (at) => [
    { at, kind: 'partition', from: ['@leader'], to: ['@follower'] },
    { at: at + context.rng.int(500_000, 1_000_000), kind: 'heal' },
  ]);
}

/**
 * A leader that wakes up in the past. The leader pauses (a long garbage collection, a stalled VM) while
 * its clients' requests pile up; the others elect a new leader, whose phase 1 every follower promises.
 * Then one follower crashes and restarts just as the old leader resumes: the old leader works through
 * its backlog and sends accepts of its old ballot, and they reach the restarted follower while the new
 * leader's messages to it are held up (a clog for 100 ms). An acceptor that remembers its promise
 * refuses them; one that forgot it (paxos/forget-promise) accepts a ballot below its promise.
 */
function pausedLeaderScript(context: ScriptContext): FaultEntry[] {
  return repeat(context, 2_000_000, 3_000_000, (at, i) => {
    const wake = at + context.rng.int(500_000, 700_000);
    return [
      { at, kind: 'pause', node: '@leader', as: `L${i}` },
      { at: wake - 5_000, kind: 'crash', node: '@follower', as: `F${i}` },
      { at: wake, kind: 'clog', from: ['@leader'], to: [`$F${i}`] },
      { at: wake, kind: 'restart', node: `$F${i}` },
      { at: wake, kind: 'resume', node: `$L${i}` },
      { at: wake + 100_000, kind: 'unclog', from: context.servers as string[], to: [`$F${i}`] },
    ];
  });
}

const paxosScenario = defineScenarioFamily({
  algorithm: 'multi-paxos',
  params: MULTI_PAXOS_PARAMS,
  bugs: paxosBugs,
  defaultNodes: 5,
  minNodes: 1,
  maxNodes: 15,
  defaultDurationMicros: seconds(10),
  swarm: {
    params: {
      ...NETWORK_SWARM,
      takeoverTimeoutMicrosMin: { min: 60_000, max: 200_000, log: true },
      takeoverTimeoutMicrosMax: { min: 250_000, max: 600_000, log: true },
      heartbeatMicros: { min: 10_000, max: 50_000, log: true },
      decidedPerMessageMax: { min: 1, max: 64, log: true, integer: true },
      ...KV_CLIENT_SWARM,
    },
    nodes: [3, 7],
    triggers: {
      facts: [{ fact: 'promise' }, { fact: 'accepted' }, { fact: 'role', where: { role: 'candidate' } }, { fact: 'role', where: { role: 'leader' } }, { fact: 'leader-established' }],
      messages: [{ type: 'prepare' }, { type: 'promise' }, { type: 'accept' }, { type: 'accepted' }, { type: 'nack' }],
    },
  },
  build({ nodeCount, durationMicros, params, bugs }, variant: MultiPaxosVariant): ScenarioSetup<MultiPaxosFact> {
    const config = {
      takeoverTimeoutMicrosMin: params.takeoverTimeoutMicrosMin,
      takeoverTimeoutMicrosMax: params.takeoverTimeoutMicrosMax,
      heartbeatMicros: params.heartbeatMicros,
      decidedPerMessageMax: params.decidedPerMessageMax,
      bugs,
    };
    return kvStoreSetup<MultiPaxosFact>({ nodeCount, durationMicros, params }, variant, {
      createServer: () => new PaxosNode(config),
      roles: paxosRoles,
      abstractState: multiPaxosAbstractState,
      observers: () => [leaderMetrics(), commitMetrics()],
      // Without clients (a leader-election-only run) nothing is proposed: no history to judge, no value
      // to wait for; what must happen at least once is a leader established by a majority.
      checkers: (clients) => [
        agreement(), validity({ noOps: true }), promiseRespected(), stateMachineSafety(), ...(clients ? [linearizabilityChecker('kv')] : []),
        // A leader is settled once it has held its ballot longer than any follower waits before trying to take over.
        leaderAgreed(params.takeoverTimeoutMicrosMin), ...(clients ? [clientOperationsComplete(), valueChosen({ clientCommand: true })] : [leaderEstablished()]),
      ],
    });
  },
});

/** What {@link chosenMetrics} measures, for `faultline list --experiments` and experiment results. */
export const CHOSEN_METRICS: readonly MetricDecl[] = [
  {
    name: 'chosenMicros',
    unit: 'duration',
    description:
      'single-decree Paxos: from the first phase 1a (the first prepare any proposer sends) until a value is chosen, ' +
      'i.e. accepted by a majority of all acceptors in one ballot (their accepted facts, as the agreement check counts them); no sample if none is chosen',
  },
  {
    name: 'messagesToChosen',
    unit: 'count',
    description:
      'single-decree Paxos: messages put on the wire by every node from the step that sends the first prepare up to the step that chooses a value ' +
      '(learn requests included; that step\'s own sends, which follow the choice, are not); no sample if none is chosen',
  },
  {
    name: 'ballotsToChosen',
    unit: 'count',
    description: 'single-decree Paxos: phase-1 attempts (ballots) started by all proposers up to the moment a value is chosen, the winning one included',
  },
];

/**
 * The cost of agreeing once, for single-decree Paxos: time, messages and ballots from the first
 * proposal until a value is chosen (see {@link CHOSEN_METRICS}). A proposer's attempt begins with its
 * own acceptor promising its new ballot (its round is above anything that acceptor promised, so the
 * promise always succeeds), in the same step as its prepares go out: a `promise` fact of a ballot the
 * promising node owns marks one attempt. Chosen is judged from the acceptors' `accepted` facts, as the
 * agreement check judges it. Messages are the engine's counter (`RunView.messagesSent`), read at those two moments.
 */
export function chosenMetrics(): MetricsObserver<SingleDecreeFact> {
  const tracker = new ChosenTracker();
  let first: { readonly at: number; readonly messagesSent: number | undefined } | undefined;
  let chosen: { readonly at: number; readonly messagesSent: number | undefined } | undefined;
  let attempts = 0;
  return {
    name: 'chosen-metrics',
    provides: CHOSEN_METRICS,
    onFact(node: NodeId, fact: SingleDecreeFact, run) {
      if (chosen !== undefined) return;
      if (fact.type === 'promise' && fact.ballot.node === node) {
        first ??= { at: run.now, messagesSent: run.messagesSent };
        attempts++;
      } else if (fact.type === 'accepted' && first !== undefined) {
        const majority = Math.floor(run.servers.length / 2) + 1;
        if (tracker.accepted(node, fact.slot, fact.ballot, fact.value, majority) !== undefined) chosen = { at: run.now, messagesSent: run.messagesSent };
      }
    },
    finish() {
      if (chosen === undefined || first === undefined) return { samples: { chosenMicros: [], messagesToChosen: [], ballotsToChosen: [] } };
      const messages = chosen.messagesSent !== undefined && first.messagesSent !== undefined ? [chosen.messagesSent - first.messagesSent] : [];
      return { samples: { chosenMicros: [chosen.at - first.at], messagesToChosen: messages, ballotsToChosen: [attempts] } };
    },
  };
}

const singleDecreeScenario = defineScenarioFamily({
  algorithm: 'paxos',
  params: SINGLE_DECREE_PARAMS,
  bugs: paxosBugs,
  defaultNodes: 5,
  minNodes: 1,
  maxNodes: 15,
  defaultDurationMicros: seconds(10),
  swarm: {
    params: {
      ...NETWORK_SWARM,
      proposers: { min: 1, max: 5 },
      proposeAtMicros: { min: 0, max: 5_000_000 },
      proposeSpreadMicros: { min: 0, max: 200_000 },
      retryMicrosMin: { min: 5_000, max: 20_000, log: true },
      retryMicrosMax: { min: 30_000, max: 300_000, log: true },
    },
    nodes: [3, 7],
    triggers: {
      facts: [{ fact: 'promise' }, { fact: 'accepted' }, { fact: 'role', where: { role: 'candidate' } }, { fact: 'role', where: { role: 'leader' } }, { fact: 'leader-established' }],
      messages: [{ type: 'prepare' }, { type: 'promise' }, { type: 'accept' }, { type: 'accepted' }, { type: 'nack' }],
    },
  },
  build({ nodeCount, params, bugs }, _variant: ScenarioVariant<typeof SINGLE_DECREE_PARAMS.decls>): ScenarioSetup<SingleDecreeFact> {
    const proposers = Math.min(nodeCount, params.proposers);
    const servers = serverIds(nodeCount);
    const nodes: NodeSpec[] = servers.map((id, i) => {
      const config = {
        proposer: i < proposers,
        startMicrosMin: params.proposeAtMicros,
        startMicrosMax: params.proposeAtMicros + params.proposeSpreadMicros,
        retryMicrosMin: params.retryMicrosMin,
        retryMicrosMax: params.retryMicrosMax,
        bugs,
      };
      return { id, role: 'server' as const, create: () => new SingleDecreeNode(config) };
    });
    return {
      nodes,
      network: networkFromParams(params),
      checkers: [agreement(), validity({ noOps: false }), promiseRespected(), everyoneDecided(), valueChosen({ clientCommand: false })],
      observers: [chosenMetrics()],
      nemesisTargets: { roles: ['server'] },
      recoveryMicrosMax: params.recoveryMicrosMax,
    };
  },
});

export const paxosScenarios: readonly Scenario[] = [
  paxosScenario({ name: 'paxos-leader-crash', description: 'the Multi-Paxos leader crashes every 1.5–2.5 s and restarts 0.3–1.5 s later: a new leader must recover its in-flight slots', nemesis: 'scenario', script: leaderCrashScript }),
  paxosScenario({
    name: 'paxos-partition',
    description: 'the leader (its clock running slow), one follower and half the clients are cut off from the majority, then healed; clients contend on 2 keys',
    nemesis: 'scenario', script: leaderMinorityScript, defaults: { keys: 2 },
  }),
  paxosScenario({
    name: 'paxos-dueling',
    description:
      "two proposers compete: a one-way cut hides the leader from one follower, which takes over while the old leader still believes it leads. " +
      'A preempted proposer must back off (a randomised wait in which it hears the winner and follows it); one that retries at once ' +
      'with a higher ballot (paxos/no-backoff) preempts its rival, which does the same, forever: no leader keeps its ballot and liveness fails',
    nemesis: 'scenario', script: duelingScript,
  }),
  paxosScenario({
    name: 'paxos-paused-leader',
    description: 'the leader pauses while a new one is elected; a follower restarts just as the old leader wakes and sends accepts of its old ballot',
    nemesis: 'scenario', script: pausedLeaderScript,
  }),
  paxosScenario({ name: 'paxos-chaos', description: 'Multi-Paxos kv store under every fault mixed: partitions, crashes, pauses, loss, duplication, delay, clocks', nemesis: 'chaos' }),
  paxosScenario({ name: 'paxos-lossy', description: 'Multi-Paxos kv store over links that lose, duplicate and reorder messages', nemesis: 'lossy', defaults: { lossRatio: 0.05, duplicateRatio: 0.02 } }),
  paxosScenario({ name: 'paxos-clock-skew', description: 'Multi-Paxos kv store while server clocks jump and drift (timeouts stretch and shrink)', nemesis: 'clocks' }),
  singleDecreeScenario({
    name: 'paxos-dueling-proposers',
    description:
      'single-decree Paxos without faults: three proposers (parameter proposers) first try within 1 ms of each other, so their ballots preempt one another; ' +
      'each backs off a random retryMicrosMin–retryMicrosMax after a refusal. Measures chosenMicros, messagesToChosen and ballotsToChosen',
    nemesis: 'none',
    defaults: { proposeAtMicros: 0, proposeSpreadMicros: 1_000 },
  }),
  singleDecreeScenario({
    name: 'paxos-single-decree-chaos',
    description: 'single-decree Paxos: three proposers propose different values at once, 2 s into every fault mixed; all must learn one',
    nemesis: 'chaos',
  }),
];
