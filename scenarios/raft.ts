// Raft scenarios: five servers replicate a key-value store for clients that keep it busy, while the
// nemesis attacks. Safety is judged at every step (Figure 3 invariants) and on the final history
// (linearizability); after recovery a leader must be agreed on and every client operation must finish.

import { KvClient } from '../algorithms/kv/client.js';
import {
  clientOperationsComplete, electionSafety, leaderAgreed, leaderAppendOnly, leaderCompleteness,
  leaderElectedAndWriteCommitted, logMatching, stateMachineSafety,
} from '../algorithms/raft/invariants.js';
import { RAFT_BUGS, RaftNode, type RaftBug } from '../algorithms/raft/raft.js';
import { linearizabilityChecker } from '../sim/check/history-checker.js';
import type { NemesisProfile } from '../sim/nemesis.js';
import type { NodeSpec } from '../sim/process.js';
import { numberParam, type Scenario } from '../sim/scenario.js';
import { seconds } from '../sim/time.js';
import { networkFromParams, networkParams, serverIds } from './common.js';

const RAFT_BUG_DESCRIPTIONS: Readonly<Record<RaftBug, string>> = {
  [RAFT_BUGS.commitOldTerm]: "commits an old-term entry by counting its replicas (the paper's Figure 8)",
  [RAFT_BUGS.forgetVote]: 'votedFor is not persisted: after a restart a server can vote twice in one term',
  [RAFT_BUGS.voteWithoutLogCheck]: "grants votes without checking that the candidate's log is up to date",
  [RAFT_BUGS.truncateMatchingEntries]: 'truncates the log on any AppendEntries, even when the entries match',
  [RAFT_BUGS.staleRead]: 'a leader answers reads from local state, even after it was deposed',
  [RAFT_BUGS.noDedup]: 'no client sessions: a retried command is applied twice',
};

interface Variant {
  readonly name: string;
  readonly description: string;
  readonly nemesis: NemesisProfile;
  readonly lossRatio?: number;
  readonly duplicateRatio?: number;
}

function raftScenario(variant: Variant): Scenario {
  return {
    name: variant.name,
    description: variant.description,
    algorithm: 'raft',
    defaultNemesis: variant.nemesis,
    defaultNodes: 5,
    minNodes: 1,
    maxNodes: 15,
    defaultDurationMicros: seconds(10),
    params: [
      ...networkParams({ latencyMicros: 1_000, jitterMicros: 4_000, lossRatio: variant.lossRatio ?? 0, duplicateRatio: variant.duplicateRatio ?? 0 }),
      { name: 'electionTimeoutMicrosMin', unit: 'duration', default: 150_000, min: 1_000, description: 'shortest randomised election timeout' },
      { name: 'electionTimeoutMicrosMax', unit: 'duration', default: 300_000, min: 1_000, description: 'longest randomised election timeout' },
      { name: 'heartbeatMicros', unit: 'duration', default: 50_000, min: 1_000, description: "leader's heartbeat interval" },
      { name: 'entriesPerAppendMax', unit: 'integer', default: 64, min: 1, max: 10_000, description: 'log entries per AppendEntries at most' },
      { name: 'clients', unit: 'integer', default: 5, min: 0, max: 100, description: 'simulated clients' },
      { name: 'keys', unit: 'integer', default: 5, min: 1, max: 1_000, description: 'keys the clients pick from' },
      { name: 'clientThinkMicrosMin', unit: 'duration', default: 10_000, min: 0, description: "shortest pause between one client's operations" },
      { name: 'clientThinkMicrosMax', unit: 'duration', default: 50_000, min: 0, description: "longest pause between one client's operations" },
      { name: 'clientTimeoutMicros', unit: 'duration', default: 500_000, min: 1_000, description: 'a client retries an operation unanswered this long' },
      { name: 'recoveryMicrosMax', unit: 'duration', default: 10_000_000, min: 1_000, description: 'bound on the recovery phase for eventually-checks' },
    ],
    bugs: Object.entries(RAFT_BUG_DESCRIPTIONS).map(([name, description]) => ({ name, description })),
    build({ nodeCount, durationMicros, params, bug }) {
      const electionMin = numberParam(params, 'electionTimeoutMicrosMin');
      const config = {
        electionTimeoutMicrosMin: electionMin,
        electionTimeoutMicrosMax: Math.max(electionMin, numberParam(params, 'electionTimeoutMicrosMax')),
        heartbeatMicros: numberParam(params, 'heartbeatMicros'),
        entriesPerAppendMax: numberParam(params, 'entriesPerAppendMax'),
        bug: bug as RaftBug | undefined,
      };
      const thinkMin = numberParam(params, 'clientThinkMicrosMin');
      const clientConfig = {
        keys: numberParam(params, 'keys'),
        thinkMicrosMin: thinkMin,
        thinkMicrosMax: Math.max(thinkMin, numberParam(params, 'clientThinkMicrosMax')),
        timeoutMicros: numberParam(params, 'clientTimeoutMicros'),
        attemptsMax: 0,
        stopAtMicros: durationMicros,
      };
      const servers = serverIds(nodeCount);
      const clients = Array.from({ length: numberParam(params, 'clients') }, (_, i) => `c${i + 1}`);
      const nodes: NodeSpec[] = [
        ...servers.map((id) => ({ id, role: 'server' as const, create: () => new RaftNode(config) })),
        ...clients.map((id) => ({ id, role: 'client' as const, create: () => new KvClient(clientConfig) })),
      ];
      return {
        nodes,
        network: networkFromParams(params),
        checkers: [
          electionSafety(), leaderAppendOnly(), logMatching(), leaderCompleteness(), stateMachineSafety(),
          linearizabilityChecker('kv'), leaderAgreed(), clientOperationsComplete(), leaderElectedAndWriteCommitted(),
        ],
        nemesisTargets: servers,
        recoveryMicrosMax: numberParam(params, 'recoveryMicrosMax'),
      };
    },
  };
}

export const raftScenarios: readonly Scenario[] = [
  raftScenario({ name: 'raft-chaos', description: 'Raft kv store under every fault mixed: partitions, crashes, pauses, loss, duplication, delay, clocks', nemesis: 'chaos' }),
  raftScenario({ name: 'raft-crashes', description: 'Raft kv store while servers crash and restart or pause (leaders included, by chance)', nemesis: 'crashes' }),
  raftScenario({ name: 'raft-partitions', description: 'Raft kv store while the cluster is split, servers isolated, links cut one way or clogged', nemesis: 'partitions' }),
  raftScenario({ name: 'raft-lossy', description: 'Raft kv store over links that lose, duplicate and reorder messages', nemesis: 'lossy', lossRatio: 0.05, duplicateRatio: 0.02 }),
  raftScenario({ name: 'raft-clock-skew', description: 'Raft kv store while server clocks jump and drift (timeouts stretch and shrink)', nemesis: 'clocks' }),
];
