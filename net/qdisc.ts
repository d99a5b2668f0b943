// A node's egress: what `tc` puts on eth0, then the line.
//
//   netem (loss, duplicate; reorder and delay)  ->  tbf, or pfifo_fast of
//   three bands of txqueuelen frames each  ->  the NIC's line, one frame at
//   a time
//
// pfifo_fast serves its bands in strict priority, FIFO within a band: a
// frame's band is its socket's priority through 2.4's prio2band
// (TC_PRIO_INTERACTIVE goes to band 0, best effort to 1, bulk to 2); the
// line takes the head of the highest band that holds a frame whenever it
// is free. Under tbf the same bands sit below the bucket (a prio child),
// which sends the head of the highest band once it holds its tokens.
//
// The line's schedule is computed when a frame is queued, not frame by
// frame as the line frees (no event per dequeue): frames enter at the time
// the stack hands them over, in time order, and each is given the start it
// has if nothing of a higher band comes before it leaves the queue. The
// frames in the queue are kept in the order the line will take them (each
// band after the higher ones), so a frame of the lowest band present is
// simply appended: with one band in use (every frame best effort, as
// before bands were used) this is exactly a FIFO, and nothing is ever
// recomputed. A frame of a higher band is placed before the waiting frames
// of lower bands, which are taken back off the line and given their new,
// later starts from the queue's state as it was before the first of them:
// the same schedule the line would have made by dequeueing at each free
// moment (tests/net/qdisc.test.ts checks it against that obvious version).
// A frame that has left the queue (it is on the line, or under tbf waits
// for the line) is never moved.
//
// netem's delay is added after the line rather than before the queue: for
// a constant delay the timing is the same, and a frame netem reorders (it
// sends it at once, ahead of the frames waiting their delay) simply skips
// it. The draws follow netem_enqueue: duplicate, then loss (a duplicated
// frame that is also lost goes once), then reorder; the copy goes through
// netem again without being duplicated.
import { Rng } from '../kernel/rng.ts';
import { drop_fronts_kept } from './fifo.ts';
import type { NicCounters } from './nic.ts';
import type { NetProfile } from './profiles.ts';
import { frame_counted_B, ser_ns, type Frame } from './wire.ts';

/** Socket priorities (2.4's TC_PRIO_*) om's connections use. */
export const TC_PRIO_BESTEFFORT = 0;
export const TC_PRIO_BULK = 2;
export const TC_PRIO_INTERACTIVE = 6;
export const PFIFO_FAST_BANDS = 3;
/** 2.4's prio2band: a socket priority's band (0 is served first). */
const PRIO2BAND = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
export const prio2band = (prio: number): number => PRIO2BAND[prio & 15]!;

/**
 * The line takes a frame: its copy goes on the wire from start to end and
 * netem delays it by delay_ns after. Returns what off_line needs to take
 * it back (its arrival event).
 */
export type OnLine<H> = (f: Frame, start_ns: number, end_ns: number, delay_ns: number) => H;
/** A frame given a start that a higher band's frame took: forget what on_line did for it. */
export type OffLine<H> = (f: Frame, h: H) => void;

const REFUSED = 0;
const ON_LINE = 1;
const LOST = 2;

export class Egress<H = unknown> {
  private line_free_ns = 0;
  // tbf: tokens as ns of sending at the rate, at most burst_ns, as of tok_at_ns.
  private tok_ns: number;
  private tok_at_ns = 0;
  private readonly burst_ns: number;
  private tbf_last_ns = 0;
  // The frames queued, in the order the line takes them: when each leaves
  // the qdisc and starts on the line, its counted bytes, its band; and, to
  // give it a new start, when it was queued, netem's delay, what on_line
  // gave back, and the line's and tbf's state just before it.
  private dep_ns: number[] = [];
  private start_ns: number[] = [];
  private counted_B: number[] = [];
  private band: number[] = [];
  private frame: Frame[] = [];
  private enq_ns: number[] = [];
  private delay_ns: number[] = [];
  private handle: H[] = [];
  private free_before_ns: number[] = [];
  private tok_before_ns: number[] = [];
  private tok_at_before_ns: number[] = [];
  private tbf_last_before_ns: number[] = [];
  /**
   * Frames held: the arrays' entries [0, n). The arrays are not shortened
   * when their front is dropped (drop_front_kept), so a busy queue's arrays
   * keep their room instead of being trimmed by V8 and grown again, twelve
   * of them, every few hundred frames; entries from n on are stale.
   */
  private n = 0;
  /** First frame not yet out of the qdisc, and first not yet on the line. */
  private h_dep = 0;
  private h_start = 0;
  private backlog_B = 0;
  /** Frames of each band not yet on the line (pfifo_fast's limit is txqueuelen a band). */
  private readonly waiting = new Array<number>(PFIFO_FAST_BANDS).fill(0);
  /** Frames netem dropped (of those the stack handed over) and copies it put on the line, with their counted bytes. */
  netem_lost = 0;
  netem_lost_B = 0;
  netem_dups = 0;
  netem_dups_B = 0;
  /** Frames that were given a later start because a higher band's frame went first. */
  requeued = 0;

