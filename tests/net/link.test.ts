// Link timing by hand, NIC counters, and infoD's estimates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network, wire_bytes, MSS_B } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { nic_of, parse_net_dev } from '../../net/nic.ts';
import { infod_of, start_infod } from '../../net/infod.ts';

test('a message arrives after serialisation (with frame headers) plus latency, FIFO behind earlier ones', () => {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
  const net = attach_network(c, make_profile('fast-ethernet'));
  // 4096 B = 3 frames of at most 1460 B: 4096 + 3 * (40 + 38) = 4330 B on the wire.
  assert.is(wire_bytes(4096), 4330);
  assert.is(MSS_B, 1460);
  const ser = Math.ceil((4330 * 8 * 1e9) / 100e6); // 346,400 ns
  const a = net.send(c.node(0), c.node(1), 4096, 0);
  assert.equal(a, { start_ns: 0, arrive_ns: ser + 60_000 });
  const b = net.send(c.node(0), c.node(1), 4096, 1000);
  assert.equal(b, { start_ns: ser, arrive_ns: 2 * ser + 60_000 }, 'queued behind the first');
  const back = net.send(c.node(1), c.node(0), 100, 0);
  assert.is(back.start_ns, 0, 'the other direction is independent');
  c.run();
  assert.is(nic_of(c.node(0)).tx_packets, 6);
  assert.is(nic_of(c.node(1)).rx_packets, 6);
  const dev = c.procfs.read(c.node(1), '/proc/net/dev');
  assert.ok(dev.ok);
  assert.equal(parse_net_dev(dev.ok ? dev.text : ''), { rx_bytes: nic_of(c.node(1)).rx_bytes, tx_bytes: nic_of(c.node(1)).tx_bytes });
});

test('broadband profile and overrides; bad overrides are refused with the reason', () => {
  const p = make_profile('broadband');
  assert.is(p.bandwidth_bps, 6e6);
  assert.is(p.latency_ns, 2e6);
  assert.is(make_profile('fast-ethernet', { bandwidth_mbps: 20, latency_ms: 1 }).bandwidth_bps, 20e6);
  assert.throws(() => make_profile('token-ring'), /unknown network profile 'token-ring'/);
  assert.throws(() => make_profile('broadband', { bandwidth_mbps: -1 }), /bandwidth/);
});

function infod_run(cross: number): { t0: number; avail: number } {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20, seed: 7 });
  attach_network(c, make_profile('fast-ethernet', { cross_traffic: cross }));
  let alive = true;
  start_infod(c, () => alive);
  const net = c.ext.get('net') as ReturnType<typeof attach_network>;
  net.start_cross_traffic(cross, () => alive);
  c.run(5e9);
  alive = false;
  const d = infod_of(c.node(0));
  return { t0: d.t0_to(1), avail: d.available_bps };
}

test('infoD converges to the configured latency and line rate on an idle link', () => {
  const { t0, avail } = infod_run(0);
  // RTT/2 = latency plus the serialisation of one small frame each way.
  assert.ok(t0 >= 60_000 && t0 < 70_000, `t0 ${t0}`);
  assert.ok(avail > 0.99 * 100e6, `available ${avail}`);
});

test('infoD sees a busy link as less available bandwidth', () => {
  const { avail } = infod_run(0.6);
  assert.ok(avail < 0.5 * 100e6 && avail > 0.3 * 100e6, `available ${avail} with 60% cross traffic`);
});

test.run();
