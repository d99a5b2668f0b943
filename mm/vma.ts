// vm_area_struct and the sorted list of them an mm keeps.
import { hex8 } from './pgtable.ts';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_GROWSDOWN = 0x100;

export class VmArea {
  constructor(
    public start: number,
    public end: number,
    public flags: number,
    /** What /proc/PID/maps prints after the fields: an image name or ''. */
    public name = '',
  ) {}

  get size_B(): number {
    return this.end - this.start;
  }

  clone(start = this.start, end = this.end): VmArea {
    return new VmArea(start, end, this.flags, this.name);
  }

  /** One /proc/PID/maps line (Linux's layout; anonymous maps have inode 0). */
  maps_line(): string {
    const perms =
      (this.flags & VM_READ ? 'r' : '-') +
      (this.flags & VM_WRITE ? 'w' : '-') +
      (this.flags & VM_EXEC ? 'x' : '-') +
      (this.flags & VM_SHARED ? 's' : 'p');
    const head = `${hex8(this.start)}-${hex8(this.end)} ${perms} 00000000 00:00 0`;
    return this.name ? `${head.padEnd(73)}${this.name}` : head;
  }
}

/** The VMAs of one address space, sorted by address, never overlapping. */
export class VmaList {
  readonly list: VmArea[] = [];

  /** find_vma: the first VMA that ends above addr (it may start above too). */
  find_vma(addr: number): VmArea | null {
    const l = this.list;
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid]!.end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo < l.length ? l[lo]! : null;
  }

  /** The VMA just below vma (find_vma_prev). */
  prev(vma: VmArea): VmArea | null {
    const i = this.list.indexOf(vma);
    return i > 0 ? this.list[i - 1]! : null;
  }

  /** find_vma_intersection: any VMA overlapping [start, end). */
  intersects(start: number, end: number): VmArea | null {
    const v = this.find_vma(start);
    return v && v.start < end ? v : null;
  }

  insert(vma: VmArea): void {
    if (vma.start >= vma.end) throw new Error(`empty vma ${hex8(vma.start)}-${hex8(vma.end)}`);
    if (this.intersects(vma.start, vma.end)) throw new Error(`vma ${hex8(vma.start)}-${hex8(vma.end)} overlaps`);
    const l = this.list;
    let i = 0;
    while (i < l.length && l[i]!.start < vma.start) i++;
    l.splice(i, 0, vma);
  }

  /** Split the VMA containing addr (strictly inside) in two at addr. */
  split_at(addr: number): void {
    const v = this.find_vma(addr);
    if (!v || v.start >= addr) return;
    const tail = v.clone(addr, v.end);
    v.end = addr;
    this.list.splice(this.list.indexOf(v) + 1, 0, tail);
  }

  /** Remove [start, end) from the list; returns the pieces that were there. */
  remove_range(start: number, end: number): VmArea[] {
    this.split_at(start);
    this.split_at(end);
    const gone = this.list.filter((v) => v.start >= start && v.end <= end);
    if (gone.length > 0) {
      const keep = this.list.filter((v) => !(v.start >= start && v.end <= end));
      this.list.length = 0;
      this.list.push(...keep);
    }
    return gone;
  }

  /** Merge neighbours that touch and are alike (vma_merge). */
  merge_all(): void {
    const l = this.list;
    for (let i = 0; i + 1 < l.length; ) {
      const a = l[i]!;
      const b = l[i + 1]!;
      if (a.end === b.start && a.flags === b.flags && a.name === b.name) {
        a.end = b.end;
        l.splice(i + 1, 1);
      } else i++;
    }
  }

  total_B(): number {
    let n = 0;
    for (const v of this.list) n += v.size_B;
    return n;
  }
}
