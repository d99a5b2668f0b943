// The page-fault path: do_page_fault -> handle_mm_fault -> handle_pte_fault,
// after arch/i386/mm/fault.c and mm/memory.c of Linux 2.4.
//
// A PTE that holds a remote entry (the page lives on another node) is handed
// to the remote-page hook, which om/ installs: that is where openMosix's
// remote paging and the AMPoM prefetcher run. mm/ never imports om/.
import { kdebug } from '../kernel/klog.ts';
import { CPU_COPY_PAGE, CPU_FAULT_HANDLER, CPU_TRAP, CPU_ZERO_PAGE } from '../kernel/cpu.ts';
import { SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGKILL, SIGSEGV, force_sig } from '../kernel/signal.ts';
import type { Task } from '../kernel/task.ts';

import {
  PAGE_SIZE, PF_PROT, PF_USER, PF_WRITE, TASK_SIZE, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW,
  _PAGE_USER, is_remote_pte, mk_pte, mk_remote_pte, pte_none, pte_pfn, pte_present,
} from './pgtable.ts';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE, type VmArea } from './vma.ts';
import { zero_page_of, type MmStruct } from './mm_struct.ts';
import { expand_stack } from './stack.ts';

const dbg = kdebug('om:fault');

/** What handle_mm_fault reports (2.4 returns 1, 2, 0, -1; BLOCKED is ours). */
export const VM_FAULT_MINOR = 1;
export const VM_FAULT_MAJOR = 2;
export const VM_FAULT_SIGBUS = 0;
export const VM_FAULT_OOM = -1;
/** The task now waits (a remote page is on its way); retry when it wakes. */
export const VM_FAULT_BLOCKED = 3;

/**
 * The hook for a non-present PTE holding a remote entry. It returns a
 * VM_FAULT_* code; VM_FAULT_BLOCKED means it blocked the task and will wake
 * it when the page is installed.
 */
export type RemotePageHook = (task: Task, mm: MmStruct, vma: VmArea, address: number, write: boolean, pte: number) => number;
let remote_page_hook: RemotePageHook | null = null;

export function set_remote_page_hook(h: RemotePageHook | null): void {
  remote_page_hook = h;
}

/**
 * Told of every other fault that mapped a page (a first touch, a copy on
 * write): AMPoM's window takes every page fault of the migrant (§3.1), not
 * only those in a remote area. om/ installs it; it may not block.
 */
export type LocalFaultHook = (task: Task, mm: MmStruct, vma: VmArea, vpn: number) => void;
let local_fault_hook: LocalFaultHook | null = null;

export function set_local_fault_hook(h: LocalFaultHook | null): void {
  local_fault_hook = h;
}

/**
 * do_page_fault. Returns true when the access can be retried now, false when
 * the task stopped: it blocked for a remote page, was killed, or (user_copy)
 * the syscall gets -EFAULT (task.efault set).
 */
export function do_page_fault(task: Task, mm: MmStruct, error_code: number, address: number, user_copy: boolean): boolean {
  const cpu = task.node.cpu;
  task.charge(cpu.cost_ns(CPU_TRAP, 1) + cpu.cost_ns(CPU_FAULT_HANDLER, 1));
  const write = (error_code & PF_WRITE) !== 0;
  let si_code = SEGV_MAPERR;
  let vma: VmArea | null = null;

  bad: {
    if (address >= TASK_SIZE) break bad;
    vma = mm.vmas.find_vma(address);
    if (!vma) break bad;
    if (vma.start > address) {
      if (!(vma.flags & VM_GROWSDOWN)) break bad;
      // "Accessing the stack below %esp is always a bug" (2.4 allows 32 bytes
      // for push/pusha, which touch memory before moving esp).
      if (error_code & PF_USER && address + 32 < task.regs.esp) break bad;
      if (expand_stack(mm, vma, address) !== 0) break bad;
    }
    // good_area
    si_code = SEGV_ACCERR;
    if (write) {
      if (!(vma.flags & VM_WRITE)) break bad;
    } else {
      if (error_code & PF_PROT) break bad;
      if (!(vma.flags & (VM_READ | VM_EXEC))) break bad;
    }
    const r = handle_mm_fault(task, mm, vma, address, write);
    switch (r) {
      case VM_FAULT_MINOR:
        task.min_flt++;
        return true;
      case VM_FAULT_MAJOR:
        task.maj_flt++;
        return true;
      case VM_FAULT_BLOCKED:
        return false;
      case VM_FAULT_SIGBUS:
        task.exit_reason = `SIGBUS at 0x${address.toString(16)}: no page behind a mapped address`;
        force_sig(task, { signo: SIGBUS, code: 0, addr: address });
        return false;
      default:
        task.exit_reason = `out of memory: ${task.node.name} has no free page frame`;
        force_sig(task, { signo: SIGKILL, code: 0, addr: address });
        return false;
    }
  }
  // bad_area
  if (user_copy) {
    task.efault = true;
    return false;
  }
  dbg(task.node, 'pid %d: SIGSEGV at 0x%s (%s)', task.pid, address.toString(16), si_code === SEGV_MAPERR ? 'MAPERR' : 'ACCERR');
  task.exit_reason = `SIGSEGV at 0x${address.toString(16)} (${si_code === SEGV_MAPERR ? 'SEGV_MAPERR' : 'SEGV_ACCERR'}, ${write ? 'write' : 'read'})`;
  force_sig(task, { signo: SIGSEGV, code: si_code, addr: address });
  return false;
}

