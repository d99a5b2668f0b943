// What a migration is expected to cost the process that moves, one function
// a page-transfer scheme: the time it loses to the move, in ns, as the
// metrics define it (freeze + blocked time: frozen, or waiting for pages
// held on another node afterwards). The balancers (om/balance/) move a
// process only when what it is expected to gain beats this; the cluster's
// JSON prints it beside the cost measured for every migration.
//
// Every number is the model's own or infoD's, never fitted to a result:
// - fixed: om/costs.ts's mig_setup (68 ms, calibrated once from Figure 5's
//   NoPrefetch freeze) on the source's CPU, and three pages on the wire;
// - the wire: the source's line, shared fairly (as TCP shares it) with
//   what the source still has to send for its other migrations and
//   migrants (bytes each, from its own records: om/balance/node.ts). A
//   transfer of S bytes among others that still have R_i to send ends
//   after (S + sum of min(R_i, S)) at the line rate: each other transfer
//   takes an equal share while it lasts. Not infoD's available bandwidth,
//   which is near zero while one lazy migrant pulls its pages and would
//   make every next migration look twenty times dearer than it is; nor
//   the other transfers at full length for the whole of this one, which
//   made a node that had just sent one lazy process wait until its pages
//   had crossed before it could send the next;
// - t0: the one-way latency to the destination, the least infoD measured
//   (the path's own: time spent queued behind the source's other traffic
//   is the sharing above, not to be counted twice);
// - MPT: 6 bytes a page on the wire plus om/costs.ts's mpt_entry at both
//   ends (1.55 us each, calibrated once from Figure 5's AMPoM freeze);
// - the lazy schemes' blocked time: the process wants back the pages it
//   holds. While its pages come slower than it computes through them
//   (cpu_per_page below a page's share of the wire) it waits for the wire:
//   their transfer less the computing it overlaps. The pages the scheme
//   still asks for on demand (the share `miss`) each cost a round trip,
//   which a stream that keeps the wire busy hides behind the pages already
//   on their way: so the process waits for the longer of the two, not
//   their sum (their sum overstated a lone hog's cost by a quarter). For
//   AMPoM `miss` is the mean over the four HPCC kernels of what the
//   bench's Figure 7 shows it still asks for at the largest sizes (17, 8,
//   100 and 49%: 0.44); the Linux-family windows of 8 miss about one page
//   in 8 of a stream and every page of a random walk (three streaming
//   kernels and one random: 0.34), and so does post-copy's address-order
//   push; NoPrefetch asks for every page, one at a time, and overlaps
//   nothing. cpu_per_page is what the process computes between two pages
//   it needs; the balancer says what it takes (om/balance/node.ts).
import type { Policy } from './state.ts';
import { OM_COSTS } from './costs.ts';
import { MPT_ENTRY_B } from './proto.ts';

export interface MigCostInput {
  /** Pages with contents the process has on its node (what a full copy moves). */
  pages: number;
  /** Bytes a page takes on the wire (its data, and its share of headers). */
  page_wire_B: number;
  /** CPU time the process computes between two pages it needs after the move, ns. */
  cpu_per_page_ns: number;
  /** One-way latency to the destination, ns (the path's own). */
  t0_ns: number;
  /** The source's line rate, bits/s. */
  bw_bps: number;
  /** What the source still has to send for its other migrations and migrants, bytes each (they share the line with this one). */
  others_B: readonly number[];
  /** Speeds of the source and destination CPUs. */
  src_speed: number;
  dest_speed: number;
  /** The process's share of the CPU at the source and at the destination (pre-copy runs on at the source meanwhile). */
  share_src: number;
  share_dest: number;
}

/** Pages that move with every lightweight migration: eip's, the last data reference's and esp's. */
const THREE_PAGES = 3;
/** Pre-copy's last round moves about this share of the pages (the ones dirtied while the rounds ran). */
const PRECOPY_LAST_ROUND = 0.05;
/** Shares of the pages asked for on demand (see above). */
const MISS_AMPOM = 0.44;
const MISS_READAHEAD = 0.34;

