// Crashes, partitions and resets, as om sees them through send()'s deliver
// and on_fail. Each end of a connection reaches its verdict alone: from its
// own user timeout, from a RST, or from a new incarnation's first segment.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network, net_figures, type Network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { OM_TCP_USER_TIMEOUT_NS, type TcpStats } from '../../net/tcp.ts';
import { MSS_B } from '../../net/wire.ts';

/** Fast Ethernet's latency and an ACK's time on its line (see tcp.test.ts). */
const L_FE = 60_000;
const A_FE = 6_720;

function setup(nodes = 2): { c: Cluster; net: Network } {
  const c = new Cluster({ nodes, mem_B: 16 << 20 });
  const net = attach_network(c, make_profile('fast-ethernet'));
  c.crash_listeners.push((n) => net.crash(n));
  return { c, net };
}

interface Log {
  delivered: number[];
  failed: [number, string, number][];
}

function send_many(c: Cluster, net: Network, from: number, to: number, n: number, size: number, log: Log, conn = 'om'): void {
  for (let i = 0; i < n; i++) {
    net.send(c.node(from), c.node(to), size, 0, () => log.delivered.push(i), {
      conn,
      on_fail: (why) => log.failed.push([i, why, c.queue.now_ns]),
    });
  }
}

test('a crashed peer: the sender backs off, gives up after the user timeout, and every message is delivered or fails, once', () => {
  const { c, net } = setup();
  const log: Log = { delivered: [], failed: [] };
  send_many(c, net, 0, 1, 40, 64 * 1024, log);
  // And node1's messages to node0 that are in flight vanish with it.
  const back: Log = { delivered: [], failed: [] };
  send_many(c, net, 1, 0, 3, 100_000, back);
  c.queue.at(20e6, () => c.crash_node(c.node(1)));
  c.run();
  const n = log.delivered.length;
  assert.ok(n > 0 && n < 40, `delivered ${n}`);
  assert.equal(log.delivered, [...Array(n).keys()], 'delivered in order, once');
  // What node0 fails is what node1 had not acknowledged: from the first
  // message not wholly ACKed on, once each, in order. The last one or two
  // delivered may be among them: node1 crashed before its ACK left.
  const failed = log.failed.map((f) => f[0]);
  assert.equal(failed, [...Array(40).keys()].slice(failed[0]), 'the rest failed, once each, in order');
  assert.ok(failed[0]! <= n && n - failed[0]! <= 2, `failed from ${failed[0]}, delivered ${n}`);
  assert.ok(log.failed.every((f) => f[1] === 'connection to node1 timed out'), log.failed[0]?.[1]);
  const when = log.failed[0]![2];
  assert.ok(when >= 20e6 + OM_TCP_USER_TIMEOUT_NS && when < 20e6 + 2 * OM_TCP_USER_TIMEOUT_NS, `gave up at ${when}`);
  assert.is(back.failed.length, 0, 'a crashed sender fails nothing');
  assert.ok(back.delivered.length < 3);
  assert.is(c.queue.pending, 0);
  assert.ok(net_figures(c).timeouts >= 4);
  // It gave up after sending the oldest segment 5 times: at 0, 0.2, 0.6, 1.4 and 3.0 s.
  const s = c.node(0).ext.get('tcp_stats') as TcpStats;
  assert.equal([s.user_timeouts, s.fewest_tries_at_timeout, s.failed_connections], [1, 5, 1]);
});

test('sending to a node that is already gone fails after the user timeout; nothing is left scheduled', () => {
  const { c, net } = setup();
  c.crash_node(c.node(1));
  const log: Log = { delivered: [], failed: [] };
  send_many(c, net, 0, 1, 2, 100, log);
  c.run();
  assert.equal(log.delivered, []);
  assert.equal(log.failed.map((f) => f[0]), [0, 1]);
  assert.is(c.queue.pending, 0);
});

