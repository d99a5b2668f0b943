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

/** What VpnTable and VpnSet share: the blocks, a count, and `none` where a page has no entry. */
abstract class VpnBlocks<B extends Float64Array | Uint8Array> implements Iterable<number> {
  protected blocks: (B | undefined)[] = [];
  /** Entries held. */
  size = 0;
  /** A block's value for a page without an entry. */
  protected abstract readonly none: number;
  protected abstract new_block(): B;

  /** The block vpn goes in, made if need be; a RangeError for what is no page number. */
  protected block_for(vpn: number): B {
    if (!(Number.isInteger(vpn) && vpn >= 0 && vpn < 2 ** 31)) throw new RangeError(`a page number is a whole number from 0 to 2^31 - 1, got ${vpn}`);
    return (this.blocks[vpn >> BLOCK_SHIFT] ??= this.new_block());
  }

  /** vpn's entry in its block, or `none` (also for what is no whole number below 2^31: never set). */
  protected entry(vpn: number): number {
    if ((vpn | 0) !== vpn) return this.none;
    const b = this.blocks[vpn >> BLOCK_SHIFT];
    return b === undefined ? this.none : b[vpn & (BLOCK - 1)]!;
  }

  /** Remove vpn's entry; whether there was one. */
  delete(vpn: number): boolean {
    if ((vpn | 0) !== vpn) return false;
    const b = this.blocks[vpn >> BLOCK_SHIFT];
    if (b === undefined) return false;
    const j = vpn & (BLOCK - 1);
    if (b[j] === this.none) return false;
    b[j] = this.none;
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
      for (let j = 0; j < BLOCK; j++) if (b[j] !== this.none) yield (i << BLOCK_SHIFT) + j;
    }
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.keys();
  }
}

/** Map<number, number> for page numbers and values >= 0 (see the top of this file). */
export class VpnTable extends VpnBlocks<Float64Array> {
  protected readonly none = -1;
  protected new_block(): Float64Array {
    return new Float64Array(BLOCK).fill(this.none);
  }

  /** The value of vpn's entry, or undefined. */
  get(vpn: number): number | undefined {
    const x = this.entry(vpn);
    return x === this.none ? undefined : x;
  }

  has(vpn: number): boolean {
    return this.entry(vpn) !== this.none;
  }

  set(vpn: number, x: number): void {
    if (!(x >= 0)) throw new RangeError(`a page's entry is a number >= 0, got ${x}`);
    const b = this.block_for(vpn);
    const j = vpn & (BLOCK - 1);
    if (b[j] === this.none) this.size++;
    b[j] = x;
  }
}

/** Set<number> for page numbers (see the top of this file). */
export class VpnSet extends VpnBlocks<Uint8Array> {
  protected readonly none = 0;
  protected new_block(): Uint8Array {
    return new Uint8Array(BLOCK);
  }

  has(vpn: number): boolean {
    return this.entry(vpn) !== this.none;
  }

  add(vpn: number): this {
    const b = this.block_for(vpn);
    const j = vpn & (BLOCK - 1);
    if (b[j] === this.none) {
      b[j] = 1;
      this.size++;
    }
    return this;
  }
}
