// The scheduler: runs tasks' operations on their node's CPU in virtual time,
// sharing the CPU the way Linux 2.4's schedule() does.
//
// A running task keeps its own clock, which moves ahead of the event queue as
// it charges CPU work. Before anything that could observe the rest of the
// cluster (a fault, a syscall) and after every step, the task lets every
// event due at or before its clock run first, by re-scheduling itself at its
// clock. So the result is the same as if each step were its own event, at a
// fraction of the cost.
//
// Sharing the CPU follows 2.4 (kernel/sched.c, SCHED_OTHER):
// - every task has a counter, the rest of its time slice; a new task starts
//   with a full slice, NICE_TO_TICKS(0) = 6 ticks of 10 ms (HZ = 100);
// - schedule() runs the runnable task of highest goodness = counter + 20 -
//   nice (0 once the counter is spent); the task that was running keeps the
//   CPU on a tie, then the order of the run queue decides, a woken task
//   being put at its head (add_to_runqueue);
// - when every runnable task has spent its counter, a new epoch gives every
//   task of the node, sleeping ones too, counter / 2 + NICE_TO_TICKS, so a
//   task that sleeps a lot comes back with up to twice a slice;
// - a task that wakes with a higher goodness than the running one preempts
//   it (reschedule_idle on a uniprocessor).
// Where it differs: the counter is CPU time in ns, spent continuously, where
// 2.4 takes a whole tick from whoever runs when the timer fires (the same on
// average, without an event every 10 ms); goodness counts the ticks left
// rounded up. The epoch's recalculation reaches a sleeping task when it next
// matters (it wakes, or is looked at), which gives the same counter as doing
// it for every task at once. Nice is always 0, and there is no SMP bonus.
// A task blocked on a remote page or a reply is off the run queue: it holds
// no CPU, and nr_running does not count it.
import { kdebug } from './klog.ts';
import { NS_PER_S } from './time.ts';
import { CPU_SYSCALL, CPU_TRAP } from './cpu.ts';
import { ENOSYS } from './errno.ts';
import { TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_ZOMBIE, type Task } from './task.ts';
import { REF_R, REF_SHIFT, REF_W, type SweepOp } from './op.ts';
import { FRAME_SIZE_B } from './physmem.ts';
import type { Node } from './node.ts';
import { sys_call_table, SYSCALL_BLOCKED, do_exit } from './syscalls.ts';

const dbg = kdebug('om:sched');

/** Timer interrupts a second on i386 2.4. */
export const HZ = 100;
export const TICK_NS = NS_PER_S / HZ;
/** 2.4's NICE_TO_TICKS for HZ < 200: (20 - nice) / 4 + 1 ticks, 6 ticks (60 ms) at nice 0. */
export const NICE_TO_TICKS = (nice: number): number => ((20 - nice) >> 2) + 1;
/** A full time slice at nice 0, ns. */
export const QUANTUM_NS = NICE_TO_TICKS(0) * TICK_NS;

/** The counter in ticks, as goodness() sees it (a started tick counts). */
const ticks_of = (t: Task): number => Math.ceil(t.counter_ns / TICK_NS);

/** 2.4's goodness() for SCHED_OTHER: 0 once the slice is spent, else counter + 20 - nice. */
export function goodness(t: Task): number {
  const c = ticks_of(t);
  return c > 0 ? c + 20 - t.nice : 0;
}

/**
 * Bring a task's counter up to its node's epoch: each epoch it missed gives
 * it counter / 2 + a slice, as the recalculation loop in schedule() would
 * have. A task new to the node (spawned, or migrated in, keeping the counter
 * it had) joins the node's current epoch.
 */
