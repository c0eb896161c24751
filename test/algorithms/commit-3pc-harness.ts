// Test harness for three-phase commit: a fake context to drive one node's handlers by hand, a tiny client
// driver that sends BeginTx to the coordinator, an atomicity checker over the outcome facts, and a test
// scenario family (3PC nodes + the driver) run on the engine. Assumes nothing of the shared client.ts.

import { accountName, type ShardWork } from '../../algorithms/atomic-commit/bank.js';
import { commitBugs } from '../../algorithms/atomic-commit/bugs.js';
import type { BeginTx, CommitNodesOptions, TxResult } from '../../algorithms/atomic-commit/config.js';
import type { CommitFact, Decision } from '../../algorithms/atomic-commit/facts.js';
import { threePhaseNodes } from '../../algorithms/atomic-commit/three-phase.js';
import { NETWORK_PARAMS, networkFromParams, RECOVERY_PARAMS } from '../../scenarios/common.js';
import type { Checker } from '../../sim/check.js';
import { SimDisk } from '../../sim/disk.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { Context, NodeId, NodeSpec, Process } from '../../sim/process.js';
import { Rng } from '../../sim/rng.js';
import { defineParams, defineScenarioFamily, type Scenario, type ScenarioSetup, type ScenarioVariant } from '../../sim/scenario.js';
import { seconds, type Micros } from '../../sim/time.js';
import { recordingContext } from '../helpers.js';

/** A context that records what a handler did: sends, facts, timers. */
export function fakeContext<M>(self: string, disk = new SimDisk()) {
  return recordingContext<M, CommitFact>(self, { disk });
}

export const BANK = { accountsPerShard: 2, initialBalance: 100 } as const;

/** The builder's options for a coordinator `tm` and participants `rm1..rmN`. */
export function options3pc(participantCount: number, timeoutMicros: Micros = 200_000): CommitNodesOptions {
  return {
    coordinator: 'tm',
    participants: Array.from({ length: participantCount }, (_, i) => `rm${i + 1}`),
    acceptors: [], leaders: [], bank: BANK,
    timing: { timeoutMicros, retryMicros: 100_000 },
    bugs: commitBugs.none,
  };
}

/** A transfer of 1 from each participant's account 0 to the next one's: work at every participant. */
export function ringWork(participants: readonly NodeId[]): BeginTx['work'] {
  return participants.map((rm, i) => {
    const next = participants[(i + 1) % participants.length]!;
    const deltas: [string, number][] = participants.length === 1 ? [] : [[accountName(rm, 0), -1]];
    if (participants.length > 1) deltas.push([accountName(rm, 1), 0]);
    void next;
    return [rm, { deltas, readAll: false } satisfies ShardWork] as const;
  });
}

/**
 * The test driver (role `client`): sends one BeginTx every `gapMicros` from `firstMicros` on, each
 * touching every participant, until `count` are sent. It records the results it gets.
 */
export class Driver implements Process<BeginTx | TxResult, CommitFact> {
  readonly results = new Map<string, Decision>();
  private sentCount = 0;

  constructor(private readonly coordinator: NodeId, private readonly participants: readonly NodeId[], private readonly firstMicros: Micros, private readonly gapMicros: Micros, private readonly count: number) {}

  onStart(ctx: Context<BeginTx | TxResult, CommitFact>): void {
    if (this.sentCount < this.count) ctx.setTimer('begin', this.firstMicros);
  }

  onMessage(_ctx: Context<BeginTx | TxResult, CommitFact>, _from: NodeId, msg: BeginTx | TxResult): void {
    if (msg.type === 'result') this.results.set(msg.tx, msg.decision);
  }

  onTimer(ctx: Context<BeginTx | TxResult, CommitFact>): void {
    this.sentCount++;
    ctx.send(this.coordinator, { type: 'begin', tx: `t${this.sentCount}`, work: ringWork(this.participants) });
    if (this.sentCount < this.count) ctx.setTimer('begin', this.gapMicros);
  }

  inspect(): unknown {
    return Object.fromEntries(this.results);
  }
}

