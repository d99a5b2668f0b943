// FFT as HPCC 1.5 runs it: a 1-D complex transform of n = 2^m points of
// random input (setup), forward (timed), then the inverse and HPCC's error
// check against the regenerated input (verify).
//
// The algorithm is the six-step FFT in the spirit of FFTE: with n = n1 n2 and
// x viewed as n2 rows of n1, transpose, n1 row FFTs of length n2 with the
// twiddle w_n^(j1 k2) folded in, transpose, n2 row FFTs of length n1,
// transpose. Transposes go by 16 x 16 tiles (FFTE's NBLK = 16 for the
// Pentium 4), one row block of the source a step; row FFTs 16 rows a step.
// Each step lists its pages in the order its loop (the exact-mode code
// below, element by element) first reaches them.
// Two arrays (in, out) of n complex doubles and a table of roots of unity.
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { alloc, kernel_start, fill_phase, first_page, gen_f64, last_page, REF_R, REF_W, TEXT_CHECK, TEXT_KERNEL, TEXT_SETUP, verify_phase, type KernelCtx, type KernelSize, type Mode, type SelfCheck } from './common.ts';

const NBLK = 16;
const CPLX_B = 16;
const SEED_RE = 21;
const SEED_IM = 22;
/** HPCC-style threshold on the scaled error. */
const RESID_LIMIT = 16;

/** log2 n: the largest power of two with two arrays of n complex doubles in mem_B. */
export function fft_log2_size(mem_B: number): number {
  let m = 0;
  while (2 * CPLX_B * 2 ** (m + 1) <= mem_B) m++;
  return m;
}

const split = (m: number): [number, number] => [2 ** Math.floor(m / 2), 2 ** Math.ceil(m / 2)];

export function fft_describe(m: number): KernelSize {
  const [n1, n2] = split(m);
  const arr = Math.max(PAGE_SIZE, CPLX_B * 2 ** m);
  const tab = Math.ceil(((n1 + n2) / 2) * CPLX_B / PAGE_SIZE) * PAGE_SIZE;
  return { problem: `n=2^${m} complex points (${n1} x ${n2})`, used_B: 2 * arr + tab, working_set_B: 2 * arr + tab };
}

/** In-place radix-2 FFT of a length-L complex row (re/im interleaved), roots w[k] = e^(sign 2 pi i k / L). */
function fft_row(x: Float64Array, L: number, wr: Float64Array, wi: Float64Array): void {
  for (let i = 1, j = 0; i < L; i++) {
    let bit = L >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = x[2 * i]!; x[2 * i] = x[2 * j]!; x[2 * j] = t;
      t = x[2 * i + 1]!; x[2 * i + 1] = x[2 * j + 1]!; x[2 * j + 1] = t;
    }
  }
  for (let len = 2; len <= L; len <<= 1) {
    const step = L / len;
    const half = len >> 1;
    for (let s = 0; s < L; s += len) {
      for (let k = 0; k < half; k++) {
        const cr = wr[k * step]!;
        const ci = wi[k * step]!;
        const a = 2 * (s + k);
        const b = 2 * (s + k + half);
        const tr = x[b]! * cr - x[b + 1]! * ci;
        const ti = x[b]! * ci + x[b + 1]! * cr;
        x[b] = x[a]! - tr;
        x[b + 1] = x[a + 1]! - ti;
        x[a] = x[a]! + tr;
        x[a + 1] = x[a + 1]! + ti;
      }
    }
  }
}

/**
 * List the pages of one transpose step (rows r0..r0+b of src, every tile
 * left to right, each tile row by row, dst[c][r] = src[r][c]) in the order
 * the copy first reaches them, each after the bytes copied before it (an
 * element copy moves 2 x 16 bytes). The arrays are page-aligned and rows,
 * cols and b powers of two, so a tile row of src and a tile column of dst
 * (b elements from a multiple of b, b x 16 bytes dividing the page) each lie
 * in one page: a tile reaches its dst pages in its first row, after each
 * src row's page. Worked out per tile rather than per element, since this
 * runs over every element of the timed phase.
 */
