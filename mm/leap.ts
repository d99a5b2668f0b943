// leap: the majority-trend prefetcher of Leap (Maruf and Chowdhury, USENIX
// ATC 2020), behind the remote-page hook.
//
// What it mirrors (Leap's Linux 4.4 tree, mm/swap_state.c; the paper, §4):
// - log_swap_trend, called from lookup_swap_cache at every swap fault, hit or
//   miss: the history keeps the delta of each fault's page to the previous
//   one, in a ring of Hsize = 32 (init_swap_trend(32) in the authors'
//   example module).
// - find_trend: find_trend_in_region over the newest 8 deltas (Hsize / 4),
//   then 16, then 32, stopping at the first that has a trend.
//   find_trend_in_region is a Boyer-Moore majority vote from the newest delta
//   back, then a count of the candidate: a trend when count > size / 2.
// - swapin_readahead (a miss only): the window is swapin_nr_pages(): the
//   readahead hits since the last readahead plus 2, rounded up to a power of
//   two of at least 4 (with Leap on, a 2 is rounded up too, instead of
//   dropping to 1 on a non-adjacent fault), capped at 1 << page_cluster = 8,
//   and never below half the previous window; the hits start at 4
//   (swapin_readahead_hits = ATOMIC_INIT(4)) and are counted in
//   lookup_swap_cache when PG_readahead is found and cleared.
// - With a trend of delta d and a window of w pages, read offset + k d for
//   k = 0 .. w - 1 (k = 0 is the faulting page). Without one, Linux's usual
//   readahead: the aligned block of w entries around the offset, skipping
//   entries that cannot be read (read_swap_cache_async returns NULL:
//   continue).
//
// Mapping to omemu, and choices the sources leave open:
// - Deltas are between faulting page numbers, across VMAs (Leap's history is
//   one per process here, one per system in Leap). The fallback block is
//   aligned on the page's position in its VMA, as linux-ra's cluster is.
// - Leap's ring starts zeroed, so until it fills, its windows count empty
//   slots as delta 0 (and a "trend" of 0 prefetches nothing). Here a window
//   uses only the deltas logged so far: with k < 8 logged, the newest k
//   (count > k / 2); 16 and 32 are tried only if more are logged than the
//   window before them looked at. The first fault logs no delta.
// - A trend of delta 0 (the same page twice) is a trend that prefetches
//   nothing, as in Leap.
// - Trend pages are kept inside the faulting page's VMA: the walk stops at
//   its edge (swap offsets past a VMA belong to no page of it).
// - Pages ctx.wanted refuses are skipped, not requested.
// - Prefetched pages are installed on touch (the swap cache), so each first
//   use is a minor fault that carries ctx.hit.
// - Cost: one op to log, 2 n for the vote and count over n deltas per window
//   tried, a few for the window, one per zone page examined.
import { need_fault_ctx, PAGE_CLUSTER, RA_MAX_PAGES, register_prefetcher, type PrefetchCtx, type Prefetcher } from './prefetch.ts';
import { __swapin_nr_pages } from './vma_ra.ts';

/** Hsize: deltas kept. */
export const LEAP_HSIZE = 32;
/** The first window searched is Hsize / 4 deltas (8), then doubled up to Hsize. */
export const LEAP_NSPLIT = 4;
/** swapin_readahead_hits starts at 4. */
export const LEAP_INITIAL_HITS = 4;

export const LEAP_NONE = 0;
export const LEAP_TREND = 1;
export const LEAP_FALLBACK = 2;
export const LEAP_MODES = ['none', 'trend', 'readahead'] as const;

export class Leap implements Prefetcher {
  readonly name: string = 'leap';
  readonly install = 'on-touch';
  readonly max_zone = RA_MAX_PAGES - 1;
  analysis_ops = 0;
  ra_hits = 0;
  /** Ring of deltas, head is where the next goes; count = deltas logged (<= Hsize). */
  readonly history = new Int32Array(LEAP_HSIZE);
  head = 0;
  count = 0;
  private last_vpn = -1;
  /** swapin_readahead_hits and last_readahead_pages. */
  hits = LEAP_INITIAL_HITS;
  prev_win = 0;
  // The last readahead, for `omemu explain` (plain fields).
  mode = LEAP_NONE;
  win = 0;
  win_hits = 0;
  /** The majority candidate of the last window searched, its count, that window's length. */
  major_delta = 0;
  major_count = 0;
  depth = 0;
  /** The fallback block's first page. */
  base = -1;

