// The sharded store's protocol rules, one at a time, on storage nodes driven by hand (shardkv-cluster.ts):
// fencing refuses a stale epoch (hash/stale-map-no-epoch-check breaks it); a new owner serves a key only
// after the key's old primary handed it over (batches and done); the source keeps a key until every new
// owner acknowledged it (hash/migrate-delete-before-ack breaks it); the client is answered only after W
// owners hold a write; a leaving node goes only once its handoff and report are acknowledged; transfer
// progress survives a receiver's crash. fast-check: a receiver keeps the highest version whatever the
// order; random membership sequences over a lossy, reordering network leave every key at its R owners.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_VALUE } from '../../algorithms/shardkv/config.js';
import type { ShardMap, ShardMessage, TransferEntry } from '../../algorithms/shardkv/messages.js';
import type { NodeId } from '../../sim/process.js';
import { StoreCluster, type Envelope } from './shardkv-cluster.js';

const get = (id: number, epoch: number, key: string): ShardMessage => ({ type: 'request', id, epoch, op: 'get', key });
const put = (id: number, epoch: number, key: string, value: string): ShardMessage => ({ type: 'request', id, epoch, op: 'put', key, value });
const toClient = (c: StoreCluster) => c.take((e) => e.to === 'c1').map((e) => e.msg);
const map = (epoch: number, members: NodeId[]): ShardMap => ({ epoch, members });
const storageOnly = (e: Envelope) => e.to !== 'ctl' && e.to !== 'c1';

describe('fencing', () => {
  /** s1 adopts epoch 2; a client still on epoch 1 asks it for a key s1 was primary of. What comes back? */
  function staleRequest(staleMapNoEpochCheck: boolean) {
    const c = new StoreCluster({ initial: ['s1', 's2', 's3'], replicas: 1, writeQuorum: 1, keys: 30, bugs: { staleMapNoEpochCheck } });
    for (const id of ['s1', 's2', 's3']) c.start(id);
    const m1 = map(1, ['s1', 's2', 's3']);
    const key = c.findKey((k) => c.tables.of(m1).primary(k) === 's1');
    c.publish(map(2, ['s1', 's2']), ['s1', 's2', 's3']);
    c.inject('c1', 's1', get(1, 1, key));
    c.inject('c1', 's1', put(2, 1, key, 'stale'));
    return toClient(c);
  }

  it('a node that adopted epoch 2 refuses requests of epoch 1 with wrong-epoch and its own epoch, doing nothing', () => {
    expect(staleRequest(false)).toEqual([
      { type: 'reply', id: 1, ok: false, reason: 'wrong-epoch', epoch: 2 },
      { type: 'reply', id: 2, ok: false, reason: 'wrong-epoch', epoch: 2 },
    ]);
  });

  it('hash/stale-map-no-epoch-check serves them (so the test above fails under the bug)', () => {
    const replies = staleRequest(true);
    expect(replies.every((r) => r.type === 'reply' && r.ok)).toBe(true);
    expect(replies).not.toEqual(staleRequest(false));
  });

  it('a node behind the client (epoch 1, client on 2) answers not-ready and asks the controller for epoch 2', () => {
    const c = new StoreCluster({ initial: ['s1', 's2'], replicas: 1, writeQuorum: 1, keys: 10 });
    c.start('s1');
    c.start('s2');
    c.inject('c1', 's1', get(1, 2, 'k0'));
    expect(toClient(c)).toEqual([{ type: 'reply', id: 1, ok: false, reason: 'not-ready', epoch: 1 }]);
    c.fire('s1');
    expect(c.inFlight.some((e) => e.from === 's1' && e.to === 'ctl' && e.msg.type === 'map-request' && e.msg.epoch === 2)).toBe(true);
  });

  it('a backup refuses a copy of an older epoch', () => {
    const c = new StoreCluster({ initial: ['s1', 's2'], replicas: 2, writeQuorum: 2, keys: 10 });
    c.start('s1');
    c.start('s2');
    c.publish(map(2, ['s1', 's2']), ['s2']);
    c.inject('s1', 's2', { type: 'replicate', epoch: 1, wid: 1, entry: ['k0', 'old', 1, 1] });
    expect(c.view('s2').data.get('k0')?.value).toBe(INITIAL_VALUE);
    expect(c.inFlight.some((e) => e.msg.type === 'replicate-ack')).toBe(false);
  });
});

