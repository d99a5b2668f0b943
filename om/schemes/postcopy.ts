// Post-copy (QEMU's vanilla post-copy): the process moves with its three
// current pages and a run table of where the rest is (QEMU sends no page;
// the three keep it comparable). The source then pushes every remaining
// page in address order while the process runs at the destination; a fault
// asks for its page, which is served ahead of the push, and the push goes
// on from just after it (om/push.ts). Each page crosses the wire once.
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

export const postcopy: Scheme = { name: 'postcopy', freeze_pages: three_pages, table: 'runs', prefetcher: null, precopy: null, push: 'address', preempt: false };
