// DGEMM as HPCC 1.5 runs it: C = alpha A B + beta C on n x n column-major
// matrices filled with random values (setup), computed blocked (timed), then
// checked with a random vector against matrices regenerated from the seed.
//
// The blocking is the column-panel order (GEPP with the whole column height
// as the row block): for a block of CB columns of C, for each panel of KB
// columns of A, for each column j of the block, C(:,j) += A(:,panel) B(panel,j).
// A panel is KB whole columns, contiguous in memory, so the first block of C
// reads A front to back; this is also the order the reference dgemm reads A.
//
// The working-set variant (paper §5.6) allocates and fills three matrices of
// the full size but multiplies the leading nw x nw matrices stored at the start
// of each (leading dimension nw), so it touches only part of what it owns.
import type { Op } from '../../kernel/op.ts';
import type { Task } from '../../kernel/task.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { alloc, kernel_start, fill_phase, first_page, gen_f64, last_page, REF_R, REF_W, TEXT_KERNEL, verify_phase, type KernelSize, type Mode, type SelfCheck } from './common.ts';
import { ref } from '../../kernel/op.ts';

export const DGEMM_ALPHA = 0.5;
export const DGEMM_BETA = 0.5;
/** Columns of C a block, columns of A a panel. */
const CB = 32;
const KB = 32;
/** HPCC-style threshold on the scaled residual. */
const RESID_LIMIT = 16;
const SEED_A = 11;
const SEED_B = 12;
const SEED_C = 13;
const SEED_X = 14;

/** n for a memory size: three n x n matrices of doubles, n(n+1) <= mem/24. */
export function dgemm_size(mem_B: number): number {
  return Math.floor(Math.sqrt(mem_B / 8 / 3 + 0.25) - 0.5);
}

export function dgemm_describe(n_alloc: number, n: number): KernelSize {
  const arr = Math.ceil((n_alloc * n_alloc * 8) / PAGE_SIZE) * PAGE_SIZE;
  const ws = Math.ceil((n * n * 8) / PAGE_SIZE) * PAGE_SIZE;
  const problem = n === n_alloc ? `n=${n} (3 matrices)` : `n=${n} working in 3 allocated matrices of n=${n_alloc}`;
  return { problem, used_B: 3 * arr, working_set_B: 3 * ws };
}

/** The program: allocate three n_alloc^2 matrices, work on n x n. */
export function dgemm_program(n_alloc: number, n: number, mode: Mode, out: SelfCheck[]) {
  return function* (task: Task): Generator<Op, void, number> {
    if (!(n >= 1 && n <= n_alloc)) throw new Error(`DGEMM needs 1 <= n <= n_alloc, got n=${n}, n_alloc=${n_alloc}`);
    const k = yield* kernel_start(task, mode);
    const len = n_alloc * n_alloc * 8;
    const A = yield* alloc(len);
    const B = yield* alloc(len);
    const C = yield* alloc(len);
    const col_B = n * 8;

    // Setup: fill each whole matrix, front to back, as HPCC's generator does.
    for (const [base, seed] of [[A, SEED_A], [B, SEED_B], [C, SEED_C]] as const) {
      yield* fill_phase(k, base, n_alloc * n_alloc, 8, 'gen_elem', 1, (m, i) => m.set_f64(base + i * 8, gen_f64(seed, i)));
    }
    yield { kind: 'mark', label: 'setup_done' };

    // Timed: the blocked multiply.
    const panel = new Uint32Array(Math.ceil((KB * col_B) / PAGE_SIZE) + 2);
    for (let jb = 0; jb < n; jb += CB) {
      const je = Math.min(n, jb + CB);
      for (let lb = 0; lb < n; lb += KB) {
        const le = Math.min(n, lb + KB);
        // The A panel's pages, the same for every column of the block.
        let np = 0;
        for (let p = first_page(A + lb * col_B), e = last_page(A + lb * col_B, (le - lb) * col_B); p <= e; p++) panel[np++] = ref(p, REF_R);
        for (let j = jb; j < je; j++) {
          const flops = 2 * n * (le - lb) + (lb === 0 ? n : 0);
          k.step(TEXT_KERNEL, 'dgemm_flop', flops);
          k.pages(B + j * col_B + lb * 8, (le - lb) * 8, REF_R);
          k.pages(C + j * col_B, col_B, REF_W);
          k.b.extend(panel, np);
          yield k.work(() => {
            const m = k.mem!;
            const cj = C + j * col_B;
            if (lb === 0) for (let i = 0; i < n; i++) m.set_f64(cj + i * 8, DGEMM_BETA * m.f64(cj + i * 8));
            for (let l = lb; l < le; l++) {
              const t = DGEMM_ALPHA * m.f64(B + j * col_B + l * 8);
              const al = A + l * col_B;
              for (let i = 0; i < n; i++) m.set_f64(cj + i * 8, m.f64(cj + i * 8) + t * m.f64(al + i * 8));
            }
          });
        }
      }
    }
    yield { kind: 'mark', label: 'timed_done' };

    const ws = n * col_B;
    yield* verify_phase(k, [[A, ws], [B, ws], [C, ws]], () => {
      // y1 = C x from memory; y2 = alpha A0 (B0 x) + beta C0 x from the
      // generator; the residual scales the difference by eps, n and the norms.
      const m = k.mem!;
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = gen_f64(SEED_X, i);
      const y1 = new Float64Array(n);
      const bx = new Float64Array(n);
      const y2 = new Float64Array(n);
      let normA = 0;
      let normB = 0;
      let normC = 0;
      const rowA = new Float64Array(n);
      const rowB = new Float64Array(n);
      const rowC = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const idx = i + j * n;
          y1[i] += m.f64(C + idx * 8) * x[j]!;
          const b0 = gen_f64(SEED_B, idx);
          bx[i] += b0 * x[j]!;
          const c0 = gen_f64(SEED_C, idx);
          y2[i] += DGEMM_BETA * c0 * x[j]!;
          rowA[i] += Math.abs(gen_f64(SEED_A, idx));
          rowB[i] += Math.abs(b0);
          rowC[i] += Math.abs(c0);
        }
      }
      for (let l = 0; l < n; l++) for (let i = 0; i < n; i++) y2[i] += DGEMM_ALPHA * gen_f64(SEED_A, i + l * n) * bx[l]!;
      let err = 0;
      let normX = 0;
      for (let i = 0; i < n; i++) {
        err = Math.max(err, Math.abs(y1[i]! - y2[i]!));
        normA = Math.max(normA, rowA[i]!);
        normB = Math.max(normB, rowB[i]!);
        normC = Math.max(normC, rowC[i]!);
        normX = Math.max(normX, Math.abs(x[i]!));
      }
      const scale = Number.EPSILON * n * (Math.abs(DGEMM_ALPHA) * normA * normB + Math.abs(DGEMM_BETA) * normC) * normX;
      const resid = err / scale;
      out.push({ name: 'hpcc-dgemm-residual', ok: resid < RESID_LIMIT, detail: `scaled residual ${resid.toExponential(3)} (limit ${RESID_LIMIT})` });
    });
  };
}
