// Collections indexed by page number, in blocks of 1024 pages made as
// pages first enter: VpnTable maps page numbers to non-negative numbers
// (the page audit's checksums; a Float64Array a block, -1 for no entry),
// VpnSet holds page numbers (a migrant's pages on their way, and those a
// zone brought and not used yet; a Uint8Array a block). Each stands for a
// Map or a Set keyed by page number: one of a large process's pages
// (147,000 at 575 MiB) spreads them over a hash table, and each page that
// crossed the wire cost a few cache misses to find (the largest share of
// the audit's time on the remote-paging path), where pages come mostly in
// runs that a block keeps together. Keys are whole numbers below 2^31 (page
// numbers are below 2^20) and come out in ascending order, not in the
// order they were added. tests/om/vpn_table.test.ts holds each to a Map or
// a Set.

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

/**
 * A set of page numbers, as VpnTable is a map: what Set<number> does for a
 * migrant's pages on their way or brought by a zone and not used yet,
 * each asked, added and removed at every page of the remote-paging path,
 * in blocks of 1024 pages a Uint8Array (a page's entry 1 when it is in).
 * Iteration goes in ascending order, not in the order pages were added.
 * tests/om/vpn_table.test.ts holds it to a Set.
 */
export class VpnSet implements Iterable<number> {
  private blocks: (Uint8Array | undefined)[] = [];
  /** Pages held. */
  size = 0;

  has(vpn: number): boolean {
    if ((vpn | 0) !== vpn) return false; // not a whole number below 2^31: never added
    const b = this.blocks[vpn >> BLOCK_SHIFT];
    return b !== undefined && b[vpn & (BLOCK - 1)] === 1;
  }

  add(vpn: number): this {
    if (!(Number.isInteger(vpn) && vpn >= 0 && vpn < 2 ** 31)) throw new RangeError(`a page number is a whole number from 0 to 2^31 - 1, got ${vpn}`);
    const b = (this.blocks[vpn >> BLOCK_SHIFT] ??= new Uint8Array(BLOCK));
    const j = vpn & (BLOCK - 1);
    if (b[j] === 0) {
      b[j] = 1;
      this.size++;
    }
    return this;
  }

  /** Remove vpn; whether it was in. */
  delete(vpn: number): boolean {
    if ((vpn | 0) !== vpn) return false;
    const b = this.blocks[vpn >> BLOCK_SHIFT];
    if (b === undefined) return false;
    const j = vpn & (BLOCK - 1);
    if (b[j] === 0) return false;
    b[j] = 0;
    this.size--;
    return true;
  }

  clear(): void {
    this.blocks = [];
    this.size = 0;
  }

  /** The pages, ascending. */
  *[Symbol.iterator](): IterableIterator<number> {
    const bs = this.blocks;
    for (let i = 0; i < bs.length; i++) {
      const b = bs[i];
      if (b === undefined) continue;
      for (let j = 0; j < BLOCK; j++) if (b[j] === 1) yield (i << BLOCK_SHIFT) + j;
    }
  }
}
