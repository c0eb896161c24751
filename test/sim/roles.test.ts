// Open roles and topologies, at the level of a whole scenario: a made-up cluster of a coordinator,
// participants, a monitor and a client, whose declared topology shapes ctx.peers, whose faults name
// roles (`@participant`, `@coordinator`, `@participant:any`, a state role `@primary` from the
// algorithm's oracle), and whose nemesis draws its targets by role.

import { describe, expect, it } from 'vitest';
import type { RunView } from '../../sim/check.js';
import { InputError } from '../../sim/errors.js';
import { leaderRoles, type RoleOracle } from '../../sim/fault-apply.js';
import { parseFaultSchedule, describeFault, type FaultEntry } from '../../sim/faults.js';
import type { NodeId, NodeSpec } from '../../sim/process.js';
import { executeRun, prepareRun, type RunRequest } from '../../sim/run.js';
import type { NemesisTargets, Scenario, ScriptContext } from '../../sim/scenario.js';
import { Simulator } from '../../sim/simulator.js';
import { peersOf, type Topology } from '../../sim/topology.js';
import type { TraceEvent } from '../../sim/trace.js';
import { QUIET_NETWORK, scripted } from '../helpers.js';

/** The cluster: one coordinator, three participants, a monitor, a client (in this order). */
const CLUSTER: readonly { id: NodeId; role: string }[] = [
  { id: 'co', role: 'coordinator' },
  { id: 'p1', role: 'participant' },
  { id: 'p2', role: 'participant' },
  { id: 'p3', role: 'participant' },
  { id: 'mon', role: 'monitor' },
  { id: 'c1', role: 'client' },
];

/** The coordinator talks to everyone but the client; the others talk only to the coordinator. */
const COMMIT_TOPOLOGY: Topology = {
  coordinator: ['participant', 'monitor'],
  participant: ['coordinator'],
  monitor: ['coordinator'],
  client: ['coordinator'],
};

/** A state role of the toy algorithm: the first participant that is up is the primary. */
const primaryOracle: RoleOracle = {
  names: ['primary'],
  resolve: (name, run) => {
    expect(name).toBe('primary');
    const up = CLUSTER.filter((n) => n.role === 'participant' && run.status(n.id) === 'up');
    return up.length === 0 ? [] : [up[0]!.id];
  },
};

/** Every node reports its peers at start and pings them every 10ms. */
function nodes(): NodeSpec[] {
  return CLUSTER.map(({ id, role }) => ({
    id, role, create: () => scripted({
      onStart: (ctx) => {
        ctx.observe({ type: 'peers', peers: [...ctx.peers] });
        ctx.setTimer('ping', 10_000);
      },
      onTimer: (ctx) => {
        for (const peer of ctx.peers) ctx.send(peer, 'ping');
        ctx.setTimer('ping', 10_000);
      },
    }),
  }));
}

function commitScenario(options: { topology?: Topology; targets?: NemesisTargets; script?: (context: ScriptContext) => FaultEntry[] } = {}): Scenario {
  return {
    name: 'commit-toy', description: 'a coordinator, participants and a monitor', algorithm: 'toy', defaultNemesis: 'crashes',
    defaultNodes: CLUSTER.length, minNodes: CLUSTER.length, maxNodes: CLUSTER.length, defaultDurationMicros: 2_000_000, params: [], bugs: [],
    build: () => ({
      nodes: nodes(), network: QUIET_NETWORK, checkers: [], recoveryMicrosMax: 100_000, roles: primaryOracle,
      nemesisTargets: options.targets ?? { roles: ['participant'] },
      ...('topology' in options ? { topology: options.topology } : { topology: COMMIT_TOPOLOGY }),
      ...(options.script ? { script: options.script } : {}),
    }),
  };
}

/** Runs with a trace; returns the trace and the prepared run. */
function traced(request: Omit<RunRequest, 'scenario'> & { scenario?: Scenario }) {
  const trace: TraceEvent[] = [];
  const prepared = prepareRun({ scenario: commitScenario(), ...request });
  const result = executeRun(prepared, (e) => trace.push(e));
  return { trace, prepared, result };
}

const peersSeen = (trace: readonly TraceEvent[]) => {
  const out: Record<string, unknown> = {};
  for (const e of trace) if (e.type === 'observe' && e.fact.type === 'peers' && !(e.node in out)) out[e.node] = e.fact.peers;
  return out;
};

const resolvedFaults = (trace: readonly TraceEvent[]) =>
  trace.filter((e): e is TraceEvent & { type: 'fault' } => e.type === 'fault' && e.source === 'schedule').map((e) => e.resolved === undefined ? e.fault : e.resolved);

