// Pre-copy (Xen's live migration, V-System's pre-copy): while the process
// goes on at its source, rounds copy its pages to the destination; a round
// sends the pages dirtied since the previous one (round 1: every page with
// contents). Then the process stops and what is still dirty (or was never
// sent) moves while it is frozen. The rounds are om/precopy.ts.
import type { Task } from '../../kernel/task.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import { _PAGE_DIRTY } from '../../mm/pgtable.ts';
import { own_page } from '../pages.ts';
import type { PrecopyRule, Scheme } from './index.ts';

/** Xen's simple_precopy_policy: stop below 50 dirty pages or after 5 rounds. */
export const XEN_RULE: PrecopyRule = { min_dirty: 50, max_rounds: 5, max_sent_factor: 0 };
/** The older rule: 30 rounds, or 3 times the memory sent. */
export const LEGACY_RULE: PrecopyRule = { min_dirty: 50, max_rounds: 30, max_sent_factor: 3 };

/** At the freeze: the pages dirtied since the destination got them, and those it never got. */
function left_after_rounds(_task: Task, mm: MmStruct, sent?: ReadonlySet<number>): number[] {
  const out: number[] = [];
  mm.for_each_pte(0, 1 << 20, (vpn, pte) => {
    if (own_page(mm, vpn) < 0) return;
    if (!sent?.has(vpn) || pte & _PAGE_DIRTY) out.push(vpn);
  });
  return out;
}

/** The rules by name (--precopy-rule). */
export const PRECOPY_RULES: Record<string, PrecopyRule> = { xen: XEN_RULE, legacy: LEGACY_RULE };

export const precopy: Scheme = { name: 'precopy', freeze_pages: left_after_rounds, table: 'mpt', prefetcher: null, precopy: XEN_RULE, push: false, preempt: false };