describe('readiness: a new owner serves a key only after its old primary handed it over', () => {
  it('s3 joins: it answers not-ready until it holds done and every batch from the key\'s epoch-1 primary', () => {
    const c = new StoreCluster({ initial: ['s1', 's2'], replicas: 2, writeQuorum: 1, keys: 40, batchKeysMax: 2 });
    c.start('s1');
    c.start('s2');
    const m1 = map(1, ['s1', 's2']);
    const m2 = map(2, ['s1', 's2', 's3']);
    const key = c.findKey((k) => c.tables.of(m1).primary(k) === 's1' && c.tables.of(m2).primary(k) === 's3');
    // A write acknowledged in epoch 1 (W = 1: the primary alone).
    c.inject('c1', 's1', put(1, 1, key, 'v1'));
    expect(toClient(c)).toEqual([{ type: 'reply', id: 1, ok: true }]);
    c.inFlight.length = 0;
    c.tick(1_000);
    c.start('s3');
    c.publish(m1, ['s3']);
    c.publish(m2, ['s1', 's2', 's3']);
    const ask = (id: number) => {
      c.inject('c1', 's3', get(id, 2, key));
      return toClient(c);
    };
    expect(ask(2)).toEqual([{ type: 'reply', id: 2, ok: false, reason: 'not-ready', epoch: 2 }]);
    // Everything from s2, and s1's batches, but not s1's done: still not ready for a key s1 was primary of.
    c.deliver((e) => e.to === 's3' && (e.from === 's2' || e.msg.type === 'batch'));
    expect(c.view('s3').data.get(key)?.value).toBe('v1');
    expect(ask(3)).toEqual([{ type: 'reply', id: 3, ok: false, reason: 'not-ready', epoch: 2 }]);
    c.deliver((e) => e.to === 's3' && e.from === 's1' && e.msg.type === 'done');
    expect(ask(4)).toEqual([{ type: 'reply', id: 4, ok: true, value: 'v1' }]);
  });

  it('a done announcing more batches than arrived keeps the key unserved; a lost batch re-sent on the timer completes it', () => {
    const c = new StoreCluster({ initial: ['s1', 's2'], replicas: 1, writeQuorum: 1, keys: 60, batchKeysMax: 1 });
    c.start('s1');
    c.start('s2');
    const m1 = map(1, ['s1', 's2']);
    const m2 = map(2, ['s1', 's2', 's3']);
    const key = c.findKey((k) => c.tables.of(m1).primary(k) === 's1' && c.tables.of(m2).primary(k) === 's3');
    c.tick(1_000);
    c.start('s3');
    c.publish(m1, ['s3']);
    c.publish(m2, ['s1', 's2', 's3']);
    const lost = c.take((e) => e.from === 's1' && e.msg.type === 'batch' && e.msg.entries.some(([k]) => k === key));
    expect(lost).toHaveLength(1);
    c.deliver(storageOnly);
    c.inject('c1', 's3', get(1, 2, key));
    expect(toClient(c)).toEqual([{ type: 'reply', id: 1, ok: false, reason: 'not-ready', epoch: 2 }]);
    c.fire('s1');
    c.deliver(storageOnly);
    c.inject('c1', 's3', get(2, 2, key));
    expect(toClient(c)).toEqual([{ type: 'reply', id: 2, ok: true, value: INITIAL_VALUE }]);
  });

  it('transfer progress is durable: a receiver that crashes after the last batch still serves after its restart', () => {
    const c = new StoreCluster({ initial: ['s1', 's2'], replicas: 1, writeQuorum: 1, keys: 40 });
    c.start('s1');
    c.start('s2');
    const m1 = map(1, ['s1', 's2']);
    const m2 = map(2, ['s1', 's2', 's3']);
    const key = c.findKey((k) => c.tables.of(m1).primary(k) === 's1' && c.tables.of(m2).primary(k) === 's3');
    c.tick(1_000);
    c.start('s3');
    c.publish(m1, ['s3']);
    c.publish(m2, ['s1', 's2', 's3']);
    c.deliver((e) => e.to === 's3');
    c.crash('s3');
    c.start('s3');
    c.inject('c1', 's3', get(1, 2, key));
    expect(toClient(c)).toEqual([{ type: 'reply', id: 1, ok: true, value: INITIAL_VALUE }]);
  });
});

