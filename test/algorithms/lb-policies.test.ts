// The balancing policies as pure state machines: each picks only eligible backends; round robin and
// NGINX's smooth weighted round robin against naive twins; least outstanding always takes a minimum;
// p2c compares two distinct backends; peak EWMA's rules; the ring's consistency against a linear-scan
// twin; balls into bins (two choices beat one); and each planted bug that lives here, with and without it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICIES, type BalancerConfig } from '../../algorithms/load-balancing/config.js';
import { PeakEwma, UNMEASURED_PENALTY_MICROS } from '../../algorithms/load-balancing/ewma.js';
import type { Policy } from '../../algorithms/load-balancing/parts.js';
import { createPolicy } from '../../algorithms/load-balancing/policies.js';
import { HashRing, keyHash, pointHash } from '../../algorithms/load-balancing/ring.js';
import { InvariantError } from '../../sim/assert.js';
import { Rng } from '../../sim/rng.js';
import { balancerConfig, indexes } from './lb-fixtures.js';

/** A non-empty ascending subset of 0 … n − 1. */
const eligibleOf = (n: number) => fc.subarray(indexes(n), { minLength: 1 });

/** n and a non-empty ascending eligible subset of 0 … n − 1. */
const fleet = (nMax: number) => fc.integer({ min: 1, max: nMax }).chain((n) => fc.tuple(fc.constant(n), eligibleOf(n)));

describe('every policy', () => {
  it('picks only eligible backends, and its outstanding counts follow sends, answers and abandons', () => {
    fc.assert(fc.property(
      fc.constantFrom(...POLICIES), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('done', 'abandon', 'none')), { maxLength: 60 }),
      (name, n, seed, steps) => {
        const policy = createPolicy(name, balancerConfig(n, { policy: name }));
        const rng = Rng.fromSeed(seed);
        const inFlight: number[] = [];
        const expected = new Array<number>(n).fill(0);
        let now = 0;
        for (const [subsetBits, which, end] of steps) {
          now += 1000;
          const eligible = indexes(n).filter((b) => (subsetBits >> b) & 1);
          if (eligible.length === 0) eligible.push(subsetBits % n);
          const backend = policy.pick(eligible, which, rng, now);
          expect(eligible).toContain(backend);
          policy.onSend(backend, now);
          expected[backend]!++;
          inFlight.push(backend);
          if (end !== 'none' && inFlight.length > 0) {
            const [ended] = inFlight.splice(which % inFlight.length, 1);
            if (end === 'done') policy.onDone(ended!, 'ok', 500, now);
            else policy.onAbandon(ended!, now, 700);
            expected[ended!]!--;
          }
          expect(policy.outstanding()).toEqual(expected);
        }
      },
    ));
  });

  it('refuses an answer for a backend with nothing outstanding (counts never go negative)', () => {
    for (const name of POLICIES) {
      const policy = createPolicy(name, balancerConfig(3, { policy: name }));
      expect(() => policy.onDone(1, 'ok', 10, 0), name).toThrow(InvariantError);
      expect(() => policy.onAbandon(1, 0), name).toThrow(InvariantError);
      policy.onSend(1, 0);
      policy.onDone(1, 'ok', 10, 0);
      expect(() => policy.onDone(1, 'ok', 10, 0), name).toThrow(/none outstanding/);
    }
  });

  it('the same seed gives the same picks', () => {
    for (const name of POLICIES) {
      const picks = () => {
        const policy = createPolicy(name, balancerConfig(7, { policy: name }));
        const rng = Rng.fromSeed(99);
        return indexes(200).map((i) => {
          const b = policy.pick([0, 2, 3, 5, 6], i * 7919, rng, i * 100);
          policy.onSend(b, i * 100);
          if (i % 3 === 0) policy.onDone(b, 'ok', 50 + (i % 11) * 10, i * 100);
          return b;
        });
      };
      expect(picks(), name).toEqual(picks());
    }
  });
});

describe('random', () => {
  it('spreads picks over every eligible backend', () => {
    const policy = createPolicy('random', balancerConfig(4));
    const rng = Rng.fromSeed(1);
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 4000; i++) counts[policy.pick([0, 1, 2, 3], 0, rng, 0)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });
});

