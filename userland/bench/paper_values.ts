// The paper's numbers (Ho, Wang and Lau, "Lightweight Process Migration and
// Memory Prefetching in openMosix", IPDPS 2008), the one copy in this
// repository: the target table (target_table.ts) checks the emulation
// against them and the figures draw them beside omemu's results. The paper
// prints its figures as charts without tables, so only what its text states
// is here; where it states an order or a bound, that is what is kept.
import type { Kernel } from './target_table.ts';

/** The four HPCC kernels in the order the paper shows them. */
export const PAPER_KERNEL_ORDER: Kernel[] = ['dgemm', 'stream', 'randomaccess', 'fft'];

export const PAPER = {
  /** §5.2: freeze time of the 575 MB DGEMM, s. */
  fig5_dgemm575_freeze_s: { openmosix: 53.9, ampom: 0.6, noprefetch: 0.07 },
  /** Abstract: the share of openMosix's freeze AMPoM avoids, %. */
  fig5_freeze_avoided_pct: 98,
  /** §5.3: NoPrefetch's extra execution time over openMosix's at the largest size, %. */
  fig6_noprefetch_over_openmosix_pct: { dgemm: 35, stream: 51, randomaccess: 20, fft: 41 } as Record<Kernel, number>,
  /** Abstract: AMPoM's extra execution time over openMosix's, at most, %. */
  fig6_ampom_over_openmosix_max_pct: 5,
  /** §5.3: AMPoM's extra time on the largest RandomAccess, %. */
  fig6_ampom_over_openmosix_randomaccess_pct: 4,
  /** §5.4: page-fault requests AMPoM prevents against NoPrefetch at the largest size, %. */
  fig7_prevented_pct: { dgemm: 98, stream: 99, randomaccess: 85, fft: 97 } as Record<Kernel, number>,
  /** §5.4: how aggressively AMPoM prefetches (pages per fault), in words: the paper gives no numbers. */
  fig8_words: {
    dgemm: 'considerably fewer than STREAM',
    stream: 'the most aggressive',
    randomaccess: 'the most conservative',
    fft: 'considerably fewer than STREAM',
  } as Record<Kernel, string>,
  /** §5.5: DGEMM 115 MB, AMPoM's execution time as a percentage of openMosix's, by bandwidth (Mb/s). */
  fig9_dgemm115_ampom_pct_of_openmosix: [
    { bandwidth_mbps: 100, pct: 101 },
    { bandwidth_mbps: 6, pct: 108 },
  ],
  /** §5.5: RandomAccess 129 MB on the broadband network: AMPoM faster than NoPrefetch by about this, %. */
  fig9_randomaccess129_ampom_faster_than_noprefetch_pct: 4,
  /** §5.6: DGEMM allocating 575 MB: AMPoM finishes faster than openMosix at the smaller working sets (no numbers). */
  fig10_words: 'AMPoM finishes faster than openMosix',
  /** §5.7: AMPoM's analysis time, % of the execution time: below this in every test... */
  fig11_every_run_below_pct: 0.6,
  /** ...and below this in all but one. */
  fig11_all_but_one_below_pct: 0.25,
};
