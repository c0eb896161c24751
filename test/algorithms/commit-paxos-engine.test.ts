// Paxos Commit on the engine: a scenario of its own (the shared atomic-commit family lives elsewhere) with
// a tiny driver client. Seeds 1..20 with F acceptors down from the start and the initial leader crashing
// mid-transaction: every transaction a participant voted on is decided there, atomically, while they stay
// down. Fault-free message counts and message delays per transaction, measured against the paper's.
import { describe, expect, it } from 'vitest';
import { accountName, type ShardWork } from '../../algorithms/atomic-commit/bank.js';
import { commitBugs } from '../../algorithms/atomic-commit/bugs.js';
import type { BeginTx, CommitNodesOptions, TxResult } from '../../algorithms/atomic-commit/config.js';
import type { CommitFact } from '../../algorithms/atomic-commit/facts.js';
import { paxosCommitNodes } from '../../algorithms/atomic-commit/paxos-commit.js';
import type { Checker, RunView } from '../../sim/check.js';
import type { FaultEntry } from '../../sim/faults.js';
import type { Context, NodeSpec, Process } from '../../sim/process.js';
import { prepareRun } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario.js';
import { Simulator } from '../../sim/simulator.js';

const BANK = { accountsPerShard: 3, initialBalance: 100 };

interface DriverConfig {
  readonly coordinator: string;
  readonly participants: readonly string[];
  /** Stop starting transactions at this time. */
  readonly stopMicros: number;
  readonly gapMicros: number;
  /** Fixed work for every transaction (message counts), else random transfers and audits. */
  readonly fixed?: readonly (readonly [string, ShardWork])[];
  /** How many transactions at most. */
  readonly count: number;
}

/** The test's client: sends BeginTx to the initial leader now and then; remembers each TxResult. */
class Driver implements Process<BeginTx | TxResult, CommitFact> {
  sent = 0;
  readonly results = new Map<string, TxResult>();
  constructor(private readonly config: DriverConfig) {}
  onStart(ctx: Context<BeginTx | TxResult, CommitFact>): void {
    ctx.setTimer('next', this.config.gapMicros);
  }
  onTimer(ctx: Context<BeginTx | TxResult, CommitFact>, _name: string): void {
    if (ctx.now() >= this.config.stopMicros || this.sent >= this.config.count) return;
    const tx = `${ctx.self}-${++this.sent}`;
    ctx.send(this.config.coordinator, { type: 'begin', tx, work: this.config.fixed ?? this.randomWork(ctx) });
    ctx.setTimer('next', this.config.gapMicros);
  }
  private randomWork(ctx: Context<BeginTx | TxResult, CommitFact>): [string, ShardWork][] {
    const rms = this.config.participants;
    if (ctx.rng.chance(0.2)) return rms.map((rm) => [rm, { deltas: [], readAll: true }]);
    const from = rms[ctx.rng.int(0, rms.length - 1)]!;
    let to = rms[ctx.rng.int(0, rms.length - 1)]!;
    if (to === from) to = rms[(rms.indexOf(from) + 1) % rms.length]!;
    const amount = ctx.rng.int(1, 60);
    return [
      [from, { deltas: [[accountName(from, ctx.rng.int(0, BANK.accountsPerShard - 1)), -amount]], readAll: false }],
      [to, { deltas: [[accountName(to, ctx.rng.int(0, BANK.accountsPerShard - 1)), amount]], readAll: false }],
    ];
  }
  onMessage(_ctx: Context<BeginTx | TxResult, CommitFact>, _from: string, msg: BeginTx | TxResult): void {
    if (msg.type === 'result') this.results.set(msg.tx, msg);
  }
  inspect(): unknown {
    return { results: this.results };
  }
}

/** Records every fact with its node and time; judges atomicity (one decision per transaction) as it goes. */
class Recorder implements Checker<CommitFact> {
  readonly name = 'paxos-commit-atomic';
  readonly kind = 'always';
  readonly description = 'every decide and outcome of a transaction is the same decision; a commit only after every participant voted yes';
  readonly facts: { node: string; atMicros: number; fact: CommitFact }[] = [];
  private readonly decisions = new Map<string, string>();
  private readonly participants = new Map<string, readonly string[]>();
  private readonly yes = new Map<string, Set<string>>();
  onObservation(node: string, fact: CommitFact, run: RunView): string | void {
    this.facts.push({ node, atMicros: run.now, fact });
    if (fact.type === 'tx-begin') this.participants.set(fact.tx, fact.participants);
    if (fact.type === 'vote' && fact.vote === 'yes') (this.yes.get(fact.tx) ?? this.yes.set(fact.tx, new Set()).get(fact.tx)!).add(node);
    if (fact.type !== 'decide' && fact.type !== 'outcome') return;
    const before = this.decisions.get(fact.tx);
    if (before !== undefined && before !== fact.decision) return `${fact.tx}: ${fact.decision} at ${node} after ${before}`;
    this.decisions.set(fact.tx, fact.decision);
    if (fact.decision === 'commit') {
      const missing = (this.participants.get(fact.tx) ?? []).filter((p) => !this.yes.get(fact.tx)?.has(p));
      if (missing.length > 0) return `${fact.tx} committed at ${node} without a yes vote from ${missing.join(', ')}`;
    }
  }
  verdict(): { ok: boolean } {
    return { ok: true };
  }
  /** Participants that voted on a transaction but have no outcome for it. */
  undecided(): string[] {
    const outcome = new Set(this.facts.filter((f) => f.fact.type === 'outcome').map((f) => `${f.node} ${f.fact.tx}`));
    return this.facts.filter((f) => f.fact.type === 'vote' && !outcome.has(`${f.node} ${f.fact.tx}`)).map((f) => `${f.node} ${f.fact.tx}`);
  }
}

