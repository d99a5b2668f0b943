// DGEMM as HPCC 1.5 runs it: C = alpha A B + beta C on n x n column-major
// matrices filled with random values (setup), computed blocked (timed), then
// checked with a random vector against matrices regenerated from the seed.
//
// The blocking is the column-panel order (GEPP with the whole column height
// as the row block): for a block of CB columns of C, for each panel of KB
// columns of A, for each column j of the block, C(:,j) += A(:,panel) B(panel,j),
// the step of the emulation. A panel is KB whole columns, contiguous in
// memory, so the first block of C reads A front to back; this is also the
// order the reference dgemm reads A. Within a step the loop is the
// reference dgemm's: for l, t = alpha B(l,j); for i, C(i,j) += t A(i,l), so
// C's pages are reached interleaved with those of A's first column.
//
// The working-set variant (paper §5.6) allocates and fills three matrices of
// the full size but multiplies the leading nw x nw matrices stored at the start
// of each (leading dimension nw), so it touches only part of what it owns.
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { alloc, kernel_start, fill_phase, first_page, gen_f64, last_page, REF_R, REF_W, TEXT_KERNEL, verify_phase, type KernelCtx, type KernelSize, type Mode, type SelfCheck } from './common.ts';
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

/**
 * The pages of one step, column j of C with the panel lb..le of A: when lb
 * = 0, C(:,j) = beta C(:,j) (one flop an element); then for each l of the
 * panel, t = alpha B(l,j) and for each i, C(i,j) += t A(i,l) (two flops,
 * loading C(i,j), then A(i,l)). A page is listed where that loop first
 * reaches it, after the flops done before: column l of the l loop starts
 * 2n(l - lb) flops in, and a page is reached at the element holding its
 * first byte. C's pages all come in the first column of the panel (in the
 * beta loop when lb = 0), interleaved with A's by element; A's columns are
 * contiguous, so its pages come in order, the same for every j.
 */
class Panel {
  /**
   * The panel's A pages in loop order: the reference, where the l loop
   * reaches it (flops from the start of the l loop), the time since the A
   * page before it (at pre_unit_ns a flop), and where each column's pages start.
   */
  private a_ref: Uint32Array;
  private a_at: Float64Array;
  private a_pre: Float64Array;
  private a_col = new Int32Array(KB + 1);
  private pre_unit_ns = -1;
  /** Views of a_ref and a_pre by from * (a_ref.length + 1) + to (copy), for the panel loaded. */
  private readonly views = new Map<number, { ref: Uint32Array; pre: Float64Array }>();
  private lb = 0;
  private le = 0;
  constructor(
    private readonly n: number,
    private readonly col_B: number,
  ) {
    const max = Math.ceil((KB * col_B) / PAGE_SIZE) + 2;
    this.a_ref = new Uint32Array(max);
    this.a_at = new Float64Array(max);
    this.a_pre = new Float64Array(max);
  }

  load(A: number, lb: number, le: number): void {
    this.lb = lb;
    this.le = le;
    let na = 0;
    let last = -1;
    for (let l = lb; l < le; l++) {
      this.a_col[l - lb] = na;
      const al = A + l * this.col_B;
      const first = first_page(al);
      for (let p = Math.max(first, last + 1), e = last_page(al, this.col_B); p <= e; p++) {
        this.a_ref[na] = ref(p, REF_R);
        this.a_at[na++] = 2 * this.n * (l - lb) + 2 * (p === first ? 0 : (p * PAGE_SIZE - al) / 8);
        last = p;
      }
    }
    this.a_col[le - lb] = na;
    this.pre_unit_ns = -1;
    this.views.clear();
  }