/** Atomicity: no transaction's outcome is commit at one participant and abort at another. */
export function atomicityChecker(): Checker<CommitFact> {
  const outcomes = new Map<string, Map<NodeId, Decision>>();
  let violation: string | undefined;
  return {
    name: 'atomicity', kind: 'always',
    description: 'no transaction commits at one participant and aborts at another',
    onObservation(node, fact) {
      if (fact.type !== 'outcome') return;
      let byNode = outcomes.get(fact.tx);
      if (byNode === undefined) outcomes.set(fact.tx, (byNode = new Map()));
      byNode.set(node, fact.decision);
      const decisions = new Set(byNode.values());
      if (decisions.size > 1 && violation === undefined) {
        violation = `${fact.tx}: ${[...byNode].map(([n, d]) => `${n} ${d}`).join(', ')}`;
        return violation;
      }
    },
    verdict: () => (violation === undefined ? { ok: true } : { ok: false, message: violation }),
  };
}

const PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  participants: { unit: 'integer', default: 3, min: 1, max: 9, description: 'resource managers' },
  txs: { unit: 'integer', default: 1, min: 1, max: 1_000, description: 'transactions the driver begins' },
  firstTxMicros: { unit: 'duration', default: 100_000, min: 0, description: 'when the driver begins the first transaction' },
  txGapMicros: { unit: 'duration', default: 500_000, min: 1, description: 'between two transactions' },
  timeoutMicros: { unit: 'duration', default: 200_000, min: 1, description: 'the coordinator\'s timeout (participants wait 3×)' },
  ...RECOVERY_PARAMS.decls,
});

/** A variant: its fault script, built from the family's parameters. */
interface Variant extends ScenarioVariant<typeof PARAMS.decls> {
  readonly faults?: (p: { participants: readonly NodeId[]; firstTxMicros: Micros; latencyMicros: Micros; durationMicros: Micros; rng: Rng }) => FaultEntry[];
}

const family = defineScenarioFamily({
  algorithm: 'three-phase-commit-test',
  params: PARAMS,
  bugs: commitBugs,
  defaultNodes: 1,
  minNodes: 1,
  maxNodes: 1,
  defaultDurationMicros: seconds(5),
  build({ params, bugs }, variant: Variant): ScenarioSetup<CommitFact> {
    const options: CommitNodesOptions = {
      ...options3pc(params.participants, params.timeoutMicros), bugs,
    };
    const driver: NodeSpec<BeginTx | TxResult, CommitFact> = {
      id: 'client', role: 'client',
      create: () => new Driver(options.coordinator, options.participants, params.firstTxMicros, params.txGapMicros, params.txs),
    };
    const nodes = [...threePhaseNodes(options), driver as NodeSpec<unknown, CommitFact>];
    const makeFaults = variant.faults;
    return {
      nodes,
      network: networkFromParams(params),
      checkers: [atomicityChecker()],
      nemesisTargets: { roles: ['coordinator', 'participant'] },
      recoveryMicrosMax: params.recoveryMicrosMax,
      ...(makeFaults === undefined ? {} : {
        script: (context) => makeFaults({ participants: options.participants, firstTxMicros: params.firstTxMicros, latencyMicros: params.latencyMicros, durationMicros: context.durationMicros, rng: context.rng }),
      }),
    };
  },
});

/**
 * The partition that splits 3PC: with one-way latency L (jitter J < L/6), a transaction the driver begins
 * at T0 has its PreCommits sent by T0 + 3L + 3J and delivered from T0 + 4L on; a partition at T0 + 3.5L
 * falls between, on every seed. It puts the coordinator and the lowest participant on one side, the other
 * participants on the other: the PreCommit to the coordinator's side is delivered (that participant enters
 * p), those crossing are dropped (the others stay in w). It heals long after both sides terminated.
 */
