// A software TLB per node CPU, indexed by virtual page number.
//
// Two typed arrays hold the frame for reads (and instruction fetches) and for
// writes; -1 is a miss. A hit is one array load, which is the whole hot path
// of a reference to a resident page. Like the hardware, it caches what the
// page tables said, so whoever changes a PTE must flush the page.
import { NR_VPAGES } from './pgtable.ts';

export class Tlb {
  readonly rd = new Int32Array(NR_VPAGES).fill(-1);
  readonly wr = new Int32Array(NR_VPAGES).fill(-1);
  /** Which address space the entries belong to (CR3). */
  owner: object | null = null;
  /** Pages filled since the last full flush, so a flush touches only them. */
  private filled = new Int32Array(4096);
  private nfilled = 0;
  flushes = 0;

  fill(vpn: number, pfn: number, writable: boolean): void {
    if (this.rd[vpn]! < 0) {
      if (this.nfilled === this.filled.length) {
        const grown = new Int32Array(this.filled.length * 2);
        grown.set(this.filled);
        this.filled = grown;
      }
      this.filled[this.nfilled++] = vpn;
    }
    this.rd[vpn] = pfn;
    if (writable) this.wr[vpn] = pfn;
  }

  /** flush_tlb_page */
  flush_page(vpn: number): void {
    this.rd[vpn] = -1;
    this.wr[vpn] = -1;
  }

  /** flush_tlb_mm / a CR3 reload. */
  flush_all(): void {
    const f = this.filled;
    for (let i = 0; i < this.nfilled; i++) {
      const vpn = f[i]!;
      this.rd[vpn] = -1;
      this.wr[vpn] = -1;
    }
    this.nfilled = 0;
    this.flushes++;
  }

  /** Number of valid read entries (tests compare them with the page tables). */
  entries(): number[] {
    const out = new Set<number>();
    for (let i = 0; i < this.nfilled; i++) {
      const vpn = this.filled[i]!;
      if (this.rd[vpn]! >= 0) out.add(vpn);
    }
    return [...out];
  }
}
