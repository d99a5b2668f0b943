// Network profiles: data describing the path between two nodes, with where
// each number comes from, and the `tc` commands a profile stands for.
//
// Every node has one Fast Ethernet NIC on a switch. What a profile adds on
// top of the bare LAN is what `tc` would put on each node's eth0:
// - a token bucket filter (tbf) that shapes the node's egress to a rate;
// - netem, for a delay added to every frame, and for loss, duplication and
//   reordering with netem's meanings.
// Without a qdisc, eth0 keeps Linux's default pfifo_fast of txqueuelen
// frames (drop-tail).
import { NS_PER_MS, NS_PER_US, NS_PER_S } from '../kernel/time.ts';

/** tbf: rate, bucket size and queue limit (tc-tbf(8)'s rate, burst, limit). */
export interface TbfSpec {
  rate_bps: number;
  burst_B: number;
  limit_B: number;
}

/** netem: delay and the three random impairments (tc-netem(8)'s names). */
export interface NetemSpec {
  delay_ns: number;
  /** Share of frames dropped. */
  loss: number;
  /** Share of frames sent twice. */
  duplicate: number;
  /** Share of frames sent at once, ahead of the frames still waiting their delay. */
  reorder: number;
}

export interface NetProfile {
  name: string;
  /** What a flow can get end to end: the tbf rate when shaped, else the line rate, bits/s. */
  bandwidth_bps: number;
  /** One-way latency of the path: propagation and switching plus netem's delay, ns. */
  latency_ns: number;
  /** The NIC's line rate, bits/s. */
  line_bps: number;
  /** Propagation, NIC and switch latency of the bare LAN, one way, ns. */
  prop_ns: number;
  /**
   * Frames eth0's default qdisc holds (Linux's txqueuelen; ether_setup in
   * 2.4's drivers/net/net_init.c sets 100). Also the limit we give netem.
   */
  txqueuelen: number;
  tbf: TbfSpec | null;
  netem: NetemSpec;
  /** How often infoD sends its load updates, ns. */
  infod_interval_ns: number;
  /** Share of `bandwidth_bps` taken by background traffic (0 = idle). */
  cross_traffic: number;
}

const NO_NETEM: NetemSpec = { delay_ns: 0, loss: 0, duplicate: 0, reorder: 0 };

// The paper's testbed: switched Fast Ethernet. A Fast Ethernet ping between
// 2004-era PCs through one switch takes ~0.1-0.15 ms round trip, so ~60 us
// one way (NIC, driver, switch store-and-forward of a small frame).
const LAN_LINE_BPS = 100e6;
const LAN_PROP_NS = 60 * NS_PER_US;

export const PROFILES: Record<string, NetProfile> = {
  'fast-ethernet': {
    name: 'fast-ethernet',
    bandwidth_bps: LAN_LINE_BPS,
    latency_ns: LAN_PROP_NS,
    line_bps: LAN_LINE_BPS,
    prop_ns: LAN_PROP_NS,
    txqueuelen: 100,
    tbf: null,
    netem: NO_NETEM,
    infod_interval_ns: 1 * NS_PER_S,
    cross_traffic: 0,
  },
  // Paper §5.5: "iptables and tc ... a broadband network with available
  // bandwidth of 6Mb/s and latency of 2ms", on the same LAN. It stands for,
  // on every node:
  //   tc qdisc add dev eth0 root handle 1: netem delay 2ms limit 100
  //   tc qdisc add dev eth0 parent 1:1 handle 10: tbf rate 6mbit burst 10kb latency 50ms
  // tbf's limit is then rate * latency + burst = 750,000 B/s * 0.05 s +
  // 10,240 B = 47,740 B (tc-tbf(8)); 10 KiB of burst lets tbf reach its
  // rate at the HZ=100 timer of the day (6 Mb/s / 100 = 7,500 B a tick).
  broadband: {
    name: 'broadband',
    bandwidth_bps: 6e6,
    latency_ns: LAN_PROP_NS + 2 * NS_PER_MS,
    line_bps: LAN_LINE_BPS,
    prop_ns: LAN_PROP_NS,
    txqueuelen: 100,
    tbf: { rate_bps: 6e6, burst_B: 10 * 1024, limit_B: 750_000 * 0.05 + 10 * 1024 },
    netem: { ...NO_NETEM, delay_ns: 2 * NS_PER_MS },
    infod_interval_ns: 1 * NS_PER_S,
    cross_traffic: 0,
  },
};

