// A node's verdict that a peer is unreachable, and what undoes it. Found by
// the model-based property: a half-open connection left by a partition was
// reset when the home opened a new one to migrate the process there again;
// the reset counted as the home being unreachable, the migration's own
// messages did not count as hearing it, and when the home crashed a moment
// later no new verdict came: the process ran on without its home.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mmap_anon } from '../../userland/libc.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { connection_failed, peer_lost } from '../../om/liveness.ts';
import { frames_left, om_migrate, om_setup } from '../helpers/om.ts';

test('a message from a peer taken as unreachable undoes the verdict, so its later crash is noticed', () => {
  const { c, d } = om_setup(2, 'ampom');
  const base = d.exec(mmap_anon(4 * PAGE_SIZE));
  for (let i = 0; i < 4; i++) d.write_u8(base + i * PAGE_SIZE, 7 + i);
  // What the network reports when the home's new connection resets the old end.
  connection_failed(c.node(1), c.node(0), 'connection to node0 reset by a new one from it');
  assert.ok(peer_lost(c.node(1), 0));
  assert.ok(om_migrate(d, 1).ok);
  assert.not.ok(peer_lost(c.node(1), 0), 'the migration came from node 0: it is reachable');
  assert.ok(d.alive);
  c.crash_node(c.node(0));
  c.run(c.queue.now_ns + 10e9);
  assert.not.ok(d.alive, 'a process whose home crashed does not run on');
  assert.match(d.task.exit_reason, /home node 0 unreachable/);
  assert.is(frames_left(c, 1), 0, 'node 1 leaked frames');
});

test('a peer that stays silent keeps the verdict', () => {
  const { c } = om_setup(2, 'ampom');
  connection_failed(c.node(1), c.node(0), 'connection to node0 timed out');
  c.run(c.queue.now_ns + 50e6);
  assert.ok(peer_lost(c.node(1), 0), 'nothing came from node 0');
});

test.run();
