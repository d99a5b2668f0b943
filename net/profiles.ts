// Network profiles: data describing a link, with where each number comes from.
import { NS_PER_MS, NS_PER_US, NS_PER_S } from '../kernel/time.ts';

export interface NetProfile {
  name: string;
  /** Line rate of each direction, bits per second. */
  bandwidth_bps: number;
  /** One-way propagation plus switching latency, ns. */
  latency_ns: number;
  /** How often infoD sends its load updates, ns. */
  infod_interval_ns: number;
  /** Share of the line rate taken by background traffic (0 = idle). */
  cross_traffic: number;
}

export const PROFILES: Record<string, NetProfile> = {
  // The paper's testbed: switched Fast Ethernet. A Fast Ethernet ping between
  // 2004-era PCs through one switch takes ~0.1-0.15 ms round trip, so ~60 us
  // one way (NIC, driver, switch store-and-forward of a small frame).
  'fast-ethernet': {
    name: 'fast-ethernet',
    bandwidth_bps: 100e6,
    latency_ns: 60 * NS_PER_US,
    infod_interval_ns: 1 * NS_PER_S,
    cross_traffic: 0,
  },
  // Paper §5.5: tc/iptables shaping to 6 Mb/s available bandwidth and 2 ms.
  broadband: {
    name: 'broadband',
    bandwidth_bps: 6e6,
    latency_ns: 2 * NS_PER_MS,
    infod_interval_ns: 1 * NS_PER_S,
    cross_traffic: 0,
  },
};

export interface ProfileOverrides {
  bandwidth_mbps?: number;
  latency_ms?: number;
  cross_traffic?: number;
}

/** A named profile with optional overrides; throws a user-facing message on bad input. */
export function make_profile(name: string, o: ProfileOverrides = {}): NetProfile {
  const base = PROFILES[name];
  if (!base) throw new Error(`unknown network profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const p = { ...base };
  if (o.bandwidth_mbps !== undefined) {
    if (!(o.bandwidth_mbps > 0 && o.bandwidth_mbps <= 100_000)) throw new Error(`bandwidth must be in (0, 100000] Mb/s, got ${o.bandwidth_mbps}`);
    p.bandwidth_bps = o.bandwidth_mbps * 1e6;
    p.name += `@${o.bandwidth_mbps}Mbps`;
  }
  if (o.latency_ms !== undefined) {
    if (!(o.latency_ms >= 0 && o.latency_ms <= 10_000)) throw new Error(`latency must be in [0, 10000] ms, got ${o.latency_ms}`);
    p.latency_ns = Math.round(o.latency_ms * NS_PER_MS);
    p.name += `+${o.latency_ms}ms`;
  }
  if (o.cross_traffic !== undefined) {
    if (!(o.cross_traffic >= 0 && o.cross_traffic < 1)) throw new Error(`cross traffic must be a share in [0, 1), got ${o.cross_traffic}`);
    p.cross_traffic = o.cross_traffic;
  }
  return p;
}