describe('a declared topology', () => {
  it('ctx.peers follow it: the monitor and the participants see only the coordinator', () => {
    const { trace } = traced({ seed: 1, nemesis: 'none' });
    expect(peersSeen(trace)).toEqual({
      co: ['p1', 'p2', 'p3', 'mon'], p1: ['co'], p2: ['co'], p3: ['co'], mon: ['co'], c1: ['co'],
    });
    // Only the coordinator pings the monitor.
    const toMonitor = new Set(trace.filter((e) => e.type === 'send' && e.to === 'mon').map((e) => (e as { from: string }).from));
    expect([...toMonitor]).toEqual(['co']);
  });

  it('without one, every node\'s peers are the servers (every node not of role client), as before roles were open', () => {
    const { trace } = traced({ seed: 1, nemesis: 'none', scenario: commitScenario({ topology: undefined }) });
    const servers = ['co', 'p1', 'p2', 'p3', 'mon'];
    const seen = peersSeen(trace);
    for (const id of servers) expect(seen[id]).toEqual(servers.filter((s) => s !== id));
    expect(seen.c1).toEqual(servers);
  });

  it('may be a function of the node and the cluster (a ring of participants)', () => {
    const ring: Topology = (node, all) => {
      const participants = all.filter((n) => n.role === 'participant').map((n) => n.id);
      const i = participants.indexOf(node.id);
      return i < 0 ? [] : [participants[(i + 1) % participants.length]!];
    };
    const { trace } = traced({ seed: 1, nemesis: 'none', scenario: commitScenario({ topology: ring }) });
    expect(peersSeen(trace)).toEqual({ co: [], p1: ['p2'], p2: ['p3'], p3: ['p1'], mon: [], c1: [] });
  });

  it('a map that leaves out a role of the cluster, or a function naming a stranger, is a programmer error', () => {
    const specs = nodes();
    expect(() => peersOf(specs, { coordinator: ['participant'] })).toThrow(/says nothing about role participant \(of node p1\)/);
    expect(() => peersOf(specs, () => ['nobody'])).toThrow(/peer nobody is not a node of the cluster/);
    expect(() => peersOf([{ id: 'x', role: 'bad role', create: specs[0]!.create }], undefined)).toThrow(/role "bad role" is not a role name/);
  });
});

