// Raft scenarios: five servers replicate a key-value store for clients that keep it busy, while the
// nemesis attacks. Safety is judged at every step (Figure 3 invariants) and on the final history
// (linearizability); after recovery a leader must be agreed on and every client operation must finish.
// raft-election-timing has no clients: it times how long a crashed leader takes to be replaced (the Raft
// paper's §9.3 and Figure 16; experiments/raft-election-timeouts.json runs it over both of its families).

import {
  clientOperationsComplete, commitCurrentTerm, electionSafety, leaderAgreed, leaderAppendOnly, leaderCompleteness,
  leaderElectedAndWriteCommitted, logMatching, stateMachineSafety, voteOncePerTerm,
} from '../algorithms/raft/invariants.js';
import type { RaftFact } from '../algorithms/raft/facts.js';
import { raftAbstractState } from '../algorithms/raft/abstract-state.js';
import { raftBugs, RaftNode } from '../algorithms/raft/raft.js';
import { leaderlessMetrics } from '../algorithms/raft/leaderless.js';
import { commitMetrics, leaderMetrics, type MetricsObserver } from '../sim/metrics.js';
import { linearizabilityChecker } from '../sim/check/history-checker.js';
import type { FaultEntry } from '../sim/faults.js';
import type { LatencyModel } from '../sim/network.js';
import { leaderRoles } from '../sim/fault-apply.js';
import { defineParams, defineScenarioFamily, type Scenario, type ScenarioSetup, type ScriptContext } from '../sim/scenario.js';
import { leaderCrashScript, leaderMinorityScript, repeat } from './scripts.js';
import { seconds } from '../sim/time.js';
import { KV_CLIENT_PARAMS, KV_CLIENT_SWARM, kvStoreSetup, NETWORK_PARAMS, NETWORK_SWARM, RECOVERY_PARAMS, type ScriptedVariant } from './common.js';

/** Every Raft scenario's parameters: the network, Raft's timing and batching, the kv clients, the recovery bound. */
const RAFT_PARAMS = defineParams({
  ...NETWORK_PARAMS.decls,
  electionTimeoutMicrosMin: { unit: 'duration', default: 150_000, min: 1_000, maxParam: 'electionTimeoutMicrosMax', description: 'shortest randomised election timeout' },
  electionTimeoutMicrosMax: { unit: 'duration', default: 300_000, min: 1_000, description: 'longest randomised election timeout' },
  heartbeatMicros: { unit: 'duration', default: 50_000, min: 1_000, maxParam: 'electionTimeoutMicrosMin', description: "leader's heartbeat interval (at most the shortest election timeout, or followers time out between heartbeats)" },
  entriesPerAppendMax: { unit: 'integer', default: 64, min: 1, max: 10_000, description: 'log entries per AppendEntries at most' },
  preVote: { unit: 'choice', default: 'on', choices: ['on', 'off'], description: 'beyond Figure 2: a server asks whether it could win before starting an election (Ongaro §9.6); off is Figure 2 Raft' },
  checkQuorum: { unit: 'choice', default: 'on', choices: ['on', 'off'], description: 'beyond Figure 2: a leader that heard from no majority for the maximum election timeout steps down (Ongaro §6.2)' },
  ...KV_CLIENT_PARAMS.decls,
  ...RECOVERY_PARAMS.decls,
});

/** Raft's timing, as a timed script reads it. */
interface RaftTiming {
  readonly electionTimeoutMicrosMin: number;
  readonly electionTimeoutMicrosMax: number;
  readonly heartbeatMicros: number;
}

interface RaftVariant extends ScriptedVariant<typeof RAFT_PARAMS.decls> {
  /** A fault script that reads the run's Raft timing (for `--nemesis scenario`); used instead of `script`. */
  readonly timedScript?: (context: ScriptContext, timing: RaftTiming) => FaultEntry[];
  /** This variant's own metrics observers, after the family's. */
  readonly observers?: () => MetricsObserver<RaftFact>[];
}

/** For scripts that stage exactly five servers (they would do nothing with any other number). */
const FIVE_SERVERS = { min: 5, max: 5, reason: 'its staged fault script casts five servers in fixed parts' } as const;