describe('preloaded keys are implied by the configuration, not written to disk', () => {
  it('a restarted initial member rebuilds its share, less the keys it dropped, with what was written since', () => {
    const c = new StoreCluster({ initial: ['s1', 's2', 's3'], replicas: 1, writeQuorum: 1, keys: 30 });
    for (const id of ['s1', 's2', 's3']) c.start(id);
    const share = [...c.view('s3').data.keys()].sort();
    expect(share.length).toBeGreaterThan(0);
    // s3 leaves the map: once its batches are acknowledged it drops every key it held.
    c.publish(map(2, ['s1', 's2']), ['s1', 's2', 's3']);
    c.deliver();
    expect([...c.view('s3').data.keys()]).toEqual([]);
    c.crash('s3');
    c.start('s3');
    // Without tombstones the restart would bring back the whole preloaded share.
    expect([...c.view('s3').data.keys()]).toEqual([]);
    // s1, which never dropped anything, rebuilds its share and keeps the keys it received.
    const s1Before = [...c.view('s1').data.entries()].map(([k, v]) => [k, v.value, v.versionEpoch, v.versionCounter]).sort();
    c.crash('s1');
    c.start('s1');
    expect([...c.view('s1').data.entries()].map(([k, v]) => [k, v.value, v.versionEpoch, v.versionCounter]).sort()).toEqual(s1Before);
    expect(share.every((k) => c.view('s1').data.has(k) || c.view('s2').data.has(k))).toBe(true);
  });
});

describe('the source keeps a key until every new owner acknowledged it', () => {
  /** s3 leaves; its first batches are lost; it re-sends on its timer. What do the receivers end up with? */
  function leaveWithLoss(deleteBeforeAck: boolean) {
    const c = new StoreCluster({ initial: ['s1', 's2', 's3'], replicas: 1, writeQuorum: 1, keys: 30, bugs: { deleteBeforeAck } });
    for (const id of ['s1', 's2', 's3']) c.start(id);
    const m1 = map(1, ['s1', 's2', 's3']);
    const m2 = map(2, ['s1', 's2']);
    const handed = [...c.view('s3').data.keys()].filter((k) => c.tables.of(m1).primary(k) === 's3');
    c.publish(m2, ['s1', 's2', 's3']);
    const keptBeforeAck = handed.filter((k) => c.view('s3').data.has(k));
    c.take((e) => e.from === 's3' && e.msg.type === 'batch');
    c.fire('s3');
    c.deliver(storageOnly);
    const received = handed.filter((k) => c.view(c.tables.of(m2).primary(k)).data.has(k));
    return { handed, keptBeforeAck, received, afterAcks: [...c.view('s3').data.keys()], migrated: c.view('s3').migratedEpoch };
  }

  it('after adopting the epoch that removes it, s3 holds every key it hands over until the acks, then deletes them', () => {
    const run = leaveWithLoss(false);
    expect(run.handed.length).toBeGreaterThan(0);
    expect(run.keptBeforeAck).toEqual(run.handed);
    expect(run.received).toEqual(run.handed);
    expect(run.afterAcks).toEqual([]);
    expect(run.migrated).toBe(2);
  });

  it('hash/migrate-delete-before-ack drops them as it sends, so a lost batch loses its keys (the test above fails)', () => {
    const run = leaveWithLoss(true);
    expect(run.keptBeforeAck).toEqual([]);
    expect(run.received.length).toBeLessThan(run.handed.length);
  });
});

describe('writes: the client is answered after W owners hold the write', () => {
  for (const writeQuorum of [1, 2, 3]) {
    it(`R = 3, W = ${writeQuorum}: the client is answered once ${writeQuorum - 1} backups acknowledged, not before`, () => {
      const c = new StoreCluster({ initial: ['s1', 's2', 's3', 's4'], replicas: 3, writeQuorum, keys: 10 });
      for (const id of ['s1', 's2', 's3', 's4']) c.start(id);
      const m1 = map(1, ['s1', 's2', 's3', 's4']);
      const owners = c.tables.of(m1).owners('k0');
      c.inject('c1', owners[0]!, put(1, 1, 'k0', 'w'));
      const replies: number[] = [toClient(c).length];
      for (const backup of owners.slice(1)) {
        c.deliver((e) => e.to === backup && e.msg.type === 'replicate', 1);
        c.deliver((e) => e.from === backup && e.msg.type === 'replicate-ack', 1);
        replies.push(toClient(c).length);
      }
      // replies[i]: answers sent once i backups acknowledged.
      expect(replies).toEqual([0, 1, 2].map((i) => (i === writeQuorum - 1 ? 1 : 0)));
      for (const owner of owners) expect(c.view(owner).data.get('k0')).toEqual({ value: 'w', versionEpoch: 1, versionCounter: 1 });
    });
  }

  it('a put the network delivers twice is applied once (the session remembers its id)', () => {
    const c = new StoreCluster({ initial: ['s1'], replicas: 1, writeQuorum: 1, keys: 1 });
    c.start('s1');
    c.inject('c1', 's1', put(1, 1, 'k0', 'a'));
    c.inject('c1', 's1', put(2, 1, 'k0', 'b'));
    c.inject('c1', 's1', put(1, 1, 'k0', 'a'));
    expect(c.view('s1').data.get('k0')?.value).toBe('b');
  });
});

