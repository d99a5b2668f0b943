// The discrete-event engine every part of the cluster runs on.
//
// Time is an integer count of virtual nanoseconds. Events at equal times run in
// the order they were scheduled (a sequence number breaks ties), so a run is a
// pure function of its inputs and seed.
//
// Two kinds of event share that order. Ordinary events (a frame arriving, a
// timer, a load computation) bound every CPU: a task computing runs ahead of
// the queue only until the next one is due (limit_ns). CPU events (a node's
// CPU taking its turn: kernel/sched.ts) bound the other CPUs only by
// lookahead_ns, the least time one node's act takes to reach another (a
// frame's propagation on the wire, set by net/link.ts): several busy nodes
// then compute in stretches of that length instead of stopping wherever
// another one did, which on RandomAccess is one update each. The price is
// the conservative simulator's: the clock is the time of whoever acts, and
// goes back by less than lookahead_ns when a CPU that is behind takes its
// turn. Nothing can tell: ordinary events still run in time order,
// everything schedules at or after its own time, and what the CPU that ran
// ahead did reaches other nodes no sooner than lookahead_ns later. With one
// busy CPU (every run of the paper's bench) nothing changes.

export type EventFn = () => void;

/** A handle to a scheduled event, so its owner can cancel it (a timer). */
export interface EventHandle {
  cancel(): void;
}

/** A scheduled event is its own handle: one object an event, no closure. */
class Event implements EventHandle {
  cancelled = false;
  /** A CPU turn that has run (it stays in the bounds heap until it reaches the top). */
  fired = false;
  constructor(
    readonly at_ns: number,
    readonly seq: number,
    readonly fn: EventFn,
    /** A CPU turn's promise: its CPU sends nothing before this (kernel/sched.ts). */
    readonly quiet_until_ns: number,
    /** On whose behalf it acts (EventQueue.ctx when it was scheduled). */
    readonly ctx: object | null,
  ) {}
  /** How far this CPU's turn lets the others run: its time, or its promise when later. */
  get bound_ns(): number {
    return this.quiet_until_ns > this.at_ns ? this.quiet_until_ns : this.at_ns;
  }
  cancel(): void {
    this.cancelled = true;
  }
}

/** A binary min-heap of events by (time, sequence number), sifted without swaps. */
class Heap {
  readonly h: Event[] = [];
  constructor(private readonly less: (a: Event, b: Event) => boolean = by_time) {}

  /** The first event not cancelled (nor fired) (those at the top are dropped), or undefined. */
  top(): Event | undefined {
    const h = this.h;
    while (h.length > 0 && (h[0]!.cancelled || h[0]!.fired)) this.pop();
    return h[0];
  }