/** The leader with the highest term among running servers, read from their views. */
const raftRoles = leaderRoles((run) => {
  let best: { id: string; term: number } | undefined;
  for (const id of run.servers) {
    const view = run.inspect(id) as { role: string; term: number } | undefined;
    if (view?.role === 'leader' && (best === undefined || view.term > best.term)) best = { id, term: view.term };
  }
  return best?.id;
});

/** Split the servers into groups none of which is a majority (2/2/1 for five) for 0.5–2 s. */
function majoritySplitScript(context: ScriptContext): FaultEntry[] {
  return repeat(context, 1_500_000, 3_000_000, (at) => {
    const servers = context.rng.shuffle(context.servers);
    const size = Math.max(1, Math.floor((servers.length - 1) / 2));
    const groups: string[][] = [];
    for (let i = 0; i < servers.length; i += size) groups.push(servers.slice(i, i + size));
    return groups.length < 2 ? [] : [{ at, kind: 'partition', groups }, { at: at + context.rng.int(500_000, 2_000_000), kind: 'heal' }];
  });
}

/** The leader keeps sending but hears nothing (its inbound links are cut) for 0.5–2 s. */
function oneWayScript(context: ScriptContext): FaultEntry[] {
  return repeat(context, 1_500_000, 3_000_000, (at) => [
    { at, kind: 'partition', from: [...context.servers, ...context.clients], to: ['@leader'] },
    { at: at + context.rng.int(500_000, 2_000_000), kind: 'heal' },
  ]);
}

/**
 * Elections under fire: the leader crashes every ~1 s to force an election, and meanwhile a follower
 * crashes and restarts within milliseconds, again and again. With a narrow election-timeout spread,
 * candidates collide in one term, and a voter that restarts between their requests must remember
 * whom it voted for.
 */
function electionStormScript(context: ScriptContext): FaultEntry[] {
  return repeat(context, 800_000, 1_200_000, (at, i) => {
    const faults: FaultEntry[] = [
      { at, kind: 'crash', node: '@leader', as: `L${i}` },
      { at: at + context.rng.int(300_000, 600_000), kind: 'restart', node: `$L${i}` },
    ];
    // The election follows 150–160 ms later: blip followers through it, each down for about a millisecond.
    let blip = at + 140_000;
    for (let j = 0; blip < at + 200_000; j++) {
      faults.push({ at: blip, kind: 'crash', node: '@follower', as: `F${i}-${j}` });
      faults.push({ at: blip + context.rng.int(300, 2_000), kind: 'restart', node: `$F${i}-${j}` });
      blip += context.rng.int(2_500, 6_000);
    }
    return faults;
  });
}

/** Random halves split and heal every 50–300 ms: links that cannot make up their mind. */
function flappingScript(context: ScriptContext): FaultEntry[] {
  return repeat(context, 100_000, 600_000, (at) => {
    const servers = context.rng.shuffle(context.servers);
    const cut = Math.floor(servers.length / 2);
    if (cut === 0) return [];
    return [
      { at, kind: 'partition', groups: [servers.slice(0, cut), servers.slice(cut)] },
      { at: at + context.rng.int(50_000, 300_000), kind: 'heal' },
    ];
  });
}

/** Cuts every link between the two sets, both ways (two one-way partitions). */
function cutBetween(at: number, a: readonly string[], b: readonly string[]): FaultEntry[] {
  return [
    { at, kind: 'partition', from: [...a], to: [...b] },
    { at, kind: 'partition', from: [...b], to: [...a] },
  ];
}

/** Sets the latency of the links from → to: a fixed delay, or the scenario's own latency model. */
function delayLinks(at: number, from: readonly string[], to: readonly string[], latency: LatencyModel): FaultEntry {
  return { at, kind: 'delay', from: [...from], to: [...to], latency };
}

const fixedDelay = (micros: number): LatencyModel => ({ kind: 'uniform', baseMicros: micros, jitterMicros: 0 });

/**
 * The paper's Figure 8, staged with partitions and slow links (five servers S1…S5, drawn from the seed):
 * (a) S1 leads and appends entries that reach only S2; (b) S5 is elected by S3 and S4 — its requests to
 * them crawl — and appends an entry of a later term at the same index, which never leaves it;
 * (c) S1 or S2 is elected with S3's vote and starts copying its old-term entries to S3 one per
 * round trip; (d) it is cut off as soon as a majority holds the first old entry but not yet its own
 * no-op; S5 wins again with S3 and S4 and overwrites that entry. A leader that counted replicas of the
 * old-term entry has committed and applied something that is then replaced: State Machine Safety fails.
 */