  constructor(
    private readonly p: NetProfile,
    private readonly nic: NicCounters,
    private readonly rng: Rng,
    private readonly on_line: OnLine<H>,
    private readonly off_line: OffLine<H>,
  ) {
    this.burst_ns = p.tbf ? (p.tbf.burst_B * 8e9) / p.tbf.rate_bps : 0;
    this.tok_ns = this.burst_ns;
  }

  /**
   * The stack hands over a frame at `now`. False if the queue had no room
   * (NET_XMIT_DROP: TCP keeps the segment); a frame netem loses counts as
   * handed over, as netem reports success.
   */
  transmit(f: Frame, now: number): boolean {
    return this.netem_enqueue(f, now, true) !== REFUSED;
  }

  private netem_enqueue(f: Frame, now: number, original: boolean): number {
    const n = this.p.netem;
    let count = 1;
    if (original && n.duplicate > 0 && this.rng.float() < n.duplicate) count++;
    if (n.loss > 0 && this.rng.float() < n.loss) count--;
    if (count === 0) {
      this.nic.tx_drop++;
      if (original) {
        this.netem_lost++;
        this.netem_lost_B += frame_counted_B(f.ip_B);
      }
      return LOST;
    }
    if (count > 1 && this.netem_enqueue({ ...f }, now, false) === ON_LINE) {
      this.netem_dups++;
      this.netem_dups_B += frame_counted_B(f.ip_B);
    }
    const delay = n.reorder > 0 && this.rng.float() < n.reorder ? 0 : n.delay_ns;
    return this.enqueue(f, now, delay) ? ON_LINE : REFUSED;
  }

  private enqueue(f: Frame, now: number, delay: number): boolean {
    this.sync(now);
    const cnt = frame_counted_B(f.ip_B);
    const band = prio2band(f.prio);
    const tbf = this.p.tbf;
    if (tbf ? this.backlog_B + cnt > tbf.limit_B : this.waiting[band]! >= this.p.txqueuelen) {
      this.nic.tx_drop++;
      return false;
    }
    // Its place: after every waiting frame of its band or a higher one.
    const n = this.n;
    let at = n;
    while (at > this.h_dep && this.band[at - 1]! > band) at--;
    this.waiting[band]!++;
    this.backlog_B += cnt;
    if (at === n) {
      this.push_frame(f, now, delay, cnt, band);
      this.schedule(n);
      return true;
    }
    // Take the lower bands' waiting frames off the line, and give them
    // their starts again behind this one, from the state before the first.
    for (let i = at; i < n; i++) this.off_line(this.frame[i]!, this.handle[i]!);
    this.requeued += n - at;
    this.push_frame(f, now, delay, cnt, band);
    this.rotate_last_to(at);
    this.line_free_ns = this.free_before_ns[at]!;
    this.tok_ns = this.tok_before_ns[at]!;
    this.tok_at_ns = this.tok_at_before_ns[at]!;
    this.tbf_last_ns = this.tbf_last_before_ns[at]!;
    for (let i = at; i <= n; i++) this.schedule(i);
    return true;
  }

  private push_frame(f: Frame, now: number, delay: number, cnt: number, band: number): void {
    const i = this.n++;
    this.frame[i] = f;
    this.enq_ns[i] = now;
    this.delay_ns[i] = delay;
    this.counted_B[i] = cnt;
    this.band[i] = band;
    this.dep_ns[i] = 0;
    this.start_ns[i] = 0;
    this.handle[i] = undefined as H;
    this.free_before_ns[i] = 0;
    this.tok_before_ns[i] = 0;
    this.tok_at_before_ns[i] = 0;
    this.tbf_last_before_ns[i] = 0;
  }

