// TCP's sending side and its two timers, after 2.4's tcp_output.c and
// tcp_timer.c: tcp_write_xmit, tcp_transmit_skb, tcp_send_ack,
// tcp_send_delayed_ack, tcp_retransmit_timer, tcp_delack_timer.
//
// Timers are lazy: a socket keeps its deadline and at most one pending
// event; an event that finds the deadline moved later re-arms itself, so
// restarting the RTO on every ACK costs no event.
import { FRAME_TCP, IP_TCP_HEADERS_B, MSS_B, type Frame } from './wire.ts';
import {
  TCP_ATO_MAX_NS, TCP_ATO_MIN_NS, TCP_CA_CWR, TCP_CA_LOSS, TCP_CA_OPEN, TCP_CA_RECOVERY,
  TCP_DELACK_MAX_NS, TCP_DELACK_MIN_NS, TCP_ESTABLISHED, TCP_RCV_WND_B, TCP_RESOURCE_PROBE_INTERVAL_NS,
  tcp_init_cwnd, tcp_write_err, type TcpHost, type TcpSock,
} from './tcp.ts';

function tcp_frame(tp: TcpSock, seq: number, len: number): Frame {
  return {
    kind: FRAME_TCP, src: tp.node, dst: tp.peer, ip_B: IP_TCP_HEADERS_B + len, len_B: len,
    conn: tp.conn, seq, ack: tp.rcv_nxt, tsval: tp.cluster.queue.now_ns, tsecr: tp.ts_recent, rst: false, prio: tp.conn.prio, delay_ns: 0, port: 0, data: null,
  };
}

/**
 * This end gives up of its own accord and tells the peer (2.4's
 * tcp_send_active_reset, as tcp_disconnect does for an established
 * socket): one RST, never sent again; if it is lost, the peer learns from
 * the RST its next segment draws, or from its own timeout.
 */
export function tcp_send_active_reset(tp: TcpSock): void {
  const f = tcp_frame(tp, tp.snd_max, 0);
  f.rst = true;
  f.tsecr = -1;
  if (tp.host.xmit(f)) tp.stats.rst_segments++;
}

/**
 * A segment arrived for an end its node no longer has (closed, or a stale
 * incarnation): answer with a RST (2.4's tcp_v4_send_reset), whose
 * sequence number is the segment's ACK, so that the sender takes it. A RST
 * is never answered.
 */
export function tcp_v4_send_reset(host: TcpHost, f: Frame): void {
  if (f.rst) return;
  const rst: Frame = {
    kind: FRAME_TCP, src: f.dst, dst: f.src, ip_B: IP_TCP_HEADERS_B, len_B: 0,
    conn: f.conn, seq: f.ack, ack: f.seq + f.len_B, tsval: host.cluster.queue.now_ns, tsecr: -1, rst: true, prio: 0, delay_ns: 0, port: 0, data: null,
  };
  if (host.xmit(rst)) host.stats(f.dst).rst_segments++;
}

/** Every segment carries an ACK: the delayed one is no longer due (tcp_event_ack_sent). */
function tcp_event_ack_sent(tp: TcpSock): void {
  if (tp.quick > 0 && --tp.quick === 0) tp.ato_ns = TCP_ATO_MIN_NS; // tcp_dec_quickack_mode
  tp.ack_sched = false;
  tp.ack_pushed = false;
  tp.delack_at = 0;
  tp.rcv_wup = tp.rcv_nxt;
}

/** Send one data segment; false if the local qdisc refused it. */
function tcp_transmit_skb(tp: TcpSock, seq: number, len: number): boolean {
  tcp_event_ack_sent(tp);
  const ok = tp.host.xmit(tcp_frame(tp, seq, len));
  if (ok) {
    tp.stats.data_segments++;
    tp.stats.data_B += len;
  }
  return ok;
}

/** A segment with no data, only the ACK. */
export function tcp_send_ack(tp: TcpSock): void {
  tcp_event_ack_sent(tp);
  if (tp.host.xmit(tcp_frame(tp, tp.snd_max, 0))) tp.stats.ack_segments++;
}

/** The restart window after the sender has been idle longer than the RTO (RFC 2861). */
function tcp_cwnd_restart(tp: TcpSock, now: number): void {
  const restart = Math.min(tcp_init_cwnd(tp), tp.snd_cwnd);
  tp.snd_ssthresh = Math.max(tp.snd_ssthresh, (tp.snd_cwnd >> 1) + (tp.snd_cwnd >> 2)); // tcp_current_ssthresh
  let cwnd = tp.snd_cwnd;
  let delta = now - tp.lsndtime;
  while ((delta -= tp.rto_ns) > 0 && cwnd > restart) cwnd >>= 1;
  tp.snd_cwnd = Math.max(cwnd, restart);
  tp.snd_cwnd_cnt = 0;
}