describe('a retried put is applied once across a handover', () => {
  /** c1's put lands at the old primary s1; the key moves to s3; c2 writes it there; then c1's put arrives again (a refused duplicate, retried with its id). */
  function retryAfterHandover(handOverSessions: boolean) {
    const c = new StoreCluster({ initial: ['s1', 's2'], replicas: 1, writeQuorum: 1, keys: 40 });
    c.start('s1');
    c.start('s2');
    const m1 = map(1, ['s1', 's2']);
    const m2 = map(2, ['s1', 's2', 's3']);
    const key = c.findKey((k) => c.tables.of(m1).primary(k) === 's1' && c.tables.of(m2).primary(k) === 's3');
    c.inject('c1', 's1', put(1, 1, key, 'a'));
    c.take((e) => e.to === 'c1');
    c.tick(1_000);
    c.start('s3');
    c.publish(m1, ['s3']);
    c.publish(m2, ['s1', 's2', 's3']);
    if (!handOverSessions) {
      // What the old protocol sent: a done without the old primary's sessions.
      for (const e of c.take((e) => e.msg.type === 'done')) c.inject(e.from, e.to, { ...e.msg, sessions: [] } as ShardMessage);
    }
    c.deliver(storageOnly);
    c.inject('c2', 's3', put(1, 2, key, 'b'));
    c.deliver(storageOnly);
    c.inject('c1', 's3', put(1, 2, key, 'a'));
    c.deliver(storageOnly);
    return c.view('s3').data.get(key)?.value;
  }

  it('the new primary knows the sessions the old one kept, so the retry does not overwrite a later put', () => {
    expect(retryAfterHandover(true)).toBe('b');
  });

  it('without the sessions in the handover the retry is applied a second time (the test above fails)', () => {
    expect(retryAfterHandover(false)).toBe('a');
  });
});

describe('leaving', () => {
  it('a leaving node calls ctx.leave only once every transfer and its migrated report are acknowledged', () => {
    const c = new StoreCluster({ initial: ['s1', 's2', 's3'], replicas: 2, writeQuorum: 1, keys: 20 });
    for (const id of ['s1', 's2', 's3']) c.start(id);
    c.leave('s3');
    expect(c.take((e) => e.to === 'ctl').map((e) => e.msg)).toContainEqual({ type: 'leave', instance: expect.any(Number) });
    c.publish(map(2, ['s1', 's2']), ['s1', 's2', 's3']);
    expect(c.hasLeft('s3')).toBe(false);
    c.deliver((e) => storageOnly(e) && e.from !== 's3');
    c.deliver((e) => storageOnly(e) && e.msg.type !== 'done-ack');
    expect(c.hasLeft('s3')).toBe(false);
    c.deliver(storageOnly);
    expect(c.view('s3').migratedEpoch).toBe(2);
    expect(c.hasLeft('s3')).toBe(false);
    expect(c.take((e) => e.from === 's3' && e.to === 'ctl').map((e) => e.msg)).toContainEqual({ type: 'migrated', epoch: 2 });
    c.inject('ctl', 's3', { type: 'migrated-ack', epoch: 2 });
    expect(c.hasLeft('s3')).toBe(true);
  });
});

