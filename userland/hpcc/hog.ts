// hog: a CPU-bound job of a stated length, the cluster's test load. It
// first-touches a working set of a given size (writing each page's number in
// its first word), then sweeps it front to back, round and round, storing to
// each page it passes (a grid updated in place), with a fixed CPU time per
// page, until it has used its CPU demand; then it reads the set back (and,
// in exact mode, checks every page still holds its number) and exits.
//
// The sweep is one SweepOp (kernel/op.ts) per stretch between system calls:
// while the set is resident the kernel fast-forwards it, so a job of an hour
// of CPU costs the host what its page faults and events cost, not what its
// references would.
//
// Its reference rate: HOG_SWEEP_BPS bytes of the set a second of CPU, that of
// the emulated HPCC DGEMM sweeping its matrix A. DGEMM's step (dgemm.ts) is
// column j of C against a panel of KB = 32 columns of A, 2 n KB flops over
// the panel's 8 n KB bytes, and a block of CB = 32 columns of C runs every
// panel: A (8 n^2 bytes) is swept once every 2 n^2 CB flops, 1/8 byte a flop
// whatever n, and at HPCC_COSTS_NS.dgemm_flop (3 GFlop/s) that is 375 MB/s.
// A hog so references each page of its set again every set / 375 MB/s of
// CPU (45 ms for 16 MiB), as a compute-bound HPC code does.
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { sys_getpid } from '../libc.ts';
import { alloc, kernel_start, REF_W, TEXT_SETUP, verify_phase, type KernelSize, type Mode, type SelfCheck } from './common.ts';
import { HPCC_COSTS_NS } from './costs.ts';

/** Bytes of the working set swept a second of CPU on a speed-1 node (DGEMM's sweep of A; see above). */
export const HOG_SWEEP_BPS = (1 / 8) * (1 / HPCC_COSTS_NS.dgemm_flop) * 1e9;
/** CPU time per page of the sweep on a speed-1 node, whole ns. */
export const HOG_NS_PER_PAGE = Math.round((PAGE_SIZE * 1e9) / HOG_SWEEP_BPS);

export interface HogParams {
  /** Working set, bytes. */
  ws_B: number;
  /** CPU demand of the sweep on a speed-1 node, ns. */
  cpu_ns: number;
  /** CPU per page swept, ns (default HOG_NS_PER_PAGE). */
  ns_per_page?: number;
  /** A getpid every this much of the sweep's CPU, ns (0: none): a process that keeps asking its home. */
  syscall_every_ns?: number;
}

export function hog_describe(p: HogParams): KernelSize {
  const pages = Math.max(1, Math.ceil(p.ws_B / PAGE_SIZE));
  return { problem: `${pages} pages swept for ${(p.cpu_ns / 1e9).toFixed(3)} s of CPU`, used_B: pages * PAGE_SIZE, working_set_B: pages * PAGE_SIZE };
}

/** References of the sweep: its CPU demand in whole pages' time (at least none). */
export const hog_refs = (p: HogParams): number => Math.max(0, Math.ceil(p.cpu_ns / (p.ns_per_page ?? HOG_NS_PER_PAGE)));

export function hog_program(p: HogParams, mode: Mode, out: SelfCheck[]) {
  return function* (task: TaskView): Generator<Op, void, number> {
    const k = yield* kernel_start(task, mode);
    const pages = Math.max(1, Math.ceil(p.ws_B / PAGE_SIZE));
    const base = yield* alloc(pages * PAGE_SIZE);
    const base_vpn = base / PAGE_SIZE;
    // Setup: each page written once (its number in its first word), 64 a step.
    for (let p0 = 0; p0 < pages; p0 += 64) {
      const p1 = Math.min(pages, p0 + 64);
      k.step(TEXT_SETUP, 'gen_elem', p1 - p0);
      for (let q = p0; q < p1; q++) k.at(base + q * PAGE_SIZE, REF_W, q - p0);
      yield k.work(() => {
        for (let q = p0; q < p1; q++) k.mem!.set_u32(base + q * PAGE_SIZE, q);
      });
    }
    yield { kind: 'mark', label: 'setup_done' };
    const ns_per_ref = p.ns_per_page ?? HOG_NS_PER_PAGE;
    const total = hog_refs(p);
    const every = p.syscall_every_ns && p.syscall_every_ns > 0 ? Math.max(1, Math.round(p.syscall_every_ns / ns_per_ref)) : total;
    for (let done = 0; done < total; ) {
      const n = Math.min(every, total - done);
      // References done .. done + n of the sweep: it goes on where the last stretch left it.
      yield { kind: 'sweep', base_vpn, pages, write: true, ns_per_ref, refs: done + n, at: done };
      done += n;
      if (done < total) yield sys_getpid();
    }
    yield { kind: 'mark', label: 'timed_done' };
    yield* verify_phase(k, [[base, pages * PAGE_SIZE]], () => {
      let bad = 0;
      for (let q = 0; q < pages; q++) if (k.mem!.u32(base + q * PAGE_SIZE) !== q) bad++;
      out.push({ name: 'hog-pages', ok: bad === 0, detail: `${bad} of ${pages} pages lost their number` });
    });
  };
}
