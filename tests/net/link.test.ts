// Profiles, the NIC's queue and counters, tbf, cross traffic, and infoD.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network, network_of } from '../../net/link.ts';
import { make_profile, tc_commands } from '../../net/profiles.ts';
import { net_dev_bytes, net_dev_bytes_by_text, parse_net_dev } from '../../net/nic.ts';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { infod_of, LOAD_ACK_B, start_infod } from '../../net/infod.ts';
import { window_B } from '../../net/loadvec.ts';
import { DISCARD_PORT, UDP_MAX_PAYLOAD_B } from '../../net/udp.ts';
import { MSS_B } from '../../net/wire.ts';

test('profiles: the broadband profile is netem delay and tbf on the LAN; overrides; bad input refused with the reason', () => {
  const p = make_profile('broadband');
  assert.is(p.bandwidth_bps, 6e6);
  assert.is(p.latency_ns, 2_060_000, 'netem 2 ms on the LAN 60 us');
  assert.equal(tc_commands(p), [
    'tc qdisc add dev eth0 root handle 1: netem delay 2ms limit 100',
    'tc qdisc add dev eth0 parent 1:1 handle 10: tbf rate 6mbit burst 10240b limit 47740b',
  ]);
  assert.equal(tc_commands(make_profile('fast-ethernet')), []);
  const fe = make_profile('fast-ethernet', { bandwidth_mbps: 20, latency_ms: 1 });
  assert.is(fe.line_bps, 20e6, 'the bare LAN gets a slower NIC');
  assert.is(fe.netem.delay_ns, 940_000, 'netem makes up the latency the LAN does not have');
  assert.is(make_profile('broadband', { bandwidth_mbps: 3 }).tbf!.rate_bps, 3e6, 'a shaped profile changes its tbf rate');
  assert.throws(() => make_profile('token-ring'), /unknown network profile 'token-ring'/);
  assert.throws(() => make_profile('broadband', { bandwidth_mbps: -1 }), /bandwidth/);
  assert.throws(() => make_profile('fast-ethernet', { loss: 1 }), /loss must be a share in \[0, 1\)/);
  assert.throws(() => make_profile('fast-ethernet', { reorder: 0.1 }), /reorder needs a netem delay/);
  assert.is(make_profile('broadband', { reorder: 0.1 }).netem.reorder, 0.1);
});

test('the NIC queue holds txqueuelen frames and drops the rest (drop-tail); /proc/net/dev shows what crossed', () => {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
  const net = attach_network(c, make_profile('fast-ethernet'));
  let got = 0;
  net.udp_bind(c.node(1), DISCARD_PORT, () => got++);
  for (let i = 0; i < 150; i++) net.udp_send(c.node(0), c.node(1), DISCARD_PORT, null, UDP_MAX_PAYLOAD_B);
  // The first goes on the line at once, 100 wait, 49 find the queue full.
  const tx = net.nic(c.node(0));
  assert.is(tx.tx_drop, 49);
  assert.is(tx.tx_packets, 1, 'only the first is on the line yet');
  c.run();
  assert.is(got, 101);
  const dev = c.procfs.read(c.node(1), '/proc/net/dev');
  assert.ok(dev.ok);
  const counted = 101 * (1500 + 14);
  assert.equal(parse_net_dev(dev.ok ? dev.text : ''), { rx_bytes: counted, tx_bytes: 0 });
  assert.is(net.nic(c.node(0)).tx_bytes, counted);
});

test('property: eth0 counters read without the text are what /proc/net/dev says, at any moment of any traffic', () => {
  check(
    fc.property(
      fc.array(fc.record({ from: fc.integer({ min: 0, max: 2 }), to: fc.integer({ min: 0, max: 2 }), bytes: fc.integer({ min: 1, max: 200_000 }), at_us: fc.integer({ min: 0, max: 20_000 }) }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 10 }),
      fc.boolean(),
      (sends, looks_us, shaped) => {
        const c = new Cluster({ nodes: 3, mem_B: 16 << 20 });
        const net = attach_network(c, make_profile(shaped ? 'broadband' : 'fast-ethernet'));
        for (const s of sends) if (s.from !== s.to) net.send(c.node(s.from), c.node(s.to), s.bytes, s.at_us * 1000);
        for (const t of looks_us) {
          c.queue.at(t * 1000, () => {
            for (const n of c.nodes) assert.equal(net_dev_bytes(c.procfs, n), net_dev_bytes_by_text(c.procfs, n));
          });
        }
        c.run();
        // A module that registers the file anew is read through its text.
        c.procfs.register('/proc/net/dev', { read: () => 'eth0: 7 0 0 0 0 0 0 0 9 0 0 0 0 0 0 0' });
        assert.equal(net_dev_bytes(c.procfs, c.node(0)), { rx_bytes: 7, tx_bytes: 9 });
      },
    ),
    { numRuns: 40 },
  );
});

