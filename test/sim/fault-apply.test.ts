// Fault application on its own, without the engine: role references resolved against a hand-made run
// view, and each entry kind acting on a real network and a fake node lifecycle.

import { describe, expect, it } from 'vitest';
import type { NodeStatus, RunView } from '../../sim/check.js';
import { FaultApplier, leaderRoles, RoleResolver, type NodeFaults, type RoleOracle } from '../../sim/fault-apply.js';
import type { FaultEntry, TriggerEntry } from '../../sim/faults.js';
import { Network, type NetworkConfig } from '../../sim/network.js';
import type { NodeId } from '../../sim/process.js';
import { Recorder, TracingRecorder } from '../../sim/recorder.js';
import { Rng } from '../../sim/rng.js';
import type { TraceEvent } from '../../sim/trace.js';

const IDS = ['s1', 's2', 's3', 'c1'] as const;
const SERVERS = ['s1', 's2', 's3'];

/** A run view with settable statuses; only what the resolver reads. */
function view(status: Partial<Record<NodeId, NodeStatus>> = {}): RunView {
  return {
    now: 0,
    phase: 'faults',
    nodes: IDS,
    servers: SERVERS,
    status: (id) => status[id] ?? 'up',
    crashCount: () => 0,
    inspect: () => undefined,
    history: [],
  };
}

const leaderIs = (id: NodeId | undefined): RoleOracle => leaderRoles(() => id);
const CLUSTER = IDS.map((id) => ({ id, role: id.startsWith('c') ? 'client' : 'server' }));

function resolver(options: { leader?: NodeId; status?: Partial<Record<NodeId, NodeStatus>>; noOracle?: boolean; seed?: number } = {}) {
  return new RoleResolver(view(options.status), Rng.fromSeed(options.seed ?? 1).fork('roles'), options.noOracle ? undefined : leaderIs(options.leader), CLUSTER);
}

describe('RoleResolver', () => {
  it('returns an entry without references as the very same object', () => {
    const entry: FaultEntry = { at: 0, kind: 'crash', node: 's1' };
    expect(resolver({ leader: 's2' }).resolve(entry)).toBe(entry);
  });

  it('@leader is the oracle\'s answer now; no leader (or no oracle) leaves the entry unresolvable', () => {
    expect(resolver({ leader: 's2' }).resolve({ at: 0, kind: 'pause', node: '@leader' })).toEqual({ at: 0, kind: 'pause', node: 's2' });
    expect(resolver({ leader: undefined }).resolve({ at: 0, kind: 'pause', node: '@leader' })).toBeNull();
    expect(resolver({ noOracle: true }).resolve({ at: 0, kind: 'pause', node: '@leader' })).toBeNull();
  });

  it('@follower is a server that is up and not the leader, drawn from the resolver\'s own stream', () => {
    const picks = new Set<NodeId>();
    for (let seed = 1; seed <= 40; seed++) {
      const entry = resolver({ leader: 's1', status: { s3: 'crashed' }, seed }).resolve({ at: 0, kind: 'crash', node: '@follower' });
      picks.add((entry as { node: NodeId }).node);
    }
    expect([...picks]).toEqual(['s2']);
    const both = new Set<NodeId>();
    for (let seed = 1; seed <= 40; seed++) {
      both.add((resolver({ leader: 's1', seed }).resolve({ at: 0, kind: 'crash', node: '@follower' }) as { node: NodeId }).node);
    }
    expect([...both].sort()).toEqual(['s2', 's3']);
    // Same seed, same pick.
    const again = (seed: number) => resolver({ leader: 's1', seed }).resolve({ at: 0, kind: 'crash', node: '@follower' });
    expect(again(7)).toEqual(again(7));
    expect(resolver({ leader: 's1', status: { s2: 'paused', s3: 'crashed' } }).resolve({ at: 0, kind: 'crash', node: '@follower' })).toBeNull();
  });

  it('`as` binds what a reference resolved to and is dropped from the entry; $NAME reads the binding later', () => {
    const r = resolver({ leader: 's3' });
    expect(r.resolve({ at: 0, kind: 'crash', node: '@leader', as: 'L' })).toEqual({ at: 0, kind: 'crash', node: 's3' });
    expect(r.resolve({ at: 5, kind: 'restart', node: '$L' })).toEqual({ at: 5, kind: 'restart', node: 's3' });
    expect(r.resolve({ at: 5, kind: 'clog', from: ['$L'], to: ['s1', '$L'] })).toEqual({ at: 5, kind: 'clog', from: ['s3'], to: ['s1', 's3'] });
    // A binding never made does not resolve.
    expect(r.resolve({ at: 5, kind: 'restart', node: '$X' })).toBeNull();
  });

  it('@rest in a partition is every node not named in another group; a node named twice stays in its first group', () => {
    expect(resolver({ leader: 's2' }).resolve({ at: 0, kind: 'partition', groups: [['@leader'], ['@rest']] }))
      .toEqual({ at: 0, kind: 'partition', groups: [['s2'], ['s1', 's3', 'c1']] });
    expect(resolver({ leader: 's1' }).resolve({ at: 0, kind: 'partition', groups: [['s1', 's2'], ['@leader', 's3'], ['@rest']] }))
      .toEqual({ at: 0, kind: 'partition', groups: [['s1', 's2'], ['s3'], ['c1']] });
  });
});

