// The HPCC kernels' page order and CPU time, step by step, against walks of
// their loop nests written here element by element from the loops as the
// kernels' headers describe them (not from the kernels' listing code). Every
// step must list its pages in the order its loop first reaches them, each
// after the work the loop does before reaching it, and charge the rest of
// the step's work after its last page.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import type { CpuModel } from '../../kernel/cpu.ts';
import { REF_R, REF_W, REF_X, type Op } from '../../kernel/op.ts';
import { __NR_brk, __NR_mmap } from '../../kernel/syscalls.ts';
import type { TaskView } from '../../kernel/task.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { make_profile } from '../../net/profiles.ts';
import { run_experiment } from '../../userland/experiment.ts';
import { hpcc_image } from '../../userland/hpcc/common.ts';
import { HPCC_COSTS_NS } from '../../userland/hpcc/costs.ts';
import { dgemm_program } from '../../userland/hpcc/dgemm.ts';
import { fft_program } from '../../userland/hpcc/fft.ts';
import { ra_program, ra_replay } from '../../userland/hpcc/randomaccess.ts';
import { stream_program } from '../../userland/hpcc/stream.ts';

/** One step: its cost class, its pages at first reference with the work (units) done before each, its whole work. */
interface Step {
  cls: string;
  refs: number[];
  at: number[];
  total: number;
  /** A model step not walked (large sizes sample their steps): only class and work are compared. */
  skipped?: boolean;
}

const enc = (addr: number, kind: number): number => Math.floor(addr / PAGE_SIZE) * 4 + kind;
const show = (r: number): string => `${'RWX'[r & 3]} 0x${Math.floor(r / 4).toString(16)}`;

// ---- what the kernel did ----

interface Recording {
  steps: Step[];
  /** mmap return values in call order (the arrays' bases), and the brk heap's start. */
  mmaps: number[];
  heap: number;
}

function class_name(cpu: CpuModel, id: number): string {
  for (const name of Object.keys(HPCC_COSTS_NS)) if (cpu.id(`hpcc_${name}`) === id) return name;
  return `class ${id}`;
}

/**
 * Run a program (no migration) and keep each step's data pages at first
 * reference with the work before each (pre_ns over the class's ns a unit,
 * summed), after checking the step starts with its code, frame and globals.
 */
function record(gen: (task: TaskView) => Iterator<Op, unknown, number>): Recording {
  const rec: Recording = { steps: [], mmaps: [], heap: -1 };
  let last: Op | undefined;
  const program = {
    name: 'order',
    image: hpcc_image('order'),
    gen: (task: TaskView) => {
      const it = gen(task);
      return {
        next(v: number) {
          if (last?.kind === 'sys' && last.nr === __NR_mmap) rec.mmaps.push(v);
          if (last?.kind === 'sys' && last.nr === __NR_brk && last.args[0] === 0) rec.heap = v;
          const r = it.next(v);
          last = r.done ? undefined : (r.value as Op);
          if (last?.kind === 'refs') {
            const op = last;
            const cpu = task.node.cpu;
            const ns = cpu.ns_per_unit[op.cls]!;
            assert.ok(op.n >= 3, 'a step has its code, frame and globals');
            assert.equal([op.refs[0]! & 3, op.refs[1]! & 3, op.refs[2]! & 3], [REF_X, REF_W, REF_R], 'a step starts with its code, frame and globals');
            const step: Step = { cls: class_name(cpu, op.cls), refs: [], at: [], total: 0 };
            const seen = new Set<number>();
            let t = 0;
            for (let i = 0; i < op.n; i++) {
              t += (op.pre_ns?.[i] ?? 0) / ns;
              if (i < 3 || seen.has(op.refs[i]! >>> 2)) continue;
              seen.add(op.refs[i]! >>> 2);
              step.refs.push(op.refs[i]!);
              step.at.push(t);
            }
            step.total = t + op.units;
            rec.steps.push(step);
          }
          return r;
        },
      };
    },
  };
  const res = run_experiment({ program, scheme: 'openmosix', profile: make_profile('fast-ethernet'), node_mem_B: 64 << 20, migrate_at: null });
  assert.is(res.exit_code, 0, res.exit_reason);
  return rec;
}

// ---- what the loops do ----

/** A model's steps: each element access the loop makes, with the work done before it. */
class Walk {
  readonly steps: Step[] = [];
  private seen = new Set<number>();
  step(cls: string, total: number, walked = true): void {
    this.steps.push({ cls, refs: [], at: [], total, skipped: !walked });
    this.seen.clear();
  }
  touch(addr: number, kind: number, at: number): void {
    const vpn = Math.floor(addr / PAGE_SIZE);
    if (this.seen.has(vpn)) return;
    this.seen.add(vpn);
    const s = this.steps[this.steps.length - 1]!;
    s.refs.push(enc(addr, kind));
    s.at.push(at);
  }
}

