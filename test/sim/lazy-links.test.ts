// Links are created on first use (sim/network.ts): a link created late must meet a message exactly as it
// would have had every link existed from the start. Checked two ways: against a naive twin of the eager
// network (every link built up front, every change applied to every link) under random sequences of link
// changes and messages, and through whole runs, lazily and with every link created before the first event.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { Link, Network, type LatencyModel, type LinkSelection, type NetworkConfig } from '../../sim/network.js';
import { Rng } from '../../sim/rng.js';
import { prepareRun, type PreparedRun } from '../../sim/run.js';
import { Simulator } from '../../sim/simulator.js';

const CONFIG: NetworkConfig = {
  latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 500 },
  lossRatio: 0.1,
  duplicateRatio: 0.05,
  linkCapacity: 3,
};

/** The twin: the network as it was before links were lazy, written plainly. */
class EagerNetwork {
  readonly links: Link[] = [];
  private readonly held = new Map<Link, string[]>();

  constructor(readonly size: number, config: NetworkConfig, random: (from: number, to: number) => Rng) {
    for (let from = 0; from < size; from++) for (let to = 0; to < size; to++) this.links.push(new Link(from, to, config, random(from, to)));
  }

  link(from: number, to: number): Link {
    return this.links[from * this.size + to]!;
  }

  intercept(link: Link, message: string): 'partition' | 'held' {
    if (link.cut) return 'partition';
    const list = this.held.get(link) ?? [];
    this.held.set(link, list);
    list.push(message);
    return 'held';
  }

  select(selection: LinkSelection): Link[] {
    return this.links.filter((l) => l.from !== l.to && (!selection.from || selection.from.includes(l.from)) && (!selection.to || selection.to.includes(l.to)));
  }

  partition(groups: readonly (readonly number[])[]): void {
    const groupOf = (index: number) => groups.findIndex((group) => group.includes(index));
    for (const link of this.links) {
      const a = groupOf(link.from);
      const b = groupOf(link.to);
      if (a >= 0 && b >= 0 && a !== b) link.cut = true;
    }
  }

  unclog(selection: LinkSelection): string[] {
    const released: string[] = [];
    for (const link of this.select(selection)) {
      if (!link.clogged) continue;
      link.clogged = false;
      released.push(...(this.held.get(link)?.splice(0) ?? []));
    }
    return released;
  }
}

/** One step: a link change, or a message sent on (and later due on) a link. */
type Step =
  | { readonly op: 'partition'; readonly groups: number[][] }
  | { readonly op: 'cut' | 'clog' | 'unclog'; readonly selection: LinkSelection }
  | { readonly op: 'heal' }
  | { readonly op: 'loss' | 'duplicate'; readonly selection: LinkSelection; readonly ratio: number }
  | { readonly op: 'latency'; readonly selection: LinkSelection; readonly model: LatencyModel }
  | { readonly op: 'send'; readonly from: number; readonly to: number; readonly land: boolean };

const SIZE_MAX = 5;

function steps(size: number): fc.Arbitrary<Step[]> {
  const node = fc.integer({ min: 0, max: size - 1 });
  const nodes = fc.uniqueArray(node, { minLength: 1, maxLength: size });
  const selection: fc.Arbitrary<LinkSelection> = fc.record({ from: fc.option(nodes, { nil: undefined }), to: fc.option(nodes, { nil: undefined }) })
    .map(({ from, to }) => ({ ...(from ? { from } : {}), ...(to ? { to } : {}) }));
  const ratio = fc.constantFrom(0, 0.3, 0.9);
  const model: fc.Arbitrary<LatencyModel> = fc.oneof(
    fc.record({ kind: fc.constant('uniform' as const), baseMicros: fc.integer({ min: 0, max: 50 }), jitterMicros: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant('pareto' as const), baseMicros: fc.constant(5), scaleMicros: fc.constant(10), shape: fc.constant(1.5), maxMicros: fc.constant(1_000) }),
  );
  // Groups: each node in at most one group (or none), at least two groups.
  const groups = fc.array(fc.integer({ min: -1, max: 2 }), { minLength: size, maxLength: size }).map((of) => {
    const out: number[][] = [[], [], []];
    of.forEach((g, index) => g >= 0 && out[g]!.push(index));
    return out.filter((g) => g.length > 0);
  }).filter((g) => g.length >= 2);
  const step: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: groups.map((g) => ({ op: 'partition' as const, groups: g })), weight: 1 },
    { arbitrary: fc.record({ op: fc.constantFrom('cut' as const, 'clog' as const, 'unclog' as const), selection }), weight: 2 },
    { arbitrary: fc.constant({ op: 'heal' as const }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constantFrom('loss' as const, 'duplicate' as const), selection, ratio }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('latency' as const), selection, model }), weight: 1 },
    {
      arbitrary: fc.record({ op: fc.constant('send' as const), from: node, to: node, land: fc.boolean() }).filter((s) => s.from !== s.to),
      weight: 6,
    },
  );
  return fc.array(step, { maxLength: 60 });
}