/** Time to send `bytes` from the source, sharing its line fairly with the other transfers still to go, ns. */
export function shared_wire_ns(x: MigCostInput, bytes: number): number {
  let b = bytes;
  for (const r of x.others_B) b += Math.min(r, bytes);
  return (b * 8 * 1e9) / x.bw_bps;
}

/** The process's pages on the wire, shared with the source's other transfers, ns. */
const image_ns = (x: MigCostInput): number => shared_wire_ns(x, x.pages * x.page_wire_B);
const fixed = (x: MigCostInput): number => OM_COSTS.mig_setup! / x.src_speed + shared_wire_ns(x, THREE_PAGES * x.page_wire_B);
/** The MPT: 6 bytes a page on the wire, built at the source and applied at the destination. */
const mpt = (x: MigCostInput): number =>
  shared_wire_ns(x, x.pages * MPT_ENTRY_B) + x.pages * (OM_COSTS.mpt_entry! / x.src_speed + OM_COSTS.mpt_entry! / x.dest_speed);
/** Blocked on remote pages: the wire's time beyond the computing it overlaps, or the round trips of the pages asked for on demand, the longer. */
const paging = (x: MigCostInput, miss: number): number =>
  Math.max(image_ns(x) - x.pages * x.cpu_per_page_ns, x.pages * miss * 2 * x.t0_ns, 0);

/** The expected cost of migrating under each scheme, ns: what is frozen, and what is blocked after. */
export const MIG_COST: Record<Policy, (x: MigCostInput) => { freeze_ns: number; blocked_ns: number }> = {
  /** The whole image crosses while the process is frozen. */
  openmosix: (x) => ({ freeze_ns: fixed(x) + image_ns(x), blocked_ns: 0 }),
  /** Every page comes later on its own demand fault, a round trip and its transfer, nothing overlapped. */
  noprefetch: (x) => ({ freeze_ns: fixed(x), blocked_ns: x.pages * 2 * x.t0_ns + image_ns(x) }),
  /** The MPT while frozen, then remote paging with AMPoM's zones. */
  ampom: (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_AMPOM) }),
  'linux-ra': (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  'vma-ra': (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  leap: (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  /**
   * The image crosses while the process still runs at the source, at its
   * share there rather than the destination's (what it loses is that
   * difference over the copy), then a short last round frozen.
   */
  precopy: (x) => ({
    freeze_ns: fixed(x) + shared_wire_ns(x, PRECOPY_LAST_ROUND * x.pages * x.page_wire_B),
    blocked_ns: image_ns(x) * Math.max(0, 1 - x.share_src / x.share_dest),
  }),
  /** A run table (a few dozen bytes) while frozen, then the push in address order with demand faults served first. */
  postcopy: (x) => ({ freeze_ns: fixed(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  /** A run table while frozen, then AMPoM's zones ahead of a push that keeps the wire busy. */
  'ampom-push': (x) => ({ freeze_ns: fixed(x), blocked_ns: paging(x, MISS_AMPOM) }),
  /** Today's far-memory prefetchers migrate as AMPoM does; their zones are readahead-like. */
  fastswap: (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  canvas: (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  hermit: (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  aifm: (x) => ({ freeze_ns: fixed(x) + mpt(x), blocked_ns: paging(x, MISS_READAHEAD) }),
  /** The bound: no page asked for on demand, only the wire's time beyond the computing. */
  oracle: (x) => ({ freeze_ns: fixed(x), blocked_ns: paging(x, 0) }),
};

/** The expected cost (freeze + blocked time), ns. */
export function mig_cost_ns(policy: Policy, x: MigCostInput): number {
  const c = MIG_COST[policy](x);
  return c.freeze_ns + c.blocked_ns;
}

/** Whether a scheme leaves pages behind that the migrant pulls later over the source's link. */
export const LAZY: Record<Policy, boolean> = {
  openmosix: false, precopy: false, noprefetch: true, ampom: true, 'linux-ra': true, 'vma-ra': true, leap: true, postcopy: true, 'ampom-push': true,
  fastswap: true, canvas: true, hermit: true, aifm: true, oracle: true,
};
