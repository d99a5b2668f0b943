// A table from page numbers to non-negative numbers (a page's checksum, a
// mark), for the page audit's records: what Map<number, number> does for
// it, in blocks of 1024 pages made as pages are first set, each a
// Float64Array where -1 says "no entry". A Map of a large process's pages
// (147,000 at 575 MiB) spreads them over a hash table, and each page that
// arrives cost a few cache misses to find (the largest share of the audit's
// time on the remote-paging path); pages arrive mostly in runs, which a
// block keeps together. Keys are whole numbers below 2^31 (page numbers are
// below 2^20), and come out in ascending order, not in the order they were
// set. tests/om/vpn_table.test.ts holds it to a Map.

const BLOCK_SHIFT = 10;
const BLOCK = 1 << BLOCK_SHIFT;
const NONE = -1;

export class VpnTable implements Iterable<number> {
  private blocks: (Float64Array | undefined)[] = [];
  /** Entries held. */
  size = 0;

  /** The value of vpn's entry, or undefined. */
  get(vpn: number): number | undefined {
    if ((vpn | 0) !== vpn) return undefined; // not a whole number below 2^31: never set
    const b = this.blocks[vpn >> BLOCK_SHIFT];
    if (b === undefined) return undefined;
    const x = b[vpn & (BLOCK - 1)]!;
    return x === NONE ? undefined : x;
  }

  has(vpn: number): boolean {
    return this.get(vpn) !== undefined;
  }

  set(vpn: number, x: number): void {
    if (!(Number.isInteger(vpn) && vpn >= 0 && vpn < 2 ** 31)) throw new RangeError(`a page number is a whole number from 0 to 2^31 - 1, got ${vpn}`);
    if (!(x >= 0)) throw new RangeError(`a page's entry is a number >= 0, got ${x}`);
    const i = vpn >> BLOCK_SHIFT;
    const b = (this.blocks[i] ??= new Float64Array(BLOCK).fill(NONE));
    const j = vpn & (BLOCK - 1);
    if (b[j] === NONE) this.size++;
    b[j] = x;
  }

  /** Remove vpn's entry; whether there was one. */
  delete(vpn: number): boolean {
    if ((vpn | 0) !== vpn) return false;
    const b = this.blocks[vpn >> BLOCK_SHIFT];
    if (b === undefined) return false;
    const j = vpn & (BLOCK - 1);
    if (b[j] === NONE) return false;
    b[j] = NONE;
    this.size--;
    return true;
  }

  clear(): void {
    this.blocks = [];
    this.size = 0;
  }

  /** The keys, ascending. */
  *keys(): IterableIterator<number> {
    const bs = this.blocks;
    for (let i = 0; i < bs.length; i++) {
      const b = bs[i];
      if (b === undefined) continue;
      for (let j = 0; j < BLOCK; j++) if (b[j] !== NONE) yield (i << BLOCK_SHIFT) + j;
    }
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.keys();
  }
}
