// infoD, after openMosix's oM_infoD and the MOSIX load vector it keeps.
// Every node, once a second (the profile's infod_interval_ns), takes its
// load from its run queue and smooths it the MOSIX way (net/load.ts), its
// CPU utilisation over the second, and the available bandwidth from how its
// NIC byte counters moved (read from /proc/net/dev as ifconfig reads them);
// then whoever listens (the balancer) runs. Apart from that, every 0.5-1 s
// (drawn afresh each time) it sends a window of its load vector to one node
// picked at random (net/loadvec.ts), and the receiver acknowledges it. The
// sender takes the round-trip time from the acknowledgement (t0 = RTT/2).
// Windows and acknowledgements are encoded UDP datagrams; one the wire
// loses is simply missing (no retransmission).
//
// The load vector travels by gossip: a node sends 1-2 windows a second
// whatever the cluster's size, and receives as many on average. What it
// knows of a peer's load is the freshest entry any window brought.
//
// Liveness does not ride on the gossip: om pings the nodes it has business
// with directly (om/liveness.ts). Gossip alone would keep two nodes cut off
// from each other (and only from each other) alive in each other's eyes,
// since their news goes around the cut: a migrant would then run on without
// the deputy it can no longer reach.
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import type { Rng } from '../kernel/rng.ts';
import { runnable_ns } from '../kernel/sched.ts';
import { NS_PER_S } from '../kernel/time.ts';
import { FRAME_SIZE_B } from '../kernel/physmem.ts';
import { network_of, wire_bytes } from './link.ts';
import { NodeLoad } from './load.ts';
import { encode_window, LOAD_VECTOR_WINDOW, LoadVector, window_B, type LoadEntry } from './loadvec.ts';
import { net_dev_bytes } from './nic.ts';
import { encode_note, INFOD_PORT, is_note, note_node, note_seq, NOTE_B } from './udp.ts';
import { frame_wire_B, IP_UDP_HEADERS_B } from './wire.ts';

const INFOD_WINDOW = 1;
const INFOD_ACK = 2;
const INFOD_VERSION = 2;

/** A window's acknowledgement is a note (net/udp.ts): who acknowledges which window. */
export const LOAD_ACK_B = NOTE_B;

/** A window goes out every GOSSIP_MIN..GOSSIP_MAX of the load interval (0.5-1 s), uniformly. */
export const GOSSIP_MIN = 0.5;
export const GOSSIP_MAX = 1;

/** The available bandwidth is never taken as less than this share of the line. */
const MIN_AVAILABLE_SHARE = 0.05;

export const encode_ack = (node: number, seq: number): Uint8Array => encode_note(INFOD_ACK, INFOD_VERSION, node, seq);

export class InfoD {
  /** What this node knows of every node's load, its own included. */
  readonly vector: LoadVector;
  /** Its own load, smoothed. */
  readonly load: NodeLoad;
  /** Latest one-way latency estimate to each peer, ns (RTT/2). */
  readonly t0_ns = new Map<number, number>();
  /** The least of them: the path's own latency, without the time a window or its acknowledgement waited behind other traffic. */
  readonly t0_min_ns = new Map<number, number>();
  private last_busy_ns = 0;
  private last_tick_ns = 0;
  private bw_prev: { t_ns: number; bytes: number; rx: number; tx: number } | null = null;
  /**
   * This node's CPU utilisation over the last load interval, in [0, 1]:
   * what oM_infoD reports and AMPoM takes as C_i at each fault.
   */
  cpu_util = 0;
  /** The last second's mean run-queue length, before smoothing. */
  raw_load = 0;
  /** Latest available bandwidth estimate, bits/s. */
  available_bps: number;
  windows_sent = 0;
  private seq = 0;
  /** The latest window sent to each peer: its number and when it left. */
  private readonly sent = new Map<number, { seq: number; at_ns: number }>();
  /** Run after each load computation (the balancer, memory ushering). */
  readonly load_listeners: (() => void)[] = [];

  constructor(readonly node: Node, readonly line_bps: number, private readonly rng: Rng) {
    this.available_bps = line_bps;
    this.vector = new LoadVector(node.id, node.cluster.nodes.length);
    this.load = new NodeLoad(node.speed);
    // Idle at boot, stamped with the boot: a peer learns how old that is.
    this.last_tick_ns = node.cluster.queue.now_ns;
    this.set_own(this.last_tick_ns);
  }

  /** This node's own entry, as it last computed it (what it tells the others). */
  peer_own(): LoadEntry | undefined {
    return this.vector.get(this.node.id);
  }

  /**
   * When the freshest entry this node knows of a peer was true, virtual ns
   * (undefined: none came yet): the peer was alive then. Its age is how
   * long the peer has been silent as far as this node knows.
   */
  last_heard_ns(n: number): number | undefined {
    return this.peer(n)?.at_ns;
  }

  /** What this node knows of a peer, or undefined. */
  peer(n: number): LoadEntry | undefined {
    return n === this.node.id ? undefined : this.vector.get(n);
  }

