// STREAM as HPCC 1.5 runs it: three arrays of n doubles, a = 1, b = 2, c = 0,
// a = 2a (setup); then NTIMES rounds of Copy (c = a), Scale (b = s c),
// Add (c = a + b) and Triad (a = b + s c) with s = 0.42 (timed); then the
// check of the final values against the scalar recurrence (verify).
//
// At page level each operation walks its arrays front to back together: at
// element i the loop body reads its operands and stores its result in that
// order, so page p of each array is reached, in that order, when i enters
// it, and the traffic of the page's elements follows before page p + 1.
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { alloc, kernel_start, REF_R, REF_W, TEXT_KERNEL, TEXT_SETUP, verify_phase, type KernelSize, type Mode, type SelfCheck } from './common.ts';

export const STREAM_NTIMES = 10;
export const STREAM_SCALAR = 0.42;
/** HPCC's tolerance on the average relative error of 8-byte results. */
const EPSILON = 1e-13;
/** Pages of each array per step. */
const STEP_PAGES = 64;
const PER_PAGE = PAGE_SIZE / 8;

/** n doubles per array: the largest n with 3 arrays of n doubles in mem_B. */
export function stream_size(mem_B: number): number {
  return Math.floor(mem_B / 3 / 8);
}

export function stream_describe(n: number): KernelSize {
  const arr = Math.ceil((n * 8) / PAGE_SIZE) * PAGE_SIZE;
  return { problem: `n=${n} doubles a vector (3 vectors)`, used_B: 3 * arr, working_set_B: 3 * arr };
}

/** The values every a, b, c element must hold after the timed phase. */
export function stream_expected(): { a: number; b: number; c: number } {
  let a = 1;
  let b = 2;
  let c = 0;
  a = 2 * a;
  for (let k = 0; k < STREAM_NTIMES; k++) {
    c = a;
    b = STREAM_SCALAR * c;
    c = a + b;
    a = b + STREAM_SCALAR * c;
  }
  return { a, b, c };
}

/** The loop body on one element: v[j] holds arrs[j]'s value, written back where its kind is W. */
type Body = (v: Float64Array) => void;

export function stream_program(n: number, mode: Mode, out: SelfCheck[]) {
  return function* (task: TaskView): Generator<Op, void, number> {
    if (n < 1) throw new Error(`STREAM needs n >= 1, got ${n}`);
    const k = yield* kernel_start(task, mode);
    const len = n * 8;
    const a = yield* alloc(len);
    const b = yield* alloc(len);
    const c = yield* alloc(len);
    const npages = Math.ceil(len / PAGE_SIZE);
    const v = new Float64Array(3);

    /**
     * One loop over the arrays `arrs` (touched in that order, with `kinds`):
     * STEP_PAGES element pages a step; in exact mode `body` runs per element.
     */
    function* pass(code: number, arrs: number[], kinds: number[], bytes_per_elem: number, body: Body): Generator<Op, void, number> {
      for (let p0 = 0; p0 < npages; p0 += STEP_PAGES) {
        const p1 = Math.min(npages, p0 + STEP_PAGES);
        const e0 = p0 * PER_PAGE;
        const e1 = Math.min(n, p1 * PER_PAGE);
        k.step(code, 'mem_B', (e1 - e0) * bytes_per_elem);
        for (let p = p0; p < p1; p++) {
          const at = (p * PER_PAGE - e0) * bytes_per_elem;
          for (let j = 0; j < arrs.length; j++) k.at(arrs[j]! + p * PAGE_SIZE, kinds[j]!, at);
        }
        yield k.work(() => {
          const m = k.mem!;
          for (let i = e0; i < e1; i++) {
            for (let j = 0; j < arrs.length; j++) v[j] = m.f64(arrs[j]! + i * 8);
            body(v);
            for (let j = 0; j < arrs.length; j++) if (kinds[j] === REF_W) m.set_f64(arrs[j]! + i * 8, v[j]!);
          }
        });
      }
    }
    const s = STREAM_SCALAR;
    // Setup: initialise (HPCC's loop stores a, b, c together), then a = 2a.
    yield* pass(TEXT_SETUP, [a, b, c], [REF_W, REF_W, REF_W], 24, (x) => x.set([1, 2, 0]));
    yield* pass(TEXT_SETUP, [a], [REF_W], 16, (x) => { x[0] = 2 * x[0]!; });
    yield { kind: 'mark', label: 'setup_done' };
    for (let t = 0; t < STREAM_NTIMES; t++) {
      yield* pass(TEXT_KERNEL, [a, c], [REF_R, REF_W], 16, (x) => { x[1] = x[0]!; }); // Copy: c = a
      yield* pass(TEXT_KERNEL, [c, b], [REF_R, REF_W], 16, (x) => { x[1] = s * x[0]!; }); // Scale: b = s c
      yield* pass(TEXT_KERNEL, [a, b, c], [REF_R, REF_R, REF_W], 24, (x) => { x[2] = x[0]! + x[1]!; }); // Add: c = a + b
      yield* pass(TEXT_KERNEL, [b, c, a], [REF_R, REF_R, REF_W], 24, (x) => { x[2] = x[0]! + s * x[1]!; }); // Triad: a = b + s c
    }
    yield { kind: 'mark', label: 'timed_done' };
    yield* verify_phase(k, [[a, len], [b, len], [c, len]], () => {
      // HPCC's checkSTREAMresults: average absolute error of each array
      // against the recurrence, relative to the expected value.
      const want = stream_expected();
      const m = k.mem!;
      let ea = 0;
      let eb = 0;
      let ec = 0;
      for (let i = 0; i < n; i++) {
        ea += Math.abs(m.f64(a + i * 8) - want.a);
        eb += Math.abs(m.f64(b + i * 8) - want.b);
        ec += Math.abs(m.f64(c + i * 8) - want.c);
      }
      const ra = Math.abs(ea / n / want.a);
      const rb = Math.abs(eb / n / want.b);
      const rc = Math.abs(ec / n / want.c);
      const ok = ra <= EPSILON && rb <= EPSILON && rc <= EPSILON;
      out.push({ name: 'hpcc-stream-validation', ok, detail: `avg rel err a ${ra.toExponential(2)} b ${rb.toExponential(2)} c ${rc.toExponential(2)} (limit ${EPSILON})` });
    }, true); // checkSTREAMresults reads a[i], b[i], c[i] together
  };
}
