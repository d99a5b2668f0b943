// A TCP-like transport: one full-duplex connection per node pair and
// purpose, after Linux 2.4's TCP (tcp.c, tcp_input.c, tcp_output.c,
// tcp_timer.c). This file holds the connection, the state of each end (the
// 2.4 names: snd_una, snd_cwnd, rcv_nxt, ack.ato, ...), the messages each
// direction carries, and tcp_sendmsg. Receiving is in tcp_input.ts, sending
// and the timers in tcp_output.ts.
//
// What is modelled, with 2.4's values (include/net/tcp.h, 2.4.22):
// - segments of at most MSS bytes; TCP_NODELAY is set, as openMosix's
//   comm_setup_tcp does for its kernel sockets, so nothing waits for Nagle;
// - cumulative ACKs, piggybacked on data when there is data to send, else
//   delayed as __tcp_ack_snd_check decides: at once after more than one
//   full segment, in quick-ACK mode (TCP_MAX_QUICKACKS = 16 at the start and
//   after an idle gap longer than the RTO) or with data out of order;
//   otherwise after ato (TCP_ATO_MIN = TCP_DELACK_MIN = HZ/25 = 40 ms,
//   adapted as tcp_event_data_recv does, at most TCP_DELACK_MAX = 200 ms in
//   ping-pong mode, HZ/2 otherwise);
// - Reno: initial window tcp_init_cwnd (3 segments for MSS 1460 with an RTT
//   under 20 ms, else 2), slow start and congestion avoidance per ACK, only
//   while the window is full (tcp_ack's prior_in_flight >= snd_cwnd), fast
//   retransmit on TCP_FASTRETRANS_THRESH = 3 duplicate ACKs with NewReno's
//   partial ACKs, the restart window after an idle RTO (tcp_cwnd_restart),
//   and tcp_enter_cwr when the local qdisc refuses a segment;
// - the RTO of RFC 6298 (SRTT, RTTVAR) with Linux's floor:
//   2.4's tcp_rtt_estimator keeps the variance term at least TCP_RTO_MIN
//   (HZ/5 = 200 ms), so RTO = SRTT + max(200 ms, 4 RTTVAR), at most
//   TCP_RTO_MAX = 120 s (unless a purpose sets a lower cap, as Linux
//   6.15's TCP_RTO_MAX_MS does), doubled at each timeout (go-back-N from
//   snd_una);
// - a receive window of 64,240 bytes: 2.4's tcp_rmem[1] = 87380 gives
//   tcp_full_space 87380 - 87380/4 = 65535 (tcp_adv_win_scale 2), rounded
//   down to whole segments by __tcp_select_window (44 x 1460). Its slow
//   opening (rcv_ssthresh from 4 segments) is not modelled: it opens faster
//   than slow start can use it.
// - timestamps' RTT measurement (RFC 1323's RTTM, which 2.4 negotiates by
//   default): every segment echoes the TSval of the last one that reached
//   the left edge of the window (tcp_replace_ts_recent), and every ACK of
//   new data is an RTT sample, retransmitted data included, that ends the
//   timeout backoff (tcp_ack_saw_tstamp). Without it Karn's rule keeps the
//   doubled RTO until data sent only once is acknowledged, and a segment
//   sent right after a recovered loss starts with that RTO: with the user
//   timeout below it has only two to four tries before the connection
//   gives up, and on a 5% lossy link one run in eight was killed so;
// - the send buffer of a writer that keeps it full (om/sndbuf.ts): 2.4's
//   tcp_wmem[1] = 16384 bytes at first, grown by tcp_new_space when an ACK
//   frees room while the congestion window is not full, to twice the
//   window's segments (at least reordering + 1 = 4), at most tcp_wmem[2] =
//   131072; counted in payload bytes (2.4 counts each segment's truesize,
//   its headers and sk_buff too, which om's writers do not see). Without
//   the growth a push on a 20 ms path kept 16 KB in flight where the
//   receive window allows 64 KB, and ran at a quarter of the path's rate;
// - each end gives up alone (tcp_done): on its user timeout
//   (tcp_write_err), on an acceptable RST (tcp_reset), on a new incarnation
//   from the peer, or when its node resets it (tcp_send_active_reset). The
//   other end learns from the wire: a RST answers any segment for an end
//   its node no longer has (net/tcp_ipv4.ts), and a crashed node answers
//   nothing.
// Not modelled: SACK, the timestamps' 12 option bytes (they would take
// 0.8% of every full segment) and PAWS, the SYN exchange (a connection
// starts established; its first RTT sample is the one a SYN/SYN-ACK would
// give), the send buffer limit for om's other senders (a kernel sender
// that never blocks on it: the migration's frozen pages, replies),
// keepalive.
import { drop_fronts_kept } from './fifo.ts';
import type { Cluster } from '../kernel/cluster.ts';
import type { EventHandle } from '../kernel/events.ts';
import type { Node } from '../kernel/node.ts';
import { NS_PER_MS, NS_PER_S } from '../kernel/time.ts';
import { MSS_B, type Frame } from './wire.ts';
import { tcp_write_xmit } from './tcp_output.ts';

