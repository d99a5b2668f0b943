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
//
// The same holds of an ordinary event that belongs to one node (`node` of
// at(): a frame arriving there, one of its timers, its load computation):
// it touches that node alone, and what it does reaches another node only
// over the wire, lookahead_ns later at the soonest. So it bounds its own
// node's CPU at its time and every other CPU only lookahead_ns past it:
// a frame of a migrant's remote page stops the migrant's node, not every
// busy CPU of the cluster. An event of the wire itself (ON_WIRE: a frame
// crossing the switch) belongs to no node and bounds every CPU lookahead_ns
// past it. An event that belongs to no one (ANY_NODE, the default: a
// crash, userland looking at every node) bounds every CPU at its time.
// What would break this (a node's event or CPU scheduling another node's
// at less than lookahead_ns from now: touching it other than by the wire)
// throws.

export type EventFn = () => void;
/** An event's function that takes the argument it was scheduled with (at_arg): no closure a frame. */
export type EventArgFn<T> = (arg: T) => void;

/** The node of an event that belongs to every node (it bounds every CPU at its time). */
export const ANY_NODE = -1;
/** The node of an event of the wire itself, which no node sees before lookahead_ns later. */
export const ON_WIRE = -2;
/**
 * The node of an event that only looks (userland watching every node's
 * processes and load vectors): it bounds every CPU at its time, as one of
 * every node does, but leaves a CPU that computes lazily where it is, so it
 * must not read what that computing changes (a task's clock or CPU time).
 */
export const OBSERVE = -3;

/**
 * Whether a node's events bound the other CPUs only lookahead_ns past
 * their time (true, the default) or at it, as if every event belonged to
 * every node. Nothing can tell the two apart; tests turn it off to hold
 * them equal.
 */
export const lookahead_by_node = { on: true };

/**
 * Whether events scheduled with `settles_itself` (at()) settle their lazy
 * CPU only when they need to (true, the default) or before they run, as
 * every other event of a node. Nothing can tell; tests turn it off to hold
 * the two equal.
 */
export const settle_on_demand = { on: true };

/**
 * Whether limit_ns and advance_to keep what they read from the heaps until
 * an event is scheduled, cancelled or run (true, the default) or read it
 * afresh at every call (the obvious version). Nothing can tell; a test
 * turns it off to hold the two equal.
 */
export const limit_cache = { on: true };

/** A handle to a scheduled event, so its owner can cancel it (a timer). */
export interface EventHandle {
  cancel(): void;
}

/** A scheduled event is its own handle: one object an event, no closure. */
class Event implements EventHandle {
  cancelled = false;
  /** What fn is called with (at_arg; undefined for at()). */
  arg: unknown = undefined;
  /** A CPU turn that has run (it stays in the bounds heap until it reaches the top). */
  fired = false;
  /** A node's event that brings its lazy CPU up to its time itself, if it must (at()'s `settles_itself`). */
  settles_itself = false;
  constructor(
    readonly at_ns: number,
    readonly seq: number,
    readonly fn: EventArgFn<unknown>,
    /** A CPU turn's promise: its CPU sends nothing before this (kernel/sched.ts). */
    readonly quiet_until_ns: number = at_ns,
    /** The node it belongs to (ANY_NODE, ON_WIRE, or a node's id). */
    readonly node: number = ANY_NODE,
    /** The queue that holds it (told of a cancel), and whether it is a CPU's turn. */
    readonly owner: EventQueue | null = null,
    readonly cpu = false,
    /** On whose behalf it acts (EventQueue.ctx when it was scheduled). */
    readonly ctx: object | null = null,
  ) {}
  /** How far this CPU's turn lets the others run: its time, or its promise when later. */
  get bound_ns(): number {
    return this.quiet_until_ns > this.at_ns ? this.quiet_until_ns : this.at_ns;
  }
  cancel(): void {
    if (this.cancelled || this.fired) return;
    this.cancelled = true;
    this.owner?.dropped(this);
  }
}