export function sched_sync(t: Task, node: Node): void {
  const slice = NICE_TO_TICKS(t.nice) * TICK_NS;
  if (t.counter_ns < 0) t.counter_ns = slice;
  if (t.sched_node !== node.id) {
    t.sched_node = node.id;
    t.sched_epoch = node.sched_epoch;
    return;
  }
  // counter/2 + slice converges to 2 slices; 64 rounds reach it exactly.
  for (let k = Math.min(node.sched_epoch - t.sched_epoch, 64); k > 0; k--) {
    const next = Math.floor(t.counter_ns / 2) + slice;
    if (next === t.counter_ns) break;
    t.counter_ns = next;
  }
  t.sched_epoch = node.sched_epoch;
}

/** Runnable tasks on a node now, the one on the CPU included. */
export function nr_running(node: Node): number {
  let n = 0;
  for (const t of node.runqueue) if (t.state === TASK_RUNNING && t.node === node) n++;
  return n;
}

/**
 * Task-ns spent runnable on the node since the last call: nr_running
 * integrated over time, which MOSIX samples at every tick (load_adder +=
 * nr_running()). Each task counts from when it joined the run queue (or
 * the last call) until it left it (at its own clock when it blocked).
 */
export function runnable_ns(node: Node, now_ns: number): number {
  let ns = node.rq_time_ns;
  node.rq_time_ns = 0;
  for (const t of node.runqueue) {
    if (t.state !== TASK_RUNNING || t.node !== node) continue;
    ns += Math.max(0, now_ns - t.rq_since_ns);
    t.rq_since_ns = now_ns;
  }
  return ns;
}

function leave_runqueue(node: Node, t: Task, at_ns: number): void {
  node.rq_time_ns += Math.max(0, at_ns - t.rq_since_ns);
}

/** Put a task on its node's run queue and make sure the CPU will run. */
export function wake_up_process(task: Task): void {
  if (task.state === TASK_ZOMBIE || !task.node.alive) return;
  if (task.blocked_at_ns >= 0) {
    const waited = Math.max(0, task.node.cluster.queue.now_ns - task.blocked_at_ns);
    if (task.blocked_on_sys) task.sys_wait_ns += waited;
    else {
      task.page_wait_ns += waited;
      task.page_waits++;
    }
    task.blocked_at_ns = -1;
  }
  task.state = TASK_RUNNING;
  const node = task.node;
  if (!node.runqueue.includes(task)) {
    node.runqueue.unshift(task);
    task.rq_since_ns = node.cluster.queue.now_ns;
  }
  const cur = node.current;
  if (cur && cur !== task) {
    sched_sync(task, node);
    sched_sync(cur, node);
    if (goodness(task) - goodness(cur) > 0) node.need_resched = true;
  }
  // A turn already scheduled promised (quiet_until) from the state before
  // this wake-up: the woken task, or what was asked of the running one,
  // may make the CPU act sooner. The other CPUs have run no further than
  // this event allows.
  if (node.cpu_scheduled && node.cpu_turn) node.cpu_turn = node.cluster.queue.revoke_promise(node.cpu_turn);
  kick_cpu(node);
}

/** Make a task wait (for a page or a reply); wake_up_process ends the wait. */
export function block_task(task: Task): void {
  task.state = TASK_INTERRUPTIBLE;
  if (task.blocked_at_ns < 0) {
    task.blocked_at_ns = task.clock_ns;
    task.blocked_on_sys = task.sys_pending;
  }
}

/** Finish a syscall that blocked (a remote one) with its return value. */
export function complete_syscall(task: Task, ret: number): void {
  task.sys_ret = ret;
  task.sys_pending = false;
  task.op = null;
  wake_up_process(task);
}

function kick_cpu(node: Node): void {
  // A CPU inside run_cpu looks at its run queue again when it stops.
  if (node.cpu_scheduled || node.cpu_running) return;
  if (!node.current && node.runqueue.length === 0) return;
  node.cpu_scheduled = true;
  const q = node.cluster.queue;
  const at = Math.max(q.now_ns, node.cpu_free_ns);
  node.cpu_turn = q.at_cpu(at, () => run_cpu(node), at, node.id);
}

