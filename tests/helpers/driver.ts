// A task the test drives one operation at a time: set an op, run the
// cluster, read the result. Between operations the task sleeps.
import { Cluster } from '../../kernel/cluster.ts';
import type { Op } from '../../kernel/op.ts';
import { block_task, wake_up_process } from '../../kernel/sched.ts';
import type { Task } from '../../kernel/task.ts';
import { spawn_program, type ImageSpec } from '../../mm/exec.ts';
import { process_end } from '../../userland/experiment.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { REF_R, REF_W } from '../../kernel/op.ts';

const IDLE = 'driver-idle';

export class Driver {
  /** The driven process's pid: its task_struct is the one of the node it is on now (a migration makes a new one). */
  readonly pid: number;
  private pending: Op | null = null;
  private last = 0;
  private done = false;
  private finished = false;

  constructor(
    readonly cluster: Cluster,
    node = 0,
    image: ImageSpec = { comm: 'driver', text_B: PAGE_SIZE, data_B: PAGE_SIZE, bss_B: 0 },
  ) {
    const self = this;
    cluster.mark_listeners.push((t, label) => {
      if (t.pid === self.pid && label === IDLE) block_task(t);
    });
    this.pid = spawn_program(cluster, cluster.node(node), image, () => ({
      next(v: number): IteratorResult<Op, unknown> {
        if (self.done) {
          self.last = v;
          self.done = false;
          self.finished = true;
        }
        if (self.pending) {
          const op = self.pending;
          self.pending = null;
          self.done = true;
          return { value: op, done: false };
        }
        return { value: { kind: 'mark', label: IDLE }, done: false };
      },
    })).pid;
    const q = cluster.queue;
    while (this.task.state === 'R' && q.step());
  }

  /**
   * Virtual time one exec or until may take before it gives up (a test that
   * would otherwise hang on a task that never finishes fails instead).
   */
  limit_ns = Infinity;

  /** Run the cluster until pred holds (or nothing is left to run). */
  until(pred: () => boolean): void {
    const q = this.cluster.queue;
    const stop = q.now_ns + this.limit_ns;
    while (!pred() && q.now_ns <= stop && q.step());
    if (!pred() && q.now_ns > stop) throw new Error(`still waiting after ${this.limit_ns / 1e9} s of virtual time`);
  }

  /** The task_struct of the process on the node it is on now. */
  get task(): Task {
    return this.cluster.tasks.get(this.pid)!;
  }

  get mm(): MmStruct {
    return this.task.mm as MmStruct;
  }

  /** Whether the process lives: on a node, or on its way to one (see process_end). */
  get alive(): boolean {
    return process_end(this.cluster, this.pid).running;
  }

  /** Why the process ended (its kill's reason, or how it was lost on the way). */
  get exit_reason(): string {
    const e = process_end(this.cluster, this.pid);
    return e.lost ?? e.task.exit_reason;
  }

  /** Run one op to completion; returns a syscall's value (0 for refs). */
  exec(op: Op): number {
    if (!this.alive) throw new Error('driver task is dead');
    this.pending = op;
    this.last = 0;
    this.finished = false;
    wake_up_process(this.task);
    // Step until the op is done (daemons such as infoD keep the queue busy).
    this.until(() => this.finished || !this.alive);
    return this.last;
  }

  /** Read one byte through the MMU (faults as the program would). */
  read_u8(addr: number): number | undefined {
    let v: number | undefined;
    this.exec({
      kind: 'refs', refs: new Uint32Array([((Math.floor(addr / PAGE_SIZE) << 2) | REF_R) >>> 0]), n: 1, cls: 0, units: 0,
      work: () => { v = this.mm.copy_from_user(addr, 1)[0]; },
    });
    return v;
  }

  /** Write one byte through the MMU. */
  write_u8(addr: number, value: number): void {
    this.exec({
      kind: 'refs', refs: new Uint32Array([((Math.floor(addr / PAGE_SIZE) << 2) | REF_W) >>> 0]), n: 1, cls: 0, units: 0,
      work: () => this.mm.copy_to_user(addr, new Uint8Array([value])),
    });
  }
}

export const newCluster = (mem_MiB = 64, nodes = 1): Cluster => new Cluster({ nodes, mem_B: mem_MiB << 20 });

/** Frames a node holds for itself when no process is left: its zero page, once made. */
export const node_frames = (node: { ext: Map<string, unknown> }): number => (node.ext.has('zero_page') ? 1 : 0);
