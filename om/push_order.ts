// The order in which a page holder pushes a migrant's pages (om/push.ts).
//
// 'address' (post-copy, as QEMU does): ascending, restarting just after
// the last page the migrant asked for.
//
// 'demand' (ampom-push): along what the migrant's requests show. A whole
// image in address order suits a kernel sweeping arrays, not a program
// whose next pages are scattered (gzip's hash tables, sort's buffers): the
// wire then carries pages nobody waits for while the faults queue behind
// them. The holder sees every request, so it pushes from where the
// process is, as a stream prefetcher would, but on the holder's side where
// the wire is:
// - each request (its faulting page first, then its zone) opens a front:
//   a run of held pages to push from that page on, in the direction the
//   migrant goes there (from a recent request within FRONT_GAP pages, else
//   from the zone's side), or both ways (two fronts) when nothing says;
// - a front gets a budget of pages (FRONT_BUDGET0) and doubles it (up to
//   FRONT_BUDGET_MAX) each time a request lands on it (ahead of it: the
//   process outran the push; just behind: it faulted on a page on its
//   way): a front the process follows grows, a wrong guess costs a few
//   pages; a front ends at a hole of more than FRONT_GAP pages;
// - fronts take turns, the most recent first, at most FRONTS_MAX of them;
// - when no front has budget left, the rest goes in address order from the
//   lowest page, so the wire is never idle while pages remain (the kernels
//   need all of their pages).
// It knows only what a holder knows: the pages it holds and the requests
// it got. A page goes once: taken as it goes, whichever way.

export type PushOrderMode = 'address' | 'demand';

// FRONT_GAP and FRONT_BUDGET0 were picked among a few values (16 and 8
// closed 57% and 74%) on two of the bench's traces, gzip and sort: the
// REPORT's shares on them are not held-out figures; its other traces were
// recorded after, to test them (userland/bench/plan.ts TRACES).
/** A hole wider than this (pages) ends a front; requests this close are one walk. */
export const FRONT_GAP = 8;
/** Pages a new front may push before a request confirms it (split over both ways when the way is unknown). */
export const FRONT_BUDGET0 = 4;
export const FRONT_BUDGET_MAX = 256;
export const FRONTS_MAX = 8;
/** Recent requests remembered for the direction. */
const RECENT_MAX = 8;

interface Front {
  /** The next index to look at (may be -1 or past the end). */
  i: number;
  dir: 1 | -1;
  /** The page it pushed, or started from, last. */
  last: number;
  /** Pages it may still push. */
  budget: number;
  /** What it was granted last (doubled at a confirmation). */
  grant: number;
}

export class PushOrder {
  /** The pages, ascending; `up` links each index to the next one not gone, `dn` (shifted by one) to the previous. */
  private readonly order: Int32Array;
  private readonly up: Int32Array;
  private readonly dn: Int32Array;
  private cursor = 0;
  private fronts: Front[] = [];
  private turn = 0;
  private readonly recent: number[] = [];

  constructor(
    vpns: number[],
    readonly mode: PushOrderMode,
  ) {
    this.order = Int32Array.from(vpns).sort();
    this.up = new Int32Array(this.order.length + 1).map((_, i) => i);
    this.dn = new Int32Array(this.order.length + 1).map((_, i) => i);
  }

  get length(): number {
    return this.order.length;
  }

  vpn_at(i: number): number {
    return this.order[i]!;
  }

  /** The index of vpn, or of the first page above it. */
  index_of(vpn: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.order[mid]! < vpn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index at or after i whose page has not gone (path halving). */
  private next(i: number): number {
    const s = this.up;
    while (s[i] !== i) {
      s[i] = s[s[i]!]!;
      i = s[i]!;
    }
    return i;
  }

  /** The last index at or before i whose page has not gone, or -1. */
  private prev(i: number): number {
    const s = this.dn;
    let k = i + 1;
    while (s[k] !== k) {
      s[k] = s[s[k]!]!;
      k = s[k]!;
    }
    return k - 1;
  }

  /** Index i's page has gone (pushed, or left another way). */
  remove(i: number): void {
    this.up[i] = i + 1;
    this.dn[i + 1] = i;
  }

  /** The migrant asked for these pages, the faulting one first. */
  requested(vpns: readonly number[]): void {
    if (vpns.length === 0) return;
    let lo = vpns[0]!;
    let hi = lo;
    for (const v of vpns) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (this.mode === 'address') {
      this.cursor = this.index_of(hi + 1);
      return;
    }
    const d = vpns[0]!;
    const p = this.recent.find((r) => r !== d && Math.abs(r - d) <= FRONT_GAP);
    let dir: 0 | 1 | -1 = p !== undefined ? (d > p ? 1 : -1) : hi > d && lo === d ? 1 : lo < d && hi === d ? -1 : 0;
    const k = this.fronts.findIndex(
      (f) => (dir === 0 || f.dir === dir) && (f.dir > 0 ? d - f.last : f.last - d) >= -FRONT_GAP && Math.abs(d - f.last) <= 4 * FRONT_GAP,
    );
    let grant = FRONT_BUDGET0;
    if (k >= 0) {
      const f = this.fronts[k]!;
      dir = f.dir;
      grant = Math.min(2 * f.grant, FRONT_BUDGET_MAX);
      this.fronts.splice(k, 1);
    }
    this.recent.unshift(d);
    if (this.recent.length > RECENT_MAX) this.recent.pop();
    const open = (from: number, way: 1 | -1, budget: number): void => {
      const i = way > 0 ? this.index_of(from + 1) : this.index_of(from) - 1;
      this.fronts.unshift({ i, dir: way, last: from, budget, grant: budget });
    };
    if (dir === 0) {
      open(d, 1, FRONT_BUDGET0 / 2);
      open(d, -1, FRONT_BUDGET0 / 2);
    } else open(dir > 0 ? hi : lo, dir, grant);
    if (this.fronts.length > FRONTS_MAX) this.fronts.length = FRONTS_MAX;
    this.turn = 0;
  }

  /** Up to n pages of front f into out (indexes); false when the front ended. */
  private take_front(f: Front, n: number, out: number[]): boolean {
    const end = this.order.length;
    while (out.length < n && f.budget > 0) {
      const i = f.dir > 0 ? (f.i >= end ? end : this.next(Math.max(f.i, 0))) : f.i < 0 ? -1 : this.prev(Math.min(f.i, end - 1));
      if (i < 0 || i >= end) return false;
      const v = this.order[i]!;
      if (Math.abs(v - f.last) > FRONT_GAP) return false;
      out.push(i);
      this.remove(i);
      f.last = v;
      f.budget--;
      f.i = i + f.dir;
    }
    return true;
  }

  /** Up to n indexes of the next pages to push into out, each removed; none when all went. */
  take(n: number, out: number[]): void {
    if (this.mode === 'demand') {
      for (let tries = 0; out.length === 0 && tries < this.fronts.length; tries++) {
        if (this.turn >= this.fronts.length) this.turn = 0;
        if (!this.take_front(this.fronts[this.turn]!, n, out)) this.fronts.splice(this.turn, 1);
        else this.turn++;
      }
      if (out.length > 0) return;
    }
    const end = this.order.length;
    for (let pass = 0; pass < 2 && out.length < n; pass++) {
      let i = this.next(pass === 0 ? this.cursor : 0);
      while (i < end && out.length < n) {
        out.push(i);
        this.remove(i);
        i = this.next(i + 1);
      }
      this.cursor = i;
    }
  }
}
