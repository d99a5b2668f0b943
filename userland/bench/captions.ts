// What each figure of the bench shows and how to read it: the caption of
// bench-out/index.html and of docs/bench.md. Words only: every number a
// figure shows comes from the records it is drawn from, and the paper's
// from paper_values.ts.
import { PAPER } from './paper_values.ts';

export interface Caption {
  title: string;
  /** What is drawn and how to read it. */
  text: string;
}

export const CAPTIONS: Record<string, Caption> = {
  fig5: {
    title: 'Figure 5: freeze time',
    text:
      'How long each scheme stops the process to migrate it, at every Table 1 size (log scale). openMosix copies every dirty page while the process is frozen, ' +
      'so its freeze grows with the size; AMPoM sends three pages and the master page table (6 bytes a page), NoPrefetch three pages alone. ' +
      "The paper gives numbers for the 575 MB DGEMM only: the hollow diamonds.",
  },
  fig6: {
    title: 'Figure 6: execution time after migration',
    text:
      'Top: execution time from the start of the migration to the end of the timed phase, axis from 0; the dashed line is openMosix\'s time less its freeze, ' +
      'what any scheme would take if migration were free. Bottom: the same over openMosix\'s time (the grey line). ' +
      `The hollow diamonds are the paper's NoPrefetch at the largest sizes and its AMPoM on RandomAccess; the dashed line its bound for AMPoM (at most +${PAPER.fig6_ampom_over_openmosix_max_pct}%).`,
  },
  fig7: {
    title: 'Figure 7: page-fault requests',
    text:
      'Top: requests for a page the process faulted on, AMPoM beside NoPrefetch at each size (bars from 0). ' +
      "Bottom: the share of NoPrefetch's requests AMPoM prevents, against the paper's share at the largest size (hollow diamonds).",
  },
  fig8: {
    title: 'Figure 8: prefetched pages per page fault',
    text:
      'Pages AMPoM asks for beyond the faulting one, per fault that ran its analysis, a panel a kernel on one axis from 0. ' +
      'The paper ranks the kernels in words (STREAM the most, RandomAccess the least) and gives no numbers: each panel quotes it.',
  },
  fig9: {
    title: 'Figure 9: adaptation to the network',
    text:
      "Execution time as a percentage of openMosix's on the same network (the grey line), DGEMM 115 MB and RandomAccess 129 MB, from Fast Ethernet " +
      "down to the paper's broadband profile (6 Mb/s, 2 ms). Each network's two schemes are set apart side by side; the hollow diamonds are the paper's DGEMM values.",
  },
  fig10: {
    title: 'Figure 10: smaller working sets',
    text:
      'DGEMM allocating the largest Table 1 size but multiplying smaller matrices: openMosix still moves every page, the lazy schemes only those the work touches. ' +
      'The dashed line is openMosix\'s time less its freeze. The paper says AMPoM finishes faster and gives no numbers.',
  },
  fig11: {
    title: 'Figure 11: the cost of AMPoM\'s analysis',
    text:
      "Virtual time AMPoM spends finding dependent zones, as a share of the execution time, a panel a kernel on one axis from 0; the dashed lines are the paper's bounds " +
      `(every run below ${PAPER.fig11_every_run_below_pct}%, all but one below ${PAPER.fig11_all_but_one_below_pct}%).`,
  },
  schemes: {
    title: 'Every scheme at the largest sizes',
    text:
      "Beyond the paper: the paper's three schemes, three prefetchers of real systems (linux-ra, vma-ra, leap), pre-copy, post-copy and ampom-push, " +
      "today's far-memory prefetchers (fastswap, canvas, hermit, aifm) and the oracle that knows every page the process will need (the bound), " +
      'each kernel at its largest size: freeze on a log scale, execution time from 0, a line a scheme. A scheme that did not migrate says so in its line.',
  },
  frontier: {
    title: 'The frontier: freeze against runtime',
    text:
      'What each scheme costs the source against what it costs the process, a panel a kernel: top row at its largest size, bottom row at 32 MiB. ' +
      "Across, the freeze on a log scale (the source is rid of the process from the freeze's end); up, the runtime over the compute-only runtime " +
      "(openMosix's runtime less its freeze: every page there when the process resumes), so the dashed line at 1 is the compute-only bound, and the dashed line " +
      "through the oracle's point is the least any scheme that freezes as it does could take. Down and to the left is better: a scheme below and left of another beats it on both. " +
      `The hollow diamond is the paper's AMPoM on DGEMM 575 MB: its freeze (${PAPER.fig5_dgemm575_freeze_s.ampom} s) at its stated bound on the runtime ` +
      `(at most +${PAPER.fig6_ampom_over_openmosix_max_pct}% over openMosix's), put on omemu's openMosix run, since the paper gives no runtimes in seconds; ` +
      "the paper gives AMPoM's freeze for no other kernel, so the other panels mark none. A scheme that did not migrate is named under its panel's title.",
  },
  cluster: {
    title: 'The cluster',
    text:
      "Left: mean slowdown of a Pareto workload on 16 nodes under birth placement and the preemptive balancers. Right: the paper's question, mean bounded slowdown " +
      'against offered load for each balancer and scheme, a panel a size range. Means over seeds, bars their 95% intervals; axes from 1, the slowdown of a process alone.',
  },
};