function figure8Script(context: ScriptContext, base: LatencyModel): FaultEntry[] {
  if (context.servers.length !== 5) return [];
  const [s1, s2, s3, s4, s5] = context.rng.shuffle(context.servers) as [string, string, string, string, string];
  const others = [s2, s3, s4, s5];
  const jiggle = () => context.rng.int(0, 20_000);
  const out: FaultEntry[] = [];
  // Star around S1 from 0.5 s: only S1 can gather a majority, so it becomes (or stays) leader.
  let at = 500_000;
  out.push({ at, kind: 'partition', from: others, to: others });
  // (a) S1 and S2 alone: S1 keeps leading until check-quorum deposes it, appending what clients send.
  at = 1_000_000 + jiggle();
  out.push({ at, kind: 'heal' }, { at, kind: 'partition', groups: [[s1, s2], [s3], [s4], [s5]] });
  // (b) Only S5 can win among S3, S4, S5 (S3 and S4 cannot reach each other); its messages crawl.
  const crawlB = 400_000;
  at += 500_000 + jiggle();
  out.push({ at, kind: 'heal' }, { at, kind: 'partition', groups: [[s1], [s2], [s3, s4, s5]] }, ...cutBetween(at, [s3], [s4]));
  out.push(delayLinks(at, [s5], [s3, s4], fixedDelay(crawlB)));
  // Elected at most ~(300 ms timer + 2 crawling round trips) later; its first append arrives a crawl after that.
  at += 300_000 + 2 * crawlB + 50_000;
  // (c) S1 or S2 (the longest logs) wins with S3; its appends to S3 crawl, one entry per round trip.
  const crawlC = 100_000;
  out.push({ at, kind: 'heal' }, { at, kind: 'partition', groups: [[s1, s2, s3], [s4], [s5]] });
  out.push(delayLinks(at, [s5], [s3, s4], base), delayLinks(at, [s1, s2], [s3], fixedDelay(crawlC)));
  // (d) Cut the new leader off after S3 holds the first old-term entry, before it holds the no-op.
  at += 1_150_000 + context.rng.int(-100_000, 100_000);
  out.push({ at, kind: 'heal' }, { at, kind: 'partition', groups: [[s3, s4, s5], [s1], [s2]] }, delayLinks(at, [s1, s2], [s3], base));
  at += 1_500_000;
  out.push({ at, kind: 'heal' });
  return out.filter((f) => f.at < context.durationMicros);
}

/**
 * A voter that forgets its vote (five servers A, B, V, X, Y drawn from the seed). V is cut off while
 * the others commit, so its log is behind and it can never win itself. Then the leader crashes and the
 * cluster splits into an A side {A, X} and a B side {B, Y}, both reaching V only over crawling links,
 * the B side some 350 ms later than the A side. Each side's pre-vote and vote request crawl to V in
 * turn, so the A side's vote request reaches V first, and the B side's — sent after V granted its
 * pre-vote — arrives about one crawl later. V crashes and restarts in between: a V that did not persist
 * votedFor grants the second request too, and the term has two leaders (Election Safety).
 */
function doubleVoteScript(context: ScriptContext, base: LatencyModel): FaultEntry[] {
  if (context.servers.length !== 5) return [];
  const [a, b, v, x, y] = context.rng.shuffle(context.servers) as [string, string, string, string, string];
  const crawl = 600_000;
  const bSideDelay = 350_000;
  const out: FaultEntry[] = [];
  // V cut off while the rest commit client writes: its log falls behind.
  out.push({ at: 1_000_000, kind: 'partition', groups: [[v], [a, b, x, y]] });
  // The leader crashes and restarts at once; the sides cannot reach each other, and B's not even V yet.
  const split = 1_600_000 + context.rng.int(0, 20_000);
  out.push({ at: split, kind: 'heal' }, { at: split, kind: 'crash', node: '@leader', as: 'L' }, { at: split + 5_000, kind: 'restart', node: '$L' });
  out.push(...cutBetween(split, [a, x], [b, y]), ...cutBetween(split, [b, y], [v]), delayLinks(split, [a, x, b, y], [v], fixedDelay(crawl)));
  const letB = split + bSideDelay;
  out.push({ at: letB, kind: 'heal' }, ...cutBetween(letB, [a, x], [b, y]));
  // The A side's request reaches V by split + 300 ms + two crawls; the B side's no earlier than
  // split + 350 ms + two crawls. V restarts in between.
  const blip = split + 2 * crawl + 310_000 + context.rng.int(0, 30_000);
  out.push({ at: blip, kind: 'crash', node: v }, { at: blip + 1_000, kind: 'restart', node: v });
  const end = split + 2 * crawl + 800_000;
  out.push({ at: end, kind: 'heal' }, delayLinks(end, [a, x, b, y], [v], base));
  return out.filter((f) => f.at < context.durationMicros);
}

