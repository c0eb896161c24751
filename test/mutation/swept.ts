// Which scenarios the mutation-only tests (test/mutation/*.test.ts) run for each folder of algorithms/,
// and on how many seeds. FAULTLINE_MUTATE_FOLDERS (set by scripts/mutate.mjs, e.g. `raft,paxos`) keeps
// only the folders being mutated, so a run over one folder does not pay for every other folder's sweeps.

/** Seeds per scenario: enough to reach most code paths, few enough that a surviving mutant costs seconds. */
export const SEEDS = 10;

/** Load-balancing runs carry thousands of requests (~0.4 s a run): fewer seeds. */
export const SEEDS_BY_FOLDER: Readonly<Record<string, number>> = { 'load-balancing': 4 };

/**
 * The scenarios swept for each folder of algorithms/, by name. Left out: 3pc-partition (it exists to
 * FAIL atomicity), and swim-large and lb-large (large clusters: a second or more a run).
 */
export const SWEPT_SCENARIOS: Readonly<Record<string, readonly string[]>> = {
  raft: [
    'raft-leader-crash', 'raft-partition-leader-minority', 'raft-majority-split', 'raft-one-way-partition', 'raft-election-storm',
    'raft-figure-8', 'raft-double-vote', 'raft-election-timing', 'raft-flapping', 'raft-chaos', 'raft-crashes', 'raft-partitions',
    'raft-lossy', 'raft-clock-skew',
  ],
  paxos: [
    'paxos-leader-crash', 'paxos-partition', 'paxos-dueling', 'paxos-paused-leader', 'paxos-chaos', 'paxos-lossy', 'paxos-clock-skew',
    'paxos-dueling-proposers', 'paxos-single-decree-chaos',
  ],
  broadcast: ['broadcast-lossy', 'broadcast-partitions', 'broadcast-chaos'],
  'failure-detection': ['fd-crash', 'fd-partition', 'fd-lossy', 'fd-slow-member', 'fd-clock-drift', 'fd-chaos'],
  'load-balancing': [
    'lb-steady', 'lb-backend-crash', 'lb-slow-backend', 'lb-fail-fast', 'lb-flaky-backend', 'lb-partition', 'lb-lossy', 'lb-overload', 'lb-chaos',
  ],
  hashing: ['hash-join-leave', 'hash-crash-during-migration', 'hash-partition', 'hash-chaos', 'hash-hot-keys'],
  'atomic-commit': [
    '2pc-coordinator-crash', '2pc-participant-crash', '2pc-partition', '2pc-chaos', '3pc-chaos', 'paxos-commit-coordinator-crash', 'paxos-commit-chaos',
  ],
};

/** Folders with no scenarios of their own, and the folders whose sweeps run their code. */
const SWEPT_THROUGH: Readonly<Record<string, readonly string[]>> = { kv: ['raft', 'paxos'] };

/**
 * The folders whose mutation tests run in this process: those named in FAULTLINE_MUTATE_FOLDERS (kv's
 * code runs in the raft and paxos sweeps), or all of them when it is unset. May be empty (shardkv).
 */
export function sweptFolders(): string[] {
  const only = (process.env.FAULTLINE_MUTATE_FOLDERS ?? '').split(',').filter((f) => f !== '').flatMap((f) => SWEPT_THROUGH[f] ?? [f]);
  return Object.keys(SWEPT_SCENARIOS).filter((folder) => only.length === 0 || only.includes(folder));
}
