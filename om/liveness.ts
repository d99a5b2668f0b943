// Noticing that a node is gone. Every node hears infoD's heartbeats from
// every other once a second (net/infod.ts: directly, not by gossip); a node that has not been heard from for
// DEAD_AFTER_UPDATES updates is taken as unreachable (crashed, or cut off by
// a partition: the two look the same from here), and so is one to which a
// connection gave up (TCP's user timeout, 5 s of unacknowledged data). A
// node heard from again is reachable again. Then, on this node:
// - a migrant whose home is that node is killed (openMosix cannot run a
//   process without its deputy); one whose pages are still held there is
//   killed too; one that no longer needs it goes on;
// - a migration to it that has not committed is called off (the process
//   goes on here); one from it that has not resumed here is dropped;
// - a deputy whose process ran there reports the process lost.
// Pages held here for a process whose home went silent are kept: the home
// may only be cut off from this node, and the migrant may still need them.
// If it stays silent for ORPHAN_AFTER_UPDATES, long after a live migrant
// would have noticed and told its holders, the process is taken as gone and
// its pages are let go (a migrant that asks for one then learns it is lost).
import { kdebug } from '../kernel/klog.ts';
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { is_remote_pte, pte_none, swp_offset } from '../mm/pgtable.ts';
import { infod_of } from '../net/infod.ts';
import { network_of } from '../net/link.ts';
import { deputy_exit, drop_holder } from './deputy.ts';
import { kill_migrant } from './kill.ts';
import { mig_in_idle, mig_in_peer_lost } from './mig_receive.ts';
import { mig_peer_lost } from './migrate.ts';
import { run_deferred } from './remote.ts';
import { om_node, type OmTask } from './state.ts';
import { comm_send } from './comm.ts';
import { HOLD_ANSWER, HOLD_CHECK } from './proto.ts';

const dbg = kdebug('om:deputy');

/** Missed infoD updates after which a peer is taken as unreachable. */
export const DEAD_AFTER_UPDATES = 3;
/** Missed updates after which pages held for a process of a silent home are let go. */
export const ORPHAN_AFTER_UPDATES = 30;
/**
 * How often (in updates) a node holding pages for a process whose home is
 * elsewhere asks that home whether the process still exists: its REM_EXIT
 * may have been lost with a connection that gave up.
 */
export const HOLD_CHECK_UPDATES = 10;

interface Liveness {
  /** peers this node has given up on (until it hears from them again) */
  lost: Set<number>;
}

const liveness = (n: Node): Liveness => n.attach('om_liveness', () => ({ lost: new Set<number>() }));

/** Start watching on every node (each watches on its own, on its own clock). */
export function start_liveness(cluster: Cluster, active: () => boolean): void {
  const period = network_of(cluster).profile.infod_interval_ns;
  const dead_after = DEAD_AFTER_UPDATES * period;
  for (const node of cluster.nodes) {
    const tick = (): void => {
      if (!active() || !node.alive) return;
      check_peers(node, dead_after);
      mig_in_idle(node, cluster.queue.now_ns);
      let_orphans_go(node, ORPHAN_AFTER_UPDATES * period);
      check_holdings(node, HOLD_CHECK_UPDATES * period);
      cluster.queue.after(period, tick);
    };
    cluster.queue.after(period, tick);
  }
}

function check_peers(node: Node, dead_after_ns: number): void {
  const now = node.cluster.queue.now_ns;
  const heard = infod_of(node).last_direct_ns;
  const lv = liveness(node);
  for (const peer of node.cluster.nodes) {
    if (peer === node) continue;
    const last = heard.get(peer.id) ?? 0;
    const silent = now - last > dead_after_ns;
    if (silent && !lv.lost.has(peer.id)) {
      lv.lost.add(peer.id);
      om_peer_lost(node, peer.id, `${peer.name} unreachable`);
    } else if (!silent) lv.lost.delete(peer.id);
  }
}

/** Pages held for processes whose home has been silent too long are let go. */
function let_orphans_go(node: Node, after_ns: number): void {
  const now = node.cluster.queue.now_ns;
  const lv = liveness(node);
  for (const h of [...om_node(node).holders.values()]) {
    if (!lv.lost.has(h.home)) h.orphan_since_ns = -1;
    else if (h.orphan_since_ns < 0) h.orphan_since_ns = now;
    else if (now - h.orphan_since_ns >= after_ns) drop_holder(node, h.pid);
  }
}