/**
 * A 4-ary min-heap of events by (key, sequence number), sifted without
 * swaps: half the levels of a binary heap, whose pops (every event is
 * popped once) went down twice as many parents to the cache's cost; (key,
 * sequence number) orders all events totally, so any heap pops them in the
 * same order. The key is an event's time, or for the bounds heap its bound_ns
 * (both fixed once it is scheduled). Each event's key is kept beside it in
 * a number array and compared inline: a comparison function read from a
 * field (one for times, one for bounds) cost more than the sifts around
 * it. The order is by_time's below, with bound_ns for the time in the
 * bounds heap (the sorted list of tests/kernel/events.test.ts holds the
 * queue to it).
 */
class Heap {
  h: Event[] = [];
  /** k[i] is h[i]'s key. */
  private k: number[] = [];
  /**
   * Events in it that were cancelled or have run (about: it is told of
   * them as they happen, and forgets them as they reach the top). Dead
   * events deep in a heap would stay until their time came (a CPU turn's
   * promise may lie minutes ahead), and every push and pop would sift
   * through them: past half the heap they are swept out.
   */
  dead = 0;
  /** Keyed by bound_ns rather than at_ns. */
  constructor(private readonly by_bound = false) {}

  /** The first event not cancelled (nor fired) (those at the top are dropped), or undefined. */
  top(): Event | undefined {
    const h = this.h;
    while (h.length > 0 && (h[0]!.cancelled || h[0]!.fired)) {
      this.pop();
      if (this.dead > 0) this.dead--;
    }
    return h[0];
  }

  /** One more event in it is dead: sweep them out once they are half of it. */
  died(): void {
    if (++this.dead <= 64 || this.dead * 2 <= this.h.length) return;
    const live = this.h.filter((e) => !e.cancelled && !e.fired);
    this.h = [];
    this.k = [];
    this.dead = 0;
    for (const e of live) this.push(e);
  }

  push(ev: Event): void {
    const h = this.h;
    const k = this.k;
    const key = this.by_bound ? ev.bound_ns : ev.at_ns;
    let i = h.length;
    h.push(ev);
    k.push(key);
    // Sift up: move parents down while ev goes before them (no swaps).
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pk = k[parent]!;
      if (!(key < pk || (key === pk && ev.seq < h[parent]!.seq))) break;
      h[i] = h[parent]!;
      k[i] = pk;
      i = parent;
    }
    h[i] = ev;
    k[i] = key;
  }

  /**
   * The earliest time before lim of a live event of `node` or of every node
   * (ANY_NODE, OBSERVE), else lim: a search from the root that goes only
   * where a key is under both lim and the best found (a child's key is at
   * least its parent's, so nothing below a later key can be earlier). The
   * obvious version keeps those events in heaps of their own as well, a
   * push and a pop more every event; this reads only the events due
   * before lim, which for a CPU's limit (lim: the next event plus
   * lookahead_ns) are few. tests/kernel/events.test.ts holds it to the
   * minimum over every event scheduled.
   */
  first_of(node: number, lim: number): number {
    const h = this.h;
    const k = this.k;
    const n = h.length;
    let best = lim;
    if (n === 0 || !(k[0]! < best)) return best;
    const st = this.stack;
    let sp = 0;
    st[sp++] = 0;
    while (sp > 0) {
      const i = st[--sp]!;
      const key = k[i]!;
      if (!(key < best)) continue;
      const e = h[i]!;
      if (!e.cancelled && !e.fired && (e.node === node || e.node === ANY_NODE || e.node === OBSERVE)) {
        best = key; // its subtree is no earlier
        continue;
      }
      const end = 4 * i + 5 < n ? 4 * i + 5 : n;
      for (let j = 4 * i + 1; j < end; j++) st[sp++] = j;
    }
    return best;
  }

  /** first_of's search stack (indices), kept between calls. */
  private readonly stack: number[] = [];

  pop(): Event | undefined {
    const h = this.h;
    const k = this.k;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    const lk = k.pop()!;
    const n = h.length;
    if (n > 0) {
      // Sift last down from the root: move the child that goes first up while it goes before last.
      const ls = last.seq;
      let i = 0;
      for (;;) {
        const first = 4 * i + 1;
        if (first >= n) break;
        let c = first;
        let ck = k[first]!;
        const end = first + 4 < n ? first + 4 : n;
        for (let j = first + 1; j < end; j++) {
          const kj = k[j]!;
          if (kj < ck || (kj === ck && h[j]!.seq < h[c]!.seq)) {
            c = j;
            ck = kj;
          }
        }
        if (!(ck < lk || (ck === lk && h[c]!.seq < ls))) break;
        h[i] = h[c]!;
        k[i] = ck;
        i = c;
      }
      h[i] = last;
      k[i] = lk;
    }
    return top;
  }
}