/**
 * pick_next, 2.4's schedule(): the runnable task of highest goodness (the one that ran keeps
 * the CPU on a tie, then run-queue order); when all have spent their
 * slices, a new epoch and look again.
 */
function pick_next(node: Node): Task | null {
  const prev = node.current;
  node.need_resched = false;
  const rq = node.runqueue;
  // Tasks that stopped being runnable here (blocked, stopped, gone) leave the queue.
  let w = 0;
  for (let r = 0; r < rq.length; r++) {
    const t = rq[r]!;
    if (t.state === TASK_RUNNING && t.node === node) rq[w++] = t;
    else leave_runqueue(node, t, node.cluster.queue.now_ns);
  }
  rq.length = w;
  let next: Task | null = null;
  for (let round = 0; round < 2 && w > 0; round++) {
    let c = -1;
    next = null;
    if (prev && rq.includes(prev)) {
      sched_sync(prev, node);
      c = goodness(prev);
      next = prev;
    }
    for (const t of rq) {
      if (t === prev) continue;
      sched_sync(t, node);
      const g = goodness(t);
      if (g > c) {
        c = g;
        next = t;
      }
    }
    if (c > 0) break;
    node.sched_epoch++;
  }
  node.current = next;
  if (next && next !== prev) {
    // A task that slept keeps the time it blocked at if that is later.
    next.clock_ns = Math.max(next.clock_ns, node.cluster.queue.now_ns);
    next.mm?.activate(node);
    if (prev && dbg.enabled) dbg(node, 'pid %d -> pid %d', prev.pid, next.pid);
  }
  return next;
}

function run_cpu(node: Node): void {
  node.cluster.queue.ctx = node; // the CPU's turn is its node's act, whoever woke it
  node.cpu_scheduled = false;
  node.cpu_turn = null;
  if (!node.alive) return; // a crashed node runs nothing
  node.cpu_running = true;
  try {
    run_slice(node);
  } finally {
    node.cpu_running = false;
  }
  kick_cpu(node);
}

/** The CPU time a task used since `from` comes off its counter. */
function account(task: Task, from_ns: number): void {
  task.counter_ns = Math.max(0, task.counter_ns - (task.clock_ns - from_ns));
}

/**
 * Whether a task is inside a step: an operation (or a sweep's step) it has
 * begun and not finished. Events may stop its CPU there (wherever they fall,
 * which depends on how far the CPU may run ahead: kernel/events.ts); the
 * scheduler acts only between steps, as 2.4's timer notices a spent slice
 * at a tick, so where the CPU was stopped changes nothing.
 */
const mid_step = (t: Task): boolean => t.op !== null && (t.ref_idx > 0 || t.pre_charged > 0);

function run_slice(node: Node): void {
  const q = node.cluster.queue;
  const cur = node.current;
  const runs_on = cur !== null && cur.state === TASK_RUNNING && cur.node === node;
  let task = runs_on && (!node.need_resched || mid_step(cur)) ? cur : pick_next(node);
  if (!task) return;
  task.clock_ns = Math.max(task.clock_ns, q.now_ns);
  sched_sync(task, node);
  let start_ns = task.clock_ns;
  let slice_end_ns = start_ns + task.counter_ns;
  for (;;) {
    if (task.state !== TASK_RUNNING || task.node !== node) break;
    if (task.clock_ns >= q.limit_ns(node.id)) {
      // Something is due first: run it, then come back at our clock.
      account(task, start_ns);
      node.cpu_scheduled = true;
      node.cpu_turn = q.at_cpu(task.clock_ns, () => run_cpu(node), quiet_until(task, slice_end_ns), node.id);
      return;
    }
    q.advance_to(task.clock_ns, node.id);
    if (task.clock_ns >= slice_end_ns) node.need_resched = true; // the counter ran out
    if (node.need_resched && !mid_step(task)) {
      account(task, start_ns);
      const next = pick_next(node);
      if (next !== task) {
        if (next) dbg(node, 'pid %d preempted at %d', task.pid, task.clock_ns);
        return;
      }
      start_ns = task.clock_ns;
      slice_end_ns = start_ns + task.counter_ns;
    }
    if (compute_lazily(node, task, start_ns, slice_end_ns)) return;
    run_op(task, slice_end_ns);
  }
  // It blocked, stopped, exited or left: off the CPU (free from its clock on) and the run queue.
  account(task, start_ns);
  if (task.clock_ns > node.cpu_free_ns) node.cpu_free_ns = task.clock_ns;
  if (node.current === task) node.current = null;
  const i = node.runqueue.indexOf(task);
  if (i >= 0 && !(task.state === TASK_RUNNING && task.node === node)) {
    node.runqueue.splice(i, 1);
    leave_runqueue(node, task, task.clock_ns);
  }
}