export const TCP_RTO_MIN_NS = 200 * NS_PER_MS; // HZ/5
export const TCP_RTO_MAX_NS = 120 * NS_PER_S; // 120*HZ
export const TCP_TIMEOUT_INIT_NS = 3 * NS_PER_S; // 3*HZ, before any RTT sample
export const TCP_DELACK_MIN_NS = 40 * NS_PER_MS; // HZ/25
export const TCP_DELACK_MAX_NS = 200 * NS_PER_MS; // HZ/5
export const TCP_ATO_MIN_NS = 40 * NS_PER_MS; // HZ/25
/** tcp_send_delayed_ack's bound outside ping-pong mode (HZ/2). */
export const TCP_ATO_MAX_NS = 500 * NS_PER_MS;
export const TCP_MAX_QUICKACKS = 16;
export const TCP_FASTRETRANS_THRESH = 3;
/** 2.4's tcp_wmem: a socket's first send buffer, and the most tcp_new_space grows it to. */
export const TCP_WMEM_DEFAULT_B = 16384;
export const TCP_WMEM_MAX_B = 131072;
/** 2.4's sysctl_tcp_reordering: tcp_new_space asks for at least reordering + 1 segments. */
const TCP_REORDERING = 3;

/** 2.4's first guess of the peer's MSS (tcp_initialize_rcv_mss). */
export const TCP_MIN_RCVMSS_B = 536;
/** How long a segment the local qdisc refused waits before it is tried again with nothing in flight (HZ/2). */
export const TCP_RESOURCE_PROBE_INTERVAL_NS = 500 * NS_PER_MS;
export const TCP_RCV_WND_B = 44 * 1460;
/**
 * om's socket option, like Linux's TCP_USER_TIMEOUT: an end gives up
 * when data has stayed unacknowledged this long (checked at each RTO). 2.4
 * gives up after tcp_retries2 = 15 backed-off retransmissions, 13 to 30
 * minutes; openMosix cannot freeze a process that long. With the 200 ms
 * minimum RTO doubling, a dead peer is given up on at the RTO 6.2 s after
 * the first unacknowledged send (retransmissions at 0.2, 0.6, 1.4, 3.0 s);
 * a partition that ends before the 3.0 s retransmission heals. This is the
 * default; Network.set_user_timeout sets it per purpose (a 60 s one gives
 * up at the RTO 102.2 s after, with retransmissions at 25.4 and 51.0 s),
 * and Network.set_rto_max caps the backoff.
 */
export const OM_TCP_USER_TIMEOUT_NS = 5 * NS_PER_S;

/**
 * Socket states (2.4's TCP_ESTABLISHED and TCP_CLOSE): an end starts
 * established (the SYN exchange is not modelled) and is closed once it has
 * given up (tcp_done); the states in between (FIN_WAIT, TIME_WAIT, ...)
 * are not modelled: om never closes a connection in order.
 */
export const TCP_ESTABLISHED = 1;
export const TCP_CLOSE = 7;

/** Congestion states (2.4's TCP_CA_*; Disorder is folded into Open). */
export const TCP_CA_OPEN = 0;
export const TCP_CA_CWR = 1;
export const TCP_CA_RECOVERY = 2;
export const TCP_CA_LOSS = 3;