const by_time = (a: Event, b: Event): boolean => a.at_ns < b.at_ns || (a.at_ns === b.at_ns && a.seq < b.seq);
const less = by_time;

export class EventQueue {
  /** The current virtual time: that of the event running (or of the task computing). */
  now_ns = 0;
  /** Ordinary events, and CPU events (see the top of this file). */
  private readonly heap = new Heap();
  private readonly cpus = new Heap();
  /** The CPU turns again, by how far each lets the others run (bound_ns). */
  private readonly bounds = new Heap(true);
  /**
   * Run before an ordinary event of a node (with its node) or of every node
   * (with ANY_NODE), and at the end of a run (ANY_NODE, just past it): the
   * scheduler brings a CPU that computes lazily up to that time
   * (kernel/sched.ts), so whatever runs then sees it there.
   */
  before_event: ((node: number, at_ns: number) => void) | null = null;
  /** The node of the event or CPU turn running (ANY_NODE outside one). */
  private acting = ANY_NODE;
  private seq = 0;
  /** Bumped whenever an event is scheduled, cancelled or run: what limit_ns read may have changed. */
  private gen = 0;
  /**
   * limit_ns's reading of the heaps (ordinary_limit_ns(node) and the
   * first CPU turn's bound_ns, Infinity when none), as of gen, for node,
   * lookahead_ns and lookahead_by_node.on: a CPU asks after every page
   * fault, and most faults schedule nothing.
   */
  private lim_gen = -1;
  private lim_node = 0;
  private lim_lookahead_ns = 0;
  private lim_by_node = true;
  private lim_ord_ns = 0;
  private lim_bound_ns = 0;
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

  /**
   * Schedule fn at absolute virtual time at_ns (never in the past), as an
   * event of `node` (a node's id, ON_WIRE, or ANY_NODE: see the top of this
   * file).
   *
   * `settles_itself`: a node's event that may not need its CPU's state (a
   * frame that TCP takes in without handing anything up: an ACK, a segment
   * short of a message's end) calls settle_cpu() before it touches
   * anything beyond its own layer, instead of having before_event run
   * before it. It stands for the obvious version, before_event before every
   * event of a node: a lazy CPU computes the same whether it stops at an
   * event that leaves it alone or not (kernel/sched.ts), and stopping costs
   * it a turn of its own.
   */
  at(at_ns: number, fn: EventFn, node = ANY_NODE, settles_itself = false): EventHandle {
    return this.at_arg(at_ns, fn, undefined, node, settles_itself);
  }

  /**
   * at(at_ns, () => fn(arg), ...) without making that closure: the event
   * keeps arg and calls fn(arg). A frame's arrival goes so (one closure
   * less a frame).
   */
  at_arg<T>(at_ns: number, fn: EventArgFn<T>, arg: T, node = ANY_NODE, settles_itself = false): EventHandle {
    const ev = this.add(this.heap, at_ns, fn as EventArgFn<unknown>, at_ns, node);
    ev.arg = arg;
    if (settles_itself && settle_on_demand.on) ev.settles_itself = true;
    return ev;
  }

  /**
   * Schedule a CPU's turn (it bounds the other CPUs only by lookahead_ns
   * past its time, or past quiet_until_ns when its CPU promises to send
   * nothing before then: a task whose sweep is fast-forwarded, sched.ts).
   * The promise rests on the node's state when it was made (which tasks
   * may run, what was asked of them); an event of the node that changes
   * that state must take it back (revoke_promise), at its own time: every
   * CPU stops at that event anyway (at it, or lookahead_ns past it), so
   * none has run past what that CPU may then do. The promise itself was
   * right until then.
   */
  at_cpu(at_ns: number, fn: EventFn, quiet_until_ns = at_ns, node = ANY_NODE): EventHandle {
    const ev = this.add(this.cpus, at_ns, fn, quiet_until_ns, node, true);
    this.bounds.push(ev);
    return ev;
  }