/** The local qdisc is full: send less (2.4's tcp_enter_cwr on NET_XMIT_DROP). */
function tcp_enter_cwr(tp: TcpSock): void {
  if (tp.ca_state !== TCP_CA_OPEN) return;
  tp.snd_ssthresh = Math.max(tp.snd_cwnd >> 1, 2);
  tp.snd_cwnd = Math.min(tp.snd_cwnd, tp.in_flight + 1);
  tp.snd_cwnd_cnt = 0;
  tp.high_seq = tp.snd_max;
  tp.ca_state = TCP_CA_CWR;
}

/**
 * Send what the congestion and receive windows allow: segments waiting to
 * go again after a timeout first, then new data, in MSS pieces (no Nagle).
 */
export function tcp_write_xmit(tp: TcpSock): void {
  const now = tp.cluster.queue.now_ns;
  while (tp.in_flight < tp.snd_cwnd) {
    const i = tp.nxt_i;
    const again = i < tp.seg_n;
    let seq: number;
    let len: number;
    if (again) {
      seq = tp.seg_seq[i]!;
      len = tp.seg_len[i]!;
    } else {
      const avail = tp.ready_seq - tp.snd_max;
      if (avail <= 0) break;
      len = Math.min(MSS_B, avail);
      seq = tp.snd_max;
      if (seq + len - tp.snd_una > TCP_RCV_WND_B) break;
      if (tp.packets_out === 0 && now - tp.lsndtime > tp.rto_ns && tp.lsndtime > 0) tcp_cwnd_restart(tp, now);
    }
    if (!tcp_transmit_skb(tp, seq, len)) {
      tcp_enter_cwr(tp);
      // Nothing in flight will bring an ACK: try again after a while (tcp_check_probe_timer).
      if (tp.packets_out === 0) tcp_reset_rto_timer(tp, Math.min(tp.rto_ns, TCP_RESOURCE_PROBE_INTERVAL_NS));
      break;
    }
    if (again) {
      tp.seg_sent_ns[i] = now;
      tp.seg_tx[i]!++;
      tp.stats.retransmitted_segments++;
      tp.stats.retransmitted_B += len;
    } else {
      const k = tp.seg_n++;
      tp.seg_seq[k] = seq;
      tp.seg_len[k] = len;
      tp.seg_sent_ns[k] = now;
      tp.seg_first_ns[k] = now;
      tp.seg_tx[k] = 1;
      tp.snd_max = seq + len;
    }
    tp.nxt_i = i + 1;
    tp.lsndtime = now;
    // A reply within ato of the last data received: an interactive session.
    if (now - tp.lrcvtime < tp.ato_ns) tp.pingpong = true;
    if (tp.rto_at === 0) tcp_reset_rto_timer(tp, tp.rto_ns);
  }
}

/** Send the oldest unacknowledged segment again (fast retransmit, a partial ACK). */
export function tcp_retransmit_head(tp: TcpSock): void {
  const i = tp.una_i;
  if (i >= tp.seg_n) return;
  if (!tcp_transmit_skb(tp, tp.seg_seq[i]!, tp.seg_len[i]!)) return;
  tp.seg_sent_ns[i] = tp.cluster.queue.now_ns;
  tp.seg_tx[i]!++;
  tp.stats.retransmitted_segments++;
  tp.stats.retransmitted_B += tp.seg_len[i]!;
  if (tp.nxt_i <= i) tp.nxt_i = i + 1;
}

// --- the retransmission timer ---

// TCP's timers are events of their node that settle its lazy CPU only if
// they hand something up (kernel/events.ts at's `settles_itself`): only a
// connection that gives up does (tcp_done, through sk_data_ready).

/** (Re)start the retransmission timer to fire `after_ns` from now. */
export function tcp_reset_rto_timer(tp: TcpSock, after_ns: number): void {
  const q = tp.cluster.queue;
  tp.rto_at = q.now_ns + Math.min(after_ns, tp.host.rto_max_of(tp));
  if (tp.rto_ev && tp.rto_ev_at <= tp.rto_at) return; // it fires first and re-arms
  tp.rto_ev?.cancel();
  tp.rto_ev_at = tp.rto_at;
  tp.rto_ev = q.at_arg(tp.rto_at, tcp_write_timer, tp, tp.node.id, true);
}

export function tcp_clear_rto_timer(tp: TcpSock): void {
  tp.rto_at = 0;
  tp.rto_ev?.cancel();
  tp.rto_ev = null;
}

