// The playground's guided lessons: each a short text a student reads beside the ring, a prepared session
// (scenario, seed, planted bug or none, and user actions as schedule entries) and "try this" prompts.
// Pure data, node-free; every claim a text makes about its run is checked by test/playground/lessons.test.ts.

import type { FaultEntry } from '../sim/faults.js';
import type { Micros } from '../sim/time.js';

export interface Lesson {
  /** Stable id (the page's menu value). */
  readonly id: string;
  readonly title: string;
  /** What the student reads, one paragraph per entry. */
  readonly text: readonly string[];
  readonly scenario: string;
  readonly seed: number;
  /** A planted bug, or none. */
  readonly bug?: string;
  /** The user's actions the lesson starts with, at their simulated times (the scenario's own schedule runs too). */
  readonly actions: readonly FaultEntry[];
  /** The moment the lesson is about: the page's "show the moment" button seeks there. */
  readonly pointMicros: Micros;
  /** Things to try next, in the page, from this session. */
  readonly tryThis: readonly string[];
}

export const LESSONS: readonly Lesson[] = [
  {
    id: 'leader-crash',
    title: 'A leader crash and a new election',
    text: [
      'Five Raft servers start as followers. The first whose randomised election timeout runs out asks the others for votes; '
        + 'here n4 wins term 1 within the first 0.2s and sends heartbeats (AppendEntries) to keep the others from starting elections.',
      "At 1s the scenario's schedule crashes the leader, n4. The heartbeats stop, a follower's election timer runs down, "
        + 'and it starts term 2: n3 is leader of term 2 before 1.2s. Four of five servers are up, a majority.',
      'The prepared action crashes n3 too, at 1.5s. Three servers are left, still a majority of five, and n2 is elected in term 3 before 1.8s. '
        + 'At 1.732s the scenario restarts n4: it hears of the later term and follows n2; an old leader never comes back as leader of its old term.',
    ],
    scenario: 'raft-leader-crash', seed: 1,
    actions: [{ at: 1_500_000, kind: 'crash', node: 'n3' }],
    pointMicros: 1_800_000,
    tryThis: [
      'Scrub back to 1.6s and crash n2 as well, before it wins: with two of five up no leader can be elected until a server restarts.',
      'Scrub back to 1.2s and cut n3 → n1 and n3 → n2 instead of crashing n3: who times out first, and what term does it start?',
      'Slow the elections down: set the latency on every link to 200ms and watch candidates split the vote.',
    ],
  },
  {
    id: 'minority-leader',
    title: 'A partitioned minority leader and why its reads would be stale',
    text: [
      "At 1s the scenario cuts the leader, n4, one follower and clients c1–c3 off from the rest, and makes n4's clock run 40% slow. "
        + 'The majority side elects n3 leader of term 2 before 1.2s and goes on committing writes.',
      'n4 has not heard that it lost: it goes on believing it leads term 1 until its check-quorum timer, running slow, makes it step down at about 1.5s. '
        + 'Here a read goes through the log like a write and is answered only once a majority has stored it, which also confirms the leader is still the leader; '
        + 'n4 cannot reach a majority, so its clients wait.',
      "This session plants raft/stale-read: a leader answers reads from its own state at once. c1, cut off with n4, reads k1 and is answered at 1.253s "
        + 'with a value without c5\'s append, which the majority had already acknowledged at 1.232s. No order of the operations explains that: '
        + 'the linearizability check fails, at 1.253s.',
      'Linearizability is judged on the whole history, when the run ends: play to the end (or press the moment button), '
        + 'then scrub back and play again, and the clock stops at 1.253s.',
    ],
    scenario: 'raft-partition-leader-minority', seed: 1, bug: 'raft/stale-read',
    actions: [],
    pointMicros: 1_253_496,
    tryThis: [
      'Plant "none" instead: the same partition, the same clients, and the run passes, because n4 never answers a read that a majority has not stored.',
      'Scrub back to 1s and heal every link at once: does n4 still answer a stale read?',
      'Set the clock drift of n4 to 0 just after 1s: it notices sooner that it lost its majority.',
    ],
  },
  {
    id: 'figure-8',
    title: 'The Figure 8 commit rule, and its planted bug',
    text: [
      'Figure 8 of the Raft paper shows why a leader may count replicas only for entries of its own term. '
        + "The scenario stages it with partitions: an entry of term 1 reaches only some servers, leaders of later terms come and go, "
        + 'and under n4, leader of term 3, that old entry comes to sit on a majority.',
      'Correct Raft does not commit it by counting: n4 waits until an entry of term 3 is replicated, which commits the old one with it. '
        + 'This session plants raft/commit-old-term, which counts replicas for any entry.',
      'At 3.546s n4 commits index 98, an entry of term 1, and the check commit-current-term fails: play and the clock stops there, with n4 marked. '
        + 'It is not only a rule broken on paper: n2, which lacks that entry, is elected in term 4 at 4.271s (leader-completeness fails) '
        + 'and applies something else at index 98 at 4.286s (state-machine-safety fails): two servers disagree on the log.',
    ],
    scenario: 'raft-figure-8', seed: 1, bug: 'raft/commit-old-term',
    actions: [],
    pointMicros: 3_545_789,
    tryThis: [
      'Plant "none": the same schedule passes every check.',
      'Scrub back to 3.5s and crash n4 before it commits: which server leads next, and is index 98 safe?',
      'Step (→) through the events just before 3.546s and watch the AppendEntries replies that n4 counts.',
    ],
  },
  {
    id: 'dueling-proposers',
    title: 'Dueling Paxos proposers, and backoff',
    text: [
      'Single-decree Paxos with no faults at all: n1, n2 and n3 each propose a value at time 0, so their prepare messages race. '
        + 'An acceptor that has promised a higher ballot refuses a lower one, and a refused proposer tries again with a higher ballot.',
      'Retrying at once is the trouble. This session plants paxos/no-backoff: each refused proposer retries immediately, its prepare preempts '
        + "the rival's accept, the rival does the same, and ballots climb to round 52 before a value is chosen, at 109.986ms, after 855 messages.",
      'With backoff (no bug) a refused proposer waits a random while, hears the winner and stops competing: '
        + 'n3\'s ballot of round 1 is chosen at 9.53ms, after 48 messages. Nothing is unsafe either way (one value is chosen); '
        + 'only progress suffers, and with unlucky timing it can suffer for ever.',
    ],
    scenario: 'paxos-dueling-proposers', seed: 1, bug: 'paxos/no-backoff',
    actions: [],
    pointMicros: 109_986,
    tryThis: [
      'Plant "none" and compare when the value is chosen.',
      'With the bug, scrub back to 20ms and pause n1: does taking one proposer out end the duel sooner?',
      'Set the latency on every link to 5ms: do the proposers duel for longer?',
    ],
  },
  {
    id: 'slow-member',
    title: "A failure detector's false alarm under a slow member",
    text: [
      'Eight members run SWIM: each probes another every protocol period and, if no ack comes in time, asks others to probe it; '
        + 'a member nobody can reach is suspected, then declared dead unless it refutes the suspicion with a higher incarnation number.',
      "At 2.914s the scenario makes n1 50 times slower: every message reaches it 50 times later than it should. n1 has not crashed. "
        + 'At 6.289s n5 suspects n1 anyway, and others follow: a false alarm. n1 hears of it and refutes with incarnation 1: by 6.75s every other member sees it alive again.',
      'A slow member also accuses others: at 6.778s n1 suspects n5, because n5\'s acks reach it late. '
        + "That is what Lifeguard's local health is for: a member that finds itself missing acks trusts its own suspicions less. "
        + 'The run passes: no member is declared dead, only suspected and cleared.',
    ],
    scenario: 'fd-slow-member', seed: 2,
    actions: [],
    pointMicros: 6_777_903,
    tryThis: [
      'Plant fd/swim-no-refutation: a suspected member can no longer clear itself. What happens to n1?',
      'Scrub back to 3s and crash n1: how long until every other member declares it dead?',
      'Pause n6 at 8s for a second and resume it: is it suspected?',
    ],
  },
];

/** The lesson with this id. */
export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
