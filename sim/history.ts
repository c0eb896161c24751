// Client operation history: each operation is an invoke with a call time and, later, an ok or fail
// with a return time. An operation never completed (timeout, crashed client) stays open, and
// checkers must treat it as "may have taken effect at any time after the call".

import { assert } from './assert.js';
import { clonePlain } from './plain-data.js';
import type { NodeId } from './process.js';
import type { Micros } from './time.js';

export type OpStatus = 'ok' | 'fail' | 'open';

export interface Operation {
  readonly id: number;
  readonly client: NodeId;
  readonly input: unknown;
  /** True virtual time of the invoke. */
  readonly call: Micros;
  status: OpStatus;
  /** True virtual time of the completion; null while open. */
  return: Micros | null;
  output: unknown;
}

/** What a process sees: it may complete only operations it invoked itself. */
export interface ClientHistory {
  invoke(input: unknown): number;
  ok(opId: number, output?: unknown): void;
  fail(opId: number, output?: unknown): void;
}

/** Receives history events so the engine can trace and fingerprint them. */
export interface HistoryListener {
  onInvoke(op: Operation): void;
  onComplete(op: Operation): void;
}

export class History {
  readonly operations: Operation[] = [];

  constructor(
    /** Where the time of a call or return is read (the simulator: its true virtual time). */
    private readonly clock: { readonly now: Micros },
    private readonly listener: HistoryListener,
  ) {}

  invoke(client: NodeId, input: unknown): number {
    const op: Operation = {
      id: this.operations.length,
      client,
      input: clonePlain(input),
      call: this.clock.now,
      status: 'open',
      return: null,
      output: null,
    };
    this.operations.push(op);
    this.listener.onInvoke(op);
    return op.id;
  }

  complete(client: NodeId, opId: number, status: 'ok' | 'fail', output: unknown): void {
    const op = this.operations[opId];
    assert(op !== undefined, `complete of unknown operation ${opId}`);
    assert(op.client === client, `${client} completed ${op.client}'s operation ${opId}`);
    assert(op.status === 'open', `operation ${opId} completed twice`);
    op.status = status;
    op.return = this.clock.now;
    op.output = output === undefined ? null : clonePlain(output);
    this.listener.onComplete(op);
  }

  /** The view a process gets: bound to its node. */
  forClient(client: NodeId): ClientHistory {
    return {
      invoke: (input) => this.invoke(client, input),
      ok: (opId, output) => this.complete(client, opId, 'ok', output),
      fail: (opId, output) => this.complete(client, opId, 'fail', output),
    };
  }

  counts(): Record<OpStatus, number> {
    const counts = { ok: 0, fail: 0, open: 0 };
    for (const op of this.operations) counts[op.status]++;
    return counts;
  }
}
