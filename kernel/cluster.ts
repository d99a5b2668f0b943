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
  readonly tasks = new Map<number, Task>();
  readonly procfs = new Procfs();
  readonly rng: Rng;
  readonly seed: number;
  syscall_redirect: SyscallRedirect | null = null;
  /** Cluster-wide state of subsystems above the kernel (the network, om). */
  readonly ext = new Map<string, unknown>();
  private next_pid = 100;
  private live = 0;
  /** Called when a task exits (subsystems above listen, e.g. the deputy). */
  readonly exit_listeners: ((t: Task) => void)[] = [];
  /** Called as a task exits, before its address space goes (last looks at its pages). */
  readonly exit_mm_listeners: ((t: Task) => void)[] = [];
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
    t.clock_ns = this.queue.now_ns;
    this.tasks.set(t.pid, t);
    this.live++;
    dbg_sched(node, 'pid %d (%s) starts', t.pid, comm);
    wake_up_process(t);
    return t;
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
    this.live--;
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
    for (const t of this.tasks.values()) {
      if (t.node !== node || t.state === TASK_ZOMBIE) continue;
      t.exit_reason = `${node.name} crashed while the process ran there`;
      t.exit_signal = { signo: SIGKILL, code: 0, addr: 0 };
      t.exit_code = 128 + SIGKILL;
      t.state = TASK_ZOMBIE;
      t.exit_ns = Math.max(now, t.clock_ns);
      t.op = null;
      t.mm = null;
      this.live--;
    }
    node.current = null;
    node.runqueue.length = 0;
    for (const l of this.crash_listeners) l(node);
  }

  get live_tasks(): number {
    return this.live;
  }

  /** Run until no event is left (every task has exited or waits forever). */
  run(until_ns = Infinity): void {
    this.queue.run(until_ns);
  }
}
