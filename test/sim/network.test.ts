// Link rules on their own, without the engine: what a message sent now meets (cut, loss, capacity,
// duplication), what happens to one due on a cut or clogged link, and which links a change selects.

import { describe, expect, it } from 'vitest';
import { Network, type LinkRandom, type NetworkConfig } from '../../sim/network.js';

const CONFIG: NetworkConfig = {
  latency: { kind: 'uniform', baseMicros: 1_000, jitterMicros: 0 },
  lossRatio: 0,
  duplicateRatio: 0,
  linkCapacity: 2,
};

/** A random source that answers `chance` from a script and counts draws. */
class ScriptedRandom implements LinkRandom {
  draws = 0;
  constructor(private readonly answers: boolean[] = []) {}
  next(): number {
    this.draws++;
    return 0.5;
  }
  int(min: number): number {
    this.draws++;
    return min;
  }
  chance(): boolean {
    this.draws++;
    return this.answers.shift() ?? false;
  }
  paretoMicros(): number {
    this.draws++;
    return 0;
  }
}

function network(size = 3, config: NetworkConfig = CONFIG, answers: boolean[] = []) {
  const randoms = new Map<string, ScriptedRandom>();
  const net = new Network<string>(size, config, (from, to) => {
    const random = new ScriptedRandom([...answers]);
    randoms.set(`${from}>${to}`, random);
    return random;
  });
  // A link (and its random stream) exists from its first use: asking for the stream uses the link.
  return { net, random: (from: number, to: number) => (net.link(from, to), randoms.get(`${from}>${to}`)!) };
}

describe('a message sent now', () => {
  it('is dropped as partition on a cut link, without a loss draw', () => {
    const { net, random } = network(2, { ...CONFIG, lossRatio: 0.5 });
    net.cut({ from: [0], to: [1] });
    expect(net.link(0, 1).sendDrop()).toBe('partition');
    expect(random(0, 1).draws).toBe(0);
    // One-way: the other direction still carries.
    expect(net.link(1, 0).sendDrop()).toBeUndefined();
  });

  it('is lost when the loss draw says so; at ratio 0 nothing is drawn', () => {
    const lossy = network(2, { ...CONFIG, lossRatio: 0.3 }, [true, false]);
    expect(lossy.net.link(0, 1).sendDrop()).toBe('loss');
    expect(lossy.net.link(0, 1).sendDrop()).toBeUndefined();
    expect(lossy.random(0, 1).draws).toBe(2);
    const clean = network(2);
    expect(clean.net.link(0, 1).sendDrop()).toBeUndefined();
    expect(clean.random(0, 1).draws).toBe(0);
  });

  it('boards only while the link has room, and each landing frees a place', () => {
    const link = network(2).net.link(0, 1);
    expect([link.board(), link.board(), link.board()]).toEqual([true, true, false]);
    expect(link.inFlight).toBe(2);
    link.land();
    expect(link.board()).toBe(true);
  });

  it('is duplicated when the duplicate draw says so; at ratio 0 nothing is drawn', () => {
    const dup = network(2, { ...CONFIG, duplicateRatio: 0.5 }, [true]);
    expect(dup.net.link(0, 1).duplicates()).toBe(true);
    const clean = network(2);
    expect(clean.net.link(0, 1).duplicates()).toBe(false);
    expect(clean.random(0, 1).draws).toBe(0);
  });
});

describe('a message due on a link that is not open', () => {
  it('is dropped if the link is cut, even if it is also clogged', () => {
    const { net } = network(2);
    net.clog({});
    net.cut({});
    expect(net.link(0, 1).open).toBe(false);
    expect(net.intercept(net.link(0, 1), 'm')).toBe('partition');
    expect(net.unclog({})).toEqual([]);
  });

  it('is held by a clog and released by unclog, link by link in link order, each in arrival order', () => {
    const { net } = network(3);
    net.clog({ to: [2] });
    expect(net.link(0, 2).open).toBe(false);
    expect(net.link(0, 1).open).toBe(true);
    net.intercept(net.link(1, 2), 'b1');
    net.intercept(net.link(0, 2), 'a1');
    net.intercept(net.link(1, 2), 'b2');
    // Unclogging another link releases nothing.
    expect(net.unclog({ to: [1] })).toEqual([]);
    expect(net.unclog({ to: [2] })).toEqual(['a1', 'b1', 'b2']);
    expect(net.link(0, 2).open).toBe(true);
    expect(net.unclog({ to: [2] })).toEqual([]);
  });

  it('an open link intercepts nothing (a broken engine invariant throws)', () => {
    const { net } = network(2);
    expect(() => net.intercept(net.link(0, 1), 'm')).toThrow(/open link/);
  });
});

describe('link changes', () => {
  it('a partition cuts links between groups in both directions, not within a group or to unnamed nodes', () => {
    const { net } = network(4);
    net.partition([[0, 1], [2]]);
    const cut = [];
    for (let from = 0; from < 4; from++) for (let to = 0; to < 4; to++) if (net.isCut(from, to)) cut.push(`${from}>${to}`);
    expect(cut).toEqual(['0>2', '1>2', '2>0', '2>1']);
    net.heal();
    expect(net.isCut(0, 2)).toBe(false);
  });

  it('a selection never includes a node\'s link to itself; a side left out is every node', () => {
    const { net } = network(3);
    for (let from = 2; from >= 0; from--) for (let to = 2; to >= 0; to--) net.link(from, to);
    expect(net.select({}).map((l) => `${l.from}>${l.to}`)).toEqual(['0>1', '0>2', '1>0', '1>2', '2>0', '2>1']);
    expect(net.select({ from: [0] }).map((l) => `${l.from}>${l.to}`)).toEqual(['0>1', '0>2']);
    expect(net.select({ from: [0, 1], to: [1] }).map((l) => `${l.from}>${l.to}`)).toEqual(['0>1']);
  });

  it('loss, duplication and latency change only the selected links', () => {
    const { net } = network(2);
    net.setLoss({ from: [0] }, 0.25);
    net.setDuplicate({ to: [0] }, 0.5);
    net.setLatency({ from: [1] }, { kind: 'uniform', baseMicros: 7, jitterMicros: 0 });
    expect([net.link(0, 1).lossRatio, net.link(1, 0).lossRatio]).toEqual([0.25, 0]);
    expect([net.link(0, 1).duplicateRatio, net.link(1, 0).duplicateRatio]).toEqual([0, 0.5]);
    expect([net.link(0, 1).sampleLatency(), net.link(1, 0).sampleLatency()]).toEqual([1_000, 7]);
  });

  it('each link gets its own random stream, asked for once, when the link is first used', () => {
    const asked: string[] = [];
    const net = new Network<string>(2, CONFIG, (from, to) => {
      asked.push(`${from}>${to}`);
      return new ScriptedRandom();
    });
    expect(asked).toEqual([]);
    expect(net.link(1, 0)).toBe(net.link(1, 0));
    net.link(0, 1);
    expect(asked).toEqual(['1>0', '0>1']);
    expect(net.createdCount).toBe(2);
  });
});