test('a partition shorter than the user timeout heals: TCP resends after it, in order, nothing lost', () => {
  const { c, net } = setup();
  const log: Log = { delivered: [], failed: [] };
  net.partition(c.node(1), c.node(0), 10e6, 1.5e9);
  send_many(c, net, 0, 1, 30, 64 * 1024, log);
  c.run();
  assert.equal(log.delivered, [...Array(30).keys()]);
  assert.equal(log.failed, []);
  assert.ok(net_figures(c).timeouts >= 3, `timeouts ${net_figures(c).timeouts}`);
});

test('only the end with data outstanding times out; the other learns of it from the RST its next segment draws', () => {
  const { c, net } = setup();
  const a: Log = { delivered: [], failed: [] };
  const b: Log = { delivered: [], failed: [] };
  net.partition(c.node(0), c.node(1), 0, 20e9);
  send_many(c, net, 0, 1, 3, MSS_B * 4, a);
  // node1 has nothing to send until after the partition: its end stays open, and it sends on it.
  c.queue.at(25e9, () => send_many(c, net, 1, 0, 2, 100, b));
  c.run();
  assert.equal(a.delivered, []);
  assert.equal(a.failed.map((f) => f[0]), [0, 1, 2]);
  const gave_up = a.failed[0]![2];
  assert.ok(a.failed.every((f) => f[1] === 'connection to node1 timed out' && f[2] === gave_up));
  assert.ok(gave_up >= OM_TCP_USER_TIMEOUT_NS && gave_up < 2 * OM_TCP_USER_TIMEOUT_NS, `node0 gave up at ${gave_up}`);
  // node1's segment reaches node0, which has no such connection: its RST
  // comes back one round trip later, and node1's messages fail then, there.
  assert.equal(b.delivered, [], 'node0 forgot the connection: nothing of it is delivered');
  assert.equal(b.failed.map((f) => [f[0], f[1]]), [[0, 'connection to node0 reset by peer'], [1, 'connection to node0 reset by peer']]);
  const learnt = b.failed[0]![2];
  assert.ok(learnt > 25e9 && learnt < 25e9 + 1e6, `node1 learnt at ${learnt}`);
  assert.is(net_figures(c).timeouts > 0, true);
  assert.is(c.queue.pending, 0);
});

test('a partition longer than the user timeout fails the connection; a later send opens a new one, which the peer takes up', () => {
  const { c, net } = setup();
  const log: Log = { delivered: [], failed: [] };
  net.partition(c.node(0), c.node(1), 0, 20e9);
  send_many(c, net, 0, 1, 3, MSS_B * 4, log);
  let later = -1;
  let reply = -1;
  c.queue.at(25e9, () =>
    net.send(c.node(0), c.node(1), 100, c.queue.now_ns, () => {
      later = c.queue.now_ns;
      // node1 answers on its own table's connection to node0: the new one.
      net.send(c.node(1), c.node(0), 100, c.queue.now_ns, () => (reply = c.queue.now_ns));
    }),
  );
  c.run();
  assert.equal(log.delivered, []);
  assert.equal(log.failed.map((f) => f[0]), [0, 1, 2]);
  assert.ok(later > 25e9, 'the new connection works');
  assert.ok(reply > later && reply < later + 1e6, `the reply came back at ${reply}`);
  assert.is(c.queue.pending, 0);
});

