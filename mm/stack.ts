// expand_stack: grow a VM_GROWSDOWN VMA down to cover an address.
import { ENOMEM } from '../kernel/errno.ts';
import { PAGE_MASK, STACK_LIMIT_B } from './pgtable.ts';
import type { MmStruct } from './mm_struct.ts';
import type { VmArea } from './vma.ts';

export function expand_stack(mm: MmStruct, vma: VmArea, address: number): number {
  const start = (address & PAGE_MASK) >>> 0;
  if (vma.end - start > STACK_LIMIT_B) return -ENOMEM;
  const below = mm.vmas.prev(vma);
  if (below && below.end > start) return -ENOMEM;
  vma.start = start;
  return 0;
}