/** What a node's TCP counted, kept when the node crashes (the run's figures). */
export interface TcpStats {
  /** Segments sent again: fast retransmits, NewReno and RTO retransmissions. */
  retransmitted_segments: number;
  /** Their payload bytes. */
  retransmitted_B: number;
  /** Retransmission timeouts that fired (tcp_retransmit_timer). */
  timeouts: number;
  /** Data segments sent, retransmissions included, and their payload bytes. */
  data_segments: number;
  data_B: number;
  /** Segments carrying only an ACK. */
  ack_segments: number;
  /** Segments carrying a reset (RST). */
  rst_segments: number;
  /** Ends of connections given up on here (timed out, reset by the peer, or reset here). */
  failed_connections: number;
  /** Of those, the ends that gave up on their user timeout. */
  user_timeouts: number;
  /**
   * The fewest times the segment an end was waiting on had been sent when
   * it gave up on its user timeout (0: none did). With the 5 s default and
   * an RTO under 333 ms it is 5: a chain of five losses, data or ACK.
   */
  fewest_tries_at_timeout: number;
}

export const new_tcp_stats = (): TcpStats => ({
  retransmitted_segments: 0, retransmitted_B: 0, timeouts: 0, data_segments: 0, data_B: 0, ack_segments: 0, rst_segments: 0, failed_connections: 0,
  user_timeouts: 0, fewest_tries_at_timeout: 0,
});

/** What TCP needs from the network below it. */
export interface TcpHost {
  readonly cluster: Cluster;
  /** Hand a frame to the sender's NIC; false if the local qdisc refused it. */
  xmit(f: Frame): boolean;
  stats(node: Node): TcpStats;
  /** Round trip of a SYN and its SYN-ACK on the idle path, ns. */
  handshake_rtt_ns(a: Node, b: Node): number;
  /** How long data may stay unacknowledged before this end gives up (its TCP_USER_TIMEOUT), ns. */
  user_timeout_of(tp: TcpSock): number;
  /** The largest RTO this end backs off to: TCP_RTO_MAX unless set (Linux 6.15's TCP_RTO_MAX_MS), ns. */
  rto_max_of(tp: TcpSock): number;
  /** This end is closed: take it out of its node's connection table (tcp_unhash). */
  unhash(tp: TcpSock): void;
  /**
   * TCP is about to hand something beyond itself on this end's node (a
   * message to its reader, a failure): whatever that does sees the node's
   * CPU where it is now (EventQueue.settle_cpu). What TCP does alone (an
   * ACK taken in, a segment short of a message's end, segments sent) needs
   * nothing of the CPU.
   */
  sk_data_ready(tp: TcpSock): void;
  /** This end closed for `reason`: tell whoever on its node waits on it (2.4's sk->error_report). */
  sk_error_report(tp: TcpSock, reason: string): void;
}

/** What a delivered message's slot holds (and a stale one's). */
export const delivered = (): void => {};

/**
 * The messages one direction of a connection carries, in the order sent:
 * the sender's socket buffer and, for each message, what the receiver does
 * with it once its last byte has arrived in order (the bytes themselves:
 * the frames carry only their count). The sender moves una, the receiver
 * head; neither reads the other's.
 */
export class MsgQueue {
  /** Stream offset just past each message. */
  end_seq: number[] = [];
  /** When each message's bytes may leave (never earlier than the one before). */
  ready_ns: number[] = [];
  deliver: (() => void)[] = [];
  on_fail: (((reason: string) => void) | undefined)[] = [];
  /** Whether the receiver's handling of each needs nothing of its node's CPU (tcp_sendmsg's cpu_free). */
  cpu_free: boolean[] = [];
  /** The receiver's: first message not delivered yet. */
  head = 0;
  /** The sender's: first message not wholly acknowledged yet. */
  una = 0;
  /** First message whose bytes may not leave yet. */
  ready_i = 0;
  write_seq = 0;
  last_ready_ns = 0;
  /**
   * Messages held: the arrays' entries [0, length). The arrays keep their
   * length when their front is dropped (see net/qdisc.ts's n); entries from
   * length on are stale.
   */
  length = 0;

