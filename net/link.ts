// The network: every node has one NIC on a switch. A frame leaves its
// node's egress (net/qdisc.ts: netem, tbf or pfifo, the line), crosses the
// switch to the destination's port and arrives one latency after its last
// bit left. Above it, TCP connections (net/tcp*.ts) carry om's messages and
// UDP datagrams (net/udp.ts) carry infoD's and the background traffic.
//
// Connections: one full-duplex TCP connection per node pair and purpose
// (net/tcp_ipv4.ts). om uses 'mig' (a migration's handshake, pages, tables
// and context, and the replies) and 'om' (page requests and replies, remote
// system calls, exit and location notes); send() without a purpose uses
// 'om'. Each end gives up on its own (its user timeout, a RST, or reset()
// on its node) and the other learns of it from the wire.
//
// The switch's port towards a node is a FIFO at the line rate, so frames
// from several nodes to one share its wire; with two nodes it never holds
// a frame back (one sender cannot outrun it) and is skipped. Its buffer is
// not bounded. The store-and-forward time of a frame is in the latency.
import { ON_WIRE, type EventHandle } from '../kernel/events.ts';
import { kdebug } from '../kernel/klog.ts';
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import { Rng } from '../kernel/rng.ts';
import { nic_of, register_net_proc, type NicCounters } from './nic.ts';
import type { NetProfile } from './profiles.ts';
import { Egress, TC_PRIO_BESTEFFORT } from './qdisc.ts';
import { new_tcp_stats, OM_TCP_USER_TIMEOUT_NS, TCP_RTO_MAX_NS, tcp_done, TCP_ESTABLISHED, tcp_new_space, TCP_WMEM_DEFAULT_B, tcp_sendmsg, TcpConn, type TcpHost, type TcpSock, type TcpStats } from './tcp.ts';
import { tcp_key, tcp_v4_rcv, TcpTable } from './tcp_ipv4.ts';
import { tcp_send_active_reset } from './tcp_output.ts';
import { DISCARD_PORT, udp_frame, UDP_MAX_PAYLOAD_B, type UdpHandler } from './udp.ts';
import { FRAME_TCP, frame_counted_B, IP_TCP_HEADERS_B, IP_UDP_HEADERS_B, ser_ns, type Frame } from './wire.ts';

export { MSS_B, IP_TCP_HEADERS_B, ETH_WIRE_OVERHEAD_B, MTU_B, frames_for, wire_bytes } from './wire.ts';

const dbg = kdebug('om:net');

/** Per-send options: the connection the message goes on, and what to do if it fails. */
export interface SendOpts {
  conn?: string;
  on_fail?: (reason: string) => void;
  /** deliver touches nothing of the receiver's CPU or tasks (net/tcp.ts tcp_sendmsg). */
  cpu_free?: boolean;
}

/** A node's network state; it vanishes when the node crashes. */
interface NetNode {
  /** What on_line gave back for a frame: its next event, or null when the wire lost it. */
  egress: Egress<EventHandle | null>;
  tcp: TcpTable;
  udp: Map<number, UdpHandler>;
}

const noop = (): void => {};

/** The smallest cap set_rto_max takes: Linux's tcp_rto_max_ms takes no less than 1 s. */
const RTO_MAX_FLOOR_NS = 1e9;

export class Network implements TcpHost {
  private readonly rng: Rng;
  private readonly netem_rng: Rng;
  /** Intervals [start, end) during which frames between a and b are lost. */
  private partitions: { a: number; b: number; start_ns: number; end_ns: number }[] = [];
  /** When each switch port towards a node is free. */
  private port_free_ns: number[] = [];
  /**
   * The user timeout of every connection whose purpose has none of its own
   * (set_user_timeout; tests may lift it to watch TCP repair anything).
   */
  user_timeout_ns = OM_TCP_USER_TIMEOUT_NS;
  private readonly user_timeouts = new Map<string, number>();
  private rto_max_ns = TCP_RTO_MAX_NS;
  private readonly rto_maxes = new Map<string, number>();
  /** Socket priorities by purpose (set_priority); others are best effort. */
  private readonly prios = new Map<string, number>();
  /** Connections opened so far: the next one's serial (its ISN, in effect). */
  private conn_serial = 0;
  /**
   * Called on a node when one of its ends of a connection to `peer` closes
   * for `reason` (its user timeout, a RST, a new incarnation from the peer,
   * or reset() there), after the failed messages' on_fail: what a process
   * blocked reading the socket would be woken with. A node that was only
   * waiting for the peer's answer, with nothing of its own unacknowledged,
   * learns of the loss this way alone.
   */
  on_error: ((node: Node, peer: Node, purpose: string, reason: string) => void) | null = null;
  /** Frames the wire lost (partitions): they left their NIC and arrived nowhere. */
  wire_lost = 0;
  wire_lost_B = 0;
  /** Payload bytes om handed over, and the messages (for the bench's figures). */
  payload_B = 0;
  messages = 0;