/** HPCC's setup loop: element i of an array written in order, 64 pages a step. */
function walk_fill(w: Walk, base: number, count: number, elem_B: number, cls: string, per_elem: number): void {
  const npages = Math.ceil((count * elem_B) / PAGE_SIZE);
  for (let p0 = 0; p0 < npages; p0 += 64) {
    const p1 = Math.min(npages, p0 + 64);
    const e0 = Math.ceil((p0 * PAGE_SIZE) / elem_B);
    const e1 = Math.min(count, Math.ceil((p1 * PAGE_SIZE) / elem_B));
    w.step(cls, (e1 - e0) * per_elem);
    for (let i = e0; i < e1; i++) w.touch(base + i * elem_B, REF_W, (i - e0) * per_elem);
  }
}

/** The verify read: every page once, a page of traffic each, 2048 pages a step (or page p of each region together), then the verdict. */
function walk_verify(w: Walk, regions: [number, number][], heap: number, together: boolean): void {
  const pages = (s: number, len: number): number[] => {
    const out: number[] = [];
    for (let a = s - (s % PAGE_SIZE); a < s + len; a += PAGE_SIZE) out.push(a);
    return out;
  };
  const groups: number[][] = [];
  if (together) {
    const per = regions.map(([s, len]) => pages(s, len));
    for (let p = 0; p < per[0]!.length; p++) groups.push(per.map((r) => r[p]!));
  } else for (const [s, len] of regions) for (const a of pages(s, len)) groups.push([a]);
  const width = together ? regions.length : 1;
  const per_step = Math.floor(2048 / width);
  for (let g0 = 0; g0 < groups.length; g0 += per_step) {
    const g1 = Math.min(groups.length, g0 + per_step);
    w.step('mem_B', (g1 - g0) * width * PAGE_SIZE);
    for (let g = g0; g < g1; g++) for (const a of groups[g]!) w.touch(a, REF_R, (g - g0) * width * PAGE_SIZE);
    if (g1 === groups.length) w.touch(heap, REF_W, (g1 - g0) * width * PAGE_SIZE);
  }
}

function walk_dgemm(n_alloc: number, n: number, [A, B, C]: number[], heap: number, walked: (s: number) => boolean): Walk {
  const w = new Walk();
  for (const base of [A!, B!, C!]) walk_fill(w, base, n_alloc * n_alloc, 8, 'gen_elem', 1);
  // C = 0.5 A B + 0.5 C, column-major with leading dimension n: for a block
  // of 32 columns of C, for a panel of 32 columns of A, for each column j:
  // (when the panel is the first) C(i,j) *= beta for each i, one flop; then
  // for each l of the panel, t = alpha B(l,j), and for each i C(i,j) += t
  // A(i,l), loading C(i,j) and then A(i,l), two flops.
  const el = (M: number, i: number, j: number): number => M + (i + j * n) * 8;
  let s = 0;
  for (let jb = 0; jb < n; jb += 32) {
    for (let lb = 0; lb < n; lb += 32) {
      const le = Math.min(n, lb + 32);
      for (let j = jb; j < Math.min(n, jb + 32); j++, s++) {
        const beta_flops = lb === 0 ? n : 0;
        w.step('dgemm_flop', beta_flops + 2 * n * (le - lb), walked(s));
        if (!walked(s)) continue;
        let f = 0;
        if (lb === 0) for (let i = 0; i < n; i++, f++) w.touch(el(C!, i, j), REF_W, f);
        for (let l = lb; l < le; l++) {
          w.touch(el(B!, l, j), REF_R, f);
          for (let i = 0; i < n; i++, f += 2) {
            w.touch(el(C!, i, j), REF_W, f);
            w.touch(el(A!, i, l), REF_R, f);
          }
        }
      }
    }
  }
  walk_verify(w, [[A!, n * n * 8], [B!, n * n * 8], [C!, n * n * 8]], heap, false);
  return w;
}

function walk_stream(n: number, [a, b, c]: number[], heap: number): Walk {
  const w = new Walk();
  const npages = Math.ceil((n * 8) / PAGE_SIZE);
  // One loop over i of the arrays, each element loaded (or stored) in the
  // order given, bytes_per_elem of traffic an element, 64 pages a step.
  const pass = (arrs: number[], kinds: number[], bytes_per_elem: number): void => {
    for (let p0 = 0; p0 < npages; p0 += 64) {
      const e0 = p0 * 512;
      const e1 = Math.min(n, (p0 + 64) * 512);
      w.step('mem_B', (e1 - e0) * bytes_per_elem);
      for (let i = e0; i < e1; i++) for (let k = 0; k < arrs.length; k++) w.touch(arrs[k]! + i * 8, kinds[k]!, (i - e0) * bytes_per_elem);
    }
  };
  pass([a!, b!, c!], [REF_W, REF_W, REF_W], 24);
  pass([a!], [REF_W], 16);
  for (let t = 0; t < 10; t++) {
    pass([a!, c!], [REF_R, REF_W], 16); // Copy c = a
    pass([c!, b!], [REF_R, REF_W], 16); // Scale b = s c
    pass([a!, b!, c!], [REF_R, REF_R, REF_W], 24); // Add c = a + b
    pass([b!, c!, a!], [REF_R, REF_R, REF_W], 24); // Triad a = b + s c
  }
  walk_verify(w, [[a!, n * 8], [b!, n * 8], [c!, n * 8]], heap, true);
  return w;
}