const CONFIG: NetworkConfig = { latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 0 }, lossRatio: 0, duplicateRatio: 0, linkCapacity: 10 };

/** A fake node lifecycle that writes down what it was asked to do. */
class FakeNodes implements NodeFaults<string> {
  readonly calls: string[] = [];
  nodeIndex(id: NodeId): number {
    const index = IDS.indexOf(id as (typeof IDS)[number]);
    if (index < 0) throw new Error(`unknown node '${id}'`);
    return index;
  }
  crashNode(index: number) { this.calls.push(`crash ${index}`); }
  restartNode(index: number) { this.calls.push(`restart ${index}`); }
  pauseNode(index: number) { this.calls.push(`pause ${index}`); }
  resumeNode(index: number) { this.calls.push(`resume ${index}`); }
  joinNode(index: number) { this.calls.push(`join ${index}`); }
  leaveNode(index: number) { this.calls.push(`leave ${index}`); }
  skewClock(index: number, offsetMicros: number) { this.calls.push(`skew ${index} ${offsetMicros}`); }
  driftClock(index: number, ppm: number) { this.calls.push(`drift ${index} ${ppm}`); }
  slowNode(index: number, factor: number) { this.calls.push(`slow ${index} ${factor}`); }
  failFastNode(index: number, ratio: number) { this.calls.push(`fail-fast ${index} ${ratio}`); }
  requestNode(index: number, op: unknown) { this.calls.push(`request ${index} ${JSON.stringify(op) ?? 'drawn'}`); }
  release(messages: readonly string[]) { this.calls.push(`release ${messages.join(',')}`); }
  armTrigger(entry: TriggerEntry) { this.calls.push(`arm ${entry.kind}`); }
}

function applier(leader: NodeId | null = 's1') {
  const network = new Network<string>(IDS.length, CONFIG, () => Rng.fromSeed(1));
  const nodes = new FakeNodes();
  const trace: TraceEvent[] = [];
  const recorder = new TracingRecorder([...IDS], (event) => trace.push(event));
  const faults = new FaultApplier(new RoleResolver(view(), Rng.fromSeed(1), leaderIs(leader ?? undefined), CLUSTER), network, nodes, recorder);
  return { network, nodes, trace, faults };
}