export function splitAfterPreCommit(p: { participants: readonly NodeId[]; firstTxMicros: Micros; latencyMicros: Micros }): FaultEntry[] {
  const at = p.firstTxMicros + Math.round(3.5 * p.latencyMicros);
  return [
    { at, kind: 'partition', groups: [['tm', p.participants[0]!], p.participants.slice(1)] },
    { at: at + seconds(3), kind: 'heal' },
  ];
}

export const partitionScenario: Scenario = family({
  name: 'test-3pc-partition',
  description: '3PC, one transaction; a partition lands while its PreCommits are in flight',
  nemesis: 'scenario',
  defaults: { latencyMicros: 10_000, jitterMicros: 1_000 },
  faults: splitAfterPreCommit,
});

/**
 * For a stream of transactions (no one transaction's timing known): from 300 ms on, every 1.5 s, a
 * one-way cut from the coordinator's side {tm, rm1} to the rest for 1.2 s (8 × the 150 ms coordinator
 * timeout; both sides' termination is done by then), then heal. The far side's votes and acks still reach
 * the coordinator, so any transaction whose CanCommit reached the far side before the cut gets all its
 * yes votes, sends PreCommits that reach rm1 only, and commits there on the ack timeout, while rm2 and
 * rm3, uncertain, terminate to abort.
 */
export function oneWayCuts(p: { participants: readonly NodeId[]; durationMicros: Micros }): FaultEntry[] {
  const entries: FaultEntry[] = [];
  for (let at = 300_000; at + 1_200_000 < p.durationMicros; at += 1_500_000) {
    entries.push({ at, kind: 'partition', from: ['tm', p.participants[0]!], to: p.participants.slice(1) }, { at: at + 1_200_000, kind: 'heal' });
  }
  return entries;
}

/** Symmetric cuts at the same times ({tm, rm1} | {rm2, rm3}): only a transaction whose PreCommits are in flight at the cut splits. */
export function symmetricCuts(p: { participants: readonly NodeId[]; durationMicros: Micros }): FaultEntry[] {
  return oneWayCuts(p).map((e) => (e.kind === 'partition' ? { at: e.at, kind: 'partition', groups: [['tm', p.participants[0]!], p.participants.slice(1)] } : e));
}

const STREAM = { txs: 1_000, firstTxMicros: 10_000, txGapMicros: 20_000, timeoutMicros: 150_000 } as const;

export const oneWayStreamScenario: Scenario = family({
  name: 'test-3pc-one-way-stream', description: '3PC, a stream of transactions, one-way cuts from the coordinator\'s side', nemesis: 'scenario',
  defaults: STREAM, faults: oneWayCuts,
});

export const symmetricStreamScenario: Scenario = family({
  name: 'test-3pc-symmetric-stream', description: '3PC, a stream of transactions, symmetric partitions', nemesis: 'scenario',
  defaults: STREAM, faults: symmetricCuts,
});

/**
 * Crashes only, the fail-stop model 3PC assumes (no pauses: a paused node that resumes is a slow one, not
 * a crashed one): every 150–450 ms one node (coordinator or participant), up and not the last to restart,
 * crashes for 20–800 ms; at most one is down at a time.
 */
export function crashesOnly(p: { participants: readonly NodeId[]; durationMicros: Micros; rng: Rng }): FaultEntry[] {
  const targets = ['tm', ...p.participants];
  const entries: FaultEntry[] = [];
  let t = p.rng.int(20_000, 200_000);
  while (t < p.durationMicros - 1) {
    const node = p.rng.pick(targets);
    const downMicros = Math.min(p.rng.int(20_000, 800_000), p.durationMicros - 1 - t);
    entries.push({ at: t, kind: 'crash', node }, { at: t + downMicros, kind: 'restart', node });
    t += downMicros + p.rng.int(150_000, 450_000);
  }
  return entries;
}

export const crashScenario: Scenario = family({
  name: 'test-3pc-crashes',
  description: '3PC, a stream of transactions while coordinator and participants crash and restart',
  nemesis: 'scenario',
  faults: crashesOnly,
  defaults: { txs: 40, firstTxMicros: 50_000, txGapMicros: 100_000, recoveryMicrosMax: 10_000_000 },
});