describe('round robin', () => {
  /** The naive twin: the first eligible backend after the last pick, going round 0 … n − 1. */
  function nextAfter(last: number, eligible: readonly number[], n: number): number {
    for (let step = 1; step <= n; step++) {
      const b = (last + step) % n;
      if (eligible.includes(b)) return b;
    }
    throw new Error('no eligible backend');
  }

  it('matches its twin while the eligible list changes (a change never restarts the cycle)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.constant(n), fc.array(eligibleOf(n), { minLength: 1, maxLength: 40 }))), fc.integer({ min: 0, max: 1000 }), ([n, lists], seed) => {
      const policy = createPolicy('round-robin', balancerConfig(n, { policy: 'round-robin' }));
      const rng = Rng.fromSeed(seed);
      let last = -1;
      for (const eligible of lists) {
        const picked = policy.pick(eligible, 0, rng, 0);
        if (last >= 0) expect(picked).toBe(nextAfter(last, eligible, n));
        else expect(eligible).toContain(picked);
        last = picked;
      }
    }));
  });

  it('is fair: any window of as many picks as eligible backends takes each once', () => {
    fc.assert(fc.property(fleet(10), fc.integer({ min: 0, max: 1000 }), ([, eligible], seed) => {
      const policy = createPolicy('round-robin', balancerConfig(10));
      const rng = Rng.fromSeed(seed);
      const picks = indexes(eligible.length * 4).map(() => policy.pick(eligible, 0, rng, 0));
      for (let start = 0; start + eligible.length <= picks.length; start++) {
        expect(picks.slice(start, start + eligible.length).sort((a, b) => a - b)).toEqual(eligible);
      }
    }));
  });

  it('starts at a random place, so balancers inside many clients do not all begin with one backend', () => {
    const firsts = new Set(indexes(40).map((seed) => createPolicy('round-robin', balancerConfig(5)).pick(indexes(5), 0, Rng.fromSeed(seed), 0)));
    expect(firsts.size).toBeGreaterThan(2);
  });
});

describe('smooth weighted round robin (NGINX)', () => {
  /** The twin: NGINX's loop written out on plain arrays over every backend (all eligible). */
  function nginxTwin(weights: readonly number[], picks: number): number[] {
    const current = weights.map(() => 0);
    const out: number[] = [];
    for (let p = 0; p < picks; p++) {
      const total = weights.reduce((a, b) => a + b, 0);
      weights.forEach((w, i) => { current[i]! += w; });
      let best = 0;
      for (let i = 1; i < weights.length; i++) if (current[i]! > current[best]!) best = i;
      current[best]! -= total;
      out.push(best);
    }
    return out;
  }

  const weighted = (weights: readonly number[], bug?: 'wrrForgetsWeights') => {
    const config: BalancerConfig = {
      ...balancerConfig(weights.length, { policy: 'weighted-round-robin' }, bug),
      backends: weights.map((weight, i) => ({ id: `b${i}`, weight })),
    };
    return createPolicy('weighted-round-robin', config);
  };
  const rng = Rng.fromSeed(0);

  it('matches the twin, and any window of total-weight picks takes each backend exactly its weight times', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), (weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      const policy = weighted(weights);
      const all = indexes(weights.length);
      const picks = indexes(3 * total).map(() => policy.pick(all, 0, rng, 0));
      expect(picks).toEqual(nginxTwin(weights, 3 * total));
      for (let start = 0; start + total <= picks.length; start++) {
        const counts = weights.map(() => 0);
        for (const b of picks.slice(start, start + total)) counts[b]!++;
        expect(counts).toEqual(weights);
      }
    }));
  });

  it('is smooth: weights 5, 1, 1 give a a b a c a a, not a a a a a b c', () => {
    const policy = weighted([5, 1, 1]);
    expect(indexes(7).map(() => policy.pick([0, 1, 2], 0, rng, 0))).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });

  /** Weights 5, 1, 1; backend 0 goes down for 30 picks and comes back; its share of the next 700 picks. */
  function shareAfterReturn(bug?: 'wrrForgetsWeights'): number {
    const policy = weighted([5, 1, 1], bug);
    for (let i = 0; i < 14; i++) policy.pick([0, 1, 2], 0, rng, 0);
    policy.onHealth(0, false);
    for (let i = 0; i < 30; i++) expect(policy.pick([1, 2], 0, rng, 0)).not.toBe(0);
    policy.onHealth(0, true);
    return indexes(700).filter(() => policy.pick([0, 1, 2], 0, rng, 0) === 0).length / 700;
  }

  it('a backend that comes back gets its configured weight again', () => {
    expect(shareAfterReturn()).toBeCloseTo(5 / 7, 2);
  });

  it('planted bug lb/wrr-forgets-weights: the returning backend gets weight 1 (a third of the picks, not 5/7)', () => {
    expect(shareAfterReturn('wrrForgetsWeights')).toBeCloseTo(1 / 3, 2);
  });
});

