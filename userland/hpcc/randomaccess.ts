// RandomAccess (GUPS) as HPCC 1.5 runs it: a table of 2^k 64-bit words,
// Table[i] = i (setup); 4 x TableSize updates from 128 interleaved streams,
// each started by HPCC_starts, Table[ran & (TableSize - 1)] ^= ran (timed);
// then HPCC's verification: replay every update, which restores the table,
// and count the entries that are not i (at most 1% may be wrong).
//
// The hot loop runs the 64-bit recurrence on 32-bit halves. A step lists
// every update's word in loop order, each after the update before it.
import type { Op } from '../../kernel/op.ts';
import type { TaskView } from '../../kernel/task.ts';
import { PAGE_SHIFT, PAGE_SIZE } from '../../mm/pgtable.ts';
import { alloc, kernel_start, fill_phase, REF_W, TEXT_KERNEL, verify_phase, type KernelCtx, type KernelSize, type Mode, type SelfCheck } from './common.ts';
import { stream_starts } from './ra_rng.ts';
import { ref } from '../../kernel/op.ts';

export const RA_STREAMS = 128;
/** Rounds of 128 updates a step. */
const ROUNDS_PER_STEP = 16;
const UPDATES_PER_STEP = RA_STREAMS * ROUNDS_PER_STEP;

/** log2 of the table size: the largest power of two of 8-byte words in mem_B. */
export function ra_log2_size(mem_B: number): number {
  let k = 0;
  while (8 * 2 ** (k + 1) <= mem_B) k++;
  return k;
}

export function ra_describe(log2: number): KernelSize {
  const b = Math.max(PAGE_SIZE, 8 * 2 ** log2);
  return { problem: `TableSize=2^${log2} words, ${4 * 2 ** log2} updates`, used_B: b, working_set_B: b };
}

/** Run the 128 streams for `updates` updates, calling fn(index, hi, lo) for each (for checks and tests). */
export function ra_replay(log2: number, fn: (idx: number, hi: number, lo: number) => void): void {
  const size = 2 ** log2;
  const nupdate = 4 * size;
  const mask = size - 1;
  const hi = new Int32Array(RA_STREAMS);
  const lo = new Int32Array(RA_STREAMS);
  start_streams(nupdate, hi, lo);
  for (let i = 0; i < nupdate / RA_STREAMS; i++) {
    for (let j = 0; j < RA_STREAMS; j++) {
      const nl = ra_step(hi, lo, j);
      fn(nl & mask, hi[j]!, nl);
    }
  }
}

/** One step of stream j, its 64-bit value kept as halves: ran = (ran << 1) ^ (ran < 0 ? POLY : 0). Returns the new low half. */
function ra_step(hi: Int32Array, lo: Int32Array, j: number): number {
  const h = hi[j]!;
  const l = lo[j]!;
  const nl = (l << 1) ^ (h < 0 ? 7 : 0);
  hi[j] = (h << 1) | (l >>> 31);
  lo[j] = nl;
  return nl;
}

/** Stream j starts at HPCC_starts(nupdate / 128 * j), as HPCC's loop over j calls it (stream_starts says how). */
function start_streams(nupdate: number, hi: Int32Array, lo: Int32Array): void {
  stream_starts(Math.floor(nupdate / RA_STREAMS), hi, lo);
}

/**
 * One step of the timed loop: `rounds` rounds of the 128 streams, each
 * update's word listed in loop order once the updates before it in the step
 * are done (one ra_update each), and, in exact mode, (index, hi, lo) kept in
 * upd for the step's arithmetic. Returns the entries used in upd. Written
 * straight into the batch: it runs for every update.
 */
function list_updates(k: KernelCtx, T: number, mask: number, hi: Int32Array, lo: Int32Array, rounds: number, upd: Int32Array): number {
  const count = rounds * RA_STREAMS;
  const op = k.reserve(count);
  const first = op.n;
  const ns = k.unit_ns();
  const u = k.mem ? ra_list_exact(op.refs, op.pre_ns!, first, T, mask, hi, lo, rounds, ns, upd) : ra_list_fast(op.refs, op.pre_ns!, first, T, mask, hi, lo, rounds, ns);
  op.pre_ns![first] = 0; // the step's first update starts it
  k.listed(first + count, count - 1);
  return u;
}

/**
 * The listing as the loop reads: each update's stream steps, its word's
 * page is referenced after a unit of work, and (index, hi, lo) go to upd.
 * Exact mode runs this (it needs upd); fast mode runs ra_list_fast, which a
 * property checks against it.
 */
