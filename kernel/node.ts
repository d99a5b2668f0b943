// One machine of the cluster: a CPU with its cost model, physical memory, a
// run queue and a console.
import { CpuModel } from './cpu.ts';
import { PhysMem } from './physmem.ts';
import type { Task } from './task.ts';
import type { Cluster } from './cluster.ts';
import type { EventHandle } from './events.ts';

export class Node {
  readonly mem: PhysMem;
  /** The task on the CPU now. */
  current: Task | null = null;
  /**
   * Every runnable task of the node, the one on the CPU included (2.4's
   * runqueue_head list): a task woken goes to the front; nr_running is its
   * length.
   */
  readonly runqueue: Task[] = [];
  /** Every live task_struct this node keeps (running, waiting or stopped), its own process table. */
  readonly tasks = new Set<Task>();
  /** Set when the task on the CPU must call schedule() (its slice ended, or a better task woke). */
  need_resched = false;
  /** Task-ns spent runnable here since the load was last taken (sched.ts runnable_ns). */
  rq_time_ns = 0;
  /** Epochs of this node's scheduler: counters recalculated when every runnable one ran out (sched.ts). */
  sched_epoch = 0;
  /** True while a run of the CPU is scheduled or in progress. */
  cpu_scheduled = false;
  /** The CPU's next turn while one is scheduled as usual (not lazily: that one is lazy.turn), else null. */
  cpu_turn: EventHandle | null = null;
  /** True while run_cpu is executing on this node. */
  cpu_running = false;
  /**
   * When the last task to leave the CPU (it blocked, stopped, exited or
   * left) was done with it: its clock, which its last operation may have
   * taken past the queue's time. The next task runs from there.
   */
  cpu_free_ns = 0;
  /**
   * A fast-forwarded sweep the CPU computes lazily (kernel/sched.ts): its
   * task, where its slice began and ends, and the CPU's turn when it next
   * acts. null when the CPU is idle or runs as usual.
   */
  lazy: { task: Task; start_ns: number; slice_end_ns: number; turn: EventHandle } | null = null;
  /** CPU time charged on this node (for utilisation and load figures). */
  busy_ns = 0;
  /** What tasks wrote to fds 1 and 2. */
  console = '';
  /** False once the node crashed: its memory, tasks and queues are gone for good. */
  alive = true;
  /**
   * Per-node state that subsystems above the kernel attach (the MMU's TLB,
   * the NIC, infoD); keyed by the subsystem's name, typed by its owner.
   */
  readonly ext = new Map<string, unknown>();

  constructor(
    readonly cluster: Cluster,
    readonly id: number,
    readonly cpu: CpuModel,
    mem_B: number,
  ) {
    this.mem = new PhysMem(mem_B);
  }

  /** A subsystem's per-node state, made on first use. */
  attach<T>(key: string, make: () => T): T {
    let v = this.ext.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      this.ext.set(key, v);
    }
    return v;
  }

  get name(): string {
    return `node${this.id}`;
  }

  /** CPU speed relative to the cost table's processor (1: the paper's P4). */
  get speed(): number {
    return this.cpu.speed;
  }
}