describe('least outstanding requests', () => {
  it('always picks a backend with the fewest outstanding among the eligible', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 80 }), fc.integer({ min: 0, max: 1000 }), (n, steps, seed) => {
      const policy = createPolicy('least-outstanding', balancerConfig(n));
      const rng = Rng.fromSeed(seed);
      const inFlight: number[] = [];
      for (const [bits, finish] of steps) {
        const eligible = indexes(n).filter((b) => (bits >> b) & 1);
        if (eligible.length === 0) eligible.push(bits % n);
        const counts = policy.outstanding();
        const least = Math.min(...eligible.map((b) => counts[b]!));
        const picked = policy.pick(eligible, 0, rng, 0);
        expect(eligible).toContain(picked);
        expect(counts[picked]).toBe(least);
        policy.onSend(picked, 0);
        inFlight.push(picked);
        if (finish) policy.onDone(inFlight.splice(bits % inFlight.length, 1)[0]!, 'ok', 1, 0);
      }
    }));
  });

  it('keeps taking a minimum while one eligible list is held (its buckets move with every send, answer and abandon)', () => {
    fc.assert(fc.property(fleet(8), fc.array(fc.tuple(fc.nat(), fc.constantFrom('send', 'done', 'abandon')), { maxLength: 150 }), fc.integer({ min: 0, max: 1000 }), ([n, eligible], steps, seed) => {
      const policy = createPolicy('least-outstanding', balancerConfig(n));
      const rng = Rng.fromSeed(seed);
      const inFlight: number[] = [];
      for (const [which, step] of steps) {
        if (step === 'send') {
          // Sends also go to backends outside the list (an attempt picked before a health change).
          const b = which % 3 === 0 ? which % n : policy.pick(eligible, 0, rng, 0);
          policy.onSend(b, 0);
          inFlight.push(b);
        } else if (inFlight.length > 0) {
          const b = inFlight.splice(which % inFlight.length, 1)[0]!;
          if (step === 'done') policy.onDone(b, 'ok', 1, 0);
          else policy.onAbandon(b, 0);
        }
        const counts = policy.outstanding();
        expect(counts[policy.pick(eligible, 0, rng, 0)]).toBe(Math.min(...eligible.map((b) => counts[b]!)));
      }
    }));
  });

  it('breaks ties at random among the least', () => {
    const policy = createPolicy('least-outstanding', balancerConfig(4));
    policy.onSend(2, 0);
    const rng = Rng.fromSeed(5);
    const seen = new Set(indexes(100).map(() => policy.pick(indexes(4), 0, rng, 0)));
    expect([...seen].sort()).toEqual([0, 1, 3]);
  });

  /**
   * One attempt to backend 0 times out; afterwards every attempt is answered at once. The share of the
   * next 300 picks that go to backend 0, under `name`.
   */
  function shareAfterTimeout(name: 'least-outstanding' | 'p2c' | 'p2c-peak-ewma', bug?: 'leakOnTimeout'): number {
    const policy = createPolicy(name, balancerConfig(3, { policy: name }, bug));
    const rng = Rng.fromSeed(11);
    policy.onSend(0, 0);
    policy.onAbandon(0, 1000, 1000);
    let toZero = 0;
    for (let i = 0; i < 300; i++) {
      const now = 2000 + i * 10;
      const b = policy.pick([0, 1, 2], 0, rng, now);
      policy.onSend(b, now);
      policy.onDone(b, 'ok', 1000, now);
      if (b === 0) toZero++;
    }
    return toZero / 300;
  }

  it('an abandoned attempt gives its slot back: the backend gets its share again', () => {
    expect(shareAfterTimeout('least-outstanding')).toBeGreaterThan(0.25);
    expect(shareAfterTimeout('p2c')).toBeGreaterThan(0.25);
  });

  it('planted bug lb/least-outstanding-leak: the slot is never given back, so the backend starves', () => {
    expect(shareAfterTimeout('least-outstanding', 'leakOnTimeout')).toBe(0);
    expect(shareAfterTimeout('p2c', 'leakOnTimeout')).toBeLessThan(0.2);
    const policy = createPolicy('least-outstanding', balancerConfig(3, {}, 'leakOnTimeout'));
    policy.onSend(0, 0);
    policy.onAbandon(0, 10);
    expect(policy.outstanding()).toEqual([1, 0, 0]);
  });
});

