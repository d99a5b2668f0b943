// The scheduler: runs tasks' operations on their node's CPU in virtual time.
//
// A running task keeps its own clock, which moves ahead of the event queue as
// it charges CPU work. Before anything that could observe the rest of the
// cluster (a fault, a syscall) and after every step, the task lets every
// event due at or before its clock run first, by re-scheduling itself at its
// clock. So the result is the same as if each step were its own event, at a
// fraction of the cost.
import createDebug from 'debug';
import { NS_PER_MS } from './time.ts';
import { CPU_SYSCALL, CPU_TRAP } from './cpu.ts';
import { ENOSYS } from './errno.ts';
import { TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_ZOMBIE, type Task } from './task.ts';
import type { Node } from './node.ts';
import { sys_call_table, SYSCALL_BLOCKED, do_exit } from './syscalls.ts';

const dbg = createDebug('om:sched');

/** Timeslice before a task yields to another runnable one (2.4: ~50 ms). */
export const QUANTUM_NS = 50 * NS_PER_MS;

/** Put a task on its node's run queue and make sure the CPU will run. */
export function wake_up_process(task: Task): void {
  if (task.state === TASK_ZOMBIE || !task.node.alive) return;
  task.state = TASK_RUNNING;
  const node = task.node;
  if (node.current !== task && !node.runqueue.includes(task)) node.runqueue.push(task);
  kick_cpu(node);
}

/** Make a task wait (for a page or a reply); wake_up_process ends the wait. */
export function block_task(task: Task): void {
  task.state = TASK_INTERRUPTIBLE;
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
  q.at(q.now_ns, () => run_cpu(node));
}

/** schedule(): pick the next task when the CPU has none. */
function pick_next(node: Node): Task | null {
  if (node.current) return node.current;
  const next = node.runqueue.shift() ?? null;
  if (next) {
    node.current = next;
    // A task that slept keeps the time it blocked at if that is later.
    next.clock_ns = Math.max(next.clock_ns, node.cluster.queue.now_ns);
    next.mm?.activate(node);
  }
  return next;
}

function run_cpu(node: Node): void {
  node.cpu_scheduled = false;
  if (!node.alive) return; // a crashed node runs nothing
  node.cpu_running = true;
  try {
    run_slice(node);
  } finally {
    node.cpu_running = false;
  }
  kick_cpu(node);
}

function run_slice(node: Node): void {
  const q = node.cluster.queue;
  const task = pick_next(node);
  if (!task) return;
  task.clock_ns = Math.max(task.clock_ns, q.now_ns);
  const slice_end_ns = task.clock_ns + QUANTUM_NS;
  for (;;) {
    if (task.state !== TASK_RUNNING || task.node !== node) break;
    if (task.clock_ns >= q.limit_ns()) {
      // Something is due first: run it, then come back at our clock.
      node.cpu_scheduled = true;
      q.at(task.clock_ns, () => run_cpu(node));
      return;
    }
    q.advance_to(task.clock_ns);
    if (task.clock_ns >= slice_end_ns && node.runqueue.length > 0) {
      dbg('%s: pid %d preempted at %d', node.name, task.pid, task.clock_ns);
      node.runqueue.push(task);
      break;
    }
    run_op(task);
  }
  if (node.current === task) node.current = null;
}

/** Advance one task by (part of) one operation. */
function run_op(task: Task): void {
  if (task.sys_pending) {
    // Still waiting for a syscall's reply: only complete_syscall ends that.
    block_task(task);
    return;
  }
  let op = task.op;
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