  push(ev: Event): void {
    const h = this.h;
    let i = h.length;
    h.push(ev);
    // Sift up: move parents down until ev's place is found (no swaps).
    const less = this.less;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!less(ev, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = ev;
  }

  pop(): Event | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      // Sift last down from the root: move the smaller child up until its place is found.
      const less = this.less;
      const n = h.length;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r]!, h[l]!) ? r : l;
        if (!less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

const by_time = (a: Event, b: Event): boolean => a.at_ns < b.at_ns || (a.at_ns === b.at_ns && a.seq < b.seq);
const less = by_time;
const by_bound = (a: Event, b: Event): boolean => a.bound_ns < b.bound_ns || (a.bound_ns === b.bound_ns && a.seq < b.seq);

export class EventQueue {
  /** The current virtual time: that of the event running (or of the task computing). */
  now_ns = 0;
  /** Ordinary events, and CPU events (see the top of this file). */
  private readonly heap = new Heap();
  private readonly cpus = new Heap();
  /** The CPU turns again, by how far each lets the others run (bound_ns). */
  private readonly bounds = new Heap(by_bound);
  private seq = 0;
  /** Events run so far; handy for tests and the micro-benchmarks. */
  dispatched = 0;
  /** How far a CPU may compute past another CPU's turn (see the top of this file); 0 until a network sets it. */
  lookahead_ns = 0;
  /**
   * On whose behalf the running event acts: a node (its CPU's turn, a frame
   * it receives, its own timers) or null for the host (a test, an
   * experiment's driver). An event inherits the ctx of the event that
   * scheduled it; the places where a node starts to act set it (sched.ts,
   * net/link.ts, the daemons' ticks). Nothing branches on it: it lets a test
   * check that a node's kernel state is touched only by that node.
   */
  ctx: object | null = null;

  /** Schedule fn at absolute virtual time at_ns (never in the past). */
  at(at_ns: number, fn: EventFn): EventHandle {
    return this.add(this.heap, at_ns, fn);
  }

  /**
   * Schedule a CPU's turn (it bounds the other CPUs only by lookahead_ns
   * past its time, or past quiet_until_ns when its CPU promises to send
   * nothing before then: a task whose sweep is fast-forwarded, sched.ts).
   * A promise needs no undoing when an event makes the CPU act sooner: every
   * CPU stops at the next ordinary event anyway, so none can have run past
   * what that CPU then does.
   */
  at_cpu(at_ns: number, fn: EventFn, quiet_until_ns = at_ns): EventHandle {
    const ev = this.add(this.cpus, at_ns, fn, quiet_until_ns);
    this.bounds.push(ev);
    return ev;
  }

  private add(heap: Heap, at_ns: number, fn: EventFn, quiet_until_ns = at_ns): Event {
    if (!Number.isInteger(at_ns)) throw new Error(`event time must be an integer ns, got ${at_ns}`);
    if (at_ns < this.now_ns) throw new Error(`event scheduled in the past: ${at_ns} < now ${this.now_ns}`);
    const ev = new Event(at_ns, this.seq++, fn, quiet_until_ns, this.ctx);
    heap.push(ev);
    return ev;
  }

  /** Schedule fn delay_ns from now. */
  after(delay_ns: number, fn: EventFn): EventHandle {
    return this.at(this.now_ns + Math.round(delay_ns), fn);
  }

  /** The next event of either kind. */
  private next(): Event | undefined {
    const a = this.heap.top();
    const b = this.cpus.top();
    if (!a) return b;
    if (!b) return a;
    return less(a, b) ? a : b;
  }

  /** Time of the next pending event, or +Infinity when the queue is empty. */
  peek_ns(): number {
    return this.next()?.at_ns ?? Infinity;
  }

  get pending(): number {
    return this.heap.h.length + this.cpus.h.length;
  }

  /**
   * Move the clock forward without an event. Only legal while no ordinary
   * event is due before t: a running task uses it to account for its own
   * CPU time.
   */
  advance_to(t_ns: number): void {
    if (t_ns < this.now_ns) throw new Error(`clock cannot go back: ${t_ns} < ${this.now_ns}`);
    const p = this.heap.top()?.at_ns ?? Infinity;
    if (t_ns > p) throw new Error(`advance_to(${t_ns}) would skip an event due at ${p}`);
    this.now_ns = t_ns;
  }

  /** Run one event; false when none is left. */
  step(): boolean {
    const ev = this.next();
    if (!ev) return false;
    (ev === this.heap.h[0] ? this.heap : this.cpus).pop();
    ev.fired = true;
    this.now_ns = ev.at_ns;
    this.dispatched++;
    this.ctx = ev.ctx;
    ev.fn();
    this.ctx = null;
    return true;
  }

  /** The end of the current run(): nothing may happen after it. */
  horizon_ns = Infinity;

  /**
   * Time up to which a running task may go on without looking back: the
   * next ordinary event, another CPU's turn plus lookahead_ns, or just past
   * the end of the run, whichever is first. At least now_ns + 1 for another
   * CPU: this one's turn was dispatched ahead of any due at the same time,
   * so it makes a step first (two CPUs due at the same ns would otherwise
   * give way to each other for ever). Just past the end of the run for the
   * same reason: the run dispatches what is due at its end.
   */
  limit_ns(): number {
    let lim = this.heap.top()?.at_ns ?? Infinity;
    const c = this.bounds.top();
    if (c) {
      const t = Math.max(c.bound_ns + this.lookahead_ns, this.now_ns + 1);
      if (t < lim) lim = t;
    }
    const h = this.horizon_ns + 1;
    return lim < h ? lim : h;
  }

  /** Run fn on behalf of `ctx` (a node, or null for the host), and come back to the current one. */
  acting_as<T>(ctx: object | null, fn: () => T): T {
    const prev = this.ctx;
    this.ctx = ctx;
    try {
      return fn();
    } finally {
      this.ctx = prev;
    }
  }

  /** Run events until the queue is empty or the next one is later than until_ns. */
  run(until_ns = Infinity): void {
    this.horizon_ns = until_ns;
    try {
      for (let t = this.peek_ns(); t !== Infinity && t <= until_ns; t = this.peek_ns()) this.step();
    } finally {
      this.horizon_ns = Infinity;
      this.ctx = null;
    }
    if (until_ns !== Infinity && until_ns > this.now_ns) this.now_ns = until_ns;
  }
}
