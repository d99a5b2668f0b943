// What a userland program hands the kernel: a stream of operations.
//
// A program is a generator. Each value it yields is either a batch of page
// references with the CPU work they stand for, or a system call; the value the
// generator receives back from a system call is its return value (-errno on
// failure). The kernel consumes an operation completely before it asks for the
// next one, so a program may reuse one op object and one refs buffer.

/** Kind of a page reference, kept in the low two bits of an encoded ref. */
export const REF_R = 0; // data load
export const REF_W = 1; // data store (or read-modify-write)
export const REF_X = 2; // instruction fetch

export const REF_KIND_MASK = 3;
export const REF_SHIFT = 2;

/** Encode a reference to virtual page vpn. */
export const ref = (vpn: number, kind: number): number => (vpn << REF_SHIFT) | kind;
export const ref_vpn = (r: number): number => r >>> REF_SHIFT;
export const ref_kind = (r: number): number => r & REF_KIND_MASK;

export interface RefsOp {
  kind: 'refs';
  /** Encoded references (see ref()), in program order. */
  refs: Uint32Array;
  /** How many of refs are used. */
  n: number;
  /** CPU work of this step: `units` of cost class `cls` (CpuModel ids). */
  cls: number;
  units: number;
  /**
   * CPU time (ns) to charge just before each reference, for steps whose
   * work lies between their references: a loop that touches a page,
   * computes over it and touches the next (the HPCC kernels), or a replayed
   * trace's instructions. The task stops to let due events run as soon as
   * these charges take its clock to the next event, as if each reference
   * were its own step. The step's own cost (cls, units) is the work after
   * the last reference.
   */
  pre_ns?: Float64Array;
  /** CPU time (ns) charged after the last reference, besides (cls, units). */
  post_ns?: number;
  /** Stack pointer after this step, when the step moved it. */
  esp?: number;
  /**
   * Exact-mode work, run once every reference of the step is resident: real
   * arithmetic on the emulated memory. Fast mode leaves it out.
   */
  work?: () => void;
}

export interface SyscallOp {
  kind: 'sys';
  nr: number;
  args: number[];
}

/**
 * A point in the program others may act on (costs nothing): the boundary
 * between a kernel's setup and timed phases is where experiments migrate.
 */
export interface MarkOp {
  kind: 'mark';
  label: string;
}

/**
 * A sweep: references, in order and round and round, the pages
 * [base_vpn, base_vpn + pages), `refs` of them in all, with ns_per_ref of
 * CPU before each (a CPU-bound loop over a working set, userland/hpcc/hog.ts).
 * It means exactly a series of RefsOps of one tick's CPU each (sweep_step_refs
 * references, each with pre_ns = ns_per_ref): the scheduler looks at its
 * slice, and a migration may stop the task, between two of them; a step
 * that stopped (to let an event run, or for a page) goes on from where it
 * was, without touching again the pages it passed. The kernel
 * runs it by that definition while a page of it is missing; once every page
 * is resident with its accessed (and dirty) bit set, no reference can fault
 * or change a page table, and the kernel fast-forwards the CPU time up to
 * the next point where anything could tell (kernel/sched.ts run_sweep).
 */
export interface SweepOp {
  kind: 'sweep';
  base_vpn: number;
  pages: number;
  /** Stores (REF_W: read-modify-write, dirtying the pages) or loads (REF_R). */
  write: boolean;
  /** CPU time before each reference on a node of speed 1, ns (rounded to whole ns on the node, so every path sums it exactly). */
  ns_per_ref: number;
  /** The sweep's k-th reference is to page base_vpn + k % pages; it makes those from `at` (the kernel moves it on) to `refs`. */
  refs: number;
  at: number;
}

export type Op = RefsOp | SyscallOp | MarkOp | SweepOp;

/** A program: given its task, a generator of operations. */
export type Program<T = unknown> = (task: T) => Iterator<Op, unknown, number>;
