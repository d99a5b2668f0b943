// TCP's receiving side, after 2.4's tcp_input.c: a segment's ACK is
// processed first (tcp_ack: the window, RTT, fast retransmit), then its data
// (tcp_data_queue: in order, out of order, duplicate), then whatever can be
// sent now, then whether the ACK goes at once or delayed (tcp_ack_snd_check).
import { drop_fronts_kept } from './fifo.ts';
import { MSS_B, type Frame } from './wire.ts';
import {
  TCP_ATO_MIN_NS, TCP_CA_CWR, TCP_CA_LOSS, TCP_CA_OPEN, TCP_CA_RECOVERY, TCP_ESTABLISHED, TCP_FASTRETRANS_THRESH, TCP_MAX_QUICKACKS,
  TCP_RCV_WND_B, delivered, tcp_reset, tcp_rtt_estimator, type TcpSock,
} from './tcp.ts';
import {
  tcp_ca_open, tcp_clear_rto_timer, tcp_reset_rto_timer, tcp_retransmit_head, tcp_send_ack, tcp_send_delayed_ack, tcp_write_xmit,
} from './tcp_output.ts';


/** A segment for this end arrived (tcp_rcv_established). */
export function tcp_rcv(tp: TcpSock, f: Frame): void {
  if (f.rst) {
    // RFC 793's check, as 2.4's tcp_sequence makes it: a RST is taken only
    // within the window, so a stale one (the peer's answer to an old
    // segment of ours, overtaken by data since) is ignored.
    if (f.seq >= tp.rcv_wup && f.seq <= tp.rcv_nxt + TCP_RCV_WND_B) tcp_reset(tp);
    return;
  }
  tcp_replace_ts_recent(tp, f);
  tcp_ack(tp, f.ack, f.tsecr, f.len_B === 0);
  if (f.len_B > 0) tcp_data_queue(tp, f);
  if (tp.state !== TCP_ESTABLISHED) return;
  tcp_write_xmit(tp); // tcp_data_snd_check
  if (tp.ack_sched) tcp_ack_snd_check(tp);
}

function tcp_cong_avoid(tp: TcpSock): void {
  if (tp.snd_cwnd <= tp.snd_ssthresh) tp.snd_cwnd++;
  else if (tp.snd_cwnd_cnt >= tp.snd_cwnd) {
    tp.snd_cwnd++;
    tp.snd_cwnd_cnt = 0;
  } else tp.snd_cwnd_cnt++;
}

/**
 * Remember the TSval to echo: that of a segment at the left edge of the
 * window as of the last ACK sent, so that a delayed ACK echoes the oldest
 * segment it acknowledges (RFC 1323 section 3.4; PAWS is not modelled).
 */
function tcp_replace_ts_recent(tp: TcpSock, f: Frame): void {
  if (f.seq <= tp.rcv_wup && f.tsval >= tp.ts_recent) tp.ts_recent = f.tsval;
}

/** Process the cumulative ACK a segment carries, and the TSval it echoes (-1: none). */
function tcp_ack(tp: TcpSock, ack: number, tsecr: number, pure: boolean): void {
  if (ack > tp.snd_max || ack < tp.snd_una) return; // not for anything sent: ignore
  const now = tp.cluster.queue.now_ns;
  if (ack === tp.snd_una) {
    // A duplicate ACK: the peer got something out of order.
    if (!pure || tp.packets_out === 0) return;
    tp.dupacks++;
    if (tp.ca_state === TCP_CA_RECOVERY) {
      tp.snd_cwnd++; // each duplicate is a segment that left the network
    } else if (tp.dupacks === TCP_FASTRETRANS_THRESH && tp.ca_state !== TCP_CA_LOSS) {
      // Fast retransmit, then fast recovery (Reno; NewReno for partial ACKs).
      tp.snd_ssthresh = Math.max(tp.snd_cwnd >> 1, 2);
      tp.high_seq = tp.snd_max;
      tp.ca_state = TCP_CA_RECOVERY;
      tcp_retransmit_head(tp);
      tp.snd_cwnd = tp.snd_ssthresh + TCP_FASTRETRANS_THRESH;
    }
    return;
  }
  // New data acknowledged (tcp_clean_rtx_queue).
  const prior_in_flight = tp.in_flight;
  let i = tp.una_i;
  const n = tp.seg_n;
  let acked = 0;
  let sample = -1;
  let karn = false;
  while (i < n && tp.seg_seq[i]! + tp.seg_len[i]! <= ack) {
    if (tp.seg_tx[i]! > 1) karn = true;
    else if (sample < 0) sample = now - tp.seg_sent_ns[i]!;
    i++;
    acked++;
  }
  tp.una_i = i;
  if (tp.nxt_i < i) tp.nxt_i = i; // acknowledged before we sent it again
  tp.snd_una = ack;
  compact_segs(tp);
  // The messages wholly acknowledged are the peer's now: no failure of this end can fail them.
  const q = tp.out;
  while (q.una < q.length && q.end_seq[q.una]! <= ack) q.on_fail[q.una++] = undefined;
  // tcp_ack_update_rtt. With a timestamp (tcp_ack_saw_tstamp) the echo says
  // which transmission is acknowledged: a sample even for data sent again,
  // and the RTO is set afresh from the estimator, ending the backoff.
  // Without one (tcp_ack_no_tstamp), Karn's rule: no sample, backoff kept.
  if (tsecr >= 0) {
    tcp_rtt_estimator(tp, now - tsecr);
    tp.retransmits = 0;
  } else if (sample >= 0 && !karn) {
    tcp_rtt_estimator(tp, sample);
    tp.retransmits = 0;
  }
  if (tp.ca_state === TCP_CA_RECOVERY) {
    if (ack >= tp.high_seq) tcp_ca_open(tp);
    else {
      // NewReno: a partial ACK; the next hole is lost too.
      tcp_retransmit_head(tp);
      tp.snd_cwnd = Math.max(tp.snd_cwnd - acked + 1, 1);
    }
  } else {
    if (tp.ca_state !== TCP_CA_OPEN && ack >= tp.high_seq) {
      if (tp.ca_state === TCP_CA_CWR) tcp_ca_open(tp);
      else tp.ca_state = TCP_CA_OPEN; // out of Loss: the window grows on as it is
    }
    tp.dupacks = 0;
    if (prior_in_flight >= tp.snd_cwnd) tcp_cong_avoid(tp);
  }
  // tcp_ack_packets_out: restart the timer for what is still out.
  if (tp.packets_out === 0) tcp_clear_rto_timer(tp);
  else tcp_reset_rto_timer(tp, tp.rto_ns);
}