function transpose_pages(k: KernelCtx, src: number, dst: number, rows: number, cols: number, r0: number, b: number): void {
  if ((src | dst) & (PAGE_SIZE - 1) || (PAGE_SIZE / CPLX_B) % b !== 0) throw new Error('FFT transpose: tiles must not cross pages');
  const copy_B = 2 * CPLX_B;
  k.begin_once();
  for (let c0 = 0, tile_B = 0; c0 < cols; c0 += b, tile_B += b * b * copy_B) {
    k.once(src + (r0 * cols + c0) * CPLX_B, REF_R, tile_B);
    for (let c = c0; c < c0 + b; c++) k.once(dst + (c * rows + r0) * CPLX_B, REF_W, tile_B + (c - c0) * copy_B);
    for (let r = r0 + 1; r < r0 + b; r++) k.once(src + (r * cols + c0) * CPLX_B, REF_R, tile_B + (r - r0) * b * copy_B);
  }
}

export function fft_program(m: number, mode: Mode, out: SelfCheck[]) {
  return function* (task: TaskView): Generator<Op, void, number> {
    if (!(m >= 4 && m <= 25)) throw new Error(`FFT of 2^${m} points: the exponent must be 4..25`);
    const k = yield* kernel_start(task, mode);
    const n = 2 ** m;
    const [n1, n2] = split(m);
    const len = n * CPLX_B;
    const X = yield* alloc(len);
    const Y = yield* alloc(len);
    // Roots of unity: e^(-2 pi i k / n2) for k < n2/2, then e^(-2 pi i k / n1) for k < n1/2.
    const tab_n = (n1 + n2) / 2;
    const Wt = yield* alloc(tab_n * CPLX_B);
    const root_at = (L: number): number => Wt + (L === n2 ? 0 : (n2 / 2) * CPLX_B);

    // Setup: random input, then the root table (HPCC's initialising call).
    yield* fill_phase(k, X, n, CPLX_B, 'gen_elem', 2, (mm, i) => {
      mm.set_f64(X + i * CPLX_B, gen_f64(SEED_RE, i));
      mm.set_f64(X + i * CPLX_B + 8, gen_f64(SEED_IM, i));
    });
    k.step(TEXT_SETUP, 'gen_elem', tab_n);
    k.walk(Wt, CPLX_B, 0, tab_n, REF_W, 0, 1);
    yield k.work(() => {
      const mm = k.mem!;
      for (const L of [n2, n1]) {
        for (let i = 0; i < L / 2; i++) {
          mm.set_f64(root_at(L) + i * CPLX_B, Math.cos((-2 * Math.PI * i) / L));
          mm.set_f64(root_at(L) + i * CPLX_B + 8, Math.sin((-2 * Math.PI * i) / L));
        }
      }
    });
    yield { kind: 'mark', label: 'setup_done' };

    /**
     * dst (cols x rows) = transpose of src (rows x cols), by NBLK x NBLK
     * tiles: a step is one row block of src, its tiles left to right, each
     * tile row by row, dst[c][r] = src[r][c] (see transpose_pages).
     */
    function* transpose(code: number, src: number, dst: number, rows: number, cols: number): Generator<Op, void, number> {
      const b = Math.min(NBLK, rows, cols);
      const copy_B = 2 * CPLX_B;
      for (let r0 = 0; r0 < rows; r0 += b) {
        k.step(code, 'mem_B', b * cols * copy_B);
        transpose_pages(k, src, dst, rows, cols, r0, b);
        yield k.work(() => {
          const mm = k.mem!;
          for (let c0 = 0; c0 < cols; c0 += b) {
            for (let r = r0; r < r0 + b; r++) {
              for (let c = c0; c < c0 + b; c++) {
                const s = src + (r * cols + c) * CPLX_B;
                const d = dst + (c * rows + r) * CPLX_B;
                mm.set_f64(d, mm.f64(s));
                mm.set_f64(d + 8, mm.f64(s + 8));
              }
            }
          }
        });
      }
    }

    /**
     * rows FFTs of length L on arr (rows x L), sign -1 forward / +1 inverse;
     * twiddle multiplies by w_n^(r c). A step reads the L/2 roots, then per
     * row copies the row in (reaching its pages), transforms it and writes
     * it back: a row's pages come after the flops of the rows before it.
     */
    function* row_ffts(code: number, arr: number, rows: number, L: number, sign: number, twiddle: boolean): Generator<Op, void, number> {
      const row = new Float64Array(2 * L);
      const wr = new Float64Array(L / 2);
      const wi = new Float64Array(L / 2);
      const per = Math.min(NBLK, rows);
      const row_flops = 5 * L * Math.log2(L) + (twiddle ? 6 * L : 0);
      const row_B = L * CPLX_B;
      for (let r0 = 0; r0 < rows; r0 += per) {
        k.step(code, 'fft_flop', per * row_flops);
        k.walk(root_at(L), CPLX_B, 0, L / 2, REF_R, 0, 0);
        k.begin_once();
        for (let r = r0; r < r0 + per; r++) {
          const base = arr + r * row_B;
          for (let p = first_page(base), e = last_page(base, row_B); p <= e; p++) k.once(p * PAGE_SIZE, REF_W, (r - r0) * row_flops);
        }
        yield k.work(() => {
          const mm = k.mem!;
          for (let i = 0; i < L / 2; i++) {
            wr[i] = mm.f64(root_at(L) + i * CPLX_B);
            wi[i] = -sign * mm.f64(root_at(L) + i * CPLX_B + 8);
          }
          for (let r = r0; r < r0 + per; r++) {
            const base = arr + r * L * CPLX_B;
            for (let i = 0; i < 2 * L; i++) row[i] = mm.f64(base + i * 8);
            fft_row(row, L, wr, wi);
            for (let c = 0; c < L; c++) {
              let re = row[2 * c]!;
              let im = row[2 * c + 1]!;
              if (twiddle) {
                const ang = (sign * 2 * Math.PI * ((r * c) % n)) / n;
                const tr = Math.cos(ang);
                const ti = Math.sin(ang);
                [re, im] = [re * tr - im * ti, re * ti + im * tr];
              }
              mm.set_f64(base + c * CPLX_B, re);
              mm.set_f64(base + c * CPLX_B + 8, im);
            }
          }
        });
      }
    }

    /** The six steps from src (n2 rows of n1) into dst; src is overwritten. */
    function* six_step(code: number, src: number, dst: number, sign: number): Generator<Op, void, number> {
      yield* transpose(code, src, dst, n2, n1);
      yield* row_ffts(code, dst, n1, n2, sign, true);
      yield* transpose(code, dst, src, n1, n2);
      yield* row_ffts(code, src, n2, n1, sign, false);
      yield* transpose(code, src, dst, n2, n1);
    }

    yield* six_step(TEXT_KERNEL, X, Y, -1);
    yield { kind: 'mark', label: 'timed_done' };
    // HPCC's check: the inverse of the result, scaled by 1/n, against the input.
    yield* six_step(TEXT_CHECK, Y, X, +1);
    yield* verify_phase(k, [[X, len]], () => {
      const mm = k.mem!;
      let err = 0;
      for (let i = 0; i < n; i++) {
        err = Math.max(err, Math.abs(mm.f64(X + i * CPLX_B) / n - gen_f64(SEED_RE, i)), Math.abs(mm.f64(X + i * CPLX_B + 8) / n - gen_f64(SEED_IM, i)));
      }
      const resid = err / (Number.EPSILON * m);
      out.push({ name: 'hpcc-fft-error', ok: resid < RESID_LIMIT, detail: `scaled error ${resid.toExponential(3)} (limit ${RESID_LIMIT})` });
    });
  };
}
