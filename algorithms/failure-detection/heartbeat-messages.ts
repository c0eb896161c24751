// What the heartbeat-based detectors (fixed timeout, phi accrual) share: the heartbeat message, the boot
// count kept on disk (a member's incarnation), and the sending of one heartbeat to every peer. Assumes a
// member's disk survives its crashes (synced writes do), so its incarnation only ever rises.

import type { Context } from '../../sim/process.js';
import type { FdFact } from './facts.js';

/** Sent to every peer each interval: the sender's boot count, and a counter of this boot's heartbeats. */
export type HeartbeatMessage = { readonly type: 'heartbeat'; readonly incarnation: number; readonly seq: number };

/** The disk key of a member's boot count. */
export const INCARNATION_KEY = 'incarnation';

/**
 * Boots once more: reads the boot count from disk, raises it by one, writes and syncs it (before the
 * first heartbeat leaves, so no two boots ever carry the same incarnation), and returns it (1 at first boot).
 */
export function bootIncarnation(ctx: Context<HeartbeatMessage, FdFact>): number {
  const incarnation = (ctx.disk.read<number>(INCARNATION_KEY) ?? 0) + 1;
  ctx.disk.write(INCARNATION_KEY, incarnation);
  ctx.disk.sync();
  return incarnation;
}

/** Sends `{heartbeat, incarnation, seq}` to every peer, in `ctx.peers` order. */
export function sendHeartbeats(ctx: Context<HeartbeatMessage, FdFact>, incarnation: number, seq: number): void {
  const msg: HeartbeatMessage = { type: 'heartbeat', incarnation, seq };
  for (const peer of ctx.peers) ctx.send(peer, msg);
}
