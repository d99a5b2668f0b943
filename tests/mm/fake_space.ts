// A small address space for driving a prefetcher without om/: pages held
// remotely, local pages, and a swap cache of pages requested but not yet
// touched. It plays the fault path's part: a touch of a remote page is a miss
// (one request, plus the zone), a touch of a cached page is a fault that
// finds it (a hit when a zone brought it), a touch of a page that never
// existed makes it local without asking the prefetcher. Time plays no part:
// a requested page is in the cache at once, which changes nothing the
// Linux-family schemes decide (in flight and arrived are both cache hits).
import type { PrefetchCtx, Prefetcher } from '../../mm/prefetch.ts';

export interface Vma {
  start: number;
  end: number;
}

export interface ZoneCheck {
  /** A zone page that broke a rule, with the rule. */
  vpn: number;
  rule: string;
}

export class FakeSpace {
  readonly remote = new Set<number>();
  readonly local = new Set<number>();
  /** Requested, not touched yet: true when a zone brought it (PG_readahead). */
  readonly cache = new Map<number, boolean>();
  requests = 0;
  prefetched = 0;
  hits = 0;
  faults = 0;
  /** Zone pages that broke a rule (only pages of the faulting VMA, wanted, not the fault, no repeats, at most max_zone). */
  readonly broken: ZoneCheck[] = [];
  /** The zone of the last fault that asked the prefetcher. */
  last_zone: number[] = [];
  private readonly out = new Int32Array(4096);

  constructor(readonly vmas: Vma[]) {}

  vma_of(v: number): Vma | undefined {
    return this.vmas.find((a) => v >= a.start && v < a.end);
  }
  wanted = (v: number): boolean => this.vma_of(v) !== undefined && this.remote.has(v);
  exists = (v: number): boolean => this.remote.has(v) || this.local.has(v) || this.cache.has(v);

  /** The task touches page v. */
  touch(v: number, pf: Prefetcher): void {
    if (this.local.has(v)) return;
    const vma = this.vma_of(v);
    if (!vma) throw new Error(`test bug: page ${v} is in no VMA`);
    const cached = this.cache.has(v);
    if (!cached && !this.remote.has(v)) {
      this.local.add(v); // a new page: zero-filled here, not a remote-area fault
      return;
    }
    this.faults++;
    const miss = !cached;
    const hit = cached && this.cache.get(v) === true;
    if (hit) this.hits++;
    const ctx: PrefetchCtx = {
      now_ns: this.faults * 1000, vpn: v, cpu_util: 1, t0_ns: 60_000, td_ns: 330_000,
      wanted: this.wanted, exists: this.exists, vma_start: vma.start, vma_end: vma.end, miss, hit,
    };
    // What was wanted when the prefetcher was asked (checked below).
    const n = pf.on_fault(ctx, this.out);
    const zone = [...this.out.subarray(0, n)];
    const seen = new Set<number>();
    for (const z of zone) {
      if (z < vma.start || z >= vma.end) this.broken.push({ vpn: z, rule: 'outside the faulting VMA' });
      if (z === v) this.broken.push({ vpn: z, rule: 'the faulting page' });
      else if (!this.wanted(z)) this.broken.push({ vpn: z, rule: 'not wanted (local, cached or never existed)' });
      if (seen.has(z)) this.broken.push({ vpn: z, rule: 'twice in one zone' });
      seen.add(z);
    }
    if (pf.max_zone !== undefined && n > pf.max_zone) this.broken.push({ vpn: v, rule: `zone of ${n} > max_zone ${pf.max_zone}` });
    this.last_zone = zone;
    // The fault path: request the page (a miss), then the zone.
    if (miss) {
      this.requests++;
      this.remote.delete(v);
    } else this.cache.delete(v);
    this.local.add(v);
    for (const z of zone) {
      if (!this.remote.has(z)) continue;
      this.remote.delete(z);
      this.cache.set(z, true);
      this.prefetched++;
    }
  }

  /** Zone pages brought and never touched. */
  get wasted(): number {
    let w = 0;
    for (const ra of this.cache.values()) if (ra) w++;
    return w;
  }
}

export interface F {
  vma: Vma;
  miss?: boolean;
  hit?: boolean;
  /** Pages that are local (exist, not wanted). */
  local?: number[];
  /** Pages that never existed. */
  holes?: number[];
}

/** One fault given by hand: every page of the VMA exists remotely unless listed. */
export function fault(pf: Prefetcher, vpn: number, f: F): number[] {
  const local = new Set(f.local ?? []);
  const holes = new Set(f.holes ?? []);
  const inside = (v: number) => v >= f.vma.start && v < f.vma.end;
  const ctx: PrefetchCtx = {
    now_ns: 0, vpn, cpu_util: 1, t0_ns: 0, td_ns: 0,
    vma_start: f.vma.start, vma_end: f.vma.end, miss: f.miss ?? true, hit: f.hit ?? false,
    exists: (v) => inside(v) && !holes.has(v),
    wanted: (v) => inside(v) && !holes.has(v) && !local.has(v),
  };
  const out = new Int32Array(64);
  return [...out.subarray(0, pf.on_fault(ctx, out))];
}
