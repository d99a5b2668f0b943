// aifm: AIFM's stride prefetcher (Ruan et al., "AIFM: High-Performance,
// Application-Integrated Far Memory", OSDI 2020), behind the remote-page
// hook, at page granularity.
//
// What it adds to omemu: a stride that must be confirmed exactly before
// anything is prefetched, then a window that slides with every access.
// AIFM's runtime watches the accesses to a far-memory data structure,
// takes a stride as established once it has seen it on AIFM_CONFIRM
// consecutive accesses, and then keeps up to AIFM_AHEAD objects ahead of
// the current one in flight; a single access off the stride resets it.
// Chosen over DiLOS's majority over the last 8 faults, which is Leap's
// first window (mm/leap.ts votes over 8, then 16 and 32 deltas) and so
// behaves as leap and canvas do; AIFM's rule differs from both leap and
// AMPoM (strides 1 to 4 scored over a window of 20, several streams at
// once): it tolerates no interleaving (STREAM's three arrays, touched in
// turn, never confirm one stride), prefetches nothing for its first
// AIFM_CONFIRM faults, and once confirmed tops the window up at every
// first use of a prefetched page rather than at misses only.
//
// Mapping to omemu, and choices the sources leave open:
// - An access is a fault the prefetcher sees: a miss, or the first use of
//   a prefetched page (they are installed on touch, so each is a minor
//   fault that carries ctx.hit). Accesses to pages already mapped are not
//   seen (a page is the object here).
// - The stride is the delta between consecutive faulting pages; the same
//   page twice (delta 0) confirms nothing.
// - Once confirmed, the pages vpn + k * stride for k = 1 .. AIFM_AHEAD
//   that are not here nor on their way are asked for, within the faulting
//   page's VMA.
import { need_fault_ctx, register_prefetcher, type PrefetchCtx, type Prefetcher } from './prefetch.ts';

/** Consecutive accesses on one stride before it is trusted. */
export const AIFM_CONFIRM = 8;
/** How far ahead along a trusted stride. */
export const AIFM_AHEAD = 8;

export class Aifm implements Prefetcher {
  readonly name = 'aifm';
  readonly install = 'on-touch';
  readonly max_zone = AIFM_AHEAD;
  analysis_ops = 0;
  ra_hits = 0;
  /** The last faulting page, the stride seen, and how many consecutive deltas matched it. */
  last_vpn = -1;
  stride = 0;
  run = 0;

  on_fault(ctx: PrefetchCtx, out: Int32Array): number {
    need_fault_ctx(ctx, this.name);
    if (ctx.hit) this.ra_hits++;
    const vpn = ctx.vpn;
    this.analysis_ops += 2;
    if (this.last_vpn >= 0) {
      const d = vpn - this.last_vpn;
      if (d !== 0 && d === this.stride) this.run++;
      else {
        this.stride = d;
        this.run = d === 0 ? 0 : 1;
      }
    }
    this.last_vpn = vpn;
    if (this.run < AIFM_CONFIRM) return 0;
    let n = 0;
    for (let k = 1, v = vpn + this.stride; k <= AIFM_AHEAD; k++, v += this.stride) {
      this.analysis_ops++;
      if (v < ctx.vma_start || v >= ctx.vma_end) break;
      if (n < out.length && ctx.wanted(v)) out[n++] = v;
    }
    return n;
  }
}

register_prefetcher('aifm', () => new Aifm());
