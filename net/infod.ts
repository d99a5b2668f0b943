// infoD, after openMosix's oM_infoD: every node sends periodic load updates
// (load, CPU utilisation, free memory) to its peers as UDP datagrams, and
// each peer acknowledges them. The sender takes the round-trip time from
// the acknowledgement (t0 = RTT/2) and the available bandwidth from how its
// NIC byte counters moved since the last look, read from /proc/net/dev as
// ifconfig reads them. Updates and acknowledgements are encoded bytes; one
// the wire loses is simply missing (no retransmission).
import { struct, u8, u16, u32 } from '@solana/buffer-layout';
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import { NS_PER_S } from '../kernel/time.ts';
import { FRAME_SIZE_B } from '../kernel/physmem.ts';
import { network_of, wire_bytes } from './link.ts';
import { parse_net_dev } from './nic.ts';
import { INFOD_PORT } from './udp.ts';
import { frame_wire_B, IP_UDP_HEADERS_B } from './wire.ts';

const INFOD_UPDATE = 1;
const INFOD_ACK = 2;
const INFOD_VERSION = 1;

interface UpdateMsg { type: number; version: number; node: number; seq: number; load: number; util: number; free_mem_kB: number }
interface AckMsg { type: number; version: number; node: number; seq: number }

/** A load update: who, which one, the run-queue length, CPU use in 1/10000, free memory in KiB. */
const UPDATE = struct<UpdateMsg>([u8('type'), u8('version'), u16('node'), u32('seq'), u16('load'), u16('util'), u32('free_mem_kB')]);
/** Its acknowledgement: who acknowledges which update. */
const ACK = struct<AckMsg>([u8('type'), u8('version'), u16('node'), u32('seq')]);

/** Payload bytes of a load update and of its acknowledgement. */
export const LOAD_UPDATE_B = UPDATE.span;
export const LOAD_ACK_B = ACK.span;
/** The available bandwidth is never taken as less than this share of the line. */
const MIN_AVAILABLE_SHARE = 0.05;

function encode_update(m: Omit<UpdateMsg, 'type' | 'version'>): Uint8Array {
  const b = new Uint8Array(LOAD_UPDATE_B);
  UPDATE.encode({ type: INFOD_UPDATE, version: INFOD_VERSION, ...m }, b);
  return b;
}

function encode_ack(node: number, seq: number): Uint8Array {
  const b = new Uint8Array(LOAD_ACK_B);
  ACK.encode({ type: INFOD_ACK, version: INFOD_VERSION, node, seq }, b);
  return b;
}

export interface LoadInfo {
  load: number;
  util: number;
  free_mem_B: number;
  at_ns: number;
}

export class InfoD {
  /** What this node heard from each peer. */
  readonly peers = new Map<number, LoadInfo>();
  /** When this node last heard an update from each peer, virtual ns (silence means trouble). */
  readonly last_heard_ns = new Map<number, number>();
  /** Latest one-way latency estimate to each peer, ns (RTT/2). */
  readonly t0_ns = new Map<number, number>();
  private last_busy_ns = 0;
  private last_tick_ns = 0;
  private bw_prev: { t_ns: number; bytes: number; rx: number; tx: number } | null = null;
  /**
   * This node's CPU utilisation over the last update interval, in [0, 1]:
   * what oM_infoD reports and AMPoM takes as C_i at each fault.
   */
  cpu_util = 0;
  /** Latest available bandwidth estimate, bits/s. */
  available_bps: number;
  updates_sent = 0;
  private seq = 0;
  /** The latest update sent to each peer: its number and when it left. */
  private readonly sent = new Map<number, { seq: number; at_ns: number }>();

  constructor(readonly node: Node, readonly line_bps: number) {
    this.available_bps = line_bps;
  }

  /** Own load figures as sent in an update. */
  private own_load(now_ns: number): LoadInfo {
    const dt = Math.max(1, now_ns - this.last_tick_ns);
    const util = Math.min(1, (this.node.busy_ns - this.last_busy_ns) / dt);
    this.cpu_util = util;
    this.last_busy_ns = this.node.busy_ns;
    this.last_tick_ns = now_ns;
    const load = this.node.runqueue.length + (this.node.current ? 1 : 0);
    return { load, util, free_mem_B: this.node.mem.free_frames * FRAME_SIZE_B, at_ns: now_ns };
  }

