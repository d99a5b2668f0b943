// Noticing that a node is gone. A node watches the peers it has business
// with (a migrant's home and page holders, where a deputy's process runs,
// the home of a process whose pages it holds, both ends of a migration):
// once a load interval it pings each (8 bytes over UDP, each peer at its own
// phase within the interval, so no transmit queue sees a burst), and a
// pinged node answers unless it pinged back lately. A watched peer not heard
// for DEAD_AFTER_UPDATES intervals is taken as unreachable (crashed, or cut
// off by a partition: the two look the same from here), and so is one to
// which a connection gave up (TCP's user timeout). A peer heard from again is
// reachable again. Load and membership travel by infoD's gossip instead
// (net/infod.ts): a node with no business with a peer never takes it as gone.
//
// What a node does about an unreachable peer (om/pause.ts):
// - at once: a migration to it that has not committed is called off (the
//   process goes on here), one from it that has not reached MIG_DONE is
//   dropped, and a migrant waiting on it is paused;
// - once the peer has been unreachable for the partition limit (at once with
//   a limit of 0, as openMosix does): a migrant whose home is that node is
//   killed (openMosix cannot run a process without its deputy), so is one
//   whose pages are still held there; a migration from it still in doubt
//   (after MIG_DONE) is given up; a deputy whose process ran there reports
//   the process lost.
// Pages held here for a process whose home went silent are kept: the home
// may only be cut off from this node, and the migrant may still need them.
// If it stays silent ORPHAN_AFTER_UPDATES longer than the limit, long after
// a live migrant would have noticed and told its holders, the process is
// taken as gone and its pages are let go (a migrant that asks for one then
// learns it is lost).
import { kdebug } from '../kernel/klog.ts';
import type { Cluster } from '../kernel/cluster.ts';
import type { Node } from '../kernel/node.ts';
import type { MmStruct } from '../mm/mm_struct.ts';
import { is_remote_pte, pte_none, swp_offset } from '../mm/pgtable.ts';
import { network_of } from '../net/link.ts';
import { encode_note, is_note, note_type, note_version, NOTE_B } from '../net/udp.ts';
import { deputy_exit, drop_holder } from './deputy.ts';
import { kill_migrant } from './kill.ts';
import { mig_in_idle, mig_in_peer_gone, mig_in_peer_lost } from './mig_receive.ts';
import { mig_peer_lost } from './migrate.ts';
import { partition_limit_ns, pause_begin } from './pause.ts';
import { run_deferred } from './remote.ts';
import { exit_waits } from './remote_syscall.ts';
import { om_node, type OmTask } from './state.ts';
import { comm_send, type LostMsg } from './comm.ts';
import { forget_lost_to, note_lost, owed_peers, send_lost_again } from './resend.ts';
import { HOLD_ANSWER, HOLD_CHECK, REM_EXIT, REM_WHERE } from './proto.ts';

const dbg = kdebug('om:deputy');

/** Missed intervals after which a watched peer is taken as unreachable. */
export const DEAD_AFTER_UPDATES = 3;
/** Intervals beyond the partition limit after which pages held for a process of a silent home are let go. */
export const ORPHAN_AFTER_UPDATES = 30;
/**
 * How often (in updates) a node holding pages for a process whose home is
 * elsewhere asks that home whether the process still exists: its REM_EXIT
 * may have been lost with a connection that gave up.
 */
export const HOLD_CHECK_UPDATES = 10;

/** om's UDP port for liveness pings (infoD has its own). */
export const OM_PING_PORT = 724;
const PING = 1;
const PONG = 2;
const PING_VERSION = 1;
/** A ping or its answer is a note (net/udp.ts): its type, the sender, a sequence number. */
export const PING_B = NOTE_B;

