// TCP's host cost a data segment, in a process of its own with V8 set as the
// bench's workers are (child.ts): a bulk transfer between two nodes and
// nothing else (16-page MIG_PAGE messages over the 'mig' connection, as
// openMosix's copy sends them), once to warm the code up and once measured.
// Prints the CPU µs a data segment (its ACKs included) and the segments, as
// JSON (host figures, not simulated ones). An argument sets the measured
// transfer's MiB (256 by default; tests use less).
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import type { TcpStats } from '../../net/tcp.ts';

function transfer(total_B: number): { cpu_us: number; bytes: number; data_segments: number; ack_segments: number } {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
  const net = attach_network(c, make_profile('fast-ethernet'));
  const msg_B = 16 * 4120;
  const msgs = Math.ceil(total_B / msg_B);
  let done = 0;
  for (let i = 0; i < msgs; i++) net.send(c.node(0), c.node(1), msg_B, 0, () => done++, { conn: 'mig' });
  const cpu0 = process.cpuUsage();
  c.run();
  const used = process.cpuUsage(cpu0);
  if (done !== msgs) throw new Error(`the bulk transfer delivered ${done} of ${msgs} messages`);
  const tx = c.node(0).ext.get('tcp_stats') as TcpStats;
  const rx = c.node(1).ext.get('tcp_stats') as TcpStats;
  return { cpu_us: used.user + used.system, bytes: msgs * msg_B, data_segments: tx.data_segments, ack_segments: rx.ack_segments };
}

const mib = Number(process.argv[2] ?? 256);
if (!(Number.isInteger(mib) && mib > 0)) {
  process.stderr.write(`usage: tcp_run.ts [MiB]: the transfer's size must be a whole number of MiB above 0, got ${process.argv[2]}\n`);
  process.exit(2);
}
transfer(Math.min(mib, 32) << 20);
const m = transfer(mib << 20);
process.stdout.write(JSON.stringify({ us_a_segment: m.cpu_us / m.data_segments, bytes: m.bytes, data_segments: m.data_segments, ack_segments: m.ack_segments }) + '\n');