  /** Queue a message (the arrays' entries at length). */
  push(end_seq: number, ready_ns: number, deliver: () => void, on_fail: ((reason: string) => void) | undefined, cpu_free: boolean): void {
    const i = this.length++;
    this.end_seq[i] = end_seq;
    this.ready_ns[i] = ready_ns;
    this.deliver[i] = deliver;
    this.on_fail[i] = on_fail;
    this.cpu_free[i] = cpu_free;
  }

  /** Drop the prefix delivered and acknowledged once it is long (keeps the arrays short). */
  compact(): void {
    const h = Math.min(this.head, this.una);
    const n = this.length;
    if (h < 1024 || h * 2 < n) return;
    drop_fronts_kept([this.end_seq, this.ready_ns, this.deliver, this.on_fail, this.cpu_free], h, n);
    // The stale closures let go of what they hold.
    this.deliver.fill(delivered, n - h, n);
    this.on_fail.fill(undefined, n - h, n);
    this.length = n - h;
    this.ready_i -= h;
    this.head -= h;
    this.una -= h;
  }
}

/** One end of a connection: a struct sock's TCP state. */
/** A node's key for its connection with a peer for a purpose (its table, net/tcp_ipv4.ts). */
export const tcp_key = (peer: Node, purpose: string): string => `${peer.id}/${purpose}`;

export class TcpSock {
  readonly stats: TcpStats;
  /** This end's key in its node's table: tcp_key(peer, conn.name), made once. */
  readonly key: string;
  state = TCP_ESTABLISHED;
  // --- sending (tcp_opt's snd_* fields) ---
  /** Bytes of the outgoing stream that may be sent now. */
  ready_seq = 0;
  snd_una = 0;
  /** Highest sequence sent (2.4's snd_nxt; ours can step back after an RTO). */
  snd_max = 0;
  /**
   * The segments sent and not yet acknowledged, oldest first: [una_i,
   * nxt_i) are in flight; [nxt_i, length) wait to be sent again after an RTO.
   */
  seg_seq: number[] = [];
  seg_len: number[] = [];
  /** When each was last sent, and first sent; how many times it was sent. */
  seg_sent_ns: number[] = [];
  seg_first_ns: number[] = [];
  seg_tx: number[] = [];
  /** Segments held: the arrays' entries [0, seg_n), kept at their length as MsgQueue's are. */
  seg_n = 0;
  una_i = 0;
  nxt_i = 0;
  snd_cwnd: number;
  snd_cwnd_cnt = 0;
  /** The send buffer, payload bytes (2.4's sk->sndbuf; grown by tcp_new_space). */
  sndbuf_B = TCP_WMEM_DEFAULT_B;
  snd_ssthresh = Infinity;
  ca_state = TCP_CA_OPEN;
  /** snd_max when the current recovery began (2.4's high_seq). */
  high_seq = 0;
  dupacks = 0;
  srtt_ns = 0;
  rttvar_ns = 0;
  rto_ns = TCP_TIMEOUT_INIT_NS;
  /** Timeouts in a row (2.4's retransmits), reset by new data acknowledged. */
  retransmits = 0;
  /** When data was last sent (for the restart window). */
  lsndtime = 0;
  /** The retransmission timer: its deadline (0: not armed) and pending event. */
  rto_at = 0;
  rto_ev: EventHandle | null = null;
  rto_ev_at = 0;
  // --- receiving (tcp_opt's rcv_* and ack.* fields) ---
  rcv_nxt = 0;
  /** rcv_nxt when the last ACK was sent. */
  rcv_wup = 0;
  /** Out-of-order data held, as [start, end) pairs in order. */
  ooo: number[] = [];
  /** An ACK is due (TCP_ACK_SCHED); the last segment was short (TCP_ACK_PUSHED). */
  ack_sched = false;
  ack_pushed = false;
  ato_ns = 0;
  lrcvtime = 0;
  quick = 0;
  pingpong = false;
  rcv_mss = TCP_MIN_RCVMSS_B;
  /** The peer's TSval this end echoes (2.4's ts_recent; -1 before any). */
  ts_recent = -1;
  delack_at = 0;
  delack_ev: EventHandle | null = null;
  delack_ev_at = 0;

