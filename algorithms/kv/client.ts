// A simulated key-value client, reusable by any replicated store that speaks its two messages. It issues
// random get/put/append/cas operations over a small key space, one at a time: each is recorded in the
// history, sent to the server it believes leads, and retried (same session seq, so it applies once) on a
// timeout or a redirect. An operation still unanswered when the client gives up or the run ends stays open.
// A schedule's `request` entry makes it issue one operation on demand (given, or drawn as the workload
// draws): at once when idle, else queued behind the pending one, since a session has one command in flight.

import type { Context, NodeId, Process, RequestCheck } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';
import type { KvCommand, KvResult } from './state-machine.js';

export interface ClientRequest {
  readonly type: 'client-request';
  readonly clientId: string;
  readonly seq: number;
  readonly command: KvCommand;
}

export type ClientReply =
  | { readonly type: 'client-reply'; readonly seq: number; readonly ok: true; readonly result: KvResult }
  /** Not the leader (or no longer sure): try `leaderHint` if given. */
  | { readonly type: 'client-reply'; readonly seq: number; readonly ok: false; readonly leaderHint: NodeId | null };

export interface KvClientConfig {
  readonly keys: number;
  readonly thinkMicrosMin: Micros;
  readonly thinkMicrosMax: Micros;
  /** How long one attempt waits for an answer. */
  readonly timeoutMicros: Micros;
  /** Attempts per operation before giving up (it then stays open); 0 means never give up. */
  readonly attemptsMax: number;
  /** No new operation starts after this local time (so the recovery phase can drain). */
  readonly stopAtMicros: Micros;
}

interface Pending {
  readonly seq: number;
  readonly opId: number;
  readonly command: KvCommand;
  attempts: number;
}

const SEQ_KEY = 'client-seq';

/** Bound: requests waiting behind the pending operation; more are ignored (a schedule is finite, and this is far beyond a person's clicks). */
export const KV_REQUESTS_QUEUED_MAX = 64;
/** Bounds on a requested operation's key and values, in characters. */
export const KV_KEY_CHARS_MAX = 64;
export const KV_VALUE_CHARS_MAX = 256;

const KV_OP_SHAPE = '{"op": "get", "key": K}, {"op": "put" or "append", "key": K, "value": V} or {"op": "cas", "key": K, "expected": V or null, "value": V}';

/**
 * A kv operation a schedule asks a client to issue, in canonical form (`op`, `key`, then `expected` and
 * `value`), or what is wrong with it. Keys and values are strings (any key: the store takes any).
 */
export function checkKvCommand(raw: unknown): RequestCheck {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `must be one of ${KV_OP_SHAPE}` };
  const c = raw as Record<string, unknown>;
  const fields: Record<KvCommand['op'], readonly string[]> = { get: ['op', 'key'], put: ['op', 'key', 'value'], append: ['op', 'key', 'value'], cas: ['op', 'key', 'expected', 'value'] };
  if (typeof c.op !== 'string' || !Object.hasOwn(fields, c.op)) return { problem: `op must be get, put, append or cas; got ${JSON.stringify(c.op)}` };
  const op = c.op as KvCommand['op'];
  const extra = Object.keys(c).filter((name) => !fields[op].includes(name));
  if (extra.length > 0) return { problem: `a ${op} takes ${fields[op].join(', ')}; unknown field ${extra.map((name) => `'${name}'`).join(', ')}` };
  const text = (name: string, limit: number, nullable = false): string | undefined => {
    const value = c[name];
    if (nullable && value === null) return undefined;
    if (typeof value !== 'string' || value.length > limit || (name === 'key' && value === '')) {
      return `${name} must be a${name === 'key' ? ' non-empty' : ''} string of at most ${limit} characters${nullable ? ' or null' : ''}; got ${JSON.stringify(value) ?? 'nothing'}`;
    }
    return undefined;
  };
  const problem = text('key', KV_KEY_CHARS_MAX)
    ?? (op === 'cas' ? text('expected', KV_VALUE_CHARS_MAX, true) : undefined)
    ?? (op !== 'get' ? text('value', KV_VALUE_CHARS_MAX) : undefined);
  if (problem !== undefined) return { problem };
  const key = c.key as string;
  switch (op) {
    case 'get': return { op: { op, key } };
    case 'put':
    case 'append': return { op: { op, key, value: c.value as string } };
    case 'cas': return { op: { op, key, expected: c.expected as string | null, value: c.value as string } };
  }
}

export class KvClient implements Process<ClientRequest | ClientReply> {
  private pending: Pending | null = null;
  /** Requests waiting for the pending operation to end (undefined: draw one then), oldest first. Volatile: a crash forgets them. */
  private readonly queued: (KvCommand | undefined)[] = [];
  private leaderHint: NodeId | null = null;
  /** The last value this client saw per key, to make cas sometimes succeed. */
  private readonly lastSeen = new Map<string, string | null>();

