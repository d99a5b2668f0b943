// vma-ra: today's Linux VMA-based swap readahead, behind the remote-page hook.
//
// What it mirrors (mm/swap_state.c, mm/memory.c):
// - do_swap_page: a page found in the swap cache (swap_cache_get_folio, then
//   swap_update_readahead; lookup_swap_cache before 6.x) runs no readahead;
//   it stores the fault address in the VMA's swap_readahead_info, keeps the
//   window, and adds one hit if PG_readahead was set (cleared now, so a
//   prefetched page counts once), hits capped at SWAP_RA_HITS_MAX (63 with
//   4 KiB pages). A miss runs swap_vma_readahead.
// - swap_vma_ra_win: max_win = 1 << min(page_cluster, SWAP_RA_ORDER_CEILING),
//   SWAP_RA_ORDER_CEILING being 3 on 32-bit (5 on 64-bit): 8 pages here.
//   win = __swapin_nr_pages(prev fault, this fault, hits, max_win, prev win);
//   the VMA then holds (this fault, win, 0 hits). win 1: no readahead.
// - __swapin_nr_pages: pages = hits + 2; if that is 2, it stays 2 only when
//   the fault is next to the previous one (+-1 page), else 1; otherwise it is
//   rounded up to a power of two, at least 4; capped at max_win; and never
//   below half the previous window ("don't shrink readahead too fast").
// - GET_SWAP_RA_VAL: a VMA that has no readahead state yet reads as 4 hits,
//   window 0, previous fault at address 0, so its first window is
//   roundup(4 + 2) = 8 (capped at max_win).
// - Placement: after a fault at prev + 1 the window starts at the fault
//   (forward); after one at prev - 1 it ends at the fault (backward);
//   otherwise it starts (win - 1) / 2 pages before it (centred). Then it is
//   clamped to the VMA and to the page-table page (PMD) that maps the fault:
//   on i386 without PAE the PMD is folded into the 4 MiB page directory
//   entry, 1024 pages.
// - swap_vma_readahead reads every swap PTE in [start, end) and skips (does
//   not stop at) the rest; the faulting page is read after, not marked.
//
// Mapping to omemu, and choices the sources leave open:
// - A swap PTE is a page ctx.wanted accepts: held remotely and neither
//   local, arrived nor in flight. Others are skipped, as in Linux.
// - Per-VMA state is kept by the VMA's first page. A VMA whose start moves
//   (a stack growing down) starts afresh, where Linux keeps the struct.
// - Prefetched pages are installed on touch (the swap cache), so each first
//   use is a minor fault that carries ctx.hit, which the window needs.
// - Cost: a few ops for the window and one per page of the window examined;
//   one for a hit. A new VMA costs a table entry (allocated then, not per fault).
import { need_fault_ctx, PAGE_CLUSTER, register_prefetcher, type PrefetchCtx, type Prefetcher } from './prefetch.ts';

/** SWAP_RA_ORDER_CEILING on 32-bit kernels (the emulated i386). */
export const SWAP_RA_ORDER_CEILING = 3;
/** SWAP_RA_HITS_MAX: hits live in PAGE_SHIFT / 2 = 6 bits of swap_readahead_info. */
export const SWAP_RA_HITS_MAX = 63;
/** GET_SWAP_RA_VAL's value for a VMA with no state yet: 4 hits. */
export const SWAP_RA_INITIAL_HITS = 4;
/** Pages mapped by one page-table page (PMD_SIZE / PAGE_SIZE on i386 without PAE). */
export const PTRS_PER_PTE = 1024;

/**
 * __swapin_nr_pages: the readahead window from the hits since the last
 * readahead. shrink_to_1 false is Leap's change (no drop to 1 page).
 */
export function __swapin_nr_pages(prev_offset: number, offset: number, hits: number, max_pages: number, prev_win: number, shrink_to_1 = true): number {
  let pages = hits + 2;
  if (pages === 2 && shrink_to_1) {
    if (offset !== prev_offset + 1 && offset !== prev_offset - 1) pages = 1;
  } else {
    let roundup = 4;
    while (roundup < pages) roundup <<= 1;
    pages = roundup;
  }
  if (pages > max_pages) pages = max_pages;
  const last_ra = prev_win >> 1;
  if (pages < last_ra) pages = last_ra;
  return pages;
}