  /** List the step of column j; written straight into the batch, since it runs for every reference of the timed phase. */
  list_step(k: KernelCtx, B: number, C: number, j: number): void {
    const { n, lb, le, a_ref, a_at, a_pre, a_col } = this;
    const na = a_col[le - lb]!;
    const ns = k.unit_ns();
    if (ns !== this.pre_unit_ns) {
      for (let x = 1; x < na; x++) a_pre[x] = (a_at[x]! - a_at[x - 1]!) * ns;
      this.pre_unit_ns = ns;
    }
    const base = lb === 0 ? n : 0;
    const cj = C + j * this.col_B;
    const c_first = first_page(cj);
    const c_last = last_page(cj, this.col_B);
    const bj = B + j * this.col_B;
    const op = k.reserve(na + (c_last - c_first + 1) + 2);
    const refs = op.refs;
    const pre = op.pre_ns!;
    let m = op.n;
    let pos = k.position();
    if (lb === 0) {
      for (let p = c_first; p <= c_last; p++) {
        const at = p === c_first ? 0 : (p * PAGE_SIZE - cj) / 8;
        refs[m] = ref(p, REF_W);
        pre[m++] = (at - pos) * ns;
        pos = at;
      }
    }
    // l = lb: B(lb,j), then A's first column, meeting C(:,j) when lb > 0
    // (at each i the loop loads C(i,j), then A(i,lb)).
    refs[m] = ref(first_page(bj + lb * 8), REF_R);
    pre[m++] = (base - pos) * ns;
    pos = base;
    let x = 0;
    const x1 = a_col[1]!;
    if (lb > 0) {
      for (let p = c_first; p <= c_last; p++) {
        const at_c = 2 * (p === c_first ? 0 : (p * PAGE_SIZE - cj) / 8);
        for (; x < x1 && a_at[x]! < at_c; x++) {
          refs[m] = a_ref[x]!;
          pre[m++] = (a_at[x]! - pos) * ns;
          pos = a_at[x]!;
        }
        refs[m] = ref(p, REF_W);
        pre[m++] = (at_c - pos) * ns;
        pos = at_c;
      }
    }
    for (; x < x1; x++) {
      refs[m] = a_ref[x]!;
      pre[m++] = (base + a_at[x]! - pos) * ns;
      pos = base + a_at[x]!;
    }
    // The panel's other columns: A's pages as loaded, and B's next page
    // where column j of B crosses into it (at most once in KB doubles).
    const off = (bj + lb * 8) % PAGE_SIZE;
    const cross = off === 0 ? -1 : lb + (PAGE_SIZE - off) / 8;
    let from = x1;
    if (cross > lb && cross < le) {
      const to = a_col[cross - lb]!;
      m = this.copy(refs, pre, m, from, to, base, pos, ns);
      if (to > from) pos = base + a_at[to - 1]!;
      const f = base + 2 * n * (cross - lb);
      refs[m] = ref(first_page(bj + cross * 8), REF_R);
      pre[m++] = (f - pos) * ns;
      pos = f;
      from = to;
    }
    m = this.copy(refs, pre, m, from, na, base, pos, ns);
    if (na > from) pos = base + a_at[na - 1]!;
    k.listed(m, pos);
  }

  /**
   * Copy A's pages [from, to) to refs/pre at m, the first one timed from
   * pos; returns the new m. The loop it stands for: for x in [from, to),
   * refs[m + x - from] = a_ref[x], pre[...] = a_pre[x]. It copies with
   * set() from views of the panel kept for each (from, to) the steps ask
   * for (a few a panel: where B's column crosses a page decides them), as
   * a new view each time was the largest share of a DGEMM run's garbage and
   * the loop, element by element, most of the time of listing a step.
   */
  private copy(refs: Uint32Array, pre: Float64Array, m: number, from: number, to: number, base: number, pos: number, ns: number): number {
    if (to <= from) return m;
    const key = from * (this.a_ref.length + 1) + to;
    let v = this.views.get(key);
    if (v === undefined) {
      v = { ref: this.a_ref.subarray(from, to), pre: this.a_pre.subarray(from, to) };
      this.views.set(key, v);
    }
    refs.set(v.ref, m);
    pre.set(v.pre, m);
    pre[m] = (base + this.a_at[from]! - pos) * ns;
    return m + to - from;
  }
}

/** The program: allocate three n_alloc^2 matrices, work on n x n. */
export function dgemm_program(n_alloc: number, n: number, mode: Mode, out: SelfCheck[]) {
  return function* (task: TaskView): Generator<Op, void, number> {
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

    // Timed: the blocked multiply, a step per column j of a block and panel.
    const panel = new Panel(n, col_B);
    for (let jb = 0; jb < n; jb += CB) {
      const je = Math.min(n, jb + CB);
      for (let lb = 0; lb < n; lb += KB) {
        const le = Math.min(n, lb + KB);
        panel.load(A, lb, le);
        for (let j = jb; j < je; j++) {
          k.step(TEXT_KERNEL, 'dgemm_flop', (lb === 0 ? n : 0) + 2 * n * (le - lb));
          panel.list_step(k, B, C, j);
          const cj = C + j * col_B;
          const bj = B + j * col_B;
          // The arithmetic, in exact mode only: fast mode makes no closure
          // (n^2 / 32 steps: 1.8 million at 575 MiB, a tenth of its garbage).
          yield k.work(
            k.mem
              ? () => {
                  const m = k.mem!;
                  if (lb === 0) for (let i = 0; i < n; i++) m.set_f64(cj + i * 8, DGEMM_BETA * m.f64(cj + i * 8));
                  for (let l = lb; l < le; l++) {
                    const t = DGEMM_ALPHA * m.f64(bj + l * 8);
                    const al = A + l * col_B;
                    for (let i = 0; i < n; i++) m.set_f64(cj + i * 8, m.f64(cj + i * 8) + t * m.f64(al + i * 8));
                  }
                }
              : undefined,
          );
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
