// The cluster: the event queue, the nodes, the process table and /proc.
import { EventQueue } from './events.ts';
import { CpuModel, type CpuCostTable, P4_2GHZ_KERNEL } from './cpu.ts';
import { Node } from './node.ts';
import { Procfs } from './procfs.ts';
import { Rng } from './rng.ts';
import { Task, TASK_ZOMBIE, type AddressSpace } from './task.ts';
import { SIGKILL } from './signal.ts';
import type { Op } from './op.ts';
import { wake_up_process } from './sched.ts';
import { type SyscallEntry, type SyscallResult } from './syscalls.ts';
import { register_task_proc } from './proc_pid.ts';
import { kdebug } from './klog.ts';

const dbg_sched = kdebug('om:sched');
const dbg_sys = kdebug('om:syscall');

export interface ClusterOptions {
  nodes?: number;
  /** Physical memory of each node, bytes. Default 1 GiB (see README). */
  mem_B?: number;
  cpu?: CpuCostTable;
  /** Each node's CPU speed relative to the cost table's processor (default 1 for all). */
  speeds?: number[];
  seed?: number;
}

/**
 * Hook through which om/ sends a migrant's syscalls home. Returns undefined
 * to let the call run locally.
 */
export type SyscallRedirect = (task: Task, ent: SyscallEntry, args: number[]) => SyscallResult | undefined;

export class Cluster {
  readonly queue = new EventQueue();
  readonly nodes: Node[] = [];
  /**
   * The host's process table: for each pid, the task_struct of the node
   * that has the process now (its last one once it ended). Users, programs
   * (TaskView) and end-of-run figures read it; no node does: each keeps
   * its own (Node.tasks).
   */
  readonly tasks = new Map<number, Task>();
  readonly procfs = new Procfs();
  readonly rng: Rng;
  readonly seed: number;
  syscall_redirect: SyscallRedirect | null = null;
  /** Cluster-wide state of subsystems above the kernel (the network, om). */
  readonly ext = new Map<string, unknown>();
  private next_pid = 100;
  /** Pids of the processes that have not ended (host bookkeeping: when it is empty the experiment is over). */
  private readonly live = new Set<number>();
  /**
   * Host bookkeeping of processes between two nodes: the migration attempt
   * whose source let the process go, and to where (by pid), and attempts whose
   * destination gave up before it resumed the process ("pid/attempt").
   * Both halves meeting means the process is on no node and never will be.
   */
  private readonly transit = new Map<number, { attempt: number; dest: Node }>();
  private readonly dropped = new Set<string>();
  /** Called when a task exits (subsystems above listen, e.g. the deputy). */
  readonly exit_listeners: ((t: Task) => void)[] = [];
  /** Called as a task exits, before its address space goes (last looks at its pages). */
  readonly exit_mm_listeners: ((t: Task) => void)[] = [];
  /** Called when a migrated process resumes on its new node (instrumentation: users follow a process so). */
  readonly resume_listeners: ((t: Task) => void)[] = [];
  /**
   * Called when a node crashes, after its tasks are gone: each subsystem
   * drops exactly that node's state (its queues, its records).
   */
  readonly crash_listeners: ((n: Node) => void)[] = [];