/** Advance one task by (part of) one operation. */
function run_op(task: Task, slice_end_ns: number): void {
  if (task.sys_pending) {
    // Still waiting for a syscall's reply: only complete_syscall ends that.
    block_task(task);
    return;
  }
  let op = task.op;
  if (op !== null && op.kind === 'sweep') {
    // Between two of a sweep's steps is an operation boundary too.
    if (task.ref_idx === 0 && task.stop_hook) {
      const h = task.stop_hook;
      task.stop_hook = null;
      h();
      return;
    }
    run_sweep(task, op, slice_end_ns);
    return;
  }
  if (op === null && task.stop_hook) {
    const h = task.stop_hook;
    task.stop_hook = null;
    h();
    return;
  }
  if (op === null) {
    let r: IteratorResult<unknown, unknown>;
    try {
      r = task.prog.next(task.sys_ret);
    } catch (e) {
      // A bug in the program itself, not the emulator: end the task, say why.
      task.exit_reason = `program error: ${(e as Error).message}`;
      do_exit(task, 255);
      return;
    }
    if (r.done) {
      do_exit(task, 0);
      return;
    }
    op = task.op = r.value as Task['op'];
    task.ref_idx = 0;
    task.pre_charged = 0;
    task.sys_refs = null;
    if (op !== null && op.kind === 'sweep') {
      if (!(op.refs >= 0 && op.pages >= 1 && op.ns_per_ref > 0 && op.at >= 0)) throw new Error(`kernel bug: bad sweep op (pages ${op.pages}, refs ${op.refs}, ns_per_ref ${op.ns_per_ref})`);
      return run_sweep(task, op, slice_end_ns);
    }
  }
  if (op === null) return;
  if (op.kind === 'refs') {
    const mm = task.mm!;
    task.ref_idx = mm.run_refs(task, op.refs, task.ref_idx, op.n, false, op.pre_ns);
    if (task.ref_idx < op.n) return;
    task.charge(task.node.cpu.cost_ns(op.cls, op.units) + (op.post_ns ?? 0));
    if (op.esp !== undefined) task.regs.esp = op.esp;
    if (op.work) op.work();
    task.op = null;
    return;
  }
  if (op.kind === 'mark') {
    task.op = null;
    task.node.cluster.mark(task, op.label);
    return;
  }
  // A system call.
  const ent = sys_call_table.get(op.nr);
  if (!ent) {
    task.charge(task.node.cpu.cost_ns(CPU_TRAP, 1));
    task.sys_ret = -ENOSYS;
    task.op = null;
    return;
  }
  if (ent.user_bufs) {
    // Fault the user buffers in first, as copy_*_user would, so the call
    // itself never waits half-way.
    if (!task.sys_refs) {
      task.sys_refs = ent.user_bufs(op.args);
      task.efault = false;
      task.ref_idx = 0;
    }
    const refs = task.sys_refs;
    if (refs.length > 0 && !task.efault) {
      task.ref_idx = task.mm!.run_refs(task, refs, task.ref_idx, refs.length, true);
      if (task.ref_idx < refs.length && !task.efault) return;
    }
  }
  task.charge(task.node.cpu.cost_ns(CPU_TRAP, 1) + task.node.cpu.cost_ns(CPU_SYSCALL, 1));
  task.nr_syscalls++;
  const ret = task.node.cluster.do_syscall(task, ent, op.args);
  if (ret === SYSCALL_BLOCKED) {
    task.sys_pending = true;
    block_task(task);
    return;
  }
  if (task.op === op) {
    task.sys_ret = ret;
    task.op = null;
  }
}

