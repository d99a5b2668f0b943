// A software TLB per node CPU, indexed by virtual page number.
//
// Two typed arrays hold the frame for reads (and instruction fetches) and for
// writes, as the frame number + 1: 0 is a miss, so a hit is `rd[vpn] > 0`,
// one array load, which is the whole hot path of a reference to a resident
// page (a vpn past the arrays reads undefined, a miss too). Like the
// hardware, it caches what the page tables said, so whoever changes a PTE
// must flush the page.
//
// Why + 1 and not -1 for a miss: a new typed array is zeros, which the host
// hands out lazily, page by page as they are written; a TLB of 2^20 entries
// filled with -1 wrote 8 MB per node (at a 256-node cluster, 2 GB and a
// tenth of a second of host time) where the pages a node caches need a few.
import { NR_VPAGES } from './pgtable.ts';

export class Tlb {
  /** pfn + 1 of each vpn readable through the TLB, 0 for a miss (see above). */
  readonly rd = new Int32Array(NR_VPAGES);
  /** pfn + 1 of each vpn writable through the TLB, 0 for a miss. */
  readonly wr = new Int32Array(NR_VPAGES);
  /** Which address space the entries belong to (CR3). */
  owner: object | null = null;
  /** Pages filled since the last full flush, so a flush touches only them. */
  private filled = new Int32Array(4096);
  private nfilled = 0;
  flushes = 0;
  /** Entries taken away so far (flush_page and flush_all add one): while it stays put, every entry filled is still there. */
  gen = 0;

  fill(vpn: number, pfn: number, writable: boolean): void {
    if (this.rd[vpn] === 0) {
      if (this.nfilled === this.filled.length) {
        const grown = new Int32Array(this.filled.length * 2);
        grown.set(this.filled);
        this.filled = grown;
      }
      this.filled[this.nfilled++] = vpn;
    }
    this.rd[vpn] = pfn + 1;
    if (writable) this.wr[vpn] = pfn + 1;
  }

  /** The frame a read of vpn hits, or -1 on a miss. */
  read_pfn(vpn: number): number {
    return (this.rd[vpn] ?? 0) - 1;
  }

  /** The frame a write to vpn hits, or -1 on a miss. */
  write_pfn(vpn: number): number {
    return (this.wr[vpn] ?? 0) - 1;
  }

  /** flush_tlb_page */
  flush_page(vpn: number): void {
    this.rd[vpn] = 0;
    this.wr[vpn] = 0;
    this.gen++;
  }

  /** flush_tlb_mm / a CR3 reload. */
  flush_all(): void {
    const f = this.filled;
    for (let i = 0; i < this.nfilled; i++) {
      const vpn = f[i]!;
      this.rd[vpn] = 0;
      this.wr[vpn] = 0;
    }
    this.nfilled = 0;
    this.flushes++;
    this.gen++;
  }

  /** Number of valid read entries (tests compare them with the page tables). */
  entries(): number[] {
    const out = new Set<number>();
    for (let i = 0; i < this.nfilled; i++) {
      const vpn = this.filled[i]!;
      if (this.rd[vpn]! > 0) out.add(vpn);
    }
    return [...out];
  }
}
