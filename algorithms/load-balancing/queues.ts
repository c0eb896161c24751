// The two queues the serving topology's hot paths stand on: a FIFO with O(1) push and shift, and a
// deadline queue for spans that all have the same length (attempt timeouts, probe timeouts, retry
// back-offs), which therefore fall due in the order they were added and need one engine timer in all.
// Assumes a node's local clock does not run backwards between two adds (a stepped-back clock is tolerated).

import { assert } from '../../sim/assert.js';
import type { Context } from '../../sim/process.js';
import type { Micros } from '../../sim/time.js';

/** What a deadline queue uses of a node's context: its clock and its timers. */
export type TimerContext = Pick<Context<unknown>, 'now' | 'setTimer'>;

/** Slots consumed at the head before the backing array is compacted (amortised O(1) shifts). */
const FIFO_COMPACT_MIN = 1024;

/** A first-in first-out queue: an array and a head index, compacted once half of it is consumed. */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Items waiting. */
  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Takes the oldest item off, or returns undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= FIFO_COMPACT_MIN && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** One entry of a {@link DeadlineQueue}: cancel it by {@link DeadlineQueue.cancel}. */
export interface Deadline<T> {
  readonly item: T;
  /** Local time it falls due. */
  readonly dueMicros: Micros;
  /** False once it fell due or was cancelled. */
  live: boolean;
}

/**
 * Deadlines of one fixed span, in the order they were added: one engine timer (`timerName`) is armed for
 * the earliest live one, lazily: a cancel does not touch the timer (cancelled entries are skipped when it
 * fires), so an answer that beats its timeout costs no timer operation.
 */
export class DeadlineQueue<T> {
  private readonly entries = new Fifo<Deadline<T>>();
  /** Local time the timer is set for, or null when it is not set. */
  private armedMicros: Micros | null = null;
  private lastDueMicros = -Infinity;
  private firing = false;
  private liveCount = 0;

  constructor(readonly timerName: string, readonly spanMicros: Micros) {
    assert(Number.isSafeInteger(spanMicros) && spanMicros >= 0, `${timerName}: the span must be a non-negative integer, got ${spanMicros}`);
  }

  /** Deadlines not yet due nor cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /** Adds `item`, due one span from now. */
  add(ctx: TimerContext, item: T): Deadline<T> {
    // Beyond the source: a local clock stepped back (a clock-skew fault) would put this deadline before
    // the last one; it is held to the last one instead, so the queue stays in order (it fires a little late).
    const dueMicros = Math.max(ctx.now() + this.spanMicros, this.lastDueMicros);
    this.lastDueMicros = dueMicros;
    const deadline: Deadline<T> = { item, dueMicros, live: true };
    this.entries.push(deadline);
    this.liveCount++;
    this.arm(ctx);
    return deadline;
  }

  /** Cancels a live deadline (an answer came in time). Costs no timer operation. */
  cancel(deadline: Deadline<T>): void {
    if (!deadline.live) return;
    deadline.live = false;
    this.liveCount--;
  }

  /**
   * The timer fired: hands every live deadline due by now to `expire`, oldest first, then arms the timer
   * for the next live one. `expire` may add deadlines.
   */
  fire(ctx: TimerContext, expire: (item: T) => void): void {
    this.armedMicros = null;
    this.firing = true;
    const now = ctx.now();
    for (;;) {
      const head = this.entries.peek();
      if (head === undefined) break;
      if (head.live && head.dueMicros > now) break;
      this.entries.shift();
      if (!head.live) continue;
      head.live = false;
      this.liveCount--;
      expire(head.item);
    }
    this.firing = false;
    this.arm(ctx);
  }

  /** Sets the timer for the earliest live deadline unless it is already set no later than that. */
  private arm(ctx: TimerContext): void {
    if (this.firing) return;
    let head = this.entries.peek();
    while (head !== undefined && !head.live) {
      this.entries.shift();
      head = this.entries.peek();
    }
    if (head === undefined) return; // a timer still set fires and finds nothing
    if (this.armedMicros !== null && this.armedMicros <= head.dueMicros) return;
    this.armedMicros = head.dueMicros;
    ctx.setTimer(this.timerName, Math.max(0, head.dueMicros - ctx.now()));
  }
}