describe('power of two choices', () => {
  it('never picks an ineligible backend, and never the one most loaded (its two candidates are distinct)', () => {
    fc.assert(fc.property(fleet(8), fc.array(fc.nat({ max: 5 }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 1000 }), ([n, eligible], loads, seed) => {
      const policy = createPolicy('p2c', balancerConfig(n));
      for (const b of indexes(n)) for (let k = 0; k < loads[b]!; k++) policy.onSend(b, 0);
      const rng = Rng.fromSeed(seed);
      const eligibleLoads = eligible.map((b) => loads[b]!);
      const most = Math.max(...eligibleLoads);
      const uniqueMost = eligibleLoads.filter((l) => l === most).length === 1 ? eligible[eligibleLoads.indexOf(most)]! : -1;
      for (let i = 0; i < 30; i++) {
        const picked = policy.pick(eligible, 0, rng, 0);
        expect(eligible).toContain(picked);
        // Two distinct candidates: the single most loaded backend always loses its comparison.
        if (eligible.length >= 2) expect(picked).not.toBe(uniqueMost);
      }
    }));
  });

  it('with one eligible backend, picks it without a draw', () => {
    const policy = createPolicy('p2c', balancerConfig(3));
    const rng = Rng.fromSeed(3);
    const before = Rng.fromSeed(3).draw();
    expect(policy.pick([2], 0, rng, 0)).toBe(2);
    expect(rng.draw()).toBe(before);
  });

  it('balls into bins: n balls into n bins, two choices keep the fullest bin far below one choice', () => {
    /** The largest bin after n balls, placed by `name`; counts are never released. */
    const maxLoad = (name: 'random' | 'p2c', n: number, seed: number) => {
      const policy = createPolicy(name, balancerConfig(n));
      const rng = Rng.fromSeed(seed);
      const all = indexes(n);
      for (let ball = 0; ball < n; ball++) policy.onSend(policy.pick(all, 0, rng, 0), 0);
      return Math.max(...policy.outstanding());
    };
    const seeds = indexes(5);
    const one = seeds.map((s) => maxLoad('random', 2000, s));
    const two = seeds.map((s) => maxLoad('p2c', 2000, s));
    // Theory: one choice ≈ ln n / ln ln n (about 4 for n = 2000, 6–7 seen in practice);
    // two choices ≈ ln ln n / ln 2 + O(1) (about 3).
    for (const m of two) expect(m).toBeLessThanOrEqual(4);
    for (const m of one) expect(m).toBeGreaterThanOrEqual(5);
  });
});

describe('p2c on peak EWMA latency (Finagle)', () => {
  it('jumps at once to a higher sample, and decays by e every τ towards lower ones and over idle time', () => {
    const ewma = new PeakEwma(2, 1000);
    ewma.observe(0, 100, 0);
    expect(ewma.latencyMicros(0, 0)).toBe(100);
    ewma.observe(0, 500, 10);
    expect(ewma.latencyMicros(0, 10)).toBe(500);
    // A lower sample after τ: weight e^-1 on the old estimate.
    ewma.observe(0, 100, 1010);
    expect(ewma.latencyMicros(0, 1010)).toBeCloseTo(500 / Math.E + 100 * (1 - 1 / Math.E), 6);
    // Idle time decays it towards 0 (Finagle's get() observes a 0).
    const at1010 = ewma.latencyMicros(0, 1010);
    expect(ewma.latencyMicros(0, 2010)).toBeCloseTo(at1010 / Math.E, 6);
  });

  it('a read stores the decayed estimate, as Finagle\'s get(): a later sample meets what the idle time left', () => {
    const read = new PeakEwma(1, 1000);
    const unread = new PeakEwma(1, 1000);
    for (const e of [read, unread]) e.observe(0, 1000, 0);
    read.latencyMicros(0, 2000); // 1000 / e² now stored, stamped at 2000
    for (const e of [read, unread]) e.observe(0, 200, 3000);
    // Read at 2000: the sample meets 1000/e² (below it: a peak) and replaces it.
    expect(read.latencyMicros(0, 3000)).toBe(200);
    // Never read: the sample meets 1000, weighted e^-3 over the three τ since it.
    expect(unread.latencyMicros(0, 3000)).toBeCloseTo(1000 * Math.exp(-3) + 200 * (1 - Math.exp(-3)), 6);
  });

  it('cost is latency × (outstanding + 1); an unmeasured backend costs 0 idle and the penalty when busy', () => {
    const ewma = new PeakEwma(2, 1000);
    expect(ewma.cost(1, 0, 0)).toBe(0);
    expect(ewma.cost(1, 2, 0)).toBe(UNMEASURED_PENALTY_MICROS + 2);
    ewma.observe(0, 200, 0);
    expect(ewma.cost(0, 3, 0)).toBe(800);
  });

  it('prefers the backend with the lower latency estimate, and an abandon counts as a sample of the time waited', () => {
    const policy = createPolicy('p2c-peak-ewma', balancerConfig(2, { policy: 'p2c-peak-ewma', ewmaDecayMicros: 1_000_000 }));
    const rng = Rng.fromSeed(4);
    policy.onSend(0, 0);
    policy.onDone(0, 'ok', 1000, 0);
    policy.onSend(1, 0);
    policy.onDone(1, 'ok', 2000, 0);
    for (let i = 0; i < 20; i++) expect(policy.pick([0, 1], 0, rng, 10)).toBe(0);
    // Backend 0 stops answering: its abandoned attempt is a 50 ms sample, and it loses every comparison.
    policy.onSend(0, 10);
    policy.onAbandon(0, 50_010, 50_000);
    for (let i = 0; i < 20; i++) expect(policy.pick([0, 1], 0, rng, 50_020)).toBe(1);
  });
});