/** Runs the steps on one network and writes down everything observable: drops, latencies, duplicates, releases, final link state. */
function observe(size: number, seed: number, list: readonly Step[], lazy: boolean): unknown[] {
  const root = Rng.fromSeed(seed);
  const random = (from: number, to: number) => root.fork(`link:n${from}->n${to}`);
  const net = lazy ? new Network<string>(size, CONFIG, random) : new EagerNetwork(size, CONFIG, random);
  const seen: unknown[] = [];
  let message = 0;
  for (const step of list) {
    switch (step.op) {
      case 'partition':
        net.partition(step.groups);
        break;
      case 'cut':
        if (net instanceof Network) net.cut(step.selection);
        else for (const link of net.select(step.selection)) link.cut = true;
        break;
      case 'heal':
        if (net instanceof Network) net.heal();
        else for (const link of net.links) link.cut = false;
        break;
      case 'clog':
        if (net instanceof Network) net.clog(step.selection);
        else for (const link of net.select(step.selection)) link.clogged = true;
        break;
      case 'unclog':
        seen.push(['released', net.unclog(step.selection)]);
        break;
      case 'loss':
        if (net instanceof Network) net.setLoss(step.selection, step.ratio);
        else for (const link of net.select(step.selection)) link.lossRatio = step.ratio;
        break;
      case 'duplicate':
        if (net instanceof Network) net.setDuplicate(step.selection, step.ratio);
        else for (const link of net.select(step.selection)) link.duplicateRatio = step.ratio;
        break;
      case 'latency':
        if (net instanceof Network) net.setLatency(step.selection, step.model);
        else for (const link of net.select(step.selection)) link.latency = step.model;
        break;
      case 'send': {
        const link = net.link(step.from, step.to);
        const id = `m${message++}`;
        const drop = link.sendDrop();
        if (drop !== undefined) {
          seen.push([id, drop]);
          break;
        }
        if (!link.board()) {
          seen.push([id, 'overflow']);
          break;
        }
        seen.push([id, link.sampleLatency(), link.duplicates()]);
        // Due now: delivered, dropped (cut) or held (clog), as the engine does.
        if (step.land) {
          if (link.open) link.land();
          else seen.push([id, net.intercept(link, id)]);
        }
        break;
      }
    }
  }
  for (let from = 0; from < size; from++) {
    for (let to = 0; to < size; to++) {
      if (from === to) continue;
      const link = net.link(from, to);
      seen.push([from, to, link.cut, link.clogged, link.lossRatio, link.duplicateRatio, link.latency, link.inFlight, link.sampleLatency()]);
    }
  }
  return seen;
}

