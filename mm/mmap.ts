// mmap, munmap and brk (mm/mmap.c), registered as system calls.
import { EBADF, EINVAL, ENOMEM } from '../kernel/errno.ts';
import { register_syscall, __NR_brk, __NR_mmap, __NR_munmap } from '../kernel/syscalls.ts';
import type { Task } from '../kernel/task.ts';
import { PAGE_SIZE, TASK_SIZE, TASK_UNMAPPED_BASE, is_page_aligned, page_align } from './pgtable.ts';
import { VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_GROWSDOWN, VmArea } from './vma.ts';
import { zap_page_range, type MmStruct } from './mm_struct.ts';

export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x0100;
const MAP_KNOWN = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN;

/** PROT_* to VM_* (the bits coincide; write implies read on i386). */
export function prot_to_vm(prot: number): number {
  let f = 0;
  if (prot & PROT_READ) f |= VM_READ;
  if (prot & PROT_WRITE) f |= VM_WRITE | VM_READ;
  if (prot & PROT_EXEC) f |= VM_EXEC | VM_READ;
  return f;
}

/** get_unmapped_area: the hint if it is free, else first fit from TASK_UNMAPPED_BASE. */
export function get_unmapped_area(mm: MmStruct, addr: number, len: number): number {
  if (len > TASK_SIZE) return -ENOMEM;
  if (addr) {
    addr = page_align(addr);
    if (TASK_SIZE - len >= addr && !mm.vmas.intersects(addr, addr + len)) return addr;
  }
  addr = TASK_UNMAPPED_BASE;
  for (const v of mm.vmas.list) {
    if (v.end <= addr) continue;
    if (TASK_SIZE - len < addr) return -ENOMEM;
    if (addr + len <= v.start) return addr;
    addr = v.end;
  }
  return TASK_SIZE - len >= addr ? addr : -ENOMEM;
}

/**
 * Refuse a mapping no node could ever back (the heuristic overcommit check
 * of 2.4's vm_enough_memory, simplified to the node's total frames).
 */
function vm_enough_memory(mm: MmStruct, pages: number): boolean {
  return mm.vm_size_B() / PAGE_SIZE + pages <= mm.mem.nframes;
}

/** do_mmap_pgoff for anonymous memory. Returns the address or -errno. */
export function do_mmap(mm: MmStruct, addr: number, len: number, prot: number, flags: number, fd: number): number {
  if (flags & ~MAP_KNOWN) return -EINVAL;
  const type = flags & (MAP_SHARED | MAP_PRIVATE);
  if (type !== MAP_SHARED && type !== MAP_PRIVATE) return -EINVAL;
  if (!(flags & MAP_ANONYMOUS)) return -EBADF; // no files are emulated: no fd is valid
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
  if (!Number.isInteger(len) || len <= 0) return -EINVAL;
  len = page_align(len);
  if (len > TASK_SIZE || len === 0) return -ENOMEM;
  if (flags & MAP_FIXED) {
    if (!is_page_aligned(addr) || addr < 0) return -EINVAL;
    if (addr + len > TASK_SIZE) return -EINVAL;
  } else {
    addr = get_unmapped_area(mm, addr, len);
    if (addr < 0) return addr;
  }
  void fd;
  if (!vm_enough_memory(mm, len / PAGE_SIZE - (flags & MAP_FIXED ? overlap_B(mm, addr, addr + len) / PAGE_SIZE : 0))) return -ENOMEM;
  if (flags & MAP_FIXED) do_munmap(mm, addr, len);
  let vmf = prot_to_vm(prot);
  if (type === MAP_SHARED) vmf |= VM_SHARED;
  if (flags & MAP_GROWSDOWN) vmf |= VM_GROWSDOWN;
  mm.vmas.insert(new VmArea(addr, addr + len, vmf));
  mm.vmas.merge_all();
  return addr;
}

function overlap_B(mm: MmStruct, start: number, end: number): number {
  let n = 0;
  for (const v of mm.vmas.list) n += Math.max(0, Math.min(end, v.end) - Math.max(start, v.start));
  return n;
}

/**
 * Told of every munmap'd range before its PTEs go, so that pages held on
 * another node for this mm are dropped there too (om/, paper §2.2).
 */
export type MunmapHook = (mm: MmStruct, start: number, end: number) => void;
let munmap_hook: MunmapHook | null = null;
export function set_munmap_hook(h: MunmapHook | null): void {
  munmap_hook = h;
}

/** do_munmap: 0 or -errno. Unmapping nothing is not an error. */
export function do_munmap(mm: MmStruct, addr: number, len: number): number {
  if (!is_page_aligned(addr) || addr < 0 || addr >= TASK_SIZE) return -EINVAL;
  if (!Number.isInteger(len) || len <= 0) return -EINVAL;
  len = page_align(len);
  if (len > TASK_SIZE - addr) return -EINVAL;
  const gone = mm.vmas.remove_range(addr, addr + len);
  for (const v of gone) {
    munmap_hook?.(mm, v.start, v.end);
    zap_page_range(mm, v.start, v.end);
  }
  mm.remote_ranges.drop(addr, addr + len);
  return 0;
}

/** sys_brk: returns the new break, or the old one when it cannot move. */
export function sys_brk(mm: MmStruct, brk: number): number {
  if (brk < mm.start_brk) return mm.brk;
  const newbrk = page_align(brk);
  const oldbrk = page_align(mm.brk);
  if (oldbrk === newbrk) {
    mm.brk = brk;
    return mm.brk;
  }
  if (brk <= mm.brk) {
    if (do_munmap(mm, newbrk, oldbrk - newbrk) === 0) mm.brk = brk;
    return mm.brk;
  }
  if (newbrk > TASK_SIZE || mm.vmas.intersects(oldbrk, newbrk + PAGE_SIZE)) return mm.brk;
  if (!vm_enough_memory(mm, (newbrk - oldbrk) / PAGE_SIZE)) return mm.brk;
  // do_brk: the heap VMA grows (it merges with the one below when alike).
  mm.vmas.insert(new VmArea(oldbrk, newbrk, VM_READ | VM_WRITE | VM_EXEC, '[heap]'));
  mm.vmas.merge_all();
  mm.brk = brk;
  return mm.brk;
}

const mm_of = (task: Task): MmStruct => task.mm as MmStruct;

register_syscall({
  nr: __NR_mmap,
  name: 'mmap',
  fn: (task, a) => do_mmap(mm_of(task), a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, a[4] ?? -1),
});
register_syscall({ nr: __NR_munmap, name: 'munmap', fn: (task, a) => do_munmap(mm_of(task), a[0] ?? 0, a[1] ?? 0) });
register_syscall({ nr: __NR_brk, name: 'brk', fn: (task, a) => sys_brk(mm_of(task), a[0] ?? 0) });
