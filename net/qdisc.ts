// A node's egress: what `tc` puts on eth0, then the line.
//
//   netem (loss, duplicate; reorder and delay)  ->  tbf, or pfifo of
//   txqueuelen frames  ->  the NIC's line, one frame at a time, FIFO
//
// Frames enter at the time the stack hands them over, in time order, so
// each one's departure from the queue and its time on the line are known
// when it is queued: the wire is FIFO and work-conserving, and nothing is
// reserved ahead of what the transport has actually sent.
//
// netem's delay is added after the line rather than before the queue: for
// a constant delay the timing is the same, and a frame netem reorders (it
// sends it at once, ahead of the frames waiting their delay) simply skips
// it. The draws follow netem_enqueue: duplicate, then loss (a duplicated
// frame that is also lost goes once), then reorder; the copy goes through
// netem again without being duplicated.
import { Rng } from '../kernel/rng.ts';
import { drop_front } from './fifo.ts';
import type { NicCounters } from './nic.ts';
import type { NetProfile } from './profiles.ts';
import { frame_counted_B, ser_ns, type Frame } from './wire.ts';

/** Where a frame's copy goes once on the line: start and end of its serialisation, and netem's delay. */
export type OnLine = (f: Frame, start_ns: number, end_ns: number, delay_ns: number) => void;

const REFUSED = 0;
const ON_LINE = 1;
const LOST = 2;

export class Egress {
  private line_free_ns = 0;
  // tbf: tokens as ns of sending at the rate, at most burst_ns, as of tok_at_ns.
  private tok_ns: number;
  private tok_at_ns = 0;
  private readonly burst_ns: number;
  private tbf_last_ns = 0;
  // Frames queued: when each leaves the qdisc and starts on the line, its counted bytes.
  private dep_ns: number[] = [];
  private start_ns: number[] = [];
  private counted_B: number[] = [];
  /** First frame not yet out of the qdisc, and first not yet on the line. */
  private h_dep = 0;
  private h_start = 0;
  private backlog_B = 0;
  /** Frames netem dropped (of those the stack handed over) and copies it put on the line, with their counted bytes. */
  netem_lost = 0;
  netem_lost_B = 0;
  netem_dups = 0;
  netem_dups_B = 0;

  constructor(
    private readonly p: NetProfile,
    private readonly nic: NicCounters,
    private readonly rng: Rng,
    private readonly on_line: OnLine,
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
    const tbf = this.p.tbf;
    let dep: number;
    if (tbf) {
      if (this.backlog_B + cnt > tbf.limit_B) {
        this.nic.tx_drop++;
        return false;
      }
      dep = this.tbf_departure(cnt, now, tbf.rate_bps);
    } else {
      if (this.start_ns.length - this.h_start >= this.p.txqueuelen) {
        this.nic.tx_drop++;
        return false;
      }
      dep = Math.max(now, this.line_free_ns);
    }
    const start = Math.max(dep, this.line_free_ns);
    const end = start + ser_ns(f.ip_B, this.p.line_bps);
    this.line_free_ns = end;
    this.dep_ns.push(dep);
    this.start_ns.push(start);
    this.counted_B.push(cnt);
    this.backlog_B += cnt;
    this.on_line(f, start, end, delay);
    return true;
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
    while (this.h_dep < dep.length && dep[this.h_dep]! <= now) this.backlog_B -= this.counted_B[this.h_dep++]!;
    const st = this.start_ns;
    while (this.h_start < st.length && st[this.h_start]! <= now) {
      this.nic.tx_packets++;
      this.nic.tx_bytes += this.counted_B[this.h_start]!;
      this.h_start++;
    }
    const h = Math.min(this.h_dep, this.h_start);
    if (h > 256 && h * 2 > st.length) {
      drop_front(dep, h);
      drop_front(st, h);
      drop_front(this.counted_B, h);
      this.h_dep -= h;
      this.h_start -= h;
    }
  }

  /** Frames waiting in the qdisc at `now` (tests). */
  queued(now: number): number {
    this.sync(now);
    return this.start_ns.length - this.h_start;
  }
}