function walk_fft(m: number, [X, Y, Wt]: number[], heap: number): Walk {
  const w = new Walk();
  const n = 2 ** m;
  const n1 = 2 ** Math.floor(m / 2);
  const n2 = 2 ** Math.ceil(m / 2);
  walk_fill(w, X!, n, 16, 'gen_elem', 2);
  const tab_n = (n1 + n2) / 2;
  w.step('gen_elem', tab_n);
  for (let i = 0; i < tab_n; i++) w.touch(Wt! + i * 16, REF_W, i);
  // The roots of length L: n2's first in the table, then n1's.
  const roots = (L: number): number => (L === n2 ? Wt! : Wt! + (n2 / 2) * 16);
  // dst (cols x rows) = src^T: 16 x 16 tiles, a row block of src a step,
  // its tiles left to right, each tile row by row: load src[r][c], store
  // dst[c][r], 32 bytes of traffic an element.
  const transpose = (src: number, dst: number, rows: number, cols: number): void => {
    const b = Math.min(16, rows, cols);
    for (let r0 = 0; r0 < rows; r0 += b) {
      w.step('mem_B', b * cols * 32);
      let done = 0;
      for (let c0 = 0; c0 < cols; c0 += b) {
        for (let r = r0; r < r0 + b; r++) {
          for (let c = c0; c < c0 + b; c++, done += 32) {
            w.touch(src + (r * cols + c) * 16, REF_R, done);
            w.touch(dst + (c * rows + r) * 16, REF_W, done);
          }
        }
      }
    }
  };
  // 16 rows a step: load the L/2 roots, then per row load its L elements,
  // transform (5 L log2 L flops, 6 L more with the twiddle), store it back.
  const rows_fft = (arr: number, rows: number, L: number, twiddle: boolean): void => {
    const per = Math.min(16, rows);
    const flops = 5 * L * Math.log2(L) + (twiddle ? 6 * L : 0);
    for (let r0 = 0; r0 < rows; r0 += per) {
      w.step('fft_flop', per * flops);
      for (let i = 0; i < L / 2; i++) w.touch(roots(L) + i * 16, REF_R, 0);
      for (let r = r0; r < r0 + per; r++) for (let i = 0; i < L; i++) w.touch(arr + (r * L + i) * 16, REF_W, (r - r0) * flops);
    }
  };
  const six_step = (src: number, dst: number): void => {
    transpose(src, dst, n2, n1);
    rows_fft(dst, n1, n2, true);
    transpose(dst, src, n1, n2);
    rows_fft(src, n2, n1, false);
    transpose(src, dst, n2, n1);
  };
  six_step(X!, Y!);
  six_step(Y!, X!);
  walk_verify(w, [[X!, n * 16]], heap, false);
  return w;
}

function walk_ra(log2: number, [T]: number[], heap: number): Walk {
  const w = new Walk();
  const size = 2 ** log2;
  walk_fill(w, T!, size, 8, 'mem_B', 8);
  const idx: number[] = [];
  ra_replay(log2, (i) => idx.push(i));
  // 16 rounds of the 128 streams a step, each update one ra_update.
  for (let u0 = 0; u0 < idx.length; u0 += 16 * 128) {
    const u1 = Math.min(idx.length, u0 + 16 * 128);
    w.step('ra_update', u1 - u0);
    for (let u = u0; u < u1; u++) w.touch(T! + idx[u]! * 8, REF_W, u - u0);
  }
  walk_verify(w, [[T!, size * 8]], heap, false);
  return w;
}

