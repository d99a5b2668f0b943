// task_struct: one emulated process.
import type { Op } from './op.ts';
import type { SigInfo } from './signal.ts';
import type { Node } from './node.ts';
import type { Cluster } from './cluster.ts';

export const TASK_RUNNING = 'R';
export const TASK_INTERRUPTIBLE = 'S'; // blocked: waiting for a page or a reply
export const TASK_STOPPED = 'T'; // frozen, e.g. while it migrates
export const TASK_ZOMBIE = 'Z';
export type TaskState = 'R' | 'S' | 'T' | 'Z';

/**
 * What the scheduler needs from an address space. mm/ implements it; the
 * kernel only calls through it, so kernel/ never imports mm/.
 */
export interface AddressSpace {
  /**
   * Resolve refs[from..n) for task through the MMU. Returns the index of the
   * first reference not yet done: n when all are, less when the task blocked
   * (state S), died (state Z), or must let an earlier event run first
   * (task.clock_ns >= the next event's time). With user_copy, a bad access
   * sets task.efault instead of raising SIGSEGV (a syscall's user buffer).
   */
  run_refs(task: Task, refs: Uint32Array, from: number, n: number, user_copy: boolean, pre_ns?: Float64Array): number;
  /**
   * True when every page of [base_vpn, base_vpn + pages) is mapped, user,
   * accessed (and writable and dirty for a write sweep): references to them
   * can neither fault nor change a page table, only cost their CPU time.
   */
  sweep_ready(base_vpn: number, pages: number, write: boolean): boolean;
  /** Copy bytes to/from user memory whose pages are already resident. */
  copy_to_user(addr: number, src: Uint8Array): void;
  copy_from_user(addr: number, len: number): Uint8Array;
  /** Load this address space on a node's CPU (CR3 switch). */
  activate(node: Node): void;
  /** Release every page and page table (exit_mm). */
  exit_mm(): void;
  /** Lines for /proc/PID/maps and the Vm* fields of /proc/PID/status. */
  proc_maps(): string;
  vm_size_B(): number;
  rss_pages(): number;
}

export interface Regs {
  eip: number;
  esp: number;
  /** The address of the last data reference (the "current data page"). */
  last_data: number;
}

export class Task {
  state: TaskState = TASK_RUNNING;
  readonly regs: Regs = { eip: 0, esp: 0, last_data: 0 };
  /** Fault counts, as in task_struct (min_flt, maj_flt). */
  min_flt = 0;
  maj_flt = 0;
  /** Exit status once a zombie: code from exit(), or the signal that killed it. */
  exit_code = 0;
  exit_signal: SigInfo | null = null;
  /** Why the task ended when it was not by exit() (OOM, signal), for users. */
  exit_reason = '';

  /** Marks the program passed (MarkOp), with their times. */
  readonly marks: { label: string; t_ns: number }[] = [];
  /**
   * The node this task_struct belongs to. Each node keeps its own: a
   * migration's destination builds a new Task from MIG_TASK, and the
   * source releases its own (kernel/cluster.ts).
   */
  readonly node: Node;

