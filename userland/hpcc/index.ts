// The HPCC kernels by name: from a memory size (Table 1's MB, read as MiB)
// to a program, the size it really uses and the checks it made.
import type { ProgramDef } from '../experiment.ts';
import { hpcc_image, type KernelSize, type Mode, type SelfCheck } from './common.ts';
import { dgemm_describe, dgemm_program, dgemm_size } from './dgemm.ts';
import { fft_describe, fft_log2_size, fft_program } from './fft.ts';
import { ra_describe, ra_log2_size, ra_program } from './randomaccess.ts';
import { stream_describe, stream_program, stream_size } from './stream.ts';
import { hog_describe, hog_program, type HogParams } from './hog.ts';

export const HPCC_KERNELS = ['stream', 'dgemm', 'randomaccess', 'fft'] as const;
export type HpccKernel = (typeof HPCC_KERNELS)[number];
/** Every program the cluster runs: the HPCC kernels and hog (hog.ts), a CPU-bound job of a stated length. */
export const KERNELS = [...HPCC_KERNELS, 'hog'] as const;
export type Kernel = (typeof KERNELS)[number];

export interface HpccParams {
  kernel: Kernel;
  /** Memory size of the problem, MiB. */
  mib: number;
  mode: Mode;
  /** DGEMM only: work on matrices of this size inside the allocation (paper §5.6). */
  working_set_mib?: number;
  /** hog only: CPU demand of its sweep on a speed-1 node, s (default 1). */
  cpu_s?: number;
  /** hog only: CPU per page swept (default hog.ts's) and a getpid every this much CPU, ns. */
  hog?: Pick<HogParams, 'ns_per_page' | 'syscall_every_ns'>;
}

export interface HpccProgram extends ProgramDef {
  size: KernelSize;
  mode: Mode;
}

const MiB = 1 << 20;

/** Why a size cannot be run, or null. */
function too_small(kernel: Kernel, mib: number): string | null {
  const min: Record<Kernel, number> = { stream: 24 / MiB, dgemm: 48 / MiB, randomaccess: 1024 / MiB, fft: 512 / MiB, hog: 1 / MiB };
  return mib < min[kernel] ? `--mib ${mib} is too small for ${kernel} (at least ${(min[kernel] * MiB).toFixed(0)} bytes)` : null;
}

export function make_hpcc(p: HpccParams): HpccProgram {
  const mem_B = Math.floor(p.mib * MiB);
  const bad = too_small(p.kernel, p.mib);
  if (bad) throw new RangeError(bad);
  if (p.working_set_mib !== undefined && p.kernel !== 'dgemm') throw new RangeError(`a working set applies to dgemm only, not ${p.kernel}`);
  if ((p.cpu_s !== undefined || p.hog) && p.kernel !== 'hog') throw new RangeError(`a CPU demand applies to hog only, not ${p.kernel}`);
  const checks: SelfCheck[] = [];
  let gen: ProgramDef['gen'];
  let size: KernelSize;
  switch (p.kernel) {
    case 'stream': {
      const n = stream_size(mem_B);
      gen = stream_program(n, p.mode, checks);
      size = stream_describe(n);
      break;
    }
    case 'dgemm': {
      const n_alloc = dgemm_size(mem_B);
      const ws = p.working_set_mib ?? p.mib;
      if (!(ws > 0 && ws <= p.mib)) throw new RangeError(`--working-set ${ws} must be more than 0 and at most --mib ${p.mib}`);
      const n = Math.max(1, dgemm_size(Math.floor(ws * MiB)));
      gen = dgemm_program(n_alloc, n, p.mode, checks);
      size = dgemm_describe(n_alloc, n);
      break;
    }
    case 'randomaccess': {
      const k = ra_log2_size(mem_B);
      gen = ra_program(k, p.mode, checks);
      size = ra_describe(k);
      break;
    }
    case 'fft': {
      const m = fft_log2_size(mem_B);
      gen = fft_program(m, p.mode, checks);
      size = fft_describe(m);
      break;
    }
    case 'hog': {
      const cpu_s = p.cpu_s ?? 1;
      if (!(cpu_s >= 0 && Number.isFinite(cpu_s))) throw new RangeError(`a hog's CPU demand must be a number of seconds >= 0, got ${cpu_s}`);
      const hp: HogParams = { ws_B: mem_B, cpu_ns: Math.round(cpu_s * 1e9), ...p.hog };
      gen = hog_program(hp, p.mode, checks);
      size = hog_describe(hp);
      break;
    }
  }
  return {
    name: p.kernel,
    image: hpcc_image(p.kernel),
    gen,
    size,
    mode: p.mode,
    // HPCC's own verification runs in exact mode only; a run that never got
    // there (killed, stopped) fails it.
    checks: () =>
      p.mode !== 'exact'
        ? []
        : checks.length > 0
          ? checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail }))
          : [{ name: p.kernel === 'hog' ? 'hog-pages' : `hpcc-${p.kernel}-verification`, ok: false, detail: 'the program did not reach its check' }],
  };
}