  constructor(
    readonly host: TcpHost,
    readonly conn: TcpConn,
    readonly side: 0 | 1,
    readonly node: Node,
    readonly peer: Node,
  ) {
    this.stats = host.stats(node);
    this.key = tcp_key(peer, conn.name);
    // The SYN exchange gave one RTT sample (tcp_rtt_estimator's first case).
    const r = host.handshake_rtt_ns(node, peer);
    this.srtt_ns = r;
    this.rttvar_ns = r / 2;
    this.rto_ns = tcp_rto(this);
    this.snd_cwnd = tcp_init_cwnd(this);
  }

  /** The messages this end sends, and those it receives. */
  get out(): MsgQueue {
    return this.conn.dir[this.side];
  }

  get in(): MsgQueue {
    return this.conn.dir[1 - this.side]!;
  }

  /** Segments in flight (2.4's tcp_packets_in_flight without SACK). */
  get in_flight(): number {
    return this.nxt_i - this.una_i;
  }

  /** Segments sent and not acknowledged (2.4's packets_out). */
  get packets_out(): number {
    return this.seg_n - this.una_i;
  }

  get cluster(): Cluster {
    return this.host.cluster;
  }
}

/** RTO from the estimator: SRTT + max(TCP_RTO_MIN, 4 RTTVAR) (tcp_set_rto, tcp_bound_rto). */
export function tcp_rto(tp: TcpSock): number {
  return Math.min(tp.host.rto_max_of(tp), Math.round(tp.srtt_ns + Math.max(TCP_RTO_MIN_NS, 4 * tp.rttvar_ns)));
}

/** One RTT measurement (RFC 6298 section 2.3). */
export function tcp_rtt_estimator(tp: TcpSock, m_ns: number): void {
  const m = Math.max(1, m_ns);
  tp.rttvar_ns = 0.75 * tp.rttvar_ns + 0.25 * Math.abs(tp.srtt_ns - m);
  tp.srtt_ns = 0.875 * tp.srtt_ns + 0.125 * m;
  tp.rto_ns = tcp_rto(tp);
}

/**
 * 2.4's tcp_new_space, for a writer that found the buffer full: while the
 * congestion window has room the buffer is what holds the sender back, so
 * it grows to twice the window's segments (never shrinks), at most
 * tcp_wmem[2]. Returns the send buffer, bytes.
 */
export function tcp_new_space(tp: TcpSock): number {
  if (tp.packets_out < tp.snd_cwnd) {
    const want = 2 * Math.max(tp.snd_cwnd, TCP_REORDERING + 1) * MSS_B;
    if (want > tp.sndbuf_B) tp.sndbuf_B = Math.min(want, TCP_WMEM_MAX_B);
  }
  return tp.sndbuf_B;
}

/** 2.4's tcp_init_cwnd: RFC 2414's initial window when the RTT is short, else 2. */
export function tcp_init_cwnd(tp: TcpSock): number {
  if (tp.srtt_ns > 20 * NS_PER_MS) return 2;
  return 3; // an MSS of 1460 is above 1095
}

/**
 * A full-duplex connection between two nodes, for one purpose: one
 * incarnation, opened by `a` (its ISN, in effect, is `serial`: a later
 * connection between the same nodes has a larger one). Each end is a
 * TcpSock that only its own node acts on; an end that gives up is closed
 * alone (tcp_done), and the other learns of it from the wire.
 */
export class TcpConn {
  readonly end: [TcpSock | null, TcpSock | null];
  /** dir[s]: the messages end[s] sends. */
  readonly dir: [MsgQueue, MsgQueue] = [new MsgQueue(), new MsgQueue()];
  /** Both ends' socket priority (SO_PRIORITY, TC_PRIO_*): their frames' band in the qdisc. */
  prio = 0;

  constructor(
    readonly host: TcpHost,
    readonly a: Node,
    readonly b: Node,
    readonly name: string,
    readonly serial: number,
  ) {
    this.end = [new TcpSock(host, this, 0, a, b), new TcpSock(host, this, 1, b, a)];
  }

  /** The node that opened it. */
  get opener(): Node {
    return this.a;
  }

  side_of(n: Node): 0 | 1 {
    return n === this.a ? 0 : 1;
  }