interface Setup {
  readonly f: number;
  readonly rms: number;
  readonly quorumBug?: boolean;
  /** Crash F acceptors at the start and the initial leader at a random moment in the first half. */
  readonly faults: boolean;
  readonly driver: Omit<DriverConfig, 'coordinator' | 'participants'>;
  readonly jitterMicros: number;
  /** Message loss during the run (default none). */
  readonly lossRatio?: number;
  /** The initial leader also crashes and restarts this often after its first crash (forgetting what it decided). */
  readonly leaderFlapMicros?: number;
  /** F = 0 only: the one acceptor runs on the initial leader's node (the paper's 2PC observation). */
  readonly acceptorOnLeader?: boolean;
  /** Acceptors crashed from the start (default F). */
  readonly acceptorsDown?: number;
}

function build(s: Setup) {
  const options: CommitNodesOptions = {
    coordinator: 'tm',
    leaders: ['tm2'],
    acceptors: s.acceptorOnLeader ? ['tm'] : Array.from({ length: 2 * s.f + 1 }, (_, i) => `a${i + 1}`),
    participants: Array.from({ length: s.rms }, (_, i) => `r${i + 1}`),
    bank: BANK,
    timing: { timeoutMicros: 60_000, retryMicros: 30_000 },
    bugs: s.quorumBug ? commitBugs.active(commitBugs.names.quorumOffByOne) : commitBugs.none,
  };
  const recorder = new Recorder();
  const drivers = ['c1', 'c2'].map((id): NodeSpec<unknown, CommitFact> => ({
    id, role: 'client', create: () => new Driver({ ...s.driver, coordinator: 'tm', participants: options.participants }) as Process<unknown, CommitFact>,
  }));
  const nodes = [...paxosCommitNodes(options), ...(s.driver.fixed ? drivers.slice(0, 1) : drivers)];
  const scenario: Scenario = {
    name: 'paxos-commit-test', description: 'Paxos Commit, test scenario', algorithm: 'paxos-commit', defaultNemesis: 'scenario',
    defaultNodes: nodes.length, minNodes: nodes.length, maxNodes: nodes.length, defaultDurationMicros: 1_000_000, params: [], bugs: [],
    build: () => ({
      nodes: nodes as NodeSpec[],
      network: { latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: s.jitterMicros }, lossRatio: s.lossRatio ?? 0, duplicateRatio: 0, linkCapacity: 10_000 },
      checkers: [recorder as Checker],
      nemesisTargets: nodes.filter((n) => n.role !== 'client').map((n) => n.id),
      recoveryMicrosMax: 1_000_000,
      script: ({ rng }) => {
        if (!s.faults) return [];
        const entries: FaultEntry[] = options.acceptors.slice(0, s.acceptorsDown ?? s.f).map((a) => ({ at: 0, kind: 'crash', node: a }));
        const first = rng.int(20_000, 200_000);
        entries.push({ at: first, kind: 'crash', node: 'tm' });
        if (s.leaderFlapMicros !== undefined) {
          for (let at = first + s.leaderFlapMicros; at + s.leaderFlapMicros < s.driver.stopMicros; at += s.leaderFlapMicros) {
            entries.push({ at, kind: 'restart', node: 'tm' }, { at: at + rng.int(10_000, s.leaderFlapMicros - 10_000), kind: 'crash', node: 'tm' });
          }
        }
        return entries;
      },
    }),
  };
  return { scenario, recorder, options };
}

/** Runs the fault phase only (crashed nodes stay down: no recovery phase restarts them). */
function runFaultPhase(s: Setup, seed: number, durationMicros: number) {
  const { scenario, recorder } = build(s);
  const prepared = prepareRun({ scenario, seed, nemesis: 'scenario', durationMicros });
  const sim = new Simulator({ seed, nodes: prepared.setup.nodes, network: prepared.setup.network, checkers: prepared.setup.checkers });
  sim.start();
  sim.scheduleFaults(prepared.faults);
  sim.runUntil(durationMicros);
  const verdicts = sim.verdicts().filter((v) => !v.ok);
  return { sim, recorder, verdicts, faults: prepared.faults };
}

