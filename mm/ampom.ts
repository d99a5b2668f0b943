// AMPoM, the adaptive prefetcher of Ho, Wang and Lau (IPDPS 2008), §3-4.
//
// Per migrant it keeps a lookback window W of the last l faulting pages
// (consecutive repeats count once) with their fault times T and the CPU
// utilisation C at each. At every fault it:
//  1. finds the stride-d references in W for d = 1..d_max: r_p and the first
//     later r_{p+d} = r_p + 1 within d_max positions (§3.1); stride_d is the
//     number of positions taking part in one;
//  2. scores spatial locality S = sum_d stride_d / (l d)   (Eq. 1);
//  3. sizes the dependent zone N = (c'/c) S r (2 t0 + td + 1/r)   (Eq. 3),
//     r = l / (T_l - T_1), c = mean(C), c' = C_l;
//  4. picks the zone: for each outstanding stream (p + d > l - d) N/m pages
//     from its pivot r_{p+d} + 1 on, a page claimed twice giving its quota
//     to the next page ("saved quota"); with no outstanding stream, the N
//     pages after r_l (Linux-style read-ahead).
// Pages that are local, in flight, outside every VMA or the faulting page
// itself are considered but never requested (ctx.wanted says which).
//
// Choices the paper leaves open, made here and tested:
// - A window that is not full yet uses its k < l entries in place of l.
//   With fewer than 2 entries, or T_k = T_1, there is no rate: N = 0.
// - c = 0 (the task used no CPU over the window) gives c'/c = 1: no
//   evidence that the CPU share is changing.
// - N is rounded to the nearest whole page and capped at MAX_ZONE pages.
// - S can exceed 1 only for contrived windows (a position the target of
//   pairs of two strides); it is clamped to 1, as the paper says S is in [0, 1].
// - Streams are served most recent first; quotas are floor(N/m), the first
//   N mod m streams getting one more.
import { register_prefetcher, type PrefetchCtx, type Prefetcher } from './prefetch.ts';

export const AMPOM_L = 20;
export const AMPOM_DMAX = 4;
/** The most pages one analysis may put in the zone. */
export const MAX_ZONE = 1024;

export interface AmpomParams {
  l?: number;
  d_max?: number;
}

/** The window and the analysis, with every result in preallocated arrays. */
export class AmpomCore {
  readonly l: number;
  readonly d_max: number;
  /** The window in order r_1..r_k (k = count), with T and C. */
  readonly W: Int32Array;
  readonly T: Float64Array;
  readonly C: Float64Array;
  count = 0;
  /** stride_d for d = 1..d_max (index d). */
  readonly stride: Int32Array;
  score = 0;
  /** Outstanding streams: positions p (0-based), strides d and pivots. */
  readonly s_p: Int32Array;
  readonly s_d: Int32Array;
  readonly s_pivot: Int32Array;
  m = 0;
  N = 0;
  /** Times the window has looped since it was created (for infoD's re-measure). */
  loops = 0;
  private filled_since_loop = 0;
  private readonly in_d: Uint8Array;
  private readonly run_lo: Int32Array;
  private readonly run_hi: Int32Array;
  /** Basic steps taken by all analyses so far (the CPU cost model charges them). */
  ops = 0;

  constructor(p: AmpomParams = {}) {
    this.l = p.l ?? AMPOM_L;
    this.d_max = p.d_max ?? AMPOM_DMAX;
    if (!Number.isInteger(this.l) || this.l < 2) throw new Error(`AMPoM window length l must be an integer >= 2, got ${this.l}`);
    if (!Number.isInteger(this.d_max) || this.d_max < 1 || this.d_max >= this.l) {
      throw new Error(`AMPoM d_max must be an integer with 1 <= d_max < l, got ${this.d_max}`);
    }
    this.W = new Int32Array(this.l);
    this.T = new Float64Array(this.l);
    this.C = new Float64Array(this.l);
    this.stride = new Int32Array(this.d_max + 1);
    this.s_p = new Int32Array(this.l);
    this.s_d = new Int32Array(this.l);
    this.s_pivot = new Int32Array(this.l);
    this.in_d = new Uint8Array(this.l * (this.d_max + 1));
    this.run_lo = new Int32Array(this.l);
    this.run_hi = new Int32Array(this.l);
  }

  /** Record a fault. Consecutive repeats of one page count once. */
  record(vpn: number, t: number, c: number): void {
    if (this.count > 0 && this.W[this.count - 1] === vpn) return;
    if (this.count === this.l) {
      this.W.copyWithin(0, 1);
      this.T.copyWithin(0, 1);
      this.C.copyWithin(0, 1);
      this.count--;
    }
    this.W[this.count] = vpn;
    this.T[this.count] = t;
    this.C[this.count] = c;
    this.count++;
    this.ops += this.count;
    if (this.count === this.l && ++this.filled_since_loop >= this.l) {
      this.filled_since_loop = 0;
      this.loops++;
    }
  }

