// The prefetcher interface behind the remote-page hook: asked at every remote
// page fault which other pages to request with the faulting one. Each
// prefetcher is one file (noprefetch here, AMPoM in ampom.ts).

export interface PrefetchCtx {
  /** Virtual time of the fault, ns. */
  now_ns: number;
  /** The faulting page. */
  vpn: number;
  /** The task's CPU utilisation since its previous fault, 0..1. */
  cpu_util: number;
  /** One-way latency to the page holder and time to move one page (infoD), ns. */
  t0_ns: number;
  td_ns: number;
  /** True when the page may be requested: inside a VMA, not local, not in flight. */
  wanted(vpn: number): boolean;
}

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
}

/** The paper's NoPrefetch: every page comes on its own demand fault. */
export class NoPrefetch implements Prefetcher {
  readonly name = 'noprefetch';
  analysis_ops = 0;
  on_fault(): number {
    return 0;
  }
}

export type PrefetcherFactory = () => Prefetcher;
const registry = new Map<string, PrefetcherFactory>([['noprefetch', () => new NoPrefetch()]]);

export function register_prefetcher(name: string, f: PrefetcherFactory): void {
  registry.set(name, f);
}

export function make_prefetcher(name: string): Prefetcher {
  const f = registry.get(name);
  if (!f) throw new Error(`unknown prefetcher '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return f();
}