describe('ring hash (Karger)', () => {
  /** The twin: every point of every eligible backend scanned; the least (hash, backend, point) at or after the key's hash, else the least of all. */
  function linearTwin(ids: readonly string[], points: number, eligible: readonly number[], key: number): number {
    const h = keyHash(key);
    let best: [number, number, number] | null = null;
    let lowest: [number, number, number] | null = null;
    const less = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    for (const b of eligible) {
      for (let p = 0; p < points; p++) {
        const point: [number, number, number] = [pointHash(ids[b]!, p), b, p];
        if (lowest === null || less(point, lowest) < 0) lowest = point;
        if (point[0] >= h && (best === null || less(point, best) < 0)) best = point;
      }
    }
    return (best ?? lowest)![1];
  }

  it('maps keys to eligible backends only, as the linear-scan twin does', () => {
    fc.assert(fc.property(fleet(8), fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 }), ([n, eligible], points, keys) => {
      const ids = indexes(n).map((i) => `b${i}`);
      const ring = new HashRing(ids, points);
      for (const key of keys) {
        const b = ring.lookup(eligible, key);
        expect(eligible).toContain(b);
        expect(b).toBe(linearTwin(ids, points, eligible, key));
      }
    }), { numRuns: 60 });
  });

  it('is consistent: when a backend leaves only its keys move, about 1/n of them', () => {
    fc.assert(fc.property(fc.integer({ min: 4, max: 16 }), fc.nat(), (n, leaverSeed) => {
      const policy = createPolicy('ring-hash', balancerConfig(n, { policy: 'ring-hash', ringPointsPerBackend: 100 }));
      const rng = Rng.fromSeed(0);
      const all = indexes(n);
      const leaver = leaverSeed % n;
      const without = all.filter((b) => b !== leaver);
      const keys = 2000;
      let moved = 0;
      for (let key = 0; key < keys; key++) {
        const before = policy.pick(all, key, rng, 0);
        const after = policy.pick(without, key, rng, 0);
        if (before !== after) {
          expect(before).toBe(leaver);
          moved++;
        } else {
          expect(before).not.toBe(leaver);
        }
      }
      // 100 points each: a backend's share is 1/n within a few tens of percent.
      expect(moved / keys).toBeGreaterThan(0.5 / n);
      expect(moved / keys).toBeLessThan(1.6 / n);
    }), { numRuns: 15 });
  });

  it('rebuilds the eligible ring only when the eligible set changes', () => {
    const ring = new HashRing(['a', 'b', 'c'], 10);
    const list = [0, 1, 2];
    ring.lookup(list, 1);
    ring.lookup(list, 2);
    ring.lookup([0, 1, 2], 3);
    expect(ring.rebuilds).toBe(1);
    ring.lookup([0, 2], 4);
    expect(ring.rebuilds).toBe(2);
  });

  it('spreads keys evenly enough over the backends', () => {
    const policy = createPolicy('ring-hash', balancerConfig(10, { policy: 'ring-hash', ringPointsPerBackend: 200 }));
    const counts = new Array<number>(10).fill(0);
    for (let key = 0; key < 20_000; key++) counts[policy.pick(indexes(10), key, Rng.fromSeed(0), 0)]!++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(1300);
      expect(c).toBeLessThan(2700);
    }
  });
});