  constructor(opts: ClusterOptions = {}) {
    const n = opts.nodes ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`nodes must be an integer from 1 to 1024, got ${n}`);
    this.seed = opts.seed ?? 1;
    this.rng = new Rng(this.seed);
    const mem_B = opts.mem_B ?? 1 << 30;
    if (opts.speeds && opts.speeds.length !== n) throw new Error(`speeds must name one speed a node (${n}), got ${opts.speeds.length}`);
    for (let i = 0; i < n; i++) this.nodes.push(new Node(this, i, new CpuModel(opts.cpu ?? P4_2GHZ_KERNEL, opts.speeds?.[i] ?? 1), mem_B));
    register_task_proc(this.procfs);
  }

  node(id: number): Node {
    const n = this.nodes[id];
    if (!n) throw new Error(`no node ${id} (the cluster has nodes 0..${this.nodes.length - 1})`);
    return n;
  }

  /** Create a task on a node with a ready address space and start it. */
  spawn(node: Node, comm: string, mm: AddressSpace, prog: Iterator<Op, unknown, number>): Task {
    const t = new Task(this.next_pid++, comm, node, mm, prog);
    t.start_ns = this.queue.now_ns;
    t.arrived_ns = t.start_ns;
    t.clock_ns = this.queue.now_ns;
    this.tasks.set(t.pid, t);
    node.tasks.add(t);
    this.live.add(t.pid);
    dbg_sched(node, 'pid %d (%s) starts', t.pid, comm);
    wake_up_process(t);
    return t;
  }

  /**
   * A node takes over a process that migrated to it, in a task_struct of
   * its own (built from MIG_TASK). The process neither starts nor ends
   * here: the count of live processes stays.
   */
  install_task(t: Task): void {
    t.node.tasks.add(t);
    this.tasks.set(t.pid, t);
    this.transit.delete(t.pid);
  }

  /** A migrated process runs again, on its new node. */
  task_resumed(t: Task): void {
    for (const l of this.resume_listeners) l(t);
  }

  /** A node lets go of its task_struct of a process that has gone to `dest` (its migration `attempt`). */
  release_task(t: Task, attempt: number, dest: Node): void {
    t.node.tasks.delete(t);
    t.mm = null;
    t.op = null;
    if (this.dropped.delete(`${t.pid}/${attempt}`) || !dest.alive) this.live.delete(t.pid);
    else this.transit.set(t.pid, { attempt, dest });
  }

  /** A destination gave up migration `attempt` of pid without resuming it (its source went silent). */
  transit_dropped(pid: number, attempt: number): void {
    if (this.transit.get(pid)?.attempt === attempt) {
      this.transit.delete(pid);
      this.live.delete(pid);
    } else this.dropped.add(`${pid}/${attempt}`);
  }

  /** Dispatch a syscall, through the redirect hook when one is installed. */
  do_syscall(task: Task, ent: SyscallEntry, args: number[]): SyscallResult {
    const r = this.syscall_redirect?.(task, ent, args);
    const ret = r !== undefined ? r : ent.fn(task, args);
    if (dbg_sys.enabled) dbg_sys(task.node, 'pid %d: %s(%s) = %s', task.pid, ent.name, args.join(', '), String(ret));
    return ret;
  }

  /** Listeners for programs' marks (see MarkOp). */
  readonly mark_listeners: ((t: Task, label: string) => void)[] = [];
  /** Marks each task passed, with the virtual time it passed them. */
  mark(task: Task, label: string): void {
    task.marks.push({ label, t_ns: task.clock_ns });
    for (const l of this.mark_listeners) l(task, label);
  }

  console_write(task: Task, text: string): void {
    task.home.console += text;
  }

  task_exited(task: Task): void {
    task.node.tasks.delete(task);
    this.live.delete(task.pid);
    for (const l of this.exit_listeners) l(task);
  }

  /**
   * A node crashes: its tasks end where they are (no exit path runs: the
   * machine is gone), its memory and every subsystem's state for it vanish.
   * The other nodes learn of it only through what stops arriving.
   */
  crash_node(node: Node): void {
    if (!node.alive) return;
    node.alive = false;
    const now = this.queue.now_ns;
    // Its tasks end with it (no exit path runs).
    for (const t of node.tasks) {
      if (t.state === TASK_ZOMBIE) continue;
      t.exit_reason = `${node.name} crashed while the process ran there`;
      t.exit_signal = { signo: SIGKILL, code: 0, addr: 0 };
      t.exit_code = 128 + SIGKILL;
      t.state = TASK_ZOMBIE;
      t.exit_ns = Math.max(now, t.clock_ns);
      t.op = null;
      t.mm = null;
      this.live.delete(t.pid);
    }
    node.tasks.clear();
    // Processes on their way to it end with it too.
    for (const [pid, tr] of this.transit) {
      if (tr.dest !== node) continue;
      this.transit.delete(pid);
      this.live.delete(pid);
    }
    node.current = null;
    node.runqueue.length = 0;
    for (const l of this.crash_listeners) l(node);
  }

  /**
   * A process's home took it as ended though no node saw it exit (it was
   * lost on its way between two nodes, or with a node that went silent):
   * its parent would see it die. Once every process ended so, or exited,
   * the experiment is over.
   */
  process_lost(pid: number): void {
    this.live.delete(pid);
  }

  /** Processes that have not ended (on a node, or on their way between two). */
  get live_tasks(): number {
    return this.live.size;
  }

  /** Run until no event is left (every task has exited or waits forever). */
  run(until_ns = Infinity): void {
    this.queue.run(until_ns);
  }
}