interface Liveness {
  /** Peers this node has taken as unreachable, and since when (until it hears from them again). */
  lost: Map<number, number>;
  /** Peers the partition limit has run out for: acted on as gone (until heard again). */
  gone: Set<number>;
  /**
   * Peers whose verdict was taken back (recheck_gone) and that have not
   * been heard since: hearing one is hearing a peer back (peer_back), for
   * what waited on it (messages kept for it, an exit held back).
   */
  rechecked: Set<number>;
  /**
   * When each peer was last heard (a ping, its answer, a message over a
   * connection), by node number; 0 until it is (as never: a watched peer's
   * silence counts from when it was first watched). An array rather than
   * a map: every message om receives sets it.
   */
  heard: Float64Array;
  /** The peers this node watches, and since when. */
  watched: Map<number, number>;
  /** When this node last pinged or answered each peer. */
  sent: Map<number, number>;
  seq: number;
  /** Every peer this node ever took as unreachable, and when, in order (gathered by userland at the end). */
  verdicts: { peer: number; at_ns: number }[];
}

const new_liveness = (n: Node): Liveness =>
  ({ lost: new Map(), gone: new Set(), rechecked: new Set(), heard: new Float64Array(n.cluster.nodes.length), watched: new Map(), sent: new Map(), seq: 0, verdicts: [] });
/** A node's liveness records (looked up with no closure a call: a remote fault asks; the factory needs the node's cluster size once). */
const liveness = (n: Node): Liveness => (n.ext.get('om_liveness') as Liveness | undefined) ?? n.attach('om_liveness', () => new_liveness(n));

/** Every peer this node took as unreachable, and when (its own record). */
export const verdicts_of = (node: Node): readonly { peer: number; at_ns: number }[] => liveness(node).verdicts;

/** The peers this node has business with, from its own records. */
function watch_set(node: Node): Set<number> {
  const here = om_node(node);
  const w = new Set<number>();
  for (const st of here.migrants.values()) {
    w.add(st.home);
    for (const h of st.holders) w.add(h);
  }
  for (const dep of here.deputies.values()) w.add(dep.where);
  for (const h of here.holders.values()) w.add(h.home);
  for (const mi of here.incoming.values()) w.add((mi as { src: Node }).src.id);
  for (const out of here.outgoing.values()) w.add((out as { dest: Node }).dest.id);
  owed_peers(node, w);
  w.delete(node.id);
  return w;
}

/** Where in the interval a node pings a peer: spread, and the same every interval. */
const phase_of = (node: number, peer: number, period_ns: number): number =>
  Math.floor((((node * 2654435761 + peer * 40503) >>> 0) % 1000) * (period_ns / 1000));

function send_ping(node: Node, peer: number, type: number): void {
  if (!node.alive) return;
  const lv = liveness(node);
  const b = encode_note(type, PING_VERSION, node.id, ++lv.seq);
  lv.sent.set(peer, node.cluster.queue.now_ns);
  network_of(node.cluster).udp_send(node, node.cluster.node(peer), OM_PING_PORT, b);
}

/** A ping or its answer arrived. */
function receive_ping(node: Node, from: Node, data: Uint8Array | null): void {
  if (!data || !node.alive) return;
  const type = note_type(data);
  if (!is_note(data) || note_version(data) !== PING_VERSION || (type !== PING && type !== PONG)) throw new Error(`liveness on ${node.name}: datagram of unknown type or size (type ${type}, ${data.length} B) from ${from.name}`);
  const lv = liveness(node);
  const now = node.cluster.queue.now_ns;
  lv.heard[from.id] = now;
  if (lv.lost.has(from.id) || lv.rechecked.has(from.id)) peer_back(node, from.id);
  // Answer, unless this node's own ping or answer went that way lately.
  const period = network_of(node.cluster).profile.infod_interval_ns;
  if (type === PING && now - (lv.sent.get(from.id) ?? -Infinity) > period / 2) send_ping(node, from.id, PONG);
}