test('tbf: a long transfer runs at the rate, and never beyond burst + rate x time', () => {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
  const p = make_profile('broadband');
  const net = attach_network(c, p);
  const bytes = 4 << 20;
  let done = -1;
  net.send(c.node(0), c.node(1), bytes, 0, () => (done = c.queue.now_ns));
  let worst = -Infinity;
  const look = (): void => {
    const t = c.queue.now_ns;
    // tbf counts the IP packet and the Ethernet header, like tx_bytes.
    const allowed = p.tbf!.burst_B + (p.tbf!.rate_bps / 8) * (t / 1e9);
    worst = Math.max(worst, net.nic(c.node(0)).tx_bytes - allowed);
    if (done < 0) c.queue.after(10e6, look);
  };
  c.queue.at(0, look);
  c.run();
  assert.ok(worst <= 0, `tbf let ${worst} B more through than its bucket allows`);
  const goodput = (bytes * 8) / (done / 1e9);
  // The rate, less headers; the first burst comes free (10 KiB of 4 MiB).
  const ideal = 6e6 * (MSS_B / (MSS_B + 40 + 14));
  assert.ok(goodput > 0.98 * ideal && goodput <= ideal * (1 + p.tbf!.burst_B / bytes), `goodput ${goodput} b/s, ideal ${ideal}`);
});

test('cross traffic at half the line slows a transfer about twofold', () => {
  const run = (share: number): number => {
    const c = new Cluster({ nodes: 2, mem_B: 16 << 20, seed: 4 });
    const net = attach_network(c, make_profile('fast-ethernet'));
    let done = -1;
    net.start_cross_traffic(share, () => done < 0);
    net.send(c.node(0), c.node(1), 4 << 20, 0, () => (done = c.queue.now_ns));
    c.run();
    return done;
  };
  const slow = run(0.5) / run(0);
  assert.ok(slow > 1.6 && slow < 2.4, `slowdown ${slow}`);
});

function infod_run(cross: number, loss = 0): Cluster {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20, seed: 7 });
  attach_network(c, make_profile('fast-ethernet', { cross_traffic: cross, loss }));
  let alive = true;
  start_infod(c, () => alive);
  network_of(c).start_cross_traffic(cross, () => alive);
  c.run(5e9);
  alive = false;
  return c;
}

test('infoD converges to the configured latency and line rate on an idle link', () => {
  const d = infod_of(infod_run(0).node(0));
  // RTT/2 = latency plus the serialisation of one small datagram each way.
  const t0 = d.t0_to(1);
  assert.ok(t0 >= 60_000 && t0 < 70_000, `t0 ${t0}`);
  assert.ok(d.available_bps > 0.99 * 100e6, `available ${d.available_bps}`);
  assert.is(d.peer(1)?.free_mem_B, 16 << 20);
});

test('infoD sees a busy link as less available bandwidth', () => {
  const { available_bps } = infod_of(infod_run(0.6).node(0));
  assert.ok(available_bps < 0.5 * 100e6 && available_bps > 0.3 * 100e6, `available ${available_bps} with 60% cross traffic`);
});

test('infoD speaks in encoded datagrams; a lost window is simply missing', () => {
  assert.is(window_B(2), 42);
  assert.is(LOAD_ACK_B, 8);
  const c = infod_run(0, 0.5);
  const d0 = infod_of(c.node(0));
  const net = network_of(c);
  // A window every 0.5-1 s from t = 0: 6 to 11 in 5 s.
  assert.ok(d0.windows_sent >= 6 && d0.windows_sent <= 11, `sent ${d0.windows_sent}`);
  // node0 sent node1 its windows and at most one acknowledgement a window of node1's; node1 got fewer (no retransmission).
  const sent = d0.windows_sent + infod_of(c.node(1)).windows_sent;
  assert.ok(net.nic(c.node(1)).rx_packets < sent, `rx ${net.nic(c.node(1)).rx_packets} of at most ${sent}`);
  assert.ok(infod_of(c.node(1)).last_heard_ns(0) !== undefined);
});

test('infoD stops on a crashed node; its peers stop hearing it', () => {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
  const net = attach_network(c, make_profile('fast-ethernet'));
  start_infod(c, () => c.queue.now_ns < 6e9);
  c.queue.at(2.5e9, () => {
    c.crash_node(c.node(1));
    net.crash(c.node(1));
  });
  c.run();
  // node1's last window left at most 1 s before the crash.
  const heard = infod_of(c.node(0)).last_heard_ns(1)!;
  assert.ok(heard >= 1.5e9 && heard < 2.5e9, `last heard ${heard}`);
});

test.run();
