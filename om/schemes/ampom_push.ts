// ampom-push: NoPrefetch's freeze with AMPoM's zones and a wire that is
// never idle. The process moves with its three current pages and a run
// table (a few dozen bytes instead of 6 bytes a page); every remote fault
// runs AMPoM and asks for the faulting page and its dependent zone, which
// the holder serves ahead of a background push of everything else. The push
// goes where the requests show the process goes (om/push_order.ts): along
// a run from each faulting page, in the way the recent faults walk, a run
// the process follows growing, a wrong guess costing a few pages; the rest
// in address order once no run has budget left. Its messages are small
// and its backlog in the socket short (om/push.ts), so a demand reply
// waits behind little and the next pushed page follows the latest fault.
// Address order from the last request (post-copy's) suits a kernel
// sweeping arrays, not a program whose next pages are scattered: on gzip
// and sort under valgrind it ended later than NoPrefetch or barely sooner.
// Demand goes first on the wire by default (--preempt): a scattered fault
// then waits a round trip, not behind pushed pages it does not need, and
// the push fills what the demand leaves of the line. With the short
// backlog no pushed page is sent twice (om/push.ts PUSH_KEEP_PAGES), which
// is what made demand first cost the kernels time behind the address-order
// push. Its second connection has a receive window of its own: on a long
// path that alone lets more bytes be in flight than the oracle's one
// connection (docs/schemes.md).
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

export const ampom_push: Scheme = { name: 'ampom-push', freeze_pages: three_pages, table: 'runs', prefetcher: 'ampom', precopy: null, push: 'demand', preempt: true };
