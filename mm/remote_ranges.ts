// Ranges of an address space whose missing pages another node holds,
// without a PTE per page: what a migrant gets instead of a per-page table.
// NoPrefetch's ranges are its VMAs at migration (a page may never have
// existed: the holder then says so); a run table's ranges are exact (every
// page in them exists at that node). A PTE, when there is one, wins.
import { PAGE_SIZE } from './pgtable.ts';

export interface RemoteRange {
  /** Pages [start_vpn, end_vpn). */
  start_vpn: number;
  end_vpn: number;
  node: number;
  /** Every page in the range exists at node (a run), or may not (NoPrefetch's VMAs). */
  exact: boolean;
}

export class RemoteRanges {
  /** Sorted by start, never overlapping. */
  private list: RemoteRange[] = [];

  get ranges(): readonly RemoteRange[] {
    return this.list;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** The range holding vpn, or undefined (binary search: runs can be many). */
  find(vpn: number): RemoteRange | undefined {
    const l = this.list;
    let lo = 0;
    let hi = l.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = l[mid]!;
      if (vpn < r.start_vpn) hi = mid - 1;
      else if (vpn >= r.end_vpn) lo = mid + 1;
      else return r;
    }
    return undefined;
  }

  /** The node holding vpn by range, or -1. */
  node_of(vpn: number): number {
    return this.find(vpn)?.node ?? -1;
  }

  /** Replace every range (sorted, non-overlapping ranges are checked). */
  set(ranges: RemoteRange[]): void {
    const l = [...ranges].sort((a, b) => a.start_vpn - b.start_vpn);
    for (let i = 0; i < l.length; i++) {
      const r = l[i]!;
      if (!(r.start_vpn < r.end_vpn)) throw new RangeError(`remote range [${r.start_vpn}, ${r.end_vpn}) is empty`);
      if (i > 0 && l[i - 1]!.end_vpn > r.start_vpn) throw new RangeError(`remote ranges overlap at page ${r.start_vpn}`);
    }
    this.list = l;
  }

  clear(): void {
    this.list = [];
  }

  /** Forget [start, end) bytes (munmap). */
  drop(start: number, end: number): void {
    const s = start / PAGE_SIZE;
    const e = end / PAGE_SIZE;
    const out: RemoteRange[] = [];
    for (const r of this.list) {
      if (r.end_vpn <= s || r.start_vpn >= e) out.push(r);
      else {
        if (r.start_vpn < s) out.push({ ...r, end_vpn: s });
        if (r.end_vpn > e) out.push({ ...r, start_vpn: e });
      }
    }
    this.list = out;
  }

  /** Whether any range names node. */
  names(node: number): boolean {
    return this.list.some((r) => r.node === node);
  }
}
