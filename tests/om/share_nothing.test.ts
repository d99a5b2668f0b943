// Nodes share nothing but the wire: with the check on (om/state.ts
// set_share_nothing_check), a node's om records (migrants, deputies, page
// holders, migrations in flight) are reachable only from events that act
// for that node (kernel/events.ts ctx: its CPU's turn, a frame it receives,
// its own timers), and the host (a test, an experiment's driver). The
// migration paths run under it: random chaos plans (crashes, partitions
// shorter and longer than the limit, loss, aborts, over 1-3 hops and every
// scheme), and a cluster whose balancers move processes. Any reach into
// another node's records throws, and the run would fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/prop.ts';
import { Cluster } from '../../kernel/cluster.ts';
import { make_profile } from '../../net/profiles.ts';
import { om_init } from '../../om/index.ts';
import { om_node, set_share_nothing_check } from '../../om/state.ts';
import { POLICIES } from '../../om/state.ts';
import { chaos_plan, run_chaos } from '../../userland/chaos/plan.ts';
import { run_cluster } from '../../userland/cluster/run.ts';
import { broken_promise } from '../../userland/cli/cmd_chaos.ts';

test.before(() => set_share_nothing_check(true));
test.after(() => set_share_nothing_check(false));

test('the check can fail: an event of node 1 that reads node 0 throws; the host and node 0 itself may', () => {
  const c = new Cluster({ nodes: 2, mem_B: 16 << 20 });
  om_init(c, make_profile('fast-ethernet'));
  let caught = '';
  c.queue.at(1000, () => {
    c.queue.ctx = c.node(1);
    om_node(c.node(1));
    try {
      om_node(c.node(0));
    } catch (e) {
      caught = (e as Error).message;
    }
  });
  c.queue.at(2000, () => c.queue.acting_as(c.node(0), () => om_node(c.node(0))));
  c.run(3000);
  om_node(c.node(0)); // the host, after the run
  assert.match(caught, /share nothing: node1 reached into node0's om records/);
});

test('chaos plans (every scheme, 1-3 hops, crashes, partitions, loss, aborts) touch each node only from that node', () => {
  check(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(...POLICIES), (seed, scheme) => {
      const plan = chaos_plan(seed, undefined, scheme);
      const r = run_chaos(plan, 'fast');
      // And the chaos promise: nothing lost, corrupt or leaked; completed and
      // verified when the plan spares what the process depends on (every
      // partition shorter than the limit); else killed for a reason the plan gives.
      assert.is(broken_promise({ seed, result: r, wall_s: 0 }, plan), null, JSON.stringify(plan));
    }),
    { numRuns: 8 },
  );
});

test('a cluster whose balancers move processes touches each node only from that node', () => {
  const hog = (mib: number, cpu_s: number) => ({ arrival_s: 0, node: 0, kernel: 'hog' as const, mib, mode: 'fast' as const, cpu_s });
  const r = run_cluster({
    nodes: 3, speeds: [1, 1, 1], mem_mib: 256, jobs: [hog(4, 8), hog(4, 8), hog(4, 8)], scheme: 'ampom', balancer: 'mosix', threshold: 0,
    profile: make_profile('fast-ethernet'), seed: 5,
  });
  assert.ok(r.totals.verified);
  assert.ok(r.totals.migrations > 0, 'the balancers moved something');
});

test.run();