function compact_segs(tp: TcpSock): void {
  const h = tp.una_i;
  const n = tp.seg_n;
  if (h < 1024 || h * 2 < n) return;
  drop_fronts_kept([tp.seg_seq, tp.seg_len, tp.seg_sent_ns, tp.seg_first_ns, tp.seg_tx], h, n);
  tp.seg_n = n - h;
  tp.una_i -= h;
  tp.nxt_i -= h;
}

/** Start quick-ACK mode (tcp_incr_quickack). */
function tcp_incr_quickack(tp: TcpSock): void {
  const quickacks = Math.max(2, Math.floor(TCP_RCV_WND_B / (2 * tp.rcv_mss)));
  if (quickacks > tp.quick) tp.quick = Math.min(quickacks, TCP_MAX_QUICKACKS);
}

function tcp_enter_quickack_mode(tp: TcpSock): void {
  tcp_incr_quickack(tp);
  tp.pingpong = false;
  tp.ato_ns = TCP_ATO_MIN_NS;
}

/** In-order data arrived: tune the delayed-ACK engine (tcp_event_data_recv, tcp_measure_rcv_mss). */
function tcp_event_data_recv(tp: TcpSock, len: number): void {
  tp.ack_sched = true;
  if (len >= tp.rcv_mss) tp.rcv_mss = Math.min(len, MSS_B);
  else tp.ack_pushed = true;
  const now = tp.cluster.queue.now_ns;
  if (tp.ato_ns === 0) {
    tcp_incr_quickack(tp);
    tp.ato_ns = TCP_ATO_MIN_NS;
  } else {
    const m = now - tp.lrcvtime;
    if (m <= TCP_ATO_MIN_NS / 2) tp.ato_ns = tp.ato_ns / 2 + TCP_ATO_MIN_NS / 2;
    else if (m < tp.ato_ns) tp.ato_ns = Math.min(tp.ato_ns / 2 + m, tp.rto_ns);
    else if (m > tp.rto_ns) tcp_incr_quickack(tp); // the sender restarts slowly: ACK quickly
  }
  tp.lrcvtime = now;
}

/** Take a data segment: in order it is delivered (with what it unblocks), else held or dropped. */
function tcp_data_queue(tp: TcpSock, f: Frame): void {
  const seq = f.seq;
  const end = seq + f.len_B;
  if (end <= tp.rcv_nxt) {
    // All of it arrived before: ACK at once (tcp_send_dupack).
    tcp_enter_quickack_mode(tp);
    tcp_send_ack(tp);
    return;
  }
  if (seq > tp.rcv_nxt) {
    ooo_insert(tp.ooo, seq, end);
    tp.ack_sched = true; // out of order: __tcp_ack_snd_check ACKs at once
    return;
  }
  tcp_event_data_recv(tp, f.len_B);
  let nxt = end;
  const o = tp.ooo;
  let k = 0;
  while (k < o.length && o[k]! <= nxt) {
    if (o[k + 1]! > nxt) nxt = o[k + 1]!;
    k += 2;
  }
  if (k > 0) o.splice(0, k);
  tp.rcv_nxt = nxt;
  // Hand up every message now complete, in order.
  const q = tp.in;
  while (q.head < q.length && q.end_seq[q.head]! <= nxt) {
    if (!q.cpu_free[q.head]) tp.host.sk_data_ready(tp);
    const cb = q.deliver[q.head]!;
    // Delivered: what it holds (the message, its pages' bytes) may go now,
    // not when the queue is next compacted, thousands of messages on.
    q.deliver[q.head] = delivered;
    q.head++;
    cb();
    if (tp.state !== TCP_ESTABLISHED) return;
  }
  q.compact();
}

/** Merge [s, e) into a sorted list of disjoint [start, end) pairs. */
function ooo_insert(o: number[], s: number, e: number): void {
  let i = 0;
  while (i < o.length && o[i + 1]! < s) i += 2;
  let j = i;
  while (j < o.length && o[j]! <= e) {
    s = Math.min(s, o[j]!);
    e = Math.max(e, o[j + 1]!);
    j += 2;
  }
  o.splice(i, j - i, s, e);
}

/** Send the ACK now or later (__tcp_ack_snd_check). */
function tcp_ack_snd_check(tp: TcpSock): void {
  if (tp.rcv_nxt - tp.rcv_wup > tp.rcv_mss || (tp.quick > 0 && !tp.pingpong) || tp.ooo.length > 0) tcp_send_ack(tp);
  else tcp_send_delayed_ack(tp);
}