describe('faults that name roles', () => {
  const run = (faults: unknown[], seed = 1) => resolvedFaults(traced({ seed, faults: { raw: faults, source: 'f.json' } }).trace);

  it('@participant is every participant, @coordinator the coordinator (one node: fine where one node is needed)', () => {
    expect(run([
      { at: 100_000, kind: 'partition', groups: [['@coordinator'], ['@participant']] },
      { at: 200_000, kind: 'heal' },
      { at: 300_000, kind: 'crash', node: '@coordinator', as: 'C' },
      { at: 400_000, kind: 'restart', node: '$C' },
      { at: 500_000, kind: 'clog', from: ['@monitor'], to: ['@coordinator', '@participant'] },
    ])).toEqual([
      { at: 100_000, kind: 'partition', groups: [['co'], ['p1', 'p2', 'p3']] },
      { at: 200_000, kind: 'heal' },
      { at: 300_000, kind: 'crash', node: 'co' },
      { at: 400_000, kind: 'restart', node: 'co' },
      { at: 500_000, kind: 'clog', from: ['mon'], to: ['co', 'p1', 'p2', 'p3'] },
    ]);
  });

  it('@participant:any is one participant drawn from the resolver\'s stream: the same for a seed, varying across seeds', () => {
    const faults = [0, 1, 2, 3].map((i) => ({ at: 100_000 * (i + 1), kind: 'pause', node: '@participant:any', as: `P${i}` }))
      .flatMap((pause, i) => [pause, { at: pause.at + 50_000, kind: 'resume', node: `$P${i}` }]);
    const picks = (seed: number) => run(faults, seed).filter((f) => f?.kind === 'pause').map((f) => (f as { node: string }).node);
    expect(picks(7)).toEqual(picks(7));
    for (const node of picks(7)) expect(['p1', 'p2', 'p3']).toContain(node);
    const seen = new Set(Array.from({ length: 10 }, (_, seed) => picks(seed + 1).join()));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('a state role comes from the algorithm\'s oracle, resolved when the fault applies', () => {
    expect(run([
      { at: 100_000, kind: 'crash', node: '@primary' },
      { at: 200_000, kind: 'crash', node: '@primary' },
      { at: 300_000, kind: 'partition', groups: [['@primary'], ['@rest']] },
    ])).toEqual([
      { at: 100_000, kind: 'crash', node: 'p1' },
      { at: 200_000, kind: 'crash', node: 'p2' },
      { at: 300_000, kind: 'partition', groups: [['p3'], ['co', 'p1', 'p2', 'mon', 'c1']] },
    ]);
  });

  it('a scenario script can ask for the members of a role', () => {
    const script = (context: ScriptContext): FaultEntry[] =>
      context.members('participant').map((node, i) => ({ at: 100_000 * (i + 1), kind: 'crash' as const, node }));
    const { prepared } = traced({ seed: 1, nemesis: 'scenario', scenario: commitScenario({ script }) });
    expect(prepared.faults.map((f) => (f as { node: string }).node)).toEqual(['p1', 'p2', 'p3']);
  });

  it('bad role references are one-line input errors naming them', () => {
    const cluster = { nodes: CLUSTER, stateRoles: ['primary'] };
    const parse = (entry: unknown) => () => parseFaultSchedule([entry], cluster, 1_000_000, 'f.json');
    const error = (entry: unknown): string => {
      try {
        parse(entry)();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as Error).message).not.toContain('\n');
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(error({ at: 0, kind: 'crash', node: '@backend' }))
      .toBe('f.json: fault #1 (crash): node names unknown role @backend (roles here: @coordinator, @participant, @monitor, @client, @primary)');
    expect(error({ at: 0, kind: 'crash', node: '@participant' }))
      .toBe('f.json: fault #1 (crash): node @participant names 3 nodes (p1, p2, p3); use @participant:any for one drawn at random');
    expect(error({ at: 0, kind: 'clog', from: ['@participant:some'] })).toMatch(/^f\.json: fault #1 \(clog\): from names unknown node "@participant:some" \(expected a cluster node \(co, p1, p2, p3, mon, c1\), a role \(@coordinator, @participant, @monitor, @client, @primary; @ROLE:any for one member\)/);
    expect(error({ at: 0, kind: 'partition', groups: [['@leader'], ['@rest']] })).toMatch(/groups\[0\] names unknown role @leader/);
    expect(parse({ at: 0, kind: 'crash', node: '@participant:any' })()).toEqual([{ at: 0, kind: 'crash', node: '@participant:any' }]);
    expect(describeFault({ at: 0, kind: 'crash', node: '@participant:any' })).toBe('crash one participant (at random)');
    expect(describeFault({ at: 0, kind: 'partition', groups: [['@coordinator'], ['@participant']] })).toBe('every coordinator cut off from every participant');
  });

  it('a run refuses a bad reference before it starts', () => {
    expect(() => prepareRun({ scenario: commitScenario(), seed: 1, faults: { raw: [{ at: 0, kind: 'crash', node: '@nobody' }], source: 'f.json' } }))
      .toThrow(InputError);
  });
});

describe('the nemesis targets roles', () => {
  it('draws faults only for nodes of the target roles', () => {
    for (const seed of [1, 2, 3]) {
      const { prepared } = traced({ seed, nemesis: 'crashes', durationMicros: 20_000_000 });
      expect(prepared.targets).toEqual(['p1', 'p2', 'p3']);
      expect(prepared.faults.length).toBeGreaterThan(0);
      for (const f of prepared.faults) expect(['p1', 'p2', 'p3']).toContain((f as { node: string }).node);
    }
  });

  it('roles draw the same schedule as the same nodes listed by id', () => {
    for (const nemesis of ['chaos', 'partitions', 'crashes'] as const) {
      const byRole = prepareRun({ scenario: commitScenario({ targets: { roles: ['coordinator', 'participant'] } }), seed: 3, nemesis });
      const byId = prepareRun({ scenario: commitScenario({ targets: ['co', 'p1', 'p2', 'p3'] }), seed: 3, nemesis });
      expect(byRole.targets).toEqual(['co', 'p1', 'p2', 'p3']);
      expect(byRole.faults).toEqual(byId.faults);
    }
  });

  it('a target role no node has is a programmer error', () => {
    expect(() => prepareRun({ scenario: commitScenario({ targets: { roles: ['backend'] } }), seed: 1 })).toThrow(/nemesisTargets: no node has role backend/);
  });
});

describe('leaderRoles', () => {
  it('keeps @leader and @follower: the leader, and one up server other than it', () => {
    const trace: TraceEvent[] = [];
    const sim = new Simulator({
      seed: 1, nodes: nodes(), network: QUIET_NETWORK, topology: COMMIT_TOPOLOGY,
      roles: leaderRoles((run: RunView) => (run.status('co') === 'up' ? 'co' : undefined)), traceSink: (e) => trace.push(e),
    });
    sim.start();
    sim.scheduleFaults([
      { at: 10, kind: 'pause', node: '@follower', as: 'F' },
      { at: 20, kind: 'crash', node: '@leader' },
      { at: 30, kind: 'restart', node: '@leader' },
    ]);
    sim.runUntil(40);
    const faults = resolvedFaults(trace);
    expect(['p1', 'p2', 'p3', 'mon']).toContain((faults[0] as { node: string }).node);
    expect(faults[1]).toEqual({ at: 20, kind: 'crash', node: 'co' });
    expect(faults[2]).toBeNull();
  });
});