describe('lazy links', () => {
  it('meet every message as eager links do, under any sequence of link changes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: SIZE_MAX }).chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: 1_000 }), steps(size))),
        ([size, seed, list]) => {
          expect(observe(size, seed, list, true)).toEqual(observe(size, seed, list, false));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a link created after a change replays it; one created after a heal or a change to every link does not carry what was overridden', () => {
    const net = new Network<string>(3, CONFIG, (from, to) => Rng.fromSeed(1).fork(`${from}>${to}`));
    net.partition([[0], [1, 2]]);
    net.clog({ from: [2] });
    net.setLoss({ to: [1] }, 0.5);
    expect(net.createdCount).toBe(0);
    expect(net.isCut(0, 1)).toBe(true);
    expect(net.createdCount).toBe(0);
    expect([net.link(0, 1).cut, net.link(1, 2).cut, net.link(2, 1).clogged, net.link(2, 1).lossRatio, net.link(1, 0).lossRatio]).toEqual([true, false, true, 0.5, 0.1]);
    net.heal();
    net.setLoss({}, 0);
    expect([net.link(1, 0).cut, net.link(0, 2).cut, net.link(0, 2).lossRatio, net.link(2, 0).clogged]).toEqual([false, false, 0, true]);
  });

  it('keeps no rule for loss, delay and clog windows closed on the links they opened on', () => {
    const net = new Network<string>(6, CONFIG, (from, to) => Rng.fromSeed(1).fork(`${from}>${to}`));
    for (let window = 0; window < 100; window++) {
      const links = window % 2 === 0 ? { from: [window % 6], to: [(window + 1) % 6, (window + 3) % 6] } : { to: [window % 6] };
      net.setLoss(links, 0.4);
      net.setLatency(links, { kind: 'uniform', baseMicros: 50_000, jitterMicros: 9 });
      net.clog(links);
      net.unclog(links);
      net.setLatency(links, { ...CONFIG.latency });
      net.setLoss(links, CONFIG.lossRatio);
    }
    expect(net.keptRuleCount).toBe(0);
    // A reset to a value other than the starting one is kept, once per selection.
    net.setLoss({ to: [1] }, 0.5);
    net.setLoss({ to: [1] }, 0);
    net.setLoss({ to: [1] }, 0.5);
    net.setLoss({ to: [1] }, 0);
    expect(net.keptRuleCount).toBe(1);
    expect(net.link(0, 1).lossRatio).toBe(0);
    expect(net.link(0, 2).lossRatio).toBe(CONFIG.lossRatio);
  });

  it('whole runs give the same fingerprint lazily and with every link created before the first event', () => {
    const runs = fc.sample(fc.record({
      name: fc.constantFrom('raft-chaos', 'broadcast-chaos', 'paxos-partition', 'raft-partitions'),
      seed: fc.integer({ min: 0, max: 100_000 }),
    }), { numRuns: 8, seed: 13 });
    for (const { name, seed } of runs) {
      const prepared = prepareRun({ scenario: findScenario(name)!, seed, durationMicros: 2_000_000 });
      expect(fingerprint(prepared, true), `${name} seed ${seed}`).toBe(fingerprint(prepared, false));
    }
  });

  it('a random early schedule of link changes gives the same fingerprint lazily and eagerly', () => {
    const scenario = findScenario('raft-chaos')!;
    const ids = prepareRun({ scenario, seed: 1 }).setup.nodes.map((n) => n.id);
    const id = fc.constantFrom(...ids);
    const list = fc.uniqueArray(id, { minLength: 1, maxLength: 3 });
    const at = fc.integer({ min: 0, max: 200_000 });
    const side = fc.record({ from: fc.option(list, { nil: undefined }), to: fc.option(list, { nil: undefined }) })
      .map(({ from, to }) => ({ ...(from ? { from } : {}), ...(to ? { to } : {}) }));
    const entry = fc.oneof(
      fc.record({ at, kind: fc.constant('partition'), groups: fc.shuffledSubarray(ids, { minLength: 2 }).map((s) => [s.slice(0, 1), s.slice(1)]) }),
      fc.record({ at, kind: fc.constant('partition'), from: list, to: list }),
      fc.record({ at, kind: fc.constant('heal') }),
      side.chain((s) => fc.record({ at, kind: fc.constantFrom('clog', 'unclog') }).map((e) => ({ ...e, ...s }))),
      side.chain((s) => fc.record({ at, kind: fc.constantFrom('loss', 'duplicate'), ratio: fc.constantFrom(0, 0.2, 0.6) }).map((e) => ({ ...e, ...s }))),
      side.chain((s) => fc.record({ at, kind: fc.constant('delay'), latency: fc.record({ kind: fc.constant('uniform'), baseMicros: fc.integer({ min: 0, max: 5_000 }), jitterMicros: fc.integer({ min: 0, max: 5_000 }) }) }).map((e) => ({ ...e, ...s }))),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), fc.integer({ min: 0, max: 1_000 }), (faults, seed) => {
        const prepared = prepareRun({ scenario, seed, durationMicros: 400_000, faults: { raw: faults, source: 'property' } });
        expect(fingerprint(prepared, true)).toBe(fingerprint(prepared, false));
      }),
      { numRuns: 25 },
    );
  });
});

/** A prepared run's fingerprint, as `executeRun` drives it (fault phase, recovery for its bound); `lazy` false: every link created first. */
function fingerprint(prepared: PreparedRun, lazy: boolean): string {
  const { setup } = prepared;
  const sim = new Simulator({ seed: prepared.seed, nodes: setup.nodes, network: setup.network, checkers: setup.checkers, roles: setup.roles, topology: setup.topology });
  if (!lazy) {
    // The engine's network is private: reached here only to build every link up front, as it once did.
    const network = (sim as unknown as { network: Network<unknown> }).network;
    for (let from = 0; from < network.size; from++) for (let to = 0; to < network.size; to++) network.link(from, to);
  }
  sim.start();
  sim.scheduleFaults(prepared.faults);
  sim.runUntil(prepared.durationMicros);
  sim.beginRecovery();
  sim.runUntil(sim.now + setup.recoveryMicrosMax);
  sim.end();
  return sim.fingerprintHex();
}