  /** Steps 1-2 and the outstanding streams: stride_d, S, streams, pivots. */
  analyze_locality(): void {
    const k = this.count;
    const W = this.W;
    const dmax = this.d_max;
    this.in_d.fill(0, 0, k * (dmax + 1));
    this.stride.fill(0);
    this.m = 0;
    for (let p = 0; p < k; p++) {
      const want = W[p]! + 1;
      for (let d = 1; d <= dmax && p + d < k; d++) {
        this.ops++;
        if (W[p + d] !== want) continue;
        // The first later r_p + 1: a stride-d reference r_p .. r_{p+d}.
        const a = p * (dmax + 1) + d;
        const b = (p + d) * (dmax + 1) + d;
        if (!this.in_d[a]) {
          this.in_d[a] = 1;
          this.stride[d]!++;
        }
        if (!this.in_d[b]) {
          this.in_d[b] = 1;
          this.stride[d]!++;
        }
        // Outstanding: p + d > l - d, in the paper's 1-based positions.
        if (p + 1 + d > k - d) {
          this.s_p[this.m] = p;
          this.s_d[this.m] = d;
          this.s_pivot[this.m] = want + 1;
          this.m++;
        }
        break;
      }
    }
    let s = 0;
    for (let d = 1; d <= dmax; d++) s += this.stride[d]! / (k * d);
    this.score = k === 0 ? 0 : Math.min(1, s);
  }

  /** Step 3: N from Eq. 3 (times in seconds). */
  zone_size(t0_s: number, td_s: number): number {
    const k = this.count;
    if (k < 2) return (this.N = 0);
    const span = this.T[k - 1]! - this.T[0]!;
    if (!(span > 0)) return (this.N = 0);
    const r = k / span;
    let csum = 0;
    for (let i = 0; i < k; i++) csum += this.C[i]!;
    const c = csum / k;
    const ratio = c > 0 ? this.C[k - 1]! / c : 1;
    const t = 2 * t0_s + td_s + 1 / r;
    const N = ratio * this.score * r * t;
    this.ops += k;
    return (this.N = Math.min(MAX_ZONE, Number.isFinite(N) ? N : 0));
  }

  /**
   * Step 4: the dependent zone for N pages, requestable pages written to out.
   * Returns how many; never more than round(N).
   */
  pick_zone(N: number, wanted: (vpn: number) => boolean, out: Int32Array): number {
    const total = Math.min(MAX_ZONE, Math.round(N));
    if (total <= 0) return 0;
    let n = 0;
    if (this.m === 0) {
      const last = this.W[this.count - 1]!;
      for (let i = 1; i <= total; i++) if (n < out.length && wanted(last + i)) out[n++] = last + i;
      this.ops += total;
      return n;
    }
    // Most recent stream first. What the streams served so far claimed is a
    // union of runs [lo, hi); a page in one costs the next stream no quota.
    // The walk stands for looking at each page in turn from the stream's
    // pivot and, for each, at every run claimed before (runs + 1 steps a
    // page, claimed or not: the analysis's cost); it goes a block at a time,
    // a block of claimed pages or one of unclaimed ones up to the next run,
    // and counts the same steps. tests/mm/ampom.test.ts holds it to the
    // page-at-a-time walk on random windows.
    const base = Math.floor(total / this.m);
    let extra = total - base * this.m;
    let runs = 0;
    for (let j = this.m - 1; j >= 0; j--) {
      let quota = base + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      const lo = this.s_pivot[j]!;
      const per = runs + 1;
      let vpn = lo;
      while (quota > 0) {
        const past = this.claimed_until(vpn, runs);
        if (past > vpn) {
          this.ops += (past - vpn) * per;
          vpn = past;
          continue;
        }
        const end = Math.min(this.next_claimed(vpn, runs), vpn + quota);
        this.ops += (end - vpn) * per;
        quota -= end - vpn;
        for (; vpn < end; vpn++) if (n < out.length && wanted(vpn)) out[n++] = vpn;
      }
      this.run_lo[runs] = lo;
      this.run_hi[runs] = vpn;
      runs++;
    }
    return n;
  }

  /** The first page at or after vpn that none of the first `runs` runs claims. */
  private claimed_until(vpn: number, runs: number): number {
    for (let moved = true; moved; ) {
      moved = false;
      for (let i = 0; i < runs; i++) {
        if (vpn >= this.run_lo[i]! && vpn < this.run_hi[i]!) {
          vpn = this.run_hi[i]!;
          moved = true;
        }
      }
    }
    return vpn;
  }

  /** The first page after vpn (which no run claims) that one of the first `runs` runs claims, or Infinity. */
  private next_claimed(vpn: number, runs: number): number {
    let next = Infinity;
    for (let i = 0; i < runs; i++) {
      const lo = this.run_lo[i]!;
      if (lo > vpn && lo < next && this.run_hi[i]! > lo) next = lo;
    }
    return next;
  }
}

/** The prefetcher behind the remote-page hook. */
export class Ampom implements Prefetcher {
  readonly name = 'ampom';
  readonly core: AmpomCore;
  private last_loops = 0;
  constructor(p: AmpomParams = {}) {
    this.core = new AmpomCore(p);
  }
  get analysis_ops(): number {
    return this.core.ops;
  }
  /** Set when the window looped at the last fault (infoD re-measures then). */
  looped = false;

  private ctx: PrefetchCtx | null = null;
  /** Bound once, so an analysis allocates nothing. */
  private readonly wanted = (v: number): boolean => v !== this.ctx!.vpn && this.ctx!.wanted(v);

  on_fault(ctx: PrefetchCtx, out: Int32Array): number {
    this.ctx = ctx;
    const core = this.core;
    core.record(ctx.vpn, ctx.now_ns / 1e9, ctx.cpu_util);
    this.looped = core.loops !== this.last_loops;
    this.last_loops = core.loops;
    core.analyze_locality();
    const N = core.zone_size(ctx.t0_ns / 1e9, ctx.td_ns / 1e9);
    return core.pick_zone(N, this.wanted, out);
  }
}

register_prefetcher('ampom', () => new Ampom());
