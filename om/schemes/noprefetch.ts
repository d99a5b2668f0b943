// The paper's NoPrefetch: the three current pages move; no page table is
// sent (the destination asks the source for any page it misses, inside the
// VMAs it had), and every other page comes on its own demand fault.
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

export const noprefetch: Scheme = { name: 'noprefetch', freeze_pages: three_pages, table: 'ranges', prefetcher: 'noprefetch', precopy: null, push: false, preempt: false };