  /**
   * Move the frame just pushed to index `at` (the ones from there on go one
   * later): for each array, a.copyWithin(at + 1, at, last) and a[at] = the
   * last. Written out as loops, one an array: a higher band's frame goes
   * before only the few frames waiting, and a builtin call on each of five
   * arrays (through one closure that saw every kind of array) was most of
   * the cost of ampom-push's demand frames on RandomAccess.
   */
  private rotate_last_to(at: number): void {
    const last = this.n - 1;
    const fr = this.frame;
    const eq = this.enq_ns;
    const dl = this.delay_ns;
    const cb = this.counted_B;
    const bd = this.band;
    const f = fr[last]!;
    const e = eq[last]!;
    const d = dl[last]!;
    const c = cb[last]!;
    const b = bd[last]!;
    for (let i = last; i > at; i--) {
      fr[i] = fr[i - 1]!;
      eq[i] = eq[i - 1]!;
      dl[i] = dl[i - 1]!;
      cb[i] = cb[i - 1]!;
      bd[i] = bd[i - 1]!;
    }
    fr[at] = f;
    eq[at] = e;
    dl[at] = d;
    cb[at] = c;
    bd[at] = b;
  }

  /** Give frame i its departure and time on the line after the frames before it, from the current state. */
  private schedule(i: number): void {
    this.free_before_ns[i] = this.line_free_ns;
    this.tok_before_ns[i] = this.tok_ns;
    this.tok_at_before_ns[i] = this.tok_at_ns;
    this.tbf_last_before_ns[i] = this.tbf_last_ns;
    const f = this.frame[i]!;
    const enq = this.enq_ns[i]!;
    const tbf = this.p.tbf;
    const dep = tbf ? this.tbf_departure(this.counted_B[i]!, enq, tbf.rate_bps) : Math.max(enq, this.line_free_ns);
    const start = Math.max(dep, this.line_free_ns);
    const end = start + ser_ns(f.ip_B, this.p.line_bps);
    this.line_free_ns = end;
    this.dep_ns[i] = dep;
    this.start_ns[i] = start;
    this.handle[i] = this.on_line(f, start, end, this.delay_ns[i]!);
  }

  /** When a frame of `cnt` bytes leaves tbf: the first time the bucket holds its tokens. */
  private tbf_departure(cnt: number, now: number, rate_bps: number): number {
    let t = Math.max(now, this.tbf_last_ns);
    let tok = Math.min(this.burst_ns, this.tok_ns + (t - this.tok_at_ns));
    const need = (cnt * 8e9) / rate_bps;
    if (tok < need) {
      const wait = Math.ceil(need - tok);
      t += wait;
      tok = Math.min(this.burst_ns, tok + wait);
    }
    this.tok_ns = tok - need;
    this.tok_at_ns = t;
    this.tbf_last_ns = t;
    return t;
  }

  /** Move frames that left the qdisc, and count those that went on the line by now. */
  sync(now: number): void {
    const dep = this.dep_ns;
    const n = this.n;
    while (this.h_dep < n && dep[this.h_dep]! <= now) this.backlog_B -= this.counted_B[this.h_dep++]!;
    const st = this.start_ns;
    while (this.h_start < n && st[this.h_start]! <= now) {
      this.nic.tx_packets++;
      this.nic.tx_bytes += this.counted_B[this.h_start]!;
      this.waiting[this.band[this.h_start]!]!--;
      this.h_start++;
    }
    const h = Math.min(this.h_dep, this.h_start);
    if (h > 256 && h * 2 > n) {
      drop_fronts_kept([dep, st, this.counted_B, this.band, this.enq_ns, this.delay_ns, this.free_before_ns, this.tok_before_ns, this.tok_at_before_ns, this.tbf_last_before_ns], h, n);
      // The frames and their events as well, and the stale entries let go.
      drop_fronts_kept([this.frame, this.handle], h, n);
      this.frame.fill(undefined as unknown as Frame, n - h, n);
      this.handle.fill(undefined as H, n - h, n);
      this.n = n - h;
      this.h_dep -= h;
      this.h_start -= h;
    }
  }

  /** Frames waiting in the qdisc at `now` (tests). */
  queued(now: number): number {
    this.sync(now);
    return this.n - this.h_start;
  }
}
