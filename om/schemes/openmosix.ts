// openMosix 2.4: every page with contents moves while the process is frozen.
import type { Scheme } from './index.ts';
import { all_pages } from './common.ts';

export const openmosix: Scheme = { name: 'openmosix', freeze_pages: all_pages, table: 'mpt', prefetcher: null, precopy: null, push: false, preempt: false };