describe('Paxos Commit on the engine', () => {
  const chaos = (f: number, quorumBug = false): Setup => ({
    f, rms: 3, quorumBug, faults: true, jitterMicros: 4_000, driver: { stopMicros: 400_000, gapMicros: 7_000, count: 1_000 },
  });

  for (const f of [1, 2]) {
    it(`F = ${f}: seeds 1..20, F acceptors down and the initial leader crashed mid-transaction: every vote decided, atomic, money conserved`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const { sim, recorder, verdicts } = runFaultPhase(chaos(f), seed, 1_000_000);
        const where = `seed ${seed}`;
        expect(sim.handlerErrors.map((e) => e.message), where).toEqual([]);
        expect(verdicts, where).toEqual([]);
        expect(recorder.undecided(), where).toEqual([]);
        const begun = recorder.facts.filter((x) => x.fact.type === 'tx-begin').length;
        expect(begun, where).toBeGreaterThan(5);
        // A backup leader decided something after the crash.
        expect(recorder.facts.some((x) => x.fact.type === 'decide' && x.node === 'tm2'), where).toBe(true);
        let total = 0;
        for (const rm of ['r1', 'r2', 'r3']) {
          const view = sim.view.inspect(rm) as { balances: Record<string, number>; lockHolders: string[] };
          expect(view.lockHolders, `${where}: ${rm} holds locks`).toEqual([]);
          total += Object.values(view.balances).reduce((a, b) => a + b, 0);
        }
        expect(total, where).toBe(3 * BANK.accountsPerShard * BANK.initialBalance);
      }
    });
  }

  it('planted bug commit/paxos-quorum-off-by-one: two leaders decide differently (caught by atomicity) on ≥ 40% of seeds 1..20 with 20% message loss and the first leader crashing and restarting; the control passes them all', () => {
    const lossy = (quorumBug: boolean): Setup => ({
      ...chaos(1, quorumBug), lossRatio: 0.2, acceptorsDown: 0, leaderFlapMicros: 60_000, driver: { stopMicros: 600_000, gapMicros: 7_000, count: 1_000 },
    });
    const caught: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const control = runFaultPhase(lossy(false), seed, 1_200_000);
      expect([...control.verdicts, ...control.sim.handlerErrors.map((e) => e.message)], `control seed ${seed}`).toEqual([]);
      expect(control.recorder.undecided(), `control seed ${seed}`).toEqual([]);
      const buggy = runFaultPhase(lossy(true), seed, 1_200_000);
      if (buggy.verdicts.some((v) => v.name === 'paxos-commit-atomic')) caught.push(seed);
    }
    expect(caught.length, `caught on seeds ${caught.join(', ')}`).toBeGreaterThanOrEqual(8);
  });
});

/** One transaction over every RM, fault-free, constant 1 ms latency: messages and message delays. */
function measure(rms: number, f: number, acceptorOnLeader = false) {
  const participants = Array.from({ length: rms }, (_, i) => `r${i + 1}`);
  const fixed = participants.map((rm): [string, ShardWork] => [rm, { deltas: [], readAll: false }]);
  const { sim, recorder } = runFaultPhase({ f, rms, acceptorOnLeader, faults: false, jitterMicros: 0, driver: { stopMicros: 1_000_000, gapMicros: 10_000, count: 1, fixed } }, 1, 500_000);
  const outcomes = recorder.facts.filter((x) => x.fact.type === 'outcome');
  const client = sim.view.inspect('c1') as { results: Map<string, TxResult> };
  return {
    messages: sim.stats.messagesSent,
    decision: outcomes[0]?.fact.type === 'outcome' ? outcomes[0].fact.decision : null,
    outcomes: outcomes.length,
    /** Message delays from BeginTx (sent at 10 ms) until the last RM learns the outcome. */
    delays: (Math.max(...outcomes.map((x) => x.atMicros)) - 10_000) / 1_000,
    answered: client.results.size,
  };
}

describe('Paxos Commit message counts (fault-free, per transaction)', () => {
  it('N RMs, F: (N + 1)(2F + 3) messages with the client\'s two (BeginTx, TxResult), 5 message delays to the RMs', () => {
    for (const f of [0, 1, 2]) {
      for (const n of [1, 2, 3, 5]) {
        const m = measure(n, f);
        expect(m, `N=${n} F=${f}`).toMatchObject({ decision: 'commit', outcomes: n, answered: 1 });
        expect(m.messages, `N=${n} F=${f}`).toBe((n + 1) * (2 * f + 3));
        expect(m.delays, `N=${n} F=${f}`).toBe(5);
      }
    }
  });

  it('F = 0 with the acceptor on the leader\'s node is two-phase commit: 3N + 2 messages (2PC\'s, with the client\'s two), 4 message delays', () => {
    for (const n of [1, 2, 3, 5]) {
      const m = measure(n, 0, true);
      expect(m, `N=${n}`).toMatchObject({ decision: 'commit', outcomes: n, answered: 1, messages: 3 * n + 2, delays: 4 });
    }
  });
});
