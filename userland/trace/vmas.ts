// A trace's address space: the `vmas=` header key a trace of one of omemu's
// own programs carries (the program's VMAs when it passed setup_done), and
// the plan a replay follows to build the same VMAs. A replay that maps its
// own regions instead has other VMAs than the program: its migration sends
// other MIG_VMA records (a longer freeze) and the Linux-family prefetchers,
// which stop at a VMA's end, read ahead over other bounds.
//
//   vmas=<lo>-<hi>:<perms>[:heap|:stack],...   pages in hex, [lo, hi); perms as in maps (rwx or -)
import type { ImageSpec } from '../../mm/exec.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { ELF_TEXT_START, PAGE_SIZE, TASK_SIZE } from '../../mm/pgtable.ts';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../mm/mmap.ts';
import { VM_EXEC, VM_READ, VM_WRITE } from '../../mm/vma.ts';
import type { Trace } from './ompt.ts';

export interface TraceVma {
  lo: number;
  hi: number;
  prot: number;
  role: '' | 'heap' | 'stack';
}

const perms = (flags: number): string => (flags & VM_READ ? 'r' : '-') + (flags & VM_WRITE ? 'w' : '-') + (flags & VM_EXEC ? 'x' : '-');

/** The `vmas=` value of an address space. */
export function format_vmas(mm: MmStruct): string {
  return mm.vmas.list
    .map((v) => {
      const role = v.name === '[heap]' ? ':heap' : v.name === '[stack]' ? ':stack' : '';
      return `${(v.start / PAGE_SIZE).toString(16)}-${(v.end / PAGE_SIZE).toString(16)}:${perms(v.flags)}${role}`;
    })
    .join(',');
}

/** The `vmas=` of a trace, or null when it has none or it does not parse. */
export function parse_vmas(v: string | undefined): TraceVma[] | null {
  if (v === undefined) return null;
  const out: TraceVma[] = [];
  for (const item of v.split(',')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+):([r-])([w-])([x-])(?::(heap|stack))?$/i.exec(item);
    if (!m) return null;
    const lo = parseInt(m[1]!, 16);
    const hi = parseInt(m[2]!, 16);
    if (!(hi > lo) || (out.length > 0 && lo < out[out.length - 1]!.hi)) return null;
    const prot = (m[3] === 'r' ? PROT_READ : 0) | (m[4] === 'w' ? PROT_WRITE : 0) | (m[5] === 'x' ? PROT_EXEC : 0);
    out.push({ lo, hi, prot, role: (m[6] ?? '') as TraceVma['role'] });
  }
  return out;
}

/** How a replay builds the program's VMAs: its image, its heap, its other mappings. */
export interface VmaPlan {
  /** The image the loader lays out: the program's text, data (+bss) and stack VMAs. */
  image: ImageSpec;
  /** brk to here (a page number) when the program had a heap, else -1. */
  heap_end: number;
  /** Every other VMA, mapped at its place. */
  maps: TraceVma[];
  /** Pages the loader makes resident (text, loaded data, the top stack page): the replay need not touch them. */
  loaded: (vpn: number) => boolean;
}

/**
 * The plan for a trace whose `vmas=` has the layout load_image makes (text
 * at 0x08048000, data right after it, the heap right after the data, a
 * stack VMA under TASK_SIZE) and covers every page of the trace; null
 * otherwise (the replay then maps regions of its own).
 */
export function plan_vmas(t: Trace, comm: string): VmaPlan | null {
  const vmas = parse_vmas(t.header.vmas);
  if (!vmas || vmas.length === 0) return null;
  const text = vmas[0]!;
  if (text.lo !== ELF_TEXT_START / PAGE_SIZE || text.prot !== (PROT_READ | PROT_EXEC) || text.role) return null;
  const top = TASK_SIZE / PAGE_SIZE;
  const stack = vmas.find((v) => v.role === 'stack');
  if (!stack || stack.hi !== top) return null;
  let k = 1;
  const data = vmas[k] && vmas[k]!.lo === text.hi && !vmas[k]!.role && vmas[k]!.prot === (PROT_READ | PROT_WRITE) ? vmas[k++] : undefined;
  const data_end = data ? data.hi : text.hi;
  const heap = vmas.find((v) => v.role === 'heap');
  if (heap && (heap.lo !== data_end || vmas[k] !== heap)) return null;
  if (heap) k++;
  const maps = vmas.slice(k).filter((v) => v !== stack);
  if (maps.some((v) => v.role)) return null;
  // Every page of the trace lies in a VMA.
  const starts = vmas.map((v) => v.lo);
  const inside = (p: number): boolean => {
    let i = starts.length - 1;
    while (i >= 0 && starts[i]! > p) i--;
    return i >= 0 && p < vmas[i]!.hi;
  };
  if (!t.pre_vpn.every(inside)) return null;
  for (let i = 0; i < t.n; i++) if (!inside(t.vpn[i]!)) return null;
  // The loader fills the data pages it loads from the front: as many as were resident in a row.
  const pre = new Set(t.pre_vpn);
  let loaded_data = 0;
  if (data) while (data.lo + loaded_data < data.hi && pre.has(data.lo + loaded_data)) loaded_data++;
  const data_pages = data ? data.hi - data.lo : 0;
  return {
    image: {
      comm, text_B: (text.hi - text.lo) * PAGE_SIZE, data_B: loaded_data * PAGE_SIZE, bss_B: (data_pages - loaded_data) * PAGE_SIZE,
      stack_B: (stack.hi - stack.lo) * PAGE_SIZE,
    },
    heap_end: heap ? heap.hi : -1,
    maps,
    loaded: (p) => (p >= text.lo && p < text.hi) || (data !== undefined && p >= data.lo && p < data.lo + loaded_data) || p === top - 1,
  };
}