  /** This network's own copy of its profile (a fault plan may change its netem for a while). */
  readonly profile: NetProfile;

  constructor(
    readonly cluster: Cluster,
    profile: NetProfile,
  ) {
    this.profile = { ...profile, netem: { ...profile.netem } };
    this.rng = cluster.rng.fork();
    this.netem_rng = cluster.rng.fork();
    register_net_proc(cluster.procfs, (n) => this.settle(n));
  }

  private net_node(node: Node): NetNode {
    return (node.ext.get('net') as NetNode | undefined) ?? this.new_net_node(node);
  }

  private new_net_node(node: Node): NetNode {
    return node.attach('net', () => ({
      egress: new Egress<EventHandle | null>(this.profile, nic_of(node), this.netem_rng.fork(), (f, s, e, d) => this.on_line(f, s, e, d), (f, h) => this.off_line(f, h)),
      tcp: new TcpTable(),
      udp: new Map<number, UdpHandler>(),
    }));
  }

  // --- TcpHost ---

  stats(node: Node): TcpStats {
    return node.attach('tcp_stats', new_tcp_stats);
  }

  handshake_rtt_ns(a: Node, b: Node): number {
    void a;
    void b;
    return 2 * (this.profile.latency_ns + ser_ns(IP_TCP_HEADERS_B, this.profile.line_bps));
  }

  user_timeout_of(tp: TcpSock): number {
    return this.user_timeouts.get(tp.conn.name) ?? this.user_timeout_ns;
  }

  rto_max_of(tp: TcpSock): number {
    return this.rto_maxes.get(tp.conn.name) ?? this.rto_max_ns;
  }

  unhash(tp: TcpSock): void {
    (tp.node.ext.get('net') as NetNode | undefined)?.tcp.unhash(tp);
  }

  sk_data_ready(tp: TcpSock): void {
    this.cluster.queue.settle_cpu(tp.node.id);
  }

  sk_error_report(tp: TcpSock, reason: string): void {
    if (dbg.enabled) dbg(tp.node, '%s connection to %s closed: %s', tp.conn.name, tp.peer.name, reason);
    this.on_error?.(tp.node, tp.peer, tp.conn.name, reason);
  }

  xmit(f: Frame): boolean {
    if (!f.src.alive) return true;
    return this.net_node(f.src).egress.transmit(f, this.cluster.queue.now_ns);
  }

  // --- the wire ---

  private partitioned(a: number, b: number, t: number): boolean {
    for (const p of this.partitions) {
      if (((p.a === a && p.b === b) || (p.a === b && p.b === a)) && t >= p.start_ns && t < p.end_ns) return true;
    }
    return false;
  }

  private on_line(f: Frame, start: number, end: number, delay: number): EventHandle | null {
    if (this.partitions.length > 0 && this.partitioned(f.src.id, f.dst.id, start)) {
      this.wire_lost++;
      this.wire_lost_B += frame_counted_B(f.ip_B);
      return null;
    }
    const q = this.cluster.queue;
    // The events carry the frame (at_arg) rather than a closure over it: q.at(end, () => this.switch_port(f, end, delay), ...), q.at(..., () => this.arrive(f), ...).
    f.delay_ns = delay;
    if (this.cluster.nodes.length > 2) return q.at_arg(end, this.switch_port_fn, f, ON_WIRE);
    return q.at_arg(end + this.profile.prop_ns + delay, this.arrive_fn, f, f.dst.id, true);
  }

  private readonly switch_port_fn = (f: Frame): void => this.switch_port(f, this.cluster.queue.now_ns, f.delay_ns);
  private readonly arrive_fn = (f: Frame): void => this.arrive(f);

  /** A frame's start was taken by a higher band's (net/qdisc.ts): undo on_line; it goes on again later. */
  private off_line(f: Frame, h: EventHandle | null): void {
    if (h) return h.cancel();
    this.wire_lost--;
    this.wire_lost_B -= frame_counted_B(f.ip_B);
  }