  /**
   * A CPU turn's promise (at_cpu's quiet_until_ns) no longer holds: the
   * same turn, at the same place in the order (its time and sequence
   * number), bounding the other CPUs from its time only. Returns the
   * turn's handle from now on (the one given, when it made no promise or
   * has run or been cancelled).
   */
  revoke_promise(h: EventHandle): EventHandle {
    const ev = h as Event;
    if (ev.cancelled || ev.fired || !ev.cpu || ev.quiet_until_ns <= ev.at_ns) return h;
    ev.cancel();
    const again = new Event(ev.at_ns, ev.seq, ev.fn, ev.at_ns, ev.node, this, true, ev.ctx);
    again.arg = ev.arg;
    this.cpus.push(again);
    this.bounds.push(again);
    this.gen++;
    return again;
  }

  private add(heap: Heap, at_ns: number, fn: EventArgFn<unknown>, quiet_until_ns: number, node: number, cpu = false): Event {
    if (!Number.isInteger(at_ns)) throw new Error(`event time must be an integer ns, got ${at_ns}`);
    if (at_ns < this.now_ns) throw new Error(`event scheduled in the past: ${at_ns} < now ${this.now_ns}`);
    // A node's act reaches another node over the wire, never sooner. (An
    // event of every node that a node's event or CPU schedules less than
    // lookahead_ns ahead may find other CPUs up to that far past it, as a
    // CPU's turn always could: userland's own events, a test's fault, come
    // from no node.)
    const a = this.acting;
    if (a >= 0 && node >= 0 && node !== a && at_ns < this.now_ns + this.lookahead_ns) {
      throw new Error(`kernel bug: node ${a} schedules an event of ${node === ANY_NODE ? 'every node' : `node ${node}`} at ${at_ns}, less than the lookahead (${this.lookahead_ns} ns) from now ${this.now_ns}`);
    }
    const ev = new Event(at_ns, this.seq++, fn, quiet_until_ns, node, this, cpu, this.ctx);
    heap.push(ev);
    this.gen++;
    return ev;
  }

  /** An event was cancelled: every heap that holds it has one more dead. */
  dropped(ev: Event): void {
    this.gen++;
    if (ev.cpu) {
      this.cpus.died();
      this.bounds.died();
    } else this.heap.died();
  }

  /** Schedule fn delay_ns from now (an event of `node`, as at()). */
  after(delay_ns: number, fn: EventFn, node = ANY_NODE): EventHandle {
    return this.at(this.now_ns + Math.round(delay_ns), fn, node);
  }

  /** next()'s answer as of gen (next_gen), so run()'s look and step()'s find it once. */
  private next_ev: Event | undefined = undefined;
  private next_gen = -1;

  /** The next event of either kind. */
  private next(): Event | undefined {
    if (this.next_gen === this.gen) return this.next_ev;
    const a = this.heap.top();
    const b = this.cpus.top();
    this.next_ev = !a ? b : !b ? a : less(a, b) ? a : b;
    this.next_gen = this.gen;
    return this.next_ev;
  }

  /** Time of the next pending event, or +Infinity when the queue is empty. */
  peek_ns(): number {
    return this.next()?.at_ns ?? Infinity;
  }

  get pending(): number {
    return this.heap.h.length + this.cpus.h.length;
  }

  /**
   * How far node's CPU may run before an ordinary event: the next one of
   * its own or of every node, or any other lookahead_ns past its time (the
   * next of any kind for ANY_NODE).
   */
  private ordinary_limit_ns(node: number): number {
    const next = this.heap.top()?.at_ns ?? Infinity;
    if (node < 0 || this.lookahead_ns === 0 || !lookahead_by_node.on) return next;
    // The next of its own or of every node, if before next + lookahead_ns.
    return this.heap.first_of(node, next + this.lookahead_ns);
  }

