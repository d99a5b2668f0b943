// The discrete-event engine every part of the cluster runs on.
//
// Time is an integer count of virtual nanoseconds. Events at equal times run in
// the order they were scheduled (a sequence number breaks ties), so a run is a
// pure function of its inputs and seed.

export type EventFn = () => void;

/** A handle to a scheduled event, so its owner can cancel it (a timer). */
export interface EventHandle {
  cancel(): void;
}

/** A scheduled event is its own handle: one object an event, no closure. */
class Event implements EventHandle {
  cancelled = false;
  constructor(
    readonly at_ns: number,
    readonly seq: number,
    readonly fn: EventFn,
  ) {}
  cancel(): void {
    this.cancelled = true;
  }
}

export class EventQueue {
  /** The current virtual time. */
  now_ns = 0;
  private heap: Event[] = [];
  private seq = 0;
  /** Events run so far; handy for tests and the micro-benchmarks. */
  dispatched = 0;

  /** Schedule fn at absolute virtual time at_ns (never in the past). */
  at(at_ns: number, fn: EventFn): EventHandle {
    if (!Number.isInteger(at_ns)) throw new Error(`event time must be an integer ns, got ${at_ns}`);
    if (at_ns < this.now_ns) throw new Error(`event scheduled in the past: ${at_ns} < now ${this.now_ns}`);
    const ev = new Event(at_ns, this.seq++, fn);
    this.push(ev);
    return ev;
  }

  /** Schedule fn delay_ns from now. */
  after(delay_ns: number, fn: EventFn): EventHandle {
    return this.at(this.now_ns + Math.round(delay_ns), fn);
  }

  /** Time of the next pending event, or +Infinity when the queue is empty. */
  peek_ns(): number {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap.length > 0 ? this.heap[0]!.at_ns : Infinity;
  }

  get pending(): number {
    return this.heap.length;
  }

  /**
   * Move the clock forward without an event. Only legal while nothing is due
   * before t: a running task uses it to account for its own CPU time.
   */
  advance_to(t_ns: number): void {
    if (t_ns < this.now_ns) throw new Error(`clock cannot go back: ${t_ns} < ${this.now_ns}`);
    if (t_ns > this.peek_ns()) throw new Error(`advance_to(${t_ns}) would skip an event due at ${this.peek_ns()}`);
    this.now_ns = t_ns;
  }

  /** Run one event; false when none is left. */
  step(): boolean {
    this.peek_ns();
    const ev = this.pop();
    if (!ev) return false;
    this.now_ns = ev.at_ns;
    this.dispatched++;
    ev.fn();
    return true;
  }

  /** The end of the current run(): nothing may happen after it. */
  horizon_ns = Infinity;

  /**
   * Time up to which a running task may go on without looking back: the next
   * event or the end of the run, whichever is first.
   */
  limit_ns(): number {
    const p = this.peek_ns();
    return p < this.horizon_ns ? p : this.horizon_ns;
  }

  /** Run events until the queue is empty or the next one is later than until_ns. */
  run(until_ns = Infinity): void {
    this.horizon_ns = until_ns;
    try {
      for (let t = this.peek_ns(); t !== Infinity && t <= until_ns; t = this.peek_ns()) this.step();
    } finally {
      this.horizon_ns = Infinity;
    }
    if (until_ns !== Infinity && until_ns > this.now_ns) this.now_ns = until_ns;
  }

  private less(a: Event, b: Event): boolean {
    return a.at_ns < b.at_ns || (a.at_ns === b.at_ns && a.seq < b.seq);
  }

  private push(ev: Event): void {
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    // Sift up: move parents down until ev's place is found (no swaps).
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!this.less(ev, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = ev;
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      // Sift last down from the root: move the smaller child up until its place is found.
      const n = h.length;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
        if (!this.less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
