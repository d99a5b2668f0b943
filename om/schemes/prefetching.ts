// AMPoM and the state-of-the-art prefetchers: the three current pages and
// the MPT move; each remote fault asks for the faulting page and the zone
// the prefetcher picks (mm/ampom.ts, mm/linux_ra.ts, mm/vma_ra.ts, mm/leap.ts,
// and today's far-memory ones: mm/fastswap.ts, mm/canvas.ts, mm/hermit.ts,
// mm/aifm.ts).
import type { Scheme } from './index.ts';
import { three_pages } from './common.ts';

type Lazy = 'ampom' | 'linux-ra' | 'vma-ra' | 'leap' | 'fastswap' | 'canvas' | 'hermit' | 'aifm';
// The demand band is off by default here too (docs/schemes.md says why).
const lazy = (name: Lazy): Scheme => ({ name, freeze_pages: three_pages, table: 'mpt', prefetcher: name, precopy: null, push: false, preempt: false });

export const prefetching: Scheme[] = (['ampom', 'linux-ra', 'vma-ra', 'leap', 'fastswap', 'canvas', 'hermit', 'aifm'] as Lazy[]).map(lazy);
