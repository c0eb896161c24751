// A hand-driven Paxos Commit cluster for scripted rule tests: every node runs under a fake context (as
// test/algorithms/paxos.test.ts `fakeContext` does), sends go to one queue, and the test decides what is
// delivered, which node is down, which timer fires. Assumes nothing of the engine.

import { paxosCommitNodes, type PaxosCommitMessage } from '../../algorithms/atomic-commit/paxos-commit.js';
import { commitBugs } from '../../algorithms/atomic-commit/bugs.js';
import type { CommitNodesOptions } from '../../algorithms/atomic-commit/config.js';
import type { CommitFact } from '../../algorithms/atomic-commit/facts.js';
import type { ShardWork } from '../../algorithms/atomic-commit/bank.js';
import { accountName } from '../../algorithms/atomic-commit/bank.js';
import { SimDisk } from '../../sim/disk.js';
import type { ClientHistory } from '../../sim/history.js';
import type { Context, Process } from '../../sim/process.js';
import { Rng } from '../../sim/rng.js';

export interface Sent {
  readonly from: string;
  readonly to: string;
  readonly msg: PaxosCommitMessage;
}

export interface ScriptedOptions {
  readonly rms?: number;
  /** F: 2F + 1 acceptors. */
  readonly f?: number;
  readonly backups?: number;
  readonly quorumBug?: boolean;
}

/** A Paxos Commit cluster driven by hand: leaders `l0` (initial), `l1`…, acceptors `a1`…, RMs `r1`…, the test is `client`. */
export class ScriptedCluster {
  readonly options: CommitNodesOptions;
  readonly queue: Sent[] = [];
  readonly facts: { node: string; fact: CommitFact }[] = [];
  readonly timers = new Map<string, Map<string, number>>();
  readonly down = new Set<string>();
  readonly processes = new Map<string, Process<PaxosCommitMessage, CommitFact>>();
  private readonly disks = new Map<string, SimDisk>();
  private readonly creators = new Map<string, () => Process<unknown, CommitFact>>();
  /** Messages to `client` (its TxResults). */
  readonly toClient: PaxosCommitMessage[] = [];

  constructor(o: ScriptedOptions = {}) {
    const f = o.f ?? 1;
    this.options = {
      coordinator: 'l0',
      leaders: Array.from({ length: o.backups ?? 1 }, (_, i) => `l${i + 1}`),
      acceptors: Array.from({ length: 2 * f + 1 }, (_, i) => `a${i + 1}`),
      participants: Array.from({ length: o.rms ?? 2 }, (_, i) => `r${i + 1}`),
      bank: { accountsPerShard: 2, initialBalance: 100 },
      timing: { timeoutMicros: 100_000, retryMicros: 50_000 },
      bugs: o.quorumBug ? commitBugs.active(commitBugs.names.quorumOffByOne) : commitBugs.none,
    };
    for (const spec of paxosCommitNodes(this.options)) {
      this.creators.set(spec.id, spec.create);
      this.disks.set(spec.id, new SimDisk());
      this.boot(spec.id);
    }
  }

  private boot(id: string): void {
    const timers = new Map<string, number>();
    this.timers.set(id, timers);
    const ctx: Context<PaxosCommitMessage, CommitFact> = {
      self: id, peers: [], disk: this.disks.get(id)!, rng: Rng.fromSeed(1), history: {} as ClientHistory,
      now: () => 0,
      send: (to, msg) => void this.queue.push({ from: id, to, msg }),
      setTimer: (name, after) => void timers.set(name, after),
      cancelTimer: (name) => void timers.delete(name),
      observe: (fact) => void this.facts.push({ node: id, fact }),
      failFastRatio: () => 0,
      leave: () => { throw new Error('Paxos Commit nodes never leave'); },
    };
    const process = this.creators.get(id)!() as Process<PaxosCommitMessage, CommitFact>;
    this.processes.set(id, process);
    this.contexts.set(id, ctx);
    process.onStart(ctx);
  }

  private readonly contexts = new Map<string, Context<PaxosCommitMessage, CommitFact>>();

  /** The client's BeginTx of `tx` to the initial leader: `work` per RM (default: a no-op at every RM). */
  begin(tx: string, work?: Record<string, ShardWork>): void {
    const w = work ?? Object.fromEntries(this.options.participants.map((rm) => [rm, { deltas: [], readAll: false }]));
    this.queue.push({ from: 'client', to: 'l0', msg: { type: 'begin', tx, work: Object.entries(w) } });
  }

  /** A transfer of `amount` from `from`'s account 0 to `to`'s account 0. */
  static transfer(from: string, to: string, amount: number): Record<string, ShardWork> {
    return { [from]: { deltas: [[accountName(from, 0), -amount]], readAll: false }, [to]: { deltas: [[accountName(to, 0), amount]], readAll: false } };
  }

  /** Delivers queued messages (and those they cause) until none is left; `keep` false drops one. Returns what was delivered. */
  run(keep: (m: Sent) => boolean = () => true): Sent[] {
    const delivered: Sent[] = [];
    while (this.queue.length > 0) {
      const m = this.queue.shift()!;
      if (m.to === 'client') {
        this.toClient.push(m.msg);
        continue;
      }
      if (this.down.has(m.to) || !keep(m)) continue;
      delivered.push(m);
      this.processes.get(m.to)!.onMessage(this.contexts.get(m.to)!, m.from, m.msg);
    }
    return delivered;
  }

  /** Fires a timer a node set (it must be set). */
  fire(id: string, name: string): void {
    if (!this.timers.get(id)!.has(name)) throw new Error(`${id} has no timer ${name} (has ${[...this.timers.get(id)!.keys()].join(', ')})`);
    this.timers.get(id)!.delete(name);
    this.processes.get(id)!.onTimer(this.contexts.get(id)!, name);
  }

  crash(id: string): void {
    this.down.add(id);
    this.disks.get(id)!.loseUnsynced();
  }

  restart(id: string): void {
    this.down.delete(id);
    this.boot(id);
  }

  /** Facts of one type. */
  of<T extends CommitFact['type']>(type: T): { node: string; fact: Extract<CommitFact, { type: T }> }[] {
    return this.facts.filter((f) => f.fact.type === type) as { node: string; fact: Extract<CommitFact, { type: T }> }[];
  }

  /** Each RM's outcome of `tx` (RMs without one left out). */
  outcomes(tx: string): Record<string, string> {
    return Object.fromEntries(this.of('outcome').filter((f) => f.fact.tx === tx).map((f) => [f.node, f.fact.decision]));
  }
}
