// Moving page contents in and out of an address space for migration and
// remote paging, with the page's state (written, protection) carried along.
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_RW, _PAGE_USER, PAGE_SIZE, mk_pte, pte_pfn, pte_present } from '../mm/pgtable.ts';
import { VM_EXEC, VM_READ, VM_WRITE } from '../mm/vma.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import type { VmArea } from '../mm/vma.ts';
import { PG_STATE_MASK, ZERO_PAGE_DATA } from './proto.ts';

/**
 * The frame of a private page with contents (not the zero page), or -1.
 * A PROT_NONE page counts: it is mapped to Linux and keeps its bytes.
 */
export function own_page(mm: MmStruct, vpn: number): number {
  const pte = mm.pte_get(vpn);
  if (!pte_present(pte)) return -1;
  const pfn = pte_pfn(pte);
  const zero = mm.node.ext.get('zero_page') as number | undefined;
  return pfn === zero ? -1 : pfn;
}

/** The state a page record carries: its PTE's written and protection bits. */
export const page_state = (pte: number): number => pte & PG_STATE_MASK;

/**
 * A page's bytes and its state, leaving it in place; null if there is no
 * such page. `view` hands out the frame itself instead of a copy: only for
 * a frozen process's pages, which cannot change or go before the message
 * carrying them is delivered (the source frees them at the commit).
 */
export function copy_page(mm: MmStruct, vpn: number, view = false): { data: Uint8Array; flags: number } | null {
  const pfn = own_page(mm, vpn);
  if (pfn < 0) return null;
  const flags = page_state(mm.pte_get(vpn));
  // A frame known to hold zeros (every page of a fast-mode run) is carried
  // as the shared zeros: neither a view that must be encoded before the
  // frame goes nor a copy (comm_send then makes its bytes on delivery).
  if (mm.mem.known_zero(pfn)) return { data: ZERO_PAGE_DATA, flags };
  // Only read: physmem may go on knowing the frame holds zeros (peek).
  const bytes = mm.mem.peek(pfn);
  return { data: view ? bytes : bytes.slice(), flags };
}

/** Unmap a private page and free its frame (its contents went elsewhere). */
export function drop_page(mm: MmStruct, vpn: number): boolean {
  const pfn = own_page(mm, vpn);
  if (pfn < 0) return false;
  mm.pte_set(vpn, 0);
  mm.mem.put(pfn);
  mm.rss--;
  return true;
}

/** Put a page into a frame of mm's node (no PTE yet). -1 when out of frames. */
export function frame_with(mm: MmStruct, data: Uint8Array | null): number {
  return data ? mm.mem.alloc_copy(data) : mm.mem.alloc_zeroed();
}

/** The PTE bits that say how a page may be reached. */
export const PROT_BITS = _PAGE_PRESENT | _PAGE_RW | _PAGE_PROTNONE;

/** The protection bits a private page of this VMA gets now. */
export function vma_page_bits(vma: VmArea): number {
  const accessible = (vma.flags & (VM_READ | VM_WRITE | VM_EXEC)) !== 0;
  if (!accessible) return _PAGE_PROTNONE;
  return _PAGE_PRESENT | (vma.flags & VM_WRITE ? _PAGE_RW : 0);
}

export const INSTALLED = 1;
/** No VMA covers the page any more: it was unmapped while it travelled. */
export const INSTALL_UNMAPPED = 0;
/** No frame left for the page table. */
export const INSTALL_OOM = -1;

/**
 * Map a frame at vpn as a private page. Its protection is the VMA's now
 * (as do_swap_page takes vm_page_prot: an mprotect since the page left
 * applies), its dirty bit what the record says (`accessed` false maps it
 * with ACCESSED clear: a prefetched page not used yet). When it cannot be mapped
 * (INSTALL_UNMAPPED, INSTALL_OOM) the frame is freed.
 */
export function install_page(mm: MmStruct, vpn: number, pfn: number, flags: number, accessed = true): number {
  const vma = mm.vmas.find_vma(vpn * PAGE_SIZE);
  if (!vma || vma.start > vpn * PAGE_SIZE) {
    mm.mem.put(pfn);
    return INSTALL_UNMAPPED;
  }
  // A prefetched page no one touched yet is mapped with ACCESSED clear, so
  // its first use shows (the MMU sets the bit) and an unused one is seen.
  const bits = _PAGE_USER | (accessed ? _PAGE_ACCESSED : 0) | (flags & _PAGE_DIRTY) | vma_page_bits(vma);
  if (!mm.pte_set(vpn, mk_pte(pfn, bits))) {
    mm.mem.put(pfn);
    return INSTALL_OOM;
  }
  mm.rss++;
  return INSTALLED;
}