  /** The i-th newest delta (i = 0 is the newest). */
  delta(i: number): number {
    return this.history[(this.head - 1 - i + 2 * LEAP_HSIZE) % LEAP_HSIZE]!;
  }

  /** log_swap_trend. */
  protected log(vpn: number): void {
    this.analysis_ops++;
    if (this.last_vpn >= 0) {
      this.history[this.head] = vpn - this.last_vpn;
      this.head = (this.head + 1) % LEAP_HSIZE;
      if (this.count < LEAP_HSIZE) this.count++;
    }
    this.last_vpn = vpn;
  }

  /** find_trend_in_region over the newest n deltas: Boyer-Moore vote, then the count. */
  private find_trend_in_region(n: number): boolean {
    let cand = this.delta(0);
    let c = 1;
    for (let i = 1; i < n; i++) {
      if (this.delta(i) === cand) c++;
      else if (--c === 0) {
        cand = this.delta(i);
        c = 1;
      }
    }
    let count = 0;
    for (let i = 0; i < n; i++) if (this.delta(i) === cand) count++;
    this.analysis_ops += 2 * n;
    this.major_delta = cand;
    this.major_count = count;
    this.depth = n;
    return count > n / 2;
  }

  /** find_trend: 8, then 16, then 32 deltas (only as many as are logged). */
  find_trend(): boolean {
    this.depth = 0;
    this.major_count = 0;
    let looked = 0;
    for (let size = LEAP_HSIZE / LEAP_NSPLIT; size <= LEAP_HSIZE && looked < this.count; size *= 2) {
      looked = Math.min(size, this.count);
      if (this.find_trend_in_region(looked)) return true;
    }
    return false;
  }

  on_fault(ctx: PrefetchCtx, out: Int32Array): number {
    need_fault_ctx(ctx, this.name);
    this.mode = LEAP_NONE;
    this.log(ctx.vpn);
    if (ctx.hit) {
      this.ra_hits++;
      this.hits++;
    }
    if (!ctx.miss) return 0;
    return this.swapin_readahead(ctx, out);
  }

  protected swapin_readahead(ctx: Required<PrefetchCtx>, out: Int32Array): number {
    // swapin_nr_pages with Leap on: no drop to 1, the hits consumed.
    this.win_hits = this.hits;
    const win = __swapin_nr_pages(0, ctx.vpn, this.hits, 1 << PAGE_CLUSTER, this.prev_win, false);
    this.hits = 0;
    this.prev_win = win;
    this.analysis_ops += 4;
    return this.trend_readahead(ctx, out, win);
  }

  /** Read a window of win pages (the faulting one included): along the trend if there is one, else the aligned block. */
  protected trend_readahead(ctx: Required<PrefetchCtx>, out: Int32Array, win: number): number {
    const vpn = ctx.vpn;
    this.win = win;
    let n = 0;
    if (this.find_trend()) {
      this.mode = LEAP_TREND;
      const d = this.major_delta;
      if (d === 0) return 0;
      for (let k = 1, v = vpn + d; k < win; k++, v += d) {
        this.analysis_ops++;
        if (v < ctx.vma_start || v >= ctx.vma_end) break;
        if (n < out.length && ctx.wanted(v)) out[n++] = v;
      }
      return n;
    }
    // Linux's aligned readahead of the window.
    this.mode = LEAP_FALLBACK;
    const off = vpn - ctx.vma_start;
    this.base = ctx.vma_start + off - (off % win);
    const end = Math.min(this.base + win, ctx.vma_end);
    for (let v = this.base; v < end; v++) {
      this.analysis_ops++;
      if (v !== vpn && n < out.length && ctx.wanted(v)) out[n++] = v;
    }
    return n;
  }
}

register_prefetcher('leap', () => new Leap());