describe('FaultApplier', () => {
  it('sends node faults to the node lifecycle by index, resolving references first', () => {
    const { nodes, faults } = applier('s2');
    faults.apply({ at: 0, kind: 'crash', node: '@leader' }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'restart', node: 's2' }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'pause', node: 'c1' }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'resume', node: 'c1' }, 'recovery', 0);
    faults.apply({ at: 0, kind: 'clock-skew', node: 's3', offsetMicros: -5 }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'clock-drift', node: 's1', ppm: 100 }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'request', node: 'c1' }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'request', node: 'c1', op: { op: 'get', key: 'k1' } }, 'schedule', 0);
    expect(nodes.calls).toEqual(['crash 1', 'restart 1', 'pause 3', 'resume 3', 'skew 2 -5', 'drift 0 100', 'request 3 drawn', 'request 3 {"op":"get","key":"k1"}']);
  });

  it('sends link faults to the network, and releases what an unclog frees', () => {
    const { network, nodes, faults } = applier();
    faults.apply({ at: 0, kind: 'partition', groups: [['s1'], ['s2', 's3']] }, 'schedule', 0);
    expect([network.isCut(0, 1), network.isCut(1, 0), network.isCut(1, 2), network.isCut(0, 3)]).toEqual([true, true, false, false]);
    faults.apply({ at: 0, kind: 'partition', from: ['c1'], to: ['s3'] }, 'schedule', 0);
    expect([network.isCut(3, 2), network.isCut(2, 3)]).toEqual([true, false]);
    faults.apply({ at: 0, kind: 'heal' }, 'schedule', 0);
    expect(network.select({}).some((l) => l.cut)).toBe(false);
    faults.apply({ at: 0, kind: 'clog', from: ['s1'], to: ['s2'] }, 'schedule', 0);
    network.intercept(network.link(0, 1), 'held-1');
    faults.apply({ at: 0, kind: 'unclog' }, 'recovery', 0);
    expect(nodes.calls).toEqual(['release held-1']);
    faults.apply({ at: 0, kind: 'loss', to: ['c1'], ratio: 0.5 }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'duplicate', from: ['c1'], ratio: 0.25 }, 'schedule', 0);
    faults.apply({ at: 0, kind: 'delay', latency: { kind: 'uniform', baseMicros: 9, jitterMicros: 0 } }, 'schedule', 0);
    expect([network.link(0, 3).lossRatio, network.link(3, 0).lossRatio]).toEqual([0.5, 0]);
    expect([network.link(3, 0).duplicateRatio, network.link(0, 3).duplicateRatio]).toEqual([0.25, 0]);
    expect(network.link(2, 1).sampleLatency()).toBe(9);
  });

  it('records every entry, resolved or not; an unresolvable one changes nothing', () => {
    const { nodes, trace, faults } = applier(null);
    const crash: FaultEntry = { at: 3, kind: 'crash', node: '@leader' };
    faults.apply(crash, 'schedule', 3);
    expect(nodes.calls).toEqual([]);
    expect(faults.resolutions).toEqual([{ fault: crash, resolved: null }]);
    expect(trace).toEqual([{ type: 'fault', at: 3, fault: crash, source: 'schedule', resolved: null }]);
  });

  it('keeps one resolution per entry that named a role, in the order applied', () => {
    const { faults } = applier('s3');
    faults.apply({ at: 0, kind: 'crash', node: 's1' }, 'schedule', 0);
    faults.apply({ at: 1, kind: 'crash', node: '@leader', as: 'L' }, 'schedule', 1);
    faults.apply({ at: 2, kind: 'restart', node: '$L' }, 'schedule', 2);
    expect(faults.resolutions.map((r) => r.resolved)).toEqual([
      { at: 1, kind: 'crash', node: 's3' },
      { at: 2, kind: 'restart', node: 's3' },
    ]);
  });

  it('with a plain recorder it folds the same fingerprint as with a tracing one', () => {
    const entries: FaultEntry[] = [{ at: 0, kind: 'crash', node: '@leader' }, { at: 1, kind: 'heal' }];
    const plain = new Recorder([...IDS]);
    const tracing = new TracingRecorder([...IDS], () => {});
    for (const recorder of [plain, tracing]) {
      const network = new Network<string>(IDS.length, CONFIG, () => Rng.fromSeed(1));
      const applied = new FaultApplier(new RoleResolver(view(), Rng.fromSeed(1), leaderIs('s1'), CLUSTER), network, new FakeNodes(), recorder);
      for (const entry of entries) applied.apply(entry, 'schedule', entry.at);
    }
    expect(tracing.hex()).toBe(plain.hex());
  });
});