  private switch_port(f: Frame, end: number, delay: number): void {
    const d = f.dst.id;
    const ser = ser_ns(f.ip_B, this.profile.line_bps);
    const out = Math.max(end, (this.port_free_ns[d] ?? 0) + ser);
    this.port_free_ns[d] = out;
    this.cluster.queue.at_arg(out + this.profile.prop_ns + delay, this.arrive_fn, f, f.dst.id, true);
  }

  /**
   * A frame reaches its node. Its event settles the node's lazy CPU only
   * when it hands something up (kernel/events.ts at's `settles_itself`):
   * TCP does before a message or an error goes to om (sk_data_ready), a
   * datagram always does.
   */
  private arrive(f: Frame): void {
    // A crashed node neither receives nor finishes sending.
    if (!f.src.alive || !f.dst.alive) return;
    const q = this.cluster.queue;
    q.ctx = f.dst; // what a frame sets off is its receiver's act
    const rx = nic_of(f.dst);
    rx.rx_packets++;
    rx.rx_bytes += frame_counted_B(f.ip_B);
    if (f.kind === FRAME_TCP) return tcp_v4_rcv(this, this.net_node(f.dst).tcp, f);
    q.settle_cpu(f.dst.id);
    this.net_node(f.dst).udp.get(f.port)?.(f.src, f.data, f.len_B);
  }

  // --- what om and infoD use ---

  /**
   * Hand a message of payload_B bytes to the connection (from, to,
   * opts.conn) at at_ns (or now, if that is later). Messages on one
   * connection are delivered once each, in the order sent: deliver runs when
   * the message's last byte arrives in order. If the sender's end gives up
   * before the peer has acknowledged it, opts.on_fail runs, once, on the
   * sender's node (a message that arrived but whose ACK was lost gets both).
   */
  send(from: Node, to: Node, payload_B: number, at_ns: number, deliver?: () => void, opts?: SendOpts): void {
    if (from === to) throw new Error(`${from.name} cannot send to itself over the network`);
    if (!from.alive) return;
    const conn = this.connection(from, to, opts?.conn ?? 'om');
    // A message has at least one byte on the stream (om's never are empty).
    const bytes = Math.max(1, Math.round(payload_B));
    this.payload_B += bytes;
    this.messages++;
    tcp_sendmsg(conn.end[conn.side_of(from)]!, bytes, at_ns, deliver ?? noop, opts?.on_fail, opts?.cpu_free);
    if (dbg.enabled) dbg(from, '-> %s %s: %d B at %d', to.name, conn.name, bytes, at_ns);
  }

  /**
   * Bytes handed to the connection (from -> to, name) that the peer has not
   * acknowledged yet: what a writer sees filling its socket's send buffer.
   */
  /**
   * The send buffer of from's end toward `to` for a writer that keeps it
   * full (om/sndbuf.ts), bytes: grown first, as tcp_new_space does, when
   * what waits for acknowledgement fills it; 2.4's default before the
   * connection opens.
   */
  sndbuf_B(from: Node, to: Node, name: string): number {
    const c = (from.ext.get('net') as NetNode | undefined)?.tcp.est.get(tcp_key(to, name));
    const tp = c?.end[c.side_of(from)];
    if (!tp || tp.state !== TCP_ESTABLISHED) return TCP_WMEM_DEFAULT_B;
    return tp.out.write_seq - tp.snd_una >= tp.sndbuf_B ? tcp_new_space(tp) : tp.sndbuf_B;
  }

  unacked_B(from: Node, to: Node, name: string): number {
    const c = (from.ext.get('net') as NetNode | undefined)?.tcp.est.get(tcp_key(to, name));
    const tp = c?.end[c.side_of(from)];
    return tp && tp.state === TCP_ESTABLISHED ? tp.out.write_seq - tp.snd_una : 0;
  }

  /**
   * The connection a sends on to b for a purpose, opened on first use. The
   * SYN exchange is not modelled: a peer that has no connection for the
   * purpose has this one at once; one that still has one learns of this
   * one from its first segment (net/tcp_ipv4.ts).
   */
  connection(a: Node, b: Node, name: string): TcpConn {
    const ta = this.net_node(a).tcp;
    const key = tcp_key(b, name);
    let c = ta.est.get(key);
    if (c) return c;
    c = new TcpConn(this, a, b, name, this.conn_serial++);
    c.prio = this.prios.get(name) ?? TC_PRIO_BESTEFFORT;
    ta.hash(key, c);
    if (!b.alive) c.drop_end(b);
    else {
      const tb = this.net_node(b).tcp;
      const kb = tcp_key(a, name);
      if (!tb.est.has(kb)) tb.hash(kb, c);
    }
    return c;
  }

