// What the four HPCC kernels share: their process image, how a step names
// its pages, exact-mode access to emulated memory, the input generator and
// the setup/timed/verify phases every kernel goes through.
//
// A step is a stretch of a kernel's loop: the pages it reaches, in the order
// the loop first reaches them, with the loop's CPU work between them. Each
// listed page carries the work the loop does before reaching it (counted in
// the step's cost class from the start of the step), so a page is touched,
// computed over, and the next one touched, as the real loop does; the work
// after the last listed page ends the step. Later references to a page
// already listed cannot fault (the emulation never evicts a page), so their
// cost is in that work, and the page-level fault stream, with its timing, is
// the program's own.
import type { Cluster } from '../../kernel/cluster.ts';
import type { Op, RefsOp } from '../../kernel/op.ts';
import { PhysMem } from '../../kernel/physmem.ts';
import type { TaskView } from '../../kernel/task.ts';
import type { ImageSpec } from '../../mm/exec.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { mmap_anon, RefBatch, REF_R, REF_W, REF_X, sys_brk, sys_exit } from '../libc.ts';
import { hpcc_cost_ids, type HpccCostClass } from './costs.ts';

export type Mode = 'exact' | 'fast';
export const MODES: Mode[] = ['exact', 'fast'];

/** Code pages: each phase runs its own function, so eip moves between them. */
export const TEXT_MAIN = 0;
export const TEXT_SETUP = 1;
export const TEXT_KERNEL = 2;
export const TEXT_CHECK = 3;

/** Every HPCC program's image: 4 pages of code, a page of data, a page of bss. */
export const hpcc_image = (comm: string): ImageSpec => ({ comm, text_B: 4 * PAGE_SIZE, data_B: PAGE_SIZE, bss_B: PAGE_SIZE });

/** Bytes of the stack frame a kernel function uses below main's (locals, spills). */
const FRAME_B = 2048;