/** Start watching on every node (each watches on its own, on its own clock). */
export function start_liveness(cluster: Cluster, active: (node: Node) => boolean): void {
  const net = network_of(cluster);
  const period = net.profile.infod_interval_ns;
  const dead_after = DEAD_AFTER_UPDATES * period;
  for (const node of cluster.nodes) {
    net.udp_bind(node, OM_PING_PORT, (from, data) => receive_ping(node, from, data));
    const tick = (): void => {
      if (!active(node) || !node.alive) return;
      cluster.queue.ctx = node;
      const now = cluster.queue.now_ns;
      const limit = partition_limit_ns(cluster);
      watch(node, now, period);
      recheck_gone(node, now);
      check_peers(node, dead_after);
      check_limits(node, limit);
      mig_in_idle(node, now, limit);
      let_orphans_go(node, limit + ORPHAN_AFTER_UPDATES * period);
      let_kept_go(node, limit + ORPHAN_AFTER_UPDATES * period);
      check_holdings(node, HOLD_CHECK_UPDATES * period);
      cluster.queue.after(period, tick, node.id);
    };
    cluster.queue.after(period, tick, node.id);
  }
}

/** Update the watch set and ping each watched peer at its phase in the coming interval. */
function watch(node: Node, now: number, period: number): void {
  const lv = liveness(node);
  const w = watch_set(node);
  // No business with a peer any more: it is not watched, and no verdict
  // about it stands (one may have come from a connection that gave up).
  for (const p of [...lv.watched.keys(), ...lv.lost.keys()]) {
    if (w.has(p)) continue;
    lv.watched.delete(p);
    lv.lost.delete(p);
    lv.gone.delete(p);
    lv.rechecked.delete(p);
  }
  for (const p of w) {
    if (!lv.watched.has(p)) lv.watched.set(p, now);
    node.cluster.queue.after(phase_of(node.id, p, period), () => {
      if (liveness(node).watched.has(p)) send_ping(node, p, PING);
    }, node.id);
  }
}

/**
 * A peer acted on as gone that records here wait on again: a process its
 * deputy here took as lost with it has none, but one can move there since
 * through another node (that node had not taken the peer as gone), and
 * the deputy here then waits on it. The verdict predates that wait, and
 * nothing more would come of it (a verdict stands until the peer is heard):
 * it is taken back, and the peer's silence counts afresh from now, so a
 * peer that is there is heard within an interval, and one that is not
 * (it crashed meanwhile) is taken as unreachable again, and acted on.
 * Taking it back is not hearing it: what waits for the peer to be heard
 * (messages kept for it, an exit held back until its pages' holder is
 * reachable) waits on, until it is (peer_back) or the new verdict acts.
 */
function recheck_gone(node: Node, now: number): void {
  const lv = liveness(node);
  if (lv.gone.size === 0) return;
  for (const peer of [...lv.gone]) {
    if (!waits_on(node, peer)) continue;
    dbg(node, 'node%d, taken as gone, is waited on again: its silence counts from now', peer);
    lv.lost.delete(peer);
    lv.gone.delete(peer);
    lv.rechecked.add(peer);
    lv.watched.set(peer, now);
  }
}

/** Whether a record here would be ended by `peer` gone (om_peer_gone): a deputy whose process runs there, a migrant whose home it is or that needs its pages. */
function waits_on(node: Node, peer: number): boolean {
  const here = om_node(node);
  for (const dep of here.deputies.values()) if (dep.where === peer) return true;
  for (const st of here.migrants.values()) if (st.home === peer || depends_on(st, peer)) return true;
  return false;
}

function check_peers(node: Node, dead_after_ns: number): void {
  const now = node.cluster.queue.now_ns;
  const lv = liveness(node);
  for (const [peer, since] of lv.watched) {
    const last = Math.max(lv.heard[peer]!, since);
    if (now - last > dead_after_ns && !lv.lost.has(peer)) peer_unreachable(node, peer, `${node.cluster.node(peer).name} unreachable`);
  }
}

