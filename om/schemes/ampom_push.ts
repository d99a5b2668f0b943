// ampom-push: NoPrefetch's freeze with AMPoM's zones and a wire that is
// never idle. The process moves with its three current pages and a run
// table (a few dozen bytes instead of 6 bytes a page); every remote fault
// runs AMPoM and asks for the faulting page and its dependent zone, which
// the holder serves ahead of a background push of everything else. The push
// goes on from just after the last page asked for, which is where the
// migrant's streams go next (om/push.ts).
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

export const ampom_push: Scheme = { name: 'ampom-push', freeze_pages: three_pages, table: 'runs', prefetcher: 'ampom', precopy: null, push: true, preempt: false };
