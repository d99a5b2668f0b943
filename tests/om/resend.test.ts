// Messages kept to go again (om/resend.ts) and the liveness records that
// decide when: a kept message goes once its peer is heard, also after a
// verdict on that peer was taken back (recheck_gone), and not before; and
// what was kept for a peer gone for good is let go, so it stops being
// watched. The lost messages here are made by hand, as the network's
// failure report hands them to om (connection_failed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Cluster } from '../../kernel/cluster.ts';
import { make_profile } from '../../net/profiles.ts';
import { network_of } from '../../net/link.ts';
import { nic_of } from '../../net/nic.ts';
import { om_init, om_keep_alive } from '../../om/index.ts';
import { set_partition_limit } from '../../om/pause.ts';
import { connection_failed, ORPHAN_AFTER_UPDATES, peer_lost, verdicts_of } from '../../om/liveness.ts';
import { set_comm_tap, type LostMsg } from '../../om/comm.ts';
import { DEP_PAGES, DEP_PUSH_STOPPED } from '../../om/proto.ts';
import { Deputy, om_node } from '../../om/state.ts';
import { EHOSTUNREACH } from '../../kernel/errno.ts';
import { PAGE_SIZE } from '../../mm/pgtable.ts';
import { mmap_anon } from '../../userland/libc.ts';
import { migrate_process } from '../../userland/experiment.ts';
import { om_migrate, om_setup } from '../helpers/om.ts';
import { SEED } from '../helpers/prop.ts';
import { wake_up_process } from '../../kernel/sched.ts';

const LIMIT_NS = 5e9;

function cluster(nodes: number) {
  // The scenarios hold for any cluster seed: the suite's (FC_SEED) varies it.
  const c = new Cluster({ nodes, mem_B: 16 << 20, seed: SEED });
  om_init(c, make_profile('fast-ethernet'));
  set_partition_limit(c, LIMIT_NS);
  const alive = { on: true };
  om_keep_alive(c, () => alive.on); // other work keeps the daemons running
  return { c, alive };
}

const lost_msg = (type: typeof DEP_PUSH_STOPPED | typeof DEP_PAGES, dropped: { n: number }): LostMsg => ({
  msg: type === DEP_PAGES ? { type, pid: 4242, pages: [] } : { type, pid: 4242 },
  bytes: null,
  conn: 'om',
  delivered: false,
  drop: () => void dropped.n++,
});

const kept = (c: Cluster, node: number): number => ((c.node(node).ext.get('om_lost') as unknown[] | undefined) ?? []).length;

for (const recheck of [false, true]) {
  test(`a kept message goes when its peer is heard again${recheck ? ', after its verdict was taken back' : ''}`, () => {
    const { c, alive } = cluster(3);
    const [n0, n1] = [c.node(0), c.node(1)];
    const sent: number[] = [];
    set_comm_tap((from, to, m) => {
      if (m.type === DEP_PUSH_STOPPED && from === n0 && to === n1) sent.push(c.queue.now_ns);
    });
    try {
      // With a recheck, the partition heals before node 0 takes node 1 as
      // unreachable afresh (3 intervals after the verdict was taken back).
      const heal_ns = recheck ? 13.6e9 : 20e9;
      network_of(c).partition(n0, n1, 0, heal_ns);
      c.queue.at(0.1e9, () => c.queue.acting_as(n0, () => connection_failed(n0, n1, 'connection reset', lost_msg(DEP_PUSH_STOPPED, { n: 0 }))), 0);
      if (recheck) {
        // After the limit node 0 acts on node 1 as gone; then a record of
        // node 0 waits on node 1 again for a while (a process that reached
        // it through another node), so node 0 takes its verdict back.
        c.queue.at(12e9, () => c.queue.acting_as(n0, () => {
          const d = new Deputy(4243, 'x', 0);
          d.where = 1;
          om_node(n0).deputies.set(4243, d);
        }), 0);
        c.queue.at(12.5e9, () => c.queue.acting_as(n0, () => om_node(n0).deputies.delete(4243)), 0);
      }
      c.run(heal_ns);
      assert.equal(sent, [], 'nothing goes while node 1 is cut off');
      assert.is(kept(c, 0), 1);
      c.run(40e9);
      assert.is(sent.length, 1, 'sent again once node 1 was heard');
      assert.ok(sent[0]! > heal_ns);
      assert.is(kept(c, 0), 0);
      assert.not.ok(peer_lost(n0, 1));
    } finally {
      set_comm_tap(null);
      alive.on = false;
    }
  });
}