test('a new incarnation from the same peer resets the old one where it still stands, there and then', () => {
  const { c, net } = setup();
  const a: Log = { delivered: [], failed: [] };
  const b: Log = { delivered: [], failed: [] };
  const a2: Log = { delivered: [], failed: [] };
  net.partition(c.node(0), c.node(1), 0, 8e9);
  send_many(c, net, 0, 1, 1, 100, a); // node0 gives up on it at 6.2 s
  // node1's would give up at 9.2 s; told it failed, node1 sends again at once.
  let again = -1;
  c.queue.at(3e9, () =>
    net.send(c.node(1), c.node(0), 100, 3e9, () => b.delivered.push(0), {
      on_fail: (why) => {
        b.failed.push([0, why, c.queue.now_ns]);
        net.send(c.node(1), c.node(0), 100, c.queue.now_ns, () => (again = c.queue.now_ns));
      },
    }),
  );
  c.queue.at(7e9, () => send_many(c, net, 0, 1, 1, 100, a2)); // a new connection; its first tries are lost
  c.run();
  // That goes on the new connection, the one node0 sends on, not on a third.
  const now_on = net.connection(c.node(0), c.node(1), 'om');
  assert.is(net.connection(c.node(1), c.node(0), 'om'), now_on);
  assert.is(now_on.dir[now_on.side_of(c.node(1))].length, 1);
  assert.ok(again > 8e9 && again < 9.2e9, `sent again, delivered at ${again}`);
  assert.equal(a.failed.map((f) => [f[0], f[1]]), [[0, 'connection to node1 timed out']]);
  // The new connection's first segment to get through (after the partition, before 9.2 s) resets node1's old one.
  assert.equal(a2.delivered, [0]);
  assert.equal(b.delivered, []);
  assert.equal(b.failed.map((f) => [f[0], f[1]]), [[0, 'connection to node0 reset by a new one from it']]);
  const t = b.failed[0]![2];
  assert.ok(t > 8e9 && t < 9.2e9, `node1 learnt at ${t}`);
  assert.ok(a.failed[0]![2] < 7e9);
  assert.is(c.queue.pending, 0);
});

test('both nodes open a new connection, each unaware of the other\'s: the later one wins at both ends, and the earlier one\'s messages fail', () => {
  const { c, net } = setup();
  const log = new Map<string, [string, number]>();
  const send = (from: number, at: number, name: string): void => {
    c.queue.at(at, () =>
      net.send(c.node(from), c.node(1 - from), 100, at, () => log.set(name, ['delivered', c.queue.now_ns]), { on_fail: (why) => log.set(name, [why, c.queue.now_ns]) }),
    );
  };
  net.set_user_timeout(60e9);
  send(0, 0, 'm0'); // opens the first connection; delivered
  net.partition(c.node(0), c.node(1), 1e6, 20e9);
  c.queue.at(1e9, () => net.reset(c.node(0), c.node(1))); // its RST is lost
  send(0, 2e9, 'm3'); // node0 opens a second connection; node1 still has the first
  c.queue.at(3e9, () => net.reset(c.node(1), c.node(0)));
  send(1, 4e9, 'm4'); // node1 opens a third, not knowing of the second
  c.run();
  assert.equal(log.get('m0')![0], 'delivered');
  // The second's retry at 2 + 25.4 s reaches node1, which holds the newer third: a RST answers it.
  const [m3, t3] = log.get('m3')!;
  assert.is(m3, 'connection to node1 reset by peer');
  assert.ok(t3 > 27.4e9 && t3 < 27.5e9, `m3 failed at ${t3}`);
  // The third's retry at 4 + 25.4 s reaches node0, which takes it up.
  const [m4, t4] = log.get('m4')!;
  assert.is(m4, 'delivered');
  assert.ok(t4 > 29.4e9 && t4 < 29.5e9, `m4 delivered at ${t4}`);
  assert.is(net.connection(c.node(0), c.node(1), 'om'), net.connection(c.node(1), c.node(0), 'om'));
  assert.is(c.queue.pending, 0);
});

