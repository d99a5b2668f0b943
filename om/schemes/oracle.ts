// The oracle: the shortest freeze any scheme here has (the three current
// pages and a run table of where the rest is, as post-copy and ampom-push
// move: a few dozen bytes where the MPT takes 6 a page), so that its
// runtime bounds every scheme that starts from three pages, and a
// prefetcher that knows every page the process will fault on and asks for
// them in that order from the moment it resumes (mm/oracle.ts). No system can run it: it is the bound
// of the schemes that start from the three-page freeze. A run of it first
// runs the program under NoPrefetch to record its future (userland/experiment.ts).
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

export const oracle: Scheme = { name: 'oracle', freeze_pages: three_pages, table: 'runs', prefetcher: 'oracle', precopy: null, push: false, preempt: false };