/**
 * Sweeps run by their definition (false) or fast-forwarded where nothing can
 * tell (true, the default). Tests turn it off to hold the two equal.
 */
export const sweep_fast = { on: true };

/**
 * Whether a CPU computes a fast-forwarded sweep lazily (true, the default):
 * see compute_lazily. Tests turn it off to hold the two equal.
 */
export const sweep_lazy = { on: true };

/** The nodes whose CPU computes lazily, by cluster (an event of every node brings them all up to its time). */
const lazy_nodes = new WeakMap<Node['cluster'], Set<Node>>();

/**
 * A CPU whose task is in a fast-forwarded sweep only computes until it next
 * acts (quiet_until: the sweep ends, or the scheduler acts at the end of a
 * step). So it need not stop where other nodes' events fall, which a busy
 * cluster has every lookahead_ns: it takes one turn when it next acts, and
 * is brought up to the time of any event of its own node, or of every node,
 * before that event runs (lazy_settle, through the queue's before_event),
 * exactly as if it had stopped there. Its turn's promise lets the other
 * CPUs run as far. True when the CPU now computes lazily.
 */
function compute_lazily(node: Node, task: Task, start_ns: number, slice_end_ns: number): boolean {
  const op = task.op;
  if (!sweep_lazy.on || op === null || op.kind !== 'sweep') return false;
  const q = node.cluster.queue;
  const until = Math.min(quiet_until(task, slice_end_ns), q.horizon_ns + 1);
  if (until <= task.clock_ns) return false;
  let set = lazy_nodes.get(node.cluster);
  if (!set) {
    set = new Set();
    lazy_nodes.set(node.cluster, set);
    const c = node.cluster;
    const all = set;
    q.before_event = (n, at) => {
      if (n >= 0) {
        const x = c.nodes[n];
        if (x?.lazy) lazy_settle(x, at, all);
      } else for (const x of [...all]) lazy_settle(x, at, all);
    };
  }
  const lazy_set = set;
  node.cpu_scheduled = true;
  const turn = q.at_cpu(until, () => {
    // It acts now: computed up to here, then on as usual.
    lazy_advance(node, until, lazy_set);
    node.cpu_scheduled = false;
    run_cpu(node);
  }, until, node.id);
  node.lazy = { task, start_ns, slice_end_ns, turn };
  set.add(node);
  return true;
}

/** Whether the task is the one runnable task of its node: the scheduler can only pick it. */
function alone(task: Task): boolean {
  const node = task.node;
  for (const t of node.runqueue) if (t !== task && t.state === TASK_RUNNING && t.node === node) return false;
  return true;
}

/**
 * Compute a lazy CPU's sweep up to at_ns (as a CPU that stops for an event
 * there) and end its laziness: slice after slice while it is alone on the
 * CPU (where its slice ends the scheduler picks it again, a new epoch if
 * need be, as run_slice would). Returns the task and its slice's end.
 */