test('a node waiting for an answer lost with the peer\'s end hears of it only from the wire: on_error when the peer next opens a connection', () => {
  for (const peer_writes_again of [true, false]) {
    const { c, net } = setup();
    const errors: [string, string, number][] = [];
    net.on_error = (node, peer, purpose, why) => errors.push([`${node.name}->${peer.name} ${purpose}`, why, c.queue.now_ns]);
    let answered = false;
    const reply_failed: string[] = [];
    // node0 asks; node1 acknowledges the question with the first segments of a long answer, the rest of which a partition cuts off.
    net.send(c.node(0), c.node(1), 100, 0, () =>
      net.send(c.node(1), c.node(0), 64 * 1024, c.queue.now_ns, () => (answered = true), { on_fail: (why) => reply_failed.push(why) }),
    );
    net.partition(c.node(0), c.node(1), 1e6, 20e9);
    if (peer_writes_again) c.queue.at(25e9, () => net.send(c.node(1), c.node(0), 100, c.queue.now_ns));
    c.run();
    assert.is(answered, false);
    assert.equal(reply_failed, ['connection to node0 timed out']);
    assert.equal(errors[0]!.slice(0, 2), ['node1->node0 om', 'connection to node0 timed out']);
    if (peer_writes_again) {
      // node0 had nothing unacknowledged: no timeout of its own; the new connection's first segment resets its end.
      assert.is(errors.length, 2);
      assert.equal(errors[1]!.slice(0, 2), ['node0->node1 om', 'connection to node1 reset by a new one from it']);
      assert.ok(errors[1]![2] > 25e9 && errors[1]![2] < 25e9 + 1e6);
    } else {
      assert.is(errors.length, 1, 'nothing tells node0: it would wait for ever (om needs its own liveness)');
    }
    assert.is(c.queue.pending, 0);
  }
});

test('reset gives up only the calling node\'s ends; the peer learns from their RST', () => {
  const { c, net } = setup(3);
  const a: Log = { delivered: [], failed: [] };
  const b: Log = { delivered: [], failed: [] };
  const other: Log = { delivered: [], failed: [] };
  send_many(c, net, 0, 1, 5, 200_000, a, 'mig');
  send_many(c, net, 1, 0, 5, 200_000, b, 'om');
  send_many(c, net, 0, 2, 5, 200_000, other, 'mig');
  c.queue.at(5e6, () => net.reset(c.node(0), c.node(1)));
  c.run();
  for (const l of [a, b]) {
    assert.ok(l.failed.length > 0);
    assert.equal([...l.delivered, ...l.failed.map((f) => f[0])].sort(), [0, 1, 2, 3, 4], 'each delivered or failed');
  }
  assert.ok(a.failed.every((f) => f[2] === 5e6 && f[1] === 'connection to node1 reset'), 'node0 fails its own at once');
  // node1's 'om' end hears the RST of node0's 'om' end later: it waits in
  // node0's egress behind the 'mig' segments queued there, then crosses.
  const t = b.failed[0]![2];
  assert.ok(b.failed.every((f) => f[2] === t && f[1] === 'connection to node0 reset by peer'));
  assert.ok(t > 5e6 && t < 5e6 + 10e6, `node1 learnt at ${t}`);
  assert.equal(other.delivered, [0, 1, 2, 3, 4], 'other pairs go on');
  assert.is(c.queue.pending, 0);
});

test('a reset whose RST is lost: the peer learns from the RST its next segment draws after the partition', () => {
  const { c, net } = setup();
  const b: Log = { delivered: [], failed: [] };
  net.send(c.node(0), c.node(1), 100, 0); // opens the connection
  net.partition(c.node(0), c.node(1), 1e9, 3e9);
  c.queue.at(1.5e9, () => net.reset(c.node(0), c.node(1)));
  c.queue.at(2e9, () => send_many(c, net, 1, 0, 1, 100, b));
  c.run();
  assert.equal(b.delivered, []);
  // node1's segment and its retransmissions at +0.2, +0.6 s are lost; the one at +1.4 s (3.4 s) draws the RST.
  assert.equal(b.failed.map((f) => f[1]), ['connection to node0 reset by peer']);
  const t = b.failed[0]![2];
  assert.ok(t > 3e9 && t < 3.5e9, `node1 learnt at ${t}`);
  assert.is(c.queue.pending, 0);
});