  /**
   * A node's end crashed: its state is gone, and nobody is told (the
   * senders on that node are gone too). The other end carries on alone
   * until its own user timeout.
   */
  drop_end(n: Node): void {
    const tp = this.end[this.side_of(n)];
    if (!tp) return;
    tcp_clear_timers(tp);
    tp.state = TCP_CLOSE;
    this.end[tp.side] = null;
  }
}

function tcp_clear_timers(tp: TcpSock): void {
  tp.rto_ev?.cancel();
  tp.rto_ev = null;
  tp.rto_at = 0;
  tp.delack_ev?.cancel();
  tp.delack_ev = null;
  tp.delack_at = 0;
}

/**
 * This end is finished (2.4's tcp_done, with tcp_write_queue_purge): its
 * timers stop, it leaves its node's table, and every message it was
 * sending that the peer has not acknowledged fails to its sender, once,
 * with `reason`. What it had received and not delivered yet is lost with
 * it. Nothing is sent: the peer learns from its own timeout, or from the
 * RST this node answers its next segment with (tcp_v4_send_reset). Then
 * the error is reported on this node (sk_error_report), as it wakes a
 * reader blocked on the socket: the only news for a node that was waiting
 * for the peer with nothing of its own outstanding.
 * A message the peer received whose ACK never came back both arrived and
 * failed: no end can know better, as in any TCP.
 */
export function tcp_done(tp: TcpSock, reason: string): void {
  if (tp.state === TCP_CLOSE) return;
  tp.host.sk_data_ready(tp);
  tp.state = TCP_CLOSE;
  tcp_clear_timers(tp);
  tp.conn.end[tp.side] = null;
  tp.stats.failed_connections++;
  tp.host.unhash(tp);
  const q = tp.out;
  const from = q.una;
  q.una = q.length;
  for (let i = from; i < q.length; i++) q.on_fail[i]?.(reason);
  tp.host.sk_error_report(tp, reason);
}

/** The user timeout expired (2.4's tcp_write_err: ETIMEDOUT). */
export function tcp_write_err(tp: TcpSock): void {
  const s = tp.stats;
  const tries = tp.una_i < tp.seg_n ? tp.seg_tx[tp.una_i]! : 0;
  s.user_timeouts++;
  s.fewest_tries_at_timeout = s.fewest_tries_at_timeout === 0 ? tries : Math.min(s.fewest_tries_at_timeout, tries);
  tcp_done(tp, `connection to ${tp.peer.name} timed out`);
}

/** An acceptable RST arrived (2.4's tcp_reset: ECONNRESET). */
export function tcp_reset(tp: TcpSock): void {
  tcp_done(tp, `connection to ${tp.peer.name} reset by peer`);
}

/**
 * Queue a message of `bytes` on this end's stream, to leave no earlier than
 * at_ns and after every message queued before it. deliver runs when its
 * last byte has arrived in order at the peer. `cpu_free`: deliver touches
 * nothing of the peer's CPU or tasks, so the peer's lazy CPU need not be
 * brought up to the delivery first (sk_data_ready).
 */
export function tcp_sendmsg(tp: TcpSock, bytes: number, at_ns: number, deliver: () => void, on_fail?: (reason: string) => void, cpu_free = false): void {
  const q = tp.out;
  const now = tp.cluster.queue.now_ns;
  const ready = Math.max(Math.ceil(at_ns), q.last_ready_ns, now);
  q.last_ready_ns = ready;
  q.write_seq += bytes;
  q.push(q.write_seq, ready, deliver, on_fail, cpu_free);
  if (ready <= now) tcp_push(tp);
  else tp.cluster.queue.at_arg(ready, tcp_push, tp, tp.node.id, true); // TCP alone: it settles its CPU itself if it must (sk_data_ready)
}

/** The messages whose time has come may go: send what the window allows. */
export function tcp_push(tp: TcpSock): void {
  if (tp.state !== TCP_ESTABLISHED) return;
  const q = tp.out;
  const now = tp.cluster.queue.now_ns;
  while (q.ready_i < q.length && q.ready_ns[q.ready_i]! <= now) {
    tp.ready_seq = q.end_seq[q.ready_i]!;
    q.ready_i++;
  }
  tcp_write_xmit(tp);
}
