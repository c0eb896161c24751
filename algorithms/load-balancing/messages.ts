// The messages of the serving topology. A client's request goes to a central balancer, which forwards it
// to a backend and relays the answer; or (client-side balancing) straight to a backend. Requests are named
// by (client, id, attempt): every attempt is a new pick and may be answered late, after its timeout.

import type { NodeId } from '../../sim/process.js';

/** What became of an attempt: served, failed by the backend, refused over its concurrency limit, no backend to send it to, or no answer in time (a central balancer's upstream timeout). */
export type AttemptStatus = 'ok' | 'error' | 'rejected' | 'unavailable' | 'timeout';

/** One attempt of a client's request; `key` is what ring-hash balances on. */
export type LbRequest = { readonly type: 'req'; readonly client: NodeId; readonly id: number; readonly attempt: number; readonly key: number };

/** The answer to one attempt, with the backend that gave it ('' when none did: unavailable, or a balancer's timeout before any answer). */
export type LbResponse = {
  readonly type: 'res'; readonly client: NodeId; readonly id: number; readonly attempt: number;
  readonly status: AttemptStatus; readonly backend: NodeId;
};

/** An active health check (a balancer to a backend), and its answer. A backend answers every probe at once, even while it fails requests fast (which is why outlier detection exists). */
export type HealthProbe = { readonly type: 'probe'; readonly seq: number };
export type HealthReply = { readonly type: 'probe-ok'; readonly seq: number };

export type LbMessage = LbRequest | LbResponse | HealthProbe | HealthReply;