  /**
   * TCP_USER_TIMEOUT on every node's connections of one purpose (or, with
   * none, of every purpose without its own): how long data may stay
   * unacknowledged before an end gives up, checked at each retransmission
   * timeout, so an end gives up at the first RTO at least that long after
   * the oldest unacknowledged segment was first sent. 0 restores the
   * default (OM_TCP_USER_TIMEOUT_NS), as Linux's 0 means the system's.
   * Applies to connections already open.
   */
  set_user_timeout(ns: number, purpose?: string): void {
    if (!(ns >= 0)) throw new Error(`the user timeout must be 0 (the default) or a positive number of ns, got ${ns}`);
    if (purpose === undefined) this.user_timeout_ns = ns || OM_TCP_USER_TIMEOUT_NS;
    else if (ns === 0) this.user_timeouts.delete(purpose);
    else this.user_timeouts.set(purpose, ns);
  }

  /**
   * The largest RTO the connections of one purpose (or, with none, of every
   * purpose without their own) back off to, as Linux 6.15's TCP_RTO_MAX_MS
   * socket option sets it; 0 restores 2.4's TCP_RTO_MAX (120 s). 2.4's
   * backoff doubles the RTO at each timeout, so after a partition of P
   * seconds the first retransmission to get through comes up to about P
   * seconds after it ends; a cap of C bounds that wait by C, for one more
   * segment every C while the partition lasts. Applies to connections
   * already open from their next timeout.
   */
  set_rto_max(ns: number, purpose?: string): void {
    if (!(ns === 0 || (ns >= RTO_MAX_FLOOR_NS && ns <= TCP_RTO_MAX_NS))) {
      throw new Error(`the largest RTO must be 0 (2.4's 120 s) or from ${RTO_MAX_FLOOR_NS} to ${TCP_RTO_MAX_NS} ns, got ${ns}`);
    }
    if (purpose === undefined) this.rto_max_ns = ns || TCP_RTO_MAX_NS;
    else if (ns === 0) this.rto_maxes.delete(purpose);
    else this.rto_maxes.set(purpose, ns);
  }

  /**
   * SO_PRIORITY on the connections of one purpose (TC_PRIO_*, 0 to 15):
   * the band their frames take in every node's qdisc (net/qdisc.ts), for
   * connections opened from now on. Best effort unless set.
   */
  set_priority(purpose: string, prio: number): void {
    if (!(Number.isInteger(prio) && prio >= 0 && prio <= 15)) throw new Error(`a socket priority is an integer from 0 to 15, got ${prio}`);
    this.prios.set(purpose, prio);
  }

  /** Receive datagrams on a port of a node. */
  udp_bind(node: Node, port: number, handler: UdpHandler): void {
    this.net_node(node).udp.set(port, handler);
  }

  /** Send a datagram (data, or len_B bytes of nothing in particular); it may be lost. */
  udp_send(from: Node, to: Node, port: number, data: Uint8Array | null, len_B = data?.length ?? 0): void {
    if (!from.alive || from === to) return;
    this.xmit(udp_frame(from, to, port, data, len_B));
  }

  /** Windows of netem loss, duplication or reordering a fault plan opened, and the profile's own shares. */
  private netem_windows: { what: 'loss' | 'duplicate' | 'reorder'; share: number }[] = [];
  private netem_base: { loss: number; duplicate: number; reorder: number } | null = null;

  /**
   * For dur_ns from now (Infinity: for good), every node's egress loses
   * (duplicates, reorders) at least `share` of its frames; overlapping
   * windows take the largest share, and the profile's own comes back after.
   */
  netem_window(what: 'loss' | 'duplicate' | 'reorder', share: number, dur_ns: number): void {
    const n = this.profile.netem;
    this.netem_base ??= { loss: n.loss, duplicate: n.duplicate, reorder: n.reorder };
    const w = { what, share };
    this.netem_windows.push(w);
    this.apply_netem(what);
    if (dur_ns === Infinity) return;
    this.cluster.queue.after(dur_ns, () => {
      this.netem_windows.splice(this.netem_windows.indexOf(w), 1);
      this.apply_netem(what);
    });
  }

  private apply_netem(what: 'loss' | 'duplicate' | 'reorder'): void {
    let share = this.netem_base![what];
    for (const w of this.netem_windows) if (w.what === what) share = Math.max(share, w.share);
    this.profile.netem[what] = share;
  }

