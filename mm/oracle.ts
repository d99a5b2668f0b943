// oracle: the prefetcher that knows the future, behind the remote-page hook.
// No real system can run it: it is the bound the others are measured
// against (the share of the blocked time a scheme closes is
// (NoPrefetch - scheme) / (NoPrefetch - oracle)).
//
// What it knows: the pages the process will fault on after its migration,
// in order (PrefetcherEnv.future_refs: om/future_refs.ts records them in a
// NoPrefetch run of the same program, whose misses are the order in which
// the process first needs each page it left behind; mm never sees the
// program). What it does with it:
// - As the process resumes (on_resume), it asks for the pages needed
//   soonest that are neither here nor on their way, as many as the
//   destination's free frames allow (less a reserve for page tables), in
//   the order they will be needed: the wire is busy from the first
//   instant, and the holder answers in that order, so every page comes as
//   early as a page can come behind the ones needed before it.
// - The first requests are small (1, 2, 4, ... pages, then up to
//   ORACLE_BATCH_MAX): the holder answers a request in messages of up to 8
//   pages, and the first page needed should not wait for seven others.
// - At each fault it moves its place on the tape to the faulting page and
//   asks for more if memory has room for more than it asked before (a
//   process that outgrows the destination's memory).
// - Arrived pages are installed at the next fault (AMPoM's rule): one
//   fault installs every page that came, so the oracle's faults are few.
//
// Its waits are then the wire's and the round trip's alone: it never asks
// for a page it will not need, and never asks late. A property holds its
// time after the freeze under every other prefetcher's from the same freeze
// (tests/om/oracle.test.ts). Its blocked time alone can be above that of a
// scheme that spends more CPU in its own fault path while the wire is the
// bottleneck (requests at every hit, a minor fault a page): that CPU hides
// part of the wait without ending the run any sooner.
import { register_prefetcher, type PrefetchCtx, type Prefetcher, type PrefetcherEnv } from './prefetch.ts';

/** The largest batch one request of the oracle carries. */
export const ORACLE_BATCH_MAX = 1024;
/** Frames left free for page tables and the process's new pages. */
export const ORACLE_RESERVE_FRAMES = 256;

export class Oracle implements Prefetcher {
  readonly name = 'oracle';
  readonly max_zone = 4096;
  analysis_ops = 0;
  /** The tape position of the last fault (where the process is). */
  cursor = 0;
  /** Tape positions before this one have been asked for, or were not wanted. */
  next = 0;
  private batch = 1;
  /** Each page's positions on the tape, ascending (a page left behind twice appears twice). */
  private readonly pos = new Map<number, number[]>();

  constructor(readonly future: Int32Array) {
    future.forEach((v, i) => {
      const l = this.pos.get(v);
      if (l) l.push(i);
      else this.pos.set(v, [i]);
    });
  }

  /** How many more pages the destination's memory takes. */
  private budget(ctx: PrefetchCtx): number {
    return ctx.free_frames === undefined ? Infinity : ctx.free_frames - ORACLE_RESERVE_FRAMES;
  }

  /** Write up to max wanted pages from the tape into out, from `next` on. */
  private fill(ctx: PrefetchCtx, out: Int32Array, max: number): number {
    let n = 0;
    const lim = Math.min(max, out.length, this.budget(ctx));
    while (n < lim && this.next < this.future.length) {
      const v = this.future[this.next++]!;
      this.analysis_ops++;
      if (v !== ctx.vpn && ctx.wanted(v)) out[n++] = v;
    }
    return n;
  }

  on_resume(ctx: PrefetchCtx, out: Int32Array): number {
    const n = this.fill(ctx, out, this.batch);
    this.batch = Math.min(2 * this.batch, ORACLE_BATCH_MAX);
    return n;
  }

  on_fault(ctx: PrefetchCtx, out: Int32Array): number {
    const l = this.pos.get(ctx.vpn);
    this.analysis_ops++;
    if (l) {
      // The first position at or after the cursor (binary search).
      let lo = 0;
      let hi = l.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (l[mid]! < this.cursor) lo = mid + 1;
        else hi = mid;
      }
      if (lo < l.length) this.cursor = l[lo]!;
    }
    if (this.next <= this.cursor) this.next = this.cursor + 1;
    return this.fill(ctx, out, out.length);
  }
}

// Without a recording the oracle knows nothing ahead and asks for nothing
// ahead: it is then NoPrefetch with the MPT, which is what the recording
// run is. The experiment always records first (userland/experiment.ts);
// a cluster refuses the scheme (its balancers do not repeat a run).
register_prefetcher('oracle', (env: PrefetcherEnv) => new Oracle(env.future_refs ?? new Int32Array(0)));
