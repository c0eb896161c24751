// A client of the sharded store: one operation at a time (get or put with a value unique to the client
// and its sequence number), over keys k0 … k{keys−1} drawn uniformly or by a Zipf law, sent to the key's
// primary under the client's own copy of the shard map, and recorded in the history as the kv clients
// record theirs. It retries only on answers that guarantee nothing was done (wrong-epoch, not-ready,
// not-owner), after refreshing its map from the controller when it is stale; a put that times out is
// never retried (it stays open: it may have happened), a get is (reading twice changes nothing).
// A schedule's `request` entry makes it issue one get or put on demand (given, or drawn as the workload
// draws): at once when idle, else queued behind the pending one.

import { assert } from '../../sim/assert.js';
import type { Context, NodeId, Process, RequestCheck } from '../../sim/process.js';
import type { Rng } from '../../sim/rng.js';
import type { Micros } from '../../sim/time.js';
import type { OwnerTable, OwnerTables } from './config.js';
import type { ShardFact } from './facts.js';
import type { ShardMap, ShardMessage } from './messages.js';

type Ctx = Context<ShardMessage, ShardFact>;

export interface ShardClientConfig {
  readonly controller: NodeId;
  /** Epoch 1's members: the map every client starts from. */
  readonly initialMembers: readonly NodeId[];
  /** Picks the key of the next operation. */
  readonly chooseKey: (rng: Rng) => string;
  /** Share of operations that are puts (the rest are gets). */
  readonly putRatio: number;
  readonly thinkMicrosMin: Micros;
  readonly thinkMicrosMax: Micros;
  /** How long one attempt waits for an answer. */
  readonly timeoutMicros: Micros;
  /** Pause before retrying a refused attempt. */
  readonly retryMicros: Micros;
  /** Attempts per operation; then a refused one fails (nothing was done) and a timed-out one stays open. */
  readonly attemptsMax: number;
  /** No new operation starts after this local time. */
  readonly stopAtMicros: Micros;
}

interface Pending {
  readonly id: number;
  readonly opId: number;
  readonly op: 'get' | 'put';
  readonly key: string;
  readonly value?: string;
  attempts: number;
}

const SEQ_KEY = 'client-seq';

/** Bound: requests waiting behind the pending operation; more are ignored. */
export const SHARD_REQUESTS_QUEUED_MAX = 64;
/** Bound on a requested put's value, in characters. */
export const SHARD_VALUE_CHARS_MAX = 256;

/** An operation a client issues: what the history records. */
type ShardOp = { readonly op: 'get'; readonly key: string } | { readonly op: 'put'; readonly key: string; readonly value: string };

/**
 * A get or put a schedule asks a client to issue, in canonical form (`op`, `key`, `value`), or what is
 * wrong with it. The key must be one of the store's (`keyNames`: k0 … k{keys−1}).
 */
export function checkShardOp(raw: unknown, keyNames: readonly string[]): RequestCheck {
  const shape = '{"op": "get", "key": K} or {"op": "put", "key": K, "value": V}';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `must be ${shape}` };
  const { op, key, value, ...extra } = raw as Record<string, unknown>;
  if (op !== 'get' && op !== 'put') return { problem: `op must be get or put; got ${JSON.stringify(op) ?? 'nothing'}` };
  const unknown = [...Object.keys(extra), ...(op === 'get' && value !== undefined ? ['value'] : [])];
  if (unknown.length > 0) return { problem: `a ${op} takes ${op === 'get' ? 'op and key' : 'op, key and value'}; unknown field ${unknown.map((name) => `'${name}'`).join(', ')}` };
  if (typeof key !== 'string' || !keyNames.includes(key)) return { problem: `key must be one of the store's keys, k0 … k${keyNames.length - 1}; got ${JSON.stringify(key) ?? 'nothing'}` };
  if (op === 'get') return { op: { op, key } };
  if (typeof value !== 'string' || value.length > SHARD_VALUE_CHARS_MAX) return { problem: `value must be a string of at most ${SHARD_VALUE_CHARS_MAX} characters; got ${JSON.stringify(value) ?? 'nothing'}` };
  return { op: { op, key, value } };
}

/** Keys k0 … k{keys−1} with Zipf weights 1/(rank+1)^s (s = 0: uniform), drawn by binary search on the cumulative weights. */
export function zipfKeys(keys: number, exponent: number): (rng: Rng) => string {
  assert(keys >= 1, 'a workload needs at least one key');
  if (exponent === 0) return (rng) => `k${rng.int(0, keys - 1)}`;
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let i = 0; i < keys; i++) {
    total += 1 / Math.pow(i + 1, exponent);
    cumulative[i] = total;
  }
  return (rng) => {
    const u = rng.next() * total;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return `k${lo}`;
  };
}