/** Peers unreachable for the partition limit are acted on as gone. */
function check_limits(node: Node, limit_ns: number): void {
  const now = node.cluster.queue.now_ns;
  const lv = liveness(node);
  for (const [peer, since] of lv.lost) {
    if (lv.gone.has(peer) || now - since < limit_ns) continue;
    lv.gone.add(peer);
    om_peer_gone(node, peer, limit_ns > 0 ? ` for ${Math.round(limit_ns / 1e9)} s` : '');
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

/** Messages kept for a peer unreachable that long go too (om/resend.ts forget_lost_to). */
function let_kept_go(node: Node, after_ns: number): void {
  const now = node.cluster.queue.now_ns;
  for (const [peer, since] of liveness(node).lost) if (now - since >= after_ns) forget_lost_to(node, peer);
}

/**
 * Now and then, ask the home of each process this node holds pages for
 * whether the process still exists, and, as a deputy, ask the node its
 * process runs on whether it is still there: a REM_EXIT or REM_WHERE may
 * have been lost with a connection that gave up.
 */
function check_holdings(node: Node, every_ns: number): void {
  const now = node.cluster.queue.now_ns;
  const here = om_node(node);
  for (const h of here.holders.values()) {
    if (h.home === node.id || now - h.checked_ns < every_ns) continue;
    h.checked_ns = now;
    comm_send(node, node.cluster.node(h.home), { type: HOLD_CHECK, pid: h.pid }, now);
  }
  for (const dep of here.deputies.values()) {
    if (dep.where === node.id || now - dep.checked_ns < every_ns) continue;
    dep.checked_ns = now;
    comm_send(node, node.cluster.node(dep.where), { type: HOLD_CHECK, pid: dep.pid }, now);
  }
}

/**
 * HOLD_CHECK: does the process still exist (asked of its home), or is it
 * still here (asked of the node a deputy thinks it runs on)? A node it
 * left says again where it went or how it ended.
 */
export function hold_check(node: Node, from: Node, pid: number): void {
  const here = om_node(node);
  const now = node.cluster.queue.now_ns;
  // The process's home answers from its deputy: whether the process exists,
  // or, if it exited, the REM_EXIT the asker missed (a holder then shows the
  // audit the pages it kept to the end, as at any exit).
  const ended = here.ended.get(pid);
  if (!here.deputies.has(pid) && ended && ended.lost === null) {
    comm_send(node, from, { type: REM_EXIT, pid, code: ended.exit_code }, now);
    return;
  }
  if (here.deputies.has(pid) || ended) {
    comm_send(node, from, { type: HOLD_ANSWER, pid, alive: here.deputies.has(pid) }, now);
    return;
  }
  const alive = here.migrants.has(pid) || here.incoming.has(pid) || here.outgoing.has(pid);
  const left = alive ? undefined : here.left.get(pid);
  if (left && 'to' in left) comm_send(node, from, { type: REM_WHERE, pid, node: left.to, gen: left.gen, holders: [] }, now);
  else if (left) comm_send(node, from, { type: REM_EXIT, pid, code: left.code }, now);
  else comm_send(node, from, { type: HOLD_ANSWER, pid, alive }, now);
}

/**
 * HOLD_ANSWER: from a process's home, that it no longer exists: its pages
 * here go, and a migrant of it still running here is killed (its home has
 * taken it as lost and let its pages go). From the node a deputy here
 * thought it ran on, that it is not there and never left: it is lost.
 */
export function hold_answer(node: Node, from: Node, pid: number, alive: boolean): void {
  if (alive) return;
  const here = om_node(node);
  const h = here.holders.get(pid);
  if (h && h.home === from.id) drop_holder(node, pid);
  const st = here.migrants.get(pid);
  if (st && st.home === from.id) kill_migrant(st, `home node ${from.id} took it as lost`);
  const dep = here.deputies.get(pid);
  if (dep && dep.where === from.id) deputy_exit(node, dep, { exit_code: 137, lost: `no longer on node ${from.id}, which has no news of it` });
}

/**
 * A connection to peer gave up (TCP's user timeout, or the peer reset it):
 * the same verdict as silence, reached sooner when this node was talking to it.
 */
export function connection_failed(node: Node, peer: Node, why: string, lost?: LostMsg): void {
  if (!node.alive) return;
  // With a partition limit, what waits on the peer waits for it to be heard
  // again, and what was lost goes again then (om/resend.ts); with none,
  // the verdict below acts on it at once, as openMosix does.
  if (lost && partition_limit_ns(node.cluster) > 0) note_lost(node, peer.id, lost);
  if (liveness(node).lost.has(peer.id)) return;
  peer_unreachable(node, peer.id, why);
}

/**
 * A message from peer arrived over a connection: it is reachable, as when a
 * ping is heard. A verdict reached from a connection that was reset by a
 * newer one from the peer (its half-open end from a partition) is undone by
 * the newer connection's first message, not left standing until a ping,
 * which a crash soon after could prevent for ever.
 */
export function peer_heard(node: Node, peer: number): void {
  const lv = liveness(node);
  lv.heard[peer] = node.cluster.queue.now_ns;
  if (lv.lost.has(peer) || (lv.rechecked.size > 0 && lv.rechecked.has(peer))) peer_back(node, peer);
}

/** Whether this node has taken peer as unreachable. */
export const peer_lost = (node: Node, peer: number): boolean => liveness(node).lost.has(peer);

/** Whether a migrant still has pages at node `peer` (or asks it for missing ones). */
export function depends_on(st: OmTask, peer: number): boolean {
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

/**
 * A node this migrant depends on (its home, or a holder of pages it still
 * needs) that this node has taken as unreachable, or whose verdict it took
 * back without hearing it since (rechecked), or -1: an exit waits on it.
 */
export function lost_dependency(st: OmTask): number {
  const lv = liveness(st.task.node);
  if (lv.lost.has(st.home) || lv.rechecked.has(st.home)) return st.home;
  for (const peer of lv.lost.keys()) if (depends_on(st, peer)) return peer;
  for (const peer of lv.rechecked) if (depends_on(st, peer)) return peer;
  return -1;
}

/** This node has taken `peer` as unreachable: what is safe at once, and the rest at once only with no partition limit. */
function peer_unreachable(node: Node, peer: number, why: string): void {
  dbg(node, '%s', why);
  const lv = liveness(node);
  const now = node.cluster.queue.now_ns;
  lv.lost.set(peer, now);
  lv.rechecked.delete(peer); // the new verdict stands for it
  lv.verdicts.push({ peer, at_ns: now });
  mig_peer_lost(node, peer);
  mig_in_peer_lost(node, peer);
  for (const st of om_node(node).migrants.values()) if (st.waiting_on === peer) pause_begin(st, now);
  for (const h of om_node(node).holders.values()) if (h.home === peer && h.orphan_since_ns < 0) h.orphan_since_ns = now;
  if (partition_limit_ns(node.cluster) === 0) {
    lv.gone.add(peer);
    om_peer_gone(node, peer, '');
  }
}

/** A peer taken as unreachable (or whose verdict was taken back) was heard again: nothing of what waits on it is given up. */
function peer_back(node: Node, peer: number): void {
  const lv = liveness(node);
  if (dbg.enabled) dbg(node, 'node%d reachable again (%s)', peer, lv.lost.has(peer) ? `after ${node.cluster.queue.now_ns - lv.lost.get(peer)!} ns` : 'its verdict was taken back');
  lv.lost.delete(peer);
  lv.gone.delete(peer);
  lv.rechecked.delete(peer);
  send_lost_again(node, peer);
  exit_waits(node);
}

/** `peer` has been unreachable for the partition limit: act on everything of this node's own that involves it. */
function om_peer_gone(node: Node, peer: number, how_long: string): void {
  const here = om_node(node);
  mig_in_peer_gone(node, peer);
  // Nodes lost are still told of an exit later: a partition heals, and a
  // holder that hears from the home again keeps its pages until told.
  for (const st of [...here.migrants.values()]) {
    if (st.home === peer) kill_migrant(st, `home node ${peer} unreachable${how_long}`);
    else if (depends_on(st, peer)) kill_migrant(st, `page holder node ${peer} unreachable${how_long}`);
    else {
      // Nothing of it is there any more: a push from there will never say it stopped.
      st.pushers.delete(peer);
      let waited = st.push_stopping.delete(peer);
      for (const [vpn, h] of st.demand_out) if (h === peer && st.demand_out.delete(vpn)) waited = true;
      if (waited) run_deferred(st);
    }
  }
  for (const dep of [...here.deputies.values()]) {
    if (dep.where === peer) deputy_exit(node, dep, { exit_code: 137, lost: `remote node ${peer} unreachable${how_long}` });
  }
}
