// A node's TCP connections and the demultiplexing of segments to them,
// after 2.4's tcp_ipv4.c: the table of established sockets (tcp_ehash),
// the lookup of a segment's socket (tcp_v4_rcv), and the RST answered for a
// segment that has none (tcp_v4_send_reset).
//
// A node keeps one connection per peer and purpose (one pair of ports, as
// openMosix's fixed ones). The SYN exchange is not modelled: a connection
// opened to a peer that holds none for that purpose is established at both
// ends at once (its handshake gives the first RTT sample). A peer that
// still holds one, which the opener has given up on, learns of the new
// incarnation from its first segment, as from a SYN with a larger ISN: the
// old one is reset there and then (2.4's tcp_reset on a SYN in the
// window), and its pending messages fail. Should both nodes open one at
// once, each unaware of the other's, the later (larger serial) wins at
// both ends, and the earlier is reset as stale: its messages fail.
import type { Frame } from './wire.ts';
import { TCP_CLOSE, tcp_done, tcp_key, type TcpConn, type TcpHost, type TcpSock } from './tcp.ts';
import { tcp_rcv } from './tcp_input.ts';
import { tcp_v4_send_reset } from './tcp_output.ts';

/** A node's connections, by `${peer id}/${purpose}`. */
export class TcpTable {
  /** The connection this node has with each peer for each purpose. */
  readonly est = new Map<string, TcpConn>();
  /** The newest incarnation this node has had for each (its serial): an older one is stale here. */
  readonly newest = new Map<string, number>();

  /** This node's connection for a key, from now on (opened here, or taken up from the peer). */
  hash(key: string, c: TcpConn): void {
    this.est.set(key, c);
    this.newest.set(key, Math.max(c.serial, this.newest.get(key) ?? -1));
  }

  /** Take a closed end out of the table (2.4's tcp_unhash). */
  unhash(tp: TcpSock): void {
    if (this.est.get(tp.key) === tp.conn) this.est.delete(tp.key);
  }
}

export { tcp_key };

/** A TCP segment reached its destination node: hand it to its socket, or answer it with a RST. */
export function tcp_v4_rcv(host: TcpHost, t: TcpTable, f: Frame): void {
  const c = f.conn!;
  const tp = c.end[c.side_of(f.dst)];
  if (!tp || tp.state === TCP_CLOSE) return tcp_v4_send_reset(host, f);
  // tp.key is tcp_key(f.src, c.name): a frame of c comes from tp's peer.
  const key = tp.key;
  if (t.est.get(key) !== c && !tcp_v4_syn_recv(t, tp, key, f)) return;
  tcp_rcv(tp, f);
}

/**
 * The first segment of a connection the peer opened while this node held
 * another for the purpose (it plays the SYN): take it up in the old one's
 * place, resetting the old one, or refuse it if it is older than one this
 * node has had. False if the segment goes no further.
 */
function tcp_v4_syn_recv(t: TcpTable, tp: TcpSock, key: string, f: Frame): boolean {
  const c = tp.conn;
  // Only the peer's own connections can be unknown here: this node's are in its table from their opening until they close.
  if (c.opener !== f.src) throw new Error(`${f.dst.name}: a segment of its own connection ${c.name} to ${f.src.name} that it does not know`);
  if (f.rst || c.serial < (t.newest.get(key) ?? -1)) {
    // A RST for a connection this node never knew, or a stale incarnation: it closes, unknown and unused.
    tp.state = TCP_CLOSE;
    c.end[tp.side] = null;
    tcp_v4_send_reset(tp.host, f);
    return false;
  }
  // The new one takes the old one's place first, so that a sender told of
  // the old one's failure, and sending again at once, goes on the new one.
  const own = t.est.get(key);
  t.hash(key, c);
  const old = own?.end[own.side_of(f.dst)];
  if (old) tcp_done(old, `connection to ${f.src.name} reset by a new one from it`);
  return true;
}
