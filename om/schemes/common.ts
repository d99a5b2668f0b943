// What several schemes move while frozen.
import type { Task } from '../../kernel/task.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { own_page } from '../pages.ts';

/** Every page with contents (in this model every private page is dirty). */
export function all_pages(_task: Task, mm: MmStruct): number[] {
  const out: number[] = [];
  mm.for_each_pte(0, 1 << 20, (vpn) => {
    if (own_page(mm, vpn) >= 0) out.push(vpn);
  });
  return out;
}

/** The current code, data and stack pages (FFA's three). */
export function three_pages(task: Task, mm: MmStruct): number[] {
  const out: number[] = [];
  for (const a of [task.regs.eip, task.regs.last_data, task.regs.esp]) {
    const vpn = Math.floor(a / PAGE_SIZE);
    if (own_page(mm, vpn) >= 0 && !out.includes(vpn)) out.push(vpn);
  }
  return out;
}
