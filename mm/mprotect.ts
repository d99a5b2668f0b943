// mprotect (mm/mprotect.c).
import { EINVAL, ENOMEM } from '../kernel/errno.ts';
import { register_syscall, __NR_mprotect } from '../kernel/syscalls.ts';
import { PAGE_SIZE, TASK_SIZE, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_RW, _PAGE_USER, is_page_aligned, page_align, pte_pfn } from './pgtable.ts';
import { VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_GROWSDOWN } from './vma.ts';
import { zero_page_of, type MmStruct } from './mm_struct.ts';
import { PROT_READ, PROT_WRITE, PROT_EXEC, prot_to_vm } from './mmap.ts';

export function sys_mprotect(mm: MmStruct, start: number, len: number, prot: number): number {
  if (!is_page_aligned(start) || start < 0) return -EINVAL;
  if (!Number.isInteger(len) || len < 0) return -EINVAL;
  len = page_align(len);
  const end = start + len;
  if (end > TASK_SIZE) return -ENOMEM;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
  if (end === start) return 0;
  // The whole range must be mapped, with no hole.
  let at = start;
  for (let v = mm.vmas.find_vma(start); at < end; v = mm.vmas.find_vma(at)) {
    if (!v || v.start > at) return -ENOMEM;
    at = v.end;
  }
  mm.vmas.split_at(start);
  mm.vmas.split_at(end);
  const newflags = prot_to_vm(prot);
  const zero = zero_page_of(mm.node);
  for (const v of mm.vmas.list) {
    if (v.start < start || v.end > end) continue;
    v.flags = newflags | (v.flags & (VM_SHARED | VM_GROWSDOWN));
    change_protection(mm, v.start, v.end, v.flags, zero);
  }
  mm.vmas.merge_all();
  return 0;
}

/** Rewrite the protection bits of every mapped page in [start, end). */
function change_protection(mm: MmStruct, start: number, end: number, flags: number, zero: number): void {
  const accessible = (flags & (VM_READ | VM_WRITE | VM_EXEC)) !== 0;
  mm.for_each_pte(start / PAGE_SIZE, end / PAGE_SIZE, (vpn, pte) => {
    if (!(pte & (_PAGE_PRESENT | _PAGE_PROTNONE))) return; // remote entries carry no protection
    const keep = pte & ~0xfff & 0xffffffff;
    const pfn = pte_pfn(pte);
    let bits = pte & (_PAGE_ACCESSED | _PAGE_DIRTY);
    if (accessible) {
      bits |= _PAGE_PRESENT | _PAGE_USER;
      // Writable only if the VMA is and the page is this mm's own (the zero
      // page stays read-only so a write still copies it).
      if (flags & VM_WRITE && pfn !== zero && mm.mem.refcount[pfn] === 1) bits |= _PAGE_RW;
    } else bits |= _PAGE_PROTNONE | _PAGE_USER;
    mm.pte_set(vpn, (keep | bits) >>> 0);
  });
}

register_syscall({
  nr: __NR_mprotect,
  name: 'mprotect',
  fn: (task, a) => sys_mprotect(task.mm as MmStruct, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0),
});
