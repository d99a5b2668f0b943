// The kernels' earlier timing model, kept for the ablation in REPORT.md
// (issue 17): 'after' charges each step's CPU work after all its page
// references, as the kernels did before their work was spread over their
// references in loop order; 'blocks' is that and DGEMM's earlier page order
// within a step (B's pages, then C's, then A's, where the loop interleaves
// C with A's columns). 'loop' is the model itself. The order of a listing
// that is not the loop's own has no "work before each page", which is why
// 'blocks' cannot keep the spread timing.
import type { RefsOp } from '../../kernel/op.ts';
import { ref_vpn } from '../../kernel/op.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { map_program, type ProgramDef } from '../experiment.ts';

export const KERNEL_MODELS = ['loop', 'after', 'blocks'] as const;
export type KernelModel = (typeof KERNEL_MODELS)[number];

/** A step with its spread work moved after its last reference. */
function bunched(op: RefsOp): RefsOp {
  if (!op.pre_ns) return op;
  let sum = 0;
  for (let i = 0; i < op.n; i++) sum += op.pre_ns[i]!;
  return { ...op, pre_ns: undefined, post_ns: (op.post_ns ?? 0) + sum };
}

/**
 * DGEMM's earlier order within a step: the code, stack and data pages, then
 * the step's pages of B, of C and of A (the three matrices are mapped A, B,
 * C in address order: the three largest VMAs).
 */
function blocks_order(op: RefsOp, mm: MmStruct): RefsOp {
  const mats = [...mm.vmas.list].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 3).sort((a, b) => a.start - b.start);
  if (mats.length < 3) return op;
  const which = (r: number): number => {
    const a = ref_vpn(r) * PAGE_SIZE;
    const i = mats.findIndex((v) => a >= v.start && a < v.end);
    return i < 0 ? 0 : [0, 3, 1, 2][i + 1]!; // others, then B (1), C (2), A (3)
  };
  const refs = Array.from(op.refs.subarray(0, op.n));
  const sorted = refs.map((r, i) => [which(r), i, r] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map((x) => x[2]);
  return { ...op, refs: Uint32Array.from(sorted), n: sorted.length };
}

/** The program under a kernel model ('loop': itself). */
export function with_kernel_model(prog: ProgramDef, model: KernelModel): ProgramDef {
  if (model === 'loop') return prog;
  return map_program(prog, (op, task) => {
    if (op.kind !== 'refs') return op;
    const b = bunched(op);
    return model === 'blocks' && prog.name === 'dgemm' ? blocks_order(b, task.mm as MmStruct) : b;
  });
}