  /** From start_ns to end_ns every frame between a and b, either way, is lost. */
  partition(a: Node, b: Node, start_ns: number, end_ns: number): void {
    this.partitions.push({ a: a.id, b: b.id, start_ns, end_ns });
  }

  /**
   * A node is gone: its queues, what it had in flight and its connections'
   * state vanish with it. Its peers find out by retransmitting into the void
   * until they give up (their user timeout): it stays down, so no RST.
   */
  crash(node: Node): void {
    dbg(node, 'crashed');
    const nn = node.ext.get('net') as NetNode | undefined;
    if (!nn) return;
    for (const c of nn.tcp.est.values()) c.drop_end(node);
    node.ext.delete('net');
  }

  /**
   * `node` gives up its connections to `peer` now (its om declared the
   * peer dead): each of its ends sends one RST (tcp_send_active_reset) and
   * closes, failing what it was sending that the peer had not acknowledged.
   * The peer's ends learn from that RST, or, if it is lost, from the RST
   * their next segment draws, or from their own user timeout.
   */
  reset(node: Node, peer: Node): void {
    const nn = node.ext.get('net') as NetNode | undefined;
    if (!nn) return;
    for (const c of [...nn.tcp.est.values()]) {
      const tp = c.end[c.side_of(node)];
      if (!tp || tp.peer !== peer) continue;
      tcp_send_active_reset(tp);
      tcp_done(tp, `connection to ${peer.name} reset`);
    }
  }

  /** Bring a node's NIC counters up to now (frames still queued are not counted yet). */
  settle(node: Node): void {
    const nn = node.ext.get('net') as NetNode | undefined;
    nn?.egress.sync(this.cluster.queue.now_ns);
  }

  /** A node's NIC counters, settled. */
  nic(node: Node): NicCounters {
    this.settle(node);
    return nic_of(node);
  }

  /** netem's drops and duplicates on a node's egress (tests' accounting). */
  netem_counts(node: Node): { lost: number; lost_B: number; dups: number; dups_B: number } {
    const e = (node.ext.get('net') as NetNode | undefined)?.egress;
    return { lost: e?.netem_lost ?? 0, lost_B: e?.netem_lost_B ?? 0, dups: e?.netem_dups ?? 0, dups_B: e?.netem_dups_B ?? 0 };
  }

  /**
   * Background traffic: full-sized datagrams to the discard port, both ways
   * between every pair, Poisson arrivals at `share` of the path's rate
   * (the tbf rate when shaped), while `active()` holds. They share every
   * queue and wire with the rest, frame by frame.
   */
  start_cross_traffic(share: number, active: () => boolean): void {
    if (share <= 0) return;
    const p = this.profile;
    const ip_B = IP_UDP_HEADERS_B + UDP_MAX_PAYLOAD_B;
    const cost_ns = p.tbf ? (frame_counted_B(ip_B) * 8e9) / p.tbf.rate_bps : ser_ns(ip_B, p.line_bps);
    const mean_gap_ns = cost_ns / share;
    const q = this.cluster.queue;
    for (const a of this.cluster.nodes) {
      for (const b of this.cluster.nodes) {
        if (a === b) continue;
        const tick = (): void => {
          if (!active() || !a.alive || !b.alive) return;
          this.udp_send(a, b, DISCARD_PORT, null, UDP_MAX_PAYLOAD_B);
          q.after(Math.max(1, Math.round(-Math.log(1 - this.rng.float()) * mean_gap_ns)), tick);
        };
        q.after(Math.round(this.rng.float() * mean_gap_ns), tick);
      }
    }
  }
}

export function network_of(cluster: Cluster): Network {
  const n = cluster.ext.get('net') as Network | undefined;
  if (!n) throw new Error('this cluster has no network (create one with attach_network)');
  return n;
}

export function attach_network(cluster: Cluster, profile: NetProfile): Network {
  const n = new Network(cluster, profile);
  cluster.ext.set('net', n);
  // Nothing one node does reaches another sooner than a frame's propagation (kernel/events.ts).
  cluster.queue.lookahead_ns = profile.prop_ns;
  return n;
}

/** A cluster's TCP figures, summed over its nodes (crashed ones included). */
export function net_figures(cluster: Cluster): { retransmitted_segments: number; timeouts: number } {
  let retransmitted_segments = 0;
  let timeouts = 0;
  for (const n of cluster.nodes) {
    const s = n.ext.get('tcp_stats') as TcpStats | undefined;
    if (!s) continue;
    retransmitted_segments += s.retransmitted_segments;
    timeouts += s.timeouts;
  }
  return { retransmitted_segments, timeouts };
}
