// TCP over the wire, timed by hand on Fast Ethernet (100 Mb/s: 80 ns a
// byte; 60 us one way). A full segment is 1460 + 40 + 38 = 1538 B on the
// line: S = 123,040 ns. An ACK is padded to Ethernet's minimum: 84 B, A =
// 6,720 ns. L = 60,000 ns.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network, net_figures, type Network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { MSS_B } from '../../net/wire.ts';

const S = 123_040;
const A = 6_720;
const L = 60_000;

function setup(nodes = 2): { c: Cluster; net: Network } {
  const c = new Cluster({ nodes, mem_B: 16 << 20 });
  return { c, net: attach_network(c, make_profile('fast-ethernet')) };
}

test('one segment: serialisation of payload and headers, then the latency', () => {
  const { c, net } = setup();
  let at = -1;
  net.send(c.node(0), c.node(1), 100, 0, () => (at = c.queue.now_ns));
  c.run();
  assert.is(at, (100 + 40 + 38) * 80 + L); // 74,240 ns
  assert.equal(net_figures(c), { retransmitted_segments: 0, timeouts: 0 });
});

test('a message handed over later leaves then; two on one connection arrive in order', () => {
  const { c, net } = setup();
  const seen: [string, number][] = [];
  net.send(c.node(0), c.node(1), 100, 1_000_000, () => seen.push(['late', c.queue.now_ns]));
  // Handed over earlier in time but sent second: it still goes second.
  net.send(c.node(0), c.node(1), 100, 0, () => seen.push(['second', c.queue.now_ns]));
  c.run();
  assert.equal(seen.map((s) => s[0]), ['late', 'second']);
  // Both left together at 1 ms, in one segment of 200 bytes.
  assert.is(seen[0]![1], 1_000_000 + (200 + 40 + 38) * 80 + L);
  assert.is(seen[1]![1], seen[0]![1]);
});

test('one window: three segments at once, then the ACK clock keeps the wire busy', () => {
  const { c, net } = setup();
  let three = -1;
  let five = -1;
  net.send(c.node(0), c.node(1), 3 * MSS_B, 0, () => (three = c.queue.now_ns));
  net.send(c.node(0), c.node(1), 2 * MSS_B, 0, () => (five = c.queue.now_ns));
  c.run();
  // tcp_init_cwnd = 3: segments 1-3 back to back.
  assert.is(three, 3 * S + L);
  // The first ACK (quick-ACK mode) is back at S + 2L + A = 249,760 < 3S,
  // so segments 4 and 5 queue behind 3 and the wire never idles.
  assert.ok(S + 2 * L + A < 3 * S);
  assert.is(five, 5 * S + L);
});

test('a lost segment: three duplicate ACKs, one fast retransmission, one segment time lost', () => {
  const { c, net } = setup();
  // Segment 4 goes on the line at 3S (sent at the first ACK, 249,760, it
  // waits for segment 3): lose exactly it.
  net.partition(c.node(0), c.node(1), 3 * S, 3 * S + 1);
  let at = -1;
  net.send(c.node(0), c.node(1), 10 * MSS_B, 0, () => (at = c.queue.now_ns));
  c.run();
  // Segments 5, 6, 7 arrive out of order at 5S+L, 6S+L, 7S+L; the third
  // duplicate ACK is back at 7S+2L+A and segment 4 goes again behind 8 and
  // 9, on [9S, 10S]; the first duplicate beyond the window lets segment 10
  // go on [10S, 11S]: one segment time more than a clean run.
  assert.is(at, 11 * S + L);
  assert.equal(net_figures(c), { retransmitted_segments: 1, timeouts: 0 });
});

