// Pause, don't die. openMosix kills a migrant as soon as its home (or, for
// the lazy schemes, a node holding its pages) is taken as unreachable; QEMU's
// post-copy recovery instead pauses the guest and resumes it when the
// network comes back. With a partition limit L > 0 a node that takes a peer
// as unreachable keeps everything it has of the processes that involve it
// (the migrant waits in the fault or system call that needs the other side,
// pages held for it stay, its deputy waits) and acts as openMosix would only
// once the peer has been unreachable for L; L = 0 is openMosix's behaviour.
// Messages already handed to the transport survive the partition: om's
// connections give up only after L and some more (TCP_USER_TIMEOUT), so what
// was sent is delivered once, after the partition heals.
//
// Every node runs with the same limit, as with any sysctl set cluster-wide.
import type { Cluster } from '../kernel/cluster.ts';
import { NS_PER_S } from '../kernel/time.ts';
import { network_of } from '../net/link.ts';
import { OM_TCP_USER_TIMEOUT_NS } from '../net/tcp.ts';
import { figures_of, type OmTask } from './state.ts';

/** The default partition limit: a migrant waits this long for a peer it needs before it is killed. */
export const DEFAULT_PARTITION_LIMIT_NS = 60 * NS_PER_S;

/**
 * How much longer than the limit om's connections keep retransmitting: the
 * verdict at the limit must come before the transport gives up, or a
 * request lost with the connection would leave its process waiting.
 */
const USER_TIMEOUT_MARGIN_NS = 10 * NS_PER_S;

interface PauseConfig {
  partition_limit_ns: number;
}

const config = (c: Cluster): PauseConfig => {
  let p = c.ext.get('om_pause') as PauseConfig | undefined;
  if (!p) c.ext.set('om_pause', (p = { partition_limit_ns: 0 }));
  return p;
};

/**
 * With a limit, om's connections back off to at most this RTO (Linux 6.15's
 * TCP_RTO_MAX_MS; 2.4 has 120 s): a healed partition is then noticed within
 * this, where 2.4's doubling would add up to the partition's own length.
 */
export const PAUSE_RTO_MAX_NS = 2 * NS_PER_S;

/** Set the partition limit on every node (and om's connections' user timeout and backoff with it). */
export function set_partition_limit(c: Cluster, limit_ns: number): void {
  if (!(limit_ns >= 0) || !Number.isFinite(limit_ns)) throw new Error(`the partition limit must be a time of 0 or more, got ${limit_ns} ns`);
  config(c).partition_limit_ns = limit_ns;
  const net = network_of(c);
  net.set_user_timeout(limit_ns > 0 ? Math.max(OM_TCP_USER_TIMEOUT_NS, limit_ns + USER_TIMEOUT_MARGIN_NS) : 0);
  net.set_rto_max(limit_ns > 0 ? PAUSE_RTO_MAX_NS : 0);
}

export const partition_limit_ns = (c: Cluster): number => config(c).partition_limit_ns;

/** The migrant begins to wait on a peer taken as unreachable (or the peer is taken so while it waits). */
export function pause_begin(st: OmTask, now_ns: number): void {
  if (st.paused_since_ns >= 0) return;
  st.paused_since_ns = now_ns;
  figures_of(st.task.node, st.pid).pauses++;
}

/** What it waited for came: the pause (if it was one) ends. */
export function pause_end(st: OmTask, now_ns: number): void {
  if (st.paused_since_ns < 0) return;
  figures_of(st.task.node, st.pid).paused_ns += Math.max(0, now_ns - st.paused_since_ns);
  st.paused_since_ns = -1;
}
