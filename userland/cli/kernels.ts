// The programs a command can name with --kernel: one list, shared by
// `omemu run`, `omemu trace from-kernel` and the sweeps.
import { STACK_LIMIT_B, TASK_SIZE, TASK_UNMAPPED_BASE } from '../../mm/pgtable.ts';
import type { ProgramDef } from '../experiment.ts';
import type { Mode } from '../hpcc/common.ts';
import { HPCC_KERNELS, make_hpcc, type HpccKernel } from '../hpcc/index.ts';
import { seqtouch } from '../programs/seqtouch.ts';
import { UsageError } from './usage.ts';

export interface KernelArgs {
  mib: number;
  passes: number;
  mode: Mode;
  working_set_mib?: number;
}

/** The marks every HPCC kernel passes. */
export const HPCC_MARKS = ['setup_done', 'timed_done'] as const;

/** Programs `--kernel` can name. */
export const KERNELS: Record<string, (a: KernelArgs) => ProgramDef> = {
  seqtouch: (a) => ({
    name: 'seqtouch',
    image: seqtouch.image,
    gen: seqtouch.program({ size_B: Math.round(a.mib * 1024 * 1024), passes: a.passes }),
    marks: ['setup_done'],
  }),
  ...Object.fromEntries(
    HPCC_KERNELS.map((k) => [k, (a: KernelArgs) => ({
      ...make_hpcc({ kernel: k as HpccKernel, mib: a.mib, mode: a.mode, working_set_mib: a.working_set_mib }),
      marks: HPCC_MARKS,
    })]),
  ),
};

export const KERNEL_NAMES = Object.keys(KERNELS);

/** Bytes of mmap space an i386 process has: from TASK_UNMAPPED_BASE to the stack's reach. */
export const MMAP_SPACE_B = TASK_SIZE - TASK_UNMAPPED_BASE - STACK_LIMIT_B;

/** The program `--kernel name` names, made for these arguments; a bad name or size is the user's error. */
export function make_kernel(name: string, a: KernelArgs): ProgramDef {
  const mk = KERNELS[name];
  if (!mk) throw new UsageError(`--kernel '${name}' is not known (known: ${KERNEL_NAMES.join(', ')})`);
  try {
    return mk(a);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}
