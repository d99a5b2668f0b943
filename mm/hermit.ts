// hermit: Hermit's prefetch (Qiao et al., "Hermit: Low-Latency,
// High-Throughput, and Transparent Remote Memory via Feedback-Directed
// Asynchrony", NSDI 2023), behind the remote-page hook.
//
// What it adds to omemu: a prefetch window steered by feedback. Hermit
// issues prefetches only on the fault path of a miss, after the demand
// read has left and while it is in flight (so prefetching never delays the
// faulting page and costs nothing on a hit), and sizes each prefetch from
// what the previous ones achieved: the window grows while prefetched pages
// are used and shrinks when they are wasted. Leap and Canvas instead take
// the window from Linux's readahead-hit count, capped at 8.
//
// The rule here, derived from that description (the paper gives no worked
// example):
// - Demand first (Prefetcher.demand_first): the faulting page leaves in a
//   request of its own, the prefetch in a second one. That the demand's
//   reply also overtakes prefetched pages already queued on the wire is
//   the network's part (the strict-priority band of `--preempt`).
// - Nothing is prefetched at a hit (a prefetched page's first use): only a
//   miss has a demand in flight.
// - At a miss, the hits since the previous miss are measured against the
//   pages that miss prefetched: all used (hits >= issued) doubles the
//   window, fewer than half used halves it, between keeps it. The window
//   (pages prefetched, the faulting page not counted) starts at
//   HERMIT_WIN0 and stays within [HERMIT_WIN_MIN, HERMIT_WIN_MAX].
// - Which pages: the trend the majority of the recent faults agree on, as
//   Leap finds it (mm/leap.ts, the detector Canvas uses too), else the
//   aligned block around the fault. The detector is not Hermit's
//   contribution; the window is.
// - Prefetched pages are installed on touch (the swap cache), so a first
//   use is a minor fault that carries ctx.hit, which the feedback counts.
import { register_prefetcher, type PrefetchCtx } from './prefetch.ts';
import { Leap } from './leap.ts';

export const HERMIT_WIN0 = 4;
export const HERMIT_WIN_MIN = 1;
export const HERMIT_WIN_MAX = 32;

export class Hermit extends Leap {
  override readonly name: string = 'hermit';
  override readonly max_zone = HERMIT_WIN_MAX;
  readonly demand_first = true;
  /** Pages the next miss may prefetch. */
  window = HERMIT_WIN0;
  /** Pages the previous miss asked for (the feedback's denominator). */
  issued = 0;

  protected override swapin_readahead(ctx: Required<PrefetchCtx>, out: Int32Array): number {
    const used = this.hits;
    this.win_hits = used;
    this.hits = 0;
    this.analysis_ops += 3;
    if (this.issued > 0) {
      if (used >= this.issued) this.window = Math.min(2 * this.window, HERMIT_WIN_MAX);
      else if (2 * used < this.issued) this.window = Math.max(this.window >> 1, HERMIT_WIN_MIN);
    }
    this.issued = this.trend_readahead(ctx, out, this.window + 1);
    return this.issued;
  }
}

register_prefetcher('hermit', () => new Hermit());