export interface ProfileOverrides {
  bandwidth_mbps?: number;
  latency_ms?: number;
  cross_traffic?: number;
  /** netem's impairments, each a share in [0, 1). */
  loss?: number;
  duplicate?: number;
  reorder?: number;
}

function share(what: string, v: number): number {
  if (!(v >= 0 && v < 1)) throw new Error(`${what} must be a share in [0, 1), got ${v}`);
  return v;
}

/** A named profile with optional overrides; throws a user-facing message on bad input. */
export function make_profile(name: string, o: ProfileOverrides = {}): NetProfile {
  const base = PROFILES[name];
  if (!base) throw new Error(`unknown network profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const p: NetProfile = { ...base, tbf: base.tbf && { ...base.tbf }, netem: { ...base.netem } };
  if (o.bandwidth_mbps !== undefined) {
    if (!(o.bandwidth_mbps > 0 && o.bandwidth_mbps <= 100_000)) throw new Error(`bandwidth must be in (0, 100000] Mb/s, got ${o.bandwidth_mbps}`);
    // A shaped profile changes its tbf rate; the bare LAN gets a NIC of that rate.
    const bps = o.bandwidth_mbps * 1e6;
    if (p.tbf) p.tbf.rate_bps = bps;
    else p.line_bps = bps;
    p.bandwidth_bps = bps;
    p.name += `@${o.bandwidth_mbps}Mbps`;
  }
  if (o.latency_ms !== undefined) {
    if (!(o.latency_ms >= 0 && o.latency_ms <= 10_000)) throw new Error(`latency must be in [0, 10000] ms, got ${o.latency_ms}`);
    // netem makes up what the LAN does not: delay = latency - propagation.
    const lat = Math.round(o.latency_ms * NS_PER_MS);
    p.prop_ns = Math.min(p.prop_ns, lat);
    p.netem.delay_ns = lat - p.prop_ns;
    p.latency_ns = lat;
    p.name += `+${o.latency_ms}ms`;
  }
  if (o.cross_traffic !== undefined) p.cross_traffic = share('cross traffic', o.cross_traffic);
  if (o.loss !== undefined) p.netem.loss = share('loss', o.loss);
  if (o.duplicate !== undefined) p.netem.duplicate = share('duplicate', o.duplicate);
  if (o.reorder !== undefined) {
    p.netem.reorder = share('reorder', o.reorder);
    if (p.netem.reorder > 0 && p.netem.delay_ns === 0) {
      throw new Error(`reorder needs a netem delay to reorder against (netem sends a reordered frame without the delay the others wait): raise the latency above the LAN's ${p.prop_ns / NS_PER_MS} ms or use the broadband profile`);
    }
  }
  return p;
}

/** The `tc` commands a profile stands for on each node's eth0 (for the README and --help). */
export function tc_commands(p: NetProfile): string[] {
  const n = p.netem;
  const pct = (x: number): string => `${+(x * 100).toFixed(4)}%`;
  const netem = [
    n.delay_ns > 0 ? `delay ${+(n.delay_ns / NS_PER_MS).toFixed(6)}ms` : '',
    n.loss > 0 ? `loss ${pct(n.loss)}` : '',
    n.duplicate > 0 ? `duplicate ${pct(n.duplicate)}` : '',
    n.reorder > 0 ? `reorder ${pct(n.reorder)}` : '',
  ].filter((s) => s !== '');
  const out: string[] = [];
  if (netem.length > 0) out.push(`tc qdisc add dev eth0 root handle 1: netem ${netem.join(' ')} limit ${p.txqueuelen}`);
  if (p.tbf) {
    const t = p.tbf;
    out.push(`tc qdisc add dev eth0 ${netem.length > 0 ? 'parent 1:1 handle 10:' : 'root'} tbf rate ${t.rate_bps / 1e6}mbit burst ${t.burst_B}b limit ${t.limit_B}b`);
  }
  return out;
}
