// linux-ra: Linux 2.4's swap readahead, behind the remote-page hook.
//
// What it mirrors (2.4.10 and later):
// - do_swap_page (mm/memory.c): lookup_swap_cache(entry); only when the page
//   is not in the swap cache does it call swapin_readahead(entry) and then
//   read_swap_cache_async(entry) for the faulting page itself.
// - swapin_readahead (mm/memory.c): num = valid_swaphandles(entry, &offset),
//   then read_swap_cache_async() for num entries from offset on.
// - valid_swaphandles (mm/swapfile.c): offset = the faulting offset rounded
//   down to 1 << page_cluster; walk forward from there at most 1 << page_cluster
//   entries, stopping at the first one past the end of the swap area
//   (swapdev->max) or free (swap_map 0) or bad. Holes are not skipped: the
//   walk ends there, even before the faulting entry.
// - page_cluster: swap_setup (mm/swap.c) sets 3 on machines of 16 MB or
//   more, so a cluster is 8 entries. There is no window adaptation and no
//   readahead-hit feedback in 2.4.
//
// Mapping to omemu, and choices the sources leave open:
// - The "swap offset" of a page is its position in its VMA
//   (vpn - vma_start), and swapdev->max is the VMA's end. Swap-out in 2.4
//   (swap_out -> try_to_swap_out) walks a VMA in address order, so adjacent
//   pages of a VMA tend to get adjacent slots; here they always do.
// - 2.4 skips slot 0 of the device (the swap header). Position 0 of a VMA
//   is an ordinary page, so nothing is skipped.
// - "Free slot" is a page that never existed (ctx.exists false): the walk
//   stops there. A page that exists but is local, arrived or in flight is a
//   used slot whose page is already in memory or in the swap cache: the walk
//   goes on past it and it is not requested (ctx.wanted false), as
//   read_swap_cache_async finds it in the cache and reads nothing.
// - The faulting page is part of the cluster but never in the zone (it is
//   requested on its own, as do_swap_page's read_swap_cache_async does).
// - A fault that is not a miss (a swap-cache hit) runs no readahead. Hits are
//   counted (ra_hits) for the reports only; 2.4 itself does not count them.
// - Prefetched pages are installed on touch (the swap cache), so each first
//   use is a minor fault, as in 2.4.
// - Cost: one analysis op per cluster entry examined, one for a hit.
import { need_fault_ctx, PAGE_CLUSTER, RA_MAX_PAGES, register_prefetcher, type PrefetchCtx, type Prefetcher } from './prefetch.ts';

/** Why the last cluster walk ended. */
export const WALK_FULL = 0;
export const WALK_HOLE = 1;
export const WALK_VMA_END = 2;
export const WALK_REASONS = ['cluster full', 'page never existed', 'end of VMA'] as const;

export class LinuxRa implements Prefetcher {
  readonly name: string = 'linux-ra';
  readonly install = 'on-touch';
  readonly max_zone = RA_MAX_PAGES - 1;
  analysis_ops = 0;
  ra_hits = 0;
  // The last readahead, for `omemu explain` (plain fields: nothing allocated).
  /** True when the last fault was a miss and the cluster was walked. */
  ran = false;
  /** The faulting page's swap offset (position in its VMA) and the cluster's first offset. */
  offset = -1;
  base = -1;
  /** valid_swaphandles' count: entries walked before it stopped. */
  valid = 0;
  /** The page the walk stopped at (-1 when the cluster was full) and why (WALK_*). */
  stop_vpn = -1;
  stop_reason = WALK_FULL;

  on_fault(ctx: PrefetchCtx, out: Int32Array): number {
    need_fault_ctx(ctx, this.name);
    this.ran = false;
    if (ctx.hit) this.ra_hits++;
    if (!ctx.miss) {
      this.analysis_ops++;
      return 0;
    }
    return this.swapin_readahead(ctx.vpn, ctx.vma_start, ctx.vma_end, ctx, out);
  }

  /** swapin_readahead + valid_swaphandles: the aligned cluster up to the first hole. */
  private swapin_readahead(vpn: number, vma_start: number, vma_end: number, ctx: Required<PrefetchCtx>, out: Int32Array): number {
    this.ran = true;
    this.offset = vpn - vma_start;
    this.base = (this.offset >> PAGE_CLUSTER) << PAGE_CLUSTER;
    this.stop_vpn = -1;
    this.stop_reason = WALK_FULL;
    let n = 0;
    let valid = 0;
    for (let v = vma_start + this.base; valid < RA_MAX_PAGES; v++, valid++) {
      this.analysis_ops++;
      if (v >= vma_end) {
        this.stop_vpn = v;
        this.stop_reason = WALK_VMA_END;
        break;
      }
      if (!ctx.exists(v)) {
        this.stop_vpn = v;
        this.stop_reason = WALK_HOLE;
        break;
      }
      if (v !== vpn && n < out.length && ctx.wanted(v)) out[n++] = v;
    }
    this.valid = valid;
    return n;
  }
}

register_prefetcher('linux-ra', () => new LinuxRa());