describe('properties', () => {
  it('a receiver keeps the highest version, whatever the order and duplication of copies', () => {
    const entry = fc.record({ epoch: fc.integer({ min: 0, max: 2 }), counter: fc.integer({ min: 0, max: 20 }), batch: fc.boolean() });
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 30 }), (entries) => {
      const c = new StoreCluster({ initial: ['s1', 's2'], replicas: 2, writeQuorum: 1, keys: 1 });
      c.start('s1');
      c.start('s2');
      c.publish(map(2, ['s1', 's2']), ['s2']);
      entries.forEach(({ epoch, counter, batch }, i) => {
        const copy: TransferEntry = ['k0', `v${epoch}.${counter}`, epoch, counter];
        c.inject('s1', 's2', batch ? { type: 'batch', epoch: 2, run: 1, index: i, entries: [copy] } : { type: 'replicate', epoch: 2, wid: i, entry: copy });
      });
      const best = entries.reduce((a, b) => (b.epoch > a.epoch || (b.epoch === a.epoch && b.counter > a.counter) ? b : a), { epoch: 0, counter: 0, batch: false });
      const held = c.view('s2').data.get('k0')!;
      expect([held.versionEpoch, held.versionCounter]).toEqual([best.epoch, best.counter]);
      expect(held.value).toBe(best.epoch === 0 && best.counter === 0 ? INITIAL_VALUE : `v${best.epoch}.${best.counter}`);
    }), { numRuns: 200 });
  });

  it('random joins and leaves over a lossy, reordering network leave every key at its R owners with the last write', () => {
    fc.assert(membershipProperty(false), { numRuns: 60 });
  });

  it('under hash/migrate-delete-before-ack the same property finds a lost key', () => {
    expect(fc.check(membershipProperty(true), { numRuns: 200, seed: 1 }).failed).toBe(true);
  });
});

/** Random joins and leaves (with acknowledged writes between them) over a lossy, reordering network. */
function membershipProperty(deleteBeforeAck: boolean) {
    const change = fc.record({ join: fc.boolean(), pick: fc.nat(), writes: fc.array(fc.nat({ max: 11 }), { maxLength: 4 }) });
    return fc.property(fc.array(change, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 1_000_000 }), (changes, seed) => {
      const rng = mulberry(seed);
      const c = new StoreCluster({ initial: ['s1', 's2', 's3'], replicas: 2, writeQuorum: 2, keys: 12, batchKeysMax: 3, bugs: { deleteBeforeAck } });
      for (const id of ['s1', 's2', 's3']) c.start(id);
      let current = map(1, ['s1', 's2', 's3']);
      let next = 4;
      let requestId = 0;
      const latest = new Map<string, string>();
      const settle = (involved: readonly NodeId[]) => {
        for (let round = 0; round < 500; round++) {
          if (involved.every((id) => c.hasLeft(id) || c.view(id).migratedEpoch >= current.epoch) && c.inFlight.length === 0) return;
          // Deliver everything in flight in a random order, losing some; the controller's part is played here.
          const batch = shuffle(c.take(() => true), rng);
          for (const e of batch) {
            if (rng() < 0.2) continue;
            if (e.to === 'ctl') {
              if (e.msg.type === 'migrated') c.inject('ctl', e.from, { type: 'migrated-ack', epoch: e.msg.epoch });
              continue;
            }
            if (e.to !== 'c1') c.inject(e.from, e.to, e.msg);
          }
          for (const id of involved) c.fire(id);
          c.take((e) => e.to === 'ctl' && e.msg.type !== 'migrated');
        }
        throw new Error(`epoch ${current.epoch} did not settle`);
      };
      for (const step of changes) {
        // Writes in the current epoch, each acknowledged (W = 2) before the next.
        for (const k of step.writes) {
          const key = `k${k}`;
          const value = `w${++requestId}`;
          c.inject('c1', c.tables.of(current).primary(key), put(requestId, current.epoch, key, value));
          c.deliver((e) => storageOnly(e) && (e.msg.type === 'replicate' || e.msg.type === 'replicate-ack'));
          expect(toClient(c)).toEqual([{ type: 'reply', id: requestId, ok: true }]);
          latest.set(key, value);
        }
        let members: NodeId[];
        let involved: NodeId[];
        if (step.join || current.members.length <= 2) {
          const id = `s${next++}`;
          c.tick(1_000);
          c.start(id);
          c.publish(current, [id]);
          members = [...current.members, id];
          involved = members;
        } else {
          const leaving = current.members[step.pick % current.members.length]!;
          c.leave(leaving);
          members = current.members.filter((m) => m !== leaving);
          involved = [...current.members];
        }
        current = map(current.epoch + 1, members);
        c.publish(current, involved);
        settle(involved);
      }
      const table = c.tables.of(current);
      for (let i = 0; i < 12; i++) {
        const key = `k${i}`;
        const copies = table.owners(key).map((owner) => c.view(owner).data.get(key));
        expect(copies.map((copy) => copy?.value)).toEqual(table.owners(key).map(() => latest.get(key) ?? INITIAL_VALUE));
      }
    });
}

/** A small seeded generator for the property's delivery order and losses (fast-check draws its seed). */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
