// seqtouch: the simplest migrant. It maps an array, writes every page once
// (setup), passes the 'setup_done' mark, then reads and writes the array
// front to back `passes` times. It stands in for a real kernel wherever only
// a clean sequential stream is wanted (tests, the AMPoM end-to-end check).
import type { CpuModel } from '../../kernel/cpu.ts';
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import type { ImageSpec } from '../../mm/exec.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { CPU_NS } from '../../kernel/cpu.ts';
import { mmap_anon, RefBatch, REF_R, REF_W, REF_X, sys_exit } from '../libc.ts';

export interface SeqTouchParams {
  size_B: number;
  passes: number;
  /** CPU time spent on each page per pass (default: 4 KiB at ~1.6 GB/s). */
  ns_per_page?: number;
}

const DEFAULT_NS_PER_PAGE = 2500;
const BATCH_PAGES = 64;

export const seqtouch = {
  image: { comm: 'seqtouch', text_B: 2 * PAGE_SIZE, data_B: PAGE_SIZE, bss_B: 0 } satisfies ImageSpec,

  program(p: SeqTouchParams) {
    return function* (task: TaskView): Generator<Op, void, number> {
      const ns_per_page = p.ns_per_page ?? DEFAULT_NS_PER_PAGE;
      const base: number = yield mmap_anon(p.size_B);
      if (base < 0) {
        yield sys_exit(1);
        return;
      }
      const pages = Math.ceil(p.size_B / PAGE_SIZE);
      const text = task.regs.eip;
      const stack = task.regs.esp;
      const b = new RefBatch(BATCH_PAGES + 2);
      // Setup: write every page.
      for (let i = 0; i < pages; i += BATCH_PAGES) {
        const n = Math.min(BATCH_PAGES, pages - i);
        b.reset(CPU_NS, n * ns_per_page).add(text, REF_X).add(stack, REF_W);
        for (let j = 0; j < n; j++) b.add(base + (i + j) * PAGE_SIZE, REF_W);
        yield b.op;
      }
      yield { kind: 'mark', label: 'setup_done' };
      for (let pass = 0; pass < p.passes; pass++) {
        for (let i = 0; i < pages; i += BATCH_PAGES) {
          const n = Math.min(BATCH_PAGES, pages - i);
          b.reset(CPU_NS, n * ns_per_page).add(text + PAGE_SIZE, REF_X).add(stack, REF_W);
          for (let j = 0; j < n; j++) b.add(base + (i + j) * PAGE_SIZE, pass % 2 ? REF_W : REF_R);
          yield b.op;
        }
      }
      yield sys_exit(0);
    };
  },

  /** Rough virtual run time with no migration (CPU time only). */
  estimate_ns(p: SeqTouchParams, _cpu: CpuModel): number {
    return Math.ceil(p.size_B / PAGE_SIZE) * (p.ns_per_page ?? DEFAULT_NS_PER_PAGE) * (p.passes + 1);
  },
};
