// A page-transfer scheme, as data: what moves while the process is frozen,
// how the destination learns where the other pages are, which prefetcher
// runs at a remote fault, whether pages are copied in rounds before the
// freeze, and whether the page holder left behind pushes the rest unasked.
// Each scheme is one file beside this one.
import type { Task } from '../../kernel/task.ts';
import type { MmStruct } from '../../mm/mm_struct.ts';
import type { Policy } from '../state.ts';
import type { PushOrderMode } from '../push_order.ts';
import { ampom_push } from './ampom_push.ts';
import { noprefetch } from './noprefetch.ts';
import { oracle } from './oracle.ts';
import { openmosix } from './openmosix.ts';
import { postcopy } from './postcopy.ts';
import { precopy } from './precopy.ts';
import { prefetching } from './prefetching.ts';

/** When pre-copy stops its rounds and stops the process. */
export interface PrecopyRule {
  /** Stop when fewer pages than this are dirty after a round. */
  min_dirty: number;
  max_rounds: number;
  /** Stop once this many times the process's memory has been sent (0: no such limit). */
  max_sent_factor: number;
}

export interface Scheme {
  readonly name: Policy;
  /**
   * The pages that move while the process is frozen (`precopied`: the
   * pages the destination already has a copy of from pre-copy's rounds).
   */
  freeze_pages(task: Task, mm: MmStruct, precopied?: ReadonlySet<number>): number[];
  /**
   * How the destination learns where the pages left behind are:
   * 'mpt'    a master page table entry per page (6 bytes each),
   * 'ranges' NoPrefetch's: its VMAs at the first migration, pages asked for at its source,
   * 'runs'   exact runs of pages (start, end, holder): a few dozen bytes.
   */
  readonly table: 'mpt' | 'ranges' | 'runs';
  /** The prefetcher run at every remote fault, or null. */
  readonly prefetcher: string | null;
  /** Copy rounds while the process still runs at its source. */
  readonly precopy: PrecopyRule | null;
  /**
   * The holder left behind pushes every remaining page unasked, in address
   * order or in the order the requests show (om/push_order.ts); false: no push.
   */
  readonly push: false | PushOrderMode;
  /**
   * Demand first on the wire, unless a run says otherwise (--preempt): a
   * fault's request and the reply with its page go on a connection of
   * their own in pfifo_fast's top band, ahead of pushed and prefetched
   * pages (om/comm.ts). Its default per scheme: docs/schemes.md.
   */
  readonly preempt: boolean;
}

const SCHEMES = new Map<Policy, Scheme>(
  [openmosix, noprefetch, ...prefetching, precopy, postcopy, ampom_push, oracle].map((s) => [s.name, s]),
);

export function scheme_of(p: Policy): Scheme {
  const s = SCHEMES.get(p);
  if (!s) throw new Error(`no page-transfer scheme '${p}'`);
  return s;
}