/** How long the cluster of {@link electionTimingScript} runs before the crash: ten longest election timeouts. */
export function electionTimingSettleMicros(timing: RaftTiming): number {
  return 10 * timing.electionTimeoutMicrosMax;
}

/**
 * The Raft paper's §9.3 trial (Figure 16): once the cluster has settled, crash the leader at a uniformly
 * random moment within its heartbeat interval, and leave it down (the metric is the time to its
 * successor). The servers boot at random moments within the first longest election timeout, as real
 * servers do: booted in the same microsecond with no randomness in their timeouts (150–150 ms) they
 * would time out together for ever, and no first leader would exist to crash. The crash comes
 * {@link electionTimingSettleMicros} after the start, plus uniform(0, heartbeat).
 */
function electionTimingScript(context: ScriptContext, timing: RaftTiming): FaultEntry[] {
  const out: FaultEntry[] = [];
  for (const server of context.servers) {
    out.push({ at: 0, kind: 'crash', node: server }, { at: context.rng.int(1, timing.electionTimeoutMicrosMax), kind: 'restart', node: server });
  }
  const crashAt = electionTimingSettleMicros(timing) + context.rng.int(0, timing.heartbeatMicros - 1);
  if (crashAt < context.durationMicros) out.push({ at: crashAt, kind: 'crash', node: '@leader', as: 'L' });
  return out;
}

const raftScenario = defineScenarioFamily({
  algorithm: 'raft',
  params: RAFT_PARAMS,
  bugs: raftBugs,
  defaultNodes: 5,
  minNodes: 1,
  maxNodes: 15,
  defaultDurationMicros: seconds(10),
  // Swarm's ranges keep Raft's timing rule (broadcast time ≪ election timeout) and a majority-sized cluster.
  swarm: {
    params: {
      ...NETWORK_SWARM,
      // Min and max may meet at 200 ms: a narrow spread makes split votes, and concurrent candidates, common.
      electionTimeoutMicrosMin: { min: 60_000, max: 200_000, log: true },
      electionTimeoutMicrosMax: { min: 200_000, max: 600_000, log: true },
      heartbeatMicros: { min: 10_000, max: 50_000, log: true },
      entriesPerAppendMax: { min: 1, max: 64, log: true, integer: true },
      preVote: { choices: ['on', 'off'] },
      checkQuorum: { choices: ['on', 'off'] },
      ...KV_CLIENT_SWARM,
    },
    nodes: [3, 7],
    // The moments swarm aims triggers at: a new candidate or leader, a commit or a truncation, a vote granted.
    triggers: {
      facts: [
        { fact: 'role', where: { role: 'candidate' } }, { fact: 'role', where: { role: 'leader' } },
        { fact: 'leader-established' }, { fact: 'commit' }, { fact: 'truncate' }, { fact: 'step-down' }, { fact: 'vote' },
      ],
      messages: [
        { type: 'request-vote' }, { type: 'vote-reply', where: { granted: true } }, { type: 'pre-vote' },
        { type: 'append' }, { type: 'append-reply' },
      ],
    },
  },
  build({ nodeCount, durationMicros, params, bugs }, variant: RaftVariant): ScenarioSetup<RaftFact> {
    const config = {
      electionTimeoutMicrosMin: params.electionTimeoutMicrosMin,
      electionTimeoutMicrosMax: params.electionTimeoutMicrosMax,
      heartbeatMicros: params.heartbeatMicros,
      entriesPerAppendMax: params.entriesPerAppendMax,
      preVote: params.preVote === 'on',
      checkQuorum: params.checkQuorum === 'on',
      bugs,
    };
    const timedScript = variant.timedScript;
    const scripted = timedScript === undefined ? variant : { ...variant, script: (context: ScriptContext) => timedScript(context, config) };
    return kvStoreSetup<RaftFact>({ nodeCount, durationMicros, params }, scripted, {
      createServer: () => new RaftNode(config),
      roles: raftRoles,
      abstractState: raftAbstractState,
      observers: () => [leaderMetrics(), commitMetrics(), ...(variant.observers?.() ?? [])],
      // Without clients (an elections-only run) there is no history to judge and no write to wait for.
      checkers: (clients) => [
        electionSafety(), voteOncePerTerm(), commitCurrentTerm(), leaderAppendOnly(), logMatching(), leaderCompleteness(), stateMachineSafety(),
        ...(clients ? [linearizabilityChecker('kv')] : []), leaderAgreed(), ...(clients ? [clientOperationsComplete()] : []),
        leaderElectedAndWriteCommitted({ clientWrites: clients }),
      ],
    });
  },
});