/** handle_mm_fault: find (or make) the PTE, then handle_pte_fault. */
export function handle_mm_fault(task: Task, mm: MmStruct, vma: VmArea, address: number, write: boolean): number {
  return handle_pte_fault(task, mm, vma, address, write, mm.pte_get(address / PAGE_SIZE));
}

export function handle_pte_fault(task: Task, mm: MmStruct, vma: VmArea, address: number, write: boolean, entry: number): number {
  const vpn = address / PAGE_SIZE;
  if (!pte_present(entry)) {
    if (pte_none(entry)) {
      const held_by = mm.remote_ranges.empty ? -1 : mm.remote_ranges.node_of(vpn);
      if (held_by >= 0 && remote_page_hook) return remote_page_hook(task, mm, vma, address, write, mk_remote_pte(held_by));
      const r = do_anonymous_page(task, mm, vma, vpn, write);
      if (r === VM_FAULT_MINOR) local_fault_hook?.(task, mm, vma, vpn);
      return r;
    }
    if (is_remote_pte(entry)) {
      if (!remote_page_hook) return VM_FAULT_SIGBUS;
      return remote_page_hook(task, mm, vma, address, write, entry);
    }
    return VM_FAULT_SIGBUS; // a swap entry of a type nobody serves
  }
  if (!(entry & _PAGE_PRESENT)) return VM_FAULT_SIGBUS; // PROT_NONE reached here: cannot happen past the VMA checks
  if (write && !(entry & _PAGE_RW)) {
    const r = do_wp_page(task, mm, vma, vpn, entry);
    if (r === VM_FAULT_MINOR) local_fault_hook?.(task, mm, vma, vpn);
    return r;
  }
  // Only the accessed/dirty bits were missing (the walk sets them anyway).
  const npte = entry | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
  if (!mm.pte_set(vpn, npte)) return VM_FAULT_OOM;
  return VM_FAULT_MINOR;
}

/** The PTE protection bits a VMA's pages get (vm_page_prot, writable form). */
export function vma_pte_bits(vma: VmArea, writable: boolean): number {
  return _PAGE_PRESENT | _PAGE_USER | (writable && vma.flags & VM_WRITE ? _PAGE_RW : 0);
}

/** A first touch of anonymous memory: the zero page on read, a fresh page on write. */
export function do_anonymous_page(task: Task, mm: MmStruct, vma: VmArea, vpn: number, write: boolean): number {
  const mem = mm.mem;
  if (!write) {
    const zero = zero_page_of(mm.node);
    if (zero < 0) return VM_FAULT_OOM;
    mem.get(zero);
    if (!mm.pte_set(vpn, mk_pte(zero, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED))) {
      mem.put(zero);
      return VM_FAULT_OOM;
    }
    return VM_FAULT_MINOR;
  }
  const pfn = mem.alloc_zeroed();
  if (pfn < 0) return VM_FAULT_OOM;
  task.charge(task.node.cpu.cost_ns(CPU_ZERO_PAGE, 1));
  if (!mm.pte_set(vpn, mk_pte(pfn, vma_pte_bits(vma, true) | _PAGE_ACCESSED | _PAGE_DIRTY))) {
    mem.put(pfn);
    return VM_FAULT_OOM;
  }
  mm.rss++;
  return VM_FAULT_MINOR;
}

/** A write to a present, write-protected page of a writable VMA (copy on write). */
export function do_wp_page(task: Task, mm: MmStruct, vma: VmArea, vpn: number, entry: number): number {
  const mem = mm.mem;
  const old = pte_pfn(entry);
  const zero = zero_page_of(mm.node);
  if (old !== zero && mem.refcount[old] === 1) {
    // Sole user: just make it writable again.
    mm.pte_set(vpn, entry | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
    return VM_FAULT_MINOR;
  }
  const pfn = old === zero ? mem.alloc_zeroed() : mem.alloc();
  if (pfn < 0) return VM_FAULT_OOM;
  if (old === zero) {
    task.charge(task.node.cpu.cost_ns(CPU_ZERO_PAGE, 1));
    mm.rss++;
  } else {
    mem.copy(pfn, mem.bytes(old));
    task.charge(task.node.cpu.cost_ns(CPU_COPY_PAGE, 1));
  }
  if (!mm.pte_set(vpn, mk_pte(pfn, vma_pte_bits(vma, true) | _PAGE_ACCESSED | _PAGE_DIRTY))) {
    mem.put(pfn);
    return VM_FAULT_OOM;
  }
  mem.put(old);
  return VM_FAULT_MINOR;
}