  /**
   * Re-read the NIC counters and update the available-bandwidth estimate:
   * line rate minus the busier direction's measured rate. Called each update
   * and whenever AMPoM's lookback window loops.
   */
  measure_bandwidth(now_ns: number): number {
    const r = this.node.cluster.procfs.read(this.node, '/proc/net/dev');
    if (!r.ok) return this.available_bps;
    const { rx_bytes, tx_bytes } = parse_net_dev(r.text);
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

  /** One round of updates to every peer. */
  tick(): void {
    const c = this.node.cluster;
    const net = network_of(c);
    const now = c.queue.now_ns;
    const info = this.own_load(now);
    this.measure_bandwidth(now);
    const seq = ++this.seq;
    const bytes = encode_update({
      node: this.node.id, seq, load: Math.min(info.load, 0xffff), util: Math.round(info.util * 10000),
      free_mem_kB: Math.min(Math.floor(info.free_mem_B / 1024), 0xffffffff),
    });
    for (const peer of c.nodes) {
      if (peer === this.node) continue;
      this.sent.set(peer.id, { seq, at_ns: now });
      this.updates_sent++;
      net.udp_send(this.node, peer, INFOD_PORT, bytes);
    }
  }

  /** A datagram for infoD arrived: an update to record and acknowledge, or an acknowledgement. */
  receive(from: Node, data: Uint8Array | null): void {
    if (!data || !this.node.alive) return;
    const c = this.node.cluster;
    const now = c.queue.now_ns;
    if (data[0] === INFOD_UPDATE) {
      const m = UPDATE.decode(data);
      this.peers.set(m.node, { load: m.load, util: m.util / 10000, free_mem_B: m.free_mem_kB * 1024, at_ns: now });
      this.last_heard_ns.set(m.node, now);
      network_of(c).udp_send(this.node, from, INFOD_PORT, encode_ack(this.node.id, m.seq));
    } else if (data[0] === INFOD_ACK) {
      const m = ACK.decode(data);
      // Only the latest update's acknowledgement times the path; a late one for an older update is stale.
      const s = this.sent.get(m.node);
      if (s && s.seq === m.seq) this.t0_ns.set(m.node, Math.round((now - s.at_ns) / 2));
    } else throw new Error(`infoD on ${this.node.name}: datagram of unknown type ${data[0]} from ${from.name}`);
  }
}

/**
 * The lowest line rate at which infoD's own traffic (an update and an
 * acknowledgement per peer per interval, both ways) takes at most half the
 * wire: below it the updates queue without end and nothing else gets through.
 */
export function infod_min_bandwidth_bps(nodes: number, interval_ns: number): number {
  const per_interval_B = (nodes - 1) * (frame_wire_B(IP_UDP_HEADERS_B + LOAD_UPDATE_B) + frame_wire_B(IP_UDP_HEADERS_B + LOAD_ACK_B));
  return (2 * per_interval_B * 8 * NS_PER_S) / interval_ns;
}

export function infod_of(node: Node): InfoD {
  const d = node.ext.get('infod') as InfoD | undefined;
  if (!d) throw new Error(`${node.name} runs no infoD`);
  return d;
}

/** Start infoD on every node; it runs while active() holds. */
export function start_infod(cluster: Cluster, active: () => boolean): void {
  const net = network_of(cluster);
  for (const node of cluster.nodes) {
    const d = new InfoD(node, net.profile.bandwidth_bps);
    node.ext.set('infod', d);
    net.udp_bind(node, INFOD_PORT, (from, data) => d.receive(from, data));
    const period = net.profile.infod_interval_ns;
    const tick = (): void => {
      if (!active() || !node.alive) return;
      d.tick();
      cluster.queue.after(period, tick);
    };
    cluster.queue.at(cluster.queue.now_ns, tick);
  }
  const peer_info = (at: Node, n: number): LoadInfo | undefined =>
    n === at.id ? undefined : infod_of(at).peers.get(n);
  cluster.procfs.register('/proc/hpc/nodes/N/load', { read: ({ node, params }) => `${peer_info(node, params[0]!)?.load ?? 'unknown'}\n` });
  cluster.procfs.register('/proc/hpc/nodes/N/util', { read: ({ node, params }) => {
    const i = peer_info(node, params[0]!);
    return `${i ? Math.round(i.util * 100) : 'unknown'}\n`;
  } });
  cluster.procfs.register('/proc/hpc/nodes/N/mem', { read: ({ node, params }) => `${peer_info(node, params[0]!)?.free_mem_B ?? 'unknown'}\n` });
}