test('a lost lone segment waits for the RTO: SRTT + max(200 ms, 4 RTTVAR) from the SYN exchange', () => {
  const { c, net } = setup();
  net.partition(c.node(0), c.node(1), 0, 1);
  let at = -1;
  net.send(c.node(0), c.node(1), 100, 0, () => (at = c.queue.now_ns));
  c.run();
  const r0 = 2 * (L + A); // the handshake's RTT sample: SRTT = r0, RTTVAR = r0 / 2
  const rto = r0 + 200e6;
  assert.is(at, rto + 14_240 + L);
  assert.equal(net_figures(c), { retransmitted_segments: 1, timeouts: 1 });
});

test('the RTO doubles at each timeout (exponential backoff)', () => {
  const { c, net } = setup();
  net.partition(c.node(0), c.node(1), 0, 700e6);
  let at = -1;
  net.send(c.node(0), c.node(1), 100, 0, () => (at = c.queue.now_ns));
  c.run();
  const rto = 2 * (L + A) + 200e6;
  // Sent at 0, rto, 3 rto (both lost), 7 rto: that one gets through.
  assert.is(at, 7 * rto + 14_240 + L);
  assert.equal(net_figures(c), { retransmitted_segments: 3, timeouts: 3 });
});

test('after a timeout, the ACK of the data sent again ends the backoff (timestamps): the next loss waits one RTO, not two', () => {
  const { c, net } = setup();
  // The first message's only transmission is lost: it goes again after one RTO, and the RTO doubles.
  net.partition(c.node(0), c.node(1), 0, 1);
  // A second message a second later is lost once too.
  net.partition(c.node(0), c.node(1), 1e9, 1e9 + 1);
  const at: number[] = [];
  net.send(c.node(0), c.node(1), 100, 0, () => at.push(c.queue.now_ns));
  net.send(c.node(0), c.node(1), 100, 1e9, () => at.push(c.queue.now_ns));
  c.run();
  const r0 = 2 * (L + A);
  const rto0 = r0 + 200e6;
  assert.is(at[0], rto0 + 14_240 + L);
  // Its ACK echoes the retransmission's TSval: a sample of 14,240 + 2L + A
  // (Karn's rule would allow none, and keep the RTO at 2 rto0 = 400 ms).
  const m = 14_240 + 2 * L + A;
  const srtt = 0.875 * r0 + 0.125 * m;
  const rttvar = 0.75 * (r0 / 2) + 0.25 * Math.abs(r0 - m);
  const rto1 = Math.round(srtt + Math.max(200e6, 4 * rttvar));
  assert.is(at[1], 1e9 + rto1 + 14_240 + L);
  assert.ok(rto1 < 1.01 * rto0, `rto ${rto1}`);
  assert.equal(net_figures(c), { retransmitted_segments: 2, timeouts: 2 });
});

test('two flows share a wire segment by segment: both end together, when the wire has carried both', () => {
  const { c, net } = setup();
  const done: number[] = [];
  net.send(c.node(0), c.node(1), 50 * MSS_B, 0, () => done.push(c.queue.now_ns), { conn: 'a' });
  net.send(c.node(0), c.node(1), 50 * MSS_B, 0, () => done.push(c.queue.now_ns), { conn: 'b' });
  c.run();
  assert.is(done.length, 2);
  // The wire is never idle: the last byte of the hundred segments arrives at 100S + L.
  assert.is(Math.max(...done), 100 * S + L);
  // Neither flow went first: alone, one would end at 50S + L; sharing, the
  // earlier one ends only after the wire carried most of both.
  assert.ok(Math.min(...done) > 80 * S, `first flow ended at ${Math.min(...done)}`);
});

test('ACKs ride on data going the other way; a lone segment is ACKed after the delayed-ACK time', () => {
  const { c, net } = setup();
  // A request, and its reply sent straight away: the reply carries the ACK.
  net.send(c.node(0), c.node(1), 100, 0, () => net.send(c.node(1), c.node(0), 100, c.queue.now_ns));
  c.run();
  const f0 = net.nic(c.node(0));
  const f1 = net.nic(c.node(1));
  // node1 sent one segment (the reply with the ACK); node0 ACKed the reply.
  assert.is(f1.tx_packets, 1);
  assert.is(f0.tx_packets, 2);
});

test.run();
