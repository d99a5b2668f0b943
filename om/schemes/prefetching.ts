// AMPoM and the state-of-the-art prefetchers: the three current pages and
// the MPT move; each remote fault asks for the faulting page and the zone
// the prefetcher picks (mm/ampom.ts, mm/linux_ra.ts, mm/vma_ra.ts, mm/leap.ts).
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

const lazy = (name: 'ampom' | 'linux-ra' | 'vma-ra' | 'leap'): Scheme => ({ name, freeze_pages: three_pages, table: 'mpt', prefetcher: name, precopy: null, push: false, preempt: false });

export const prefetching: Scheme[] = [lazy('ampom'), lazy('linux-ra'), lazy('vma-ra'), lazy('leap')];