  constructor(private readonly config: KvClientConfig) {}

  onStart(ctx: Context<ClientRequest | ClientReply>): void {
    this.scheduleNext(ctx);
  }

  onTimer(ctx: Context<ClientRequest | ClientReply>, name: string): void {
    if (name === 'next') this.startOperation(ctx);
    else if (name === 'timeout') this.onTimeout(ctx);
  }

  onMessage(ctx: Context<ClientRequest | ClientReply>, from: NodeId, msg: ClientRequest | ClientReply): void {
    if (msg.type !== 'client-reply' || this.pending === null || msg.seq !== this.pending.seq) return;
    if (!msg.ok) {
      // Redirected: go to the hinted leader at once, or to another server after a short pause.
      this.leaderHint = msg.leaderHint !== from ? msg.leaderHint : null;
      if (this.leaderHint !== null) this.send(ctx);
      else ctx.setTimer('timeout', Math.min(this.config.timeoutMicros, 20_000));
      return;
    }
    this.leaderHint = from;
    const { command, opId } = this.pending;
    this.pending = null;
    ctx.cancelTimer('timeout');
    if (command.op === 'get') this.lastSeen.set(command.key, msg.result.value ?? null);
    ctx.history.ok(opId, msg.result);
    this.scheduleNext(ctx);
  }

  /**
   * A schedule's request: issue `op` (checked by {@link checkKvCommand}), or one drawn as the workload
   * draws, now if idle. Invariant (one command in flight per session): while an operation is pending,
   * it waits in the queue and starts when that one ends, before the workload's next.
   */
  onRequestEntry(ctx: Context<ClientRequest | ClientReply>, op: unknown): void {
    const command = op as KvCommand | undefined;
    if (this.pending !== null) {
      if (this.queued.length < KV_REQUESTS_QUEUED_MAX) this.queued.push(command);
      return;
    }
    ctx.cancelTimer('next');
    this.issue(ctx, command);
  }

  checkRequestOp(op: unknown): RequestCheck {
    return checkKvCommand(op);
  }

  inspect(): { pending: number | null; leaderHint: NodeId | null } {
    return { pending: this.pending?.seq ?? null, leaderHint: this.leaderHint };
  }

  /** The operation ended (answered, or given up): a queued request goes next, else the workload's think time. */
  private scheduleNext(ctx: Context<ClientRequest | ClientReply>): void {
    if (this.queued.length > 0) {
      this.issue(ctx, this.queued.shift());
      return;
    }
    ctx.setTimer('next', ctx.rng.int(this.config.thinkMicrosMin, this.config.thinkMicrosMax));
  }

  private startOperation(ctx: Context<ClientRequest | ClientReply>): void {
    if (ctx.now() >= this.config.stopAtMicros) return;
    this.issue(ctx, undefined);
  }

  /** Records and sends one operation: `given`, or one drawn from the workload. */
  private issue(ctx: Context<ClientRequest | ClientReply>, given: KvCommand | undefined): void {
    // Invariant (one apply per session seq): a seq is never reused, even across a client restart.
    const seq = (ctx.disk.read<number>(SEQ_KEY) ?? 0) + 1;
    ctx.disk.write(SEQ_KEY, seq);
    ctx.disk.sync();
    const command = given ?? this.randomCommand(ctx, seq);
    const opId = ctx.history.invoke(command);
    this.pending = { seq, opId, command, attempts: 0 };
    this.send(ctx);
  }

  private send(ctx: Context<ClientRequest | ClientReply>): void {
    const pending = this.pending!;
    pending.attempts++;
    const target = this.leaderHint ?? ctx.rng.pick(ctx.peers);
    ctx.send(target, { type: 'client-request', clientId: ctx.self, seq: pending.seq, command: pending.command });
    ctx.setTimer('timeout', this.config.timeoutMicros);
  }

  private onTimeout(ctx: Context<ClientRequest | ClientReply>): void {
    const pending = this.pending;
    if (pending === null) return;
    // The server we trusted may be gone: forget it and try another.
    this.leaderHint = null;
    if (this.config.attemptsMax > 0 && pending.attempts >= this.config.attemptsMax) {
      // Give up: the outcome is unknown, so the operation stays open in the history.
      this.pending = null;
      this.scheduleNext(ctx);
      return;
    }
    this.send(ctx);
  }

  private randomCommand(ctx: Context<ClientRequest | ClientReply>, seq: number): KvCommand {
    const key = `k${ctx.rng.int(0, this.config.keys - 1)}`;
    // Values are unique per client and seq, which keeps histories easy to read and to check.
    const value = `${ctx.self}.${seq}`;
    const roll = ctx.rng.int(0, 9);
    if (roll < 4) return { op: 'get', key };
    if (roll < 7) return { op: 'put', key, value };
    if (roll < 9) return { op: 'append', key, value: `${value};` };
    return { op: 'cas', key, expected: this.lastSeen.get(key) ?? null, value };
  }
}
