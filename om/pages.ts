// Moving page contents in and out of an address space for migration and
// remote paging, with the checksum check that proves pages arrive intact.
import { crc32 } from 'node:zlib';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, PAGE_SIZE, mk_pte, pte_pfn } from '../mm/pgtable.ts';
import { VM_WRITE } from '../mm/vma.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import type { OmTask } from './state.ts';

/** Flag on a page record: the holder had no such page; the receiver zero-fills. */
export const PAGE_ABSENT = 0x8000;

/** The frame of a private page with contents (not the zero page), or -1. */
export function own_page(mm: MmStruct, vpn: number): number {
  const pte = mm.pte_get(vpn);
  if (!(pte & _PAGE_PRESENT)) return -1;
  const pfn = pte_pfn(pte);
  const zero = mm.node.ext.get('zero_page') as number | undefined;
  return pfn === zero ? -1 : pfn;
}

/** Take a page out of an address space: a copy of its bytes; its frame is freed. */
export function take_page(mm: MmStruct, vpn: number): Uint8Array | null {
  const pfn = own_page(mm, vpn);
  if (pfn < 0) return null;
  const data = mm.mem.bytes(pfn).slice();
  mm.pte_set(vpn, 0);
  mm.mem.put(pfn);
  mm.rss--;
  return data;
}

/** Record the checksum of every page an mm holds, at the freeze. */
export function record_checksums(st: OmTask, mm: MmStruct): void {
  mm.for_each_pte(0, 1 << 20, (vpn) => {
    const pfn = own_page(mm, vpn);
    if (pfn >= 0) st.checksums.set(vpn, mm.mem.checksum(pfn));
  });
}

/** Check an arriving page against the checksum recorded at the freeze. */
export function verify_page(st: OmTask, vpn: number, data: Uint8Array): void {
  const want = st.checksums.get(vpn);
  if (want !== undefined && crc32(data) !== want) st.stats.corrupt_pages++;
}

/** Put a page into a frame of mm's node (no PTE yet). -1 when out of frames. */
export function frame_with(mm: MmStruct, data: Uint8Array | null): number {
  const pfn = data ? mm.mem.alloc() : mm.mem.alloc_zeroed();
  if (pfn >= 0 && data) mm.mem.copy(pfn, data);
  return pfn;
}

/** Map a frame at vpn as a private dirty page, writable if its VMA is. */
export function install_page(mm: MmStruct, vpn: number, pfn: number): boolean {
  const vma = mm.vmas.find_vma(vpn * PAGE_SIZE);
  if (!vma || vma.start > vpn * PAGE_SIZE) {
    mm.mem.put(pfn); // unmapped while it travelled
    return false;
  }
  const bits = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | (vma.flags & VM_WRITE ? _PAGE_RW : 0);
  if (!mm.pte_set(vpn, mk_pte(pfn, bits))) {
    mm.mem.put(pfn);
    return false;
  }
  mm.rss++;
  return true;
}