// ---- the comparison ----

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/** Step by step: the same class and work, the same pages in the same order, each reached after the same work. */
function compare(what: string, got: Step[], want: Step[]): void {
  assert.is(got.length, want.length, `${what}: number of steps`);
  for (let s = 0; s < want.length; s++) {
    const g = got[s]!;
    const w = want[s]!;
    const where = `${what}, step ${s}`;
    assert.is(g.cls, w.cls, `${where}: cost class`);
    assert.ok(near(g.total, w.total), `${where}: work ${g.total} ${w.cls}, the loop does ${w.total}`);
    if (w.skipped) continue;
    for (let i = 0; i < Math.max(g.refs.length, w.refs.length); i++) {
      const gr = g.refs[i];
      const wr = w.refs[i];
      assert.ok(gr === wr, `${where}, page ${i}: listed ${gr === undefined ? 'nothing' : show(gr)}, the loop reaches ${wr === undefined ? 'nothing' : show(wr)}`);
      assert.ok(near(g.at[i]!, w.at[i]!), `${where}, page ${i} (${show(wr!)}): listed after ${g.at[i]} ${w.cls}, the loop reaches it after ${w.at[i]}`);
    }
  }
}

const cfg = { numRuns: 8 };

test('DGEMM: each step lists its pages as the loop nest reaches them, after the flops before each', () => {
  check(
    fc.property(fc.integer({ min: 1, max: 560 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 1e6 }), (n_alloc, ws_pct, sample) => {
      const n = Math.max(1, Math.round((n_alloc * ws_pct) / 100));
      const rec = record(dgemm_program(n_alloc, n, 'fast', []));
      // Large sizes walk a sample of about 150 steps (always the first of every panel row).
      const steps = n * Math.ceil(n / 32);
      const walked = (s: number): boolean => steps <= 400 || s % 32 === 0 || (s * 2654435761 + sample) % steps < 120;
      compare(`n=${n} in ${n_alloc}`, rec.steps, walk_dgemm(n_alloc, n, rec.mmaps, rec.heap, walked).steps);
    }),
    cfg,
  );
});

test('DGEMM: a column of C longer than a page meets A\'s first column page by page (n = 530, every step of two panels)', () => {
  const n = 530;
  const rec = record(dgemm_program(n, n, 'fast', []));
  compare('n=530', rec.steps, walk_dgemm(n, n, rec.mmaps, rec.heap, (s) => s < 64 || (s >= 17 * 32 && s < 17 * 32 + 40)).steps);
});

test('STREAM: each step lists its pages as the loop reaches them, after the traffic before each', () => {
  check(
    fc.property(fc.integer({ min: 1, max: 70_000 }), (n) => {
      const rec = record(stream_program(n, 'fast', []));
      compare(`n=${n}`, rec.steps, walk_stream(n, rec.mmaps, rec.heap).steps);
    }),
    cfg,
  );
});

test('FFT: transposes tile by tile and row FFTs row by row, each page after the work before it', () => {
  check(
    fc.property(fc.integer({ min: 4, max: 15 }), (m) => {
      const rec = record(fft_program(m, 'fast', []));
      compare(`m=${m}`, rec.steps, walk_fft(m, rec.mmaps, rec.heap).steps);
    }),
    { ...cfg, numRuns: 12 },
  );
});

test('RandomAccess: each update in loop order, after the updates before it', () => {
  check(
    fc.property(fc.integer({ min: 7, max: 14 }), (log2) => {
      const rec = record(ra_program(log2, 'fast', []));
      compare(`2^${log2} words`, rec.steps, walk_ra(log2, rec.mmaps, rec.heap).steps);
    }),
    cfg,
  );
});

test('the comparison names a step that lists all of C(:,j) before the A panel, as DGEMM used to', () => {
  const n = 300;
  const rec = record(dgemm_program(n, n, 'fast', []));
  const want = walk_dgemm(n, n, rec.mmaps, rec.heap, () => true).steps;
  compare('as recorded', rec.steps, want);
  // Column 1 with the second panel (lb = 32), where C(:,1), which crosses a
  // page boundary, first meets A.
  const k = want.findIndex((st) => st.cls === 'dgemm_flop') + 32 + 1;
  const c0 = Math.floor(rec.mmaps[2]! / PAGE_SIZE);
  const c1 = c0 + Math.ceil((n * n * 8) / PAGE_SIZE);
  const st = rec.steps[k]!;
  const idx = st.refs.map((_, i) => i);
  const in_c = (i: number): boolean => st.refs[i]! >>> 2 >= c0 && st.refs[i]! >>> 2 < c1;
  const others = idx.filter((i) => !in_c(i));
  const old = [others[0]!, ...idx.filter(in_c), ...others.slice(1)]; // B's page, all of C, then A
  const mutated = rec.steps.map((x, i) => (i === k ? { ...x, refs: old.map((j) => x.refs[j]!), at: old.map((j) => x.at[j]!) } : x));
  // uvu's throws() lets its own assertion errors through, so catch by hand.
  let caught = '';
  try {
    compare('old order', mutated, want);
  } catch (e) {
    caught = (e as Error).message;
  }
  assert.match(caught, new RegExp(`^old order, step ${k}, page \\d+: listed W`), 'the comparison names the reordered step');
});

test.run();