  // --- scheduler state (kernel/sched.ts) ---
  /** Nice value, -20..19 (every task here runs at 0, as a shell starts it). */
  nice = 0;
  /** What is left of the time slice, ns of CPU (2.4's counter, kept in ns rather than ticks). */
  counter_ns = -1;
  /** The node and epoch its counter was last recalculated for. */
  sched_node = -1;
  sched_epoch = 0;
  /** Since when its runnable time on its node is not yet counted (sched.ts runnable_ns). */
  rq_since_ns = 0;
  /** The task's own clock while it runs: ahead of the queue within a step. */
  clock_ns = 0;
  private clock_frac_ns = 0;
  /** CPU time consumed (ns), the basis of utilisation figures. */
  utime_ns = 0;
  start_ns = 0;
  /** When it came to the node it is on: its start, or the end of the migration that brought it (MOSIX's residency). */
  arrived_ns = 0;
  exit_ns = -1;
  /** The operation in progress and how far its references got. */
  op: Op | null = null;
  ref_idx = 0;
  /** References of the current op whose pre_ns has been charged. */
  pre_charged = 0;
  /** Pages of a syscall's user buffers, faulted in before the call runs. */
  sys_refs: Uint32Array | null = null;
  /** Set by run_refs(user_copy) on a bad user pointer. */
  efault = false;
  /** Run at the next operation boundary instead of the next op (om's migration stop). */
  stop_hook: (() => void) | null = null;
  /**
   * Time spent waiting for a page held on another node (blocked on a remote
   * fault until the page is installed), ns, and how many such waits: the
   * "blocked time" of a migration. Waits for a system call's reply (the
   * deputy's round trip) are counted apart.
   */
  page_wait_ns = 0;
  page_waits = 0;
  sys_wait_ns = 0;
  /** System calls made (a migrant's go home: their rate says what staying home saves). */
  nr_syscalls = 0;
  /** When the current wait began (its clock), or -1, and whether it waits for a syscall's reply. */
  blocked_at_ns = -1;
  blocked_on_sys = false;
  /** The value the program receives from its last syscall. */
  sys_ret = 0;
  /** A syscall that is waiting for a reply (remote) is finished by wake(). */
  sys_pending = false;

  constructor(
    readonly pid: number,
    readonly comm: string,
    readonly home: Node,
    public mm: AddressSpace | null,
    readonly prog: Iterator<Op, unknown, number>,
    node: Node = home,
  ) {
    this.node = node;
  }

  /**
   * Charge CPU work to this task (virtual ns, fractions carried over). The
   * whole and fractional parts are added apart: adding a carried fraction
   * close to 1 to a large charge rounds the sum up to the next integer, so a
   * whole number of ns would move the clock by one more than it says, and a
   * sweep fast-forwarded (sched.ts, clock + k * ns_per_ref) would part from
   * the same sweep charged reference by reference. Split, a whole charge
   * moves the clock by exactly itself, however charges are batched.
   */
  charge(ns: number): void {
    this.utime_ns += ns;
    this.node.busy_ns += ns;
    const whole_ns = Math.floor(ns);
    const t = this.clock_frac_ns + (ns - whole_ns); // both in [0, 1): exact enough, and no carry is invented
    const carry = t >= 1 ? 1 : 0;
    this.clock_ns += whole_ns + carry;
    this.clock_frac_ns = t - carry;
  }

  get alive(): boolean {
    return this.state !== TASK_ZOMBIE;
  }
}

/**
 * What a program holds of the process it is, across migrations: its pid,
 * and the task_struct of the node that runs it now. The program (a
 * generator) stands for the code and registers that MIG_TASK carries, so
 * it is the one thing that crosses from node to node without being bytes;
 * each node keeps its own Task, and this view reads the current one from
 * the host's process table (Cluster.tasks), never from another node.
 */
export class TaskView {
  constructor(
    readonly cluster: Cluster,
    readonly pid: number,
  ) {}

  /** The task_struct of the node the process is on now. */
  get task(): Task {
    const t = this.cluster.tasks.get(this.pid);
    if (!t) throw new Error(`pid ${this.pid} has no task`);
    return t;
  }

  get mm(): AddressSpace | null {
    return this.task.mm;
  }
  get regs(): Regs {
    return this.task.regs;
  }
  get node(): Node {
    return this.task.node;
  }
  get home(): Node {
    return this.task.home;
  }
  get clock_ns(): number {
    return this.task.clock_ns;
  }
  get alive(): boolean {
    return this.task.alive;
  }
  get exit_reason(): string {
    return this.task.exit_reason;
  }
  set exit_reason(v: string) {
    this.task.exit_reason = v;
  }
}
