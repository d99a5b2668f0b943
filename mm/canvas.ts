// canvas: Canvas's prefetcher (Wang et al., "Canvas: Isolated and Adaptive
// Swapping for Multi-Applications on Remote Memory", NSDI 2023), behind
// the remote-page hook.
//
// What it adds to omemu: demand first with Leap's trend rule. Canvas
// isolates each application's swap path and, in it, runs a per-process
// majority-trend prefetcher (Leap's: the majority delta over the last 8,
// 16 or 32 faults, a window of 4 to 8 pages, mm/leap.ts) and schedules the
// faulting page's read ahead of prefetch reads (its two-dimensional RDMA
// scheduling: demand before prefetch). Here: leap's rule unchanged, the
// faulting page asked for in a request of its own that leaves first
// (Prefetcher.demand_first, om/remote.ts). That the demand's reply also
// overtakes prefetched pages already queued on the wire is the network's
// part: the strict-priority band of `--preempt`, not this file.
//
// Choices the sources leave open:
// - Canvas also adapts which prefetcher a process gets (kernel readahead or
//   its own) and isolates swap caches between processes; an emulated run
//   has one migrant, so neither applies.
import { register_prefetcher } from './prefetch.ts';
import { Leap } from './leap.ts';

export class Canvas extends Leap {
  override readonly name: string = 'canvas';
  readonly demand_first = true;
}

register_prefetcher('canvas', () => new Canvas());
