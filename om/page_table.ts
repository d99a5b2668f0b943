// The page table a migration sends for the pages it leaves behind, in the
// scheme's form:
// - 'mpt': a master-page-table entry per page (6 bytes), for the pages here
//   and those other nodes hold (AMPoM's MPT);
// - 'ranges': NoPrefetch's VMAs at its first migration, all pointing at the
//   source (a page in them may never have existed); entries for pages held
//   elsewhere, and, on a later migration, for the pages it leaves here;
// - 'runs': exact runs of consecutive pages with one holder, a few dozen
//   bytes for a process whose pages all stay in one place.
// Ranges the process already had (from an earlier migration) travel on
// unchanged with 'mpt' and 'ranges'; 'runs' folds them into its runs.
import type { MmStruct } from '../mm/mm_struct.ts';
import { PAGE_SIZE, is_remote_pte, swp_offset } from '../mm/pgtable.ts';
import { own_page, page_state } from './pages.ts';
import type { MptEntry, RangeRec } from './proto.ts';
import type { Scheme } from './schemes/index.ts';

export interface PageTable {
  entries: MptEntry[];
  ranges: RangeRec[];
  /** Pages walked to build it (charged as PTE scans). */
  scanned: number;
}

export function page_table_to_send(src: number, scheme: Scheme, mm: MmStruct, moved: ReadonlySet<number>): PageTable {
  if (scheme.table === 'runs') return runs_of(src, mm, moved);
  const forward: RangeRec[] = mm.remote_ranges.ranges.map((r) => ({ start: r.start_vpn * PAGE_SIZE, end: r.end_vpn * PAGE_SIZE, node: r.node, exact: r.exact }));
  const first_lazy = scheme.table === 'ranges' && forward.length === 0;
  const ranges = first_lazy ? mm.vmas.list.map((v) => ({ start: v.start, end: v.end, node: src, exact: false })) : forward;
  // Pages staying here need entries unless the ranges already say "here".
  const list_local = !first_lazy;
  const entries: MptEntry[] = [];
  let scanned = 0;
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    scanned++;
    if (is_remote_pte(pte)) entries.push({ vpn, node: swp_offset(pte), flags: 0 });
    else if (list_local && !moved.has(vpn) && own_page(mm, vpn) >= 0) entries.push({ vpn, node: src, flags: page_state(pte) });
  });
  return { entries, ranges, scanned };
}

/** Walk the VMAs page by page and cut runs where the holder (or exactness) changes. */
function runs_of(src: number, mm: MmStruct, moved: ReadonlySet<number>): PageTable {
  const ranges: RangeRec[] = [];
  let scanned = 0;
  let cur: RangeRec | null = null;
  const close = (): void => {
    if (cur) ranges.push(cur);
    cur = null;
  };
  for (const v of mm.vmas.list) {
    for (let vpn = v.start / PAGE_SIZE; vpn < v.end / PAGE_SIZE; vpn++) {
      scanned++;
      const pte = mm.pte_get(vpn);
      let node = -1;
      let exact = true;
      if (own_page(mm, vpn) >= 0) node = moved.has(vpn) ? -1 : src;
      else if (is_remote_pte(pte)) node = swp_offset(pte);
      else if (pte === 0) {
        const r = mm.remote_ranges.find(vpn);
        if (r) {
          node = r.node;
          exact = r.exact;
        }
      }
      const a = vpn * PAGE_SIZE;
      const c = cur as RangeRec | null;
      if (node >= 0 && c && c.node === node && c.exact === exact && c.end === a) c.end = a + PAGE_SIZE;
      else {
        close();
        if (node >= 0) cur = { start: a, end: a + PAGE_SIZE, node, exact };
      }
    }
    close();
  }
  return { entries: [], ranges, scanned };
}
