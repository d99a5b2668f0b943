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

const new_nic = (): NicCounters => new NicCounters();

/** A node's counters (made on first use; every frame that arrives asks, so no closure a call). */
export function nic_of(node: Node): NicCounters {
  return node.attach('nic', new_nic);
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

/** The /proc/net/dev entry each procfs has from register_net_proc, and the settle it calls. */
const registered = new WeakMap<Procfs, { entry: object; settle: (node: Node) => void; checked_gen: number }>();

/** Register /proc/net/dev; `settle` brings a node's counters up to now first. */
export function register_net_proc(procfs: Procfs, settle: (node: Node) => void): void {
  const entry = {
    read: ({ node }: { node: Node }) => {
      settle(node);
      return proc_net_dev(node);
    },
  };
  procfs.register('/proc/net/dev', entry);
  registered.set(procfs, { entry, settle, checked_gen: -1 });
}

/**
 * eth0's byte counters as ifconfig reads them: the obvious version reads
 * /proc/net/dev and parses the text (net_dev_bytes_by_text); null when
 * the node has no such file. While the file is the one register_net_proc
 * made, this gives what that text says without making it (the counters,
 * settled), which AMPoM's window asks at every loop. A property holds the
 * two equal (tests/net/link.test.ts).
 */
export function net_dev_bytes(procfs: Procfs, node: Node): { rx_bytes: number; tx_bytes: number } | null {
  const r = registered.get(procfs);
  if (!r) return net_dev_bytes_by_text(procfs, node);
  if (r.checked_gen !== procfs.generation) {
    // Something registered since: is the file still ours?
    if (procfs.entry_of('/proc/net/dev') !== r.entry) return net_dev_bytes_by_text(procfs, node);
    r.checked_gen = procfs.generation;
  }
  r.settle(node);
  const n = nic_of(node);
  return { rx_bytes: n.rx_bytes, tx_bytes: n.tx_bytes };
}

/** net_dev_bytes the obvious way: read the file, parse eth0's line. */
export function net_dev_bytes_by_text(procfs: Procfs, node: Node): { rx_bytes: number; tx_bytes: number } | null {
  const r = procfs.read(node, '/proc/net/dev');
  return r.ok ? parse_net_dev(r.text) : null;
}