function lazy_advance(node: Node, at_ns: number, set: Set<Node>): { task: Task; slice_end_ns: number } {
  const lz = node.lazy!;
  node.lazy = null;
  set.delete(node);
  const task = lz.task;
  let start = lz.start_ns;
  let end = lz.slice_end_ns;
  for (;;) {
    const op = task.op;
    if (op === null || op.kind !== 'sweep' || task.clock_ns >= at_ns) break;
    run_sweep(task, op, end, at_ns);
    if (task.op === null || task.clock_ns >= at_ns || task.clock_ns < end) break;
    // The end of a step past the slice's end: the scheduler acts.
    account(task, start);
    node.need_resched = true;
    if (pick_next(node) !== task) throw new Error(`kernel bug: node ${node.id} computed pid ${task.pid} lazily while another task could run`);
    start = task.clock_ns;
    end = start + task.counter_ns;
  }
  account(task, start);
  return { task, slice_end_ns: end };
}

/** An event is about to run at at_ns: a lazy CPU gets there, and takes its next turn from there as usual. */
function lazy_settle(node: Node, at_ns: number, set: Set<Node>): void {
  node.lazy!.turn.cancel();
  const { task, slice_end_ns } = lazy_advance(node, at_ns, set);
  node.cpu_scheduled = true;
  node.cpu_turn = node.cluster.queue.at_cpu(task.clock_ns, () => run_cpu(node), quiet_until(task, slice_end_ns), node.id);
}

/**
 * Until when a CPU that stops here will certainly send nothing: while its
 * task is in a sweep that is fast-forwarded, it only computes until the
 * first end of a step at which the scheduler acts (the slice is spent, a
 * reschedule or a stop is asked for: kernel/sched.ts mid_step) or the sweep
 * ends (then it may do anything). Other CPUs may run that far ahead of it
 * (kernel/events.ts at_cpu). Anything that could change that (a page taken
 * away, a wake-up, a migration asked for) is an event of this node, which
 * bounds the others lookahead_ns past its time.
 */
function quiet_until(task: Task, slice_end_ns: number): number {
  const op = task.op;
  const now = task.clock_ns;
  if (op === null || op.kind !== 'sweep' || !sweep_fast.on || task.state !== TASK_RUNNING) return now;
  if (!task.mm!.sweep_ready(op.base_vpn, op.pages, op.write)) return now;
  const acts = task.node.need_resched || task.stop_hook !== null;
  const solo = alone(task);
  if (!mid_step(task) && (acts || (now >= slice_end_ns && !solo))) return now;
  const p = sweep_ns_per_ref(op, task.node);
  const S = sweep_step_refs(p);
  const n = Math.min(S, op.refs - op.at);
  const credit = task.pre_charged > task.ref_idx ? 1 : 0;
  // The end of the current step; then, alone, the end of the sweep (the
  // scheduler can only pick it again); else of as many whole steps as
  // reach the slice's end, within the sweep.
  let t = now + Math.max(0, n - task.ref_idx - credit) * p;
  if (!acts && solo) t = now + Math.max(0, op.refs - op.at - task.ref_idx - credit) * p;
  else if (!acts && t < slice_end_ns) t = Math.min(t + Math.ceil((slice_end_ns - t) / (S * p)) * S * p, t + (op.refs - op.at - n) * p);
  return Math.max(now, t);
}

/** Whole ns of CPU before each reference of a sweep on a node (integers sum exactly, however they are batched). */
export const sweep_ns_per_ref = (op: SweepOp, node: Node): number => Math.max(1, Math.round(op.ns_per_ref / node.speed));

/** References of a sweep's step: one tick's CPU, as 2.4's timer notices a spent slice at a tick. */
export const sweep_step_refs = (ns_per_ref: number): number => Math.max(1, Math.floor(TICK_NS / ns_per_ref));

/** A sweep's own buffers for its step-by-step path: the step's refs and their pre_ns. */
interface SweepBufs {
  at: number;
  p: number;
  refs: Uint32Array;
  pre: Float64Array;
}
const sweep_bufs = new WeakMap<SweepOp, SweepBufs>();