  /** The own entry of the vector, as of now. */
  private set_own(now_ns: number): void {
    this.vector.set_own({
      node: this.node.id, load: this.load.exported, util: this.cpu_util, speed: this.node.speed,
      free_mem_B: this.node.mem.free_frames * FRAME_SIZE_B, at_ns: now_ns,
    });
  }

  /**
   * The load computation of a second: the mean run-queue length over it,
   * smoothed; the utilisation; the available bandwidth. Then the listeners.
   */
  load_tick(): void {
    const now = this.node.cluster.queue.now_ns;
    const dt = now - this.last_tick_ns;
    const rq_ns = runnable_ns(this.node, now); // also restarts the run queue's account
    if (dt > 0) {
      this.cpu_util = Math.min(1, (this.node.busy_ns - this.last_busy_ns) / dt);
      this.raw_load = rq_ns / dt;
      this.load.calc_load(this.raw_load);
    }
    this.last_busy_ns = this.node.busy_ns;
    this.last_tick_ns = now;
    this.measure_bandwidth(now);
    if (dt > 0) this.set_own(now);
    for (const l of this.load_listeners) l();
  }

  /**
   * Re-read the NIC counters and update the available-bandwidth estimate:
   * line rate minus the busier direction's measured rate. Called each load
   * interval and whenever AMPoM's lookback window loops.
   */
  measure_bandwidth(now_ns: number): number {
    const r = net_dev_bytes(this.node.cluster.procfs, this.node);
    if (!r) return this.available_bps;
    const { rx_bytes, tx_bytes } = r;
    const prev = this.bw_prev;
    this.bw_prev = { t_ns: now_ns, bytes: rx_bytes + tx_bytes, rx: rx_bytes, tx: tx_bytes };
    if (!prev || now_ns <= prev.t_ns) return this.available_bps;
    const dt_s = (now_ns - prev.t_ns) / NS_PER_S;
    const used_bps = (Math.max(rx_bytes - prev.rx, tx_bytes - prev.tx) * 8) / dt_s;
    this.available_bps = Math.max(this.line_bps * MIN_AVAILABLE_SHARE, this.line_bps - used_bps);
    return this.available_bps;
  }

  /** td: time to move one page at the available bandwidth, ns. */
  td_ns(): number {
    return Math.round((wire_bytes(FRAME_SIZE_B) * 8 * NS_PER_S) / this.available_bps);
  }

  /** t0 to a peer, ns: the measured value, else the configured latency. */
  t0_to(peer: number): number {
    return this.t0_ns.get(peer) ?? network_of(this.node.cluster).profile.latency_ns;
  }

  /** The path's own t0 to a peer, ns: the least measured, else the configured latency. */
  t0_path_to(peer: number): number {
    return this.t0_min_ns.get(peer) ?? network_of(this.node.cluster).profile.latency_ns;
  }

  /** Send a window of the load vector to one node picked at random. */
  gossip(): void {
    const c = this.node.cluster;
    const n = c.nodes.length;
    if (n < 2) return;
    const now = c.queue.now_ns;
    let to = this.rng.int(0, n - 2);
    if (to >= this.node.id) to++;
    // The own entry goes out as its load computation left it, stamped with
    // that computation's time: a window sent 0.9 s after it says its load is
    // 0.9 s old, so no peer takes an idle second's figure for the present.
    const seq = ++this.seq;
    const bytes = encode_window(INFOD_WINDOW, INFOD_VERSION, this.node.id, seq, this.vector.window(to), now);
    this.sent.set(to, { seq, at_ns: now });
    this.windows_sent++;
    network_of(c).udp_send(this.node, c.node(to), INFOD_PORT, bytes);
  }

  /** The delay until the next window: uniform in [GOSSIP_MIN, GOSSIP_MAX] of the interval. */
  next_gossip_ns(interval_ns: number): number {
    return Math.round(interval_ns * (GOSSIP_MIN + (GOSSIP_MAX - GOSSIP_MIN) * this.rng.float()));
  }

  /** A datagram for infoD arrived: a window to merge and acknowledge, or an acknowledgement. */
  receive(from: Node, data: Uint8Array | null): void {
    if (!data || !this.node.alive) return;
    const c = this.node.cluster;
    const now = c.queue.now_ns;
    if (data[0] === INFOD_WINDOW) {
      const seq = this.vector.merge_window(data, now);
      network_of(c).udp_send(this.node, from, INFOD_PORT, encode_ack(this.node.id, seq));
    } else if (data[0] === INFOD_ACK && is_note(data)) {
      const node = note_node(data);
      // Only the latest window's acknowledgement times the path; a late one for an older window is stale.
      const s = this.sent.get(node);
      if (s && s.seq === note_seq(data)) {
        const t0 = Math.round((now - s.at_ns) / 2);
        this.t0_ns.set(node, t0);
        if (!(t0 >= (this.t0_min_ns.get(node) ?? Infinity))) this.t0_min_ns.set(node, t0);
      }
    } else throw new Error(`infoD on ${this.node.name}: datagram of unknown type or size (type ${data[0]}, ${data.length} B) from ${from.name}`);
  }
}

