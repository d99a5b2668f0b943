// Crashes, partitions and resets, as om sees them through send()'s deliver and on_fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Cluster } from '../../kernel/cluster.ts';
import { attach_network, net_figures, type Network } from '../../net/link.ts';
import { make_profile } from '../../net/profiles.ts';
import { OM_TCP_USER_TIMEOUT_NS } from '../../net/tcp.ts';
import { MSS_B } from '../../net/wire.ts';

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

test('a crashed peer: the sender backs off, gives up after the user timeout, every undelivered message fails once, and the queue drains', () => {
  const { c, net } = setup();
  const log: Log = { delivered: [], failed: [] };
  send_many(c, net, 0, 1, 40, 64 * 1024, log);
  // And node1's messages to node0 that are in flight vanish with it.
  const back: Log = { delivered: [], failed: [] };
  send_many(c, net, 1, 0, 3, 100_000, back);
  c.queue.at(20e6, () => c.crash_node(c.node(1)));
  c.run();
  assert.ok(log.delivered.length > 0 && log.delivered.length < 40, `delivered ${log.delivered.length}`);
  assert.equal(log.failed.map((f) => f[0]), [...Array(40).keys()].slice(log.delivered.length), 'each undelivered message failed, once, in order');
  assert.ok(log.failed.every((f) => f[1] === 'connection to node1 timed out'), log.failed[0]?.[1]);
  const when = log.failed[0]![2];
  assert.ok(when >= 20e6 + OM_TCP_USER_TIMEOUT_NS && when < 20e6 + 2 * OM_TCP_USER_TIMEOUT_NS, `gave up at ${when}`);
  assert.is(back.failed.length, 0, 'a crashed sender fails nothing');
  assert.ok(back.delivered.length < 3);
  assert.is(c.queue.pending, 0);
  assert.ok(net_figures(c).timeouts >= 4);
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

test('a partition longer than the user timeout fails the connection; a later send opens a new one', () => {
  const { c, net } = setup();
  const log: Log = { delivered: [], failed: [] };
  net.partition(c.node(0), c.node(1), 0, 20e9);
  send_many(c, net, 0, 1, 3, MSS_B * 4, log);
  let later = -1;
  c.queue.at(25e9, () => net.send(c.node(0), c.node(1), 100, c.queue.now_ns, () => (later = c.queue.now_ns)));
  c.run();
  assert.equal(log.delivered, []);
  assert.equal(log.failed.map((f) => f[0]), [0, 1, 2]);
  assert.ok(later > 25e9, 'the new connection works');
});

test('reset fails every connection between two nodes at once, both ways', () => {
  const { c, net } = setup(3);
  const a: Log = { delivered: [], failed: [] };
  const b: Log = { delivered: [], failed: [] };
  const other: Log = { delivered: [], failed: [] };
  send_many(c, net, 0, 1, 5, 200_000, a, 'mig');
  send_many(c, net, 1, 0, 5, 200_000, b, 'om');
  send_many(c, net, 0, 2, 5, 200_000, other, 'mig');
  c.queue.at(5e6, () => net.reset(c.node(0), c.node(1)));
  c.run();
  assert.is(a.delivered.length + a.failed.length, 5);
  assert.is(b.delivered.length + b.failed.length, 5);
  assert.ok(a.failed.length > 0 && b.failed.length > 0);
  assert.ok([...a.failed, ...b.failed].every((f) => f[2] === 5e6 && f[1] === 'connection between node0 and node1 reset'));
  assert.equal(other.delivered, [0, 1, 2, 3, 4], 'other pairs go on');
});

test.run();