export function ra_list_exact(
  refs: Uint32Array, pre: Float64Array, first: number, T: number, mask: number, hi: Int32Array, lo: Int32Array, rounds: number, ns: number, upd: Int32Array,
): number {
  let m = first;
  let u = 0;
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < RA_STREAMS; j++) {
      const nl = ra_step(hi, lo, j);
      const idx = nl & mask;
      refs[m] = ref(Math.floor((T + idx * 8) / PAGE_SIZE), REF_W);
      pre[m++] = ns;
      upd[u++] = idx;
      upd[u++] = hi[j]!;
      upd[u++] = nl;
    }
  }
  return u;
}

/**
 * ra_list_exact for fast mode, which needs no upd: the same references and
 * times, a third of the stores. The step (ra_step) is written out without a
 * branch, and the
 * page is a shift: T is page-aligned (mmap's), so floor((T + 8 idx) / 4096)
 * = T / 4096 + (idx >>> 9), 9 being PAGE_SHIFT - 3. 2^28 updates at 513 MiB make this the hottest
 * loop of the bench.
 */
export function ra_list_fast(refs: Uint32Array, pre: Float64Array, first: number, T: number, mask: number, hi: Int32Array, lo: Int32Array, rounds: number, ns: number): number {
  if (T % PAGE_SIZE !== 0) throw new Error(`RandomAccess table at 0x${T.toString(16)}: not page-aligned`);
  const t_vpn = T / PAGE_SIZE;
  let m = first;
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < RA_STREAMS; j++) {
      const h = hi[j]!;
      const l = lo[j]!;
      // (h < 0 ? 7 : 0) without a branch: the top bit is a coin toss, which
      // the host CPU mispredicts half the time (a third of this loop's time).
      const nl = (l << 1) ^ ((h >> 31) & 7);
      hi[j] = (h << 1) | (l >>> 31);
      lo[j] = nl;
      refs[m] = ref(t_vpn + ((nl & mask) >>> (PAGE_SHIFT - 3)), REF_W);
      pre[m++] = ns;
    }
  }
  return 0;
}

export function ra_program(log2: number, mode: Mode, out: SelfCheck[]) {
  return function* (task: TaskView): Generator<Op, void, number> {
    if (!(log2 >= 7 && log2 <= 27)) throw new Error(`RandomAccess table of 2^${log2} words: the exponent must be 7..27`);
    const k = yield* kernel_start(task, mode);
    const size = 2 ** log2;
    const mask = size - 1;
    const len = size * 8;
    const T = yield* alloc(len);

    // Setup: Table[i] = i.
    yield* fill_phase(k, T, size, 8, 'mem_B', 8, (m, i) => {
      m.set_u32(T + i * 8, i);
      m.set_u32(T + i * 8 + 4, 0);
    });
    yield { kind: 'mark', label: 'setup_done' };

    // Timed: the updates. ran[] lives in the kernel's stack frame.
    const nupdate = 4 * size;
    const hi = new Int32Array(RA_STREAMS);
    const lo = new Int32Array(RA_STREAMS);
    start_streams(nupdate, hi, lo);
    const upd = new Int32Array(3 * UPDATES_PER_STEP);
    const rounds = nupdate / RA_STREAMS;
    for (let i0 = 0; i0 < rounds; i0 += ROUNDS_PER_STEP) {
      const r = Math.min(ROUNDS_PER_STEP, rounds - i0);
      k.step(TEXT_KERNEL, 'ra_update', r * RA_STREAMS);
      const count = list_updates(k, T, mask, hi, lo, r, upd);
      yield k.work(() => {
        const m = k.mem!;
        for (let x = 0; x < count; x += 3) {
          const a = T + upd[x]! * 8;
          m.set_u32(a, m.u32(a) ^ upd[x + 2]!);
          m.set_u32(a + 4, m.u32(a + 4) ^ upd[x + 1]!);
        }
      });
    }
    yield { kind: 'mark', label: 'timed_done' };

    yield* verify_phase(k, [[T, len]], () => {
      const m = k.mem!;
      ra_replay(log2, (idx, h, l) => {
        const a = T + idx * 8;
        m.set_u32(a, m.u32(a) ^ l);
        m.set_u32(a + 4, m.u32(a + 4) ^ h);
      });
      let errors = 0;
      for (let i = 0; i < size; i++) if (m.u32(T + i * 8) !== i || m.u32(T + i * 8 + 4) !== 0) errors++;
      const ok = errors <= 0.01 * size;
      out.push({ name: 'hpcc-randomaccess-verification', ok, detail: `${errors} of ${size} entries wrong (limit 1%)` });
    });
  };
}