/** The vpn of a sweep's k-th reference. */
const sweep_vpn = (op: SweepOp, k: number): number => op.base_vpn + (k % op.pages);

/** The current step is over: on to the next, or the sweep is done. */
function sweep_step_done(task: Task, op: SweepOp, n: number): void {
  op.at += n;
  task.ref_idx = 0;
  task.pre_charged = 0;
  if (op.at >= op.refs) task.op = null;
}

/**
 * Run a sweep from where it is. Step by step: the current step as the
 * RefsOp it stands for, through the MMU (faults and all). Fast-forward, when
 * every page of the sweep is ready (AddressSpace.sweep_ready): each
 * reference only costs its CPU time, so the outcome of the steps up to the
 * first point anything could tell is arithmetic: where the clock reaches the
 * next event (the step-by-step path stops at the reference whose time takes
 * it there, that reference charged and not yet done), or the end of a step
 * at which the scheduler would do something else than run the next one
 * (the slice is spent, a reschedule or a stop is asked for), or the end.
 */
function run_sweep(task: Task, op: SweepOp, slice_end_ns: number, limit_ns?: number): void {
  const node = task.node;
  const p = sweep_ns_per_ref(op, node);
  const S = sweep_step_refs(p);
  const mm = task.mm!;
  if (op.at >= op.refs) {
    task.op = null;
    return;
  }
  if (!sweep_fast.on || !mm.sweep_ready(op.base_vpn, op.pages, op.write)) {
    const n = Math.min(S, op.refs - op.at);
    let b = sweep_bufs.get(op);
    if (!b || b.refs.length < n) {
      b = { at: -1, p: -1, refs: new Uint32Array(S), pre: new Float64Array(S) };
      sweep_bufs.set(op, b);
    }
    if (b.at !== op.at || b.p !== p) {
      const kind = op.write ? REF_W : REF_R;
      for (let j = 0; j < n; j++) b.refs[j] = (sweep_vpn(op, op.at + j) << REF_SHIFT) | kind;
      b.pre.fill(p, 0, n);
      b.at = op.at;
      b.p = p;
    }
    // A resumed step goes on from where it stopped: unlike a RefsOp, whose
    // later references to a page are folded into its first, a sweep passes
    // each page once a step, so nothing before that point is touched again.
    const r = task.ref_idx;
    task.pre_charged = Math.max(0, task.pre_charged - r);
    const i = r === 0 ? mm.run_refs(task, b.refs, 0, n, false, b.pre) : mm.run_refs(task, b.refs.subarray(r, n), 0, n - r, false, b.pre.subarray(r, n));
    task.ref_idx = r + i;
    task.pre_charged += r;
    if (task.ref_idx >= n) sweep_step_done(task, op, n);
    return;
  }
  const limit = limit_ns ?? node.cluster.queue.limit_ns(node.id);
  for (;;) {
    const n = Math.min(S, op.refs - op.at);
    const r = task.ref_idx;
    const credit = task.pre_charged > r ? 1 : 0;
    const m = n - r;
    const c = task.clock_ns;
    // References the step-by-step path would do before its clock reaches the limit.
    const d = Math.min(m, Math.ceil((limit - c) / p) - 1 + credit);
    if (d < m) {
      task.charge((d + 1 - credit) * p);
      if (r + d > 0) task.regs.last_data = sweep_vpn(op, op.at + r + d - 1) * FRAME_SIZE_B;
      task.ref_idx = r + d;
      task.pre_charged = r + d + 1;
      return;
    }
    task.charge((m - credit) * p);
    task.regs.last_data = sweep_vpn(op, op.at + n - 1) * FRAME_SIZE_B;
    sweep_step_done(task, op, n);
    if (task.op === null) return;
    // What run_slice looks at between two steps.
    if (task.clock_ns >= limit || task.clock_ns >= slice_end_ns || node.need_resched || task.stop_hook) return;
  }
}
