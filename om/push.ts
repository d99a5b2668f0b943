// The background push of post-copy and ampom-push, at the page holder the
// process left: every page it still holds goes to the migrant unasked.
// Post-copy's goes in address order, restarting just after the last page
// the migrant asked for (where its streams go next; QEMU restarts its scan
// after a requested page for the same reason); ampom-push's follows the
// requests (om/push_order.ts), in small messages with a short backlog.
// Requests are answered as they come, ahead of the push: the push writes
// only while the socket's send buffer has room (om/sndbuf.ts), so a reply
// waits behind at most a buffer's worth, and the buffer keeps the wire
// busy. A page is sent once: taken from the HPT as it goes; asked for while
// on its way, it is answered PG_ONWAY and the migrant waits for the pushed
// copy (but see PUSH_KEEP_PAGES).
import { kdebug } from '../kernel/klog.ts';
import { CPU_COPY_PAGE } from '../kernel/cpu.ts';
import type { Node } from '../kernel/node.ts';
import { PAGE_SIZE } from '../mm/pgtable.ts';
import { TCP_WMEM_MAX_B } from '../net/tcp.ts';
import { network_of } from '../net/link.ts';
import { NS_PER_S } from '../kernel/time.ts';
import { PushOrder, type PushOrderMode } from './push_order.ts';
import { audit_of } from './audit.ts';
import { comm_send } from './comm.ts';
import { register_om_costs } from './costs.ts';
import { kernel_work } from './kclock.ts';
import { copy_page, drop_page } from './pages.ts';
import { DEP_PAGES, DEP_PUSH_STOPPED, message_B, OMP_BACKGROUND, type Msg, type PageRec } from './proto.ts';
import { write_while_room } from './sndbuf.ts';
import { figures_of, om_node, type PageHolder } from './state.ts';

const dbg = kdebug('om:deputy');

/** Pages a pushed DEP_PAGES carries. */
export const PUSH_PAGES_PER_MSG = 8;
/**
 * Pages a DEP_PAGES of a demand-ordered push carries: few, so that a
 * reply behind it waits little and the next message follows the latest
 * requests (om/push_order.ts).
 */
export const DEMAND_PUSH_PAGES_PER_MSG = 2;
/** The least a demand-ordered push keeps waiting in its socket: a message and then some. */
export const PUSH_BACKLOG_MIN_B = 8192;
/**
 * Pages pushed last whose copies a pusher keeps for a migrant whose demand
 * goes first: a request for one of them is answered with its copy again,
 * ahead of the push, rather than PG_ONWAY (the pushed copy may still wait
 * behind a send buffer's worth of the push). The push keeps at most a
 * send buffer (grown at most to tcp_wmem[2], net/tcp.ts) and a message
 * unacknowledged, the TCP window's segments on the wire among them: these
 * copies cover that. Older pushed pages are answered PG_ONWAY, as without
 * demand first. As an skb holds its bytes until they are acknowledged,
 * these copies are the push's own. A demand-ordered push keeps none: it
 * keeps so little waiting (push_backlog_B) that its pushed copy comes soon
 * after a demand reply would, and a second copy would cost the wire its
 * bytes.
 */
export const PUSH_KEEP_PAGES = Math.ceil(TCP_WMEM_MAX_B / PAGE_SIZE) + 2 * PUSH_PAGES_PER_MSG;

export class Pusher {
  /** The pages to push, and the order they go in. */
  private readonly order: PushOrder;
  /** Pages that went by the push (a request for one is answered PG_ONWAY). */
  private readonly pushed: Uint8Array;
  /** A writer is waiting for room in the socket (om/sndbuf.ts). */
  writing = false;
  /** Nothing left to push. */
  done = false;
  /** Copies of the pages pushed last, oldest first (only when `keep`). */
  private readonly on_way = new Map<number, { data: Uint8Array; flags: number }>();
  constructor(
    readonly pid: number,
    readonly to: Node,
    vpns: number[],
    /** Keep copies of the PUSH_KEEP_PAGES pages pushed last (the migrant's demand goes first). */
    readonly keep = false,
    readonly mode: PushOrderMode = 'address',
  ) {
    this.order = new PushOrder(vpns, mode);
    this.pushed = new Uint8Array(this.order.length);
  }

  /** Pages a pushed message carries. */
  get pages_per_msg(): number {
    return this.mode === 'demand' ? DEMAND_PUSH_PAGES_PER_MSG : PUSH_PAGES_PER_MSG;
  }

  private index_of(vpn: number): number {
    return this.order.index_of(vpn);
  }

  /** A page left by another way (a reply, an unmap): never push it. */
  gone(vpn: number): void {
    const i = this.index_of(vpn);
    if (i < this.order.length && this.order.vpn_at(i) === vpn) this.order.remove(i);
  }

  /** A page just pushed: keep its copy while it may still be on its way. */
  pushed_copy(vpn: number, data: Uint8Array, flags: number): void {
    if (!this.keep) return;
    this.on_way.set(vpn, { data: data.slice(), flags });
    if (this.on_way.size > PUSH_KEEP_PAGES) this.on_way.delete(this.on_way.keys().next().value!);
  }

  /** The copy of a page pushed last, if it is one of them. */
  copy_on_way(vpn: number): { data: Uint8Array; flags: number } | undefined {
    return this.on_way.get(vpn);
  }

  was_pushed(vpn: number): boolean {
    const i = this.index_of(vpn);
    return i < this.order.length && this.order.vpn_at(i) === vpn && this.pushed[i] === 1;
  }

