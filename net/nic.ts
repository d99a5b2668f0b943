// NIC counters of a node, and /proc/net/dev in Linux's layout. They count
// what crossed the wire: a frame is counted when it goes on the line (tx) or
// arrives (rx), with its IP packet and Ethernet header, as ifconfig shows.
// `drop` on the transmit side counts frames the qdisc refused or netem
// dropped (Linux shows qdisc drops in `tc -s qdisc`; one file shows all
// here); `errs` stay 0 (the model corrupts nothing).
import type { Node } from '../kernel/node.ts';
import type { Procfs } from '../kernel/procfs.ts';

export class NicCounters {
  rx_bytes = 0;
  rx_packets = 0;
  rx_errs = 0;
  rx_drop = 0;
  tx_bytes = 0;
  tx_packets = 0;
  tx_errs = 0;
  tx_drop = 0;
}

export function nic_of(node: Node): NicCounters {
  return node.attach('nic', () => new NicCounters());
}

/** /proc/net/dev: the 2.4 header, a loopback line and eth0. */
export function proc_net_dev(node: Node): string {
  const n = nic_of(node);
  const line = (name: string, c: NicCounters) =>
    `${name.padStart(6)}:${String(c.rx_bytes).padStart(8)} ${String(c.rx_packets).padStart(7)} ${String(c.rx_errs).padStart(4)} ` +
    `${String(c.rx_drop).padStart(4)}    0     0          0         0 ${String(c.tx_bytes).padStart(8)} ` +
    `${String(c.tx_packets).padStart(7)} ${String(c.tx_errs).padStart(4)} ${String(c.tx_drop).padStart(4)}    0     0       0          0`;
  return [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    line('lo', new NicCounters()),
    line('eth0', n),
    '',
  ].join('\n');
}

/** Parse eth0's RX/TX byte counters back out of /proc/net/dev text (as ifconfig does). */
export function parse_net_dev(text: string): { rx_bytes: number; tx_bytes: number } {
  const l = text.split('\n').find((s) => s.trim().startsWith('eth0:'));
  if (!l) throw new Error('/proc/net/dev has no eth0 line');
  const f = l.split(':')[1]!.trim().split(/\s+/).map(Number);
  return { rx_bytes: f[0]!, tx_bytes: f[8]! };
}

/** Register /proc/net/dev; `settle` brings a node's counters up to now first. */
export function register_net_proc(procfs: Procfs, settle: (node: Node) => void): void {
  procfs.register('/proc/net/dev', {
    read: ({ node }) => {
      settle(node);
      return proc_net_dev(node);
    },
  });
}
