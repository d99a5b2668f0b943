// A writer that keeps a socket's send buffer full and no fuller, as a
// kernel thread writing to a TCP socket does (it sleeps when the buffer is
// full and wakes when ACKs make room: sk_write_space). Pre-copy's rounds
// and the background push write this way, so what they compose is composed
// as the wire drains, and an urgent reply on the same connection waits
// behind at most a buffer's worth. The buffer starts at 2.4's 16 KB and
// grows as the congestion window does (net/tcp.ts tcp_new_space), so that
// on a long path the writer keeps the window full.
import type { Node } from '../kernel/node.ts';
import { NS_PER_S } from '../kernel/time.ts';
import { network_of } from '../net/link.ts';
import type { Conn } from './comm.ts';

/**
 * Call compose() while the connection from -> to has room in its send
 * buffer; compose sends one message and says whether there was one to send.
 * When the buffer is full, look again when it should have drained to half
 * at the line rate. Stops when compose has nothing, or when alive() says so.
 * A writer may keep less than the buffer waiting (cap_B): what it writes
 * then stays fresh, and a reply behind it waits less.
 */
export function write_while_room(from: Node, to: Node, conn: Conn, compose: () => boolean, alive: () => boolean, cap_B = Infinity): void {
  const net = network_of(from.cluster);
  const q = from.cluster.queue;
  const pump = (): void => {
    if (!alive() || !from.alive) return;
    for (;;) {
      const backlog = net.unacked_B(from, to, conn);
      const sndbuf_B = Math.min(cap_B, net.sndbuf_B(from, to, conn));
      if (backlog >= sndbuf_B) {
        const drain_ns = Math.ceil(((backlog - sndbuf_B / 2) * 8 * NS_PER_S) / net.profile.bandwidth_bps);
        q.after(Math.max(1000, drain_ns), pump, from.id);
        return;
      }
      if (!compose()) return;
    }
  };
  pump();
}
