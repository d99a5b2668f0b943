// The prefetcher interface behind the remote-page hook: asked at every remote
// page fault which other pages to request with the faulting one. Each
// prefetcher is one file: noprefetch here, AMPoM in ampom.ts, Linux 2.4's
// swap readahead in linux_ra.ts, today's Linux VMA readahead in vma_ra.ts,
// Leap in leap.ts, today's far-memory prefetchers in fastswap.ts, canvas.ts,
// hermit.ts and aifm.ts, and the oracle (the bound) in oracle.ts.
//
// The Linux-family schemes see the remote holder as a swap device and the
// pages that arrived (or are in flight) but are not mapped yet as the swap
// cache: a fault whose page is there is a swap-cache hit, and readahead
// runs only at a miss.

export interface PrefetchCtx {
  /** Virtual time of the fault, ns. */
  now_ns: number;
  /** The faulting page. */
  vpn: number;
  /** The node's CPU utilisation as infoD measured it, 0..1. */
  cpu_util: number;
  /** One-way latency to the page holder and time to move one page (infoD), ns. */
  t0_ns: number;
  td_ns: number;
  /**
   * True when the page may be requested: inside a VMA, not local, not
   * arrived, not in flight, and held by another node. The faulting page
   * itself is wanted at a miss; a prefetcher never puts it in its zone.
   */
  wanted(vpn: number): boolean;

  // What the Linux-family schemes need besides. Optional only so that a
  // fault path which does not supply them yet still type-checks with
  // AMPoM; linux-ra, vma-ra and leap refuse a fault without them
  // (need_fault_ctx). Supplied at every fault in a remote area.

  /** The faulting page's VMA as page numbers [vma_start, vma_end). */
  vma_start?: number;
  vma_end?: number;
  /**
   * The faulting page must be requested: it is neither local, arrived nor
   * in flight (a swap-cache miss). Linux reads ahead only then.
   */
  miss?: boolean;
  /**
   * The faulting page was brought, arrived or still in flight, by this
   * prefetcher's earlier zone and is used now for the first time (Linux
   * finds PG_readahead set and clears it: a readahead hit). True at most
   * once per prefetched page; never together with miss.
   */
  hit?: boolean;
  /**
   * The page has contents somewhere: at a holder, in flight, arrived or
   * local. False for a page that never existed, which stops linux-ra's
   * cluster walk as a free swap slot does.
   */
  exists?(vpn: number): boolean;
  /**
   * Page frames the node can still give to arriving pages: its free frames
   * less the pages already on their way. Only the oracle reads it (it
   * prefetches as far ahead as the destination's memory allows).
   */
  free_frames?: number;
}

/** A PrefetchCtx with every field the Linux-family schemes read. */
export type RemoteFaultCtx = Required<PrefetchCtx>;

/** Refuse a fault path that does not supply what the scheme reads (a wiring bug, not user input). */
export function need_fault_ctx(ctx: PrefetchCtx, who: string): asserts ctx is RemoteFaultCtx {
  if (ctx.vma_start === undefined || ctx.vma_end === undefined || ctx.miss === undefined || ctx.hit === undefined || ctx.exists === undefined) {
    throw new Error(`prefetcher ${who}: the fault path must give vma_start, vma_end, miss, hit and exists (see mm/prefetch.ts)`);
  }
}

/**
 * When the pages of a zone enter the address space.
 * - 'next-fault': at the migrant's next fault, every page that arrived is
 *   installed (AMPoM, Algorithm 1 line 1); touching one later is no fault.
 * - 'on-touch': they stay unmapped, like pages in the swap cache, until the
 *   task touches one; that touch is a minor fault whose ctx.hit is true.
 *   The Linux-family window rules count those hits, so they need it.
 */
export type InstallPolicy = 'next-fault' | 'on-touch';

export interface Prefetcher {
  readonly name: string;
  /**
   * Record the fault and write the dependent zone (pages to request besides
   * the faulting one) into out; returns how many. Must not allocate.
   */
  on_fault(ctx: PrefetchCtx, out: Int32Array): number;
  /** Basic operations the analyses so far took (for the CPU cost model). */
  analysis_ops: number;
  /** True when the last fault completed a loop of the prefetcher's window
   *  (AMPoM has infoD re-measure the available bandwidth then). */
  looped?: boolean;
  /** When zone pages are installed; absent means 'next-fault'. */
  readonly install?: InstallPolicy;
  /** The most pages one zone can hold (the faulting page not counted). */
  readonly max_zone?: number;
  /** Readahead hits seen so far: faults with ctx.hit (first uses of prefetched pages). */
  readonly ra_hits?: number;
  /**
   * Demand first (Fastswap, Canvas, Hermit): the faulting page is asked for
   * in a request of its own, sent before the zone's, so that its reply is
   * never a message shared with prefetched pages of the same fault. Where
   * the reply then waits on the wire (behind other replies in the page
   * holder's queue) is the network's business, not the prefetcher's.
   */
  readonly demand_first?: boolean;
  /**
   * Pages to ask for as the process resumes at its destination, before its
   * first fault (only the oracle, which knows what comes). Called again
   * until it returns 0; each batch goes as one request. ctx.vpn is -1.
   */
  on_resume?(ctx: PrefetchCtx, out: Int32Array): number;
}

/** What a prefetcher may be given when it is made: the oracle's recorded future. */
export interface PrefetcherEnv {
  /**
   * The pages the process will fault on after the migration, in order, as a
   * run of the same program recorded them (mm never sees the program).
   */
  future_refs?: Int32Array;
}

/** The paper's NoPrefetch: every page comes on its own demand fault. */
export class NoPrefetch implements Prefetcher {
  readonly name = 'noprefetch';
  readonly max_zone = 0;
  analysis_ops = 0;
  on_fault(): number {
    return 0;
  }
}

export type PrefetcherFactory = (env: PrefetcherEnv) => Prefetcher;
const registry = new Map<string, PrefetcherFactory>([['noprefetch', () => new NoPrefetch()]]);

export function register_prefetcher(name: string, f: PrefetcherFactory): void {
  registry.set(name, f);
}

export function make_prefetcher(name: string, env: PrefetcherEnv = {}): Prefetcher {
  const f = registry.get(name);
  if (!f) throw new Error(`unknown prefetcher '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return f(env);
}

/** The names registered so far (each scheme file registers itself on import). */
export function prefetcher_names(): string[] {
  return [...registry.keys()];
}

/**
 * Linux's page_cluster: swap_setup() sets 3 on any machine with 16 MB or
 * more (2 below), so swap readahead moves clusters of 1 << 3 = 8 pages.
 */
export const PAGE_CLUSTER = 3;
/** Pages in one readahead window or cluster, the faulting page included. */
export const RA_MAX_PAGES = 1 << PAGE_CLUSTER;