  /**
   * Move the clock forward without an event. Only legal while no ordinary
   * event that node's CPU must see is due before t (ordinary_limit_ns): a
   * running task uses it to account for its own CPU time.
   */
  advance_to(t_ns: number, node = ANY_NODE): void {
    if (t_ns < this.now_ns) throw new Error(`clock cannot go back: ${t_ns} < ${this.now_ns}`);
    this.read_limits(node);
    const p = this.lim_ord_ns;
    if (t_ns > p) throw new Error(`advance_to(${t_ns}) would skip an event due at ${p}`);
    this.now_ns = t_ns;
  }

  /** Run one event; false when none is left. */
  step(): boolean {
    const ev = this.next();
    if (!ev) return false;
    this.gen++;
    const ordinary = ev === this.heap.h[0];
    (ordinary ? this.heap : this.cpus).pop();
    ev.fired = true;
    // A CPU's turn is in the bounds heap too: it stays there until it reaches their top.
    if (!ordinary) this.bounds.died();
    this.now_ns = ev.at_ns;
    this.dispatched++;
    this.acting = ev.node;
    this.ctx = ev.ctx;
    try {
      if (ordinary && ev.node !== ON_WIRE && ev.node !== OBSERVE && !ev.settles_itself) this.before_event?.(ev.node, ev.at_ns);
      ev.fn(ev.arg);
    } finally {
      this.acting = ANY_NODE;
      this.ctx = null;
    }
    return true;
  }

  /**
   * The running event of a node (one scheduled with `settles_itself`) is
   * about to touch more than its own layer: its node's lazy CPU is brought
   * up to now first, as before_event would have done before it. Harmless
   * when called again, or from an event that was settled already.
   */
  settle_cpu(node: number): void {
    if (node >= 0 && node === this.acting) this.before_event?.(node, this.now_ns);
  }

  /** The end of the current run(): nothing may happen after it. */
  horizon_ns = Infinity;

  /**
   * Time up to which a running task of `node` may go on without looking
   * back: the next ordinary event it must see (ordinary_limit_ns), another
   * CPU's turn plus lookahead_ns, or just past the end of the run,
   * whichever is first. At least now_ns + 1 for another
   * CPU: this one's turn was dispatched ahead of any due at the same time,
   * so it makes a step first (two CPUs due at the same ns would otherwise
   * give way to each other for ever). Just past the end of the run for the
   * same reason: the run dispatches what is due at its end.
   */
  limit_ns(node = ANY_NODE): number {
    this.read_limits(node);
    let lim = this.lim_ord_ns;
    const b = this.lim_bound_ns; // c.bound_ns of the first CPU turn c, if any (Infinity, none, changes nothing below)
    if (b !== Infinity) {
      const t = Math.max(b + this.lookahead_ns, this.now_ns + 1);
      if (t < lim) lim = t;
    }
    const h = this.horizon_ns + 1;
    return lim < h ? lim : h;
  }

  /**
   * Read what limit_ns and advance_to need from the heaps, unless nothing
   * was scheduled, cancelled or run since they were read for this node:
   * the same values as reading them again (the heaps' tops are what they
   * were), without looking.
   */
  private read_limits(node: number): void {
    if (limit_cache.on && this.lim_gen === this.gen && this.lim_node === node && this.lim_lookahead_ns === this.lookahead_ns && this.lim_by_node === lookahead_by_node.on) return;
    this.lim_ord_ns = this.ordinary_limit_ns(node);
    this.lim_bound_ns = this.bounds.top()?.bound_ns ?? Infinity;
    this.lim_gen = this.gen;
    this.lim_node = node;
    this.lim_lookahead_ns = this.lookahead_ns;
    this.lim_by_node = lookahead_by_node.on;
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
      // peek_ns() then step(), as the obvious loop, but both find the event in next()'s answer, made once.
      for (let ev = this.next(); ev !== undefined && ev.at_ns <= until_ns; ev = this.next()) this.step();
      // A CPU computing lazily stops just past the end, as one that runs does.
      if (until_ns !== Infinity) this.before_event?.(ANY_NODE, until_ns + 1);
    } finally {
      this.horizon_ns = Infinity;
      this.ctx = null;
    }
    if (until_ns !== Infinity && until_ns > this.now_ns) this.now_ns = until_ns;
  }
}