test('with a 60 s user timeout a connection outlives a 30 s partition: every message, sent before or during it, arrives once, in order, when the backoff next tries', () => {
  const { c, net } = setup();
  net.set_user_timeout(60e9);
  net.partition(c.node(0), c.node(1), 1e9, 31e9);
  const there: Log = { delivered: [], failed: [] };
  const back: Log = { delivered: [], failed: [] };
  const at: number[] = [];
  // node0 writes at 1 s (as the partition starts), 5 s and 20 s; node1 at 10 s.
  for (const [i, t] of [1e9, 5e9, 20e9].entries()) {
    c.queue.at(t, () =>
      net.send(c.node(0), c.node(1), 64 * 1024, t, () => {
        there.delivered.push(i);
        at.push(c.queue.now_ns);
      }, { on_fail: (why) => there.failed.push([i, why, c.queue.now_ns]) }),
    );
  }
  let back_at = -1;
  c.queue.at(10e9, () =>
    net.send(c.node(1), c.node(0), 100, 10e9, () => {
      back.delivered.push(0);
      back_at = c.queue.now_ns;
    }, { on_fail: (why) => back.failed.push([0, why, c.queue.now_ns]) }),
  );
  c.run();
  assert.equal(there.failed, []);
  assert.equal(back.failed, []);
  assert.equal(there.delivered, [0, 1, 2], 'each once, in order');
  assert.equal(back.delivered, [0]);
  // 2.4's backoff: a segment first sent at 1 s is sent again at 1 s +
  // (1, 3, 7, ..., 255) x RTO (about 200.1 ms), the 8th try at 52.0 s: the
  // first after the partition ends at 31 s. node1's, first sent at 10 s,
  // goes again at 10 s + 127 x RTO = 35.4 s.
  const rto = 2 * (L_FE + A_FE) + 200e6;
  assert.ok(at[0]! > 1e9 + 255 * rto && at[0]! < 1e9 + 255 * rto + 20e6, `first message at ${at[0]}`);
  assert.ok(at[2]! < at[0]! + 50e6, 'the rest follow in slow start');
  assert.ok(back_at > 10e9 + 127 * rto && back_at < 10e9 + 127 * rto + 1e6, `node1's at ${back_at}`);
  console.log(`  after a 30 s partition: delivered ${((at[0]! - 31e9) / 1e9).toFixed(2)} s (sent at its start) and ${((back_at - 31e9) / 1e9).toFixed(2)} s (sent 9 s into it) after it healed`);
  assert.is(c.queue.pending, 0);
});

test('a cap on the backoff (set_rto_max) bounds the wait after a partition by the cap; 2.4\'s default is unchanged', () => {
  const { c, net } = setup();
  net.set_user_timeout(60e9, 'om');
  net.set_rto_max(1e9, 'om');
  net.partition(c.node(0), c.node(1), 1e9, 31e9);
  const at: number[] = [];
  const other: number[] = [];
  net.send(c.node(0), c.node(1), 64 * 1024, 1e9, () => at.push(c.queue.now_ns));
  // Another purpose keeps 2.4's backoff (and the default 5 s user timeout: it gives up).
  const failed: string[] = [];
  net.send(c.node(0), c.node(1), 100, 1e9, () => other.push(c.queue.now_ns), { conn: 'mig', on_fail: (why) => failed.push(why) });
  c.run();
  assert.is(at.length, 1);
  assert.ok(at[0]! > 31e9 && at[0]! < 32e9, `delivered at ${at[0]}, within the 1 s cap of the end of the partition`);
  assert.equal(other, []);
  assert.equal(failed, ['connection to node1 timed out']);
  assert.throws(() => net.set_rto_max(1e6), /from 1000000000 to 120000000000 ns, got 1000000/);
  assert.throws(() => net.set_user_timeout(-1), /0 \(the default\) or a positive number of ns, got -1/);
});

test.run();
