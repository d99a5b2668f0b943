// The CPU cost model: how many virtual nanoseconds a unit of work takes.
//
// Work comes in named classes. The kernel's own classes (traps, zero-filling a
// page, building a PTE) are defined here; userland registers the classes its
// programs use (a STREAM byte, a DGEMM flop, ...) with their cost, so the model
// stays data and a node of another speed is just another table.

export interface CpuCostTable {
  /** Name of the processor the numbers describe. */
  model: string;
  clock_hz: number;
  /** ns per unit, by class name. */
  ns_per_unit: Record<string, number>;
}

/**
 * The kernel's own costs on the paper's Pentium 4 at 2 GHz running Linux 2.4.
 * These are estimates from published measurements of that era, not fits:
 * - trap: a user->kernel->user round trip through the fault/syscall gate costs
 *   on the order of 1,000-1,500 cycles on a Pentium 4 (its long pipeline makes
 *   int/iret slow): 600 ns.
 * - zero_page: clearing 4 KiB at the ~3 GB/s a P4 with DDR memory sustains for
 *   stores: ~1,400 ns.
 * - copy_page: copying 4 KiB, read plus write traffic: ~2,600 ns.
 * - pte: building or applying one page-table entry during migration (allocate
 *   the entry, link the page, account rss): ~250 ns.
 * - fault_handler: the software path of a fault besides the trap (find_vma,
 *   table walk, accounting): ~400 ns.
 * - syscall: a trivial system call body (getpid) besides the trap: ~100 ns.
 */
export const P4_2GHZ_KERNEL: CpuCostTable = {
  model: 'Pentium 4 2 GHz (Linux 2.4)',
  clock_hz: 2e9,
  ns_per_unit: {
    ns: 1,
    cycle: 0.5,
    trap: 600,
    fault_handler: 400,
    zero_page: 1400,
    copy_page: 2600,
    pte: 250,
    syscall: 100,
  },
};

const KERNEL_CLASSES = ['ns', 'cycle', 'trap', 'fault_handler', 'zero_page', 'copy_page', 'pte', 'syscall'];

export class CpuModel {
  readonly model: string;
  readonly clock_hz: number;
  /**
   * Speed relative to the table's processor (1: the table as is; 2: every
   * class of work takes half the time). A node of another speed is the same
   * table scaled, so everything charged through the model (the kernel's
   * work, om's, a program's) follows it, and so does a program's pre_ns,
   * which it reads from ns_per_unit.
   */
  readonly speed: number;
  private readonly index = new Map<string, number>();
  /** ns per unit, indexed by class id: a typed array so charging is a lookup. */
  ns_per_unit = new Float64Array(16);
  private nclasses = 0;

  constructor(table: CpuCostTable = P4_2GHZ_KERNEL, speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`cpu speed must be a finite number > 0, got ${speed}`);
    this.model = table.model;
    this.clock_hz = table.clock_hz * speed;
    this.speed = speed;
    // The kernel's classes come first, always in the same order, so their ids
    // are the constants at the end of this file whatever table is given.
    for (const name of KERNEL_CLASSES) this.define(name, table.ns_per_unit[name] ?? P4_2GHZ_KERNEL.ns_per_unit[name]!);
    for (const [name, ns] of Object.entries(table.ns_per_unit)) this.define(name, ns);
  }

  /** Define or redefine a class of work (its cost on the table's processor); returns its id. */
  define(name: string, ns_per_unit: number): number {
    if (!(ns_per_unit >= 0) || !Number.isFinite(ns_per_unit)) {
      throw new Error(`cpu cost for '${name}' must be a finite number >= 0, got ${ns_per_unit}`);
    }
    let id = this.index.get(name);
    if (id === undefined) {
      id = this.nclasses++;
      if (id >= this.ns_per_unit.length) {
        const grown = new Float64Array(this.ns_per_unit.length * 2);
        grown.set(this.ns_per_unit);
        this.ns_per_unit = grown;
      }
      this.index.set(name, id);
    }
    this.ns_per_unit[id] = ns_per_unit / this.speed;
    return id;
  }

  /** The id of a class, which must exist. */
  id(name: string): number {
    const id = this.index.get(name);
    if (id === undefined) throw new Error(`unknown cpu cost class '${name}' (known: ${[...this.index.keys()].join(', ')})`);
    return id;
  }

  /** Cost in ns (not rounded) of `units` of class `id`. */
  cost_ns(id: number, units: number): number {
    return this.ns_per_unit[id]! * units;
  }

  classes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, id] of this.index) out[name] = this.ns_per_unit[id]!;
    return out;
  }
}

// Class ids of the kernel's own costs (KERNEL_CLASSES order).
export const CPU_NS = 0;
export const CPU_CYCLE = 1;
export const CPU_TRAP = 2;
export const CPU_FAULT_HANDLER = 3;
export const CPU_ZERO_PAGE = 4;
export const CPU_COPY_PAGE = 5;
export const CPU_PTE = 6;
export const CPU_SYSCALL = 7;