test('what was kept for a peer that crashed goes after the limit and the orphans\' wait; the peer is then no longer pinged', () => {
  const { c, alive } = cluster(3);
  const [n0, n1] = [c.node(0), c.node(1)];
  const dropped = { n: 0 };
  c.queue.at(1e9, () => c.queue.acting_as(n1, () => c.crash_node(n1)), 1);
  c.queue.at(3e9, () => c.queue.acting_as(n0, () => {
    for (let i = 0; i < 16; i++) connection_failed(n0, n1, 'connection timed out', lost_msg(DEP_PAGES, dropped));
  }), 0);
  const period_ns = network_of(c).profile.infod_interval_ns;
  const let_go_ns = 3e9 + LIMIT_NS + (ORPHAN_AFTER_UPDATES + 2) * period_ns;
  c.run(let_go_ns - 4 * period_ns);
  assert.is(kept(c, 0), 16, 'kept while node 1 may still come back');
  assert.ok(peer_lost(n0, 1));
  c.run(let_go_ns);
  assert.is(kept(c, 0), 0, 'let go');
  assert.is(dropped.n, 16, 'each given up: a first copy arriving late would not be handed up');
  assert.not.ok(peer_lost(n0, 1), 'no business with node 1 any more: no verdict about it stands');
  const tx = nic_of(n0).tx_packets;
  c.run(let_go_ns + 100e9);
  const pings = nic_of(n0).tx_packets - tx;
  // infoD's gossip goes on (to node 2 and, as membership, the dead node 1); om's pings to node 1 do not.
  const gossip_only = cluster(3);
  gossip_only.c.queue.at(1e9, () => gossip_only.c.queue.acting_as(gossip_only.c.node(1), () => gossip_only.c.crash_node(gossip_only.c.node(1))), 1);
  gossip_only.c.run(let_go_ns);
  const tx0 = nic_of(gossip_only.c.node(0)).tx_packets;
  gossip_only.c.run(let_go_ns + 100e9);
  assert.is(pings, nic_of(gossip_only.c.node(0)).tx_packets - tx0, 'node 0 sends what it sends without the kept messages');
  assert.is(verdicts_of(n0).length, 1);
  alive.on = false;
  gossip_only.alive.on = false;
});


// A holder's push lost with its connection is kept for the node it went
// to. Had the process moved on meanwhile, the holder would answer the next
// node's request for such a page that it is on its way, and that node
// would wait for ever (found by review; it hung for 200 s of virtual time).
test('a process whose pages a node it cannot reach still pushes stays until that node is heard, then moves with every page', () => {
  const { c, d } = om_setup(3, 'ampom-push', 64);
  set_partition_limit(c, 60e9);
  d.limit_ns = 200e9;
  const pages = 2000;
  const base = d.exec(mmap_anon(pages * PAGE_SIZE));
  const value = (i: number): number => (i * 7 + 3) & 0xff;
  for (let i = 0; i < pages; i++) d.write_u8(base + i * PAGE_SIZE, value(i));
  assert.ok(om_migrate(d, 1).ok);
  // The home pushes the pages to node 1; 50 ms in, the two are cut off for 30 s.
  const cut_ns = c.queue.now_ns + 50e6;
  const heal_ns = cut_ns + 30e9;
  network_of(c).partition(c.node(0), c.node(1), cut_ns, heal_ns);
  d.until(() => c.queue.now_ns > cut_ns + 5e9);
  assert.ok(peer_lost(c.node(1), 0), 'node 1 takes the home as unreachable');
  let result: { ok: boolean; errno: number } | null = null;
  assert.is(migrate_process(c, d.pid, 2, undefined, (r) => (result = r)), -EHOSTUNREACH, 'refused while the home, which pushes its pages, is cut off');
  assert.is(result, null);
  assert.is(d.task.node.id, 1);
  d.until(() => c.queue.now_ns > heal_ns + 5e9);
  assert.not.ok(peer_lost(c.node(1), 0));
  assert.ok(om_migrate(d, 2).ok, 'once the home is heard, the process moves');
  for (let i = 0; i < pages; i++) assert.is(d.read_u8(base + i * PAGE_SIZE), value(i), `page ${i}`);
  assert.ok(d.alive);
});


// Found by review: an exit held until the holder of the process's pages is
// heard went as soon as any other peer was heard, once the verdict on that
// holder had been taken back (the exit looked only at the standing verdicts).
test('an exit held on a holder whose verdict was taken back waits for that holder, not for any peer, and the limit then names it', () => {
  const { c, d } = om_setup(4, 'noprefetch', 64);
  set_partition_limit(c, 60e9);
  d.limit_ns = 300e9;
  const base = d.exec(mmap_anon(64 * PAGE_SIZE));
  for (let i = 0; i < 64; i++) d.write_u8(base + i * PAGE_SIZE, i + 1);
  assert.ok(om_migrate(d, 1).ok);
  for (let i = 0; i < 8; i++) d.write_u8(base + i * PAGE_SIZE, 100 + i); // these stay at node 1
  assert.ok(om_migrate(d, 2).ok);
  const n2 = c.node(2);
  const st = om_node(n2).migrants.get(d.pid)!;
  assert.ok(st.holders.has(1));
  const t0 = c.queue.now_ns;
  network_of(c).partition(c.node(1), n2, t0, t0 + 100e9);
  // As if node 2 had acted on node 1 as gone before the process came (it came through node 1's peers): its records say so.
  const lv = n2.ext.get('om_liveness') as { lost: Map<number, number>; gone: Set<number>; rechecked: Set<number> };
  c.queue.acting_as(n2, () => {
    lv.lost.set(1, t0 - 70e9);
    lv.gone.add(1);
  });
  d.exec({ kind: 'mark', label: 'about to exit' });
  (d as unknown as { pending: unknown }).pending = { kind: 'sys', nr: 1, args: [0] };
  wake_up_process(d.task);
  d.until(() => st.exit_code >= 0 || !d.alive);
  assert.ok(d.alive, 'the exit is held');
  d.until(() => lv.rechecked.has(1) || !d.alive);
  assert.ok(d.alive && lv.rechecked.has(1), 'node 2 took its verdict back, and still holds the exit');
  // Another peer node 2 had taken as unreachable is heard again.
  c.queue.acting_as(n2, () => connection_failed(n2, c.node(3), 'connection reset', lost_msg(DEP_PUSH_STOPPED, { n: 0 })));
  d.until(() => !d.alive || c.queue.now_ns > t0 + 10e9);
  assert.ok(d.alive, 'still held: node 1 was not heard');
  d.until(() => !d.alive);
  assert.match(d.exit_reason, /page holder node 1 unreachable/);
});

test.run();