export const PLACE_NONE = 0;
export const PLACE_FORWARD = 1;
export const PLACE_BACKWARD = 2;
export const PLACE_CENTRED = 3;
export const PLACEMENTS = ['none', 'forward', 'backward', 'centred'] as const;

export class VmaRa implements Prefetcher {
  readonly name = 'vma-ra';
  readonly install = 'on-touch';
  readonly max_win = 1 << Math.min(PAGE_CLUSTER, SWAP_RA_ORDER_CEILING);
  readonly max_zone = this.max_win - 1;
  analysis_ops = 0;
  ra_hits = 0;
  // swap_readahead_info of each VMA seen, by slot.
  private readonly slot_of = new Map<number, number>();
  private prev = new Float64Array(8);
  private win = new Int32Array(8);
  private hits = new Int32Array(8);
  // The last readahead, for `omemu explain` (plain fields).
  ran = false;
  last_prev = -1;
  last_prev_win = 0;
  last_hits = 0;
  last_win = 0;
  placement = PLACE_NONE;
  /** The window before and after clamping to the VMA and the PMD, [left, right). */
  left = 0;
  right = 0;
  start = 0;
  end = 0;

  /** The VMA's readahead state: its slot, created (GET_SWAP_RA_VAL's 4 hits) on first sight. */
  private slot(vma_start: number): number {
    const s = this.slot_of.get(vma_start);
    if (s !== undefined) return s;
    const n = this.slot_of.size;
    if (n === this.prev.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
      this.prev = grow(this.prev, new Float64Array(2 * n));
      this.win = grow(this.win, new Int32Array(2 * n));
      this.hits = grow(this.hits, new Int32Array(2 * n));
    }
    this.prev[n] = 0;
    this.win[n] = 0;
    this.hits[n] = SWAP_RA_INITIAL_HITS;
    this.slot_of.set(vma_start, n);
    return n;
  }

  /** The state of the VMA starting at vma_start: previous fault, window, hits (for explain and tests). */
  state(vma_start: number): { prev: number; win: number; hits: number } {
    const s = this.slot(vma_start);
    return { prev: this.prev[s]!, win: this.win[s]!, hits: this.hits[s]! };
  }

  on_fault(ctx: PrefetchCtx, out: Int32Array): number {
    need_fault_ctx(ctx, this.name);
    this.ran = false;
    const s = this.slot(ctx.vma_start);
    if (!ctx.miss) {
      // swap_update_readahead: the fault address moves, the window stays.
      this.analysis_ops++;
      if (ctx.hit) {
        this.ra_hits++;
        if (this.hits[s]! < SWAP_RA_HITS_MAX) this.hits[s]!++;
      }
      this.prev[s] = ctx.vpn;
      return 0;
    }
    return this.swap_vma_readahead(s, ctx, out);
  }

  /** swap_vma_ra_win, then the read of the window's swap PTEs. */
  private swap_vma_readahead(s: number, ctx: Required<PrefetchCtx>, out: Int32Array): number {
    const vpn = ctx.vpn;
    const prev = this.prev[s]!;
    this.ran = true;
    this.last_prev = prev;
    this.last_prev_win = this.win[s]!;
    this.last_hits = this.hits[s]!;
    const win = __swapin_nr_pages(prev, vpn, this.hits[s]!, this.max_win, this.win[s]!);
    this.analysis_ops += 4;
    this.prev[s] = vpn;
    this.win[s] = win;
    this.hits[s] = 0;
    this.last_win = win;
    this.placement = PLACE_NONE;
    if (win === 1) return 0;
    let left: number;
    if (vpn === prev + 1) {
      left = vpn;
      this.placement = PLACE_FORWARD;
    } else if (prev === vpn + 1) {
      left = vpn - win + 1;
      this.placement = PLACE_BACKWARD;
    } else {
      left = vpn - ((win - 1) >> 1);
      this.placement = PLACE_CENTRED;
    }
    const right = left + win;
    if (left < 0) left = 0;
    const pmd = vpn - (vpn % PTRS_PER_PTE);
    this.left = left;
    this.right = right;
    this.start = Math.max(left, ctx.vma_start, pmd);
    this.end = Math.min(right, ctx.vma_end, pmd + PTRS_PER_PTE);
    let n = 0;
    for (let v = this.start; v < this.end; v++) {
      this.analysis_ops++;
      if (v !== vpn && n < out.length && ctx.wanted(v)) out[n++] = v;
    }
    return n;
  }
}

register_prefetcher('vma-ra', () => new VmaRa());
