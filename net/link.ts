// The network: a full-duplex link between every pair of nodes, each direction
// a FIFO wire with a line rate and a latency.
//
// A message starts when the sender's side of the wire is free, takes its
// serialisation time (payload plus per-frame headers) and arrives one
// latency after its last bit leaves. Everything on a wire queues behind what
// was sent before it, demand requests behind prefetched pages included.
import createDebug from 'debug';
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import { Rng } from '../kernel/rng.ts';
import { NS_PER_S } from '../kernel/time.ts';
import { nic_of, register_net_proc } from './nic.ts';
import type { NetProfile } from './profiles.ts';

const dbg = createDebug('om:net');

/** Ethernet MTU and what each frame carries besides payload. */
export const MTU_B = 1500;
export const IP_TCP_HEADERS_B = 40; // IPv4 20 + TCP 20
export const MSS_B = MTU_B - IP_TCP_HEADERS_B;
/** Ethernet header 14 + FCS 4 + preamble 8 + inter-frame gap 12. */
export const ETH_WIRE_OVERHEAD_B = 38;
/** What a NIC counts per frame besides payload (ifconfig counts the Ethernet header, not the gap). */
const ETH_COUNTED_B = 14;

export const frames_for = (payload_B: number): number => Math.max(1, Math.ceil(payload_B / MSS_B));
/** Bytes a payload occupies on the wire, headers and gaps included. */
export const wire_bytes = (payload_B: number): number => payload_B + frames_for(payload_B) * (IP_TCP_HEADERS_B + ETH_WIRE_OVERHEAD_B);

class Wire {
  free_at_ns = 0;
  busy_ns = 0;
}

/** Per-send options: the connection the message goes on, and what to do if it fails. */
export interface SendOpts {
  conn?: string;
  on_fail?: (reason: string) => void;
}

export interface SendResult {
  start_ns: number;
  arrive_ns: number;
}

export class Network {
  private wires = new Map<number, Wire>();
  private rng: Rng;
  /** Payload bytes carried, by every message (for the bench's figures). */
  payload_B = 0;
  messages = 0;
  /** Intervals [start, end) during which two nodes cannot reach each other. */
  private partitions: { a: number; b: number; start_ns: number; end_ns: number }[] = [];

  constructor(
    readonly cluster: Cluster,
    readonly profile: NetProfile,
  ) {
    this.rng = cluster.rng.fork();
    register_net_proc(cluster.procfs);
  }

  private wire(from: Node, to: Node): Wire {
    const key = from.id * 65536 + to.id;
    let w = this.wires.get(key);
    if (!w) {
      w = new Wire();
      this.wires.set(key, w);
    }
    return w;
  }

  /** Serialisation time of a payload at the line rate, ns (whole ns). */
  ser_ns(payload_B: number): number {
    return Math.ceil((wire_bytes(payload_B) * 8 * NS_PER_S) / this.profile.bandwidth_bps);
  }

  /**
   * Send payload_B bytes from `from` to `to`, queued no earlier than at_ns;
   * deliver runs at the arrival time. Returns when it starts and arrives.
   */
  send(from: Node, to: Node, payload_B: number, at_ns: number, deliver?: () => void, _opts?: SendOpts): SendResult {
    if (from === to) throw new Error(`${from.name} cannot send to itself over the network`);
    const w = this.wire(from, to);
    const q = this.cluster.queue;
    let start_ns = Math.max(Math.ceil(at_ns), w.free_at_ns, q.now_ns);
    // A partitioned pair: the message waits until the path is back (this
    // FIFO model loses nothing; a transport with retransmission would resend).
    for (const p of this.partitions) {
      const pair = (p.a === from.id && p.b === to.id) || (p.a === to.id && p.b === from.id);
      if (pair && start_ns >= p.start_ns && start_ns < p.end_ns) start_ns = p.end_ns;
    }
    const ser = this.ser_ns(payload_B);
    w.free_at_ns = start_ns + ser;
    w.busy_ns += ser;
    const arrive_ns = w.free_at_ns + this.profile.latency_ns;
    const frames = frames_for(payload_B);
    const counted = payload_B + frames * (IP_TCP_HEADERS_B + ETH_COUNTED_B);
    const tx = nic_of(from);
    tx.tx_bytes += counted;
    tx.tx_packets += frames;
    this.payload_B += payload_B;
    this.messages++;
    q.at(arrive_ns, () => {
      if (!to.alive || !from.alive) return; // a crashed node neither receives nor finishes sending
      const rx = nic_of(to);
      rx.rx_bytes += counted;
      rx.rx_packets += frames;
      deliver?.();
    });
    dbg('%s -> %s %d B: start %d arrive %d', from.name, to.name, payload_B, start_ns, arrive_ns);
    return { start_ns, arrive_ns };
  }

  /** From start_ns to end_ns nothing gets through between a and b. */
  partition(a: Node, b: Node, start_ns: number, end_ns: number): void {
    this.partitions.push({ a: a.id, b: b.id, start_ns, end_ns });
  }

  /** A node is gone: what it had queued or had in flight is lost with it. */
  crash(node: Node): void {
    dbg('%s crashed', node.name);
  }

  /**
   * Background traffic: full-size frames in both directions between every
   * pair, Poisson arrivals at `share` of the line rate, while `active()` holds.
   */
  start_cross_traffic(share: number, active: () => boolean): void {
    if (share <= 0) return;
    const nodes = this.cluster.nodes;
    const mean_gap_ns = (this.ser_ns(MSS_B) / share);
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue;
        const tick = (): void => {
          if (!active() || !a.alive || !b.alive) return;
          this.send(a, b, MSS_B, this.cluster.queue.now_ns);
          const gap = Math.max(1, Math.round(-Math.log(1 - this.rng.float()) * mean_gap_ns));
          this.cluster.queue.after(gap, tick);
        };
        this.cluster.queue.after(Math.round(this.rng.float() * mean_gap_ns), tick);
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
  return n;
}