/** A check a program makes on itself in exact mode (HPCC's own verification). */
export interface SelfCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** A deterministic input element in [-0.5, 0.5): a hash of (seed, i), so a check can regenerate it. */
export function gen_f64(seed: number, i: number): number {
  let h = Math.imul((i ^ Math.imul(seed, 0x27d4eb2d)) | 0, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296 - 0.5;
}

/**
 * Exact-mode access to the task's memory through its page table. Pages must
 * be resident (the step listed them); the cache is one page and is dropped
 * at every step, since a page may have moved in between.
 */
export class UMem {
  private vpn = -1;
  private f64a: Float64Array = new Float64Array(0);
  private u32a: Uint32Array = new Uint32Array(0);
  private off = 0;
  constructor(private readonly task: TaskView) {}

  reset(): void {
    this.vpn = -1;
  }

  private page(addr: number): void {
    const vpn = Math.floor(addr / PAGE_SIZE);
    if (vpn === this.vpn) return;
    const mm = this.task.mm as MmStruct;
    const pfn = mm.resolve(addr);
    if (pfn < 0) throw new Error(`exact mode touched 0x${addr.toString(16)}, which its step did not reference`);
    const c = mm.mem.views(pfn);
    this.f64a = c.f64;
    this.u32a = c.u32;
    this.off = PhysMem.offset_B(pfn);
    this.vpn = vpn;
  }

  f64(addr: number): number {
    this.page(addr);
    return this.f64a[(this.off + (addr & (PAGE_SIZE - 1))) >> 3]!;
  }

  set_f64(addr: number, v: number): void {
    this.page(addr);
    this.f64a[(this.off + (addr & (PAGE_SIZE - 1))) >> 3] = v;
  }

  u32(addr: number): number {
    this.page(addr);
    return this.u32a[(this.off + (addr & (PAGE_SIZE - 1))) >> 2]!;
  }

  set_u32(addr: number, v: number): void {
    this.page(addr);
    this.u32a[(this.off + (addr & (PAGE_SIZE - 1))) >> 2] = v;
  }
}

/** First and last page numbers of the bytes [start, start + len). */
export const first_page = (start: number): number => Math.floor(start / PAGE_SIZE);
export const last_page = (start: number, len: number): number => Math.floor((start + len - 1) / PAGE_SIZE);

/** One running kernel: its task, mode, cost ids, one reusable batch. */
export class KernelCtx {
  readonly ids: Record<HpccCostClass, number>;
  readonly b = new RefBatch(8192);
  readonly mem: UMem | null;
  readonly text: number;
  readonly frame: number;
  /** The page of the program's globals (its .data: problem parameters). */
  readonly data: number;
  /** The record of results on the brk heap (set by kernel_start). */
  heap = -1;
  constructor(
    readonly task: TaskView,
    readonly mode: Mode,
  ) {
    this.ids = hpcc_cost_ids(task.node.cluster as Cluster);
    this.mem = mode === 'exact' ? new UMem(task) : null;
    this.text = task.regs.eip;
    // main's frame is at the start of the stack; a kernel's is just below it.
    this.frame = task.regs.esp - FRAME_B;
    this.data = (task.mm as MmStruct).start_data;
  }

  /** ns a unit of the current step's class, on the node the step runs on (a step never spans a migration). */
  private ns_unit = 0;
  /** Units of the step's work the loop has done when it reaches the last listed page. */
  private pos = 0;
  /** The step's whole work, units. */
  private total = 0;

  /**
   * Start a step: the code page runs, the frame is used, the globals are
   * read, then the loop does `units` of `cls` over the pages listed next.
   */
  step(code_page: number, cls: HpccCostClass, units: number): RefBatch {
    const id = this.ids[cls];
    const b = this.b.reset(id, units);
    this.ns_unit = this.task.node.cpu.ns_per_unit[id]!;
    this.pos = 0;
    this.total = units;
    b.op.esp = this.frame;
    return b.add(this.text + code_page * PAGE_SIZE, REF_X).add(this.frame, REF_W).add(this.data, REF_R);
  }

  /** Move the step's position to `pos` units; returns the CPU time since the last listed page. */
  private advance(pos: number): number {
    if (!(pos >= this.pos && pos <= this.total)) throw new Error(`kernel bug: a page reached at ${pos} units, outside [${this.pos}, ${this.total}] of its step`);
    const ns = (pos - this.pos) * this.ns_unit;
    this.pos = pos;
    return ns;
  }

  /** List the page of addr, which the loop first reaches `pos` units into the step. */
  at(addr: number, kind: number, pos: number): void {
    this.b.add(addr, kind, this.advance(pos));
  }

  /**
   * For a listing loop too hot for at(): room for `count` more references.
   * The caller writes op.refs[op.n..] and op.pre_ns[op.n..] itself (pre_ns
   * = (position - previous position) x unit_ns(), starting from position()),
   * then calls listed() with the new count and its last position.
   */
  reserve(count: number): RefsOp {
    return this.b.reserve_timed(count);
  }
  position(): number {
    return this.pos;
  }
  unit_ns(): number {
    return this.ns_unit;
  }
  listed(n: number, pos: number): void {
    this.advance(pos);
    this.b.op.n = n;
  }

  /**
   * List the pages of elements [e0, e1) of the array at `base` (elem_B each),
   * which the loop walks in order from `pos0` units into the step doing
   * `units_per_elem` an element: a page is first reached by the element
   * holding its first byte.
   */
  walk(base: number, elem_B: number, e0: number, e1: number, kind: number, pos0: number, units_per_elem: number): void {
    if (e1 <= e0) return;
    const p0 = first_page(base + e0 * elem_B);
    const p1 = last_page(base + e0 * elem_B, (e1 - e0) * elem_B);
    this.at(p0 * PAGE_SIZE, kind, pos0);
    for (let p = p0 + 1; p <= p1; p++) {
      const e = Math.floor((p * PAGE_SIZE - base) / elem_B);
      this.at(p * PAGE_SIZE, kind, pos0 + (e - e0) * units_per_elem);
    }
  }

  /** Pages listed in the current step (by stamp), for steps that revisit pages. */
  private seen: Int32Array | null = null;
  private stamp = 0;

  /** Start a fresh "listed in this step" set (call after step()). */
  begin_once(): void {
    this.seen ??= new Int32Array(1 << 20);
    if (++this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
  }

  /** List the page of addr, reached at `pos` units, unless this step already lists it. */
  once(addr: number, kind: number, pos: number): void {
    const vpn = Math.floor(addr / PAGE_SIZE);
    if (this.seen![vpn] === this.stamp) return;
    this.seen![vpn] = this.stamp;
    this.at(addr, kind, pos);
  }

  /**
   * End the step: what the loop does after its last listed page is the
   * step's own cost; in exact mode fn does the step's arithmetic once its
   * pages are resident (nothing in fast mode).
   */
  work(fn?: () => void): RefsOp {
    const op = this.b.op;
    op.units = this.total - this.pos;
    if (this.mem && fn) {
      const mem = this.mem;
      op.work = () => {
        mem.reset();
        fn();
      };
    }
    return op;
  }
}

/** Bytes of the results record a kernel keeps on its brk heap (HPCC's params and outputs). */
const RESULTS_B = 1024;

/** Start a kernel: its context, and its results record on the brk heap (malloc of a small block). */
export function* kernel_start(task: TaskView, mode: Mode): Generator<Op, KernelCtx, number> {
  const k = new KernelCtx(task, mode);
  const cur: number = yield sys_brk(0);
  const end: number = yield sys_brk(cur + RESULTS_B);
  if (end < cur + RESULTS_B) {
    yield sys_exit(12);
    throw new Error('unreachable: exit returned');
  }
  k.heap = cur;
  return k;
}

/** Pages per verify step. */
const VERIFY_PAGES = 2048;

/**
 * The verification phase: read every page of the regions front to back
 * (HPCC's checks read all their data), one region after another, or side by
 * side with `together` (equal regions read as a loop over i reads a[i],
 * b[i], c[i]); then in exact mode run `check` on them.
 */
export function* verify_phase(k: KernelCtx, regions: [number, number][], check: () => void, together = false): Generator<Op, void, number> {
  // Groups of pages the loop reaches at the same point: one page, or page p
  // of every region. Group g is pages[g * width .. (g + 1) * width), one flat
  // array: an array a group made a small array a page (hundreds of MB of
  // garbage over the bench's largest runs), for the same pages in the same order.
  const width = together ? regions.length : 1;
  let ngroups = 0;
  if (together) {
    ngroups = regions.length > 0 ? last_page(regions[0]![0], regions[0]![1]) - first_page(regions[0]![0]) + 1 : 0;
    for (const [start, len] of regions) {
      if (last_page(start, len) - first_page(start) + 1 !== ngroups) throw new Error('verify_phase: regions read together must have as many pages');
    }
  } else {
    for (const [start, len] of regions) ngroups += Math.max(0, last_page(start, len) - first_page(start) + 1);
  }
  const pages = new Float64Array(ngroups * width);
  if (together) {
    for (let g = 0; g < ngroups; g++) for (let r = 0; r < width; r++) pages[g * width + r] = first_page(regions[r]![0]) + g;
  } else {
    let g = 0;
    for (const [start, len] of regions) for (let p = first_page(start), e = last_page(start, len); p <= e; p++) pages[g++] = p;
  }
  const per_step = Math.max(1, Math.floor(VERIFY_PAGES / width));
  for (let i = 0; i < ngroups; i += per_step) {
    const n = Math.min(per_step, ngroups - i);
    const group_B = width * PAGE_SIZE;
    k.step(TEXT_CHECK, 'mem_B', n * group_B);
    for (let j = 0; j < n; j++) for (let r = 0; r < width; r++) k.at(pages[(i + j) * width + r]! * PAGE_SIZE, REF_R, j * group_B);
    if (i + n >= ngroups) {
      // The check writes its verdict into the results record, once it has read everything.
      if (k.heap >= 0) k.at(k.heap, REF_W, n * group_B);
      yield k.work(() => {
        check();
        if (k.heap >= 0) k.mem!.set_u32(k.heap, 1); // "checked"
      });
    } else yield k.work();
  }
  if (ngroups === 0 && k.mem) check();
}

/** Pages a setup step writes. */
const FILL_PAGES = 64;

/**
 * A setup loop: write an array of `count` elements of `elem_B` bytes front
 * to back, FILL_PAGES pages a step, doing `units_per_elem` of `cls` an
 * element; in exact mode `set(mem, i)` stores element i.
 */
export function* fill_phase(
  k: KernelCtx, base: number, count: number, elem_B: number, cls: HpccCostClass, units_per_elem: number, set: (m: UMem, i: number) => void,
): Generator<Op, void, number> {
  const npages = Math.ceil((count * elem_B) / PAGE_SIZE);
  for (let p0 = 0; p0 < npages; p0 += FILL_PAGES) {
    const p1 = Math.min(npages, p0 + FILL_PAGES);
    const e0 = Math.ceil((p0 * PAGE_SIZE) / elem_B);
    const e1 = Math.min(count, Math.ceil((p1 * PAGE_SIZE) / elem_B));
    k.step(TEXT_SETUP, cls, (e1 - e0) * units_per_elem);
    k.walk(base, elem_B, e0, e1, REF_W, 0, units_per_elem);
    yield k.work(() => {
      for (let i = e0; i < e1; i++) set(k.mem!, i);
    });
  }
}

/** mmap an anonymous array; exits the program (ENOMEM) when it cannot. */
export function* alloc(len_B: number): Generator<Op, number, number> {
  const base: number = yield mmap_anon(len_B);
  if (base < 0) {
    yield sys_exit(12);
    throw new Error('unreachable: exit returned');
  }
  return base;
}

export { REF_R, REF_W };

/** How a kernel reports itself: problem size and the memory it really uses. */
export interface KernelSize {
  /** Human-readable problem, e.g. "n=4895 (3 matrices)". */
  problem: string;
  /** Bytes of the arrays it allocates. */
  used_B: number;
  /** Bytes it works on after migration (equal to used_B except DGEMM's working-set variant). */
  working_set_B: number;
}