function tcp_write_timer(tp: TcpSock): void {
  tp.rto_ev = null;
  if (tp.state !== TCP_ESTABLISHED || tp.rto_at === 0) return;
  const q = tp.cluster.queue;
  if (q.now_ns < tp.rto_at) {
    tp.rto_ev_at = tp.rto_at;
    tp.rto_ev = q.at_arg(tp.rto_at, tcp_write_timer, tp, tp.node.id, true);
    return;
  }
  tp.rto_at = 0;
  tcp_retransmit_timer(tp);
}

/** The RTO fired: give up, or back off and send again from snd_una. */
export function tcp_retransmit_timer(tp: TcpSock): void {
  const now = tp.cluster.queue.now_ns;
  if (tp.packets_out === 0) {
    // Armed by a refused segment with nothing in flight: just try again.
    tcp_write_xmit(tp);
    return;
  }
  // tcp_write_timeout, with the end's user timeout (TCP_USER_TIMEOUT; om's
  // OM_TCP_USER_TIMEOUT_NS unless set) in place of tcp_retries2.
  if (now - tp.seg_first_ns[tp.una_i]! >= tp.host.user_timeout_of(tp)) {
    tcp_write_err(tp);
    return;
  }
  tp.stats.timeouts++;
  // tcp_enter_loss: every segment out is taken as lost; slow start from one.
  if (tp.ca_state !== TCP_CA_LOSS || tp.retransmits === 0) tp.snd_ssthresh = Math.max(tp.snd_cwnd >> 1, 2);
  tp.snd_cwnd = 1;
  tp.snd_cwnd_cnt = 0;
  tp.ca_state = TCP_CA_LOSS;
  tp.high_seq = tp.snd_max;
  tp.dupacks = 0;
  tp.nxt_i = tp.una_i;
  tcp_write_xmit(tp);
  tp.retransmits++;
  tp.rto_ns = Math.min(tp.rto_ns * 2, tp.host.rto_max_of(tp));
  tcp_reset_rto_timer(tp, tp.rto_ns);
}

// --- delayed ACKs ---

/** Schedule the ACK ato from now, unless one is already due sooner (2.4's tcp_send_delayed_ack). */
export function tcp_send_delayed_ack(tp: TcpSock): void {
  const q = tp.cluster.queue;
  const now = q.now_ns;
  let ato = tp.ato_ns;
  if (ato > TCP_DELACK_MIN_NS) {
    let max_ato = tp.pingpong || tp.ack_pushed ? TCP_DELACK_MAX_NS : TCP_ATO_MAX_NS;
    const rtt = Math.max(tp.srtt_ns, TCP_DELACK_MIN_NS);
    if (rtt < max_ato) max_ato = rtt;
    ato = Math.min(ato, max_ato);
  }
  let at = now + Math.round(ato);
  if (tp.delack_at !== 0) {
    // One is pending: about to fire anyway, send now; else keep the earlier.
    if (tp.delack_at <= now + (ato >> 2)) return tcp_send_ack(tp);
    if (at > tp.delack_at) at = tp.delack_at;
  }
  tp.ack_sched = true;
  tp.delack_at = at;
  if (tp.delack_ev && tp.delack_ev_at <= at) return;
  tp.delack_ev?.cancel();
  tp.delack_ev_at = at;
  tp.delack_ev = q.at_arg(at, tcp_delack_timer, tp, tp.node.id, true);
}

function tcp_delack_timer(tp: TcpSock): void {
  tp.delack_ev = null;
  if (tp.state !== TCP_ESTABLISHED || tp.delack_at === 0) return;
  const q = tp.cluster.queue;
  if (q.now_ns < tp.delack_at) {
    tp.delack_ev_at = tp.delack_at;
    tp.delack_ev = q.at_arg(tp.delack_at, tcp_delack_timer, tp, tp.node.id, true);
    return;
  }
  tp.delack_at = 0;
  if (!tp.ack_sched) return;
  if (!tp.pingpong) tp.ato_ns = Math.min(tp.ato_ns * 2, tp.rto_ns); // the delayed ACK was missed: inflate
  else {
    tp.pingpong = false;
    tp.ato_ns = TCP_ATO_MIN_NS;
  }
  tcp_send_ack(tp);
}

/** The congestion state after a recovery or a CWR phase ends. */
export function tcp_ca_open(tp: TcpSock): void {
  if (tp.ca_state === TCP_CA_RECOVERY || tp.ca_state === TCP_CA_CWR) tp.snd_cwnd = Math.max(Math.min(tp.snd_cwnd, tp.snd_ssthresh), 1);
  tp.ca_state = TCP_CA_OPEN;
  tp.dupacks = 0;
}
