// A binary min-heap of events totally ordered by (at, seq); seq is the insertion counter,
// so two events at the same virtual time always run in the order they were scheduled.

/** What the queue needs of an event: its time and a unique insertion number. */
export interface Queued {
  at: number;
  seq: number;
}

export class EventQueue<E extends Queued> {
  private readonly heap: E[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Stamps `event.seq` with the next insertion number and inserts it. */
  push(event: E): void {
    event.seq = this.nextSeq++;
    const heap = this.heap;
    let index = heap.length;
    heap.push(event);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(event, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest event if it is due strictly before `endAt`. */
  popBefore(endAt: number): E | undefined {
    const top = this.heap[0];
    if (top === undefined || top.at >= endAt) return undefined;
    return this.pop();
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const length = heap.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && before(heap[right]!, heap[left]!)) child = right;
      if (!before(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

function before(a: Queued, b: Queued): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