export const raftScenarios: readonly Scenario[] = [
  raftScenario({ name: 'raft-leader-crash', description: 'the leader crashes every 1.5–2.5 s and restarts 0.3–1.5 s later: a new leader must take over', nemesis: 'scenario', script: leaderCrashScript }),
  raftScenario({
    name: 'raft-partition-leader-minority',
    description: 'the leader (its clock running slow), one follower and half the clients are cut off from the majority, then healed; clients contend on 2 keys',
    nemesis: 'scenario', script: leaderMinorityScript, defaults: { keys: 2 },
  }),
  raftScenario({ name: 'raft-majority-split', description: 'the servers split into groups with no majority (no progress is possible), then heal', nemesis: 'scenario', script: majoritySplitScript }),
  raftScenario({ name: 'raft-one-way-partition', description: 'the leader can still send but hears nothing back: check-quorum must make it step down', nemesis: 'scenario', script: oneWayScript }),
  raftScenario({
    name: 'raft-election-storm',
    description: 'the leader crashes every ~1 s; through each election that follows, followers crash and restart within a millisecond; election timeouts 150–160 ms collide',
    nemesis: 'scenario', script: electionStormScript, defaults: { electionTimeoutMicrosMax: 160_000 },
  }),
  raftScenario({
    name: 'raft-figure-8',
    description: "the paper's Figure 8, staged: an old-term entry reaches a majority under a new leader, then a rival with a later-term entry wins",
    nemesis: 'scenario', script: figure8Script, defaults: { entriesPerAppendMax: 1 }, nodes: FIVE_SERVERS,
  }),
  raftScenario({
    name: 'raft-double-vote',
    description: 'two sides of a split campaign in one term through a shared voter, which crashes and restarts between their vote requests',
    nemesis: 'scenario', script: doubleVoteScript, nodes: FIVE_SERVERS,
  }),
  raftScenario({
    name: 'raft-election-timing',
    description: "the Raft paper's §9.3 (Figure 16): no clients, a ~15 ms round trip, heartbeat half the minimum timeout; the leader crashes once, at a random moment of its heartbeat interval; leaderlessMicros times its successor",
    nemesis: 'scenario', timedScript: electionTimingScript, observers: () => [leaderlessMetrics()],
    defaults: { clients: 0, latencyMicros: 5_000, jitterMicros: 5_000, heartbeatMicros: 75_000 },
  }),
  raftScenario({ name: 'raft-flapping', description: 'partitions between random halves come and go every 50–300 ms', nemesis: 'scenario', script: flappingScript }),
  raftScenario({ name: 'raft-chaos', description: 'Raft kv store under every fault mixed: partitions, crashes, pauses, loss, duplication, delay, clocks', nemesis: 'chaos' }),
  raftScenario({ name: 'raft-crashes', description: 'Raft kv store while servers crash and restart or pause (leaders included, by chance)', nemesis: 'crashes' }),
  raftScenario({ name: 'raft-partitions', description: 'Raft kv store while the cluster is split, servers isolated, links cut one way or clogged', nemesis: 'partitions' }),
  raftScenario({ name: 'raft-lossy', description: 'Raft kv store over links that lose, duplicate and reorder messages', nemesis: 'lossy', defaults: { lossRatio: 0.05, duplicateRatio: 0.02 } }),
  raftScenario({ name: 'raft-clock-skew', description: 'Raft kv store while server clocks jump and drift (timeouts stretch and shrink)', nemesis: 'clocks' }),
];
