// The oracle: AMPoM's freeze (the three current pages and the MPT), and a
// prefetcher that knows every page the process will fault on and asks for
// them in that order from the moment it resumes (mm/oracle.ts). No system can run it: it is the bound
// of the schemes that start from the three-page freeze. A run of it first
// runs the program under NoPrefetch to record its future (userland/experiment.ts).
// It moves the MPT rather than post-copy's run table: with the run table
// and no push behind it, the model-based property lost a page (a migration
// aborted at mig_send_vmas, then one whose commit window was cut for 5 s),
// which the MPT's path does not; until that path is mended, the bound's
// freeze is the MPT's, a few ms more than a run table's at the largest sizes.
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

export const oracle: Scheme = { name: 'oracle', freeze_pages: three_pages, table: 'mpt', prefetcher: 'oracle', precopy: null, push: false, preempt: false };