  /** The migrant asked for these pages, the faulting one first: steer the push (om/push_order.ts). */
  requested(vpns: readonly number[]): void {
    this.order.requested(vpns);
  }

  /** Up to n next pages to push, in the pusher's order; marks them gone. */
  take(n: number, out: number[]): void {
    const idx: number[] = [];
    this.order.take(n, idx);
    for (const i of idx) {
      this.pushed[i] = 1;
      out.push(this.order.vpn_at(i));
    }
  }
}

const pushers = (n: Node): Map<number, Pusher> => om_node(n).pushers as Map<number, Pusher>;

export const pusher_of = (node: Node, pid: number): Pusher | undefined => pushers(node).get(pid);

/** REM_PUSH_START: push what this node holds for pid to `to`. */
export function push_start(node: Node, to: Node, pid: number, keep = false, mode: PushOrderMode = 'address'): void {
  const h = om_node(node).holders.get(pid);
  if (!h || pushers(node).has(pid)) return;
  const vpns: number[] = [];
  h.hpt.for_each_pte(0, 1 << 20, (vpn) => void vpns.push(vpn));
  pushers(node).set(pid, new Pusher(pid, to, vpns, keep && mode === 'address', mode));
  dbg(node, 'pushing %d pages of pid %d to %s', vpns.length, pid, to.name);
  push_pump(node, pid);
}

/** Push while the socket has room (one writer at a time). */
export function push_pump(node: Node, pid: number): void {
  const p = pushers(node).get(pid);
  if (!p || p.done || p.writing) return;
  p.writing = true;
  write_while_room(node, p.to, 'om', () => {
    const sent = push_one(node, p);
    if (!sent) p.writing = false;
    return sent;
  }, () => {
    const live = pushers(node).get(pid) === p && !p.done;
    if (!live) p.writing = false;
    return live;
  }, push_backlog_B(node, p));
}

/**
 * How much of its push a pusher keeps waiting in the socket: post-copy's,
 * the whole send buffer; a demand-ordered push, enough to keep the wire
 * busy (two round trips' worth at the line rate, PUSH_BACKLOG_MIN_B at
 * least), so that a reply waits behind little and what goes next follows
 * the latest requests.
 */
function push_backlog_B(node: Node, p: Pusher): number {
  if (p.mode !== 'demand') return Infinity;
  const net = network_of(node.cluster);
  const bdp_B = (net.handshake_rtt_ns(node, p.to) * net.profile.bandwidth_bps) / 8 / NS_PER_S;
  return Math.max(PUSH_BACKLOG_MIN_B, 2 * bdp_B);
}

/** Compose and send the next pushed message; false when there is nothing left. */
function push_one(node: Node, p: Pusher): boolean {
  const pid = p.pid;
  const h = om_node(node).holders.get(pid);
  if (!h) return false;
  const vpns: number[] = [];
  for (;;) {
    vpns.length = 0;
    p.take(p.pages_per_msg, vpns);
    if (vpns.length === 0) {
      push_done(node, p, h);
      return false;
    }
    const pages: PageRec[] = [];
    for (const vpn of vpns) {
      const pg = copy_page(h.hpt, vpn, true); // leaves once the message holding its bytes is made
      if (!pg) continue; // gone meanwhile without us hearing of it
      pages.push({ vpn, flags: pg.flags, data: pg.data });
      p.pushed_copy(vpn, pg.data, pg.flags);
      audit_of(node.cluster).sent(pid, vpn, node.id);
    }
    if (pages.length === 0) continue;
    const m: Msg = { type: DEP_PAGES, pid, pages, flags: OMP_BACKGROUND };
    const costs = register_om_costs(node.cpu);
    const t = kernel_work(node, node.cluster.queue.now_ns, node.cpu.cost_ns(CPU_COPY_PAGE, pages.length) + node.cpu.cost_ns(costs.om_msg, 1));
    const f = figures_of(node, pid);
    f.pushed_pages += pages.length;
    f.pages_transferred += pages.length;
    f.postcopy_bytes += message_B(m);
    comm_send(node, p.to, m, t, { encode_now: true });
    for (const pg of pages) drop_page(h.hpt, pg.vpn);
    return true;
  }
}

/**
 * Everything went: this node holds nothing more of the process. The pusher
 * stays (idle) until the process exits or moves on, to answer a request for
 * a page it pushed with PG_ONWAY rather than "never had it".
 */
function push_done(node: Node, p: Pusher, h: PageHolder): void {
  p.done = true;
  if (h.hpt.rss === 0) holder_emptied(node, p.pid);
}

/** The source of a migration holds no page of the process any more (the residual dependency ends). */
export function note_emptied(node: Node, pid: number): void {
  figures_of(node, pid).emptied.push(node.cluster.queue.now_ns);
}

/** A holder gave away its last page: noted, and the record goes unless it is the deputy's home. */
export function holder_emptied(node: Node, pid: number): void {
  const here = om_node(node);
  note_emptied(node, pid);
  if (!here.deputies.has(pid)) {
    here.holders.get(pid)?.hpt.exit_mm();
    here.holders.delete(pid);
  }
}

/** REM_PUSH_STOP: stop, and say so after the last pushed message. */
export function push_stop(node: Node, from: Node, pid: number): void {
  pushers(node).delete(pid);
  comm_send(node, from, { type: DEP_PUSH_STOPPED, pid }, node.cluster.queue.now_ns);
}