/** Ask the home of each process this node holds pages for whether it still exists, now and then. */
function check_holdings(node: Node, every_ns: number): void {
  const now = node.cluster.queue.now_ns;
  for (const h of om_node(node).holders.values()) {
    if (h.home === node.id || now - h.checked_ns < every_ns) continue;
    h.checked_ns = now;
    const home = node.cluster.nodes[h.home];
    if (home) comm_send(node, home, { type: HOLD_CHECK, pid: h.pid }, now);
  }
}

/** HOLD_CHECK at a home: say whether the process still exists. */
export function hold_check(node: Node, from: Node, pid: number): void {
  comm_send(node, from, { type: HOLD_ANSWER, pid, alive: om_node(node).deputies.has(pid) }, node.cluster.queue.now_ns);
}

/**
 * HOLD_ANSWER from a process's home: a process that no longer exists lets
 * go of its pages here, and a migrant of it still running here is killed
 * (its home has taken it as lost and let its pages go).
 */
export function hold_answer(node: Node, from: Node, pid: number, alive: boolean): void {
  if (alive) return;
  const here = om_node(node);
  const h = here.holders.get(pid);
  if (h && h.home === from.id) drop_holder(node, pid);
  const st = here.migrants.get(pid);
  if (st && st.task.node === node && st.home === from.id) kill_migrant(st, `home node ${from.id} took it as lost`);
}

/**
 * A connection to peer gave up (TCP's user timeout, om/../net): the same
 * verdict as silence, reached sooner when this node was talking to it.
 */
export function connection_failed(node: Node, peer: Node, why: string): void {
  if (!node.alive) return;
  const lv = liveness(node);
  if (lv.lost.has(peer.id)) return;
  lv.lost.add(peer.id);
  om_peer_lost(node, peer.id, why);
}

/** Whether this node has given up on peer. */
export const peer_lost = (node: Node, peer: number): boolean => liveness(node).lost.has(peer);

/** Whether a migrant still has pages at node `peer` (or asks it for missing ones). */
function depends_on(st: OmTask, peer: number): boolean {
  const mm = st.task.mm as MmStruct | null;
  if (!mm) return false;
  // A range names where its missing pages are; the pages that have come
  // since (a push, faults) no longer tie the process to that node.
  for (const r of mm.remote_ranges.ranges) {
    if (r.node !== peer) continue;
    for (let vpn = r.start_vpn; vpn < r.end_vpn; vpn++) {
      if (pte_none(mm.pte_get(vpn)) && !st.arrived.has(vpn)) return true;
    }
  }
  let found = false;
  mm.for_each_pte(0, 1 << 20, (_vpn, pte) => {
    if (!found && is_remote_pte(pte) && swp_offset(pte) === peer) found = true;
  });
  return found;
}

/** This node has lost touch with peer: act on everything of its own that involves it. */
export function om_peer_lost(node: Node, peer: number, why: string): void {
  dbg(node, '%s', why);
  const here = om_node(node);
  mig_peer_lost(node, peer);
  mig_in_peer_lost(node, peer);
  // Nodes lost are still told of an exit later: a partition heals, and a
  // holder that hears from the home again keeps its pages until told.
  for (const st of [...here.migrants.values()]) {
    if (st.task.node !== node) continue; // stopped for a migration that has committed
    if (st.home === peer) kill_migrant(st, `home node ${peer} unreachable`);
    else if (depends_on(st, peer)) kill_migrant(st, `page holder node ${peer} unreachable`);
    else {
      // Nothing of it is there any more: a push from there will never say it stopped.
      st.pushers.delete(peer);
      if (st.push_stopping.delete(peer)) run_deferred(st);
    }
  }
  for (const dep of [...here.deputies.values()]) {
    if (dep.where === peer) deputy_exit(node, dep, { exit_code: 137, lost: `remote node ${peer} unreachable` });
  }
  for (const h of here.holders.values()) if (h.home === peer && h.orphan_since_ns < 0) h.orphan_since_ns = node.cluster.queue.now_ns;
}