export class ShardClient implements Process<ShardMessage, ShardFact> {
  private table: OwnerTable | undefined;
  private pending: Pending | undefined;
  /** Requests waiting for the pending operation to end (undefined: draw one then), oldest first. Volatile. */
  private readonly queued: (ShardOp | undefined)[] = [];

  constructor(private readonly config: ShardClientConfig, private readonly tables: OwnerTables) {}

  onStart(ctx: Ctx): void {
    this.table = this.tables.of({ epoch: 1, members: this.config.initialMembers });
    this.scheduleNext(ctx);
  }

  /**
   * A schedule's request: issue `op` (checked by {@link checkShardOp}), or one drawn as the workload
   * draws, now if idle; while an operation is pending it waits, and starts when that one ends.
   */
  onRequestEntry(ctx: Ctx, op: unknown): void {
    const given = op as ShardOp | undefined;
    if (this.pending !== undefined) {
      if (this.queued.length < SHARD_REQUESTS_QUEUED_MAX) this.queued.push(given);
      return;
    }
    ctx.cancelTimer('next');
    this.issue(ctx, given);
  }

  checkRequestOp(op: unknown): RequestCheck {
    return checkShardOp(op, this.tables.keyNames);
  }

  inspect(): { epoch: number; pending: number | null } {
    return { epoch: this.table?.epoch ?? 0, pending: this.pending?.id ?? null };
  }

  onTimer(ctx: Ctx, name: string): void {
    if (name === 'next') this.start(ctx);
    else if (name === 'retry') this.send(ctx);
    else if (name === 'timeout') this.onTimeout(ctx);
  }

  onMessage(ctx: Ctx, _from: NodeId, msg: ShardMessage): void {
    if (msg.type === 'map') {
      if (msg.map.epoch > this.table!.epoch) this.table = this.tables.of(msg.map);
      return;
    }
    const pending = this.pending;
    if (msg.type !== 'reply' || pending === undefined || msg.id !== pending.id) return;
    ctx.cancelTimer('timeout');
    if (msg.ok) {
      this.pending = undefined;
      ctx.history.ok(pending.opId, pending.op === 'get' ? { value: msg.value ?? null } : {});
      this.scheduleNext(ctx);
      return;
    }
    // Refused: nothing was done, so trying again is safe.
    if (pending.attempts >= this.config.attemptsMax) {
      this.pending = undefined;
      ctx.history.fail(pending.opId, { reason: msg.reason });
      this.scheduleNext(ctx);
      return;
    }
    if (msg.reason !== 'not-ready' || msg.epoch > this.table!.epoch) this.refreshMap(ctx);
    ctx.setTimer('retry', this.config.retryMicros);
  }

  /** The operation ended: a queued request goes next, else the workload's think time. */
  private scheduleNext(ctx: Ctx): void {
    if (this.queued.length > 0) {
      this.issue(ctx, this.queued.shift());
      return;
    }
    ctx.setTimer('next', ctx.rng.int(this.config.thinkMicrosMin, this.config.thinkMicrosMax));
  }

  private start(ctx: Ctx): void {
    if (ctx.now() >= this.config.stopAtMicros) return;
    this.issue(ctx, undefined);
  }

  /** Records and sends one operation: `given`, or one drawn from the workload. */
  private issue(ctx: Ctx, given: ShardOp | undefined): void {
    // Values are unique per (client, seq), even across a restart.
    const id = (ctx.disk.read<number>(SEQ_KEY) ?? 0) + 1;
    ctx.disk.write(SEQ_KEY, id);
    ctx.disk.sync();
    const input = given ?? this.drawOp(ctx, id);
    const opId = ctx.history.invoke(input);
    this.pending = { id, opId, attempts: 0, ...input };
    this.send(ctx);
  }

  private drawOp(ctx: Ctx, id: number): ShardOp {
    const key = this.config.chooseKey(ctx.rng);
    const put = ctx.rng.chance(this.config.putRatio);
    return put ? { op: 'put', key, value: `${ctx.self}.${id}` } : { op: 'get', key };
  }

  private send(ctx: Ctx): void {
    const pending = this.pending;
    if (pending === undefined) return;
    pending.attempts++;
    const table = this.table!;
    ctx.send(table.primary(pending.key), {
      type: 'request', id: pending.id, epoch: table.epoch, op: pending.op, key: pending.key,
      ...(pending.value !== undefined ? { value: pending.value } : {}),
    });
    ctx.setTimer('timeout', this.config.timeoutMicros);
  }

  private onTimeout(ctx: Ctx): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.refreshMap(ctx);
    if (pending.op === 'get' && pending.attempts < this.config.attemptsMax) {
      this.send(ctx);
      return;
    }
    // A put that timed out may have happened: it stays open, and is never sent again.
    this.pending = undefined;
    this.scheduleNext(ctx);
  }

  private refreshMap(ctx: Ctx): void {
    ctx.send(this.config.controller, { type: 'map-request', epoch: null });
  }
}
