// fastswap: Fastswap's page-fault path (Amaro et al., "Can far memory
// improve job throughput?", EuroSys 2020), behind the remote-page hook.
//
// What it adds to omemu: demand first. Fastswap keeps the kernel's swap
// readahead but sends the faulting page on a queue of its own, polled
// synchronously, and the readahead pages on another, completed
// asynchronously, so the faulting page never waits for the readahead of
// its own fault. Here: the cluster
// rule of linux-ra (mm/linux_ra.ts, unchanged), the faulting page asked
// for in a request of its own that leaves first (Prefetcher.demand_first,
// om/remote.ts), and the readahead in a second request whose pages are
// taken in as they come (on touch, the swap cache). That the demand's
// reply also overtakes earlier prefetches already queued on the wire is
// the network's part: the strict-priority band of `--preempt`, not this
// file.
//
// Choices the sources leave open:
// - Fastswap ran on Linux 4.11, whose swapin_readahead sizes its window
//   from readahead hits (swapin_nr_pages, as vma-ra and leap do here); the
//   rule kept here is linux-ra's fixed aligned cluster of 8, so that the
//   only difference from linux-ra is demand first.
import { register_prefetcher } from './prefetch.ts';
import { LinuxRa } from './linux_ra.ts';

export class Fastswap extends LinuxRa {
  override readonly name: string = 'fastswap';
  readonly demand_first = true;
}

register_prefetcher('fastswap', () => new Fastswap());