/**
 * The lowest line rate at which infoD's own traffic takes at most half the
 * wire: a node sends at most one full window each GOSSIP_MIN of the
 * interval and acknowledges as many as it receives (on average as many as
 * it sends); below it the datagrams queue without end and nothing else gets
 * through. (om's liveness pings, a few a node, are left out.)
 */
export function infod_min_bandwidth_bps(nodes: number, interval_ns: number): number {
  const entries = Math.min(nodes, LOAD_VECTOR_WINDOW);
  const per_window_B = frame_wire_B(IP_UDP_HEADERS_B + window_B(entries)) + frame_wire_B(IP_UDP_HEADERS_B + LOAD_ACK_B);
  return (2 * (per_window_B / GOSSIP_MIN) * 8 * NS_PER_S) / interval_ns;
}

/**
 * How old the freshest entry of a live peer may grow before om/liveness.ts
 * takes the peer as gone, in a cluster of `nodes`; so a crash is noticed
 * by every node within this and one check (a load interval) more.
 *
 * Measured with userland/bench/gossip_age.ts (once a second, every node's
 * oldest entry of each live peer, after a minute's warm-up): the oldest
 * ever seen was 1.0 s on 2 nodes (each sends the other a window every
 * 0.5-1 s), 6.1 on 3, 8.0 on 4, 11.9 on 8, 11.5 on 16, 12.4 on 20 (3 runs
 * of 3,000 s each), 24.1 on 32, 34.3 on 48, 83.4 on 128 and 177 on 256
 * (2 runs of 1,500 s); on 4 nodes with 5% loss and 50% cross traffic on
 * every pair, 12.7. Up to the window's 20 nodes every window carries every
 * entry and the age grows like the rounds a rumour takes, log2(n); beyond,
 * a window carries only the 19 freshest others, an entry that has aged a
 * little is crowded out and waits for its node to send again to a random
 * node, and the age grows like n (0.6-0.75 n). The limit is twice the
 * envelope 3 + 3 log2(n), 0.75 n of those maxima (on 2 nodes, where the age
 * is bounded, 3 windows as before): 15.5 s on 3 nodes, 18 on 4, 30 on 16,
 * 96 on 64, 384 on 256.
 */
export function silence_limit_ns(nodes: number, interval_ns: number): number {
  return Math.round(interval_ns * silence_limit_intervals(nodes));
}

/** silence_limit_ns in load intervals (seconds on every profile). */
export function silence_limit_intervals(nodes: number): number {
  if (nodes <= 2) return 3;
  return 2 * Math.max(3 + 3 * Math.log2(nodes), 0.75 * nodes);
}

export function infod_of(node: Node): InfoD {
  const d = node.ext.get('infod') as InfoD | undefined;
  if (!d) throw new Error(`${node.name} runs no infoD`);
  return d;
}

/** Start infoD on every node; each runs while active(its node) holds. */
export function start_infod(cluster: Cluster, active: (node: Node) => boolean): void {
  const net = network_of(cluster);
  const period = net.profile.infod_interval_ns;
  for (const node of cluster.nodes) {
    const d = new InfoD(node, net.profile.bandwidth_bps, cluster.rng.fork());
    node.ext.set('infod', d);
    net.udp_bind(node, INFOD_PORT, (from, data) => d.receive(from, data));
    const load_tick = (): void => {
      if (!active(node) || !node.alive) return;
      cluster.queue.ctx = node;
      d.load_tick();
      cluster.queue.after(period, load_tick, node.id);
    };
    const gossip = (): void => {
      if (!active(node) || !node.alive) return;
      cluster.queue.ctx = node;
      d.gossip();
      cluster.queue.after(d.next_gossip_ns(period), gossip, node.id);
    };
    cluster.queue.at(cluster.queue.now_ns, load_tick, node.id);
    cluster.queue.at(cluster.queue.now_ns, gossip, node.id);
  }
  const hundredths = (x: number): number => Math.round(x * 100);
  const entry = (at: Node, n: number): LoadEntry | undefined => infod_of(at).peer(n);
  // As openMosix's /proc/hpc/nodes/N/*: what this node knows of node N (loads in hundredths of a process).
  cluster.procfs.register('/proc/hpc/nodes/N/load', { read: ({ node, params }) => `${entry(node, params[0]!) ? hundredths(entry(node, params[0]!)!.load) : 'unknown'}\n` });
  cluster.procfs.register('/proc/hpc/nodes/N/speed', { read: ({ node, params }) => `${entry(node, params[0]!) ? hundredths(entry(node, params[0]!)!.speed) : 'unknown'}\n` });
  cluster.procfs.register('/proc/hpc/nodes/N/util', { read: ({ node, params }) => {
    const i = entry(node, params[0]!);
    return `${i ? Math.round(i.util * 100) : 'unknown'}\n`;
  } });
  cluster.procfs.register('/proc/hpc/nodes/N/mem', { read: ({ node, params }) => `${entry(node, params[0]!)?.free_mem_B ?? 'unknown'}\n` });
}
